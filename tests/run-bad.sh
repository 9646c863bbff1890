#!/bin/sh
# run-bad.sh — malformed specs against golden diagnostics.
#
# Each case is tests/bad/NAME.pass (committed) or generated below (binary or
# huge inputs that are better made than stored).  tests/bad/NAME.out holds
# the exact stdout of `passc lint --no-facts bad/NAME.pass` followed by a
# line `[exit N]`.  Every case must also make `passc build` fail before it
# creates its output directory, with the same diagnostics on stderr.
#
# PASSC_UPDATE_GOLDEN=1 rewrites the .out files (review the diff!).
. "$(dirname "$0")/runner_lib.sh"
src="$S/tests/bad"
work=$T
mkdir "$work/bad"
cp "$src"/*.pass "$work/bad/"

HOST='host "pve" {\n    iommu required\n}\n'
gen() {
    # $1 name; the rest is printf format text (octal escapes for bytes)
    name=$1
    shift
    # shellcheck disable=SC2059  # the format is the point: it makes the bytes
    printf "$@" >"$work/bad/$name.pass"
}
gen nul-bytes "${HOST}vm 102 {\n    cores 4\000\n    memory 8\000 GiB\n}\n"
gen control-char "${HOST}vm 102 {\n    cores\0334\n}\n"
gen non-utf8-string "${HOST}vm 102 \"caf\351\" {\n}\n"
gen non-utf8-comment "${HOST}# \377\376 latin-1 caf\351\nvm 102 {\n}\n"
gen non-utf8-bare "${HOST}vm 102 {\n    \300\200 cores 4\n}\n"
gen crlf-line-endings "host \"pve\" {\r\n    iommu required\r\n}\r\nvm 102 {\r\n    cores 0\r\n}\r\n"
gen utf8-bom "\357\273\277${HOST}vm 102 {\n    cores 0\n}\n"
{
    printf 'host "pve" {\n    board "'
    head -c 1048576 /dev/zero | tr '\0' 'x'
    printf '\n}\n'
} >"$work/bad/one-mb-unterminated-string.pass"
{
    printf '%b' "$HOST" 'vm 102 {\n    # '
    head -c 1048576 /dev/zero | tr '\0' 'y'
    printf '\n    cores 0\n}\n'
} >"$work/bad/one-mb-comment.pass"
{
    printf '%b' "$HOST" 'vm 102 {\n    '
    head -c 1048576 /dev/zero | tr '\0' 'z'
    printf ' 4\n}\n'
} >"$work/bad/one-mb-word.pass"
awk 'BEGIN { printf "host {\n}\n"; for (i = 0; i < 20000; i++) printf "a { "; printf "\n" }' \
    >"$work/bad/deep-nesting.pass"
awk 'BEGIN { for (i = 0; i < 256; i++) printf "%c", (i * 37 + 11) % 256 }' \
    >"$work/bad/binary-garbage.pass"

# failed NAME TEXT: one more thing wrong with case NAME
failed() { bad "$1: $2"; }

for f in "$work"/bad/*.pass; do
    name=$(basename "$f" .pass)
    golden="$src/$name.out"
    (cd "$work" && "$PASSC" lint --no-facts "bad/$name.pass" >"$work/out" 2>"$work/err"
     echo "[exit $?]" >>"$work/out")
    if [ "${PASSC_UPDATE_GOLDEN:-0}" = 1 ]; then
        cp "$work/out" "$golden"
    fi
    ok=1
    if [ ! -f "$golden" ]; then
        failed "$name" "no golden $golden"
        continue
    fi
    if ! cmp -s "$work/out" "$golden"; then
        failed "$name" "lint output differs from $name.out"
        diff -u "$golden" "$work/out" | head -40
        ok=0
    fi
    if [ "$(tail -n 1 "$work/out")" != "[exit 1]" ]; then
        [ $ok = 0 ] || failed "$name" "lint did not exit 1 (findings)"
        ok=0
    fi
    if [ -s "$work/err" ]; then
        [ $ok = 0 ] || failed "$name" "lint wrote to stderr: $(head -c 200 "$work/err")"
        ok=0
    fi
    (cd "$work" && "$PASSC" build --no-facts -o "built-$name" "bad/$name.pass" \
        >"$work/bout" 2>"$work/berr"
     echo $? >"$work/brc")
    if [ "$(cat "$work/brc")" != 1 ]; then
        [ $ok = 0 ] || failed "$name" "build exited $(cat "$work/brc"), expected 1"
        ok=0
    fi
    if [ -e "$work/built-$name" ]; then
        [ $ok = 0 ] || failed "$name" "build created its output directory"
        ok=0
    fi
    # build prints the same diagnostics to stderr, then one summary line
    sed '$d' "$work/out" >"$work/want"
    sed '$d' "$work/berr" >"$work/got"
    if ! cmp -s "$work/want" "$work/got" || ! tail -n 1 "$work/berr" | grep -q '^passc: nothing written: '; then
        [ $ok = 0 ] || failed "$name" "build's diagnostics differ from lint's"
        ok=0
    fi
    [ $ok = 0 ] || ok
done

# A golden without its case is a test that silently stopped running.
for g in "$src"/*.out; do
    name=$(basename "$g" .out)
    [ -f "$work/bad/$name.pass" ] || failed "$name" "golden without a case"
done

runner_done
