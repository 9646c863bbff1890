#!/bin/sh
# run-scripts-cmdline.sh — vfio_pci built in (P032): vfio-pci.ids= on the kernel command line.
#
# The generated apply.sh, rollback.sh and verify.sh run against a copy of
# tests/sandbox/root (a fake Proxmox host) with stand-in qm,
# update-initramfs, zfs, proxmox-boot-tool and update-grub, one fresh copy
# per case; tests/scripts_lib.sh builds the artifacts and holds the helpers.
# The cases are split over several run-scripts*.sh so that make check runs
# them side by side: each is a check part of its own.
#
# Environment (from `make check-cli`): PASSC, PASSC_SRCDIR.
set -u
src=${PASSC_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$src/tests/scripts_lib.sh"

# ---- vfio_pci built in (P032): vfio-pci.ids= on the kernel command line ----
CA=$work/cmdline/apply.sh CR=$work/cmdline/rollback.sh
ids=10de:2783,10de:22bc,1b21:2426,1b21:2425,1022:15b6,1022:15b7
kcl() { echo "$PASSC_ROOT/etc/kernel/cmdline"; }
grub() { echo "$PASSC_ROOT/etc/default/grub"; }
# boot_setup sd|grub: a fresh host booting with systemd-boot (which has an
# /etc/default/grub too, unused) or with GRUB.
boot_setup() {
    fresh
    mkdir -p "$PASSC_ROOT/etc/default"
    cp "$sandbox/boot/grub" "$(grub)"
    if [ "$1" = sd ]; then
        mkdir -p "$PASSC_ROOT/etc/kernel"
        cp "$sandbox/boot/cmdline" "$(kcl)"
    fi
}
sum() { sha256sum <"$1"; }
backup_of() { find "$PASSC_ROOT/var/lib/passc/backup/102" -name "$1" -type f; }
nparam() { grep -o 'vfio[-_]pci\.ids=' "$1" | wc -l; }

check "cmdline vfio.conf: no options line (kmod would ignore it), the ids in a comment" \
    sh -c '! grep -q "^options" "$1" && grep -q "^#   vfio-pci.ids=$2\$" "$1"' sh "$work/cmdline/vfio.conf" "$ids"

boot_setup sd
b0=$(tree_sum) kcl0=$(sum "$(kcl)") grub0=$(sum "$(grub)")
run "$CA" --dry-run
check "systemd-boot: dry run names the command-line edit and changes nothing" \
    sh -c '[ "$1" = 0 ] && grep -q "would add vfio-pci.ids=$2 to the kernel command line in .*/etc/kernel/cmdline and run proxmox-boot-tool" "$3" && [ "$4" = "$5" ]' \
    sh $? "$ids" "$work/t/out" "$(tree_sum)" "$b0"
run "$CA"
rc=$?
check "systemd-boot: apply exit 0" [ "$rc" = 0 ]
[ "$rc" = 0 ] || show
check "systemd-boot: vfio-pci.ids= added to /etc/kernel/cmdline, nothing else" \
    [ "$(cat "$(kcl)")" = "root=ZFS=rpool/ROOT/pve-1 boot=zfs vfio-pci.ids=$ids" ]
check "systemd-boot: /etc/default/grub untouched" [ "$(sum "$(grub)")" = "$grub0" ]
check "systemd-boot: proxmox-boot-tool refresh once, no update-grub" \
    [ "$(calls 'proxmox-boot-tool refresh')/$(calls update-grub)" = 1/0 ]
check "systemd-boot: refresh ran after the edit" cmp -s "$SANDBOX_LOG.cmdline" "$(kcl)"
check "systemd-boot: backup of /etc/kernel/cmdline as it was" \
    sh -c '[ "$(sha256sum <"$1")" = "$2" ]' sh "$(backup_of etc-kernel-cmdline)" "$kcl0"
check "systemd-boot: comment-only vfio.conf installed" cmp -s "$PASSC_ROOT/etc/modprobe.d/vfio.conf" "$work/cmdline/vfio.conf"
check "systemd-boot: says what it did and to reboot" \
    sh -c 'grep -q "added vfio-pci.ids=$1 to the kernel command line in .*/etc/kernel/cmdline" "$2" && grep -q "Reboot the host: vfio_pci is built into this kernel" "$2"' sh "$ids" "$work/t/out"
a1=$(tree_sum)
run "$CA"
rc=$?
check "systemd-boot: apply twice: nothing to change" sh -c '[ "$1" = 0 ] && grep -q "nothing to change" "$2"' sh "$rc" "$work/t/out"
check "systemd-boot: apply twice: no second backup, no second refresh" [ "$(nbackups)/$(calls proxmox-boot-tool)" = 1/1 ]
check "systemd-boot: apply twice: same files" same_tree "$a1"
run "$CR"
rc=$?
check "systemd-boot: rollback exit 0" [ "$rc" = 0 ]
[ "$rc" = 0 ] || show
check "systemd-boot: rollback: /etc/kernel/cmdline byte-identical" [ "$(sum "$(kcl)")" = "$kcl0" ]
check "systemd-boot: rollback: every file as before" same_tree "$b0"
check "systemd-boot: rollback refreshes again" [ "$(calls 'proxmox-boot-tool refresh')" = 2 ]
run "$CR"
check "systemd-boot: rollback twice: nothing to change, no refresh" \
    sh -c 'grep -q "nothing to change" "$1" && [ "$2" = 2 ]' sh "$work/t/out" "$(calls proxmox-boot-tool)"

boot_setup grub
b0=$(tree_sum) grub0=$(sum "$(grub)")
run "$CA"
rc=$?
check "GRUB: apply exit 0" [ "$rc" = 0 ]
[ "$rc" = 0 ] || show
check "GRUB: vfio-pci.ids= added to GRUB_CMDLINE_LINUX_DEFAULT" grep -qx "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet vfio-pci.ids=$ids\"" "$(grub)"
check "GRUB: only that line changed (the commented example is left)" \
    sh -c '[ "$(diff "$1" "$2" | grep -c "^[<>]")" = 2 ]' sh "$sandbox/boot/grub" "$(grub)"
check "GRUB: update-grub once, after the edit; no proxmox-boot-tool" \
    sh -c '[ "$1" = 1/0 ] && cmp -s "$2" "$3"' sh "$(calls update-grub)/$(calls proxmox-boot-tool)" "$SANDBOX_LOG.grub" "$(grub)"
check "GRUB: no /etc/kernel/cmdline created" [ ! -e "$(kcl)" ]
run "$CA"
check "GRUB: apply twice: nothing to change" \
    sh -c 'grep -q "nothing to change" "$1" && [ "$2" = 1/1 ]' sh "$work/t/out" "$(nbackups)/$(calls update-grub)"
run "$CR"
check "GRUB: rollback: /etc/default/grub byte-identical, every file as before" \
    sh -c '[ "$1" = "$2" ] && [ "$3" = "$4" ]' sh "$(sum "$(grub)")" "$grub0" "$(tree_sum)" "$b0"
check "GRUB: rollback runs update-grub again" [ "$(calls update-grub)" = 2 ]

# a grub.d snippet that sets the value anew would drop it: said
boot_setup grub
mkdir -p "$PASSC_ROOT/etc/default/grub.d"
printf 'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT init=/lib/systemd/systemd"\n' >"$PASSC_ROOT/etc/default/grub.d/keeps.cfg"
printf 'GRUB_CMDLINE_LINUX_DEFAULT="quiet splash"\n' >"$PASSC_ROOT/etc/default/grub.d/resets.cfg"
run "$CA"
check "GRUB: a grub.d snippet that resets the value is named, one that keeps it is not" \
    sh -c 'grep -q "warning: .*/grub.d/resets.cfg sets GRUB_CMDLINE_LINUX_DEFAULT" "$1" && ! grep -q "keeps.cfg" "$1"' sh "$work/t/out"

# a ZFS host booting GRUB through proxmox-boot-tool (Secure Boot) may have
# an /etc/kernel/cmdline nothing reads: the running kernel's BOOT_IMAGE=
# says GRUB
boot_setup sd
mkdir -p "$PASSC_ROOT/proc"
printf 'BOOT_IMAGE=/vmlinuz-6.8.12-4-pve root=ZFS=/ROOT/pve-1 ro root=ZFS=rpool/ROOT/pve-1 boot=zfs quiet\n' >"$PASSC_ROOT/proc/cmdline"
run "$CA"
check "GRUB booted (BOOT_IMAGE=) beside an /etc/kernel/cmdline: GRUB gets it" \
    sh -c 'grep -q "^GRUB_CMDLINE_LINUX_DEFAULT=\"quiet vfio-pci.ids=" "$1" && cmp -s "$2" "$3" && [ "$4" = 1/0 ]' sh \
    "$(grub)" "$(kcl)" "$sandbox/boot/cmdline" "$(calls update-grub)/$(calls proxmox-boot-tool)"
run "$CR"
check "GRUB booted beside an /etc/kernel/cmdline: rollback restores /etc/default/grub" cmp -s "$(grub)" "$sandbox/boot/grub"

# an existing, different vfio-pci.ids= is replaced, not doubled
boot_setup sd
printf 'root=ZFS=rpool/ROOT/pve-1 vfio-pci.ids=10de:1b80,10de:10f0 boot=zfs\n' >"$(kcl)"
b0=$(tree_sum) kcl0=$(sum "$(kcl)")
run "$CA"
check "replace: the old value gives way to passc's, in place" \
    [ "$(cat "$(kcl)")" = "root=ZFS=rpool/ROOT/pve-1 vfio-pci.ids=$ids boot=zfs" ]
check "replace: says what it replaced" out_has "replaced vfio-pci.ids=10de:1b80,10de:10f0 by vfio-pci.ids=$ids"
run "$CR"
check "replace: rollback brings the old value back byte for byte" \
    sh -c '[ "$1" = "$2" ] && [ "$3" = "$4" ]' sh "$(sum "$(kcl)")" "$kcl0" "$(tree_sum)" "$b0"
# the same parameter spelled vfio_pci.ids= (the kernel takes - and _ alike)
boot_setup sd
printf 'root=ZFS=rpool/ROOT/pve-1 boot=zfs vfio_pci.ids=10de:1b80\n' >"$(kcl)"
run "$CA"
check "replace: vfio_pci.ids= is the same parameter" \
    [ "$(cat "$(kcl)")" = "root=ZFS=rpool/ROOT/pve-1 boot=zfs vfio_pci.ids=$ids" ]

# hostile content around it: quotes, blanks, shell syntax, no final newline
boot_setup sd
printf 'root=ZFS=rpool/ROOT/pve-1\tboot=zfs  foo="a vfio-pci.ids=1:2 b" x=$(touch pwned-cl) acpi_osi="!Windows 2020"  ' >"$(kcl)"
b0=$(tree_sum) kcl0=$(sum "$(kcl)")
run "$CA"
rc=$?
check "hostile cmdline: apply exit 0" [ "$rc" = 0 ]
[ "$rc" = 0 ] || show
printf 'root=ZFS=rpool/ROOT/pve-1\tboot=zfs  foo="a vfio-pci.ids=1:2 b" x=$(touch pwned-cl) acpi_osi="!Windows 2020" vfio-pci.ids=%s  ' "$ids" >"$work/t/kcl.want"
check "hostile cmdline: one parameter added, every other byte kept" cmp -s "$work/t/kcl.want" "$(kcl)"
run "$CA"
check "hostile cmdline: apply twice: nothing to change" out_has "nothing to change"
run "$CR"
check "hostile cmdline: rollback byte-identical" \
    sh -c '[ "$1" = "$2" ] && [ "$3" = "$4" ]' sh "$(sum "$(kcl)")" "$kcl0" "$(tree_sum)" "$b0"
boot_setup grub
cat >>"$(grub)" <<'EOF'
GRUB_CMDLINE_LINUX="$(touch pwned-grub1) crashkernel=512M"
# later assignments win, so this is the one GRUB uses:
  GRUB_CMDLINE_LINUX_DEFAULT='quiet acpi_osi="!Windows 2020" $(touch pwned-grub2)'  # hand-made
GRUB_GFXMODE="1024x768"
EOF
b0=$(tree_sum)
cp "$(grub)" "$work/t/grub.orig"
run "$CA"
rc=$?
check "hostile grub: apply exit 0" [ "$rc" = 0 ]
[ "$rc" = 0 ] || show
check "hostile grub: the last GRUB_CMDLINE_LINUX_DEFAULT gets it, inside its quotes" \
    grep -qxF "  GRUB_CMDLINE_LINUX_DEFAULT='quiet acpi_osi=\"!Windows 2020\" \$(touch pwned-grub2) vfio-pci.ids=$ids'  # hand-made" "$(grub)"
check "hostile grub: every other line kept" sh -c '[ "$(diff "$1" "$2" | grep -c "^[<>]")" = 2 ]' sh "$work/t/grub.orig" "$(grub)"
run "$CR"
check "hostile grub: rollback byte-identical" same_tree "$b0"
check "hostile boot files: nothing ran" [ -z "$(find "$work" -name 'pwned*' | head -n 1)" ]

# what it cannot edit exactly, it refuses before changing anything
for how in unquoted twice neither; do
    boot_setup grub
    case $how in
    unquoted) sed -i 's/^GRUB_CMDLINE_LINUX_DEFAULT=.*/GRUB_CMDLINE_LINUX_DEFAULT=quiet/' "$(grub)" ;;
    twice)
        mkdir -p "$PASSC_ROOT/etc/kernel"
        printf 'root=ZFS=rpool/ROOT/pve-1 vfio-pci.ids=1:2 boot=zfs vfio_pci.ids=3:4\n' >"$(kcl)"
        ;;
    neither) rm -f "$(grub)" ;;
    esac
    b0=$(tree_sum)
    run "$CA"
    rc=$?
    check "refuses ($how): apply fails, says to do it by hand" sh -c '[ "$1" != 0 ] && grep -q "by hand" "$2"' sh "$rc" "$work/t/out"
    check "refuses ($how): nothing changed, no backup, no tool run" \
        sh -c '[ "$1" = "$2" ] && [ "$3" = 0/0/0/0 ]' sh "$(tree_sum)" "$b0" \
        "$(nbackups)/$(calls 'qm set')/$(calls update-grub)/$(calls proxmox-boot-tool)"
done

# the refresh tool is checked up front, like qm
boot_setup sd
mkdir -p "$work/t/noboot"
ln -s "$sandbox/bin/qm" "$sandbox/bin/update-initramfs" "$sandbox/bin/zfs" "$sandbox/bin/update-grub" "$work/t/noboot/"
b0=$(tree_sum)
(cd "$work/t/cwd" && PATH=$work/t/noboot:/usr/bin:/bin sh "$CA") >"$work/t/out" 2>&1
check "no proxmox-boot-tool on PATH: refuses" \
    sh -c '[ "$1" != 0 ] && grep -q "proxmox-boot-tool not found on PATH" "$2"' sh $? "$work/t/out"
check "no proxmox-boot-tool: nothing changed, no backup" \
    sh -c '[ "$1" = "$2" ] && [ "$3" = 0 ]' sh "$(tree_sum)" "$b0" "$(nbackups)"

# a failing refresh is run again by the next apply
boot_setup sd
b0=$(tree_sum)
BOOT_TOOL_FAIL=1
export BOOT_TOOL_FAIL
run "$CA"
rc=$?
unset BOOT_TOOL_FAIL
check "failing proxmox-boot-tool: apply fails, points to rollback.sh" \
    sh -c '[ "$1" != 0 ] && grep -q "rollback.sh" "$2"' sh "$rc" "$work/t/out"
run "$CA"
check "apply after the failure: runs the missed refresh" \
    sh -c 'grep -q "nothing to change" "$1" && [ "$2" = 2 ] && cmp -s "$3" "$4"' sh "$work/t/out" "$(calls proxmox-boot-tool)" "$SANDBOX_LOG.cmdline" "$(kcl)"
run "$CR"
check "failing proxmox-boot-tool: rollback restores every file" same_tree "$b0"

# without a backup, rollback removes only passc's own vfio-pci.ids=
for setup in sd grub; do
    boot_setup "$setup"
    f=$(kcl)
    [ "$setup" = sd ] || f=$(grub)
    f0=$(sum "$f")
    run "$CA"
    rm -rf "$PASSC_ROOT/var/lib/passc/backup"
    : >"$SANDBOX_LOG"
    run "$CR"
    rc=$?
    check "backup lost ($setup): rollback removes passc's vfio-pci.ids=, byte-identical" \
        sh -c '[ "$1" = 0 ] && [ "$2" = "$3" ]' sh "$rc" "$(sum "$f")" "$f0"
    check "backup lost ($setup): says so, refreshes" \
        sh -c 'grep -q "removed vfio-pci.ids=$1 from" "$2" && [ "$3" = 1 ]' sh "$ids" "$work/t/out" "$(($(calls proxmox-boot-tool) + $(calls update-grub)))"
done
boot_setup sd
run "$CA"
rm -rf "$PASSC_ROOT/var/lib/passc/backup"
sed -i 's/vfio-pci.ids=[^ ]*/vfio-pci.ids=10de:1b80/' "$(kcl)"
cp "$(kcl)" "$work/t/kcl.mine"
run "$CR"
check "backup lost, value changed by hand: left as it is, said so" \
    sh -c 'cmp -s "$1" "$2" && grep -q "has vfio-pci.ids=10de:1b80, not passc" "$3"' sh "$work/t/kcl.mine" "$(kcl)" "$work/t/out"
check "one vfio-pci.ids= at most, whatever happened" [ "$(nparam "$(kcl)")" = 1 ]

# verify.sh looks at the command line the running kernel got
boot_setup sd
run "$work/cmdline/verify.sh"
check "verify (vfio_pci built in): no vfio-pci.ids= on the running kernel fails" \
    sh -c '[ "$1" = 1 ] && grep -q "^FAIL  the running kernel was started without vfio-pci.ids=" "$2"' sh $? "$work/t/out"
mkdir -p "$PASSC_ROOT/proc"
printf 'initrd=\\EFI\\proxmox\\6.8.12-4-pve\\initrd.img-6.8.12-4-pve root=ZFS=rpool/ROOT/pve-1 boot=zfs vfio-pci.ids=10de:1b80\n' >"$PASSC_ROOT/proc/cmdline"
run "$work/cmdline/verify.sh"
check "verify (vfio_pci built in): other ids on the running kernel fail" \
    sh -c '[ "$1" = 1 ] && grep -q "^FAIL  the running kernel has vfio-pci.ids=10de:1b80, the spec says" "$2"' sh $? "$work/t/out"
printf 'initrd=\\EFI\\proxmox\\6.8.12-4-pve\\initrd.img-6.8.12-4-pve root=ZFS=rpool/ROOT/pve-1 boot=zfs\tvfio-pci.ids=%s\n' "$ids" >"$PASSC_ROOT/proc/cmdline"
run "$work/cmdline/verify.sh"
check "verify (vfio_pci built in): the ids on the running kernel pass" \
    sh -c '[ "$1" = 0 ] && [ "$(grep -c "^ok " "$2")" = 8 ] && grep -q "^ok    kernel command line: vfio-pci.ids=" "$2"' sh $? "$work/t/out"


scripts_done run-scripts-cmdline
