/* check_hostconf.c — the host's own configuration as facts (facts_kmod.c:
 * libkmod's modprobe.d view and modalias lookup; facts_vms.c: VM configs),
 * its snapshot round trip, and the rules P050-P059 against it
 * (rules_hostconf.c), on the fixture hosts hostconf (everything defeats
 * the plan) and hostconf-ok (nothing does) of tests/hosts/. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lint_util.h"

static void read_host(arena *a, const char *host, struct facts *f)
{
    const char *fx = getenv("PASSC_FIXTURES");
    ck_assert_msg(fx != NULL, "PASSC_FIXTURES must be set");
    struct diag_list d;
    diag_init(&d, a);
    ck_assert_int_eq(facts_read_sysfs(a, arena_printf(a, "%s/%s", fx, host),
                                      arena_printf(a, "%s/tests/ids/pci.ids", tu_srcdir()),
                                      f, &d), 0);
    ck_assert_uint_eq(d.n[SEV_ERROR], 0);
}

static const struct facts_modprobe *mp_find(const struct facts *f, enum facts_mp_kind k,
                                            const char *file)
{
    for (size_t i = 0; i < f->nmodprobe; i++)
        if (f->modprobe[i].kind == k && f->modprobe[i].file &&
            !strcmp(f->modprobe[i].file, file))
            return &f->modprobe[i];
    return NULL;
}

static const struct facts_device *fdev(const struct facts *f, const char *addr)
{
    struct pci_addr x = lt_addr(addr);
    const struct facts_device *d = facts_find(f, &x);
    ck_assert_msg(d != NULL, "%s not found", addr);
    return d;
}

START_TEST(kmod_config_with_files_and_lines)
{
    arena *a = arena_new();
    struct facts f;
    read_host(a, "hostconf", &f);
    ck_assert(f.modprobe_known);
    /* /etc/modprobe.d/zz-local.conf hides /lib/modprobe.d/zz-local.conf,
     * as in modprobe: its dead:beef never shows */
    const struct facts_modprobe *o = mp_find(&f, MP_OPTIONS, "/etc/modprobe.d/zz-local.conf");
    ck_assert_ptr_nonnull(o);
    ck_assert_str_eq(o->module, "vfio_pci");
    ck_assert_str_eq(o->value, "ids=10de:ffff");
    ck_assert_uint_eq(o->line, 2);
    ck_assert_ptr_null(mp_find(&f, MP_OPTIONS, "/lib/modprobe.d/zz-local.conf"));
    for (size_t i = 0; i < f.nmodprobe; i++)
        ck_assert(!f.modprobe[i].value || !strstr(f.modprobe[i].value, "dead:beef"));
    /* kmod's order: vfio.conf's ids before zz-local.conf's (the winner) */
    size_t vi = f.nmodprobe, zi = f.nmodprobe;
    for (size_t i = 0; i < f.nmodprobe; i++)
        if (f.modprobe[i].kind == MP_OPTIONS) {
            if (!strcmp(f.modprobe[i].file, "/etc/modprobe.d/vfio.conf"))
                vi = i;
            else if (!strcmp(f.modprobe[i].file, "/etc/modprobe.d/zz-local.conf"))
                zi = i;
        }
    ck_assert_uint_lt(vi, zi);
    ck_assert_uint_lt(zi, f.nmodprobe);
    const struct facts_modprobe *b = mp_find(&f, MP_BLACKLIST, "/etc/modprobe.d/zz-local.conf");
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(b->line, 3);
    const struct facts_modprobe *in = mp_find(&f, MP_INSTALL, "/etc/modprobe.d/aa-bind.conf");
    ck_assert_ptr_nonnull(in);
    ck_assert_str_eq(in->value, "/usr/local/sbin/vfio-bind");
    const struct facts_modprobe *sd = mp_find(&f, MP_SOFTDEP, "/etc/modprobe.d/nvidia.conf");
    ck_assert_ptr_nonnull(sd);
    ck_assert_str_eq(sd->module, "vfio_pci");
    ck_assert_ptr_nonnull(strstr(sd->value, "nouveau"));
    arena_free(a);
}
END_TEST

START_TEST(kmod_no_config_is_empty)
{
    arena *a = arena_new();
    struct facts f;
    read_host(a, "plain", &f);
    ck_assert_uint_eq(f.nmodprobe, 0);
    ck_assert(!f.alias_lookup);   /* no modules.alias.bin */
    ck_assert_uint_eq(fdev(&f, "01:00.0")->nnative, 0);
    ck_assert_uint_eq(f.nvms, 0);
    arena_free(a);
}
END_TEST

START_TEST(modalias_names_native_driver_without_binding)
{
    arena *a = arena_new();
    struct facts f;
    read_host(a, "hostconf", &f);
    ck_assert(f.alias_lookup);
    const struct facts_device *gpu = fdev(&f, "01:00.0");
    ck_assert_ptr_null(gpu->driver);
    ck_assert_uint_eq(gpu->nnative, 1);
    ck_assert_str_eq(gpu->native[0], "nouveau");
    /* the audio function's class (0403) matches no alias here */
    ck_assert_uint_eq(fdev(&f, "01:00.1")->nnative, 0);
    ck_assert_str_eq(fdev(&f, "00:14.0")->native[0], "xhci_pci");
    arena_free(a);
}
END_TEST

START_TEST(vm_configs_read)
{
    arena *a = arena_new();
    struct facts f;
    read_host(a, "hostconf", &f);
    ck_assert(f.vms_known);
    ck_assert_uint_eq(f.nvms, 3);
    ck_assert_uint_eq(f.vms[0].vmid, 100);
    ck_assert_uint_eq(f.vms[0].nhostpci, 1);
    ck_assert_uint_eq(f.vms[0].hostpci[0].func, PCI_FUNC_ALL);
    const struct facts_vm *v110 = &f.vms[1];
    ck_assert_uint_eq(v110->vmid, 110);
    ck_assert_ptr_null(v110->bios);
    ck_assert_str_eq(v110->machine, "pc-i440fx-8.1");
    ck_assert(!v110->efidisk && !v110->onboot);
    ck_assert_uint_eq(v110->ndisks, 1);   /* ide2 is a cdrom */
    ck_assert_str_eq(v110->disks[0], "scsi0");
    ck_assert(f.vms[2].onboot);
    arena_free(a);
}
END_TEST

START_TEST(snapshot_round_trip_and_version_1_still_reads)
{
    arena *a = arena_new();
    struct facts f, g;
    read_host(a, "hostconf", &f);
    char path[] = "/tmp/passc-hostconf-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *fp = fdopen(fd, "w");
    ck_assert_int_eq(facts_write_yaml(&f, fp), 0);
    fclose(fp);
    struct diag_list d;
    diag_init(&d, a);
    ck_assert_int_eq(facts_read_yaml(a, path, &g, &d), 0);
    ck_assert_uint_eq(g.nmodprobe, f.nmodprobe);
    for (size_t i = 0; i < f.nmodprobe; i++) {
        ck_assert_int_eq(g.modprobe[i].kind, f.modprobe[i].kind);
        ck_assert_str_eq(g.modprobe[i].module, f.modprobe[i].module);
        ck_assert_str_eq(g.modprobe[i].file, f.modprobe[i].file);
        ck_assert_uint_eq(g.modprobe[i].line, f.modprobe[i].line);
    }
    ck_assert(g.alias_lookup);
    ck_assert_str_eq(fdev(&g, "01:00.0")->native[0], "nouveau");
    ck_assert_uint_eq(g.nvms, 3);
    ck_assert_str_eq(g.vms[1].machine, "pc-i440fx-8.1");
    ck_assert_uint_eq(g.vms[0].hostpci[0].func, PCI_FUNC_ALL);
    unlink(path);

    /* a version 1 snapshot (none of it) reads, with nothing known */
    const char *v1 = "passc-facts: 1\nhost: {iommu: true}\ndevices: []\n";
    struct source *src = source_from_text(a, "v1.yaml", v1, strlen(v1));
    diag_init(&d, a);
    ck_assert_int_eq(facts_read_yaml_source(a, src, &g, &d), 0);
    ck_assert(!g.modprobe_known && !g.vms_known && !g.alias_lookup);
    ck_assert_uint_eq(d.n[SEV_WARNING], 0);
    /* version 3 is refused */
    const char *v3 = "passc-facts: 3\nhost: {iommu: true}\ndevices: []\n";
    src = source_from_text(a, "v3.yaml", v3, strlen(v3));
    diag_init(&d, a);
    ck_assert_int_eq(facts_read_yaml_source(a, src, &g, &d), -1);
    arena_free(a);
}
END_TEST

/* The spec of tests/lint/cases/hostconf.pass, built in C. */
static const char spec_text[] =
    "host \"h\" {\n    bind ids\n}\nvm 110 \"games\" {\n    machine q35\n    bios ovmf\n"
    "    gpu 01:00.0 10de:1b80 {\n        audio 01:00.1 10de:10f0\n    }\n}\n"
    "vm 120 \"usb\" {\n    usb 00:14.0 8086:a2af\n}\n";

static struct lt *spec_on(const char *host)
{
    struct lt *t = lt_new("hostconf.pass", spec_text);
    struct m_vm *vm = lt_vm(t, 110, "win10", "vm 110");
    vm->bios = "ovmf";
    vm->machine_loc = lt_loc(t, "machine q35", 0);
    lt_dev(t, vm, DEV_GPU, "01:00.0", "10de:1b80");
    lt_dev(t, vm, DEV_AUDIO, "01:00.1", "10de:10f0");
    struct m_vm *usb = lt_vm(t, 120, NULL, "vm 120");
    usb->machine = NULL;
    usb->q35 = false;
    lt_dev(t, usb, DEV_USB, "00:14.0", "8086:a2af");
    read_host(t->a, host, &t->f);
    lt_run(t);
    return t;
}

START_TEST(hostconf_rules_fire)
{
    struct lt *t = spec_on("hostconf");
    static const char *const fire[] = {"P050", "P051", "P052", "P053", "P054",
                                       "P055", "P056", "P057", "P058", "P059"};
    for (size_t i = 0; i < sizeof fire / sizeof fire[0]; i++)
        ck_assert_msg(lt_count(t, fire[i]) > 0, "%s did not fire", fire[i]);
    const struct diag *d = lt_get(t, "P050");
    ck_assert_int_eq(d->sev, SEV_ERROR);
    ck_assert_ptr_eq(d->loc.src, t->src);
    ck_assert(lt_notes_have(d, "/etc/modprobe.d/zz-local.conf:2"));
    ck_assert(lt_notes_have(lt_get(t, "P052"), "/etc/modprobe.d/aa-bind.conf:1"));
    ck_assert(lt_notes_have(lt_get(t, "P054"), "/etc/modprobe.d/nvidia.conf:1"));
    ck_assert_ptr_nonnull(strstr(lt_get(t, "P053")->msg, "10de:1111"));
    /* the GPU's native driver is known though no driver is bound: the
     * audio function alone gets P055 */
    ck_assert_uint_eq(lt_count(t, "P055"), 1);
    ck_assert_ptr_nonnull(strstr(lt_get(t, "P058")->fix, "qm set 110 --efidisk0"));
    ck_assert_int_eq(lt_get(t, "P057")->sev, SEV_ERROR);
    /* VM 100 (outside the spec) on both GPU lines; VM 120 at boot */
    ck_assert_uint_eq(lt_count(t, "P056"), 3);
    ck_assert(lt_has_softdep(t, "nouveau"));
    lt_free(t);
}
END_TEST

START_TEST(hostconf_rules_quiet_when_config_agrees)
{
    struct lt *t = spec_on("hostconf-ok");
    for (int r = 50; r <= 59; r++) {
        char id[8];
        snprintf(id, sizeof id, "P0%d", r);
        ck_assert_msg(lt_count(t, id) == 0, "%s fired", id);
    }
    /* softdeps from the modalias, no driver bound to either function */
    ck_assert(lt_has_softdep(t, "nouveau"));
    ck_assert(lt_has_softdep(t, "snd_hda_intel"));
    lt_free(t);
}
END_TEST

START_TEST(hostconf_rules_need_their_facts)
{
    /* hand-built facts without modprobe / VMs (an older snapshot): silent */
    struct lt *t = lt_new("x.pass", spec_text);
    struct m_vm *vm = lt_vm(t, 110, "win10", "vm 110");
    vm->bios = "ovmf";
    lt_dev(t, vm, DEV_GPU, "01:00.0", "10de:1b80");
    lt_fdev(t, "01:00.0", "10de:1b80", 0x030000, 1);
    lt_run(t);
    for (int r = 50; r <= 59; r++) {
        char id[8];
        snprintf(id, sizeof id, "P0%d", r);
        ck_assert_msg(lt_count(t, id) == 0, "%s fired", id);
    }
    lt_free(t);
}
END_TEST

Suite *suite_hostconf(void)
{
    Suite *s = suite_create("hostconf");
    TCase *tc = tcase_create("hostconf");
    tcase_add_test(tc, kmod_config_with_files_and_lines);
    tcase_add_test(tc, kmod_no_config_is_empty);
    tcase_add_test(tc, modalias_names_native_driver_without_binding);
    tcase_add_test(tc, vm_configs_read);
    tcase_add_test(tc, snapshot_round_trip_and_version_1_still_reads);
    tcase_add_test(tc, hostconf_rules_fire);
    tcase_add_test(tc, hostconf_rules_quiet_when_config_agrees);
    tcase_add_test(tc, hostconf_rules_need_their_facts);
    suite_add_tcase(s, tc);
    return s;
}
