/* pci_class.h — what kind of device a PCI class code is, written once: the
 * importer names a device by it and P022 checks a spec's kind against it,
 * so the two can never disagree. */
#ifndef PASSC_PCI_CLASS_H
#define PASSC_PCI_CLASS_H

#include <stdbool.h>
#include <stdint.h>
#include "model.h"

/* programming interfaces the rules and the facts reader single out */
#define PCI_CLASS_XHCI 0x0c0330u   /* the USB 3 host controller */
#define PCI_CLASS_USB4 0x0c0340u   /* USB4 host interface (the router) */

/* The kind a device of this class is passed as; DEV_PCI when no kind fits.
 * Most specific first: 0c0340 is usb4, any other 0c03xx usb. */
enum dev_kind pci_class_kind(uint32_t class_code);
/* Whether a `kind` line may name a device of this class (DEV_PCI fits all).
 * *want (may be NULL): the class the kind needs, for the message. */
bool pci_class_fits(enum dev_kind kind, uint32_t class_code, const char **want);

#endif
