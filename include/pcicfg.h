/* pcicfg.h — /etc/pve/mapping/pci.cfg read as Proxmox reads it. */
#ifndef PASSC_PCICFG_H
#define PASSC_PCICFG_H

#include <stddef.h>
#include "arena.h"
#include "source.h"

struct pcicfg_section {
    const char *id;
    src_loc loc;
    const char **maps;          /* `map` values as written */
    size_t nmaps;
    const char *description, *mdev, *live_migration;   /* NULL: unset */
};

struct pcicfg {
    const struct source *src;
    struct pcicfg_section *sections;
    size_t n;
};

int pcicfg_parse(arena *a, const struct source *src, struct pcicfg *out);
/* The section of that mapping id (case-insensitive, as configids are). */
const struct pcicfg_section *pcicfg_find(const struct pcicfg *c, const char *id);

#endif
