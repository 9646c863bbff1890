#!/bin/sh
# run-cli.sh — the command line's manners: usage errors, unreadable inputs
# and outputs give one line and a stable exit code, and nothing is written.
# Env (from make check-cli): PASSC, PASSC_SRCDIR.
. "$(dirname "$0")/runner_lib.sh"
src=$S
tmp=$T

# case WANT_RC STDERR_LINES DESC CMD...: exit code and how many stderr lines
case_() {
    want=$1 lines=$2 desc=$3
    shift 3
    got=0
    "$@" >"$tmp/out" 2>"$tmp/err" || got=$?
    if [ "$got" -ne "$want" ]; then
        bad "$desc: exit $got, want $want"; sed 's/^/  | /' "$tmp/err" >&2; return
    fi
    n=$(wc -l <"$tmp/err")
    if [ "$lines" != any ] && [ "$n" -ne "$lines" ]; then
        bad "$desc: $n lines on stderr, want $lines"; sed 's/^/  | /' "$tmp/err" >&2; return
    fi
    ok
}
# absent DESC PATH: PATH must not exist
absent() { if [ -e "$2" ]; then bad "$1: $2 exists"; else ok; fi; }

spec=$src/examples/vm102.pass

case_ 2 any "no command" "$PASSC"
case_ 0 0 "--help" "$PASSC" --help
has "$tmp/out" "passc build SPEC" "--help"
case_ 2 any "unknown command" "$PASSC" frobnicate
case_ 2 any "unknown option" "$PASSC" lint --frob "$spec"
case_ 2 any "unknown format" "$PASSC" lint --format xml "$spec"
case_ 2 any "two facts sources" "$PASSC" lint --no-facts --facts x.yaml "$spec"
case_ 2 any "lint without a spec" "$PASSC" lint
case_ 2 any "build with two specs" "$PASSC" build "$spec" "$spec"
case_ 2 any "-o given to lint" "$PASSC" lint -o "$tmp/x" "$spec"
case_ 2 any "option without its argument" "$PASSC" build "$spec" -o
# -o names a directory passc may replace: not a symlink, not . or ..
mkdir "$tmp/real"
ln -s real "$tmp/olink"
case_ 2 1 "-o a symlink" "$PASSC" build --no-facts "$spec" -o "$tmp/olink"
has "$tmp/err" "is a symbolic link" "-o a symlink"
check "-o a symlink: its target untouched" test -z "$(ls "$tmp/real")"
case_ 2 1 "-o .." "$PASSC" build --no-facts "$spec" -o "$tmp/real/.."
case_ 2 1 "-o empty" "$PASSC" build --no-facts "$spec" -o ""
case_ 0 0 "-o with a trailing slash" "$PASSC" build --no-facts "$spec" -o "$tmp/real/"
has "$tmp/out" "wrote $tmp/real/vfio.conf" "-o with a trailing slash"

# rebuilding over an earlier build where rename cannot exchange two
# directories (ZFS before 2.2, NFS): the fallback moves the old one aside
if [ -f "${PASSC_NOEXCHANGE:-}" ]; then
    sed 's/cores   24/cores   8/' "$spec" >"$tmp/eight.pass"
    case_ 0 0 "first build into a new directory" "$PASSC" build --no-facts "$spec" -o "$tmp/fb"
    noex() {
        LD_PRELOAD=$PASSC_NOEXCHANGE NOEXCHANGE_LOG=$tmp/noex.log \
            ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0 "$@"
    }
    case_ 0 0 "rebuild without RENAME_EXCHANGE" noex "$PASSC" build --no-facts "$tmp/eight.pass" -o "$tmp/fb"
    check "rebuild without RENAME_EXCHANGE: the shim was in the way" grep -q '^renameat2 ' "$tmp/noex.log"
    check "rebuild without RENAME_EXCHANGE: the new build is in place" grep -qx 'cores: 8' "$tmp/fb/102.conf"
    check "rebuild without RENAME_EXCHANGE: a build marker, nothing left beside it" \
        sh -c 'test -f "$1/fb/.passc-build" && test -z "$(find "$1" -maxdepth 1 -name ".*passc*" | head -n 1)"' sh "$tmp"
else
    bad "PASSC_NOEXCHANGE is not set or missing: run through make check-cli"
fi

# each command's own usage on --help/-h (stdout, exit 0), whatever else is
# given; a usage error points at it
for c in build lint facts import fmt rules explain; do
    case_ 0 0 "$c --help" "$PASSC" "$c" "$spec" --help
    check "$c --help shows its usage" grep -q "^usage: passc $c" "$tmp/out"
    check "$c --help shows only its own" test "$(grep -c 'passc ' "$tmp/out")" -eq 1
done
case_ 0 0 "build -h" "$PASSC" build -h
has "$tmp/out" "FACTS: --facts FILE" "build -h"
case_ 2 2 "usage error" "$PASSC" import --frob
has "$tmp/err" "try 'passc import --help'" "usage error"

# one getopt_long parser for every command: --opt=value and -ovalue, options
# after operands, "--" ends options; long options only in full (an
# abbreviation would break when a longer option is added)
case_ 0 0 "--format=gcc" "$PASSC" lint --format=gcc --no-facts "$spec"
case_ 0 0 "-fgcc" "$PASSC" lint -fgcc --no-facts "$spec"
case_ 0 0 "options after the spec" "$PASSC" lint "$spec" --no-facts --format gcc
cp "$spec" "$tmp/-dash.pass"
case_ 0 0 "-- before a spec that looks like an option" sh -c 'cd "$1" && "$2" lint --no-facts -- -dash.pass' sh "$tmp" "$PASSC"
case_ 2 2 "an abbreviated option" "$PASSC" lint --form gcc --no-facts "$spec"
has "$tmp/err" "unknown option --form" "an abbreviated option"
case_ 2 2 "an ambiguous prefix" "$PASSC" lint --no "$spec"
case_ 2 2 "a value for a flag" "$PASSC" lint --werror=1 --no-facts "$spec"
has "$tmp/err" "no value allowed in --werror=1" "a value for a flag"
case_ 2 2 "unknown short option" "$PASSC" build -x "$spec"
has "$tmp/err" "unknown option -x" "unknown short option"
case_ 2 2 "facts: usage errors point at --help" "$PASSC" facts --frob
has "$tmp/err" "try 'passc facts --help'" "facts: usage errors point at --help"
case_ 2 2 "facts: one facts source" "$PASSC" facts --root / --facts x.yaml
has "$tmp/err" "give only one of --facts, --root" "facts: one facts source"
case_ 2 2 "facts takes no --no-facts" "$PASSC" facts --no-facts
case_ 2 2 "fmt --check=x" "$PASSC" fmt --check=x "$spec"
case_ 2 2 "explain: an option is not a rule" "$PASSC" explain --frob
case_ 0 0 "explain -- P024" "$PASSC" explain -- P024
case_ 2 1 "rules with an argument" "$PASSC" rules P024
for v in +102 " 102" -1 99 1000000000 18446744073709551718; do
    case_ 2 2 "--vmid '$v'" "$PASSC" import --vmid "$v" x.conf
    has "$tmp/err" "a VMID is 100..999999999, not $v" "--vmid '$v'"
done
case_ 0 0 "import --output" "$PASSC" import "$src/tests/import/seed-102.conf" --output "$tmp/imp.pass"
check "import --output: written" test -s "$tmp/imp.pass"

# unreadable inputs: one line, exit 2
case_ 2 1 "missing spec" "$PASSC" lint --no-facts "$tmp/missing.pass"
has "$tmp/err" "cannot open $tmp/missing.pass" "missing spec"
case_ 2 1 "directory as spec" "$PASSC" lint --no-facts "$tmp"
has "$tmp/err" "Is a directory" "directory as spec"
case_ 2 1 "missing spec (build)" "$PASSC" build --no-facts "$tmp/missing.pass" -o "$tmp/o1"
absent "missing spec: nothing written" "$tmp/o1"
# facts that cannot be read: exit 3
case_ 3 any "missing snapshot" "$PASSC" lint --facts "$tmp/missing.yaml" "$spec"
case_ 3 any "root without sysfs" "$PASSC" lint --root "$tmp" "$spec"

# outputs that cannot be written: one line, exit 2, nothing half-written
case_ 2 1 "output parent missing" "$PASSC" build --no-facts "$spec" -o "$tmp/no/such/dir"
absent "output parent missing: nothing written" "$tmp/no"
: >"$tmp/afile"
case_ 2 1 "output is a file" "$PASSC" build --no-facts "$spec" -o "$tmp/afile"
check "output is a file: file unchanged" test ! -s "$tmp/afile"
if [ "$(id -u)" -ne 0 ]; then
    mkdir "$tmp/ro" && chmod a-w "$tmp/ro"
    case_ 2 1 "read-only parent" "$PASSC" build --no-facts "$spec" -o "$tmp/ro/out"
else
    ok  # root writes anywhere; check_emit.c covers this as nobody
fi

# regression: a directory passc did not write is never replaced
mkdir "$tmp/project" && echo "my notes" >"$tmp/project/notes.txt"
case_ 2 1 "build into a foreign directory" "$PASSC" build --no-facts "$spec" -o "$tmp/project"
has "$tmp/err" "was not written by passc" "build into a foreign directory"
check "foreign directory: its files kept" grep -qx "my notes" "$tmp/project/notes.txt"
absent "foreign directory: no artifact added" "$tmp/project/vfio.conf"

# a good build writes every artifact; a second build replaces them whole
case_ 0 0 "build vm102" "$PASSC" build "$spec" -o "$tmp/out102"
for f in vfio.conf 102.conf apply.sh rollback.sh verify.sh recover.sh RECOVERY.txt verify.ps1; do
    check "build vm102: $f written" test -s "$tmp/out102/$f"
done
check "apply.sh is executable" test -x "$tmp/out102/apply.sh"
echo stale >"$tmp/out102/stale"
case_ 0 0 "rebuild vm102" "$PASSC" build "$spec" -o "$tmp/out102"
absent "rebuild replaces the directory whole" "$tmp/out102/stale"
leftover=$(find "$tmp" -maxdepth 1 -name '.*out102*' | head -n 1)
check "rebuild left no temp dir ($leftover)" test -z "$leftover"

# fmt -w replaces the file atomically, keeping its mode and any symlink
printf 'host "h" {\n}\nvm 100 {\n  cores 2\n}\n' >"$tmp/real.pass"
chmod 600 "$tmp/real.pass"
ln -s real.pass "$tmp/link.pass"
case_ 0 0 "fmt -w through a symlink" "$PASSC" fmt -w "$tmp/link.pass"
check "fmt -w: the symlink is still a symlink" test -L "$tmp/link.pass"
check "fmt -w: the target was reformatted" grep -q "^    cores 2" "$tmp/real.pass"
check "fmt -w: the mode is kept" test "$(stat -c %a "$tmp/real.pass")" = 600
leftover=$(find "$tmp" -maxdepth 1 -name '*.passc-*' | head -n 1)
check "fmt -w: no temp file left ($leftover)" test -z "$leftover"

# exit codes of findings: warnings pass unless --werror, errors fail
printf 'host "h" {\n}\nvm 100 {\n    usb4 78:00.0 1b21:2425\n}\n' >"$tmp/warn.pass"
case_ 0 0 "warning only" "$PASSC" lint --no-facts "$tmp/warn.pass"
has "$tmp/out" "[P010]" "warning only"
case_ 1 0 "warning with --werror" "$PASSC" lint --no-facts --werror "$tmp/warn.pass"
case_ 1 any "build --werror writes nothing" "$PASSC" build --no-facts --werror "$tmp/warn.pass" -o "$tmp/w"
absent "build --werror: nothing written" "$tmp/w"
case_ 0 any "build with a warning writes" "$PASSC" build --no-facts "$tmp/warn.pass" -o "$tmp/w2"
check "build with a warning: written" test -d "$tmp/w2"

# the seed spec names its snapshot: lint works offline from any directory
lint_from_root() { (cd / && "$PASSC" lint "$spec" >/dev/null 2>&1); }
check "lint vm102 from / with its snapshot" lint_from_root

# make fuzz-cli reports a crash: a stand-in passc that dies on some inputs
cat >"$tmp/crashy" <<'EOS'
#!/bin/sh
for a; do f=$a; done
if [ "$(wc -c <"$f")" -gt 300 ]; then kill -SEGV $$; fi
exit 0
EOS
chmod +x "$tmp/crashy"
if command -v python3 >/dev/null; then
    if FUZZ_KEEP=$tmp/keep "$src/tests/fuzz/cli.py" "$tmp/crashy" 8 1 >"$tmp/fz.out" 2>&1; then
        bad "fuzz: a crashing passc went unreported"
    elif grep -q '^FINDING passc .*exit -11' "$tmp/fz.out" && grep -q '8 runs, [1-9]' "$tmp/fz.out" &&
         [ -n "$(ls "$tmp/keep")" ]; then ok
    else bad "fuzz: unexpected output"; sed 's/^/  | /' "$tmp/fz.out" | head -5; fi
    printf '#!/bin/sh\nexit 0\n' >"$tmp/calm"
    chmod +x "$tmp/calm"
    calm_fuzz() { "$src/tests/fuzz/cli.py" "$tmp/calm" 8 1 >/dev/null 2>&1; }
    check "fuzz: a calm passc has no findings" calm_fuzz
else
    bad "python3 is missing: the fuzz harness cannot be checked"
fi

runner_done
