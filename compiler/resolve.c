/* SCAFFOLD: front-end owner replaces. */
#include "model.h"
const char *dev_kind_name(enum dev_kind k)
{
    static const char *n[] = {"gpu", "audio", "usb", "usb4", "nvme", "nic", "pci"};
    return n[k];
}
struct model *resolve_spec(arena *a, const struct ast_spec *spec,
                           struct diag_list *diags)
{
    (void)diags;
    struct model *m = arena_alloc(a, sizeof *m);
    m->src = spec->src;
    return m;
}
struct pci_id *model_vfio_ids(arena *a, const struct model *m, size_t *n)
{
    (void)a; (void)m;
    *n = 0;
    return NULL;
}
