/* pci_addr.h — PCI function addresses and vendor:device ids as values. */
#ifndef PASSC_PCI_ADDR_H
#define PASSC_PCI_ADDR_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_FUNC_ALL 0xffu   /* "bb:dd" without a function: all functions */

struct pci_addr {
    uint32_t domain;         /* Proxmox accepts >4 hex digits: keep 32 bits */
    uint8_t bus, slot, func; /* func may be PCI_FUNC_ALL */
};

struct pci_id {
    uint16_t vendor, device;
};

/* Parses "bb:dd.f", "dddd:bb:dd.f", or (allow_all) "bb:dd" / "dddd:bb:dd".
 * Hex is case-insensitive on input.  On failure returns -1 and sets *why to a
 * static phrase ("bus 100 is above ff", ...). */
int pci_addr_parse(const char *s, bool allow_all, struct pci_addr *out,
                   const char **why);
/* Canonical "0000:02:00.0" (or "0000:02:00" for all functions); buf >= 24. */
char *pci_addr_format(const struct pci_addr *a, char *buf);
int pci_addr_cmp(const struct pci_addr *a, const struct pci_addr *b);
bool pci_addr_eq(const struct pci_addr *a, const struct pci_addr *b);
/* Same domain, bus and slot: functions of one physical card. */
bool pci_addr_same_device(const struct pci_addr *a, const struct pci_addr *b);

/* Parses "vvvv:dddd" (exactly 4 hex digits each, case-insensitive). */
int pci_id_parse(const char *s, struct pci_id *out, const char **why);
/* Lowercase "10de:2783"; buf >= 10. */
char *pci_id_format(const struct pci_id *id, char *buf);
bool pci_id_eq(const struct pci_id *a, const struct pci_id *b);

#endif
