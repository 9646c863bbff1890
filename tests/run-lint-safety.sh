#!/bin/sh
# run-lint-safety.sh — issue 15 at the command line: what lint output must
# never carry (a file named as facts, escape sequences from the host), a
# spec's facts path kept inside its repository, a spec without host block
# not linted against the machine lint runs on, and no warning for a whole
# card whose group holds only bridges and driverless placeholders (the
# AMD fixture host tests/hosts/amd-dummy.host).
# Env (from make check): PASSC, PASSC_SRCDIR, PASSC_FIXTURES.
. "$(dirname "$0")/runner_lib.sh"
src=$S
tmp=$T
fixtures=${PASSC_FIXTURES:-$src/build/fixtures}
expect_rc() {
    want=$1 desc=$2
    shift 2
    got=0
    "$@" >"$tmp/out" 2>&1 || got=$?
    if [ "$got" -eq "$want" ]; then ok; else
        bad "$desc: exit $got, want $want"; sed 's/^/  | /' "$tmp/out" >&2
    fi
}
lacks() { if grep -qF -- "$2" "$1"; then bad "$3: '$2' in output"; sed 's/^/  | /' "$1" >&2; else ok; fi; }
no_esc() { # no ESC or BEL byte in FILE
    if LC_ALL=C grep -q "$(printf '[\033\007]')" "$1"; then bad "$2: raw escape in output"; else ok; fi
}

# ---- a file that is no snapshot is refused at line 1, nothing quoted ----
d=$tmp/plain
mkdir -p "$d"
printf 'root:$6$TOPSECRET:19000:0:99999:7:::\nTOKEN=TOPSECRET2\033]0;x\007\n' >"$d/secret.txt"
sed 's|facts    "fail.yaml"|facts    "secret.txt"|' "$src/tests/lint/fail.pass" >"$d/spec.pass"
for fmt in text gcc json sarif; do
    expect_rc 3 "facts \"secret.txt\" ($fmt)" "$PASSC" lint --format "$fmt" "$d/spec.pass"
    lacks "$tmp/out" "TOPSECRET" "secret file quoted ($fmt)"
    has "$tmp/out" "not a passc facts snapshot" "secret file refused ($fmt)"
done
expect_rc 3 "--facts secret.txt" "$PASSC" lint --format gcc --facts "$d/secret.txt" "$d/spec.pass"
has "$tmp/out" "secret.txt:1:1: error: not a passc facts snapshot" "--facts: refused at line 1"
lacks "$tmp/out" "TOPSECRET" "--facts: secret file quoted"

# ---- the spec's facts path stays inside the spec's repository ----
cp "$src/tests/lint/fail.yaml" "$tmp/outside.yaml"
for p in ../outside.yaml "$tmp/outside.yaml" /etc/passwd /proc/self/environ; do
    sed "s|facts    \"fail.yaml\"|facts    \"$p\"|" "$src/tests/lint/fail.pass" >"$d/spec.pass"
    expect_rc 3 "facts \"$p\" outside a plain directory" "$PASSC" lint --format gcc "$d/spec.pass"
    has "$tmp/out" "outside the spec's repository" "facts \"$p\""
done
# in a git work tree: a sibling directory is inside, the parent is not
repo=$tmp/repo
mkdir -p "$repo/hosts" "$repo/specs"
(cd "$repo" && git init -q .) || bad "git init"
cp "$src/tests/lint/fail.yaml" "$repo/hosts/pve.yaml"
sed 's|facts    "fail.yaml"|facts    "../hosts/pve.yaml"|' "$src/tests/lint/fail.pass" >"$repo/specs/in.pass"
expect_rc 1 "facts in the repository's hosts/" "$PASSC" lint --format gcc "$repo/specs/in.pass"
has "$tmp/out" "[P020]" "facts in the repository are read"
sed 's|facts    "fail.yaml"|facts    "../../outside.yaml"|' "$src/tests/lint/fail.pass" >"$repo/specs/out.pass"
expect_rc 3 "facts above the repository" "$PASSC" lint --format gcc "$repo/specs/out.pass"
has "$tmp/out" "outside the spec's repository" "facts above the repository"
# a symlink inside that points outside is outside
ln -s "$tmp/outside.yaml" "$repo/hosts/link.yaml"
sed 's|facts    "fail.yaml"|facts    "../hosts/link.yaml"|' "$src/tests/lint/fail.pass" >"$repo/specs/link.pass"
expect_rc 3 "facts through a symlink out of the repository" "$PASSC" lint --format gcc "$repo/specs/link.pass"

# the pre-commit hook lints a checkout of the index: a spec in a
# subdirectory still reaches the repository's hosts/
(
    cd "$repo" && git config user.email t@example.org && git config user.name t &&
    mkdir -p bin && ln -s "$PASSC" bin/passc &&
    cp "$src/contrib/git-pre-commit" .git/hooks/pre-commit &&
    git add hosts/pve.yaml specs/in.pass && PATH="$repo/bin:$PATH" git commit -q -m nested
) >"$tmp/out" 2>&1
has "$tmp/out" "specs/in.pass:15:9: error:" "hook: nested spec linted against ../hosts/pve.yaml"
lacks "$tmp/out" "outside the spec's repository" "hook: nested spec's facts refused"

# ---- escape sequences from the host never reach the terminal raw ----
d=$tmp/esc
mkdir -p "$d"
sed 's|device-name: "VanGogh PSP/CCP"|device-name: "VanGogh\\e]0;pwned\\a\\e[2J PSP"|' \
    "$src/tests/lint/fail.yaml" >"$d/fail.yaml"
cp "$src/tests/lint/fail.pass" "$d/fail.pass"
grep -q 'pwned' "$d/fail.yaml" || bad "escape not injected"
for fmt in text gcc json sarif; do
    expect_rc 1 "escape in a device name ($fmt)" "$PASSC" lint --format "$fmt" "$d/fail.pass"
    has "$tmp/out" "pwned" "device name still shown ($fmt)"
    no_esc "$tmp/out" "device name ($fmt)"
done
expect_rc 1 "escape in a device name (text)" "$PASSC" lint "$d/fail.pass"
has "$tmp/out" 'VanGogh\x1b]0;pwned\x07\x1b[2J PSP' "escaped as \\xNN"

# ---- a spec without host block is not linted against this machine ----
# (it is an error already, P002: the machine lint runs on is no target)
cat >"$tmp/nohost.pass" <<'SPEC'
vm 130 "x" {
    os l26
    gpu 7f:1f.0 10de:2783
}
SPEC
expect_rc 1 "spec without host block, live host" "$PASSC" lint --format gcc "$tmp/nohost.pass"
has "$tmp/out" "[P002]" "no host block: P002"
lacks "$tmp/out" "[P020]" "no host block: live P020"
lacks "$tmp/out" "[P023]" "no host block: live P023"
# facts named on the command line still apply
expect_rc 1 "spec without host block, --facts" "$PASSC" lint --format gcc \
    --facts "$src/tests/lint/fail.yaml" "$tmp/nohost.pass"
has "$tmp/out" "[P020]" "no host block: --facts still checks"

# ---- precision: a whole card in a group of bridges and placeholders ----
root=$fixtures/amd-dummy
if [ -d "$root" ]; then
    expect_rc 0 "amd-whole-card on amd-dummy" "$PASSC" lint --format gcc --root "$root" \
        "$src/tests/lint/cases/amd-whole-card.pass"
    lacks "$tmp/out" ": warning:" "amd-whole-card: a warning"
    lacks "$tmp/out" ": error:" "amd-whole-card: an error"
    has "$tmp/out" "info: IOMMU group 2 of 0000:0a:00.0" "amd-whole-card: placeholders as info"
    lacks "$tmp/out" "pass 0000:00:03.0" "amd-whole-card: advises a host bridge"
    # a single-function GPU (the BMC's VGA) is no split card
    cat >"$tmp/bmc.pass" <<'SPEC'
host "matisse" {
    iommu required
}
vm 121 "bmc" {
    os l26
    gpu 0e:00.0 1a03:2000
}
SPEC
    expect_rc 0 "ASPEED VGA alone" "$PASSC" lint --root "$root" "$tmp/bmc.pass"
    lacks "$tmp/out" "[P011]" "single-function GPU called a split card"
    # the host keeps the GeForce: the advice is to make it the primary display
    has "$tmp/out" "make another GPU the primary display" "P029 with another GPU left"
else
    bad "fixture host amd-dummy missing under $fixtures"
fi

runner_done
