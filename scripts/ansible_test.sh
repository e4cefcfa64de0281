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
# 2. installs scripts/get_pip_offline.py as ansible-test's cached get-pip script
#    (it would otherwise download one from a host that is not a package registry);
# 3. puts build/pythons (pythonX.Y -> real interpreters) first on PATH;
# 4. runs the venv's ansible-test inside the copy with the given arguments.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
venv_bin=${VENV_BIN:-$repo/.venv/bin}
python=$venv_bin/python

tree=$("$python" "$repo/scripts/sync_collection_tree.py")

# the pip version ansible-test bootstraps into its venvs (24.2 for ansible-core 2.19)
pip_version=$("$python" -c 'from ansible_test._internal.python_requirements import get_venv_packages
from ansible_test._internal.host_configs import NativePythonConfig
print(get_venv_packages(NativePythonConfig(version="3.11"))["pip"])' 2>/dev/null || echo 24.2)
cache=$HOME/.ansible/test/cache
get_pip=$cache/get_pip_${pip_version//./_}.py
mkdir -p "$cache"
if [ ! -e "$get_pip" ] || { grep -q backupops-veeam-em-get-pip "$get_pip" && ! cmp -s "$repo/scripts/get_pip_offline.py" "$get_pip"; }; then
    cp "$repo/scripts/get_pip_offline.py" "$get_pip"
fi

pythons=$repo/build/pythons
"$repo/scripts/python_links.sh" "$pythons" >/dev/null

cd "$tree"
PATH="$pythons:$venv_bin:$PATH" exec "$venv_bin/ansible-test" "$@"
