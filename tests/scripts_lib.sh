# scripts_lib.sh — sourced by tests/run-scripts*.sh (not run by itself):
# builds the artifacts every case uses and defines the sandbox helpers.
# Needs: src (the source root).  Defines: PASSC, sandbox, work, ok/bad/check,
# fresh/run/tree_sum/same_tree/qmget/out_has/calls/nbackups/show, A R V,
# before (the pristine sandbox's tree_sum), and scripts_done.
# shellcheck shell=sh
src=${PASSC_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
PASSC=${PASSC:-$src/build/passc}
sandbox=$src/tests/sandbox
work=$(mktemp -d "${TMPDIR:-/tmp}/run-scripts.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
ok() {
    passed=$((passed + 1))
    printf 'ok   %s\n' "$*"
}
bad() {
    failed=$((failed + 1))
    printf 'FAIL %s\n' "$*"
}
# check NAME COMMAND...: one case, passes when COMMAND succeeds.
check() {
    name=$1
    shift
    if "$@"; then ok "$name"; else bad "$name"; fi
}

# Artifacts of a model: the emit suite's hand-built models (no parser
# needed; names with newlines no spec can hold), written by its "dump" case
# of the Check binary next to $PASSC (make check-cli builds it first).
dump() {
    checker=$(dirname "$PASSC")/check_passc
    if [ ! -x "$checker" ]; then
        echo "run-scripts: $checker is missing: run it through make check-cli" >&2
        exit 1
    fi
    CK_RUN_SUITE=emit CK_RUN_CASE=dump PASSC_EMIT_MODEL=$1 PASSC_EMIT_DUMP=$2 \
        CK_VERBOSITY=silent "$checker" >/dev/null
}

# VM 102 is examples/vm102.pass built as a user builds it: against the
# bundled snapshot its `facts` line names (which gives the softdeps).
build_vm102() {
    "$PASSC" build "$src/examples/vm102.pass" -o "$1" >/dev/null
}

if [ "${1:-}" = --golden ]; then
    rm -rf "$work/g"
    build_vm102 "$work/g" && cp "$work/g"/* "$work/g"/.passc-build "$src/tests/golden/vm102/"
    echo "rewrote $src/tests/golden/vm102; review with git diff"
    exit 0
fi

build_vm102 "$work/vm102" || exit 1
dump hostile "$work/hostile" || exit 1
dump novm "$work/novm" || exit 1
dump cmdline "$work/cmdline" || exit 1

# ---- a fresh sandbox per case ----
fresh() {
    rm -rf "$work/t"
    mkdir -p "$work/t/cwd"
    cp -a "$sandbox/root" "$work/t/root"
    # the host examples/vm102.pass was checked against, for the pre-flight
    sh "$sandbox/facts-root.sh" "$src/examples/hosts/x870e-creator.yaml" "$work/t/root"
    PASSC_ROOT=$work/t/root
    SANDBOX_LOG=$work/t/calls
    : >"$SANDBOX_LOG"
    export PASSC_ROOT SANDBOX_LOG
    unset QM_RUNNING UPDATE_INITRAMFS_FAIL ZFS_FAIL BOOT_TOOL_FAIL
}
# fake_dev ADDR VENDOR DEVICE [CLASS]: a device of the fake host's sysfs,
# for specs built --no-facts with devices the x870e host does not have.
fake_dev() {
    mkdir -p "$PASSC_ROOT/sys/bus/pci/devices/$1"
    printf '0x%s\n' "$2" >"$PASSC_ROOT/sys/bus/pci/devices/$1/vendor"
    printf '0x%s\n' "$3" >"$PASSC_ROOT/sys/bus/pci/devices/$1/device"
    printf '0x%s\n' "${4:-000000}" >"$PASSC_ROOT/sys/bus/pci/devices/$1/class"
}
# run SCRIPT ARGS...: a generated script with the stand-ins first on PATH;
# output in $work/t/out, exit status returned.
run() {
    script=$1
    shift
    (cd "$work/t/cwd" && PATH=$sandbox/bin:$PATH sh "$script" "$@") >"$work/t/out" 2>&1
}
# Every file of the root except passc's own records, with its hash.
tree_sum() {
    (cd "$PASSC_ROOT" && find . -path ./var/lib/passc -prune -o -type f -print |
        LC_ALL=C sort | while IFS= read -r f; do sha256sum "$f"; done)
}
same_tree() { [ "$(tree_sum)" = "$1" ]; }
qmget() { PATH=$sandbox/bin:$PATH qm config 102 | sed -n "s/^$1: //p"; }
out_has() { grep -qF -- "$1" "$work/t/out"; }
calls() { grep -c "^$1" "$SANDBOX_LOG"; }
nbackups() { find "$PASSC_ROOT/var/lib/passc/backup/102" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
show() { sed 's/^/    | /' "$work/t/out"; }

A=$work/vm102/apply.sh R=$work/vm102/rollback.sh V=$work/vm102/verify.sh


# every fresh sandbox starts as the same tree
fresh
before=$(tree_sum)

# scripts_done NAME: the closing count line, and the exit status.
scripts_done() {
    echo "$1: $passed passed, $failed failed"
    [ "$failed" = 0 ]
}
