#!/bin/sh
# run-runner-lib.sh — tests/runner_lib.sh itself: the count line it ends a
# runner with is one tests/check-summary.sh counts, its helpers pass and
# fail as they say, its work directory goes away however the runner ends,
# and every runner uses it (or tests/scripts_lib.sh) instead of its own
# copy of the preamble.
# Env (from make check): PASSC, PASSC_SRCDIR.
# shellcheck disable=SC2016  # the children's code and sh -c bodies expand later
. "$(dirname "$0")/runner_lib.sh"

# child NAME BODY: a runner tests/run-NAME.sh would be, in $T/c; runs it,
# output in $T/c/NAME.log, exit status in $crc.
mkdir "$T/c"
child() {
    printf '#!/bin/sh\n. "%s/tests/runner_lib.sh"\necho "T=$T"\n%s\n' "$S" "$2" >"$T/c/run-$1.sh"
    sh "$T/c/run-$1.sh" >"$T/c/$1.log" 2>&1
    crc=$?
}
# its work directory, from the "T=" line the child printed first
child_T() { sed -n 's/^T=//p' "$T/c/$1.log"; }

# ---- the count line, as check-summary.sh reads it ----
child good 'ok; ok; check "true passes" true; runner_done'
check "a passing runner exits 0" [ "$crc" = 0 ]
check "its last line is the count line" [ "$(tail -n 1 "$T/c/good.log")" = "run-good: 3 passed, 0 failed" ]
mkdir "$T/sum"
cp "$T/c/good.log" "$T/sum/good.log" && touch "$T/sum/good.ok"
sh "$S/tests/check-summary.sh" "$T/sum" 1 good >"$T/sum/out"
check "check-summary.sh counts its tests" [ "$(tail -n 1 "$T/sum/out")" = "3 passed, 0 failed" ]

child fails 'ok; bad "one thing"; check "false fails" false; runner_done'
check "a failing runner exits 1" [ "$crc" = 1 ]
check "it says each failure" sh -c 'grep -qx "FAIL: one thing" "$1" && grep -qx "FAIL: false fails" "$1"' sh "$T/c/fails.log"
check "its count line" [ "$(tail -n 1 "$T/c/fails.log")" = "run-fails: 1 passed, 2 failed" ]
cp "$T/c/fails.log" "$T/sum/fails.log"
sh "$S/tests/check-summary.sh" "$T/sum" 1 good fails >"$T/sum/out"
check "check-summary.sh counts its failures" [ "$(tail -n 1 "$T/sum/out")" = "4 passed, 2 failed" ]

# ---- the helpers ----
child helpers '
expect 3 sh -c "exit 3" && ok
expect 0 sh -c "echo oops >&2; exit 4" || echo "expect returned 1"
printf "a\nb\n" >"$T/f"
has "$T/f" b "b is there"
has "$T/f" c "c is there"
printf "a\n" >"$T/g"
same "$T/f" "$T/f" "a file is itself"
same "$T/f" "$T/g" "two files"
runner_done'
check "expect: the exit status wanted passes, another fails and shows stderr" \
    sh -c 'grep -qx "FAIL: sh -c echo oops >&2; exit 4 exited 4, want 0" "$1" && grep -qx "  | oops" "$1" &&
           grep -qx "expect returned 1" "$1"' sh "$T/c/helpers.log"
check "has: a missing text fails and shows the file" \
    sh -c 'grep -qx "FAIL: c is there: no '\''c'\'' in output" "$1" && ! grep -q "b is there" "$1"' sh "$T/c/helpers.log"
check "same: different files fail with the diff" \
    sh -c 'grep -qx "FAIL: two files" "$1" && grep -qx -- "-b" "$1" && ! grep -q "itself" "$1"' sh "$T/c/helpers.log"
check "helpers: 3 passed, 3 failed" [ "$(tail -n 1 "$T/c/helpers.log")" = "run-helpers: 3 passed, 3 failed" ]
printf 'new\n' >"$T/c/new" && printf 'old\n' >"$T/c/golden"
PASSC_UPDATE_GOLDEN=1 child update "same \"$T/c/golden\" \"$T/c/new\" golden; runner_done"
check "same: PASSC_UPDATE_GOLDEN=1 rewrites the golden file" \
    sh -c '[ "$1" = 0 ] && [ "$(cat "$2")" = new ]' sh "$crc" "$T/c/golden"

# ---- the work directory, and the environment ----
child env 'touch "$T/x"; [ "$NO_COLOR" = 1 ] && [ "$LC_ALL" = C ] && ok; runner_done'
check "NO_COLOR=1 and LC_ALL=C" [ "$(tail -n 1 "$T/c/env.log")" = "run-env: 1 passed, 0 failed" ]
check "the work directory is removed at exit" sh -c '[ -n "$1" ] && [ ! -e "$1" ]' sh "$(child_T env)"
child ro 'mkdir -p "$T/ro/d" && chmod a-w "$T/ro/d" "$T/ro"; runner_done'
check "a read-only directory in it is removed too" sh -c '[ -n "$1" ] && [ ! -e "$1" ]' sh "$(child_T ro)"
child term 'ok; kill -TERM $$; echo "went on after TERM"; runner_done'
check "TERM stops the runner and removes its work directory" \
    sh -c '[ "$1" = 143 ] && ! grep -q "went on" "$2" && [ ! -e "$3" ]' sh "$crc" "$T/c/term.log" "$(child_T term)"
(unset PASSC; child nopassc 'ok; runner_done'; echo "$crc" >"$T/c/nopassc.rc")
check "without PASSC a runner stops at once, saying so" \
    sh -c '[ "$(cat "$1.rc")" != 0 ] && grep -q "set PASSC to the passc binary" "$1.log" && ! grep -q "^T=" "$1.log"' \
    sh "$T/c/nopassc"

# ---- every runner uses a library, not a copy of the preamble ----
for f in "$S"/tests/run-*.sh; do
    n=$(basename "$f")
    if grep -q '^\. .*/\(runner\|scripts\)_lib\.sh"$' "$f" &&
       ! grep -q '^\(ok\|bad\)() \|^\(pass\|fail\|passed\|failed\)=0\|mktemp[ ]-d' "$f"; then ok
    else bad "$n: sources neither runner_lib.sh nor scripts_lib.sh, or keeps its own counters or work directory"; fi
done

if command -v shellcheck >/dev/null 2>&1; then
    check "shellcheck runner_lib.sh" shellcheck -s sh "$S/tests/runner_lib.sh"
    check "shellcheck run-runner-lib.sh" shellcheck -x -P SCRIPTDIR "$S/tests/run-runner-lib.sh"
else
    bad "shellcheck is not installed (make deps-check installs it)"
fi

runner_done
