/* mapping.h — cluster resource mappings (issue 17): `mapping "NAME" { … }`
 * blocks, the slots that name them, and their checks against each node's
 * facts.  pci.cfg itself is emit_mapping.c's (emit.h). */
#ifndef PASSC_MAPPING_H
#define PASSC_MAPPING_H

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "model.h"

struct facts;

/* A top-level `mapping` statement; NULL (after P002/P003/P004) when it is
 * unusable as a whole.  Bad entries are left out. */
struct m_mapping *mapping_resolve(arena *a, const struct ast_stmt *s,
                                  struct diag_list *d);

/* Points every slot's mapping_name at its mapping (P002 when none has that
 * name) and moves mapped slots from vm->devs to vm->mapped. */
void mapping_link(arena *a, struct model *m, struct diag_list *d);

/* Proxmox pve-configid ([a-z][a-z0-9_-]+, case-insensitive) and pve-node
 * names. */
bool mapping_name_ok(const char *s);
bool mapping_node_ok(const char *s);

/* The spec-only checks (P071, P072). */
void mapping_rules_spec(const struct model *m, struct diag_list *d);

/* P070: the entries of node `node` against that node's facts. */
void mapping_rules_node(const struct model *m, const char *node,
                        const struct facts *f, struct diag_list *d);

/* P070 for every node: the first host block's entries against first (the
 * facts the build read; NULL: none), every other host block's against its
 * own `facts` snapshot (relative to spec_dir).  -1 when a snapshot cannot
 * be read (F001 queued). */
int mapping_lint_nodes(arena *a, const struct model *m, const char *spec_dir,
                       const struct facts *first, struct diag_list *d);

#endif
