/* cmd_init.c — `passc init --vm N ADDR... [-o FILE] [FACTS] [--vm-conf FILE]`:
 * a first spec for the devices named, from the facts.  The VM part is
 * import's (import.c): init gives it a VM config whose hostpci lines are
 * the chosen devices and whose other settings are the VM's current ones
 * (ROOT/etc/pve/qemu-server/N.conf, or --vm-conf), so the two commands
 * cannot come to write a device or a setting differently.  init then
 * writes the host block from the facts and lints the result.
 * Exit codes: 0 written and clean, 1 written but lint finds errors (said
 * why), 2 usage, unknown device or output not writable, 3 facts unreadable. */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "cmd.h"
#include "cmd_build.h"
#include "diag.h"
#include "facts.h"
#include "facts_path.h"
#include "import.h"
#include "pci_class.h"
#include "spec_print.h"
#include "strbuf.h"

enum { OPT_VM = CMD_OPT_LONG, OPT_VM_CONF };

static const struct option init_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"vm", required_argument, NULL, OPT_VM},
    {"vm-conf", required_argument, NULL, OPT_VM_CONF},
    CMD_FACTS_OPTION, CMD_ROOT_OPTION,  /* init without facts has nothing to go on */
    {NULL, 0, NULL, 0},
};

struct init {
    arena *a;
    const char *cmd;
    const struct facts *f;
    const struct facts_device *pick[PVE_MAX_HOSTPCI];
    size_t npick;
    const char *why[PVE_MAX_HOSTPCI];   /* added by init: says why, or NULL */
};

static const char *short_addr(arena *a, const struct pci_addr *ad)
{
    char buf[24];
    pci_addr_format(ad, buf);
    return arena_strdup(a, ad->domain == 0 ? buf + 5 : buf);
}

/* Adds d once; -1 (reported) past Proxmox's 16 hostpci slots. */
static int pick(struct init *in, const struct facts_device *d, const char *why)
{
    for (size_t i = 0; i < in->npick; i++)
        if (in->pick[i] == d)
            return 0;
    if (in->npick == PVE_MAX_HOSTPCI) {
        fprintf(stderr, "passc %s: more than %d functions: a VM has %d hostpci slots\n",
                in->cmd, PVE_MAX_HOSTPCI, PVE_MAX_HOSTPCI);
        return -1;
    }
    in->why[in->npick] = why;
    in->pick[in->npick++] = d;
    return 0;
}

/* The functions a named one brings along: the other functions of its card
 * that share its IOMMU group (they go to a VM together or not at all: a
 * GPU's audio), and a USB4 router's xHCI controllers (its tunnels, which
 * must be in the same VM).  Functions of a card in groups of their own (the
 * CPU's 79:00.x on AM5) stay out. */
static int add_mates(struct init *in, const struct facts_device *d)
{
    const struct facts *f = in->f;
    for (size_t k = 0; k < f->ndevs; k++) {
        const struct facts_device *x = &f->devs[k];
        /* (without an IOMMU every group is -1: the card's functions) */
        if (x != d && !facts_is_bridge(x) && pci_addr_same_device(&x->addr, &d->addr) &&
            x->iommu_group == d->iommu_group &&
            pick(in, x, arena_printf(in->a, "same card and IOMMU group as %s",
                                     short_addr(in->a, &d->addr))) < 0)
            return -1;
    }
    if (d->class_code != PCI_CLASS_USB4)
        return 0;
    for (size_t i = 0; i < d->nconsumers; i++) {
        const struct facts_device *x = facts_find(f, &d->consumers[i]);
        if (x && x->class_code == PCI_CLASS_XHCI &&
            pick(in, x, arena_printf(in->a, "the USB4 router %s tunnels USB 3 through it",
                                     short_addr(in->a, &d->addr))) < 0)
            return -1;
    }
    return 0;
}

static int pick_operand(struct init *in, const char *s)
{
    struct pci_addr ad;
    const char *why = NULL;
    if (pci_addr_parse(s, true, &ad, &why) < 0)
        return cmd_usage_error(in->cmd, arena_printf(in->a, "not a PCI address (%s):", why), s), -1;
    size_t before = in->npick;
    for (size_t k = 0; k < in->f->ndevs; k++) {
        const struct facts_device *x = &in->f->devs[k];
        bool hit = ad.func == PCI_FUNC_ALL ? pci_addr_same_device(&x->addr, &ad)
                                           : pci_addr_eq(&x->addr, &ad);
        if (!hit)
            continue;
        if (facts_is_bridge(x)) {
            fprintf(stderr, "passc %s: %s is a PCI bridge: name the devices behind it\n",
                    in->cmd, s);
            return -1;
        }
        if (pick(in, x, NULL) < 0)
            return -1;
    }
    if (in->npick == before) {
        fprintf(stderr, "passc %s: %s is not on this host (%s); `passc facts --format text` lists what is\n",
                in->cmd, s, in->f->origin ? in->f->origin : "facts");
        return -1;
    }
    return 0;
}

static int cmp_pick(const void *x, const void *y)
{
    const struct facts_device *const *a = x, *const *b = y;
    return pci_addr_cmp(&(*a)->addr, &(*b)->addr);
}

/* ---- the spec AST (the statements import.c does not write) ---- */

static struct ast_stmt *stmt(arena *a, const char *kw, enum ast_value_kind k,
                             const char *v)
{
    struct ast_stmt *s = arena_calloc(a, 1, sizeof *s);
    s->keyword = kw;
    if (v) {
        s->vals = arena_calloc(a, 1, sizeof *s->vals);
        s->vals[0] = (struct ast_value){k, v, {0}};
        s->nvals = 1;
    }
    return s;
}

static void val2(arena *a, struct ast_stmt *s, enum ast_value_kind k, const char *v)
{
    struct ast_value *nv = arena_calloc(a, s->nvals + 1, sizeof *nv);
    memcpy(nv, s->vals, s->nvals * sizeof *nv);
    nv[s->nvals++] = (struct ast_value){k, v, {0}};
    s->vals = nv;
}

/* The dataset / is on, from root=ZFS=… on the command line (Proxmox's
 * ZFS root), or NULL. */
static const char *zfs_root(arena *a, const char *cmdline)
{
    const char *p = cmdline, *hit = NULL;
    while (p && (p = strstr(p, "root=ZFS=")) != NULL) {
        if (p == cmdline || p[-1] == ' ')
            hit = p + 9;  /* the last one wins, as for the kernel */
        p += 9;
    }
    if (!hit || !*hit || *hit == ' ')
        return NULL;
    const char *v = arena_strndup(a, hit, strcspn(hit, " "));
    for (const char *q = v; *q; q++)
        if (*q == '"' || (unsigned char)*q < 0x20 || (unsigned char)*q >= 0x7f)
            return NULL;
    return v;
}

/* `bind ids` gives every device with a passed id to vfio-pci; when another
 * device the spec does not pass has one of them (two identical NICs), P026
 * would object: then Proxmox binds at VM start instead. */
static const char *bind_mode(const struct init *in, const char **clash)
{
    for (size_t k = 0; k < in->f->ndevs; k++) {
        const struct facts_device *x = &in->f->devs[k];
        bool passed = false, same = false;
        for (size_t i = 0; i < in->npick; i++) {
            passed = passed || in->pick[i] == x;
            same = same || pci_id_eq(&in->pick[i]->id, &x->id);
        }
        if (same && !passed && !facts_is_bridge(x)) {
            *clash = short_addr(in->a, &x->addr);
            return "start";
        }
    }
    return "ids";
}

static void host_block(struct init *in, struct import_result *res,
                       const char *facts_path)
{
    arena *a = in->a;
    struct ast_stmt *host = NULL;
    for (struct ast_stmt *s = res->spec->stmts; s && !host; s = s->next)
        if (!strcmp(s->keyword, "host"))
            host = s;
    if (!host)
        return;
    struct ast_stmt *body = stmt(a, "iommu", AV_WORD, "required"), **t = &body->next;
    const char *clash = NULL;
    struct ast_stmt *bind = stmt(a, "bind", AV_WORD, bind_mode(in, &clash));
    *t = bind;
    t = &bind->next;
    const char *ds = zfs_root(a, in->f->cmdline);
    if (ds) {
        struct ast_stmt *s = stmt(a, "snapshot", AV_WORD, "zfs");
        val2(a, s, AV_STRING, ds);
        *t = s;
        t = &s->next;
    }
    if (facts_path) {
        *t = stmt(a, "facts", AV_STRING, facts_path);
        t = &(*t)->next;
    }
    host->body = body;
    host->has_block = true;
    /* import's header and its notes on its own bind line go; ours
     * replace them */
    size_t n = 0;
    for (size_t i = 0; i < res->nnotes; i++) {
        const struct ast_stmt *st = res->notes[i].stmt;
        if (st && strcmp(st->keyword, "bind"))
            res->notes[n++] = res->notes[i];
    }
    res->nnotes = n;
    struct spec_note *nn = arena_calloc(a, n + 3, sizeof *nn);
    memcpy(nn + 1, res->notes, n * sizeof *nn);
    struct strbuf h;
    sb_init(&h, a);
    sb_printf(&h, "Written by `passc init` from %s.", in->f->origin ? in->f->origin : "the facts");
    for (size_t i = 0; i < in->npick; i++)
        if (in->why[i])
            sb_printf(&h, "\n%s added: %s", short_addr(a, &in->pick[i]->addr), in->why[i]);
    nn[0] = (struct spec_note){NULL, sb_str(&h)};
    n++;
    nn[n++] = (struct spec_note){bind, !strcmp(bind->vals[0].text, "ids")
        ? "vfio-pci ids= in /etc/modprobe.d/vfio.conf: no other device has these ids"
        : arena_printf(a, "%s has the id of a passed device: `bind ids` would take it "
                       "from the host too (P026), so Proxmox binds at VM start", clash)};
    if (ds)
        nn[n++] = (struct spec_note){host->body->next->next,
                                     "/ is on ZFS: apply.sh snapshots it, rollback.sh names it"};
    res->notes = nn;
    res->nnotes = n;
}

/* ---- the command ---- */

static int fill_yaml(FILE *out, void *f)
{
    return facts_write_yaml(f, out);
}

static const char *dir_of(arena *a, const char *path)
{
    return dirname(arena_strdup(a, path));
}

/* "vm102.pass" → "vm102.facts.yaml", beside it */
static const char *snapshot_name(arena *a, const char *spec)
{
    char *base = basename(arena_strdup(a, spec));
    char *dot = strrchr(base, '.');
    if (dot && dot != base)
        *dot = 0;
    return arena_printf(a, "%s.facts.yaml", base);
}

/* target's path as the spec in spec_dir names it (relative when both are
 * relative or both absolute and target lies below; else absolute). */
static const char *path_from(arena *a, const char *target, const char *spec_dir)
{
    char t[4096], d[4096];
    if (!realpath(target, t) || !realpath(spec_dir, d))
        return target;
    size_t common = 0, i = 0;
    while (t[i] && d[i] && t[i] == d[i]) {
        if (t[i] == '/')
            common = i;
        i++;
    }
    if (!d[i] && t[i] == '/')
        common = i;
    if (common == 0)  /* nothing shared but "/": the absolute path reads better */
        return arena_strdup(a, t);
    struct strbuf sb;
    sb_init(&sb, a);
    for (const char *p = d + common; *p; p++)
        if (*p == '/')
            sb_add(&sb, "../");
    sb_add(&sb, t + common + 1);
    return sb_str(&sb);
}

static int lint_written(arena *a, const char *spec, const char *cmd)
{
    struct run_opts o;
    memset(&o, 0, sizeof o);
    o.specs = &spec;
    o.nspecs = 1;
    o.facts_src = FACTS_AUTO;   /* the spec's facts line */
    struct diag_list d;
    diag_init(&d, a);
    struct run run = {.a = a, .o = &o, .d = &d};
    struct model *m;
    const struct plan *p;
    const char *err = NULL;
    int r = build_check_spec(&run, spec, &m, &p, &err);
    diag_sort(&d);
    diag_print_text(stderr, &d, diag_color_wanted(stderr));
    if (err)
        fprintf(stderr, "passc %s: %s\n", cmd, err);
    if (r != EXIT_CLEAN || diag_has_errors(&d, false)) {
        fprintf(stderr, "passc %s: wrote %s, but it does not lint clean on this host "
                "(above): fix what the errors say, then `passc lint %s`\n", cmd, spec, spec);
        return EXIT_FINDINGS;
    }
    return EXIT_CLEAN;
}

int cmd_init(int argc, char **argv)
{
    const char *out_path = NULL, *conf_opt = NULL;
    const char *ops[64];
    size_t nops = 0;
    unsigned vmid = 0;
    struct cmd_args c;
    cmd_args_init(&c, argc, argv, "o:", init_options);
    int opt;
    while ((opt = cmd_args_next(&c)) > 0) {
        switch (opt) {
        case 'o': out_path = c.arg; break;
        case OPT_VM_CONF: conf_opt = c.arg; break;
        case OPT_VM:
            if (cmd_vmid_parse(c.cmd, c.arg, &vmid) < 0)
                return EXIT_USAGE;
            break;
        case CMD_OPERAND:
            if (nops == sizeof ops / sizeof ops[0])
                return cmd_usage_error(c.cmd, "too many devices; extra", c.arg);
            ops[nops++] = c.arg;
            break;
        }
    }
    if (opt < 0)
        return EXIT_USAGE;
    const char *cmd = c.cmd;
    if (!vmid)
        return cmd_usage_error(cmd, "which VM? e.g. passc init --vm 102 02:00.0", NULL);
    if (!nops)
        return cmd_usage_error(cmd, "which devices? e.g. passc init --vm 102 02:00.0", NULL);
    if (out_path && access(out_path, F_OK) == 0) {
        fprintf(stderr, "passc %s: %s exists: init never overwrites a spec (edit it, or "
                "choose another -o)\n", cmd, out_path);
        return EXIT_USAGE;
    }

    arena *a = arena_new();
    struct diag_list d;
    diag_init(&d, a);
    int rc = EXIT_USAGE;
    struct strbuf text;
    sb_init(&text, a);
    struct facts f;
    memset(&f, 0, sizeof f);
    const char *root = c.facts_src == FACTS_ROOT ? c.facts_arg : "/";
    const char *snap = c.facts_src == FACTS_FILE ? c.facts_arg : NULL;
    if ((snap ? facts_read_yaml(a, snap, &f, &d) : facts_read_sysfs(a, root, NULL, &f, &d)) < 0) {
        diag_print_text(stderr, &d, diag_color_wanted(stderr));
        arena_free(a);
        return EXIT_FACTS;
    }
    diag_print_text(stderr, &d, diag_color_wanted(stderr));
    diag_init(&d, a);

    struct init in = {.a = a, .cmd = cmd, .f = &f};
    for (size_t i = 0; i < nops; i++)
        if (pick_operand(&in, ops[i]) < 0)
            goto out;
    for (size_t i = 0; i < in.npick; i++)  /* npick grows: mates of mates */
        if (add_mates(&in, in.pick[i]) < 0)
            goto out;
    /* address order, so the slots and the spec read as lspci does; the
     * reasons move with their devices */
    const char *whys[PVE_MAX_HOSTPCI];
    struct { const struct facts_device *d; const char *why; } tmp[PVE_MAX_HOSTPCI];
    for (size_t i = 0; i < in.npick; i++)
        tmp[i].d = in.pick[i], tmp[i].why = in.why[i];
    qsort(in.pick, in.npick, sizeof in.pick[0], cmp_pick);
    for (size_t i = 0; i < in.npick; i++) {
        whys[i] = NULL;
        for (size_t k = 0; k < in.npick; k++)
            if (tmp[k].d == in.pick[i])
                whys[i] = tmp[k].why;
    }
    memcpy(in.why, whys, in.npick * sizeof whys[0]);

    /* the VM's current config: import's reader keeps its settings */
    const char *conf_path = conf_opt;
    if (!conf_path && !snap) {
        const char *p = arena_printf(a, "%s/etc/pve/qemu-server/%u.conf",
                                     strcmp(root, "/") ? root : "", vmid);
        if (access(p, F_OK) == 0)
            conf_path = p;
    }
    const struct source *src;
    if (conf_path) {
        const char *err = NULL;
        if (!(src = source_read(a, conf_path, &err))) {
            fprintf(stderr, "passc %s: %s\n", cmd, err);
            goto out;
        }
    } else {
        /* a new VM: what PCIe passthrough wants (a GPU needs OVMF to be
         * the VM's display) */
        static const char fresh[] = "machine: q35\nbios: ovmf\n";
        src = source_from_text(a, arena_printf(a, "(no %u.conf)", vmid), fresh, sizeof fresh - 1);
    }
    struct pve_conf conf;
    if (pveconf_parse(a, src, &conf, &d) < 0) {
        diag_print_text(stderr, &d, diag_color_wanted(stderr));
        rc = EXIT_FINDINGS;
        goto out;
    }
    bool q35 = false;
    const struct pve_setting *ms = pve_get(conf.main, "machine");
    q35 = ms && strstr(ms->value, "q35");
    /* the chosen devices replace the config's hostpci lines (an existing
     * line for the same function keeps its options) */
    struct pve_hostpci *old[PVE_MAX_HOSTPCI];
    memcpy(old, conf.main->hostpci, sizeof old);
    bool primary = false;
    for (size_t k = 0; k < PVE_MAX_HOSTPCI; k++)
        primary = primary || (old[k] && old[k]->x_vga == 1);
    for (size_t i = 0; i < PVE_MAX_HOSTPCI; i++)
        conf.main->hostpci[i] = NULL;
    for (size_t i = 0; i < in.npick; i++) {
        const struct facts_device *fd = in.pick[i];
        struct pve_hostpci *h = arena_calloc(a, 1, sizeof *h);
        for (size_t k = 0; k < PVE_MAX_HOSTPCI; k++)
            if (old[k] && old[k]->nhosts == 1 && pci_addr_eq(&old[k]->hosts[0], &fd->addr))
                *h = *old[k];
        if (!h->nhosts) {
            h->hosts = arena_calloc(a, 1, sizeof *h->hosts);
            h->host_locs = arena_calloc(a, 1, sizeof *h->host_locs);
            h->hosts[0] = fd->addr;
            h->nhosts = 1;
            h->host_set = true;
            h->pcie = q35 ? 1 : -1;
            h->rombar = h->legacy_igd = -1;
            h->vendor_id = h->device_id = h->sub_vendor_id = h->sub_device_id = -1;
            /* the first GPU is the VM's display unless the config has one */
            h->x_vga = !primary && pci_class_kind(fd->class_code) == DEV_GPU ? 1 : -1;
            primary = primary || h->x_vga == 1;
        }
        h->index = (unsigned)i;
        conf.main->hostpci[i] = h;
    }
    for (size_t k = 0; k < PVE_MAX_HOSTPCI; k++) {
        bool kept = false;
        for (size_t i = 0; i < in.npick && old[k]; i++)
            kept = kept || (old[k]->nhosts == 1 &&
                            pci_addr_eq(&old[k]->hosts[0], &in.pick[i]->addr));
        if (old[k] && !kept)
            fprintf(stderr, "passc %s: note: %s also has hostpci%zu: %s, not in the spec "
                    "(name its device to keep it)\n", cmd, conf_path, k, old[k]->value);
    }

    /* the spec names its facts: the snapshot given, else one written
     * beside it */
    const char *spec_dir = out_path ? dir_of(a, out_path) : ".";
    const char *snap_out = NULL, *facts_line = NULL;
    const char *why = NULL;
    if (snap && (!out_path || facts_path_for_spec(a, out_path, path_from(a, snap, spec_dir), &why))) {
        facts_line = path_from(a, snap, spec_dir);
    } else if (out_path) {
        /* a spec may only name a snapshot inside its own repository
         * (issue 15): a copy beside it keeps the spec linting offline */
        if (snap)
            fprintf(stderr, "passc %s: note: %s is outside the spec's repository; "
                    "a copy is written beside the spec\n", cmd, snap);
        snap_out = arena_printf(a, "%s/%s", spec_dir, snapshot_name(a, out_path));
        facts_line = snapshot_name(a, out_path);
    }
    struct import_input ii = {.conf = &conf, .vmid = vmid, .facts = &f};
    struct import_result res;
    import_build(a, &ii, &res, &d);
    host_block(&in, &res, facts_line);
    spec_print(&text, res.spec, res.notes, res.nnotes);
    diag_sort(&d);
    diag_print_text(stderr, &d, diag_color_wanted(stderr));
    if (diag_has_errors(&d, false)) {
        fprintf(stderr, "passc %s: %s cannot be read as Proxmox would (above)\n", cmd,
                conf_path ? conf_path : "the VM config");
        rc = EXIT_FINDINGS;
        goto out;
    }
    if (!out_path) {
        fwrite(text.buf, 1, text.len, stdout);
        rc = fflush(stdout) == 0 ? EXIT_CLEAN : EXIT_USAGE;
        if (rc == EXIT_CLEAN && !snap)
            fprintf(stderr, "passc %s: not linted and no snapshot written: give -o FILE\n", cmd);
        goto out;
    }
    const char *err = NULL;
    if (snap_out && access(snap_out, F_OK) == 0) {
        fprintf(stderr, "passc %s: %s exists: not overwritten (remove it or choose another -o)\n",
                cmd, snap_out);
        goto out;
    }
    if ((snap_out && atomic_write(a, snap_out, 0644, fill_yaml, &f, &err) < 0) ||
        atomic_write_text(a, out_path, 0644, text.buf, text.len, &err) < 0) {
        fprintf(stderr, "passc %s: %s\n", cmd, err);
        goto out;
    }
    printf("wrote %s\n", out_path);
    if (snap_out)
        printf("wrote %s\n", snap_out);
    rc = lint_written(a, out_path, cmd);
out:
    arena_free(a);
    return rc;
}
