/* emit_apply.c — apply.sh: puts the spec into effect on the host.
 *
 * Order matters: compare first (a second run changes nothing and takes no
 * backup, so rollback still returns to the state before passc), then back
 * up everything it will change, then snapshot, then change.  A failure
 * after the backup leaves a state rollback.sh restores. */
#include "emit_parts.h"

static const char body[] =
    "usage() { echo 'usage: apply.sh [--force]   (--force: even if a VM is running)'; }\n"
    "for arg in \"$@\"; do\n"
    "    case $arg in\n"
    "    --force) force=1 ;;\n"
    "    -h | --help)\n"
    "        usage\n"
    "        exit 0\n"
    "        ;;\n"
    "    *)\n"
    "        usage >&2\n"
    "        exit 2\n"
    "        ;;\n"
    "    esac\n"
    "done\n"
    "\n"
    "# Compares what the spec wants on VM $1 with `qm config`.  Sets\n"
    "#   p_set    KEY=VALUE lines that differ from the VM's current values,\n"
    "#   p_del    hostpci keys (comma list) passc set earlier and the spec dropped,\n"
    "#   p_before each changed key's current value (KEY=VALUE, or -KEY if unset),\n"
    "#   p_state  the keys passc manages once this run is done.\n"
    "plan_vm() {\n"
    "    conf=$(qm config \"$1\") || die \"qm config $1 failed\"\n"
    "    p_set='' p_del='' p_before='' p_state=''\n"
    "    wanted=$(\"want_vm_$1\")\n"
    "    while IFS= read -r kv; do\n"
    "        [ -n \"$kv\" ] || continue\n"
    "        key=${kv%%=*} val=${kv#*=}\n"
    "        p_state=$p_state$key$nl\n"
    "        if cur=$(conf_get \"$key\"); then\n"
    "            [ \"$cur\" = \"$val\" ] && continue\n"
    "            p_before=$p_before$key=$cur$nl\n"
    "        else\n"
    "            p_before=$p_before-$key$nl\n"
    "        fi\n"
    "        p_set=$p_set$kv$nl\n"
    "    done <<EOF\n"
    "$wanted\n"
    "EOF\n"
    "    state_file=$lib/state/$1.keys\n"
    "    [ -f \"$state_file\" ] || return 0\n"
    "    while IFS= read -r key; do\n"
    "        case $key in hostpci[0-9] | hostpci1[0-5]) ;; *) continue ;; esac\n"
    "        case $nl$p_state in *\"$nl$key$nl\"*) continue ;; esac\n"
    "        cur=$(conf_get \"$key\") || continue\n"
    "        p_before=$p_before$key=$cur$nl\n"
    "        p_del=$p_del${p_del:+,}$key\n"
    "    done <\"$state_file\"\n"
    "}\n"
    "\n"
    "need qm update-initramfs\n"
    "[ -z \"$zfs_dataset\" ] || need zfs\n"
    "check_stopped\n"
    "\n"
    "changed=0\n"
    "want_vfio | cmp -s - \"$vfio_conf\" || changed=1\n"
    "for vmid in $vmids; do\n"
    "    plan_vm \"$vmid\"\n"
    "    [ -z \"$p_set$p_del\" ] || changed=1\n"
    "    printf '%s' \"$p_state\" | cmp -s - \"$lib/state/$vmid.keys\" || changed=1\n"
    "done\n"
    "if [ \"$changed\" = 0 ]; then\n"
    "    say 'nothing to change: vfio.conf and the VM settings already match the spec'\n"
    "    update_initramfs_if_pending\n"
    "    [ \"$reboot_needed\" = 0 ] || say 'reboot the host so that the new initramfs is used'\n"
    "    exit 0\n"
    "fi\n"
    "\n"
    "ts=$(date -u +%Y%m%dT%H%M%SZ)\n"
    "for vmid in $vmids; do\n"
    "    if [ -e \"$lib/backup/$vmid/$ts\" ]; then\n"
    "        ts=$ts-$$\n"
    "        break\n"
    "    fi\n"
    "done\n"
    "stage=checking\n"
    "finish() {\n"
    "    rc=$?\n"
    "    if [ \"$stage\" = backup ]; then\n"
    "        for vmid in $vmids; do rm -rf \"$lib/backup/$vmid/.$ts.partial\"; done\n"
    "    fi\n"
    "    [ \"$rc\" = 0 ] && return 0\n"
    "    case $stage in\n"
    "    changing) printf 'passc: apply.sh failed part-way; \"rollback.sh %s\" puts back what it changed\\n' \"$ts\" >&2 ;;\n"
    "    *) printf 'passc: apply.sh stopped before changing anything\\n' >&2 ;;\n"
    "    esac\n"
    "}\n"
    "trap finish EXIT\n"
    "\n"
    "# The backup is complete before anything changes; an incomplete one is\n"
    "# removed, and rollback.sh only reads complete ones (no leading dot).\n"
    "snapshot=''\n"
    "[ -z \"$zfs_dataset\" ] || snapshot=$zfs_dataset@passc-$first_vmid-$ts\n"
    "stage=backup\n"
    "for vmid in $vmids; do\n"
    "    dir=$lib/backup/$vmid/.$ts.partial\n"
    "    mkdir -p \"$dir\"\n"
    "    if [ -f \"$vfio_conf\" ]; then\n"
    "        cp -p \"$vfio_conf\" \"$dir/vfio.conf\"\n"
    "    else\n"
    "        : >\"$dir/vfio.conf.absent\"\n"
    "    fi\n"
    "    if [ -f \"$lib/state/$vmid.keys\" ]; then\n"
    "        cp -p \"$lib/state/$vmid.keys\" \"$dir/state.keys\"\n"
    "    fi\n"
    "    plan_vm \"$vmid\"\n"
    "    printf '%s' \"$p_before\" >\"$dir/settings\"\n"
    "    [ -z \"$snapshot\" ] || printf '%s\\n' \"$snapshot\" >\"$dir/zfs-snapshot\"\n"
    "done\n"
    "for vmid in $vmids; do\n"
    "    mv \"$lib/backup/$vmid/.$ts.partial\" \"$lib/backup/$vmid/$ts\"\n"
    "    say \"backed up what will change on VM $vmid to $lib/backup/$vmid/$ts\"\n"
    "done\n"
    "\n"
    "stage=changing\n"
    "if [ -n \"$snapshot\" ]; then\n"
    "    zfs snapshot \"$snapshot\"\n"
    "    say \"took ZFS snapshot $snapshot\"\n"
    "fi\n"
    "mkdir -p \"$lib/state\"\n"
    "if ! want_vfio | cmp -s - \"$vfio_conf\"; then\n"
    "    # Recorded first: if update-initramfs fails below, the next apply.sh\n"
    "    # or rollback.sh still runs it although vfio.conf already matches.\n"
    "    : >\"$lib/state/initramfs.pending\"\n"
    "    mkdir -p \"$root/etc/modprobe.d\"\n"
    "    want_vfio >\"$vfio_conf.passc-new\"\n"
    "    chmod 0644 \"$vfio_conf.passc-new\"\n"
    "    mv -f \"$vfio_conf.passc-new\" \"$vfio_conf\"\n"
    "    say \"installed $vfio_conf\"\n"
    "fi\n"
    "for vmid in $vmids; do\n"
    "    plan_vm \"$vmid\"\n"
    "    if [ -n \"$p_set\" ]; then\n"
    "        set --\n"
    "        while IFS= read -r kv; do\n"
    "            [ -n \"$kv\" ] || continue\n"
    "            set -- \"$@\" \"--${kv%%=*}\" \"${kv#*=}\"\n"
    "        done <<EOF\n"
    "$p_set\n"
    "EOF\n"
    "        qm set \"$vmid\" \"$@\"\n"
    "        say \"VM $vmid: set $(printf '%s' \"$p_set\" | sed 's/=.*//' | tr '\\n' ' ')\"\n"
    "    fi\n"
    "    if [ -n \"$p_del\" ]; then\n"
    "        qm set \"$vmid\" --delete \"$p_del\"\n"
    "        say \"VM $vmid: removed $p_del (set by passc before; the spec no longer uses them)\"\n"
    "    fi\n"
    "    printf '%s' \"$p_state\" >\"$lib/state/$vmid.keys.passc-new\"\n"
    "    mv -f \"$lib/state/$vmid.keys.passc-new\" \"$lib/state/$vmid.keys\"\n"
    "done\n"
    "update_initramfs_if_pending\n"
    "stage=finished\n"
    "for vmid in $vmids; do\n"
    "    conf=$(qm config \"$vmid\")\n"
    "    mine=$(\"want_vm_$vmid\" | sed -n 's/^hostpci[0-9]*=\\(0000:\\)\\{0,1\\}\\([^,]*\\).*/\\2/p')\n"
    "    for key in $(printf '%s\\n' \"$conf\" | sed -n 's/^\\(hostpci[0-9]*\\): .*/\\1/p'); do\n"
    "        grep -qx \"$key\" \"$lib/state/$vmid.keys\" && continue\n"
    "        say \"note: VM $vmid has $key, which the spec does not name; left as it is\"\n"
    "        host=$(conf_get \"$key\")\n"
    "        host=${host%%,*}\n"
    "        host=${host#host=}\n"
    "        host=${host#0000:}\n"
    "        if printf '%s\\n' \"$mine\" | grep -qxF -- \"$host\"; then\n"
    "            say \"warning: $key passes $host too, so VM $vmid will not start ('device assigned more than once'): qm set $vmid --delete $key\"\n"
    "        fi\n"
    "    done\n"
    "done\n"
    "say \"done. Reboot the host so that vfio-pci claims the devices at boot, then run verify.sh\"\n"
    "say \"to undo: rollback.sh (or rollback.sh $ts)\"\n";

/* A built-in vfio_pci ignores modprobe.d; apply.sh does not edit the boot
 * loader's command line, so it says what to add there. */
static void cmdline_hint(const struct model *m, struct strbuf *out)
{
    size_t n;
    struct pci_id *ids = model_vfio_ids(out->a, m, &n);
    if (!m->plan.ids_on_cmdline || !n || (m->has_host && m->host.bind == BIND_START))
        return;
    struct strbuf w;
    sb_init(&w, out->a);
    sb_add(&w, "vfio_pci is built into this kernel: add vfio-pci.ids=");
    char b[10];
    for (size_t i = 0; i < n; i++)
        sb_printf(&w, "%s%s", i ? "," : "", pci_id_format(&ids[i], b));
    sb_add(&w, " to the kernel command line (/etc/default/grub or /etc/kernel/cmdline),"
               " then run update-grub or proxmox-boot-tool refresh");
    sb_add(out, "say ");
    sb_shell_quote(out, sb_str(&w));
    sb_addc(out, '\n');
}

void emit_apply_sh(const struct model *m, struct strbuf *out)
{
    sb_add(out, "#!/bin/sh\n# apply.sh: generated by passc from ");
    emit_comment_text(out, emit_spec_name(m));
    sb_add(out, "; do not edit.\n"
                "# Installs /etc/modprobe.d/vfio.conf and sets the passthrough settings of\n"
                "# VM(s)");
    for (size_t v = 0; v < m->nvms; v++)
        sb_printf(out, " %u", m->vms[v]->vmid);
    sb_add(out, ", after saving what it changes under\n"
                "# /var/lib/passc/backup/VMID/TIMESTAMP for rollback.sh.  Refuses while a VM\n"
                "# runs (--force overrides).  Every path is under $PASSC_ROOT when set;\n"
                "# qm, update-initramfs and zfs come from PATH.\n");
    if (!emit_sh_head(m, out, "apply"))
        return;
    sb_add(out, "\nzfs_dataset=");
    sb_shell_quote(out, m->has_host && m->host.zfs_dataset ? m->host.zfs_dataset : "");
    sb_add(out, "\nnl='\n'\n\n");
    sb_add(out, body);
    cmdline_hint(m, out);
}
