#@ rescue-verify.sh: verify.sh's check of the rescue boot entry (rescue.sh
#@ installs it).  Needs ok, fail and root from verify.sh.
#@if lint
# shellcheck shell=sh disable=SC2154  # verify.sh sets root and defines ok and fail
#@end
#@include rescue-args.sh
. ./rescue-args.sh
#@end

# The rescue entry (RECOVERY.txt) must still be in the boot menu: GRUB's
# from 42_passc_rescue in grub.cfg, systemd-boot's on every ESP.  A host
# with neither boot layout has nothing to check.
if [ -d "$root/etc/grub.d" ]; then
    if grep -qF "menuentry '$rescue_title" "$root/boot/grub/grub.cfg" 2>/dev/null; then
        ok "boot menu (GRUB): $rescue_title"
    else
        fail "boot menu (GRUB): no \"$rescue_title\" in $root/boot/grub/grub.cfg (is $root/etc/grub.d/42_passc_rescue there? run update-grub)"
    fi
fi
r_hook=$root/etc/kernel/postinst.d/zzz-passc-rescue
if [ -f "$root/etc/kernel/proxmox-boot-uuids" ]; then
    if [ ! -f "$r_hook" ]; then
        fail "boot menu (systemd-boot): $r_hook is missing: run apply.sh again"
    elif r_out=$(sh "$r_hook" --check 2>&1); then
        ok "boot menu (systemd-boot): $(printf '%s\n' "$r_out" | head -n 1)"
    else
        fail "boot menu (systemd-boot): $(printf '%s\n' "$r_out" | grep -v "^$rescue_title" | head -n 1) (run $r_hook)"
    fi
fi
