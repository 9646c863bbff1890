#!/bin/sh
# 42_passc_rescue: installed by passc's apply.sh, removed by its rollback.sh.
# update-grub runs it after 10_linux, so on every kernel install too: one
# rescue entry per kernel in /boot, with the command line 10_linux gives
# the normal entries (GRUB_CMDLINE_LINUX and GRUB_CMDLINE_LINUX_DEFAULT,
# root= as 10_linux writes it when they do not set one, as Proxmox's ZFS
# setup does) made into the rescue one.
set -e
#@include rescue-args.sh
. ./rescue-args.sh
#@end

# grub-mkconfig exports pkgdatadir; its library gives
# prepare_grub_to_access_device, make_system_path_relative_to_its_root and
# version_sort, the way 10_linux uses them.
# shellcheck source=/dev/null
. "${pkgdatadir:-/usr/share/grub}/grub-mkconfig_lib"
boot=${PASSC_ROOT:-}/boot

cmdline="${GRUB_CMDLINE_LINUX:-} ${GRUB_CMDLINE_LINUX_DEFAULT:-}"
case " $cmdline" in
*' root='*) cmdline="ro $cmdline" ;;
*)
    if [ -n "${GRUB_DEVICE_UUID:-}" ] && [ "${GRUB_DISABLE_LINUX_UUID:-}" != true ]; then
        cmdline="root=UUID=$GRUB_DEVICE_UUID ro $cmdline"
    else
        cmdline="root=${GRUB_DEVICE:-} ro $cmdline"
    fi
    ;;
esac
args=$(rescue_args "$cmdline")
rel=$(make_system_path_relative_to_its_root /boot)
access=$(prepare_grub_to_access_device "${GRUB_DEVICE_BOOT:-}" | sed 's/^/\t/')

for linux in "$boot"/vmlinuz-*; do
    [ -f "$linux" ] && printf '%s\n' "${linux##*/vmlinuz-}"
done | version_sort -r | while IFS= read -r version; do
    echo "Found passc rescue entry: $boot/vmlinuz-$version" >&2
    echo "menuentry '$rescue_title, Linux $version' --class gnu-linux --class os --id 'passc-rescue-$version' {"
    [ -z "$access" ] || printf '%s\n' "$access"
    echo "	echo 'Loading Linux $version without vfio-pci and without VM autostart ...'"
    echo "	linux $rel/vmlinuz-$version $args"
    [ ! -f "$boot/initrd.img-$version" ] || echo "	initrd $rel/initrd.img-$version"
    echo "}"
done
