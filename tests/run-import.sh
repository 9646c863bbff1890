#!/bin/sh
# run-import.sh — `passc import` over the realistic configs in tests/import/:
# golden spec (stdout) and golden diagnostics (stderr) per config, hostile
# input generated here, and the round trip: import, build, same hostpci
# meaning; fmt(import) == import.
. "$(dirname "$0")/runner_lib.sh"
cd "$S" || exit 1
tmp=$T

# import CONF -> $tmp/out.pass, $tmp/out.err, $rc
run_import() {
    conf=$1
    vfio=${conf%.conf}.vfio.conf
    map=${conf%.conf}.pci.cfg
    if [ -f "$map" ]; then
        "$PASSC" import "$conf" --mapping "$map" >"$tmp/out.pass" 2>"$tmp/out.err"
    elif [ -f "$vfio" ]; then
        "$PASSC" import "$conf" --vfio "$vfio" >"$tmp/out.pass" 2>"$tmp/out.err"
    else
        "$PASSC" import "$conf" >"$tmp/out.pass" 2>"$tmp/out.err"
    fi
    rc=$?
}

# hostpci lines of a VM config as "N host key=value…" with the meaning
# only: domain 0000 dropped, booleans as 1/0, defaults (pcie=0, x-vga=0,
# rombar=1, legacy-igd=0, driver=vfio) left out, keys sorted.
hostpci_meaning() {
    # the main section only: snapshots and [PENDING] follow it
    sed -n '/^\[/q; s/^hostpci\([0-9]*\):[[:space:]]*\(.*\)$/\1 \2/p' "$1" | tr -d '\r' |
    awk '{
        n = $1; split($2, parts, ","); host = ""; kv = "";
        m = 0
        for (i in parts) {
            p = parts[i]; if (p == "") continue
            if (index(p, "=") == 0) { k = "host"; v = p }
            else { k = substr(p, 1, index(p, "=") - 1); v = substr(p, index(p, "=") + 1) }
            lv = tolower(v)
            if (k == "pcie" || k == "x-vga" || k == "rombar" || k == "legacy-igd") {
                if (lv == "on" || lv == "yes" || lv == "true") v = 1
                if (lv == "off" || lv == "no" || lv == "false") v = 0
            }
            if (k == "vendor-id" || k == "device-id" || k == "sub-vendor-id" || k == "sub-device-id") v = tolower(v)
            if (k == "host") { sub(/^0000:/, "", v); host = v; continue }
            if ((k == "pcie" || k == "x-vga" || k == "legacy-igd") && v == 0) continue
            if (k == "rombar" && v == 1) continue
            if (k == "driver" && v == "vfio") continue
            keys[++m] = k "=" v
        }
        # insertion sort of the options
        for (i = 2; i <= m; i++) { x = keys[i]; j = i - 1
            while (j > 0 && keys[j] > x) { keys[j + 1] = keys[j]; j-- }
            keys[j + 1] = x }
        line = n " " host
        for (i = 1; i <= m; i++) line = line " " keys[i]
        last[n] = line    # Proxmox keeps the last line of a key
        delete keys
    }
    END { for (n in last) print last[n] }' | sort -n
}

# Slots the import reports as not importable (P041/P040 on a hostpci line).
skipped_slots() {
    grep -v 'is set again on line' "$tmp/out.err" |
    sed -n 's/^[^:]*:\([0-9]*\):[0-9]*: warning: .*\[P04[014]\]$/\1/p' |
    while read -r line; do
        sed -n "${line}s/^hostpci\([0-9]*\):.*/\1/p" "$conf"
    done | sort -u
}

for conf in tests/import/*.conf; do
    case $conf in *.vfio.conf) continue ;; esac
    name=${conf%.conf}
    run_import "$conf"
    if [ "$rc" -ne 0 ]; then bad "$conf: exit $rc"; cat "$tmp/out.err"; continue; fi
    if cmp -s "$tmp/out.pass" "$name.pass"; then ok; else
        bad "$conf: spec differs from $name.pass"; diff -u "$name.pass" "$tmp/out.pass" | head -20; fi
    if cmp -s "$tmp/out.err" "$name.err"; then ok; else
        bad "$conf: diagnostics differ from $name.err"; diff -u "$name.err" "$tmp/out.err" | head -20; fi
    # fmt(import) == import, and the spec resolves without errors
    if "$PASSC" fmt "$tmp/out.pass" >"$tmp/fmt.pass" 2>"$tmp/fmt.err" &&
       cmp -s "$tmp/fmt.pass" "$tmp/out.pass"; then ok; else
        bad "$conf: fmt(import) != import"; diff -u "$tmp/out.pass" "$tmp/fmt.pass" | head -20; cat "$tmp/fmt.err"; fi
    if "$PASSC" lint --no-facts "$tmp/out.pass" >"$tmp/lint.out" 2>&1; then ok; else
        bad "$conf: the imported spec does not lint clean of errors"; cat "$tmp/lint.out"; fi
    # build, then the same hostpci meaning (minus the slots import skipped)
    vmid=$(sed -n 's/^vm \([0-9]*\).*/\1/p' "$tmp/out.pass")
    rm -rf "$tmp/build"
    if "$PASSC" build "$tmp/out.pass" --no-facts -o "$tmp/build" >"$tmp/build.log" 2>&1; then
        hostpci_meaning "$conf" >"$tmp/want.all"
        skipped_slots >"$tmp/skipped"
        awk -v skip="$tmp/skipped" 'BEGIN { while ((getline l < skip) > 0) s[l] = 1 }
            !($1 in s)' "$tmp/want.all" >"$tmp/want"
        hostpci_meaning "$tmp/build/$vmid.conf" >"$tmp/got"
        if cmp -s "$tmp/want" "$tmp/got"; then ok; else
            bad "$conf: round trip changes hostpci meaning"; diff -u "$tmp/want" "$tmp/got"; fi
        # mapped slots: every pci.cfg section the build writes is the
        # cluster's own, byte for byte
        if [ -f "${conf%.conf}.pci.cfg" ]; then
            if [ -s "$tmp/build/pci.cfg" ] && awk -v RS= 'NR == FNR { have[$0] = 1; next }
                    !($0 in have) { exit 1 }' "${conf%.conf}.pci.cfg" "$tmp/build/pci.cfg"; then ok
            else bad "$conf: pci.cfg of the build differs from the cluster's"; cat "$tmp/build/pci.cfg"; fi
        fi
    else
        bad "$conf: passc build of the imported spec failed"; cat "$tmp/build.log"
    fi
done

# passc fmt: a messy hand-written spec gives the canonical text; the
# canonical text is a fixed point; --check tells the two apart.
for in in tests/import/fmt/*.in.pass; do
    want=${in%.in.pass}.out.pass
    if "$PASSC" fmt "$in" >"$tmp/f1" 2>"$tmp/f.err" && cmp -s "$tmp/f1" "$want"; then ok; else
        bad "fmt $in differs from $want"; diff -u "$want" "$tmp/f1" | head -30; cat "$tmp/f.err"; fi
    if "$PASSC" fmt "$want" >"$tmp/f2" 2>/dev/null && cmp -s "$tmp/f2" "$want"; then ok; else
        bad "fmt is not stable on $want"; diff -u "$want" "$tmp/f2" | head -20; fi
    if "$PASSC" fmt --check "$want" 2>/dev/null && ! "$PASSC" fmt --check "$in" 2>/dev/null; then ok; else
        bad "fmt --check does not tell $in from $want"; fi
done

# kmod agrees with what import says about the traps file: the indented
# comment is rejected, and the ids= value really has a space in it.
# kmod is a build dependency; a normal user's PATH may lack the sbin dirs.
modprobe=$(PATH=$PATH:/usr/sbin:/sbin command -v modprobe)
if [ -n "$modprobe" ]; then
    mkdir "$tmp/mp.d"
    cp tests/import/traps-136.vfio.conf "$tmp/mp.d/vfio.conf"
    "$modprobe" -C "$tmp/mp.d" -c >"$tmp/mp.out" 2>"$tmp/mp.err"
    if grep -q "vfio.conf line 3: ignoring bad line starting with '#'" "$tmp/mp.err" &&
       grep -q '^options vfio_pci ids=10de:1b80, 10de:10f0' "$tmp/mp.out"; then ok; else
        bad "kmod does not read traps-136.vfio.conf as import says"; cat "$tmp/mp.err"; fi
else
    bad "modprobe (kmod) is not installed: cannot check traps-136.vfio.conf against it"
fi

# The seed with its facts gives the same model as examples/vm102.pass:
# devices (kind, address, id) in order, tunnels, and — through build —
# the same ids= and hostpci meaning.
ex=examples/vm102.pass facts=examples/hosts/x870e-creator.yaml
devices() {  # kind, address, id, and the options that shape slots
    awk '{ sub(/#.*/, "") }
        $1 ~ /^(gpu|audio|usb|usb4|nvme|nic|pci|tunnels|slot|primary|all-functions)$/ {
            out = $1
            for (i = 2; i <= NF && $i !~ /^["{]/; i++) out = out " " $i
            gsub(/0000:/, "", out); print out }' "$1"
}
seed_import() {  # FACTS-OPTION ARG
    "$PASSC" import tests/import/seed-102.conf --vfio tests/import/seed-102.vfio.conf \
        "$1" "$2" -o "$tmp/seed.pass" 2>"$tmp/seed.err"
}
if seed_import --facts "$facts"; then
    devices "$ex" >"$tmp/d.want"; devices "$tmp/seed.pass" >"$tmp/d.got"
    if [ -s "$tmp/d.want" ] && cmp -s "$tmp/d.want" "$tmp/d.got"; then ok; else
        bad "seed import (--facts): devices differ from $ex"; diff -u "$tmp/d.want" "$tmp/d.got"; fi
    rm -rf "$tmp/b1" "$tmp/b2"
    if "$PASSC" build "$ex" --facts "$facts" -o "$tmp/b1" >/dev/null 2>&1 &&
       "$PASSC" build "$tmp/seed.pass" --facts "$facts" -o "$tmp/b2" >"$tmp/b2.log" 2>&1; then
        hostpci_meaning "$tmp/b1/102.conf" >"$tmp/m1"; hostpci_meaning "$tmp/b2/102.conf" >"$tmp/m2"
        # vfio.conf without its comments (they quote names and file names)
        grep -v '^#' "$tmp/b1/vfio.conf" >"$tmp/v1"; grep -v '^#' "$tmp/b2/vfio.conf" >"$tmp/v2"
        if [ -s "$tmp/m1" ] && cmp -s "$tmp/m1" "$tmp/m2" && cmp -s "$tmp/v1" "$tmp/v2"; then ok; else
            bad "seed import: build differs from $ex"; diff -u "$tmp/m1" "$tmp/m2"
            diff -u "$tmp/v1" "$tmp/v2"; fi
    else
        bad "seed import: build failed"; cat "$tmp/b2.log"
    fi
else
    bad "seed import --facts $facts failed"; cat "$tmp/seed.err"
fi
# The same from a fake sysfs tree of the seed host (facts helper's fixture).
fixture=${PASSC_FIXTURES:-$PASSC_SRCDIR/build/fixtures}/x870e
if seed_import --root "$fixture"; then
    devices "$ex" >"$tmp/d.want"; devices "$tmp/seed.pass" >"$tmp/d.got"
    if [ -s "$tmp/d.want" ] && cmp -s "$tmp/d.want" "$tmp/d.got"; then ok; else
        bad "seed import (--root): devices differ from $ex"; diff -u "$tmp/d.want" "$tmp/d.got"; fi
else
    bad "seed import --root $fixture failed"; cat "$tmp/seed.err"
fi

# The meaning comparison itself must be able to tell a difference.
printf 'hostpci0: 77:00.0,pcie=1\nhostpci1: 0000:02:00,x-vga=on,pcie=on,rombar=1\n[snap1]\nhostpci5: 09:00.0\n' >"$tmp/a.conf"
printf 'hostpci1: 02:00,pcie=1,x-vga=1\nhostpci0: 01:00.0\nhostpci0: 0000:77:00.0,pcie=1,x-vga=0\n' >"$tmp/b.conf"
printf 'hostpci0: 77:00.0,pcie=1\nhostpci1: 0000:02:00.0,x-vga=1,pcie=1\n' >"$tmp/c.conf"
hostpci_meaning "$tmp/a.conf" >"$tmp/ma"; hostpci_meaning "$tmp/b.conf" >"$tmp/mb"
hostpci_meaning "$tmp/c.conf" >"$tmp/mc"
if cmp -s "$tmp/ma" "$tmp/mb" && ! cmp -s "$tmp/ma" "$tmp/mc"; then ok; else
    bad "hostpci_meaning does not compare meanings"; fi

# Hostile input: clear message, no crash (exit 1 or 2, never >= 128).
hostile() {
    what=$1; shift
    "$PASSC" import "$@" >"$tmp/h.out" 2>"$tmp/h.err"
    hrc=$?
    if [ "$hrc" -ge 128 ] || [ "$hrc" -gt 3 ]; then
        bad "hostile $what: exit $hrc"; head -c 600 "$tmp/h.err"; return; fi
    if [ ! -s "$tmp/h.err" ] && [ "$hrc" -ne 0 ]; then
        bad "hostile $what: failed without a message"; return; fi
    ok
}
head -c 65536 /dev/urandom >"$tmp/bin-200.conf"
printf 'cores: 2\n\000\001\002' >>"$tmp/bin-200.conf"
hostile binary "$tmp/bin-200.conf"
check "binary input: no 'binary data' message" grep -q 'binary data' "$tmp/h.err"
awk 'BEGIN { printf "hostpci0: "; for (i = 0; i < 1048576; i++) printf "0000000000"; printf "\ncores: 2\n" }' >"$tmp/long-201.conf"
hostile "10 MB line" "$tmp/long-201.conf"
check "10 MB line: diagnostics not bounded" [ "$(wc -c <"$tmp/h.err")" -lt 20000 ]
awk 'BEGIN { print "cores: 2"; print "hostpci0: 01:00.0"; for (i = 0; i < 10000; i++) { printf "[snap%d]\ncores: 2\nhostpci0: 01:00.0\nsnaptime: %d\n\n", i, i } }' >"$tmp/snaps-202.conf"
hostile "10000 snapshots" "$tmp/snaps-202.conf"
check "10000 snapshots: not reported" grep -q '10000 snapshot sections are not imported' "$tmp/h.out"
awk 'BEGIN { for (i = 0; i < 100000; i++) print "junk line " i }' >"$tmp/junk-203.conf"
hostile "100000 junk lines" "$tmp/junk-203.conf"
check "junk: no summary" grep -q 'more lines that Proxmox drops are not listed' "$tmp/h.err"
hostile "missing file" "$tmp/does-not-exist-204.conf"
hostile "no vmid" "$tmp/bin-200.conf.txt"
printf 'options vfio-pci ids=\\\n' >"$tmp/v.conf"
hostile "dangling continuation" tests/import/seed-102.conf --vfio "$tmp/v.conf"

# -o writes the same text, atomically (no temp file left behind)
"$PASSC" import tests/import/seed-102.conf --vfio tests/import/seed-102.vfio.conf -o "$tmp/o.pass" 2>/dev/null
left=$(find "$tmp" -maxdepth 1 -name 'o.pass.tmp*' | wc -l)
if cmp -s "$tmp/o.pass" tests/import/seed-102.pass && [ "$left" -eq 0 ]; then ok; else
    bad "-o output differs or left a temp file"; fi

# the command line: each refusal with its exit code and one clear line
# cli RC WHAT ARGS...: import exits RC, and stderr has WHAT (if not empty)
cli() {
    want=$1 what=$2; shift 2
    "$PASSC" import "$@" >"$tmp/c.out" 2>"$tmp/c.err"
    crc=$?
    if [ "$crc" -eq "$want" ] && { [ -z "$what" ] || grep -qF -- "$what" "$tmp/c.err"; }; then ok
    else bad "import $*: exit $crc (want $want), no '$what'"; head -3 "$tmp/c.err"; fi
}
cp tests/import/seed-102.conf "$tmp/vm.conf"
cli 2 "give --vmid N for $tmp/vm.conf" "$tmp/vm.conf"
cli 0 "" "$tmp/vm.conf" --vmid 105
check "--vmid names the VM" grep -q '^vm 105 "win-server-2025" {' "$tmp/c.out"
cli 2 "a VMID is 100..999999999, not 99" "$tmp/vm.conf" --vmid 99
cli 2 "a VMID is 100..999999999, not 12x" "$tmp/vm.conf" --vmid 12x
cli 2 "missing argument for --vmid" "$tmp/vm.conf" --vmid
cli 2 "which VM config?"
cli 2 "only one VM config at a time" "$tmp/vm.conf" "$tmp/vm.conf"
cli 2 "give only one of --facts, --root, --no-facts" "$tmp/vm.conf" --vmid 102 --facts x.yaml --no-facts
cli 3 "facts could not be read from $tmp/none.yaml" tests/import/seed-102.conf --facts "$tmp/none.yaml"
cli 2 "cannot open $tmp/none.conf" tests/import/seed-102.conf --vfio "$tmp/none.conf"
check "a missing --vfio file is named once" [ "$(grep -o "$tmp/none.conf" "$tmp/c.err" | wc -l)" -eq 1 ]
cli 2 "cannot write $tmp/nodir/x.pass" tests/import/seed-102.conf -o "$tmp/nodir/x.pass"

# A cluster config: the node it lives on comes from its path (pmxcfs shows
# every node's configs under /etc/pve/nodes/NODE/qemu-server, and
# /etc/pve/qemu-server links to the local one); every other node the
# mappings name gets a host block after it.
mkdir -p "$tmp/pve/nodes/pve2/qemu-server"
cp tests/import/mapping-sriov-150.conf "$tmp/pve/nodes/pve2/qemu-server/150.conf"
ln -s nodes/pve2/qemu-server "$tmp/pve/qemu-server"
"$PASSC" import "$tmp/pve/qemu-server/150.conf" --mapping tests/import/mapping-sriov-150.pci.cfg \
    >"$tmp/node.pass" 2>/dev/null
check "import: the config's node is the first host block, the other node after it" [ "$(sed -n 's/^host "\(.*\)" {$/\1/p' "$tmp/node.pass" | tr '\n' ' ')" = "pve2 pve1 " ]
if ! grep -q 'is not known' "$tmp/node.pass"; then ok
else bad "import: no guess noted when the path names the node"; fi
"$PASSC" lint --no-facts "$tmp/node.pass" >"$tmp/node.lint" 2>&1
if ! grep -q 'P07[12]' "$tmp/node.lint"; then ok
else bad "import: the imported cluster spec lints without P071/P072"; cat "$tmp/node.lint"; fi

# Regression (make fuzz): a [PENDING] `delete:` value with control bytes
# went raw into a comment of the imported spec, which then did not parse.
"$PASSC" import tests/fuzz/corpus/import/pending-delete-control-bytes.conf --vmid 102 \
    >"$tmp/ctl.pass" 2>/dev/null
check "import: control bytes of a pending value never reach a comment" \
    "$PASSC" lint --no-facts "$tmp/ctl.pass"
"$PASSC" import tests/fuzz/corpus/import/pending-delete-invalid-utf8.conf --vmid 102 \
    >"$tmp/utf.pass" 2>/dev/null
check "import: invalid UTF-8 of a pending value never reaches a comment" \
    "$PASSC" lint --no-facts "$tmp/utf.pass"

runner_done
