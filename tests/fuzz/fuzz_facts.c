/* fuzz_facts.c — libFuzzer harness of the snapshot reader: one input is a
 * facts YAML file.  What reads must write, and what it writes must read
 * back to the same bytes (read -> write -> read -> write identical, the
 * byte-stable promise of `passc facts --facts`).  The facts rules then run
 * the bundled VM 102 spec against what was read, as `passc lint --facts`. */
#include "ast.h"
#include "model.h"
#include "source.h"

#include "fuzz_common.h"

static struct ast_spec *vm102;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_load_fixed();
    const char *err = NULL;
    struct source *src = source_read(fuzz_fixed, PASSC_SRCDIR "/examples/vm102.pass", &err);
    struct diag_list d;
    diag_init(&d, fuzz_fixed);
    vm102 = src ? parse_spec(fuzz_fixed, src, &d) : NULL;
    if (!vm102 || diag_has_errors(&d, false)) {
        fprintf(stderr, "fuzz: cannot parse examples/vm102.pass%s%s\n", err ? ": " : "",
                err ? err : "");
        exit(2);
    }
    return 0;
}

/* The snapshot as `passc facts` writes it, in arena memory. */
static char *write_yaml(arena *a, const struct facts *f, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *mem = open_memstream(&buf, &n);
    if (!mem)
        abort();
    int r = facts_write_yaml(f, mem);
    if (fclose(mem) != 0 || r < 0) {
        free(buf);
        fuzz_fail("facts_write_yaml failed on facts it read", NULL, 0, NULL, 0);
    }
    char *copy = arena_strndup(a, buf, n);
    free(buf);
    *len = n;
    return copy;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = arena_new();
    struct diag_list d;
    diag_init(&d, a);
    struct source *src = source_from_text(a, "fuzz.yaml", (const char *)data, size);
    struct facts f;
    int r = facts_read_yaml_source(a, src, &f, &d);
    fuzz_print_all(&d);
    if (r == 0) {
        size_t len1, len2;
        char *y1 = write_yaml(a, &f, &len1);
        struct diag_list d2;
        diag_init(&d2, a);
        struct facts f2;
        if (facts_read_yaml_source(a, source_from_text(a, "w1.yaml", y1, len1), &f2, &d2) < 0) {
            diag_print_text(stderr, &d2, false);
            fuzz_fail("the written snapshot does not read back", (const char *)data, size,
                      y1, len1);
        }
        char *y2 = write_yaml(a, &f2, &len2);
        if (len1 != len2 || memcmp(y1, y2, len1))
            fuzz_fail("the snapshot is not byte-stable", y1, len1, y2, len2);

        struct diag_list ld;
        diag_init(&ld, a);
        struct model *m = resolve_spec(a, vm102, &ld);
        rules_spec_run(m, &ld);
        rules_facts_run(m, &f, fuzz_quirks, &ld);
        rules_apply_ignores(vm102, &ld);
        fuzz_print_all(&ld);
    }
    arena_free(a);
    return 0;
}
