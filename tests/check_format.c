/* Output formats: text, gcc, JSON and SARIF of one failing spec
 * (tests/lint/fail.pass with the facts of fail.yaml, built in C here) are
 * compared with tests/lint/golden/; JSON and SARIF are also parsed back
 * with json-c and checked field by field. */
#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint_util.h"
#include "test_util.h"

/* The findings of fail.pass: the same facts as tests/lint/fail.yaml. */
static struct lt *fail_run(void)
{
    arena *tmp = arena_new();
    char *text = tu_slurp(tmp, arena_printf(tmp, "%s/tests/lint/fail.pass", tu_srcdir()), NULL);
    struct seed s = seed_build("tests/lint/fail.pass", text);
    arena_free(tmp);
    struct lt *t = s.t;
    s.router->guest_driver = NULL;
    lt_fget(t, "02:00.0")->addr = lt_addr("03:00.0");
    lt_fget(t, "02:00.1")->addr = lt_addr("03:00.1");
    struct facts_device *psp = lt_fdev(t, "79:00.2", "1022:1649", 0x108000, 22);
    psp->driver = "ccp";
    psp->device_name = "VanGogh PSP/CCP";
    psp->vendor_name = "Advanced Micro Devices, Inc. [AMD]";
    lt_fdev(t, "7b:00.0", "1022:15b9", 0x0c0330, 43);
    lt_link(t, lt_fget(t, "78:00.0"), "7b:00.0");
    lt_run(t);
    return t;
}

static char *render(struct lt *t, enum diag_format fmt)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    diag_print(f, &t->d, fmt, false);
    fclose(f);
    char *copy = arena_strdup(t->a, buf);
    free(buf);
    return copy;
}

static const char *golden_name[] = {"fail.txt", "fail.gcc", "fail.json", "fail.sarif"};

START_TEST(golden_outputs)
{
    struct lt *t = fail_run();
    const char *got = render(t, (enum diag_format)_i);
    const char *path = arena_printf(t->a, "%s/tests/lint/golden/%s", tu_srcdir(),
                                    golden_name[_i]);
    if (getenv("PASSC_UPDATE_GOLDEN")) {
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs(got, f);
        fclose(f);
    }
    const char *want = tu_slurp(t->a, path, NULL);
    ck_assert_msg(!strcmp(got, want), "%s differs; got:\n%s", golden_name[_i], got);
    lt_free(t);
}
END_TEST

START_TEST(fail_spec_findings)
{
    struct lt *t = fail_run();
    ck_assert_uint_eq(lt_count(t, "P020"), 2);
    ck_assert_uint_eq(lt_count(t, "P024"), 1);
    ck_assert_uint_eq(lt_count(t, "P030"), 1);
    ck_assert_uint_eq(lt_count(t, "P033"), 1);
    ck_assert_uint_eq(t->d.n[SEV_ERROR], 3);
    lt_free(t);
}
END_TEST

static json_object *get(json_object *o, const char *k)
{
    json_object *v = NULL;
    ck_assert_msg(json_object_object_get_ex(o, k, &v), "no key %s", k);
    return v;
}

START_TEST(json_parses_with_every_field)
{
    struct lt *t = fail_run();
    json_object *root = json_tokener_parse(render(t, FMT_JSON));
    ck_assert_ptr_nonnull(root);
    ck_assert(json_object_is_type(root, json_type_array));
    size_t n = json_object_array_length(root);
    ck_assert_uint_eq(n, 5);
    static const char *keys[] = {"id", "severity", "file", "line", "column",
                                 "end_line", "end_column", "message", "notes", "fix"};
    const struct diag *d = t->d.head;
    for (size_t i = 0; i < n; i++, d = d->next) {
        json_object *o = json_object_array_get_idx(root, i);
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            get(o, keys[k]);
        ck_assert_str_eq(json_object_get_string(get(o, "id")), d->rule);
        ck_assert_str_eq(json_object_get_string(get(o, "message")), d->msg);
        ck_assert_str_eq(json_object_get_string(get(o, "file")), "tests/lint/fail.pass");
        unsigned line, col;
        source_line_col(d->loc.src, d->loc.start, &line, &col);
        ck_assert_int_eq(json_object_get_int(get(o, "line")), (int)line);
        ck_assert_int_eq(json_object_get_int(get(o, "column")), (int)col);
        ck_assert_int_ge(json_object_get_int(get(o, "end_column")), (int)col + 1);
    }
    json_object_put(root);
    lt_free(t);
}
END_TEST

START_TEST(json_survives_bad_bytes_and_no_location)
{
    arena *a = arena_new();
    struct diag_list l;
    diag_init(&l, a);
    struct diag *d = diag_add_sev(&l, RULE_NONE, SEV_WARNING, (src_loc){0},
                              "name \"\xff\xfe\" with quote \" and \\ and\nnewline");
    diag_note(&l, d, (src_loc){0}, "tab\there");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    diag_print_json(f, &l);
    fclose(f);
    json_object *root = json_tokener_parse(buf);
    ck_assert_ptr_nonnull(root);
    json_object *o = json_object_array_get_idx(root, 0);
    ck_assert(json_object_is_type(get(o, "id"), json_type_null));
    ck_assert(json_object_is_type(get(o, "file"), json_type_null));
    ck_assert(json_object_is_type(get(o, "fix"), json_type_null));
    const char *m = json_object_get_string(get(o, "message"));
    ck_assert_ptr_nonnull(strstr(m, "\xef\xbf\xbd\xef\xbf\xbd"));
    ck_assert_ptr_nonnull(strstr(m, "quote \" and \\ and\nnewline"));
    json_object_put(root);
    free(buf);
    arena_free(a);
}
END_TEST

START_TEST(sarif_is_2_1_0_with_rules_and_results)
{
    struct lt *t = fail_run();
    json_object *root = json_tokener_parse(render(t, FMT_SARIF));
    ck_assert_ptr_nonnull(root);
    ck_assert_str_eq(json_object_get_string(get(root, "version")), "2.1.0");
    ck_assert_ptr_nonnull(strstr(json_object_get_string(get(root, "$schema")),
                                 "sarif-schema-2.1.0.json"));
    json_object *run = json_object_array_get_idx(get(root, "runs"), 0);
    json_object *drv = get(get(run, "tool"), "driver");
    ck_assert_str_eq(json_object_get_string(get(drv, "name")), "passc");
    size_t nrules;
    const struct rule_info *cat = rule_catalogue(&nrules);
    json_object *rules = get(drv, "rules");
    ck_assert_uint_eq(json_object_array_length(rules), nrules);
    for (size_t i = 0; i < nrules; i++) {
        json_object *r = json_object_array_get_idx(rules, i);
        ck_assert_str_eq(json_object_get_string(get(r, "id")), cat[i].id);
        get(get(r, "shortDescription"), "text");
        const char *lvl = json_object_get_string(get(get(r, "defaultConfiguration"), "level"));
        ck_assert_str_eq(lvl, cat[i].sev == SEV_ERROR ? "error"
                              : cat[i].sev == SEV_WARNING ? "warning" : "note");
    }
    json_object *results = get(run, "results");
    ck_assert_uint_eq(json_object_array_length(results), 5);
    const struct diag *d = t->d.head;
    for (size_t i = 0; i < 5; i++, d = d->next) {
        json_object *r = json_object_array_get_idx(results, i);
        ck_assert_str_eq(json_object_get_string(get(r, "ruleId")), d->rule);
        int idx = json_object_get_int(get(r, "ruleIndex"));
        ck_assert_str_eq(cat[idx].id, d->rule);
        ck_assert_str_eq(json_object_get_string(get(r, "level")),
                         d->sev == SEV_ERROR ? "error" : d->sev == SEV_WARNING ? "warning" : "note");
        json_object *pl = get(json_object_array_get_idx(get(r, "locations"), 0),
                              "physicalLocation");
        ck_assert_str_eq(json_object_get_string(get(get(pl, "artifactLocation"), "uri")),
                         "tests/lint/fail.pass");
        json_object *reg = get(pl, "region");
        unsigned line, col;
        source_line_col(d->loc.src, d->loc.start, &line, &col);
        ck_assert_int_eq(json_object_get_int(get(reg, "startLine")), (int)line);
        ck_assert_int_eq(json_object_get_int(get(reg, "startColumn")), (int)col);
        get(reg, "endLine");
        get(reg, "endColumn");
    }
    json_object_put(root);
    lt_free(t);
}
END_TEST

START_TEST(sarif_uri_is_percent_encoded)
{
    arena *a = arena_new();
    struct diag_list l;
    diag_init(&l, a);
    struct source *s = source_from_text(a, "my specs/vm 102.pass", "vm 102 {}\n", 10);
    diag_add(&l, R_P012, (src_loc){s, 0, 2}, "x");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    diag_print_sarif(f, &l);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(buf, "\"uri\":\"my%20specs/vm%20102.pass\"") ?
                          buf : strstr(buf, "my%20specs/vm%20102.pass"));
    free(buf);
    arena_free(a);
}
END_TEST

/* Import and facts findings (P042, F001) in SARIF point at their own
 * catalogue entry, which carries the catalogue's text and level. */
START_TEST(sarif_import_and_facts_rules_from_catalogue)
{
    arena *a = arena_new();
    struct diag_list l;
    diag_init(&l, a);
    struct source *s = source_from_text(a, "vfio.conf", "  # x\n", 6);
    diag_add(&l, R_P042, (src_loc){s, 0, 5}, "indented comment");
    diag_add(&l, R_F001, (src_loc){s, 2, 3}, "not a snapshot");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    diag_print_sarif(f, &l);
    fclose(f);
    json_object *root = json_tokener_parse(buf);
    ck_assert_ptr_nonnull(root);
    json_object *run = json_object_array_get_idx(get(root, "runs"), 0);
    json_object *rules = get(get(get(run, "tool"), "driver"), "rules");
    json_object *results = get(run, "results");
    ck_assert_uint_eq(json_object_array_length(results), 2);
    static const char *want[] = {"P042", "F001"};
    for (size_t i = 0; i < 2; i++) {
        json_object *res = json_object_array_get_idx(results, i);
        int idx = json_object_get_int(get(res, "ruleIndex"));
        json_object *r = json_object_array_get_idx(rules, (size_t)idx);
        ck_assert_ptr_nonnull(r);
        ck_assert_str_eq(json_object_get_string(get(r, "id")), want[i]);
        const struct rule_info *ri = rule_find(want[i]);
        ck_assert_ptr_nonnull(ri);
        ck_assert_str_eq(json_object_get_string(get(r, "name")), ri->name);
        ck_assert_str_eq(json_object_get_string(get(get(r, "help"), "text")),
                         ri->explain);
        ck_assert_str_eq(json_object_get_string(get(get(r, "defaultConfiguration"),
                                                    "level")),
                         i == 0 ? "warning" : "error");
    }
    json_object_put(root);
    free(buf);
    arena_free(a);
}
END_TEST

Suite *suite_format(void)
{
    Suite *s = suite_create("format");
    TCase *tc = tcase_create("format");
    tcase_add_loop_test(tc, golden_outputs, 0, 4);
    tcase_add_test(tc, fail_spec_findings);
    tcase_add_test(tc, json_parses_with_every_field);
    tcase_add_test(tc, json_survives_bad_bytes_and_no_location);
    tcase_add_test(tc, sarif_is_2_1_0_with_rules_and_results);
    tcase_add_test(tc, sarif_uri_is_percent_encoded);
    tcase_add_test(tc, sarif_import_and_facts_rules_from_catalogue);
    suite_add_tcase(s, tc);
    return s;
}
