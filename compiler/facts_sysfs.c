/* facts_sysfs.c — facts from a live or fake host root through libpci
 * (access method linux-sysfs, sysfs.path = ROOT/sys/bus/pci) plus the sysfs
 * and proc files libpci does not read (reset_method, boot_vga, pci_bus/,
 * device links, cmdline, modules).  See /work/shared/docs/libpci-notes.md.
 *
 * Every path is ROOT/…, so tests run the same code on generated trees.
 * What cannot be read is left unknown (with a warning), never guessed. */
#include "facts.h"
#include "facts_impl.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pci/pci.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysfs_util.h"

/* libpci's error and warning hooks take no context pointer, so the scan in
 * progress is found through this one per-thread pointer.  It is set only
 * while libpci runs and always cleared before returning. */
struct scan_ctx {
    jmp_buf on_error;
    char msg[512];
    struct diag_list *diags;
    arena *a;
    struct own_scan *own;   /* the helper to stop if libpci gives up */
    pthread_t own_tid;
    bool own_threaded;
};
static _Thread_local struct scan_ctx *current_scan;

/* Some libpci messages end in a newline ("Parse error at …, line 2\n"),
 * which would split a diagnostic line. */
static void trim_newlines(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

static void pci_error_hook(char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));
static void pci_error_hook(char *fmt, ...)
{
    struct scan_ctx *c = current_scan;
    va_list ap;
    va_start(ap, fmt);
    if (c) {
        vsnprintf(c->msg, sizeof c->msg, fmt, ap);
        trim_newlines(c->msg);
    }
    va_end(ap);
    if (!c)
        abort();  /* libpci called outside a scan: a passc bug */
    longjmp(c->on_error, 1);
}

static void __attribute__((format(printf, 1, 2))) pci_warning_hook(char *fmt, ...)
{
    struct scan_ctx *c = current_scan;
    if (!c)
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    trim_newlines(buf);
    /* libpci repeats a warning for each field it falls back on */
    const struct diag *last = c->diags->tail;
    if (last && !strncmp(last->msg, "libpci: ", 8) && !strcmp(last->msg + 8, buf))
        return;
    diag_add(c->diags, R_F002, (src_loc){0},
             "libpci: %s", buf);
}

static void __attribute__((format(printf, 1, 2))) pci_debug_hook(char *fmt, ...)
{
    (void)fmt;
}

/* --- host-wide facts ------------------------------------------------ */

static const char *cpu_vendor(arena *a, const char *root)
{
    const char *text = sysfs_read(a, sysfs_path(a, root, "proc/cpuinfo"), 1u << 20);
    if (!text)
        return NULL;
    const char *p = strstr(text, "vendor_id");
    if (!p)
        return NULL;
    p = strchr(p, ':');
    if (!p)
        return NULL;
    p++;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = strcspn(p, "\n");
    return n ? arena_strndup(a, p, n) : NULL;
}

static bool dir_has_entries(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return false;
    struct dirent *e;
    bool any = false;
    while (!any && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            any = true;
    closedir(d);
    return any;
}

/* "kernel/drivers/usb/host/xhci-pci.ko.zst" -> "xhci_pci" */
static void module_name_of(const char *path, size_t len, char *out, size_t cap)
{
    const char *base = path;
    for (size_t i = 0; i < len; i++)
        if (path[i] == '/')
            base = path + i + 1;
    size_t n = (size_t)(path + len - base);
    const char *ko = NULL;
    for (size_t i = 0; i + 3 <= n; i++)
        if (!strncmp(base + i, ".ko", 3))
            ko = base + i;
    if (ko)
        n = (size_t)(ko - base);
    if (n >= cap)
        n = cap - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = base[i] == '-' ? '_' : base[i];
    out[n] = '\0';
}

/* Whether name appears as a module in a modules.builtin / modules.dep text
 * (one module path per line; .dep has ": deps" after it). */
static bool module_listed(const char *text, const char *name)
{
    const char *p = text;
    char buf[128];
    while (*p) {
        size_t n = strcspn(p, ":\n");
        module_name_of(p, n, buf, sizeof buf);
        if (!strcmp(buf, name))
            return true;
        p += strcspn(p, "\n");
        if (*p)
            p++;
    }
    return false;
}

static void read_modules(arena *a, const char *root, struct facts *f)
{
    size_t n;
    const char *const *names = facts_watched_modules(&n);
    f->modules = arena_calloc(a, n, sizeof *f->modules);
    f->nmodules = n;
    const char *builtin = NULL, *dep = NULL;
    if (f->kernel_release && !strchr(f->kernel_release, '/')) {
        builtin = sysfs_read(a, sysfs_path(a, root, arena_printf(a,
                             "lib/modules/%s/modules.builtin", f->kernel_release)),
                             64u << 20);
        dep = sysfs_read(a, sysfs_path(a, root, arena_printf(a,
                         "lib/modules/%s/modules.dep", f->kernel_release)),
                         64u << 20);
    }
    for (size_t i = 0; i < n; i++) {
        struct facts_module *m = &f->modules[i];
        m->name = names[i];
        if (builtin && module_listed(builtin, names[i]))
            m->state = MOD_BUILTIN;
        else if (dep && module_listed(dep, names[i]))
            m->state = MOD_MODULE;
        else if (builtin && dep)
            m->state = MOD_ABSENT;
        else
            m->state = MOD_UNKNOWN;  /* without both lists, absence proves nothing */
    }
}

static void read_host(arena *a, const char *root, struct facts *f)
{
    f->hostname = sysfs_read_line(a, sysfs_path(a, root, "proc/sys/kernel/hostname"));
    if (!f->hostname)
        f->hostname = sysfs_read_line(a, sysfs_path(a, root, "etc/hostname"));
    f->kernel_release = sysfs_read_line(a, sysfs_path(a, root, "proc/sys/kernel/osrelease"));
    f->cmdline = sysfs_read_line(a, sysfs_path(a, root, "proc/cmdline"));
    f->iommu_on = dir_has_entries(sysfs_path(a, root, "sys/class/iommu")) ||
                  dir_has_entries(sysfs_path(a, root, "sys/kernel/iommu_groups"));
    f->cpu_vendor = cpu_vendor(a, root);
    read_modules(a, root, f);
}

/* --- per-device sysfs files -------------------------------------- */

/* What one listing of a device directory tells: whether libpci can read
 * it safely, which optional files exist (absent ones then cost no failed
 * open), and the device links (consumer:pci:0000:79:00.3 / supplier:pci:…).
 * Made for each device before libpci reads it; the directory then stays
 * open for passc's own reads of that device (see own_read()). */
struct dev_listing {
    struct pci_addr addr;
    bool reset_method, reset, boot_vga, pci_bus;
    struct pci_addr *cons, *supp;
    size_t ncons, nsupp, capc, caps;
};

/* libpci opens these without O_NONBLOCK and treats a failed read of the
 * first three as fatal: a FIFO would hang it, a directory abort the scan. */
static const char *const libpci_files[] = {"vendor", "device", "class", "revision",
                                           "subsystem_vendor", "subsystem_device",
                                           "numa_node", "config"};
#define LIBPCI_MANDATORY 3
#define NLIBPCI_FILES (sizeof libpci_files / sizeof libpci_files[0])

static void add_link(arena *a, struct pci_addr **v, size_t *n, size_t *cap,
                     const struct pci_addr *addr)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 4;
        *v = arena_realloc(a, *v, *cap * sizeof **v, nc * sizeof **v);
        *cap = nc;
    }
    (*v)[(*n)++] = *addr;
}

_Static_assert(NLIBPCI_FILES == 8, "classify_name knows libpci_files by index");

/* Which of the names a device listing looks for n is: an index into
 * libpci_files, or one of these. */
enum { NAME_OTHER = -1, NAME_RESET_METHOD = 100, NAME_RESET, NAME_BOOT_VGA,
       NAME_PCI_BUS, NAME_CONSUMER, NAME_SUPPLIER };

/* A listing has a few dozen names per device and thousands of devices:
 * dispatch on the first byte instead of comparing each name with all. */
static int classify_name(const char *n)
{
    switch (n[0]) {
    case 'v':
        return !strcmp(n, "vendor") ? 0 : NAME_OTHER;
    case 'd':
        return !strcmp(n, "device") ? 1 : NAME_OTHER;
    case 'c':
        if (!strcmp(n, "class"))
            return 2;
        if (!strcmp(n, "config"))
            return 7;
        return !strncmp(n, "consumer:pci:", 13) ? NAME_CONSUMER : NAME_OTHER;
    case 'r':
        if (!strcmp(n, "revision"))
            return 3;
        if (!strcmp(n, "reset_method"))
            return NAME_RESET_METHOD;
        return !strcmp(n, "reset") ? NAME_RESET : NAME_OTHER;
    case 's':
        if (!strcmp(n, "subsystem_vendor"))
            return 4;
        if (!strcmp(n, "subsystem_device"))
            return 5;
        return !strncmp(n, "supplier:pci:", 13) ? NAME_SUPPLIER : NAME_OTHER;
    case 'n':
        return !strcmp(n, "numa_node") ? 6 : NAME_OTHER;
    case 'b':
        return !strcmp(n, "boot_vga") ? NAME_BOOT_VGA : NAME_OTHER;
    case 'p':
        return !strcmp(n, "pci_bus") ? NAME_PCI_BUS : NAME_OTHER;
    default:
        return NAME_OTHER;
    }
}

/* DIR/ENTRY/FILE paths built in one buffer: a scan makes several per
 * device, and arena_printf formats each twice (size, then text).  With DIR
 * open, the calls take ENTRY/FILE relative to it, so the kernel does not
 * walk ROOT/sys/bus/pci/devices again for each of them (a quarter of the
 * cost of a listing or a readlink on the bench tree). */
struct dev_path {
    char *buf;
    size_t dir_len;   /* of DIR/ENTRY */
    size_t base_len;  /* of DIR */
    int dir_fd;       /* DIR, or -1: absolute paths */
    int entry_fd;     /* DIR/ENTRY while open (files then relative to it), or -1 */
    size_t file_off;  /* where FILE starts in buf; 0: the path is DIR/ENTRY */
};

#define DEV_PATH_ENTRY_MAX 256   /* NAME_MAX */
#define DEV_PATH_FILE_MAX 32     /* the longest file asked for, with room */

static void dev_path_init(arena *a, struct dev_path *p, const char *dir, int dir_fd)
{
    p->dir_fd = dir_fd;
    p->entry_fd = -1;
    p->file_off = 0;
    p->base_len = strlen(dir);
    p->buf = arena_alloc(a, p->base_len + DEV_PATH_ENTRY_MAX + DEV_PATH_FILE_MAX + 3);
    memcpy(p->buf, dir, p->base_len);
    p->buf[p->base_len] = '/';
    p->dir_len = p->base_len;
}

/* DIR/entry, also the current directory for dev_path_file() */
static const char *dev_path_entry(struct dev_path *p, const char *entry)
{
    size_t n = strnlen(entry, DEV_PATH_ENTRY_MAX);
    memcpy(p->buf + p->base_len + 1, entry, n);
    p->dir_len = p->base_len + 1 + n;
    p->buf[p->dir_len] = '\0';
    p->entry_fd = -1;
    p->file_off = 0;
    return p->buf;
}

/* DIR/entry/file (file: one of this file's fixed names) */
static const char *dev_path_file(struct dev_path *p, const char *file)
{
    size_t n = strnlen(file, DEV_PATH_FILE_MAX);
    p->buf[p->dir_len] = '/';
    memcpy(p->buf + p->dir_len + 1, file, n);
    p->buf[p->dir_len + 1 + n] = '\0';
    p->file_off = p->dir_len + 1;
    return p->buf;
}

static const char *dev_path_dir(struct dev_path *p)
{
    p->buf[p->dir_len] = '\0';
    p->file_off = 0;
    return p->buf;
}

/* The path last built, for a *at() call on *fd. */
static const char *dev_path_at(const struct dev_path *p, int *fd)
{
    if (p->file_off && p->entry_fd >= 0) {
        *fd = p->entry_fd;
        return p->buf + p->file_off;
    }
    if (p->dir_fd < 0) {
        *fd = AT_FDCWD;
        return p->buf;
    }
    *fd = p->dir_fd;
    return p->buf + p->base_len + 1;
}

/* What passc reads of one device itself, beside libpci: made by the
 * helper thread (or inline on small hosts), turned into facts and
 * diagnostics by the thread that runs libpci. */
struct dev_own {
    struct dev_listing *l;      /* in the sorted listings, or the helper's own */
    bool listed;                /* found by the precheck */
    const char *bad_file;       /* listing failed: "" the directory, else a file */
    int bad_errno;              /* its errno, or -1: not a regular file */
    bool config_ok, revision_ok, subsys_ok;   /* readable, as libpci would open them */
    const char *driver, *group; /* link targets' last components */
    const char *reset_methods;  /* NULL: unknown */
    bool reset_unreadable;
    int boot_vga;
    bool has_parent;
    struct pci_addr parent;
};

/* Lists DIR/ENTRY into l; false with o->bad_file/bad_errno set when
 * libpci could not read it safely.  getdents64 on an fd of our own rather
 * than opendir(), whose fstat is one more syscall per device. */
static bool list_device_dir(arena *a, struct dev_path *dp, struct dev_listing *l,
                            struct dev_own *o, int *keep_fd)
{
    int at;
    dev_path_dir(dp);
    const char *rel = dev_path_at(dp, &at);
    int fd = openat(at, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        o->bad_file = "";
        o->bad_errno = errno;
        return false;
    }
    unsigned char type[NLIBPCI_FILES];
    memset(type, 0xff, sizeof type);  /* 0xff: not seen */
    _Alignas(struct dirent64) char buf[16384];
    ssize_t got;
    while ((got = getdents64(fd, buf, sizeof buf)) > 0) {
        for (ssize_t off = 0; off < got;) {
            const struct dirent64 *e = (const struct dirent64 *)(buf + off);
            off += e->d_reclen;
            const char *n = e->d_name;
            int k = classify_name(n);
            if (k == NAME_OTHER)
                continue;
            if (k >= 0 && k < (int)NLIBPCI_FILES) {
                type[k] = e->d_type;
                continue;
            }
            switch (k) {
            case NAME_RESET_METHOD: l->reset_method = true; continue;
            case NAME_RESET: l->reset = true; continue;
            case NAME_BOOT_VGA: l->boot_vga = true; continue;
            case NAME_PCI_BUS: l->pci_bus = true; continue;
            default: break;
            }
            struct pci_addr addr;
            const char *why;
            if (pci_addr_parse(n + 13, false, &addr, &why) < 0)
                continue;
            if (k == NAME_CONSUMER)
                add_link(a, &l->cons, &l->ncons, &l->capc, &addr);
            else
                add_link(a, &l->supp, &l->nsupp, &l->caps, &addr);
        }
    }
    /* a failed read ends the listing, as readdir() did: what it left out
     * is then reported missing below */
    for (size_t i = 0; i < NLIBPCI_FILES; i++) {
        if (type[i] == 0xff && i >= LIBPCI_MANDATORY)
            continue;
        int bad = 0;
        if (type[i] == 0xff) {
            bad = ENOENT;
        } else if (type[i] != DT_REG) {
            /* a symlink or a file system without d_type: ask stat */
            struct stat st;
            dev_path_file(dp, libpci_files[i]);
            rel = dev_path_at(dp, &at);
            bad = fstatat(at, rel, &st, 0) != 0 ? errno : !S_ISREG(st.st_mode) ? -1 : 0;
        }
        if (bad) {
            o->bad_file = libpci_files[i];
            o->bad_errno = bad;
            close(fd);
            return false;
        }
    }
    *keep_fd = fd;
    return true;
}

static int listing_cmp(const void *x, const void *y)
{
    return pci_addr_cmp(&((const struct dev_listing *)x)->addr,
                        &((const struct dev_listing *)y)->addr);
}

/* The upstream bridge: the PCI address just above the device in its sysfs
 * path (…/0000:12:02.0/0000:77:00.0).  The devices/ entry's link text is
 * that path, so one readlink suffices (realpath would cost one per path
 * component).  A plain directory (hand-made tree) has no such path: the
 * parent stays unknown. */
static void read_parent(struct dev_path *dp, struct dev_own *o)
{
    char buf[PATH_MAX];
    int at;
    dev_path_dir(dp);
    const char *rel = dev_path_at(dp, &at);
    ssize_t n = readlinkat(at, rel, buf, sizeof buf - 1);
    if (n <= 0)
        return;
    buf[n] = '\0';
    while (n > 1 && buf[n - 1] == '/')
        buf[--n] = '\0';
    char *last = strrchr(buf, '/');
    if (!last)
        return;
    *last = '\0';
    char *up = strrchr(buf, '/');
    up = up ? up + 1 : buf;
    const char *why;
    if (strchr(up, ':') != strrchr(up, ':') &&
        pci_addr_parse(up, false, &o->parent, &why) == 0)
        o->has_parent = true;
}

/* access(R_OK): real ids, as libpci's own opens would be judged */
static bool readable(struct dev_path *dp, const char *file)
{
    int at;
    dev_path_file(dp, file);
    const char *rel = dev_path_at(dp, &at);
    return faccessat(at, rel, R_OK, 0) == 0;
}

/* The last component of a symlink's target (driver -> …/drivers/nvme);
 * NULL when there is no link. */
static const char *link_name(arena *a, struct dev_path *dp, const char *file)
{
    char buf[PATH_MAX];
    int at;
    dev_path_file(dp, file);
    const char *rel = dev_path_at(dp, &at);
    ssize_t n = readlinkat(at, rel, buf, sizeof buf - 1);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    while (n > 1 && buf[n - 1] == '/')
        buf[--n] = '\0';
    const char *base = strrchr(buf, '/');
    base = base ? base + 1 : buf;
    return *base ? arena_strdup(a, base) : NULL;
}

/* reset_method exists since Linux 5.15; an absent file on an older kernel
 * says nothing.  Unknown release: assume old, i.e. do not conclude. */
static int kernel_has_reset_method(const char *rel)
{
    unsigned maj = 0, min = 0;
    if (!rel || sscanf(rel, "%u.%u", &maj, &min) != 2)
        return 0;
    return maj > 5 || (maj == 5 && min >= 15);
}

/* libpci treats a malformed entry name as fatal for the whole scan;
 * checking every name first gives a message that names the entry (and
 * leaves no partial libpci state behind).  The listings, sorted by address,
 * are filled by the scan. */
static int precheck_devices(arena *a, const char *devices, struct diag_list *diags,
                            struct dev_listing **out, size_t *count)
{
    DIR *dir = opendir(devices);
    if (!dir) {
        diag_add(diags, R_F003, (src_loc){0},
                 "cannot read PCI facts: %s: %s", devices, strerror(errno));
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    size_t n = 0, cap = 64;
    struct dev_listing *v = arena_calloc(a, cap, sizeof *v);
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.')
            continue;
        struct pci_addr addr;
        const char *why;
        if (pci_addr_parse(e->d_name, false, &addr, &why) < 0 ||
            strchr(e->d_name, ':') == strrchr(e->d_name, ':')) {
            diag_add(diags, R_F003, (src_loc){0},
                     "cannot read PCI facts: %s/%s is not a PCI device entry",
                     devices, e->d_name);
            rc = -1;
            continue;
        }
        if (n == cap) {
            v = arena_realloc(a, v, cap * sizeof *v, 2 * cap * sizeof *v);
            memset(v + cap, 0, cap * sizeof *v);
            cap *= 2;
        }
        v[n].addr = addr;
        n++;
    }
    closedir(dir);
    if (n)
        qsort(v, n, sizeof *v, listing_cmp);
    *out = v;
    *count = n;
    return rc;
}

/* --- passc's own reads, beside libpci's ---------------------------- */

/* libpci reads a device through absolute paths, a full path walk per file;
 * passc's own reads (the listing, links, reset_method, boot_vga) are
 * relative to the device directory.  On a big host the two are about
 * two to one, and they do not depend on each other, except that libpci
 * may read a device only after its listing proved that safe.  So a helper
 * thread runs ahead making the listings and own reads, in libpci's device
 * order, while the calling thread runs libpci right behind it.  It has an
 * arena of its own (adopted at the end) and reports through struct
 * dev_own, never through the diagnostics list. */
/* Below this many devices the thread costs more than it saves: measured on
 * a 2-core machine, the crossover lies between 256 and 384 (at 4,096 the
 * threaded scan takes ~0.75 of the time). */
#define OWN_THREAD_MIN 384

struct own_scan {
    arena *a;                   /* the helper's arena */
    struct dev_path dp;
    struct dev_listing *listings;
    size_t nlistings;
    const struct pci_addr *addrs;   /* libpci's devices, in its order */
    struct dev_own *own;            /* one per entry of addrs */
    size_t n;
    int reset_known;
    pthread_mutex_t mu;             /* guards the three below */
    pthread_cond_t cv;
    size_t done;                    /* own[0..done) are ready */
    bool stop, waiting;
};

static void own_read(struct own_scan *s, size_t i)
{
    arena *a = s->a;
    struct dev_own *o = &s->own[i];
    o->boot_vga = -1;
    char bdf[24];
    pci_addr_format(&s->addrs[i], bdf);
    struct dev_listing key = {.addr = s->addrs[i]};
    o->l = s->nlistings ? bsearch(&key, s->listings, s->nlistings, sizeof key,
                                  listing_cmp) : NULL;
    o->listed = o->l != NULL;
    if (!o->l) {
        o->l = arena_calloc(a, 1, sizeof *o->l);
        o->l->addr = s->addrs[i];
    }
    struct dev_listing *l = o->l;
    struct dev_path *dp = &s->dp;
    dev_path_entry(dp, bdf);
    int fd = -1;
    if (!list_device_dir(a, dp, l, o, &fd) && o->listed)
        return;  /* libpci must not read it; the scan fails */
    /* a device that appeared after the precheck and cannot be listed is
     * read best effort, by absolute paths */
    dp->entry_fd = fd;
    /* libpci falls back to config space and reports 0xff… as known when
     * that is unreadable too: a value is trusted only with a source */
    o->config_ok = readable(dp, "config");
    if (!o->config_ok) {
        o->revision_ok = readable(dp, "revision");
        o->subsys_ok = readable(dp, "subsystem_vendor") &&
                       readable(dp, "subsystem_device");
    }
    o->driver = link_name(a, dp, "driver");
    o->group = link_name(a, dp, "iommu_group");
    if (l->reset_method) {
        int at;
        dev_path_file(dp, "reset_method");
        const char *rel = dev_path_at(dp, &at);
        o->reset_methods = sysfs_read_line_at(a, at, rel);
        o->reset_unreadable = !o->reset_methods;
    } else if (!l->reset && s->reset_known) {
        o->reset_methods = "";    /* the kernel hides both files when no method works */
    }   /* else: resettable on a kernel that predates reset_method: unknown */
    if (l->boot_vga) {
        int at;
        dev_path_file(dp, "boot_vga");
        const char *rel = dev_path_at(dp, &at);
        const char *bv = sysfs_read_line_at(a, at, rel);
        o->boot_vga = bv && !strcmp(bv, "1") ? 1 : bv && !strcmp(bv, "0") ? 0 : -1;
    }
    dp->entry_fd = -1;
    read_parent(dp, o);
    if (fd >= 0)
        close(fd);
}

/* Progress goes through one mutex rather than bare atomics: a lock per
 * device costs nothing next to its dozen syscalls, and every tool
 * (helgrind, TSan) can follow it. */
static void *own_thread(void *arg)
{
    struct own_scan *s = arg;
    for (size_t i = 0; i < s->n; i++) {
        own_read(s, i);
        pthread_mutex_lock(&s->mu);
        s->done = i + 1;
        bool stop = s->stop;
        if (s->waiting)
            pthread_cond_signal(&s->cv);
        pthread_mutex_unlock(&s->mu);
        if (stop)
            break;
    }
    return NULL;
}

static void own_wait(struct own_scan *s, size_t i)
{
    pthread_mutex_lock(&s->mu);
    while (s->done <= i) {
        s->waiting = true;
        pthread_cond_wait(&s->cv, &s->mu);
    }
    s->waiting = false;
    pthread_mutex_unlock(&s->mu);
}

/* The helper's state, once per scan.  *threaded: whether a helper runs
 * (else the caller calls own_read() itself, device by device). */
static struct own_scan *own_start(arena *a, const char *devices, int devices_fd,
                                  struct dev_listing *listings, size_t nlistings,
                                  const struct pci_addr *addrs, size_t n,
                                  int reset_known, pthread_t *tid, bool *threaded)
{
    struct own_scan *s = arena_alloc(a, sizeof *s);
    s->listings = listings;
    s->nlistings = nlistings;
    s->addrs = addrs;
    s->n = n;
    s->own = arena_calloc(a, n ? n : 1, sizeof *s->own);
    s->reset_known = reset_known;
    *threaded = false;
    if (n < OWN_THREAD_MIN) {
        s->a = a;
        dev_path_init(a, &s->dp, devices, devices_fd);
        return s;
    }
    s->a = arena_new();
    dev_path_init(s->a, &s->dp, devices, devices_fd);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    /* no thread (resource limits): the same reads, inline */
    *threaded = pthread_create(tid, NULL, own_thread, s) == 0;
    if (!*threaded) {
        pthread_cond_destroy(&s->cv);
        pthread_mutex_destroy(&s->mu);
    }
    return s;
}

static void own_finish(arena *a, struct own_scan *s, pthread_t tid, bool threaded)
{
    if (threaded) {
        pthread_mutex_lock(&s->mu);
        s->stop = true;
        pthread_mutex_unlock(&s->mu);
        pthread_join(tid, NULL);
        pthread_cond_destroy(&s->cv);
        pthread_mutex_destroy(&s->mu);
    }
    if (s->a != a)
        arena_adopt(a, s->a);
}

static const char *lookup(struct pci_access *pacc, arena *a, int flags,
                          unsigned v, unsigned d)
{
    char buf[256];
    const char *s = pci_lookup_name(pacc, buf, sizeof buf,
                                    flags | PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB,
                                    v, d);
    return s ? arena_strdup(a, s) : NULL;
}

/* One libpci device with passc's own reads of it (o) into d; false when it
 * is left out. */
static bool fill_device(struct scan_ctx *ctx, struct pci_access *pacc,
                        struct pci_dev *p, const struct dev_own *o,
                        const char *devices, bool *unreadable, struct facts_device *d)
{
    arena *a = ctx->a;
    char bdf[24];
    pci_addr_format(&d->addr, bdf);
    if (o->bad_file && !*o->bad_file && o->bad_errno == ENOENT) {
        /* its entry was listed but leads nowhere now: unplugged (or being
         * removed) while passc read the others.  Absent is the fact. */
        diag_add(ctx->diags, R_F002, (src_loc){0},
                 "%s: removed during the scan; left out", bdf);
        return false;
    }
    if (o->bad_file) {
        /* libpci opens its files without O_NONBLOCK and dies on a missing
         * one, so it reads only a device whose files are there and regular */
        const char *sep = *o->bad_file ? "/" : "";
        diag_add_sev(ctx->diags, R_F003, o->listed ? SEV_ERROR : SEV_WARNING,
                 (src_loc){0}, "cannot read PCI facts: %s/%s%s%s: %s", devices, bdf,
                 sep, o->bad_file,
                 o->bad_errno > 0 ? strerror(o->bad_errno) : "not a regular file");
        if (o->listed) {
            *unreadable = true;  /* reported; the scan fails at the end */
            return false;
        }
    }
    /* Not PCI_FILL_IOMMU_GROUP / PCI_FILL_DRIVER: libpci resolves each of
     * those links with realpath (a syscall per path component, doubling
     * the scan time on big hosts); the basename of one readlink is the
     * same fact (run-facts.sh checks it against lspci). */
    int want = PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CLASS_EXT |
               PCI_FILL_SUBSYS | PCI_FILL_NUMA_NODE;
    int known = pci_fill_info(p, want);
    if (!(known & PCI_FILL_IDENT) || !(known & PCI_FILL_CLASS)) {
        diag_add(ctx->diags, R_F002, (src_loc){0},
                 "%s: id or class unreadable; device left out", bdf);
        return false;
    }
    d->id.vendor = p->vendor_id;
    d->id.device = p->device_id;
    d->class_code = (uint32_t)p->device_class << 8;
    d->vendor_name = lookup(pacc, a, PCI_LOOKUP_VENDOR, p->vendor_id, 0);
    d->device_name = lookup(pacc, a, PCI_LOOKUP_DEVICE, p->vendor_id, p->device_id);
    if (known & PCI_FILL_CLASS_EXT)
        d->class_code |= p->prog_if;
    if ((known & PCI_FILL_CLASS_EXT) && (o->config_ok || o->revision_ok))
        d->revision = p->rev_id;
    else
        d->revision_unknown = true;
    if ((known & PCI_FILL_SUBSYS) && (o->config_ok || o->subsys_ok)) {
        d->subsys.vendor = p->subsys_vendor_id;
        d->subsys.device = p->subsys_id;
    } else {
        d->subsys_unknown = true;
    }
    d->driver = o->driver;
    d->iommu_group = -1;
    if (o->group) {
        char *end;
        long g = strtol(o->group, &end, 10);
        if (*o->group && !*end && g >= 0 && g <= INT_MAX)
            d->iommu_group = (int)g;
        else
            diag_add(ctx->diags, R_F002, (src_loc){0},
                     "%s: IOMMU group '%s' is not a number; left unknown", bdf, o->group);
    }
    d->numa_node = (known & PCI_FILL_NUMA_NODE) && p->numa_node >= 0 ? p->numa_node : -1;
    d->reset_methods = o->reset_methods;
    if (o->reset_unreadable)
        diag_add(ctx->diags, R_F002, (src_loc){0},
                 "%s: reset_method unreadable; reset methods unknown", bdf);
    d->boot_vga = o->boot_vga;
    d->is_bridge = (d->class_code >> 8) == 0x0604 || o->l->pci_bus;
    d->consumers = o->l->cons;
    d->nconsumers = o->l->ncons;
    d->suppliers = o->l->supp;
    d->nsuppliers = o->l->nsupp;
    d->has_parent = o->has_parent;
    d->parent = o->parent;
    return true;
}

/* The libpci part.  Separate function so that the setjmp frame holds only
 * what the jump may leave behind. */
static int scan_pci(struct scan_ctx *ctx, const char *sysfs_pci, const char *ids_file,
                    const char *devices, int devices_fd, int reset_known,
                    struct facts *f, struct dev_listing *listings, size_t expect)
{
    arena *a = ctx->a;
    struct pci_access *volatile pacc = pci_alloc();
    pacc->error = pci_error_hook;
    pacc->warning = pci_warning_hook;
    pacc->debug = pci_debug_hook;
    pacc->method = PCI_ACCESS_SYS_BUS_PCI;
    current_scan = ctx;
    ctx->own = NULL;
    if (setjmp(ctx->on_error)) {
        if (ctx->own)
            own_finish(a, ctx->own, ctx->own_tid, ctx->own_threaded);
        diag_add(ctx->diags, R_F003, (src_loc){0},
                 "cannot read PCI facts: libpci: %s", ctx->msg);
        /* libpci raises its errors where its lists are whole (before an
         * allocation or after a close), so its state can be freed; should
         * the cleanup itself fail, the rest is left to the exit. */
        if (!setjmp(ctx->on_error))
            pci_cleanup(pacc);
        current_scan = NULL;
        return -1;
    }
    pci_set_param(pacc, "sysfs.path", (char *)sysfs_pci);
    pci_set_param(pacc, "hwdb.disable", "1");
    if (ids_file)
        pci_set_name_list_path(pacc, (char *)ids_file, 0);
    pci_init(pacc);
    pci_scan_bus(pacc);

    size_t total = 0;
    for (struct pci_dev *p = pacc->devices; p; p = p->next)
        total++;
    struct pci_addr *addrs = arena_calloc(a, total ? total : 1, sizeof *addrs);
    size_t i = 0;
    for (struct pci_dev *p = pacc->devices; p; p = p->next, i++) {
        addrs[i].domain = (uint32_t)p->domain;
        addrs[i].bus = p->bus;
        addrs[i].slot = p->dev;
        addrs[i].func = p->func;
    }
    f->devs = arena_calloc(a, total ? total : 1, sizeof *f->devs);
    /* libpci lists devices in directory order; the listings are sorted by
     * address, so each device's listing says where it goes and facts_sort()
     * finds them in order.  UINT32_MAX: no device for that listing. */
    uint32_t *place = arena_alloc(a, (expect + 1) * sizeof *place);
    memset(place, 0xff, (expect + 1) * sizeof *place);
    bool threaded;
    struct own_scan *s = own_start(a, devices, devices_fd, listings, expect, addrs, total,
                                   reset_known, &ctx->own_tid, &threaded);
    ctx->own_threaded = threaded;
    ctx->own = s;
    bool by_listing = true, unreadable = false;
    size_t n = 0;
    i = 0;
    for (struct pci_dev *p = pacc->devices; p; p = p->next, i++) {
        if (threaded)
            own_wait(s, i);
        else
            own_read(s, i);
        const struct dev_own *o = &s->own[i];
        struct facts_device *d = &f->devs[n];
        memset(d, 0, sizeof *d);
        d->addr = addrs[i];
        if (!fill_device(ctx, pacc, p, o, devices, &unreadable, d))
            continue;
        if (o->listed && place[o->l - listings] == UINT32_MAX)
            place[o->l - listings] = (uint32_t)n;
        else
            by_listing = false;  /* new or listed twice: facts_sort sorts */
        n++;
    }
    current_scan = NULL;
    ctx->own = NULL;
    own_finish(a, s, ctx->own_tid, threaded);
    pci_cleanup(pacc);
    if (unreadable)
        return -1;
    if (by_listing && n > 1) {
        struct facts_device *sorted = arena_alloc(a, n * sizeof *sorted);
        size_t k = 0;
        for (size_t j = 0; j < expect; j++)
            if (place[j] != UINT32_MAX)
                sorted[k++] = f->devs[place[j]];
        f->devs = sorted;
    }
    f->ndevs = n;
    return 0;
}

int facts_read_sysfs(arena *a, const char *root, const char *ids_file,
                     struct facts *out, struct diag_list *diags)
{
    memset(out, 0, sizeof *out);
    if (!root || !*root)
        root = "/";
    struct stat st;
    if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) {
        diag_add(diags, R_F003, (src_loc){0},
                 "cannot read host facts: %s is not a directory", root);
        return -1;
    }
    if (ids_file && access(ids_file, R_OK) != 0) {
        diag_add(diags, R_F003, (src_loc){0},
                 "cannot read PCI names: %s: %s", ids_file, strerror(errno));
        return -1;
    }
    struct facts f;
    memset(&f, 0, sizeof f);
    read_host(a, root, &f);
    const char *sysfs_pci = sysfs_path(a, root, "sys/bus/pci");
    const char *devices = arena_printf(a, "%s/devices", sysfs_pci);
    size_t expect;
    struct dev_listing *listings;
    if (precheck_devices(a, devices, diags, &listings, &expect) < 0)
        return -1;
    struct scan_ctx *ctx = arena_alloc(a, sizeof *ctx);
    ctx->diags = diags;
    ctx->a = a;
    /* -1 is fine: the per-device calls then take absolute paths */
    int devices_fd = open(devices, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = scan_pci(ctx, sysfs_pci, ids_file, devices, devices_fd,
                      kernel_has_reset_method(f.kernel_release), &f, listings, expect);
    if (devices_fd >= 0)
        close(devices_fd);
    if (rc < 0)
        return -1;
    facts_sort(&f);
    for (size_t i = 1; i < f.ndevs; i++)
        if (pci_addr_eq(&f.devs[i - 1].addr, &f.devs[i].addr)) {
            char bdf[24];
            diag_add(diags, R_F003, (src_loc){0},
                     "cannot read PCI facts: %s listed twice",
                     pci_addr_format(&f.devs[i].addr, bdf));
            return -1;
        }
    facts_find_host_uses(a, root, &f, diags);
    facts_read_kmod(a, root, &f, diags);
    facts_read_vms(a, root, &f, diags);
    f.origin = strcmp(root, "/") ? arena_printf(a, "root %s", root) : "live /sys";
    *out = f;
    return 0;
}
