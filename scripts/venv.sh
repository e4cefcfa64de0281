#!/usr/bin/env bash
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Create or refresh .venv.
#
#   scripts/venv.sh        the whole toolchain (make test): tests/requirements-dev.txt
#   scripts/venv.sh demo   only what the demo needs (make demo): what a user installs
#                          (ansible-core, requests) plus the emulator's cryptography,
#                          tests/requirements-demo.txt
#
# A stamp file named after the set and a hash of its requirement files records
# what was installed, so an unchanged venv costs nothing and a changed
# requirement file triggers one `pip install`; the whole toolchain includes the
# demo's set, so after `make test` the demo installs nothing.
#
# Needs only python3 (3.11+) with pip reaching the package index.
# PYTHON=/path/to/python3.x overrides the interpreter.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
venv=$repo/.venv
set_name=${1:-dev}
demo_reqs=("$repo/requirements.txt" "$repo/tests/requirements-demo.txt")
dev_reqs=("${demo_reqs[@]}" "$repo/tests/requirements-dev.txt")
case $set_name in
    demo) reqs=("${demo_reqs[@]}"); install=$repo/tests/requirements-demo.txt ;;
    dev) reqs=("${dev_reqs[@]}"); install=$repo/tests/requirements-dev.txt ;;
    *) echo "usage: scripts/venv.sh [demo|dev]" >&2; exit 2 ;;
esac

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

key_of() { cat "$@" | sha256sum | cut -c1-16; }
stamp=$venv/.installed-$set_name-$(key_of "${reqs[@]}")
dev_stamp=$venv/.installed-dev-$(key_of "${dev_reqs[@]}")

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
if [ ! -e "$stamp" ] && [ ! -e "$dev_stamp" ]; then
    echo "venv: installing the $set_name requirements into $venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$install"
    rm -f "$venv"/.installed-"$set_name"-*
    touch "$stamp"
fi
