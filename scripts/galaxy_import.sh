#!/usr/bin/env bash
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Build the collection tarball into build/ and run Galaxy's own import checks
# (galaxy-importer: metadata, docs, ansible-doc, ansible-lint, changelog) on it,
# with Automation Hub's stricter settings (a required tag, version >= 1.0.0).
# Fails when the importer fails or reports any warning or error.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$repo/.venv/bin
cd "$repo"

rm -f build/backupops-veeam_em-*.tar.gz
mkdir -p build/galaxy-importer
"$bin/ansible-galaxy" collection build --force --output-path build
tarball=$repo/$(ls build/backupops-veeam_em-*.tar.gz)

export GALAXY_IMPORTER_CHECK_REQUIRED_TAGS=true
export GALAXY_IMPORTER_REQUIRE_V1_OR_GREATER=true
export GALAXY_IMPORTER_TMP_ROOT_DIR=$repo/build/galaxy-importer
log=$repo/build/galaxy-importer/import.log
status=0
# the importer writes importer_result.json into its working directory
(cd build/galaxy-importer && PATH="$bin:$PATH" "$bin/python" -m galaxy_importer.main "$tarball") 2>&1 | tee "$log" || status=$?

if [ "$status" -ne 0 ]; then
    echo "galaxy-import: galaxy-importer failed (exit $status)" >&2
    exit 1
fi
if grep -Eq "^(WARNING|ERROR)|: (WARNING|ERROR)" "$log"; then
    echo "galaxy-import: galaxy-importer reported warnings or errors (see above; log in $log)" >&2
    exit 1
fi
echo "galaxy-import: $tarball imports cleanly"
