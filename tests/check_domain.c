/* Domain knowledge written once: PCI class to kind, module names, UTF-8,
 * the VMID range, and the one command-line parser. */
#include <check.h>
#include <string.h>

#include "cmd.h"
#include "names.h"
#include "pci_class.h"
#include "pveconf.h"
#include "utf8.h"

static const struct {
    uint32_t cls;
    enum dev_kind kind;
} class_cases[] = {
    {0x030000, DEV_GPU},   {0x030200, DEV_GPU},   {0x038000, DEV_GPU},
    {0x040300, DEV_AUDIO}, {0x040100, DEV_PCI},   /* legacy audio: not HD */
    {0x0c0330, DEV_USB},   {0x0c0320, DEV_USB},   {0x0c0310, DEV_USB},
    {0x0c0300, DEV_USB},   {0x0c0340, DEV_USB4},  {0x0c0380, DEV_USB},
    {0x010802, DEV_NVME},  {0x010601, DEV_PCI},   /* AHCI */
    {0x020000, DEV_NIC},   {0x028000, DEV_NIC},   {0x060400, DEV_PCI},
    {0x0c0500, DEV_PCI},   {0x000000, DEV_PCI},
};

START_TEST(class_kind_table)
{
    uint32_t k = class_cases[_i].cls;
    ck_assert_int_eq(pci_class_kind(k), class_cases[_i].kind);
    /* what import names a device, P022 accepts */
    ck_assert(pci_class_fits(pci_class_kind(k), k, NULL));
}
END_TEST

START_TEST(class_fits_as_p022_says)
{
    const char *want = NULL;
    ck_assert(pci_class_fits(DEV_USB, 0x0c0340, NULL));   /* any 0c03xx */
    ck_assert(!pci_class_fits(DEV_USB4, 0x0c0330, &want));
    ck_assert_str_eq(want, "0c0340 (USB4 host interface)");
    ck_assert(!pci_class_fits(DEV_GPU, 0x040300, &want));
    ck_assert_str_eq(want, "03xxxx (display)");
    ck_assert(pci_class_fits(DEV_PCI, 0x060400, &want));
    ck_assert_ptr_null(want);
}
END_TEST

START_TEST(module_names_dash_is_underscore)
{
    ck_assert(module_name_eq("vfio-pci", "vfio_pci"));
    ck_assert(module_name_eq("snd_hda_intel", "snd-hda-intel"));
    ck_assert(!module_name_eq("vfio", "vfio_pci"));
    ck_assert(!module_name_eq("vfio_pci", "vfio"));
    ck_assert(!module_name_eq("vfio.pci", "vfio_pci"));
    ck_assert(module_name_eq_n("vfio-pci ids=1", 8, "vfio_pci"));
    ck_assert(!module_name_eq_n("vfio-pci", 4, "vfio_pci"));
    ck_assert(module_name_eq("", ""));
}
END_TEST

START_TEST(utf8_sequences)
{
    static const struct { const char *s; size_t n; } c[] = {
        {"a", 1}, {"\xc3\xa9", 2}, {"\xe2\x80\x98", 3}, {"\xf0\x9f\x98\x80", 4},
        {"\xc0\xaf", 0},          /* overlong '/' */
        {"\xe0\x80\xaf", 0},      /* overlong, 3 bytes */
        {"\xed\xa0\x80", 0},      /* surrogate D800 */
        {"\xf4\x90\x80\x80", 0},  /* above U+10FFFF */
        {"\x80", 0}, {"\xff", 0}, {"\xe2\x80", 0} /* truncated */,
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        ck_assert_msg(utf8_len((const unsigned char *)c[i].s, strlen(c[i].s)) == c[i].n,
                      "case %zu", i);
    /* n bounds the read even where the bytes go on */
    ck_assert_uint_eq(utf8_len((const unsigned char *)"\xc3\xa9", 1), 0);
}
END_TEST

START_TEST(vmid_range)
{
    ck_assert(!pve_vmid_valid(99));
    ck_assert(pve_vmid_valid(100));
    ck_assert(pve_vmid_valid(999999999));
    ck_assert(!pve_vmid_valid(1000000000));
    unsigned v = 0;
    ck_assert_int_eq(cmd_vmid_parse("import", "102", &v), 0);
    ck_assert_uint_eq(v, 102);
    ck_assert_int_eq(cmd_vmid_parse("import", "+102", &v), -1);
    ck_assert_uint_eq(pve_vmid_from_path("/etc/pve/qemu-server/102.conf"), 102);
    ck_assert_uint_eq(pve_vmid_from_path("99.conf"), 0);
}
END_TEST

enum { T_WERROR = CMD_OPT_LONG };
static const struct option t_opts[] = {
    {"output", required_argument, NULL, 'o'},
    {"werror", no_argument, NULL, T_WERROR},
    CMD_FACTS_OPTION, CMD_ROOT_OPTION, CMD_NO_FACTS_OPTION,
    {NULL, 0, NULL, 0},
};

/* operands in order with options anywhere, "--" ends options, the facts
 * source taken by the parser itself */
START_TEST(args_in_any_order)
{
    char *argv[] = {"lint", "a.pass", "--output=d", "--werror", "--root", "/r",
                    "b.pass", "--", "--werror", NULL};
    struct cmd_args c;
    cmd_args_init(&c, 9, argv, "o:", t_opts);
    const char *ops[4];
    int nops = 0, werror = 0, opt;
    const char *out = NULL;
    while ((opt = cmd_args_next(&c)) > 0) {
        if (opt == CMD_OPERAND)
            ops[nops++] = c.arg;
        else if (opt == 'o')
            out = c.arg;
        else if (opt == T_WERROR)
            werror++;
    }
    ck_assert_int_eq(opt, CMD_END);
    ck_assert_int_eq(nops, 3);
    ck_assert_str_eq(ops[0], "a.pass");
    ck_assert_str_eq(ops[1], "b.pass");
    ck_assert_str_eq(ops[2], "--werror");
    ck_assert_str_eq(out, "d");
    ck_assert_int_eq(werror, 1);
    ck_assert_int_eq(c.facts_src, FACTS_ROOT);
    ck_assert_str_eq(c.facts_arg, "/r");
}
END_TEST

static int parse_all(int argc, char **argv)
{
    struct cmd_args c;
    cmd_args_init(&c, argc, argv, "o:", t_opts);
    int opt;
    while ((opt = cmd_args_next(&c)) > 0)
        ;
    return opt;
}

START_TEST(args_refused)
{
    char *abbrev[] = {"lint", "--wer", NULL};
    char *two[] = {"lint", "--no-facts", "--facts", "x", NULL};
    char *value[] = {"lint", "--werror=1", NULL};
    char *missing[] = {"lint", "-o", NULL};
    char *unknown[] = {"lint", "-x", NULL};
    ck_assert_int_eq(parse_all(2, abbrev), -1);
    ck_assert_int_eq(parse_all(4, two), -1);
    ck_assert_int_eq(parse_all(2, value), -1);
    ck_assert_int_eq(parse_all(2, missing), -1);
    ck_assert_int_eq(parse_all(2, unknown), -1);
    char *fine[] = {"lint", "--werror", NULL};
    ck_assert_int_eq(parse_all(2, fine), CMD_END);  /* the state starts over */
}
END_TEST

Suite *suite_domain(void)
{
    Suite *s = suite_create("domain");
    TCase *t = tcase_create("once");
    tcase_add_loop_test(t, class_kind_table, 0,
                        (int)(sizeof class_cases / sizeof class_cases[0]));
    tcase_add_test(t, class_fits_as_p022_says);
    tcase_add_test(t, module_names_dash_is_underscore);
    tcase_add_test(t, utf8_sequences);
    tcase_add_test(t, vmid_range);
    tcase_add_test(t, args_in_any_order);
    tcase_add_test(t, args_refused);
    suite_add_tcase(s, t);
    return s;
}
