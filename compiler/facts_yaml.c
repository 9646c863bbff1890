/* facts_yaml.c — the facts snapshot (`passc-facts: 1`) through libyaml.
 *
 * Writing goes through libyaml's emitter only, in one fixed order (host,
 * modules by name, devices by address, keys in a fixed order), so that two
 * runs on the same host diff clean and write -> read -> write is
 * byte-identical.  Strings are double-quoted: an address such as 00:02:00.0
 * or a revision such as 10 must not turn into a number for other YAML tools.
 *
 * Reading builds a small tree from libyaml's parser events (with a depth
 * limit and no aliases), then checks it against the schema.  Any doubt is an
 * error F001 at the offending node and the whole snapshot is refused: a
 * snapshot that says something wrong about the host is worse than none.
 * Absent keys mean "unknown" (or "none" where facts.h says so).
 *
 * Format, version 1 (examples/hosts/x870e-creator.yaml is a whole one):
 *   passc-facts: 1
 *   host:     hostname, kernel, cmdline, cpu-vendor (strings), iommu (bool,
 *             required)
 *   modules:  NAME: absent | module | builtin | unknown
 *   devices:  list of mappings, by address:
 *     address "0000:02:00.0", id "10de:2783", class "030000" (required);
 *     subsystem "1043:8935", revision "a1" (absent: unknown);
 *     vendor-name, device-name, driver (absent: unknown / no driver);
 *     iommu-group N, numa-node N, boot-vga bool (absent: none/unknown);
 *     reset-methods "flr bus" ("" none; absent unknown);
 *     parent "0000:00:01.2"; bridge bool;
 *     consumers / suppliers: [addresses] (sysfs device links);
 *     uses: [root-disk, boot-disk, swap, zfs-pool, mgmt-nic, bridge-port,
 *            console, keyboard]; use-detail "why, for people".
 * Version 2 adds what a version 1 reader would not know it ignores, and
 * is written only when there is some (a snapshot without it stays version
 * 1, byte for byte); both versions are read:
 *   host:     alias-lookup: true (devices' native lists were looked up)
 *   devices:  native: [modules the modalias names] (modules.alias)
 *   modprobe: list of {kind: options|blacklist|install|softdep, module,
 *             value, file, line} in kmod's reading order (facts_kmod.c)
 *   vms:      list of {vmid, file, bios, machine, onboot, efidisk, disks:
 *             [keys], hostpci: [addresses, "0000:01:00" a whole device]}
 * Comments are allowed anywhere (a generated file may carry a header);
 * unknown keys are warnings, so a newer passc's extra facts do not stop an
 * older one. */
#include "facts.h"
#include "facts_impl.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "names.h"
#include "source.h"
#include "utf8.h"

#define SNAPSHOT_VERSION 2
#define SNAPSHOT_VERSION_MIN 1
#define MAX_DEPTH 16              /* the schema needs 4 */
#define MAX_SCALAR (64u * 1024u)  /* a cmdline is at most a few KiB */

/* ------------------------------------------------------------------ */
/* Writer                                                              */

struct writer {
    yaml_emitter_t em;
    yaml_event_t ev;
    char *scratch;   /* UTF-8 sanitised copy of the last string */
    size_t scratch_cap;
    int failed;
};

static void w_emit(struct writer *w)
{
    if (w->failed) {
        yaml_event_delete(&w->ev);
        return;
    }
    if (!yaml_emitter_emit(&w->em, &w->ev))
        w->failed = 1;
}

/* libyaml refuses invalid UTF-8; sysfs text (hostname, cmdline) is bytes.
 * Replace each byte that is not part of a valid sequence with '?'. */
static const char *utf8_clean(struct writer *w, const char *s, size_t *len)
{
    size_t n = strlen(s);
    if (n + 1 > w->scratch_cap) {
        char *p = realloc(w->scratch, n + 1);
        if (!p)
            abort();
        w->scratch = p;
        w->scratch_cap = n + 1;
    }
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t k = utf8_len(u + i, n - i);
        if (!k) {
            w->scratch[i] = '?';
            i++;
            continue;
        }
        memcpy(w->scratch + i, s + i, k);
        i += k;
    }
    w->scratch[n] = '\0';
    *len = n;
    return w->scratch;
}

static void w_scalar(struct writer *w, const char *s, yaml_scalar_style_t st)
{
    size_t len;
    const char *clean = utf8_clean(w, s, &len);
    if (!yaml_scalar_event_initialize(&w->ev, NULL, NULL,
                                      (yaml_char_t *)clean, (int)len, 1, 1,
                                      st)) {
        w->failed = 1;
        return;
    }
    w_emit(w);
}

static void w_str(struct writer *w, const char *s)
{
    w_scalar(w, s, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

static void w_plain(struct writer *w, const char *s)
{
    w_scalar(w, s, YAML_PLAIN_SCALAR_STYLE);
}

static void w_key_str(struct writer *w, const char *k, const char *v)
{
    w_plain(w, k);
    w_str(w, v);
}

static void w_key_int(struct writer *w, const char *k, long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%ld", v);
    w_plain(w, k);
    w_plain(w, buf);
}

static void w_key_bool(struct writer *w, const char *k, bool v)
{
    w_plain(w, k);
    w_plain(w, v ? "true" : "false");
}

static void w_map_start(struct writer *w, yaml_mapping_style_t st)
{
    if (!yaml_mapping_start_event_initialize(&w->ev, NULL, NULL, 1, st)) {
        w->failed = 1;
        return;
    }
    w_emit(w);
}

static void w_map_end(struct writer *w)
{
    yaml_mapping_end_event_initialize(&w->ev);
    w_emit(w);
}

static void w_seq_start(struct writer *w, yaml_sequence_style_t st)
{
    if (!yaml_sequence_start_event_initialize(&w->ev, NULL, NULL, 1, st)) {
        w->failed = 1;
        return;
    }
    w_emit(w);
}

static void w_seq_end(struct writer *w)
{
    yaml_sequence_end_event_initialize(&w->ev);
    w_emit(w);
}

static void w_addr_list(struct writer *w, const char *key,
                        const struct pci_addr *v, size_t n)
{
    if (!n)
        return;
    char buf[24];
    w_plain(w, key);
    w_seq_start(w, YAML_FLOW_SEQUENCE_STYLE);
    for (size_t i = 0; i < n; i++)
        w_str(w, pci_addr_format(&v[i], buf));
    w_seq_end(w);
}

static void w_device(struct writer *w, const struct facts_device *d)
{
    char buf[32];
    w_map_start(w, YAML_BLOCK_MAPPING_STYLE);
    w_key_str(w, "address", pci_addr_format(&d->addr, buf));
    w_key_str(w, "id", pci_id_format(&d->id, buf));
    if (!d->subsys_unknown)
        w_key_str(w, "subsystem", pci_id_format(&d->subsys, buf));
    snprintf(buf, sizeof buf, "%06x", (unsigned)(d->class_code & 0xffffffu));
    w_key_str(w, "class", buf);
    if (!d->revision_unknown) {
        snprintf(buf, sizeof buf, "%02x", (unsigned)d->revision);
        w_key_str(w, "revision", buf);
    }
    if (d->vendor_name)
        w_key_str(w, "vendor-name", d->vendor_name);
    if (d->device_name)
        w_key_str(w, "device-name", d->device_name);
    if (d->driver)
        w_key_str(w, "driver", d->driver);
    if (d->iommu_group >= 0)
        w_key_int(w, "iommu-group", d->iommu_group);
    if (d->reset_methods)
        w_key_str(w, "reset-methods", d->reset_methods);
    if (d->boot_vga >= 0)
        w_key_bool(w, "boot-vga", d->boot_vga == 1);
    if (d->numa_node >= 0)
        w_key_int(w, "numa-node", d->numa_node);
    if (d->has_parent)
        w_key_str(w, "parent", pci_addr_format(&d->parent, buf));
    w_key_bool(w, "bridge", d->is_bridge);
    w_addr_list(w, "consumers", d->consumers, d->nconsumers);
    w_addr_list(w, "suppliers", d->suppliers, d->nsuppliers);
    if (d->uses) {
        w_plain(w, "uses");
        w_seq_start(w, YAML_FLOW_SEQUENCE_STYLE);
        for (unsigned b = 0; b < HOST_USE_COUNT; b++)
            if (d->uses & (1u << b))
                w_plain(w, host_use_name(b));
        w_seq_end(w);
    }
    if (d->use_detail)
        w_key_str(w, "use-detail", d->use_detail);
    if (d->nnative) {
        w_plain(w, "native");
        w_seq_start(w, YAML_FLOW_SEQUENCE_STYLE);
        for (size_t i = 0; i < d->nnative; i++)
            w_str(w, d->native[i]);
        w_seq_end(w);
    }
    w_map_end(w);
}

static bool has_v2(const struct facts *f)
{
    return f->alias_lookup || f->nmodprobe || f->nvms;
}

static void w_modprobe(struct writer *w, const struct facts *f)
{
    if (!f->nmodprobe)
        return;
    w_plain(w, "modprobe");
    w_seq_start(w, YAML_BLOCK_SEQUENCE_STYLE);
    for (size_t i = 0; i < f->nmodprobe; i++) {
        const struct facts_modprobe *e = &f->modprobe[i];
        w_map_start(w, YAML_BLOCK_MAPPING_STYLE);
        w_plain(w, "kind");
        w_plain(w, facts_mp_kind_name(e->kind));
        w_key_str(w, "module", e->module);
        if (e->value)
            w_key_str(w, "value", e->value);
        if (e->file)
            w_key_str(w, "file", e->file);
        if (e->line)
            w_key_int(w, "line", (long)e->line);
        w_map_end(w);
    }
    w_seq_end(w);
}

static void w_vms(struct writer *w, const struct facts *f)
{
    if (!f->nvms)
        return;
    w_plain(w, "vms");
    w_seq_start(w, YAML_BLOCK_SEQUENCE_STYLE);
    for (size_t i = 0; i < f->nvms; i++) {
        const struct facts_vm *vm = &f->vms[i];
        w_map_start(w, YAML_BLOCK_MAPPING_STYLE);
        w_key_int(w, "vmid", (long)vm->vmid);
        if (vm->file)
            w_key_str(w, "file", vm->file);
        if (vm->bios)
            w_key_str(w, "bios", vm->bios);
        if (vm->machine)
            w_key_str(w, "machine", vm->machine);
        w_key_bool(w, "onboot", vm->onboot);
        w_key_bool(w, "efidisk", vm->efidisk);
        if (vm->ndisks) {
            w_plain(w, "disks");
            w_seq_start(w, YAML_FLOW_SEQUENCE_STYLE);
            for (size_t k = 0; k < vm->ndisks; k++)
                w_str(w, vm->disks[k]);
            w_seq_end(w);
        }
        w_addr_list(w, "hostpci", vm->hostpci, vm->nhostpci);
        w_map_end(w);
    }
    w_seq_end(w);
}

int facts_write_yaml(const struct facts *f, FILE *out)
{
    struct writer w;
    memset(&w, 0, sizeof w);
    if (!yaml_emitter_initialize(&w.em))
        return -1;
    yaml_emitter_set_output_file(&w.em, out);
    yaml_emitter_set_unicode(&w.em, 1);
    yaml_emitter_set_width(&w.em, -1);  /* never fold long strings */
    yaml_emitter_set_indent(&w.em, 2);

    yaml_stream_start_event_initialize(&w.ev, YAML_UTF8_ENCODING);
    w_emit(&w);
    yaml_document_start_event_initialize(&w.ev, NULL, NULL, NULL, 1);
    w_emit(&w);
    w_map_start(&w, YAML_BLOCK_MAPPING_STYLE);
    w_key_int(&w, "passc-facts", has_v2(f) ? SNAPSHOT_VERSION : SNAPSHOT_VERSION_MIN);

    w_plain(&w, "host");
    w_map_start(&w, YAML_BLOCK_MAPPING_STYLE);
    if (f->hostname)
        w_key_str(&w, "hostname", f->hostname);
    if (f->kernel_release)
        w_key_str(&w, "kernel", f->kernel_release);
    if (f->cmdline)
        w_key_str(&w, "cmdline", f->cmdline);
    w_key_bool(&w, "iommu", f->iommu_on);
    if (f->cpu_vendor)
        w_key_str(&w, "cpu-vendor", f->cpu_vendor);
    if (f->alias_lookup)
        w_key_bool(&w, "alias-lookup", true);
    w_map_end(&w);

    w_plain(&w, "modules");
    w_map_start(&w, YAML_BLOCK_MAPPING_STYLE);
    for (size_t i = 0; i < f->nmodules; i++) {
        w_plain(&w, f->modules[i].name);
        w_plain(&w, mod_state_name(f->modules[i].state));
    }
    w_map_end(&w);

    w_plain(&w, "devices");
    w_seq_start(&w, YAML_BLOCK_SEQUENCE_STYLE);
    for (size_t i = 0; i < f->ndevs; i++)
        w_device(&w, &f->devs[i]);
    w_seq_end(&w);
    w_modprobe(&w, f);
    w_vms(&w, f);

    w_map_end(&w);
    yaml_document_end_event_initialize(&w.ev, 1);
    w_emit(&w);
    yaml_stream_end_event_initialize(&w.ev);
    w_emit(&w);
    if (!w.failed && !yaml_emitter_flush(&w.em))
        w.failed = 1;
    yaml_emitter_delete(&w.em);
    free(w.scratch);
    if (w.failed || ferror(out))
        return -1;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Reader                                                              */

enum ykind { Y_SCALAR, Y_MAP, Y_SEQ };

struct ynode {
    enum ykind kind;
    const char *str;              /* scalar text, NUL-terminated */
    size_t len;
    bool plain;                   /* plain (unquoted) scalar */
    src_loc loc;
    struct ynode **kids;          /* maps: key, value, key, value … */
    size_t nkids, cap;
};

struct reader {
    arena *a;
    const struct source *src;
    struct diag_list *diags;
    int errors;
};

static src_loc mark_loc(const struct reader *r, yaml_mark_t s, yaml_mark_t e)
{
    src_loc l = {r->src, 0, 0};
    l.start = source_offset(r->src, (unsigned)s.line + 1, (unsigned)s.column + 1);
    l.end = source_offset(r->src, (unsigned)e.line + 1, (unsigned)e.column + 1);
    if (l.end < l.start)
        l.end = l.start;
    return l;
}

static void rd_error(struct reader *r, src_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void rd_error(struct reader *r, src_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vprintf(r->a, fmt, ap);
    va_end(ap);
    diag_add(r->diags, R_F001, loc, "%s", msg);
    r->errors++;
}

static void add_kid(struct reader *r, struct ynode *parent, struct ynode *kid)
{
    if (parent->nkids == parent->cap) {
        size_t nc = parent->cap ? parent->cap * 2 : 8;
        parent->kids = arena_realloc(r->a, parent->kids,
                                     parent->cap * sizeof *parent->kids,
                                     nc * sizeof *parent->kids);
        parent->cap = nc;
    }
    parent->kids[parent->nkids++] = kid;
}

/* Parser events -> tree.  Returns the document's root or NULL (error
 * already queued). */
static struct ynode *build_tree(struct reader *r)
{
    yaml_parser_t p;
    yaml_event_t ev;
    struct ynode *stack[MAX_DEPTH + 1];
    size_t depth = 0;
    struct ynode *root = NULL;
    int docs = 0;
    bool done = false;

    if (!yaml_parser_initialize(&p)) {
        rd_error(r, (src_loc){r->src, 0, 0}, "cannot start the YAML parser");
        return NULL;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)r->src->text,
                                 r->src->len);
    while (!done) {
        if (!yaml_parser_parse(&p, &ev)) {
            src_loc l = mark_loc(r, p.problem_mark, p.problem_mark);
            rd_error(r, l, "not valid YAML: %s%s%s",
                     p.problem ? p.problem : "parse error",
                     p.context ? " " : "", p.context ? p.context : "");
            root = NULL;
            break;
        }
        src_loc loc = mark_loc(r, ev.start_mark, ev.end_mark);
        struct ynode *n = NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) {
                rd_error(r, loc, "a snapshot is one YAML document; found a second");
                done = true;
                root = NULL;
            }
            break;
        case YAML_ALIAS_EVENT:
            rd_error(r, loc, "aliases (*%s) are not allowed in a facts snapshot",
                     ev.data.alias.anchor ? (const char *)ev.data.alias.anchor : "");
            done = true;
            root = NULL;
            break;
        case YAML_SCALAR_EVENT:
            if (ev.data.scalar.length > MAX_SCALAR) {
                rd_error(r, loc, "value of %zu bytes is longer than %u",
                         (size_t)ev.data.scalar.length, MAX_SCALAR);
                done = true;
                root = NULL;
                break;
            }
            n = arena_alloc(r->a, sizeof *n);
            n->kind = Y_SCALAR;
            n->str = arena_strndup(r->a, (const char *)ev.data.scalar.value,
                                   ev.data.scalar.length);
            n->len = ev.data.scalar.length;
            if (strlen(n->str) != n->len) {
                rd_error(r, loc, "value contains a NUL byte");
                done = true;
                root = NULL;
                break;
            }
            n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
            n->loc = loc;
            break;
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT:
            if (depth >= MAX_DEPTH) {
                rd_error(r, loc, "nested deeper than %d levels", MAX_DEPTH);
                done = true;
                root = NULL;
                break;
            }
            n = arena_alloc(r->a, sizeof *n);
            n->kind = ev.type == YAML_MAPPING_START_EVENT ? Y_MAP : Y_SEQ;
            n->loc = loc;
            break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            if (depth > 0)
                depth--;
            break;
        default:
            break;
        }
        if (n) {
            if (depth > 0)
                add_kid(r, stack[depth - 1], n);
            else if (!root)
                root = n;
            if (n->kind != Y_SCALAR)
                stack[depth++] = n;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    if (!root && !r->errors)
        rd_error(r, (src_loc){r->src, 0, 0}, "empty snapshot: expected 'passc-facts: %d'",
                 SNAPSHOT_VERSION);
    return r->errors ? NULL : root;
}

/* --- schema checks ------------------------------------------------- */

static const char *kind_word(const struct ynode *n)
{
    return n->kind == Y_SCALAR ? "a value" : n->kind == Y_MAP ? "a mapping"
                                                              : "a list";
}

static bool want(struct reader *r, const struct ynode *n, enum ykind k,
                 const char *what)
{
    if (n->kind == k)
        return true;
    rd_error(r, n->loc, "%s must be %s, not %s", what,
             k == Y_SCALAR ? "a value" : k == Y_MAP ? "a mapping" : "a list",
             kind_word(n));
    return false;
}

/* YAML null as a value: treated as "not given". */
static bool is_null(const struct ynode *n)
{
    return n->kind == Y_SCALAR && n->plain &&
           (!strcmp(n->str, "~") || !strcmp(n->str, "null") || n->len == 0);
}

static bool get_str(struct reader *r, const struct ynode *n, const char *key,
                    const char **out)
{
    if (!want(r, n, Y_SCALAR, key))
        return false;
    if (is_null(n)) {
        *out = NULL;
        return true;
    }
    *out = n->str;
    return true;
}

/* A kernel driver name ends up in `softdep NAME pre: vfio-pci`: a snapshot
 * must not be able to put anything else on that line. */
static bool get_driver(struct reader *r, const struct ynode *n, const char *key,
                       const char **out)
{
    if (!get_str(r, n, key, out))
        return false;
    if (!*out)
        return true;   /* null: no driver */
    if (!**out) {
        rd_error(r, n->loc, "%s is empty: leave it out for no driver", key);
        return false;
    }
    if (!plain_name(*out, "_-.")) {
        rd_error(r, n->loc, "%s '%s' is not a kernel driver name", key, *out);
        return false;
    }
    return true;
}

static bool get_int(struct reader *r, const struct ynode *n, const char *key,
                    long lo, long hi, long *out)
{
    if (!want(r, n, Y_SCALAR, key))
        return false;
    char *end;
    errno = 0;
    long v = strtol(n->str, &end, 10);
    if (n->len == 0 || *end || errno || v < lo || v > hi) {
        rd_error(r, n->loc, "%s must be a whole number from %ld to %ld, not '%s'",
                 key, lo, hi, n->str);
        return false;
    }
    *out = v;
    return true;
}

static bool get_bool(struct reader *r, const struct ynode *n, const char *key,
                     bool *out)
{
    if (!want(r, n, Y_SCALAR, key))
        return false;
    if (!strcmp(n->str, "true")) {
        *out = true;
        return true;
    }
    if (!strcmp(n->str, "false")) {
        *out = false;
        return true;
    }
    rd_error(r, n->loc, "%s must be true or false, not '%s'", key, n->str);
    return false;
}

static bool get_hex(struct reader *r, const struct ynode *n, const char *key,
                    size_t digits, uint32_t *out)
{
    if (!want(r, n, Y_SCALAR, key))
        return false;
    bool ok = n->len == digits;
    uint32_t v = 0;
    for (size_t i = 0; ok && i < digits; i++) {
        char c = n->str[i];
        int d = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            ok = false;
        else
            v = v * 16 + (uint32_t)d;
    }
    if (!ok) {
        rd_error(r, n->loc, "%s must be %zu hex digits, not '%s'", key, digits,
                 n->str);
        return false;
    }
    *out = v;
    return true;
}

static bool get_addr(struct reader *r, const struct ynode *n, const char *key,
                     struct pci_addr *out)
{
    if (!want(r, n, Y_SCALAR, key))
        return false;
    const char *why = NULL;
    if (pci_addr_parse(n->str, false, out, &why) < 0) {
        rd_error(r, n->loc, "%s '%s' is not a PCI address: %s", key, n->str,
                 why ? why : "malformed");
        return false;
    }
    return true;
}

static bool get_id(struct reader *r, const struct ynode *n, const char *key,
                   struct pci_id *out)
{
    if (!want(r, n, Y_SCALAR, key))
        return false;
    const char *why = NULL;
    if (pci_id_parse(n->str, out, &why) < 0) {
        rd_error(r, n->loc, "%s '%s' is not a vendor:device id: %s", key,
                 n->str, why ? why : "malformed");
        return false;
    }
    return true;
}

/* Duplicate keys would let one value silently win over another.  A hash
 * set of the keys seen (open addressing, in the arena): a snapshot of 100k
 * keys must not cost 100k squared compares. */
static bool keys_unique(struct reader *r, const struct ynode *map)
{
    bool ok = true;
    size_t nkeys = map->nkids / 2, cap = 8;
    while (cap < nkeys * 2)
        cap *= 2;
    const struct ynode **set = arena_calloc(r->a, cap, sizeof *set);
    for (size_t i = 0; i + 1 < map->nkids; i += 2) {
        const struct ynode *k = map->kids[i];
        if (!want(r, k, Y_SCALAR, "a key")) {
            ok = false;
            continue;
        }
        uint64_t h = 1469598103934665603u;   /* FNV-1a */
        for (size_t j = 0; j < k->len; j++)
            h = (h ^ (unsigned char)k->str[j]) * 1099511628211u;
        size_t slot = (size_t)h & (cap - 1);
        while (set[slot] && strcmp(set[slot]->str, k->str))
            slot = (slot + 1) & (cap - 1);
        if (set[slot]) {
            rd_error(r, k->loc, "key '%s' given twice", k->str);
            ok = false;
        } else {
            set[slot] = k;
        }
    }
    return ok;
}

static void unknown_key(struct reader *r, const struct ynode *k,
                        const char *where)
{
    diag_add_sev(r->diags, R_F001, SEV_WARNING, k->loc,
             "unknown key '%s' in %s ignored (written by a newer passc?)",
             k->str, where);
}

static bool read_addr_list(struct reader *r, const struct ynode *n,
                           const char *key, struct pci_addr **out, size_t *nout)
{
    if (is_null(n))
        return true;
    if (!want(r, n, Y_SEQ, key))
        return false;
    *out = arena_calloc(r->a, n->nkids ? n->nkids : 1, sizeof **out);
    *nout = 0;
    for (size_t i = 0; i < n->nkids; i++) {
        if (!get_addr(r, n->kids[i], key, &(*out)[*nout]))
            return false;
        (*nout)++;
    }
    return true;
}

static bool read_str_list(struct reader *r, const struct ynode *n,
                          const char *key, const char ***out, size_t *nout)
{
    if (is_null(n))
        return true;
    if (!want(r, n, Y_SEQ, key))
        return false;
    *out = arena_calloc(r->a, n->nkids + 1, sizeof **out);
    *nout = 0;
    for (size_t i = 0; i < n->nkids; i++) {
        if (!want(r, n->kids[i], Y_SCALAR, key))
            return false;
        (*out)[(*nout)++] = n->kids[i]->str;
    }
    return true;
}

static bool read_uses(struct reader *r, const struct ynode *n, unsigned *uses)
{
    if (is_null(n))
        return true;
    if (!want(r, n, Y_SEQ, "uses"))
        return false;
    for (size_t i = 0; i < n->nkids; i++) {
        unsigned bit;
        if (!want(r, n->kids[i], Y_SCALAR, "a use"))
            return false;
        if (host_use_parse(n->kids[i]->str, &bit) < 0) {
            rd_error(r, n->kids[i]->loc,
                     "unknown host use '%s' (root-disk, boot-disk, swap, zfs-pool, "
                     "mgmt-nic, bridge-port, console, keyboard)", n->kids[i]->str);
            return false;
        }
        *uses |= 1u << bit;
    }
    return true;
}

static bool read_device(struct reader *r, const struct ynode *m,
                        struct facts_device *d)
{
    memset(d, 0, sizeof *d);
    d->iommu_group = -1;
    d->boot_vga = -1;
    d->numa_node = -1;
    d->subsys_unknown = true;     /* until the snapshot says */
    d->revision_unknown = true;
    if (!want(r, m, Y_MAP, "a device") || !keys_unique(r, m))
        return false;
    bool have_addr = false, have_id = false, have_class = false;
    bool ok = true;
    for (size_t i = 0; ok && i + 1 < m->nkids; i += 2) {
        const char *k = m->kids[i]->str;
        const struct ynode *v = m->kids[i + 1];
        uint32_t x;
        long n;
        bool b;
        if (!strcmp(k, "address")) {
            ok = have_addr = get_addr(r, v, k, &d->addr);
        } else if (!strcmp(k, "id")) {
            ok = have_id = get_id(r, v, k, &d->id);
        } else if (!strcmp(k, "subsystem")) {
            ok = get_id(r, v, k, &d->subsys);
            d->subsys_unknown = false;
        } else if (!strcmp(k, "class")) {
            ok = have_class = get_hex(r, v, k, 6, &d->class_code);
        } else if (!strcmp(k, "revision")) {
            ok = get_hex(r, v, k, 2, &x);
            d->revision = (uint8_t)x;
            d->revision_unknown = false;
        } else if (!strcmp(k, "vendor-name")) {
            ok = get_str(r, v, k, &d->vendor_name);
        } else if (!strcmp(k, "device-name")) {
            ok = get_str(r, v, k, &d->device_name);
        } else if (!strcmp(k, "driver")) {
            ok = get_driver(r, v, k, &d->driver);
        } else if (!strcmp(k, "iommu-group")) {
            if (!is_null(v) && (ok = get_int(r, v, k, 0, INT_MAX, &n)))
                d->iommu_group = (int)n;
        } else if (!strcmp(k, "reset-methods")) {
            ok = get_str(r, v, k, &d->reset_methods);
        } else if (!strcmp(k, "boot-vga")) {
            if (!is_null(v) && (ok = get_bool(r, v, k, &b)))
                d->boot_vga = b;
        } else if (!strcmp(k, "numa-node")) {
            if (!is_null(v) && (ok = get_int(r, v, k, 0, 4095, &n)))
                d->numa_node = (int)n;
        } else if (!strcmp(k, "parent")) {
            if (!is_null(v))
                ok = d->has_parent = get_addr(r, v, k, &d->parent);
        } else if (!strcmp(k, "bridge")) {
            ok = get_bool(r, v, k, &d->is_bridge);
        } else if (!strcmp(k, "consumers")) {
            ok = read_addr_list(r, v, k, &d->consumers, &d->nconsumers);
        } else if (!strcmp(k, "suppliers")) {
            ok = read_addr_list(r, v, k, &d->suppliers, &d->nsuppliers);
        } else if (!strcmp(k, "uses")) {
            ok = read_uses(r, v, &d->uses);
        } else if (!strcmp(k, "use-detail")) {
            ok = get_str(r, v, k, &d->use_detail);
        } else if (!strcmp(k, "native")) {
            /* module names reach `softdep NAME pre: vfio-pci` */
            ok = read_str_list(r, v, k, &d->native, &d->nnative);
            for (size_t j = 0; ok && j < d->nnative; j++)
                ok = get_driver(r, v->kids[j], k, &d->native[j]) && d->native[j];
        } else {
            unknown_key(r, m->kids[i], "a device");
        }
    }
    if (ok && (!have_addr || !have_id || !have_class)) {
        rd_error(r, m->loc, "device entry lacks %s",
                 !have_addr ? "'address'" : !have_id ? "'id'" : "'class'");
        ok = false;
    }
    return ok;
}

static bool read_host(struct reader *r, const struct ynode *m, struct facts *f)
{
    if (!want(r, m, Y_MAP, "host") || !keys_unique(r, m))
        return false;
    bool ok = true, have_iommu = false;
    for (size_t i = 0; ok && i + 1 < m->nkids; i += 2) {
        const char *k = m->kids[i]->str;
        const struct ynode *v = m->kids[i + 1];
        if (!strcmp(k, "hostname"))
            ok = get_str(r, v, k, &f->hostname);
        else if (!strcmp(k, "kernel"))
            ok = get_str(r, v, k, &f->kernel_release);
        else if (!strcmp(k, "cmdline"))
            ok = get_str(r, v, k, &f->cmdline);
        else if (!strcmp(k, "iommu"))
            ok = have_iommu = get_bool(r, v, k, &f->iommu_on);
        else if (!strcmp(k, "cpu-vendor"))
            ok = get_str(r, v, k, &f->cpu_vendor);
        else if (!strcmp(k, "alias-lookup"))
            ok = get_bool(r, v, k, &f->alias_lookup);
        else
            unknown_key(r, m->kids[i], "host");
    }
    if (ok && !have_iommu) {
        /* IOMMU on/off decides whole rules (P023): never guess it. */
        rd_error(r, m->loc, "host lacks 'iommu: true|false'");
        ok = false;
    }
    return ok;
}

static bool read_modules(struct reader *r, const struct ynode *m,
                         struct facts *f)
{
    if (is_null(m))
        return true;
    if (!want(r, m, Y_MAP, "modules") || !keys_unique(r, m))
        return false;
    f->modules = arena_calloc(r->a, m->nkids / 2 + 1, sizeof *f->modules);
    for (size_t i = 0; i + 1 < m->nkids; i += 2) {
        const struct ynode *v = m->kids[i + 1];
        if (!want(r, v, Y_SCALAR, m->kids[i]->str))
            return false;
        enum mod_state st = MOD_UNKNOWN;
        bool found = false;
        for (int s = MOD_UNKNOWN; s <= MOD_BUILTIN; s++)
            if (!strcmp(v->str, mod_state_name((enum mod_state)s))) {
                st = (enum mod_state)s;
                found = true;
            }
        if (!found) {
            rd_error(r, v->loc, "module %s: state must be absent, module, builtin "
                     "or unknown, not '%s'", m->kids[i]->str, v->str);
            return false;
        }
        f->modules[f->nmodules].name = m->kids[i]->str;
        f->modules[f->nmodules].state = st;
        f->nmodules++;
    }
    return true;
}

static bool read_modprobe(struct reader *r, const struct ynode *s,
                          struct facts *f)
{
    f->modprobe_known = true;
    if (is_null(s))
        return true;
    if (!want(r, s, Y_SEQ, "modprobe"))
        return false;
    f->modprobe = arena_calloc(r->a, s->nkids + 1, sizeof *f->modprobe);
    for (size_t i = 0; i < s->nkids; i++) {
        const struct ynode *m = s->kids[i];
        struct facts_modprobe *e = &f->modprobe[f->nmodprobe];
        if (!want(r, m, Y_MAP, "a modprobe entry") || !keys_unique(r, m))
            return false;
        bool have_kind = false, ok = true;
        for (size_t k = 0; ok && k + 1 < m->nkids; k += 2) {
            const char *key = m->kids[k]->str;
            const struct ynode *v = m->kids[k + 1];
            long n;
            if (!strcmp(key, "kind")) {
                if (!(ok = want(r, v, Y_SCALAR, key)))
                    break;
                for (int x = MP_OPTIONS; x <= MP_SOFTDEP; x++)
                    if (!strcmp(v->str, facts_mp_kind_name((enum facts_mp_kind)x))) {
                        e->kind = (enum facts_mp_kind)x;
                        have_kind = true;
                    }
                if (!have_kind) {
                    rd_error(r, v->loc, "modprobe kind must be options, blacklist, "
                             "install or softdep, not '%s'", v->str);
                    ok = false;
                }
            } else if (!strcmp(key, "module")) {
                ok = get_str(r, v, key, &e->module);
            } else if (!strcmp(key, "value")) {
                ok = get_str(r, v, key, &e->value);
            } else if (!strcmp(key, "file")) {
                ok = get_str(r, v, key, &e->file);
            } else if (!strcmp(key, "line")) {
                if ((ok = get_int(r, v, key, 1, INT_MAX, &n)))
                    e->line = (unsigned)n;
            } else {
                unknown_key(r, m->kids[k], "a modprobe entry");
            }
        }
        if (ok && (!have_kind || !e->module)) {
            rd_error(r, m->loc, "modprobe entry lacks '%s'", !have_kind ? "kind" : "module");
            ok = false;
        }
        if (!ok)
            return false;
        f->nmodprobe++;
    }
    return true;
}

static bool read_vm(struct reader *r, const struct ynode *m, struct facts_vm *vm)
{
    if (!want(r, m, Y_MAP, "a VM") || !keys_unique(r, m))
        return false;
    bool ok = true, have_id = false;
    for (size_t k = 0; ok && k + 1 < m->nkids; k += 2) {
        const char *key = m->kids[k]->str;
        const struct ynode *v = m->kids[k + 1];
        long n;
        if (!strcmp(key, "vmid")) {
            if ((ok = have_id = get_int(r, v, key, 100, 999999999, &n)))
                vm->vmid = (unsigned)n;
        } else if (!strcmp(key, "file")) {
            ok = get_str(r, v, key, &vm->file);
        } else if (!strcmp(key, "bios")) {
            ok = get_str(r, v, key, &vm->bios);
        } else if (!strcmp(key, "machine")) {
            ok = get_str(r, v, key, &vm->machine);
        } else if (!strcmp(key, "onboot")) {
            ok = get_bool(r, v, key, &vm->onboot);
        } else if (!strcmp(key, "efidisk")) {
            ok = get_bool(r, v, key, &vm->efidisk);
        } else if (!strcmp(key, "disks")) {
            ok = read_str_list(r, v, key, &vm->disks, &vm->ndisks);
        } else if (!strcmp(key, "hostpci")) {
            if (is_null(v))
                continue;
            if (!(ok = want(r, v, Y_SEQ, key)))
                break;
            vm->hostpci = arena_calloc(r->a, v->nkids + 1, sizeof *vm->hostpci);
            for (size_t i = 0; ok && i < v->nkids; i++) {
                const char *why = NULL;
                if (!(ok = want(r, v->kids[i], Y_SCALAR, key)))
                    break;
                if (pci_addr_parse(v->kids[i]->str, true, &vm->hostpci[i], &why) < 0) {
                    rd_error(r, v->kids[i]->loc, "hostpci '%s' is not a PCI address: %s",
                             v->kids[i]->str, why ? why : "malformed");
                    ok = false;
                } else {
                    vm->nhostpci++;
                }
            }
        } else {
            unknown_key(r, m->kids[k], "a VM");
        }
    }
    if (ok && !have_id) {
        rd_error(r, m->loc, "VM entry lacks 'vmid'");
        ok = false;
    }
    return ok;
}

static bool read_vms(struct reader *r, const struct ynode *s, struct facts *f)
{
    f->vms_known = true;
    if (is_null(s))
        return true;
    if (!want(r, s, Y_SEQ, "vms"))
        return false;
    f->vms = arena_calloc(r->a, s->nkids + 1, sizeof *f->vms);
    for (size_t i = 0; i < s->nkids; i++) {
        if (!read_vm(r, s->kids[i], &f->vms[f->nvms]))
            return false;
        if (f->nvms && f->vms[f->nvms - 1].vmid >= f->vms[f->nvms].vmid) {
            rd_error(r, s->kids[i]->loc, "VM %u out of order or listed twice",
                     f->vms[f->nvms].vmid);
            return false;
        }
        f->nvms++;
    }
    return true;
}

static bool read_devices(struct reader *r, const struct ynode *s,
                         struct facts *f)
{
    if (is_null(s))
        return true;
    if (!want(r, s, Y_SEQ, "devices"))
        return false;
    f->devs = arena_calloc(r->a, s->nkids ? s->nkids : 1, sizeof *f->devs);
    for (size_t i = 0; i < s->nkids; i++) {
        if (!read_device(r, s->kids[i], &f->devs[f->ndevs]))
            return false;
        f->ndevs++;
    }
    facts_sort(f);
    for (size_t i = 1; i < f->ndevs; i++)
        if (pci_addr_eq(&f->devs[i - 1].addr, &f->devs[i].addr)) {
            char buf[24];
            /* find the second occurrence in file order for the location */
            const struct ynode *loc = s;
            size_t seen = 0;
            for (size_t j = 0; j < s->nkids; j++) {
                const struct ynode *m = s->kids[j];
                for (size_t k = 0; k + 1 < m->nkids; k += 2)
                    if (!strcmp(m->kids[k]->str, "address")) {
                        struct pci_addr a;
                        if (pci_addr_parse(m->kids[k + 1]->str, false, &a, &(const char *){NULL}) == 0 &&
                            pci_addr_eq(&a, &f->devs[i].addr) && ++seen == 2)
                            loc = m->kids[k + 1];
                    }
            }
            rd_error(r, loc->loc, "device %s listed twice",
                     pci_addr_format(&f->devs[i].addr, buf));
            return false;
        }
    return true;
}

static bool read_root(struct reader *r, const struct ynode *root,
                      struct facts *f)
{
    if (!want(r, root, Y_MAP, "a facts snapshot") || !keys_unique(r, root))
        return false;
    const struct ynode *ver = NULL, *host = NULL, *mods = NULL, *devs = NULL;
    const struct ynode *mp = NULL, *vms = NULL;
    for (size_t i = 0; i + 1 < root->nkids; i += 2) {
        const char *k = root->kids[i]->str;
        const struct ynode *v = root->kids[i + 1];
        if (!strcmp(k, "passc-facts"))
            ver = v;
        else if (!strcmp(k, "host"))
            host = v;
        else if (!strcmp(k, "modules"))
            mods = v;
        else if (!strcmp(k, "devices"))
            devs = v;
        else if (!strcmp(k, "modprobe"))
            mp = v;
        else if (!strcmp(k, "vms"))
            vms = v;
        else
            unknown_key(r, root->kids[i], "the snapshot");
    }
    if (!ver) {
        rd_error(r, root->loc, "not a passc facts snapshot: no 'passc-facts: %d'",
                 SNAPSHOT_VERSION_MIN);
        return false;
    }
    long v;
    if (!get_int(r, ver, "passc-facts", 0, LONG_MAX, &v))
        return false;
    if (v < SNAPSHOT_VERSION_MIN || v > SNAPSHOT_VERSION) {
        rd_error(r, ver->loc, "snapshot version %ld is not supported (this passc "
                 "reads versions %d to %d)", v, SNAPSHOT_VERSION_MIN, SNAPSHOT_VERSION);
        return false;
    }
    if (!host) {
        rd_error(r, root->loc, "snapshot lacks 'host'");
        return false;
    }
    if (!devs) {
        rd_error(r, root->loc, "snapshot lacks 'devices'");
        return false;
    }
    return read_host(r, host, f) && (!mods || read_modules(r, mods, f)) &&
           read_devices(r, devs, f) && (!mp || read_modprobe(r, mp, f)) &&
           (!vms || read_vms(r, vms, f));
}

/* Any file can be named as facts (`facts "/etc/shadow"`, a path in a
 * pulled spec), and a YAML error quotes the line it is on.  So the file
 * must look like a snapshot before any of it is parsed: the first line
 * that is not blank, a comment or a `---`/`%` line starts with
 * `passc-facts:`.  Otherwise the error names the line by number only and
 * points at no text, so the printer echoes nothing of the file. */
static bool snapshot_magic(struct reader *r)
{
    const char *t = r->src->text, *end = t + r->src->len;
    unsigned line = 1;
    while (t < end) {
        const char *eol = memchr(t, '\n', (size_t)(end - t));
        if (!eol)
            eol = end;
        const char *p = t;
        while (p < eol && (*p == ' ' || *p == '\t' || *p == '\r'))
            p++;
        bool skip = p == eol || *p == '#' || (p == t && *p == '%') ||
                    (p == t && eol - t >= 3 && !memcmp(t, "---", 3));
        if (!skip) {
            static const char magic[] = "passc-facts:";
            size_t n = sizeof magic - 1;
            if ((size_t)(eol - t) >= n && !memcmp(t, magic, n))
                return true;
            break;
        }
        t = eol + 1;
        line++;
    }
    /* A stand-in source of empty lines: the location keeps file and line,
     * the echo under the message shows nothing of the file. */
    char *blank = arena_alloc(r->a, line);
    memset(blank, '\n', line - 1);
    blank[line - 1] = '\0';
    const struct source *s = source_from_text(r->a, r->src->path, blank, line - 1);
    uint32_t off = source_offset(s, line, 1);
    if (t >= end)
        rd_error(r, (src_loc){s, off, off}, "empty snapshot: expected 'passc-facts: %d'",
                 SNAPSHOT_VERSION);
    else
        rd_error(r, (src_loc){s, off, off}, "not a passc facts snapshot: its first key must be 'passc-facts: %d' (the file is not shown)",
                 SNAPSHOT_VERSION);
    return false;
}

int facts_read_yaml_source(arena *a, const struct source *src,
                           struct facts *out, struct diag_list *diags)
{
    memset(out, 0, sizeof *out);
    struct reader r = {a, src, diags, 0};
    if (!snapshot_magic(&r))
        return -1;
    struct ynode *root = build_tree(&r);
    struct facts f;
    memset(&f, 0, sizeof f);
    if (!root || !read_root(&r, root, &f) || r.errors)
        return -1;
    f.origin = arena_printf(a, "snapshot %s", src->path);
    *out = f;
    return 0;
}

int facts_read_yaml(arena *a, const char *path, struct facts *out,
                    struct diag_list *diags)
{
    memset(out, 0, sizeof *out);
    const char *err = NULL;
    struct source *src = source_read(a, path, &err);
    if (!src) {
        diag_add(diags, R_F001, (src_loc){0},
                 "cannot read facts snapshot: %s", err);
        return -1;
    }
    return facts_read_yaml_source(a, src, out, diags);
}
