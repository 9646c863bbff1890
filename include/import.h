/* import.h — an existing passthrough setup (VM config, modprobe.d file,
 * optionally facts) as a spec AST plus the comments that explain it. */
#ifndef PASSC_IMPORT_H
#define PASSC_IMPORT_H

#include "ast.h"
#include "facts.h"
#include "modprobe.h"
#include "pcicfg.h"
#include "pveconf.h"
#include "spec_print.h"

struct import_input {
    const struct pve_conf *conf;
    unsigned vmid;
    const struct modprobe_conf *vfio;   /* NULL: none given */
    const struct facts *facts;          /* NULL: no facts */
    const char *facts_origin;           /* for the header comment */
    const char *facts_path;             /* `facts "…"` in the host block, or NULL */
    const struct pcicfg *mapping;       /* pci.cfg (--mapping); NULL: none */
};

struct import_result {
    struct ast_spec *spec;
    struct spec_note *notes;
    size_t nnotes;
};

/* Builds the spec.  Findings (unsupported slots, ids not on the host, …)
 * go to diags with the conf's or the modprobe file's locations. */
int import_build(arena *a, const struct import_input *in,
                 struct import_result *out, struct diag_list *diags);

#endif
