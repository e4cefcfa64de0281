#!/usr/bin/env bash
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Prepare the execution environment's build context:
#   1. build the collection tarball into build/ee/ (the file execution-environment.yml uses);
#   2. `ansible-builder create` into the given folder (default build/ctx);
#   3. check that the context holds the collection, and that ansible-builder's
#      introspection of the installed collection finds its Python and system
#      requirements (and not the test-only ones);
#   4. the same for the decision environment (extensions/eda/decision-environment.yml)
#      into build/de-ctx, next to the given folder.
# Building the image itself needs podman or docker: ansible-builder build, or
# `podman build -t veeam-em-ee build/ctx`.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$repo/.venv/bin
context=${1:-build/ctx}
cd "$repo"

rm -rf build/ee "$context"
mkdir -p build/ee
"$bin/ansible-galaxy" collection build --force --output-path build/ee >/dev/null
mv build/ee/backupops-veeam_em-*.tar.gz build/ee/backupops-veeam_em.tar.gz

"$bin/ansible-builder" create --file execution-environment.yml --context "$context" --output-filename Containerfile

for f in "$context/Containerfile" "$context/_build/collections/backupops-veeam_em.tar.gz"; do
    if [ ! -s "$f" ]; then
        echo "ee: $f is missing" >&2
        exit 1
    fi
done
# the collection ships the files meta/execution-environment.yml points ansible-builder to
listing=$(tar -tzf "$context/_build/collections/backupops-veeam_em.tar.gz")
for f in meta/execution-environment.yml requirements.txt bindep.txt; do
    if ! grep -qx "$f" <<<"$listing"; then
        echo "ee: the collection tarball lacks $f" >&2
        exit 1
    fi
done
# what ansible-builder's introspection finds in the installed collection
"$bin/ansible-galaxy" collection install --force -p build/ee/installed build/ee/backupops-veeam_em.tar.gz >/dev/null 2>&1
"$bin/ansible-builder" introspect --sanitize build/ee/installed \
    --write-pip build/ee/requirements.txt --write-bindep build/ee/bindep.txt
if ! grep -q "^requests" build/ee/requirements.txt; then
    echo "ee: ansible-builder does not see the collection's Python dependency requests" >&2
    exit 1
fi
# the image's assemble step runs `bindep -l newline` (default profile): the
# [test] entries must not be in it
packages=$("$bin/bindep" --file build/ee/bindep.txt -l newline || true)
if [ "$packages" != "ca-certificates" ]; then
    echo "ee: the image would get the system packages [$packages] instead of [ca-certificates]" >&2
    exit 1
fi
echo "ee: build context ready in $context (build it with: podman build -t veeam-em-ee $context)"

# the decision environment (Event-Driven Ansible) from the same tarball, next to it
de_context=${context%/*}/de-ctx
rm -rf "$de_context"
"$bin/ansible-builder" create --file extensions/eda/decision-environment.yml --context "$de_context" \
    --output-filename Containerfile >/dev/null
for want in "ansible-rulebook" "java-17-openjdk-headless" "JAVA_TOOL_OPTIONS=-Xrs"; do
    if ! grep -rqF -- "$want" "$de_context"; then
        echo "de: the decision environment's build context lacks $want" >&2
        exit 1
    fi
done
if [ ! -s "$de_context/_build/collections/backupops-veeam_em.tar.gz" ]; then
    echo "de: the decision environment's build context lacks the collection" >&2
    exit 1
fi
echo "de: build context ready in $de_context (build it with: podman build -t veeam-em-de $de_context)"
