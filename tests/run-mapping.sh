#!/bin/sh
# run-mapping.sh — cluster resource mappings (issue 17): a two-node spec
# with a GPU and an SR-IOV mapping linted against the pve1/pve2 fixture
# snapshots (tests/hosts/pve*.host → tests/golden/facts/pve*.yaml), its
# pci.cfg and <vmid>.conf against golden files, and specs with mistakes
# against golden diagnostics (tests/mapping/NAME.out: stdout of `passc lint
# mapping/NAME.pass`, then `[exit N]`).
#
# PASSC_UPDATE_GOLDEN=1 rewrites the golden files (review the diff!).
set -u
: "${PASSC:?set PASSC to the passc binary}"
: "${PASSC_SRCDIR:?set PASSC_SRCDIR to the source tree}"
export NO_COLOR=1 LC_ALL=C
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
src="$PASSC_SRCDIR/tests/mapping"
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
same() {  # golden file, produced file, what
    if [ "${PASSC_UPDATE_GOLDEN:-}" = 1 ]; then cp "$2" "$1"; fi
    if cmp -s "$1" "$2"; then ok; else bad "$3"; diff -u "$1" "$2" | head -30; fi
}

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

for name in mismatch bad-refs; do
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

echo "run-mapping: $pass passed, $fail failed"
[ "$fail" = 0 ]
