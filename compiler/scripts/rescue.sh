#@ rescue.sh: the rescue boot entry, included by apply.sh and rollback.sh
#@ (its texts from emit_recover.c).  apply.sh backs up and installs it,
#@ rollback.sh restores what was there before.
#@if lint
# shellcheck shell=sh disable=SC2034,SC2154  # a library: apply.sh and rollback.sh use it; common.sh sets root, lib
#@end
#@include rescue-args.sh
. ./rescue-args.sh
#@end

# The rescue boot entry: the same kernel without vfio-pci and without VM
# autostart (rescue-args.sh), for when the host does not come back after
# the reboot (recover.sh, RECOVERY.txt).  GRUB (there is an /etc/grub.d)
# gets a generator that update-grub runs on every kernel install;
# systemd-boot through proxmox-boot-tool (/etc/kernel/proxmox-boot-uuids)
# gets a kernel hook that runs after proxmox-boot-tool's own.  A host with
# both gets both: proxmox-boot-tool also runs GRUB from an ESP.
rescue_kinds() {
    [ ! -d "$root/etc/grub.d" ] || printf 'grub '
    [ ! -f "$root/etc/kernel/proxmox-boot-uuids" ] || printf 'postinst postrm'
}

# rescue_target KIND: the file (r_file) and its name in a backup (r_back).
rescue_target() {
    case $1 in
    grub) r_file=$root/etc/grub.d/42_passc_rescue r_back=rescue-grub.d ;;
    postinst) r_file=$root/etc/kernel/postinst.d/zzz-passc-rescue r_back=rescue-postinst.d ;;
    postrm) r_file=$root/etc/kernel/postrm.d/zzz-passc-rescue r_back=rescue-postrm.d ;;
    esac
}

rescue_want() {
    if [ "$1" = grub ]; then
        cat <<'PASSC_RESCUE_GRUB'
@rescue_grub@
PASSC_RESCUE_GRUB
    else
        cat <<'PASSC_RESCUE_HOOK'
@rescue_hook@
PASSC_RESCUE_HOOK
    fi
}

# True when this host's rescue files are in place as passc writes them.
rescue_current() {
    for kind in $(rescue_kinds); do
        rescue_target "$kind"
        [ -x "$r_file" ] && rescue_want "$kind" | cmp -s - "$r_file" || return 1
    done
}

rescue_need() {
    case " $(rescue_kinds)" in *' grub '*) need update-grub ;; esac
    case " $(rescue_kinds)" in *' postinst'*) need mount umount ;; esac
}

# The rescue files are the host's, not one build's: every spec applied on
# it shares them.  A VM with a build applied has $lib/state/VMID.keys
# (apply.sh writes it, rollback.sh puts back or removes it), so those files
# say who still needs the rescue entry.  $r_before holds the files as they
# were before the first of those builds: what the last rollback puts back.
r_before=$lib/state/rescue-before

# rescue_in_use --any: true when any VM has a build applied now.
# rescue_in_use [PICK]: true when a VM keeps one after this rollback:
# another spec's VM, or one of ours whose backup PICK was itself taken over
# an applied build (no PICK: rollback.sh without a backup, ours all go).
rescue_in_use() {
    for r_keys in "$lib"/state/*.keys; do
        [ -f "$r_keys" ] || continue
        r_vm=${r_keys##*/}
        r_vm=${r_vm%.keys}
        case " $vmids " in
        *" $r_vm "*)
            if [ "${1:-}" = --any ] ||
                { [ -n "${1:-}" ] && [ -f "$lib/backup/$r_vm/$1/state.keys" ]; }; then
                return 0
            fi
            ;;
        *) return 0 ;;
        esac
    done
    return 1
}

# rescue_backup DIR: the files install_rescue may change, or NAME.absent;
# also in $r_before when no VM has a build applied yet (before the first
# change, so the host's own files).
rescue_backup() {
    for r_to in "$1" "$r_before"; do
        if [ "$r_to" = "$r_before" ]; then
            ! rescue_in_use --any || break
            rm -rf "$r_before"
            mkdir -p "$r_before"
        fi
        for kind in $(rescue_kinds); do
            rescue_target "$kind"
            if [ -f "$r_file" ]; then
                cp -p "$r_file" "$r_to/$r_back"
            else
                : >"$r_to/$r_back.absent"
            fi
        done
    done
}

# rescue_refresh KINDS: the boot menu made again from the files.  GRUB's
# only through rescue_grub_refresh, once the kernel command line is done.
rescue_refresh() {
    case " $1" in *' grub'*) r_grub=1 ;; esac
    r_hook=$root/etc/kernel/postinst.d/zzz-passc-rescue
    case " $1" in *' postinst'*)
        if [ -f "$r_hook" ]; then
            say "running $r_hook (the rescue entries on the ESPs)"
            sh "$r_hook"
        fi
        ;;
    esac
}

# rescue_grub_refresh: update-grub for the rescue entry, unless the kernel
# command line's update-grub is pending (P032 builds, whose scripts end
# with boot_refresh_if_pending): that one run reads both changes, and a
# failed one is run again by the next apply.sh or rollback.sh.
rescue_grub_refresh() {
    [ "${r_grub:-0}" = 1 ] || return 0
    r_grub=0
#@if cmdline
    [ "$(cat "$lib/state/bootloader.pending" 2>/dev/null)" != update-grub ] || return 0
#@end
    say 'running update-grub (the rescue boot entry)'
    update-grub
}

install_rescue() {
    r_done=''
    for kind in $(rescue_kinds); do
        rescue_target "$kind"
        [ -x "$r_file" ] && rescue_want "$kind" | cmp -s - "$r_file" && continue
        mkdir -p "${r_file%/*}"
        rescue_want "$kind" >"$r_file.passc-new"
        chmod 0755 "$r_file.passc-new"
        mv -f "$r_file.passc-new" "$r_file"
        say "installed $r_file"
        r_done="$r_done $kind"
    done
    [ -n "$(rescue_kinds)" ] || {
        say 'no rescue boot entry: neither /etc/grub.d nor /etc/kernel/proxmox-boot-uuids is here (see RECOVERY.txt for a live system)'
        return 0
    }
    rescue_refresh "$r_done"
    # apply.sh has recorded the kernel command line's refresh by now
    rescue_grub_refresh
    say "the boot menu has \"$rescue_title\" for each kernel: boot it if the host does not come back (RECOVERY.txt)"
}

# rescue_keep [PICK]: true, saying so, when the rescue files stay for a
# build still applied after this rollback (rescue_in_use).
rescue_keep() {
    rescue_in_use "$1" || return 1
    for kind in grub postinst postrm; do
        rescue_target "$kind"
        [ -e "$r_file" ] || continue
        say "kept the rescue boot entry: a build passc applied on this host still uses it"
        break
    done
    return 0
}

# restore_rescue DIR: the rescue files as they were before the first build
# applied on this host ($r_before; or as the backup DIR has them, from an
# apply.sh that kept no $r_before), unless another build still uses them.
restore_rescue() {
    ! rescue_keep "${1##*/}" || return 0
    if [ -d "$r_before" ]; then rescue_put_back "$r_before"; else rescue_put_back "$1"; fi
    rm -rf "$r_before"
}

# rescue_put_back DIR: the rescue files as DIR has them.  The ESP entries go
# first, while the hook that knows them is still there.
rescue_put_back() {
    r_done=''
    for kind in grub postinst postrm; do
        rescue_target "$kind"
        if [ -f "$1/$r_back" ]; then
            ! cmp -s "$1/$r_back" "$r_file" || continue
        elif [ ! -f "$1/$r_back.absent" ] || [ ! -e "$r_file" ]; then
            continue
        fi
        r_done="$r_done $kind"
    done
    case $r_done in *grub*) need update-grub ;; esac
    for kind in $r_done; do
        rescue_target "$kind"
        if [ "$kind" = postinst ] && [ -f "$r_file" ]; then
            sh "$r_file" --remove
        fi
        if [ -f "$1/$r_back" ]; then
            cp -p "$1/$r_back" "$r_file.passc-new"
            mv -f "$r_file.passc-new" "$r_file"
            say "restored $r_file"
        else
            rm -f "$r_file"
            say "removed $r_file (the rescue boot entry; there was none before)"
        fi
        changed=1
    done
    [ -z "$r_done" ] || rescue_refresh "$r_done"
}

# Without a backup: as before the first build ($r_before), or else only
# files that are exactly what passc writes go.
remove_rescue() {
    ! rescue_keep '' || return 0
    if [ -d "$r_before" ]; then
        rescue_put_back "$r_before"
        rm -rf "$r_before"
        return 0
    fi
    r_done=''
    for kind in grub postinst postrm; do
        rescue_target "$kind"
        rescue_want "$kind" | cmp -s - "$r_file" || continue
        r_done="$r_done $kind"
    done
    case $r_done in *grub*) need update-grub ;; esac
    for kind in $r_done; do
        rescue_target "$kind"
        [ "$kind" != postinst ] || sh "$r_file" --remove
        rm -f "$r_file"
        say "removed $r_file (the rescue boot entry, exactly what passc writes)"
        changed=1
    done
    case $r_done in *grub*) rescue_refresh grub ;; esac
}
