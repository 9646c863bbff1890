/* mapping.c — cluster resource mappings (proxmox-formats.md §3).
 *
 * A mapping names, per node, the device(s) a VM slot gets there; Proxmox
 * checks every entry of the node a VM starts on against that node's sysfs
 * (id, subsystem id, IOMMU group, strictly) and refuses to start on any
 * difference.  passc checks the same against each node's facts snapshot,
 * before the VM ever starts. */
#include <string.h>
#include <strings.h>

#include "facts.h"
#include "mapping.h"
#include "names.h"

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

static const struct m_mapping *find_mapping(const struct model *m, const char *name)
{
    for (size_t i = 0; i < m->nmaps; i++)
        if (!strcasecmp(m->maps[i]->name, name))
            return m->maps[i];
    return NULL;
}

void mapping_link(arena *a, struct model *m, struct diag_list *d)
{
    for (size_t i = 0; i < m->nmaps; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcasecmp(m->maps[i]->name, m->maps[j]->name)) {
                struct diag *dg = diag_add(d, R_P002, m->maps[i]->loc,
                                           "duplicate mapping '%s'", m->maps[i]->name);
                diag_note(d, dg, m->maps[j]->loc, "first defined here");
            }
    for (size_t v = 0; v < m->nvms; v++) {
        struct m_vm *vm = m->vms[v];
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
            dev->mapping = find_mapping(m, dev->mapping_name);
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

static bool has_entry(const struct m_mapping *mp, const char *node)
{
    for (size_t i = 0; i < mp->nentries; i++)
        if (!strcmp(mp->entries[i].node, node))
            return true;
    return false;
}

static const struct m_host *host_named(const struct model *m, const char *node)
{
    for (size_t i = 0; i < m->nhosts; i++)
        if (m->hosts[i].name && !strcmp(m->hosts[i].name, node))
            return &m->hosts[i];
    return NULL;
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
    /* Every node of the spec may run every VM (HA, migration): a node
     * without an entry makes the VM fail to start there. */
    for (size_t v = 0; v < m->nvms; v++) {
        const struct m_vm *vm = m->vms[v];
        for (size_t i = 0; i < vm->nmapped; i++) {
            const struct m_device *dev = vm->mapped[i];
            for (size_t h = 0; h < m->nhosts; h++) {
                const char *node = m->hosts[h].name;
                if (!node || has_entry(dev->mapping, node))
                    continue;
                struct diag *dg = diag_add(d, R_P071, dev->mapping_loc,
                                           "mapping '%s' has no entry for node '%s': VM %u cannot start there",
                                           dev->mapping->name, node, vm->vmid);
                diag_note(d, dg, m->hosts[h].loc, "node '%s'", node);
            }
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

int mapping_lint_nodes(arena *a, const struct model *m, const char *spec_dir,
                       const struct facts *first, struct diag_list *d)
{
    if (!m->nmaps)
        return 0;
    for (size_t h = 0; h < m->nhosts; h++) {
        const struct m_host *host = &m->hosts[h];
        if (!host->name)
            continue;
        const struct facts *f = h == 0 ? first : NULL;
        if (h > 0 && host->facts_path) {
            const char *p = host->facts_path;
            if (p[0] != '/')
                p = arena_printf(a, "%s/%s", spec_dir, p);
            struct facts *nf = arena_calloc(a, 1, sizeof *nf);
            if (facts_read_yaml(a, p, nf, d) < 0)
                return -1;
            f = nf;
        }
        if (f)
            mapping_rules_node(m, host->name, f, d);
    }
    return 0;
}
