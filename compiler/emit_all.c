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

struct artifact *emit_all(arena *a, const struct model *m,
                          const struct plan *p, size_t *n)
{
    struct artifact *arts = arena_calloc(a, 2 * m->nvms + 7, sizeof *arts);
    *n = 0;
    struct strbuf sb;

    sb_init(&sb, a);
    emit_vfio_conf(m, p, &sb);
    add(arts, n, "vfio.conf", &sb, 0644);
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
    emit_apply_sh(m, p, &sb);
    add(arts, n, "apply.sh", &sb, 0755);
    emit_rollback_sh(m, p, &sb);
    add(arts, n, "rollback.sh", &sb, 0755);
    emit_verify_sh(m, p, &sb);
    add(arts, n, "verify.sh", &sb, 0755);
    emit_recover_sh(m, p, &sb);
    add(arts, n, "recover.sh", &sb, 0755);
    emit_recovery_txt(m, p, &sb);
    add(arts, n, "RECOVERY.txt", &sb, 0644);
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
