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

struct node_build;

/* The nodes of a build, one per host block (at least one: a spec with one
 * host block, or none, is one node), each with its host and view, and the
 * view's P005 queued (mapping_rules_view).  Facts and plans are the
 * caller's to add. */
struct node_build *mapping_nodes(arena *a, const struct model *m,
                                 struct diag_list *d, size_t *n);

/* P005 on node `node` (its view, mapping_node_view): a mapped slot whose
 * every entry there is a device the VM also passes by address. */
void mapping_rules_view(const struct model *v, const char *node,
                        struct diag_list *d);

/* P070: the entries of node `node` against that node's facts. */
void mapping_rules_node(const struct model *m, const char *node,
                        const struct facts *f, struct diag_list *d);

/* The host block (index into m->hosts) whose node holds VM vm's config:
 * its `node`, else the first. */
size_t mapping_vm_home(const struct model *m, const struct m_vm *vm);

/* The spec as node h (index into m->hosts) sees it: that host block as
 * `host`; the VMs living there with their devices; every VM that may start
 * there with each mapped slot turned into that node's devices (one per
 * address of each of the node's entries, `entry` set).  VMs living
 * elsewhere are marked `elsewhere`.  m itself when there is nothing to
 * turn (one host block, no mappings). */
struct model *mapping_node_view(arena *a, const struct model *m, size_t h);

#endif
