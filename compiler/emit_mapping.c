/* emit_mapping.c — /etc/pve/mapping/pci.cfg as Proxmox's SectionConfig
 * writer prints it (proxmox-formats.md §3.1): the id alone as header, TAB-
 * indented properties, the required `map` lines first, then the optional
 * keys sorted, booleans as 0/1, a blank line after every section.  Sections
 * in spec order: the writer keeps a file's order and appends new ids, so
 * what pvesh creates in this order reads back byte for byte. */
#include <string.h>

#include "emit_parts.h"

void emit_map_value(const struct m_map_entry *e, struct strbuf *out)
{
    char buf[24];
    sb_printf(out, "node=%s,path=", e->node);
    for (size_t i = 0; i < e->naddrs; i++) {
        if (i)
            sb_addc(out, ';');
        sb_add(out, pci_addr_format(&e->addrs[i], buf));
    }
    sb_printf(out, ",id=%s", pci_id_format(&e->id, buf));
    if (e->has_subsys)
        sb_printf(out, ",subsystem-id=%s", pci_id_format(&e->subsys, buf));
    if (e->group >= 0)
        sb_printf(out, ",iommugroup=%d", e->group);
}

void emit_pci_cfg(const struct model *m, const struct plan *p,
                  struct strbuf *out)
{
    (void)p;
    for (size_t i = 0; i < m->nmaps; i++) {
        const struct m_mapping *mp = m->maps[i];
        sb_printf(out, "%s\n", mp->name);
        for (size_t k = 0; k < mp->nentries; k++) {
            sb_add(out, "\tmap ");
            emit_map_value(&mp->entries[k], out);
            sb_addc(out, '\n');
        }
        if (mp->description)
            sb_printf(out, "\tdescription %s\n", mp->description);
        if (mp->live_migration != TRI_UNSET)
            sb_printf(out, "\tlive-migration-capable %d\n", mp->live_migration == TRI_ON);
        if (mp->mdev != TRI_UNSET)
            sb_printf(out, "\tmdev %d\n", mp->mdev == TRI_ON);
        sb_addc(out, '\n');
    }
}

static bool mapping_value(struct strbuf *out, const char *name, const void *ctx)
{
    const struct emit_ctx *c = ctx;
    if (!strcmp(name, "names")) {
        struct strbuf names;
        sb_init(&names, out->a);
        for (size_t i = 0; i < c->m->nmaps; i++)
            sb_printf(&names, "%s%s", i ? " " : "", c->m->maps[i]->name);
        sb_shell_quote(out, sb_str(&names));
        return true;
    }
    if (!strcmp(name, "desired")) {
        struct strbuf cfg;
        sb_init(&cfg, out->a);
        emit_pci_cfg(c->m, c->p, &cfg);
        sb_shell_quote(out, sb_str(&cfg));
        return true;
    }
    return emit_sh_common(c, name, out);
}

void emit_mapping_sh(const struct model *m, const struct plan *p,
                     struct strbuf *out)
{
    struct emit_ctx c = {m, p};
    script_render(out, "mapping.sh", "", mapping_value, &c);
}
