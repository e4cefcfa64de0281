#!/usr/bin/env bash
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# The demo (`make demo`): start the bundled Enterprise Manager emulator, run
# playbooks/demo.yml against it with the credentials in VEEAM_EM_* environment
# variables (as AWX injects them), stop the emulator, say where the report is.
#
# REPORT_DIR=/some/dir scripts/demo.sh   writes the report elsewhere
#                                        (default build/demo-report)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
"$repo/scripts/venv.sh" demo
bin=$repo/.venv/bin

report_dir=${REPORT_DIR:-build/demo-report}
mkdir -p "$report_dir" build/demo
report_dir=$(cd "$report_dir" && pwd)

# ansible finds this working tree as backupops.veeam_em (a symlinked tree in build/collections)
collections=$("$bin/python" scripts/collection_tree.py link)

log=build/demo/emulator.log
# Empty the log before the emulator starts: its own redirection truncates the
# file only once the background process runs, and the wait below must never
# read the previous run's "ready at" line (and connect to that run's port).
rm -f "$log"
: >"$log"
"$bin/python" tests/emulator/run_emulator.py --port 0 --cert-dir build/demo >"$log" 2>&1 &
emulator_pid=$!

stop_emulator() {
    if kill -0 "$emulator_pid" 2>/dev/null; then
        kill -TERM "$emulator_pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$emulator_pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$emulator_pid" 2>/dev/null || true
    fi
    wait "$emulator_pid" 2>/dev/null || true
}
trap stop_emulator EXIT

url=""
for _ in $(seq 1 600); do
    if ready=$(grep -m 1 "ready at " "$log"); then
        url=${ready##*ready at }
        break
    fi
    if ! kill -0 "$emulator_pid" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
if [ -z "$url" ]; then
    echo "demo: the emulator did not start; its output:" >&2
    cat "$log" >&2
    exit 1
fi
echo "demo: $(grep -m 1 'ready at ' "$log")"

# https://127.0.0.1:40123/api/ -> protocol, host, port
protocol=${url%%://*}
hostport=${url#*://}
hostport=${hostport%%/*}
export VEEAM_EM_PROTOCOL=$protocol
export VEEAM_EM_SERVER=${hostport%:*}
export VEEAM_EM_PORT=${hostport##*:}
# the emulator's documented demo account (Portal Administrator)
export VEEAM_EM_USER=Administrator
export VEEAM_EM_PASSWORD='Emulator-Admin-1!'
if ca_line=$(grep -m 1 "^CA certificate written to " "$log"); then
    export VEEAM_EM_CA_PATH=${ca_line#CA certificate written to }
fi

export ANSIBLE_COLLECTIONS_PATH=$collections
export ANSIBLE_PYTHON_INTERPRETER=$bin/python
export ANSIBLE_LOCALHOST_WARNING=0
export ANSIBLE_INVENTORY_UNPARSED_WARNING=0
extra_vars=$("$bin/python" -c 'import json, sys; print(json.dumps({"report_dir": sys.argv[1]}))' "$report_dir")
"$bin/ansible-playbook" -i localhost, -c local playbooks/demo.yml -e "$extra_vars"

echo
echo "demo: the report is in $report_dir"
for f in "$report_dir"/*; do
    [ -e "$f" ] && echo "  $f"
done
