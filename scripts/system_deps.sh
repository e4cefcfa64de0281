#!/usr/bin/env bash
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Install the system packages the test suite needs (bindep.txt, profile
# "test": chromium for the report screenshot test, shellcheck for sanity,
# openjdk-17-jre-headless for ansible-rulebook)
# when they are missing.  Uses apt-get (one `apt-get update`, then one
# install) as root or through passwordless sudo; otherwise it only says what
# is missing.  Nothing happens when everything is installed.  A failed
# installation is reported but does not stop `make test`.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
bindep=$repo/.venv/bin/bindep

if missing=$("$bindep" --file "$repo/bindep.txt" --brief test 2>/dev/null); then
    exit 0
fi
read -r -a packages <<<"$(echo "$missing" | tr '\n' ' ')"
if [ ${#packages[@]} -eq 0 ]; then
    echo "system-deps: bindep could not check the system packages; skipping" >&2
    exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo=(sudo -n)
    else
        echo "system-deps: missing ${packages[*]}; install them as root (apt-get install ${packages[*]})" >&2
        exit 0
    fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: missing ${packages[*]} and no apt-get here; install them with your package manager" >&2
    exit 0
fi

echo "system-deps: installing ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null; }; then
    # the checks that need them fail (chromium) or are skipped (shellcheck) and say why
    echo "system-deps: could not install ${packages[*]}; continuing without them" >&2
fi
