/* rules_hostconf.c — P050-P059: the host's own configuration against the
 * plan.  Another modprobe.d file (P050-P054), a device with no native
 * driver the softdeps could name (P055), and the host's VM configs
 * (P056-P059).  Read only, like rules_facts.c; facts that were not read
 * (an older snapshot) raise nothing. */
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include "model.h"
#include "names.h"
#include "rules.h"

/* The file passc writes (emit_all.c): its lines are passc's own. */
#define PASSC_VFIO_CONF "/etc/modprobe.d/vfio.conf"

struct hctx {
    arena *a;
    const struct model *m;
    const struct facts *f;
    struct diag_list *d;
};

static src_loc bind_loc(const struct hctx *c)
{
    if (c->m->has_host)
        return c->m->host.bind_loc.src ? c->m->host.bind_loc : c->m->host.loc;
    for (size_t v = 0; v < c->m->nvms; v++)
        if (c->m->vms[v]->ndevs)
            return c->m->vms[v]->devs[0]->addr_loc;
    return (src_loc){0};
}

static bool passes_any(const struct model *m)
{
    for (size_t v = 0; v < m->nvms; v++)
        if (m->vms[v]->ndevs)
            return true;
    return false;
}

static const char *where(const struct hctx *c, const struct facts_modprobe *e)
{
    if (!e->file)
        return "modprobe.d";
    return e->line ? arena_printf(c->a, "%s:%u", e->file, e->line) : e->file;
}

static const char *basename_of(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static bool is_passc_file(const struct facts_modprobe *e)
{
    return e->file && !strcmp(e->file, PASSC_VFIO_CONF);
}

/* The ids the spec binds (as plan_ids gathers them). */
static bool spec_has_id(const struct model *m, unsigned vendor, unsigned device)
{
    for (size_t v = 0; v < m->nvms; v++)
        for (size_t i = 0; i < m->vms[v]->ndevs; i++) {
            const struct m_device *d = m->vms[v]->devs[i];
            if (d->has_id && d->id.vendor == vendor && d->id.device == device)
                return true;
        }
    return false;
}

static size_t spec_nids(const struct model *m)
{
    size_t n = 0;
    for (size_t v = 0; v < m->nvms; v++)
        for (size_t i = 0; i < m->vms[v]->ndevs; i++)
            n += m->vms[v]->devs[i]->has_id;
    return n;
}

/* vfio-pci.ids= (or vfio_pci.ids=) in a command line or an options
 * string; NULL when absent.  The last one wins, as for the kernel. */
static const char *ids_param(arena *a, const char *text, bool dotted)
{
    const char *found = NULL;
    const char *p = text;
    while (p && *p) {
        p += strspn(p, " \t");
        size_t len = strcspn(p, " \t");
        const char *w = p;
        if (dotted && len > 12 && (!strncmp(w, "vfio-pci.ids=", 13) ||
                                   !strncmp(w, "vfio_pci.ids=", 13)))
            found = arena_strndup(a, w + 13, len - 13);
        else if (!dotted && len > 3 && !strncmp(w, "ids=", 4))
            found = arena_strndup(a, w + 4, len - 4);
        p += len;
    }
    return found;
}

/* The first id of a comma list that the spec does not bind; NULL none.
 * Fewer ids than the spec's is harmless: passc's vfio.conf is read after
 * the command line and its ids= wins for a module. */
static const char *foreign_id(arena *a, const struct model *m, const char *list)
{
    const char *p = list;
    while (*p) {
        unsigned v, d;
        int used = 0;
        if (sscanf(p, "%4x:%4x%n", &v, &d, &used) != 2)
            return arena_strndup(a, p, strcspn(p, ","));
        if (!spec_has_id(m, v, d))
            return arena_printf(a, "%04x:%04x", v, d);
        p += used;
        while (*p && *p != ',')
            p++;   /* :subvendor:subdevice… parts */
        if (*p == ',')
            p++;
    }
    return NULL;
}

/* ---- P050-P054: modprobe.d and the command line ---- */

static void check_options(struct hctx *c)
{
    /* kmod reads files by basename; options add up and the last ids=
     * wins, so any other file sorted after vfio.conf overrides passc. */
    const struct facts_modprobe *last = NULL;
    for (size_t i = 0; i < c->f->nmodprobe; i++) {
        const struct facts_modprobe *e = &c->f->modprobe[i];
        if (e->kind != MP_OPTIONS || !module_name_eq(e->module, "vfio_pci") ||
            !e->value || !ids_param(c->a, e->value, false) || is_passc_file(e))
            continue;
        if (e->file && strcmp(basename_of(e->file), "vfio.conf") < 0)
            continue;   /* read before passc's file: passc's ids= win */
        last = e;
    }
    if (!last)
        return;
    struct diag *dg = diag_add(c->d, R_P050, bind_loc(c),
                               "%s sets `options vfio_pci ids=%s` and is read after passc's vfio.conf: vfio-pci gets those ids, not the spec's",
                               where(c, last), ids_param(c->a, last->value, false));
    diag_note(c->d, dg, (src_loc){0}, "%s: %s", where(c, last), "the last `ids=` modprobe reads wins");
    diag_fix(c->d, dg, "remove the ids= from %s (or the file), so passc's vfio.conf is the only one", last->file ? last->file : "that file");
}

static void check_vfio_lines(struct hctx *c)
{
    for (size_t i = 0; i < c->f->nmodprobe; i++) {
        const struct facts_modprobe *e = &c->f->modprobe[i];
        if (!module_name_eq(e->module, "vfio_pci") || is_passc_file(e))
            continue;
        if (e->kind == MP_BLACKLIST) {
            struct diag *dg = diag_add(c->d, R_P051, bind_loc(c),
                                       "%s blacklists vfio_pci: it no longer loads for a device's alias, only by name",
                                       where(c, e));
            diag_note(c->d, dg, (src_loc){0}, "%s: blacklist vfio_pci", where(c, e));
            diag_fix(c->d, dg, "remove the `blacklist vfio_pci` line from %s", e->file ? e->file : "modprobe.d");
        } else if (e->kind == MP_INSTALL) {
            struct diag *dg = diag_add(c->d, R_P052, bind_loc(c),
                                       "%s replaces loading vfio_pci with `%s`: modprobe runs that command instead, and passc's options and softdeps may never apply",
                                       where(c, e), e->value ? e->value : "");
            diag_note(c->d, dg, (src_loc){0}, "%s: install vfio_pci %s", where(c, e),
                      e->value ? e->value : "");
            diag_fix(c->d, dg, "remove the `install vfio_pci` line from %s", e->file ? e->file : "modprobe.d");
        }
    }
}

static void check_cmdline(struct hctx *c)
{
    const char *ids = c->f->cmdline ? ids_param(c->a, c->f->cmdline, true) : NULL;
    const char *other = ids ? foreign_id(c->a, c->m, ids) : NULL;
    if (!other)
        return;
    struct diag *dg = diag_add(c->d, R_P053, bind_loc(c),
                               "the kernel command line's vfio-pci.ids=%s binds %s, which the spec does not pass",
                               ids, other);
    diag_note(c->d, dg, (src_loc){0}, "/proc/cmdline: %s", c->f->cmdline);
    diag_fix(c->d, dg, "remove vfio-pci.ids= from the kernel command line (GRUB_CMDLINE_LINUX_DEFAULT or /etc/kernel/cmdline), so the ids come from passc's vfio.conf only");
}

/* "pre: a b post: c" holds module in its pre (want_pre) or post list. */
static bool softdep_lists(const char *value, const char *module, bool want_pre)
{
    bool in_pre = false, in_post = false;
    char w[64];
    const char *p = value;
    int used;
    while (p && sscanf(p, " %63s%n", w, &used) == 1) {
        p += used;
        if (!strcmp(w, "pre:")) {
            in_pre = true;
            in_post = false;
        } else if (!strcmp(w, "post:")) {
            in_post = true;
            in_pre = false;
        } else if (module_name_eq(w, module) && (want_pre ? in_pre : in_post)) {
            return true;
        }
    }
    return false;
}

static bool is_native_of_passed(const struct hctx *c, const char *module)
{
    for (size_t v = 0; v < c->m->nvms; v++)
        for (size_t i = 0; i < c->m->vms[v]->ndevs; i++) {
            const struct m_device *md = c->m->vms[v]->devs[i];
            struct pci_addr at = md->addr;
            if (at.func == PCI_FUNC_ALL)
                at.func = 0;
            const struct facts_device *fd = facts_find(c->f, &at);
            if (!fd)
                continue;
            if (fd->driver && module_name_eq(fd->driver, module))
                return true;
            for (size_t k = 0; k < fd->nnative; k++)
                if (module_name_eq(fd->native[k], module))
                    return true;
        }
    return false;
}

static void check_softdeps(struct hctx *c)
{
    for (size_t i = 0; i < c->f->nmodprobe; i++) {
        const struct facts_modprobe *e = &c->f->modprobe[i];
        if (e->kind != MP_SOFTDEP || !e->value || is_passc_file(e))
            continue;
        const char *native = NULL;
        if (module_name_eq(e->module, "vfio_pci")) {
            /* vfio_pci waiting for a native driver of a passed device */
            char w[64];
            const char *p = e->value;
            int used;
            while (!native && sscanf(p, " %63s%n", w, &used) == 1) {
                p += used;
                if (strcmp(w, "pre:") && strcmp(w, "post:") &&
                    softdep_lists(e->value, w, true) && is_native_of_passed(c, w))
                    native = arena_printf(c->a, "%s", w);
            }
        } else if (is_native_of_passed(c, e->module) &&
                   softdep_lists(e->value, "vfio_pci", false)) {
            native = e->module;
        }
        if (!native)
            continue;
        struct diag *dg = diag_add(c->d, R_P054, bind_loc(c),
                                   "%s makes %s load before vfio_pci (`softdep %s %s`): the native driver claims the device first",
                                   where(c, e), native, e->module, e->value);
        diag_note(c->d, dg, (src_loc){0}, "%s: softdep %s %s", where(c, e), e->module, e->value);
        diag_fix(c->d, dg, "remove that softdep line from %s; passc's vfio.conf orders %s after vfio-pci",
                 e->file ? e->file : "modprobe.d", native);
    }
}

/* ---- P055: no native driver to order ---- */

static void check_native(struct hctx *c)
{
    if (!c->f->alias_lookup)
        return;   /* not looked up (older snapshot): nothing to say */
    for (size_t v = 0; v < c->m->nvms; v++)
        for (size_t i = 0; i < c->m->vms[v]->ndevs; i++) {
            const struct m_device *md = c->m->vms[v]->devs[i];
            struct pci_addr at = md->addr;
            if (at.func == PCI_FUNC_ALL)
                at.func = 0;
            const struct facts_device *fd = facts_find(c->f, &at);
            if (!fd || fd->is_bridge || fd->nnative ||
                (md->has_id && !pci_id_eq(&fd->id, &md->id)) ||
                (fd->driver && !module_name_eq(fd->driver, "vfio_pci")))
                continue;
            diag_add(c->d, R_P055, md->addr_loc,
                     "no module of kernel %s claims this device's modalias: vfio.conf gets no softdep for it (nothing on this host races vfio-pci for it)",
                     c->f->kernel_release ? c->f->kernel_release : "?");
        }
}

/* ---- P056-P059: the host's VM configs ---- */

static const struct m_vm *spec_vm(const struct model *m, unsigned vmid)
{
    for (size_t v = 0; v < m->nvms; v++)
        if (m->vms[v]->vmid == vmid)
            return m->vms[v];
    return NULL;
}

static bool addr_overlap(const struct pci_addr *a, const struct pci_addr *b)
{
    return a->domain == b->domain && a->bus == b->bus && a->slot == b->slot &&
           (a->func == PCI_FUNC_ALL || b->func == PCI_FUNC_ALL || a->func == b->func);
}

static void check_vm_devices(struct hctx *c)
{
    for (size_t h = 0; h < c->f->nvms; h++) {
        const struct facts_vm *hv = &c->f->vms[h];
        const struct m_vm *in_spec = spec_vm(c->m, hv->vmid);
        if (in_spec && !hv->onboot)
            continue;   /* apply.sh rewrites its hostpci lines */
        for (size_t v = 0; v < c->m->nvms; v++) {
            const struct m_vm *vm = c->m->vms[v];
            if (vm == in_spec)
                continue;
            for (size_t i = 0; i < vm->ndevs; i++) {
                const struct m_device *md = vm->devs[i];
                for (size_t k = 0; k < hv->nhostpci; k++) {
                    if (!addr_overlap(&md->addr, &hv->hostpci[k]))
                        continue;
                    char buf[24];
                    struct diag *dg = in_spec
                        ? diag_add(c->d, R_P056, md->addr_loc,
                                   "VM %u starts at boot (onboot: 1) with %s, which the spec gives VM %u",
                                   hv->vmid, pci_addr_format(&hv->hostpci[k], buf), vm->vmid)
                        : diag_add(c->d, R_P056, md->addr_loc,
                                   "VM %u, which the spec does not manage, already passes %s: it and VM %u cannot run at once",
                                   hv->vmid, pci_addr_format(&hv->hostpci[k], buf), vm->vmid);
                    diag_note(c->d, dg, (src_loc){0}, "%s: hostpci host=%s", hv->file ? hv->file : "VM config",
                              pci_addr_format(&hv->hostpci[k], buf));
                    diag_fix(c->d, dg, "take the device out of VM %u (`qm set %u --delete hostpciN`) or out of the spec",
                             hv->vmid, hv->vmid);
                    break;
                }
            }
        }
    }
}

static bool is_q35(const char *machine)
{
    return machine && strstr(machine, "q35");
}

static void check_vm_firmware(struct hctx *c)
{
    for (size_t v = 0; v < c->m->nvms; v++) {
        const struct m_vm *vm = c->m->vms[v];
        const struct facts_vm *hv = NULL;
        for (size_t h = 0; h < c->f->nvms && !hv; h++)
            if (c->f->vms[h].vmid == vm->vmid)
                hv = &c->f->vms[h];
        if (!hv)
            continue;
        const char *now = hv->bios ? hv->bios : "seabios";
        if (vm->bios && strcmp(vm->bios, now) && hv->ndisks) {
            struct diag *dg = diag_add(c->d, R_P057, vm->loc,
                                       "VM %u is installed with %s firmware (disk %s) and the spec switches it to %s: the guest will not boot",
                                       vm->vmid, now, hv->disks[0], vm->bios);
            diag_note(c->d, dg, (src_loc){0}, "%s: bios: %s", hv->file ? hv->file : "VM config", now);
            diag_fix(c->d, dg, "write `bios %s` in the spec, or convert the guest first (e.g. mbr2gpt) and add `# passc: ignore P057 \"converted\"` above the VM",
                     now);
        }
        if (vm->bios && !strcmp(vm->bios, "ovmf") && !hv->efidisk) {
            struct diag *dg = diag_add(c->d, R_P058, vm->loc,
                                       "VM %u gets OVMF firmware but has no efidisk0: its EFI variables (boot entries, Secure Boot keys) are lost at every stop",
                                       vm->vmid);
            diag_fix(c->d, dg, "qm set %u --efidisk0 STORAGE:1,efitype=4m,pre-enrolled-keys=1 (STORAGE: where its disks live, e.g. local-lvm)",
                     vm->vmid);
        }
        if (vm->machine && is_q35(vm->machine) != is_q35(hv->machine) && hv->ndisks) {
            struct diag *dg = diag_add(c->d, R_P059, vm->machine_loc.src ? vm->machine_loc : vm->loc,
                                       "VM %u is installed on %s and the spec moves it to %s: the guest sees a new chipset (new PCI paths, NIC names, a Windows driver rescan)",
                                       vm->vmid, is_q35(hv->machine) ? "q35" : "i440fx",
                                       is_q35(vm->machine) ? "q35" : "i440fx");
            diag_note(c->d, dg, (src_loc){0}, "%s: machine: %s", hv->file ? hv->file : "VM config",
                      hv->machine ? hv->machine : "(unset: i440fx)");
        }
    }
}

void rules_hostconf_run(const struct model *m, const struct facts *f,
                        struct diag_list *diags)
{
    if (!m || !f || !passes_any(m))
        return;
    struct hctx c = {.a = diags->a, .m = m, .f = f, .d = diags};
    bool ids = !m->has_host || m->host.bind == BIND_IDS;
    if (ids && spec_nids(m) && facts_module_state(f, "vfio_pci") != MOD_BUILTIN)
        check_options(&c);
    check_vfio_lines(&c);
    /* a built-in vfio_pci takes its ids from the command line, which
     * apply.sh rewrites itself (emit_cmdline.c) */
    if (ids && facts_module_state(f, "vfio_pci") != MOD_BUILTIN)
        check_cmdline(&c);
    if (ids) {
        check_softdeps(&c);
        check_native(&c);
    }
    check_vm_devices(&c);
    check_vm_firmware(&c);
}
