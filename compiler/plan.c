/* plan.c — deciding what a build does (design.md: model → plan → emit).
 *
 * Everything here is a decision the emitters used to take piecemeal or the
 * rules used to leave behind in the model: the vfio-pci ids, which native
 * drivers get a softdep, whether the ids go on the kernel command line,
 * each VM's settings, and what the build saw on the host.  The rules
 * (rules_facts.c) judge the same facts; the two agree because they apply
 * the same tests (identity, bridge, module state), not because one tells
 * the other. */
#include <stdlib.h>
#include <string.h>

#include "facts.h"
#include "names.h"
#include "plan.h"
#include "quirks.h"

/* ---- vfio-pci ids ------------------------------------------------------ */

/* Adds id to out unless the hash set already holds it. */
static void id_add(uint32_t *set, size_t cap, struct pci_id *out, size_t *n,
                   struct pci_id id)
{
    uint32_t key = (uint32_t)id.vendor << 16 | id.device;
    if (key == 0xffffffffu)
        return;
    size_t h = (key * 2654435761u) & (cap - 1);
    while (set[h] != 0xffffffffu && set[h] != key)
        h = (h + 1) & (cap - 1);
    if (set[h] == key)
        return;
    set[h] = key;
    out[(*n)++] = id;
}

/* Linear time (a hash set): specs with thousands of devices are fuzzed.
 * The host's own `vfio ids` first, then each device's id: from its line,
 * else from the facts (P015 stops a build that knows neither). */
static void plan_ids(arena *a, const struct model *m, const struct facts *f,
                     struct plan *p)
{
    size_t nhost = m->has_host ? m->host.nvfio_ids : 0;
    size_t total = nhost;
    for (size_t v = 0; v < m->nvms; v++)
        total += m->vms[v]->ndevs;
    size_t cap = 16;
    while (cap < total * 2)
        cap *= 2;
    /* open addressing on vendor<<16|device; 0xffffffff marks a free cell
     * (ffff:ffff is no real id: it is what an absent device reads as) */
    uint32_t *set = arena_alloc(a, cap * sizeof *set);
    memset(set, 0xff, cap * sizeof *set);
    struct pci_id *out = arena_calloc(a, total + 1, sizeof *out);
    size_t n = 0;
    for (size_t j = 0; j < nhost; j++)
        id_add(set, cap, out, &n, m->host.vfio_ids[j]);
    for (size_t v = 0; v < m->nvms; v++)
        for (size_t i = 0; i < m->vms[v]->ndevs; i++) {
            const struct m_device *d = m->vms[v]->devs[i];
            struct pci_addr at = d->addr;
            if (at.func == PCI_FUNC_ALL)
                at.func = 0;
            const struct facts_device *fd = d->has_id || !f ? NULL : facts_find(f, &at);
            if (d->has_id)
                id_add(set, cap, out, &n, d->id);
            else if (fd)
                id_add(set, cap, out, &n, fd->id);
        }
    p->ids = out;
    p->nids = n;
}

/* ---- VM settings -------------------------------------------------------- */

void plan_hostpci_value(const struct m_device *d, struct strbuf *out)
{
    char buf[24];
    if (d->mapping)
        sb_printf(out, "mapping=%s", d->mapping->name);
    struct pci_addr host = d->addr;
    /* all-functions: the function-less id makes Proxmox pass every function
     * of the card as one multifunction guest device. */
    if (d->all_functions)
        host.func = PCI_FUNC_ALL;
    if (!d->mapping)
        sb_add(out, pci_addr_format(&host, buf));
    /* `01:00.0;02:00.0`: the line's further functions, in its order */
    for (size_t i = 0; d->vm && i < d->vm->ndevs; i++) {
        const struct m_device *j = d->vm->devs[i];
        if (!j->joined || j->parent != d)
            continue;
        host = j->addr;
        if (j->all_functions)
            host.func = PCI_FUNC_ALL;
        sb_printf(out, ";%s", pci_addr_format(&host, buf));
    }
    if (d->pcie)
        sb_add(out, ",pcie=1");
    if (d->primary)
        sb_add(out, ",x-vga=1");
    if (d->rombar == TRI_OFF)
        sb_add(out, ",rombar=0");
    if (d->romfile)
        sb_printf(out, ",romfile=%s", d->romfile);
    if (d->mdev)
        sb_printf(out, ",mdev=%s", d->mdev);
    if (d->legacy_igd)
        sb_add(out, ",legacy-igd=1");
    static const char *const id_keys[] = {"vendor-id", "device-id",
                                          "sub-vendor-id", "sub-device-id"};
    const int ids[] = {d->vendor_id, d->device_id, d->sub_vendor_id,
                       d->sub_device_id};
    for (size_t i = 0; i < 4; i++)
        if (ids[i] >= 0)
            sb_printf(out, ",%s=0x%04x", id_keys[i], (unsigned)ids[i]);
}

/* Strings from the spec are single-line by the grammar; a control byte
 * that still got here would make Proxmox drop the whole line, so it
 * becomes a space rather than reach the file. */
static const char *one_line(arena *a, const char *s)
{
    char *c = arena_strdup(a, s);
    for (char *p = c; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    return c;
}

static void plan_settings(arena *a, const struct m_vm *vm, struct plan_vm *pv)
{
    struct vm_setting *s = arena_calloc(a, vm->ndevs + vm->nmapped + 10, sizeof *s);
    size_t k = 0;
    /* By slot number, not declaration order: pinned slots make the two
     * differ, and a reader compares the file against `qm config`. */
    for (int slot = 0; slot < MAX_HOSTPCI; slot++) {
        for (size_t i = 0; i < vm->ndevs + vm->nmapped; i++) {
            const struct m_device *d = i < vm->ndevs ? vm->devs[i]
                                                     : vm->mapped[i - vm->ndevs];
            /* a mapping entry's device is its slot on one node: the slot
             * itself is written, as mapping=NAME */
            if (d->folded || d->entry || d->slot != slot)
                continue;
            struct strbuf v;
            sb_init(&v, a);
            plan_hostpci_value(d, &v);
            s[k].key = arena_printf(a, "hostpci%d", slot);
            s[k].value = one_line(a, sb_str(&v));
            k++;
            break;
        }
    }
    if (vm->machine)
        s[k].key = "machine", s[k++].value = one_line(a, vm->machine_pve ? vm->machine_pve : vm->machine);
    if (vm->bios)
        s[k].key = "bios", s[k++].value = one_line(a, vm->bios);
    if (vm->cpu)
        s[k].key = "cpu", s[k++].value = one_line(a, vm->cpu_pve ? vm->cpu_pve : vm->cpu);
    if (vm->cores)
        s[k].key = "cores", s[k++].value = arena_printf(a, "%u", vm->cores);
    if (vm->memory_mib)
        s[k].key = "memory",
        s[k++].value = arena_printf(a, "%llu", (unsigned long long)vm->memory_mib);
    if (vm->numa != TRI_UNSET)
        s[k].key = "numa", s[k++].value = vm->numa == TRI_ON ? "1" : "0";
    if (vm->ostype)
        s[k].key = "ostype", s[k++].value = one_line(a, vm->ostype);
    if (vm->vga)
        s[k].key = "vga", s[k++].value = one_line(a, vm->vga_pve ? vm->vga_pve : vm->vga);
    if (vm->balloon_off == TRI_ON)
        s[k].key = "balloon", s[k++].value = "0";
    pv->vm = vm;
    pv->settings = s;
    pv->nsettings = k;
}

const struct plan_vm *plan_vm_of(const struct plan *p, const struct m_vm *vm)
{
    for (size_t v = 0; v < p->nvms; v++)
        if (p->vms[v].vm == vm)
            return &p->vms[v];
    return NULL;
}

/* ---- what the facts decide ---------------------------------------------- */

/* The device the line passes, when the facts hold it at the spec's address
 * with the spec's id (else P020/P021 stopped the build anyway). */
static const struct facts_device *identified(const struct facts *f,
                                             const struct m_device *md,
                                             struct pci_addr *at)
{
    *at = md->addr;
    if (at->func == PCI_FUNC_ALL)
        at->func = 0;
    const struct facts_device *fd = facts_find(f, at);
    if (!fd || (md->has_id && !pci_id_eq(&fd->id, &md->id)))
        return NULL;
    return fd;
}

static void add_softdep(arena *a, struct plan *p, const char *module)
{
    /* it becomes a modprobe.d line: a module name, nothing else */
    if (!plain_name(module, "_-"))
        return;
    for (size_t i = 0; i < p->nsoftdeps; i++)
        if (!strcmp(p->softdeps[i], module))
            return;
    p->softdeps = arena_realloc(a, (void *)p->softdeps,
                                p->nsoftdeps * sizeof *p->softdeps,
                                (p->nsoftdeps + 1) * sizeof *p->softdeps);
    p->softdeps[p->nsoftdeps++] = module;
}

/* A module vfio-pci must load before: the bound driver's module (it is
 * known to exist, even when the facts do not list it) and the quirks
 * table's native drivers that exist as modules.  A built-in one cannot be
 * ordered at all (P028 says so); vfio-pci itself needs no softdep. */
static void plan_softdeps(arena *a, const struct facts *f,
                          const struct quirks *q,
                          const struct facts_device *fd, struct plan *p)
{
    const char *mods[17];
    bool bound[17];
    size_t n = quirks_claiming_modules(q, fd, mods, bound, 17);
    for (size_t i = 0; i < n; i++) {
        enum mod_state st = facts_module_state(f, mods[i]);
        if (st == MOD_MODULE || (bound[i] && st == MOD_UNKNOWN))
            add_softdep(a, p, mods[i]);
    }
}

/* The facts' devices by IOMMU group, then address: each passed device's
 * group is then one run of it, found by binary search (a plan for a host
 * with thousands of devices, many of them passed, stays n log n). */
struct by_group {
    struct pci_addr *addr;
    int *group;
    size_t n;
};

static int group_cmp(const void *pa, const void *pb)
{
    const struct facts_device *a = *(const struct facts_device *const *)pa;
    const struct facts_device *b = *(const struct facts_device *const *)pb;
    if (a->iommu_group != b->iommu_group)
        return a->iommu_group < b->iommu_group ? -1 : 1;
    return pci_addr_cmp(&a->addr, &b->addr);
}

static struct by_group group_index(arena *a, const struct facts *f)
{
    const struct facts_device **v = arena_calloc(a, f->ndevs + 1, sizeof *v);
    for (size_t i = 0; i < f->ndevs; i++)
        v[i] = &f->devs[i];
    qsort(v, f->ndevs, sizeof *v, group_cmp);
    struct by_group g = {arena_calloc(a, f->ndevs + 1, sizeof *g.addr),
                         arena_calloc(a, f->ndevs + 1, sizeof *g.group), f->ndevs};
    for (size_t i = 0; i < f->ndevs; i++) {
        g.addr[i] = v[i]->addr;
        g.group[i] = v[i]->iommu_group;
    }
    return g;
}

/* every function in pd's group, by address (apply.sh compares lists) */
static void plan_group(const struct by_group *g, struct plan_device *pd)
{
    size_t lo = 0, hi = g->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->group[mid] < pd->iommu_group)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < g->n && g->group[end] == pd->iommu_group)
        end++;
    pd->group = g->addr + lo;
    pd->ngroup = end - lo;
}

static void plan_facts(arena *a, const struct model *m, const struct facts *f,
                       const struct quirks *q, struct plan *p)
{
    p->have_facts = f != NULL;
    struct by_group groups = {NULL, NULL, 0};
    if (f)
        groups = group_index(a, f);
    size_t total = 0;
    for (size_t v = 0; v < m->nvms; v++)
        total += m->vms[v]->ndevs;
    p->devices = arena_calloc(a, total + 1, sizeof *p->devices);
    enum bind_mode bind = m->has_host ? m->host.bind : BIND_IDS;
    for (size_t v = 0; v < m->nvms; v++)
        for (size_t i = 0; i < m->vms[v]->ndevs; i++) {
            const struct m_device *md = m->vms[v]->devs[i];
            struct plan_device *pd = &p->devices[p->ndevices++];
            pd->dev = md;
            pd->has_id = md->has_id;
            pd->id = md->id;
            pd->iommu_group = -1;
            const struct facts_device *fd = f ? identified(f, md, &pd->addr) : NULL;
            if (!f) {
                pd->addr = md->addr;
                if (pd->addr.func == PCI_FUNC_ALL)
                    pd->addr.func = 0;
            }
            if (!fd)
                continue;
            pd->seen = true;
            /* a line without id (a ';'-joined function has none): the id
             * the build saw is what apply.sh expects there again */
            pd->has_id = true;
            pd->id = fd->id;
            pd->class_code = fd->class_code;
            pd->iommu_group = fd->iommu_group;
            if (fd->iommu_group >= 0)
                plan_group(&groups, pd);
            /* Bridges cannot be passed (P031); under bind start Proxmox
             * rebinds at VM start and nothing races at boot. */
            if (!facts_is_bridge(fd) && bind == BIND_IDS)
                plan_softdeps(a, f, q, fd, p);
        }
    if (!f)
        return;
    p->hostname = f->hostname;
    p->iommu_on = f->iommu_on;
    switch (facts_module_state(f, "vfio_pci")) {
    case MOD_UNKNOWN: p->vfio_pci = PLAN_VFIO_UNKNOWN; break;
    case MOD_ABSENT: p->vfio_pci = PLAN_VFIO_ABSENT; break;
    case MOD_MODULE: p->vfio_pci = PLAN_VFIO_MODULE; break;
    case MOD_BUILTIN: p->vfio_pci = PLAN_VFIO_BUILTIN; break;
    }
    /* A built-in vfio_pci never reads modprobe.d (P032): with ids to bind
     * by, the kernel command line is the only place they work. */
    p->ids_on_cmdline = p->vfio_pci == PLAN_VFIO_BUILTIN &&
                        bind == BIND_IDS && p->nids > 0;
}

struct plan *plan_build(arena *a, const struct model *m, const struct facts *f,
                        const struct quirks *q)
{
    struct plan *p = arena_calloc(a, 1, sizeof *p);
    plan_ids(a, m, f, p);
    p->vms = arena_calloc(a, m->nvms + 1, sizeof *p->vms);
    for (size_t v = 0; v < m->nvms; v++)
        plan_settings(a, m->vms[v], &p->vms[v]);
    p->nvms = m->nvms;
    plan_facts(a, m, f, q, p);
    return p;
}
