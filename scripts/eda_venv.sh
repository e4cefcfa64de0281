#!/usr/bin/env bash
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Create or refresh build/eda-venv: ansible-rulebook (Event-Driven Ansible)
# with ansible-core and requests, from tests/requirements-eda.txt.  Kept apart
# from .venv (ansible-rulebook pins its own dependencies).  A stamp named
# after a hash of the requirement files makes an unchanged venv cost nothing.
# Prints the venv's bin directory.  PYTHON=/path/to/python3.x overrides the
# interpreter (3.11 by default).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
venv=${EDA_VENV:-$repo/build/eda-venv}
reqs=("$repo/tests/requirements-eda.txt" "$repo/requirements.txt")
python=${PYTHON:-$(command -v python3.11 || command -v python3)}
stamp=$venv/.installed-$(cat "${reqs[@]}" | sha256sum | cut -c1-16)

# one builder at a time: the e2e workers (pytest -n 2) may both ask for it on a fresh clone
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
if [ ! -e "$stamp" ]; then
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$repo/tests/requirements-eda.txt" >&2
    touch "$stamp"
fi
if ! command -v java >/dev/null 2>&1; then
    echo "eda-venv: java not found: ansible-rulebook needs Java 17 (apt-get install openjdk-17-jre-headless)" >&2
fi
echo "$venv/bin"
