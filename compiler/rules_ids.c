/* rules_ids.c — P015: under `bind ids`, every passed device's id must be
 * known, from its line or from the facts, or the host must list the ids
 * itself (`vfio ids …`).  Otherwise the build would write a vfio.conf that
 * binds less than the spec passes, and apply.sh would install it: a host
 * that bound its devices at boot would silently stop doing so. */
#include "facts.h"
#include "rules.h"

void rules_ids_run(const struct model *m, const struct facts *f,
                   struct diag_list *diags)
{
    if (!m->has_host || m->host.bind != BIND_IDS || m->host.has_vfio_ids)
        return;
    for (size_t v = 0; v < m->nvms; v++)
        for (size_t i = 0; i < m->vms[v]->ndevs; i++) {
            const struct m_device *d = m->vms[v]->devs[i];
            if (d->has_id || d->id_loc.src)   /* bad ids are P004's */
                continue;
            struct pci_addr at = d->addr;
            if (at.func == PCI_FUNC_ALL)
                at.func = 0;
            if (f && facts_find(f, &at))
                continue;
            char ab[24];
            struct diag *g = diag_add(diags, R_P015, d->addr_loc,
                "%s in VM %u has no vendor:device id and %s: `bind ids` "
                "cannot put it on the vfio-pci ids= line",
                pci_addr_format(&d->addr, ab), m->vms[v]->vmid,
                f ? "the facts do not hold it" : "no facts were read");
            diag_fix(diags, g, "add its id (lspci -nn -s %s) after the address, "
                     "or list the host's ids in the host block: vfio ids VVVV:DDDD …", ab);
        }
}
