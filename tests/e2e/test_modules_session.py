# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""em_backup_session_stop and em_logon_session through real ansible-playbook runs."""

from __future__ import absolute_import, division, print_function

import os

PLAYBOOKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playbooks", "modules")


def test_logon_once_for_many_tasks(fresh_emulator, ansible_playbook):
    proc = ansible_playbook(os.path.join(PLAYBOOKS, "logon_reuse.yml"), extra_vars={"info_tasks": 5},
                            env=fresh_emulator.env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    stats = fresh_emulator.stats()
    # Play 1: one logon for 6 tasks; play 2: the info task logs on by itself.
    assert stats["logons"] == 2 and stats["logouts"] == 2
    assert stats["open_logon_sessions"] == 0
    assert stats["requests"]["GET /api/query"] == 8  # 5 + 1 with the token, 1 refused (401), 1 in play 2
    assert stats["requests"]["GET /api/logonSessions"] == 1
    assert fresh_emulator.admin_password not in proc.stdout + proc.stderr


def test_stop_check_mode_diff_wait_idempotence(fresh_emulator, ansible_playbook):
    proc = ansible_playbook(os.path.join(PLAYBOOKS, "stop.yml"), env=fresh_emulator.env(), args=["--diff"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert '"state": "Working"' in proc.stdout and '"state": "Stopped"' in proc.stdout  # the diff is shown
    stats = fresh_emulator.stats()
    assert stats["stop_requests"] == stats["requests"]["POST /api/backupSessions/{id}"] >= 2
    assert stats["open_logon_sessions"] == 0
    assert stats["logons"] == stats["logouts"] == 9  # one per module task


def test_stop_forbidden_for_restore_operator(fresh_emulator, ansible_playbook):
    env = fresh_emulator.env(user=(fresh_emulator.operator_user, fresh_emulator.operator_password))
    proc = ansible_playbook(os.path.join(PLAYBOOKS, "stop_forbidden.yml"), env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    stats = fresh_emulator.stats()
    assert stats["requests"]["POST /api/backupSessions/{id}"] == 1  # refused once, never repeated
    assert stats["open_logon_sessions"] == 0 and stats["logons"] == 2
