#!/bin/sh
# make check's closing lines: DIR holds PART.log for every part that ran and
# PART.ok for every part that passed.  Counts the tests each log reports
# (Check's "Checks: N, Failures: F, Errors: E", the run-*.sh "N passed, M
# failed" lines); a part whose log has no count is one test.  A part with no
# .ok failed, even when its log counts no failure (a crash, a build error).
# The last line is "N passed, M failed", alone, for CI.
#   tests/check-summary.sh DIR SECONDS PART...
set -u
dir=$1 secs=$2
shift 2
nparts=$#
passed=0 failed=0 bad=
for p in "$@"; do
    log=$dir/$p.log
    counts=$( [ -f "$log" ] && awk '
        /Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+/ {
            for (i = 1; i <= NF; i++) {
                w = $i; sub(/,$/, "", w)
                if ($(i-1) == "Checks:") c = w
                if ($(i-1) == "Failures:") f = w
                if ($(i-1) == "Errors:") e = w
            }
            P += c - f - e; F += f + e; seen = 1
        }
        / [0-9]+ passed, [0-9]+ failed$/ {
            P += $(NF-3); F += $(NF-1); seen = 1
        }
        END { if (seen) print P + 0, F + 0 }' "$log")
    p_ok='' p_bad=''
    if [ -n "$counts" ]; then p_ok=${counts% *}; p_bad=${counts#* }; fi
    if [ -f "$dir/$p.ok" ]; then
        passed=$((passed + ${p_ok:-1})); failed=$((failed + ${p_bad:-0}))
    else
        bad="$bad $p"
        passed=$((passed + ${p_ok:-0}))
        if [ "${p_bad:-0}" -gt 0 ]; then failed=$((failed + p_bad)); else failed=$((failed + 1)); fi
    fi
done
[ -n "$bad" ] && echo "check: failed parts:$bad (logs in $dir/)"
echo "check: $nparts parts in $secs s"
echo "$passed passed, $failed failed"
[ -z "$bad" ] && [ "$failed" -eq 0 ]
