#!/bin/sh
# run-scripts.sh — the generated apply.sh, rollback.sh and verify.sh run
# against a copy of tests/sandbox/root (a fake Proxmox host) with stand-in
# qm, update-initramfs, zfs, proxmox-boot-tool and update-grub, one fresh
# copy per case.
#
#   sh tests/run-scripts.sh            run the cases
#   sh tests/run-scripts.sh --golden   rewrite tests/golden/vm102 from the real
#                                      build of examples/vm102.pass (review the diff!)
#
# Environment (from `make check-cli`): PASSC, PASSC_SRCDIR.
set -u
src=${PASSC_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
PASSC=${PASSC:-$src/build/passc}
sandbox=$src/tests/sandbox
work=$(mktemp -d "${TMPDIR:-/tmp}/run-scripts.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
ok() {
    passed=$((passed + 1))
    printf 'ok   %s\n' "$*"
}
bad() {
    failed=$((failed + 1))
    printf 'FAIL %s\n' "$*"
}
# check NAME COMMAND...: one case, passes when COMMAND succeeds.
check() {
    name=$1
    shift
    if "$@"; then ok "$name"; else bad "$name"; fi
}

# Artifacts of a model: the emit suite's hand-built models (no parser
# needed; names with newlines no spec can hold), written by its "dump" case
# of the Check binary next to $PASSC (make check-cli builds it first).
dump() {
    checker=$(dirname "$PASSC")/check_passc
    if [ ! -x "$checker" ]; then
        echo "run-scripts: $checker is missing: run it through make check-cli" >&2
        exit 1
    fi
    CK_RUN_SUITE=emit CK_RUN_CASE=dump PASSC_EMIT_MODEL=$1 PASSC_EMIT_DUMP=$2 \
        CK_VERBOSITY=silent "$checker" >/dev/null
}

# VM 102 is examples/vm102.pass built as a user builds it: against the
# bundled snapshot its `facts` line names (which gives the softdeps).
build_vm102() {
    "$PASSC" build "$src/examples/vm102.pass" -o "$1" >/dev/null
}

if [ "${1:-}" = --golden ]; then
    rm -rf "$work/g"
    build_vm102 "$work/g" && cp "$work/g"/* "$work/g"/.passc-build "$src/tests/golden/vm102/"
    echo "rewrote $src/tests/golden/vm102; review with git diff"
    exit 0
fi

build_vm102 "$work/vm102" || exit 1
dump hostile "$work/hostile" || exit 1
dump novm "$work/novm" || exit 1
dump cmdline "$work/cmdline" || exit 1

# ---- a fresh sandbox per case ----
fresh() {
    rm -rf "$work/t"
    mkdir -p "$work/t/cwd"
    cp -a "$sandbox/root" "$work/t/root"
    PASSC_ROOT=$work/t/root
    SANDBOX_LOG=$work/t/calls
    : >"$SANDBOX_LOG"
    export PASSC_ROOT SANDBOX_LOG
    unset QM_RUNNING UPDATE_INITRAMFS_FAIL ZFS_FAIL BOOT_TOOL_FAIL
}
# run SCRIPT ARGS...: a generated script with the stand-ins first on PATH;
# output in $work/t/out, exit status returned.
run() {
    script=$1
    shift
    (cd "$work/t/cwd" && PATH=$sandbox/bin:$PATH sh "$script" "$@") >"$work/t/out" 2>&1
}
# Every file of the root except passc's own records, with its hash.
tree_sum() {
    (cd "$PASSC_ROOT" && find . -path ./var/lib/passc -prune -o -type f -print |
        LC_ALL=C sort | while IFS= read -r f; do sha256sum "$f"; done)
}
same_tree() { [ "$(tree_sum)" = "$1" ]; }
qmget() { PATH=$sandbox/bin:$PATH qm config 102 | sed -n "s/^$1: //p"; }
out_has() { grep -qF -- "$1" "$work/t/out"; }
calls() { grep -c "^$1" "$SANDBOX_LOG"; }
nbackups() { find "$PASSC_ROOT/var/lib/passc/backup/102" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
show() { sed 's/^/    | /' "$work/t/out"; }

A=$work/vm102/apply.sh R=$work/vm102/rollback.sh V=$work/vm102/verify.sh

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
check "options.pass: rollback restores every file" same_tree "$before"

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

# ---- several VMs: vfio.conf is backed up in each VM's backup and restored
# from the first VM's. One apply writes every VM's copy from the same file
# under the same name, so the copies cannot differ; these cases pin that,
# also across a spec that grew a VM (whose first VM has no older backup).
"$PASSC" build "$sandbox/two-vms.pass" --no-facts -o "$work/two" >/dev/null 2>&1
check "two VMs: passc build" [ -x "$work/two/rollback.sh" ]
fresh
b0=$(tree_sum)
run "$work/two/apply.sh"
t1=$(cd "$PASSC_ROOT/var/lib/passc/backup/103" && ls)
check "two VMs: one backup name for both VMs, the same vfio.conf in each" \
    sh -c '[ -n "$1" ] && cmp -s "$2/103/$1/vfio.conf" "$2/102/$1/vfio.conf" && cmp -s "$2/103/$1/vfio.conf" "$3"' \
    sh "$t1" "$PASSC_ROOT/var/lib/passc/backup" "$sandbox/root/etc/modprobe.d/vfio.conf"
run "$work/two/rollback.sh"
check "two VMs: rollback restores every file" same_tree "$b0"
# the spec had VM 102 only, then grew VM 103 in front of it
fresh
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
fresh
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

echo "run-scripts: $passed passed, $failed failed"
[ "$failed" = 0 ]
