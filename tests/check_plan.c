/* plan: what a build does, decided from model + facts + quirks (plan.c).
 * The seed host (lint_util.h) poses facts; fe_test.h resolves spec text. */
#include <check.h>
#include <string.h>

#include "emit.h"
#include "fe_test.h"
#include "lint_util.h"
#include "plan.h"

#define SEED() struct seed s = seed_build("vm102.pass", NULL); struct lt *t = s.t

static const char *ids_text(arena *a, const struct plan *p)
{
    struct strbuf sb;
    sb_init(&sb, a);
    char buf[10];
    for (size_t i = 0; i < p->nids; i++)
        sb_printf(&sb, "%s%s", i ? "," : "", pci_id_format(&p->ids[i], buf));
    return sb_str(&sb);
}

static const char *softdeps_text(arena *a, const struct plan *p)
{
    struct strbuf sb;
    sb_init(&sb, a);
    for (size_t i = 0; i < p->nsoftdeps; i++)
        sb_printf(&sb, "%s%s", i ? " " : "", p->softdeps[i]);
    return sb_str(&sb);
}

/* Every VM's ids once, first mention first; lines without an id add none. */
START_TEST(plan_ids_dedup_in_order)
{
    struct fe_run r;
    fe_run(&r, "host { bind ids }\n"
               "vm 100 { usb 01:00.0 1022:15B6; usb 02:00.0 1b21:2426 }\n"
               "vm 101 { usb 03:00.0 1022:15b6; pci 04:00.0; nic 05:00.0 8086:1533 }\n", 2);
    const struct plan *p = plan_build(r.a, r.m, NULL, NULL);
    ck_assert_str_eq(ids_text(r.a, p), "1022:15b6,1b21:2426,8086:1533");
    /* without facts nothing else is decided */
    ck_assert_uint_eq(p->nsoftdeps, 0);
    ck_assert(!p->ids_on_cmdline);
    ck_assert(!p->have_facts);
    ck_assert_uint_eq(p->ndevices, 5);
    ck_assert(!p->devices[0].seen);
    fe_done(&r);
}
END_TEST

/* Settings by slot number, not declaration order; <vmid>.conf is exactly
 * the plan's list. */
START_TEST(plan_settings_in_slot_order)
{
    struct fe_run r;
    fe_run(&r, "host { bind ids }\n"
               "vm 100 {\n machine q35\n cores 4\n balloon off\n"
               " gpu 02:00.0 10de:2783 { primary }\n"
               " nic 03:00.0 8086:1533 { slot 0 }\n}\n", 2);
    const struct plan *p = plan_build(r.a, r.m, NULL, NULL);
    ck_assert_uint_eq(p->nvms, 1);
    const struct plan_vm *pv = plan_vm_of(p, r.m->vms[0]);
    ck_assert_ptr_eq(pv, &p->vms[0]);
    static const char *const want[][2] = {
        {"hostpci0", "0000:03:00.0,pcie=1"}, {"hostpci1", "0000:02:00.0,pcie=1,x-vga=1"},
        {"machine", "q35"}, {"cores", "4"}, {"balloon", "0"}};
    ck_assert_uint_eq(pv->nsettings, 5);
    for (size_t i = 0; i < 5; i++) {
        ck_assert_str_eq(pv->settings[i].key, want[i][0]);
        ck_assert_str_eq(pv->settings[i].value, want[i][1]);
    }
    struct strbuf sb;
    sb_init(&sb, r.a);
    emit_vm_conf(r.m, p, r.m->vms[0], &sb);
    ck_assert_str_eq(sb_str(&sb), "hostpci0: 0000:03:00.0,pcie=1\n"
                                  "hostpci1: 0000:02:00.0,pcie=1,x-vga=1\n"
                                  "machine: q35\ncores: 4\nballoon: 0\n");
    fe_done(&r);
}
END_TEST

/* The native drivers of the passed devices that are modules, in the order
 * the devices are declared, each once; not vfio-pci, not absent nvidia. */
START_TEST(plan_softdeps_from_facts)
{
    SEED();
    lt_run(t);
    ck_assert_str_eq(softdeps_text(t->a, t->p), "nouveau snd_hda_intel xhci_pci thunderbolt");
    lt_free(t);
}
END_TEST

/* A bound driver is known to exist even when the facts do not list it; a
 * built-in one cannot be ordered (P028's business, no softdep). */
START_TEST(plan_softdeps_bound_and_builtin)
{
    SEED();
    lt_fget(t, "77:00.0")->driver = "xhci_hcd";   /* module xhci_pci */
    lt_mod(t, "xhci_pci", MOD_BUILTIN);
    lt_fget(t, "02:00.0")->driver = "nvidiafb";    /* not in facts' modules */
    lt_run(t);
    ck_assert_str_eq(softdeps_text(t->a, t->p), "nvidiafb nouveau snd_hda_intel thunderbolt");
    lt_free(t);
}
END_TEST

START_TEST(plan_no_softdeps_under_bind_start_or_for_moved_devices)
{
    SEED();
    t->m->host.bind = BIND_START;
    lt_run(t);
    ck_assert_uint_eq(t->p->nsoftdeps, 0);
    lt_free(t);

    struct seed s2 = seed_build("vm102.pass", NULL);
    lt_fget(s2.t, "02:00.0")->id.device = 0x2704;   /* another card there */
    lt_fget(s2.t, "78:00.0")->is_bridge = true;
    lt_run(s2.t);
    ck_assert_str_eq(softdeps_text(s2.t->a, s2.t->p), "snd_hda_intel xhci_pci");
    lt_free(s2.t);
}
END_TEST

/* P032: a built-in vfio_pci with `bind ids` and ids puts them on the
 * kernel command line; bind start or a module does not. */
START_TEST(plan_cmdline_mode)
{
    SEED();
    /* the facts may spell it vfio-pci: - and _ are one character */
    for (size_t i = 0; i < t->f.nmodules; i++)
        if (!strcmp(t->f.modules[i].name, "vfio_pci"))
            t->f.modules[i] = (struct facts_module){"vfio-pci", MOD_BUILTIN};
    lt_run(t);
    ck_assert(t->p->ids_on_cmdline);
    ck_assert_int_eq(t->p->vfio_pci, PLAN_VFIO_BUILTIN);
    lt_free(t);

    struct seed s2 = seed_build("vm102.pass", NULL);
    lt_mod(s2.t, "vfio_pci", MOD_BUILTIN);
    s2.t->m->host.bind = BIND_START;
    lt_run(s2.t);
    ck_assert(!s2.t->p->ids_on_cmdline);
    lt_free(s2.t);

    struct seed s3 = seed_build("vm102.pass", NULL);
    lt_run(s3.t);
    ck_assert(!s3.t->p->ids_on_cmdline);
    ck_assert_int_eq(s3.t->p->vfio_pci, PLAN_VFIO_MODULE);
    lt_free(s3.t);
}
END_TEST

/* What apply.sh will check again on the live host (issue 13). */
START_TEST(plan_device_expectations)
{
    SEED();
    t->f.hostname = "pve";
    t->f.iommu_on = true;
    lt_fget(t, "79:00.4")->id.device = 0x15b9;   /* not what the spec says */
    lt_run(t);
    const struct plan *p = t->p;
    ck_assert(p->have_facts);
    ck_assert_str_eq(p->hostname, "pve");
    ck_assert(p->iommu_on);
    ck_assert_uint_eq(p->ndevices, 6);
    const struct plan_device *g = &p->devices[0];
    char buf[24];
    ck_assert_ptr_eq(g->dev, s.gpu);
    ck_assert_str_eq(pci_addr_format(&g->addr, buf), "0000:02:00.0");
    ck_assert(g->seen && g->has_id);
    ck_assert_uint_eq(g->class_code, 0x030000);
    ck_assert_int_eq(g->iommu_group, 14);
    ck_assert_uint_eq(g->ngroup, 3);   /* the root port, the GPU, its audio */
    ck_assert_str_eq(pci_addr_format(&g->group[0], buf), "0000:00:01.1");
    ck_assert_str_eq(pci_addr_format(&g->group[2], buf), "0000:02:00.1");
    ck_assert_uint_eq(p->devices[3].class_code, 0x0c0340);
    ck_assert(!p->devices[5].seen);
    ck_assert_int_eq(p->devices[5].iommu_group, -1);
    lt_free(t);
}
END_TEST

Suite *suite_plan(void)
{
    Suite *s = suite_create("plan");
    TCase *tc = tcase_create("plan");
    tcase_add_test(tc, plan_ids_dedup_in_order);
    tcase_add_test(tc, plan_settings_in_slot_order);
    tcase_add_test(tc, plan_softdeps_from_facts);
    tcase_add_test(tc, plan_softdeps_bound_and_builtin);
    tcase_add_test(tc, plan_no_softdeps_under_bind_start_or_for_moved_devices);
    tcase_add_test(tc, plan_cmdline_mode);
    tcase_add_test(tc, plan_device_expectations);
    suite_add_tcase(s, tc);
    return s;
}
