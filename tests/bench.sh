#!/bin/sh
# make bench: speed and memory of passc, each next to a reference run made
# in the same process on the same input (lspci on the same sysfs tree), so
# the ratios mean something on any machine.  Figures only; no pass/fail.
set -eu
passc=${1:?usage: bench.sh PASSC}
src=$(cd "$(dirname "$0")/.." && pwd)
fix=${PASSC_FIXTURES:-$src/build/fixtures}
ids=$src/tests/ids/pci.ids
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

now() { date +%s%N; }
# best of $1 runs of the rest, in milliseconds (3 decimals)
best_ms() {
    reps=$1; shift
    best=
    i=0
    while [ "$i" -lt "$reps" ]; do
        t0=$(now); "$@" >/dev/null 2>&1 || true; t1=$(now)
        d=$((t1 - t0))
        if [ -z "$best" ] || [ "$d" -lt "$best" ]; then best=$d; fi
        i=$((i + 1))
    done
    awk -v ns="$best" 'BEGIN { printf "%.3f", ns / 1e6 }'
}
# user+system CPU per run over 5 runs, in milliseconds: passc reads its
# own sysfs files in a helper thread beside libpci, so its wall time is
# below its CPU time; both are printed
cpu_ms() {
    /usr/bin/time -f '%U %S' sh -c 'for i in 1 2 3 4 5; do "$@" >/dev/null 2>&1 || :; done' sh "$@" 2>&1 |
        tail -n 1 | awk '{ printf "%.1f", ($1 + $2) * 1000 / 5 }'
}
maxrss_kb() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

echo "== passc lint --no-facts on generated specs (front end + spec rules)"
"$src/tests/genspec.sh" 1000 >"$tmp/1k.pass"
"$src/tests/genspec.sh" 10000 >"$tmp/10k.pass"
ms_1k='' ms_10k=''
for n in 1k 10k; do
    f=$tmp/$n.pass
    bytes=$(wc -c <"$f")
    ms=$(best_ms 3 "$passc" lint --no-facts "$f")
    rss=$(maxrss_kb "$passc" lint --no-facts "$f")
    mbs=$(awk -v b="$bytes" -v ms="$ms" 'BEGIN { printf "%.1f", b / 1048576 / (ms / 1000) }')
    printf '%-4s %9d bytes  %9s ms  %7s MB/s  max RSS %7s KiB  (%.1f x input)\n' \
        "$n" "$bytes" "$ms" "$mbs" "$rss" "$(awk -v r="$rss" -v b="$bytes" 'BEGIN { print r * 1024 / b }')"
    if [ "$n" = 1k ]; then ms_1k=$ms; else ms_10k=$ms; fi
done
echo "time ratio 10k/1k: $(ratio "$ms_10k" "$ms_1k")  (10.00 is linear)"
# build = lint + every artifact written and synced (one syncfs) into -o,
# next to lint's figures on the same input
echo "== passc build --no-facts on the same specs (lint + emit + write)"
for n in 1k 10k; do
    f=$tmp/$n.pass
    bytes=$(wc -c <"$f")
    ms=$(best_ms 3 "$passc" build --no-facts "$f" -o "$tmp/out-$n")
    rss=$(maxrss_kb "$passc" build --no-facts "$f" -o "$tmp/out-$n")
    lms=$(best_ms 3 "$passc" lint --no-facts "$f")
    printf '%-4s build %9s ms (lint %s ms)  max RSS %7s KiB  (%.1f x input; target <= 20)  output %s bytes\n' \
        "$n" "$ms" "$lms" "$rss" "$(awk -v r="$rss" -v b="$bytes" 'BEGIN { print r * 1024 / b }')" \
        "$(cat "$tmp/out-$n"/* | wc -c)"
    rm -rf "$tmp/out-$n"
done
# With facts: the seed snapshot holds none of these domains, so every line
# is a missing device with a "moved there?" hint, the facts rules' worst case.
f1=$(best_ms 3 "$passc" lint --facts "$src/examples/hosts/x870e-creator.yaml" "$tmp/1k.pass")
f10=$(best_ms 3 "$passc" lint --facts "$src/examples/hosts/x870e-creator.yaml" "$tmp/10k.pass")
echo "with facts, every device missing: 1k $f1 ms, 10k $f10 ms, ratio $(ratio "$f10" "$f1")"
if "$passc" lint --no-facts "$tmp/10k.pass" >"$tmp/lint.out" 2>&1; then
    echo "10k spec lints clean"
else
    echo "10k spec did not lint clean:"; head -5 "$tmp/lint.out"
fi

if [ -x "$src/tests/mkhost" ] && command -v lspci >/dev/null; then
    echo "== passc facts on a 4,096-device host root vs lspci -nnk on the same tree"
    "$src/tests/mkhost" --big 4096 "$tmp/big" >/dev/null
    sysfs=$tmp/big/sys/bus/pci
    t_l=$(best_ms 3 lspci -nnk -D -i "$ids" -A linux-sysfs -O "sysfs.path=$sysfs")
    # both to stdout: -o would add an fsync that lspci does not do
    "$passc" facts --root "$tmp/big" --pci-ids "$ids" -o "$tmp/big.yaml"
    t_p=$(best_ms 3 "$passc" facts --root "$tmp/big" --pci-ids "$ids")
    echo "lspci -nnk:          $t_l ms   max RSS $(maxrss_kb lspci -nnk -D -i "$ids" -A linux-sysfs -O "sysfs.path=$sysfs") KiB"
    echo "passc facts --root:  $t_p ms   max RSS $(maxrss_kb "$passc" facts --root "$tmp/big" --pci-ids "$ids") KiB"
    echo "ratio passc/lspci:   $(ratio "$t_p" "$t_l")  (target <= 1.00)"
    c_l=$(cpu_ms lspci -nnk -D -i "$ids" -A linux-sysfs -O "sysfs.path=$sysfs")
    c_p=$(cpu_ms "$passc" facts --root "$tmp/big" --pci-ids "$ids")
    echo "CPU time (user+sys): lspci $c_l ms, passc $c_p ms, ratio $(ratio "$c_p" "$c_l")"
    # the same read without the YAML emitter: a spec with no devices, linted
    printf 'host "b" {\n}\n' >"$tmp/empty.pass"
    t_r=$(best_ms 3 "$passc" lint --root "$tmp/big" --pci-ids "$ids" "$tmp/empty.pass")
    echo "read only (lint --root, no snapshot written): $t_r ms, ratio $(ratio "$t_r" "$t_l")"
    t_r=$(best_ms 3 "$passc" facts --facts "$tmp/big.yaml")
    echo "snapshot read+write ($(wc -c <"$tmp/big.yaml") bytes, to stdout): $t_r ms"

    echo "== passc lint examples/vm102.pass (whole process, seed snapshot) vs lspci -nn on the seed host root"
    if [ -d "$fix/x870e" ]; then
        t_l=$(best_ms 5 lspci -nn -i "$ids" -A linux-sysfs -O "sysfs.path=$fix/x870e/sys/bus/pci")
        t_p=$(best_ms 5 "$passc" lint "$src/examples/vm102.pass")
        echo "lspci -nn: $t_l ms   passc lint: $t_p ms   ratio $(ratio "$t_p" "$t_l")"
    fi
fi

if [ -x "$src/tests/mkhost" ]; then
    echo "== a 16-node cluster spec with 64 GPU mappings (1,024 entries, each checked against its node's facts)"
    mkdir -p "$tmp/cluster"
    "$src/tests/genspec-cluster.sh" 16 64 "$tmp/cluster"
    "$src/tests/mkhost" "$tmp/cluster/node.host" "$tmp/cluster/root" >/dev/null
    "$passc" facts --root "$tmp/cluster/root" --pci-ids "$ids" -o "$tmp/cluster/node.yaml"
    t_l=$(best_ms 3 "$passc" lint "$tmp/cluster/cluster.pass")
    t_b=$(best_ms 3 "$passc" build "$tmp/cluster/cluster.pass" -o "$tmp/cluster/out")
    if "$passc" lint "$tmp/cluster/cluster.pass" >"$tmp/cluster/lint.out" 2>&1; then c="lints clean"
    else c="did not lint clean: $(head -1 "$tmp/cluster/lint.out")"; fi
    echo "lint: $t_l ms   build: $t_b ms   pci.cfg $(wc -c <"$tmp/cluster/out/pci.cfg") bytes   ($c)"
fi
