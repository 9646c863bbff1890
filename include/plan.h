/* plan.h — what a build does, decided once: model + facts + quirks in, a
 * plan out.  The lint rules only judge; the emitters only render the model
 * and this plan, so what vfio.conf says and what apply.sh sets and checks
 * come from one decision.  Built by plan_build() after the rules ran.
 *
 * This header names neither the facts nor the AST (emitters include it);
 * facts and quirks are opaque here. */
#ifndef PASSC_PLAN_H
#define PASSC_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "model.h"
#include "pci_addr.h"
#include "strbuf.h"

struct facts;
struct quirks;

/* One managed VM setting as Proxmox stores it ("hostpci0", "0000:02:00.0,…"). */
struct vm_setting {
    const char *key;
    const char *value;
};

/* One VM's settings in the order of <vmid>.conf: hostpci slots by number,
 * then machine, bios, cpu, cores, memory, numa, ostype, vga, balloon (only
 * those the spec sets).  <vmid>.conf and the scripts that compare and set
 * them read this one list, so they can never disagree. */
struct plan_vm {
    const struct m_vm *vm;
    const struct vm_setting *settings;
    size_t nsettings;
};

/* How vfio_pci exists in the host's kernel, as the facts said. */
enum plan_vfio { PLAN_VFIO_UNKNOWN, PLAN_VFIO_ABSENT, PLAN_VFIO_MODULE,
                 PLAN_VFIO_BUILTIN };

/* A passed device as the build saw it on the host: what apply.sh can check
 * again before it changes anything (issue 13).  One per spec line, in
 * declaration order; `seen` only when the facts held the address with the
 * spec's id, and only then are class and group meaningful. */
struct plan_device {
    const struct m_device *dev;
    struct pci_addr addr;          /* function 0 for an all-functions card */
    bool has_id;
    struct pci_id id;
    bool seen;
    uint32_t class_code;
    int iommu_group;               /* -1 none */
    const struct pci_addr *group;  /* every function in that group, the */
    size_t ngroup;                 /* device itself included, by address */
};

struct plan {
    /* `options vfio-pci ids=` / vfio-pci.ids=: every device with an id in
     * every VM, deduplicated, in declaration order (also under bind start,
     * where nothing writes them). */
    const struct pci_id *ids;
    size_t nids;
    /* native drivers of passed devices: softdep X pre: vfio-pci */
    const char **softdeps;
    size_t nsoftdeps;
    /* vfio_pci built in with `bind ids` and ids to bind (P032): the ids go
     * on the kernel command line, never into modprobe.d */
    bool ids_on_cmdline;
    struct plan_vm *vms;           /* parallel to model->vms */
    size_t nvms;

    /* What the build relied on (all empty / unknown without facts). */
    bool have_facts;
    const char *hostname;          /* NULL when the facts did not name it */
    bool iommu_on;
    enum plan_vfio vfio_pci;
    struct plan_device *devices;
    size_t ndevices;
};

/* f and q may be NULL (--no-facts, no quirks table): then no softdeps, no
 * command line, no expectations beyond the spec's own.  Returned mutable
 * for tests that pose a host; everything else holds it const. */
struct plan *plan_build(arena *a, const struct model *m, const struct facts *f,
                        const struct quirks *q);

/* The plan of vm (NULL when vm is not in the model the plan was built of). */
const struct plan_vm *plan_vm_of(const struct plan *p, const struct m_vm *vm);

/* One hostpci value (without "hostpciN: "), e.g. "0000:02:00.0,pcie=1",
 * options in the one order Proxmox writes them. */
void plan_hostpci_value(const struct m_device *d, struct strbuf *out);

/* One node's part of a build (a spec with at most one host block has one
 * node): the spec as that node sees it (mapping_node_view: its own host
 * block, mapped slots as that node's devices), the facts read for it and
 * the plan made from them.  Its host-side artifacts come from these. */
struct node_build {
    const struct m_host *host;      /* NULL: the spec has no host block */
    const struct model *view;
    const struct facts *facts;      /* NULL: none were read */
    const struct plan *plan;
};

#endif
