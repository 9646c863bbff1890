#!/bin/sh
# run-firsthour.sh — the small things a new admin reaches for: --version and
# --color in --help, build -q, lint's tally on a terminal, verify.ps1 only
# for Windows guests (or a spec that does not say).
# Env: PASSC, PASSC_SRCDIR.
. "$(dirname "$0")/runner_lib.sh"
# the lint tally on a terminal is tested as a user without NO_COLOR sees it
unset NO_COLOR

"$PASSC" --help >"$T/help"
if grep -q -- '--version' "$T/help" && grep -q -- '--no-color' "$T/help" &&
   grep -q 'NO_COLOR' "$T/help" && grep -q '^       passc init ' "$T/help"; then ok
else bad "--help lacks --version, --color or init"; fi
if "$PASSC" --version | grep -q '^passc '; then ok; else bad "--version"; fi

# build -q: the artifacts, no "wrote" lines
cp "$S/examples/vm102.pass" "$T/vm102.pass"
mkdir -p "$T/hosts" && cp "$S/examples/hosts/x870e-creator.yaml" "$T/hosts/"
if "$PASSC" build -q "$T/vm102.pass" -o "$T/out" >"$T/so" 2>"$T/se" && [ ! -s "$T/so" ] &&
   [ -f "$T/out/apply.sh" ]; then ok
else bad "build -q printed or failed"; fi
if "$PASSC" build "$T/vm102.pass" -o "$T/out" >"$T/so" 2>&1 && grep -q '^wrote ' "$T/so"; then ok
else bad "build without -q is silent"; fi

# verify.ps1: win11 yes; l26 no; no os: as before (yes)
if [ -f "$T/out/verify.ps1" ]; then ok; else bad "no verify.ps1 for a Windows guest"; fi
sed 's/^    os      win11$/    os      l26/' "$T/vm102.pass" >"$T/linux.pass"
grep -q 'os      l26' "$T/linux.pass" || bad "test setup: os not replaced"
if "$PASSC" build -q "$T/linux.pass" -o "$T/lin" 2>/dev/null && [ -f "$T/lin/verify.sh" ] &&
   [ ! -e "$T/lin/verify.ps1" ]; then ok
else bad "verify.ps1 written for a Linux guest"; ls "$T/lin"; fi
sed '/^    os      win11$/d' "$T/vm102.pass" >"$T/noos.pass"
if "$PASSC" build -q "$T/noos.pass" -o "$T/noos" 2>/dev/null && [ -f "$T/noos/verify.ps1" ]; then ok
else bad "a spec without os lost verify.ps1"; fi

# lint: a tally on a terminal, none into a pipe
sed 's/10de:2783/10de:2784/' "$T/vm102.pass" >"$T/bad.pass"
"$PASSC" lint "$T/bad.pass" >"$T/pipe" 2>&1
if ! grep -q 'errors\?, [0-9]* warnings\?$' "$T/pipe"; then ok; else bad "tally into a pipe"; fi
if command -v script >/dev/null 2>&1; then
    script -qec "NO_COLOR=1 '$PASSC' lint '$T/bad.pass'" /dev/null >"$T/tty" 2>&1
    if tr -d '\r' <"$T/tty" | tail -1 | grep -q '^1 error, [0-9]* warnings\?$'; then ok
    else bad "no tally on a terminal"; tail -3 "$T/tty"; fi
    script -qec "'$PASSC' lint '$T/vm102.pass'" /dev/null >"$T/tty" 2>&1
    if tr -d '\r' <"$T/tty" | tail -1 | grep -q '^0 errors, 0 warnings$'; then ok
    else bad "no tally for a clean spec"; tail -3 "$T/tty"; fi
fi

runner_done
