#!/bin/sh
# run-facts-text.sh — `passc facts --format text`: every fixture host and
# the bundled snapshot against golden text, the group verdicts, colour
# (--color, --no-color, NO_COLOR), -o to a file, /dev/stdout and a FIFO,
# hostile names, and --root pointed at a /sys.
# Env: PASSC, PASSC_SRCDIR, PASSC_FIXTURES.  PASSC_UPDATE_GOLDEN=1 rewrites
# the golden files (review the diff).
. "$(dirname "$0")/runner_lib.sh"
: "${PASSC_FIXTURES:?set PASSC_FIXTURES to the fixture hosts (tests/mkhost --all)}"
# this runner tests colour itself, NO_COLOR included
unset NO_COLOR
IDS="$PASSC_SRCDIR/tests/ids/pci.ids"
GOLD="$PASSC_SRCDIR/tests/golden/facts-text"
SNAP="$PASSC_SRCDIR/examples/hosts/x870e-creator.yaml"
ESC=$(printf '\033')

# golden NAME CMD...: CMD's stdout is GOLD/NAME.txt, exit 0, stderr empty
golden() {
    name=$1
    shift
    if ! "$@" >"$T/out" 2>"$T/err"; then
        bad "$name: $* failed"; sed 's/^/  | /' "$T/err" | head -5; return
    fi
    if [ "${PASSC_UPDATE_GOLDEN:-}" = 1 ]; then cp "$T/out" "$GOLD/$name.txt"; fi
    if cmp -s "$T/out" "$GOLD/$name.txt" && [ ! -s "$T/err" ]; then ok
    else bad "$name: text differs from golden"; diff "$GOLD/$name.txt" "$T/out" | head -10; fi
}

for h in "$PASSC_SRCDIR"/tests/hosts/*.host; do
    n=$(basename "$h" .host)
    golden "$n" "$PASSC" facts --root "$PASSC_FIXTURES/$n" --pci-ids "$IDS" --format text
done
golden x870e-creator "$PASSC" facts --facts "$SNAP" --format text
# the snapshot says what the tree says: the same text either way
if cmp -s "$GOLD/x870e.txt" "$GOLD/x870e-creator.txt"; then ok
else bad "snapshot and fake root of the seed host read differently"; fi

# verdicts: one per kind on the seed host
verdict() {  # GROUP TEXT
    if grep -q "^IOMMU group $1: $2" "$GOLD/x870e-creator.txt"; then ok
    else bad "group $1 verdict is not '$2'"; fi
}
verdict 15 'passes alone (one card, all its functions)'
verdict 14 'holds something the host needs: 01:00.0 (root-disk, zfs-pool)'
verdict 20 'holds something the host needs: 0d:00.0 (keyboard)'
verdict 22 'bridges only'
verdict 25 'passes alone'
if grep -A3 '^  78:00.0 ' "$GOLD/x870e-creator.txt" | grep -q 'tied to xHCI 79:00.3, 79:00.4'; then ok
else bad "USB4 router does not show its xHCIs"; fi
if grep -A3 '^  79:00.3 ' "$GOLD/x870e-creator.txt" | grep -q 'tied to USB4 router 78:00.0'; then ok
else bad "xHCI does not show its router"; fi
# a group shared with a device the host does not need: drags it along
awk '/^- address: "0000:0e:00.0"/ { on = 1 } on && /^  iommu-group:/ { sub(/[0-9]+$/, "15"); on = 0 } { print }' \
    "$SNAP" >"$T/shared.yaml"
if "$PASSC" facts --facts "$T/shared.yaml" --format text >"$T/out" 2>"$T/err" &&
   grep -q '^IOMMU group 15: passing one drags these along: 02:00.0 02:00.1 0e:00.0$' "$T/out"; then ok
else bad "shared group verdict"; grep 'group 15' "$T/out"; fi

# colour: never into a pipe unless asked; --no-color and NO_COLOR win
"$PASSC" facts --facts "$SNAP" --format text >"$T/plain" 2>&1
if ! grep -q "$ESC" "$T/plain"; then ok; else bad "colour into a pipe"; fi
"$PASSC" facts --facts "$SNAP" --format text --color >"$T/col" 2>&1
if grep -q "$ESC\[1;31mholds something the host needs" "$T/col" &&
   [ "$(sed "s/$ESC\[[0-9;]*m//g" "$T/col" | cksum)" = "$(cksum <"$T/plain")" ]; then ok
else bad "--color: escapes missing or text differs from plain"; fi
if command -v script >/dev/null 2>&1; then
    script -qec "NO_COLOR=1 '$PASSC' facts --facts '$SNAP' --format text" /dev/null >"$T/tty" 2>&1
    if ! grep -q "$ESC\[" "$T/tty" && grep -q '^IOMMU group 0' "$T/tty"; then ok
    else bad "NO_COLOR on a terminal"; fi
    script -qec "'$PASSC' facts --facts '$SNAP' --format text" /dev/null >"$T/tty" 2>&1
    if grep -q "$ESC\[1mIOMMU group 0" "$T/tty"; then ok
    else bad "no colour on a terminal"; fi
    script -qec "'$PASSC' facts --facts '$SNAP' --format text --no-color" /dev/null >"$T/tty" 2>&1
    if ! grep -q "$ESC\[" "$T/tty"; then ok; else bad "--no-color on a terminal"; fi
fi

# -o: a file (no colour), /dev/stdout, a FIFO; yaml stays the default
if "$PASSC" facts --facts "$SNAP" --format text -o "$T/f.txt" && cmp -s "$T/f.txt" "$T/plain"; then ok
else bad "--format text -o FILE"; fi
if "$PASSC" facts --facts "$SNAP" -o "$T/f.yaml" && grep -q '^passc-facts: 1' "$T/f.yaml"; then ok
else bad "-o FILE is no longer yaml by default"; fi
if "$PASSC" facts --facts "$SNAP" -o /dev/stdout >"$T/so" 2>"$T/err" &&
   "$PASSC" facts --facts "$SNAP" >"$T/so2" && cmp -s "$T/so" "$T/so2"; then ok
else bad "-o /dev/stdout"; cat "$T/err"; fi
mkfifo "$T/fifo"
cat "$T/fifo" >"$T/fromfifo" &
if "$PASSC" facts --facts "$SNAP" --format text -o "$T/fifo" && wait $! &&
   cmp -s "$T/fromfifo" "$T/plain"; then ok
else bad "-o FIFO"; fi

# usage errors
if "$PASSC" facts --facts "$SNAP" --format json >/dev/null 2>"$T/err"; [ $? -eq 2 ] &&
   grep -q 'format is yaml or text, not json' "$T/err"; then ok
else bad "--format json accepted"; fi
if "$PASSC" facts --root "$PASSC_FIXTURES/x870e/sys" >/dev/null 2>"$T/err"; [ $? -eq 2 ] &&
   grep -q "x870e/sys looks like /sys; --root wants the host root" "$T/err"; then ok
else bad "--root at a /sys"; cat "$T/err"; fi

# a hostile name cannot reach the terminal as an escape sequence
sed 's/^  device-name: "AD104 \[GeForce RTX 4070 SUPER\]"/  device-name: "AD104\\e[2J\\x07 GPU"/' "$SNAP" >"$T/evil.yaml"
if grep -q 'x07 GPU' "$T/evil.yaml"; then
    "$PASSC" facts --facts "$T/evil.yaml" --format text >"$T/out" 2>"$T/err"
    rc=$?
    if { [ $rc -eq 0 ] && grep -q 'AD104?\[2J? GPU' "$T/out" && ! grep -q "$ESC" "$T/out"; } ||
       [ $rc -eq 3 ]; then ok
    else bad "control bytes in a name reach the output (rc $rc)"; fi
else bad "test setup: evil snapshot not made"; fi

runner_done
