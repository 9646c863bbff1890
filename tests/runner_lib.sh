# runner_lib.sh — sourced by the tests/run-*.sh runners (not run by itself;
# the run-scripts*.sh sandboxes have tests/scripts_lib.sh instead): what
# every runner starts and ends with, so that each says only what it tests.
#
# Needs PASSC (the passc binary) and PASSC_SRCDIR (the source root) from the
# environment (make check gives them; a runner needing PASSC_FIXTURES checks
# that itself).  Exports NO_COLOR=1 and LC_ALL=C: output and sort order the
# same whatever the caller's terminal and locale (a case about colour on a
# terminal runs its command with `env -u NO_COLOR`).
# Defines: S (the source root), T (a work directory, removed on exit),
# ok, bad, check, expect, has, same, and runner_done, which prints the line
# tests/check-summary.sh counts ("run-NAME: N passed, M failed").
# shellcheck shell=sh
set -u
: "${PASSC:?set PASSC to the passc binary}"
: "${PASSC_SRCDIR:?set PASSC_SRCDIR to the source root}"
export NO_COLOR=1 LC_ALL=C
# shellcheck disable=SC2034  # S is for the runners
S=$PASSC_SRCDIR
runner=$(basename "$0" .sh)
T=$(mktemp -d "${TMPDIR:-/tmp}/$runner.XXXXXX") || exit 1
# u+w first: some cases leave read-only directories behind
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
# on a signal, stop (the EXIT trap cleans up) rather than go on without $T
trap 'exit 130' INT
trap 'exit 143' TERM
pass=0
fail=0

ok() { pass=$((pass + 1)); }
# bad TEXT: one failed test, said on stdout (the part's log)
bad() {
    fail=$((fail + 1))
    echo "FAIL: $*"
}
# check DESC CMD...: passes when CMD succeeds.
check() {
    d=$1
    shift
    if "$@"; then ok; else bad "$d"; fi
}
# expect RC CMD...: runs CMD, output in $T/out and $T/err; a failed test
# (with the start of stderr) unless it exits RC.  Returns whether it did.
expect() {
    want=$1
    shift
    "$@" >"$T/out" 2>"$T/err"
    got=$?
    if [ "$got" -ne "$want" ]; then
        bad "$* exited $got, want $want"
        sed 's/^/  | /' "$T/err" | head -8
        return 1
    fi
    return 0
}
# has FILE TEXT DESC: FILE holds TEXT (a fixed string).
has() {
    if grep -qF -- "$2" "$1"; then ok; else
        bad "$3: no '$2' in output"
        sed 's/^/  | /' "$1" | head -20
    fi
}
# same GOLDEN PRODUCED DESC: the files are equal; PASSC_UPDATE_GOLDEN=1
# first copies PRODUCED over GOLDEN (review the diff!).
same() {
    if [ "${PASSC_UPDATE_GOLDEN:-}" = 1 ]; then cp "$2" "$1"; fi
    if cmp -s "$1" "$2"; then ok; else
        bad "$3"
        diff -u "$1" "$2" | head -30
    fi
}
# runner_done: the closing count line, and the exit status.  Nothing may
# follow "failed" on that line: check-summary.sh would not count it.
runner_done() {
    echo "$runner: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
