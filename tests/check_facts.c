/* Facts: the snapshot round trip, hostile snapshots, lookup, and the facts
 * the sysfs reader finds on the generated fixture hosts (PASSC_FIXTURES,
 * from tests/mkhost --all). */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "diag.h"
#include "facts.h"
#include "facts_impl.h"
#include "pci_addr.h"
#include "sysfs_util.h"

static struct pci_addr A(const char *s)
{
    struct pci_addr a;
    const char *why;
    ck_assert_msg(pci_addr_parse(s, false, &a, &why) == 0, "bad address %s", s);
    return a;
}

static char *tmp_write(const char *text)
{
    static const char tmpl[] = "/tmp/check_facts.XXXXXX";
    char *path = malloc(sizeof tmpl);
    memcpy(path, tmpl, sizeof tmpl);
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

/* Whole snapshot text of f. */
static char *write_text(const struct facts *f)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(facts_write_yaml(f, m), 0);
    fclose(m);
    return buf;
}

START_TEST(host_use_names_round_trip)
{
    for (unsigned i = 0; i < HOST_USE_COUNT; i++) {
        unsigned b = 99;
        ck_assert_ptr_nonnull(host_use_name(i));
        ck_assert_int_eq(host_use_parse(host_use_name(i), &b), 0);
        ck_assert_uint_eq(b, i);
    }
    ck_assert_ptr_null(host_use_name(HOST_USE_COUNT));
    unsigned b;
    ck_assert_int_eq(host_use_parse("keyboard", &b), 0);
    ck_assert_uint_eq(1u << b, USE_KEYBOARD);
    ck_assert_int_eq(host_use_parse("Keyboard", &b), -1);
    ck_assert_str_eq(mod_state_name(MOD_BUILTIN), "builtin");
    ck_assert_str_eq(mod_state_name((enum mod_state)42), "unknown");
}
END_TEST

START_TEST(find_is_binary_search_on_sorted_devices)
{
    arena *a = arena_new();
    static const char *const addrs[] = {"0000:79:00.4", "0000:02:00.0", "0001:00:00.0",
                                        "0000:79:00.3", "0000:02:00.1", "0000:00:00.0"};
    struct facts f = {0};
    f.ndevs = 6;
    f.devs = arena_calloc(a, 6, sizeof *f.devs);
    for (size_t i = 0; i < 6; i++)
        f.devs[i].addr = A(addrs[i]);
    facts_sort(&f);
    for (size_t i = 1; i < 6; i++)
        ck_assert_int_lt(pci_addr_cmp(&f.devs[i - 1].addr, &f.devs[i].addr), 0);
    for (size_t i = 0; i < 6; i++) {
        struct pci_addr x = A(addrs[i]);
        const struct facts_device *d = facts_find(&f, &x);
        ck_assert_ptr_nonnull(d);
        ck_assert(pci_addr_eq(&d->addr, &x));
    }
    struct pci_addr miss = A("0000:79:00.5");
    ck_assert_ptr_null(facts_find(&f, &miss));
    struct facts empty = {0};
    ck_assert_ptr_null(facts_find(&empty, &miss));
    arena_free(a);
}
END_TEST

START_TEST(snapshot_round_trip_keeps_every_field)
{
    arena *a = arena_new();
    struct facts f = {0};
    f.hostname = "pve";
    f.kernel_release = "6.8.12-4-pve";
    f.cmdline = "quiet amd_iommu=on iommu=pt \"quoted\" tab\there";
    f.iommu_on = true;
    f.cpu_vendor = "AuthenticAMD";
    struct facts_module mods[] = {{"vfio_pci", MOD_BUILTIN}, {"nvidia", MOD_ABSENT},
                                  {"xhci_pci", MOD_MODULE}, {"xe", MOD_UNKNOWN}};
    f.modules = mods;
    f.nmodules = 4;
    facts_sort(&f);
    struct facts_device devs[2];
    memset(devs, 0, sizeof devs);
    devs[0].addr = A("0000:78:00.0");
    devs[0].id = (struct pci_id){0x1b21, 0x2425};
    devs[0].subsys = (struct pci_id){0x1043, 0x8877};
    devs[0].class_code = 0x0c0340;
    devs[0].revision = 0x01;
    devs[0].vendor_name = "ASMedia Technology Inc.";
    devs[0].device_name = "ASM4242 USB4 — router 10:20";
    devs[0].driver = "vfio-pci";
    devs[0].iommu_group = 25;
    devs[0].reset_methods = "pm bus";
    devs[0].boot_vga = -1;
    devs[0].numa_node = 1;
    devs[0].has_parent = true;
    devs[0].parent = A("0000:12:03.0");
    struct pci_addr cons[] = {A("0000:79:00.3"), A("0000:79:00.4")};
    devs[0].consumers = cons;
    devs[0].nconsumers = 2;
    devs[0].uses = USE_KEYBOARD | USE_ROOT_DISK;
    devs[0].use_detail = "keyboard: x; root-disk: y";
    devs[1].addr = A("0000:79:00.0");
    devs[1].class_code = 0x030000;
    devs[1].iommu_group = -1;
    devs[1].reset_methods = "";
    devs[1].boot_vga = 1;
    devs[1].numa_node = -1;
    devs[1].is_bridge = false;
    f.devs = devs;
    f.ndevs = 2;

    char *first = write_text(&f);
    char *path = tmp_write(first);
    struct diag_list d;
    diag_init(&d, a);
    struct facts g;
    ck_assert_int_eq(facts_read_yaml(a, path, &g, &d), 0);
    ck_assert_uint_eq(d.n[SEV_ERROR] + d.n[SEV_WARNING], 0);
    ck_assert_str_eq(g.cmdline, f.cmdline);
    ck_assert(g.iommu_on);
    ck_assert_int_eq(facts_module_state(&g, "vfio_pci"), MOD_BUILTIN);
    ck_assert_int_eq(facts_module_state(&g, "nvidia"), MOD_ABSENT);
    ck_assert_int_eq(facts_module_state(&g, "not-listed"), MOD_UNKNOWN);
    ck_assert_uint_eq(g.ndevs, 2);
    const struct facts_device *r = facts_find(&g, &devs[0].addr);
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq(r->class_code, 0x0c0340);
    ck_assert_uint_eq(r->subsys.device, 0x8877);
    ck_assert_str_eq(r->device_name, devs[0].device_name);
    ck_assert_int_eq(r->iommu_group, 25);
    ck_assert_int_eq(r->numa_node, 1);
    ck_assert_int_eq(r->boot_vga, -1);
    ck_assert(r->has_parent && pci_addr_eq(&r->parent, &devs[0].parent));
    ck_assert_uint_eq(r->nconsumers, 2);
    ck_assert_uint_eq(r->nsuppliers, 0);
    ck_assert_uint_eq(r->uses, USE_KEYBOARD | USE_ROOT_DISK);
    const struct facts_device *igpu = facts_find(&g, &devs[1].addr);
    ck_assert_str_eq(igpu->reset_methods, "");
    ck_assert_ptr_null(igpu->driver);
    ck_assert_ptr_null(igpu->vendor_name);
    ck_assert_int_eq(igpu->boot_vga, 1);
    ck_assert_int_eq(igpu->iommu_group, -1);
    char *second = write_text(&g);
    ck_assert_str_eq(first, second);
    unlink(path);
    free(path);
    free(first);
    free(second);
    arena_free(a);
}
END_TEST

START_TEST(writer_replaces_invalid_utf8)
{
    struct facts f = {0};
    f.hostname = "bad\xff\xfe name \xc3\xa9";
    char *text = write_text(&f);
    ck_assert_ptr_nonnull(strstr(text, "hostname: \"bad?? name \xc3\xa9\""));
    free(text);
}
END_TEST

/* Hostile or broken snapshots: refused as a whole, error at a line. */
static const struct {
    const char *yaml;
    unsigned line;
    const char *says;
} hostile[] = {
    {"passc-facts: 3\nhost: {iommu: true}\ndevices: []\n", 1, "version 3"},
    /* version 2: the host's own configuration */
    {"passc-facts: 2\nhost: {iommu: true}\ndevices:\n  - {address: \"0000:02:00.0\", id: \"10de:2783\", class: \"030000\", native: [\"nouveau pre: evil\"]}\n", 4, "not a kernel driver name"},
    {"passc-facts: 2\nhost: {iommu: true}\ndevices: []\nmodprobe:\n  - {kind: alias, module: x}\n", 5, "modprobe kind"},
    {"passc-facts: 2\nhost: {iommu: true}\ndevices: []\nmodprobe:\n  - {kind: options}\n", 5, "lacks 'module'"},
    {"passc-facts: 2\nhost: {iommu: true}\ndevices: []\nvms:\n  - {vmid: 110}\n  - {vmid: 100}\n", 6, "out of order"},
    {"passc-facts: 2\nhost: {iommu: true}\ndevices: []\nvms:\n  - {vmid: 100, hostpci: [\"zz\"]}\n", 5, "not a PCI address"},
    {"passc-facts: one\nhost: {iommu: true}\ndevices: []\n", 1, "whole number"},
    {"host: {iommu: true}\ndevices: []\n", 1, "first key must be 'passc-facts"},
    {"passc-facts: 1\ndevices: []\n", 1, "lacks 'host'"},
    {"passc-facts: 1\nhost: {}\ndevices: []\n", 2, "iommu"},
    {"passc-facts: 1\nhost: [1]\ndevices: []\n", 2, "must be a mapping"},
    {"passc-facts: 1\nhost: &x {iommu: true}\ndevices: *x\n", 3, "aliases"},
    {"passc-facts: 1\nhost: {iommu: true}\ndevices:\n  - {address: \"0000:02:00.0\", id: \"10de:2783\"}\n", 4, "lacks 'class'"},
    {"passc-facts: 1\nhost: {iommu: true}\ndevices:\n  - {address: \"0000:02:00.0\", id: \"10de:2783\", class: \"0300\"}\n", 4, "6 hex digits"},
    {"passc-facts: 1\nhost: {iommu: true}\ndevices:\n  - {address: \"0000:02:00.0\", id: \"10de:2783\", class: \"030000\", iommu-group: -3}\n", 4, "whole number"},
    {"passc-facts: 1\nhost: {iommu: true}\ndevices:\n  - {address: \"0000:02:00.0\", id: \"10de:2783\", class: \"030000\", uses: root-disk}\n", 4, "must be a list"},
    {"passc-facts: 1\nhost: {iommu: true}\ndevices:\n  - {address: \"0000:02:00.0\", id: \"10de:2783\", class: \"030000\", consumers: [\"79:00.3x\"]}\n", 4, "not a PCI address"},
    {"passc-facts: 1\nhost: {iommu: true}\nmodules: {vfio_pci: maybe}\ndevices: []\n", 3, "state must be"},
    {"passc-facts: 1\nhost: {iommu: true}\ndevices: []\n---\npassc-facts: 1\n", 4, "second"},
    {"passc-facts: 1\nhost: {iommu: true}\ndevices: [\n", 4, "not valid YAML"},
    {"passc-facts: 1\nhost: {iommu: true}\n? [a, b]\n: c\ndevices: []\n", 3, "a key must be a value"},
    /* regression: a driver name reaches `softdep NAME pre: vfio-pci` */
    {"passc-facts: 1\nhost: {iommu: true}\ndevices:\n  - {address: \"0000:02:00.0\", id: \"10de:2783\", class: \"030000\", driver: \"nouveau pre: evil\"}\n", 4, "not a kernel driver name"},
    {"", 1, "empty snapshot"},
    /* regression: any file named as facts had its lines quoted */
    {"root:$6$secret:19000:0:99999:7:::\npassc-facts: 1\n", 1, "not a passc facts snapshot"},
    {"# comment\n\n---\nhost: {iommu: true}\npassc-facts: 1\n", 4, "first key must be"},
    {"\xff\xfe\x00garbage", 1, ""},
};

START_TEST(hostile_snapshot_is_refused)
{
    arena *a = arena_new();
    char *path = tmp_write(hostile[_i].yaml);
    struct diag_list d;
    diag_init(&d, a);
    struct facts f;
    ck_assert_int_eq(facts_read_yaml(a, path, &f, &d), -1);
    ck_assert_uint_ge(d.n[SEV_ERROR], 1);
    const struct diag *e = d.head;
    while (e && e->sev != SEV_ERROR)
        e = e->next;
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->rule, "F001");
    ck_assert_ptr_nonnull(e->loc.src);
    unsigned line, col;
    source_line_col(e->loc.src, e->loc.start, &line, &col);
    ck_assert_msg(line == hostile[_i].line, "case %d: line %u, want %u (%s)", _i, line,
                  hostile[_i].line, e->msg);
    ck_assert_msg(strstr(e->msg, hostile[_i].says), "case %d: '%s' lacks '%s'", _i,
                  e->msg, hostile[_i].says);
    ck_assert_uint_eq(f.ndevs, 0);
    unlink(path);
    free(path);
    arena_free(a);
}
END_TEST

START_TEST(deep_nesting_and_long_scalars_are_bounded)
{
    arena *a = arena_new();
    size_t depth = 100000;
    char *text = malloc(2 * depth + 64);
    strcpy(text, "passc-facts: 1\nhost: ");
    size_t n = strlen(text);
    memset(text + n, '[', depth);
    text[n + depth] = '\0';
    char *path = tmp_write(text);
    struct diag_list d;
    diag_init(&d, a);
    struct facts f;
    ck_assert_int_eq(facts_read_yaml(a, path, &f, &d), -1);
    ck_assert_ptr_nonnull(strstr(d.head->msg, "nested deeper"));
    unlink(path);
    free(path);
    free(text);

    size_t big = 200000;
    text = malloc(big + 128);
    strcpy(text, "passc-facts: 1\nhost: {iommu: true, hostname: ");
    n = strlen(text);
    memset(text + n, 'x', big);
    strcpy(text + n + big, "}\ndevices: []\n");
    path = tmp_write(text);
    diag_init(&d, a);
    ck_assert_int_eq(facts_read_yaml(a, path, &f, &d), -1);
    ck_assert_ptr_nonnull(strstr(d.head->msg, "longer than"));
    unlink(path);
    free(path);
    free(text);
    arena_free(a);
}
END_TEST

START_TEST(unknown_keys_warn_but_read)
{
    arena *a = arena_new();
    char *path = tmp_write("# a comment header\npassc-facts: 1\nfuture: 3\n"
                           "host: {iommu: false}\ndevices:\n"
                           "  - {address: \"0000:02:00.0\", id: \"10de:2783\", "
                           "class: \"030000\", colour: blue}\n");
    struct diag_list d;
    diag_init(&d, a);
    struct facts f;
    ck_assert_int_eq(facts_read_yaml(a, path, &f, &d), 0);
    ck_assert_uint_eq(d.n[SEV_WARNING], 2);
    ck_assert_uint_eq(d.n[SEV_ERROR], 0);
    ck_assert(!f.iommu_on);
    ck_assert_uint_eq(f.ndevs, 1);
    /* absent keys are unknown, never a default presented as fact */
    ck_assert_int_eq(f.devs[0].iommu_group, -1);
    ck_assert_int_eq(f.devs[0].boot_vga, -1);
    ck_assert_ptr_null(f.devs[0].reset_methods);
    ck_assert(f.devs[0].subsys_unknown && f.devs[0].revision_unknown);
    ck_assert_ptr_null(f.hostname);
    unlink(path);
    free(path);
    arena_free(a);
}
END_TEST

/* --- the sysfs reader on the fixture hosts ------------------------- */

static int read_fixture(arena *a, const char *host, struct facts *f,
                        struct diag_list *d)
{
    const char *fx = getenv("PASSC_FIXTURES");
    const char *src = getenv("PASSC_SRCDIR");
    ck_assert_msg(fx && src, "PASSC_FIXTURES and PASSC_SRCDIR must be set");
    diag_init(d, a);
    return facts_read_sysfs(a, arena_printf(a, "%s/%s", fx, host),
                            arena_printf(a, "%s/tests/ids/pci.ids", src), f, d);
}

static const struct facts_device *dev(const struct facts *f, const char *addr)
{
    struct pci_addr x = A(addr);
    const struct facts_device *d = facts_find(f, &x);
    ck_assert_msg(d != NULL, "%s not found", addr);
    return d;
}

START_TEST(seed_host_facts)
{
    arena *a = arena_new();
    struct facts f;
    struct diag_list d;
    ck_assert_int_eq(read_fixture(a, "x870e", &f, &d), 0);
    ck_assert_uint_eq(d.n[SEV_ERROR] + d.n[SEV_WARNING], 0);
    ck_assert(f.iommu_on);
    ck_assert_str_eq(f.cpu_vendor, "AuthenticAMD");
    ck_assert_ptr_nonnull(strstr(f.cmdline, "amd_iommu=on iommu=pt"));
    ck_assert_int_eq(facts_module_state(&f, "vfio_pci"), MOD_MODULE);
    ck_assert_int_eq(facts_module_state(&f, "xhci_pci"), MOD_MODULE);
    ck_assert_int_eq(facts_module_state(&f, "nvidia"), MOD_ABSENT);

    const struct facts_device *x = dev(&f, "77:00.0");
    ck_assert_int_eq(x->iommu_group, 24);
    ck_assert(x->has_parent);
    ck_assert(pci_addr_eq(&x->parent, &(struct pci_addr){0, 0x12, 2, 0}));
    ck_assert_int_eq(dev(&f, "12:02.0")->iommu_group, 24);
    ck_assert(dev(&f, "12:02.0")->is_bridge);
    const struct facts_device *r = dev(&f, "78:00.0");
    ck_assert_int_eq(r->iommu_group, 25);
    ck_assert_uint_eq(r->class_code, 0x0c0340);
    ck_assert_uint_eq(r->nconsumers, 2);
    ck_assert(pci_addr_eq(&r->consumers[0], &(struct pci_addr){0, 0x79, 0, 3}));
    ck_assert(pci_addr_eq(&r->consumers[1], &(struct pci_addr){0, 0x79, 0, 4}));
    ck_assert_uint_eq(dev(&f, "79:00.3")->nsuppliers, 1);
    ck_assert_str_eq(r->device_name, "ASM4242 USB4 / Thunderbolt 3 Host Router");
    ck_assert_str_eq(r->driver, "vfio-pci");
    ck_assert_str_eq(r->reset_methods, "pm bus");

    const struct facts_device *gpu = dev(&f, "02:00.0");
    ck_assert_uint_eq(gpu->id.vendor, 0x10de);
    ck_assert_uint_eq(gpu->id.device, 0x2783);
    ck_assert_int_eq(gpu->boot_vga, 0);
    ck_assert_uint_eq(gpu->uses, 0);
    ck_assert_uint_eq(dev(&f, "79:00.0")->uses, USE_CONSOLE);
    ck_assert_uint_eq(dev(&f, "0d:00.0")->uses, USE_KEYBOARD);
    ck_assert_uint_eq(dev(&f, "7a:00.0")->uses, 0);
    ck_assert_uint_eq(dev(&f, "01:00.0")->uses, USE_ROOT_DISK | USE_ZFS_POOL);
    ck_assert_uint_eq(dev(&f, "0a:00.0")->uses, USE_MGMT_NIC | USE_BRIDGE_PORT);
    ck_assert_uint_eq(dev(&f, "0b:00.0")->uses, 0);
    ck_assert_int_eq(dev(&f, "79:00.3")->numa_node, -1);
    arena_free(a);
}
END_TEST

START_TEST(consumer_gpu_shares_group_with_nic_and_sata)
{
    arena *a = arena_new();
    struct facts f;
    struct diag_list d;
    ck_assert_int_eq(read_fixture(a, "consumer", &f, &d), 0);
    int g = dev(&f, "01:00.0")->iommu_group;
    ck_assert_int_ge(g, 0);
    ck_assert_int_eq(dev(&f, "02:00.0")->iommu_group, g);
    ck_assert_int_eq(dev(&f, "00:17.0")->iommu_group, g);
    /* root and swap on LVM over sda3: followed through dm slaves */
    ck_assert_uint_eq(dev(&f, "00:17.0")->uses, USE_ROOT_DISK | USE_BOOT_DISK | USE_SWAP);
    ck_assert_uint_eq(dev(&f, "00:02.0")->uses, USE_CONSOLE);
    ck_assert_int_eq(facts_module_state(&f, "nvidia"), MOD_MODULE);
    arena_free(a);
}
END_TEST

START_TEST(iommu_off_host_has_no_groups)
{
    arena *a = arena_new();
    struct facts f;
    struct diag_list d;
    ck_assert_int_eq(read_fixture(a, "iommu-off", &f, &d), 0);
    ck_assert(!f.iommu_on);
    for (size_t i = 0; i < f.ndevs; i++)
        ck_assert_int_eq(f.devs[i].iommu_group, -1);
    ck_assert_uint_eq(dev(&f, "02:00.0")->uses, USE_ROOT_DISK | USE_BOOT_DISK | USE_SWAP);
    /* kernel 6.5 has reset_method: a device without it has no reset */
    ck_assert_str_eq(dev(&f, "00:01.1")->reset_methods, "");
    arena_free(a);
}
END_TEST

START_TEST(twin_xhci_only_one_carries_the_keyboard)
{
    arena *a = arena_new();
    struct facts f;
    struct diag_list d;
    ck_assert_int_eq(read_fixture(a, "twin-xhci", &f, &d), 0);
    const struct facts_device *x3 = dev(&f, "03:00.0"), *x4 = dev(&f, "04:00.0");
    ck_assert(pci_id_eq(&x3->id, &x4->id));
    ck_assert_uint_eq(x3->uses, 0);  /* a mass-storage device, not a keyboard */
    ck_assert_uint_eq(x4->uses, USE_KEYBOARD);
    ck_assert_int_eq(facts_module_state(&f, "vfio_pci"), MOD_BUILTIN);
    /* the bond under vmbr0 makes both NICs management NICs */
    ck_assert_uint_eq(dev(&f, "05:00.0")->uses, USE_MGMT_NIC | USE_BRIDGE_PORT);
    ck_assert_uint_eq(dev(&f, "06:00.0")->uses, USE_MGMT_NIC | USE_BRIDGE_PORT);
    arena_free(a);
}
END_TEST

START_TEST(thunderbolt_big_group)
{
    arena *a = arena_new();
    struct facts f;
    struct diag_list d;
    ck_assert_int_eq(read_fixture(a, "thunderbolt", &f, &d), 0);
    size_t in5 = 0;
    for (size_t i = 0; i < f.ndevs; i++)
        in5 += f.devs[i].iommu_group == 5;
    ck_assert_uint_eq(in5, 8);
    ck_assert_uint_eq(dev(&f, "00:0d.0")->nsuppliers, 2);
    ck_assert_uint_eq(dev(&f, "00:14.0")->uses, USE_KEYBOARD);
    ck_assert(pci_addr_eq(&dev(&f, "2c:00.0")->parent, &(struct pci_addr){0, 0, 7, 0}));
    arena_free(a);
}
END_TEST

START_TEST(plain_directory_entries_are_read)
{
    arena *a = arena_new();
    struct facts f;
    struct diag_list d;
    ck_assert_int_eq(read_fixture(a, "plain", &f, &d), 0);
    ck_assert_uint_eq(f.ndevs, 5);
    const struct facts_device *g = dev(&f, "01:00.0");
    ck_assert_uint_eq(g->id.device, 0x1b80);
    ck_assert_int_eq(g->iommu_group, 1);
    ck_assert(!g->has_parent);  /* no sysfs path to derive it from: unknown */
    ck_assert(dev(&f, "00:01.0")->is_bridge);
    ck_assert_uint_eq(dev(&f, "00:14.0")->uses, USE_KEYBOARD);
    arena_free(a);
}
END_TEST

START_TEST(unreadable_root_is_an_error)
{
    arena *a = arena_new();
    struct diag_list d;
    diag_init(&d, a);
    struct facts f;
    ck_assert_int_eq(facts_read_sysfs(a, "/nonexistent/passc-root", NULL, &f, &d), -1);
    ck_assert_uint_eq(d.n[SEV_ERROR], 1);
    ck_assert_str_eq(d.head->rule, "F003");
    diag_init(&d, a);
    ck_assert_int_eq(facts_read_sysfs(a, "/proc/self", NULL, &f, &d), -1);
    ck_assert_ptr_nonnull(strstr(d.head->msg, "cannot read PCI facts"));
    arena_free(a);
}
END_TEST

/* Attribute reads skip the read that would return 0 when the first one
 * left room: a file longer than that first buffer must still come whole,
 * and one past the 64 KiB cap not at all. */
static char *attr_of_size(arena *a, size_t n)
{
    char *text = arena_alloc(a, n + 2);
    for (size_t i = 0; i < n; i++)
        text[i] = (char)('a' + i % 26);
    text[n] = '\n';
    char *path = tmp_write(text);
    char *got = sysfs_read_line_at(a, AT_FDCWD, path);
    unlink(path);
    free(path);
    return got;
}

START_TEST(sysfs_attr_reads_are_whole)
{
    arena *a = arena_new();
    static const size_t sizes[] = {0, 3, 4094, 4095, 4096, 4097, 10000, 65534};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        char *got = attr_of_size(a, sizes[k]);
        ck_assert_msg(got != NULL, "size %zu unread", sizes[k]);
        ck_assert_uint_eq(strlen(got), sizes[k]);
    }
    ck_assert_ptr_null(attr_of_size(a, 70000));
    arena_free(a);
}
END_TEST

Suite *suite_facts(void)
{
    Suite *s = suite_create("facts");
    TCase *t = tcase_create("snapshot");
    tcase_add_test(t, host_use_names_round_trip);
    tcase_add_test(t, find_is_binary_search_on_sorted_devices);
    tcase_add_test(t, snapshot_round_trip_keeps_every_field);
    tcase_add_test(t, writer_replaces_invalid_utf8);
    tcase_add_loop_test(t, hostile_snapshot_is_refused, 0,
                        (int)(sizeof hostile / sizeof hostile[0]));
    tcase_add_test(t, deep_nesting_and_long_scalars_are_bounded);
    tcase_add_test(t, unknown_keys_warn_but_read);
    suite_add_tcase(s, t);
    TCase *h = tcase_create("sysfs");
    tcase_set_timeout(h, 30);
    tcase_add_test(h, seed_host_facts);
    tcase_add_test(h, consumer_gpu_shares_group_with_nic_and_sata);
    tcase_add_test(h, iommu_off_host_has_no_groups);
    tcase_add_test(h, twin_xhci_only_one_carries_the_keyboard);
    tcase_add_test(h, thunderbolt_big_group);
    tcase_add_test(h, plain_directory_entries_are_read);
    tcase_add_test(h, unreadable_root_is_an_error);
    tcase_add_test(h, sysfs_attr_reads_are_whole);
    suite_add_tcase(s, h);
    return s;
}
