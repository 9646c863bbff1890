/* resolve: the model of VM 102, defaults, slots, and P002-P004. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "fe_test.h"
#include "mapping.h"

START_TEST(resolve_vm102_model)
{
    struct fe_run r;
    fe_run_vm102(&r, 2);
    ck_assert_uint_eq(r.d.n[SEV_ERROR] + r.d.n[SEV_WARNING], 0);
    const struct model *m = r.m;
    ck_assert(m->has_host);
    ck_assert_str_eq(m->host.name, "pve");
    ck_assert_str_eq(m->host.board, "ASUS ProArt X870E-CREATOR WIFI");
    ck_assert_int_eq(m->host.iommu, IOMMU_REQUIRED);
    ck_assert_int_eq(m->host.bind, BIND_IDS);
    ck_assert_str_eq(m->host.zfs_dataset, "rpool/ROOT/pve-1");
    ck_assert_str_eq(m->host.facts_path, "hosts/x870e-creator.yaml");
    ck_assert_ptr_nonnull(m->host.facts_loc.src);
    ck_assert_uint_eq(m->nvms, 1);
    const struct m_vm *vm = m->vms[0];
    ck_assert_uint_eq(vm->vmid, 102);
    ck_assert_str_eq(vm->name, "win-server-2025");
    ck_assert_str_eq(vm->ostype, "win11");
    ck_assert_str_eq(vm->machine, "q35");
    ck_assert(vm->q35);
    ck_assert_str_eq(vm->bios, "ovmf");
    ck_assert_str_eq(vm->cpu, "host");
    ck_assert_uint_eq(vm->cores, 24);
    ck_assert_uint_eq(vm->memory_mib, 98304);
    ck_assert_int_eq(vm->numa, TRI_ON);
    ck_assert_ptr_null(vm->vga);
    ck_assert_uint_eq(vm->ndevs, 6);
    static const char *addrs[] = {"0000:02:00.0", "0000:02:00.1", "0000:77:00.0",
                                  "0000:78:00.0", "0000:79:00.3", "0000:79:00.4"};
    static const enum dev_kind kinds[] = {DEV_GPU, DEV_AUDIO, DEV_USB, DEV_USB4,
                                          DEV_USB, DEV_USB};
    char buf[24];
    for (size_t i = 0; i < 6; i++) {
        const struct m_device *d = vm->devs[i];
        ck_assert_str_eq(pci_addr_format(&d->addr, buf), addrs[i]);
        ck_assert_int_eq(d->kind, kinds[i]);
        ck_assert_int_eq(d->slot, (int)i);
        ck_assert(d->pcie);
        ck_assert(!d->folded);
        ck_assert(d->has_id);
        ck_assert_ptr_eq(d->vm, vm);
        ck_assert_ptr_nonnull(d->loc.src);
        ck_assert_ptr_nonnull(d->addr_loc.src);
    }
    ck_assert(vm->devs[0]->primary);
    ck_assert_ptr_eq(vm->devs[1]->parent, vm->devs[0]);
    ck_assert_uint_eq(vm->devs[3]->ntunnels, 2);
    ck_assert_str_eq(pci_addr_format(&vm->devs[3]->tunnels[1].addr, buf), "0000:79:00.4");
    ck_assert_str_eq(vm->devs[3]->guest_driver,
                     "ASMedia USB4 Windows driver 1.0.0.0 or later");
    fe_done(&r);
}
END_TEST

#define HOST "host { bind ids }\n"

START_TEST(resolve_slots_pinned_first_and_folding)
{
    struct fe_run r;
    fe_run(&r, HOST "vm 100 {\n machine pc-i440fx-8.1\n"
                    " pci 01:00.0 1111:0001\n"
                    " gpu 02:00.0 10de:2783 { all-functions; pcie on\n audio 02:00.1 10de:22bc }\n"
                    " nic 03:00.0 8086:1533 { slot 0 }\n"
                    " usb 04:00.0 1022:15b6 { slot 2 }\n"
                    " nvme 05:00.0 144d:a80a\n}\n", 2);
    const struct m_vm *vm = r.m->vms[0];
    ck_assert(!vm->q35);
    ck_assert_uint_eq(vm->ndevs, 6);
    ck_assert_int_eq(vm->devs[0]->slot, 1);   /* 0 is pinned by the nic */
    ck_assert_int_eq(vm->devs[1]->slot, 3);   /* 2 is pinned by the usb */
    ck_assert(vm->devs[1]->all_functions);
    ck_assert(vm->devs[1]->pcie);             /* explicit */
    ck_assert(vm->devs[2]->folded);
    ck_assert_int_eq(vm->devs[2]->slot, 3);
    ck_assert_int_eq(vm->devs[3]->slot, 0);
    ck_assert_int_eq(vm->devs[4]->slot, 2);
    ck_assert_int_eq(vm->devs[5]->slot, 4);
    ck_assert(!vm->devs[5]->pcie);            /* i440fx default */
    ck_assert(!vm->devs[0]->pcie);
    fe_done(&r);
}
END_TEST

static const struct {
    const char *memory;
    unsigned long long mib;
} memories[] = {
    {"96 GiB", 98304}, {"96 G", 98304}, {"512", 512}, {"512 MiB", 512},
    {"2 TiB", 2097152}, {"1 T", 1048576}, {"16 M", 16},
};

START_TEST(resolve_memory_units)
{
    struct fe_run r;
    char text[128];
    snprintf(text, sizeof text, HOST "vm 100 { memory %s }\n", memories[_i].memory);
    fe_run(&r, text, 2);
    ck_assert_uint_eq(r.d.n[SEV_ERROR], 0);
    ck_assert_uint_eq(r.m->vms[0]->memory_mib, memories[_i].mib);
    fe_done(&r);
}
END_TEST

/* One bad item each: the rule, where it points, and a piece of the
 * message that says why. */
static const struct {
    const char *spec;
    const char *rule;
    const char *where;
    const char *says;
} bad[] = {
    {HOST "vm 100 { coress 4 }", "P002", "2:10", "did you mean 'cores'"},
    {HOST "vm 100 { cores 0 }", "P002", "2:16", "out of range (1 to 1024)"},
    {HOST "vm 100 { cores 1025 }", "P002", "2:16", "out of range"},
    {HOST "vm 100 { cores many }", "P002", "2:16", "needs a number"},
    {HOST "vm 100 { memory 8 }", "P002", "2:17", "at least 16 MiB"},
    {HOST "vm 100 { memory 8 GB }", "P002", "2:19", "unknown memory unit 'GB'"},
    {HOST "vm 100 { memory 99999999 TiB }", "P002", "2:17", "out of range"},
    {HOST "vm 100 { os win12 }", "P002", "2:13", "did you mean 'win10'"},
    {HOST "vm 100 { bios uefi }", "P002", "2:15", "bad bios 'uefi'"},
    {HOST "vm 100 { numa yes }", "P002", "2:15", "bad numa 'yes'"},
    {HOST "vm 100 { machine pc-q35 }", "P002", "2:18", "bad machine type"},
    {HOST "vm 100 { machine i440fx }", "P002", "2:18", "bad machine type"},
    {HOST "vm 100 { vga vgа }", "P001", "2:16", "unexpected character"},
    {HOST "vm 100 { gpu 01:00.0 { slot 16 } }", "P002", "2:29", "slot 16 is out of range (0 to 15)"},
    {HOST "vm 100 { usb 01:00.0 { audio 01:00.1 } }", "P002", "2:24", "'audio' nests only in a gpu"},
    {HOST "vm 100 { gpu 02:00.0 { audio 03:00.1 } }", "P002", "2:30", "is not a function of gpu 0000:02:00.0"},
    {HOST "vm 100 { audio 01:00.1 }", "P002", "2:10", "nest it in the gpu's block"},
    {HOST "vm 100 { usb 01:00.0 { tunnels 02:00.0 } }", "P002", "2:24", "only for usb4"},
    {HOST "vm 100 { cores 2; cores 4 }", "P002", "2:19", "duplicate 'cores'"},
    {HOST "vm 100 { board \"x\" }", "P002", "2:10", "host setting"},
    {HOST "vm 100 { gpu 01:00.0 { usb 02:00.0 } }", "P002", "2:24", "devices cannot nest"},
    {HOST "vm 100 { gpu 01:00.0 { primary on } }", "P002", "2:32", "takes no value"},
    {HOST "vm 100 { cores 2 { } }", "P002", "2:10", "takes no { } block"},
    {HOST "vm 100 { }\nvm 100 { }", "P002", "3:4", "duplicate VM id 100"},
    {HOST "vm 99 { }", "P002", "2:4", "bad VM id '99'"},
    {HOST "vm { }", "P002", "2:1", "needs its Proxmox VM id"},
    {"vm 100 { }", "P002", "1:1", "no host block"},
    {HOST "host { }", "P002", "2:1", "second host block"},
    {HOST "hots { }", "P002", "2:1", "did you mean 'host'"},
    /* cluster specs (issue 17) */
    {"host \"a1\" { }\nhost \"a1\" { }", "P002", "2:6", "duplicate host 'a1'"},
    {"host \"a1\" { }\nhost \"b1\" { }\nvm 100 { gpu mapping \"m2\" }", "P002", "3:22", "no mapping named 'm2'"},
    {HOST "mapping \"m1\" { node \"a1\" 01:00.0 }", "P002", "2:16", "a mapping entry is"},
    {HOST "mapping \"m1\" { node \"a1\" 01:00.0 10de:2783 colour 3 }", "P002", "2:44", "unexpected 'colour'"},
    {HOST "mapping \"m1\" { node \"a1\" 01:00.0 10de:278x }", "P004", "2:34", "bad vendor:device id"},
    {HOST "mapping \"m1\" { node \"a1\" 01:00.0 10de:2783 }\nmapping \"M1\" { node \"a1\" 01:00.0 10de:2783 }", "P002", "3:1", "duplicate mapping"},
    {"host \"a1\" { }\nhost \"b1\" { }\nvm 100 { node \"c1\" }", "P002", "3:15", "no host block names node 'c1'"},
    {"host \"a1\" { }\nvm 100 { node \"-x\" }", "P002", "2:15", "bad node name '-x'"},
    {"host \"a1\" { }\nvm 100 { node a1 }", "P002", "2:15", "quoted string"},
    {"host { iommu maybe }", "P002", "1:14", "bad iommu"},
    {"host { bind all }", "P002", "1:13", "bad bind"},
    {"host { snapshot btrfs \"x\" }", "P002", "1:17", "only zfs"},
    {"host { facts hosts.yaml }", "P002", "1:14", "quoted string"},
    {"host { cores 4 }", "P002", "1:8", "belongs directly in a vm block"},
    {HOST "vm 100 { gpu 02:20.0 }", "P003", "2:14", "slot 20 is above 1f"},
    {HOST "vm 100 { gpu 100:00.0 }", "P003", "2:14", "bus 100 is above ff"},
    {HOST "vm 100 { gpu 02:00.8 }", "P003", "2:14", "function 8 is above 7"},
    {HOST "vm 100 { gpu 02:00 }", "P003", "2:14", "expected a function"},
    {HOST "vm 100 { gpu 000:02:00.0 }", "P003", "2:14", "domain must be"},
    {HOST "vm 100 { gpu gpu0 }", "P003", "2:14", "expected a PCI address"},
    {HOST "vm 100 { usb4 01:00.0 { tunnels 02:00.9 } }", "P003", "2:33", "function 9 is above 7"},
    {HOST "vm 100 { gpu 02:00.0 10de:278 }", "P004", "2:22", "device id must be 4 hex digits"},
    {HOST "vm 100 { gpu 02:00.0 10de2783 }", "P004", "2:22", "bad vendor:device id"},
    {HOST "vm 100 { gpu 02:00.0 xyzw:2783 }", "P004", "2:22", "bad vendor:device id"},
    {HOST "vm 100 { gpu 02:00.0 { vendor-id 10de } }", "P004", "2:34", "write 0x"},
    {HOST "vm 100 { gpu 02:00.0 { device-id 0x27g3 } }", "P004", "2:34", "write 0x"},
};

/* One node's view of a cluster spec: its host block, the VMs living there
 * with their address devices, and every VM that may start there with each
 * mapped slot as the devices of that node's entries (issue 17). */
START_TEST(resolve_node_views)
{
    struct fe_run r;
    fe_run(&r, "host \"a1\" { }\nhost \"b1\" { bind start }\n"
               "mapping \"vf\" { node \"a1\" 03:02.0 8086:154c\n"
               "  node \"a1\" 03:02.1 8086:154c\n  node \"b1\" 04:02.0 04:02.1 8086:154c }\n"
               "vm 100 { machine q35; nic mapping \"vf\" }\n"
               "vm 101 { node \"b1\"; gpu 01:00.0 10de:2783; nic mapping \"vf\" }\n"
               "vm 102 { gpu 05:00.0 10de:2783 }\n", 3);
    ck_assert_uint_eq(r.d.n[SEV_ERROR], 0);
    const struct model *m = r.m;
    ck_assert_uint_eq(mapping_vm_home(m, m->vms[1]), 1);
    struct model *a1 = mapping_node_view(r.a, m, 0);
    struct model *b1 = mapping_node_view(r.a, m, 1);
    ck_assert_str_eq(a1->host.name, "a1");
    ck_assert_str_eq(b1->host.name, "b1");
    ck_assert_int_eq(b1->host.bind, BIND_START);
    /* a1: VM 100 (two alternatives), VM 102; VM 101 has an address slot
     * and lives on b1, so it never starts on a1 */
    ck_assert_uint_eq(a1->nvms, 2);
    ck_assert_uint_eq(a1->vms[0]->vmid, 100);
    ck_assert_uint_eq(a1->vms[0]->ndevs, 2);
    ck_assert(a1->vms[0]->devs[0]->entry && a1->vms[0]->devs[0]->has_id);
    ck_assert_ptr_eq(a1->vms[0]->devs[0]->vm, a1->vms[0]);
    ck_assert(!a1->vms[0]->elsewhere);
    ck_assert_uint_eq(a1->vms[1]->vmid, 102);
    /* b1: VM 100 lives on a1 but may start here (elsewhere), VM 101 lives
     * here: its address gpu and both functions of its joined entry */
    ck_assert_uint_eq(b1->nvms, 2);
    ck_assert(b1->vms[0]->elsewhere);
    ck_assert_uint_eq(b1->vms[0]->ndevs, 2);
    ck_assert(!b1->vms[1]->elsewhere);
    ck_assert_uint_eq(b1->vms[1]->ndevs, 3);
    ck_assert(!b1->vms[1]->devs[0]->entry);
    ck_assert_uint_eq(b1->vms[1]->devs[2]->addr.func, 1);
    /* the spec itself is unchanged */
    ck_assert_uint_eq(m->vms[0]->ndevs, 0);
    ck_assert_uint_eq(m->vms[0]->nmapped, 1);
    /* one host block, no mapping: the view is the spec */
    struct fe_run one;
    fe_run(&one, HOST "vm 100 { gpu 01:00.0 }", 2);
    ck_assert_ptr_eq(mapping_node_view(one.a, one.m, 0), one.m);
    fe_done(&one);
    fe_done(&r);
}
END_TEST

START_TEST(resolve_bad_values)
{
    struct fe_run r;
    fe_run(&r, bad[_i].spec, 2);
    const struct diag *d = fe_first(&r, bad[_i].rule);
    ck_assert_msg(d != NULL, "case %d: no %s", _i, bad[_i].rule);
    ck_assert_str_eq(fe_where(r.a, d), bad[_i].where);
    ck_assert_msg(strstr(d->msg, bad[_i].says), "case %d: message '%s'", _i, d->msg);
    fe_done(&r);
}
END_TEST

/* The same shapes written right give no error. */
static const char *good[] = {
    HOST "vm 100 { cores 1; memory 16; os l26; bios seabios; numa off }",
    HOST "vm 100 { machine pc-q35-9.2+pve1; vga virtio-gl; balloon off }",
    HOST "vm 100 { machine pc-i440fx-8.1 }",
    HOST "vm 100 { machine pc }",
    HOST "vm 100 { gpu 0000:02:00.0 10DE:2783 { slot 15; vendor-id 0x10DE; rombar off; romfile \"a.rom\" } }",
    HOST "vm 100 { usb4 01:00.0 { tunnels 10000:02:00.0 } ; usb 10000:02:00.0 }",
    "host \"x\" { iommu optional; bind start; snapshot zfs \"rpool/ROOT/pve-1\" }",
    HOST "vm 999999999 { }",
};

START_TEST(resolve_good_values)
{
    struct fe_run r;
    fe_run(&r, good[_i], 2);
    for (const struct diag *d = r.d.head; d; d = d->next)
        ck_abort_msg("case %d: unexpected %s: %s", _i, d->rule, d->msg);
    ck_assert_uint_eq(r.m->nvms, strstr(good[_i], "vm ") ? 1 : 0);
    fe_done(&r);
}
END_TEST

Suite *suite_resolve(void)
{
    Suite *s = suite_create("resolve");
    TCase *tc = tcase_create("resolve");
    tcase_add_test(tc, resolve_vm102_model);
    tcase_add_test(tc, resolve_node_views);
    tcase_add_test(tc, resolve_slots_pinned_first_and_folding);
    tcase_add_loop_test(tc, resolve_memory_units, 0, sizeof memories / sizeof memories[0]);
    tcase_add_loop_test(tc, resolve_bad_values, 0, sizeof bad / sizeof bad[0]);
    tcase_add_loop_test(tc, resolve_good_values, 0, sizeof good / sizeof good[0]);
    suite_add_tcase(s, tc);
    return s;
}
