# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every module's EXAMPLES block runs against the emulator, so an example can never rot.

The tasks run as written, with two changes a reader would make too: the
connection (``server: em.example.com``) comes from the emulator's
``VEEAM_EM_*`` variables, and tasks that stop something run in check mode.
"""

from __future__ import absolute_import, division, print_function

import ast
import glob
import os

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULES = sorted(glob.glob(os.path.join(REPO, "plugins", "modules", "*.py")))
CONNECTION = ("server", "host", "hostname", "port", "protocol", "ca_path", "validate_certs")
ACTIONS = ("em_backup_session_stop",)


def examples(path):
    """The EXAMPLES string of a module file, read without importing it."""
    for node in ast.parse(open(path).read()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "EXAMPLES" for t in node.targets):
            return node.value.value
    raise AssertionError("%s has no EXAMPLES" % path)


def runnable(task):
    """The task with its connection taken from the environment, and check mode where it would act."""
    task = dict(task)
    for section in ("block", "rescue", "always"):
        if section in task:
            task[section] = [runnable(t) for t in task[section]]
    for key in list(task):
        if key.startswith("backupops.veeam_em."):
            args = dict(task[key] or {})
            for option in CONNECTION:
                args.pop(option, None)
            task[key] = args
            if key.rsplit(".", 1)[1] in ACTIONS:
                task["check_mode"] = True
    return task


@pytest.mark.parametrize("path", MODULES, ids=[os.path.basename(p)[:-3] for p in MODULES])
def test_examples_run_against_the_emulator(fresh_emulator, ansible_playbook, tmp_path, path):
    tasks = yaml.safe_load(examples(path))
    assert isinstance(tasks, list) and tasks, "EXAMPLES must be a list of tasks"
    env = fresh_emulator.env()
    play = [{
        "name": "EXAMPLES of %s" % os.path.basename(path),
        "hosts": "localhost",
        "gather_facts": False,
        "vars": {"em_user": env["VEEAM_EM_USER"], "em_password": env["VEEAM_EM_PASSWORD"]},
        "tasks": [runnable(task) for task in tasks],
    }]
    playbook = tmp_path / "examples.yml"
    playbook.write_text(yaml.safe_dump(play, sort_keys=False))
    proc = ansible_playbook(str(playbook), env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "failed=0" in proc.stdout and "[WARNING]" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    stats = fresh_emulator.stats()
    assert stats["open_logon_sessions"] == 0 and stats["stop_requests"] == 0, stats
