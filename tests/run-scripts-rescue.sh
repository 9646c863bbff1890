#!/bin/sh
# run-scripts-rescue.sh — the rescue boot entry (apply.sh, rollback.sh,
# verify.sh) and recover.sh, on a GRUB host and on a systemd-boot host
# managed by proxmox-boot-tool.
#
# Besides tests/sandbox/bin, tests/sandbox/rescue/bin has stand-ins that
# make the boot menu real enough to look at: update-grub writes
# boot/grub/grub.cfg from etc/grub.d, mount and umount make ESP UUID the
# directory esp/UUID, chroot runs a stand-in with PASSC_ROOT=ROOT.
#
# Environment (from `make check-cli`): PASSC, PASSC_SRCDIR.
set -u
src=${PASSC_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$src/tests/scripts_lib.sh"

rbin=$sandbox/rescue/bin
CA=$work/cmdline/apply.sh
RC=$work/vm102/recover.sh
k1=6.8.12-4-pve k2=6.14.8-2-pve
title='Proxmox VE rescue (passc: no vfio-pci, no VM autostart)'
grubd() { echo "$PASSC_ROOT/etc/grub.d/42_passc_rescue"; }
hook() { echo "$PASSC_ROOT/etc/kernel/postinst.d/zzz-passc-rescue"; }
entries() { echo "$PASSC_ROOT/esp/ABCD-1234/loader/entries"; }
cfg() { echo "$PASSC_ROOT/boot/grub/grub.cfg"; }
# rrun SCRIPT ARGS...: run, with the rescue stand-ins first on PATH.
rrun() {
    script=$1
    shift
    (cd "$work/t/cwd" && PATH=$rbin:$sandbox/bin:$PATH sh "$script" "$@") >"$work/t/out" 2>&1
}
kernel() {
    : >"$PASSC_ROOT/boot/vmlinuz-$1"
    : >"$PASSC_ROOT/boot/initrd.img-$1"
}
# grub_host: a fresh host booting GRUB, with a 10_linux and the grub.cfg
# update-grub made from it.
grub_host() {
    fresh
    mkdir -p "$PASSC_ROOT/etc/default" "$PASSC_ROOT/etc/grub.d" "$PASSC_ROOT/boot"
    cp "$sandbox/boot/grub" "$PASSC_ROOT/etc/default/grub"
    printf '#!/bin/sh\necho "menuentry '\''Proxmox VE GNU/Linux'\'' { linux /boot/vmlinuz-%s ro $GRUB_CMDLINE_LINUX_DEFAULT; }"\n' "$k1" \
        >"$PASSC_ROOT/etc/grub.d/10_linux"
    chmod 0755 "$PASSC_ROOT/etc/grub.d/10_linux"
    kernel "$k1"
    PATH=$rbin:$PATH update-grub >/dev/null 2>&1
    : >"$SANDBOX_LOG"
}
# sd_host: a fresh host booting systemd-boot from one ESP that
# proxmox-boot-tool manages, with its entry for one kernel.
sd_host() {
    fresh
    mkdir -p "$PASSC_ROOT/etc/kernel" "$(entries)" "$PASSC_ROOT/esp/ABCD-1234/EFI/proxmox/$k1"
    cp "$sandbox/boot/cmdline" "$PASSC_ROOT/etc/kernel/cmdline"
    echo ABCD-1234 >"$PASSC_ROOT/etc/kernel/proxmox-boot-uuids"
    pbt_entry "$k1" "$(cat "$PASSC_ROOT/etc/kernel/cmdline")"
}
# pbt_entry KVER OPTIONS: the entry proxmox-boot-tool writes for a kernel.
pbt_entry() {
    printf 'title    Proxmox Virtual Environment\nversion  %s\noptions  %s\nlinux    /EFI/proxmox/%s/vmlinuz-%s\ninitrd   /EFI/proxmox/%s/initrd.img-%s\n' \
        "$1" "$2" "$1" "$1" "$1" "$1" >"$(entries)/proxmox-$1.conf"
}
rescue_opts='module_blacklist=vfio_pci systemd.mask=pve-guests.service'

# ---- GRUB ----
grub_host
b0=$(tree_sum)
rrun "$A"
rc=$?
check "GRUB: apply exit 0" [ "$rc" = 0 ]
[ "$rc" = 0 ] || show
check "GRUB: 42_passc_rescue installed, executable" test -x "$(grubd)"
check "GRUB: update-grub ran" [ "$(calls update-grub)" = 1 ]
check "GRUB: grub.cfg has the rescue entry with both parameters" \
    grep -q "^menuentry '$title, Linux $k1' .*{\$" "$(cfg)"
check "GRUB: the rescue entry boots the same kernel and initrd, root= as 10_linux" \
    sh -c 'grep -qx "	linux /boot/vmlinuz-$1 root=UUID=1234abcd-0000-4000-8000-000000000001 ro quiet $2" "$3" && grep -qx "	initrd /boot/initrd.img-$1" "$3"' \
    sh "$k1" "$rescue_opts" "$(cfg)"
check "GRUB: apply prints the entry's name as the boot menu shows it" out_has "the boot menu has \"$title\" for each kernel"
check "GRUB: backup says there was no 42_passc_rescue" \
    sh -c '[ -n "$(find "$1" -name rescue-grub.d.absent)" ]' sh "$PASSC_ROOT/var/lib/passc/backup/102"
if command -v shellcheck >/dev/null 2>&1; then
    check "shellcheck: the installed 42_passc_rescue" shellcheck -s sh "$(grubd)"
fi
rrun "$V"
check "GRUB: verify finds the rescue entry in the boot menu" out_has "ok    boot menu (GRUB): $title"
rrun "$A"
check "GRUB: a second apply changes nothing" sh -c '[ "$1" = 0 ] && grep -q "nothing to change" "$2" && [ "$(grep -c update-grub "$3")" = 1 ]' \
    sh $? "$work/t/out" "$SANDBOX_LOG"
rrun "$R"
rc=$?
check "GRUB: rollback exit 0" [ "$rc" = 0 ]
check "GRUB: rollback says it removed the rescue entry" out_has "removed $(grubd) (the rescue boot entry; there was none before)"
check "GRUB: rollback leaves the host byte for byte as before (grub.cfg too)" same_tree "$b0"
rrun "$V"
check "GRUB: verify fails without the rescue entry" out_has "FAIL  boot menu (GRUB): no \"$title\""

# a kernel install: update-grub runs every generator, ours included
grub_host
rrun "$A"
kernel "$k2"
PATH=$rbin:$PATH update-grub >/dev/null 2>&1
check "GRUB: after a kernel install, a rescue entry for each kernel, both parameters" \
    sh -c '[ "$(grep -c "^menuentry '\''$1, Linux " "$2")" = 2 ] && [ "$(grep -c "	linux .* $3\$" "$2")" = 2 ]' \
    sh "$title" "$(cfg)" "$rescue_opts"
check "GRUB: the newest kernel's rescue entry first" \
    sh -c 'grep "^menuentry '\''$1" "$2" | head -n 1 | grep -q "Linux $3"' sh "$title" "$(cfg)" "$k2"

# P032: the rescue entry drops passc's vfio-pci.ids=
grub_host
b0=$(tree_sum)
rrun "$CA"
rc=$?
check "GRUB, vfio_pci built in: apply exit 0" [ "$rc" = 0 ]
[ "$rc" = 0 ] || show
check "GRUB, vfio_pci built in: normal entry has vfio-pci.ids=, the rescue entry not" \
    sh -c 'grep "^menuentry '\''Proxmox VE GNU" "$1" | grep -q vfio-pci.ids= && grep "	linux " "$1" | grep "$2" | grep -vq vfio-pci.ids=' \
    sh "$(cfg)" "$rescue_opts"
# one update-grub makes the menu from both changes: the command line and
# the rescue entry
check "GRUB, vfio_pci built in: apply runs update-grub once" [ "$(calls update-grub)" = 1 ]
: >"$SANDBOX_LOG"
rrun "$work/cmdline/rollback.sh"
rc=$?
check "GRUB, vfio_pci built in: rollback exit 0, update-grub once" \
    sh -c '[ "$1" = 0 ] && [ "$2" = 1 ]' sh "$rc" "$(calls update-grub)"
check "GRUB, vfio_pci built in: rollback leaves the host as before (grub.cfg too)" same_tree "$b0"
# without a backup: the same, removing only what passc wrote
rrun "$CA"
rm -rf "$PASSC_ROOT/var/lib/passc/backup"
: >"$SANDBOX_LOG"
rrun "$work/cmdline/rollback.sh"
rc=$?
check "GRUB, vfio_pci built in: rollback without a backup: exit 0, update-grub once" \
    sh -c '[ "$1" = 0 ] && [ "$2" = 1 ]' sh "$rc" "$(calls update-grub)"
check "GRUB, vfio_pci built in: rollback without a backup: no rescue entry, no vfio-pci.ids= in grub.cfg" \
    sh -c '! grep -q "passc\|vfio-pci.ids=" "$1"' sh "$(cfg)"

# ---- two specs on one host share the rescue files ----
# Spec A is vm102, spec B holds VM 103 alone (its NIC is not on the x870e
# host: fake_dev).  Each has its own backups; vfio.conf is one file too,
# which B's apply replaces: rolled back A first, B puts A's back.
printf 'host "pve" {\n    bind ids\n}\nvm 103 "linux" {\n    nic 03:00.0 8086:1533 "I210"\n}\n' >"$work/b.pass"
"$PASSC" build "$work/b.pass" --no-facts -o "$work/b" >/dev/null 2>&1
check "two specs: spec B builds" [ -x "$work/b/apply.sh" ]
# but_vfio: tree_sum without vfio.conf
but_vfio() { tree_sum | grep -v ' \./etc/modprobe\.d/vfio\.conf$'; }
has_rescue() { [ -x "$(grubd)" ] && grep -q "^menuentry '$title, Linux $k1'" "$(cfg)"; }
two_specs() {
    grub_host
    fake_dev 0000:03:00.0 8086 1533
    b0=$(tree_sum) v0=$(but_vfio)
    rrun "$A" && rrun "$work/b/apply.sh"
}
two_specs
rc=$?
check "two specs: both applied, the rescue entry in the boot menu" sh -c '[ "$1" = 0 ] && [ -x "$2" ]' sh "$rc" "$(grubd)"
rrun "$R"
check "two specs: rolling back A keeps the rescue entry B still uses" \
    sh -c '[ "$1" = 0 ] && grep -q "kept the rescue boot entry" "$2"' sh $? "$work/t/out"
check "two specs: after A's rollback the rescue entry is in the boot menu" has_rescue
rrun "$work/b/rollback.sh"
check "two specs: rolling back B, the last, removes the rescue entry" \
    sh -c '[ "$1" = 0 ] && [ ! -e "$2" ] && ! grep -q passc "$3"' sh $? "$(grubd)" "$(cfg)"
check "two specs: the host as before (grub.cfg too), but for vfio.conf" [ "$(but_vfio)" = "$v0" ]
# the other order: B rolled back first, then A: every file as before
two_specs
rrun "$work/b/rollback.sh"
check "two specs, B first: rolling back B keeps the rescue entry A still uses" has_rescue
rrun "$R"
check "two specs, B first: rolling back A, the last, leaves the host byte for byte as before" same_tree "$b0"
# without backups: the last rollback still removes it, not the first
two_specs
rm -rf "$PASSC_ROOT/var/lib/passc/backup"
rrun "$R"
check "two specs, no backups: rolling back A keeps the rescue entry" has_rescue
rrun "$work/b/rollback.sh"
check "two specs, no backups: rolling back B removes it" sh -c '[ ! -e "$1" ] && ! grep -q passc "$2"' sh "$(grubd)" "$(cfg)"

# ---- systemd-boot through proxmox-boot-tool ----
sd_host
b0=$(tree_sum)
rrun "$A"
rc=$?
check "systemd-boot: apply exit 0" [ "$rc" = 0 ]
[ "$rc" = 0 ] || show
check "systemd-boot: the hook in postinst.d and postrm.d, the same bytes" \
    sh -c 'test -x "$1" && cmp -s "$1" "$2"' sh "$(hook)" "$PASSC_ROOT/etc/kernel/postrm.d/zzz-passc-rescue"
check "systemd-boot: no GRUB generator on a host without /etc/grub.d" test ! -e "$(grubd)"
check "systemd-boot: the ESP was mounted and unmounted" [ "$(calls mount)/$(calls umount)" = 1/1 ]
want=$(printf 'title    %s\nversion  %s\noptions  root=ZFS=rpool/ROOT/pve-1 boot=zfs %s\nlinux    /EFI/proxmox/%s/vmlinuz-%s\ninitrd   /EFI/proxmox/%s/initrd.img-%s' \
    "$title" "$k1" "$rescue_opts" "$k1" "$k1" "$k1" "$k1")
check "systemd-boot: passc-rescue-$k1.conf beside proxmox-$k1.conf: same kernel, both parameters" \
    [ "$(cat "$(entries)/passc-rescue-$k1.conf" 2>/dev/null)" = "$want" ]
check "systemd-boot: apply prints the entry's name" out_has "the boot menu has \"$title\""
if command -v shellcheck >/dev/null 2>&1; then
    check "shellcheck: the installed kernel hook" shellcheck -s sh "$(hook)"
fi
rrun "$V"
check "systemd-boot: verify finds the rescue entry on the ESP" out_has "ok    boot menu (systemd-boot): $title ($k1) on ESP ABCD-1234"
rrun "$R"
rc=$?
check "systemd-boot: rollback exit 0" [ "$rc" = 0 ]
check "systemd-boot: rollback leaves the host byte for byte as before (the ESP too)" same_tree "$b0"
check "systemd-boot: no temporary mount point left" \
    sh -c '! ls -d "${TMPDIR:-/tmp}"/passc-rescue.* 2>/dev/null | grep -q .'

# a kernel install and removal: proxmox-boot-tool's hook writes or removes
# its entry, then ours runs
sd_host
rrun "$A"
pbt_entry "$k2" "root=ZFS=rpool/ROOT/pve-1 boot=zfs vfio-pci.ids=10de:2783 module_blacklist=nouveau"
(PATH=$rbin:$PATH sh "$(hook)" "$k2" "/boot/vmlinuz-$k2") >"$work/t/out" 2>&1
check "systemd-boot: kernel install: a rescue entry for the new kernel too" \
    test -f "$(entries)/passc-rescue-$k2.conf"
check "systemd-boot: its options drop vfio-pci.ids= and merge module_blacklist=" \
    grep -qx "options  root=ZFS=rpool/ROOT/pve-1 boot=zfs module_blacklist=nouveau,vfio_pci systemd.mask=pve-guests.service" \
    "$(entries)/passc-rescue-$k2.conf"
rm "$(entries)/proxmox-$k1.conf"
(PATH=$rbin:$PATH sh "$PASSC_ROOT/etc/kernel/postrm.d/zzz-passc-rescue" "$k1" "/boot/vmlinuz-$k1") >"$work/t/out" 2>&1
check "systemd-boot: kernel removal: its rescue entry goes, the other stays" \
    sh -c '[ ! -e "$1/passc-rescue-$2.conf" ] && [ -f "$1/passc-rescue-$3.conf" ]' sh "$(entries)" "$k1" "$k2"
rm "$(entries)/passc-rescue-$k2.conf"
rrun "$V"
check "systemd-boot: verify fails when a kernel has no rescue entry" \
    out_has "FAIL  boot menu (systemd-boot): no rescue entry for $k2 on ESP ABCD-1234"

# two specs (see the GRUB case): the hook and the ESP entries stay until
# the last rollback
sd_host
fake_dev 0000:03:00.0 8086 1533
v0=$(but_vfio)
rrun "$A" && rrun "$work/b/apply.sh" && rrun "$R"
check "systemd-boot, two specs: rolling back A keeps the hook and the ESP entry" \
    sh -c '[ "$1" = 0 ] && [ -x "$2" ] && [ -f "$3/passc-rescue-$4.conf" ]' sh $? "$(hook)" "$(entries)" "$k1"
rrun "$work/b/rollback.sh"
check "systemd-boot, two specs: rolling back B removes them, the host as before but for vfio.conf" \
    sh -c '[ "$1" = 0 ] && [ ! -e "$2" ] && [ "$3" = "$4" ]' sh $? "$(hook)" "$(but_vfio)" "$v0"

# without a backup, rollback removes only the files exactly as passc writes them
sd_host
b0=$(tree_sum)
rrun "$A"
rm -rf "$PASSC_ROOT/var/lib/passc/backup"
rrun "$R"
check "systemd-boot: rollback without a backup removes the rescue entry and hook" \
    sh -c '[ ! -e "$1" ] && [ -z "$(find "$2" -name "passc-rescue-*")" ]' sh "$(hook)" "$(entries)"

# ---- recover.sh ----
# vfio_pci built in on GRUB: apply edits /etc/default/grub and vfio.conf;
# recover.sh against the root as a live system mounts it puts both back.
grub_host
vf0=$(sha256sum <"$PASSC_ROOT/etc/modprobe.d/vfio.conf") grub0=$(sha256sum <"$PASSC_ROOT/etc/default/grub")
rrun "$CA"
check "recover: apply changed vfio.conf and /etc/default/grub" \
    sh -c '[ "$(sha256sum <"$1")" != "$2" ] && [ "$(sha256sum <"$3")" != "$4" ]' \
    sh "$PASSC_ROOT/etc/modprobe.d/vfio.conf" "$vf0" "$PASSC_ROOT/etc/default/grub" "$grub0"
: >"$SANDBOX_LOG"
rrun "$work/cmdline/recover.sh"
rc=$?
check "recover (mounted root): exit 0" [ "$rc" = 0 ]
[ "$rc" = 0 ] || show
check "recover (mounted root): vfio.conf byte for byte as before apply" \
    [ "$(sha256sum <"$PASSC_ROOT/etc/modprobe.d/vfio.conf")" = "$vf0" ]
check "recover (mounted root): /etc/default/grub byte for byte as before apply" \
    [ "$(sha256sum <"$PASSC_ROOT/etc/default/grub")" = "$grub0" ]
check "recover (mounted root): update-grub and update-initramfs ran in a chroot of the root" \
    sh -c 'grep -qx "chroot $1 update-grub" "$2" && grep -qx "chroot $1 update-initramfs -u -k all" "$2"' sh "$PASSC_ROOT" "$SANDBOX_LOG"
check "recover (mounted root): pmxcfs is not running: says to run qm set VMID --onboot 0 after the next boot" \
    sh -c 'grep -q "pmxcfs, /etc/pve) is not running" "$1" && grep -qx "    qm set 102 --onboot 0" "$1" && ! grep -q "^qm set" "$2"' sh "$work/t/out" "$SANDBOX_LOG"
check "recover: the rescue entry stays" test -x "$(grubd)"

# vm102 (modular vfio_pci, ZFS snapshot), pmxcfs running (/etc/pve/.version)
fresh
vf0=$(sha256sum <"$PASSC_ROOT/etc/modprobe.d/vfio.conf")
rrun "$A"
: >"$PASSC_ROOT/etc/pve/.version"
PATH=$sandbox/bin:$PATH qm set 102 --onboot 1 >/dev/null
snap=$(cat "$PASSC_ROOT"/var/lib/passc/backup/102/*/zfs-snapshot)
: >"$SANDBOX_LOG"
rrun "$RC"
rc=$?
check "recover (pmxcfs up): exit 0" [ "$rc" = 0 ]
[ "$rc" = 0 ] || show
check "recover (pmxcfs up): vfio.conf byte for byte as before apply" \
    [ "$(sha256sum <"$PASSC_ROOT/etc/modprobe.d/vfio.conf")" = "$vf0" ]
check "recover (pmxcfs up): onboot switched off" [ "$(qmget onboot)" = 0 ]
check "recover: prints the exact zfs rollback, does not run it" \
    sh -c 'grep -qx "    zfs rollback '\''$1'\''" "$2" && ! grep -q "^zfs rollback" "$3"' sh "$snap" "$work/t/out" "$SANDBOX_LOG"
check "recover: uses the oldest backup (before passc), not the newest" \
    sh -c 'grep -q "recovering to the backup $(ls "$1" | head -n 1) " "$2"' sh "$PASSC_ROOT/var/lib/passc/backup/102" "$work/t/out"
chmod a-w "$PASSC_ROOT/var/lib/passc/state"
rrun "$RC"
rc=$?
chmod u+w "$PASSC_ROOT/var/lib/passc/state"
if [ "$(id -u)" != 0 ]; then
    check "recover: a read-only root is named with the remount command" \
        sh -c '[ "$1" = 1 ] && grep -q "mount -o remount,rw /" "$2"' sh "$rc" "$work/t/out"
fi
fresh
rrun "$RC"
check "recover without a backup: says so, exit 1" \
    sh -c '[ "$1" = 1 ] && grep -q "no backup in" "$2"' sh $? "$work/t/out"

# ---- the build's artifacts ----
check "RECOVERY.txt names the entry, recover.sh, the live-system way and the backups" \
    sh -c 'grep -qF "\"$1\"" "$2" && grep -q "sh recover.sh" "$2" && grep -q "PASSC_ROOT=/mnt sh recover.sh" "$2" && grep -q "/var/lib/passc/backup" "$2" && grep -q "rpool/ROOT/pve-1@passc-102-" "$2"' \
    sh "$title" "$work/vm102/RECOVERY.txt"
check "RECOVERY.txt fits a printed page" [ "$(wc -l <"$work/vm102/RECOVERY.txt")" -le 60 ]
check "RECOVERY.txt (vfio_pci built in) names the kernel command line" grep -q "kernel command line" "$work/cmdline/RECOVERY.txt"
if command -v shellcheck >/dev/null 2>&1; then
    for d in vm102 cmdline novm hostile; do
        check "shellcheck -s sh: $d recover.sh" shellcheck -s sh "$work/$d/recover.sh"
    done
    check "shellcheck: the rescue stand-ins" shellcheck "$rbin"/* "$sandbox/rescue/grub-mkconfig_lib"
else
    bad "shellcheck is not installed (make deps-check installs it)"
fi

scripts_done run-scripts-rescue
