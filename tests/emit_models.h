/* emit_models.h — resolved models built by hand for the emitter tests, so
 * that they do not depend on the parser: vm102 from the seed, the same on a
 * host with vfio_pci built in, and a copy whose names carry shell and
 * PowerShell syntax. */
#ifndef PASSC_TEST_EMIT_MODELS_H
#define PASSC_TEST_EMIT_MODELS_H

#include <string.h>

#include "model.h"
#include "source.h"

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

/* The seed's VM 102, as resolve_spec gives it for examples/vm102.pass. */
static struct model *tm_vm102_names(arena *a, const char *spec_path,
                                    const char *const names[7])
{
    struct model *m = tm_model(a, spec_path);
    m->host.zfs_dataset = "rpool/ROOT/pve-1";
    struct m_vm *vm = tm_vm(a, m, 102, names[0], "q35");
    vm->ostype = "win11";
    vm->bios = "ovmf";
    vm->cpu = "host";
    vm->cores = 24;
    vm->memory_mib = 96 * 1024;
    vm->numa = TRI_ON;
    struct m_device *gpu = tm_dev(a, vm, DEV_GPU, "02:00.0", "10de:2783", names[1]);
    gpu->primary = true;
    struct m_device *audio = tm_dev(a, vm, DEV_AUDIO, "02:00.1", "10de:22bc", names[2]);
    audio->parent = gpu;
    tm_dev(a, vm, DEV_USB, "77:00.0", "1b21:2426", names[3]);
    struct m_device *r = tm_dev(a, vm, DEV_USB4, "78:00.0", "1b21:2425", names[4]);
    r->guest_driver = "ASMedia USB4 Windows driver 1.0.0.0 or later";
    r->has_tunnels_stmt = true;
    r->tunnels = arena_calloc(a, 2, sizeof *r->tunnels);
    const char *why;
    pci_addr_parse("79:00.3", false, &r->tunnels[0].addr, &why);
    pci_addr_parse("79:00.4", false, &r->tunnels[1].addr, &why);
    r->ntunnels = 2;
    tm_dev(a, vm, DEV_USB, "79:00.3", "1022:15b6", names[5]);
    tm_dev(a, vm, DEV_USB, "79:00.4", "1022:15b7", names[6]);
    return m;
}

static struct model *tm_vm102(arena *a)
{
    static const char *const names[7] = {
        "win-server-2025", "RTX 4070 SUPER", NULL, "ASMedia USB 3.2 20 Gbps",
        "ASMedia ASM4242 USB4 host router", "AMD USB 3.1", "AMD USB 3.1"};
    return tm_vm102_names(a, "vm102.pass", names);
}

/* VM 102 on a host whose kernel has vfio_pci built in (P032 set the plan
 * the way rules_facts.c does): the ids go on the kernel command line. */
static struct model *tm_cmdline(arena *a)
{
    struct model *m = tm_vm102(a);
    m->plan.ids_on_cmdline = true;
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
    struct model *m = tm_vm102_names(a, "hostile$(touch pwned-spec).pass", names);
    m->host.name = "pve'$(touch pwned-host)";
    m->vms[0]->devs[3]->guest_driver = "driver' ; Remove-Item C:\\ -Recurse ; '";
    return m;
}

#endif
