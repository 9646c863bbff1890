/* import.c — turns what Proxmox has (a VM config, the modprobe.d file,
 * optionally facts about the host) into the spec that would produce it.
 * The spec is built as an AST and printed by spec_print, so `passc fmt`
 * of the result is the result. */
#include "import.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "names.h"
#include "mapping.h"
#include "pci_class.h"
#include "propstr.h"
#include "strbuf.h"

struct builder {
    arena *a;
    bool managed_cpu, managed_vga, managed_machine;
    const struct import_input *in;
    struct diag_list *diags;
    struct spec_note *notes;
    size_t nnotes, cap_notes;
};

/* One imported hostpci slot on its way into the spec. */
struct imp_dev {
    const struct pve_hostpci *h;
    struct pci_addr addr;            /* function 0 for all-functions */
    bool all_functions;
    const char *kind;
    const struct facts_device *fd;   /* NULL without facts */
    struct imp_dev *parent;          /* audio: its gpu */
    struct imp_dev *folded_into;     /* audio function covered by all-functions */
    bool pinned;
    struct ast_stmt *stmt;
    const struct pcicfg_section *map;  /* mapping=: its pci.cfg section */
};

static void add_note(struct builder *b, const struct ast_stmt *st,
                     const char *text)
{
    if (b->nnotes == b->cap_notes) {
        size_t nc = b->cap_notes ? b->cap_notes * 2 : 8;
        b->notes = arena_realloc(b->a, b->notes, b->cap_notes * sizeof *b->notes,
                                 nc * sizeof *b->notes);
        b->cap_notes = nc;
    }
    b->notes[b->nnotes].stmt = st;
    b->notes[b->nnotes++].text = text;
}

static struct ast_stmt *stmt_new(arena *a, const char *kw)
{
    struct ast_stmt *s = arena_alloc(a, sizeof *s);
    s->keyword = kw;
    return s;
}

static void val_add(arena *a, struct ast_stmt *s, enum ast_value_kind k,
                    const char *text)
{
    s->vals = arena_realloc(a, s->vals, s->nvals * sizeof *s->vals,
                            (s->nvals + 1) * sizeof *s->vals);
    s->vals[s->nvals].kind = k;
    s->vals[s->nvals].text = text;
    s->vals[s->nvals].loc = (src_loc){0};
    s->nvals++;
}

/* Appends to a statement list kept by its tail pointer. */
static void list_add(struct ast_stmt ***tail, struct ast_stmt *s)
{
    **tail = s;
    *tail = &s->next;
}

static void child_add(struct ast_stmt *parent, struct ast_stmt *s)
{
    parent->has_block = true;
    struct ast_stmt **t = &parent->body;
    while (*t)
        t = &(*t)->next;
    *t = s;
}

/* Text that can sit inside a spec string: no quote, no control bytes. */
/* Length of the valid UTF-8 sequence at p (the lexer's rule for strings:
 * no overlong forms, no surrogates, nothing past U+10FFFF); 0 if invalid.
 * (parser.y and diag.c have the same test; a shared one belongs in names.) */
static size_t utf8_seq(const unsigned char *p)
{
    unsigned c = p[0];
    size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : (c & 0xf0) == 0xe0 ? 3
             : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if ((n == 3 && ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f))) ||
        (n == 4 && ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))))
        return 0;
    return n;
}

/* Length of the sequence at p a spec string can hold; 0 at a quote, a control
 * character or broken UTF-8 (the lexer's P001; tabs too, as import always did). */
static size_t string_seq(const unsigned char *p)
{
    if (*p == '"' || *p < 0x20 || *p == 0x7f)
        return 0;
    return utf8_seq(p);
}

static const char *spec_string(arena *a, const char *s)
{
    if (!s)
        return NULL;
    char *o = arena_strdup(a, s);
    for (unsigned char *p = (unsigned char *)o; *p;) {
        size_t n = string_seq(p);
        if (n) {
            p += n;
            continue;
        }
        *p = *p == '"' ? '\'' : *p >= 0x80 ? '?' : ' ';
        p++;
    }
    return o;
}

static bool string_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n;
    for (; *p; p += n)
        if (!(n = string_seq(p)))
            return false;
    return p - (const unsigned char *)s <= 4096;   /* the lexer's MAX_STRING */
}

/* Short form (02:00.0) when the domain is 0000, as people write it. */
static const char *addr_text(arena *a, const struct pci_addr *ad)
{
    char buf[24];
    pci_addr_format(ad, buf);
    return arena_strdup(a, ad->domain == 0 ? buf + 5 : buf);
}

static bool is_q35(const char *machine)
{
    return machine && strstr(machine, "q35");
}

static const char *main_value(const struct builder *b, const char *key,
                              const char *default_key)
{
    const struct pve_setting *s = pve_get(b->in->conf->main, key);
    if (!s)
        return NULL;
    return default_key ? pve_prop_default(b->a, s->value, default_key)
                       : s->value;
}

/* cpu, vga, machine with every option, or (when the spec cannot say the
 * value exactly) not at all: a warning names the key, and it stays out
 * of what apply.sh sets. */
static bool prop_setting(struct builder *b, struct ast_stmt ***tail,
                         const char *key, enum propstr_kind k)
{
    const struct pve_setting *ps = pve_get(b->in->conf->main, key);
    if (!ps)
        return false;
    struct ast_stmt *s = stmt_new(b->a, key);
    const char *why = NULL;
    if (!propstr_import(b->a, k, ps->value, s, &why)) {
        diag_add_sev(b->diags, R_P041, SEV_WARNING, ps->value_loc,
                     "%s: %s; the key is left out of the spec "
                     "(apply.sh will not touch it)", key, spec_string(b->a, why));
        return false;
    }
    list_add(tail, s);
    return true;
}

static void vm_settings(struct builder *b, struct ast_stmt *vm,
                        struct ast_stmt ***tail, bool *q35)
{
    arena *a = b->a;
    const char *v;
    struct ast_stmt *s;
    if ((v = main_value(b, "ostype", NULL))) {
        s = stmt_new(a, "os");
        val_add(a, s, AV_WORD, v);
        list_add(tail, s);
    }
    b->managed_machine = prop_setting(b, tail, "machine", PS_MACHINE);
    /* pcie's default in the spec follows the spec's machine: with the
     * machine left unmanaged, each device says pcie itself (and lint's
     * P007 asks for the machine rather than a build dropping pcie=1) */
    *q35 = b->managed_machine && is_q35(main_value(b, "machine", "type"));
    if ((v = main_value(b, "bios", NULL))) {
        s = stmt_new(a, "bios");
        val_add(a, s, AV_WORD, v);
        list_add(tail, s);
    }
    b->managed_cpu = prop_setting(b, tail, "cpu", PS_CPU);
    if ((v = main_value(b, "cores", NULL))) {
        s = stmt_new(a, "cores");
        val_add(a, s, AV_NUMBER, arena_printf(a, "%lu", strtoul(v, NULL, 10)));
        list_add(tail, s);
    }
    if ((v = main_value(b, "memory", "current"))) {
        bool digits = *v != 0 && strlen(v) < 16;
        for (const char *p = v; *p; p++)
            digits = digits && isdigit((unsigned char)*p);
        if (digits) {
            unsigned long long mib = strtoull(v, NULL, 10);
            s = stmt_new(a, "memory");
            if (mib && mib % 1024 == 0) {
                val_add(a, s, AV_NUMBER, arena_printf(a, "%llu", mib / 1024));
                val_add(a, s, AV_WORD, "GiB");
            } else {
                val_add(a, s, AV_NUMBER, arena_printf(a, "%llu", mib));
                val_add(a, s, AV_WORD, "MiB");
            }
            list_add(tail, s);
        }
    }
    if ((v = main_value(b, "numa", NULL))) {
        bool on = !strcasecmp(v, "1") || !strcasecmp(v, "on") ||
                  !strcasecmp(v, "yes") || !strcasecmp(v, "true");
        s = stmt_new(a, "numa");
        val_add(a, s, AV_WORD, on ? "on" : "off");
        list_add(tail, s);
    }
    b->managed_vga = prop_setting(b, tail, "vga", PS_VGA);
    (void)vm;
}

/* Keys of the main section that the spec leaves alone, for a comment. */
static const char *unmanaged_keys(struct builder *b)
{
    static const char *const managed[] = {"ostype", "machine", "bios", "cpu",
        "cores", "memory", "numa", "vga", "name", "description", "digest"};
    const struct pve_section *m = b->in->conf->main;
    struct strbuf sb;
    sb_init(&sb, b->a);
    size_t n = 0;
    for (size_t i = 0; i < m->nsettings; i++) {
        const char *k = m->settings[i].key;
        bool skip = !strncmp(k, "hostpci", 7);
        if ((!strcmp(k, "cpu") && !b->managed_cpu) ||
            (!strcmp(k, "vga") && !b->managed_vga) ||
            (!strcmp(k, "machine") && !b->managed_machine)) {
            if (n++ < 40)
                sb_printf(&sb, "%s%s", n > 1 ? ", " : "", k);
            continue;
        }
        for (size_t j = 0; !skip && j < sizeof managed / sizeof *managed; j++)
            skip = !strcmp(k, managed[j]);
        for (size_t j = 0; !skip && j < i; j++)
            skip = !strcmp(k, m->settings[j].key);
        if (skip)
            continue;
        if (n++ >= 40) {
            sb_add(&sb, ", …");
            break;
        }
        sb_printf(&sb, "%s%s", n > 1 ? ", " : "", k);
    }
    return n ? arena_printf(b->a, "Not managed by passc (kept as they are "
                            "in the VM config): %s", sb_str(&sb)) : NULL;
}

/* Description lines as comment text, control bytes and broken UTF-8 made
 * harmless. */
static const char *description_note(struct builder *b)
{
    const char *d = b->in->conf->main->description;
    if (!d)
        return NULL;
    struct strbuf sb;
    sb_init(&sb, b->a);
    sb_add(&sb, "Proxmox description:");
    size_t lines = 0;
    const char *p = d;
    while (*p && lines < 20) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n > 200)
            n = 200;
        sb_add(&sb, "\n  ");
        /* a comment, like a string, must be valid UTF-8 (P001 otherwise),
         * also where the 200-byte cut falls inside a sequence */
        for (size_t i = 0; i < n;) {
            unsigned char c = (unsigned char)p[i];
            size_t k = c < 0x20 || c == 0x7f ? 0 : utf8_seq((const unsigned char *)p + i);
            if (k && i + k <= n) {
                sb_addn(&sb, p + i, k);
                i += k;
            } else {
                sb_addc(&sb, c < 0x20 || c == 0x7f ? ' ' : '?');
                i++;
            }
        }
        lines++;
        if (!e)
            break;
        p = e + 1;
    }
    return sb_str(&sb);
}

static struct diag *slot_diag(struct builder *b, const struct pve_hostpci *h,
                              src_loc loc, enum rule_id rule,
                              const char *msg)
{
    struct diag *d = diag_add(b->diags, rule, loc, "hostpci%u: %s",
                              h->index, msg);
    return d;
}

/* Decides whether a slot can become a device line; NULL when it cannot. */
static bool slot_importable(struct builder *b, const struct pve_hostpci *h)
{
    if (h->mapping && !pcicfg_find(b->in->mapping, h->mapping)) {
        struct diag *d = slot_diag(b, h, h->mapping_loc,
            R_P041, arena_printf(b->a, "mapping '%s' is not in %s; this slot "
            "is not imported", h->mapping, b->in->mapping
                ? b->in->mapping->src->path : "any pci.cfg (none was read)"));
        diag_fix(b->diags, d, "give the cluster's mapping file: --mapping "
                 "/etc/pve/mapping/pci.cfg");
        return false;
    }
    if (h->mapping && h->host_set) {
        slot_diag(b, h, h->value_loc, R_P041,
                  "both host and mapping are set (Proxmox refuses to start "
                  "the VM); not imported");
        return false;
    }
    if (h->mapping)
        return true;
    if (!h->host_set) {
        slot_diag(b, h, h->value_loc, R_P041,
                  "neither host nor mapping is set (Proxmox refuses to start "
                  "the VM); not imported");
        return false;
    }
    /* `a;b` is a spec's `a;b`; all-functions is one option for the whole
     * line, so every id must have its function or none may */
    size_t nall = 0;
    for (size_t i = 0; i < h->nhosts; i++)
        nall += h->hosts[i].func == PCI_FUNC_ALL;
    if (nall && nall < h->nhosts) {
        struct diag *d = slot_diag(b, h, h->value_loc,
            R_P041, "';' joins ids with and without a function ('.f'); a "
            "spec's all-functions is one option for the whole slot, so "
            "this slot is not imported");
        diag_fix(b->diags, d, "write every id of the slot with its function, "
                 "or every one without");
        return false;
    }
    if (h->driver && !strcmp(h->driver, "keep")) {
        slot_diag(b, h, h->driver_loc, R_P041,
                  "driver=keep (no vfio-pci binding, no reset) has no spec "
                  "option yet; this slot is not imported");
        return false;
    }
    if ((h->romfile && !string_ok(h->romfile)) ||
        (h->mdev && !string_ok(h->mdev))) {
        slot_diag(b, h, h->value_loc, R_P041,
                  "romfile/mdev contains '\"' or control characters, which a "
                  "spec string cannot hold; not imported");
        return false;
    }
    return true;
}

static struct ast_stmt *opt(arena *a, struct ast_stmt *dev, const char *kw)
{
    struct ast_stmt *o = stmt_new(a, kw);
    child_add(dev, o);
    return o;
}

static struct ast_stmt *device_stmt(struct builder *b, struct imp_dev *d,
                                    bool q35)
{
    arena *a = b->a;
    const struct pve_hostpci *h = d->h;
    struct ast_stmt *s = stmt_new(a, d->kind);
    if (d->map) {
        val_add(a, s, AV_WORD, "mapping");
        val_add(a, s, AV_STRING, d->map->id);
    } else if (h && h->nhosts > 1) {
        struct strbuf j;
        sb_init(&j, a);
        for (size_t i = 0; i < h->nhosts; i++) {
            struct pci_addr at = h->hosts[i];
            if (at.func == PCI_FUNC_ALL)
                at.func = 0;
            sb_printf(&j, "%s%s", i ? ";" : "", addr_text(a, &at));
        }
        val_add(a, s, AV_ADDRS, sb_str(&j));
    } else {
        val_add(a, s, AV_ADDR, addr_text(a, &d->addr));
    }
    if (d->fd) {
        char idb[10];
        val_add(a, s, AV_PAIR, arena_strdup(a, pci_id_format(&d->fd->id, idb)));
        if (d->fd->device_name)
            val_add(a, s, AV_STRING, spec_string(a, d->fd->device_name));
    }
    if (!h)          /* a function folded into its card's all-functions slot */
        return s;
    if (d->pinned)
        val_add(a, opt(a, s, "slot"), AV_NUMBER, arena_printf(a, "%u", h->index));
    if (d->all_functions)
        opt(a, s, "all-functions");
    if (h->x_vga == 1)
        opt(a, s, "primary");
    /* pcie: Proxmox's default is off, the spec's is "on iff q35" */
    if (h->pcie == 1 && !q35)
        opt(a, s, "pcie");
    else if (h->pcie != 1 && q35)
        val_add(a, opt(a, s, "pcie"), AV_WORD, "off");
    if (h->rombar == 0)
        val_add(a, opt(a, s, "rombar"), AV_WORD, "off");
    if (h->romfile)
        val_add(a, opt(a, s, "romfile"), AV_STRING, h->romfile);
    if (h->mdev)
        val_add(a, opt(a, s, "mdev"), AV_STRING, h->mdev);
    if (h->legacy_igd == 1)
        opt(a, s, "legacy-igd");
    if (h->vendor_id >= 0)
        val_add(a, opt(a, s, "vendor-id"), AV_WORD, arena_printf(a, "0x%04x", (unsigned)h->vendor_id));
    if (h->device_id >= 0)
        val_add(a, opt(a, s, "device-id"), AV_WORD, arena_printf(a, "0x%04x", (unsigned)h->device_id));
    if (h->sub_vendor_id >= 0)
        val_add(a, opt(a, s, "sub-vendor-id"), AV_WORD, arena_printf(a, "0x%04x", (unsigned)h->sub_vendor_id));
    if (h->sub_device_id >= 0)
        val_add(a, opt(a, s, "sub-device-id"), AV_WORD, arena_printf(a, "0x%04x", (unsigned)h->sub_device_id));
    return s;
}

/* passc's slot rule (pinned first, then lowest free in declaration order)
 * applied to `order`; pins devices until every one lands on its original
 * hostpci index.  Pinning the first mismatch each round keeps pins few. */
static void pin_slots(struct imp_dev **order, size_t n)
{
    for (size_t round = 0; round <= n; round++) {
        bool used[PVE_MAX_HOSTPCI] = {0};
        for (size_t i = 0; i < n; i++)
            if (order[i]->pinned)
                used[order[i]->h->index] = true;
        struct imp_dev *bad = NULL;
        for (size_t i = 0; i < n && !bad; i++) {
            if (order[i]->pinned)
                continue;
            unsigned s = 0;
            while (s < PVE_MAX_HOSTPCI && used[s])
                s++;
            if (s != order[i]->h->index)
                bad = order[i];
            else
                used[s] = true;
        }
        if (!bad)
            return;
        bad->pinned = true;
    }
}

/* USB4 router: the xHCI controllers its USB 3.x traffic is tunnelled
 * through.  Firmware links them in sysfs (consumers); without those links
 * the xHCI controllers passed to the same VM are the best guess. */
/* id is bound by the build: on a device line, or (from the facts) the id
 * of a function joined into a slot, whose line carries the first's id. */
static bool id_in_spec(const struct facts *f, const struct imp_dev *devs,
                       size_t nd, const struct pci_id *id)
{
    for (size_t k = 0; k < nd; k++) {
        if (devs[k].fd && pci_id_eq(&devs[k].fd->id, id))
            return true;
        for (size_t j = 1; f && devs[k].h && j < devs[k].h->nhosts; j++) {
            struct pci_addr at = devs[k].h->hosts[j];
            if (at.func == PCI_FUNC_ALL)
                at.func = 0;
            const struct facts_device *fd = facts_find(f, &at);
            if (fd && pci_id_eq(&fd->id, id))
                return true;
        }
    }
    return false;
}

static void add_tunnels(struct builder *b, struct imp_dev *router,
                        struct imp_dev *devs, size_t n)
{
    arena *a = b->a;
    struct ast_stmt *t = stmt_new(a, "tunnels");
    const struct facts_device *fd = router->fd;
    const char *how = NULL;
    for (size_t i = 0; fd && i < fd->nconsumers; i++) {
        const struct facts_device *c = facts_find(b->in->facts,
                                                    &fd->consumers[i]);
        if (c && c->class_code != PCI_CLASS_XHCI)
            continue;
        val_add(a, t, AV_ADDR, addr_text(a, &fd->consumers[i]));
        how = "from the router's sysfs consumer links";
    }
    if (!t->nvals) {
        for (size_t i = 0; i < n; i++)
            /* USB 3 goes through xHCI, not an EHCI that is also `usb` */
            if (!strcmp(devs[i].kind, "usb") &&
                (!devs[i].fd || devs[i].fd->class_code == PCI_CLASS_XHCI))
                val_add(a, t, AV_ADDR, addr_text(a, &devs[i].addr));
        how = "guessed: the xHCI controllers passed to this VM (facts have "
              "no consumer links for the router); check them";
    }
    if (!t->nvals)
        return;
    child_add(router->stmt, t);
    add_note(b, t, arena_printf(a, "USB 3.x devices on the USB4 ports appear "
                                "on these controllers (%s)", how));
}

/* One pci.cfg `map` value as a mapping block's node line:
 * node "N" ADDR[ ADDR…] VVVV:DDDD [subsystem S] [group G].  NULL (P041)
 * when the value has no node, path or id, or one a spec cannot hold. */
static struct ast_stmt *map_line(struct builder *b, const struct pcicfg_section *sec,
                                 const char *value)
{
    arena *a = b->a;
    const char *node = NULL, *path = NULL, *id = NULL, *sub = NULL, *grp = NULL;
    char *v = arena_strdup(a, value);
    for (char *part = v, *next; part && *part; part = next) {
        next = strchr(part, ',');
        if (next)
            *next++ = '\0';
        char *eq = strchr(part, '=');
        if (!eq)
            continue;
        *eq = '\0';
        const char *k = part, *val = eq + 1;
        if (!strcmp(k, "node")) node = val;
        else if (!strcmp(k, "path")) path = val;
        else if (!strcmp(k, "id")) id = val;
        else if (!strcmp(k, "subsystem-id")) sub = val;
        else if (!strcmp(k, "iommugroup")) grp = val;
    }
    struct pci_id pid;
    const char *why;
    bool ok = node && path && id && mapping_node_ok(node) &&
              pci_id_parse(id, &pid, &why) == 0 &&
              (!sub || pci_id_parse(sub, &pid, &why) == 0);
    for (const char *g = grp; ok && g && *g; g++)
        ok = *g >= '0' && *g <= '9' && g - grp < 6;
    struct ast_stmt *s = stmt_new(a, "node");
    if (ok) {
        val_add(a, s, AV_STRING, node);
        char *pv = arena_strdup(a, path);
        for (char *one = pv, *nx; ok && one && *one; one = nx) {
            nx = strchr(one, ';');
            if (nx)
                *nx++ = '\0';
            struct pci_addr pa;
            ok = pci_addr_parse(one, true, &pa, &why) == 0;
            val_add(a, s, AV_ADDR, one);
        }
    }
    if (!ok) {
        diag_add(b->diags, R_P041, sec->loc, "mapping '%s': map entry '%s' is "
                 "not one a spec can hold (node, path and id needed); left out",
                 sec->id, spec_string(a, value));
        return NULL;
    }
    val_add(a, s, AV_PAIR, id);
    if (sub) {
        val_add(a, s, AV_WORD, "subsystem");
        val_add(a, s, AV_PAIR, sub);
    }
    if (grp && *grp) {
        val_add(a, s, AV_WORD, "group");
        val_add(a, s, AV_NUMBER, grp);
    }
    return s;
}

/* The mapping blocks of the slots' mappings, each once, in slot order. */
static void import_mappings(struct builder *b, struct imp_dev *devs, size_t nd,
                            struct ast_stmt **at)
{
    arena *a = b->a;
    for (size_t i = 0; i < nd; i++) {
        const struct pcicfg_section *sec = devs[i].map;
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            seen = seen || devs[j].map == sec;
        if (!sec || seen)
            continue;
        struct ast_stmt *m = stmt_new(a, "mapping");
        val_add(a, m, AV_STRING, sec->id);
        m->has_block = true;
        if (sec->description) {
            struct ast_stmt *d = stmt_new(a, "description");
            val_add(a, d, AV_STRING, spec_string(a, sec->description));
            child_add(m, d);
        }
        for (size_t k = 0; k < sec->nmaps; k++) {
            struct ast_stmt *l = map_line(b, sec, sec->maps[k]);
            if (l)
                child_add(m, l);
        }
        static const char *const flags[] = {"mdev", "live-migration-capable"};
        const char *fv[] = {sec->mdev, sec->live_migration};
        for (size_t k = 0; k < 2; k++) {
            if (!fv[k])
                continue;
            struct ast_stmt *f = stmt_new(a, flags[k]);
            val_add(a, f, AV_WORD, strchr("1yYtT", fv[k][0]) || !strcasecmp(fv[k], "on") ? "on" : "off");
            child_add(m, f);
        }
        m->next = *at;
        *at = m;
        at = &m->next;
    }
}

/* The node a config belongs to when its path says so: /etc/pve/qemu-server
 * is a link to /etc/pve/nodes/NODE/qemu-server, and pmxcfs shows every
 * node's configs there. */
static const char *conf_node(arena *a, const char *path)
{
    char *real = realpath(path, NULL);
    const char *p = real ? real : path;
    const char *node = NULL;
    for (const char *at = strstr(p, "/nodes/"); at; at = strstr(at + 1, "/nodes/")) {
        const char *name = at + 7, *end = strchr(name, '/');
        if (end && !strncmp(end, "/qemu-server/", 13)) {
            char *n = arena_strndup(a, name, (size_t)(end - name));
            if (mapping_node_ok(n))
                node = n;
        }
    }
    free(real);
    return node;
}

/* A cluster's other nodes: each node the imported mappings name gets a
 * host block, so that lint checks (and P071 counts) every node the VM may
 * start on.  The first host block stays the node the config came from; when
 * that is unknown, the mappings' first node is taken, and said so. */
static void cluster_hosts(struct builder *b, struct ast_stmt *host,
                          const char *node, struct ast_stmt **maps)
{
    arena *a = b->a;
    const char **names = NULL;
    size_t n = 0, cap = 0;
    for (const struct ast_stmt *m = *maps; m && !strcmp(m->keyword, "mapping"); m = m->next)
        for (const struct ast_stmt *c = m->body; c; c = c->next) {
            if (strcmp(c->keyword, "node") || !c->nvals)
                continue;
            bool seen = false;
            for (size_t i = 0; i < n && !seen; i++)
                seen = !strcmp(names[i], c->vals[0].text);
            if (seen)
                continue;
            if (n == cap) {
                size_t nc = cap ? 2 * cap : 8;
                names = arena_realloc(a, names, cap * sizeof *names, nc * sizeof *names);
                cap = nc;
            }
            names[n++] = c->vals[0].text;
        }
    if (!n)
        return;
    if (!node) {
        node = names[0];
        host->vals[0].text = node;
        add_note(b, host, arena_printf(a, "the node this config lives on is not known "
                 "(no facts, and the path is not /etc/pve/nodes/NODE/qemu-server): "
                 "taken to be '%s', the mappings' first node. The first host block "
                 "is the VM's node: correct the name if it is another", node));
    }
    struct ast_stmt **at = &host->next;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(names[i], node))
            continue;
        struct ast_stmt *h = stmt_new(a, "host");
        val_add(a, h, AV_STRING, names[i]);
        h->has_block = true;
        struct ast_stmt *bind = stmt_new(a, "bind");
        val_add(a, bind, AV_WORD, "start");
        child_add(h, bind);
        add_note(b, h, arena_printf(a, "a node the mappings name: run `passc facts -o "
                 "%s.yaml` there and add `facts \"%s.yaml\"` so lint checks it; "
                 "bind as its vfio.conf does", names[i], names[i]));
        h->next = *at;
        *at = h;
        at = &h->next;
    }
}

int import_build(arena *a, const struct import_input *in,
                 struct import_result *out, struct diag_list *diags)
{
    struct builder b = {a, false, false, false, in, diags, NULL, 0, 0};
    const struct pve_conf *conf = in->conf;
    const struct facts *f = in->facts;
    struct ast_spec *spec = arena_alloc(a, sizeof *spec);
    struct ast_stmt **top = &spec->stmts;

    /* header */
    struct strbuf hdr;
    sb_init(&hdr, a);
    sb_printf(&hdr, "Imported by `passc import` from %s", conf->src->path);
    if (in->vfio)
        sb_printf(&hdr, " and %s", in->vfio->src->path);
    sb_add(&hdr, ".");
    if (f)
        sb_printf(&hdr, "\nFacts: %s.", in->facts_origin ? in->facts_origin
                                                          : f->origin);
    else
        sb_add(&hdr, "\nNo facts were read (give --facts FILE or --root DIR):"
               "\ndevice kinds come from the hostpci options only, and devices"
               "\nhave no vendor:device ids, so lint cannot check them (P013).");
    add_note(&b, NULL, sb_str(&hdr));

    /* host block */
    struct ast_stmt *host = stmt_new(a, "host");
    const char *node = f && f->hostname && string_ok(f->hostname) ? f->hostname : NULL;
    if (!node)
        node = conf_node(a, conf->src->path);
    val_add(a, host, AV_STRING, node ? node : "pve");
    struct ast_stmt *bind = stmt_new(a, "bind");
    /* ids= that ends up empty (or unparseable) binds nothing at boot */
    bool bind_ids = in->vfio && in->vfio->has_ids && in->vfio->nids > 0;
    val_add(a, bind, AV_WORD, bind_ids ? "ids" : "start");
    child_add(host, bind);
    if (!in->vfio)
        add_note(&b, bind, "no vfio.conf given (--vfio): Proxmox binds the "
                 "devices at VM start");
    if (in->facts_path && string_ok(in->facts_path)) {
        struct ast_stmt *fs = stmt_new(a, "facts");
        val_add(a, fs, AV_STRING, in->facts_path);
        child_add(host, fs);
    }
    list_add(&top, host);

    /* the mappings the slots name, before the vm block */
    struct ast_stmt **maps_at = top;

    /* vm block */
    struct ast_stmt *vm = stmt_new(a, "vm");
    val_add(a, vm, AV_NUMBER, arena_printf(a, "%u", in->vmid));
    const char *name = main_value(&b, "name", NULL);
    if (name && string_ok(name))
        val_add(a, vm, AV_STRING, name);
    vm->has_block = true;
    struct ast_stmt **vtail = &vm->body;
    bool q35 = false;
    vm_settings(&b, vm, &vtail, &q35);
    list_add(&top, vm);
    {
        struct strbuf vn;
        sb_init(&vn, a);
        const char *dn = description_note(&b);
        if (dn)
            sb_add(&vn, dn);
        const char *um = unmanaged_keys(&b);
        if (um)
            sb_printf(&vn, "%s%s", vn.len ? "\n" : "", um);
        if (conf->nsnapshots)
            sb_printf(&vn, "%s%zu snapshot section%s not imported (the "
                      "current config is)", vn.len ? "\n" : "",
                      conf->nsnapshots, conf->nsnapshots == 1 ? " is" : "s are");
        if (vn.len)
            add_note(&b, vm, sb_str(&vn));
    }

    /* pending changes are reported, not imported */
    if (conf->pending && conf->pending->nsettings) {
        struct strbuf keys;
        sb_init(&keys, a);
        for (size_t i = 0; i < conf->pending->nsettings && i < 20; i++)
            sb_printf(&keys, "%s%s", i ? ", " : "",
                      !strcmp(conf->pending->settings[i].key, "delete")
                          ? arena_printf(a, "delete %s",
                                         conf->pending->settings[i].value)
                          : conf->pending->settings[i].key);
        struct diag *d = diag_add(diags, R_P043,
            conf->pending->loc, "[PENDING] holds %zu change%s not yet applied "
            "(%s); the current config is imported", conf->pending->nsettings,
            conf->pending->nsettings == 1 ? "" : "s", sb_str(&keys));
        diag_note(diags, d, (src_loc){0}, "Proxmox applies pending changes at "
                  "the next VM start or stop; import again after that");
        add_note(&b, vm, arena_printf(a, "Pending (not imported): %s",
                                      sb_str(&keys)));
    }

    /* devices */
    struct imp_dev *devs = arena_calloc(a, 2 * PVE_MAX_HOSTPCI + 1, sizeof *devs);
    size_t nd = 0;
    for (unsigned i = 0; i < PVE_MAX_HOSTPCI; i++) {
        const struct pve_hostpci *h = conf->main->hostpci[i];
        if (!h || !slot_importable(&b, h))
            continue;
        struct imp_dev *d = &devs[nd++];
        d->h = h;
        if (h->mapping) {
            d->map = pcicfg_find(in->mapping, h->mapping);
            d->kind = h->x_vga == 1 || h->legacy_igd == 1 ? "gpu" : "pci";
            continue;
        }
        d->addr = h->hosts[0];
        if (d->addr.func == PCI_FUNC_ALL) {
            d->all_functions = true;
            d->addr.func = 0;
        }
        d->kind = h->x_vga == 1 || h->legacy_igd == 1 ? "gpu" : "pci";
        if (f) {
            d->fd = facts_find(f, &d->addr);
            if (d->fd) {
                d->kind = dev_kind_name(pci_class_kind(d->fd->class_code));
            } else {
                char ab[24];
                struct diag *dg = slot_diag(&b, h, h->host_locs[0],
                    R_P044, arena_printf(a, "%s is not on "
                    "this host (%s)", pci_addr_format(&d->addr, ab),
                    f->origin ? f->origin : "facts"));
                diag_note(diags, dg, (src_loc){0}, "Proxmox fails to start "
                          "the VM with 'no PCI device found'; imported with "
                          "the kind its options suggest");
            }
            for (size_t k = 1; k < h->nhosts; k++) {
                struct pci_addr at = h->hosts[k];
                if (at.func == PCI_FUNC_ALL)
                    at.func = 0;
                char ab[24];
                if (!facts_find(f, &at))
                    diag_note(diags, slot_diag(&b, h, h->host_locs[k], R_P044,
                        arena_printf(a, "%s is not on this host (%s)",
                                     pci_addr_format(&at, ab),
                                     f->origin ? f->origin : "facts")),
                        (src_loc){0}, "Proxmox fails to start the VM with 'no "
                        "PCI device found'");
            }
        }
    }
    /* audio: nested under the gpu of the same card, else a plain pci */
    for (size_t i = 0; i < nd; i++) {
        if (strcmp(devs[i].kind, "audio"))
            continue;
        /* a joined slot is a line of its own (an audio line is one function) */
        for (size_t j = 0; j < nd && devs[i].h->nhosts == 1; j++)
            if (!strcmp(devs[j].kind, "gpu") &&
                pci_addr_same_device(&devs[j].addr, &devs[i].addr))
                devs[i].parent = &devs[j];
        if (!devs[i].parent)
            devs[i].kind = "pci";
    }
    /* all-functions gpu with facts: its audio functions, folded */
    size_t nslots = nd;
    for (size_t i = 0; f && i < nslots; i++) {
        if (!devs[i].all_functions || strcmp(devs[i].kind, "gpu"))
            continue;
        for (size_t k = 0; k < f->ndevs; k++) {
            const struct facts_device *fd = &f->devs[k];
            if (!pci_addr_same_device(&fd->addr, &devs[i].addr) ||
                fd->addr.func == devs[i].addr.func ||
                pci_class_kind(fd->class_code) != DEV_AUDIO || nd >= 2 * PVE_MAX_HOSTPCI)
                continue;
            struct imp_dev *au = &devs[nd++];
            au->addr = fd->addr;
            au->kind = "audio";
            au->fd = fd;
            au->parent = &devs[i];
            au->folded_into = &devs[i];
        }
    }
    /* declaration order: top-level devices by slot, nested audio after
     * its gpu */
    struct imp_dev *order[2 * PVE_MAX_HOSTPCI + 1];
    size_t no = 0;
    for (size_t i = 0; i < nslots; i++) {
        if (devs[i].parent)
            continue;
        order[no++] = &devs[i];
        for (size_t j = 0; j < nd; j++)
            if (devs[j].parent == &devs[i] && !devs[j].folded_into)
                order[no++] = &devs[j];
    }
    pin_slots(order, no);
    for (size_t i = 0; i < nd; i++)
        devs[i].stmt = device_stmt(&b, &devs[i], q35);
    for (size_t i = 0; i < nd; i++) {
        if (devs[i].parent)
            child_add(devs[i].parent->stmt, devs[i].stmt);
        else
            list_add(&vtail, devs[i].stmt);
    }
    for (size_t i = 0; i < nd; i++)
        if (!strcmp(devs[i].kind, "usb4") && devs[i].h)
            add_tunnels(&b, &devs[i], devs, nd);
    import_mappings(&b, devs, nd, maps_at);
    cluster_hosts(&b, host, node, maps_at);

    /* what the vfio.conf said that the spec keeps or cannot keep */
    if (in->vfio && in->vfio->has_ids) {
        const struct modprobe_conf *mp = in->vfio;
        struct strbuf ids;
        sb_init(&ids, a);
        for (size_t i = 0; i < mp->nids; i++) {
            char ib[10];
            sb_printf(&ids, "%s%s", i ? "," : "",
                      pci_id_format(&mp->ids[i].id, ib));
            if (!f)
                continue;
            bool on_host = false, in_spec = false;
            for (size_t k = 0; k < f->ndevs && !on_host; k++)
                on_host = pci_id_eq(&f->devs[k].id, &mp->ids[i].id);
            in_spec = id_in_spec(f, devs, nd, &mp->ids[i].id);
            if (!on_host) {
                struct diag *d = diag_add(diags, R_P044,
                    mp->ids[i].loc, "no device on this host has "
                    "the id %s (%s)", ib, f->origin ? f->origin : "facts");
                diag_fix(diags, d, "remove %s from ids= (a left-over from "
                         "old hardware?)", ib);
            } else if (!in_spec) {
                diag_add_sev(diags, R_P041, SEV_INFO,
                    mp->ids[i].loc, "%s is in ids= but no device of VM %u has "
                    "it: kept in the host's `vfio ids` so the build still binds it",
                    ib, in->vmid);
            }
        }
        /* Every id vfio-pci binds today stays bound: those no device line
         * carries (all of them without facts) go on a host `vfio ids`. */
        struct ast_stmt *vids = stmt_new(a, "vfio");
        val_add(a, vids, AV_WORD, "ids");
        for (size_t i = 0; i < mp->nids; i++) {
            bool in_spec = false, dup = false;
            in_spec = id_in_spec(f, devs, nd, &mp->ids[i].id);
            for (size_t k = 0; k < i && !dup; k++)
                dup = pci_id_eq(&mp->ids[k].id, &mp->ids[i].id);
            if (in_spec || dup)
                continue;
            char ib[10];
            val_add(a, vids, AV_PAIR, arena_strdup(a, pci_id_format(&mp->ids[i].id, ib)));
        }
        if (vids->nvals > 1) {
            child_add(host, vids);
            add_note(&b, vids, f ? "ids= of vfio.conf that no device line carries"
                     : "vfio.conf ids= (without facts they cannot be matched to "
                       "addresses; with the ids on the device lines this line can go)");
        }
    }
    /* vfio-pci's other options: written back by the build */
    for (size_t i = 0; in->vfio && i < in->vfio->nother_options; i++) {
        const char *o = in->vfio->other_options[i];
        const char *eq = strchr(o, '=');
        static const char *const known[] = {"disable_vga", "disable_idle_d3",
            "nointxmask", "disable_denylist", "enable_sriov", NULL};
        bool ok = false;
        for (size_t k = 0; eq && known[k] && !ok; k++)
            ok = strlen(known[k]) == (size_t)(eq - o) && !strncmp(known[k], o, (size_t)(eq - o));
        const char *v = eq ? eq + 1 : "";
        ok = ok && plain_name(v, "");
        if (!ok) {
            diag_add_sev(diags, R_P041, SEV_WARNING, in->vfio->ids_loc.src ? in->vfio->ids_loc : (src_loc){in->vfio->src, 0, 0},
                         "vfio-pci option '%s' is not one the spec can say; "
                         "`passc build` would leave it out of vfio.conf", spec_string(a, o));
            continue;
        }
        struct ast_stmt *vo = stmt_new(a, "vfio");
        val_add(a, vo, AV_WORD, arena_strndup(a, o, (size_t)(eq - o)));
        val_add(a, vo, isdigit((unsigned char)*v) && strspn(v, "0123456789") == strlen(v)
                           ? AV_NUMBER : AV_WORD, v);
        child_add(host, vo);
    }
    if (in->vfio && (in->vfio->nsoftdeps || in->vfio->nblacklist)) {
        struct strbuf o;
        sb_init(&o, a);
        sb_add(&o, "vfio.conf also has:");
        for (size_t i = 0; i < in->vfio->nsoftdeps; i++)
            sb_printf(&o, " softdep %s pre: vfio-pci;", in->vfio->softdeps[i]);
        for (size_t i = 0; i < in->vfio->nblacklist; i++)
            sb_printf(&o, " blacklist %s;", in->vfio->blacklist[i]);
        o.buf[o.len - 1] = 0;
        o.len--;
        sb_add(&o, "\n(passc build derives softdeps from facts; the rest is "
               "not in the spec)");
        add_note(&b, bind, spec_string(a, sb_str(&o)));
    }

    out->spec = spec;
    out->notes = b.notes;
    out->nnotes = b.nnotes;
    return 0;
}
