#!/bin/sh
# run-mapping.sh — cluster resource mappings (issue 17): a two-node spec
# with a GPU and an SR-IOV mapping linted against the pve1/pve2 fixture
# snapshots (tests/hosts/pve*.host → tests/golden/facts/pve*.yaml), its
# pci.cfg and <vmid>.conf against golden files, and specs with mistakes
# against golden diagnostics (tests/mapping/NAME.out: stdout of `passc lint
# mapping/NAME.pass`, then `[exit N]`).
#
# PASSC_UPDATE_GOLDEN=1 rewrites the golden files (review the diff!).
. "$(dirname "$0")/runner_lib.sh"
work=$T
src="$PASSC_SRCDIR/tests/mapping"

cd "$PASSC_SRCDIR/tests" || exit 1

# The clean cluster spec: no finding, and the artifacts Proxmox reads.
"$PASSC" lint mapping/cluster.pass >"$work/lint" 2>&1
rc=$?
if [ "$rc" = 0 ] && [ ! -s "$work/lint" ]; then ok
else bad "cluster.pass: lint exit $rc"; cat "$work/lint"; fi
if "$PASSC" build mapping/cluster.pass -o "$work/out" >/dev/null 2>"$work/err"; then
    ok
    same "$src/cluster.pci.cfg" "$work/out/pci.cfg" "cluster.pass: pci.cfg"
    same "$src/cluster.101.conf" "$work/out/101.conf" "cluster.pass: 101.conf"
    # SectionConfig: a header in column 0, TAB-indented keys, a blank line
    # after each section (a property after a blank line would be lost)
    if awk 'BEGIN { st = 0 }
            /^$/ { if (st != 2) exit 1; st = 0; next }
            /^\t/ { if (st == 0) exit 1; st = 2; next }
            { if (st != 0) exit 1; st = 1 }
            END { exit st != 0 }' "$work/out/pci.cfg"; then ok
    else bad "pci.cfg is not SectionConfig-shaped"; fi
else
    bad "cluster.pass: build failed"; cat "$work/err"
fi

# A single-host spec builds no pci.cfg.
if "$PASSC" build ../examples/vm102.pass -o "$work/single" >/dev/null 2>&1 &&
    [ ! -e "$work/single/pci.cfg" ]; then ok
else bad "vm102.pass: pci.cfg without mappings"; fi

for name in mismatch bad-refs nodes; do
    "$PASSC" lint "mapping/$name.pass" >"$work/$name.out" 2>&1
    echo "[exit $?]" >>"$work/$name.out"
    same "$src/$name.out" "$work/$name.out" "$name.pass: diagnostics"
done

# ---- mapping.sh against a fake node with the stand-in pvesh ----
M=$work/out/mapping.sh
sandbox() {  # a fresh root; $1: the pci.cfg it starts with ('' none)
    rm -rf "$work/root"
    mkdir -p "$work/root/etc/pve/mapping"
    if [ -n "$1" ]; then printf '%b' "$1" >"$work/root/etc/pve/mapping/pci.cfg"; fi
}
run_m() {
    PASSC_ROOT=$work/root PATH="$PASSC_SRCDIR/tests/sandbox/bin:$PATH" \
        SANDBOX_LOG=$work/log sh "$M" "$@" >"$work/m.out" 2>&1
}
nbackups() { find "$work/root/var/lib/passc/backup/cluster" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l; }
cfg=$work/root/etc/pve/mapping/pci.cfg
old='gpu-pool\n\tmap node=pve1,path=0000:01:00,id=10de:2783,subsystem-id=1043:8935,iommugroup=14\n\tdescription old card\n\tmdev 1\n\nother\n\tmap node=pve1,path=0000:00:1f.3,id=8086:a348,subsystem-id=1043:8694,iommugroup=9\n\n'
if shellcheck -s sh "$M" >/dev/null 2>&1 || ! command -v shellcheck >/dev/null; then ok
else bad "shellcheck mapping.sh"; shellcheck -s sh "$M"; fi

sandbox "$old"
cp "$cfg" "$work/cfg.before"
: >"$work/log"
if run_m --dry-run && cmp -s "$cfg" "$work/cfg.before" && [ "$(nbackups)" = 0 ] &&
    grep -q 'mapping x710-vf would change' "$work/m.out" && ! grep -q 'create\|set' "$work/log"; then ok
else bad "mapping.sh --dry-run changes nothing"; cat "$work/m.out"; fi
if run_m && [ "$(nbackups)" = 1 ]; then ok; else bad "mapping.sh apply"; cat "$work/m.out"; fi
# the spec's sections as passc wrote them; the other mapping untouched
awk '/^other$/ { skip = 1 } !skip { print } /^$/ { skip = 0 }' "$cfg" >"$work/ours"
if cmp -s "$work/ours" "$work/out/pci.cfg" && grep -q '^other$' "$cfg"; then ok
else bad "after apply pci.cfg holds the spec's mappings and keeps the other"; diff -u "$work/out/pci.cfg" "$cfg"; fi
if grep -q 'pvesh create /cluster/mapping/pci --id x710-vf' "$work/log" &&
    grep -q 'pvesh set /cluster/mapping/pci/gpu-pool .*--mdev 0$' "$work/log"; then ok
else bad "apply creates the new mapping and sets the changed one through pvesh"; cat "$work/log"; fi
if run_m && [ "$(nbackups)" = 1 ] && grep -q 'already match' "$work/m.out"; then ok
else bad "a second apply changes nothing and takes no backup"; cat "$work/m.out"; fi
if run_m --rollback && cmp -s "$cfg" "$work/cfg.before"; then ok
else bad "rollback restores pci.cfg exactly"; diff -u "$work/cfg.before" "$cfg"; fi
if run_m --rollback && grep -q 'rolled back 0' "$work/m.out"; then ok
else bad "a second rollback changes nothing"; cat "$work/m.out"; fi

# A cluster without any mapping yet: rollback deletes what apply created.
sandbox ''
if run_m && run_m --rollback && [ ! -s "$cfg" ]; then ok
else bad "rollback deletes the mappings apply created"; cat "$work/m.out" "$cfg"; fi
if run_m --rollback x 2>/dev/null; [ $? = 1 ]; then ok; else bad "rollback of a missing backup fails"; fi

# ---- per-node host side: pve1 holds VM 101's config, pve2 only devices
# its mapped slots would use there ----
for f in 101.conf pci.cfg mapping.sh verify.ps1 pve1/apply.sh pve2/apply.sh \
    pve1/vfio.conf pve2/vfio.conf pve2/rollback.sh pve2/verify.sh \
    pve2/recover.sh pve2/RECOVERY.txt; do
    if [ -f "$work/out/$f" ]; then ok; else bad "cluster build: no $f"; fi
done
if [ ! -e "$work/out/apply.sh" ] && [ ! -e "$work/out/vfio.conf" ]; then ok
else bad "cluster build: host-side files only in the node directories"; fi
# each node binds the ids of its own entries (pve2: bind ids)
if grep -qx 'options vfio-pci ids=10de:2783,8086:154c' "$work/out/pve2/vfio.conf" &&
    ! grep -q '^options' "$work/out/pve1/vfio.conf"; then ok
else bad "per-node vfio.conf"; cat "$work/out/pve1/vfio.conf" "$work/out/pve2/vfio.conf"; fi
for f in pve1/apply.sh pve2/apply.sh pve2/rollback.sh pve2/verify.sh pve2/recover.sh; do
    if ! command -v shellcheck >/dev/null || shellcheck -s sh "$work/out/$f" >/dev/null 2>&1; then ok
    else bad "shellcheck $f"; shellcheck -s sh "$work/out/$f" | head -20; fi
done
node_root() {  # a fresh fake node $1 as its facts snapshot says
    r=$work/node-$1
    rm -rf "$r"
    cp -a "$PASSC_SRCDIR/tests/sandbox/root" "$r"
    sh "$PASSC_SRCDIR/tests/sandbox/facts-root.sh" "$PASSC_SRCDIR/tests/golden/facts/$1.yaml" "$r"
}
node_sum() {  # every file of node $1's root but passc's records, hashed
    (cd "$work/node-$1" && find . -path ./var/lib/passc -prune -o -type f -print |
        LC_ALL=C sort | while IFS= read -r f; do sha256sum "$f"; done)
}
run_node() {  # node root, script, args
    r=$1 s=$2
    shift 2
    (cd "$work" && PASSC_ROOT=$work/node-$r PATH="$PASSC_SRCDIR/tests/sandbox/bin:$PATH" \
        SANDBOX_LOG=$work/log-$r sh "$work/out/$s" "$@") >"$work/n.out" 2>&1
}
node_root pve1
node_root pve2
printf 'boot: order=scsi0\ncores: 4\nmemory: 16384\nname: render\n' \
    >"$work/node-pve1/etc/pve/qemu-server/101.conf"
sum1=$(node_sum pve1) sum2=$(node_sum pve2)
: >"$work/log-pve1"
: >"$work/log-pve2"
if ! run_node pve2 pve1/apply.sh && grep -q 'this host is pve2; the facts came from pve1' "$work/n.out" &&
    [ "$(node_sum pve2)" = "$sum2" ] && [ ! -d "$work/node-pve2/var/lib/passc/backup" ]; then ok
else bad "pve1's apply.sh refuses on pve2, nothing changed"; cat "$work/n.out"; fi
if run_node pve1 pve1/apply.sh &&
    grep -qx 'hostpci0: mapping=gpu-pool,pcie=1,x-vga=1' "$work/node-pve1/etc/pve/qemu-server/101.conf" &&
    grep -qx 'hostpci1: mapping=x710-vf,pcie=1' "$work/node-pve1/etc/pve/qemu-server/101.conf" &&
    cmp -s "$work/out/pve1/vfio.conf" "$work/node-pve1/etc/modprobe.d/vfio.conf"; then ok
else bad "pve1: apply sets VM 101 and pve1's vfio.conf"; cat "$work/n.out"; fi
if grep -q 'has no mapping gpu-pool yet: run mapping.sh' "$work/n.out" &&
    grep -q 'has no mapping x710-vf yet' "$work/n.out"; then ok
else bad "pve1: apply says the cluster lacks the VM's mappings"; cat "$work/n.out"; fi
if run_node pve2 pve2/apply.sh && grep -q 'backed up what will change on this host' "$work/n.out" &&
    cmp -s "$work/out/pve2/vfio.conf" "$work/node-pve2/etc/modprobe.d/vfio.conf" &&
    ! grep -q '^qm set' "$work/log-pve2" && [ ! -e "$work/node-pve2/etc/pve/qemu-server/101.conf" ]; then ok
else bad "pve2: apply installs pve2's vfio.conf and touches no VM"; cat "$work/n.out" "$work/log-pve2"; fi
if run_node pve2 pve2/apply.sh && grep -q 'nothing to change' "$work/n.out"; then ok
else bad "pve2: a second apply changes nothing"; cat "$work/n.out"; fi
if run_node pve2 pve2/verify.sh >/dev/null; grep -q "0000:04:02.0 nic (VM 101 hostpci1, mapping x710-vf)" "$work/n.out"; then ok
else bad "pve2: verify.sh checks the mapped devices"; cat "$work/n.out"; fi
if run_node pve1 pve1/rollback.sh && [ "$(node_sum pve1)" = "$sum1" ]; then ok
else bad "pve1: rollback restores the node exactly"; cat "$work/n.out"; fi
if run_node pve2 pve2/rollback.sh && [ "$(node_sum pve2)" = "$sum2" ]; then ok
else bad "pve2: rollback restores the node exactly"; cat "$work/n.out"; fi
# once mapping.sh has written the mappings, apply.sh has nothing to say
node_root pve1
mkdir -p "$work/node-pve1/etc/pve/mapping"
cp "$work/out/pci.cfg" "$work/node-pve1/etc/pve/mapping/pci.cfg"
printf 'cores: 4\n' >"$work/node-pve1/etc/pve/qemu-server/101.conf"
if run_node pve1 pve1/apply.sh && grep -q 'done' "$work/n.out" && ! grep -q 'has no mapping' "$work/n.out"; then ok
else bad "pve1: no note once pci.cfg has the mappings"; cat "$work/n.out"; fi

# A cluster spec's node without a snapshot is this machine only when it is
# named so: another node never gets this machine's facts.
me=$(hostname)
sed -e '/facts "..\/golden\/facts\/pve1.yaml"/d' mapping/cluster.pass >"$work/nofacts.pass"
cp -r golden "$work/golden"
mkdir -p "$work/mapping"
mv "$work/nofacts.pass" "$work/mapping/nofacts.pass"
"$PASSC" lint "$work/mapping/nofacts.pass" >"$work/nf.out" 2>&1
if [ "$me" != pve1 ] && grep -q "node 'pve1' has no facts snapshot" "$work/nf.out"; then ok
else bad "a node without snapshot does not take this machine's facts"; cat "$work/nf.out"; fi
case $me in
*[!a-zA-Z0-9-]* | -* | *-) ;;
*)
    sed -e "s/\"pve1\"/\"$me\"/" "$work/mapping/nofacts.pass" >"$work/mapping/me.pass"
    "$PASSC" lint "$work/mapping/me.pass" >"$work/me.out" 2>&1
    if ! grep -q "node '$me' has no facts snapshot" "$work/me.out"; then ok
    else bad "a node named as this machine takes its facts"; cat "$work/me.out"; fi
    ;;
esac

# A joined slot survives the node's view: its apply.sh sets it whole.
if "$PASSC" build --no-facts -q mapping/joined.pass -o "$work/joined" 2>/dev/null &&
    grep -qF "'hostpci0=0000:05:00.0;0000:06:00.0'" "$work/joined/pve1/apply.sh" &&
    grep -qx 'hostpci0: 0000:05:00.0;0000:06:00.0' "$work/joined/101.conf" &&
    grep -qF "'0000:03:02.1'" "$work/joined/pve1/verify.sh"; then ok
else bad "joined slots in a cluster build"; grep -n 'hostpci0' "$work/joined/pve1/apply.sh" "$work/joined/101.conf"; fi

# A second node's snapshot must stay in the repository too; --facts names
# only the first node's, so the fix does not offer it.
mkdir -p "$work/outside"
cp golden/facts/pve1.yaml "$work/outside/pve1.yaml"
sed -e 's|facts "../golden/facts/pve2.yaml"|facts "/etc/hostname"|' \
    -e 's|facts "../golden/facts/pve1.yaml"|facts "pve1.yaml"|' mapping/cluster.pass >"$work/outside/outside.pass"
"$PASSC" lint "$work/outside/outside.pass" >"$work/out.txt" 2>&1
rc=$?
if [ "$rc" = 3 ] && grep -q 'facts "/etc/hostname" is refused' "$work/out.txt" &&
    grep -q 'fix: keep the snapshot in the spec.s repository (e.g. hosts/NAME.yaml)$' "$work/out.txt"; then ok
else bad "a second node's snapshot outside the repository is refused (exit $rc)"; cat "$work/out.txt"; fi

runner_done
