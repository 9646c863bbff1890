/* fuzz_import.c — libFuzzer harness of `passc import`: one input is a
 * Proxmox VM config, imported alone and (as tests/fuzz/cli.py did) with
 * the same text as its modprobe.d file and the bundled snapshot as facts.
 * Whatever import prints must be a spec: it parses and lints without a
 * syntax error (P001). */
#include "ast.h"
#include "import.h"
#include "model.h"
#include "source.h"
#include "spec_print.h"
#include "strbuf.h"

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_load_fixed();
    return 0;
}

static void import_one(arena *a, const struct source *src, bool with_vfio_and_facts)
{
    struct diag_list d;
    diag_init(&d, a);
    struct pve_conf conf;
    if (pveconf_parse(a, src, &conf, &d) < 0)
        goto out;
    struct modprobe_conf mp;
    if (with_vfio_and_facts && modprobe_parse(a, src, &mp, &d) < 0)
        goto out;
    struct import_input in = {&conf, 102, with_vfio_and_facts ? &mp : NULL,
                              with_vfio_and_facts ? &fuzz_snapshot : NULL,
                              NULL, with_vfio_and_facts ? "hosts/x870e-creator.yaml" : NULL, NULL};
    struct import_result res;
    import_build(a, &in, &res, &d);
    struct strbuf text;
    sb_init(&text, a);
    spec_print(&text, res.spec, res.notes, res.nnotes);
    sb_add(&text, "");

    /* the printed spec, linted as `passc lint --no-facts` would */
    struct diag_list ld;
    diag_init(&ld, a);
    struct source *out = source_from_text(a, "import.pass", text.buf, text.len);
    struct ast_spec *ast = parse_spec(a, out, &ld);
    if (!ast || fuzz_has_rule(&ld, "P001")) {
        diag_print_text(stderr, &ld, false);
        fuzz_fail("import printed a spec that does not parse", src->text, src->len,
                  text.buf, text.len);
    }
    struct model *m = resolve_spec(a, ast, &ld);
    rules_spec_run(m, &ld);
    rules_apply_ignores(ast, &ld);
    if (fuzz_has_rule(&ld, "P001"))
        fuzz_fail("import's spec lints with a syntax error", src->text, src->len,
                  text.buf, text.len);
    fuzz_print_all(&ld);
out:
    fuzz_print_all(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = arena_new();
    struct source *src = source_from_text(a, "102.conf", (const char *)data, size);
    import_one(a, src, false);
    import_one(a, src, true);
    arena_free(a);
    return 0;
}
