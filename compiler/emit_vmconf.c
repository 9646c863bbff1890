/* emit_vmconf.c — the VM's managed settings: hostpciN lines and the few
 * machine settings the spec names, as the plan spells them (plan.c, the
 * way Proxmox accepts them: proxmox-formats.md §1.3, §2). */
#include "emit_parts.h"

void emit_vm_conf(const struct model *m, const struct plan *p,
                  const struct m_vm *vm, struct strbuf *out)
{
    (void)m;
    const struct plan_vm *pv = plan_vm_of(p, vm);
    for (size_t i = 0; pv && i < pv->nsettings; i++)
        sb_printf(out, "%s: %s\n", pv->settings[i].key, pv->settings[i].value);
}
