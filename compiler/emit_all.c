/* emit_all.c — the artifact list of one build, in a stable order. */
#include <string.h>

#include "emit_parts.h"

/* Every artifact is built in the one buffer sb and kept at its exact size:
 * built in a buffer of its own, each doubling would leave the smaller copy
 * behind in the arena (about 4 bytes per byte of output, most of a big
 * build's memory).  sb is emptied for the next one. */
static void add(struct artifact *arts, size_t *n, const char *name,
                struct strbuf *sb, int mode)
{
    arts[*n].name = name;
    arts[*n].text = arena_strndup(sb->a, sb_str(sb), sb->len);
    arts[*n].len = sb->len;
    arts[*n].mode = mode;
    (*n)++;
    sb->len = 0;
}

/* One node's host side from part `from` on; prefix "" or "pve2/". */
static void emit_host_side(arena *a, const struct model *v, const struct plan *p,
                           size_t from, const char *prefix,
                           struct artifact *arts, size_t *n, struct strbuf *sb)
{
    static const struct {
        const char *name;
        void (*emit)(const struct model *, const struct plan *, struct strbuf *);
        int mode;
    } parts[] = {
        {"vfio.conf", emit_vfio_conf, 0644},
        {"apply.sh", emit_apply_sh, 0755},
        {"rollback.sh", emit_rollback_sh, 0755},
        {"verify.sh", emit_verify_sh, 0755},
        {"recover.sh", emit_recover_sh, 0755},
        {"RECOVERY.txt", emit_recovery_txt, 0644},
    };
    for (size_t i = from; i < sizeof parts / sizeof parts[0]; i++) {
        parts[i].emit(v, p, sb);
        add(arts, n, *prefix ? arena_printf(a, "%s%s", prefix, parts[i].name)
                             : parts[i].name, sb, parts[i].mode);
    }
}

struct artifact *emit_all(arena *a, const struct model *m, const struct plan *p,
                          const struct node_build *nodes, size_t nnodes,
                          size_t *n)
{
    struct artifact *arts = arena_calloc(a, 2 * m->nvms + 6 * nnodes + 3, sizeof *arts);
    *n = 0;
    struct strbuf sb;

    sb_init(&sb, a);
    bool one = nnodes == 1;
    /* the seed's order for one node: vfio.conf, <vmid>.conf, then scripts */
    if (one) {
        emit_vfio_conf(nodes[0].view, nodes[0].plan, &sb);
        add(arts, n, "vfio.conf", &sb, 0644);
    }
    for (size_t v = 0; v < m->nvms; v++) {
        emit_vm_conf(m, p, m->vms[v], &sb);
        add(arts, n, arena_printf(a, "%u.conf", m->vms[v]->vmid), &sb, 0644);
    }
    if (m->nmaps) {
        emit_pci_cfg(m, p, &sb);
        add(arts, n, "pci.cfg", &sb, 0644);
        emit_mapping_sh(m, p, &sb);
        add(arts, n, "mapping.sh", &sb, 0755);
    }
    for (size_t i = 0; i < nnodes; i++)
        emit_host_side(a, nodes[i].view, nodes[i].plan, one ? 1 : 0,
                       one ? "" : arena_printf(a, "%s/", nodes[i].host->name),
                       arts, n, &sb);
    /* One VM: the name the seed's workflow expects; several: one each. */
    for (size_t v = 0; v < m->nvms; v++) {
        /* PowerShell runs in Windows guests; a spec without `os` may be
         * one (as before), a Linux or other guest never is */
        const char *os = m->vms[v]->ostype;
        if (os && strncmp(os, "win", 3))
            continue;
        emit_verify_ps1(m, p, m->vms[v], &sb);
        const char *name = m->nvms == 1
                               ? "verify.ps1"
                               : arena_printf(a, "verify-%u.ps1", m->vms[v]->vmid);
        add(arts, n, name, &sb, 0644);
    }
    return arts;
}
