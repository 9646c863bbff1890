/* resolve.c — gives the generic AST its meaning (the language of design.md).
 *
 * Keywords are looked up per block (top level, host, vm, device), values are
 * checked and converted (addresses canonical, ids parsed, memory in MiB),
 * defaults applied (pcie follows q35) and hostpci slots assigned (pinned
 * first, the rest lowest free, in declaration order).  Every problem is a
 * queued P002/P003/P004 and the bad item is left out, so the rules still run
 * on the rest of the spec. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "mapping.h"
#include "model.h"
#include "names.h"
#include "propstr.h"
#include "pveconf.h"
#include "zfs_name.h"

/* Proxmox (pve-vmid): ^[1-9][0-9]{2,8}$. */
#define VMID_MIN PVE_VMID_MIN
#define VMID_MAX PVE_VMID_MAX
/* Proxmox takes any positive core count; QEMU's q35 and i440fx machines
 * stop at 1024 vCPUs in the versions PVE 8/9 ship, so more is a typo. */
#define CORES_MAX 1024u
/* qemu-server: memory minimum 16 MiB.  The top is a sanity bound (16 TiB),
 * far above any host Proxmox runs on. */
#define MEMORY_MIN_MIB 16u
#define MEMORY_MAX_MIB ((uint64_t)16 << 20)

const char *dev_kind_name(enum dev_kind k)
{
    static const char *const n[] = {"gpu", "audio", "usb", "usb4", "nvme",
                                    "nic", "pci"};
    return (unsigned)k < sizeof n / sizeof n[0] ? n[k] : "device";
}

/* The blocks a statement can be in; keyword tables are per block. */
enum block { BLK_TOP, BLK_HOST, BLK_VM, BLK_DEVICE };

static const char *const top_words[] = {"host", "vm", "mapping", NULL};
static const char *const host_words[] = {"board", "iommu", "bind", "snapshot",
                                         "facts", "vfio", NULL};
/* vfio-pci's module parameters (modinfo vfio-pci) besides ids */
static const char *const vfio_params[] = {"ids", "disable_vga", "disable_idle_d3",
                                          "nointxmask", "disable_denylist",
                                          "enable_sriov", NULL};
static const char *const vm_words[] = {"os", "machine", "bios", "cpu", "cores",
                                       "memory", "numa", "vga", "balloon",
                                       "node", "gpu", "usb", "usb4", "nvme", "nic",
                                       "pci", NULL};
static const char *const dev_words[] = {
    "primary", "pcie", "rombar", "romfile", "all-functions", "slot",
    "guest-driver", "tunnels", "legacy-igd", "mdev", "vendor-id", "device-id",
    "sub-vendor-id", "sub-device-id", "audio", NULL};

static const char *const ostypes[] = {"other", "wxp", "w2k", "w2k3", "w2k8",
                                      "wvista", "win7", "win8", "win10",
                                      "win11", "l24", "l26", "solaris", NULL};
static const char *const vga_types[] = {"cirrus", "qxl", "qxl2", "qxl3",
                                        "qxl4", "none", "serial0", "serial1",
                                        "serial2", "serial3", "std", "virtio",
                                        "virtio-gl", "vmware", NULL};

struct resolver {
    arena *a;
    struct diag_list *d;
    struct model *m;
    bool syntax_errors;
};

static bool in_list(const char *const *list, const char *w)
{
    /* first byte first: keyword lists are looked up for every line */
    for (; *list; list++)
        if (**list == *w && !strcmp(*list, w))
            return true;
    return false;
}

static const char *list_text(arena *a, const char *const *list)
{
    size_t n = 0;
    for (const char *const *p = list; *p; p++)
        n += strlen(*p) + 2;
    char *s = arena_alloc(a, n + 1), *o = s;
    for (const char *const *p = list; *p; p++)
        o += sprintf(o, "%s%s", p == list ? "" : ", ", *p);
    return s;
}

/* Edit distance with a cap: keyword lists are short and words shorter. */
static size_t edit_distance(const char *s, const char *t)
{
    size_t ls = strlen(s), lt = strlen(t);
    if (ls > 32 || lt > 32)
        return 99;
    size_t row[33];
    for (size_t j = 0; j <= lt; j++)
        row[j] = j;
    for (size_t i = 1; i <= ls; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lt; j++) {
            size_t up = row[j];
            size_t best = diag + (s[i - 1] != t[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lt];
}

static const char *suggest(const char *w, const char *const *list)
{
    const char *best = NULL;
    size_t bd = 3;
    size_t limit = strlen(w) <= 3 ? 1 : 2;
    for (; *list; list++) {
        size_t d = edit_distance(w, *list);
        if (d <= limit && d < bd) {
            bd = d;
            best = *list;
        }
    }
    return best;
}

static struct diag *bad_value(struct resolver *r, src_loc loc, const char *fmt,
                              ...) __attribute__((format(printf, 3, 4)));
static struct diag *bad_value(struct resolver *r, src_loc loc, const char *fmt,
                              ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vprintf(r->a, fmt, ap);
    va_end(ap);
    return diag_add(r->d, R_P002, loc, "%s", msg);
}

static const char *block_phrase(enum block b)
{
    switch (b) {
    case BLK_TOP: return "statement";
    case BLK_HOST: return "host setting";
    case BLK_VM: return "VM setting";
    case BLK_DEVICE: return "device option";
    }
    return "statement";
}

/* An unknown keyword: say where it would belong, else the nearest one. */
static void unknown_keyword(struct resolver *r, const struct ast_stmt *s,
                            enum block b, const char *const *words)
{
    const char *kw = s->keyword;
    if (b != BLK_TOP && in_list(top_words, kw)) {
        bad_value(r, s->kw_loc, "'%s' blocks go at the top level, not inside another block", kw);
        return;
    }
    if (b != BLK_HOST && in_list(host_words, kw)) {
        bad_value(r, s->kw_loc, "'%s' is a host setting: move it into the host block", kw);
        return;
    }
    if (b != BLK_VM && in_list(vm_words, kw)) {
        bad_value(r, s->kw_loc, "'%s' belongs directly in a vm block", kw);
        return;
    }
    if (b != BLK_DEVICE && in_list(dev_words, kw)) {
        if (!strcmp(kw, "audio"))
            bad_value(r, s->kw_loc, "'audio' is a function of a gpu: nest it in the gpu's block");
        else
            bad_value(r, s->kw_loc, "'%s' is a device option: put it in the device's { } block", kw);
        return;
    }
    const char *sug = suggest(kw, words);
    struct diag *d;
    if (sug)
        d = bad_value(r, s->kw_loc, "unknown %s '%s'; did you mean '%s'?",
                      block_phrase(b), kw, sug);
    else
        d = bad_value(r, s->kw_loc, "unknown %s '%s'", block_phrase(b), kw);
    diag_note(r->d, d, (src_loc){0}, "expected one of: %s",
              list_text(r->a, words));
}

/* ---- value shapes ----------------------------------------------------- */

static const char *kind_phrase(enum ast_value_kind k)
{
    switch (k) {
    case AV_WORD: return "word";
    case AV_NUMBER: return "number";
    case AV_STRING: return "string";
    case AV_ADDR: return "PCI address";
    case AV_PAIR: return "id";
    case AV_ADDRS: return "';'-joined address list";
    }
    return "value";
}

static bool no_block(struct resolver *r, const struct ast_stmt *s)
{
    if (!s->has_block)
        return true;
    bad_value(r, s->kw_loc, "'%s' takes no { } block", s->keyword);
    return false;
}

/* Exactly n values; reports the first extra one or the missing one. */
static bool nvals(struct resolver *r, const struct ast_stmt *s, size_t min,
                  size_t max, const char *what)
{
    if (s->nvals > max) {
        const struct ast_value *v = &s->vals[max];
        if (max == 0)
            bad_value(r, v->loc, "'%s' takes no value", s->keyword);
        else
            bad_value(r, v->loc, "too many values for '%s': expected %s",
                      s->keyword, what);
        return false;
    }
    if (s->nvals < min) {
        bad_value(r, s->loc, "'%s' needs %s", s->keyword, what);
        return false;
    }
    return true;
}

/* One word value from a fixed list. */
static const char *word_in(struct resolver *r, const struct ast_stmt *s,
                           const char *const *list)
{
    /* the list is spelt out only when something is wrong */
    if (s->nvals != 1 &&
        !nvals(r, s, 1, 1, arena_printf(r->a, "one of: %s", list_text(r->a, list))))
        return NULL;
    const struct ast_value *v = &s->vals[0];
    if ((v->kind == AV_WORD || v->kind == AV_NUMBER) && in_list(list, v->text))
        return v->text;
    const char *sug = v->kind == AV_WORD ? suggest(v->text, list) : NULL;
    struct diag *d = bad_value(r, v->loc, "bad %s '%s'%s%s%s", s->keyword,
                               v->text, sug ? "; did you mean '" : "",
                               sug ? sug : "", sug ? "'?" : "");
    diag_note(r->d, d, (src_loc){0}, "expected one of: %s", list_text(r->a, list));
    return NULL;
}

static const char *one_string(struct resolver *r, const struct ast_stmt *s)
{
    if (!nvals(r, s, 1, 1, "one \"string\""))
        return NULL;
    const struct ast_value *v = &s->vals[0];
    if (v->kind != AV_STRING) {
        bad_value(r, v->loc, "'%s' needs a \"quoted string\", not a %s",
                  s->keyword, kind_phrase(v->kind));
        return NULL;
    }
    return v->text;
}

/* one_string() that must also be a plain_name() (it goes verbatim into a
 * Proxmox property string: hostpci's romfile and mdev); reports P002. */
static const char *one_token(struct resolver *r, const struct ast_stmt *s,
                             const char *extra, const char *what)
{
    const char *t = one_string(r, s);
    if (t && (!plain_name(t, extra) || !strcmp(t, ".") || strstr(t, ".."))) {
        bad_value(r, s->vals[0].loc, "bad %s '%s': %s", s->keyword, t, what);
        return NULL;
    }
    return t;
}

/* Decimal digits only (the lexer's NUMBER); false on overflow. */
static bool number_value(const char *t, uint64_t *out)
{
    uint64_t v = 0;
    for (; *t; t++) {
        if (*t < '0' || *t > '9')
            return false;
        if (v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(*t - '0');
    }
    *out = v;
    return true;
}

static bool number_in(struct resolver *r, const struct ast_stmt *s,
                      uint64_t min, uint64_t max, uint64_t *out)
{
    if (!nvals(r, s, 1, 1, "one number"))
        return false;
    const struct ast_value *v = &s->vals[0];
    uint64_t n;
    if (v->kind != AV_NUMBER) {
        bad_value(r, v->loc, "'%s' needs a number, not %s '%s'", s->keyword,
                  kind_phrase(v->kind), v->text);
        return false;
    }
    if (!number_value(v->text, &n) || n < min || n > max) {
        bad_value(r, v->loc, "%s %s is out of range (%llu to %llu)",
                  s->keyword, v->text, (unsigned long long)min,
                  (unsigned long long)max);
        return false;
    }
    *out = n;
    return true;
}

/* on/off (a bare keyword means on); false when invalid. */
static bool on_off(struct resolver *r, const struct ast_stmt *s, bool bare_ok,
                   enum tri *out)
{
    if (s->nvals == 0 && bare_ok) {
        *out = TRI_ON;
        return true;
    }
    static const char *const onoff[] = {"on", "off", NULL};
    const char *w = word_in(r, s, onoff);
    if (!w)
        return false;
    *out = !strcmp(w, "on") ? TRI_ON : TRI_OFF;
    return true;
}

/* Names the bad field of an address: "slot 20 is above 1f". */
static const char *addr_reason(arena *a, const char *text, const char *why)
{
    const char *field = NULL;
    if (!strncmp(why, "bus", 3) || !strncmp(why, "slot", 4) ||
        !strncmp(why, "function", 8)) {
        const char *last = strrchr(text, ':');
        const char *dot = strchr(text, '.');
        if (last) {
            const char *prev = last;
            while (prev > text && prev[-1] != ':')
                prev--;
            if (!strncmp(why, "bus", 3))
                field = arena_strndup(a, prev, (size_t)(last - prev));
            else if (!strncmp(why, "slot", 4))
                field = arena_strndup(a, last + 1,
                                      dot ? (size_t)(dot - last - 1) : strlen(last + 1));
            else if (dot)
                field = dot + 1;
        }
    }
    if (!field)
        return why;
    const char *sp = strchr(why, ' ');
    return arena_printf(a, "%.*s %s%s", (int)(sp - why), why, field, sp);
}

static bool parse_addr(struct resolver *r, const struct ast_value *v,
                       struct pci_addr *out)
{
    const char *why = NULL;
    if (v->kind == AV_ADDRS) {
        diag_add(r->d, R_P003, v->loc,
                 "expected one PCI address, not the list '%s': only a device line's own address may join host functions with ';'",
                 v->text);
        return false;
    }
    if (v->kind != AV_ADDR && v->kind != AV_PAIR) {
        diag_add(r->d, R_P003, v->loc,
                 "expected a PCI address like 02:00.0, not %s '%s'",
                 kind_phrase(v->kind), v->text);
        return false;
    }
    if (pci_addr_parse(v->text, false, out, &why) < 0) {
        struct diag *d = diag_add(r->d, R_P003, v->loc,
                                  "bad PCI address '%s': %s", v->text,
                                  addr_reason(r->a, v->text, why));
        diag_note(r->d, d, (src_loc){0},
                  "write [domain:]bus:slot.function in hex: bus 00-ff, slot 00-1f, function 0-7 (e.g. 0000:02:00.0)");
        return false;
    }
    return true;
}

static bool parse_id(struct resolver *r, const struct ast_value *v,
                     struct pci_id *out)
{
    const char *why = NULL;
    if (v->kind != AV_PAIR || pci_id_parse(v->text, out, &why) < 0) {
        struct diag *d = diag_add(r->d, R_P004, v->loc,
                                  "bad vendor:device id '%s': %s", v->text,
                                  why ? why : "expected vvvv:dddd");
        diag_note(r->d, d, (src_loc){0},
                  "write the id as lspci -nn shows it: 4 hex digits each, e.g. 10de:2783");
        return false;
    }
    return true;
}

/* 0x10de for vendor-id and friends (Proxmox: ^0x[0-9a-fA-F]{4}$). */
static bool parse_hex16(struct resolver *r, const struct ast_stmt *s, int *out)
{
    if (!nvals(r, s, 1, 1, "one hex value like 0x10de"))
        return false;
    const struct ast_value *v = &s->vals[0];
    const char *t = v->text;
    bool ok = v->kind == AV_WORD && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') &&
              strlen(t) == 6;
    int val = 0;
    for (int i = 2; ok && i < 6; i++) {
        char c = t[i];
        int h = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (h < 0)
            ok = false;
        else
            val = val * 16 + h;
    }
    if (!ok) {
        diag_add(r->d, R_P004, v->loc,
                 "bad %s '%s': write 0x and 4 hex digits, e.g. 0x10de",
                 s->keyword, v->text);
        return false;
    }
    *out = val;
    return true;
}

/* ---- duplicate settings ----------------------------------------------- */

struct seen {
    const char *kw[24];
    src_loc loc[24];
    size_t n;
};

/* True the first time a keyword is set in a block. */
static bool first_time(struct resolver *r, struct seen *sn,
                       const struct ast_stmt *s)
{
    for (size_t i = 0; i < sn->n; i++)
        if (sn->kw[i][0] == s->keyword[0] && !strcmp(sn->kw[i], s->keyword)) {
            struct diag *d = bad_value(r, s->kw_loc, "duplicate '%s' setting",
                                       s->keyword);
            diag_note(r->d, d, sn->loc[i], "first set here");
            return false;
        }
    if (sn->n < sizeof sn->kw / sizeof sn->kw[0]) {
        sn->kw[sn->n] = s->keyword;
        sn->loc[sn->n++] = s->kw_loc;
    }
    return true;
}

/* ---- host ------------------------------------------------------------- */

/* `vfio ids 10de:0be3 …` or `vfio PARAM VALUE`: written to the
 * `options vfio-pci` line as PARAM=VALUE. */
static void resolve_vfio(struct resolver *r, struct m_host *h,
                         const struct ast_stmt *c)
{
    if (!nvals(r, c, 2, c->nvals < 2 ? 2 : c->nvals,
               "a vfio-pci option and its value: vfio disable_vga 1, vfio ids 10de:2783"))
        return;
    const struct ast_value *k = &c->vals[0];
    if (k->kind != AV_WORD || !in_list(vfio_params, k->text)) {
        const char *sug = k->kind == AV_WORD ? suggest(k->text, vfio_params) : NULL;
        struct diag *d = bad_value(r, k->loc, "unknown vfio-pci option '%s'%s%s%s",
                                   k->text, sug ? "; did you mean '" : "",
                                   sug ? sug : "", sug ? "'?" : "");
        diag_note(r->d, d, (src_loc){0}, "expected one of: %s",
                  list_text(r->a, vfio_params));
        return;
    }
    if (!strcmp(k->text, "ids")) {
        if (h->has_vfio_ids) {
            bad_value(r, k->loc, "duplicate 'vfio ids': list every id on one line");
            return;
        }
        h->has_vfio_ids = true;
        h->vfio_ids = arena_calloc(r->a, c->nvals, sizeof *h->vfio_ids);
        for (size_t i = 1; i < c->nvals; i++)
            if (parse_id(r, &c->vals[i], &h->vfio_ids[h->nvfio_ids]))
                h->nvfio_ids++;
        return;
    }
    if (!nvals(r, c, 2, 2, "one value: vfio disable_vga 1"))
        return;
    for (size_t i = 0; i < h->nvfio_opts; i++)
        if (!strcmp(h->vfio_opts[i].key, k->text)) {
            struct diag *d = bad_value(r, k->loc, "duplicate vfio-pci option '%s'", k->text);
            diag_note(r->d, d, h->vfio_opts[i].loc, "first set here");
            return;
        }
    const struct ast_value *v = &c->vals[1];
    /* kernel bool/uint parameters: 0/1, Y/N and the like */
    if ((v->kind != AV_WORD && v->kind != AV_NUMBER) || !plain_name(v->text, "")) {
        bad_value(r, v->loc, "bad value '%s' for vfio-pci option %s: write 1 or 0",
                  v->text, k->text);
        return;
    }
    h->vfio_opts = arena_realloc(r->a, h->vfio_opts, h->nvfio_opts * sizeof *h->vfio_opts,
                                 (h->nvfio_opts + 1) * sizeof *h->vfio_opts);
    h->vfio_opts[h->nvfio_opts++] = (struct m_vfio_opt){k->text, v->text, k->loc};
}

static void resolve_host(struct resolver *r, const struct ast_stmt *s,
                         struct m_host *h)
{
    memset(h, 0, sizeof *h);
    h->loc = s->loc;
    h->iommu = IOMMU_REQUIRED;
    h->bind = BIND_IDS;
    h->bind_loc = s->kw_loc;
    if (s->nvals > 1)
        bad_value(r, s->vals[1].loc, "too many values for 'host': expected an optional name");
    if (s->nvals >= 1) {
        if (s->vals[0].kind == AV_STRING || s->vals[0].kind == AV_WORD)
            h->name = s->vals[0].text;
        else
            bad_value(r, s->vals[0].loc, "the host name must be a word or a \"string\"");
    }
    if (!s->has_block)
        bad_value(r, s->loc, "'host' needs a { … } block with its settings");
    struct seen sn = {0};
    for (const struct ast_stmt *c = s->body; c; c = c->next) {
        const char *kw = c->keyword;
        if (!in_list(host_words, kw)) {
            unknown_keyword(r, c, BLK_HOST, host_words);
            continue;
        }
        if (!strcmp(kw, "vfio")) {       /* one line per option: no first_time */
            if (no_block(r, c))
                resolve_vfio(r, h, c);
            continue;
        }
        if (!first_time(r, &sn, c) || !no_block(r, c))
            continue;
        if (!strcmp(kw, "board")) {
            h->board = one_string(r, c);
        } else if (!strcmp(kw, "iommu")) {
            static const char *const w[] = {"required", "optional", NULL};
            const char *v = word_in(r, c, w);
            if (v)
                h->iommu = !strcmp(v, "required") ? IOMMU_REQUIRED : IOMMU_OPTIONAL;
        } else if (!strcmp(kw, "bind")) {
            static const char *const w[] = {"ids", "start", NULL};
            const char *v = word_in(r, c, w);
            if (v) {
                h->bind = !strcmp(v, "ids") ? BIND_IDS : BIND_START;
                h->bind_loc = c->loc;
            }
        } else if (!strcmp(kw, "snapshot")) {
            if (!nvals(r, c, 2, 2, "a kind and a dataset: snapshot zfs \"rpool/ROOT/pve-1\""))
                continue;
            if (c->vals[0].kind != AV_WORD || strcmp(c->vals[0].text, "zfs")) {
                bad_value(r, c->vals[0].loc, "unknown snapshot kind '%s': only zfs is supported",
                          c->vals[0].text);
                continue;
            }
            if (c->vals[1].kind != AV_STRING || !c->vals[1].text[0]) {
                bad_value(r, c->vals[1].loc, "the ZFS dataset must be a non-empty \"string\"");
                continue;
            }
            const char *why = zfs_dataset_problem(c->vals[1].text);
            if (why) {
                bad_value(r, c->vals[1].loc, "ZFS dataset \"%s\": %s", c->vals[1].text, why);
                continue;
            }
            h->zfs_dataset = c->vals[1].text;
        } else if (!strcmp(kw, "facts")) {
            h->facts_path = one_string(r, c);
            if (h->facts_path)
                h->facts_loc = c->vals[0].loc;
        }
    }
}

/* ---- devices ---------------------------------------------------------- */

static bool dev_kind_parse(const char *w, enum dev_kind *k)
{
    static const struct {
        const char *w;
        enum dev_kind k;
    } kinds[] = {{"gpu", DEV_GPU}, {"audio", DEV_AUDIO}, {"usb", DEV_USB},
                 {"usb4", DEV_USB4}, {"nvme", DEV_NVME}, {"nic", DEV_NIC},
                 {"pci", DEV_PCI}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].w[0] == w[0] && !strcmp(kinds[i].w, w)) {
            *k = kinds[i].k;
            return true;
        }
    return false;
}

static void device_option(struct resolver *r, struct m_device *dev,
                          const struct ast_stmt *c)
{
    const char *kw = c->keyword;
    if (!strcmp(kw, "primary")) {
        if (nvals(r, c, 0, 0, "no value")) {
            dev->primary = true;
            dev->primary_loc = c->loc;
        }
    } else if (!strcmp(kw, "pcie")) {
        enum tri t;
        if (on_off(r, c, true, &t)) {
            dev->pcie_set = t;
            dev->pcie_loc = c->loc;
        }
    } else if (!strcmp(kw, "rombar")) {
        enum tri t;
        if (on_off(r, c, true, &t))
            dev->rombar = t;
    } else if (!strcmp(kw, "romfile")) {
        /* Proxmox: a file name in /usr/share/kvm/, pattern [^,;]+ */
        dev->romfile = one_token(r, c, "._+-",
                                 "a plain file name in /usr/share/kvm/ (letters, digits, . _ + -)");
    } else if (!strcmp(kw, "all-functions")) {
        if (nvals(r, c, 0, 0, "no value"))
            dev->all_functions = true;
    } else if (!strcmp(kw, "legacy-igd")) {
        if (nvals(r, c, 0, 0, "no value"))
            dev->legacy_igd = true;
    } else if (!strcmp(kw, "mdev")) {
        /* Proxmox: [^/.:]+ ; no ',' either, it would start a new option */
        dev->mdev = one_token(r, c, "_-",
                              "a mediated device type like nvidia-63 or i915-GVTg_V5_4 (letters, digits, _ -)");
    } else if (!strcmp(kw, "guest-driver")) {
        dev->guest_driver = one_string(r, c);
    } else if (!strcmp(kw, "slot")) {
        uint64_t n;
        if (number_in(r, c, 0, MAX_HOSTPCI - 1, &n)) {
            dev->slot = (int)n;
            dev->slot_pinned = true;
            dev->slot_loc = c->loc;
        }
    } else if (!strcmp(kw, "vendor-id")) {
        parse_hex16(r, c, &dev->vendor_id);
    } else if (!strcmp(kw, "device-id")) {
        parse_hex16(r, c, &dev->device_id);
    } else if (!strcmp(kw, "sub-vendor-id")) {
        parse_hex16(r, c, &dev->sub_vendor_id);
    } else if (!strcmp(kw, "sub-device-id")) {
        parse_hex16(r, c, &dev->sub_device_id);
    } else if (!strcmp(kw, "tunnels")) {
        dev->has_tunnels_stmt = true;
        dev->tunnels_loc = c->kw_loc;
        if (dev->kind != DEV_USB4) {
            bad_value(r, c->kw_loc, "'tunnels' is only for usb4 routers, not a %s",
                      dev_kind_name(dev->kind));
            return;
        }
        if (!nvals(r, c, 1, SIZE_MAX, "the xHCI controllers' addresses, e.g. tunnels 79:00.3 79:00.4"))
            return;
        dev->tunnels = arena_calloc(r->a, c->nvals, sizeof *dev->tunnels);
        for (size_t i = 0; i < c->nvals; i++) {
            struct pci_addr a;
            if (!parse_addr(r, &c->vals[i], &a))
                continue;
            dev->tunnels[dev->ntunnels].addr = a;
            dev->tunnels[dev->ntunnels++].loc = c->vals[i].loc;
        }
    }
}

/* ---- `;`-joined host functions ------------------------------------------ */

/* Proxmox (PCI.pm parse_hostpci) passes every id of `01:00.0;02:00.0`
 * together, as the functions .0, .1, … of one guest device; QEMU takes
 * functions 0-7 only. */
#define JOINED_MAX 8

static bool joined_ok(struct resolver *r, const struct ast_stmt *s,
                      const struct m_device *parent, size_t nparts)
{
    if (parent) {
        bad_value(r, s->vals[0].loc,
                  "an audio line is one function of its gpu's card: join host functions on the gpu's own line");
        return false;
    }
    if (nparts > JOINED_MAX) {
        bad_value(r, s->vals[0].loc,
                  "%zu host functions joined into one slot: Proxmox passes them as the functions of one guest device, which has at most %d (.0-.7)",
                  nparts, JOINED_MAX);
        return false;
    }
    return true;
}

/* One further address of a joined line: a device of its own, so that every
 * rule, the ids, the pre-flight and the group checks see it, folded into
 * the first device's slot the way all-functions folds a card's functions.
 * It has no id (the line's id is the first address's) and is a plain `pci`:
 * the line's kind says what the first address is, and `pci` is the one kind
 * that claims nothing about a function's class (P022), so a gpu's audio or
 * a NIC's second port joined to it is judged by what the facts show. */
static void joined_device(struct resolver *r, struct m_vm *vm,
                          struct m_device *first, const struct ast_value *v)
{
    struct m_device *j = arena_alloc(r->a, sizeof *j);
    if (!parse_addr(r, v, &j->addr))
        return;
    j->kind = DEV_PCI;
    j->addr_loc = v->loc;
    j->loc = first->loc;
    j->vm = vm;
    j->parent = first;
    j->folded = j->joined = true;
    j->slot = -1;
    j->pcie_set = TRI_UNSET;
    j->rombar = TRI_UNSET;
    j->vendor_id = j->device_id = j->sub_vendor_id = j->sub_device_id = -1;
    vm->devs[vm->ndevs++] = j;
}

/* What Proxmox refuses on a slot of several host functions (PCI.pm:
 * "cannot use mediated device with multifunction device", "legacy IGD
 * assignment is not compatible with multifunction devices"). */
static void joined_options(struct resolver *r, const struct ast_stmt *s,
                           const struct m_device *dev)
{
    for (const struct ast_stmt *c = s->body; c; c = c->next)
        if ((dev->mdev && !strcmp(c->keyword, "mdev")) ||
            (dev->legacy_igd && !strcmp(c->keyword, "legacy-igd")))
            bad_value(r, c->kw_loc,
                      "'%s' on a slot of several host functions: Proxmox refuses to start it (a multifunction device)",
                      c->keyword);
}

/* Further devices of a `;`-joined address, for the VM's device array. */
static size_t joined_extra(const struct ast_stmt *s)
{
    size_t n = 0;
    if (s->nvals && s->vals[0].kind == AV_ADDRS)
        for (const char *p = s->vals[0].text; *p; p++)
            n += *p == ';';
    return n;
}

/* Appends one device (and, for a gpu, its nested audio functions right
 * after it) to the VM's list. */
static struct m_device *resolve_device(struct resolver *r, struct m_vm *vm,
                                       const struct ast_stmt *s,
                                       enum dev_kind kind,
                                       struct m_device *parent)
{
    struct m_device *dev = arena_alloc(r->a, sizeof *dev);
    dev->kind = kind;
    dev->loc = s->loc;
    dev->vm = vm;
    dev->parent = parent;
    dev->slot = -1;
    dev->pcie_set = TRI_UNSET;
    dev->rombar = TRI_UNSET;
    dev->vendor_id = dev->device_id = dev->sub_vendor_id = dev->sub_device_id = -1;
    const char *usage = "an address: kind ADDR [vvvv:dddd] [\"name\"]";
    if (s->nvals == 0) {
        diag_add(r->d, R_P003, s->loc, "'%s' needs %s", s->keyword, usage);
        return NULL;
    }
    dev->addr_loc = s->vals[0].loc;
    bool mapped = s->vals[0].kind == AV_WORD && !strcmp(s->vals[0].text, "mapping");
    /* `01:00.0;02:00.0`: the line's device is the first address */
    struct ast_value *parts = NULL;
    size_t nparts = 0;
    if (s->vals[0].kind == AV_ADDRS) {
        parts = ast_addrs_split(r->a, &s->vals[0], &nparts);
        dev->addr_loc = parts[0].loc;
    }
    bool addr_ok = mapped ? s->nvals >= 2 && s->vals[1].kind == AV_STRING
                          : parse_addr(r, parts ? &parts[0] : &s->vals[0], &dev->addr);
    size_t i = 1;
    if (mapped) {
        /* KIND mapping "NAME" ["name"]: mapping.c links it */
        if (!addr_ok) {
            bad_value(r, s->loc, "'%s mapping' needs the mapping's name: %s mapping \"gpu-pool\"",
                      s->keyword, s->keyword);
            return NULL;
        }
        dev->mapping_name = s->vals[1].text;
        dev->mapping_loc = s->vals[1].loc;
        i = 2;
    }
    if (!mapped && i < s->nvals && s->vals[i].kind != AV_STRING) {
        dev->id_loc = s->vals[i].loc;
        dev->has_id = parse_id(r, &s->vals[i], &dev->id);
        i++;
    }
    if (i < s->nvals && s->vals[i].kind == AV_STRING)
        dev->name = s->vals[i++].text;
    if (i < s->nvals)
        bad_value(r, s->vals[i].loc, "unexpected %s '%s': a device line is %s",
                  kind_phrase(s->vals[i].kind), s->vals[i].text, usage);
    if (!addr_ok)
        return NULL;
    /* An audio line stands for a function of its gpu's own card (slot
     * order and all-functions folding rely on that). */
    if (parent && !mapped && !parent->mapping_name &&
        !pci_addr_same_device(&parent->addr, &dev->addr)) {
        char a[24], b[24];
        struct diag *d = bad_value(r, dev->addr_loc,
                                   "audio %s is not a function of gpu %s: nested functions share the gpu's bus and slot",
                                   pci_addr_format(&dev->addr, a), pci_addr_format(&parent->addr, b));
        diag_fix(r->d, d, "write the card's audio function (usually %02x:%02x.1), or pass this device on its own line",
                 parent->addr.bus, parent->addr.slot);
        return NULL;
    }

    vm->devs[vm->ndevs++] = dev;
    size_t first_joined = vm->ndevs;
    if (parts && !joined_ok(r, s, parent, nparts))
        nparts = 0;
    for (size_t k = 1; k < nparts; k++)
        joined_device(r, vm, dev, &parts[k]);
    size_t end_joined = vm->ndevs;
    struct seen sn = {0};
    for (const struct ast_stmt *c = s->body; c; c = c->next) {
        if (!strcmp(c->keyword, "audio")) {
            if (kind != DEV_GPU) {
                bad_value(r, c->kw_loc, "'audio' nests only in a gpu block, not in %s %s",
                          kind == DEV_AUDIO || kind == DEV_USB || kind == DEV_USB4 || kind == DEV_NIC || kind == DEV_NVME ? "an" : "a",
                          dev_kind_name(kind));
                continue;
            }
            resolve_device(r, vm, c, DEV_AUDIO, dev);
            continue;
        }
        if (!in_list(dev_words, c->keyword)) {
            enum dev_kind k;
            if (dev_kind_parse(c->keyword, &k))
                bad_value(r, c->kw_loc, "devices cannot nest in a %s: move '%s' into the vm block",
                          dev_kind_name(kind), c->keyword);
            else
                unknown_keyword(r, c, BLK_DEVICE, dev_words);
            continue;
        }
        if (!first_time(r, &sn, c) || !no_block(r, c))
            continue;
        device_option(r, dev, c);
    }
    if (end_joined > first_joined)
        joined_options(r, s, dev);
    /* all-functions covers every card of the slot: Proxmox expands each
     * function-less id of a ';' list (PCI.pm parse_hostpci) */
    for (size_t k = first_joined; k < end_joined; k++)
        vm->devs[k]->all_functions = dev->all_functions;
    return dev;
}

/* ---- vm --------------------------------------------------------------- */

static bool digits_then(const char **p)
{
    if (**p < '0' || **p > '9')
        return false;
    while (**p >= '0' && **p <= '9')
        (*p)++;
    return true;
}

/* Proxmox's machine type pattern (Machine.pm), without the ARM `virt…`:
 * pc | q35 | pc(-i440fx)?-V | pc-q35-V, V = \d+(\.\d+)+(\+pve\d+)?(\.pxe)? */
bool machine_ok(const char *m)
{
    if (!strcmp(m, "pc") || !strcmp(m, "q35"))
        return true;
    const char *p;
    if (!strncmp(m, "pc-i440fx-", 10))
        p = m + 10;
    else if (!strncmp(m, "pc-q35-", 7))
        p = m + 7;
    else if (!strncmp(m, "pc-", 3))
        p = m + 3;
    else
        return false;
    if (!digits_then(&p))
        return false;
    int parts = 0;
    while (*p == '.' && p[1] >= '0' && p[1] <= '9') {
        p++;
        digits_then(&p);
        parts++;
    }
    if (parts == 0)
        return false;
    if (!strncmp(p, "+pve", 4)) {
        p += 4;
        if (!digits_then(&p))
            return false;
    }
    if (!strcmp(p, ".pxe"))
        p += 4;
    return *p == '\0';
}

static bool parse_memory(struct resolver *r, const struct ast_stmt *s,
                         uint64_t *mib)
{
    if (!nvals(r, s, 1, 2, "a size like 96 GiB (units MiB, GiB, TiB; bare = MiB)"))
        return false;
    const struct ast_value *v = &s->vals[0];
    uint64_t n;
    if (v->kind != AV_NUMBER) {
        bad_value(r, v->loc, "memory needs a number and a unit, e.g. 96 GiB");
        return false;
    }
    uint64_t shift = 0;
    if (s->nvals == 2) {
        const struct ast_value *u = &s->vals[1];
        static const struct {
            const char *u;
            unsigned shift;
        } units[] = {{"MiB", 0}, {"M", 0}, {"GiB", 10}, {"G", 10},
                     {"TiB", 20}, {"T", 20}};
        bool found = false;
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
            if (u->kind == AV_WORD && !strcmp(units[i].u, u->text)) {
                shift = units[i].shift;
                found = true;
            }
        if (!found) {
            bad_value(r, u->loc, "unknown memory unit '%s': use MiB, GiB or TiB (M, G, T)",
                      u->text);
            return false;
        }
    }
    if (!number_value(v->text, &n) || n > (MEMORY_MAX_MIB >> shift) ||
        (n << shift) < MEMORY_MIN_MIB) {
        bad_value(r, loc_join(v->loc, s->vals[s->nvals - 1].loc),
                  "memory is out of range: Proxmox needs at least 16 MiB, and more than 16 TiB is surely a typo");
        return false;
    }
    *mib = n << shift;
    return true;
}

static size_t count_devices(const struct ast_stmt *body)
{
    size_t n = 0;
    for (const struct ast_stmt *c = body; c; c = c->next) {
        n += 1 + joined_extra(c);
        for (const struct ast_stmt *g = c->body; g; g = g->next)
            n += 1 + joined_extra(g);
    }
    return n;
}

static struct m_vm *resolve_vm(struct resolver *r, const struct ast_stmt *s)
{
    struct m_vm *vm = arena_alloc(r->a, sizeof *vm);
    vm->loc = s->loc;
    vm->numa = TRI_UNSET;
    vm->balloon_off = TRI_UNSET;
    if (s->nvals == 0) {
        bad_value(r, s->loc, "'vm' needs its Proxmox VM id, e.g. vm 102 \"name\" { … }");
        return NULL;
    }
    const struct ast_value *id = &s->vals[0];
    uint64_t n;
    vm->vmid_loc = id->loc;
    if (id->kind != AV_NUMBER || !number_value(id->text, &n) || n < VMID_MIN ||
        n > VMID_MAX) {
        bad_value(r, id->loc, "bad VM id '%s': Proxmox VM ids are %u to %u",
                  id->text, VMID_MIN, VMID_MAX);
        return NULL;
    }
    vm->vmid = (unsigned)n;
    if (s->nvals >= 2) {
        if (s->vals[1].kind == AV_STRING || s->vals[1].kind == AV_WORD)
            vm->name = s->vals[1].text;
        else
            bad_value(r, s->vals[1].loc, "the VM name must be a word or a \"string\"");
    }
    if (s->nvals > 2)
        bad_value(r, s->vals[2].loc, "too many values for 'vm': expected an id and an optional name");
    if (!s->has_block)
        bad_value(r, s->loc, "'vm %u' needs a { … } block with its settings and devices", vm->vmid);

    vm->devs = arena_calloc(r->a, count_devices(s->body) + 1, sizeof *vm->devs);
    struct seen sn = {0};
    for (const struct ast_stmt *c = s->body; c; c = c->next) {
        const char *kw = c->keyword;
        enum dev_kind k;
        if (dev_kind_parse(kw, &k) && k != DEV_AUDIO) {
            resolve_device(r, vm, c, k, NULL);
            continue;
        }
        if (!in_list(vm_words, kw)) {
            unknown_keyword(r, c, BLK_VM, vm_words);
            continue;
        }
        if (!first_time(r, &sn, c) || !no_block(r, c))
            continue;
        if (!strcmp(kw, "os")) {
            vm->ostype = word_in(r, c, ostypes);
        } else if (!strcmp(kw, "machine")) {
            if (!nvals(r, c, 1, c->nvals ? c->nvals : 1, "a machine type (q35, pc, pc-q35-9.0, …), then options"))
                continue;
            const struct ast_value *v = &c->vals[0];
            if (v->kind != AV_WORD || !machine_ok(v->text)) {
                bad_value(r, v->loc, "bad machine type '%s': use q35, pc, pc-q35-X.Y or pc-i440fx-X.Y",
                          v->text);
                continue;
            }
            if (!(vm->machine_pve = propstr_resolve(r->a, r->d, c, PS_MACHINE)))
                continue;
            vm->machine = v->text;
            vm->machine_loc = v->loc;
        } else if (!strcmp(kw, "bios")) {
            static const char *const w[] = {"seabios", "ovmf", NULL};
            vm->bios = word_in(r, c, w);
        } else if (!strcmp(kw, "cpu")) {
            if (!nvals(r, c, 1, c->nvals ? c->nvals : 1, "a CPU type, e.g. host, then options"))
                continue;
            if ((c->vals[0].kind != AV_WORD && c->vals[0].kind != AV_STRING) ||
                !plain_name(c->vals[0].text, "._+-")) {
                bad_value(r, c->vals[0].loc,
                          "bad CPU type '%s': one type name like host, x86-64-v2-AES "
                          "or custom-NAME (letters, digits, . _ + -)", c->vals[0].text);
                continue;
            }
            vm->cpu = c->vals[0].text;
            vm->cpu_pve = propstr_resolve(r->a, r->d, c, PS_CPU);
        } else if (!strcmp(kw, "cores")) {
            uint64_t v;
            if (number_in(r, c, 1, CORES_MAX, &v))
                vm->cores = (unsigned)v;
        } else if (!strcmp(kw, "memory")) {
            parse_memory(r, c, &vm->memory_mib);
        } else if (!strcmp(kw, "numa")) {
            on_off(r, c, false, &vm->numa);
        } else if (!strcmp(kw, "vga")) {
            if (!nvals(r, c, 1, c->nvals ? c->nvals : 1, "a display type, then options"))
                continue;
            struct ast_stmt type = *c;
            type.nvals = 1;
            if ((vm->vga = word_in(r, &type, vga_types)))
                vm->vga_pve = propstr_resolve(r->a, r->d, c, PS_VGA);
        } else if (!strcmp(kw, "balloon")) {
            enum tri t;
            if (on_off(r, c, false, &t))
                vm->balloon_off = t == TRI_OFF ? TRI_ON : TRI_OFF;
        } else if (!strcmp(kw, "node")) {
            /* mapping.c checks that a host block names it */
            const char *nn = one_string(r, c);
            if (nn && !mapping_node_ok(nn))
                bad_value(r, c->vals[0].loc,
                          "bad node name '%s': a Proxmox node name is letters, digits and '-'", nn);
            else if (nn)
                vm->node = nn, vm->node_loc = c->vals[0].loc;
        }
    }
    vm->q35 = vm->machine && strstr(vm->machine, "q35");
    return vm;
}

/* Defaults and slots, once all of a VM's devices are known. */
static void assign_slots(struct m_vm *vm)
{
    bool used[MAX_HOSTPCI] = {false};
    for (size_t i = 0; i < vm->ndevs; i++) {
        struct m_device *d = vm->devs[i];
        struct m_device *p = d->parent;
        if (p && p->all_functions && pci_addr_same_device(&p->addr, &d->addr))
            d->folded = true;
        d->pcie = d->pcie_set == TRI_UNSET ? vm->q35 : d->pcie_set == TRI_ON;
        if (d->slot_pinned && !d->folded)
            used[d->slot] = true;
    }
    for (size_t i = 0; i < vm->ndevs; i++) {
        struct m_device *d = vm->devs[i];
        if (d->folded) {
            d->slot = d->parent->slot;
            d->pcie = d->parent->pcie;
            continue;
        }
        if (d->slot_pinned)
            continue;
        for (int s = 0; s < MAX_HOSTPCI; s++)
            if (!used[s]) {
                used[s] = true;
                d->slot = s;
                break;
            }
        /* slot stays -1 when all 16 are taken: rules_spec says P006 */
    }
}

/* VM ids are few per spec but specs can be generated: hash them. */
struct vmid_set {
    struct m_vm **slot;
    size_t cap;
};

static struct m_vm *vmid_insert(struct vmid_set *h, struct m_vm *vm)
{
    size_t i = (vm->vmid * 2654435761u) & (h->cap - 1);
    while (h->slot[i]) {
        if (h->slot[i]->vmid == vm->vmid)
            return h->slot[i];
        i = (i + 1) & (h->cap - 1);
    }
    h->slot[i] = vm;
    return NULL;
}

/* A second host block makes the spec a cluster's: every host block is then
 * a Proxmox node, named as the node is (mapping entries name it). */
static bool cluster_host_ok(struct resolver *r, const struct model *m,
                            const struct ast_stmt *s, src_loc first_host)
{
    const char *name = s->nvals >= 1 ? s->vals[0].text : NULL;
    for (size_t i = 0; i < m->nhosts; i++) {
        const char *other = m->hosts[i].name;
        if (!other || !mapping_node_ok(other)) {
            struct diag *d = bad_value(r, s->kw_loc,
                                       "this is a second host block: in a cluster spec each host block needs its Proxmox node name");
            diag_note(r->d, d, i ? m->hosts[i].loc : first_host,
                      "this host block has no valid node name");
            return false;
        }
        if (name && !strcmp(other, name)) {
            struct diag *d = bad_value(r, s->vals[0].loc, "duplicate host '%s'", name);
            diag_note(r->d, d, m->hosts[i].loc, "first described here");
            return false;
        }
    }
    if (!name || !mapping_node_ok(name)) {
        bad_value(r, s->nvals ? s->vals[0].loc : s->kw_loc,
                  "several host blocks are cluster nodes: each needs its node name (letters, digits, '-')");
        return false;
    }
    return true;
}

static bool has_syntax_errors(const struct diag_list *d, const struct source *src)
{
    for (const struct diag *x = d->head; x; x = x->next)
        if (x->id == R_P001 &&
            (x->loc.src == src || x->loc.src == NULL))
            return true;
    return false;
}

struct model *resolve_spec(arena *a, const struct ast_spec *spec,
                           struct diag_list *diags)
{
    struct model *m = arena_alloc(a, sizeof *m);
    m->src = spec->src;
    /* After a syntax error the AST misses whatever recovery skipped, so
     * meaning-level findings would mostly be echoes of it ("needs a block"
     * for a block the parser dropped).  The model is still built, for the
     * callers that want it, but its findings go to a list nobody prints:
     * fix the syntax, then see the rest. */
    struct diag_list muted;
    diag_init(&muted, a);
    bool syntax = has_syntax_errors(diags, spec->src);
    struct resolver r = {a, syntax ? &muted : diags, m, syntax};
    diags = r.d;
    size_t nvm = 0, nhost = 0, nmap = 0;
    for (const struct ast_stmt *s = spec->stmts; s; s = s->next) {
        nvm += !strcmp(s->keyword, "vm");
        nhost += !strcmp(s->keyword, "host");
        nmap += !strcmp(s->keyword, "mapping");
    }
    m->hosts = arena_calloc(a, nhost + 1, sizeof *m->hosts);
    m->maps = arena_calloc(a, nmap + 1, sizeof *m->maps);
    m->vms = arena_calloc(a, nvm + 1, sizeof *m->vms);
    struct vmid_set ids = {NULL, 16};
    while (ids.cap < nvm * 2)
        ids.cap *= 2;
    ids.slot = arena_calloc(a, ids.cap, sizeof *ids.slot);
    src_loc first_host = {0};
    for (const struct ast_stmt *s = spec->stmts; s; s = s->next) {
        if (!strcmp(s->keyword, "host")) {
            if (m->has_host && !cluster_host_ok(&r, m, s, first_host))
                continue;
            struct m_host *h = &m->hosts[m->nhosts++];
            resolve_host(&r, s, h);
            if (!m->has_host) {
                m->host = *h;
                first_host = s->kw_loc;
            }
            m->has_host = true;
        } else if (!strcmp(s->keyword, "mapping")) {
            struct m_mapping *mp = mapping_resolve(a, s, diags);
            if (mp)
                m->maps[m->nmaps++] = mp;
        } else if (!strcmp(s->keyword, "vm")) {
            struct m_vm *vm = resolve_vm(&r, s);
            if (!vm)
                continue;
            struct m_vm *dup = vmid_insert(&ids, vm);
            if (dup) {
                struct diag *d = bad_value(&r, vm->vmid_loc, "duplicate VM id %u", vm->vmid);
                diag_note(diags, d, dup->vmid_loc, "VM %u is first defined here", vm->vmid);
                continue;
            }
            assign_slots(vm);
            m->vms[m->nvms++] = vm;
        } else {
            unknown_keyword(&r, s, BLK_TOP, top_words);
        }
    }
    mapping_link(a, m, diags);
    /* After a syntax error the missing host may just be unparsed text. */
    if (!m->has_host && !r.syntax_errors) {
        struct diag *d = bad_value(&r, (src_loc){spec->src, 0, 0},
                                   "the spec has no host block");
        diag_fix(diags, d, "start the spec with: host \"pve\" { iommu required; bind ids }");
    }
    return m;
}
