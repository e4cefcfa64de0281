#!/usr/bin/env bash
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Make a folder of pythonX.Y symlinks to real interpreters (not pyenv shims,
# which fail inside ansible-test for non-global versions) for every Python
# that ansible-core 2.19 supports as a target and this machine offers.
#
# Usage: scripts/python_links.sh DIR [VERSION...]
# Prints the versions it linked, one per line, on stdout; notes about missing
# versions go to stderr.  Versions default to 3.8 .. 3.13.
set -euo pipefail

dir=$1
shift
versions=("$@")
if [ ${#versions[@]} -eq 0 ]; then
    versions=(3.8 3.9 3.10 3.11 3.12 3.13)
fi

mkdir -p "$dir"
pyenv_root=""
if command -v pyenv >/dev/null 2>&1; then
    pyenv_root=$(pyenv root)
fi

find_python() {
    local v=$1 candidate
    if [ -n "$pyenv_root" ]; then
        # highest installed patch release of X.Y
        candidate=$(find "$pyenv_root/versions" -maxdepth 3 -path "*/versions/$v.*/bin/python$v" 2>/dev/null \
            | sort -t. -k3,3n | tail -n 1)
        if [ -n "$candidate" ]; then
            echo "$candidate"
            return
        fi
    fi
    for candidate in "/usr/bin/python$v" "/usr/local/bin/python$v"; do
        if [ -x "$candidate" ]; then
            echo "$candidate"
            return
        fi
    done
}

for v in "${versions[@]}"; do
    py=$(find_python "$v")
    if [ -z "$py" ]; then
        rm -f "$dir/python$v"
        echo "note: Python $v is not installed on this machine; skipping it" >&2
        continue
    fi
    # ansible-test --venv needs the venv module and ensurepip's bundled pip
    if ! "$py" -c 'import venv, ensurepip, glob, os; assert glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled", "pip-*.whl"))' >/dev/null 2>&1; then
        rm -f "$dir/python$v"
        echo "note: Python $v at $py has no working venv/ensurepip; skipping it" >&2
        continue
    fi
    # replace the link atomically: a concurrent ansible-test run may be using it
    if [ "$(readlink "$dir/python$v" 2>/dev/null)" != "$py" ]; then
        ln -sfn "$py" "$dir/.python$v.$$"
        mv -Tf "$dir/.python$v.$$" "$dir/python$v"
    fi
    echo "$v"
done
