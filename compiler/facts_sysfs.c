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

/* consumer:pci:0000:79:00.3 / supplier:pci:… entries of a device dir. */
static void read_links(arena *a, const char *devdir, struct facts_device *d)
{
    DIR *dir = opendir(devdir);
    if (!dir)
        return;
    size_t capc = 0, caps = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        bool cons = !strncmp(e->d_name, "consumer:pci:", 13);
        bool supp = !strncmp(e->d_name, "supplier:pci:", 13);
        if (!cons && !supp)
            continue;
        struct pci_addr addr;
        const char *why;
        if (pci_addr_parse(e->d_name + 13, false, &addr, &why) < 0)
            continue;
        struct pci_addr **v = cons ? &d->consumers : &d->suppliers;
        size_t *n = cons ? &d->nconsumers : &d->nsuppliers;
        size_t *cap = cons ? &capc : &caps;
        if (*n == *cap) {
            size_t nc = *cap ? *cap * 2 : 4;
            *v = arena_realloc(a, *v, *cap * sizeof **v, nc * sizeof **v);
            *cap = nc;
        }
        (*v)[(*n)++] = addr;
    }
    closedir(dir);
}

/* The upstream bridge: the PCI address just above the device in its
 * resolved sysfs path (…/0000:12:02.0/0000:77:00.0).  A fake tree of plain
 * directories has no such path: the parent stays unknown. */
static void read_parent(arena *a, const char *devdir, struct facts_device *d)
{
    char *real = realpath(devdir, NULL);
    if (!real)
        return;
    char *copy = arena_strdup(a, real);
    free(real);
    char *last = strrchr(copy, '/');
    if (!last)
        return;
    *last = '\0';
    char *up = strrchr(copy, '/');
    const char *why;
    if (up && pci_addr_parse(up + 1, false, &d->parent, &why) == 0)
        d->has_parent = true;
}

static void read_device_files(arena *a, const char *devdir, int kernel_has_reset_method,
                              struct facts_device *d)
{
    const char *rm = sysfs_read_line(a, arena_printf(a, "%s/reset_method", devdir));
    if (rm)
        d->reset_methods = rm;
    else if (access(arena_printf(a, "%s/reset", devdir), F_OK) == 0)
        d->reset_methods = NULL;  /* resettable, but the kernel predates reset_method */
    else if (kernel_has_reset_method)
        d->reset_methods = "";    /* the kernel hides both files when no method works */
    else
        d->reset_methods = NULL;
    const char *bv = sysfs_read_line(a, arena_printf(a, "%s/boot_vga", devdir));
    d->boot_vga = bv && !strcmp(bv, "1") ? 1 : bv && !strcmp(bv, "0") ? 0 : -1;
    struct stat st;
    d->is_bridge = (d->class_code >> 8) == 0x0604 ||
                   (stat(arena_printf(a, "%s/pci_bus", devdir), &st) == 0 &&
                    S_ISDIR(st.st_mode));
    read_links(a, devdir, d);
    read_parent(a, devdir, d);
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

/* libpci treats a malformed entry as fatal for the whole scan; checking
 * first gives a message that names the entry (and no partial state). */
static int precheck_devices(arena *a, const char *devices, struct diag_list *diags,
                            size_t *count)
{
    DIR *dir = opendir(devices);
    if (!dir) {
        diag_add(diags, FACTS_RULE_HOST, SEV_ERROR, (src_loc){0},
                 "cannot read PCI facts: %s: %s", devices, strerror(errno));
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    *count = 0;
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
        static const char *const must[] = {"vendor", "device", "class"};
        for (size_t i = 0; i < 3; i++) {
            const char *p = arena_printf(a, "%s/%s/%s", devices, e->d_name, must[i]);
            if (!sysfs_read_line(a, p)) {
                diag_add(diags, FACTS_RULE_HOST, SEV_ERROR, (src_loc){0},
                         "cannot read PCI facts: %s: %s", p,
                         errno ? strerror(errno) : "empty");
                rc = -1;
                break;
            }
        }
        (*count)++;
    }
    closedir(dir);
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
                    const char *devices, int reset_known, struct facts *f,
                    size_t expect)
{
    arena *a = ctx->a;
    struct pci_access *volatile pacc = pci_alloc();
    pacc->error = pci_error_hook;
    pacc->warning = pci_warning_hook;
    pacc->debug = pci_debug_hook;
    pacc->method = PCI_ACCESS_SYS_BUS_PCI;
    current_scan = ctx;
    if (setjmp(ctx->on_error)) {
        /* libpci's partial state is not safe to clean up after the jump. */
        current_scan = NULL;
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
    for (struct pci_dev *p = pacc->devices; p; p = p->next) {
        if (n == cap) {  /* a device appeared after the precheck */
            f->devs = arena_realloc(a, f->devs, cap * sizeof *f->devs,
                                    2 * cap * sizeof *f->devs);
            cap *= 2;
        }
        int want = PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CLASS_EXT |
                   PCI_FILL_SUBSYS | PCI_FILL_IOMMU_GROUP | PCI_FILL_DRIVER |
                   PCI_FILL_NUMA_NODE;
        int known = pci_fill_info(p, want);
        struct facts_device *d = &f->devs[n];
        memset(d, 0, sizeof *d);
        d->addr.domain = (uint32_t)p->domain;
        d->addr.bus = p->bus;
        d->addr.slot = p->dev;
        d->addr.func = p->func;
        char bdf[24];
        pci_addr_format(&d->addr, bdf);
        if (!(known & PCI_FILL_IDENT) || !(known & PCI_FILL_CLASS)) {
            diag_add(ctx->diags, FACTS_RULE_DEVICE, SEV_WARNING, (src_loc){0},
                     "%s: id or class unreadable; device left out", bdf);
            continue;
        }
        d->id.vendor = p->vendor_id;
        d->id.device = p->device_id;
        d->class_code = (uint32_t)p->device_class << 8;
        if (known & PCI_FILL_CLASS_EXT) {
            d->class_code |= p->prog_if;
            d->revision = p->rev_id;
        }
        if (known & PCI_FILL_SUBSYS) {
            d->subsys.vendor = p->subsys_vendor_id;
            d->subsys.device = p->subsys_id;
        }
        d->vendor_name = lookup(pacc, a, PCI_LOOKUP_VENDOR, p->vendor_id, 0);
        d->device_name = lookup(pacc, a, PCI_LOOKUP_DEVICE, p->vendor_id, p->device_id);
        const char *drv = (known & PCI_FILL_DRIVER) ?
                          pci_get_string_property(p, PCI_FILL_DRIVER) : NULL;
        d->driver = drv ? arena_strdup(a, drv) : NULL;
        const char *grp = (known & PCI_FILL_IOMMU_GROUP) ?
                          pci_get_string_property(p, PCI_FILL_IOMMU_GROUP) : NULL;
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
        read_device_files(a, arena_printf(a, "%s/%s", devices, bdf), reset_known, d);
        n++;
    }
    current_scan = NULL;
    pci_cleanup(pacc);
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
    if (precheck_devices(a, devices, diags, &expect) < 0)
        return -1;
    struct scan_ctx *ctx = arena_alloc(a, sizeof *ctx);
    ctx->diags = diags;
    ctx->a = a;
    if (scan_pci(ctx, sysfs_pci, ids_file, devices,
                 kernel_has_reset_method(f.kernel_release), &f, expect) < 0)
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
