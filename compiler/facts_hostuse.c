/* facts_hostuse.c — what the host itself needs a PCI device for.
 *
 * Each use is followed from what the host runs on down to a PCI function:
 *  - root, /boot, /boot/efi and swap: ROOT/proc/mounts and ROOT/proc/swaps
 *    name a block device; ROOT/sys/class/block/X resolves to a path under
 *    the PCI controller (device-mapper and md devices through slaves/).
 *  - ZFS pools: the kernel exports no pool membership in sysfs, and
 *    `zpool` may not exist where facts are read.  passc reads `zpool status
 *    -P` output from ROOT/run/passc/zpool-status when that file exists (tests,
 *    or an admin who saved it); on the live root without that file it runs
 *    `zpool status -P` itself when /sbin/zpool or /usr/sbin/zpool exists.
 *    Each /dev/… member is followed like a mounted disk.
 *  - mgmt-nic: the interface of the default route (ROOT/proc/net/route) and,
 *    if it is a bridge or bond, its ports (brif/, lower_*).
 *  - bridge-port: any port of a Linux bridge vmbr* (brif/).
 *  - console: boot_vga = 1, or the PCI device behind fb0.
 *  - keyboard: an xHCI (class 0c0330) below which a USB interface has
 *    bInterfaceClass 03 (HID) and bInterfaceProtocol 01 (keyboard).
 * Nothing found is no use; an unreadable tree is silently "no use known". */
#include "facts.h"
#include "facts_impl.h"

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "pci_class.h"
#include "strbuf.h"
#include "sysfs_util.h"

#define MAX_HOPS 8  /* slaves/ and lower_* chains; loops stop here */

struct uses_ctx {
    arena *a;
    const char *root;
    struct facts *f;
    struct strbuf *detail;   /* per device, built then joined */
    const char *zfs_mounts[2];  /* pools of / and /boot when they are ZFS */
};

/* The PCI function a sysfs path hangs below: the last path component that
 * is a full PCI address. */
static bool pci_of_path(const char *real, struct pci_addr *out)
{
    bool found = false;
    const char *p = real;
    char comp[NAME_MAX + 1];
    while (*p) {
        while (*p == '/')
            p++;
        size_t n = strcspn(p, "/");
        if (n && n < sizeof comp) {
            memcpy(comp, p, n);
            comp[n] = '\0';
            struct pci_addr a;
            const char *why;
            if (strchr(comp, ':') != strrchr(comp, ':') &&
                pci_addr_parse(comp, false, &a, &why) == 0) {
                *out = a;
                found = true;
            }
        }
        p += n;
    }
    return found;
}

static void mark(struct uses_ctx *c, const struct pci_addr *addr,
                 enum host_use use, const char *why)
{
    struct facts_device *d = (struct facts_device *)facts_find(c->f, addr);
    if (!d)
        return;
    size_t i = (size_t)(d - c->f->devs);
    unsigned bit = 0;
    while ((1u << bit) != (unsigned)use)
        bit++;
    struct strbuf *sb = &c->detail[i];
    /* the same use for the same reason (two partitions of one disk) once */
    const char *line = arena_printf(c->a, "%s: %s", host_use_name(bit), why);
    if (sb->buf && strstr(sb->buf, line))
        return;
    d->uses |= (unsigned)use;
    if (sb->len)
        sb_add(sb, "; ");
    sb_add(sb, line);
}

/* "/dev/disk/by-id/nvme-…-part3" -> "nvme0n1p3", following symlinks under
 * the root (relative ones only stay inside it). */
static const char *block_name(struct uses_ctx *c, const char *dev)
{
    if (strncmp(dev, "/dev/", 5))
        return NULL;
    const char *cur = dev;
    for (int hop = 0; hop < MAX_HOPS; hop++) {
        char buf[PATH_MAX];
        const char *p = sysfs_path(c->a, c->root, cur + 1);
        ssize_t n = readlink(p, buf, sizeof buf - 1);
        if (n <= 0)
            break;
        buf[n] = '\0';
        if (buf[0] == '/') {
            cur = arena_strdup(c->a, buf);
            continue;
        }
        /* relative: resolve against the link's directory, lexically */
        char *dir = arena_strdup(c->a, cur);
        *strrchr(dir, '/') = '\0';
        struct strbuf sb;
        sb_init(&sb, c->a);
        sb_add(&sb, dir);
        const char *q = buf;
        while (*q) {
            size_t k = strcspn(q, "/");
            if (k == 2 && !strncmp(q, "..", 2)) {
                char *s = strrchr(sb.buf, '/');
                if (s && s != sb.buf)
                    *s = '\0', sb.len = (size_t)(s - sb.buf);
            } else if (k && !(k == 1 && q[0] == '.')) {
                sb_addc(&sb, '/');
                sb_addn(&sb, q, k);
            }
            q += k;
            while (*q == '/')
                q++;
        }
        cur = sb_str(&sb);
    }
    const char *base = strrchr(cur, '/');
    return base && base[1] ? base + 1 : NULL;
}

/* Block device (by kernel name) -> its PCI controller(s), through dm/md
 * slaves. */
static void mark_block(struct uses_ctx *c, const char *name, enum host_use use,
                       const char *why, int depth)
{
    if (!name || depth > MAX_HOPS || strchr(name, '/') || !strcmp(name, "..") ||
        !strcmp(name, "."))
        return;
    const char *cls = sysfs_path(c->a, c->root,
                                 arena_printf(c->a, "sys/class/block/%s", name));
    const char *slaves = arena_printf(c->a, "%s/slaves", cls);
    DIR *d = opendir(slaves);
    bool had_slave = false;
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)))
            if (e->d_name[0] != '.') {
                had_slave = true;
                mark_block(c, arena_strdup(c->a, e->d_name), use, why, depth + 1);
            }
        closedir(d);
    }
    if (had_slave)
        return;
    char *real = realpath(cls, NULL);
    if (!real)
        return;
    struct pci_addr addr;
    bool ok = pci_of_path(real, &addr);
    free(real);
    if (ok)
        mark(c, &addr, use, why);
}

static void mark_dev(struct uses_ctx *c, const char *dev, enum host_use use,
                     const char *why)
{
    mark_block(c, block_name(c, dev), use, why, 0);
}

static void from_mounts(struct uses_ctx *c)
{
    char *text = sysfs_read(c->a, sysfs_path(c->a, c->root, "proc/mounts"), 16u << 20);
    if (!text)
        return;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char src[512], mnt[512], type[64];
        if (sscanf(line, "%511s %511s %63s", src, mnt, type) != 3)
            continue;
        enum host_use use;
        if (!strcmp(mnt, "/"))
            use = USE_ROOT_DISK;
        else if (!strcmp(mnt, "/boot") || !strcmp(mnt, "/boot/efi"))
            use = USE_BOOT_DISK;
        else
            continue;
        const char *why = arena_printf(c->a, "%s (%s)", src, mnt);
        if (!strcmp(type, "zfs")) {
            /* rpool/ROOT/pve-1: the disks are the pool's members (from_zfs) */
            c->zfs_mounts[use == USE_ROOT_DISK ? 0 : 1] =
                arena_strndup(c->a, src, strcspn(src, "/"));
            continue;
        }
        if (!strcmp(src, "/dev/root") && !strcmp(c->root, "/")) {
            /* the kernel's name for root= : find it by device number */
            struct stat st;
            if (stat("/", &st) == 0) {
                const char *p = arena_printf(c->a, "/sys/dev/block/%u:%u",
                                             major(st.st_dev), minor(st.st_dev));
                char *real = realpath(p, NULL);
                if (real) {
                    const char *b = strrchr(real, '/');
                    mark_block(c, arena_strdup(c->a, b + 1), use, why, 0);
                    free(real);
                }
            }
            continue;
        }
        mark_dev(c, src, use, why);
    }
}

static void from_swaps(struct uses_ctx *c)
{
    char *text = sysfs_read(c->a, sysfs_path(c->a, c->root, "proc/swaps"), 1u << 20);
    if (!text)
        return;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char src[512];
        if (sscanf(line, "%511s", src) != 1 || strncmp(src, "/dev/", 5))
            continue;
        mark_dev(c, src, USE_SWAP, src);
    }
}

/* Pools that hold a mounted dataset: the root pool is what matters, but
 * any imported pool's disks are the host's. */
static const char *zpool_status(struct uses_ctx *c)
{
    const char *saved = sysfs_path(c->a, c->root, "run/passc/zpool-status");
    char *text = sysfs_read(c->a, saved, 16u << 20);
    if (text || strcmp(c->root, "/"))
        return text;
    const char *zp = access("/sbin/zpool", X_OK) == 0 ? "/sbin/zpool"
                   : access("/usr/sbin/zpool", X_OK) == 0 ? "/usr/sbin/zpool" : NULL;
    if (!zp)
        return NULL;
    FILE *p = popen(arena_printf(c->a, "%s status -P 2>/dev/null", zp), "r");
    if (!p)
        return NULL;
    struct strbuf sb;
    sb_init(&sb, c->a);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0 && sb.len < (16u << 20))
        sb_addn(&sb, buf, n);
    pclose(p);
    return sb.len ? sb_str(&sb) : NULL;
}

static void from_zfs(struct uses_ctx *c)
{
    const char *st = zpool_status(c);
    if (!st)
        return;
    char *text = arena_strdup(c->a, st);
    const char *pool = NULL;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char w1[512], w2[512];
        int k = sscanf(line, "%511s %511s", w1, w2);
        if (k == 2 && !strcmp(w1, "pool:")) {
            pool = arena_strdup(c->a, w2);
            continue;
        }
        if (k >= 1 && pool && !strncmp(w1, "/dev/", 5)) {
            const char *why = arena_printf(c->a, "%s in pool %s", w1, pool);
            mark_dev(c, w1, USE_ZFS_POOL, why);
            if (c->zfs_mounts[0] && !strcmp(c->zfs_mounts[0], pool))
                mark_dev(c, w1, USE_ROOT_DISK, arena_printf(c->a, "%s (/)", why));
            if (c->zfs_mounts[1] && !strcmp(c->zfs_mounts[1], pool))
                mark_dev(c, w1, USE_BOOT_DISK, arena_printf(c->a, "%s (/boot)", why));
        }
    }
}

/* net interface -> its PCI function (virtual interfaces have none). */
static bool net_pci(struct uses_ctx *c, const char *ifname, struct pci_addr *out)
{
    const char *p = sysfs_path(c->a, c->root,
                               arena_printf(c->a, "sys/class/net/%s/device", ifname));
    char *real = realpath(p, NULL);
    if (!real)
        return false;
    bool ok = pci_of_path(real, out);
    free(real);
    return ok;
}

/* An interface and, for bridges and bonds, the ports below it. */
static void mark_net(struct uses_ctx *c, const char *ifname, enum host_use use,
                     const char *why, int depth)
{
    if (depth > MAX_HOPS || strchr(ifname, '/') || ifname[0] == '.')
        return;
    struct pci_addr addr;
    if (net_pci(c, ifname, &addr))
        mark(c, &addr, use, why);
    const char *brif = sysfs_path(c->a, c->root,
                                  arena_printf(c->a, "sys/class/net/%s/brif", ifname));
    DIR *d = opendir(brif);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)))
            if (e->d_name[0] != '.')
                mark_net(c, arena_strdup(c->a, e->d_name), use, why, depth + 1);
        closedir(d);
    }
    const char *dir = sysfs_path(c->a, c->root,
                                 arena_printf(c->a, "sys/class/net/%s", ifname));
    d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)))
            if (!strncmp(e->d_name, "lower_", 6) && e->d_name[6])
                mark_net(c, arena_strdup(c->a, e->d_name + 6), use, why, depth + 1);
        closedir(d);
    }
}

static void from_route(struct uses_ctx *c)
{
    char *text = sysfs_read(c->a, sysfs_path(c->a, c->root, "proc/net/route"), 4u << 20);
    if (!text)
        return;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char ifname[64], dest[16], gw[16], flags[16], rc[16], use[16], metric[16],
             mask[16];
        if (sscanf(line, "%63s %15s %15s %15s %15s %15s %15s %15s", ifname, dest,
                   gw, flags, rc, use, metric, mask) != 8)
            continue;
        if (strcmp(dest, "00000000") || strcmp(mask, "00000000"))
            continue;
        mark_net(c, arena_strdup(c->a, ifname), USE_MGMT_NIC,
                 arena_printf(c->a, "%s (default route)", ifname), 0);
    }
}

static void from_bridges(struct uses_ctx *c)
{
    const char *net = sysfs_path(c->a, c->root, "sys/class/net");
    DIR *d = opendir(net);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "vmbr", 4))
            continue;
        const char *br = arena_strdup(c->a, e->d_name);
        const char *brif = arena_printf(c->a, "%s/%s/brif", net, br);
        DIR *b = opendir(brif);
        if (!b)
            continue;
        struct dirent *p;
        while ((p = readdir(b)))
            if (p->d_name[0] != '.')
                mark_net(c, arena_strdup(c->a, p->d_name), USE_BRIDGE_PORT,
                         arena_printf(c->a, "%s on %s", p->d_name, br), 1);
        closedir(b);
    }
    closedir(d);
}

static void from_console(struct uses_ctx *c)
{
    for (size_t i = 0; i < c->f->ndevs; i++)
        if (c->f->devs[i].boot_vga == 1)
            mark(c, &c->f->devs[i].addr, USE_CONSOLE, "boot_vga");
    const char *fb = sysfs_path(c->a, c->root, "sys/class/graphics/fb0/device");
    char *real = realpath(fb, NULL);
    if (real) {
        struct pci_addr addr;
        if (pci_of_path(real, &addr))
            mark(c, &addr, USE_CONSOLE, "fb0");
        free(real);
    }
}

/* Walks the real directories below an xHCI (usbN/N-1/N-1:1.0/…), never
 * symlinks, so sysfs back-links (subsystem, driver, port) cannot loop.
 * *budget bounds a hostile tree. */
static bool has_keyboard(struct uses_ctx *c, const char *dir, int depth, int *budget)
{
    if (depth > 12 || --*budget < 0)
        return false;
    const char *cls = sysfs_read_line(c->a, arena_printf(c->a, "%s/bInterfaceClass", dir));
    const char *proto = sysfs_read_line(c->a, arena_printf(c->a, "%s/bInterfaceProtocol", dir));
    if (cls && proto && !strcmp(cls, "03") && !strcmp(proto, "01"))
        return true;
    DIR *d = opendir(dir);
    if (!d)
        return false;
    struct dirent *e;
    bool found = false;
    while (!found && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        /* USB device and interface dirs: usb1, 1-1, 1-1.2, 1-1:1.0 */
        if (strncmp(e->d_name, "usb", 3) && !(e->d_name[0] >= '0' && e->d_name[0] <= '9'))
            continue;
        const char *sub = arena_printf(c->a, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(sub, &st) != 0 || !S_ISDIR(st.st_mode))
            continue;
        found = has_keyboard(c, sub, depth + 1, budget);
    }
    closedir(d);
    return found;
}

static void from_keyboards(struct uses_ctx *c)
{
    const char *devices = sysfs_path(c->a, c->root, "sys/bus/pci/devices");
    for (size_t i = 0; i < c->f->ndevs; i++) {
        struct facts_device *d = &c->f->devs[i];
        if (d->class_code != PCI_CLASS_XHCI)
            continue;
        char bdf[24];
        const char *p = arena_printf(c->a, "%s/%s", devices, pci_addr_format(&d->addr, bdf));
        char *real = realpath(p, NULL);
        if (!real)
            continue;
        const char *dir = arena_strdup(c->a, real);
        free(real);
        int budget = 20000;
        if (has_keyboard(c, dir, 0, &budget))
            mark(c, &d->addr, USE_KEYBOARD, "HID keyboard on its USB bus");
    }
}

void facts_find_host_uses(arena *a, const char *root, struct facts *f,
                          struct diag_list *diags)
{
    (void)diags;
    struct uses_ctx c = {a, root, f, NULL, {NULL, NULL}};
    c.detail = arena_calloc(a, f->ndevs ? f->ndevs : 1, sizeof *c.detail);
    for (size_t i = 0; i < f->ndevs; i++)
        sb_init(&c.detail[i], a);
    from_mounts(&c);
    from_swaps(&c);
    from_zfs(&c);
    from_route(&c);
    from_bridges(&c);
    from_console(&c);
    from_keyboards(&c);
    for (size_t i = 0; i < f->ndevs; i++)
        if (c.detail[i].len)
            f->devs[i].use_detail = sb_str(&c.detail[i]);
}
