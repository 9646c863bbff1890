/* emit_apply.c — apply.sh: puts the spec into effect on the host.
 *
 * Order matters: compare first (a second run changes nothing and takes no
 * backup, so rollback still returns to the state before passc), then back
 * up everything it will change, then snapshot, then change.  A failure
 * after the backup leaves a state rollback.sh restores.  The script is
 * compiler/scripts/apply.sh; this file gives it the spec's data. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "emit_parts.h"

static int name_cmp(const void *a, const void *b)
{
    return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

static bool apply_value(struct strbuf *out, const char *name, const void *ctx)
{
    const struct emit_ctx *c = ctx;
    const struct model *m = c->m;
    if (!strcmp(name, "vm_list")) {
        emit_vm_list(m, out, true);
    } else if (!strcmp(name, "vm_mappings")) {
        /* the mappings the VMs set here use, each once, by name */
        size_t n = 0;
        for (size_t v = 0; v < m->nvms; v++)
            n += m->vms[v]->elsewhere ? 0 : m->vms[v]->nmapped;
        const char **names = arena_calloc(out->a, n + 1, sizeof *names);
        n = 0;
        for (size_t v = 0; v < m->nvms; v++)
            for (size_t i = 0; !m->vms[v]->elsewhere && i < m->vms[v]->nmapped; i++)
                names[n++] = m->vms[v]->mapped[i]->mapping->name;
        qsort(names, n, sizeof *names, name_cmp);
        struct strbuf list;
        sb_init(&list, out->a);
        for (size_t i = 0; i < n; i++)
            if (i == 0 || strcasecmp(names[i - 1], names[i]))
                sb_printf(&list, "%s%s", list.len ? " " : "", names[i]);
        sb_shell_quote(out, sb_str(&list));
    } else if (!strcmp(name, "zfs_dataset")) {
        sb_shell_quote(out, m->has_host && m->host.zfs_dataset ? m->host.zfs_dataset : "");
    } else if (!emit_sh_preflight(c, name, out)) {
        return emit_sh_common(c, name, out);
    }
    return true;
}

void emit_apply_sh(const struct model *m, const struct plan *p,
                   struct strbuf *out)
{
    struct emit_ctx c = {m, p};
    script_render(out, "apply.sh", emit_sh_flags(m, p), apply_value, &c);
}
