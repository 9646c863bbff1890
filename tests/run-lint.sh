#!/bin/sh
# run-lint.sh — passc lint at the command line: rules/explain, the four
# output formats against tests/lint/golden/, the seed spec on its snapshot,
# the git pre-commit hook in a scratch repository, and one LIVE test on
# this machine's own facts (its root-disk controller must be refused).
# Env (from make check-cli): PASSC, PASSC_SRCDIR.
. "$(dirname "$0")/runner_lib.sh"
src=$S
tmp=$T

# expect_rc WANT DESC CMD...: runs CMD, output in $tmp/out and $tmp/err
expect_rc() {
    want=$1 desc=$2
    shift 2
    got=0
    "$@" >"$tmp/out" 2>"$tmp/err" || got=$?
    if [ "$got" -eq "$want" ]; then ok; else
        bad "$desc: exit $got, want $want"; sed 's/^/  | /' "$tmp/err" "$tmp/out" >&2
    fi
}

# ---- passc rules / passc explain ----
expect_rc 0 "passc rules" "$PASSC" rules
n=$(wc -l <"$tmp/out")
if [ "$n" -eq 50 ]; then ok; else
    bad "passc rules: $n lines, want 50 (P001-P015, P020-P033, P040-P044, P050-P059, P070-P072, F001-F003)"
fi
has "$tmp/out" "P024  group-not-viable" "passc rules"
has "$tmp/out" "P033  usb4-links" "passc rules"
# import's and the facts layer's ids are in the catalogue too, in id order:
# every P id, then the F ids.
for w in "P040  import-dropped-line" "P041  import-unsupported" \
         "P042  modprobe-trap" "P043  import-pending" "P044  import-not-on-host" \
         "F001  facts-snapshot" "F002  host-fact-unreadable" "F003  host-unreadable"; do
    has "$tmp/out" "$w" "passc rules"
done
if cut -c1-4 "$tmp/out" | LC_ALL=C sort -c -k1.1,1.1r -k1.2 2>/dev/null; then ok; else
    bad "passc rules: ids not in order P001..P059 then F001..F003"; cut -c1-4 "$tmp/out" | tr '\n' ' ' >&2
fi
for r in P042 modprobe-trap F001 facts-snapshot; do
    expect_rc 0 "passc explain $r" "$PASSC" explain "$r"
    case $r in P042|modprobe-trap) id="P042 modprobe-trap (warning)" ;;
               *) id="F001 facts-snapshot (error, needs facts)" ;; esac
    for w in "$id" "Why:" "Fix:" "Example:"; do
        has "$tmp/out" "$w" "passc explain $r"
    done
done
for r in P024 group-not-viable p024; do
    expect_rc 0 "passc explain $r" "$PASSC" explain "$r"
    for w in "P024 group-not-viable" "Why:" "Fix:" "Example:"; do
        has "$tmp/out" "$w" "passc explain $r"
    done
done
expect_rc 2 "explain unknown rule" "$PASSC" explain P099
has "$tmp/err" "unknown rule" "explain unknown rule"
expect_rc 2 "explain without rule" "$PASSC" explain
expect_rc 2 "rules with an argument" "$PASSC" rules P024

# ---- only one facts source (a second would silently win) ----
for two in "--facts a.yaml --root /" "--root / --no-facts" "--no-facts --facts a.yaml" "--no-facts --no-facts"; do
    # shellcheck disable=SC2086  # $two is the option list
    expect_rc 2 "lint $two" "$PASSC" lint $two "$src/examples/vm102.pass"
    has "$tmp/err" "give only one of --facts, --root, --no-facts" "lint $two"
done
expect_rc 2 "build --root / --facts a.yaml" "$PASSC" build --root / --facts a.yaml -o "$tmp/two" "$src/examples/vm102.pass"
has "$tmp/err" "give only one of --facts, --root, --no-facts" "build with two facts sources"

# ---- the hook files ----
if command -v shellcheck >/dev/null 2>&1; then
    expect_rc 0 "shellcheck contrib/git-pre-commit" shellcheck "$src/contrib/git-pre-commit"
    expect_rc 0 "shellcheck run-lint.sh" shellcheck -x -P SCRIPTDIR "$src/tests/run-lint.sh"
else
    bad "shellcheck is not installed (make deps-check installs it)"
fi
for w in "id: passc-lint" "entry: passc lint" "language: system" 'files: \.pass$'; do
    has "$src/.pre-commit-hooks.yaml" "$w" ".pre-commit-hooks.yaml"
done

# ---- golden output of the failing spec, in all four formats ----
for f in text:txt gcc:gcc json:json sarif:sarif; do
    fmt=${f%%:*} ext=${f#*:}
    (cd "$src" && "$PASSC" lint --format "$fmt" tests/lint/fail.pass) \
        >"$tmp/fail.$ext" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq 1 ]; then ok; else bad "lint fail.pass --format $fmt: exit $rc, want 1"; fi
    if cmp -s "$tmp/fail.$ext" "$src/tests/lint/golden/fail.$ext"; then ok; else
        bad "lint fail.pass --format $fmt differs from golden/fail.$ext"
        diff -u "$src/tests/lint/golden/fail.$ext" "$tmp/fail.$ext" | head -40 >&2
    fi
done
if command -v python3 >/dev/null 2>&1; then
    expect_rc 0 "JSON output parses" python3 -c \
        'import json,sys; d=json.load(open(sys.argv[1])); assert isinstance(d,list) and d and all("id" in x and "notes" in x for x in d)' \
        "$tmp/fail.json"
    # shellcheck disable=SC2016  # "$schema" is a JSON key, not a variable
    expect_rc 0 "SARIF output is 2.1.0" python3 -c \
        'import json,sys; d=json.load(open(sys.argv[1])); assert d["version"]=="2.1.0" and "$schema" in d and d["runs"][0]["tool"]["driver"]["rules"]' \
        "$tmp/fail.sarif"
    # tool.driver.rules is the whole catalogue, import and facts ids included
    expect_rc 0 "SARIF rules include P040-P044, P050-P059, P070-P072 and F001-F003" python3 -c \
        'import json,sys; ids=[r["id"] for r in json.load(open(sys.argv[1]))["runs"][0]["tool"]["driver"]["rules"]]; want=["P040","P041","P042","P043","P044"]+["P05%d" % i for i in range(10)]+["P070","P071","P072","F001","F002","F003"]; assert len(ids)==50 and ids[-21:]==want, ids' \
        "$tmp/fail.sarif"
else
    bad "python3 is not installed: JSON and SARIF output not checked"
fi

# ---- the seed: VM 102 on its own host snapshot lints without errors ----
seed=$src/examples/vm102.pass
snap=$src/examples/hosts/x870e-creator.yaml
if [ -f "$seed" ] && [ -f "$snap" ]; then
    expect_rc 0 "seed vm102 on x870e snapshot" "$PASSC" lint --format gcc --facts "$snap" "$seed"
    if grep -q ": error:" "$tmp/out"; then bad "seed vm102 has errors"; else ok; fi
else
    bad "seed spec or snapshot missing ($seed, $snap)"
fi

# ---- regression: a broken quirks table is reported once per run, not per spec ----
expect_rc 0 "two specs, broken quirks" "$PASSC" lint --quirks "$src/tests/lint/fail.pass" \
    "$src/examples/vm102.pass" "$src/examples/vm102.pass"
n=$(grep -c "quirks table" "$tmp/out")
if [ "$n" -eq 1 ]; then ok; else bad "broken quirks table reported $n times, want 1"; fi

# ---- rules against the fixture hosts of tests/mkhost (--root) ----
# case SPEC HOST RC MUST MUSTNOT: MUST are "severity:Pxxx" that must be in
# the gcc output, MUSTNOT are rule ids that must not.
lint_case() {
    spec=$1 host=$2 want=$3 must=$4 mustnot=$5
    root=${PASSC_FIXTURES:-$src/build/fixtures}/$host
    if [ ! -d "$root" ]; then bad "fixture host $host missing under $root"; return; fi
    expect_rc "$want" "lint cases/$spec.pass on $host" \
        "$PASSC" lint --format gcc --root "$root" "$src/tests/lint/cases/$spec.pass"
    for m in $must; do
        if grep -q ": ${m%%:*}: .*\[${m#*:}\]\$" "$tmp/out"; then ok; else
            bad "cases/$spec.pass: no ${m%%:*} ${m#*:}"; sed 's/^/  | /' "$tmp/out" >&2
        fi
    done
    for r in $mustnot; do
        if grep -q "\[$r\]\$" "$tmp/out"; then bad "cases/$spec.pass: unexpected $r"; else ok; fi
    done
}
lint_case consumer-gpu    consumer    1 "error:P024" "P031 P025 P028"
lint_case consumer-bridge consumer    1 "error:P031 error:P025 warning:P027" "P024"
lint_case twin-ids        twin-xhci   1 "error:P026 warning:P032 warning:P028" "P025"
lint_case twin-start      twin-xhci   0 "" "P026 P032 P028 P024"
lint_case iommu-off       iommu-off   1 "error:P023 warning:P029" "P024 P021"
lint_case moved           iommu-off   1 "error:P021 error:P020" "P026"
lint_case tb-router       thunderbolt 1 "error:P033 error:P024" ""
lint_case tb-tunnels      thunderbolt 1 "error:P024" "P033 P010"
# the host's modprobe.d, command line and VM configs (P050-P059)
lint_case hostconf        hostconf    1 "error:P050 warning:P051 error:P052 warning:P053 warning:P054 info:P055 error:P056 error:P057 warning:P058 warning:P059" ""
lint_case hostconf-ok     hostconf-ok 0 "" "P050 P051 P052 P053 P054 P055 P056 P057 P058 P059"
# a firmware switch the admin has taken care of: `# passc: ignore` above the VM
sed 's/^vm 110 "games" {/# passc: ignore P057 "converted with mbr2gpt"\nvm 110 "games" {/' \
    "$src/tests/lint/cases/hostconf.pass" >"$tmp/ignore57.pass"
expect_rc 1 "hostconf with P057 ignored" "$PASSC" lint --format gcc \
    --root "${PASSC_FIXTURES:-$src/build/fixtures}/hostconf" "$tmp/ignore57.pass"
if grep -q "\[P057\]\|\[P014\]" "$tmp/out"; then bad "P057 not silenced by its ignore"; else ok; fi
has "$tmp/out" "[P058]" "hostconf with P057 ignored"
# the hints, in the text format
"$PASSC" lint --root "${PASSC_FIXTURES:-$src/build/fixtures}/iommu-off" \
    "$src/tests/lint/cases/moved.pass" >"$tmp/out" 2>&1
has "$tmp/out" "fix: 10de:2783 is at 0000:01:00.0: moved there?" "P021 moved hint"
has "$tmp/out" "amd_iommu=on does nothing" "P023 AMD note"

# ---- git pre-commit hook in a scratch repository ----
repo=$tmp/repo
mkdir -p "$repo/hosts" "$repo/bin"
ln -s "$PASSC" "$repo/bin/passc"
(
    cd "$repo" || exit 1
    git init -q . && git config user.email t@example.org && git config user.name t
    cp "$src/contrib/git-pre-commit" .git/hooks/pre-commit
    cp "$src/tests/lint/fail.yaml" hosts/pve.yaml
    sed -e 's|facts    "fail.yaml"|facts    "hosts/pve.yaml"|' "$src/tests/lint/fail.pass" >bad.pass
    # the good spec passes what the host really has at its current address
    sed -e 's|02:00\.|03:00.|g' -e 's|tunnels 79:00.3 79:00.4|tunnels 79:00.3 79:00.4 7b:00.0|' \
        -e 's|^    usb  79:00.4 1022:15b7 "AMD USB 3.1"|&\n    usb  7b:00.0 1022:15b9\n    pci  79:00.2 1022:1649|' \
        bad.pass >good.pass
    git add hosts/pve.yaml
    git commit -q -m host --no-verify
) || bad "scratch repo setup"
commit() { (cd "$repo" && PATH="$repo/bin:$PATH" git commit -q -m "$1"); }
(cd "$repo" && git add bad.pass)
expect_rc 1 "hook refuses a bad spec" commit bad
# git sends a hook's stdout to stderr
has "$tmp/err" "bad.pass:15:9: error:" "hook output (gcc format)"
has "$tmp/err" "commit refused" "hook says why"
(cd "$repo" && git reset -q bad.pass && git add good.pass)
expect_rc 0 "hook accepts a good spec" commit good
# staged content counts, not the worktree: break it without staging
(cd "$repo" && cp bad.pass good.pass && git add good.pass &&
    git show HEAD:good.pass >good.pass)   # the worktree is good again
expect_rc 1 "hook lints the staged content, not the worktree" commit staged-bad
(cd "$repo" && git reset -q good.pass)

# ---- LIVE: this machine's root-disk controller is refused by build ----
live=$tmp/live
mkdir -p "$live"
if "$PASSC" facts >"$live/facts.yaml" 2>"$live/err"; then
    root=$(awk '/^- address:/ { a = $3; gsub(/"/, "", a) }
                /^  uses:/ && /root-disk/ { print a; exit }' "$live/facts.yaml")
    if [ -n "$root" ]; then
        printf 'host "live" {\n    iommu optional\n    bind start\n}\nvm 990 "x" {\n    pci %s\n}\n' \
            "$root" >"$live/root.pass"
        expect_rc 1 "LIVE: build refuses passing root disk $root" \
            "$PASSC" build "$live/root.pass" -o "$live/out"
        has "$tmp/err" "[P025]" "LIVE: P025 for $root"
        if [ ! -e "$live/out" ]; then ok; else bad "LIVE: build wrote $live/out despite errors"; fi
    else
        bad "LIVE: passc facts shows no root-disk device"
    fi
else
    bad "LIVE: passc facts cannot read this host's facts: $(cat "$live/err")"
fi

runner_done
