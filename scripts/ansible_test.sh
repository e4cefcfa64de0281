#!/usr/bin/env bash
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Run ansible-test on a copy of the working tree, offline.
#
#   scripts/ansible_test.sh sanity --venv --python 3.11
#   scripts/ansible_test.sh units --venv --python 3.12
#
# 1. mirrors the working tree into build/ansible_collections/backupops/veeam_em
#    (ansible-test needs that layout; tests/output is kept between runs);
# 2. gives ansible-test scripts/get_pip_offline.py as its cached get-pip script
#    where it asks for one (it would otherwise download it from a host that is
#    not a package registry);
# 3. puts build/pythons (pythonX.Y -> real interpreters) first on PATH;
# 4. runs the venv's ansible-test inside the copy with the given arguments.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
venv_bin=${VENV_BIN:-$repo/.venv/bin}
python=$venv_bin/python

tree=$("$python" "$repo/scripts/collection_tree.py" mirror)

# ansible-test bootstraps pip into its venvs with a get-pip script that it
# downloads from a host that is not a package registry, unless a copy is in
# its cache; offline the download fails with "The bootstrap script can be
# manually downloaded and saved to: PATH". That public remedy is followed:
# our offline script (it installs pip from the index) is saved at PATH and the
# run repeated once. Copies of ours already in the cache are kept current.
for cached in "$HOME"/.ansible/test/cache/get_pip_*.py; do
    if [ -e "$cached" ] && grep -q backupops-veeam-em-get-pip "$cached"; then
        cmp -s "$repo/scripts/get_pip_offline.py" "$cached" || cp "$repo/scripts/get_pip_offline.py" "$cached"
    fi
done

pythons=$repo/build/pythons
"$repo/scripts/python_links.sh" "$pythons" >/dev/null

cd "$tree"
export PATH="$pythons:$venv_bin:$PATH"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for attempt in 1 2; do
    status=0
    "$venv_bin/ansible-test" "$@" 2>&1 | tee "$log" || status=${PIPESTATUS[0]}
    wanted=$(sed -n 's/.*manually downloaded and saved to: \(.*get_pip_[0-9_]*\.py\).*/\1/p' "$log" | head -n 1)
    if [ "$status" -eq 0 ] || [ -z "$wanted" ] || [ -e "$wanted" ] || [ "$attempt" -eq 2 ]; then
        exit "$status"
    fi
    echo "ansible_test.sh: saving the offline get-pip script as $wanted and running again"
    mkdir -p "$(dirname "$wanted")"
    cp "$repo/scripts/get_pip_offline.py" "$wanted"
    rm -f "$wanted.download"  # what the failed download left
done
