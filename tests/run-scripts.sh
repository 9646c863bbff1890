#!/bin/sh
# run-scripts.sh — apply, dry run, rollback, refusals and failures on VM 102.
#
#   sh tests/run-scripts.sh            run the cases
#   sh tests/run-scripts.sh --golden   rewrite tests/golden/vm102 from the real
#                                      build of examples/vm102.pass (review the diff!)
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

# ---- static checks ----
for d in vm102 hostile; do
    check "shellcheck -s sh: $d scripts" shellcheck -s sh "$work/$d/apply.sh" "$work/$d/rollback.sh" "$work/$d/verify.sh"
    check "kmod reads $d vfio.conf" sh -c 'modprobe -C "$1" -c | grep -qx "options vfio_pci ids=10de:2783,10de:22bc,1b21:2426,1b21:2425,1022:15b6,1022:15b7"' sh "$work/$d/vfio.conf"
done
check "shellcheck -s sh: cmdline scripts (vfio_pci built in)" shellcheck -s sh "$work/cmdline/apply.sh" "$work/cmdline/rollback.sh" "$work/cmdline/verify.sh"
check "shellcheck -s sh: scripts of a spec without VMs" shellcheck -s sh "$work/novm/apply.sh" "$work/novm/rollback.sh" "$work/novm/verify.sh"
check "golden vm102 artifacts" diff -r "$src/tests/golden/vm102" "$work/vm102"
# The sources the scripts are made of, as they are: both sides of every
# #@if, common.sh followed from apply.sh and rollback.sh (-x).
check "shellcheck -s sh -x: compiler/scripts/*.sh" \
    shellcheck -s sh -x -P SCRIPTDIR "$src"/compiler/scripts/*.sh

# ---- apply --dry-run ----
fresh
before=$(tree_sum)
run "$A" --dry-run
rc=$?
check "dry run: exit 0" [ "$rc" = 0 ]
[ "$rc" = 0 ] || show
check "dry run: no file changed, no backup" sh -c '[ "$1" = "$2" ] && [ ! -e "$3/var/lib/passc" ]' sh "$(tree_sum)" "$before" "$PASSC_ROOT"
check "dry run: only qm config and qm status ran" [ "$(grep -cv '^qm \(config\|status\) ' "$SANDBOX_LOG")" = 0 ]
check "dry run: the vfio.conf change as a diff" sh -c 'grep -qx -- "-options vfio-pci ids=10de:2783,10de:22bc" "$1" && grep -qx -- "+options vfio-pci ids=10de:2783,10de:22bc,1b21:2426,1b21:2425,1022:15b6,1022:15b7" "$1"' sh "$work/t/out"
check "dry run: a changed setting with its old value" out_has "VM 102: would set cores: 16 -> 24"
check "dry run: a new slot" out_has "VM 102: would set hostpci5: (unset) -> 0000:79:00.4,pcie=1"
check "dry run: the foreign slot" out_has "VM 102 has hostpci6, which the spec does not name"
check "dry run: the snapshot it would take" out_has "would take ZFS snapshot rpool/ROOT/pve-1@passc-102-TIMESTAMP"
cp "$work/t/out" "$work/t/out.long"
run "$A" -n
check "dry run: -n is the same" cmp -s "$work/t/out" "$work/t/out.long"
rm -rf "$PASSC_ROOT/etc/modprobe.d/vfio.conf"
run "$A" --dry-run
check "dry run without vfio.conf: would install it" sh -c 'grep -q "would install .*/etc/modprobe.d/vfio.conf" "$1" && grep -qx "+options vfio-pci ids=.*" "$1"' sh "$work/t/out"

# ---- apply ----
fresh
before=$(tree_sum)
run "$A"
rc=$?
check "apply: exit 0" [ "$rc" = 0 ]
[ "$rc" = 0 ] || show
check "apply: vfio.conf installed byte for byte" cmp -s "$PASSC_ROOT/etc/modprobe.d/vfio.conf" "$work/vm102/vfio.conf"
check "apply: hostpci0 set" [ "$(qmget hostpci0)" = "0000:02:00.0,pcie=1,x-vga=1" ]
check "apply: hostpci5 set" [ "$(qmget hostpci5)" = "0000:79:00.4,pcie=1" ]
check "apply: settings set" [ "$(qmget cores)/$(qmget memory)/$(qmget numa)/$(qmget machine)/$(qmget cpu)" = "24/98304/1/q35/host" ]
check "apply: other VM keys untouched" [ "$(qmget scsi0)" = "local-zfs:vm-102-disk-1,cache=writeback,discard=on,iothread=1,size=256G" ]
check "apply: foreign hostpci6 kept and mentioned" sh -c '[ "$1" = "0000:0c:00.0,pcie=1" ] && grep -q "hostpci6, which the spec does not name" "$2"' sh "$(qmget hostpci6)" "$work/t/out"
check "apply: snapshot section untouched" grep -qx 'snaptime: 1730950000' "$PASSC_ROOT/etc/pve/qemu-server/102.conf"
check "apply: update-initramfs -u -k all once" [ "$(grep -cx 'update-initramfs -u -k all' "$SANDBOX_LOG")" = 1 ]
check "apply: zfs snapshot named passc-102-TS" grep -q '^zfs snapshot rpool/ROOT/pve-1@passc-102-[0-9TZ-]*$' "$SANDBOX_LOG"
check "apply: one backup" [ "$(nbackups)" = 1 ]
check "apply: says reboot" out_has "Reboot the host"
after1=$(tree_sum)

run "$A"
rc=$?
check "apply twice: exit 0, nothing to change" sh -c '[ "$1" = 0 ] && grep -q "nothing to change" "$2"' sh "$rc" "$work/t/out"
check "apply twice: no second backup" [ "$(nbackups)" = 1 ]
check "apply twice: same files as once" same_tree "$after1"
check "apply twice: no second snapshot or initramfs" [ "$(calls zfs)/$(calls update-initramfs)" = 1/1 ]
run "$A" --dry-run
check "dry run after apply: nothing to change" sh -c '[ "$1" = 0 ] && grep -q "nothing to change" "$2" && ! grep -q "would" "$2"' sh $? "$work/t/out"
check "dry run after apply: files as after apply" same_tree "$after1"

run "$R"
rc=$?
check "rollback: exit 0" [ "$rc" = 0 ]
[ "$rc" = 0 ] || show
check "rollback: every file byte-identical to before apply" same_tree "$before"
check "rollback: prints the zfs rollback command" out_has "zfs rollback 'rpool/ROOT/pve-1@passc-102-"
check "rollback: never runs zfs rollback" [ "$(grep -c '^zfs rollback' "$SANDBOX_LOG")" = 0 ]
check "rollback: update-initramfs again" [ "$(calls update-initramfs)" = 2 ]
nset=$(calls 'qm set')
run "$R"
rc=$?
check "rollback twice: exit 0, nothing changed" sh -c '[ "$1" = 0 ] && grep -q "nothing to change" "$2"' sh "$rc" "$work/t/out"
check "rollback twice: files still as before" same_tree "$before"
check "rollback twice: no qm set" [ "$(calls 'qm set')" = "$nset" ]

# apply again after a rollback: a new backup of the pre-passc state
run "$A"
run "$R"
check "apply, rollback, apply, rollback: back to before" same_tree "$before"

# a slot the spec does not name passing one of its devices: said loudly
fresh
PATH=$sandbox/bin:$PATH qm set 102 --hostpci6 host=0000:79:00.3,pcie=1
run "$A"
check "apply: warns when a foreign slot passes a spec device too" out_has "hostpci6 passes 79:00.3 too"

# ---- rollback without a backup ----
fresh
run "$R"
rc=$?
check "rollback, no backup, pristine host: exit 0" [ "$rc" = 0 ]
check "rollback, no backup: says so" out_has "no backup"
check "rollback, no backup: hand-made vfio.conf left, said so" sh -c 'grep -q "not what passc writes" "$1"' sh "$work/t/out"
check "rollback, no backup, pristine host: nothing changed" same_tree "$before"
run "$A"
rm -rf "$PASSC_ROOT/var/lib/passc/backup"
run "$R"
check "rollback, backup lost: removes passc's vfio.conf" [ ! -e "$PASSC_ROOT/etc/modprobe.d/vfio.conf" ]
check "rollback, backup lost: removes passc's hostpci0-5 only" sh -c '[ -z "$1$2" ] && [ "$3" = "0000:0c:00.0,pcie=1" ]' sh "$(qmget hostpci0)" "$(qmget hostpci5)" "$(qmget hostpci6)"
check "rollback, backup lost: leaves other settings, says so" sh -c '[ "$1" = 24 ] && grep -q "keep their values" "$2"' sh "$(qmget cores)" "$work/t/out"
run "$R"
check "rollback, backup lost, twice: exit 0" [ $? = 0 ]

# ---- not a Proxmox host: the tools are missing ----
fresh
(cd "$work/t/cwd" && PATH=/usr/bin:/bin sh "$A") >"$work/t/out" 2>&1
check "apply without qm on PATH: refuses before changing anything" sh -c '[ "$1" != 0 ] && grep -q "qm not found on PATH" "$2"' sh $? "$work/t/out"
check "apply without qm: files unchanged, no backup" sh -c '[ "$1" = 0 ]' sh "$(nbackups)"
mkdir -p "$work/t/nozfs"
ln -s "$sandbox/bin/qm" "$sandbox/bin/update-initramfs" "$work/t/nozfs/"
(cd "$work/t/cwd" && PATH=$work/t/nozfs:/usr/bin:/bin sh "$A") >"$work/t/out" 2>&1
check "apply without zfs while the spec names a dataset: refuses" sh -c '[ "$1" != 0 ] && grep -q "zfs not found on PATH" "$2"' sh $? "$work/t/out"
check "apply without zfs: files unchanged" same_tree "$before"

# ---- a running VM ----
fresh
QM_RUNNING=102
export QM_RUNNING
run "$A"
rc=$?
check "apply refuses while VM runs" sh -c '[ "$1" != 0 ] && grep -q "VM 102 is running" "$2"' sh "$rc" "$work/t/out"
check "refusal: no backup, no qm set" [ "$(nbackups)/$(calls 'qm set')" = 0/0 ]
check "refusal: files unchanged" same_tree "$before"
run "$A" --dry-run
check "dry run on a running VM: plans, says apply would refuse" sh -c '[ "$1" = 0 ] && grep -q "VM 102 is running: without --force, a real run refuses" "$2" && grep -q "would set cores" "$2"' sh $? "$work/t/out"
check "dry run on a running VM: files unchanged" same_tree "$before"
run "$A" --force
rc=$?
check "apply --force on a running VM: exit 0" [ "$rc" = 0 ]
check "apply --force: hostpci goes pending" grep -qx '\[PENDING\]' "$PASSC_ROOT/etc/pve/qemu-server/102.conf"
run "$A" --force
check "apply --force twice: nothing to change" out_has "nothing to change"
run "$R" --force
check "rollback --force on a running VM: files as before" same_tree "$before"

# ---- failures part-way ----
fresh
UPDATE_INITRAMFS_FAIL=1
export UPDATE_INITRAMFS_FAIL
run "$A"
rc=$?
check "failing update-initramfs: apply fails" [ "$rc" != 0 ]
check "failing update-initramfs: points to rollback.sh" out_has "rollback.sh"
unset UPDATE_INITRAMFS_FAIL
run "$A"
check "apply after the failure: runs the missed update-initramfs" sh -c 'grep -q "nothing to change" "$1" && [ "$2" = 2 ]' sh "$work/t/out" "$(calls update-initramfs)"
run "$R"
check "failing update-initramfs: rollback restores every file" same_tree "$before"

fresh
UPDATE_INITRAMFS_FAIL=1
export UPDATE_INITRAMFS_FAIL
run "$A"
unset UPDATE_INITRAMFS_FAIL
run "$R"
check "failed apply, then rollback at once: every file restored" same_tree "$before"

fresh
mkdir -p "$PASSC_ROOT/var/lib/passc"
echo full >"$PASSC_ROOT/var/lib/passc/backup"
run "$A"
rc=$?
check "backup not writable (disk full): apply fails" [ "$rc" != 0 ]
check "backup not writable: nothing changed" same_tree "$before"
check "backup not writable: said so" out_has "stopped before changing anything"
check "backup not writable: no zfs, no qm set" [ "$(calls zfs)/$(calls 'qm set')" = 0/0 ]
rm -f "$PASSC_ROOT/var/lib/passc/backup"
run "$R"
check "backup not writable: rollback leaves the host as before" same_tree "$before"

fresh
ZFS_FAIL=1
export ZFS_FAIL
run "$A"
rc=$?
unset ZFS_FAIL
check "failing zfs snapshot: apply fails before changing files" sh -c '[ "$1" != 0 ] && [ "$2" = "$3" ]' sh "$rc" "$(tree_sum)" "$before"
run "$R"
check "failing zfs snapshot: rollback leaves the host as before" same_tree "$before"

# ---- hostile names ----
for how in dump passc; do
    dir=$work/hostile
    if [ "$how" = passc ]; then
        dir=$work/hostile-passc
        check "passc build hostile.pass" sh -c '"$1" build "$2" --no-facts -o "$3" >/dev/null' sh "$PASSC" "$sandbox/hostile.pass" "$dir"
        check "shellcheck -s sh: hostile.pass scripts" shellcheck -s sh "$dir/apply.sh" "$dir/rollback.sh" "$dir/verify.sh"
    fi
    fresh
    run "$dir/apply.sh" --dry-run
    check "hostile ($how): dry run exit 0, files unchanged" sh -c '[ "$1" = 0 ] && [ "$2" = "$3" ]' sh $? "$(tree_sum)" "$before"
    run "$dir/apply.sh"
    check "hostile ($how): apply exit 0" [ $? = 0 ]
    run "$dir/verify.sh"
    run "$dir/rollback.sh"
    check "hostile ($how): rollback restores" same_tree "$before"
    check "hostile ($how): nothing ran" [ -z "$(find "$work" -name 'pwned*' | head -n 1)" ]
done

# ---- every hostpci option, through the stand-in's Proxmox schema ----
fresh
fake_dev 0000:0a:00.0 10de 1b80
fake_dev 0000:0a:00.1 10de 10f0
fake_dev 0000:05:00.0 144d a80a
fake_dev 0000:00:02.0 8086 3e92
b_opt=$(tree_sum)
"$PASSC" build "$sandbox/options.pass" --no-facts -o "$work/options" >/dev/null 2>&1
run "$work/options/apply.sh"
rc=$?
check "options.pass: qm accepts every hostpci value passc writes" [ "$rc" = 0 ]
[ "$rc" = 0 ] || show
check "options.pass: all-functions, overrides, rombar, romfile as written" \
    [ "$(PATH=$sandbox/bin:$PATH qm config 103 | sed -n 's/^hostpci0: //p')" = "0000:0a:00,pcie=1,rombar=0,romfile=gtx1080.rom,vendor-id=0x10de,device-id=0x1b81,sub-vendor-id=0x1458,sub-device-id=0x3702" ]
check "options.pass: pinned slot 7 without pcie" [ "$(PATH=$sandbox/bin:$PATH qm config 103 | sed -n 's/^hostpci7: //p')" = "0000:05:00.0" ]
check "options.pass: bind start installs a vfio.conf without ids" sh -c '! grep -q "^options" "$1"' sh "$PASSC_ROOT/etc/modprobe.d/vfio.conf"
run "$work/options/rollback.sh"
check "options.pass: rollback restores every file" same_tree "$b_opt"


# ---- through the real front end ----
check "passc build examples/vm102.pass: four softdeps from the bundled snapshot" \
    [ "$(grep -c '^softdep .* pre: vfio-pci$' "$work/vm102/vfio.conf")" = 4 ]
"$PASSC" build "$src/examples/vm102.pass" --no-facts -o "$work/ex" >/dev/null 2>&1
check "passc build examples/vm102.pass: the seed's vfio.conf options line" \
    [ "$(grep -v '^#' "$work/ex/vfio.conf" 2>/dev/null)" = "options vfio-pci ids=10de:2783,10de:22bc,1b21:2426,1b21:2425,1022:15b6,1022:15b7" ]
check "passc build examples/vm102.pass --no-facts: 102.conf is the golden one" \
    cmp -s "$work/ex/102.conf" "$src/tests/golden/vm102/102.conf"
fixtures=${PASSC_FIXTURES:-$src/build/fixtures}
check "passc build on a host with vfio_pci built in: apply.sh edits the kernel command line" \
    sh -c '"$1" build "$2" --root "$3" -o "$4" >/dev/null 2>&1 && grep -qxF "$5" "$4/apply.sh" && shellcheck -s sh "$4/apply.sh" "$4/rollback.sh"' \
    sh "$PASSC" "$sandbox/builtin-vfio.pass" "$fixtures/twin-xhci" "$work/builtin" "cmdline_ids='1912:0015'"
check "passc build on a host with vfio_pci built in: no options line in vfio.conf" \
    sh -c '! grep -q "^options" "$1"' sh "$work/builtin/vfio.conf"

# ---- the spec drops a device: apply removes the slot passc set, rollback
# puts it back ----
fresh
run "$A"
after_full=$(tree_sum)
sed -e '/usb  79:00.4/d' -e 's/tunnels 79:00.3 79:00.4/tunnels 79:00.3/' "$src/examples/vm102.pass" >"$work/less.pass"
check "passc build: the spec without 79:00.4" sh -c '"$1" build "$2" --no-facts -o "$3" >/dev/null' sh "$PASSC" "$work/less.pass" "$work/less"
run "$work/less/apply.sh" --dry-run
check "spec drops a device: the dry run names the slot it would remove" out_has "VM 102: would remove hostpci5 (set by passc before"
check "spec drops a device: the dry run changes nothing" same_tree "$after_full"
run "$work/less/apply.sh"
rc=$?
check "spec drops a device: apply exit 0" [ "$rc" = 0 ]
[ "$rc" = 0 ] || show
check "spec drops a device: hostpci5 removed, hostpci4 and the foreign hostpci6 kept" \
    [ "$(qmget hostpci5)|$(qmget hostpci4)|$(qmget hostpci6)" = "|0000:79:00.3,pcie=1|0000:0c:00.0,pcie=1" ]
check "spec drops a device: vfio.conf no longer claims 1022:15b7" \
    sh -c 'grep -q "^options" "$1" && ! grep -q "^options.*1022:15b7" "$1"' sh "$PASSC_ROOT/etc/modprobe.d/vfio.conf"
run "$work/less/rollback.sh"
check "spec drops a device: rollback puts hostpci5 and vfio.conf back" \
    sh -c '[ "$1" = "0000:79:00.4,pcie=1" ] && [ "$2" = "$3" ]' sh "$(qmget hostpci5)" "$(tree_sum)" "$after_full"


scripts_done run-scripts
