#!/bin/sh
# zzz-passc-rescue: installed by passc's apply.sh in /etc/kernel/postinst.d
# and /etc/kernel/postrm.d, removed by its rollback.sh.  It sorts after
# proxmox-boot-tool's zz-proxmox-boot, which on every kernel install,
# removal and `proxmox-boot-tool refresh` writes loader/entries/proxmox-KVER.conf
# on each ESP in /etc/kernel/proxmox-boot-uuids and removes the entries and
# kernel directories of kernels it no longer keeps (but no other entry).
# This hook then writes passc-rescue-KVER.conf beside each proxmox-KVER.conf:
# the same kernel and initrd, the rescue command line, and removes those
# whose kernel is gone.  An ESP that boots GRUB (no loader/entries) is left
# to /etc/grub.d/42_passc_rescue.  Arguments (kernel version, image) are
# not needed: every entry is rebuilt.  Its own arguments:
#   --remove   remove every passc-rescue-*.conf (rollback.sh)
#   --check    print the rescue entries; exit 1 when a kernel has none (verify.sh)
set -eu
#@include rescue-args.sh
. ./rescue-args.sh
#@end

uuids=${PASSC_ROOT:-}/etc/kernel/proxmox-boot-uuids
mode=update
case ${1:-} in
--remove) mode=remove ;;
--check) mode=check ;;
esac
[ -f "$uuids" ] || exit 0

# entry FILE: proxmox-boot-tool's entry with the rescue title and options.
entry() {
    while IFS= read -r line || [ -n "$line" ]; do
        case $line in
        'title '* | 'title	'*) printf 'title    %s\n' "$rescue_title" ;;
        'options '* | 'options	'*) printf 'options  %s\n' "$(rescue_args "${line#options}")" ;;
        *) printf '%s\n' "$line" ;;
        esac
    done <"$1"
}

# esp DIR: the entries of one mounted ESP.
esp() {
    entries=$1/loader/entries
    [ -d "$entries" ] || return 0
    for f in "$entries"/passc-rescue-*.conf; do
        [ -f "$f" ] || continue
        kver=${f##*/passc-rescue-}
        kver=${kver%.conf}
        if [ "$mode" = remove ] || [ ! -f "$entries/proxmox-$kver.conf" ]; then
            rm -f "$f"
        fi
    done
    for f in "$entries"/proxmox-*.conf; do
        [ -f "$f" ] || continue
        kver=${f##*/proxmox-}
        kver=${kver%.conf}
        new=$entries/passc-rescue-$kver.conf
        case $mode in
        update)
            entry "$f" >"$new.passc-new"
            mv -f "$new.passc-new" "$new"
            ;;
        check)
            if [ -f "$new" ]; then
                echo "$rescue_title ($kver) on ESP $uuid"
            else
                echo "no rescue entry for $kver on ESP $uuid" >&2
                status=1
            fi
            ;;
        esac
    done
}

mnt=$(mktemp -d "${TMPDIR:-/tmp}/passc-rescue.XXXXXX")
mounted=0
trap '[ "$mounted" = 0 ] || umount "$mnt" || true; rmdir "$mnt" 2>/dev/null || true' EXIT
status=0
while read -r uuid _; do
    case $uuid in '' | '#'*) continue ;; esac
    if ! mount "/dev/disk/by-uuid/$uuid" "$mnt"; then
        echo "zzz-passc-rescue: cannot mount ESP /dev/disk/by-uuid/$uuid: its rescue entries are not updated" >&2
        # a failing postinst hook would fail the kernel package install
        [ "$mode" = update ] || status=1
        continue
    fi
    mounted=1
    esp "$mnt"
    umount "$mnt"
    mounted=0
done <"$uuids"
exit "$status"
