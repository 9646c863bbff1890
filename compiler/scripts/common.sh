#@ common.sh: the head apply.sh and rollback.sh share, included by both
#@ (emit_shlib.c).  Emitting it once for both scripts is what makes
#@ rollback's "byte-identical to what passc wrote" test mean the same bytes
#@ apply.sh installs.  Lines starting "#@" are the template's own (see
#@ include/script.h); @name@ is data from the spec, always quoted.
#@if lint
# shellcheck shell=sh disable=SC2034,SC2154  # a library: apply.sh and rollback.sh use its variables and set conf
#@end
root=${PASSC_ROOT:-}
vfio_conf=$root/etc/modprobe.d/vfio.conf
lib=$root/var/lib/passc
vmids=@vmids@
first_vmid=@first_vmid@
force=0
reboot_needed=0

say() { printf 'passc: %s\n' "$*"; }
die() {
    printf 'passc: error: %s\n' "$*" >&2
    exit 1
}

# $1 as one shell word, for commands printed for people to run.
quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

# The value of setting $1 in $conf (output of `qm config`); fails when the
# VM does not have it.  Proxmox never stores an empty value.
conf_get() {
    got=$(printf '%s\n' "$conf" | sed -n "/^$1: /{s///p;q;}")
    [ -n "$got" ] && printf '%s\n' "$got"
}

# hostpci changes on a running VM only go to [PENDING] until it is stopped
# and started, so a run against a running VM would not really be done (a
# dry run, which changes nothing, only says so).
check_stopped() {
    for vmid in $vmids; do
        st=$(qm status "$vmid") || die "qm status $vmid failed: is there a VM $vmid on this host?"
        case $st in
        *'status: running'*)
            if [ "$force" = 1 ]; then
                say "VM $vmid is running (--force): its hostpci changes stay pending until it is stopped and started"
            elif [ "${dry_run:-0}" = 1 ]; then
                say "VM $vmid is running: without --force, a real run refuses (hostpci changes would only go pending)"
            else
                die "VM $vmid is running: hostpci changes would only go pending. Shut it down first, or give --force"
            fi
            ;;
        esac
    done
}

# Checked before anything changes: a tool missing half way would leave
# the work half done.
need() {
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 ||
            die "$tool not found on PATH: run this on the Proxmox VE host, as root"
    done
}

# One apply.sh or rollback.sh at a time: two at once would both back up,
# both qm set and both snapshot.  The second refuses rather than waits: once
# the first is done, the host is not what the second compared against.
take_lock() {
    need flock
    mkdir -p "$lib"
    exec 9>>"$lib/lock"
    flock -n 9 || die "another apply.sh or rollback.sh is running (it holds $lib/lock): let it finish, then run this again"
}

# What this build sets, as one word: a backup records it, so that rollback.sh
# can tell its own backups from those of other builds.
build_id() {
    { want_vfio; for v in $vmids; do "want_vm_$v"; done; } | cksum | tr ' ' -
}

update_initramfs_if_pending() {
    if [ -f "$lib/state/initramfs.pending" ]; then
        say 'running update-initramfs -u -k all (vfio.conf changed)'
        update-initramfs -u -k all
        rm -f "$lib/state/initramfs.pending"
        reboot_needed=1
    fi
}

#@if cmdline
# vfio_pci is built into this host's kernel and never reads modprobe.d:
# these ids go on the kernel command line instead (vfio-pci.ids=).
cmdline_ids=@cmdline_ids@
#@ the editor, compiler/scripts/cmdline.awk, as one quoted word
cmdline_awk=@cmdline_awk@

# How this host boots (Proxmox docs, system-booting): /etc/kernel/cmdline
# is proxmox-boot-tool's (systemd-boot); without it GRUB reads
# GRUB_CMDLINE_LINUX_DEFAULT from /etc/default/grub.  A systemd-boot host
# has /etc/default/grub too, which is why /etc/kernel/cmdline goes first,
# unless the running kernel was started by GRUB (only GRUB passes
# BOOT_IMAGE=; ZFS hosts booting GRUB through proxmox-boot-tool, e.g.
# with Secure Boot, can have an /etc/kernel/cmdline nothing reads).
boot_detect() {
    boot_kind='' boot_file='' boot_tool='' boot_backup=''
    [ ! -f "$root/etc/default/grub" ] || boot_kind=grub
    if [ -f "$root/etc/kernel/cmdline" ] &&
        ! { [ "$boot_kind" = grub ] && grep -q 'BOOT_IMAGE=' "$root/proc/cmdline" 2>/dev/null; }; then
        boot_kind=cmdline
    fi
    [ -z "$boot_kind" ] || boot_target "$boot_kind"
}

# boot_target KIND: the file, the tool that makes the boot loader read it,
# and the file's name in a backup.
boot_target() {
    case $1 in
    cmdline) boot_file=$root/etc/kernel/cmdline boot_tool=proxmox-boot-tool boot_backup=etc-kernel-cmdline ;;
    grub) boot_file=$root/etc/default/grub boot_tool=update-grub boot_backup=etc-default-grub ;;
    esac
}

# cmdline_edit MODE: the editor (cmdline_awk) on $boot_file.
cmdline_edit() {
    nonl=0
    [ ! -s "$boot_file" ] || [ -z "$(tail -c 1 "$boot_file")" ] || nonl=1
    LC_ALL=C awk -v mode="$1" -v kind="$boot_kind" -v ids="$cmdline_ids" \
        -v nonl="$nonl" "$cmdline_awk" <"$boot_file"
}

# cmdline_install MODE: $boot_file edited by MODE (write or remove), put in
# place atomically with its owner and mode.  The refresh is recorded
# first: if it fails, the next apply.sh or rollback.sh runs it again.
cmdline_install() {
    boot_pending "$boot_tool"
    cp -p "$boot_file" "$boot_file.passc-new"
    cmdline_edit "$1" >"$boot_file.passc-new"
    mv -f "$boot_file.passc-new" "$boot_file"
}

boot_pending() { printf '%s\n' "$1" >"$lib/state/bootloader.pending"; }

boot_refresh_if_pending() {
    [ -f "$lib/state/bootloader.pending" ] || return 0
    tool=$(cat "$lib/state/bootloader.pending")
    case $tool in
    proxmox-boot-tool)
        need proxmox-boot-tool
        say 'running proxmox-boot-tool refresh (the kernel command line changed)'
        proxmox-boot-tool refresh
        ;;
    update-grub)
        need update-grub
        say 'running update-grub (the kernel command line changed)'
        update-grub
        ;;
    *) die "$lib/state/bootloader.pending is damaged" ;;
    esac
    rm -f "$lib/state/bootloader.pending"
    reboot_needed=1
}

#@end
# The vfio.conf this spec installs, byte for byte.
want_vfio() {
    @want_vfio@
}
#@ For each VM, want_vm_VMID: KEY=VALUE, the settings passc manages on it.
@want_vms@
