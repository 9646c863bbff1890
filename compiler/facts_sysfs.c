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
#include <setjmp.h>
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
    int dev_fd;   /* the device directory open during the scan, or -1 */
};
static _Thread_local struct scan_ctx *current_scan;

static void pci_error_hook(char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));
static void pci_error_hook(char *fmt, ...)
{
    struct scan_ctx *c = current_scan;
    va_list ap;
    va_start(ap, fmt);
    if (c)
        vsnprintf(c->msg, sizeof c->msg, fmt, ap);
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
    /* libpci repeats a warning for each field it falls back on */
    const struct diag *last = c->diags->tail;
    if (last && !strncmp(last->msg, "libpci: ", 8) && !strcmp(last->msg + 8, buf))
        return;
    diag_add(c->diags, FACTS_RULE_DEVICE, SEV_WARNING, (src_loc){0},
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
 * Made for each device just before libpci reads it; the directory then
 * stays open for passc's own reads of that device. */
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

/* Returns 0, or -1 with an error naming the file libpci could not read.
 * getdents64 on an fd of our own rather than opendir(), whose fstat is one
 * more syscall per device. */
static int list_device_dir(arena *a, struct dev_path *dp, struct dev_listing *l,
                           struct diag_list *diags, int *keep_fd)
{
    const char *devdir = dev_path_dir(dp);
    int at;
    const char *rel = dev_path_at(dp, &at);
    int fd = openat(at, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        diag_add(diags, FACTS_RULE_HOST, SEV_ERROR, (src_loc){0},
                 "cannot read PCI facts: %s: %s", devdir, strerror(errno));
        return -1;
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
            const char *p = arena_printf(a, "%s/%s", devdir, libpci_files[i]);
            bad = stat(p, &st) != 0 ? errno : !S_ISREG(st.st_mode) ? -1 : 0;
        }
        if (bad) {
            diag_add(diags, FACTS_RULE_HOST, SEV_ERROR, (src_loc){0},
                     "cannot read PCI facts: %s/%s: %s", devdir, libpci_files[i],
                     bad > 0 ? strerror(bad) : "not a regular file");
            close(fd);
            return -1;
        }
    }
    if (keep_fd)
        *keep_fd = fd;
    else
        close(fd);
    return 0;
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
static void read_parent(struct dev_path *dp, struct facts_device *d)
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
        pci_addr_parse(up, false, &d->parent, &why) == 0)
        d->has_parent = true;
}

static void read_device_files(arena *a, struct dev_path *dp, const char *bdf,
                              const struct dev_listing *l, int kernel_has_reset_method,
                              struct facts_device *d, struct diag_list *diags)
{
    d->reset_methods = NULL;
    d->boot_vga = -1;
    if (l->reset_method) {
        int at;
        dev_path_file(dp, "reset_method");
        const char *rel = dev_path_at(dp, &at);
        d->reset_methods = sysfs_read_line_at(a, at, rel);
        if (!d->reset_methods)
            diag_add(diags, FACTS_RULE_DEVICE, SEV_WARNING, (src_loc){0},
                     "%s: reset_method unreadable; reset methods unknown", bdf);
    } else if (!l->reset && kernel_has_reset_method) {
        d->reset_methods = "";    /* the kernel hides both files when no method works */
    }   /* else: resettable on a kernel that predates reset_method: unknown */
    if (l->boot_vga) {
        int at;
        dev_path_file(dp, "boot_vga");
        const char *rel = dev_path_at(dp, &at);
        const char *bv = sysfs_read_line_at(a, at, rel);
        d->boot_vga = bv && !strcmp(bv, "1") ? 1 : bv && !strcmp(bv, "0") ? 0 : -1;
    }
    d->is_bridge = (d->class_code >> 8) == 0x0604 || l->pci_bus;
    d->consumers = l->cons;
    d->nconsumers = l->ncons;
    d->suppliers = l->supp;
    d->nsuppliers = l->nsupp;
    read_parent(dp, d);
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
        diag_add(diags, FACTS_RULE_HOST, SEV_ERROR, (src_loc){0},
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
            diag_add(diags, FACTS_RULE_HOST, SEV_ERROR, (src_loc){0},
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

static const char *lookup(struct pci_access *pacc, arena *a, int flags,
                          unsigned v, unsigned d)
{
    char buf[256];
    const char *s = pci_lookup_name(pacc, buf, sizeof buf,
                                    flags | PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB,
                                    v, d);
    return s ? arena_strdup(a, s) : NULL;
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
    ctx->dev_fd = -1;
    if (setjmp(ctx->on_error)) {
        /* libpci's partial state is not safe to clean up after the jump. */
        current_scan = NULL;
        if (ctx->dev_fd >= 0)
            close(ctx->dev_fd);
        diag_add(ctx->diags, FACTS_RULE_HOST, SEV_ERROR, (src_loc){0},
                 "cannot read PCI facts: libpci: %s", ctx->msg);
        return -1;
    }
    pci_set_param(pacc, "sysfs.path", (char *)sysfs_pci);
    pci_set_param(pacc, "hwdb.disable", "1");
    if (ids_file)
        pci_set_name_list_path(pacc, (char *)ids_file, 0);
    pci_init(pacc);
    pci_scan_bus(pacc);

    size_t n = 0, cap = expect + 1;
    f->devs = arena_calloc(a, cap, sizeof *f->devs);
    struct dev_path dp;
    dev_path_init(a, &dp, devices, devices_fd);
    /* libpci lists devices in directory order; the listings are sorted by
     * address, so each device's listing says where it goes and facts_sort()
     * finds them in order.  UINT32_MAX: no device for that listing. */
    uint32_t *place = arena_alloc(a, (expect + 1) * sizeof *place);
    memset(place, 0xff, (expect + 1) * sizeof *place);
    bool by_listing = true, unreadable = false;
    for (struct pci_dev *p = pacc->devices; p; p = p->next) {
        if (n == cap) {  /* a device appeared after the precheck */
            f->devs = arena_realloc(a, f->devs, cap * sizeof *f->devs,
                                    2 * cap * sizeof *f->devs);
            cap *= 2;
        }
        struct facts_device *d = &f->devs[n];
        memset(d, 0, sizeof *d);
        d->addr.domain = (uint32_t)p->domain;
        d->addr.bus = p->bus;
        d->addr.slot = p->dev;
        d->addr.func = p->func;
        char bdf[24];
        pci_addr_format(&d->addr, bdf);
        /* The listing first: libpci opens its files without O_NONBLOCK
         * and dies on a missing one, so it reads only a device whose files
         * are there and regular. */
        struct dev_listing key = {.addr = d->addr}, *l;
        l = expect ? bsearch(&key, listings, expect, sizeof *listings, listing_cmp) : NULL;
        bool listed = l != NULL;
        if (!l)
            l = arena_calloc(a, 1, sizeof *l);
        dev_path_entry(&dp, bdf);
        int dev_fd = -1;
        if (list_device_dir(a, &dp, l, ctx->diags, &dev_fd) < 0) {
            if (listed) {
                unreadable = true;  /* reported; the scan fails at the end */
                continue;
            }
            /* appeared after the precheck: best effort, as before; only
             * this device's extra facts are unknown */
            ctx->diags->tail->sev = SEV_WARNING;
            ctx->diags->n[SEV_ERROR]--;
            ctx->diags->n[SEV_WARNING]++;
        }
        dp.entry_fd = ctx->dev_fd = dev_fd;
        /* Not PCI_FILL_IOMMU_GROUP / PCI_FILL_DRIVER: libpci resolves
         * each of those links with realpath (a syscall per path component,
         * doubling the scan time on big hosts); the basename of one
         * readlink is the same fact (run-facts.sh checks it against lspci). */
        int want = PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CLASS_EXT |
                   PCI_FILL_SUBSYS | PCI_FILL_NUMA_NODE;
        int known = pci_fill_info(p, want);
        if (!(known & PCI_FILL_IDENT) || !(known & PCI_FILL_CLASS)) {
            diag_add(ctx->diags, FACTS_RULE_DEVICE, SEV_WARNING, (src_loc){0},
                     "%s: id or class unreadable; device left out", bdf);
            if (dev_fd >= 0)
                close(dev_fd);
            dp.entry_fd = ctx->dev_fd = -1;
            continue;
        }
        d->id.vendor = p->vendor_id;
        d->id.device = p->device_id;
        d->class_code = (uint32_t)p->device_class << 8;
        d->vendor_name = lookup(pacc, a, PCI_LOOKUP_VENDOR, p->vendor_id, 0);
        d->device_name = lookup(pacc, a, PCI_LOOKUP_DEVICE, p->vendor_id, p->device_id);
        /* libpci falls back to config space and reports 0xff… as known
         * when that is unreadable too: trust a value only with a source. */
        bool config = readable(&dp, "config");
        if (known & PCI_FILL_CLASS_EXT)
            d->class_code |= p->prog_if;
        if ((known & PCI_FILL_CLASS_EXT) && (config || readable(&dp, "revision")))
            d->revision = p->rev_id;
        else
            d->revision_unknown = true;
        if ((known & PCI_FILL_SUBSYS) &&
            (config || (readable(&dp, "subsystem_vendor") &&
                        readable(&dp, "subsystem_device")))) {
            d->subsys.vendor = p->subsys_vendor_id;
            d->subsys.device = p->subsys_id;
        } else {
            d->subsys_unknown = true;
        }
        d->driver = link_name(a, &dp, "driver");
        const char *grp = link_name(a, &dp, "iommu_group");
        d->iommu_group = -1;
        if (grp) {
            char *end;
            long g = strtol(grp, &end, 10);
            if (*grp && !*end && g >= 0 && g <= INT_MAX)
                d->iommu_group = (int)g;
            else
                diag_add(ctx->diags, FACTS_RULE_DEVICE, SEV_WARNING, (src_loc){0},
                         "%s: IOMMU group '%s' is not a number; left unknown", bdf, grp);
        }
        d->numa_node = (known & PCI_FILL_NUMA_NODE) && p->numa_node >= 0 ?
                       p->numa_node : -1;
        read_device_files(a, &dp, bdf, l, reset_known, d, ctx->diags);
        if (dev_fd >= 0)
            close(dev_fd);
        dp.entry_fd = ctx->dev_fd = -1;
        if (listed && place[l - listings] == UINT32_MAX)
            place[l - listings] = (uint32_t)n;
        else
            by_listing = false;  /* new or listed twice: facts_sort sorts */
        n++;
    }
    current_scan = NULL;
    pci_cleanup(pacc);
    if (unreadable)
        return -1;
    if (by_listing && n > 1) {
        struct facts_device *sorted = arena_alloc(a, n * sizeof *sorted);
        size_t k = 0;
        for (size_t i = 0; i < expect; i++)
            if (place[i] != UINT32_MAX)
                sorted[k++] = f->devs[place[i]];
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
        diag_add(diags, FACTS_RULE_HOST, SEV_ERROR, (src_loc){0},
                 "cannot read host facts: %s is not a directory", root);
        return -1;
    }
    if (ids_file && access(ids_file, R_OK) != 0) {
        diag_add(diags, FACTS_RULE_HOST, SEV_ERROR, (src_loc){0},
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
            diag_add(diags, FACTS_RULE_HOST, SEV_ERROR, (src_loc){0},
                     "cannot read PCI facts: %s listed twice",
                     pci_addr_format(&f.devs[i].addr, bdf));
            return -1;
        }
    facts_find_host_uses(a, root, &f, diags);
    f.origin = strcmp(root, "/") ? arena_printf(a, "root %s", root) : "live /sys";
    *out = f;
    return 0;
}
