/* Import: hostpci schema, the conf and modprobe.d readers, the AST built
 * from them (with hand-made facts), and the canonical printer. */
#include <check.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "diag.h"
#include "import.h"
#include "modprobe.h"
#include "pveconf.h"
#include "source.h"
#include "spec_print.h"
#include "strbuf.h"
#include "test_util.h"

/* ---- hostpci values, per Proxmox's schema (formats doc §1.3) ---- */
static const struct {
    const char *value;
    int ok;
    int pcie, xvga, nhosts, allfn;
} hostpci_cases[] = {
    {"0000:02:00.0,pcie=1,x-vga=1", 1, 1, 1, 1, 0},
    {"77:00.0,pcie=1", 1, 1, -1, 1, 0},
    {"02:00,pcie=on,x-vga=on", 1, 1, 1, 1, 1},
    {"mapping=gpu1,pcie=1", 1, 1, -1, 0, 0},
    {"01:00.0,,pcie=1,", 1, 1, -1, 1, 0},
    {"01:00.0;01:00.1", 1, -1, -1, 2, 0},
    {"10000:01:00.0", 1, -1, -1, 1, 0},
    {"01:00.0,vendor-id=0x10DE", 1, -1, -1, 1, 0},
    {"01:00.0,pcie=OFF", 1, 0, -1, 1, 0},
    {"gpu1", 0, 0, 0, 0, 0},
    {"mapping=g", 0, 0, 0, 0, 0},
    {"01:00.0,device-id=10f6", 0, 0, 0, 0, 0},
    {"00:02.0,mdev=a.b", 0, 0, 0, 0, 0},
    {"01:00.0,driver=vfio-pci", 0, 0, 0, 0, 0},
    {"01:00.0;", 0, 0, 0, 0, 0},
    {"0A:00.0", 0, 0, 0, 0, 0},
    {"1:00.0", 0, 0, 0, 0, 0},
    {"01:0.0", 0, 0, 0, 0, 0},
    {"01:00.0,pcie", 0, 0, 0, 0, 0},
    {"01:00.0,pcie=2", 0, 0, 0, 0, 0},
    {"01:00.0 ,pcie=1", 0, 0, 0, 0, 0},
    {"01:00.0,romfile=a;b", 0, 0, 0, 0, 0},
    {"01:00.0,bogus=1", 0, 0, 0, 0, 0},
    {"01:00.0,pcie=1,pcie=0", 0, 0, 0, 0, 0},
    {"000:01:00.0", 0, 0, 0, 0, 0},
    {"01:20.0", 0, 0, 0, 0, 0},
};

START_TEST(hostpci_schema)
{
    arena *a = arena_new();
    struct diag_list d;
    diag_init(&d, a);
    struct pve_hostpci h;
    int r = pve_hostpci_parse(a, hostpci_cases[_i].value, (src_loc){0}, &h, &d);
    ck_assert_msg((r == 0) == hostpci_cases[_i].ok, "%s", hostpci_cases[_i].value);
    /* -2 (P041) only for an address the schema takes but no device has */
    ck_assert_int_eq(r == -2, !strcmp(hostpci_cases[_i].value, "01:20.0"));
    if (r == 0) {
        ck_assert_int_eq(h.pcie, hostpci_cases[_i].pcie);
        ck_assert_int_eq(h.x_vga, hostpci_cases[_i].xvga);
        ck_assert_uint_eq(h.nhosts, (size_t)hostpci_cases[_i].nhosts);
        if (h.nhosts)
            ck_assert_int_eq(h.hosts[0].func == PCI_FUNC_ALL,
                             hostpci_cases[_i].allfn);
        ck_assert_uint_eq(d.n[SEV_WARNING] + d.n[SEV_ERROR], 0);
    } else {
        ck_assert_uint_eq(d.n[SEV_WARNING], 1);
    }
    arena_free(a);
}
END_TEST

/* ---- the VM config reader ---- */
static struct pve_conf *read_conf(arena *a, struct diag_list *d,
                                  const char *text)
{
    struct source *s = source_from_text(a, "t/105.conf", text, strlen(text));
    struct pve_conf *c = arena_alloc(a, sizeof *c);
    ck_assert_int_eq(pveconf_parse(a, s, c, d), 0);
    return c;
}

START_TEST(conf_sections_and_descriptions)
{
    arena *a = arena_new();
    struct diag_list d;
    diag_init(&d, a);
    struct pve_conf *c = read_conf(a, &d,
        "#VM%3A main\r\n#second\r\ncores: 4\r\n  memory: 2048  \r\ntags:  \r\n"
        "hostpci3: 01:00.0,pcie=1\r\nparent: snap1\r\n\r\n"
        "[snap1]\r\ncores: 2\r\nsnaptime: 5\r\nhostpci0: 02:00.0\r\n"
        "[PENDING]\r\nhostpci1: 03:00.0\r\ndelete: hostpci3\r\n"
        "[special:cloudinit]\r\nwhatever: x\r\n");
    /* the indented memory line is no setting for Proxmox (P040); `tags:  `
     * is one (Perl's `:\s*(.+?)` takes a blank as its value) */
    ck_assert_uint_eq(d.n[SEV_WARNING], 1);
    ck_assert_str_eq(c->main->description, "VM: main\nsecond");
    ck_assert_str_eq(pve_get(c->main, "cores")->value, "4");
    ck_assert_ptr_null(pve_get(c->main, "memory"));
    ck_assert_ptr_nonnull(c->main->hostpci[3]);
    ck_assert_ptr_null(c->main->hostpci[0]);
    ck_assert_uint_eq(c->nsnapshots, 1);
    ck_assert_uint_eq(c->nspecial, 1);
    ck_assert_ptr_nonnull(c->pending);
    ck_assert_ptr_nonnull(c->pending->hostpci[1]);
    ck_assert_str_eq(pve_get(c->pending, "delete")->value, "hostpci3");
    arena_free(a);
}
END_TEST

START_TEST(conf_dropped_lines_are_located)
{
    arena *a = arena_new();
    struct diag_list d;
    diag_init(&d, a);
    struct pve_conf *c = read_conf(a, &d,
        "cores: 4\nhostpci16: 01:00.0\nCores: 2\ncores: four\n"
        "delete: hostpci0\nhostpci0: 0A:00.0\n[bad section!]\nx\n");
    ck_assert_uint_eq(c->ndropped, 6);
    ck_assert_uint_eq(tu_count_rule(&d, "P040"), 6);
    /* the hostpci16 finding points at the key on line 2 */
    const struct diag *x = d.head;
    unsigned line, col;
    source_line_col(x->loc.src, x->loc.start, &line, &col);
    ck_assert_uint_eq(line, 2);
    ck_assert_uint_eq(col, 1);
    ck_assert_uint_eq(x->loc.end - x->loc.start, 9);
    ck_assert_str_eq(pve_get(c->main, "cores")->value, "4");
    arena_free(a);
}
END_TEST

/* Regression: a hostpci line with an impossible address (P041) stays in
 * Proxmox's file, so it must not count towards the P040 "N more lines that
 * Proxmox drops" summary: with it, 50 dropped lines are all listed and no
 * summary is added; before, the 50th was hidden behind "1 more line". */
enum { MAX_DROPPED_LINES_LISTED = 50 };  /* MAX_DROPPED_DIAGS of pveconf.c */

/* Regression: a hostpci value that fails Proxmox's schema is always listed
 * (pve_hostpci_parse reports it), so past the cap the "N more lines"
 * summary must not count it among the lines it hides. */
START_TEST(conf_summary_counts_only_unlisted_lines)
{
    arena *a = arena_new();
    struct diag_list d;
    diag_init(&d, a);
    struct strbuf text;
    sb_init(&text, a);
    for (int i = 0; i < MAX_DROPPED_LINES_LISTED + 3; i++)
        sb_printf(&text, "junk %d\n", i);
    sb_add(&text, "hostpci1: 01:00.0,pcie\n");   /* bare flag: schema error */
    struct pve_conf *c = read_conf(a, &d, sb_str(&text));
    ck_assert_uint_eq(c->ndropped, MAX_DROPPED_LINES_LISTED + 4);
    size_t summaries = 0;
    for (const struct diag *x = d.head; x; x = x->next)
        if (strstr(x->msg, "more lines that Proxmox drops")) {
            summaries++;
            ck_assert_msg(strstr(x->msg, ": 3 more lines"), "wrong count: %s", x->msg);
        }
    ck_assert_uint_eq(summaries, 1);
    /* 50 listed junk lines + the schema error + the summary */
    ck_assert_uint_eq(tu_count_rule(&d, "P040"), MAX_DROPPED_LINES_LISTED + 2);
    arena_free(a);
}
END_TEST

START_TEST(conf_impossible_address_is_not_dropped)
{
    arena *a = arena_new();
    struct diag_list d;
    diag_init(&d, a);
    struct strbuf text;
    sb_init(&text, a);
    sb_add(&text, "hostpci0: 01:20.0\n");
    for (int i = 0; i < MAX_DROPPED_LINES_LISTED; i++)
        sb_printf(&text, "junk %d\n", i);
    struct pve_conf *c = read_conf(a, &d, sb_str(&text));
    ck_assert_uint_eq(c->ndropped, MAX_DROPPED_LINES_LISTED);
    ck_assert_uint_eq(tu_count_rule(&d, "P041"), 1);
    ck_assert_uint_eq(tu_count_rule(&d, "P040"), MAX_DROPPED_LINES_LISTED);
    for (const struct diag *x = d.head; x; x = x->next)
        ck_assert_msg(!strstr(x->msg, "more lines"), "unexpected summary: %s", x->msg);
    ck_assert_ptr_null(c->main->hostpci[0]);
    arena_free(a);
}
END_TEST

START_TEST(conf_binary_is_refused)
{
    arena *a = arena_new();
    struct diag_list d;
    diag_init(&d, a);
    struct source *s = source_from_text(a, "b/100.conf", "cores: 1\n\0\1", 11);
    struct pve_conf c;
    ck_assert_int_eq(pveconf_parse(a, s, &c, &d), -1);
    ck_assert_uint_eq(d.n[SEV_ERROR], 1);
    arena_free(a);
}
END_TEST

START_TEST(vmid_from_path)
{
    ck_assert_uint_eq(pve_vmid_from_path("/etc/pve/qemu-server/102.conf"), 102);
    ck_assert_uint_eq(pve_vmid_from_path("tests/import/seed-102.conf"), 102);
    ck_assert_uint_eq(pve_vmid_from_path("99.conf"), 0);
    ck_assert_uint_eq(pve_vmid_from_path("0102.conf"), 0);
    ck_assert_uint_eq(pve_vmid_from_path("vm.conf"), 0);
    ck_assert_uint_eq(pve_vmid_from_path("1234567890.conf"), 0);
}
END_TEST

/* ---- modprobe.d ---- */
static struct modprobe_conf *read_mp(arena *a, struct diag_list *d,
                                     const char *text)
{
    struct source *s = source_from_text(a, "vfio.conf", text, strlen(text));
    struct modprobe_conf *m = arena_alloc(a, sizeof *m);
    ck_assert_int_eq(modprobe_parse(a, s, m, d), 0);
    return m;
}

START_TEST(modprobe_plain_ids)
{
    arena *a = arena_new();
    struct diag_list d;
    diag_init(&d, a);
    struct modprobe_conf *m = read_mp(a, &d,
        "# comment\noptions vfio_pci ids=10de:2783,10DE:22bc disable_vga=1\n"
        "softdep nvidia pre: vfio-pci\nsoftdep snd post: vfio-pci\n"
        "blacklist nouveau\n");
    ck_assert_uint_eq(d.n[SEV_WARNING], 0);
    ck_assert(m->has_ids);
    ck_assert_uint_eq(m->nids, 2);
    ck_assert_uint_eq(m->ids[1].id.vendor, 0x10de);
    ck_assert_uint_eq(m->ids[1].id.device, 0x22bc);
    ck_assert_uint_eq(m->nsoftdeps, 1);
    ck_assert_str_eq(m->softdeps[0], "nvidia");
    ck_assert_uint_eq(m->nblacklist, 1);
    ck_assert_uint_eq(m->nother_options, 1);
    ck_assert_str_eq(m->other_options[0], "disable_vga=1");
    arena_free(a);
}
END_TEST

START_TEST(modprobe_continuation_joins)
{
    arena *a = arena_new();
    struct diag_list d;
    diag_init(&d, a);
    struct modprobe_conf *m = read_mp(a, &d,
        "options vfio-pci \\\n    ids=1b21:2425,1022:15b6\n");
    ck_assert_uint_eq(d.n[SEV_WARNING], 0);
    ck_assert_uint_eq(m->nids, 2);
    unsigned line, col;
    source_line_col(m->ids[0].loc.src, m->ids[0].loc.start, &line, &col);
    ck_assert_uint_eq(line, 2);
    ck_assert_uint_eq(col, 9);
    arena_free(a);
}
END_TEST

static const struct {
    const char *text;
    size_t traps;
    size_t nids;       /* what vfio-pci really gets */
} trap_cases[] = {
    {"options vfio-pci ids=10de:2783, 10de:22bc\n", 1, 1},
    {"options vfio-pci ids=10de:2783 ,10de:22bc\n", 1, 1},
    {"  # indented\noptions vfio-pci ids=10de:2783\n", 1, 1},
    {"options vfio-pci ids=10de:2783\noptions vfio-pci ids=1b21:2425\n", 1, 1},
    {"options vfio-pci ids=10de:2783 # gpu\n", 1, 1},
    {"options vfio-pci ids=10de:278,10de:22bc\n", 1, 1},
    {"options vfio-pci ids=10de:2783 \\\n# note\n", 2, 1},
    {"optoins vfio-pci ids=10de:2783\n", 1, 0},
    {"options vfio-pci ids=\"10de:2783,10de:22bc\"\n", 0, 2},
};

START_TEST(modprobe_traps)
{
    arena *a = arena_new();
    struct diag_list d;
    diag_init(&d, a);
    struct modprobe_conf *m = read_mp(a, &d, trap_cases[_i].text);
    ck_assert_msg(tu_count_rule(&d, "P042") == trap_cases[_i].traps,
                  "%s: %zu traps", trap_cases[_i].text,
                  tu_count_rule(&d, "P042"));
    ck_assert_uint_eq(m->nids, trap_cases[_i].nids);
    for (const struct diag *x = d.head; x; x = x->next)
        ck_assert_ptr_nonnull(x->loc.src);   /* every trap has file:line:col */
    arena_free(a);
}
END_TEST

/* ---- import with facts: the seed's VM 102 ---- */
static void fdev(struct facts_device *fd, const char *addr, const char *id,
                 uint32_t cls, const char *name)
{
    const char *why;
    ck_assert_int_eq(pci_addr_parse(addr, false, &fd->addr, &why), 0);
    ck_assert_int_eq(pci_id_parse(id, &fd->id, &why), 0);
    fd->class_code = cls;
    fd->device_name = name;
    fd->iommu_group = -1;
}

static struct facts *x870e(arena *a)
{
    struct facts *f = arena_alloc(a, sizeof *f);
    f->origin = "snapshot x870e";
    f->hostname = "pve";
    f->ndevs = 7;
    f->devs = arena_calloc(a, f->ndevs, sizeof *f->devs);
    fdev(&f->devs[0], "02:00.0", "10de:2783", 0x030000, "AD104 [GeForce RTX 4070 SUPER]");
    fdev(&f->devs[1], "02:00.1", "10de:22bc", 0x040300, "AD104 High Definition Audio Controller");
    fdev(&f->devs[2], "77:00.0", "1b21:2426", 0x0c0330, "ASM4242 USB 3.2 xHCI Controller");
    fdev(&f->devs[3], "78:00.0", "1b21:2425", 0x0c0340, "ASM4242 USB 4 / Thunderbolt 3 Host Router");
    fdev(&f->devs[4], "79:00.3", "1022:15b6", 0x0c0330, "Raphael/Granite Ridge USB 3.1 xHCI");
    fdev(&f->devs[5], "79:00.4", "1022:15b7", 0x0c0330, "Raphael/Granite Ridge USB 3.1 xHCI");
    fdev(&f->devs[6], "7a:00.0", "1022:15b8", 0x0c0330, "Raphael/Granite Ridge USB 2.0 xHCI");
    struct facts_device *router = &f->devs[3];
    router->nconsumers = 2;
    router->consumers = arena_calloc(a, 2, sizeof *router->consumers);
    router->consumers[0] = f->devs[4].addr;
    router->consumers[1] = f->devs[5].addr;
    return f;
}

static const char *import_text(arena *a, struct diag_list *d, const char *conf,
                               const char *vfio, const struct facts *f)
{
    struct pve_conf *c = read_conf(a, d, conf);
    struct modprobe_conf *m = vfio ? read_mp(a, d, vfio) : NULL;
    struct import_input in = {c, 102, m, f, NULL, NULL, NULL};
    struct import_result r;
    ck_assert_int_eq(import_build(a, &in, &r, d), 0);
    struct strbuf sb;
    sb_init(&sb, a);
    spec_print(&sb, r.spec, NULL, 0);    /* without notes: the model only */
    return sb_str(&sb);
}

static const char seed_conf[] =
    "bios: ovmf\ncores: 24\ncpu: host\n"
    "hostpci0: 0000:02:00.0,pcie=1,x-vga=1\nhostpci1: 0000:02:00.1,pcie=1\n"
    "hostpci2: 77:00.0,pcie=1\nhostpci3: 78:00.0,pcie=1\n"
    "hostpci4: 79:00.3,pcie=1\nhostpci5: 79:00.4,pcie=1\n"
    "machine: q35\nmemory: 98304\nname: win-server-2025\nnuma: 1\n"
    "ostype: win11\n";
static const char seed_vfio[] =
    "options vfio-pci ids=10de:2783,10de:22bc,1b21:2426,1b21:2425,1022:15b6,1022:15b7\n";

/* an EHCI controller is a `usb` as P022 sees it (it was imported as `pci`),
 * but USB 3 is never tunnelled through it: the guess names xHCI only */
START_TEST(import_ehci_is_usb_not_a_tunnel)
{
    arena *a = arena_new();
    struct diag_list d;
    diag_init(&d, a);
    struct facts *f = x870e(a);
    f->devs[2].class_code = 0x0c0320;
    f->devs[3].nconsumers = 0;              /* no links: the tunnels are guessed */
    const char *got = import_text(a, &d, seed_conf, seed_vfio, f);
    ck_assert_ptr_nonnull(strstr(got, "    usb  77:00.0 1b21:2426"));
    ck_assert_ptr_nonnull(strstr(got, "tunnels 79:00.3 79:00.4\n"));
    arena_free(a);
}
END_TEST

START_TEST(import_seed_with_facts)
{
    arena *a = arena_new();
    struct diag_list d;
    diag_init(&d, a);
    const char *got = import_text(a, &d, seed_conf, seed_vfio, x870e(a));
    ck_assert_str_eq(got,
        "host \"pve\" {\n"
        "    bind ids\n"
        "}\n"
        "\n"
        "vm 102 \"win-server-2025\" {\n"
        "    os      win11\n"
        "    machine q35\n"
        "    bios    ovmf\n"
        "    cpu     host\n"
        "    cores   24\n"
        "    memory  96 GiB\n"
        "    numa    on\n"
        "\n"
        "    gpu  02:00.0 10de:2783 \"AD104 [GeForce RTX 4070 SUPER]\" {\n"
        "        primary\n"
        "        audio 02:00.1 10de:22bc \"AD104 High Definition Audio Controller\"\n"
        "    }\n"
        "    usb  77:00.0 1b21:2426 \"ASM4242 USB 3.2 xHCI Controller\"\n"
        "    usb4 78:00.0 1b21:2425 \"ASM4242 USB 4 / Thunderbolt 3 Host Router\" {\n"
        "        tunnels 79:00.3 79:00.4\n"
        "    }\n"
        "    usb  79:00.3 1022:15b6 \"Raphael/Granite Ridge USB 3.1 xHCI\"\n"
        "    usb  79:00.4 1022:15b7 \"Raphael/Granite Ridge USB 3.1 xHCI\"\n"
        "}\n");
    ck_assert_uint_eq(d.n[SEV_WARNING] + d.n[SEV_ERROR], 0);
    arena_free(a);
}
END_TEST

/* Audio in a later slot than the gpu's neighbour: nesting moves it in
 * declaration order, so its slot (and the one it displaces) get pinned. */
START_TEST(import_pins_slots_after_nesting)
{
    arena *a = arena_new();
    struct diag_list d;
    diag_init(&d, a);
    const char *got = import_text(a, &d,
        "machine: q35\nhostpci0: 02:00.0,pcie=1\nhostpci1: 77:00.0,pcie=1\n"
        "hostpci3: 02:00.1,pcie=1\n", NULL, x870e(a));
    ck_assert_ptr_nonnull(strstr(got,
        "    gpu 02:00.0 10de:2783 \"AD104 [GeForce RTX 4070 SUPER]\" {\n"
        "        audio 02:00.1 10de:22bc \"AD104 High Definition Audio Controller\" {\n"
        "            slot 3\n"
        "        }\n"
        "    }\n"
        "    usb 77:00.0 1b21:2426 \"ASM4242 USB 3.2 xHCI Controller\"\n"));
    arena_free(a);
}
END_TEST

START_TEST(import_all_functions_folds_audio)
{
    arena *a = arena_new();
    struct diag_list d;
    diag_init(&d, a);
    const char *got = import_text(a, &d,
        "machine: q35\nhostpci0: 0000:02:00,pcie=1,x-vga=1\n", NULL, x870e(a));
    ck_assert_ptr_nonnull(strstr(got,
        "    gpu 02:00.0 10de:2783 \"AD104 [GeForce RTX 4070 SUPER]\" {\n"
        "        all-functions\n"
        "        primary\n"
        "        audio 02:00.1 10de:22bc \"AD104 High Definition Audio Controller\"\n"
        "    }\n"));
    arena_free(a);
}
END_TEST

START_TEST(import_facts_findings)
{
    arena *a = arena_new();
    struct diag_list d;
    diag_init(&d, a);
    const char *got = import_text(a, &d,
        "hostpci0: 05:00.0,x-vga=1\nhostpci1: 79:00.3\nhostpci2: 78:00.0\n",
        "options vfio-pci ids=dead:beef,1022:15b8,1022:15b6\n", x870e(a));
    /* 05:00.0 is not on the host, dead:beef is no device's id */
    ck_assert_uint_eq(tu_count_rule(&d, "P044"), 2);
    /* 1022:15b8 is on the host but not in the VM: build would drop it */
    ck_assert_uint_eq(tu_count_rule(&d, "P041"), 1);
    ck_assert_ptr_nonnull(strstr(got, "    gpu  05:00.0 {\n        primary\n"));
    /* no machine: i440fx, pcie stays off by default; the router's tunnels
     * come from the consumer links, not from the VM's xHCI list */
    ck_assert_ptr_nonnull(strstr(got, "        tunnels 79:00.3 79:00.4\n"));
    arena_free(a);
}
END_TEST

START_TEST(import_tunnels_guess_without_links)
{
    arena *a = arena_new();
    struct diag_list d;
    diag_init(&d, a);
    struct facts *f = x870e(a);
    f->devs[3].nconsumers = 0;
    const char *got = import_text(a, &d,
        "hostpci0: 78:00.0\nhostpci1: 77:00.0\nhostpci2: 7a:00.0\n", NULL, f);
    ck_assert_ptr_nonnull(strstr(got, "        tunnels 77:00.0 7a:00.0\n"));
    arena_free(a);
}
END_TEST

START_TEST(import_without_facts)
{
    arena *a = arena_new();
    struct diag_list d;
    diag_init(&d, a);
    const char *got = import_text(a, &d,
        "machine: pc-i440fx-8.1\nhostpci0: 00:02.0,legacy-igd=1,rombar=0\n"
        "hostpci1: 03:00.0,pcie=1,romfile=x.rom,vendor-id=0x10DE\n"
        "hostpci2: 04:00.0,mapping=gpu1\nhostpci4: 05:00.0;05:00.1\n"
        "hostpci5: 06:00.0,mdev=nvidia-63\nmemory: 1500\n", NULL, NULL);
    ck_assert_str_eq(got,
        "host \"pve\" {\n"
        "    bind start\n"
        "}\n"
        "\n"
        "vm 102 {\n"
        "    machine pc-i440fx-8.1\n"
        "    memory  1500 MiB\n"
        "\n"
        "    gpu 00:02.0 {\n"
        "        rombar off\n"
        "        legacy-igd\n"
        "    }\n"
        "    pci 03:00.0 {\n"
        "        pcie\n"
        "        romfile \"x.rom\"\n"
        "        vendor-id 0x10de\n"
        "    }\n"
        "    pci 05:00.0;05:00.1 {\n"
        "        slot 4\n"
        "    }\n"
        "    pci 06:00.0 {\n"
        "        slot 5\n"
        "        mdev \"nvidia-63\"\n"
        "    }\n"
        "}\n");
    /* the mapping without its pci.cfg; the joined slot is a spec's too */
    ck_assert_uint_eq(tu_count_rule(&d, "P041"), 1);
    arena_free(a);
}
END_TEST

/* ---- the printer on a parsed-looking AST: comments and blank lines ---- */
static src_loc at(const struct source *s, const char *needle, size_t len)
{
    const char *p = strstr(s->text, needle);
    ck_assert_ptr_nonnull(p);
    src_loc l = {s, (uint32_t)(p - s->text), (uint32_t)(p - s->text + len)};
    return l;
}

static struct ast_stmt *st(arena *a, const struct source *s, const char *kw,
                           const char *needle, const char *whole)
{
    struct ast_stmt *x = arena_alloc(a, sizeof *x);
    x->keyword = kw;
    x->kw_loc = at(s, needle, strlen(kw));
    x->loc = at(s, needle, strlen(whole));
    return x;
}

static void val(arena *a, struct ast_stmt *x, const struct source *s,
                enum ast_value_kind k, const char *text, const char *needle)
{
    x->vals = arena_realloc(a, x->vals, x->nvals * sizeof *x->vals,
                            (x->nvals + 1) * sizeof *x->vals);
    x->vals[x->nvals].kind = k;
    x->vals[x->nvals].text = text;
    x->vals[x->nvals].loc = at(s, needle, strlen(needle));
    x->nvals++;
}

START_TEST(print_keeps_comments)
{
    arena *a = arena_new();
    const char *text =
        "# header\n\n\n"
        "host \"pve\" {  # the host\n"
        "  bind ids\n"
        "}\n"
        "# about the vm\n"
        "vm 100 {\n"
        "  cores 4 ; memory 8 GiB   # ram\n"
        "\n\n"
        "  # passc: ignore P013 \"no ids\"\n"
        "  gpu 01:00.0 { primary }\n"
        "  # last\n"
        "}\n";
    struct source *s = source_from_text(a, "t.pass", text, strlen(text));
    struct ast_spec spec = {s, NULL, NULL};
    struct ast_stmt *host = st(a, s, "host", "host \"pve\"",
                               "host \"pve\" {  # the host\n  bind ids\n}");
    val(a, host, s, AV_STRING, "pve", "\"pve\"");
    host->has_block = true;
    host->body = st(a, s, "bind", "bind ids", "bind ids");
    val(a, host->body, s, AV_WORD, "ids", "ids\n");
    struct ast_stmt *vm = st(a, s, "vm", "vm 100", strstr(text, "vm 100"));
    vm->loc.end = (uint32_t)strlen(text) - 1;
    val(a, vm, s, AV_NUMBER, "100", "100");
    vm->has_block = true;
    struct ast_stmt *cores = st(a, s, "cores", "cores 4", "cores 4");
    val(a, cores, s, AV_NUMBER, "4", "4 ;");
    struct ast_stmt *mem = st(a, s, "memory", "memory 8", "memory 8 GiB");
    val(a, mem, s, AV_NUMBER, "8", "8 GiB");
    val(a, mem, s, AV_WORD, "GiB", "GiB");
    struct ast_stmt *gpu = st(a, s, "gpu", "gpu 01", "gpu 01:00.0 { primary }");
    val(a, gpu, s, AV_ADDR, "01:00.0", "01:00.0");
    gpu->has_block = true;
    gpu->body = st(a, s, "primary", "primary", "primary");
    vm->body = cores;
    cores->next = mem;
    mem->next = gpu;
    host->next = vm;
    spec.stmts = host;
    struct strbuf sb;
    sb_init(&sb, a);
    spec_print(&sb, &spec, NULL, 0);
    ck_assert_str_eq(sb_str(&sb),
        "# header\n"
        "\n"
        "host \"pve\" {                           # the host\n"
        "    bind ids\n"
        "}\n"
        "\n"
        "# about the vm\n"
        "vm 100 {\n"
        "    cores  4\n"
        "    memory 8 GiB                       # ram\n"
        "\n"
        "    # passc: ignore P013 \"no ids\"\n"
        "    gpu 01:00.0 {\n"
        "        primary\n"
        "    }\n"
        "    # last\n"
        "}\n");
    arena_free(a);
}
END_TEST

START_TEST(print_notes_wrap)
{
    arena *a = arena_new();
    struct ast_spec spec = {NULL, NULL, NULL};
    struct ast_stmt vm = {0};
    vm.keyword = "vm";
    spec.stmts = &vm;
    struct spec_note notes[] = {
        {NULL, "top"},
        {&vm, "one two three four five six seven eight nine ten eleven "
              "twelve thirteen fourteen fifteen"},
    };
    struct strbuf sb;
    sb_init(&sb, a);
    spec_print(&sb, &spec, notes, 2);
    ck_assert_str_eq(sb_str(&sb),
        "# top\n"
        "\n"
        "# one two three four five six seven eight nine ten eleven twelve thirteen\n"
        "#   fourteen fifteen\n"
        "vm\n");
    arena_free(a);
}
END_TEST


/* ---- round trip through the spec's meaning (until resolve + emit land):
 * the imported AST, read with the brief's slot and option rules, gives
 * back every importable hostpci line of the config. ---- */
struct sim_slot {
    bool used;
    struct pci_addr addr;
    struct pci_addr joined[8];  /* further functions of `a;b` */
    size_t njoined;
    int pcie, x_vga, rombar, legacy_igd;
    const char *romfile, *mdev;
    int ids[4];
};

static const struct ast_stmt *opt_of(const struct ast_stmt *dev, const char *kw)
{
    for (const struct ast_stmt *o = dev->body; o; o = o->next)
        if (!strcmp(o->keyword, kw))
            return o;
    return NULL;
}

static void sim_device(const struct ast_stmt *dev, bool q35, bool folded,
                       const struct ast_stmt **order, size_t *n)
{
    (void)q35;
    if (!folded)
        order[(*n)++] = dev;
    bool allfn = opt_of(dev, "all-functions") != NULL;
    for (const struct ast_stmt *o = dev->body; o; o = o->next)
        if (spec_is_device_keyword(o->keyword))
            sim_device(o, q35, allfn, order, n);
}

static void sim_spec(const struct ast_spec *spec, struct sim_slot *slots)
{
    const struct ast_stmt *vm = spec->stmts;
    while (vm && strcmp(vm->keyword, "vm"))
        vm = vm->next;
    ck_assert_ptr_nonnull(vm);
    bool q35 = false;
    const struct ast_stmt *order[64];
    size_t n = 0;
    for (const struct ast_stmt *s = vm->body; s; s = s->next) {
        if (!strcmp(s->keyword, "machine"))
            q35 = strstr(s->vals[0].text, "q35") != NULL;
        else if (spec_is_device_keyword(s->keyword))
            sim_device(s, q35, false, order, &n);
    }
    int slot_of[64];
    bool taken[16] = {0};
    for (size_t i = 0; i < n; i++) {
        const struct ast_stmt *pin = opt_of(order[i], "slot");
        slot_of[i] = pin ? atoi(pin->vals[0].text) : -1;
        if (pin)
            taken[slot_of[i]] = true;
    }
    for (size_t i = 0; i < n; i++) {
        if (slot_of[i] >= 0)
            continue;
        int s = 0;
        while (s < 16 && taken[s])
            s++;
        ck_assert_int_lt(s, 16);
        taken[s] = true;
        slot_of[i] = s;
    }
    for (size_t i = 0; i < n; i++) {
        const struct ast_stmt *d = order[i];
        struct sim_slot *o = &slots[slot_of[i]];
        ck_assert_msg(!o->used, "two devices in slot %d", slot_of[i]);
        o->used = true;
        const char *why;
        char *list = strdup(d->vals[0].text), *save = NULL;
        ck_assert_int_eq(pci_addr_parse(strtok_r(list, ";", &save), false, &o->addr, &why), 0);
        for (char *t; (t = strtok_r(NULL, ";", &save)) && o->njoined < 8; o->njoined++) {
            ck_assert_int_eq(pci_addr_parse(t, false, &o->joined[o->njoined], &why), 0);
            if (opt_of(d, "all-functions"))
                o->joined[o->njoined].func = PCI_FUNC_ALL;
        }
        free(list);
        if (opt_of(d, "all-functions"))
            o->addr.func = PCI_FUNC_ALL;
        const struct ast_stmt *pc = opt_of(d, "pcie");
        o->pcie = pc ? !(pc->nvals && !strcmp(pc->vals[0].text, "off")) : q35;
        o->x_vga = opt_of(d, "primary") != NULL;
        const struct ast_stmt *rb = opt_of(d, "rombar");
        o->rombar = !(rb && !strcmp(rb->vals[0].text, "off"));
        o->legacy_igd = opt_of(d, "legacy-igd") != NULL;
        const struct ast_stmt *x;
        o->romfile = (x = opt_of(d, "romfile")) ? x->vals[0].text : NULL;
        o->mdev = (x = opt_of(d, "mdev")) ? x->vals[0].text : NULL;
        static const char *const idk[4] = {"vendor-id", "device-id",
                                           "sub-vendor-id", "sub-device-id"};
        for (int k = 0; k < 4; k++)
            o->ids[k] = (x = opt_of(d, idk[k])) ? (int)strtol(x->vals[0].text, NULL, 16) : -1;
    }
}

static bool slot_was_skipped(const struct diag_list *d, const struct pve_hostpci *h)
{
    for (const struct diag *x = d->head; x; x = x->next)
        if (x->loc.src == h->line_loc.src && x->loc.start >= h->line_loc.start &&
            x->loc.start < h->line_loc.end && x->sev == SEV_WARNING)
            return true;
    return false;
}

static void roundtrip_one(const char *path, const struct facts *f)
{
    arena *a = arena_new();
    struct diag_list d;
    diag_init(&d, a);
    const char *err;
    struct source *src = source_read(a, path, &err);
    ck_assert_msg(src != NULL, "%s: %s", path, err);
    struct pve_conf c;
    ck_assert_int_eq(pveconf_parse(a, src, &c, &d), 0);
    struct import_input in = {&c, 100, NULL, f, NULL, NULL, NULL};
    struct import_result r;
    ck_assert_int_eq(import_build(a, &in, &r, &d), 0);
    struct sim_slot slots[16];
    memset(slots, 0, sizeof slots);
    sim_spec(r.spec, slots);
    for (unsigned i = 0; i < 16; i++) {
        const struct pve_hostpci *h = c.main->hostpci[i];
        bool want = h && !slot_was_skipped(&d, h);
        ck_assert_msg(want == slots[i].used, "%s: hostpci%u %s", path, i,
                      want ? "lost" : "invented");
        if (!want)
            continue;
        const struct sim_slot *o = &slots[i];
        ck_assert_msg(pci_addr_eq(&o->addr, &h->hosts[0]), "%s: hostpci%u address", path, i);
        ck_assert_msg(o->njoined + 1 == h->nhosts, "%s: hostpci%u joined ids", path, i);
        for (size_t k = 0; k < o->njoined; k++)
            ck_assert_msg(pci_addr_eq(&o->joined[k], &h->hosts[k + 1]),
                          "%s: hostpci%u joined id %zu", path, i, k + 1);
        ck_assert_msg(o->pcie == (h->pcie == 1), "%s: hostpci%u pcie", path, i);
        ck_assert_msg(o->x_vga == (h->x_vga == 1), "%s: hostpci%u x-vga", path, i);
        ck_assert_msg(o->rombar == (h->rombar != 0), "%s: hostpci%u rombar", path, i);
        ck_assert_msg(o->legacy_igd == (h->legacy_igd == 1), "%s: hostpci%u legacy-igd", path, i);
        ck_assert_msg((!o->romfile && !h->romfile) || (o->romfile && h->romfile &&
                      !strcmp(o->romfile, h->romfile)), "%s: hostpci%u romfile", path, i);
        ck_assert_msg((!o->mdev && !h->mdev) || (o->mdev && h->mdev &&
                      !strcmp(o->mdev, h->mdev)), "%s: hostpci%u mdev", path, i);
        ck_assert_int_eq(o->ids[0], h->vendor_id);
        ck_assert_int_eq(o->ids[1], h->device_id);
        ck_assert_int_eq(o->ids[2], h->sub_vendor_id);
        ck_assert_int_eq(o->ids[3], h->sub_device_id);
    }
    arena_free(a);
}

START_TEST(roundtrip_corpus)
{
    glob_t g;
    ck_assert_int_eq(glob("tests/import/*.conf", 0, NULL, &g), 0);
    size_t n = 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        const char *p = g.gl_pathv[i];
        size_t len = strlen(p);
        if (len > 10 && !strcmp(p + len - 10, ".vfio.conf"))
            continue;
        roundtrip_one(p, NULL);
        n++;
    }
    globfree(&g);
    ck_assert_uint_ge(n, 25);
}
END_TEST

/* With facts, audio nests under its gpu and may need pins to keep slots. */
START_TEST(roundtrip_with_facts)
{
    arena *a = arena_new();
    struct facts *f = x870e(a);
    static const char *const confs[] = {
        "machine: q35\nhostpci0: 02:00.0,pcie=1\nhostpci1: 77:00.0,pcie=1\nhostpci3: 02:00.1,pcie=1\n",
        "machine: q35\nhostpci0: 02:00.1\nhostpci1: 78:00.0\nhostpci2: 02:00.0,x-vga=1\nhostpci9: 79:00.3\n",
        "hostpci5: 02:00.1,rombar=0\nhostpci2: 02:00.0,x-vga=1\nhostpci4: 79:00.4\nhostpci0: 7a:00.0\n",
        "machine: q35\nhostpci0: 0000:02:00,x-vga=1\nhostpci1: 78:00.0,pcie=1\n",
    };
    char dir[] = "/tmp/passc-import-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    for (size_t i = 0; i < sizeof confs / sizeof *confs; i++) {
        char *path = arena_printf(a, "%s/%zu.conf", dir, 100 + i);
        FILE *fp = fopen(path, "w");
        ck_assert_ptr_nonnull(fp);
        fputs(confs[i], fp);
        fclose(fp);
        roundtrip_one(path, f);
        remove(path);
    }
    rmdir(dir);
    arena_free(a);
}
END_TEST

Suite *suite_import(void)
{
    Suite *s = suite_create("import");
    TCase *t = tcase_create("readers");
    tcase_add_loop_test(t, hostpci_schema, 0,
                        sizeof hostpci_cases / sizeof *hostpci_cases);
    tcase_add_test(t, conf_sections_and_descriptions);
    tcase_add_test(t, conf_dropped_lines_are_located);
    tcase_add_test(t, conf_impossible_address_is_not_dropped);
    tcase_add_test(t, conf_summary_counts_only_unlisted_lines);
    tcase_add_test(t, conf_binary_is_refused);
    tcase_add_test(t, vmid_from_path);
    tcase_add_test(t, modprobe_plain_ids);
    tcase_add_test(t, modprobe_continuation_joins);
    tcase_add_loop_test(t, modprobe_traps, 0,
                        sizeof trap_cases / sizeof *trap_cases);
    suite_add_tcase(s, t);
    TCase *b = tcase_create("build");
    tcase_add_test(b, import_seed_with_facts);
    tcase_add_test(b, import_ehci_is_usb_not_a_tunnel);
    tcase_add_test(b, import_pins_slots_after_nesting);
    tcase_add_test(b, import_all_functions_folds_audio);
    tcase_add_test(b, import_facts_findings);
    tcase_add_test(b, import_tunnels_guess_without_links);
    tcase_add_test(b, import_without_facts);
    tcase_add_test(b, roundtrip_corpus);
    tcase_add_test(b, roundtrip_with_facts);
    suite_add_tcase(s, b);
    TCase *p = tcase_create("print");
    tcase_add_test(p, print_keeps_comments);
    tcase_add_test(p, print_notes_wrap);
    suite_add_tcase(s, p);
    return s;
}
