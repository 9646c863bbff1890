/* facts_kmod.c — the host's modprobe configuration and its devices' native
 * drivers, read through libkmod: the library behind modprobe, so the same
 * directories, the same basename override (/etc/modprobe.d/x.conf hides
 * /lib/modprobe.d/x.conf), the same order and the same alias lookup.
 *
 * libkmod says what is in effect, not where it came from.  For the file and
 * line, the winning files are read again here in kmod's order and each
 * entry takes the next line that says the same (kind, module): entries
 * that no file holds come from the build machine's own /proc/cmdline,
 * which libkmod always reads, and are dropped; the root's command line is
 * in facts.cmdline already. */
#include "facts.h"
#include "facts_impl.h"

#include <ctype.h>
#include <dirent.h>
#include <libkmod.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "names.h"
#include "sysfs_util.h"

/* modprobe's own list, in its order (man modprobe.d). */
static const char *const conf_dirs[] = {
    "etc/modprobe.d", "run/modprobe.d", "usr/local/lib/modprobe.d",
    "lib/modprobe.d", "usr/lib/modprobe.d",
};
#define NDIRS (sizeof conf_dirs / sizeof conf_dirs[0])

const char *facts_mp_kind_name(enum facts_mp_kind k)
{
    static const char *const n[] = {"options", "blacklist", "install", "softdep"};
    return (unsigned)k < 4 ? n[k] : "?";
}

static void normalise(char *s)
{
    for (; *s; s++)
        if (*s == '-')
            *s = '_';
}

/* A config line as kmod splits it: kind, module, line number. */
struct cline {
    enum facts_mp_kind kind;
    char module[64];
    const char *file;
    unsigned line;
    bool used;
};

struct scan {
    arena *a;
    struct cline *v;
    size_t n, cap;
};

static void scan_file(struct scan *s, const char *path, const char *host_path)
{
    FILE *fp = fopen(path, "re");
    if (!fp)
        return;
    char buf[4096];
    unsigned lineno = 0, start = 0;
    bool cont = false;
    while (fgets(buf, sizeof buf, fp)) {
        lineno++;
        bool first = !cont;
        size_t len = strlen(buf);
        while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
            buf[--len] = 0;
        cont = len && buf[len - 1] == '\\';
        if (!first)
            continue;   /* a continued line belongs to the one that began it */
        start = lineno;
        char kind[16], mod[64];
        if (sscanf(buf, " %15s %63s", kind, mod) != 2)
            continue;
        enum facts_mp_kind k;
        if (!strcmp(kind, "options"))
            k = MP_OPTIONS;
        else if (!strcmp(kind, "blacklist"))
            k = MP_BLACKLIST;
        else if (!strcmp(kind, "install"))
            k = MP_INSTALL;
        else if (!strcmp(kind, "softdep"))
            k = MP_SOFTDEP;
        else
            continue;
        if (s->n == s->cap) {
            size_t nc = s->cap ? 2 * s->cap : 32;
            s->v = arena_realloc(s->a, s->v, s->cap * sizeof *s->v, nc * sizeof *s->v);
            s->cap = nc;
        }
        struct cline *c = &s->v[s->n++];
        memset(c, 0, sizeof *c);
        c->kind = k;
        memcpy(c->module, mod, sizeof c->module);
        normalise(c->module);
        c->file = host_path;
        c->line = start;
    }
    fclose(fp);
}

static int str_cmp(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The files kmod reads, in its order: *.conf by basename, the first
 * directory holding a basename wins. */
static void scan_config(struct scan *s, const char *root)
{
    const char **names = NULL, **dirs = NULL;
    size_t n = 0, cap = 0;
    for (size_t d = 0; d < NDIRS; d++) {
        const char *dir = sysfs_path(s->a, root, conf_dirs[d]);
        DIR *dp = opendir(dir);
        if (!dp)
            continue;
        struct dirent *e;
        while ((e = readdir(dp))) {
            size_t len = strlen(e->d_name);
            if (len < 6 || strcmp(e->d_name + len - 5, ".conf") || e->d_name[0] == '.')
                continue;
            bool dup = false;
            for (size_t i = 0; i < n && !dup; i++)
                dup = !strcmp(names[i], e->d_name);
            if (dup)
                continue;
            if (n == cap) {
                size_t nc = cap ? 2 * cap : 16;
                names = arena_realloc(s->a, names, cap * sizeof *names, nc * sizeof *names);
                dirs = arena_realloc(s->a, dirs, cap * sizeof *dirs, nc * sizeof *dirs);
                cap = nc;
            }
            /* "name\0dir" keeps the pair together through qsort */
            names[n] = arena_printf(s->a, "%s", e->d_name);
            dirs[n++] = conf_dirs[d];
        }
        closedir(dp);
    }
    /* sort names and carry dirs along */
    const char **pairs = arena_calloc(s->a, n + 1, sizeof *pairs);
    for (size_t i = 0; i < n; i++)
        pairs[i] = arena_printf(s->a, "%s/%s", names[i], dirs[i]);
    qsort(pairs, n, sizeof *pairs, str_cmp);
    for (size_t i = 0; i < n; i++) {
        const char *slash = strchr(pairs[i], '/');
        const char *base = arena_strndup(s->a, pairs[i], (size_t)(slash - pairs[i]));
        const char *host = arena_printf(s->a, "/%s/%s", slash + 1, base);
        scan_file(s, sysfs_path(s->a, root, host + 1), host);
    }
}

static bool interesting(const struct facts *f, const char *module)
{
    if (module_name_eq(module, "vfio_pci"))
        return true;
    size_t nw;
    const char *const *w = facts_watched_modules(&nw);
    for (size_t i = 0; i < nw; i++)
        if (module_name_eq(module, w[i]))
            return true;
    for (size_t i = 0; i < f->ndevs; i++) {
        const struct facts_device *d = &f->devs[i];
        if (d->driver && module_name_eq(module, d->driver))
            return true;
        for (size_t k = 0; k < d->nnative; k++)
            if (module_name_eq(module, d->native[k]))
                return true;
    }
    return false;
}

static void add_entry(arena *a, struct facts *f, size_t *cap,
                      const struct facts_modprobe *e)
{
    if (f->nmodprobe == *cap) {
        size_t nc = *cap ? 2 * *cap : 8;
        f->modprobe = arena_realloc(a, f->modprobe, *cap * sizeof *f->modprobe,
                                    nc * sizeof *f->modprobe);
        *cap = nc;
    }
    f->modprobe[f->nmodprobe++] = *e;
}

/* One kmod config list into f, located through the scanned lines. */
static void take(arena *a, struct facts *f, size_t *cap, struct scan *s,
                 struct kmod_config_iter *it, enum facts_mp_kind kind)
{
    if (!it)
        return;
    while (kmod_config_iter_next(it)) {
        const char *key = kmod_config_iter_get_key(it);
        const char *val = kmod_config_iter_get_value(it);
        if (!key)
            continue;
        char mod[64];
        snprintf(mod, sizeof mod, "%s", key);
        normalise(mod);
        struct cline *at = NULL;
        for (size_t i = 0; i < s->n && !at; i++)
            if (!s->v[i].used && s->v[i].kind == kind && !strcmp(s->v[i].module, mod))
                at = &s->v[i];
        if (!at)
            continue;   /* the build machine's /proc/cmdline, not the root's */
        at->used = true;
        if (!interesting(f, mod))
            continue;
        struct facts_modprobe e = {
            .kind = kind,
            .module = arena_printf(a, "%s", mod),
            .value = kind == MP_BLACKLIST || !val ? NULL : arena_printf(a, "%s", val),
            .file = at->file,
            .line = at->line,
        };
        add_entry(a, f, cap, &e);
    }
    kmod_config_iter_free_iter(it);
}

/* libkmod logs config trouble to stderr by default; passc's facts say what
 * matters, in its own diagnostics. */
static void quiet_log(void *data, int priority, const char *file, int line,
                      const char *fn, const char *format, va_list args)
{
    (void)data, (void)priority, (void)file, (void)line, (void)fn,
        (void)format, (void)args;
}

static void lookup_native(arena *a, struct kmod_ctx *ctx, const char *root,
                          struct facts_device *d)
{
    char bdf[24];
    const char *rel = arena_printf(a, "sys/bus/pci/devices/%s/modalias",
                                   pci_addr_format(&d->addr, bdf));
    char *alias = sysfs_read_line(a, sysfs_path(a, root, rel));
    if (!alias || strncmp(alias, "pci:", 4))
        return;
    struct kmod_list *list = NULL, *l;
    if (kmod_module_new_from_lookup(ctx, alias, &list) < 0 || !list)
        return;
    size_t n = 0;
    kmod_list_foreach(l, list) n++;
    d->native = arena_calloc(a, n + 1, sizeof *d->native);
    kmod_list_foreach(l, list) {
        struct kmod_module *m = kmod_module_get_module(l);
        const char *name = kmod_module_get_name(m);
        bool dup = false;
        for (size_t i = 0; i < d->nnative && !dup; i++)
            dup = module_name_eq(d->native[i], name);
        if (!dup && !module_name_eq(name, "vfio_pci"))
            d->native[d->nnative++] = arena_printf(a, "%s", name);
        kmod_module_unref(m);
    }
    kmod_module_unref_list(list);
}

void facts_read_kmod(arena *a, const char *root, struct facts *f,
                     struct diag_list *diags)
{
    (void)diags;
    const char *paths[NDIRS + 1];
    for (size_t d = 0; d < NDIRS; d++)
        paths[d] = sysfs_path(a, root, conf_dirs[d]);
    paths[NDIRS] = NULL;
    const char *moddir = f->kernel_release
        ? sysfs_path(a, root, arena_printf(a, "lib/modules/%s", f->kernel_release))
        : sysfs_path(a, root, "lib/modules/.passc-no-kernel");
    struct kmod_ctx *ctx = kmod_new(moddir, paths);
    if (!ctx)
        return;
    kmod_set_log_fn(ctx, quiet_log, NULL);

    struct stat st;
    if (f->kernel_release &&
        stat(arena_printf(a, "%s/modules.alias.bin", moddir), &st) == 0) {
        f->alias_lookup = true;
        for (size_t i = 0; i < f->ndevs; i++)
            lookup_native(a, ctx, root, &f->devs[i]);
    }

    struct scan s = {.a = a};
    scan_config(&s, root);
    size_t cap = 0;
    /* kmod's lists are each in reading order; kinds never compete. */
    take(a, f, &cap, &s, kmod_config_get_options(ctx), MP_OPTIONS);
    take(a, f, &cap, &s, kmod_config_get_blacklists(ctx), MP_BLACKLIST);
    take(a, f, &cap, &s, kmod_config_get_install_commands(ctx), MP_INSTALL);
    take(a, f, &cap, &s, kmod_config_get_softdeps(ctx), MP_SOFTDEP);
    f->modprobe_known = true;
    kmod_unref(ctx);
}
