/* mapping.c — cluster resource mappings (proxmox-formats.md §3).
 *
 * A mapping names, per node, the device(s) a VM slot gets there; Proxmox
 * checks every entry of the node a VM starts on against that node's sysfs
 * (id, subsystem id, IOMMU group, strictly) and refuses to start on any
 * difference.  passc checks the same against each node's facts snapshot,
 * before the VM ever starts. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "facts.h"
#include "mapping.h"
#include "names.h"
#include "plan.h"

/* pve-configid: ^[a-z][a-z0-9_-]+$ case-insensitive, at least 2 bytes. */
bool mapping_name_ok(const char *s)
{
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return false;
    return strlen(s) >= 2 && strlen(s) <= 64 && plain_name(s + 1, "_-");
}

/* pve-node: ^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$ */
bool mapping_node_ok(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n <= 63 && plain_name(s, "-") && s[0] != '-' &&
           s[n - 1] != '-';
}

static int dec(const char *t)
{
    int v = 0;
    for (; *t >= '0' && *t <= '9'; t++)
        v = v * 10 + (*t - '0');
    return v;
}

static size_t joined_count(const struct ast_value *v)
{
    size_t n = 1;
    for (const char *p = v->text; *p; p++)
        n += *p == ';';
    return n;
}

/* node "NAME" ADDR... VVVV:DDDD [subsystem SSSS:SSSS] [group N] */
static bool map_entry(arena *a, const struct ast_stmt *c,
                      struct m_map_entry *e, struct diag_list *d)
{
    const char *usage = "node \"NAME\" ADDR [ADDR…] VVVV:DDDD [subsystem SSSS:SSSS] [group N]";
    memset(e, 0, sizeof *e);
    e->loc = c->loc;
    e->group = -1;
    if (c->has_block) {
        diag_add(d, R_P002, c->kw_loc, "'node' takes no { } block");
        return false;
    }
    if (c->nvals < 3) {
        diag_add(d, R_P002, c->loc, "a mapping entry is %s", usage);
        return false;
    }
    const struct ast_value *nv = &c->vals[0];
    if ((nv->kind != AV_STRING && nv->kind != AV_WORD) || !mapping_node_ok(nv->text)) {
        diag_add(d, R_P002, nv->loc,
                 "bad node name '%s': a Proxmox node name is letters, digits and '-'",
                 nv->text);
        return false;
    }
    e->node = nv->text;
    /* the positional values end at the first keyword; the last is the id */
    size_t end = 1;
    while (end < c->nvals && c->vals[end].kind != AV_WORD)
        end++;
    if (end < 3) {
        diag_add(d, R_P002, c->loc, "a mapping entry is %s", usage);
        return false;
    }
    bool ok = true;
    /* `03:00.0;03:00.1` as pci.cfg writes it, or blank-separated: the same */
    size_t nvs = 0;
    for (size_t i = 1; i + 1 < end; i++)
        nvs += c->vals[i].kind == AV_ADDRS ? joined_count(&c->vals[i]) : 1;
    struct ast_value *vs = arena_calloc(a, nvs, sizeof *vs);
    for (size_t i = 1, k = 0; i + 1 < end; i++) {
        size_t np = 1;
        const struct ast_value *p = c->vals[i].kind == AV_ADDRS
                                        ? ast_addrs_split(a, &c->vals[i], &np) : &c->vals[i];
        memcpy(vs + k, p, np * sizeof *vs);
        k += np;
    }
    e->addrs = arena_calloc(a, nvs, sizeof *e->addrs);
    for (size_t i = 0; i < nvs; i++) {
        const struct ast_value *v = &vs[i];
        const char *why = NULL;
        if ((v->kind != AV_ADDR && v->kind != AV_PAIR) ||
            pci_addr_parse(v->text, true, &e->addrs[e->naddrs], &why) < 0) {
            diag_add(d, R_P003, v->loc, "bad PCI address '%s'%s%s", v->text,
                     why ? ": " : "", why ? why : "");
            ok = false;
            continue;
        }
        e->naddrs++;
    }
    const struct ast_value *iv = &c->vals[end - 1];
    const char *why = NULL;
    if (iv->kind != AV_PAIR || pci_id_parse(iv->text, &e->id, &why) < 0) {
        diag_add(d, R_P004, iv->loc, "bad vendor:device id '%s': expected vvvv:dddd",
                 iv->text);
        ok = false;
    }
    for (size_t i = end; i < c->nvals; i++) {
        const struct ast_value *k = &c->vals[i];
        const struct ast_value *v = i + 1 < c->nvals ? &c->vals[i + 1] : NULL;
        if (k->kind == AV_WORD && !strcmp(k->text, "subsystem") && v &&
            v->kind == AV_PAIR && pci_id_parse(v->text, &e->subsys, &why) == 0) {
            e->has_subsys = true;
            i++;
        } else if (k->kind == AV_WORD && !strcmp(k->text, "group") && v &&
                   v->kind == AV_NUMBER && strlen(v->text) <= 6) {
            e->group = dec(v->text);
            i++;
        } else {
            diag_add(d, R_P002, k->loc, "unexpected '%s': a mapping entry is %s",
                     k->text, usage);
            ok = false;
            break;
        }
    }
    return ok;
}

static bool on_off(const struct ast_stmt *c, enum tri *out, struct diag_list *d)
{
    if (c->nvals == 0) {
        *out = TRI_ON;
        return true;
    }
    if (c->nvals == 1 && c->vals[0].kind == AV_WORD &&
        (!strcmp(c->vals[0].text, "on") || !strcmp(c->vals[0].text, "off"))) {
        *out = !strcmp(c->vals[0].text, "on") ? TRI_ON : TRI_OFF;
        return true;
    }
    diag_add(d, R_P002, c->loc, "'%s' is on or off", c->keyword);
    return false;
}

struct m_mapping *mapping_resolve(arena *a, const struct ast_stmt *s,
                                  struct diag_list *d)
{
    if (s->nvals != 1 || (s->vals[0].kind != AV_STRING && s->vals[0].kind != AV_WORD)) {
        diag_add(d, R_P002, s->loc, "'mapping' needs one name: mapping \"gpu-pool\" { node … }");
        return NULL;
    }
    const char *name = s->vals[0].text;
    if (!mapping_name_ok(name)) {
        diag_add(d, R_P002, s->vals[0].loc,
                 "bad mapping name '%s': Proxmox wants a letter, then letters, digits, '-' or '_' (2 to 64)",
                 name);
        return NULL;
    }
    struct m_mapping *mp = arena_calloc(a, 1, sizeof *mp);
    mp->name = name;
    mp->loc = s->loc;
    mp->mdev = TRI_UNSET;
    mp->live_migration = TRI_UNSET;
    size_t n = 0;
    for (const struct ast_stmt *c = s->body; c; c = c->next)
        n++;
    mp->entries = arena_calloc(a, n + 1, sizeof *mp->entries);
    for (const struct ast_stmt *c = s->body; c; c = c->next) {
        const char *kw = c->keyword;
        if (!strcmp(kw, "node")) {
            if (map_entry(a, c, &mp->entries[mp->nentries], d))
                mp->nentries++;
        } else if (!strcmp(kw, "description")) {
            if (c->nvals != 1 || c->vals[0].kind != AV_STRING)
                diag_add(d, R_P002, c->loc, "'description' needs one \"string\"");
            else
                mp->description = c->vals[0].text;
        } else if (!strcmp(kw, "mdev")) {
            on_off(c, &mp->mdev, d);
        } else if (!strcmp(kw, "live-migration-capable")) {
            on_off(c, &mp->live_migration, d);
        } else {
            struct diag *dg = diag_add(d, R_P002, c->kw_loc, "unknown mapping setting '%s'", kw);
            diag_note(d, dg, (src_loc){0},
                      "expected one of: node, description, mdev, live-migration-capable");
        }
    }
    if (s->has_block && mp->nentries == 0 && !s->body)
        diag_add(d, R_P002, s->loc, "mapping '%s' has no node entries: Proxmox needs at least one map", name);
    return mp;
}

/* Mappings by name (case-insensitive, as Proxmox compares config ids),
 * sorted once: generated cluster specs name hundreds. */
static int map_cmp(const void *pa, const void *pb)
{
    const struct m_mapping *const *a = pa, *const *b = pb;
    return strcasecmp((*a)->name, (*b)->name);
}

static const struct m_mapping *find_mapping(struct m_mapping *const *sorted,
                                            size_t n, const char *name)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcasecmp(sorted[mid]->name, name);
        if (c == 0)
            return sorted[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static const struct m_host *host_named(const struct model *m, const char *node)
{
    for (size_t i = 0; i < m->nhosts; i++)
        if (m->hosts[i].name && !strcmp(m->hosts[i].name, node))
            return &m->hosts[i];
    return NULL;
}

void mapping_link(arena *a, struct model *m, struct diag_list *d)
{
    struct m_mapping **sorted = arena_calloc(a, m->nmaps + 1, sizeof *sorted);
    memcpy(sorted, m->maps, m->nmaps * sizeof *sorted);
    qsort(sorted, m->nmaps, sizeof *sorted, map_cmp);
    /* duplicates are neighbours once sorted; report them in spec order */
    for (size_t i = 0; i < m->nmaps; i++)
        for (size_t j = i + 1; j < m->nmaps && !strcasecmp(sorted[i]->name, sorted[j]->name); j++) {
            const struct m_mapping *first = sorted[i], *dup = sorted[j];
            if (first->loc.start > dup->loc.start)
                first = sorted[j], dup = sorted[i];
            struct diag *dg = diag_add(d, R_P002, dup->loc, "duplicate mapping '%s'", dup->name);
            diag_note(d, dg, first->loc, "first defined here");
        }
    for (size_t v = 0; v < m->nvms; v++) {
        struct m_vm *vm = m->vms[v];
        if (vm->node && !host_named(m, vm->node)) {
            struct diag *dg = diag_add(d, R_P002, vm->node_loc,
                                       "VM %u: no host block names node '%s'", vm->vmid, vm->node);
            diag_fix(d, dg, "add host \"%s\" { … } for the node the VM's config lives on", vm->node);
            vm->node = NULL;
        }
        size_t keep = 0, nm = 0;
        for (size_t i = 0; i < vm->ndevs; i++)
            nm += vm->devs[i]->mapping_name != NULL;
        if (!nm)
            continue;
        vm->mapped = arena_calloc(a, nm, sizeof *vm->mapped);
        for (size_t i = 0; i < vm->ndevs; i++) {
            struct m_device *dev = vm->devs[i];
            if (!dev->mapping_name) {
                vm->devs[keep++] = dev;
                continue;
            }
            dev->mapping = find_mapping(sorted, m->nmaps, dev->mapping_name);
            if (!dev->mapping) {
                diag_add(d, R_P002, dev->mapping_loc,
                         "no mapping named '%s' in this spec", dev->mapping_name);
                continue;
            }
            vm->mapped[vm->nmapped++] = dev;
        }
        vm->ndevs = keep;
    }
}

size_t mapping_vm_home(const struct model *m, const struct m_vm *vm)
{
    const struct m_host *h = vm->node ? host_named(m, vm->node) : NULL;
    return h ? (size_t)(h - m->hosts) : 0;
}

/* A VM with a slot bound to an address is tied to its own node (Proxmox
 * counts such a device as a local resource and will not migrate it); one
 * whose slots are all mappings may start on any node. */
static bool vm_may_run_on(const struct model *m, const struct m_vm *vm, size_t h)
{
    return vm->ndevs == 0 || mapping_vm_home(m, vm) == h;
}

/* The node's devices for one mapped slot: a copy of the slot per address
 * of each of the node's entries (several entries are alternatives Proxmox
 * picks from at start, so the host must be ready for each). */
static size_t materialize(arena *a, const struct m_device *slot,
                          const char *node, struct m_vm *vm,
                          struct m_device **out)
{
    size_t n = 0;
    const struct m_mapping *mp = slot->mapping;
    for (size_t k = 0; k < mp->nentries; k++) {
        const struct m_map_entry *e = &mp->entries[k];
        if (strcmp(e->node, node))
            continue;
        for (size_t j = 0; j < e->naddrs; j++) {
            if (out) {
                struct m_device *d = arena_alloc(a, sizeof *d);
                *d = *slot;
                d->addr = e->addrs[j];
                d->addr_loc = e->loc;
                d->has_id = true;
                d->id = e->id;
                d->id_loc = e->loc;
                d->entry = e;
                d->vm = vm;
                out[n] = d;
            }
            n++;
        }
    }
    return n;
}

struct model *mapping_node_view(arena *a, const struct model *m, size_t h)
{
    if (m->nhosts <= 1 && m->nmaps == 0)
        return (struct model *)m;
    struct model *v = arena_alloc(a, sizeof *v);
    *v = *m;
    const char *node = NULL;
    if (h < m->nhosts) {
        v->host = m->hosts[h];
        node = m->hosts[h].name;
    }
    v->vms = arena_calloc(a, m->nvms + 1, sizeof *v->vms);
    v->nvms = 0;
    for (size_t i = 0; i < m->nvms; i++) {
        const struct m_vm *vm = m->vms[i];
        bool here = mapping_vm_home(m, vm) == h;
        size_t n = here ? vm->ndevs : 0;
        bool runs = node && vm_may_run_on(m, vm, h);
        for (size_t k = 0; runs && k < vm->nmapped; k++)
            n += materialize(a, vm->mapped[k], node, NULL, NULL);
        if (!here && n == 0)
            continue;
        struct m_vm *nv = arena_alloc(a, sizeof *nv);
        *nv = *vm;
        nv->elsewhere = !here;
        nv->devs = arena_calloc(a, n + 1, sizeof *nv->devs);
        nv->ndevs = 0;
        /* copies, so that every device of the view names the view's VM */
        for (size_t k = 0; here && k < vm->ndevs; k++) {
            struct m_device *d = arena_alloc(a, sizeof *d);
            *d = *vm->devs[k];
            d->vm = nv;
            /* a nested or joined device names the copy of its parent
             * (the plan finds a slot's joined addresses through it); the
             * parent is always declared first */
            for (size_t j = k; d->parent && j-- > 0;)
                if (vm->devs[j] == d->parent) {
                    d->parent = nv->devs[j];
                    break;
                }
            nv->devs[nv->ndevs++] = d;
        }
        for (size_t k = 0; runs && k < vm->nmapped; k++)
            nv->ndevs += materialize(a, vm->mapped[k], node, nv, nv->devs + nv->ndevs);
        v->vms[v->nvms++] = nv;
    }
    return v;
}

/* How many of mapping mp's entries are node's (alternatives at start). */
static size_t entries_on(const struct m_mapping *mp, const char *node)
{
    size_t n = 0;
    for (size_t i = 0; i < mp->nentries; i++)
        n += !strcmp(mp->entries[i].node, node);
    return n;
}

/* P005 for mappings: Proxmox never gives one device to two slots of a VM,
 * so a mapping in k slots needs k entries on each node the VM may start
 * on ("could not find a free device for 'hostpciN'"). */
static void check_mapping_uses(const struct model *m, const struct m_vm *vm,
                               struct diag_list *d)
{
    for (size_t i = 0; i < vm->nmapped; i++) {
        const struct m_device *dev = vm->mapped[i];
        size_t uses = 0;
        bool first = true;
        for (size_t j = 0; j < vm->nmapped; j++)
            if (vm->mapped[j]->mapping == dev->mapping) {
                first = first && j >= i;
                uses++;
            }
        if (uses < 2 || !first)
            continue;
        for (size_t h = 0; h < m->nhosts; h++) {
            const char *node = m->hosts[h].name;
            if (!node || !vm_may_run_on(m, vm, h))
                continue;
            size_t have = entries_on(dev->mapping, node);
            if (have == 0 || have >= uses)
                continue;   /* none at all is P071's */
            struct diag *dg = diag_add(d, R_P005, dev->mapping_loc,
                                       "mapping '%s' fills %zu slots of VM %u but node '%s' has %zu entr%s: Proxmox gives a device to one slot only and refuses to start the VM there",
                                       dev->mapping->name, uses, vm->vmid, node, have,
                                       have == 1 ? "y" : "ies");
            diag_fix(d, dg, "add an entry per slot for node '%s' (one per device, e.g. one per virtual function), or use the mapping in fewer slots",
                     node);
        }
    }
}

void mapping_rules_spec(const struct model *m, struct diag_list *d)
{
    for (size_t i = 0; i < m->nmaps; i++) {
        const struct m_mapping *mp = m->maps[i];
        for (size_t k = 0; k < mp->nentries; k++)
            if (!host_named(m, mp->entries[k].node)) {
                struct diag *dg = diag_add(d, R_P072, mp->entries[k].loc,
                                           "node '%s' has no host block in this spec: this entry is not checked against its facts",
                                           mp->entries[k].node);
                diag_fix(d, dg, "add host \"%s\" { facts \"%s.yaml\" } (passc facts -o %s.yaml on that node)",
                         mp->entries[k].node, mp->entries[k].node, mp->entries[k].node);
            }
    }
    /* Every node of the spec may run every VM whose slots are all mapped
     * (HA, migration): a node without an entry makes it fail to start there. */
    for (size_t v = 0; v < m->nvms; v++) {
        const struct m_vm *vm = m->vms[v];
        check_mapping_uses(m, vm, d);
        for (size_t i = 0; i < vm->nmapped; i++) {
            const struct m_device *dev = vm->mapped[i];
            for (size_t h = 0; h < m->nhosts; h++) {
                const char *node = m->hosts[h].name;
                if (!node || !vm_may_run_on(m, vm, h) || entries_on(dev->mapping, node))
                    continue;
                struct diag *dg = diag_add(d, R_P071, dev->mapping_loc,
                                           "mapping '%s' has no entry for node '%s': VM %u cannot start there",
                                           dev->mapping->name, node, vm->vmid);
                diag_note(d, dg, m->hosts[h].loc, "node '%s'", node);
            }
        }
    }
}

struct node_build *mapping_nodes(arena *a, const struct model *m,
                                 struct diag_list *d, size_t *n)
{
    *n = m->nhosts > 1 ? m->nhosts : 1;
    struct node_build *nodes = arena_calloc(a, *n, sizeof *nodes);
    for (size_t h = 0; h < *n; h++) {
        nodes[h].host = h < m->nhosts ? &m->hosts[h] : NULL;
        nodes[h].view = mapping_node_view(a, m, h);
        if (nodes[h].host)
            mapping_rules_view(nodes[h].view, nodes[h].host->name, d);
    }
    return nodes;
}

static bool overlaps(const struct pci_addr *a, bool a_all,
                     const struct pci_addr *b, bool b_all)
{
    if (a_all || b_all || a->func == PCI_FUNC_ALL || b->func == PCI_FUNC_ALL)
        return pci_addr_same_device(a, b);
    return pci_addr_eq(a, b);
}

/* The device of an address slot that takes one of entry e's. */
static const struct m_device *taken_by(const struct m_vm *vm,
                                       const struct m_map_entry *e)
{
    for (size_t i = 0; i < vm->ndevs; i++) {
        const struct m_device *d = vm->devs[i];
        if (d->entry)
            continue;
        for (size_t j = 0; j < e->naddrs; j++)
            if (overlaps(&d->addr, d->all_functions, &e->addrs[j], false))
                return d;
    }
    return NULL;
}

void mapping_rules_view(const struct model *v, const char *node,
                        struct diag_list *d)
{
    for (size_t i = 0; node && i < v->nvms; i++) {
        const struct m_vm *vm = v->vms[i];
        for (size_t k = 0; k < vm->nmapped; k++) {
            const struct m_device *slot = vm->mapped[k];
            const struct m_mapping *mp = slot->mapping;
            const struct m_device *by = NULL;
            size_t mine = 0, free = 0;
            for (size_t j = 0; j < mp->nentries; j++) {
                if (strcmp(mp->entries[j].node, node))
                    continue;
                mine++;
                const struct m_device *t = taken_by(vm, &mp->entries[j]);
                if (t)
                    by = by ? by : t;
                else
                    free++;
            }
            if (!mine || free)
                continue;
            struct diag *dg = diag_add(d, R_P005, slot->mapping_loc,
                                       "on node '%s', mapping '%s' has only devices VM %u already passes by address: Proxmox refuses to start it there (device assigned more than once)",
                                       node, mp->name, vm->vmid);
            diag_note(d, dg, by->addr_loc, "passed by address here");
            diag_fix(d, dg, "pass the device one way: drop the address line, or the mapped slot");
        }
    }
}

void mapping_rules_node(const struct model *m, const char *node,
                        const struct facts *f, struct diag_list *d)
{
    char ab[24], want[10], got[10];
    for (size_t i = 0; i < m->nmaps; i++) {
        const struct m_mapping *mp = m->maps[i];
        for (size_t k = 0; k < mp->nentries; k++) {
            const struct m_map_entry *e = &mp->entries[k];
            if (strcmp(e->node, node))
                continue;
            for (size_t j = 0; j < e->naddrs; j++) {
                /* Proxmox appends .0 to a function-less path */
                struct pci_addr at = e->addrs[j];
                if (at.func == PCI_FUNC_ALL)
                    at.func = 0;
                pci_addr_format(&at, ab);
                const struct facts_device *fd = facts_find(f, &at);
                if (!fd) {
                    diag_add(d, R_P070, e->loc, "mapping '%s': node %s has no PCI device at %s",
                             mp->name, node, ab);
                    continue;
                }
                if (!pci_id_eq(&fd->id, &e->id))
                    diag_add(d, R_P070, e->loc, "mapping '%s': %s on node %s is %s, the entry says %s",
                             mp->name, ab, node, pci_id_format(&fd->id, got),
                             pci_id_format(&e->id, want));
                bool dev_has_sub = !fd->subsys_unknown &&
                                   (fd->subsys.vendor || fd->subsys.device);
                if (e->has_subsys && !fd->subsys_unknown &&
                    !pci_id_eq(&fd->subsys, &e->subsys))
                    diag_add(d, R_P070, e->loc, "mapping '%s': %s on node %s has subsystem %s, the entry says %s",
                             mp->name, ab, node, pci_id_format(&fd->subsys, got),
                             pci_id_format(&e->subsys, want));
                else if (!e->has_subsys && dev_has_sub) {
                    struct diag *dg = diag_add(d, R_P070, e->loc,
                                               "mapping '%s': %s on node %s has subsystem %s and the entry none: Proxmox refuses to start (missing expected property 'subsystem-id')",
                                               mp->name, ab, node, pci_id_format(&fd->subsys, got));
                    diag_fix(d, dg, "add: subsystem %s", got);
                }
                /* Proxmox checks the group of the first path only */
                if (j > 0)
                    continue;
                if (e->group >= 0 && fd->iommu_group < 0)
                    diag_add(d, R_P070, e->loc, "mapping '%s': node %s has no IOMMU groups, the entry says group %d",
                             mp->name, node, e->group);
                else if (e->group >= 0 && fd->iommu_group != e->group)
                    diag_add(d, R_P070, e->loc, "mapping '%s': %s on node %s is in IOMMU group %d, the entry says %d",
                             mp->name, ab, node, fd->iommu_group, e->group);
                else if (e->group < 0 && fd->iommu_group >= 0) {
                    struct diag *dg = diag_add(d, R_P070, e->loc,
                                               "mapping '%s': %s on node %s is in IOMMU group %d and the entry names none: Proxmox refuses to start (missing expected property 'iommugroup')",
                                               mp->name, ab, node, fd->iommu_group);
                    diag_fix(d, dg, "add: group %d", fd->iommu_group);
                }
            }
        }
    }
}
