/* Facts rules P020–P033 on the seed's VM 102 built in C (lint_util.h): the
 * seed lints clean, and each rule has a case where it fires and one where
 * it does not.  Also the quirks table loader and the rule catalogue. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "facts_impl.h"
#include "lint_util.h"
#include "pveconf.h"
#include "quirks.h"

#define SEED() struct seed s = seed_build("vm102.pass", NULL); struct lt *t = s.t

START_TEST(seed_lints_clean)
{
    SEED();
    lt_run(t);
    ck_assert_msg(t->d.head == NULL, "unexpected:%s", lt_dump(t));
    /* with bind ids, the modules that could claim passed devices get
     * softdeps; nvidia is not installed, so no line for it */
    ck_assert(lt_has_softdep(t, "nouveau"));
    ck_assert(lt_has_softdep(t, "snd_hda_intel"));
    ck_assert(lt_has_softdep(t, "xhci_pci"));
    ck_assert(lt_has_softdep(t, "thunderbolt"));
    ck_assert(!lt_has_softdep(t, "nvidia"));
    ck_assert(!t->p->ids_on_cmdline);
    lt_free(t);
}
END_TEST

START_TEST(p020_moved_device_named)
{
    SEED();
    struct facts_device *g = lt_fget(t, "02:00.0");
    g->addr = lt_addr("03:00.0");
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P020"), 1);
    const struct diag *d = lt_get(t, "P020");
    ck_assert_int_eq(d->sev, SEV_ERROR);
    ck_assert_ptr_nonnull(strstr(d->msg, "0000:02:00.0"));
    ck_assert_ptr_nonnull(d->fix);
    ck_assert_msg(strstr(d->fix, "0000:03:00.0") != NULL, "%s", d->fix);
    lt_free(t);
}
END_TEST

START_TEST(p020_several_narrowed_by_subsystem)
{
    SEED();
    lt_fget(t, "02:00.0")->addr = lt_addr("03:00.0");
    lt_fget(t, "03:00.0")->subsys = lt_id("1043:8900");
    struct facts_device *twin = lt_fdev(t, "04:00.0", "10de:2783", 0x030000, 30);
    twin->subsys = lt_id("1458:4100");
    s.gpu->sub_vendor_id = 0x1458;
    lt_run(t);
    const struct diag *d = lt_get(t, "P020");
    ck_assert_msg(strstr(d->fix, "0000:04:00.0") && !strstr(d->fix, "0000:03:00.0"),
                  "%s", d->fix);
    lt_free(t);
}
END_TEST

/* Regression: a device without an id is named by kind and name; without
 * a name the message ended in "(gpu )". */
START_TEST(p020_without_id_names_kind_and_name)
{
    for (int named = 0; named < 2; named++) {
        SEED();
        lt_fget(t, "02:00.0")->addr = lt_addr("03:00.0");
        s.gpu->has_id = false;
        s.gpu->name = named ? "RTX 4070 SUPER" : NULL;
        lt_run(t);
        ck_assert_uint_eq(lt_count(t, "P020"), 1);
        const char *msg = lt_get(t, "P020")->msg;
        const char *want = named ? "(gpu RTX 4070 SUPER)" : "(gpu)";
        size_t n = strlen(msg), w = strlen(want);
        ck_assert_msg(n >= w && !strcmp(msg + n - w, want), "%s", msg);
        lt_free(t);
    }
}
END_TEST

START_TEST(p020_not_when_present)
{
    SEED();
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P020"), 0);
    lt_free(t);
}
END_TEST

START_TEST(p021_id_mismatch_with_hint)
{
    SEED();
    lt_fget(t, "78:00.0")->id = lt_id("1b21:2426");
    lt_fdev(t, "7a:00.0", "1b21:2425", 0x0c0340, 40);
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P021"), 1);
    const struct diag *d = lt_get(t, "P021");
    ck_assert_ptr_nonnull(strstr(d->msg, "1b21:2426"));
    ck_assert_ptr_nonnull(strstr(d->msg, "spec says 1b21:2425"));
    ck_assert_msg(strstr(d->fix, "0000:7a:00.0") != NULL, "%s", d->fix);
    /* the wrong device is not linted as if it were the router */
    ck_assert_uint_eq(lt_count(t, "P033"), 0);
    lt_free(t);
}
END_TEST

START_TEST(p022_class_mismatch)
{
    SEED();
    lt_fget(t, "77:00.0")->class_code = 0x020000;
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P022"), 1);
    ck_assert_int_eq(lt_get(t, "P022")->sev, SEV_WARNING);
    lt_free(t);
}
END_TEST

START_TEST(p022_usb4_must_be_0c0340)
{
    SEED();
    lt_fget(t, "78:00.0")->class_code = 0x0c0330;
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P022"), 1);
    ck_assert_ptr_nonnull(strstr(lt_get(t, "P022")->msg, "0c0340"));
    lt_free(t);
}
END_TEST

START_TEST(p023_amd_says_firmware_not_amd_iommu_on)
{
    SEED();
    t->f.iommu_on = false;
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P023"), 1);
    const struct diag *d = lt_get(t, "P023");
    ck_assert_int_eq(d->sev, SEV_ERROR);
    ck_assert(lt_notes_have(d, "amd_iommu=on does nothing"));
    ck_assert_ptr_null(strstr(d->fix, "amd_iommu=on"));
    ck_assert_ptr_nonnull(strstr(d->fix, "firmware"));
    /* groups mean nothing without an IOMMU */
    ck_assert_uint_eq(lt_count(t, "P024"), 0);
    lt_free(t);
}
END_TEST

START_TEST(p023_old_intel_kernel_gets_intel_iommu_on)
{
    SEED();
    t->f.iommu_on = false;
    t->f.cpu_vendor = "GenuineIntel";
    t->f.kernel_release = "6.5.13-6-pve";
    t->f.cmdline = "BOOT_IMAGE=/boot/vmlinuz-6.5.13-6-pve root=/dev/mapper/pve-root ro quiet";
    lt_run(t);
    const struct diag *d = lt_get(t, "P023");
    ck_assert_ptr_nonnull(strstr(d->fix, "intel_iommu=on"));
    ck_assert_msg(strstr(d->fix, "GRUB_CMDLINE_LINUX_DEFAULT") &&
                  strstr(d->fix, "update-grub"), "%s", d->fix);
    lt_free(t);
}
END_TEST

START_TEST(p023_new_intel_kernel_systemd_boot)
{
    SEED();
    t->f.iommu_on = false;
    t->f.cpu_vendor = "GenuineIntel";
    t->f.kernel_release = "6.8.12-4-pve";
    lt_run(t);
    const struct diag *d = lt_get(t, "P023");
    ck_assert_ptr_null(strstr(d->fix, "intel_iommu=on"));
    ck_assert_ptr_nonnull(strstr(d->fix, "VT-d"));
    lt_free(t);
}
END_TEST

START_TEST(p023_off_on_cmdline_and_where_it_goes)
{
    SEED();
    t->f.iommu_on = false;
    t->f.cpu_vendor = "GenuineIntel";
    t->f.cmdline = "root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=off";
    lt_run(t);
    const struct diag *d = lt_get(t, "P023");
    ck_assert_ptr_nonnull(strstr(d->fix, "remove intel_iommu=off"));
    ck_assert_msg(strstr(d->fix, "/etc/kernel/cmdline") &&
                  strstr(d->fix, "proxmox-boot-tool refresh"), "%s", d->fix);
    lt_free(t);
}
END_TEST

START_TEST(p023_not_when_on)
{
    SEED();
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P023"), 0);
    lt_free(t);
}
END_TEST

START_TEST(p024_group_mate_not_passed)
{
    SEED();
    struct facts_device *c = lt_fdev(t, "02:00.2", "10de:1ad8", 0x0c0330, 14);
    c->driver = "xhci_hcd";
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P024"), 1);
    const struct diag *d = lt_get(t, "P024");
    ck_assert_int_eq(d->sev, SEV_WARNING);
    ck_assert(lt_notes_have(d, "0000:02:00.2"));
    ck_assert_msg(!lt_notes_have(d, "0000:00:01.1"), "bridge counted:%s", lt_dump(t));
    ck_assert_ptr_nonnull(strstr(d->fix, "0000:02:00.2"));
    lt_free(t);
}
END_TEST

START_TEST(p024_error_when_mate_is_host_critical)
{
    SEED();
    lt_fget(t, "01:00.0")->iommu_group = 14;
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P024"), 1);
    const struct diag *d = lt_get(t, "P024");
    ck_assert_int_eq(d->sev, SEV_ERROR);
    ck_assert(lt_notes_have(d, "root-disk"));
    ck_assert_uint_eq(t->d.n[SEV_ERROR], 1);
    lt_free(t);
}
END_TEST

START_TEST(p024_bridges_never_count)
{
    SEED();
    /* seed: the root port 00:01.1 shares group 14 with the GPU */
    ck_assert_int_eq(lt_fget(t, "00:01.1")->iommu_group, 14);
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P024"), 0);
    lt_free(t);
}
END_TEST

START_TEST(p025_root_disk_controller_passed)
{
    SEED();
    lt_dev(t, s.vm, DEV_NVME, "01:00.0", "144d:a80c");
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P025"), 1);
    const struct diag *d = lt_get(t, "P025");
    ck_assert_int_eq(d->sev, SEV_ERROR);
    ck_assert_ptr_nonnull(strstr(d->msg, "root-disk"));
    lt_free(t);
}
END_TEST

START_TEST(p025_other_function_of_all_functions_card)
{
    SEED();
    s.vm->ndevs = 1;             /* only the gpu line, as one whole card */
    s.gpu->all_functions = true;
    struct facts_device *ga = lt_fget(t, "02:00.1");
    ga->uses = USE_ROOT_DISK;
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P025"), 1);
    ck_assert_ptr_nonnull(strstr(lt_get(t, "P025")->msg, "0000:02:00.1"));
    /* the folded function is passed, so it is no group problem */
    ck_assert_uint_eq(lt_count(t, "P024"), 0);
    lt_free(t);
}
END_TEST

START_TEST(p025_not_for_unused_device)
{
    SEED();
    lt_fget(t, "01:00.0")->uses = 0;
    lt_fget(t, "01:00.0")->use_detail = NULL;
    lt_dev(t, s.vm, DEV_NVME, "01:00.0", "144d:a80c");
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P025"), 0);
    lt_free(t);
}
END_TEST

START_TEST(p026_capture_of_keyboard_controller_is_error)
{
    SEED();
    struct facts_device *kb = lt_fdev(t, "7a:00.3", "1022:15b6", 0x0c0330, 41);
    kb->uses = USE_KEYBOARD;
    kb->driver = "xhci_hcd";
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P026"), 1);
    const struct diag *d = lt_get(t, "P026");
    ck_assert_int_eq(d->sev, SEV_ERROR);
    ck_assert_ptr_nonnull(strstr(d->msg, "0000:7a:00.3"));
    ck_assert_ptr_nonnull(strstr(d->fix, "bind start"));
    ck_assert(lt_notes_have(d, "binds by id"));
    lt_free(t);
}
END_TEST

START_TEST(p026_capture_warning_and_not_with_bind_start)
{
    SEED();
    lt_fdev(t, "7a:00.3", "1022:15b6", 0x0c0330, 41);
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P026"), 1);
    ck_assert_int_eq(lt_get(t, "P026")->sev, SEV_WARNING);
    lt_free(t);

    struct seed s2 = seed_build("vm102.pass", NULL);
    s2.t->m->host.bind = BIND_START;
    lt_fdev(s2.t, "7a:00.3", "1022:15b6", 0x0c0330, 41);
    lt_run(s2.t);
    ck_assert_uint_eq(lt_count(s2.t, "P026"), 0);
    ck_assert_uint_eq(s2.t->p->nsoftdeps, 0);
    lt_free(s2.t);
}
END_TEST

START_TEST(p027_no_reset_method)
{
    SEED();
    lt_fget(t, "77:00.0")->reset_methods = "";
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P027"), 1);
    ck_assert_ptr_nonnull(strstr(lt_get(t, "P027")->msg, "0000:77:00.0"));
    lt_free(t);
}
END_TEST

START_TEST(p027_navi_reset_bug_from_quirks)
{
    SEED();
    lt_fget(t, "02:00.0")->id = lt_id("1002:731f");
    s.gpu->id = lt_id("1002:731f");
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P027"), 1);
    const struct diag *d = lt_get(t, "P027");
    ck_assert_ptr_nonnull(strstr(d->msg, "Navi 10"));
    ck_assert_ptr_nonnull(strstr(d->fix, "vendor-reset"));
    lt_free(t);
}
END_TEST

START_TEST(p027_not_when_unknown_or_present)
{
    SEED();
    lt_fget(t, "77:00.0")->reset_methods = NULL;
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P027"), 0);
    lt_free(t);
}
END_TEST

START_TEST(p028_builtin_native_driver)
{
    SEED();
    lt_mod(t, "xhci_pci", MOD_BUILTIN);
    /* bound driver and quirks table name the same module: one mention */
    lt_fget(t, "77:00.0")->driver = "xhci_hcd";
    lt_run(t);
    /* one finding for the driver, the VM's three xHCI controllers named */
    ck_assert_uint_eq(lt_count(t, "P028"), 1);
    const struct diag *d = lt_get(t, "P028");
    ck_assert_ptr_nonnull(strstr(d->msg, "0000:77:00.0"));
    ck_assert(lt_notes_have(d, "0000:79:00.3"));
    ck_assert(lt_notes_have(d, "0000:79:00.4"));
    ck_assert(!lt_notes_have(d, "0000:77:00.0"));
    ck_assert_ptr_nonnull(strstr(d->fix, "Proxmox moves the device to vfio-pci"));
    ck_assert(!lt_has_softdep(t, "xhci_pci"));
    ck_assert(lt_has_softdep(t, "nouveau"));
    /* the command line cannot beat a built-in driver either */
    ck_assert(!t->p->ids_on_cmdline);
    ck_assert_uint_eq(lt_count(t, "P032"), 0);
    lt_free(t);
}
END_TEST

START_TEST(p028_bound_driver_gets_softdep_by_module_name)
{
    SEED();
    lt_fget(t, "77:00.0")->driver = "xhci_hcd";
    lt_mod(t, "xhci_pci", MOD_UNKNOWN);
    t->f.nmodules--;   /* drop it from the list: only the bound driver says */
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P028"), 0);
    ck_assert(lt_has_softdep(t, "xhci_pci"));
    ck_assert(!lt_has_softdep(t, "xhci_hcd"));
    lt_free(t);
}
END_TEST

START_TEST(p029_console_gpu)
{
    SEED();
    lt_fget(t, "02:00.0")->boot_vga = 1;
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P029"), 1);
    ck_assert_int_eq(lt_get(t, "P029")->sev, SEV_WARNING);
    ck_assert_uint_eq(lt_count(t, "P025"), 0);
    lt_free(t);
}
END_TEST

START_TEST(p030_guest_driver_info_only_when_undeclared)
{
    SEED();
    s.router->guest_driver = NULL;
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P030"), 1);
    const struct diag *d = lt_get(t, "P030");
    ck_assert_int_eq(d->sev, SEV_INFO);
    ck_assert_ptr_nonnull(strstr(d->msg, "Code 28"));
    lt_free(t);

    struct seed s2 = seed_build("vm102.pass", NULL);
    s2.router->guest_driver = NULL;
    s2.vm->ostype = "l26";
    lt_run(s2.t);
    ck_assert_uint_eq(lt_count(s2.t, "P030"), 0);
    lt_free(s2.t);
}
END_TEST

START_TEST(p031_bridge_passed)
{
    SEED();
    lt_dev(t, s.vm, DEV_PCI, "00:01.1", NULL);
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P031"), 1);
    const struct diag *d = lt_get(t, "P031");
    ck_assert_int_eq(d->sev, SEV_ERROR);
    ck_assert_msg(strstr(d->fix, "0000:02:00.0") && strstr(d->fix, "0000:02:00.1"),
                  "%s", d->fix);
    /* a bridge is not also a group problem */
    ck_assert_uint_eq(lt_count(t, "P024"), 0);
    lt_free(t);
}
END_TEST

START_TEST(p031_not_for_endpoints)
{
    SEED();
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P031"), 0);
    lt_free(t);
}
END_TEST

START_TEST(p032_vfio_builtin_moves_ids_to_cmdline)
{
    SEED();
    lt_mod(t, "vfio_pci", MOD_BUILTIN);
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P032"), 1);
    const struct diag *d = lt_get(t, "P032");
    ck_assert_ptr_nonnull(strstr(d->fix, "/etc/kernel/cmdline"));
    ck_assert(t->p->ids_on_cmdline);
    lt_free(t);
}
END_TEST

START_TEST(p032_not_when_module)
{
    SEED();
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P032"), 0);
    ck_assert(!t->p->ids_on_cmdline);
    lt_free(t);
}
END_TEST

START_TEST(p033_linked_controller_not_passed)
{
    SEED();
    s.vm->ndevs--;              /* drop `usb 79:00.4` */
    s.router->ntunnels = 1;     /* and its tunnel */
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P033"), 1);
    const struct diag *d = lt_get(t, "P033");
    ck_assert_ptr_nonnull(strstr(d->msg, "0000:79:00.4"));
    ck_assert_ptr_nonnull(strstr(d->msg, "does not pass"));
    lt_free(t);
}
END_TEST

START_TEST(p033_passed_but_not_under_tunnels)
{
    SEED();
    s.router->ntunnels = 1;
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P033"), 1);
    ck_assert_ptr_nonnull(strstr(lt_get(t, "P033")->msg, "does not name"));
    lt_free(t);
}
END_TEST

START_TEST(p033_supplier_side_link_and_bridges_ignored)
{
    SEED();
    struct facts_device *r = lt_fget(t, "78:00.0");
    lt_link(t, r, "00:01.1");              /* PCIe tunnel root port */
    struct facts_device *x = lt_fdev(t, "7b:00.0", "1022:15b9", 0x0c0330, 42);
    x->suppliers = arena_calloc(t->a, 1, sizeof *x->suppliers);
    x->suppliers[0] = r->addr;
    x->nsuppliers = 1;
    lt_run(t);
    ck_assert_uint_eq(lt_count(t, "P033"), 1);
    ck_assert_ptr_nonnull(strstr(lt_get(t, "P033")->msg, "0000:7b:00.0"));
    lt_free(t);
}
END_TEST

/* ---- quirks table ---- */

static struct quirks *load_text(arena *a, struct diag_list *d, const char *text)
{
    char path[] = "/tmp/passc-quirks-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    struct quirks *q = quirks_load(a, arena_strdup(a, path), d);
    remove(path);
    return q;
}

START_TEST(quirks_shipped_table_answers)
{
    arena *a = arena_new();
    struct diag_list d;
    diag_init(&d, a);
    struct quirks *q = quirks_load(a, lt_quirks_path(a), &d);
    ck_assert_ptr_nonnull(q);
    ck_assert_ptr_null(d.head);
    ck_assert_ptr_nonnull(quirks_no_reset(q, lt_id("1002:7340")));
    ck_assert_ptr_null(quirks_no_reset(q, lt_id("10de:2783")));
    ck_assert_ptr_nonnull(quirks_guest(q, lt_id("1b21:2425"), "win11"));
    ck_assert_ptr_null(quirks_guest(q, lt_id("1b21:2425"), "l26"));
    ck_assert_str_eq(quirks_module_of(q, "xhci_hcd"), "xhci_pci");
    ck_assert_str_eq(quirks_module_of(q, "nvme"), "nvme");
    struct facts_device dev = {.id = lt_id("10de:2783"), .class_code = 0x030000};
    const char *drv[8];
    size_t n = quirks_native_drivers(q, &dev, drv, 8);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(drv[0], "nvidia");
    ck_assert_str_eq(drv[1], "nouveau");
    dev.class_code = 0x0c0340;
    ck_assert_uint_eq(quirks_native_drivers(q, &dev, drv, 8), 1);
    ck_assert_str_eq(drv[0], "thunderbolt");
    arena_free(a);
}
END_TEST

START_TEST(quirks_bad_table_is_reported_with_position)
{
    arena *a = arena_new();
    struct diag_list d;
    diag_init(&d, a);
    ck_assert_ptr_null(load_text(a, &d, "passc-quirks: 1\nno-reset:\n  - family: x\n    ids: [\"10de:27\"]\n    note: y\n"));
    ck_assert_ptr_nonnull(d.head);
    ck_assert_ptr_nonnull(d.head->loc.src);
    unsigned line, col;
    source_line_col(d.head->loc.src, d.head->loc.start, &line, &col);
    ck_assert_uint_eq(line, 4);
    ck_assert_ptr_nonnull(strstr(d.head->msg, "10de:27"));

    diag_init(&d, a);
    ck_assert_ptr_null(load_text(a, &d, "passc-quirks: 1\nbogus: [\n"));
    ck_assert_ptr_nonnull(d.head);
    ck_assert_ptr_nonnull(strstr(d.head->msg, "YAML"));

    diag_init(&d, a);
    ck_assert_ptr_null(load_text(a, &d, "no-reset: []\n"));
    ck_assert_ptr_nonnull(strstr(d.head->msg, "passc-quirks"));

    diag_init(&d, a);
    ck_assert_ptr_null(quirks_load(a, "/nonexistent/quirks.yaml", &d));
    ck_assert_int_eq(d.head->sev, SEV_WARNING);
    arena_free(a);
}
END_TEST

START_TEST(rules_without_quirks_still_run)
{
    SEED();
    lt_fget(t, "77:00.0")->reset_methods = "";
    facts_sort(&t->f);
    rules_facts_run(t->m, &t->f, NULL, &t->d);
    ck_assert_uint_eq(lt_count(t, "P027"), 1);
    lt_free(t);
}
END_TEST

/* ---- catalogue ---- */

START_TEST(catalogue_has_every_rule_with_text)
{
    static const char *ids[] = {
        "P001", "P002", "P003", "P004", "P005", "P006", "P007", "P008",
        "P009", "P010", "P011", "P012", "P013", "P014", "P015", "P020", "P021",
        "P022", "P023", "P024", "P025", "P026", "P027", "P028", "P029",
        "P030", "P031", "P032", "P033",
        /* import and the facts layer */
        "P040", "P041", "P042", "P043", "P044",
        /* the host's own configuration (rules_hostconf.c) */
        "P050", "P051", "P052", "P053", "P054", "P055", "P056", "P057",
        "P058", "P059",
        /* cluster mappings */
        "P070", "P071", "P072",
        "F001", "F002", "F003"};
    /* Rules that only run (or only arise) when facts are read: the lint
     * rules P020-P033, import's P044 and the facts layer's own F ids. */
    static const char *with_facts[] = {
        "P020", "P021", "P022", "P023", "P024", "P025", "P026", "P027",
        "P028", "P029", "P030", "P031", "P032", "P033", "P044",
        "P050", "P051", "P052", "P053", "P054", "P055", "P056", "P057",
        "P058", "P059", "P070",
        "F001", "F002", "F003"};
    size_t n;
    const struct rule_info *cat = rule_catalogue(&n);
    ck_assert_uint_eq(n, sizeof ids / sizeof ids[0]);
    for (size_t i = 0; i < n; i++) {
        ck_assert_str_eq(cat[i].id, ids[i]);
        ck_assert_ptr_eq(rule_find(cat[i].name), &cat[i]);
        ck_assert_ptr_eq(rule_find(cat[i].id), &cat[i]);
        ck_assert_msg(strstr(cat[i].explain, "Why:") && strstr(cat[i].explain, "Fix:") &&
                      strstr(cat[i].explain, "Example:"), "%s explain incomplete", cat[i].id);
        ck_assert_uint_gt(strlen(cat[i].summary), 10);
        bool facts = false;
        for (size_t k = 0; k < sizeof with_facts / sizeof with_facts[0]; k++)
            facts = facts || !strcmp(cat[i].id, with_facts[k]);
        ck_assert_msg(cat[i].needs_facts == facts, "%s needs_facts", cat[i].id);
    }
    /* Import's and the facts layer's ids are found, by id and by name,
     * with the severity those modules use by default. */
    ck_assert_ptr_nonnull(rule_find("P040"));
    ck_assert_ptr_nonnull(rule_find("P041"));
    ck_assert_ptr_nonnull(rule_find("P043"));
    ck_assert_ptr_nonnull(rule_find("P044"));
    ck_assert_ptr_nonnull(rule_find("F002"));
    ck_assert_int_eq(rule_find("P042")->sev, SEV_WARNING);
    ck_assert_int_eq(rule_find("F001")->sev, SEV_ERROR);
    ck_assert_int_eq(rule_find("F003")->sev, SEV_ERROR);
    ck_assert_int_eq(rule_find("import-pending")->sev, SEV_INFO);
    ck_assert_str_eq(rule_find("f002")->id, "F002");
    ck_assert_str_eq(rule_find("modprobe-trap")->id, "P042");
    ck_assert_ptr_nonnull(rule_find("p024"));
    ck_assert_ptr_null(rule_find("P016"));
    ck_assert_ptr_null(rule_find("P045"));
    ck_assert_ptr_null(rule_find("F004"));
    ck_assert_ptr_null(rule_find("group"));
    ck_assert_ptr_null(rule_find(NULL));
}
END_TEST

Suite *suite_rules_facts(void)
{
    Suite *s = suite_create("rules_facts");
    TCase *tc = tcase_create("rules");
    tcase_add_test(tc, seed_lints_clean);
    tcase_add_test(tc, p020_moved_device_named);
    tcase_add_test(tc, p020_several_narrowed_by_subsystem);
    tcase_add_test(tc, p020_without_id_names_kind_and_name);
    tcase_add_test(tc, p020_not_when_present);
    tcase_add_test(tc, p021_id_mismatch_with_hint);
    tcase_add_test(tc, p022_class_mismatch);
    tcase_add_test(tc, p022_usb4_must_be_0c0340);
    tcase_add_test(tc, p023_amd_says_firmware_not_amd_iommu_on);
    tcase_add_test(tc, p023_old_intel_kernel_gets_intel_iommu_on);
    tcase_add_test(tc, p023_new_intel_kernel_systemd_boot);
    tcase_add_test(tc, p023_off_on_cmdline_and_where_it_goes);
    tcase_add_test(tc, p023_not_when_on);
    tcase_add_test(tc, p024_group_mate_not_passed);
    tcase_add_test(tc, p024_error_when_mate_is_host_critical);
    tcase_add_test(tc, p024_bridges_never_count);
    tcase_add_test(tc, p025_root_disk_controller_passed);
    tcase_add_test(tc, p025_other_function_of_all_functions_card);
    tcase_add_test(tc, p025_not_for_unused_device);
    tcase_add_test(tc, p026_capture_of_keyboard_controller_is_error);
    tcase_add_test(tc, p026_capture_warning_and_not_with_bind_start);
    tcase_add_test(tc, p027_no_reset_method);
    tcase_add_test(tc, p027_navi_reset_bug_from_quirks);
    tcase_add_test(tc, p027_not_when_unknown_or_present);
    tcase_add_test(tc, p028_builtin_native_driver);
    tcase_add_test(tc, p028_bound_driver_gets_softdep_by_module_name);
    tcase_add_test(tc, p029_console_gpu);
    tcase_add_test(tc, p030_guest_driver_info_only_when_undeclared);
    tcase_add_test(tc, p031_bridge_passed);
    tcase_add_test(tc, p031_not_for_endpoints);
    tcase_add_test(tc, p032_vfio_builtin_moves_ids_to_cmdline);
    tcase_add_test(tc, p032_not_when_module);
    tcase_add_test(tc, p033_linked_controller_not_passed);
    tcase_add_test(tc, p033_passed_but_not_under_tunnels);
    tcase_add_test(tc, p033_supplier_side_link_and_bridges_ignored);
    suite_add_tcase(s, tc);
    TCase *tq = tcase_create("quirks");
    tcase_add_test(tq, quirks_shipped_table_answers);
    tcase_add_test(tq, quirks_bad_table_is_reported_with_position);
    tcase_add_test(tq, rules_without_quirks_still_run);
    tcase_add_test(tq, catalogue_has_every_rule_with_text);
    suite_add_tcase(s, tq);
    return s;
}
