/* cmd_build.h — the build/lint pipeline, shared by commands and tests. */
#ifndef PASSC_CMD_BUILD_H
#define PASSC_CMD_BUILD_H

#include <stdbool.h>
#include "arena.h"
#include "diag.h"
#include "model.h"

enum facts_src { FACTS_AUTO, FACTS_FILE, FACTS_ROOT, FACTS_NONE };

struct run_opts {
    const char **specs;
    size_t nspecs;
    const char *out_dir;
    enum facts_src facts_src;
    const char *facts_arg;
    enum diag_format fmt;
    bool werror;
    int color;               /* 0 auto, 1 always, -1 never */
    bool quiet;              /* build -q: no "wrote" lines */
    const char *ids_file;
    const char *quirks_path;
};

struct quirks;

/* One run of build or lint over one or more specs: one arena, one list of
 * diagnostics, what is shared between the specs. */
struct run {
    arena *a;
    const struct run_opts *o;
    struct diag_list *d;
    bool quirks_loaded;
    struct quirks *quirks;
    /* the nodes of the last spec checked, one per host block (at least 1) */
    struct node_build *nodes;
    size_t nnodes;
};

struct plan;

/* Runs everything up to (not including) emission for one spec: parse,
 * resolve, rules, then the plan (from the same facts the rules read).
 * Returns an EXIT_* code; *err is set for an unreadable spec (EXIT_USAGE).
 * *out_plan is NULL when there is no model or facts could not be read;
 * otherwise it is the plan of the spec as a whole (its VM settings), and
 * r->nodes holds each node's view and plan. */
int build_check_spec(struct run *r, const char *path,
                      struct model **out_model,
                      const struct plan **out_plan, const char **err);

#endif
