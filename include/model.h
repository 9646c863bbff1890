/* model.h — the resolved, checked-shape view of a spec.
 *
 * resolve.c builds it from the AST: addresses canonical, ids parsed, units
 * converted, defaults applied, hostpci slots assigned.  Rules and the plan
 * read it; nothing changes it after resolve_spec returns. */
#ifndef PASSC_MODEL_H
#define PASSC_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "diag.h"
#include "pci_addr.h"

#define MAX_HOSTPCI 16

enum dev_kind { DEV_GPU, DEV_AUDIO, DEV_USB, DEV_USB4, DEV_NVME, DEV_NIC,
                DEV_PCI };
const char *dev_kind_name(enum dev_kind k);

enum iommu_req { IOMMU_REQUIRED, IOMMU_OPTIONAL };
enum bind_mode { BIND_IDS, BIND_START };
/* Boolean option as written: unset means "Proxmox's default". */
enum tri { TRI_UNSET = -1, TRI_OFF = 0, TRI_ON = 1 };

struct m_tunnel {
    struct pci_addr addr;
    src_loc loc;
};

struct m_device {
    enum dev_kind kind;
    struct pci_addr addr;
    src_loc addr_loc;
    bool has_id;
    struct pci_id id;
    src_loc id_loc;
    const char *name;           /* for people; may be NULL */
    src_loc loc;                /* the whole statement */
    struct m_device *parent;    /* audio: its gpu; joined: the line's first */
    struct m_vm *vm;

    /* hostpci slot 0..15; a function folded into its parent's slot by
     * all-functions has slot == parent's slot and folded == true. */
    int slot;
    bool slot_pinned;
    src_loc slot_loc;
    bool folded;
    /* a further address of `01:00.0;02:00.0`: folded into the first's slot
     * (its parent) and written there, after it, joined by ';' */
    bool joined;

    bool primary;               /* x-vga=1 */
    src_loc primary_loc;
    bool pcie;                  /* resolved: explicit, else q35 default */
    enum tri pcie_set;          /* as written */
    src_loc pcie_loc;
    enum tri rombar;            /* only "rombar off" is ever written */
    const char *romfile;
    bool all_functions;
    bool legacy_igd;
    const char *mdev;
    int vendor_id, device_id, sub_vendor_id, sub_device_id; /* -1 unset */
    const char *guest_driver;

    struct m_tunnel *tunnels;   /* usb4: xHCI controllers it tunnels through */
    size_t ntunnels;
    bool has_tunnels_stmt;
    src_loc tunnels_loc;

    /* `KIND mapping "NAME"`: the slot names a cluster mapping, not an
     * address (addr and id stay unset); such devices are in m_vm.mapped,
     * never in m_vm.devs, so the single-host rules never see them. */
    const struct m_mapping *mapping;
    const char *mapping_name;
    src_loc mapping_loc;
    /* In one node's view of the spec (mapping_node_view): the mapping
     * entry this device comes from.  Such a device stands for its slot on
     * that node's host side (groups, ids, pre-flight); the slot itself is
     * still written as mapping=NAME. */
    const struct m_map_entry *entry;
};

struct m_vm {
    unsigned vmid;
    src_loc vmid_loc;
    const char *name;
    src_loc loc;
    const char *ostype;         /* NULL: not managed */
    const char *machine;        /* NULL: Proxmox default (i440fx) */
    src_loc machine_loc;
    bool q35;
    const char *bios;
    const char *cpu;
    unsigned cores;             /* 0: not managed */
    uint64_t memory_mib;        /* 0: not managed */
    enum tri numa;
    const char *vga;            /* NULL: not managed */
    enum tri balloon_off;       /* TRI_ON: balloon: 0 */
    /* cpu, vga, machine with their options, as Proxmox writes them
     * ("host,hidden=1"); NULL when the options were bad (P002) */
    const char *cpu_pve, *vga_pve, *machine_pve;
    struct m_device **devs;     /* declaration order, audio right after gpu */
    size_t ndevs;
    struct m_device **mapped;   /* slots that name a mapping (mapping.c) */
    size_t nmapped;
    /* `node "pve2"`: the node whose /etc/pve/qemu-server holds the VM's
     * config (where qm can change it); NULL: the first host block's */
    const char *node;
    src_loc node_loc;
    /* In a node's view: the VM lives on another node, so this node's
     * scripts leave its settings alone; it is here for the devices its
     * mapped slots would use on this node. */
    bool elsewhere;
};

struct m_host {
    const char *name;
    src_loc loc;
    const char *board;
    enum iommu_req iommu;
    enum bind_mode bind;
    src_loc bind_loc;
    const char *zfs_dataset;    /* snapshot zfs "…" */
    const char *facts_path;     /* facts "…", relative to the spec's dir */
    src_loc facts_loc;
    /* `vfio ids …`: ids vfio-pci binds whatever the devices say (import
     * without facts keeps the host's ids= this way) */
    struct pci_id *vfio_ids;
    size_t nvfio_ids;
    bool has_vfio_ids;
    /* `vfio disable_vga 1` …: other vfio-pci module options, in order */
    struct m_vfio_opt {
        const char *key, *value;
        src_loc loc;
    } *vfio_opts;
    size_t nvfio_opts;
};

/* One `node "NAME" ADDR[;ADDR…] VVVV:DDDD [subsystem SSSS:SSSS] [group N]`
 * line of a mapping: a `map` entry of /etc/pve/mapping/pci.cfg. */
struct m_map_entry {
    const char *node;
    struct pci_addr *addrs;     /* several: used together (Proxmox `;`) */
    size_t naddrs;
    struct pci_id id;
    bool has_subsys;
    struct pci_id subsys;
    int group;                  /* -1: not written */
    src_loc loc;
};

/* `mapping "NAME" { … }`: a cluster-wide PCI resource mapping (PVE >= 8). */
struct m_mapping {
    const char *name;
    src_loc loc;
    const char *description;
    enum tri mdev;
    enum tri live_migration;
    struct m_map_entry *entries;
    size_t nentries;
};

struct model {
    const struct source *src;
    bool has_host;
    struct m_host host;         /* the first host block */
    struct m_host *hosts;       /* every host block (cluster nodes), */
    size_t nhosts;              /* the first one included */
    struct m_mapping **maps;
    size_t nmaps;
    struct m_vm **vms;
    size_t nvms;
};

struct ast_spec;

/* Interprets the AST.  Value errors are queued (P002, also for slot numbers
 * out of range; P003, P004); the model is still returned, with bad items
 * left out, so later checks can run. */
struct model *resolve_spec(arena *a, const struct ast_spec *spec,
                           struct diag_list *diags);

#endif
