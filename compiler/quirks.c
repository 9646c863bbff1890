/* quirks.c — reads data/quirks.yaml (libyaml document API) into arena
 * tables and answers the lookups of quirks.h.
 *
 * The table is data so that a new no-reset GPU or guest driver note is a
 * one-line change for people who do not write C.  A broken table is
 * reported with its file position and lint goes on without it: missing
 * device knowledge only costs hints, never a wrong verdict. */
#include <fnmatch.h>
#include <string.h>
#include <yaml.h>

#include "names.h"
#include "quirks.h"
#include "source.h"

struct native_entry {
    uint32_t class_prefix;
    unsigned class_digits;      /* 2, 4 or 6 */
    int vendor;                 /* -1: any */
    const char **drivers;
    size_t ndrivers;
};

struct no_reset_entry {
    struct pci_id *ids;
    size_t nids;
    struct quirk_no_reset info;
};

struct guest_entry {
    struct pci_id *ids;
    size_t nids;
    const char **os;
    size_t nos;
    struct quirk_guest info;
};

struct module_alias {
    const char *driver, *module;
};

struct quirks {
    struct native_entry *native;
    size_t nnative;
    struct no_reset_entry *no_reset;
    size_t nno_reset;
    struct guest_entry *guest;
    size_t nguest;
    struct module_alias *alias;
    size_t nalias;
};

struct qload {
    arena *a;
    yaml_document_t *doc;
    const struct source *src;
    struct diag_list *d;
    bool bad;
};

static void bad_at(struct qload *ql, const yaml_node_t *n, const char *what)
{
    src_loc loc = {0};
    if (n && ql->src) {
        loc.src = ql->src;
        loc.start = source_offset(ql->src, (unsigned)n->start_mark.line + 1,
                                  (unsigned)n->start_mark.column + 1);
        loc.end = source_offset(ql->src, (unsigned)n->end_mark.line + 1,
                                (unsigned)n->end_mark.column + 1);
        if (loc.end <= loc.start)
            loc.end = loc.start + 1;
    }
    diag_add_sev(ql->d, RULE_NONE, SEV_WARNING, loc,
             "quirks table: %s; device hints from it are not used", what);
    ql->bad = true;
}

static yaml_node_t *node(struct qload *ql, int id)
{
    return yaml_document_get_node(ql->doc, id);
}

static const char *scalar(struct qload *ql, yaml_node_t *n, const char *what)
{
    if (!n || n->type != YAML_SCALAR_NODE) {
        bad_at(ql, n, arena_printf(ql->a, "%s must be a string", what));
        return NULL;
    }
    return arena_strndup(ql->a, (const char *)n->data.scalar.value,
                         n->data.scalar.length);
}

/* A sequence of strings (a lone scalar counts as a one-element list). */
static const char **strings(struct qload *ql, yaml_node_t *n, const char *what,
                            size_t *count)
{
    *count = 0;
    if (n && n->type == YAML_SCALAR_NODE) {
        const char **v = arena_calloc(ql->a, 1, sizeof *v);
        v[0] = scalar(ql, n, what);
        *count = v[0] ? 1 : 0;
        return v;
    }
    if (!n || n->type != YAML_SEQUENCE_NODE) {
        bad_at(ql, n, arena_printf(ql->a, "%s must be a list", what));
        return NULL;
    }
    size_t cap = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    const char **v = arena_calloc(ql->a, cap ? cap : 1, sizeof *v);
    for (yaml_node_item_t *it = n->data.sequence.items.start;
         it < n->data.sequence.items.top; it++) {
        const char *s = scalar(ql, node(ql, *it), what);
        if (s)
            v[(*count)++] = s;
    }
    return v;
}

static struct pci_id *ids_of(struct qload *ql, yaml_node_t *n, size_t *count)
{
    size_t ns;
    const char **s = strings(ql, n, "ids", &ns);
    struct pci_id *ids = arena_calloc(ql->a, ns ? ns : 1, sizeof *ids);
    *count = 0;
    for (size_t i = 0; i < ns; i++) {
        const char *why;
        if (pci_id_parse(s[i], &ids[*count], &why) < 0)
            bad_at(ql, n, arena_printf(ql->a, "bad id \"%s\": %s", s[i], why));
        else
            (*count)++;
    }
    return ids;
}

/* Calls fn for each key/value of a mapping node. */
#define FOR_PAIRS(ql, map, kvar, vnode)                                       \
    for (yaml_node_pair_t *p_ = (map)->data.mapping.pairs.start;             \
         p_ < (map)->data.mapping.pairs.top; p_++)                           \
        for (const char *kvar = scalar(ql, node(ql, p_->key), "key"); kvar;  \
             kvar = NULL)                                                    \
            for (yaml_node_t *vnode = node(ql, p_->value); vnode; vnode = NULL)

static size_t seq_len(const yaml_node_t *n)
{
    return n && n->type == YAML_SEQUENCE_NODE
               ? (size_t)(n->data.sequence.items.top - n->data.sequence.items.start)
               : 0;
}

static bool want_seq(struct qload *ql, yaml_node_t *n, const char *what)
{
    if (n && n->type == YAML_SEQUENCE_NODE)
        return true;
    bad_at(ql, n, arena_printf(ql->a, "%s must be a list of entries", what));
    return false;
}

static bool want_map(struct qload *ql, yaml_node_t *n, const char *what)
{
    if (n && n->type == YAML_MAPPING_NODE)
        return true;
    bad_at(ql, n, arena_printf(ql->a, "%s entry must be a mapping", what));
    return false;
}

static int hexval(const char *s, unsigned digits_max, uint32_t *out,
                  unsigned *digits)
{
    size_t n = strlen(s);
    if (n == 0 || n > digits_max || n % 2)
        return -1;
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int x = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (x < 0)
            return -1;
        v = v * 16 + (uint32_t)x;
    }
    *out = v;
    *digits = (unsigned)n;
    return 0;
}

static void load_native(struct qload *ql, struct quirks *q, yaml_node_t *seq)
{
    if (!want_seq(ql, seq, "native-drivers"))
        return;
    q->native = arena_calloc(ql->a, seq_len(seq) + 1, sizeof *q->native);
    for (yaml_node_item_t *it = seq->data.sequence.items.start;
         it < seq->data.sequence.items.top; it++) {
        yaml_node_t *e = node(ql, *it);
        if (!want_map(ql, e, "native-drivers"))
            continue;
        struct native_entry ne = {.vendor = -1};
        bool have_class = false;
        FOR_PAIRS(ql, e, k, v) {
            if (!strcmp(k, "class")) {
                const char *s = scalar(ql, v, "class");
                if (s && hexval(s, 6, &ne.class_prefix, &ne.class_digits) < 0)
                    bad_at(ql, v, "class must be 2, 4 or 6 hex digits");
                else if (s)
                    have_class = true;
            } else if (!strcmp(k, "vendor")) {
                const char *s = scalar(ql, v, "vendor");
                uint32_t x;
                unsigned nd;
                if (s && (hexval(s, 4, &x, &nd) < 0 || nd != 4))
                    bad_at(ql, v, "vendor must be 4 hex digits");
                else if (s)
                    ne.vendor = (int)x;
            } else if (!strcmp(k, "drivers")) {
                ne.drivers = strings(ql, v, "drivers", &ne.ndrivers);
            } else {
                bad_at(ql, v, arena_printf(ql->a, "unknown key \"%s\"", k));
            }
        }
        if (!have_class || !ne.ndrivers)
            bad_at(ql, e, "a native-drivers entry needs class and drivers");
        else
            q->native[q->nnative++] = ne;
    }
}

static void load_no_reset(struct qload *ql, struct quirks *q, yaml_node_t *seq)
{
    if (!want_seq(ql, seq, "no-reset"))
        return;
    q->no_reset = arena_calloc(ql->a, seq_len(seq) + 1, sizeof *q->no_reset);
    for (yaml_node_item_t *it = seq->data.sequence.items.start;
         it < seq->data.sequence.items.top; it++) {
        yaml_node_t *e = node(ql, *it);
        if (!want_map(ql, e, "no-reset"))
            continue;
        struct no_reset_entry ne = {0};
        FOR_PAIRS(ql, e, k, v) {
            if (!strcmp(k, "ids"))
                ne.ids = ids_of(ql, v, &ne.nids);
            else if (!strcmp(k, "family"))
                ne.info.family = scalar(ql, v, "family");
            else if (!strcmp(k, "note"))
                ne.info.note = scalar(ql, v, "note");
            else
                bad_at(ql, v, arena_printf(ql->a, "unknown key \"%s\"", k));
        }
        if (!ne.nids || !ne.info.family || !ne.info.note)
            bad_at(ql, e, "a no-reset entry needs ids, family and note");
        else
            q->no_reset[q->nno_reset++] = ne;
    }
}

static void load_guest(struct qload *ql, struct quirks *q, yaml_node_t *seq)
{
    if (!want_seq(ql, seq, "guest-drivers"))
        return;
    q->guest = arena_calloc(ql->a, seq_len(seq) + 1, sizeof *q->guest);
    for (yaml_node_item_t *it = seq->data.sequence.items.start;
         it < seq->data.sequence.items.top; it++) {
        yaml_node_t *e = node(ql, *it);
        if (!want_map(ql, e, "guest-drivers"))
            continue;
        struct guest_entry ge = {0};
        FOR_PAIRS(ql, e, k, v) {
            if (!strcmp(k, "ids"))
                ge.ids = ids_of(ql, v, &ge.nids);
            else if (!strcmp(k, "os"))
                ge.os = strings(ql, v, "os", &ge.nos);
            else if (!strcmp(k, "need"))
                ge.info.need = scalar(ql, v, "need");
            else if (!strcmp(k, "symptom"))
                ge.info.symptom = scalar(ql, v, "symptom");
            else
                bad_at(ql, v, arena_printf(ql->a, "unknown key \"%s\"", k));
        }
        if (!ge.nids || !ge.nos || !ge.info.need)
            bad_at(ql, e, "a guest-drivers entry needs ids, os and need");
        else
            q->guest[q->nguest++] = ge;
    }
}

static void load_aliases(struct qload *ql, struct quirks *q, yaml_node_t *map)
{
    if (!map || map->type != YAML_MAPPING_NODE) {
        bad_at(ql, map, "driver-modules must map driver names to modules");
        return;
    }
    size_t n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
    q->alias = arena_calloc(ql->a, n + 1, sizeof *q->alias);
    FOR_PAIRS(ql, map, k, v) {
        const char *m = scalar(ql, v, "module name");
        if (m)
            q->alias[q->nalias++] = (struct module_alias){k, m};
    }
}

struct quirks *quirks_load(arena *a, const char *path, struct diag_list *d)
{
    const char *err = NULL;
    struct source *src = source_read(a, path, &err);
    if (!src) {
        diag_add_sev(d, RULE_NONE, SEV_WARNING, (src_loc){0},
                 "quirks table %s: %s; device hints from it are not used",
                 path, err ? err : "unreadable");
        return NULL;
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser))
        return NULL;
    yaml_parser_set_input_string(&parser, (const unsigned char *)src->text,
                                 src->len);
    struct qload ql = {.a = a, .doc = &doc, .src = src, .d = d};
    if (!yaml_parser_load(&parser, &doc)) {
        src_loc loc = {.src = src};
        loc.start = source_offset(src, (unsigned)parser.problem_mark.line + 1,
                                  (unsigned)parser.problem_mark.column + 1);
        loc.end = loc.start + 1;
        diag_add_sev(d, RULE_NONE, SEV_WARNING, loc,
                 "quirks table: YAML error: %s; device hints from it are not used",
                 parser.problem ? parser.problem : "unreadable");
        yaml_parser_delete(&parser);
        return NULL;
    }
    struct quirks *q = arena_calloc(a, 1, sizeof *q);
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root || root->type != YAML_MAPPING_NODE) {
        bad_at(&ql, root, "the top level must be a mapping");
    } else {
        bool versioned = false;
        FOR_PAIRS(&ql, root, k, v) {
            if (!strcmp(k, "passc-quirks")) {
                const char *ver = scalar(&ql, v, "passc-quirks");
                if (ver && strcmp(ver, "1"))
                    bad_at(&ql, v, "unsupported passc-quirks version");
                versioned = true;
            } else if (!strcmp(k, "native-drivers")) {
                load_native(&ql, q, v);
            } else if (!strcmp(k, "no-reset")) {
                load_no_reset(&ql, q, v);
            } else if (!strcmp(k, "guest-drivers")) {
                load_guest(&ql, q, v);
            } else if (!strcmp(k, "driver-modules")) {
                load_aliases(&ql, q, v);
            } else {
                bad_at(&ql, v, arena_printf(a, "unknown section \"%s\"", k));
            }
        }
        if (!versioned)
            bad_at(&ql, root, "missing \"passc-quirks: 1\"");
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return ql.bad ? NULL : q;
}

size_t quirks_native_drivers(const struct quirks *q,
                             const struct facts_device *d, const char **out,
                             size_t max)
{
    size_t n = 0;
    if (!q)
        return 0;
    for (size_t i = 0; i < q->nnative; i++) {
        const struct native_entry *e = &q->native[i];
        if (d->class_code >> (4 * (6 - e->class_digits)) != e->class_prefix)
            continue;
        if (e->vendor >= 0 && (unsigned)e->vendor != d->id.vendor)
            continue;
        for (size_t j = 0; j < e->ndrivers; j++) {
            if (n < max)
                out[n] = e->drivers[j];
            n++;
        }
    }
    return n;
}

const char *quirks_module_of(const struct quirks *q, const char *driver)
{
    for (size_t i = 0; q && i < q->nalias; i++)
        if (!strcmp(q->alias[i].driver, driver))
            return q->alias[i].module;
    return driver;
}

static bool has_id(const struct pci_id *ids, size_t n, struct pci_id id)
{
    for (size_t i = 0; i < n; i++)
        if (pci_id_eq(&ids[i], &id))
            return true;
    return false;
}

const struct quirk_no_reset *quirks_no_reset(const struct quirks *q,
                                             struct pci_id id)
{
    for (size_t i = 0; q && i < q->nno_reset; i++)
        if (has_id(q->no_reset[i].ids, q->no_reset[i].nids, id))
            return &q->no_reset[i].info;
    return NULL;
}

const struct quirk_guest *quirks_guest(const struct quirks *q, struct pci_id id,
                                       const char *ostype)
{
    if (!ostype)
        return NULL;
    for (size_t i = 0; q && i < q->nguest; i++) {
        const struct guest_entry *e = &q->guest[i];
        if (!has_id(e->ids, e->nids, id))
            continue;
        for (size_t j = 0; j < e->nos; j++)
            if (fnmatch(e->os[j], ostype, 0) == 0)
                return &e->info;
    }
    return NULL;
}

size_t quirks_claiming_modules(const struct quirks *q,
                               const struct facts_device *d, const char **mods,
                               bool *bound, size_t max)
{
    size_t n = 0;
    if (max && d->driver && strcmp(d->driver, "vfio-pci")) {
        mods[n] = quirks_module_of(q, d->driver);
        bound[n++] = true;
    }
    /* modprobe's own answer for the device's modalias (facts_kmod.c): the
     * module exists, whichever driver happens to be bound now */
    for (size_t i = 0; i < d->nnative && n < max; i++) {
        bool dup = false;
        for (size_t k = 0; k < n && !dup; k++)
            dup = module_name_eq(mods[k], d->native[i]);
        if (!dup) {
            mods[n] = d->native[i];
            bound[n++] = true;
        }
    }
    const char *nat[16];
    size_t nn = quirks_native_drivers(q, d, nat, 16);
    for (size_t i = 0; i < nn && i < 16 && n < max; i++) {
        bool dup = false;
        for (size_t k = 0; k < n && !dup; k++)
            dup = module_name_eq(mods[k], nat[i]);
        if (!dup) {
            mods[n] = nat[i];
            bound[n++] = false;
        }
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!module_name_eq(mods[i], "vfio_pci")) {
            bound[k] = bound[i];
            mods[k++] = mods[i];
        }
    return k;
}
