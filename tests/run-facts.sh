#!/bin/sh
# run-facts.sh — `passc facts` end to end: every fixture host against its
# golden snapshot and against lspci on the same tree, the snapshot round
# trip, the committed example, bad roots, hostile snapshots, -o, and one
# LIVE test on this machine's own / (labelled below).
# Env: PASSC (binary), PASSC_SRCDIR (repo root), PASSC_FIXTURES (from
# tests/mkhost --all).
. "$(dirname "$0")/runner_lib.sh"
: "${PASSC_FIXTURES:?set PASSC_FIXTURES to the fixture hosts (tests/mkhost --all)}"
IDS="$PASSC_SRCDIR/tests/ids/pci.ids"
GOLD="$PASSC_SRCDIR/tests/golden/facts"

# (address, id, class, group, driver, names) from a snapshot, one line per
# device
from_yaml() {
    awk '
    function flush() { if (addr != "") print addr, id, cls, grp, drv, vn "|" dn; addr = ""; vn = ""; dn = ""; grp = "-"; drv = "-" }
    BEGIN { grp = "-"; drv = "-" }
    /^  iommu-group:/ { grp = $2 }
    /^  driver:/ { drv = val($0) }
    function val(s) { sub(/^[^:]*: "/, "", s); sub(/"$/, "", s); return s }
    /^- address:/ { flush(); addr = val($0) }
    /^  id:/ { id = val($0) }
    /^  class:/ { cls = substr(val($0), 1, 4) }
    /^  vendor-name:/ { vn = val($0) }
    /^  device-name:/ { dn = val($0) }
    END { flush() }' "$1"
}

# the same from lspci -vmm -nn, the reference reader
from_lspci() {
    lspci -D -vmm -nn -k -A linux-sysfs -O "sysfs.path=$1/sys/bus/pci" -i "$IDS" 2>/dev/null | awk '
    function strip(s) { sub(/^[^\t]*\t/, "", s); return s }
    function out() { print addr, vid ":" did, cls, grp, drv, vn "|" dn; addr = ""; grp = "-"; drv = "-" }
    BEGIN { grp = "-"; drv = "-" }
    /^IOMMUGroup:/ { grp = strip($0) }
    /^Driver:/ { drv = strip($0) }
    function code(s) { n = split(s, p, "["); c = p[n]; sub(/\].*/, "", c); return c }
    function name(s) { sub(/ \[[0-9a-f]+\]$/, "", s); return s }
    /^Slot:/ { addr = strip($0) }
    /^Class:/ { cls = code(strip($0)) }
    /^Vendor:/ { v = strip($0); vid = code(v); vn = name(v) }
    /^Device:/ { d = strip($0); did = code(d); dn = name(d) }
    /^$/ { if (addr != "") out() }
    END { if (addr != "") out() }'
}

for host in "$PASSC_SRCDIR"/tests/hosts/*.host; do
    name=${host##*/}
    name=${name%.host}
    dir=$PASSC_FIXTURES/$name
    if [ ! -d "$dir/sys" ]; then bad "$name: no fixture in $dir"; continue; fi
    if expect 0 "$PASSC" facts --root "$dir" --pci-ids "$IDS"; then
        cp "$T/out" "$T/$name.yaml"
        if [ -f "$GOLD/$name.yaml" ] && cmp -s "$T/out" "$GOLD/$name.yaml"; then ok
        else bad "$name: output differs from $GOLD/$name.yaml"; diff -u "$GOLD/$name.yaml" "$T/out" | head -20; fi
        # second run diffs clean
        "$PASSC" facts --root "$dir" --pci-ids "$IDS" >"$T/again" 2>/dev/null
        if cmp -s "$T/out" "$T/again"; then ok; else bad "$name: two runs differ"; fi
        # same devices, ids, classes, groups, drivers and names as lspci
        from_yaml "$T/out" >"$T/ours"
        from_lspci "$dir" | sort >"$T/theirs"
        if [ -s "$T/theirs" ] && cmp -s "$T/ours" "$T/theirs"; then ok
        else bad "$name: differs from lspci"; diff -u "$T/theirs" "$T/ours" | head -20; fi
        # write -> read -> write is byte-identical
        if expect 0 "$PASSC" facts --facts "$T/$name.yaml" && cmp -s "$T/out" "$T/$name.yaml"; then ok
        else bad "$name: snapshot round trip not identical"; fi
    fi
done

# From OWN_THREAD_MIN (facts_sysfs.c: 384) devices on, passc's own reads
# of each device run in a helper thread beside libpci; smaller hosts read
# inline.  A 40-device tree is a prefix of a $THREADED-device one (tests/mkhost
# --big), so each of its device entries must come out the same from the
# threaded scan.
THREADED=600
dev_lines() {  # one line per device entry of a snapshot
    awk '/^- address:/ { if (e != "") print e; e = $0; next }
         /^  / && e != "" { e = e "|" $0; next }
         { if (e != "") print e; e = "" }
         END { if (e != "") print e }' "$1" | sort
}
"$PASSC_SRCDIR/tests/mkhost" --big 40 "$T/small" >/dev/null
"$PASSC_SRCDIR/tests/mkhost" --big "$THREADED" "$T/large" >/dev/null
if expect 0 "$PASSC" facts --root "$T/small" --pci-ids "$IDS" &&
   dev_lines "$T/out" >"$T/small.dev" &&
   expect 0 "$PASSC" facts --root "$T/large" --pci-ids "$IDS"; then
    cp "$T/out" "$T/large.yaml"
    dev_lines "$T/out" >"$T/large.dev"
    if [ "$(wc -l <"$T/small.dev")" -eq 40 ] && [ "$(wc -l <"$T/large.dev")" -eq "$THREADED" ] &&
       grep -q 'consumers: \["0000:01:00.1"\]' "$T/small.dev" &&
       grep -q 'boot-vga: false' "$T/small.dev" &&
       grep -q 'parent: "0000:00:01.0"' "$T/small.dev" &&
       [ -z "$(comm -23 "$T/small.dev" "$T/large.dev")" ]; then ok
    else bad "threaded scan differs from the inline one"; comm -23 "$T/small.dev" "$T/large.dev" | head -5; fi
    from_yaml "$T/large.yaml" >"$T/ours"
    from_lspci "$T/large" | sort >"$T/theirs"
    if [ -s "$T/theirs" ] && cmp -s "$T/ours" "$T/theirs"; then ok
    else bad "big host differs from lspci"; diff -u "$T/theirs" "$T/ours" | head -20; fi
    "$PASSC" facts --root "$T/large" --pci-ids "$IDS" >"$T/again" 2>/dev/null
    if cmp -s "$T/large.yaml" "$T/again"; then ok; else bad "big host: two runs differ"; fi
    if expect 0 "$PASSC" facts --facts "$T/large.yaml" && cmp -s "$T/out" "$T/large.yaml"; then ok
    else bad "big host: snapshot round trip not identical"; fi
    # the threaded scan's bad devices: a FIFO must not hang it, a device
    # libpci cannot read fails it with the file named
    ldev=$(readlink -f "$T/large/sys/bus/pci/devices/0000:05:00.3")
    rm -f "$ldev/reset_method"
    mkfifo "$ldev/reset_method"
    if expect 0 "$PASSC" facts --root "$T/large" --pci-ids "$IDS"; then ok; fi
    rm "$ldev/vendor"
    if expect 3 "$PASSC" facts --root "$T/large" --pci-ids "$IDS" &&
       grep -q '0000:05:00.3/vendor: No such file' "$T/err"; then ok
    else bad "big host: device without vendor"; fi
fi
# libpci gives up on a file name of 1 KiB or more in the middle of the
# scan, once the helper thread runs: exit 3 with its message, the thread
# joined and libpci's state freed (the ASan run's leak check sees it).
# A root of 995 bytes: ROOT/sys/bus/pci/devices still fits libpci's
# buffer, ROOT/sys/bus/pci/devices/0000:00:00.0/vendor does not.
long=$T
while [ "${#long}" -lt 793 ]; do long=$long/$(printf '%0199d' 0); done
long=$long/$(printf "%0$((993 - ${#long} - 1))d" 0)
for n in "$THREADED" 10; do
    mkdir -p "$long"
    "$PASSC_SRCDIR/tests/mkhost" --big "$n" "$long/h" >/dev/null
    if expect 3 "$PASSC" facts --root "$long/h" --pci-ids "$IDS" &&
       grep -q 'libpci: File name too long' "$T/err"; then ok
    else bad "$n devices under a long root: want libpci's error"; fi
    rm -rf "$long"
done
# a device removed during a threaded scan
"$PASSC_SRCDIR/tests/mkhost" --big "$THREADED" "$T/mid" >/dev/null
ln -s ../../../devices/pci0000:00/0000:00:1f.7 "$T/mid/sys/bus/pci/devices/0000:00:1f.7"
if expect 0 "$PASSC" facts --root "$T/mid" --pci-ids "$IDS" &&
   grep -q '0000:00:1f.7: removed during the scan' "$T/err" &&
   [ "$(grep -c '^- address:' "$T/out")" -eq "$THREADED" ]; then ok
else bad "device removed during a threaded scan"; fi
rm "$T/mid/sys/bus/pci/devices/0000:00:1f.7"
# the same for a pci.ids libpci cannot parse; its message stays on one line
printf '8086  Intel Corporation\n\tzzzz not an id\n' >"$T/bad.ids"
for root in "$T/mid" "$PASSC_FIXTURES/x870e"; do
    if expect 3 "$PASSC" facts --root "$root" --pci-ids "$T/bad.ids" &&
       grep -q 'libpci: Parse error at .*bad.ids, line 2 \[F003\]$' "$T/err"; then ok
    else bad "${root##*/}: unparsable pci.ids: want libpci's error on one line"; fi
done

# the committed example is the x870e fixture's snapshot under a comment block
EX="$PASSC_SRCDIR/examples/hosts/x870e-creator.yaml"
if [ -f "$T/x870e.yaml" ] && grep -v '^#' "$EX" | cmp -s - "$T/x870e.yaml"; then ok
else bad "examples/hosts/x870e-creator.yaml is not the x870e fixture's snapshot"; fi
if expect 0 "$PASSC" facts --facts "$EX" && cmp -s "$T/out" "$T/x870e.yaml"; then ok
else bad "example with its comment header does not read back"; fi

# -o writes atomically: the file appears whole, no temp file is left
mkdir "$T/o"
if expect 0 "$PASSC" facts --root "$PASSC_FIXTURES/x870e" --pci-ids "$IDS" -o "$T/o/h.yaml" &&
   cmp -s "$T/o/h.yaml" "$T/x870e.yaml" && [ "$(find "$T/o" -type f | wc -l)" -eq 1 ]; then ok
else bad "-o did not write exactly one complete file"; fi
if expect 2 "$PASSC" facts --root "$PASSC_FIXTURES/x870e" -o "$T/nodir/h.yaml"; then ok; fi
if [ -w /dev/full ]; then
    if "$PASSC" facts --root "$PASSC_FIXTURES/x870e" >/dev/full 2>"$T/err"; then bad "write to a full disk succeeded"
    elif [ $? -eq 2 ]; then ok; else bad "write to a full disk: wrong exit code"; fi
else
    bad "/dev/full is not writable here: the full-disk case cannot run"
fi
if expect 2 "$PASSC" facts --bogus; then ok; fi
if expect 2 "$PASSC" facts --root; then ok; fi
if expect 2 "$PASSC" facts --root "$T" --facts "$EX"; then ok; fi

# bad roots: a clear error and exit 3, never a crash
mkdir -p "$T/empty"
if expect 3 "$PASSC" facts --root "$T/empty" && grep -q 'cannot read PCI facts' "$T/err"; then ok
else bad "missing sys/bus/pci"; fi
if expect 3 "$PASSC" facts --root "$T/does-not-exist"; then ok; fi
if expect 3 "$PASSC" facts --root "$PASSC_FIXTURES/x870e" --pci-ids "$T/none.ids"; then ok; fi
cp -R "$PASSC_FIXTURES/iommu-off" "$T/r1"
ln -s loop "$T/r1/sys/bus/pci/devices/loop"
if expect 3 "$PASSC" facts --root "$T/r1" && grep -q 'not a PCI device entry' "$T/err"; then ok
else bad "junk entry in devices/"; fi
rm "$T/r1/sys/bus/pci/devices/loop"
ln -s 0000:09:00.0 "$T/r1/sys/bus/pci/devices/0000:09:00.0"
if expect 3 "$PASSC" facts --root "$T/r1" && grep -q '0000:09:00.0: Too many levels' "$T/err"; then ok
else bad "symlink loop as a device"; fi
rm "$T/r1/sys/bus/pci/devices/0000:09:00.0"
# an entry that leads nowhere: a device unplugged during the scan is left
# out with a warning; the others are read
ln -s ../../../devices/pci0000:00/0000:00:1f.7 "$T/r1/sys/bus/pci/devices/0000:00:1f.7"
if expect 0 "$PASSC" facts --root "$T/r1" &&
   grep -q 'warning: 0000:00:1f.7: removed during the scan; left out \[F002\]' "$T/err" &&
   ! grep -q '0000:00:1f.7' "$T/out" && grep -q '^- address: "0000:03:00.0"' "$T/out"; then ok
else bad "device removed during the scan"; fi
rm "$T/r1/sys/bus/pci/devices/0000:00:1f.7"
dev=$(readlink -f "$T/r1/sys/bus/pci/devices/0000:03:00.0")
rm "$dev/vendor"
if expect 3 "$PASSC" facts --root "$T/r1" && grep -q '0000:03:00.0/vendor' "$T/err"; then ok
else bad "device without vendor"; fi
mkdir "$dev/vendor"
if expect 3 "$PASSC" facts --root "$T/r1" && grep -q 'vendor: not a regular file' "$T/err"; then ok
else bad "vendor as a directory"; fi
rmdir "$dev/vendor"
mkfifo "$dev/vendor"
if expect 3 "$PASSC" facts --root "$T/r1" && grep -q 'vendor: not a regular file' "$T/err"; then ok
else bad "vendor as a FIFO"; fi
rm "$dev/vendor"
echo 0x8086 >"$dev/vendor"
# a loop in a USB tree and a FIFO for a sysfs file must not hang the scan
ln -s .. "$dev/usb9"
rm -f "$dev/reset_method"
mkfifo "$dev/reset_method"
if expect 0 "$PASSC" facts --root "$T/r1"; then ok; fi
rm "$dev/usb9" "$dev/reset_method"
# no revision/subsystem file and no config space: those facts are left out
# (libpci would report 0xff as known), with a warning
rm -f "$dev/revision" "$dev/config" "$dev/subsystem_vendor"
if expect 0 "$PASSC" facts --root "$T/r1" && grep -q 'warning: .*config' "$T/err" &&
   awk '/^- address: "0000:03:00.0"/ { on = 1; next } /^- / { on = 0 } on' "$T/out" >"$T/dev" &&
   grep -q '^  id: "8086:125c"' "$T/dev" && ! grep -q -e '^  revision:' -e '^  subsystem:' "$T/dev"; then ok
else bad "unreadable revision/subsystem presented as facts"; fi

# hostile snapshots: exit 3 with file:line:col and F001
n=0
hostile() {
    n=$((n + 1))
    printf '%s' "$2" >"$T/h$n.yaml"
    if expect 3 "$PASSC" facts --facts "$T/h$n.yaml" && grep -q "h$n.yaml:$1: error: .*\[F001\]" "$T/err"; then ok
    else bad "hostile snapshot $n: want error at $1"; sed 's/^/  | /' "$T/err" | head -3; fi
}
hostile 1:14 'passc-facts: 3
host: {iommu: true}
devices: []
'
hostile 2:15 'passc-facts: 1
host: {iommu: 1}
devices: []
'
hostile 3:10 'passc-facts: 1
host: &h {iommu: true}
devices: *h
'
hostile 4:10 'passc-facts: 1
host: {iommu: true}
devices:
  - {id: {a: b}, address: "0000:02:00.0", class: "030000"}
'
hostile 4:5 'passc-facts: 1
host: {iommu: true}
devices:
  - address: "0000:02:00.0"
'
hostile 3:8 'passc-facts: 1
host: {iommu: true
devices: []
'
hostile 2:22 "passc-facts: 1
host: $(printf '%0200d' 0 | tr 0 '[')"
hostile 1:1 ''
hostile 1:1 'just a string'
hostile 4:15 'passc-facts: 1
host: {iommu: true}
devices:
  - {address: "0000:1g:00.0", id: "10de:2783", class: "030000"}
'
hostile 5:15 'passc-facts: 1
host: {iommu: true}
devices:
  - {address: "0000:02:00.0", id: "10de:2783", class: "030000"}
  - {address: "02:00.0", id: "10de:2783", class: "030000"}
'
hostile 2:21 'passc-facts: 1
host: {iommu: true, iommu: false}
devices: []
'
# a 100 MB scalar is refused before parsing
python3 -c 'import sys; sys.stdout.write("passc-facts: 1\nhost: {iommu: true, hostname: \"" + "x" * 100000000 + "\"}\ndevices: []\n")' >"$T/huge.yaml"
if expect 3 "$PASSC" facts --facts "$T/huge.yaml" && grep -q 'larger than 64 MiB' "$T/err"; then ok
else bad "100 MB snapshot"; fi
rm -f "$T/huge.yaml"
if expect 3 "$PASSC" facts --facts "$T/none.yaml"; then ok; fi

# LIVE: this machine's own /.  It must find the controller of the disk that
# holds / (on the test VM: /dev/vda, virtio-blk on PCI).
if expect 0 "$PASSC" facts; then
    if grep -q 'root-disk' "$T/out"; then ok
    else bad "live: no device marked root-disk"; fi
fi

runner_done
