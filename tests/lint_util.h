/* lint_util.h — builds a resolved model and host facts in C, so the facts
 * rules can be tested without the parser or a facts reader.  Locations
 * point into a real spec text (found by substring), so printed output is
 * what a user would see.  Everything lives in one arena per test. */
#ifndef PASSC_TEST_LINT_UTIL_H
#define PASSC_TEST_LINT_UTIL_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diag.h"
#include "facts.h"
#include "facts_impl.h"
#include "model.h"
#include "plan.h"
#include "rules.h"
#include "source.h"
#include "test_util.h"

#define LT_MAX 64

struct lt {
    arena *a;
    struct source *src;
    struct model *m;
    struct facts f;
    struct diag_list d;
    struct quirks *q;
    const char *quirks_path;
    const struct plan *p;      /* lt_run: what the build would do */
};

/* The quirks table of the checkout (tests run from the source root). */
static const char *lt_quirks_path(arena *a)
{
    return arena_printf(a, "%s/data/quirks.yaml", tu_srcdir());
}

/* Span of the nth (0-based) occurrence of needle in the spec text. */
static src_loc lt_loc(struct lt *t, const char *needle, int nth)
{
    const char *p = t->src->text;
    for (int i = 0; p && i <= nth; i++) {
        p = strstr(i ? p + 1 : p, needle);
    }
    ck_assert_msg(p != NULL, "'%s' not in spec text", needle);
    uint32_t start = (uint32_t)(p - t->src->text);
    return (src_loc){t->src, start, start + (uint32_t)strlen(needle)};
}

static struct lt *lt_new(const char *path, const char *spec_text)
{
    arena *a = arena_new();
    struct lt *t = arena_calloc(a, 1, sizeof *t);
    t->a = a;
    t->src = source_from_text(a, path, spec_text, strlen(spec_text));
    diag_init(&t->d, a);
    t->m = arena_calloc(a, 1, sizeof *t->m);
    t->m->src = t->src;
    t->m->has_host = true;
    t->m->host.name = "pve";
    t->m->host.iommu = IOMMU_REQUIRED;
    t->m->host.bind = BIND_IDS;
    if (strstr(spec_text, "host"))
        t->m->host.loc = lt_loc(t, "host", 0);
    if (strstr(spec_text, "bind"))
        t->m->host.bind_loc = lt_loc(t, "bind", 0);
    t->m->vms = arena_calloc(a, 8, sizeof *t->m->vms);
    t->f.origin = "test";
    t->f.hostname = "pve";
    t->f.kernel_release = "6.8.12-4-pve";
    t->f.cmdline = "initrd=\\EFI\\proxmox\\6.8.12-4-pve\\initrd.img-6.8.12-4-pve root=ZFS=rpool/ROOT/pve-1 boot=zfs";
    t->f.iommu_on = true;
    t->f.cpu_vendor = "AuthenticAMD";
    t->f.devs = arena_calloc(a, LT_MAX, sizeof *t->f.devs);
    t->f.modules = arena_calloc(a, LT_MAX, sizeof *t->f.modules);
    t->quirks_path = lt_quirks_path(a);
    return t;
}

static void lt_free(struct lt *t)
{
    arena_free(t->a);
}

static struct m_vm *lt_vm(struct lt *t, unsigned vmid, const char *ostype,
                          const char *needle)
{
    struct m_vm *vm = arena_calloc(t->a, 1, sizeof *vm);
    vm->vmid = vmid;
    vm->ostype = ostype;
    vm->machine = "q35";
    vm->q35 = true;
    vm->devs = arena_calloc(t->a, MAX_HOSTPCI + 4, sizeof *vm->devs);
    if (needle)
        vm->loc = vm->vmid_loc = lt_loc(t, needle, 0);
    t->m->vms[t->m->nvms++] = vm;
    return vm;
}

static struct pci_addr lt_addr(const char *s)
{
    struct pci_addr a;
    const char *why;
    ck_assert_int_eq(pci_addr_parse(s, true, &a, &why), 0);
    return a;
}

static struct pci_id lt_id(const char *s)
{
    struct pci_id id;
    const char *why;
    ck_assert_int_eq(pci_id_parse(s, &id, &why), 0);
    return id;
}

/* A device line; addr and id are located at their first occurrence in the
 * spec text when they occur there. */
static struct m_device *lt_dev(struct lt *t, struct m_vm *vm,
                               enum dev_kind kind, const char *addr,
                               const char *id)
{
    struct m_device *d = arena_calloc(t->a, 1, sizeof *d);
    d->kind = kind;
    d->addr = lt_addr(addr);
    if (strstr(t->src->text, addr)) {
        d->addr_loc = lt_loc(t, addr, 0);
        d->loc = d->addr_loc;
    }
    if (id) {
        d->has_id = true;
        d->id = lt_id(id);
        if (strstr(t->src->text, id))
            d->id_loc = lt_loc(t, id, 0);
    }
    d->vm = vm;
    d->slot = (int)vm->ndevs;
    d->pcie = true;
    d->pcie_set = TRI_UNSET;
    d->rombar = TRI_UNSET;
    d->vendor_id = d->device_id = d->sub_vendor_id = d->sub_device_id = -1;
    vm->devs[vm->ndevs++] = d;
    return d;
}

static void lt_tunnel(struct lt *t, struct m_device *d, const char *addr)
{
    if (!d->tunnels)
        d->tunnels = arena_calloc(t->a, 8, sizeof *d->tunnels);
    d->has_tunnels_stmt = true;
    if (strstr(t->src->text, "tunnels"))
        d->tunnels_loc = lt_loc(t, "tunnels", 0);  /* the keyword, as resolve.c records it */
    d->tunnels[d->ntunnels].addr = lt_addr(addr);
    d->ntunnels++;
}

/* A PCI function of the host: bound to vfio-pci, FLR, no host use. */
static struct facts_device *lt_fdev(struct lt *t, const char *addr,
                                    const char *id, uint32_t class_code,
                                    int group)
{
    ck_assert_uint_lt(t->f.ndevs, LT_MAX);
    struct facts_device *d = &t->f.devs[t->f.ndevs++];
    d->addr = lt_addr(addr);
    d->id = lt_id(id);
    d->class_code = class_code;
    d->iommu_group = group;
    d->reset_methods = "flr bus";
    d->boot_vga = (class_code >> 16) == 3 ? 0 : -1;
    d->numa_node = -1;
    d->driver = "vfio-pci";
    d->is_bridge = (class_code >> 8) == 0x0604;
    return d;
}

static struct facts_device *lt_fget(struct lt *t, const char *addr)
{
    struct pci_addr a = lt_addr(addr);
    for (size_t i = 0; i < t->f.ndevs; i++)
        if (pci_addr_eq(&t->f.devs[i].addr, &a))
            return &t->f.devs[i];
    ck_abort_msg("no facts device %s", addr);
    return NULL;
}

static void lt_link(struct lt *t, struct facts_device *d, const char *consumer)
{
    if (!d->consumers)
        d->consumers = arena_calloc(t->a, 8, sizeof *d->consumers);
    d->consumers[d->nconsumers++] = lt_addr(consumer);
}

static void lt_mod(struct lt *t, const char *name, enum mod_state st)
{
    for (size_t i = 0; i < t->f.nmodules; i++)
        if (!strcmp(t->f.modules[i].name, name)) {
            t->f.modules[i].state = st;
            return;
        }
    t->f.modules[t->f.nmodules++] = (struct facts_module){name, st};
}

static void lt_run(struct lt *t)
{
    t->q = quirks_load(t->a, t->quirks_path, &t->d);
    ck_assert_msg(t->q != NULL, "quirks table %s did not load", t->quirks_path);
    facts_sort(&t->f);  /* facts.h: sorted by address, as both readers give them */
    rules_facts_run(t->m, &t->f, t->q, &t->d);
    diag_sort(&t->d);
    t->p = plan_build(t->a, t->m, &t->f, t->q);
}

static size_t lt_count(const struct lt *t, const char *rule)
{
    return tu_count_rule(&t->d, rule);
}

static const struct diag *lt_get(const struct lt *t, const char *rule)
{
    const struct diag *d = tu_first_rule(&t->d, rule);
    ck_assert_msg(d != NULL, "no %s diagnostic", rule);
    return d;
}

static bool lt_notes_have(const struct diag *d, const char *text)
{
    for (const struct diag_note *n = d->notes; n; n = n->next)
        if (strstr(n->msg, text))
            return true;
    return false;
}

static bool lt_has_softdep(const struct lt *t, const char *module)
{
    for (size_t i = 0; i < t->p->nsoftdeps; i++)
        if (!strcmp(t->p->softdeps[i], module))
            return true;
    return false;
}

/* Every diagnostic as "P0xx sev" lines, for failure messages. */
static const char *lt_dump(const struct lt *t)
{
    char *s = arena_strdup(t->a, "");
    for (const struct diag *d = t->d.head; d; d = d->next)
        s = arena_printf(t->a, "%s\n%s %s: %s", s, d->rule ? d->rule : "-",
                         severity_name(d->sev), d->msg);
    return s;
}

/* ---- the seed's VM 102 on its X870E host, as C values ---- */

static const char seed_spec[] =
    "host \"pve\" {\n"
    "    iommu    required\n"
    "    bind     ids\n"
    "}\n"
    "vm 102 \"win-server-2025\" {\n"
    "    os      win11\n"
    "    machine q35\n"
    "    gpu 02:00.0 10de:2783 \"RTX 4070 SUPER\" {\n"
    "        primary\n"
    "        audio 02:00.1 10de:22bc\n"
    "    }\n"
    "    usb  77:00.0 1b21:2426 \"ASMedia USB 3.2 20 Gbps\"\n"
    "    usb4 78:00.0 1b21:2425 \"ASMedia ASM4242 USB4 host router\" {\n"
    "        tunnels 79:00.3 79:00.4\n"
    "        guest-driver \"ASMedia USB4 Windows driver 1.0.0.0 or later\"\n"
    "    }\n"
    "    usb  79:00.3 1022:15b6 \"AMD USB 3.1\"\n"
    "    usb  79:00.4 1022:15b7 \"AMD USB 3.1\"\n"
    "}\n";

struct seed {
    struct lt *t;
    struct m_vm *vm;
    struct m_device *gpu, *audio, *usb, *router, *x3, *x4;
};

static struct seed seed_build(const char *path, const char *text)
{
    struct seed s;
    struct lt *t = s.t = lt_new(path, text ? text : seed_spec);
    s.vm = lt_vm(t, 102, "win11", "102");
    s.gpu = lt_dev(t, s.vm, DEV_GPU, "02:00.0", "10de:2783");
    s.gpu->primary = true;
    s.gpu->name = "RTX 4070 SUPER";
    s.audio = lt_dev(t, s.vm, DEV_AUDIO, "02:00.1", "10de:22bc");
    s.audio->parent = s.gpu;
    s.usb = lt_dev(t, s.vm, DEV_USB, "77:00.0", "1b21:2426");
    s.router = lt_dev(t, s.vm, DEV_USB4, "78:00.0", "1b21:2425");
    s.router->guest_driver = "ASMedia USB4 Windows driver 1.0.0.0 or later";
    lt_tunnel(t, s.router, "79:00.3");
    lt_tunnel(t, s.router, "79:00.4");
    /* the router's tunnels name the controllers, which come later */
    s.x3 = lt_dev(t, s.vm, DEV_USB, "79:00.3", "1022:15b6");
    s.x4 = lt_dev(t, s.vm, DEV_USB, "79:00.4", "1022:15b7");
    if (strstr(t->src->text, "79:00.3 1022"))
        s.x3->addr_loc = lt_loc(t, "79:00.3", 1);
    if (strstr(t->src->text, "79:00.4 1022"))
        s.x4->addr_loc = lt_loc(t, "79:00.4", 1);

    /* host: root port + GPU in one group (the bridge never counts), the
     * NVMe root disk, the iGPU console, its own USB controllers */
    struct facts_device *rp = lt_fdev(t, "00:01.1", "1022:14ee", 0x060400, 14);
    rp->driver = "pcieport";
    struct facts_device *g = lt_fdev(t, "02:00.0", "10de:2783", 0x030000, 14);
    g->has_parent = true;
    g->parent = rp->addr;
    g->vendor_name = "NVIDIA Corporation";
    g->device_name = "AD104 [GeForce RTX 4070 SUPER]";
    struct facts_device *ga = lt_fdev(t, "02:00.1", "10de:22bc", 0x040300, 14);
    ga->has_parent = true;
    ga->parent = rp->addr;
    struct facts_device *nv = lt_fdev(t, "01:00.0", "144d:a80c", 0x010802, 12);
    nv->driver = "nvme";
    nv->uses = USE_ROOT_DISK | USE_ZFS_POOL;
    nv->use_detail = "root-disk: /dev/nvme0n1p3 (rpool)";
    lt_fdev(t, "77:00.0", "1b21:2426", 0x0c0330, 20);
    struct facts_device *r = lt_fdev(t, "78:00.0", "1b21:2425", 0x0c0340, 21);
    lt_link(t, r, "79:00.3");
    lt_link(t, r, "79:00.4");
    lt_fdev(t, "79:00.3", "1022:15b6", 0x0c0330, 22);
    lt_fdev(t, "79:00.4", "1022:15b7", 0x0c0330, 23);
    struct facts_device *ig = lt_fdev(t, "7c:00.0", "1002:13c0", 0x030000, 24);
    ig->driver = "amdgpu";
    ig->boot_vga = 1;
    ig->uses = USE_CONSOLE;
    struct facts_device *kb = lt_fdev(t, "7c:00.3", "1022:15b8", 0x0c0330, 25);
    kb->driver = "xhci_hcd";
    kb->uses = USE_KEYBOARD;

    lt_mod(t, "vfio_pci", MOD_MODULE);
    lt_mod(t, "nouveau", MOD_MODULE);
    lt_mod(t, "nvidia", MOD_ABSENT);
    lt_mod(t, "snd_hda_intel", MOD_MODULE);
    lt_mod(t, "xhci_pci", MOD_MODULE);
    lt_mod(t, "thunderbolt", MOD_MODULE);
    return s;
}

#endif
