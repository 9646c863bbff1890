/* facts.h — what the host really is: one record per PCI function plus a few
 * host-wide facts.  Two sources fill it (after pciutils' access methods):
 * the live or fake sysfs tree (facts_sysfs.c, libpci) and a YAML snapshot
 * (facts_yaml.c, libyaml).  Nothing else in passc can tell them apart. */
#ifndef PASSC_FACTS_H
#define PASSC_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "arena.h"
#include "diag.h"
#include "pci_addr.h"

/* What the host itself needs a device for (bit set). */
enum host_use {
    USE_ROOT_DISK   = 1u << 0,
    USE_BOOT_DISK   = 1u << 1,
    USE_SWAP        = 1u << 2,
    USE_ZFS_POOL    = 1u << 3,
    USE_MGMT_NIC    = 1u << 4,  /* carries the default route */
    USE_BRIDGE_PORT = 1u << 5,  /* port of a Linux bridge (vmbr*) */
    USE_CONSOLE     = 1u << 6,  /* boot VGA / framebuffer console */
    USE_KEYBOARD    = 1u << 7,  /* xHCI whose buses carry a HID keyboard */
};
#define HOST_USE_COUNT 8
/* "root-disk", "swap", … (YAML and messages); NULL past the end. */
const char *host_use_name(unsigned bit_index);
int host_use_parse(const char *name, unsigned *bit);

enum mod_state { MOD_UNKNOWN, MOD_ABSENT, MOD_MODULE, MOD_BUILTIN };
const char *mod_state_name(enum mod_state s);

struct facts_device {
    struct pci_addr addr;
    struct pci_id id;
    struct pci_id subsys;         /* 0000:0000 when the device has none */
    uint32_t class_code;          /* 24 bits: 0x0c0330 */
    uint8_t revision;
    const char *vendor_name;      /* pci.ids through libpci; NULL unknown */
    const char *device_name;
    const char *driver;           /* bound driver; NULL none */
    int iommu_group;              /* -1 none */
    const char *reset_methods;    /* "flr bus"; "" none; NULL unknown */
    int boot_vga;                 /* -1 unknown, 0, 1 */
    int numa_node;                /* -1 none */
    bool has_parent;
    struct pci_addr parent;       /* upstream bridge */
    bool is_bridge;               /* class 0604 or has pci_bus/ */
    /* sysfs device links: PCI addresses this device supplies / consumes
     * (firmware ties a USB4 router to its xHCI controllers this way). */
    struct pci_addr *consumers;
    size_t nconsumers;
    struct pci_addr *suppliers;
    size_t nsuppliers;
    unsigned uses;                /* enum host_use bits */
    const char *use_detail;       /* "root-disk: /dev/nvme0n1p3 (/)" …; NULL */
    /* Set when sysfs could not tell (no file and no config space): then
     * subsys / revision hold nothing true and snapshots leave them out.
     * Zero (known) by default so hand-built facts need not care. */
    bool subsys_unknown;
    bool revision_unknown;
    /* Modules the device's modalias names through the host's
     * modules.alias (libkmod's lookup, as modprobe does), whatever driver
     * is bound now; facts_kmod.c.  Only meaningful when
     * facts.alias_lookup is set. */
    const char **native;
    size_t nnative;
};

struct facts_module {
    const char *name;             /* vfio_pci, nvidia, xhci_pci, … */
    enum mod_state state;
};

/* One line of the host's effective modprobe configuration (libkmod's
 * kmod_config_get_*), kept when it names vfio_pci or a module that could
 * claim a device (a bound driver, a modalias match, a watched module). */
enum facts_mp_kind { MP_OPTIONS, MP_BLACKLIST, MP_INSTALL, MP_SOFTDEP };
const char *facts_mp_kind_name(enum facts_mp_kind k);
struct facts_modprobe {
    enum facts_mp_kind kind;
    const char *module;           /* as kmod normalises it: vfio_pci */
    const char *value;            /* options / command / "pre: a post: b"; NULL for blacklist */
    const char *file;             /* host path, "/etc/modprobe.d/x.conf"; NULL unknown */
    unsigned line;                /* 0 unknown */
};

/* What passc reasons about in a VM config of the host
 * (/etc/pve/qemu-server/VMID.conf, main section; facts_vms.c). */
struct facts_vm {
    unsigned vmid;
    const char *file;             /* host path */
    const char *bios;             /* as written; NULL unset (seabios) */
    const char *machine;          /* type only ("q35", "pc-i440fx-8.1"); NULL unset */
    bool onboot;
    bool efidisk;                 /* efidisk0 present */
    const char **disks;           /* keys: scsi0, virtio1, sata0, ide2 (not cdrom) */
    size_t ndisks;
    struct pci_addr *hostpci;     /* func PCI_FUNC_ALL for a whole device */
    size_t nhostpci;
};

struct facts {
    const char *origin;           /* "live /sys", "root DIR", "snapshot F" */
    const char *hostname;
    const char *kernel_release;
    const char *cmdline;
    bool iommu_on;
    const char *cpu_vendor;       /* "AuthenticAMD", "GenuineIntel", NULL */
    struct facts_module *modules;
    size_t nmodules;
    struct facts_device *devs;    /* sorted by address */
    size_t ndevs;
    /* The modprobe.d entries, in kmod's reading order (the last options
     * line wins); modprobe_known: they were read (else unknown). */
    struct facts_modprobe *modprobe;
    size_t nmodprobe;
    bool modprobe_known;
    bool alias_lookup;            /* devices' native lists were looked up */
    struct facts_vm *vms;         /* by vmid */
    size_t nvms;
    bool vms_known;
};

/* A bridge stays with the host whatever happens to the devices behind it:
 * the reader's flag, or class 0604 for facts built without it. */
bool facts_is_bridge(const struct facts_device *d);
/* Binary search by address (exact function). */
const struct facts_device *facts_find(const struct facts *f,
                                      const struct pci_addr *addr);
/* name as modprobe takes it: - and _ are the same character. */
enum mod_state facts_module_state(const struct facts *f, const char *name);

/* Live or fake root ("/" for the live host).  ids_file: a pci.ids to use
 * instead of the system's (tests ship a small one); NULL for the default.
 * Errors that stop the scan return -1 with a diagnostic; a bad single
 * device is skipped with a warning diagnostic. */
int facts_read_sysfs(arena *a, const char *root, const char *ids_file,
                     struct facts *out, struct diag_list *diags);

/* The host's modprobe configuration and the devices' native drivers
 * (libkmod over ROOT/lib/modules/KERNEL and ROOT's modprobe.d
 * directories), and its VM configs; facts_read_sysfs calls both. */
void facts_read_kmod(arena *a, const char *root, struct facts *f,
                     struct diag_list *diags);
void facts_read_vms(arena *a, const char *root, struct facts *f,
                    struct diag_list *diags);

int facts_read_yaml(arena *a, const char *path, struct facts *out,
                    struct diag_list *diags);
/* The same from text already in memory (the fuzz harness; src->path names
 * it in messages and in the facts' origin). */
int facts_read_yaml_source(arena *a, const struct source *src,
                           struct facts *out, struct diag_list *diags);
int facts_write_yaml(const struct facts *f, FILE *out);

#endif
