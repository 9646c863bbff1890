/* Spec-only rules P005-P014: each with cases that fire and cases that do
 * not, plus the wording the brief asks for. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "fe_test.h"

#define HOST "host { bind ids }\n"
#define Q35 "machine q35\n"

static const struct {
    const char *rule;
    const char *spec;
    unsigned count;     /* how many times the rule fires */
} cases[] = {
    /* P005 duplicate-device */
    {"P005", HOST "vm 100 { usb 01:00.0 1022:15b6; usb 01:00.0 1022:15b6 }", 1},
    {"P005", HOST "vm 100 { pci 05:00.0 1:1 { all-functions }; pci 05:00.1 1111:2222 }", 1},
    {"P005", HOST "vm 100 { pci 05:00.1 1111:2222; pci 05:00.0 1111:2222 { all-functions } }", 1},
    {"P005", HOST "vm 100 { gpu 02:00.0 10de:2783 { all-functions\n audio 02:00.1 10de:22bc } }", 0},
    {"P005", HOST "vm 100 { usb 01:00.0 1022:15b6 }\nvm 101 { usb 01:00.0 1022:15b6 }", 0},
    /* P006 slots */
    {"P006", HOST "vm 100 { nic 01:00.0 8086:1533 { slot 3 }; nic 02:00.0 8086:1533 { slot 3 } }", 1},
    {"P006", HOST "vm 100 { nic 01:00.0 8086:1533 { slot 3 }; nic 02:00.0 8086:1533 { slot 4 } }", 0},
    /* P007 pcie-needs-q35 */
    {"P007", HOST "vm 100 { machine pc\n gpu 01:00.0 10de:2783 { pcie } }", 1},
    {"P007", HOST "vm 100 { gpu 01:00.0 10de:2783 { pcie on } }", 1},
    {"P007", HOST "vm 100 { machine pc-q35-9.0\n gpu 01:00.0 10de:2783 { pcie } }", 0},
    {"P007", HOST "vm 100 { machine pc\n gpu 01:00.0 10de:2783 { pcie off } }", 0},
    /* P008 multiple-primary */
    {"P008", HOST "vm 100 { gpu 01:00.0 1:2 { primary }; gpu 02:00.0 1:2 { primary }; gpu 03:00.0 1:2 { primary } }", 2},
    {"P008", HOST "vm 100 { gpu 01:00.0 10de:2783 { primary }\n}\nvm 101 { gpu 02:00.0 10de:2783 { primary } }", 0},
    /* P009 usb4-tunnel-missing */
    {"P009", HOST "vm 100 { usb4 78:00.0 1b21:2425 { tunnels 79:00.3 79:00.4 }; usb 79:00.4 1022:15b7 }", 1},
    {"P009", HOST "vm 100 { usb4 78:00.0 1b21:2425 { tunnels 79:00.3 79:00.4 }\n usb 79:00.3 1022:15b6; usb 79:00.4 1022:15b7 }", 0},
    {"P009", HOST "vm 100 { usb4 78:00.0 1b21:2425 { tunnels 79:00.3 }; pci 79:00.0 1022:14ec { all-functions } }", 0},
    {"P009", HOST "vm 100 { usb4 78:00.0 1b21:2425 { tunnels 79:00.3 } }\nvm 101 { usb 79:00.3 1022:15b6 }", 1},
    /* P010 usb4-no-tunnels */
    {"P010", HOST "vm 100 { usb4 78:00.0 1b21:2425 }", 1},
    {"P010", HOST "vm 100 { usb4 78:00.0 1b21:2425 { tunnels 77:00.0 }; usb 77:00.0 1b21:2426 }", 0},
    /* P011 split-card */
    {"P011", HOST "vm 100 { gpu 02:00.0 10de:2783 }", 1},
    {"P011", HOST "vm 100 { gpu 02:00.0 10de:2783 { audio 02:00.1 10de:22bc } }", 0},
    {"P011", HOST "vm 100 { gpu 02:00.0 10de:2783 { all-functions } }", 0},
    {"P011", HOST "vm 100 { gpu 02:00.0 10de:2783; pci 02:00.1 10de:22bc }", 0},
    /* regression: an integrated GPU on the root bus has no audio function */
    {"P011", HOST "vm 100 { gpu 00:02.0 8086:a780 }", 0},
    {"P011", HOST "vm 100 { usb 79:00.3 1022:15b6 }\nvm 101 { usb 79:00.4 1022:15b7 }", 1},
    /* P012 shared-device */
    {"P012", HOST "vm 100 { usb 01:00.0 1022:15b6 }\nvm 101 { usb 01:00.0 1022:15b6 }\nvm 102 { nic 01:00.0 1022:15b6 }", 2},
    {"P012", HOST "vm 100 { pci 05:00.0 1:1 { all-functions } }\nvm 101 { pci 05:00.3 1111:2222 }", 1},
    {"P012", HOST "vm 100 { usb 01:00.0 1022:15b6 }\nvm 101 { usb 02:00.0 1022:15b6 }", 0},
    /* P013 identity-unchecked */
    {"P013", HOST "vm 100 { usb 01:00.0; nic 02:00.0 \"name only\" }", 2},
    {"P013", HOST "vm 100 { usb 01:00.0 1022:15b6 }", 0},
    {"P013", HOST "vm 100 { usb 01:00.0 10de:278 }", 0},   /* P004 instead */
    /* P014 unused-ignore, and ignores that work */
    {"P014", HOST "vm 100 {\n# passc: ignore P013 \"import without facts\"\n usb 01:00.0 }", 0},
    {"P013", HOST "vm 100 {\n# passc: ignore P013 \"import without facts\"\n usb 01:00.0 }", 0},
    {"P013", HOST "# passc: ignore P013 \"whole VM\"\nvm 100 { usb 01:00.0; usb 02:00.0 }\nvm 101 { usb 03:00.0 }", 1},
    {"P014", HOST "vm 100 {\n# passc: ignore P013 \"stale\"\n usb 01:00.0 1022:15b6 }", 1},
    {"P014", HOST "vm 100 {\n# passc: ignore P012 \"wrong rule\"\n usb 01:00.0 }", 1},
    {"P013", HOST "vm 100 {\n# passc: ignore P012 \"wrong rule\"\n usb 01:00.0 }", 1},
    {"P014", HOST "vm 100 { usb 01:00.0 1022:15b6 }\n# passc: ignore P013 \"nothing after\"\n", 1},
    {"P013", HOST "vm 100 {\n# passc: ignore P013 \"only the next one\"\n usb 01:00.0\n usb 02:00.0 }", 1},
    {"P014", HOST "vm 100 {\n# passc: ignore P099 \"no such rule\"\n usb 01:00.0 }", 1},
    {"P014", HOST "vm 100 {\n# passc: ignore P024 \"facts rule, no facts\"\n usb 01:00.0 1022:15b6 }", 1},
};

START_TEST(rule_fires_or_not)
{
    struct fe_run r;
    fe_run(&r, cases[_i].spec, 3);
    size_t n = fe_count(&r, cases[_i].rule);
    if (n != cases[_i].count)
        for (const struct diag *d = r.d.head; d; d = d->next)
            fprintf(stderr, "case %d: %s %s\n", _i, d->rule, d->msg);
    ck_assert_msg(n == cases[_i].count, "case %d: %s fired %zu times, expected %u",
                  _i, cases[_i].rule, n, cases[_i].count);
    fe_done(&r);
}
END_TEST

START_TEST(rule_p009_message_names_device_and_fix)
{
    struct fe_run r;
    fe_run(&r, HOST "vm 102 { machine q35\n usb4 78:00.0 1b21:2425 { tunnels 79:00.3 79:00.4 }\n"
                    " usb 79:00.4 1022:15b7 }", 3);
    const struct diag *d = fe_first(&r, "P009");
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(d->msg, "usb4 router 0000:78:00.0 tunnels USB 3.x through 0000:79:00.3, "
                             "which VM 102 does not pass; add `usb 79:00.3`");
    ck_assert_str_eq(fe_where(r.a, d), "3:35");
    ck_assert_int_eq(d->sev, SEV_ERROR);
    fe_done(&r);
}
END_TEST

START_TEST(rule_vm102_is_clean)
{
    struct fe_run r;
    fe_run_vm102(&r, 3);
    for (const struct diag *d = r.d.head; d; d = d->next)
        ck_abort_msg("unexpected %s: %s", d->rule, d->msg);
    fe_done(&r);
}
END_TEST

START_TEST(rule_p006_nineteen_devices)
{
    char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, HOST "vm 100 {\n");
    for (int i = 0; i < 19; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, " nic %02x:00.0 8086:1533\n", i + 1);
    snprintf(text + n, sizeof text - n, "}\n");
    struct fe_run r;
    fe_run(&r, text, 3);
    ck_assert_uint_eq(fe_count(&r, "P006"), 1);
    const struct diag *d = fe_first(&r, "P006");
    ck_assert_str_eq(d->msg, "VM 100 needs 19 hostpci slots but Proxmox has 16 (hostpci0-15): "
                             "nic 0000:11:00.0 and 2 more get none");
    ck_assert_str_eq(fe_where(r.a, d), "19:2");
    fe_done(&r);
}
END_TEST

/* Severity per rule as in rules.md. */
static const struct {
    const char *rule;
    const char *spec;
    enum severity sev;
} sevs[] = {
    {"P010", HOST "vm 100 { usb4 78:00.0 1b21:2425 }", SEV_WARNING},
    {"P011", HOST "vm 100 { gpu 02:00.0 10de:2783 }", SEV_WARNING},
    {"P013", HOST "vm 100 { usb 01:00.0 }", SEV_INFO},
    {"P014", HOST "# passc: ignore P013\nvm 100 { }", SEV_WARNING},
};

START_TEST(rule_severities)
{
    struct fe_run r;
    fe_run(&r, sevs[_i].spec, 3);
    const struct diag *d = fe_first(&r, sevs[_i].rule);
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(d->sev, sevs[_i].sev);
    fe_done(&r);
}
END_TEST

Suite *suite_rules_spec(void)
{
    Suite *s = suite_create("rules_spec");
    TCase *tc = tcase_create("rules_spec");
    tcase_add_loop_test(tc, rule_fires_or_not, 0, sizeof cases / sizeof cases[0]);
    tcase_add_test(tc, rule_p009_message_names_device_and_fix);
    tcase_add_test(tc, rule_vm102_is_clean);
    tcase_add_test(tc, rule_p006_nineteen_devices);
    tcase_add_loop_test(tc, rule_severities, 0, sizeof sevs / sizeof sevs[0]);
    suite_add_tcase(s, tc);
    return s;
}
