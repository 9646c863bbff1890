/* emit_shlib.c — the spec's data in the head that apply.sh and rollback.sh
 * share (compiler/scripts/common.sh): which VMs, and what the spec wants
 * (vfio.conf and each VM's settings), as quoted data.  Emitting it once for
 * both scripts is what makes rollback's "byte-identical to what passc
 * wrote" test mean the same bytes apply.sh installs. */
#include <string.h>

#include "emit_parts.h"

/* printf '%s\n' 'line' … : every line one single-quoted word, so no byte of
 * it is ever shell syntax. */
static void printf_lines(struct strbuf *out, const char *text, size_t len)
{
    sb_add(out, "    printf '%s\\n'");
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        sb_add(out, " \\\n        ");
        sb_shell_quoten(out, p, n);
        p += n + (nl ? 1 : 0);
    }
    sb_addc(out, '\n');
}

void emit_vm_list(const struct model *m, struct strbuf *out, bool text)
{
    size_t n = 0;
    for (size_t v = 0; v < m->nvms; v++)
        if (!m->vms[v]->elsewhere)
            sb_printf(out, " %u", m->vms[v]->vmid), n++;
    if (text && !n && m->nvms)
        sb_add(out, " (none: their configs live on other nodes)");
}

const struct m_vm *emit_first_vm(const struct model *m)
{
    for (size_t v = 0; v < m->nvms; v++)
        if (!m->vms[v]->elsewhere)
            return m->vms[v];
    return m->nvms ? m->vms[0] : NULL;
}

const char *emit_sh_flags(const struct model *m, const struct plan *p)
{
    bool cmdline = p->ids_on_cmdline;
    return m->nvms == 0 ? (cmdline ? "novm cmdline" : "novm") : cmdline ? "cmdline" : "";
}

bool emit_sh_common(const struct emit_ctx *c, const char *name,
                    struct strbuf *out)
{
    const struct model *m = c->m;
    arena *a = out->a;
    if (!strcmp(name, "spec")) {
        emit_comment_text(out, emit_spec_name(m));
    } else if (!strcmp(name, "vmids")) {
        struct strbuf ids;
        sb_init(&ids, a);
        emit_vm_list(m, &ids, false);
        sb_shell_quote(out, sb_str(&ids) + (ids.len > 0));
    } else if (!strcmp(name, "first_vmid")) {
        /* the backups' directory; on a node whose VMs all live elsewhere,
         * the first of those (its backups then hold host files only) */
        const struct m_vm *first = emit_first_vm(m);
        sb_shell_quote(out, first ? arena_printf(a, "%u", first->vmid) : "");
    } else if (!strcmp(name, "want_vfio")) {
        struct strbuf vf;
        sb_init(&vf, a);
        emit_vfio_conf(m, c->p, &vf);
        printf_lines(out, sb_str(&vf), vf.len);
    } else if (!strcmp(name, "want_vms")) {
        for (size_t v = 0; v < m->nvms; v++) {
            const struct m_vm *vm = m->vms[v];
            if (vm->elsewhere)
                continue;
            size_t n = c->p->vms[v].nsettings;
            const struct vm_setting *s = c->p->vms[v].settings;
            sb_printf(out, "\n# KEY=VALUE: the settings passc manages on VM %u.\n"
                           "want_vm_%u() {\n", vm->vmid, vm->vmid);
            if (n == 0) {
                sb_add(out, "    :\n}\n");
                continue;
            }
            struct strbuf kv;
            sb_init(&kv, a);
            for (size_t i = 0; i < n; i++)
                sb_printf(&kv, "%s=%s\n", s[i].key, s[i].value);
            printf_lines(out, sb_str(&kv), kv.len - 1);
            sb_add(out, "}\n");
        }
    } else {
        return emit_sh_cmdline(c, name, out) || emit_sh_rescue(c, name, out);
    }
    return true;
}
