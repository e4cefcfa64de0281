#!/usr/bin/env bash
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Run make targets one after the other, all of them even when one fails,
# then print a summary with each one's result and duration.
# Exit status: 0 when all passed, 1 otherwise.
#
#   scripts/run_checks.sh sanity units lint ...
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || exit 1

results=()
status=0
passed=0
failed=0
start_all=$SECONDS
for target in "$@"; do
    echo
    echo "################ make $target"
    start=$SECONDS
    if make --no-print-directory "$target"; then
        result=passed
        passed=$((passed + 1))
    else
        result=FAILED
        failed=$((failed + 1))
        status=1
    fi
    results+=("$(printf '%-20s %-7s %4ds' "$target" "$result" $((SECONDS - start)))")
done

echo
echo "################ summary"
printf '%s\n' "${results[@]}"
printf '%-20s %-7s %4ds\n' total "$([ $status -eq 0 ] && echo passed || echo FAILED)" $((SECONDS - start_all))
echo "checks: $passed passed, $failed failed"
exit $status
