/* cmd_build.c — `passc build` and `passc lint`: the pipeline of design.md.
 *
 * spec -> parse -> resolve -> spec rules -> facts -> facts rules -> ignores
 * -> plan -> diagnostics -> (build, no errors) emit -> atomic write.
 * One arena per run holds everything; it is freed before returning. */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ast.h"
#include "cmd.h"
#include "config.h"
#include "cmd_build.h"
#include "mapping.h"
#include "emit.h"
#include "facts.h"
#include "facts_path.h"
#include "model.h"
#include "plan.h"
#include "rules.h"

enum {
    OPT_WERROR = CMD_OPT_LONG, OPT_PCI_IDS, OPT_QUIRKS, OPT_COLOR, OPT_NO_COLOR,
};

/* build and lint take the same options (lint refuses -o afterwards, with a
 * better word than "unknown") */
static const struct option run_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"format", required_argument, NULL, 'f'},
    {"werror", no_argument, NULL, OPT_WERROR},
    /* a pci.ids file instead of the system's (tests, old hosts) */
    {"pci-ids", required_argument, NULL, OPT_PCI_IDS},
    {"quirks", required_argument, NULL, OPT_QUIRKS},
    {"quiet", no_argument, NULL, 'q'},
    {"color", no_argument, NULL, OPT_COLOR},
    {"colour", no_argument, NULL, OPT_COLOR},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"no-colour", no_argument, NULL, OPT_NO_COLOR},
    CMD_FACTS_OPTION, CMD_ROOT_OPTION, CMD_NO_FACTS_OPTION,
    {NULL, 0, NULL, 0},
};

/* Parses the options shared by build and lint.  Returns -1 on usage error
 * (already reported). */
static int parse_opts(arena *ar, int argc, char **argv, struct run_opts *o)
{
    memset(o, 0, sizeof *o);
    o->fmt = FMT_TEXT;
    o->specs = arena_calloc(ar, (size_t)argc, sizeof *o->specs);
    struct cmd_args c;
    cmd_args_init(&c, argc, argv, "o:f:q", run_options);
    int opt;
    while ((opt = cmd_args_next(&c)) > 0) {
        switch (opt) {
        case CMD_OPERAND: o->specs[o->nspecs++] = c.arg; break;
        case 'o': o->out_dir = c.arg; break;
        case 'q': o->quiet = true; break;
        case 'f':
            if (diag_format_parse(c.arg, &o->fmt) < 0)
                return cmd_usage_error(c.cmd, "unknown format", c.arg), -1;
            break;
        case OPT_WERROR: o->werror = true; break;
        case OPT_PCI_IDS: o->ids_file = c.arg; break;
        case OPT_QUIRKS: o->quirks_path = c.arg; break;
        case OPT_COLOR: o->color = 1; break;
        case OPT_NO_COLOR: o->color = -1; break;
        }
    }
    o->facts_src = c.facts_src;
    o->facts_arg = c.facts_arg;
    return opt < 0 ? -1 : 0;
}

/* The quirks table: --quirks, else $PASSC_DATADIR, else the installed data
 * directory, else data/ next to the build tree (running from a checkout). */
static const char *quirks_path(arena *a, const struct run_opts *o)
{
    if (o->quirks_path)
        return o->quirks_path;
    const char *env = getenv("PASSC_DATADIR");
    if (env && *env)
        return arena_printf(a, "%s/quirks.yaml", env);
    const char *inst = PASSC_DATADIR "/quirks.yaml";
    if (access(inst, R_OK) == 0)
        return inst;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *dir = dirname(exe);  /* …/build */
        const char *p = arena_printf(a, "%s/../data/quirks.yaml", dir);
        if (access(p, R_OK) == 0)
            return p;
    }
    return NULL;
}

/* A host block's `facts` snapshot, refused (F001) when its path leaves
 * the spec's repository.  For the first host block --facts is the other
 * way to name it. */
static int read_snapshot(arena *a, const char *spec_path, const struct m_host *host,
                         bool first, struct facts *f, struct diag_list *d)
{
    const char *why = NULL;
    const char *p = facts_path_for_spec(a, spec_path, host->facts_path, &why);
    if (!p) {
        struct diag *dg = diag_add(d, R_F001, host->facts_loc,
                                   "facts \"%s\" is refused: %s", host->facts_path, why);
        diag_fix(d, dg, "keep the snapshot in the spec's repository (e.g. hosts/NAME.yaml)%s",
                 first ? ", or name it on the command line with --facts" : "");
        return -1;
    }
    return facts_read_yaml(a, p, f, d);
}

/* Where facts come from for one spec (design.md: --facts, --root, the
 * spec's `facts` file, the live host). */
static int load_facts(arena *a, const struct run_opts *o, const struct model *m,
                      const char *spec_path, struct facts *f,
                      struct diag_list *d, bool *have)
{
    *have = false;
    switch (o->facts_src) {
    case FACTS_NONE:
        return 0;
    case FACTS_FILE:
        *have = true;
        return facts_read_yaml(a, o->facts_arg, f, d);
    case FACTS_ROOT:
        *have = true;
        return facts_read_sysfs(a, o->facts_arg, o->ids_file, f, d);
    case FACTS_AUTO:
        break;
    }
    if (m->has_host && m->host.facts_path) {
        *have = true;
        return read_snapshot(a, spec_path, &m->host, true, f, d);
    }
    /* A spec without a host block names no host: the machine lint runs on
     * (a laptop, CI) is not its target, and errors about that machine's
     * IOMMU or devices would be noise.  Facts then come only from the
     * command line (--facts, --root). */
    if (!m->has_host)
        return 0;
    *have = true;
    return facts_read_sysfs(a, "/", o->ids_file, f, d);
}

/* The quirks table is the same for every spec of a run: read it once, so a
 * broken table is reported once. */
static const struct quirks *run_quirks(struct run *r)
{
    if (!r->quirks_loaded) {
        r->quirks_loaded = true;
        const char *qp = quirks_path(r->a, r->o);
        if (qp)
            r->quirks = quirks_load(r->a, qp, r->d);
    }
    return r->quirks;
}

/* This machine's facts, read once per spec for a cluster spec's nodes
 * (NULL when they could not be read); their findings are kept apart until
 * a node turns out to be this machine. */
struct live {
    bool read;
    struct facts *f;
    struct diag_list d;
};

static const struct facts *live_facts(struct run *r, struct live *l)
{
    if (!l->read) {
        l->read = true;
        diag_init(&l->d, r->a);
        struct facts *f = arena_calloc(r->a, 1, sizeof *f);
        if (facts_read_sysfs(r->a, "/", r->o->ids_file, f, &l->d) == 0)
            l->f = f;
    }
    return l->f;
}

/* The facts of one node of a cluster spec: its `facts` snapshot; without
 * one, the machine passc runs on when that is the node (its host name),
 * as a spec with one host block would read it.  The first node takes
 * --facts or --root instead (load_facts).  0 with *have false when there
 * are none; -1 when they cannot be read (queued). */
static int node_facts(struct run *r, const char *spec_path,
                      const struct node_build *nb, struct live *live,
                      struct facts *f, bool *have)
{
    const struct m_host *host = nb->host;
    *have = false;
    if (r->o->facts_src == FACTS_NONE)
        return 0;
    if (!host->facts_path && r->o->facts_src == FACTS_AUTO) {
        const struct facts *lf = live_facts(r, live);
        if (lf && lf->hostname && !strcmp(lf->hostname, host->name)) {
            *f = *lf;
            *have = true;
            diag_move(r->d, &live->d);
            return 0;
        }
    }
    if (!host->facts_path) {
        /* a node that has nothing of the spec's needs no facts */
        bool any = false;
        for (size_t v = 0; v < nb->view->nvms && !any; v++)
            any = nb->view->vms[v]->ndevs > 0;
        if (any) {
            struct diag *dg = diag_add(r->d, R_P072, host->loc,
                                       "node '%s' has no facts snapshot: its mapping entries and host side are not checked",
                                       host->name);
            diag_fix(r->d, dg, "run `passc facts -o %s.yaml` on that node and add: facts \"%s.yaml\"",
                     host->name, host->name);
        }
        return 0;
    }
    *have = true;
    return read_snapshot(r->a, spec_path, host, false, f, r->d);
}

int build_check_spec(struct run *r, const char *path,
                      struct model **out_model,
                      const struct plan **out_plan, const char **err)
{
    arena *a = r->a;
    const struct run_opts *o = r->o;
    struct diag_list *d = r->d;
    *out_model = NULL;
    *out_plan = NULL;
    r->nodes = NULL;
    r->nnodes = 0;
    struct source *src = source_read(a, path, err);
    if (!src)
        return EXIT_USAGE;
    size_t errors_before = d->n[SEV_ERROR];
    struct ast_spec *ast = parse_spec(a, src, d);
    if (!ast)
        return EXIT_FINDINGS;
    bool syntax_ok = d->n[SEV_ERROR] == errors_before;
    struct model *m = resolve_spec(a, ast, d);
    rules_spec_run(m, d);
    mapping_rules_spec(m, d);
    /* One node per host block: each checked against its own facts, for the
     * devices that node would pass (its VMs' and its mapping entries'). */
    size_t nn;
    struct node_build *nodes = mapping_nodes(a, m, d, &nn);
    /* After a syntax error the model lacks what the parser skipped: facts
     * rules would only add echoes of it (a "missing" tunnel, a capture). */
    struct live live = {0};
    for (size_t h = 0; syntax_ok && h < nn; h++) {
        struct facts *f = arena_calloc(a, 1, sizeof *f);
        bool have = false;
        /* a cluster's first node is no more "this machine" than the others */
        bool cmdline = o->facts_src != FACTS_AUTO || m->nhosts <= 1;
        int rc = h == 0 && cmdline ? load_facts(a, o, m, path, f, d, &have)
                                   : node_facts(r, path, &nodes[h], &live, f, &have);
        if (rc < 0)
            return EXIT_FACTS;
        if (!have)
            continue;
        nodes[h].facts = f;
        rules_facts_run(nodes[h].view, f, run_quirks(r), d);
        if (nodes[h].host && nodes[h].host->name)
            mapping_rules_node(m, nodes[h].host->name, f, d);
    }
    for (size_t h = 0; h < nn; h++)
        rules_ids_run(nodes[h].view, nodes[h].facts, d);
    rules_apply_ignores(ast, d);
    /* the quirks only matter with facts to apply them to */
    for (size_t h = 0; h < nn; h++)
        nodes[h].plan = plan_build(a, nodes[h].view, nodes[h].facts,
                                   nodes[h].facts ? run_quirks(r) : NULL);
    *out_model = m;
    /* the VM settings do not depend on facts: one plan for the cluster
     * part (<vmid>.conf, pci.cfg) unless the single node's is the spec's */
    *out_plan = nodes[0].view == m ? nodes[0].plan : plan_build(a, m, NULL, NULL);
    r->nodes = nodes;
    r->nnodes = nn;
    return diag_has_errors(d, o->werror) ? EXIT_FINDINGS : EXIT_CLEAN;
}

static bool want_color(const struct run_opts *o, FILE *f)
{
    if (o->color)
        return o->color > 0;
    return diag_color_wanted(f);
}

static void print_tally(FILE *f, const struct diag_list *d)
{
    size_t e = d->n[SEV_ERROR], w = d->n[SEV_WARNING];
    fprintf(f, "%zu error%s, %zu warning%s\n", e, e == 1 ? "" : "s", w, w == 1 ? "" : "s");
}

int cmd_lint(int argc, char **argv)
{
    struct run_opts o;
    arena *a = arena_new();
    int rc = EXIT_USAGE;
    if (parse_opts(a, argc, argv, &o) < 0)
        goto out;
    if (o.out_dir) {
        cmd_usage_error("lint", "-o is for passc build", NULL);
        goto out;
    }
    if (o.nspecs == 0) {
        cmd_usage_error("lint", "no spec given", NULL);
        goto out;
    }
    struct diag_list d;
    diag_init(&d, a);
    struct run run = {.a = a, .o = &o, .d = &d};
    rc = EXIT_CLEAN;
    for (size_t i = 0; i < o.nspecs; i++) {
        struct model *m;
        const struct plan *p;
        const char *err = NULL;
        int r = build_check_spec(&run, o.specs[i], &m, &p, &err);
        if (err)
            fprintf(stderr, "passc: %s\n", err);
        if (r > rc)
            rc = r;
    }
    diag_sort(&d);
    diag_print(stdout, &d, o.fmt, o.fmt == FMT_TEXT && want_color(&o, stdout));
    /* a person at a terminal gets the tally, as compilers end */
    if (o.fmt == FMT_TEXT && isatty(fileno(stdout)))
        print_tally(stdout, &d);
    if (rc == EXIT_CLEAN && diag_has_errors(&d, o.werror))
        rc = EXIT_FINDINGS;
out:
    arena_free(a);
    return rc;
}

/* emit_each's sink for `passc build`: into the output directory, keeping
 * only the names (for the "wrote" lines, printed once all is in place). */
struct writer {
    arena *a;
    struct output *out;
    const char *err;
    const char **names;
    size_t n, cap;
};

static int write_one(void *ctx, const struct artifact *art)
{
    struct writer *w = ctx;
    if (output_put(w->out, art, &w->err) < 0)
        return -1;
    if (w->n == w->cap) {
        size_t nc = w->cap ? 2 * w->cap : 16;
        w->names = arena_realloc(w->a, w->names, w->cap * sizeof *w->names, nc * sizeof *w->names);
        w->cap = nc;
    }
    w->names[w->n++] = arena_strdup(w->a, art->name);
    return 0;
}

int cmd_build(int argc, char **argv)
{
    struct run_opts o;
    arena *a = arena_new();
    if (parse_opts(a, argc, argv, &o) < 0) {
        arena_free(a);
        return EXIT_USAGE;
    }
    if (o.nspecs != 1) {
        arena_free(a);
        return cmd_usage_error("build", "give exactly one spec", NULL);
    }
    if (!o.out_dir)
        o.out_dir = "out";
    o.out_dir = output_dir_name(a, o.out_dir);  /* the name the messages use */
    struct diag_list d;
    diag_init(&d, a);
    struct model *m;
    const struct plan *p;
    const char *err = NULL;
    struct run run = {.a = a, .o = &o, .d = &d};
    int rc = build_check_spec(&run, o.specs[0], &m, &p, &err);
    diag_sort(&d);
    diag_print(stderr, &d, o.fmt, o.fmt == FMT_TEXT && want_color(&o, stderr));
    if (err)
        fprintf(stderr, "passc: %s\n", err);
    if (rc == EXIT_CLEAN) {
        /* written as emitted: a big build never holds all its artifacts */
        struct writer w = {a, output_open(a, o.out_dir, &err), NULL, NULL, 0, 0};
        if (!w.out || emit_each(m, p, run.nodes, run.nnodes, write_one, &w) < 0 ||
            output_close(w.out, &err) < 0) {
            fprintf(stderr, "passc: %s\n", w.err ? w.err : err);
            rc = EXIT_USAGE;
        } else {
            for (size_t i = 0; i < w.n && !o.quiet; i++)
                printf("wrote %s/%s\n", o.out_dir, w.names[i]);
        }
    } else if (rc == EXIT_FINDINGS) {
        fprintf(stderr, "passc: nothing written: %zu error(s)%s\n",
                d.n[SEV_ERROR], o.werror && d.n[SEV_WARNING] ? " or warnings (--werror)" : "");
    }
    arena_free(a);
    return rc;
}
