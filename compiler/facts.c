/* facts.c — what both fact sources share: the names of host uses and module
 * states (the YAML snapshot and the messages use the same words), lookup by
 * address and by module name, and the one sort order of devices. */
#include "facts.h"
#include "facts_impl.h"
#include "names.h"

#include <stdlib.h>
#include <string.h>

/* Index = bit number of enum host_use; these words are the snapshot format,
 * so they never change once written. */
static const char *const use_names[HOST_USE_COUNT] = {
    "root-disk", "boot-disk", "swap",    "zfs-pool",
    "mgmt-nic",  "bridge-port", "console", "keyboard",
};

const char *host_use_name(unsigned bit_index)
{
    return bit_index < HOST_USE_COUNT ? use_names[bit_index] : NULL;
}

int host_use_parse(const char *name, unsigned *bit)
{
    for (unsigned i = 0; i < HOST_USE_COUNT; i++)
        if (!strcmp(name, use_names[i])) {
            *bit = i;
            return 0;
        }
    return -1;
}

static const char *const mod_names[] = {
    [MOD_UNKNOWN] = "unknown",
    [MOD_ABSENT] = "absent",
    [MOD_MODULE] = "module",
    [MOD_BUILTIN] = "builtin",
};

const char *mod_state_name(enum mod_state s)
{
    if ((unsigned)s < sizeof mod_names / sizeof mod_names[0])
        return mod_names[s];
    return "unknown";
}

bool facts_is_bridge(const struct facts_device *d)
{
    return d->is_bridge || (d->class_code >> 8) == 0x0604;
}

const struct facts_device *facts_find(const struct facts *f,
                                      const struct pci_addr *addr)
{
    if (!f || !addr)
        return NULL;
    size_t lo = 0, hi = f->ndevs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = pci_addr_cmp(&f->devs[mid].addr, addr);
        if (c == 0)
            return &f->devs[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

enum mod_state facts_module_state(const struct facts *f, const char *name)
{
    if (!f || !name)
        return MOD_UNKNOWN;
    for (size_t i = 0; i < f->nmodules; i++)
        if (module_name_eq(f->modules[i].name, name))
            return f->modules[i].state;
    return MOD_UNKNOWN;
}

static int dev_cmp(const void *a, const void *b)
{
    return pci_addr_cmp(&((const struct facts_device *)a)->addr,
                        &((const struct facts_device *)b)->addr);
}

static int addr_cmp(const void *a, const void *b)
{
    return pci_addr_cmp(a, b);
}

static int mod_cmp(const void *a, const void *b)
{
    return strcmp(((const struct facts_module *)a)->name,
                  ((const struct facts_module *)b)->name);
}

void facts_sort(struct facts *f)
{
    /* the sysfs reader hands them over in order already: a linear check
     * saves a sort of thousands of big records */
    size_t run = 1;
    while (run < f->ndevs && dev_cmp(&f->devs[run - 1], &f->devs[run]) <= 0)
        run++;
    if (run < f->ndevs)
        qsort(f->devs, f->ndevs, sizeof *f->devs, dev_cmp);
    for (size_t i = 0; i < f->ndevs; i++) {
        struct facts_device *d = &f->devs[i];
        if (d->nconsumers)
            qsort(d->consumers, d->nconsumers, sizeof *d->consumers, addr_cmp);
        if (d->nsuppliers)
            qsort(d->suppliers, d->nsuppliers, sizeof *d->suppliers, addr_cmp);
    }
    if (f->nmodules)
        qsort(f->modules, f->nmodules, sizeof *f->modules, mod_cmp);
}

/* The drivers the rules ask about (P028 driver-race, P032 vfio-builtin):
 * vfio itself and the native drivers that can claim a passed device first. */
static const char *const watched_modules[] = {
    "vfio_pci", "vfio", "vfio_iommu_type1", "nvidia", "nouveau", "amdgpu",
    "radeon", "i915", "xe", "xhci_pci", "xhci_hcd", "snd_hda_intel", "nvme",
    "thunderbolt", "ahci", "igb", "r8169", "e1000e", "ixgbe", "mt7921e",
    "iwlwifi",
};

const char *const *facts_watched_modules(size_t *n)
{
    *n = sizeof watched_modules / sizeof watched_modules[0];
    return watched_modules;
}
