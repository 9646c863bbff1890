/* Issue 15: lint says each problem once, correctly.  False alarms (P024 on
 * driverless placeholders, P011 without the facts, P029 on the only GPU),
 * cascades after a failed identity, `primary` on what is no display, one
 * P026 per line, and what the printers and the snapshot reader must never
 * do (escape sequences on the terminal, quadratic duplicate keys). */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "facts_impl.h"
#include "lint_util.h"

#define SEED() struct seed s = seed_build("vm102.pass", NULL); struct lt *t = s.t

/* AMD's placeholders in the GPU's group (tests/hosts/amd-dummy.host). */
static void add_placeholders(struct lt *t)
{
    struct facts_device *hb = lt_fdev(t, "00:01.0", "1022:14da", 0x060000, 14);
    hb->driver = NULL;
    hb->device_name = "Dummy Host Bridge";
    struct facts_device *spp = lt_fdev(t, "03:00.0", "1022:1485", 0x130000, 14);
    spp->driver = NULL;
    spp->device_name = "Reserved SPP";
}

START_TEST(p024_placeholders_only_are_info)
{
    SEED();
    add_placeholders(t);
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P024"), 1);
    const struct diag *d = lt_get(t, "P024");
    ck_assert_int_eq(d->sev, SEV_INFO);
    ck_assert_ptr_null(d->fix);   /* nothing to do, nothing to pass */
    ck_assert_uint_eq(t->d.n[SEV_WARNING] + t->d.n[SEV_ERROR], 0);
    lt_free(t);
}
END_TEST

START_TEST(p024_warning_names_only_mates_with_a_driver)
{
    SEED();
    add_placeholders(t);
    struct facts_device *x = lt_fdev(t, "02:00.2", "10de:1ad8", 0x0c0330, 14);
    x->driver = "xhci_hcd";
    /* a host bridge with a driver is still never to be passed */
    struct facts_device *hb = lt_fdev(t, "00:02.0", "1022:14da", 0x060000, 14);
    hb->driver = "amd_nb";
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P024"), 1);
    const struct diag *d = lt_get(t, "P024");
    ck_assert_int_eq(d->sev, SEV_WARNING);
    ck_assert_msg(strstr(d->fix, "0000:02:00.2") && !strstr(d->fix, "0000:00:01.0") &&
                  !strstr(d->fix, "0000:03:00.0") && !strstr(d->fix, "0000:00:02.0"),
                  "%s", d->fix);
    ck_assert(lt_notes_have(d, "Reserved SPP"));
    lt_free(t);
}
END_TEST

START_TEST(p024_placeholder_with_host_use_is_still_critical)
{
    SEED();
    add_placeholders(t);
    lt_fget(t, "03:00.0")->uses = USE_CONSOLE;
    lt_run(t);
    ck_assert_int_eq(lt_get(t, "P024")->sev, SEV_ERROR);
    lt_free(t);
}
END_TEST

/* A wrong id on the GPU line: P021, and no P024 that advises passing the
 * GPU that is on the line already (from the audio line's group). */
START_TEST(cascade_wrong_id_gives_only_p021)
{
    SEED();
    s.gpu->id = lt_id("10de:2782");
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P021"), 1);
    ck_assert_msg(lt_count(t, "P024") == 0, "%s", lt_dump(t));
    lt_free(t);
}
END_TEST

START_TEST(cascade_missing_device_takes_no_part)
{
    SEED();
    s.gpu->addr = lt_addr("05:00.0");   /* nothing there: the card is at 02 */
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P020"), 1);
    ck_assert_ptr_nonnull(strstr(lt_get(t, "P020")->fix, "0000:02:00.0"));
    ck_assert_msg(lt_count(t, "P024") == 0, "%s", lt_dump(t));
    lt_free(t);
}
END_TEST

/* rules_spec's P011 guesses ".1 is the audio"; with facts it is dropped
 * for a lost line or a single-function GPU, and names what exists. */
static void gpu_without_audio(struct seed *s)
{
    s->vm->devs[1] = s->vm->devs[--s->vm->ndevs];   /* drop the audio line */
    s->audio = NULL;
}

START_TEST(p011_names_functions_that_exist)
{
    SEED();
    gpu_without_audio(&s);
    rules_spec_run(t->m, &t->d);
    ck_assert_uint_eq(lt_count(t, "P011"), 1);
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P011"), 1);
    const struct diag *d = lt_get(t, "P011");
    ck_assert_msg(strstr(d->fix, "audio 0000:02:00.1 10de:22bc") != NULL, "%s", d->fix);
    lt_free(t);
}
END_TEST

START_TEST(p011_not_for_single_function_gpu)
{
    SEED();
    gpu_without_audio(&s);
    lt_fget(t, "02:00.1")->addr = lt_addr("05:00.0");
    rules_spec_run(t->m, &t->d);
    lt_run(t);
    ck_assert_msg(lt_count(t, "P011") == 0, "%s", lt_dump(t));
    lt_free(t);
}
END_TEST

START_TEST(p011_not_after_failed_identity)
{
    SEED();
    gpu_without_audio(&s);
    s.gpu->id = lt_id("10de:2782");
    rules_spec_run(t->m, &t->d);
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P021"), 1);
    ck_assert_msg(lt_count(t, "P011") == 0, "%s", lt_dump(t));
    lt_free(t);
}
END_TEST

START_TEST(primary_on_non_display_is_error)
{
    SEED();
    lt_fget(t, "02:00.0")->class_code = 0x020000;   /* facts: a NIC */
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P022"), 1);
    const struct diag *d = lt_get(t, "P022");
    ck_assert_int_eq(d->sev, SEV_ERROR);
    ck_assert_ptr_nonnull(strstr(d->msg, "primary"));
    lt_free(t);

    /* the kind says it is no GPU */
    struct seed s2 = seed_build("vm102.pass", NULL);
    s2.gpu->primary = false;
    s2.audio->primary = true;
    lt_run(s2.t);
    ck_assert_uint_eq(lt_count(s2.t, "P022"), 1);
    ck_assert_int_eq(lt_get(s2.t, "P022")->sev, SEV_ERROR);
    lt_free(s2.t);
}
END_TEST

START_TEST(primary_on_gpu_is_fine)
{
    SEED();
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P022"), 0);
    lt_free(t);
}
END_TEST

START_TEST(p029_only_gpu_goes_headless)
{
    SEED();
    lt_fget(t, "02:00.0")->boot_vga = 1;
    lt_fget(t, "7c:00.0")->class_code = 0x130000;   /* no iGPU */
    lt_run(t);
    const struct diag *d = lt_get(t, "P029");
    ck_assert_msg(strstr(d->fix, "headless") && strstr(d->fix, "IPMI") &&
                  !strstr(d->fix, "another GPU"), "%s", d->fix);
    lt_free(t);

    struct seed s2 = seed_build("vm102.pass", NULL);
    lt_fget(s2.t, "02:00.0")->boot_vga = 1;
    lt_run(s2.t);
    ck_assert_ptr_nonnull(strstr(lt_get(s2.t, "P029")->fix, "another GPU"));
    lt_free(s2.t);
}
END_TEST

START_TEST(p026_one_finding_per_line)
{
    SEED();
    lt_fdev(t, "7a:00.3", "1022:15b6", 0x0c0330, 41);
    lt_fdev(t, "7b:00.3", "1022:15b6", 0x0c0330, 42);
    lt_fdev(t, "7d:00.3", "1022:15b6", 0x0c0330, 43);
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P026"), 1);
    const struct diag *d = lt_get(t, "P026");
    ck_assert(lt_notes_have(d, "0000:7a:00.3"));
    ck_assert(lt_notes_have(d, "0000:7b:00.3"));
    ck_assert(lt_notes_have(d, "0000:7d:00.3"));
    ck_assert_ptr_nonnull(strstr(d->msg, "3 devices"));
    lt_free(t);
}
END_TEST

/* Device names come from the host: an escape sequence in one must not
 * reach the terminal in text or gcc output; JSON carries it as data. */
START_TEST(escape_sequences_never_printed_raw)
{
    SEED();
    struct facts_device *x = lt_fdev(t, "02:00.2", "10de:1ad8", 0x0c0330, 14);
    x->driver = "xhci_hcd";
    x->device_name = "evil\033]0;pwned\a\033[2J\xc2\x9b" "1m";
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P024"), 1);
    for (int fmt = 0; fmt < 4; fmt++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        diag_print(f, &t->d, (enum diag_format)fmt, false);
        fclose(f);
        /* JSON keeps valid UTF-8 as it is (a C1 control is data there) */
        ck_assert_msg(memchr(buf, '\033', len) == NULL && memchr(buf, '\a', len) == NULL &&
                      (fmt >= FMT_JSON || strstr(buf, "\xc2\x9b") == NULL),
                      "format %d: raw escape", fmt);
        ck_assert_msg(strstr(buf, "pwned") != NULL, "format %d lost the text", fmt);
        if (fmt == FMT_TEXT || fmt == FMT_GCC)
            ck_assert_msg(strstr(buf, "evil\\x1b]0;pwned\\x07") != NULL, "%s", buf);
        free(buf);
    }
    lt_free(t);
}
END_TEST

/* 100k keys: the duplicate check was quadratic (19 s). */
START_TEST(duplicate_keys_are_found_in_linear_time)
{
    arena *a = arena_new();
    size_t n = 100000;
    char *text = malloc(n * 24 + 128);
    size_t o = (size_t)sprintf(text, "passc-facts: 1\ndevices: []\nhost:\n  iommu: true\n");
    for (size_t i = 0; i < n; i++)
        o += (size_t)sprintf(text + o, "  k%zu: 1\n", i);
    o += (size_t)sprintf(text + o, "  k77: 2\n");
    struct source *src = source_from_text(a, "big.yaml", text, o);
    struct diag_list d;
    diag_init(&d, a);
    struct facts f;
    clock_t t0 = clock();
    ck_assert_int_eq(facts_read_yaml_source(a, src, &f, &d), -1);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    ck_assert_msg(secs < 5.0, "%.1f s for 100k keys", secs);
    bool twice = false;
    for (const struct diag *x = d.head; x; x = x->next)
        twice = twice || (x->sev == SEV_ERROR && strstr(x->msg, "'k77' given twice"));
    ck_assert(twice);
    free(text);
    arena_free(a);
}
END_TEST

Suite *suite_lint_precision(void)
{
    Suite *s = suite_create("lint_precision");
    TCase *tc = tcase_create("issue15");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, p024_placeholders_only_are_info);
    tcase_add_test(tc, p024_warning_names_only_mates_with_a_driver);
    tcase_add_test(tc, p024_placeholder_with_host_use_is_still_critical);
    tcase_add_test(tc, cascade_wrong_id_gives_only_p021);
    tcase_add_test(tc, cascade_missing_device_takes_no_part);
    tcase_add_test(tc, p011_names_functions_that_exist);
    tcase_add_test(tc, p011_not_for_single_function_gpu);
    tcase_add_test(tc, p011_not_after_failed_identity);
    tcase_add_test(tc, primary_on_non_display_is_error);
    tcase_add_test(tc, primary_on_gpu_is_fine);
    tcase_add_test(tc, p029_only_gpu_goes_headless);
    tcase_add_test(tc, p026_one_finding_per_line);
    tcase_add_test(tc, escape_sequences_never_printed_raw);
    tcase_add_test(tc, duplicate_keys_are_found_in_linear_time);
    suite_add_tcase(s, tc);
    return s;
}
