/* pveconf.h — a Proxmox VE VM config (/etc/pve/qemu-server/<vmid>.conf) as
 * Proxmox itself reads it (qemu-server parse_vm_config, non-strict): what it
 * keeps, and — as diagnostics — what it would drop on load. */
#ifndef PASSC_PVECONF_H
#define PASSC_PVECONF_H

#include <stdbool.h>
#include <stddef.h>
#include "arena.h"
#include "diag.h"
#include "pci_addr.h"
#include "source.h"

#define PVE_MAX_HOSTPCI 16

/* Import findings are R_P040-R_P044 (include/rules_list.h). */

/* One hostpciN value, parsed per qemu-server's $hostpci_fmt. */
struct pve_hostpci {
    unsigned index;              /* N of hostpciN */
    src_loc line_loc, value_loc;
    const char *value;           /* as written */
    /* host=: one or more ';'-joined ids; func PCI_FUNC_ALL when no ".f" */
    struct pci_addr *hosts;
    src_loc *host_locs;
    size_t nhosts;
    bool host_set;
    const char *mapping;
    src_loc mapping_loc;
    int pcie, x_vga, rombar, legacy_igd;    /* -1 unset, 0, 1 */
    const char *romfile, *mdev, *driver;
    src_loc driver_loc;
    int vendor_id, device_id, sub_vendor_id, sub_device_id;  /* -1 unset */
};

struct pve_setting {
    const char *key, *value;
    src_loc line_loc, value_loc;
};

enum pve_section_kind { PVE_MAIN, PVE_PENDING, PVE_SNAPSHOT, PVE_SPECIAL };

struct pve_section {
    enum pve_section_kind kind;
    const char *name;            /* NULL for the main section */
    src_loc loc;                 /* the header line */
    struct pve_setting *settings;
    size_t nsettings, cap_settings;
    struct pve_hostpci *hostpci[PVE_MAX_HOSTPCI];  /* NULL: slot unused */
    const char *description;     /* '#' lines, URL-decoded, joined by \n */
    struct pve_section *next;
};

struct pve_conf {
    const struct source *src;
    struct pve_section *main, *pending;
    size_t nsnapshots, nspecial;
    size_t ndropped;             /* lines Proxmox would drop */
};

/* Parses src.  Findings go to diags (P040 for dropped lines, P041 for
 * valid-but-unsupported hostpci options).  Returns -1 only when the input
 * is not a config file at all (binary data); an error is queued then. */
int pveconf_parse(arena *a, const struct source *src, struct pve_conf *out,
                  struct diag_list *diags);

/* Parses one hostpci value (the part after "hostpciN:").  Returns -1 with a
 * P040 diagnostic when Proxmox's schema rejects it (Proxmox drops the line),
 * -2 with a P041 diagnostic when the schema takes it but the address cannot
 * exist (Proxmox keeps the line, the slot is not imported). */
int pve_hostpci_parse(arena *a, const char *value, src_loc value_loc,
                      struct pve_hostpci *out, struct diag_list *diags);

/* Value of key in a section (last one wins, as in Proxmox); NULL unset. */
const struct pve_setting *pve_get(const struct pve_section *s,
                                  const char *key);

/* The default-key part of a property string ("q35" of "q35,viommu=intel",
 * "host" of "cputype=host,flags=+aes"); NULL when absent. */
const char *pve_prop_default(arena *a, const char *value,
                             const char *default_key);

/* Proxmox VE's VMID range (pve-guest-common: 100 to 999999999); the spec,
 * --vmid and a config's file name are all held to it. */
#define PVE_VMID_MIN 100u
#define PVE_VMID_MAX 999999999u
bool pve_vmid_valid(unsigned long long n);

/* VMID from a path ending in [non-digit]NNN.conf; 0 when there is none. */
unsigned pve_vmid_from_path(const char *path);

#endif
