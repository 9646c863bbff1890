#!/bin/sh
# run-init.sh — `passc init`: on the bundled seed snapshot it writes a spec
# that builds what examples/vm102.pass builds (modulo names and comments);
# on the fixture hosts: a card's functions, a router's tunnels, the bind
# mode P026 allows, the VM's current config under --root, the snapshot
# beside the spec, lint's verdict, and the refusals.
# Env: PASSC, PASSC_SRCDIR, PASSC_FIXTURES.
. "$(dirname "$0")/runner_lib.sh"
: "${PASSC_FIXTURES:?set PASSC_FIXTURES to the fixture hosts (tests/mkhost --all)}"
SNAP="$S/examples/hosts/x870e-creator.yaml"

# build output without what names and comments may change: the spec's
# file name, device names, the guest-driver reminder (a spec annotation)
normal() {
    sed -e 's/ VM 102  \([a-z0-9]*\) (.*)/ VM 102  \1/' \
        -e 's/\(gpu\|audio\|usb4\|usb\|nic\|nvme\|pci\) "[^"]*" (/\1 (/' \
        -e '/Write-Host.*install the guest driver/d' \
        -e "s/'install the guest driver: [^']*'/''/" "$1"
}

# --- the seed: six devices from three names, the same build as vm102.pass
mkdir "$T/seed"
if expect 0 "$PASSC" init --vm 102 02:00.0 77:00.0 78:00.0 --facts "$SNAP" \
       --vm-conf "$S/tests/import/seed-102.conf" -o "$T/seed/vm102.pass"; then ok; fi
expect 0 "$PASSC" build "$S/examples/vm102.pass" -o "$T/seed/a"
expect 0 "$PASSC" build "$T/seed/vm102.pass" -o "$T/seed/b"
same=1
for f in "$T/seed/a"/* "$T/seed/b"/*; do
    n=$(basename "$f")
    if [ ! -f "$T/seed/a/$n" ] || [ ! -f "$T/seed/b/$n" ]; then
        same=0; echo "  $n: only in one build"; continue
    fi
    normal "$T/seed/a/$n" >"$T/seed/na"
    normal "$T/seed/b/$n" >"$T/seed/nb"
    if ! cmp -s "$T/seed/na" "$T/seed/nb"; then
        same=0; echo "  $n differs:"; diff "$T/seed/na" "$T/seed/nb" | head -6
    fi
done
if [ "$same" = 1 ] && cmp -s "$T/seed/a/102.conf" "$T/seed/b/102.conf"; then ok
else bad "init on the seed snapshot builds differently from examples/vm102.pass"; fi
spec="$T/seed/vm102.pass"
if grep -q '^    iommu    required$' "$spec" && grep -q '^    bind     ids$' "$spec" &&
   grep -q '^    snapshot zfs "rpool/ROOT/pve-1"$' "$spec" &&
   grep -q "^    facts    \"vm102.facts.yaml\"$" "$spec" && [ -f "$T/seed/vm102.facts.yaml" ] &&
   grep -q '^        tunnels 79:00.3 79:00.4$' "$spec" &&
   grep -q '^        audio 02:00.1 10de:22bc ' "$spec" &&
   grep -q '^# 79:00.3 added: the USB4 router 78:00.0 tunnels USB 3 through it$' "$spec"; then ok
else bad "seed spec: host block, tunnels or nesting"; cat "$spec"; fi
# the result is canonical: fmt leaves it as it is
if "$PASSC" fmt --check "$spec" 2>/dev/null; then ok; else bad "init output is not canonical"; fi

# --- a fixture root: no VM config, so a fresh q35/OVMF VM; the snapshot
# is written beside the spec and the spec names it
mkdir "$T/plain"
if expect 0 "$PASSC" init --vm 110 01:00.0 --root "$PASSC_FIXTURES/plain" -o "$T/plain/gpu.pass" &&
   grep -q '^    facts  *"gpu.facts.yaml"$' "$T/plain/gpu.pass" &&
   grep -q '^    machine q35$' "$T/plain/gpu.pass" && grep -q '^    bios  *ovmf$' "$T/plain/gpu.pass" &&
   grep -q '^        primary$' "$T/plain/gpu.pass" && grep -q '^        audio 01:00.1 10de:10f0' "$T/plain/gpu.pass" &&
   ! grep -q snapshot "$T/plain/gpu.pass"; then ok
else bad "init on the plain root"; cat "$T/plain/gpu.pass"; fi
"$PASSC" facts --root "$PASSC_FIXTURES/plain" >"$T/plain/want.yaml" 2>/dev/null
if cmp -s "$T/plain/gpu.facts.yaml" "$T/plain/want.yaml"; then ok
else bad "snapshot beside the spec differs from passc facts"; fi
# never overwrites
if expect 2 "$PASSC" init --vm 110 01:00.0 --root "$PASSC_FIXTURES/plain" -o "$T/plain/gpu.pass" &&
   grep -q 'exists: init never overwrites' "$T/err"; then ok; fi
# bb:dd: every function of the card
if expect 0 "$PASSC" init --vm 110 01:00 --facts "$T/plain/gpu.facts.yaml" &&
   grep -q '^        audio 01:00.1' "$T/out"; then ok; fi

# --- two xHCIs with one id: bind ids would take the other one too (P026)
if expect 0 "$PASSC" init --vm 120 03:00.0 --root "$PASSC_FIXTURES/twin-xhci" -o "$T/twin.pass" &&
   grep -q '^    bind  *start$' "$T/twin.pass" && grep -q '04:00.0 has the id of a passed device' "$T/twin.pass"; then ok
else bad "twin xHCI: bind start"; fi

# --- a USB4 router whose group holds the management NIC: written, with
# its tunnels, and lint says why it is not clean (exit 1)
if expect 1 "$PASSC" init --vm 130 00:0d.2 --root "$PASSC_FIXTURES/thunderbolt" -o "$T/tb.pass" &&
   grep -q 'does not lint clean on this host' "$T/err" && grep -q 'P024' "$T/err" &&
   grep -q '^        tunnels 00:0d.0$' "$T/tb.pass"; then ok
else bad "thunderbolt: tunnels or the lint verdict"; fi
# no IOMMU: the card's functions still go together; lint says why not
if expect 1 "$PASSC" init --vm 140 01:00.0 --root "$PASSC_FIXTURES/iommu-off" -o "$T/off.pass" &&
   grep -q '^        audio 01:00.1' "$T/off.pass"; then ok; fi

# --- the VM's current config under --root: its settings are kept, its
# other hostpci lines reported
cp -a "$PASSC_FIXTURES/x870e" "$T/root"
mkdir -p "$T/root/etc/pve/qemu-server"
cp "$S/tests/import/seed-102.conf" "$T/root/etc/pve/qemu-server/102.conf"
if expect 0 "$PASSC" init --vm 102 02:00.0 --root "$T/root" -o "$T/one.pass" &&
   grep -q '^    cores   24$' "$T/one.pass" && grep -q '^vm 102 "win-server-2025" {$' "$T/one.pass" &&
   grep -q 'also has hostpci2: 77:00.0,pcie=1, not in the spec' "$T/err" &&
   ! grep -q 'also has hostpci0' "$T/err" && ! grep -q '^    usb' "$T/one.pass"; then ok
else bad "init with the VM's config under --root"; cat "$T/err"; fi

# --- refusals: exit 2 and a reason
expect 2 "$PASSC" init 02:00.0 --facts "$SNAP" -o "$T/nothing.pass" && grep -q 'which VM' "$T/err" && ok
expect 2 "$PASSC" init --vm 102 --facts "$SNAP" -o "$T/nothing.pass" && grep -q 'which devices' "$T/err" && ok
expect 2 "$PASSC" init --vm 102 55:00.0 --facts "$SNAP" -o "$T/nothing.pass" && grep -q '55:00.0 is not on this host' "$T/err" && ok
expect 2 "$PASSC" init --vm 102 12:02.0 --facts "$SNAP" -o "$T/nothing.pass" && grep -q 'is a PCI bridge' "$T/err" && ok
expect 2 "$PASSC" init --vm 102 zz:00.0 --facts "$SNAP" -o "$T/nothing.pass" && grep -q 'not a PCI address' "$T/err" && ok
expect 2 "$PASSC" init --vm 12 02:00.0 --facts "$SNAP" -o "$T/nothing.pass" && ok
expect 3 "$PASSC" init --vm 102 02:00.0 --facts "$T/nonexistent.yaml" -o "$T/nothing.pass" && ok
if [ ! -e "$T/nothing.pass" ]; then ok; else bad "a refused init wrote its spec"; fi

runner_done
