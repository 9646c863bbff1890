/* modprobe.h — a modprobe.d file as kmod reads it, reduced to what matters
 * for vfio-pci: the ids= it really passes, softdeps, blacklists, and the
 * traps that make a file silently do less than it says. */
#ifndef PASSC_MODPROBE_H
#define PASSC_MODPROBE_H

#include <stdbool.h>
#include <stddef.h>
#include "arena.h"
#include "diag.h"
#include "pci_addr.h"
#include "source.h"

struct modprobe_id {
    struct pci_id id;
    src_loc loc;
};

struct modprobe_conf {
    const struct source *src;
    bool has_ids;                /* an `options vfio-pci ids=` exists */
    src_loc ids_loc;             /* the ids= that wins (the last one) */
    struct modprobe_id *ids;     /* what vfio-pci really receives */
    size_t nids;
    const char **softdeps;       /* X of `softdep X pre: … vfio-pci …` */
    size_t nsoftdeps;
    const char **blacklist;
    size_t nblacklist;
    const char **other_options;  /* vfio-pci options other than ids=, as written */
    size_t nother_options;
};

/* Parses src; traps are queued as P042 warnings with file:line:col. */
int modprobe_parse(arena *a, const struct source *src,
                   struct modprobe_conf *out, struct diag_list *diags);

#endif
