/* facts_vms.c — the host's VM configs (/etc/pve/qemu-server/VMID.conf)
 * as facts: only the keys passc's rules reason about (hostpciN, onboot,
 * bios, machine, efidisk0, which disks exist), read with the parser that
 * `passc import` uses, so both agree on what Proxmox keeps. */
#include "facts.h"
#include "facts_impl.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "pveconf.h"
#include "sysfs_util.h"

/* Disk keys as qemu-server names them; a cdrom (media=cdrom) is no disk. */
static bool disk_key(const char *k, const char *v)
{
    static const char *const bus[] = {"scsi", "virtio", "sata", "ide"};
    for (size_t i = 0; i < 4; i++) {
        size_t n = strlen(bus[i]);
        if (!strncmp(k, bus[i], n) && k[n] >= '0' && k[n] <= '9' &&
            strspn(k + n, "0123456789") == strlen(k + n))
            return !strstr(v, "media=cdrom");
    }
    return false;
}

static int vm_cmp(const void *x, const void *y)
{
    const struct facts_vm *a = x, *b = y;
    return (a->vmid > b->vmid) - (a->vmid < b->vmid);
}

static void read_one(arena *a, const char *path, const char *host_path,
                     struct facts_vm *vm)
{
    const char *err = NULL;
    struct source *src = source_read(a, path, &err);
    if (!src)
        return;
    struct diag_list scratch;   /* import's findings are not facts */
    diag_init(&scratch, a);
    struct pve_conf conf;
    if (pveconf_parse(a, src, &conf, &scratch) < 0 || !conf.main)
        return;
    const struct pve_section *s = conf.main;
    vm->file = host_path;
    const struct pve_setting *st;
    if ((st = pve_get(s, "bios")))
        vm->bios = st->value;
    if ((st = pve_get(s, "machine")))
        vm->machine = pve_prop_default(a, st->value, "type");
    if ((st = pve_get(s, "onboot")))
        vm->onboot = !strcmp(st->value, "1");
    vm->efidisk = pve_get(s, "efidisk0") != NULL;
    vm->disks = arena_calloc(a, s->nsettings + 1, sizeof *vm->disks);
    for (size_t i = 0; i < s->nsettings; i++) {
        const char *k = s->settings[i].key;
        if (!disk_key(k, s->settings[i].value) || pve_get(s, k) != &s->settings[i])
            continue;
        vm->disks[vm->ndisks++] = k;
    }
    size_t nh = 0;
    for (unsigned i = 0; i < PVE_MAX_HOSTPCI; i++)
        if (s->hostpci[i])
            nh += s->hostpci[i]->nhosts;
    vm->hostpci = arena_calloc(a, nh + 1, sizeof *vm->hostpci);
    for (unsigned i = 0; i < PVE_MAX_HOSTPCI; i++)
        for (size_t k = 0; s->hostpci[i] && k < s->hostpci[i]->nhosts; k++)
            vm->hostpci[vm->nhostpci++] = s->hostpci[i]->hosts[k];
}

void facts_read_vms(arena *a, const char *root, struct facts *f,
                    struct diag_list *diags)
{
    (void)diags;
    const char *dir = sysfs_path(a, root, "etc/pve/qemu-server");
    DIR *dp = opendir(dir);
    if (!dp)
        return;   /* not a Proxmox host (or no access): VMs unknown */
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(dp))) {
        const char *host_path = arena_printf(a, "/etc/pve/qemu-server/%s", e->d_name);
        unsigned vmid = pve_vmid_from_path(host_path);
        size_t len = strlen(e->d_name);
        if (!vmid || len < 6 || strcmp(e->d_name + len - 5, ".conf"))
            continue;
        if (f->nvms == cap) {
            size_t nc = cap ? 2 * cap : 8;
            f->vms = arena_realloc(a, f->vms, cap * sizeof *f->vms, nc * sizeof *f->vms);
            cap = nc;
        }
        struct facts_vm *vm = &f->vms[f->nvms];
        memset(vm, 0, sizeof *vm);
        vm->vmid = vmid;
        read_one(a, arena_printf(a, "%s/%s", dir, e->d_name), host_path, vm);
        if (vm->file)
            f->nvms++;
    }
    closedir(dp);
    qsort(f->vms, f->nvms, sizeof *f->vms, vm_cmp);
    f->vms_known = true;
}
