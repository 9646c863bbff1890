#!/bin/sh
# run-scripts-vms.sh — several VMs, a spec without VMs, and verify.sh.
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

# ---- several VMs: vfio.conf is backed up in each VM's backup and restored
# from the first VM's. One apply writes every VM's copy from the same file
# under the same name, so the copies cannot differ; these cases pin that,
# also across a spec that grew a VM (whose first VM has no older backup).
"$PASSC" build "$sandbox/two-vms.pass" --no-facts -o "$work/two" >/dev/null 2>&1
# VM 103's NIC is not on the x870e host: each sandbox below gets one (fake_dev)
check "two VMs: passc build" [ -x "$work/two/rollback.sh" ]
fresh && fake_dev 0000:03:00.0 8086 1533
b0=$(tree_sum)
run "$work/two/apply.sh"
t1=$(cd "$PASSC_ROOT/var/lib/passc/backup/103" && ls)
check "two VMs: one backup name for both VMs, the same vfio.conf in each" \
    sh -c '[ -n "$1" ] && cmp -s "$2/103/$1/vfio.conf" "$2/102/$1/vfio.conf" && cmp -s "$2/103/$1/vfio.conf" "$3"' \
    sh "$t1" "$PASSC_ROOT/var/lib/passc/backup" "$sandbox/root/etc/modprobe.d/vfio.conf"
run "$work/two/rollback.sh"
check "two VMs: rollback restores every file" same_tree "$b0"
# the spec had VM 102 only, then grew VM 103 in front of it
fresh && fake_dev 0000:03:00.0 8086 1533
run "$A"
cp "$PASSC_ROOT/etc/modprobe.d/vfio.conf" "$work/t/vfio.one"
t1=$(cd "$PASSC_ROOT/var/lib/passc/backup/102" && ls)
run "$work/two/apply.sh"
run "$work/two/rollback.sh"
check "grown spec: rollback gives back the one-VM vfio.conf, from VM 103's backup" \
    cmp -s "$PASSC_ROOT/etc/modprobe.d/vfio.conf" "$work/t/vfio.one"
check "grown spec: VM 103 untouched again" [ -z "$(PATH=$sandbox/bin:$PATH qm config 103 | grep '^hostpci')" ]
run "$R" "$t1"
check "grown spec: the one-VM rollback to its own backup: every file as before" same_tree "$b0"
# regression: another spec changed VM 102 after the two-VM apply; the
# two-VM rollback's default (VM 103's newest backup) would undo that change
# behind its back, so it refuses and names the backup to give explicitly
fresh && fake_dev 0000:03:00.0 8086 1533
run "$work/two/apply.sh"
t1=$(cd "$PASSC_ROOT/var/lib/passc/backup/103" && ls)
run "$A"
mid=$(tree_sum)
run "$work/two/rollback.sh"
check "shared VM changed since: default rollback refuses, changes nothing" \
    sh -c '[ "$1" != 0 ] && grep -q "VM 102 has a newer backup" "$2" && [ "$3" = "$4" ]' \
    sh $? "$work/t/out" "$mid" "$(tree_sum)"
run "$R"
run "$work/two/rollback.sh" "$t1"
check "shared VM changed since: the named backup restores every file" same_tree "$b0"

# ---- a spec without VMs: refuses instead of changing vfio.conf unrecorded ----
fresh
run "$work/novm/apply.sh"
check "no VM in the spec: apply refuses, changes nothing" sh -c '[ "$1" != 0 ] && grep -q "names no VM" "$2"' sh $? "$work/t/out"
check "no VM in the spec: files unchanged" same_tree "$before"

# ---- verify.sh ----
fresh
run "$V"
rc=$?
check "verify: all bound, exit 0" [ "$rc" = 0 ]
[ "$rc" = 0 ] || show
check "verify: one line per device plus IOMMU" [ "$(grep -c '^ok ' "$work/t/out")" = 7 ]
ln -sfn ../../drivers/xhci_hcd "$PASSC_ROOT/sys/bus/pci/devices/0000:78:00.0/driver"
run "$V"
rc=$?
check "verify: a device on its host driver fails" sh -c '[ "$1" = 1 ] && grep -q "^FAIL  0000:78:00.0 .*driver xhci_hcd, not vfio-pci" "$2"' sh "$rc" "$work/t/out"
fresh
printf '0x2426\n' >"$PASSC_ROOT/sys/bus/pci/devices/0000:78:00.0/device"
rm -rf "$PASSC_ROOT/sys/bus/pci/devices/0000:79:00.4"
run "$V"
check "verify: wrong id and missing device fail" sh -c '[ "$(grep -c "^FAIL" "$1")" = 2 ] && grep -q "is 1b21:2426, the spec says 1b21:2425" "$1"' sh "$work/t/out"
fresh
rm -rf "$PASSC_ROOT/sys/class/iommu/ivhd0"
run "$V"
check "verify: IOMMU off fails" sh -c '[ "$1" = 1 ] && grep -q "^FAIL  IOMMU is off" "$2"' sh $? "$work/t/out"


scripts_done run-scripts-vms
