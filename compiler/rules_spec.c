/* rules_spec.c — lint rules that need only the spec (P005–P013).
 *
 * Every check is one pass over the devices with hash sets keyed by PCI
 * address, per VM and across VMs, so a generated spec with thousands of
 * VMs lints in linear time.  Messages name the device and say the fix. */
#include <stdint.h>
#include <string.h>

#include "rules.h"

/* ---- address-keyed hash map ------------------------------------------ */

struct addr_map {
    uint64_t *key;             /* 0 = free; keys are stored +1 */
    struct m_device **val;
    uint32_t *count;           /* per-VM maps only (NULL across VMs) */
    size_t cap;
    uint32_t *used;            /* filled cells, so a reset is cheap; per-VM only */
    size_t nused;
};

static uint64_t addr_key(const struct pci_addr *a, bool whole_card)
{
    return ((uint64_t)a->domain << 24 | (uint64_t)a->bus << 16 |
            (uint64_t)a->slot << 8 | (whole_card ? PCI_FUNC_ALL : a->func)) + 1;
}

/* per_vm: the map is reset for every VM and counts devices per key.  The
 * maps across VMs need neither, and on a spec of thousands of VMs they are
 * the big ones: without those two arrays they take 16 bytes a cell, not 36. */
static void map_init(arena *a, struct addr_map *m, size_t n, bool per_vm)
{
    m->cap = 16;
    while (m->cap < n * 2)
        m->cap *= 2;
    m->key = arena_calloc(a, m->cap, sizeof *m->key);
    m->val = arena_calloc(a, m->cap, sizeof *m->val);
    m->count = per_vm ? arena_calloc(a, m->cap, sizeof *m->count) : NULL;
    m->used = per_vm ? arena_calloc(a, m->cap, sizeof *m->used) : NULL;
    m->nused = 0;
}

/* Empties the map in time proportional to what was put in: one map serves
 * every VM of a spec with thousands of small VMs. */
static void map_reset(struct addr_map *m)
{
    for (size_t i = 0; i < m->nused; i++) {
        m->key[m->used[i]] = 0;
        m->count[m->used[i]] = 0;
    }
    m->nused = 0;
}

static size_t map_slot(const struct addr_map *m, uint64_t k)
{
    size_t i = (size_t)((k * 0x9e3779b97f4a7c15ull) >> 32) & (m->cap - 1);
    while (m->key[i] && m->key[i] != k)
        i = (i + 1) & (m->cap - 1);
    return i;
}

static struct m_device *map_get(const struct addr_map *m, uint64_t k)
{
    size_t i = map_slot(m, k);
    return m->key[i] ? m->val[i] : NULL;
}

/* Keeps the first device for a key; returns it (NULL if k was new). */
static struct m_device *map_put(struct addr_map *m, uint64_t k,
                                struct m_device *d)
{
    size_t i = map_slot(m, k);
    if (m->key[i])
        return m->val[i];
    m->key[i] = k;
    m->val[i] = d;
    if (m->used)
        m->used[m->nused++] = (uint32_t)i;
    return NULL;
}

/* Counts devices per key; the first device is kept as the value. */
static void map_count(struct addr_map *m, uint64_t k, struct m_device *d)
{
    size_t i = map_slot(m, k);
    if (!m->key[i]) {
        m->key[i] = k;
        m->val[i] = d;
        m->used[m->nused++] = (uint32_t)i;
    }
    m->count[i]++;
}

static uint32_t map_n(const struct addr_map *m, uint64_t k)
{
    size_t i = map_slot(m, k);
    return m->key[i] ? m->count[i] : 0;
}

/* ---- wording ---------------------------------------------------------- */

struct checker {
    arena *a;
    struct diag_list *d;
    const struct model *m;
};

static const char *addr_text(arena *a, const struct pci_addr *p)
{
    char buf[24];
    return arena_strdup(a, pci_addr_format(p, buf));
}

/* "gpu 0000:02:00.0": what the messages call a device. */
static const char *dev_text(struct checker *c, const struct m_device *d)
{
    if (d->mapping_name)
        return arena_printf(c->a, "%s mapping '%s'", dev_kind_name(d->kind),
                            d->mapping_name);
    return arena_printf(c->a, "%s %s", dev_kind_name(d->kind),
                        addr_text(c->a, &d->addr));
}

/* The short form a user would type: "79:00.3" (domain 0 left out). */
static const char *short_addr(arena *a, const struct pci_addr *p)
{
    if (p->domain)
        return addr_text(a, p);
    return arena_printf(a, "%02x:%02x.%x", p->bus, p->slot, p->func);
}

/* ---- per VM ----------------------------------------------------------- */

/* P005: one function twice in a VM, all-functions expanded.  Fills the
 * VM's maps: funcs (function -> first device), cards (card -> first device,
 * or the all-functions one) and the per-card device count. */
static void check_duplicates(struct checker *c, const struct m_vm *vm,
                             struct addr_map *funcs, struct addr_map *cards)
{
    for (size_t i = 0; i < vm->ndevs; i++) {
        struct m_device *d = vm->devs[i];
        uint64_t card = addr_key(&d->addr, true);
        map_count(cards, card, d);
        if (d->folded && !d->joined)    /* a joined function is passed itself */
            continue;
        struct m_device *w = map_get(cards, card);
        struct m_device *prev = NULL;
        if (d->all_functions) {
            if (w != d)
                prev = w;
        } else if (w->all_functions && w != d) {
            prev = w;
        } else {
            prev = map_put(funcs, addr_key(&d->addr, false), d);
        }
        if (!prev)
            continue;
        struct diag *g;
        if (prev->all_functions || d->all_functions)
            g = diag_add(c->d, R_P005, d->addr_loc,
                         "%s is passed twice to VM %u: %s passes the whole card (all-functions)",
                         dev_text(c, d), vm->vmid,
                         dev_text(c, prev->all_functions ? prev : d));
        else
            g = diag_add(c->d, R_P005, d->addr_loc,
                         "%s is passed twice to VM %u", dev_text(c, d), vm->vmid);
        diag_note(c->d, g, prev->addr_loc, "first passed here");
        if (d->joined && prev->slot == d->slot)
            diag_fix(c->d, g, "remove it from the ';' list (Proxmox refuses a function assigned twice)");
        else
            diag_fix(c->d, g, "remove one of the two (Proxmox refuses a function in two hostpci slots)");
    }
}

/* Every slot of a VM in declaration order: the address ones and those
 * that name a mapping (mapping.c keeps the two apart, slots, pcie and
 * x-vga are the VM's whatever the slot passes). */
static const struct m_device **all_slots(struct checker *c, const struct m_vm *vm,
                                         size_t *n)
{
    if (!vm->nmapped) {
        *n = vm->ndevs;
        return (const struct m_device **)vm->devs;
    }
    const struct m_device **v = arena_calloc(c->a, vm->ndevs + vm->nmapped, sizeof *v);
    size_t i = 0, j = 0, k = 0;
    while (i < vm->ndevs || j < vm->nmapped) {
        if (j == vm->nmapped ||
            (i < vm->ndevs && vm->devs[i]->loc.start < vm->mapped[j]->loc.start))
            v[k++] = vm->devs[i++];
        else
            v[k++] = vm->mapped[j++];
    }
    *n = k;
    return v;
}

/* P006: more than 16 slots, or one slot pinned twice. */
static void check_slots(struct checker *c, const struct m_vm *vm)
{
    const struct m_device *pinned[MAX_HOSTPCI] = {NULL};
    const struct m_device *first_over = NULL;
    size_t over = 0, slots = 0, nall;
    const struct m_device **all = all_slots(c, vm, &nall);
    for (size_t i = 0; i < nall; i++) {
        const struct m_device *d = all[i];
        if (d->folded)
            continue;
        slots++;
        if (d->slot_pinned && d->slot >= 0 && d->slot < MAX_HOSTPCI) {
            const struct m_device *p = pinned[d->slot];
            if (p) {
                struct diag *g = diag_add(c->d, R_P006, d->slot_loc,
                                          "%s is pinned to hostpci%d, which %s already has",
                                          dev_text(c, d), d->slot, dev_text(c, p));
                diag_note(c->d, g, p->slot_loc, "pinned here first");
                diag_fix(c->d, g, "pin one of them to another slot, or drop `slot` to take the lowest free one");
            } else {
                pinned[d->slot] = d;
            }
            continue;
        }
        if (d->slot < 0 && over++ == 0)
            first_over = d;
    }
    if (!first_over)
        return;
    /* One message per VM: the first device left without a slot. */
    struct diag *g;
    if (over == 1)
        g = diag_add(c->d, R_P006, first_over->loc,
                     "VM %u needs %zu hostpci slots but Proxmox has %d (hostpci0-15): %s gets none",
                     vm->vmid, slots, MAX_HOSTPCI, dev_text(c, first_over));
    else
        g = diag_add(c->d, R_P006, first_over->loc,
                     "VM %u needs %zu hostpci slots but Proxmox has %d (hostpci0-15): %s and %zu more get none",
                     vm->vmid, slots, MAX_HOSTPCI, dev_text(c, first_over), over - 1);
    diag_fix(c->d, g, "pass fewer devices, or pass a multi-function card as one slot with `all-functions`");
}

/* P007: pcie without q35.  Only an explicit `pcie` can be wrong: the
 * default follows the machine. */
static void check_pcie(struct checker *c, const struct m_vm *vm)
{
    if (vm->q35)
        return;
    size_t nall;
    const struct m_device **all = all_slots(c, vm, &nall);
    for (size_t i = 0; i < nall; i++) {
        const struct m_device *d = all[i];
        if (d->pcie_set != TRI_ON)
            continue;
        struct diag *g;
        if (vm->machine)
            g = diag_add(c->d, R_P007, d->pcie_loc,
                         "%s asks for pcie but VM %u's machine '%s' is not q35: Proxmox refuses to start it",
                         dev_text(c, d), vm->vmid, vm->machine);
        else
            g = diag_add(c->d, R_P007, d->pcie_loc,
                         "%s asks for pcie but VM %u sets no machine (Proxmox's default is i440fx): Proxmox refuses to start it",
                         dev_text(c, d), vm->vmid);
        if (vm->machine)
            diag_note(c->d, g, vm->machine_loc, "machine set here");
        diag_fix(c->d, g, "set `machine q35` in vm %u, or remove `pcie` from the device", vm->vmid);
    }
}

/* P008: one x-vga device per VM. */
static void check_primary(struct checker *c, const struct m_vm *vm)
{
    const struct m_device *first = NULL;
    size_t nall;
    const struct m_device **all = all_slots(c, vm, &nall);
    for (size_t i = 0; i < nall; i++) {
        const struct m_device *d = all[i];
        if (!d->primary)
            continue;
        if (!first) {
            first = d;
            continue;
        }
        struct diag *g = diag_add(c->d, R_P008, d->primary_loc,
                                  "%s is a second primary (x-vga) device in VM %u; %s is already primary",
                                  dev_text(c, d), vm->vmid, dev_text(c, first));
        diag_note(c->d, g, first->primary_loc, "first primary here");
        diag_fix(c->d, g, "keep `primary` on the one GPU that drives the VM's display");
    }
}

static bool vm_passes(const struct addr_map *funcs, const struct addr_map *cards,
                      const struct pci_addr *a)
{
    if (map_get(funcs, addr_key(a, false)))
        return true;
    const struct m_device *whole = map_get(cards, addr_key(a, true));
    return whole && whole->all_functions;
}

/* P009/P010: a USB4 router only works in the guest with the xHCI
 * controllers its USB 3.x traffic is tunnelled through. */
static void check_usb4(struct checker *c, const struct m_vm *vm,
                       const struct addr_map *funcs, const struct addr_map *cards)
{
    for (size_t i = 0; i < vm->ndevs; i++) {
        const struct m_device *d = vm->devs[i];
        if (d->kind != DEV_USB4)
            continue;
        if (!d->has_tunnels_stmt) {
            struct diag *g = diag_add(c->d, R_P010, d->addr_loc,
                                      "usb4 router %s declares no `tunnels`: USB 3.x devices on its ports appear on xHCI controllers that may stay on the host",
                                      addr_text(c->a, &d->addr));
            diag_fix(c->d, g, "add `tunnels ADDR…` in its block, naming the xHCI controllers (the USB 3.x side of the USB4 ports), and pass them too");
            continue;
        }
        for (size_t t = 0; t < d->ntunnels; t++) {
            const struct pci_addr *x = &d->tunnels[t].addr;
            if (vm_passes(funcs, cards, x))
                continue;
            const char *s = short_addr(c->a, x);
            struct diag *g = diag_add(c->d, R_P009, d->tunnels[t].loc,
                                      "usb4 router %s tunnels USB 3.x through %s, which VM %u does not pass; add `usb %s`",
                                      addr_text(c->a, &d->addr), addr_text(c->a, x),
                                      vm->vmid, s);
            diag_fix(c->d, g, "add `usb %s` to vm %u", s, vm->vmid);
        }
    }
}

/* P011 (within a VM): a gpu without the rest of its card. */
static void check_gpu_alone(struct checker *c, const struct m_vm *vm,
                            const struct addr_map *cards)
{
    for (size_t i = 0; i < vm->ndevs; i++) {
        const struct m_device *d = vm->devs[i];
        if (d->kind != DEV_GPU || d->all_functions)
            continue;
        /* A GPU on a root bus (Intel's 00:02.0) is integrated in the root
         * complex: no HDMI audio function beside it to leave behind. */
        if (d->addr.bus == 0)
            continue;
        if (map_n(cards, addr_key(&d->addr, true)) > 1)
            continue;
        struct pci_addr audio = d->addr;
        audio.func = d->addr.func == 1 ? 0 : 1;
        struct diag *g = diag_add(c->d, R_P011, d->addr_loc,
                                  "gpu %s goes to VM %u without the other functions of its card (its HDMI/DP audio is usually %s): they stay on the host",
                                  addr_text(c->a, &d->addr), vm->vmid,
                                  addr_text(c->a, &audio));
        diag_fix(c->d, g, "nest `audio %s` in the gpu's block, or add `all-functions`",
                 short_addr(c->a, &audio));
    }
}

/* P013: without an id, facts cannot tell that the address still holds the
 * intended device. */
static void check_identity(struct checker *c, const struct m_vm *vm)
{
    for (size_t i = 0; i < vm->ndevs; i++) {
        const struct m_device *d = vm->devs[i];
        if (d->has_id || d->id_loc.src)
            continue;   /* a bad id was already reported (P004) */
        if (d->joined)
            continue;   /* no place for its id: the line's id is the first's */
        struct diag *g = diag_add(c->d, R_P013, d->addr_loc,
                                  "%s has no vendor:device id: nothing can confirm that the address still holds the intended device",
                                  dev_text(c, d));
        diag_fix(c->d, g, "add the id that `lspci -nn -s %s` shows after the address",
                 short_addr(c->a, &d->addr));
    }
}

/* ---- across VMs ------------------------------------------------------- */

/* P012 (and P011 across VMs): one function, or one card, in two VMs. */
static void check_shared(struct checker *c, struct addr_map *funcs,
                         struct addr_map *cards)
{
    for (size_t v = 0; v < c->m->nvms; v++) {
        const struct m_vm *vm = c->m->vms[v];
        for (size_t i = 0; i < vm->ndevs; i++) {
            struct m_device *d = vm->devs[i];
            if (d->folded && !d->joined)
                continue;
            uint64_t card = addr_key(&d->addr, true);
            struct m_device *w = map_get(cards, card);
            struct m_device *other = w && w->vm != vm ? w : NULL;
            struct m_device *same = NULL;
            if (other && (other->all_functions || d->all_functions)) {
                same = other;
            } else {
                struct m_device *f = map_get(funcs, addr_key(&d->addr, false));
                if (f && f->vm != vm)
                    same = f;
            }
            if (same) {
                struct diag *g = diag_add(c->d, R_P012, d->addr_loc,
                                          "%s is passed to VM %u and to VM %u: Proxmox starts whichever comes first and fails the other",
                                          dev_text(c, d), same->vm->vmid, vm->vmid);
                diag_note(c->d, g, same->addr_loc, "VM %u takes it here", same->vm->vmid);
                diag_fix(c->d, g, "give the device to one VM only");
            } else if (other) {
                struct diag *g = diag_add(c->d, R_P011, d->addr_loc,
                                          "%s is on the same card as %s of VM %u: the functions of one card are split between VMs %u and %u",
                                          dev_text(c, d), dev_text(c, other),
                                          other->vm->vmid, other->vm->vmid, vm->vmid);
                diag_note(c->d, g, other->addr_loc, "the other function");
                diag_fix(c->d, g, "pass all functions of a card to one VM");
            }
            map_put(funcs, addr_key(&d->addr, false), d);
            /* an all-functions pass stands for its whole card */
            if (!map_put(cards, card, d) || !d->all_functions)
                continue;
            cards->val[map_slot(cards, card)] = d;
        }
    }
}

/* A spec with syntax errors has a partial model (see resolve_spec). */
static bool has_syntax_errors(const struct diag_list *d, const struct source *src)
{
    for (const struct diag *x = d->head; x; x = x->next)
        if (x->id == R_P001 && (!x->loc.src || x->loc.src == src))
            return true;
    return false;
}

void rules_spec_run(const struct model *m, struct diag_list *diags)
{
    if (has_syntax_errors(diags, m->src))
        return;
    struct checker c = {diags->a, diags, m};
    size_t total = 0, most = 0;
    for (size_t v = 0; v < m->nvms; v++) {
        total += m->vms[v]->ndevs;
        if (m->vms[v]->ndevs > most)
            most = m->vms[v]->ndevs;
    }
    struct addr_map vfuncs, vcards;
    map_init(c.a, &vfuncs, most, true);
    map_init(c.a, &vcards, most, true);
    for (size_t v = 0; v < m->nvms; v++) {
        const struct m_vm *vm = m->vms[v];
        map_reset(&vfuncs);
        map_reset(&vcards);
        check_duplicates(&c, vm, &vfuncs, &vcards);
        check_slots(&c, vm);
        check_pcie(&c, vm);
        check_primary(&c, vm);
        check_usb4(&c, vm, &vfuncs, &vcards);
        check_gpu_alone(&c, vm, &vcards);
        check_identity(&c, vm);
    }
    struct addr_map funcs, cards;
    map_init(c.a, &funcs, total, false);
    map_init(c.a, &cards, total, false);
    check_shared(&c, &funcs, &cards);
}
