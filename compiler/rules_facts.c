/* rules_facts.c — P020–P033: the spec against the host as it really is.
 *
 * Each check reads the resolved model and the facts and queues diagnostics
 * that name the device and the fix.  They only judge: what the build does
 * about the same facts (softdeps, ids on the kernel command line) is
 * plan.c's decision, taken with the same tests.
 *
 * Lookups over the facts are linear on purpose: a host has a few hundred
 * PCI functions at most, and the rules then do not depend on the reader's
 * sort order (tests build facts by hand). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quirks.h"
#include "names.h"
#include "rules.h"
#include "pci_class.h"
#include "strbuf.h"

/* Uses that make a device one the host cannot give away.  The console is
 * handled on its own (P029, a warning): passing the only GPU is a
 * deliberate, supported setup; losing the root disk never is. */
#define USES_CRITICAL (USE_ROOT_DISK | USE_BOOT_DISK | USE_SWAP | USE_ZFS_POOL | \
                       USE_MGMT_NIC | USE_BRIDGE_PORT | USE_KEYBOARD)
#define USES_ANY_CRITICAL (USES_CRITICAL | USE_CONSOLE)

struct passed {
    const struct facts_device *fd;
    const struct m_device *by;     /* the spec line that passes it */
};

struct fctx {
    arena *a;
    const struct model *m;
    const struct facts *f;
    const struct quirks *q;
    struct diag_list *d;
    /* P028: one finding per VM and built-in driver, the devices as notes */
    struct race { const struct m_vm *vm; const char *module; struct diag *dg; }
        races[16];
    size_t nraces;
    /* every function any VM passes, for P024/P026 */
    struct passed *all;
    size_t nall, capall;
    /* lines whose device is not where the spec says (P020/P021) */
    const struct m_device **lost;
    size_t nlost;
    /* for moved_hint, built on the first lost device: the host's functions
     * by id, and the spec's identified lines by address (both sorted), so
     * a hint costs two binary searches instead of a scan of both */
    const struct facts_device **by_id;
    struct held { struct pci_addr addr; const struct m_device *md; } *held;
    size_t nheld;
};

static const char *use_words[HOST_USE_COUNT] = {
    "the root disk", "the boot disk", "swap", "a ZFS pool",
    "the management network", "a bridge port", "the console",
    "the keyboard",
};

static const char *addr_s(struct fctx *c, const struct pci_addr *a)
{
    char buf[24];
    return arena_strdup(c->a, pci_addr_format(a, buf));
}

static const char *id_s(struct fctx *c, const struct pci_id *id)
{
    char buf[10];
    return arena_strdup(c->a, pci_id_format(id, buf));
}

/* "1022:43f6 AMD SATA controller": the id and, when known, its names. */
static const char *ident(struct fctx *c, const struct facts_device *fd)
{
    if (!fd->device_name)
        return id_s(c, &fd->id);
    return arena_printf(c->a, "%s %s%s%s", id_s(c, &fd->id),
                        fd->vendor_name ? fd->vendor_name : "",
                        fd->vendor_name ? " " : "", fd->device_name);
}

/* "0000:0e:00.1 (1022:43f6 SATA controller)" — what an admin recognises. */
static const char *label(struct fctx *c, const struct facts_device *fd)
{
    return arena_printf(c->a, "%s (%s)", addr_s(c, &fd->addr), ident(c, fd));
}

static const char *uses_text(struct fctx *c, const struct facts_device *fd,
                             unsigned mask)
{
    if (fd->use_detail)
        return fd->use_detail;
    struct strbuf sb;
    sb_init(&sb, c->a);
    for (unsigned i = 0; i < HOST_USE_COUNT; i++)
        if (fd->uses & mask & (1u << i))
            sb_printf(&sb, "%s%s", sb.len ? ", " : "", use_words[i]);
    return sb.len ? sb_str(&sb) : "nothing the facts show";
}

static bool all_functions(const struct m_device *md)
{
    return md->all_functions || md->addr.func == PCI_FUNC_ALL;
}

/* The address whose identity the line claims: function 0 for a whole card. */
static struct pci_addr ident_addr(const struct m_device *md)
{
    struct pci_addr a = md->addr;
    if (a.func == PCI_FUNC_ALL)
        a.func = 0;
    return a;
}

static void passed_add(struct fctx *c, struct passed **v, size_t *n,
                       size_t *cap, const struct facts_device *fd,
                       const struct m_device *by)
{
    for (size_t i = 0; i < *n; i++)
        if ((*v)[i].fd == fd && (*v)[i].by->vm == by->vm)
            return;
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        *v = arena_realloc(c->a, *v, *cap * sizeof **v, nc * sizeof **v);
        *cap = nc;
    }
    (*v)[(*n)++] = (struct passed){fd, by};
}

static const struct m_device *passer(const struct passed *v, size_t n,
                                     const struct facts_device *fd,
                                     const struct m_vm *vm)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].fd == fd && (!vm || v[i].by->vm == vm))
            return v[i].by;
    return NULL;
}

/* ---- P020 / P021: is the device still where the spec says? ---- */

static int id_cmp(const struct pci_id *a, const struct pci_id *b)
{
    if (a->vendor != b->vendor)
        return a->vendor < b->vendor ? -1 : 1;
    if (a->device != b->device)
        return a->device < b->device ? -1 : 1;
    return 0;
}

static int by_id_cmp(const void *pa, const void *pb)
{
    const struct facts_device *a = *(const struct facts_device *const *)pa;
    const struct facts_device *b = *(const struct facts_device *const *)pb;
    int c = id_cmp(&a->id, &b->id);
    return c ? c : pci_addr_cmp(&a->addr, &b->addr);
}

static int held_cmp(const void *pa, const void *pb)
{
    const struct held *a = pa, *b = pb;
    return pci_addr_cmp(&a->addr, &b->addr);
}

static void index_for_hints(struct fctx *c)
{
    c->by_id = arena_calloc(c->a, c->f->ndevs + 1, sizeof *c->by_id);
    for (size_t i = 0; i < c->f->ndevs; i++)
        c->by_id[i] = &c->f->devs[i];
    qsort(c->by_id, c->f->ndevs, sizeof *c->by_id, by_id_cmp);
    size_t total = 0;
    for (size_t v = 0; v < c->m->nvms; v++)
        total += c->m->vms[v]->ndevs;
    c->held = arena_calloc(c->a, total + 1, sizeof *c->held);
    for (size_t v = 0; v < c->m->nvms; v++)
        for (size_t k = 0; k < c->m->vms[v]->ndevs; k++) {
            const struct m_device *o = c->m->vms[v]->devs[k];
            if (o->has_id)
                c->held[c->nheld++] = (struct held){ident_addr(o), o};
        }
    qsort(c->held, c->nheld, sizeof *c->held, held_cmp);
}

/* Another spec line with md's id names this address (it is not free). */
static bool held_by_other(const struct fctx *c, const struct m_device *md,
                          const struct pci_addr *addr)
{
    size_t lo = 0, hi = c->nheld;
    while (lo < hi) {   /* first entry >= addr */
        size_t mid = lo + (hi - lo) / 2;
        if (pci_addr_cmp(&c->held[mid].addr, addr) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < c->nheld && pci_addr_eq(&c->held[i].addr, addr); i++) {
        const struct m_device *o = c->held[i].md;
        if (o != md && pci_id_eq(&o->id, &md->id))
            return true;
    }
    return false;
}

/* Where the spec's id lives now, if it moved: same vendor:device, not an
 * address another spec line already holds with that id, narrowed by the
 * spec's sub-vendor/sub-device ids when several match. */
static const char *moved_hint(struct fctx *c, const struct m_device *md)
{
    if (!c->by_id)
        index_for_hints(c);
    size_t lo = 0, hi = c->f->ndevs;
    while (lo < hi) {   /* first device with id >= md's */
        size_t mid = lo + (hi - lo) / 2;
        if (id_cmp(&c->by_id[mid]->id, &md->id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < c->f->ndevs && pci_id_eq(&c->by_id[end]->id, &md->id))
        end++;
    const struct facts_device **cand =
        arena_calloc(c->a, end - lo + 1, sizeof *cand);
    size_t n = 0;
    for (size_t i = lo; i < end; i++) {
        const struct facts_device *fd = c->by_id[i];
        if (!pci_addr_eq(&fd->addr, &md->addr) && !held_by_other(c, md, &fd->addr))
            cand[n++] = fd;
    }
    if (n > 1 && (md->sub_vendor_id >= 0 || md->sub_device_id >= 0)) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if ((md->sub_vendor_id < 0 || cand[i]->subsys.vendor == md->sub_vendor_id) &&
                (md->sub_device_id < 0 || cand[i]->subsys.device == md->sub_device_id))
                cand[k++] = cand[i];
        if (k > 0)
            n = k;
    }
    if (n == 0)
        return NULL;
    struct strbuf sb;
    sb_init(&sb, c->a);
    sb_printf(&sb, "%s is at ", id_s(c, &md->id));
    for (size_t i = 0; i < n; i++)
        sb_printf(&sb, "%s%s", i ? (i + 1 == n ? " or " : ", ") : "",
                  addr_s(c, &cand[i]->addr));
    sb_add(&sb, n == 1 ? ": moved there? point the line at it"
                       : ": moved to one of them? point the line at the right one");
    return sb_str(&sb);
}

static const struct facts_device *check_identity(struct fctx *c,
                                                 const struct m_device *md)
{
    struct pci_addr a = ident_addr(md);
    const struct facts_device *fd = facts_find(c->f, &a);
    /* a mapping entry's device: P070 already said what is wrong with it,
     * naming the mapping and the node */
    if (md->entry && (!fd || !pci_id_eq(&fd->id, &md->id)))
        return NULL;
    if (!fd) {
        struct diag *dg;
        if (md->has_id)
            dg = diag_add(c->d, R_P020, md->addr_loc,
                          "nothing at %s on host %s, spec says %s %s",
                          addr_s(c, &a), c->f->hostname ? c->f->hostname : "?",
                          dev_kind_name(md->kind), id_s(c, &md->id));
        else
            dg = diag_add(c->d, R_P020, md->addr_loc,
                          "nothing at %s on host %s (%s%s%s)", addr_s(c, &a),
                          c->f->hostname ? c->f->hostname : "?",
                          dev_kind_name(md->kind), md->name ? " " : "",
                          md->name ? md->name : "");
        const char *hint = md->has_id ? moved_hint(c, md) : NULL;
        if (hint)
            diag_fix(c->d, dg, "%s", hint);
        else
            diag_fix(c->d, dg, "check `lspci -nn` on the host; the device is gone or the address is wrong");
        return NULL;
    }
    if (md->has_id && !pci_id_eq(&fd->id, &md->id)) {
        struct diag *dg = diag_add(c->d, R_P021,
                                   md->id_loc.src ? md->id_loc : md->addr_loc,
                                   "%s is %s, spec says %s",
                                   addr_s(c, &a), ident(c, fd),
                                   id_s(c, &md->id));
        const char *hint = moved_hint(c, md);
        if (hint)
            diag_fix(c->d, dg, "%s", hint);
        else
            diag_fix(c->d, dg, "%s is nowhere on this host: update the line if the hardware changed on purpose",
                     id_s(c, &md->id));
        return NULL;
    }
    return fd;
}

/* ---- P022 ---- */

static void check_class(struct fctx *c, const struct m_device *md,
                        const struct facts_device *fd)
{
    uint32_t k = fd->class_code;
    const char *want = NULL;
    bool ok = pci_class_fits(md->kind, k, &want);
    /* x-vga on what is no display controller (facts from the wrong host,
     * a wrong address) gives a VM that does not start: an error, and the
     * one finding for the line, whatever the kind says. */
    if (md->primary && (md->kind != DEV_GPU || pci_class_kind(k) != DEV_GPU)) {
        struct diag *dg = diag_add_sev(c->d, R_P022, SEV_ERROR,
                                       md->primary_loc.src ? md->primary_loc : md->addr_loc,
                                       "`primary` (x-vga) on %s, class %06x, which is not a display controller: VM %u would not start",
                                       label(c, fd), (unsigned)k, md->vm ? md->vm->vmid : 0);
        diag_note(c->d, dg, md->addr_loc, "the device line");
        diag_fix(c->d, dg, "put `primary` on the VM's GPU (class 03xxxx); if this line should be that GPU, check its address and that the facts are from this host");
        return;
    }
    if (ok)
        return;
    struct diag *dg = diag_add(c->d, R_P022, md->addr_loc,
                               "%s is class %06x, not what a `%s` is (%s)",
                               label(c, fd), (unsigned)k,
                               dev_kind_name(md->kind), want);
    diag_fix(c->d, dg, "check the address; if it is right, write the line as `pci %s` or the kind that fits the class",
             addr_s(c, &fd->addr));
}

/* ---- P023 ---- */

static bool cmdline_has(const char *cmdline, const char *word)
{
    if (!cmdline)
        return false;
    size_t n = strlen(word);
    for (const char *p = cmdline; (p = strstr(p, word)); p += n)
        if ((p == cmdline || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return true;
    return false;
}

/* GRUB passes BOOT_IMAGE= to the kernel, systemd-boot does not: the running
 * command line tells which boot loader the host uses. */
static const char *cmdline_howto(const struct facts *f)
{
    if (f->cmdline && strstr(f->cmdline, "BOOT_IMAGE="))
        return "this host boots with GRUB: add it to GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, then run `update-grub` (`proxmox-boot-tool refresh` if proxmox-boot-tool manages the ESPs) and reboot";
    if (f->cmdline && *f->cmdline)
        return "this host boots with systemd-boot: append it to the single line in /etc/kernel/cmdline, then run `proxmox-boot-tool refresh` and reboot";
    return "systemd-boot: append it to /etc/kernel/cmdline and run `proxmox-boot-tool refresh`; GRUB: add it to GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub and run `update-grub`; then reboot";
}

static bool kernel_before(const char *release, unsigned major, unsigned minor)
{
    unsigned ma, mi;
    if (!release || sscanf(release, "%u.%u", &ma, &mi) != 2)
        return true;   /* unknown: assume old, the advice is then harmless */
    return ma < major || (ma == major && mi < minor);
}

static bool check_iommu(struct fctx *c)
{
    if (c->f->iommu_on)
        return true;
    src_loc loc = c->m->has_host ? c->m->host.loc : (src_loc){0};
    bool passes = false;
    for (size_t v = 0; v < c->m->nvms; v++) {
        if (c->m->vms[v]->ndevs && !loc.src)
            loc = c->m->vms[v]->devs[0]->addr_loc;
        passes = passes || c->m->vms[v]->ndevs > 0;
    }
    bool required = c->m->has_host && c->m->host.iommu == IOMMU_REQUIRED;
    if (!passes && !required)
        return false;
    const char *vendor = c->f->cpu_vendor ? c->f->cpu_vendor : "";
    const char *cl = c->f->cmdline;
    struct diag *dg = diag_add(c->d, R_P023, loc,
                               "the IOMMU is off on host %s (no IOMMU groups): no device can be passed through",
                               c->f->hostname ? c->f->hostname : "?");
    const char *off = cmdline_has(cl, "intel_iommu=off") ? "intel_iommu=off"
                    : cmdline_has(cl, "amd_iommu=off")   ? "amd_iommu=off"
                    : cmdline_has(cl, "iommu=off")       ? "iommu=off" : NULL;
    if (off) {
        diag_note(c->d, dg, (src_loc){0}, "the kernel command line has %s", off);
        diag_fix(c->d, dg, "remove %s from the kernel command line; %s",
                 off, cmdline_howto(c->f));
    } else if (!strcmp(vendor, "AuthenticAMD")) {
        diag_note(c->d, dg, (src_loc){0},
                  "AMD CPUs have the IOMMU on by default; amd_iommu=on does nothing");
        diag_fix(c->d, dg, "enable IOMMU (AMD-Vi) in the firmware setup (often under AMD CBS / NBIO) and reboot");
    } else if (!strcmp(vendor, "GenuineIntel") &&
               !kernel_before(c->f->kernel_release, 6, 8)) {
        diag_note(c->d, dg, (src_loc){0},
                  "kernel %s enables the Intel IOMMU by default",
                  c->f->kernel_release);
        diag_fix(c->d, dg, "enable VT-d in the firmware setup and reboot");
    } else if (!strcmp(vendor, "GenuineIntel")) {
        if (cmdline_has(cl, "intel_iommu=on")) {
            diag_fix(c->d, dg, "intel_iommu=on is already set: enable VT-d in the firmware setup and reboot");
        } else {
            diag_note(c->d, dg, (src_loc){0},
                      "kernels before 6.8 need intel_iommu=on for Intel CPUs (this one: %s)",
                      c->f->kernel_release ? c->f->kernel_release : "unknown");
            diag_fix(c->d, dg, "enable VT-d in the firmware and add intel_iommu=on to the kernel command line; %s",
                     cmdline_howto(c->f));
        }
    } else {
        diag_fix(c->d, dg, "enable VT-d (Intel) or IOMMU/AMD-Vi (AMD) in the firmware; Intel with a kernel before 6.8 also needs intel_iommu=on (%s)",
                 cmdline_howto(c->f));
    }
    return false;
}

/* ---- P025, P027, P029, P030, P031 ---- */

static bool check_bridge(struct fctx *c, const struct m_device *md,
                         const struct facts_device *fd)
{
    if (!facts_is_bridge(fd))
        return false;
    struct diag *dg = diag_add(c->d, R_P031, md->addr_loc,
                               "%s is a PCI bridge or root port: VFIO cannot assign it (\"error getting device from group\")",
                               label(c, fd));
    struct strbuf sb;
    sb_init(&sb, c->a);
    for (size_t i = 0; i < c->f->ndevs; i++) {
        const struct facts_device *e = &c->f->devs[i];
        if (e->has_parent && pci_addr_eq(&e->parent, &fd->addr) && !facts_is_bridge(e))
            sb_printf(&sb, "%s%s", sb.len ? ", " : "", label(c, e));
    }
    if (sb.len)
        diag_fix(c->d, dg, "pass the devices behind it instead: %s", sb_str(&sb));
    else
        diag_fix(c->d, dg, "remove the line and pass the endpoint devices behind the bridge");
    return true;
}

static void check_critical(struct fctx *c, const struct m_device *md,
                           const struct facts_device *fd)
{
    if (!(fd->uses & USES_CRITICAL))
        return;
    struct diag *dg = diag_add(c->d, R_P025, md->addr_loc,
                               "%s is needed by the host (%s): VM %u would take it away",
                               label(c, fd), uses_text(c, fd, USES_CRITICAL),
                               md->vm ? md->vm->vmid : 0);
    diag_fix(c->d, dg, "remove %s from VM %u, or move the host's use to another device first",
             addr_s(c, &fd->addr), md->vm ? md->vm->vmid : 0);
}

static void check_console(struct fctx *c, const struct m_device *md,
                          const struct facts_device *fd)
{
    bool gpu = md->kind == DEV_GPU || pci_class_kind(fd->class_code) == DEV_GPU;
    if (!gpu || !(fd->boot_vga == 1 || (fd->uses & USE_CONSOLE)))
        return;
    struct diag *dg = diag_add(c->d, R_P029, md->addr_loc,
                               "%s is the host's boot VGA / console%s: the firmware framebuffer holds it and the host loses its screen",
                               label(c, fd), md->primary ? " and the VM's primary GPU" : "");
    /* Another display controller the VMs leave to the host can take the
     * console; without one the host runs headless from then on. */
    bool other = false;
    for (size_t i = 0; i < c->f->ndevs && !other; i++) {
        const struct facts_device *x = &c->f->devs[i];
        other = x != fd && pci_class_kind(x->class_code) == DEV_GPU &&
                !pci_addr_same_device(&x->addr, &fd->addr) &&
                !passer(c->all, c->nall, x, NULL);
    }
    if (other)
        diag_fix(c->d, dg, "make another GPU the primary display in the firmware, or add initcall_blacklist=sysfb_init to the kernel command line");
    else
        diag_fix(c->d, dg, "it is the host's only GPU: the host runs headless once VM %u starts, so manage it over SSH or the web UI, a serial console (console=ttyS0,115200 on the kernel command line) or the board's IPMI/BMC; add initcall_blacklist=sysfb_init to the kernel command line so the framebuffer lets go of the card",
                 md->vm ? md->vm->vmid : 0);
}

static void check_reset(struct fctx *c, const struct m_device *md,
                        const struct facts_device *fd)
{
    const struct quirk_no_reset *qr = quirks_no_reset(c->q, fd->id);
    if (qr) {
        struct diag *dg = diag_add(c->d, R_P027, md->addr_loc,
                                   "%s is %s, whose reset does not work: VM %u may fail on its second start",
                                   label(c, fd), qr->family,
                                   md->vm ? md->vm->vmid : 0);
        diag_fix(c->d, dg, "%s", qr->note);
        return;
    }
    if (fd->reset_methods && !*fd->reset_methods) {
        struct diag *dg = diag_add(c->d, R_P027, md->addr_loc,
                                   "%s offers no reset method: VM %u may fail on its second start",
                                   label(c, fd), md->vm ? md->vm->vmid : 0);
        diag_fix(c->d, dg, "reboot the host between VM starts, or pass all functions of the card so a bus reset is possible");
    }
}

static void check_guest(struct fctx *c, const struct m_device *md,
                        const struct facts_device *fd)
{
    if (md->guest_driver || !md->vm)
        return;
    const struct quirk_guest *g = quirks_guest(c->q, fd->id, md->vm->ostype);
    if (!g)
        return;
    struct diag *dg = diag_add(c->d, R_P030, md->addr_loc,
                               "VM %u (%s) needs %s for %s%s%s",
                               md->vm->vmid, md->vm->ostype, g->need,
                               label(c, fd), g->symptom ? "; " : "",
                               g->symptom ? g->symptom : "");
    diag_fix(c->d, dg, "install it in the guest and record it: guest-driver \"…\" in the device's block");
}

/* ---- P033 ---- */

static bool in_tunnels(const struct m_device *md, const struct pci_addr *a)
{
    for (size_t i = 0; i < md->ntunnels; i++)
        if (pci_addr_eq(&md->tunnels[i].addr, a))
            return true;
    return false;
}

static void usb4_link(struct fctx *c, const struct m_device *md,
                      const struct facts_device *router,
                      const struct facts_device *x, const struct passed *vp,
                      size_t nvp)
{
    /* PCIe tunnelling links the router to root ports too: bridges are
     * never passed (P031), so they are no missing tunnel. */
    if (!x || facts_is_bridge(x) || x == router)
        return;
    src_loc loc = md->has_tunnels_stmt ? md->tunnels_loc : md->addr_loc;
    unsigned vmid = md->vm ? md->vm->vmid : 0;
    if (!passer(vp, nvp, x, md->vm)) {
        struct diag *dg = diag_add(c->d, R_P033, loc,
                                   "the firmware links USB4 router %s to %s, which VM %u does not pass: USB 3.x devices on the USB4 ports stay on the host",
                                   addr_s(c, &router->addr), label(c, x), vmid);
        diag_fix(c->d, dg, "pass it to VM %u (usb %s %s) and list it under `tunnels`",
                 vmid, addr_s(c, &x->addr), id_s(c, &x->id));
    } else if (!in_tunnels(md, &x->addr)) {
        struct diag *dg = diag_add(c->d, R_P033, loc,
                                   "the firmware links USB4 router %s to %s, which the router's `tunnels` does not name",
                                   addr_s(c, &router->addr), label(c, x));
        diag_fix(c->d, dg, "add %s to `tunnels`", addr_s(c, &x->addr));
    }
}

static void check_usb4_links(struct fctx *c, const struct m_device *md,
                             const struct facts_device *fd,
                             const struct passed *vp, size_t nvp)
{
    if (md->kind != DEV_USB4 && pci_class_kind(fd->class_code) != DEV_USB4)
        return;
    for (size_t i = 0; i < fd->nconsumers; i++)
        usb4_link(c, md, fd, facts_find(c->f, &fd->consumers[i]), vp, nvp);
    /* A snapshot may record only the other end of a link. */
    for (size_t i = 0; i < c->f->ndevs; i++) {
        const struct facts_device *x = &c->f->devs[i];
        bool listed = false;
        for (size_t k = 0; k < fd->nconsumers && !listed; k++)
            listed = pci_addr_eq(&fd->consumers[k], &x->addr);
        for (size_t k = 0; k < x->nsuppliers && !listed; k++)
            if (pci_addr_eq(&x->suppliers[k], &fd->addr)) {
                usb4_link(c, md, fd, x, vp, nvp);
                break;
            }
    }
}

/* ---- P028: native drivers, softdeps ---- */

/* A built-in driver probes at boot, before any module (vfio-pci included)
 * loads, so neither softdeps nor vfio-pci.ids= can keep it off the device;
 * Proxmox still rebinds the device to vfio-pci when the VM starts. */
static void builtin_race(struct fctx *c, const struct m_device *md,
                         const struct facts_device *fd, const char *module)
{
    for (size_t i = 0; i < c->nraces; i++)
        if (c->races[i].vm == md->vm && !strcmp(c->races[i].module, module)) {
            diag_note(c->d, c->races[i].dg, md->addr_loc,
                      "%s too", label(c, fd));
            return;
        }
    unsigned vmid = md->vm ? md->vm->vmid : 0;
    struct diag *dg = diag_add(c->d, R_P028, md->addr_loc,
                               "%s is built into kernel %s: it claims %s at boot, before vfio-pci, and no softdep can order it",
                               module, c->f->kernel_release ? c->f->kernel_release : "?",
                               label(c, fd));
    diag_fix(c->d, dg, "nothing breaks: Proxmox moves the device to vfio-pci when VM %u starts; until then the host drives it (`lspci -k` shows its native driver, not vfio-pci), so do not rely on `bind ids` for it",
             vmid);
    if (c->nraces < sizeof c->races / sizeof c->races[0])
        c->races[c->nraces++] = (struct race){md->vm, module, dg};
}

static void check_drivers(struct fctx *c, const struct m_device *md,
                          const struct facts_device *fd)
{
    if (c->m->host.bind != BIND_IDS)
        return;   /* Proxmox rebinds at VM start; nothing races at boot */
    /* The bound driver first (it is known to exist), then the table's;
     * one module once, however both name it.  Those that are modules get
     * a softdep (plan.c); a built-in one cannot be ordered. */
    const char *mods[17];
    bool bound[17];
    size_t n = quirks_claiming_modules(c->q, fd, mods, bound, 17);
    for (size_t i = 0; i < n; i++)
        if (facts_module_state(c->f, mods[i]) == MOD_BUILTIN)
            builtin_race(c, md, fd, mods[i]);
}

/* ---- P024 ---- */

/* A line whose identity failed (P020/P021) names this device, at its
 * address or (moved) by its id: that line's finding is the news, the
 * device is no group-mate to pass "too". */
static bool claimed_by_lost(const struct fctx *c, const struct facts_device *x)
{
    for (size_t k = 0; k < c->nlost; k++) {
        const struct m_device *md = c->lost[k];
        struct pci_addr a = ident_addr(md);
        if (all_functions(md) ? pci_addr_same_device(&x->addr, &md->addr)
                              : pci_addr_eq(&x->addr, &a))
            return true;
        if (md->has_id && pci_id_eq(&md->id, &x->id))
            return true;
    }
    return false;
}

/* A driverless function with no host use (AMD's "Dummy Host Bridge" 0600,
 * "Reserved SPP" 1300) or a host bridge: Proxmox binds it to vfio-pci at VM
 * start and the host loses nothing; a host bridge is never to be passed. */
static bool quiet_mate(const struct facts_device *x)
{
    return !(x->uses & USES_ANY_CRITICAL) &&
           (!x->driver || (x->class_code >> 8) == 0x0600);
}

static void check_groups(struct fctx *c, const struct m_vm *vm,
                         const struct passed *vp, size_t nvp)
{
    int *seen = arena_calloc(c->a, nvp + 1, sizeof *seen);
    size_t nseen = 0;
    for (size_t i = 0; i < nvp; i++) {
        const struct facts_device *fd = vp[i].fd;
        if (fd->iommu_group < 0 || facts_is_bridge(fd))
            continue;
        bool done = false;
        for (size_t k = 0; k < nseen && !done; k++)
            done = seen[k] == fd->iommu_group;
        if (done)
            continue;
        seen[nseen++] = fd->iommu_group;
        /* The verdict is known only after looking at all of them: an
         * error when the host needs a mate, a warning when a mate has a
         * driver (the host loses what it did), else only placeholders. */
        bool critical = false, any = false, loud = false;
        for (size_t j = 0; j < c->f->ndevs; j++) {
            const struct facts_device *x = &c->f->devs[j];
            if (x->iommu_group != fd->iommu_group || facts_is_bridge(x) ||
                passer(vp, nvp, x, vm) || claimed_by_lost(c, x))
                continue;
            any = true;
            critical = critical || (x->uses & USES_ANY_CRITICAL);
            loud = loud || !quiet_mate(x);
        }
        if (!any)
            continue;
        struct diag *dg;
        if (!loud)
            dg = diag_add_sev(c->d, R_P024, SEV_INFO, vp[i].by->addr_loc,
                              "IOMMU group %d of %s also holds functions with no driver and no host use: Proxmox binds them to vfio-pci at VM %u start, the host loses nothing",
                              fd->iommu_group, addr_s(c, &fd->addr), vm->vmid);
        else
            dg = diag_add_sev(c->d, R_P024, critical ? SEV_ERROR : SEV_WARNING,
                                   vp[i].by->addr_loc,
                                   "IOMMU group %d of %s also holds %s VM %u does not pass: Proxmox takes %s from the host at VM start",
                                   fd->iommu_group, addr_s(c, &fd->addr),
                                   critical ? "a device the host needs, which" : "devices",
                                   vm->vmid, critical ? "it" : "them");
        struct strbuf mates;
        sb_init(&mates, c->a);
        for (size_t j = 0; j < c->f->ndevs; j++) {
            const struct facts_device *x = &c->f->devs[j];
            if (x->iommu_group != fd->iommu_group || facts_is_bridge(x) ||
                passer(vp, nvp, x, vm) || claimed_by_lost(c, x))
                continue;
            const struct m_device *other = passer(c->all, c->nall, x, NULL);
            if (x->uses & USES_ANY_CRITICAL)
                diag_note(c->d, dg, (src_loc){0}, "%s: the host uses it for %s",
                          label(c, x), uses_text(c, x, USES_ANY_CRITICAL));
            else if (other)
                diag_note(c->d, dg, other->addr_loc, "%s: VM %u passes it",
                          label(c, x), other->vm ? other->vm->vmid : 0);
            else if (quiet_mate(x))
                diag_note(c->d, dg, (src_loc){0},
                          "%s: %s, no host use: nothing to pass",
                          label(c, x), x->driver ? "a host bridge" : "no driver");
            else
                diag_note(c->d, dg, (src_loc){0},
                          "%s: driver %s, no host use the facts show",
                          label(c, x), x->driver);
            if (!quiet_mate(x))
                sb_printf(&mates, "%s%s", mates.len ? " " : "", addr_s(c, &x->addr));
        }
        if (critical)
            diag_fix(c->d, dg, "move the card to a slot with its own IOMMU group (or enable ACS in the firmware): the host needs a group-mate");
        else if (loud)
            diag_fix(c->d, dg, "pass %s to VM %u too, or move the card to a slot with its own IOMMU group",
                     sb_str(&mates), vm->vmid);
    }
}

/* ---- P026 ---- */

static void check_ids_capture(struct fctx *c)
{
    if (c->m->host.bind != BIND_IDS)
        return;
    struct capture { const struct m_device *by; const struct facts_device *x; } *caps =
        arena_calloc(c->a, c->f->ndevs + 1, sizeof *caps);
    size_t ncaps = 0;
    for (size_t i = 0; i < c->f->ndevs; i++) {
        const struct facts_device *x = &c->f->devs[i];
        if (facts_is_bridge(x) || passer(c->all, c->nall, x, NULL))
            continue;
        const struct m_device *by = NULL;
        for (size_t v = 0; v < c->m->nvms && !by; v++)
            for (size_t k = 0; k < c->m->vms[v]->ndevs && !by; k++) {
                const struct m_device *md = c->m->vms[v]->devs[k];
                if (md->has_id && pci_id_eq(&md->id, &x->id))
                    by = md;
            }
        if (!by)
            continue;
        /* A device that moved is P020/P021's news, not a capture. */
        bool moved = false;
        for (size_t k = 0; k < c->nlost && !moved; k++)
            moved = c->lost[k]->has_id && pci_id_eq(&c->lost[k]->id, &x->id);
        if (moved)
            continue;
        caps[ncaps++] = (struct capture){by, x};
    }
    /* One finding per spec line, the captured devices as notes: the cause
     * is the line's id under `bind ids`, not each device it catches. */
    for (size_t i = 0; i < ncaps; i++) {
        const struct m_device *by = caps[i].by;
        bool first = true, crit = false;
        size_t n = 0;
        for (size_t k = 0; k < ncaps; k++)
            if (caps[k].by == by) {
                first = first && k >= i;
                crit = crit || (caps[k].x->uses & USES_ANY_CRITICAL);
                n++;
            }
        if (!first)
            continue;
        const struct facts_device *x = caps[i].x;
        struct diag *dg;
        if (n == 1)
            dg = diag_add_sev(c->d, R_P026, crit ? SEV_ERROR : SEV_WARNING,
                                   by->id_loc.src ? by->id_loc : by->addr_loc,
                                   "`bind ids` gives every %s to vfio-pci: it also captures %s, which the spec does not pass%s%s",
                                   id_s(c, &x->id), label(c, x),
                                   crit ? " and the host uses for " : "",
                                   crit ? uses_text(c, x, USES_ANY_CRITICAL) : "");
        else
            dg = diag_add_sev(c->d, R_P026, crit ? SEV_ERROR : SEV_WARNING,
                              by->id_loc.src ? by->id_loc : by->addr_loc,
                              "`bind ids` gives every %s to vfio-pci: it also captures %zu devices the spec does not pass%s",
                              id_s(c, &x->id), n, crit ? ", one the host uses" : "");
        for (size_t k = i; n > 1 && k < ncaps; k++) {
            if (caps[k].by != by)
                continue;
            const struct facts_device *y = caps[k].x;
            if (y->uses & USES_ANY_CRITICAL)
                diag_note(c->d, dg, (src_loc){0}, "%s: the host uses it for %s",
                          label(c, y), uses_text(c, y, USES_ANY_CRITICAL));
            else
                diag_note(c->d, dg, (src_loc){0}, "%s", label(c, y));
        }
        if (c->m->has_host && c->m->host.bind_loc.src)
            diag_note(c->d, dg, c->m->host.bind_loc, "the host binds by id here");
        diag_fix(c->d, dg, "use `bind start` in the host block (Proxmox then binds only the passed addresses at VM start)%s",
                 crit ? "" : n > 1 ? ", or pass the other devices too" : ", or pass the other device too");
    }
}

/* ---- P032 ---- */

static void check_builtin(struct fctx *c)
{
    if (facts_module_state(c->f, "vfio_pci") != MOD_BUILTIN)
        return;
    if (c->m->host.bind != BIND_IDS)
        return;
    bool any = false;
    for (size_t v = 0; v < c->m->nvms; v++)
        any = any || c->m->vms[v]->ndevs > 0;
    if (!any)
        return;
    src_loc loc = c->m->host.bind_loc.src ? c->m->host.bind_loc : c->m->host.loc;
    struct diag *dg = diag_add(c->d, R_P032, loc,
                               "vfio_pci is built into kernel %s: `options vfio-pci ids=` in /etc/modprobe.d is ignored, so the ids go on the kernel command line",
                               c->f->kernel_release ? c->f->kernel_release : "?");
    /* apply.sh edits the command line itself (emit_cmdline.c); the manual
     * way stays in the message for whoever applies the spec by hand. */
    diag_fix(c->d, dg, "apply.sh puts vfio-pci.ids=… on the kernel command line and rollback.sh takes it back; reboot after apply.sh. By hand: %s",
             cmdline_howto(c->f));
}

/* ---- P011 with facts ----
 * rules_spec.c guesses the card's other functions from the address alone
 * (".1 is usually the HDMI audio").  The facts know: a line whose identity
 * failed keeps only its P020/P021 (one cause, one finding), a GPU alone on
 * its card (a BMC's VGA, many workstation cards) is no split card, and the
 * fix names the functions the host really has. */
static void revisit_split_cards(struct fctx *c, const struct facts_device **ident)
{
    /* the findings re-raised here are appended: stop at the old tail */
    struct diag *last = c->d->tail;
    for (struct diag *dg = c->d->head, *next; dg; dg = next) {
        next = dg == last ? NULL : dg->next;
        if (dg->id != R_P011 || dg->notes)
            continue;   /* with a note: split across VMs, both lines exist */
        const struct m_device *md = NULL;
        const struct facts_device *fd = NULL;
        size_t t = 0;
        for (size_t v = 0; v < c->m->nvms && !md; v++)
            for (size_t k = 0; k < c->m->vms[v]->ndevs && !md; k++, t++) {
                const struct m_device *o = c->m->vms[v]->devs[k];
                if (dg->loc.src == o->addr_loc.src && dg->loc.start == o->addr_loc.start) {
                    md = o;
                    fd = ident[t];
                }
            }
        if (!md)
            continue;
        diag_remove(c->d, dg);
        if (!fd)
            continue;
        struct strbuf names, fix;
        sb_init(&names, c->a);
        sb_init(&fix, c->a);
        for (size_t i = 0; i < c->f->ndevs; i++) {
            const struct facts_device *x = &c->f->devs[i];
            if (x == fd || !pci_addr_same_device(&x->addr, &fd->addr))
                continue;
            sb_printf(&names, "%s%s", names.len ? ", " : "", label(c, x));
            sb_printf(&fix, "%s`%s %s %s`", fix.len ? ", " : "",
                      dev_kind_name(pci_class_kind(x->class_code)),
                      addr_s(c, &x->addr), id_s(c, &x->id));
        }
        if (!names.len)
            continue;   /* a single-function GPU: nothing is split */
        struct diag *nd = diag_add(c->d, R_P011, md->addr_loc,
                                   "gpu %s goes to VM %u without the other functions of its card (%s): they stay on the host",
                                   addr_s(c, &fd->addr), md->vm ? md->vm->vmid : 0,
                                   sb_str(&names));
        diag_fix(c->d, nd, "nest %s in the gpu's block, or add `all-functions`",
                 sb_str(&fix));
    }
}

void rules_facts_run(const struct model *m, const struct facts *f,
                     const struct quirks *q, struct diag_list *diags)
{
    if (!m || !f)
        return;
    struct fctx c = {.a = diags->a, .m = m, .f = f, .q = q, .d = diags};
    bool iommu = check_iommu(&c);

    /* First every passed function, so group and capture checks know what
     * the other VMs take. */
    size_t total = 0;
    for (size_t v = 0; v < m->nvms; v++)
        total += m->vms[v]->ndevs;
    const struct facts_device **ident =
        arena_calloc(c.a, total + 1, sizeof *ident);
    c.lost = arena_calloc(c.a, total + 1, sizeof *c.lost);
    size_t t = 0;
    for (size_t v = 0; v < m->nvms; v++)
        for (size_t k = 0; k < m->vms[v]->ndevs; k++, t++) {
            const struct m_device *md = m->vms[v]->devs[k];
            ident[t] = check_identity(&c, md);
            if (!ident[t]) {
                c.lost[c.nlost++] = md;
                continue;
            }
            if (all_functions(md)) {
                for (size_t i = 0; i < f->ndevs; i++)
                    if (pci_addr_same_device(&f->devs[i].addr, &md->addr))
                        passed_add(&c, &c.all, &c.nall, &c.capall,
                                   &f->devs[i], md);
            } else {
                passed_add(&c, &c.all, &c.nall, &c.capall, ident[t], md);
            }
        }

    t = 0;
    for (size_t v = 0; v < m->nvms; v++) {
        const struct m_vm *vm = m->vms[v];
        struct passed *vp = NULL;
        size_t nvp = 0, cap = 0;
        for (size_t i = 0; i < c.nall; i++)
            if (c.all[i].by->vm == vm)
                passed_add(&c, &vp, &nvp, &cap, c.all[i].fd, c.all[i].by);
        for (size_t k = 0; k < vm->ndevs; k++, t++) {
            const struct m_device *md = vm->devs[k];
            const struct facts_device *fd = ident[t];
            if (!fd)
                continue;
            check_class(&c, md, fd);
            if (check_bridge(&c, md, fd))
                continue;
            check_critical(&c, md, fd);
            /* all-functions passes the card's other functions too */
            for (size_t i = 0; all_functions(md) && i < f->ndevs; i++)
                if (&f->devs[i] != fd &&
                    pci_addr_same_device(&f->devs[i].addr, &md->addr) &&
                    !check_bridge(&c, md, &f->devs[i]))
                    check_critical(&c, md, &f->devs[i]);
            check_console(&c, md, fd);
            check_reset(&c, md, fd);
            check_guest(&c, md, fd);
            check_usb4_links(&c, md, fd, vp, nvp);
            check_drivers(&c, md, fd);
        }
        if (iommu)
            check_groups(&c, vm, vp, nvp);
    }
    check_ids_capture(&c);
    check_builtin(&c);
    revisit_split_cards(&c, ident);
    rules_hostconf_run(m, f, diags);
}
