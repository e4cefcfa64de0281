#!/usr/bin/env bash
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Create or refresh .venv, the project's toolchain (ansible-core 2.19, test
# and lint tools).  A stamp file named after a hash of the requirement files
# records what was installed, so an unchanged venv costs nothing and a changed
# requirement file triggers one `pip install`.
#
# Needs only python3 (3.11+) with pip reaching the package index.
# PYTHON=/path/to/python3.x overrides the interpreter.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
venv=$repo/.venv
reqs=("$repo/requirements.txt" "$repo/tests/requirements-dev.txt")

python=${PYTHON:-}
if [ -z "$python" ]; then
    for candidate in python3.11 python3.12 python3.13 python3; do
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 14))' 2>/dev/null; then
            python=$(command -v "$candidate")
            break
        fi
    done
fi
if [ -z "$python" ]; then
    echo "error: ansible-core 2.19 needs Python 3.11, 3.12 or 3.13; none found (set PYTHON=...)" >&2
    exit 1
fi

key=$(cat "${reqs[@]}" | sha256sum | cut -c1-16)
stamp=$venv/.installed-$key

if [ -e "$venv" ] && ! "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' >/dev/null 2>&1; then
    echo "venv: $venv is broken or too old; recreating it"
    rm -rf "$venv"
fi
if [ ! -e "$venv/bin/python" ]; then
    echo "venv: creating $venv with $python"
    if ! "$python" -m venv "$venv"; then
        # Debian without python3-venv: no ensurepip; let the system pip install pip
        rm -rf "$venv"
        "$python" -m venv --without-pip "$venv"
        "$python" -m pip --python "$venv/bin/python" install --quiet pip
    fi
fi
if [ ! -e "$stamp" ]; then
    echo "venv: installing requirements into $venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r "$repo/requirements.txt" -r "$repo/tests/requirements-dev.txt"
    rm -f "$venv"/.installed-*
    touch "$stamp"
fi
