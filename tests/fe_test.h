/* fe_test.h — helpers shared by the front-end suites: run the spec-only
 * pipeline on text and look at the diagnostics it queued. */
#ifndef PASSC_FE_TEST_H
#define PASSC_FE_TEST_H

#include <string.h>

#include "ast.h"
#include "diag.h"
#include "model.h"
#include "rules.h"
#include "source.h"
#include "test_util.h"

struct fe_run {
    arena *a;
    struct source *src;
    struct diag_list d;
    struct ast_spec *ast;
    struct model *m;
};

/* parse -> resolve -> spec rules -> ignores, as cmd_build.c does without facts.
 * stages: 1 parse only, 2 + resolve, 3 + rules and ignores. */
static inline void fe_run_text(struct fe_run *r, const char *text, size_t len,
                               int stages)
{
    memset(r, 0, sizeof *r);
    r->a = arena_new();
    diag_init(&r->d, r->a);
    r->src = source_from_text(r->a, "t.pass", text, len);
    r->ast = parse_spec(r->a, r->src, &r->d);
    if (stages >= 2 && r->ast)
        r->m = resolve_spec(r->a, r->ast, &r->d);
    if (stages >= 3 && r->m) {
        rules_spec_run(r->m, &r->d);
        rules_apply_ignores(r->ast, &r->d);
    }
    diag_sort(&r->d);
}

static inline void fe_run(struct fe_run *r, const char *text, int stages)
{
    fe_run_text(r, text, strlen(text), stages);
}

static inline size_t fe_count(const struct fe_run *r, const char *rule)
{
    return tu_count_rule(&r->d, rule);
}

static inline const struct diag *fe_first(const struct fe_run *r,
                                          const char *rule)
{
    return tu_first_rule(&r->d, rule);
}

/* "line:col" of a diagnostic, for location checks. */
static inline const char *fe_where(arena *a, const struct diag *d)
{
    unsigned line, col;
    source_line_col(d->loc.src, d->loc.start, &line, &col);
    return arena_printf(a, "%u:%u", line, col);
}

static inline void fe_done(struct fe_run *r)
{
    arena_free(r->a);
}

/* The seed's VM 102: examples/vm102.pass itself, the one copy of it. */
static inline void fe_run_vm102(struct fe_run *r, int stages)
{
    arena *tmp = arena_new();
    size_t len;
    const char *text = tu_slurp(tmp, arena_printf(tmp, "%s/examples/vm102.pass",
                                                  tu_srcdir()), &len);
    fe_run_text(r, text, len, stages);
    arena_free(tmp);
}

#endif
