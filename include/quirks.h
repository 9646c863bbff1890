/* quirks.h — device knowledge kept as data (data/quirks.yaml), read with
 * libyaml by quirks_load() (declared in rules.h).  Only the facts rules use
 * these lookups; a NULL table answers "nothing known" everywhere. */
#ifndef PASSC_QUIRKS_H
#define PASSC_QUIRKS_H

#include <stddef.h>
#include "facts.h"
#include "pci_addr.h"
#include "rules.h"

/* A device whose reset does not bring it back (AMD Navi reset bug …). */
struct quirk_no_reset {
    const char *family;       /* "AMD Navi 10" */
    const char *note;         /* what to do about it */
};

/* Something the guest OS needs for a device to work. */
struct quirk_guest {
    const char *need;         /* "the ASMedia USB4 Windows driver …" */
    const char *symptom;      /* "Device Manager Code 28/31"; may be NULL */
};

/* Native host drivers that may claim this device before vfio-pci, from the
 * table by class (prefix) and vendor.  Writes up to max names; returns how
 * many there are in total. */
size_t quirks_native_drivers(const struct quirks *q,
                             const struct facts_device *d, const char **out,
                             size_t max);
/* The modules that may claim d before vfio-pci: the bound driver's module
 * first, then the modules its modalias names (facts_kmod.c) — both known to
 * exist; bound[i] says so — then the table's native
 * drivers, each once and never vfio_pci itself.  At most max; returns n.
 * The plan orders the loadable ones (softdeps); the rules warn about the
 * built-in ones (P028): one list, so the two can never disagree. */
size_t quirks_claiming_modules(const struct quirks *q,
                               const struct facts_device *d, const char **mods,
                               bool *bound, size_t max);
/* The module that provides a sysfs driver name (xhci_hcd -> xhci_pci); the
 * name itself when the table has no alias. */
const char *quirks_module_of(const struct quirks *q, const char *driver);
const struct quirk_no_reset *quirks_no_reset(const struct quirks *q,
                                             struct pci_id id);
/* ostype: the VM's Proxmox ostype ("win11"); NULL matches nothing. */
const struct quirk_guest *quirks_guest(const struct quirks *q, struct pci_id id,
                                       const char *ostype);

#endif
