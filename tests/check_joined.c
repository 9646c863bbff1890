/* `;`-joined host functions in one hostpci slot (`pci 01:00.0;02:00.0`):
 * spans, the model (one device per function, folded into the first's
 * slot), the spec rules that must still see every function, and the
 * hostpci value the plan writes. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "fe_test.h"
#include "plan.h"
#include "strbuf.h"

#define HOST "host { bind start }\n"

static const char *where_text(const struct fe_run *r, src_loc l)
{
    return arena_strndup(r->a, r->src->text + l.start, l.end - l.start);
}

START_TEST(joined_value_spans)
{
    struct fe_run r;
    const char *text = "vm 100 {\n pci 0000:01:00.0;02:00.1 10de:1234\n}\n";
    fe_run(&r, text, 2);
    const struct ast_stmt *pci = r.ast->stmts->body;
    ck_assert_uint_eq(pci->nvals, 2);
    ck_assert_int_eq(pci->vals[0].kind, AV_ADDRS);
    ck_assert_str_eq(pci->vals[0].text, "0000:01:00.0;02:00.1");
    ck_assert_str_eq(where_text(&r, pci->vals[0].loc), "0000:01:00.0;02:00.1");
    ck_assert_int_eq(pci->vals[1].kind, AV_PAIR);
    size_t n;
    struct ast_value *p = ast_addrs_split(r.a, &pci->vals[0], &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(p[1].text, "02:00.1");
    ck_assert_str_eq(where_text(&r, p[0].loc), "0000:01:00.0");
    ck_assert_str_eq(where_text(&r, p[1].loc), "02:00.1");
    /* the model's devices point at their own address */
    const struct m_vm *vm = r.m->vms[0];
    ck_assert_str_eq(where_text(&r, vm->devs[0]->addr_loc), "0000:01:00.0");
    ck_assert_str_eq(where_text(&r, vm->devs[1]->addr_loc), "02:00.1");
    fe_done(&r);
}
END_TEST

START_TEST(joined_model)
{
    struct fe_run r;
    fe_run(&r, HOST "vm 100 {\n machine q35\n"
                    " nic 03:00.0 8086:1533\n"
                    " gpu 01:00.0;01:00.1;02:00.0 10de:2783 \"card\" { primary; slot 5 }\n"
                    " usb 04:00.0 1022:15b6\n}\n", 3);
    ck_assert_uint_eq(r.d.n[SEV_ERROR] + r.d.n[SEV_WARNING], 0);
    const struct m_vm *vm = r.m->vms[0];
    ck_assert_uint_eq(vm->ndevs, 5);
    const struct m_device *gpu = vm->devs[1];
    ck_assert_int_eq(gpu->kind, DEV_GPU);
    ck_assert(!gpu->folded && !gpu->joined);
    ck_assert(gpu->has_id);
    ck_assert_str_eq(gpu->name, "card");
    ck_assert_int_eq(gpu->slot, 5);
    char buf[24];
    static const char *const further[] = {"0000:01:00.1", "0000:02:00.0"};
    for (size_t i = 0; i < 2; i++) {
        const struct m_device *j = vm->devs[2 + i];
        ck_assert_str_eq(pci_addr_format(&j->addr, buf), further[i]);
        ck_assert_int_eq(j->kind, DEV_PCI);
        ck_assert(j->joined && j->folded);
        ck_assert_ptr_eq(j->parent, gpu);
        ck_assert_int_eq(j->slot, 5);
        ck_assert(j->pcie);
        ck_assert(!j->has_id && !j->primary && !j->name);
    }
    ck_assert_int_eq(vm->devs[0]->slot, 0);
    ck_assert_int_eq(vm->devs[4]->slot, 1);   /* the joined ones take no slot */
    struct plan *p = plan_build(r.a, r.m, NULL, NULL);
    ck_assert_str_eq(p->vms[0].settings[2].key, "hostpci5");
    ck_assert_str_eq(p->vms[0].settings[2].value,
                     "0000:01:00.0;0000:01:00.1;0000:02:00.0,pcie=1,x-vga=1");
    ck_assert_uint_eq(p->ndevices, 5);        /* pre-flight sees each function */
    fe_done(&r);
}
END_TEST

START_TEST(joined_all_functions)
{
    struct fe_run r;
    fe_run(&r, HOST "vm 100 {\n gpu 01:00.0;02:00.0 { all-functions\n audio 01:00.1 }\n}\n", 3);
    ck_assert_uint_eq(r.d.n[SEV_ERROR], 0);
    const struct m_vm *vm = r.m->vms[0];
    ck_assert_uint_eq(vm->ndevs, 3);
    ck_assert(vm->devs[1]->joined && vm->devs[1]->all_functions);
    ck_assert(vm->devs[2]->folded && !vm->devs[2]->joined);   /* the audio */
    struct strbuf sb;
    sb_init(&sb, r.a);
    plan_hostpci_value(vm->devs[0], &sb);
    ck_assert_str_eq(sb_str(&sb), "0000:01:00;0000:02:00");
    fe_done(&r);
}
END_TEST

/* Where each finding points, its rule, and how its message starts. */
static const struct {
    const char *vm;
    const char *rule;
    const char *text;   /* the source text the finding points at */
    const char *msg;
} findings[] = {
    /* one function twice in one slot, or joined and passed elsewhere too */
    {"pci 01:00.0;01:00.0", "P005", "01:00.0", "pci 0000:01:00.0 is passed twice"},
    {"pci 01:00.0;02:00.0\n nic 02:00.0", "P005", "02:00.0", "nic 0000:02:00.0 is passed twice"},
    {"nic 02:00.0\n pci 01:00.0;02:00.0", "P005", "02:00.0", "pci 0000:02:00.0 is passed twice"},
    {"pci 01:00.0;01:00.1 { all-functions }", "P005", "01:00.1", "pci 0000:01:00.1 is passed twice to VM 100: pci 0000:01:00.0 passes the whole card"},
    /* what Proxmox refuses on a multifunction slot */
    {"pci 01:00.0;02:00.0 { mdev \"nvidia-63\" }", "P002", "mdev", "'mdev' on a slot of several host functions"},
    {"gpu 00:02.0;00:02.1 { legacy-igd }", "P002", "legacy-igd", "'legacy-igd' on a slot of several host functions"},
    {"pci 01:00.0;01:00.1;01:00.2;01:00.3;01:00.4;01:00.5;01:00.6;01:00.7;02:00.0", "P002",
     "01:00.0;01:00.1;01:00.2;01:00.3;01:00.4;01:00.5;01:00.6;01:00.7;02:00.0", "9 host functions joined into one slot"},
    {"gpu 01:00.0 { audio 01:00.1;01:00.2 }", "P002", "01:00.1;01:00.2", "an audio line is one function"},
    /* a bad address in the list: at that address */
    {"pci 01:00.0;zz:00.0", "P003", "zz:00.0", "bad PCI address 'zz:00.0'"},
    {"pci 01:00.0;02:00", "P003", "02:00", "bad PCI address '02:00'"},
    /* only a device's own address joins */
    {"usb4 01:00.0 { tunnels 02:00.0;02:00.1 }", "P003", "02:00.0;02:00.1", "expected one PCI address, not the list"},
    /* the id of a joined function has no place on the line */
    {"pci 01:00.0;02:00.0", "P013", "01:00.0", "pci 0000:01:00.0 has no vendor:device id"},
};

START_TEST(joined_findings)
{
    struct fe_run r;
    char text[512];
    snprintf(text, sizeof text, HOST "vm 100 {\n %s\n}\n", findings[_i].vm);
    fe_run(&r, text, 3);
    const struct diag *d = fe_first(&r, findings[_i].rule);
    ck_assert_msg(d, "case %d: no %s", _i, findings[_i].rule);
    ck_assert_str_eq(where_text(&r, d->loc), findings[_i].text);
    ck_assert_msg(!strncmp(d->msg, findings[_i].msg, strlen(findings[_i].msg)),
                  "case %d: message '%s'", _i, d->msg);
    if (!strcmp(findings[_i].rule, "P013"))   /* the first only, not 02:00.0 */
        ck_assert_uint_eq(fe_count(&r, "P013"), 1);
    fe_done(&r);
}
END_TEST

/* The fix a syntax error gets when a ';' with blanks was meant to join. */
static const struct {
    const char *in;
    const char *fix;
} hints[] = {
    {"vm 100 {\n pci 01:00.0; 02:00.0\n}\n", "';' ends a statement; it joins"},
    {"vm 100 {\n pci ;02:00.0\n}\n", "';' ends a statement; it joins"},
    {"vm 100 {\n pci 01:00.0; { primary }\n}\n", "the ';' before this '{' ended the statement"},
};

START_TEST(joined_syntax_hints)
{
    struct fe_run r;
    fe_run(&r, hints[_i].in, 1);
    const struct diag *d = fe_first(&r, "P001");
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(d->fix);
    ck_assert_msg(!strncmp(d->fix, hints[_i].fix, strlen(hints[_i].fix)),
                  "case %d: fix '%s'", _i, d->fix);
    fe_done(&r);
}
END_TEST

/* `;` as before: two statements, nothing joined. */
START_TEST(joined_semicolon_still_separates)
{
    struct fe_run r;
    fe_run(&r, "host { bind start }\nvm 100 { machine q35\n"
               " gpu 01:00.0 10de:2783 { audio 01:00.1 10de:22bc;primary }; nic 02:00.0 8086:1533;\n}\n", 3);
    ck_assert_uint_eq(r.d.n[SEV_ERROR] + r.d.n[SEV_WARNING], 0);
    const struct m_vm *vm = r.m->vms[0];
    ck_assert_uint_eq(vm->ndevs, 3);
    for (size_t i = 0; i < 3; i++)
        ck_assert(!vm->devs[i]->joined);
    ck_assert(vm->devs[0]->primary);
    ck_assert_int_eq(vm->devs[2]->slot, 2);
    fe_done(&r);
}
END_TEST

Suite *suite_joined(void)
{
    Suite *s = suite_create("joined");
    TCase *tc = tcase_create("joined");
    tcase_add_test(tc, joined_value_spans);
    tcase_add_test(tc, joined_model);
    tcase_add_test(tc, joined_all_functions);
    tcase_add_loop_test(tc, joined_findings, 0, sizeof findings / sizeof findings[0]);
    tcase_add_loop_test(tc, joined_syntax_hints, 0, sizeof hints / sizeof hints[0]);
    tcase_add_test(tc, joined_semicolon_still_separates);
    suite_add_tcase(s, tc);
    return s;
}
