#!/usr/bin/env bash
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Run ansible-test on several Python versions, skipping (with a note) those
# this machine does not have.
#
#   scripts/ansible_test_pythons.sh sanity 3.8 3.9 ...   # the version-specific
#                                                       # sanity tests: compile, import
#   scripts/ansible_test_pythons.sh units 3.8 3.9 ...    # the unit tests
#
# Every version runs even when one fails; the exit status is 1 if any failed.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
mode=$1
shift

case $mode in
    sanity) args=(sanity --venv --test compile --test import) ;;
    units) args=(units --venv) ;;
    *) echo "usage: $0 sanity|units VERSION..." >&2; exit 2 ;;
esac

mapfile -t found < <("$repo/scripts/python_links.sh" "$repo/build/pythons" "$@")
if [ ${#found[@]} -eq 0 ]; then
    echo "note: none of Python $* is installed here; nothing to run"
    exit 0
fi

failed=()
for v in "${found[@]}"; do
    echo "=== ansible-test ${args[*]} --python $v"
    if ! "$repo/scripts/ansible_test.sh" "${args[@]}" --python "$v"; then
        failed+=("$v")
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "ansible-test $mode failed on Python ${failed[*]}" >&2
    exit 1
fi
echo "ansible-test $mode passed on Python ${found[*]}"
