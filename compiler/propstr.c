/* propstr.c — cpu, vga and machine as property strings (see propstr.h).
 *
 * The option table is qemu-server's schema (CPUConfig.pm, QemuServer.pm,
 * Machine.pm; ../shared/docs/proxmox-formats.md): what resolve accepts,
 * Proxmox accepts, and what import reads, the spec can say. */
#include "propstr.h"

#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "strbuf.h"

bool machine_ok(const char *m);   /* resolve.c: Machine.pm's type pattern */

enum opt_type { O_BOOL, O_INT, O_ENUM, O_FLAGS, O_NAME, O_VENDOR, O_PHYS };

struct opt {
    const char *name;
    enum opt_type t;
    long min, max;                /* O_INT, O_PHYS */
    const char *const *words;     /* O_ENUM */
    const char *hint;
};

static const char *const viommu_words[] = {"intel", "virtio", NULL};
static const char *const clipboard_words[] = {"vnc", NULL};
static const char *const vga_types[] = {"cirrus", "qxl", "qxl2", "qxl3",
                                        "qxl4", "none", "serial0", "serial1",
                                        "serial2", "serial3", "std", "virtio",
                                        "virtio-gl", "vmware", NULL};
/* CPUConfig.pm @supported_cpu_flags: the only flags a VM config may set
 * (custom CPU models may set others, in /etc/pve/virtual-guest/cpu-models.conf). */
static const char *const cpu_flags[] = {"pcid", "spec-ctrl", "ibpb", "ssbd",
    "virt-ssbd", "amd-ssbd", "amd-no-ssb", "pdpe1gb", "md-clear",
    "hv-tlbflush", "hv-evmcs", "aes", NULL};

static const struct opt cpu_opts[] = {
    {"flags", O_FLAGS, 0, 0, NULL, "a \"string\" of +FLAG/-FLAG separated by ';', e.g. \"+pcid;-md-clear\""},
    {"hidden", O_BOOL, 0, 0, NULL, "on or off (alone: on)"},
    {"hv-vendor-id", O_VENDOR, 0, 0, NULL, "1 to 12 letters or digits"},
    {"phys-bits", O_PHYS, 8, 64, NULL, "8 to 64, or host"},
    {"guest-phys-bits", O_INT, 32, 64, NULL, "32 to 64"},
    {"reported-model", O_NAME, 0, 0, NULL, "a QEMU CPU model name"},
    {NULL, 0, 0, 0, NULL, NULL},
};
static const struct opt vga_opts[] = {
    {"memory", O_INT, 4, 512, NULL, "4 to 512 (MiB)"},
    {"clipboard", O_ENUM, 0, 0, clipboard_words, "vnc"},
    {NULL, 0, 0, 0, NULL, NULL},
};
static const struct opt machine_opts[] = {
    {"viommu", O_ENUM, 0, 0, viommu_words, "intel or virtio"},
    {"aw-bits", O_INT, 32, 64, NULL, "32 to 64"},
    {"enable-s3", O_BOOL, 0, 0, NULL, "on or off (alone: on)"},
    {"enable-s4", O_BOOL, 0, 0, NULL, "on or off (alone: on)"},
    {NULL, 0, 0, 0, NULL, NULL},
};

static const struct opt *opts_of(enum propstr_kind k)
{
    return k == PS_CPU ? cpu_opts : k == PS_VGA ? vga_opts : machine_opts;
}

static const char *kind_name(enum propstr_kind k)
{
    return k == PS_CPU ? "cpu" : k == PS_VGA ? "vga" : "machine";
}

static const struct opt *find_opt(enum propstr_kind k, const char *name)
{
    for (const struct opt *o = opts_of(k); o->name; o++)
        if (!strcmp(o->name, name))
            return o;
    return NULL;
}

bool propstr_type_ok(enum propstr_kind k, const char *type)
{
    if (!type || !*type)
        return false;
    switch (k) {
    case PS_CPU:
        /* a type name starts as a spec word does, so it prints bare */
        return plain_name(type, "._+-") && !strchr("._+-", type[0]) &&
               strlen(type) <= 64;
    case PS_VGA:
        for (const char *const *w = vga_types; *w; w++)
            if (!strcmp(*w, type))
                return true;
        return false;
    case PS_MACHINE:
        return machine_ok(type);
    }
    return false;
}

static bool int_in(const char *v, long min, long max, long *out)
{
    if (!*v || strlen(v) > 9)
        return false;
    for (const char *p = v; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    long n = strtol(v, NULL, 10);
    if (n < min || n > max)
        return false;
    *out = n;
    return true;
}

static bool flags_ok(const char *v)
{
    if (!*v)
        return false;
    const char *p = v;
    while (*p) {
        if (*p != '+' && *p != '-')
            return false;
        const char *s = ++p;
        while (*p && *p != ';')
            p++;
        bool known = false;
        for (const char *const *f = cpu_flags; *f && !known; f++)
            known = strlen(*f) == (size_t)(p - s) && !strncmp(*f, s, (size_t)(p - s));
        if (!known)
            return false;
        if (*p == ';' && !*++p)
            return false;
    }
    return true;
}

/* Checks a non-boolean value in its Proxmox text form. */
static bool value_ok(const struct opt *o, const char *v)
{
    long n;
    switch (o->t) {
    case O_INT:
        return int_in(v, o->min, o->max, &n);
    case O_PHYS:
        return !strcmp(v, "host") || int_in(v, o->min, o->max, &n);
    case O_ENUM:
        for (const char *const *w = o->words; *w; w++)
            if (!strcmp(*w, v))
                return true;
        return false;
    case O_FLAGS:
        return flags_ok(v);
    case O_NAME:
        return plain_name(v, "._+-") && !strchr("._+-", v[0]) && strlen(v) <= 64;
    case O_VENDOR:
        return plain_name(v, "") && strlen(v) <= 12;
    case O_BOOL:
        return false;
    }
    return false;
}

static const char *opt_names(arena *a, enum propstr_kind k)
{
    struct strbuf sb;
    sb_init(&sb, a);
    for (const struct opt *o = opts_of(k); o->name; o++)
        sb_printf(&sb, "%s%s", o == opts_of(k) ? "" : ", ", o->name);
    return sb_str(&sb);
}

const char *propstr_resolve(arena *a, struct diag_list *d,
                            const struct ast_stmt *s, enum propstr_kind k)
{
    struct strbuf out;
    sb_init(&out, a);
    sb_add(&out, s->vals[0].text);
    bool ok = true;
    const char *seen[8];
    size_t nseen = 0;
    for (size_t i = 1; i < s->nvals; i++) {
        const struct ast_value *v = &s->vals[i];
        const struct opt *o = v->kind == AV_WORD ? find_opt(k, v->text) : NULL;
        if (!o) {
            diag_add(d, R_P002, v->loc, "unknown %s option '%s': Proxmox's are %s",
                     kind_name(k), v->text, opt_names(a, k));
            return NULL;
        }
        for (size_t j = 0; j < nseen; j++)
            if (seen[j] == o->name) {
                diag_add(d, R_P002, v->loc, "%s option '%s' given twice",
                         kind_name(k), o->name);
                return NULL;
            }
        if (nseen < 8)
            seen[nseen++] = o->name;
        if (o->t == O_BOOL) {
            const char *val = "1";
            if (i + 1 < s->nvals && s->vals[i + 1].kind == AV_WORD &&
                (!strcmp(s->vals[i + 1].text, "on") || !strcmp(s->vals[i + 1].text, "off")))
                val = !strcmp(s->vals[++i].text, "on") ? "1" : "0";
            sb_printf(&out, ",%s=%s", o->name, val);
            continue;
        }
        if (i + 1 >= s->nvals) {
            diag_add(d, R_P002, v->loc, "%s option '%s' needs a value: %s",
                     kind_name(k), o->name, o->hint);
            return NULL;
        }
        const struct ast_value *w = &s->vals[++i];
        bool kind_ok = o->t == O_FLAGS ? w->kind == AV_STRING
                     : w->kind != AV_ADDR && w->kind != AV_PAIR && w->kind != AV_ADDRS;
        if (!kind_ok || !value_ok(o, w->text)) {
            diag_add(d, R_P002, w->loc, "bad %s %s '%s': %s%s", kind_name(k),
                     o->name, w->text, o->hint,
                     o->t == O_FLAGS ? " (a VM may set pcid, spec-ctrl, ibpb, ssbd, "
                     "virt-ssbd, amd-ssbd, amd-no-ssb, pdpe1gb, md-clear, hv-tlbflush, "
                     "hv-evmcs, aes)" : "");
            ok = false;
            continue;
        }
        sb_printf(&out, ",%s=%s", o->name, w->text);
    }
    return ok ? sb_str(&out) : NULL;
}

static void val_push(arena *a, struct ast_stmt *s, enum ast_value_kind k,
                     const char *text)
{
    s->vals = arena_realloc(a, s->vals, s->nvals * sizeof *s->vals,
                            (s->nvals + 1) * sizeof *s->vals);
    s->vals[s->nvals++] = (struct ast_value){k, text, {0}};
}

bool propstr_import(arena *a, enum propstr_kind k, const char *value,
                    struct ast_stmt *s, const char **why)
{
    const char *defkey = k == PS_CPU ? "cputype" : "type";
    const char *type = NULL;
    struct { const struct opt *o; const char *v; } items[16];
    size_t n = 0;
    char *copy = arena_strdup(a, value);
    for (char *save = NULL, *it = strtok_r(copy, ",", &save); it;
         it = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(it, '=');
        if (!eq || (strlen(defkey) == (size_t)(eq - it) &&
                    !strncmp(it, defkey, (size_t)(eq - it)))) {
            if (type) {
                *why = arena_printf(a, "the %s type is given twice", kind_name(k));
                return false;
            }
            type = eq ? eq + 1 : it;
            continue;
        }
        *eq = 0;
        const struct opt *o = find_opt(k, it);
        if (!o) {
            *why = arena_printf(a, "option '%s' is not one passc knows", it);
            return false;
        }
        for (size_t j = 0; j < n; j++)
            if (items[j].o == o) {
                *why = arena_printf(a, "option '%s' is given twice", it);
                return false;
            }
        const char *v = eq + 1;
        if (o->t == O_BOOL) {
            if (!strcmp(v, "1") || !strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true"))
                v = NULL;
            else if (!strcmp(v, "0") || !strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false"))
                v = "off";
            else {
                *why = arena_printf(a, "%s=%s is not a boolean", it, eq + 1);
                return false;
            }
        } else if (!value_ok(o, v)) {
            *why = arena_printf(a, "%s=%s is not a value Proxmox accepts", it, v);
            return false;
        }
        if (n == sizeof items / sizeof *items) {
            *why = "too many options";
            return false;
        }
        items[n].o = o;
        items[n++].v = v;
    }
    if (!type) {
        *why = arena_printf(a, "no %s type", kind_name(k));
        return false;
    }
    if (!propstr_type_ok(k, type)) {
        *why = arena_printf(a, "'%s' is not a %s type Proxmox accepts", type, kind_name(k));
        return false;
    }
    val_push(a, s, AV_WORD, type);
    for (size_t i = 0; i < n; i++) {
        val_push(a, s, AV_WORD, items[i].o->name);
        if (!items[i].v)
            continue;
        enum ast_value_kind vk = items[i].o->t == O_FLAGS || items[i].o->t == O_VENDOR
                                     ? AV_STRING
                               : items[i].o->t == O_INT ||
                                 (items[i].o->t == O_PHYS && strcmp(items[i].v, "host"))
                                     ? AV_NUMBER : AV_WORD;
        val_push(a, s, vk, items[i].v);
    }
    return true;
}
