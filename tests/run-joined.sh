#!/bin/sh
# run-joined.sh — `;`-joined host functions in one hostpci slot (issue 17):
# a build of the seed's VM 102 with its GPU's functions and its two xHCI
# controllers joined, against the seed host's facts (golden 102.conf and
# vfio.conf; the pre-flight checks every joined function); import of real
# configs with joined slots, whose build writes each joined hostpci line
# back byte for byte; and import with facts, which ties the joined
# functions' ids to the slot rather than to a host `vfio ids` line.
#
# PASSC_UPDATE_GOLDEN=1 rewrites the golden files (review the diff!).
. "$(dirname "$0")/runner_lib.sh"
work=$T
# a whole line, not the substring runner_lib's has looks for
has_line() {  # file, fixed line, what
    if grep -qxF -- "$2" "$1"; then ok; else bad "$3: no line '$2'"; fi
}

cd "$PASSC_SRCDIR/tests" || exit 1
facts=golden/facts/x870e.yaml

# The build: one slot per joined line, every function bound and checked.
if "$PASSC" build -q joined/vm102-joined.pass -o "$work/b" >"$work/log" 2>&1; then ok
else bad "build of joined/vm102-joined.pass"; cat "$work/log"; fi
same joined/vm102-joined.102.conf "$work/b/102.conf" "102.conf of the joined build"
sed '/^#/d' "$work/b/vfio.conf" >"$work/vfio"
same joined/vm102-joined.vfio.conf "$work/vfio" "vfio.conf of the joined build"
# pre-flight: address, the id the build saw, class, group, for each function
has_line "$work/b/apply.sh" "        '0000:02:00.1 10de:22bc 040300 0000:02:00.0,0000:02:00.1' \\" "pre-flight of the joined audio"
has_line "$work/b/apply.sh" "        '0000:79:00.4 1022:15b7 0c0330 0000:79:00.4'" "pre-flight of the joined xHCI"
has_line "$work/b/verify.sh" "check_device '0000:79:00.4' '' 'pci (VM 102 hostpci3, joined)' vfio-pci" "verify.sh checks the joined xHCI"

# Import without facts, then build: each joined hostpci line comes back
# as it was (slots import reports as not importable aside).
for conf in import/semicolon-125.conf import/joined-170.conf; do
    base=${conf%.conf}
    vmid=${base##*-}
    set --
    [ -f "$base.vfio.conf" ] && set -- --vfio "$base.vfio.conf"
    rm -rf "$work/i"
    if "$PASSC" import "$conf" "$@" >"$work/s.pass" 2>"$work/s.err" &&
       "$PASSC" build -q --no-facts "$work/s.pass" -o "$work/i" >"$work/log" 2>&1; then ok
    else bad "$conf: import and build"; cat "$work/s.err" "$work/log"; continue; fi
    grep '^hostpci[0-9]*: [^,]*;' "$conf" | while IFS= read -r line; do
        key=${line%%:*}
        grep -q "^[^:]*:[0-9]*:[0-9]*: warning: $key: .*\[P041\]$" "$work/s.err" && continue
        grep -qxF -- "$line" "$work/i/$vmid.conf" || echo "$line"
    done >"$work/lost"
    if [ ! -s "$work/lost" ] && grep -q ';' "$work/i/$vmid.conf"; then ok
    else bad "$conf: joined hostpci lines not written back as they were"; cat "$work/lost"; fi
done

# Import with facts: the gpu line carries the first function's id and name;
# the joined functions' ids are the slot's (no `vfio ids`, no P041 about
# them), and the build with the same facts binds and writes them again.
"$PASSC" import joined/gpu-180.conf --vfio joined/gpu-180.vfio.conf --facts "$facts" \
    >"$work/g.pass" 2>"$work/g.err"
same joined/gpu-180.pass "$work/g.pass" "import of joined/gpu-180.conf with facts"
same joined/gpu-180.err "$work/g.err" "import diagnostics of joined/gpu-180.conf"
rm -rf "$work/g"
if "$PASSC" build -q --facts "$facts" "$work/g.pass" -o "$work/g" >"$work/log" 2>&1; then ok
else bad "build of the imported gpu-180"; cat "$work/log"; fi
for k in 0 1; do
    has_line "$work/g/180.conf" "$(grep "^hostpci$k:" joined/gpu-180.conf)" "gpu-180 hostpci$k written back"
done
has_line "$work/g/vfio.conf" "options vfio-pci ids=10de:2783,10de:22bc,1022:15b6,1022:15b7" "gpu-180 binds every joined function"

runner_done
