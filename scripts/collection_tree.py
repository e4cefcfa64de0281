# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place that makes this working tree a collection ``backupops.veeam_em``.

Ansible finds a collection only below ``ansible_collections/NAMESPACE/NAME``.
Every tool gets that tree from here:

``link`` (ansible, ansible-playbook, ansible-doc, antsibull-docs, the demo,
pytest's imports of ``ansible_collections.backupops.veeam_em``): a directory
``ROOT/ansible_collections/backupops/veeam_em`` that is a symlink to the
working tree, so every run sees the files as they are; ROOT is what
``ANSIBLE_COLLECTIONS_PATH`` (or ``sys.path``) gets.  A clone that already
lies at ``.../ansible_collections/backupops/veeam_em`` is used as it is.

``mirror`` (ansible-test): ansible-test needs the collection below a real ``ansible_collections/NS/NAME``
directory and resolves symlinks, so a symlink to the repository root does not
work.  This copies the git-tracked files and the untracked files that are not
ignored (what ``git ls-files -co --exclude-standard`` lists), removes files that
disappeared from the working tree, and keeps ``tests/output`` (ansible-test's
cache and results) between runs.  Unchanged files are not rewritten, so the
copy takes well under a second.

The copy lies inside this repository's ignored build/ folder; ansible-test
looks for version control upwards from the collection and would find this
repository, where the copy is ignored, and see no files at all.  So the copy
gets an empty git repository of its own (nothing is ever added to it: git
lists its files as untracked, minus those its .gitignore excludes).

Usage:
  collection_tree.py link [ROOT]     (default build/collections; prints ROOT)
  collection_tree.py mirror [DEST]   (default build/ansible_collections/backupops/veeam_em; prints DEST)
"""

from __future__ import absolute_import, division, print_function

import filecmp
import os
import shutil
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAME = ("backupops", "veeam_em")
DEFAULT_ROOT = os.path.join(REPO, "build", "collections")
DEFAULT_DEST = os.path.join(REPO, "build", "ansible_collections", *NAME)
KEEP = ("tests/output", ".git")


def source_files():
    """Relative paths of the files that make up the working tree."""
    out = subprocess.check_output(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO
    )
    paths = set()
    for raw in out.split(b"\0"):
        if not raw:
            continue
        rel = raw.decode("utf-8", "surrogateescape")
        full = os.path.join(REPO, rel)
        # tracked files deleted in the working tree are still listed
        if os.path.lexists(full) and not os.path.isdir(full):
            paths.add(rel)
    return paths


def kept(rel):
    return any(rel == k or rel.startswith(k + "/") for k in KEEP)


def sync(dest):
    wanted = source_files()
    for rel in sorted(wanted):
        src = os.path.join(REPO, rel)
        dst = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.islink(src):
            target = os.readlink(src)
            if os.path.islink(dst) and os.readlink(dst) == target:
                continue
            if os.path.lexists(dst):
                os.remove(dst)
            os.symlink(target, dst)
            continue
        if os.path.islink(dst):
            os.remove(dst)
        if os.path.isfile(dst) and filecmp.cmp(src, dst, shallow=False):
            continue
        shutil.copy2(src, dst)

    # remove what is no longer in the working tree (except kept folders)
    for root, dirs, files in os.walk(dest, topdown=False):
        rel_root = os.path.relpath(root, dest)
        rel_root = "" if rel_root == "." else rel_root
        for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            rel = os.path.join(rel_root, name) if rel_root else name
            if rel not in wanted and not kept(rel):
                os.remove(os.path.join(root, name))
        if rel_root and not kept(rel_root) and not os.listdir(root):
            os.rmdir(root)


def enclosing_root(path=REPO):
    """ROOT when ``path`` already is ROOT/ansible_collections/backupops/veeam_em, else None."""
    parts = os.path.abspath(path).split(os.sep)
    if len(parts) >= 4 and parts[-3] == "ansible_collections" and tuple(parts[-2:]) == NAME:
        return os.sep.join(parts[:-3])
    return None


def link(root=DEFAULT_ROOT):
    """ROOT in which ``ansible_collections/backupops/veeam_em`` is this working tree (made if needed).

    The symlink is replaced atomically, so parallel test workers may all call this.
    """
    existing = enclosing_root()
    if existing is not None:
        return existing
    parent = os.path.join(root, "ansible_collections", NAME[0])
    os.makedirs(parent, exist_ok=True)
    target = os.path.join(parent, NAME[1])
    if not (os.path.islink(target) and os.readlink(target) == REPO):
        temp = "%s.%d.tmp" % (target, os.getpid())
        os.symlink(REPO, temp)
        os.replace(temp, target)
    return root


def importable():
    """Put a ROOT on ``sys.path`` so that ``import ansible_collections.backupops.veeam_em`` finds this tree."""
    root = link(os.path.join(REPO, "build", "collections"))
    if root not in sys.path:
        sys.path.insert(0, root)
    return root


def mirror(dest=DEFAULT_DEST):
    """A copy of the working tree at DEST (for ansible-test, which resolves symlinks)."""
    dest = os.path.abspath(dest)
    parts = dest.split(os.sep)
    if len(parts) < 3 or parts[-3] != "ansible_collections":
        sys.exit("destination must end in ansible_collections/NAMESPACE/NAME: %s" % dest)
    os.makedirs(dest, exist_ok=True)
    sync(dest)
    if not os.path.isdir(os.path.join(dest, ".git")):
        subprocess.check_call(["git", "init", "--quiet", dest])
    return dest


def main():
    commands = {"link": link, "mirror": mirror}
    if len(sys.argv) not in (2, 3) or sys.argv[1] not in commands:
        sys.exit(__doc__[__doc__.index("Usage:"):])
    where = commands[sys.argv[1]](*[os.path.abspath(arg) for arg in sys.argv[2:]])
    print(where)


if __name__ == "__main__":
    main()
