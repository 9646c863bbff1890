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

echo "run-mapping: $pass passed, $fail failed"
[ "$fail" = 0 ]
