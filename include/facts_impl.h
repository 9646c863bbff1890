/* facts_impl.h — helpers shared by the fact sources (facts.c, facts_sysfs.c,
 * facts_hostuse.c, facts_yaml.c) and their tests; not for rules or
 * emitters, which see only facts.h. */
#ifndef PASSC_FACTS_IMPL_H
#define PASSC_FACTS_IMPL_H

#include <stddef.h>
#include "facts.h"

/* The facts layer's own diagnostics (not lint findings) are R_F001-R_F003
 * (include/rules_list.h): F001 a snapshot that cannot be read as facts
 * (error, stops); F002 a live/fake host: one device or file could not be
 * read (warning, that fact is left unknown); F003 the host tree as a whole
 * cannot be read (error, stops). */

/* Devices by address, their link lists and modules by name: the one order
 * both sources produce, so snapshots diff clean. */
void facts_sort(struct facts *f);

/* Modules whose state (absent / module / builtin) a scan records. */
const char *const *facts_watched_modules(size_t *n);

/* Host use detection against a root (facts_hostuse.c): sets uses and
 * use_detail on the devices of f (already read and sorted). */
void facts_find_host_uses(arena *a, const char *root, struct facts *f,
                          struct diag_list *diags);

#endif
