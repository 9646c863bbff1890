/* fuzz_spec.c — libFuzzer harness of the spec front end: one input is one
 * .pass file, taken through what `passc lint`, `build` and `fmt` do:
 * parse -> resolve -> spec rules, without facts and against the bundled
 * snapshot -> ignores -> every diagnostic format -> (no errors) every
 * artifact in memory; and fmt: the canonical text parses again, without
 * errors, into the same canonical text. */
#include "ast.h"
#include "emit.h"
#include "model.h"
#include "source.h"
#include "spec_print.h"
#include "strbuf.h"

#include "fuzz_common.h"
#include "mapping.h"
#include "plan.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_load_fixed();
    return 0;
}

/* Lint and build of one parsed spec, as cmd_build.c runs them; facts NULL is
 * --no-facts.  A syntax error skips the facts rules there too. */
static void lint_and_build(arena *a, const struct ast_spec *ast, bool syntax_ok,
                           const struct facts *facts)
{
    struct diag_list d;
    diag_init(&d, a);
    struct model *m = resolve_spec(a, ast, &d);
    rules_spec_run(m, &d);
    mapping_rules_spec(m, &d);
    /* one node per host block, as cmd_build.c builds them; the fuzzer has
     * one snapshot, so every node is checked against it */
    size_t nn;
    struct node_build *nodes = mapping_nodes(a, m, &d, &nn);
    for (size_t h = 0; h < nn; h++) {
        nodes[h].facts = syntax_ok ? facts : NULL;
        if (!nodes[h].facts)
            continue;
        rules_facts_run(nodes[h].view, facts, fuzz_quirks, &d);
        if (nodes[h].host && nodes[h].host->name)
            mapping_rules_node(m, nodes[h].host->name, facts, &d);
    }
    rules_apply_ignores(ast, &d);
    fuzz_print_all(&d);
    if (!diag_has_errors(&d, false)) {
        for (size_t h = 0; h < nn; h++)
            nodes[h].plan = plan_build(a, nodes[h].view, nodes[h].facts,
                                       nodes[h].facts ? fuzz_quirks : NULL);
        const struct plan *p = nodes[0].view == m ? nodes[0].plan
                                                  : plan_build(a, m, NULL, NULL);
        size_t n;
        struct artifact *arts = emit_all(a, m, p, nodes, nn, &n);
        for (size_t i = 0; i < n; i++)
            if (!arts[i].name || (arts[i].len && !arts[i].text))
                fuzz_fail("an artifact without a name or text", NULL, 0, NULL, 0);
    }
}

static const char *canonical(arena *a, const struct ast_spec *ast, size_t *len)
{
    struct strbuf text;
    sb_init(&text, a);
    spec_print(&text, ast, NULL, 0);
    sb_add(&text, "");
    *len = text.len;
    return text.buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = arena_new();
    struct source *src = source_from_text(a, "fuzz.pass", (const char *)data, size);
    struct diag_list pd;
    diag_init(&pd, a);
    struct ast_spec *ast = parse_spec(a, src, &pd);
    if (ast) {
        bool syntax_ok = !fuzz_has_rule(&pd, "P001");
        lint_and_build(a, ast, syntax_ok, NULL);
        lint_and_build(a, ast, syntax_ok, &fuzz_snapshot);
        /* passc fmt rewrites only a spec without errors */
        if (!diag_has_errors(&pd, false)) {
            size_t len1, len2;
            const char *t1 = canonical(a, ast, &len1);
            struct source *src2 = source_from_text(a, "fmt.pass", t1, len1);
            struct diag_list d2;
            diag_init(&d2, a);
            struct ast_spec *ast2 = parse_spec(a, src2, &d2);
            if (!ast2 || diag_has_errors(&d2, false)) {
                diag_print_text(stderr, &d2, false);
                fuzz_fail("fmt output does not parse", (const char *)data, size, t1, len1);
            }
            const char *t2 = canonical(a, ast2, &len2);
            if (len1 != len2 || memcmp(t1, t2, len1))
                fuzz_fail("fmt of fmt differs", t1, len1, t2, len2);
        }
    }
    arena_free(a);
    return 0;
}
