#!/bin/sh
# bench-facts.sh PASSC [N] [DIR] — time `passc facts` on a generated host
# with N PCI functions (default 4096) against lspci on the same tree, and
# the snapshot read+write (`passc facts --facts`).  Prints one line per
# measurement (best of 3, milliseconds); no pass/fail: for `make bench`.
set -eu
PASSC=${1:?usage: bench-facts.sh PASSC [N] [DIR]}
N=${2:-4096}
DIR=${3:-$(dirname "$0")/../build/bench-host-$N}
SRC=$(cd "$(dirname "$0")/.." && pwd)
[ -d "$DIR/sys/bus/pci" ] || "$SRC/tests/mkhost" --big "$N" "$DIR"
SNAP=$(mktemp)
trap 'rm -f "$SNAP" "$SNAP.out"' EXIT INT TERM

now() { date +%s%N; }
best() {  # best of 3 runs of "$@", in ms
    b=
    for _ in 1 2 3; do
        t0=$(now)
        "$@" >/dev/null 2>&1
        t1=$(now)
        ms=$(( (t1 - t0) / 1000000 ))
        if [ -z "$b" ] || [ "$ms" -lt "$b" ]; then b=$ms; fi
    done
    echo "$b"
}

"$PASSC" facts --root "$DIR" >"$SNAP"
printf 'facts: %s devices, snapshot %s bytes\n' "$N" "$(wc -c <"$SNAP")"
printf 'facts: passc facts --root            %6s ms\n' "$(best "$PASSC" facts --root "$DIR")"
printf 'facts: lspci -nnk -D (same tree)      %6s ms\n' \
    "$(best lspci -nnk -D -A linux-sysfs -O "sysfs.path=$DIR/sys/bus/pci")"
printf 'facts: snapshot read+write (--facts)  %6s ms\n' "$(best "$PASSC" facts --facts "$SNAP" -o "$SNAP.out")"
