/* emit_vmconf.c — the VM's managed settings: hostpciN lines and the few
 * machine settings the spec names, written the way Proxmox accepts them
 * (proxmox-formats.md §1.3, §2): lowercase hex, no spaces, key=1 booleans,
 * hostpci0–15 only, options in one fixed order. */
#include <string.h>

#include "emit_parts.h"

void emit_hostpci_value(const struct m_device *d, struct strbuf *out)
{
    char buf[24];
    struct pci_addr host = d->addr;
    /* all-functions: the function-less id makes Proxmox pass every function
     * of the card as one multifunction guest device. */
    if (d->all_functions)
        host.func = PCI_FUNC_ALL;
    sb_add(out, pci_addr_format(&host, buf));
    if (d->pcie)
        sb_add(out, ",pcie=1");
    if (d->primary)
        sb_add(out, ",x-vga=1");
    if (d->rombar == TRI_OFF)
        sb_add(out, ",rombar=0");
    if (d->romfile)
        sb_printf(out, ",romfile=%s", d->romfile);
    if (d->mdev)
        sb_printf(out, ",mdev=%s", d->mdev);
    if (d->legacy_igd)
        sb_add(out, ",legacy-igd=1");
    static const char *const id_keys[] = {"vendor-id", "device-id",
                                          "sub-vendor-id", "sub-device-id"};
    const int ids[] = {d->vendor_id, d->device_id, d->sub_vendor_id,
                       d->sub_device_id};
    for (size_t i = 0; i < 4; i++)
        if (ids[i] >= 0)
            sb_printf(out, ",%s=0x%04x", id_keys[i], (unsigned)ids[i]);
}

/* Strings from the spec are single-line by the grammar; a control byte
 * that still got here would make Proxmox drop the whole line, so it
 * becomes a space rather than reach the file. */
static const char *one_line(arena *a, const char *s)
{
    char *c = arena_strdup(a, s);
    for (char *p = c; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    return c;
}

struct vm_setting *vm_settings(arena *a, const struct model *m,
                               const struct m_vm *vm, size_t *n)
{
    (void)m;
    struct vm_setting *s = arena_calloc(a, vm->ndevs + 10, sizeof *s);
    size_t k = 0;
    /* By slot number, not declaration order: pinned slots make the two
     * differ, and a reader compares the file against `qm config`. */
    for (int slot = 0; slot < MAX_HOSTPCI; slot++) {
        for (size_t i = 0; i < vm->ndevs; i++) {
            const struct m_device *d = vm->devs[i];
            if (d->folded || d->slot != slot)
                continue;
            struct strbuf v;
            sb_init(&v, a);
            emit_hostpci_value(d, &v);
            s[k].key = arena_printf(a, "hostpci%d", slot);
            s[k].value = one_line(a, sb_str(&v));
            k++;
            break;
        }
    }
    if (vm->machine)
        s[k].key = "machine", s[k++].value = one_line(a, vm->machine);
    if (vm->bios)
        s[k].key = "bios", s[k++].value = one_line(a, vm->bios);
    if (vm->cpu)
        s[k].key = "cpu", s[k++].value = one_line(a, vm->cpu);
    if (vm->cores)
        s[k].key = "cores", s[k++].value = arena_printf(a, "%u", vm->cores);
    if (vm->memory_mib)
        s[k].key = "memory",
        s[k++].value = arena_printf(a, "%llu", (unsigned long long)vm->memory_mib);
    if (vm->numa != TRI_UNSET)
        s[k].key = "numa", s[k++].value = vm->numa == TRI_ON ? "1" : "0";
    if (vm->ostype)
        s[k].key = "ostype", s[k++].value = one_line(a, vm->ostype);
    if (vm->vga)
        s[k].key = "vga", s[k++].value = one_line(a, vm->vga);
    if (vm->balloon_off == TRI_ON)
        s[k].key = "balloon", s[k++].value = "0";
    *n = k;
    return s;
}

void emit_vm_conf(const struct model *m, const struct m_vm *vm,
                  struct strbuf *out)
{
    size_t n;
    struct vm_setting *s = vm_settings(out->a, m, vm, &n);
    for (size_t i = 0; i < n; i++)
        sb_printf(out, "%s: %s\n", s[i].key, s[i].value);
}
