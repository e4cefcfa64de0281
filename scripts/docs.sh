#!/usr/bin/env bash
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# The collection's documentation checks and docs site, offline:
#   1. antsibull-docs lint-collection-docs --plugin-docs: every plugin's and
#      role's docs parse, and every M()/O()/RV() reference resolves;
#   2. antsibull-docs collection: RST pages for the collection (one per module,
#      role and plugin, plus indexes) into build/docs/rst;
#   3. sphinx-build (warnings are errors) into build/docs/html;
#   4. check that every module and role has its page in the site.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$repo/.venv/bin
cd "$repo"
export PATH=$bin:$PATH
# ansible finds this working tree as backupops.veeam_em through a symlinked
# tree in build/collections, or directly when the clone already is
# .../ansible_collections/backupops/veeam_em (scripts/collection_tree.py)
ANSIBLE_COLLECTIONS_PATH=$("$bin/python" scripts/collection_tree.py link)
export ANSIBLE_COLLECTIONS_PATH
export ANSIBLE_NOCOLOR=1

echo "docs: antsibull-docs lint-collection-docs --plugin-docs ."
antsibull-docs lint-collection-docs --plugin-docs .

echo "docs: generating RST into build/docs/rst"
rm -rf build/docs
mkdir -p build/docs/rst
chmod og-w build/docs/rst  # antsibull-docs wants its destination writable only by its owner
antsibull-docs --config-file docs/antsibull-docs.cfg collection \
    --use-current --squash-hierarchy --fail-on-error \
    --dest-dir build/docs/rst backupops.veeam_em

echo "docs: sphinx-build into build/docs/html"
sphinx-build -q -b html -c docs -W --keep-going build/docs/rst build/docs/html

missing=()
for module in plugins/modules/*.py; do
    [ -e "$module" ] || continue
    name=$(basename "$module" .py)
    [ -s "build/docs/html/${name}_module.html" ] || missing+=("module $name")
done
for role in roles/*/; do
    [ -e "$role" ] || continue
    name=$(basename "$role")
    [ -s "build/docs/html/${name}_role.html" ] || missing+=("role $name")
done
if [ ${#missing[@]} -gt 0 ]; then
    printf 'docs: no page in the site for %s\n' "${missing[@]}" >&2
    exit 1
fi
echo "docs: site ready at build/docs/html/index.html"
