/* emit_models.h — models for the emitter tests: VM 102 is the one spec,
 * examples/vm102.pass, resolved; hand-built ones (tm_model, tm_vm, tm_dev)
 * pose what no file can, such as names that carry newlines next to shell
 * and PowerShell syntax. */
#ifndef PASSC_TEST_EMIT_MODELS_H
#define PASSC_TEST_EMIT_MODELS_H

#include <string.h>

#include "ast.h"
#include "model.h"
#include "plan.h"
#include "source.h"
#include "test_util.h"

static struct m_device *tm_dev(arena *a, struct m_vm *vm, enum dev_kind kind,
                               const char *addr, const char *id,
                               const char *name)
{
    struct m_device *d = arena_calloc(a, 1, sizeof *d);
    const char *why;
    d->kind = kind;
    pci_addr_parse(addr, true, &d->addr, &why);
    if (id) {
        d->has_id = true;
        pci_id_parse(id, &d->id, &why);
    }
    d->name = name;
    d->vm = vm;
    d->pcie = vm->q35;
    d->pcie_set = TRI_UNSET;
    d->rombar = TRI_UNSET;
    d->vendor_id = d->device_id = d->sub_vendor_id = d->sub_device_id = -1;
    d->slot = (int)vm->ndevs;
    vm->devs[vm->ndevs++] = d;
    return d;
}

static struct m_vm *tm_vm(arena *a, struct model *m, unsigned vmid,
                          const char *name, const char *machine)
{
    struct m_vm *vm = arena_calloc(a, 1, sizeof *vm);
    vm->vmid = vmid;
    vm->name = name;
    vm->machine = machine;
    vm->q35 = machine && strstr(machine, "q35");
    vm->numa = TRI_UNSET;
    vm->balloon_off = TRI_UNSET;
    vm->devs = arena_calloc(a, MAX_HOSTPCI * 2, sizeof *vm->devs);
    struct m_vm **vms = arena_calloc(a, m->nvms + 1, sizeof *vms);
    if (m->nvms)
        memcpy(vms, m->vms, m->nvms * sizeof *vms);
    vms[m->nvms++] = vm;
    m->vms = vms;
    return vm;
}

static struct model *tm_model(arena *a, const char *spec_path)
{
    struct model *m = arena_calloc(a, 1, sizeof *m);
    m->src = source_from_text(a, spec_path, "", 0);
    m->has_host = true;
    m->host.name = "pve";
    m->host.board = "ASUS ProArt X870E-CREATOR WIFI";
    m->host.iommu = IOMMU_REQUIRED;
    m->host.bind = BIND_IDS;
    return m;
}

/* The plan of m without facts, as `passc build --no-facts` makes it;
 * tests set softdeps or the command line mode on it to pose a host. */
static struct plan *tm_plan(arena *a, const struct model *m)
{
    return plan_build(a, m, NULL, NULL);
}

/* examples/vm102.pass as resolve_spec gives it (read from PASSC_SRCDIR). */
static struct model *tm_vm102(arena *a)
{
    const char *path = arena_printf(a, "%s/examples/vm102.pass", tu_srcdir());
    size_t len;
    const char *text = tu_slurp(a, path, &len);
    struct diag_list d;
    diag_init(&d, a);
    struct ast_spec *ast = parse_spec(a, source_from_text(a, path, text, len), &d);
    ck_assert_ptr_nonnull(ast);
    struct model *m = resolve_spec(a, ast, &d);
    ck_assert_msg(d.head == NULL, "%s resolves with diagnostics", path);
    return m;
}

/* Names no grammar string could hold (newlines) next to ones it can. */
static struct model *tm_hostile(arena *a)
{
    static const char *const names[7] = {
        "vm'\n$(touch pwned-vmname)",
        "GPU \"$(touch pwned-gpu)\" `touch pwned-bt`",
        "audio'; touch pwned-q; echo '",
        "usb\nrm -rf /tmp/x\n# \\",
        "usb4 \xe2\x80\x99; New-Item pwned-ps \xe2\x80\x98",
        "$HOME ${IFS} $((1+1)) \\",
        "end\r\n'\"`"};
    struct model *m = tm_vm102(a);
    m->src = source_from_text(a, "hostile$(touch pwned-spec).pass", "", 0);
    m->vms[0]->name = names[0];
    for (size_t i = 0; i < 6; i++)
        m->vms[0]->devs[i]->name = names[i + 1];
    m->host.name = "pve'$(touch pwned-host)";
    m->vms[0]->devs[3]->guest_driver = "driver' ; Remove-Item C:\\ -Recurse ; '";
    return m;
}

#endif
