#!/bin/sh
# run-scripts-preflight.sh — apply.sh's pre-flight (issue 13 §1) and the
# re-run, lock, later-edit and message cases of §4, in the sandbox of
# tests/scripts_lib.sh (fresh: a fake host as examples/hosts/x870e-creator
# says, which vm102 was built against).
#
# Environment (from `make check-cli`): PASSC, PASSC_SRCDIR.
set -u
src=${PASSC_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$src/tests/scripts_lib.sh"

dev=sys/bus/pci/devices
# refuses NAME TEXT: apply.sh and its dry run exit 1 with TEXT, and nothing
# changed (not even a backup).
refuses() {
    b=$(tree_sum)
    run "$A" --dry-run
    rc1=$?
    cp "$work/t/out" "$work/t/out1"
    run "$A"
    rc2=$?
    if [ "$rc1" = 1 ] && [ "$rc2" = 1 ] && out_has "$2" && grep -qF -- "$2" "$work/t/out1" &&
        same_tree "$b" && [ "$(nbackups)" = 0 ] && [ "$(calls 'qm set')" = 0 ]; then
        ok "pre-flight: $1"
    else
        bad "pre-flight: $1"
        show
    fi
}

fresh
run "$A" --dry-run
check "pre-flight: the host the build checked passes" sh -c '[ "$1" = 0 ]' sh $?

fresh
printf '0x2204\n' >"$PASSC_ROOT/$dev/0000:02:00.0/device"
refuses "changed id" "0000:02:00.0 is 10de:2204 now; the build checked 10de:2783: rebuild with fresh facts"

fresh
printf '0x030200\n' >"$PASSC_ROOT/$dev/0000:02:00.0/class"
refuses "changed class" "0000:02:00.0 has class 030200 now; the build checked class 030000"

fresh
ln -s ../../../../bus/pci/devices/0000:0c:00.0 "$PASSC_ROOT/sys/kernel/iommu_groups/15/devices/0000:0c:00.0"
refuses "changed IOMMU group" "the IOMMU group of 0000:02:00.0 holds 0000:02:00.0,0000:02:00.1,0000:0c:00.0 now"

fresh
rm -rf "$PASSC_ROOT/$dev/0000:79:00.4"
refuses "device gone" "there is no device 0000:79:00.4 on this host now; the build saw one"

fresh
echo other >"$PASSC_ROOT/etc/hostname"
refuses "other host" "this host is other; the facts came from pve"

fresh
rm -rf "$PASSC_ROOT/sys/class/iommu" "$PASSC_ROOT/sys/kernel/iommu_groups"
mkdir -p "$PASSC_ROOT/sys/class/iommu" "$PASSC_ROOT/sys/kernel/iommu_groups"
refuses "IOMMU off" "IOMMU is off now"

fresh
mods=$PASSC_ROOT/lib/modules/$(cat "$PASSC_ROOT/proc/sys/kernel/osrelease")
: >"$mods/modules.dep"
echo kernel/drivers/vfio/pci/vfio-pci.ko >"$mods/modules.builtin"
refuses "vfio_pci now built in" "vfio_pci is builtin in the running kernel; the build planned for module"

fresh
mkdir -p "$PASSC_ROOT/lib/modprobe.d"
echo 'blacklist vfio_pci' >"$PASSC_ROOT/lib/modprobe.d/aa-nvidia.conf"
refuses "blacklist elsewhere" "aa-nvidia.conf:1: \"blacklist vfio_pci\""

fresh
echo '  install vfio-pci /bin/true' >"$PASSC_ROOT/etc/modprobe.d/00-off.conf"
refuses "install line" "00-off.conf:1: \"install vfio-pci /bin/true\""

fresh
echo 'options vfio-pci ids=10de:2783' >"$PASSC_ROOT/etc/modprobe.d/zz-gpu.conf"
refuses "options ids= read after vfio.conf" "zz-gpu.conf:1: \"options vfio-pci ids=10de:2783\" is read after vfio.conf"

# read before vfio.conf: passc's ids win, so it is no reason to stop
fresh
echo 'options vfio-pci ids=10de:2783' >"$PASSC_ROOT/etc/modprobe.d/aa-gpu.conf"
run "$A" --dry-run
check "pre-flight: options ids= read before vfio.conf is fine" sh -c '[ "$1" = 0 ]' sh $?

# /etc hides the same name in /lib (kmod's override), and that file is passc's own
fresh
mkdir -p "$PASSC_ROOT/lib/modprobe.d"
echo 'blacklist vfio_pci' >"$PASSC_ROOT/lib/modprobe.d/vfio.conf"
run "$A" --dry-run
check "pre-flight: /lib/modprobe.d/vfio.conf hidden by /etc's is not read" sh -c '[ "$1" = 0 ]' sh $?

fresh
mkdir -p "$PASSC_ROOT/proc"
echo 'BOOT_IMAGE=/vmlinuz root=ZFS=rpool quiet vfio-pci.ids=10de:2783' >"$PASSC_ROOT/proc/cmdline"
refuses "vfio-pci.ids= on the kernel command line" "the kernel command line has vfio-pci.ids=10de:2783"

# every mismatch is its own line
fresh
echo other >"$PASSC_ROOT/etc/hostname"
printf '0x2204\n' >"$PASSC_ROOT/$dev/0000:02:00.0/device"
run "$A"
check "pre-flight: one line per mismatch" [ "$(grep -c '^passc: error: ' "$work/t/out")" = 3 ]

# --no-facts: the spec's ids and the addresses only, and it says so
"$PASSC" build "$src/examples/vm102.pass" --no-facts -o "$work/nf" >/dev/null 2>&1
fresh
echo other >"$PASSC_ROOT/etc/hostname"
run "$work/nf/apply.sh" --dry-run
check "--no-facts: another host name is not checked, and it says what was not" \
    sh -c '[ "$1" = 0 ] && grep -q "built with --no-facts: checked only" "$2"' sh $? "$work/t/out"
printf '0x2204\n' >"$PASSC_ROOT/$dev/0000:02:00.0/device"
run "$work/nf/apply.sh" --dry-run
check "--no-facts: an id other than the spec's refuses" \
    sh -c '[ "$1" = 1 ] && grep -q "0000:02:00.0 is 10de:2204 now; the spec says 10de:2783" "$2"' sh $? "$work/t/out"

# ---- §4: a kill at every step, a re-run, then the default rollback ----
# The stand-in update-initramfs/qm/zfs are wrapped: the Nth call of any
# tool kills apply.sh (SIGKILL: no trap runs).
mkdir -p "$work/killbin"
for tool in qm update-initramfs zfs; do
    cat >"$work/killbin/$tool" <<EOS
#!/bin/sh
n=\$(cat "\$KILL_COUNT" 2>/dev/null || echo 0)
n=\$((n + 1))
echo "\$n" >"\$KILL_COUNT"
if [ "\$n" = "\$KILL_AT" ]; then
    kill -9 "\$PPID"
    exit 1
fi
exec "$sandbox/bin/$tool" "\$@"
EOS
    chmod +x "$work/killbin/$tool"
done
fresh
PATH=$sandbox/bin:$PATH KILL_COUNT=$work/t/count KILL_AT=0 PATH=$work/killbin:$sandbox/bin:$PATH \
    sh -c 'cd "$1" && sh "$2"' sh "$work/t/cwd" "$A" >/dev/null 2>&1
total=$(cat "$work/t/count")
k=1
kills_ok=1
while [ "$k" -le "$total" ]; do
    fresh
    { (cd "$work/t/cwd" && KILL_COUNT=$work/t/count KILL_AT=$k PATH=$work/killbin:$sandbox/bin:$PATH sh "$A") >/dev/null 2>&1; } 2>/dev/null
    run "$A"
    r1=$?
    run "$A"
    r2=$?
    run "$R"
    if [ "$r1" != 0 ] || [ "$r2" != 0 ] || ! same_tree "$before"; then
        kills_ok=0
        bad "kill at tool call $k of $total, re-run, rollback: byte-exact"
        show
    fi
    k=$((k + 1))
done
[ "$kills_ok" = 0 ] || ok "kill at each of $total tool calls, re-run, second apply, default rollback: byte-exact every time"

# a failed apply.sh (update-initramfs) re-run, then rollback
fresh
UPDATE_INITRAMFS_FAIL=1 run "$A"
unset UPDATE_INITRAMFS_FAIL
run "$A"
run "$R"
check "failed apply re-run: default rollback returns to before passc" same_tree "$before"

# ---- §4: lock ----
fresh
mkdir -p "$PASSC_ROOT/var/lib/passc"
b=$(tree_sum)
exec 8>>"$PASSC_ROOT/var/lib/passc/lock"
flock 8
run "$A"
check "lock: a second apply.sh refuses at once, changes nothing" \
    sh -c '[ "$1" = 1 ] && grep -q "another apply.sh or rollback.sh is running" "$2" && [ "$3" = "$4" ]' \
    sh $? "$work/t/out" "$b" "$(tree_sum)"
run "$R"
check "lock: so does rollback.sh" sh -c '[ "$1" = 1 ] && grep -q "another apply.sh or rollback.sh is running" "$2"' sh $? "$work/t/out"
run "$work/vm102/recover.sh"
check "lock: so does recover.sh" sh -c '[ "$1" = 1 ] && grep -q "another apply.sh or rollback.sh is running" "$2"' sh $? "$work/t/out"
exec 8>&-
run "$A"
check "lock: free again, apply.sh runs" sh -c '[ "$1" = 0 ]' sh $?

# ---- §4: an edit made after apply.sh is kept, or saved with --force ----
fresh
run "$A"
PATH=$sandbox/bin:$PATH qm set 102 --cores 8 >/dev/null
echo '# mine' >>"$PASSC_ROOT/etc/modprobe.d/vfio.conf"
cp "$PASSC_ROOT/etc/modprobe.d/vfio.conf" "$work/t/vfio.mine"
run "$R"
check "edited after apply: cores kept and reported" sh -c '[ "$1" = 8 ] && grep -q "VM 102: cores was edited after apply.sh (now 8): kept" "$2"' sh "$(qmget cores)" "$work/t/out"
check "edited after apply: vfio.conf kept and reported" sh -c 'cmp -s "$1" "$2" && grep -q "vfio.conf was edited after apply.sh: kept" "$3"' sh "$work/t/vfio.mine" "$PASSC_ROOT/etc/modprobe.d/vfio.conf" "$work/t/out"
check "edited after apply: the rest rolled back" [ "$(qmget memory)" = 65536 ]
run "$R" --force
check "edited, --force: every file as before passc" same_tree "$before"
check "edited, --force: the edits saved first" sh -c 'cmp -s "$1" "$2"/*/vfio.conf && grep -qx "cores=8" "$2"/*/102.settings' sh "$work/t/vfio.mine" "$PASSC_ROOT/var/lib/passc/edited"

# ---- §4: the last step fails: the message says everything changed ----
fresh
cat >"$work/killbin/qm-late" <<EOS
#!/bin/sh
[ "\$1 \$(cat "\$PASSC_ROOT/var/lib/passc/state/102.keys" 2>/dev/null | head -c 1)" != "config h" ] || exit 1
exec "$sandbox/bin/qm" "\$@"
EOS
mkdir -p "$work/latebin" && cp "$work/killbin/qm-late" "$work/latebin/qm" && chmod +x "$work/latebin/qm"
(cd "$work/t/cwd" && PATH=$work/latebin:$sandbox/bin:$PATH sh "$A") >"$work/t/out" 2>&1
check "last step fails: says every change was made, not 'before changing anything'" \
    sh -c '[ "$1" != 0 ] && grep -q "made every change, then failed" "$2" && ! grep -q "before changing anything" "$2"' sh $? "$work/t/out"

scripts_done run-scripts-preflight
