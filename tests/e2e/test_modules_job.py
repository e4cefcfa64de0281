# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""em_backup_job and em_backup_job_info through real ansible-playbook runs against the emulator.

The ``jobs_em`` emulator (conftest.py) runs jobs for 2 s; Exchange Backup always fails, Oracle Backup
fails once and then succeeds (``--job-outcome``), every other job succeeds.
"""

from __future__ import absolute_import, division, print_function

import json
import os

import pytest

PLAYBOOKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playbooks", "modules")


def job_posts(stats):
    return stats["requests"].get("POST /api/jobs/{id}", 0)


def test_a_failed_pre_change_backup_stops_the_play(jobs_em, ansible_playbook):
    proc = ansible_playbook(os.path.join(PLAYBOOKS, "jobs_gate.yml"), env=jobs_em.env())
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out
    assert "PATCHED" not in out and "ended with Failed (fail_on: Failed)" in out
    assert '"changed": true' in out  # EM accepted the start: the failure says so
    stats = jobs_em.stats()
    assert stats["job_actions"] == {"start": 1} and job_posts(stats) == 1
    assert stats["open_logon_sessions"] == 0


def test_a_retry_recovers(jobs_em, ansible_playbook):
    proc = ansible_playbook(os.path.join(PLAYBOOKS, "jobs_retry.yml"), env=jobs_em.env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    stats = jobs_em.stats()
    assert stats["job_actions"] == {"start": 1, "retry": 1}  # the second retry sent nothing
    assert stats["open_logon_sessions"] == 0


def test_check_mode_sends_no_post(jobs_em, ansible_playbook):
    proc = ansible_playbook(os.path.join(PLAYBOOKS, "jobs_check_mode.yml"), env=jobs_em.env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    stats = jobs_em.stats()
    assert job_posts(stats) == 0 and not stats.get("job_actions")
    assert stats["open_logon_sessions"] == 0


@pytest.fixture()
def slow_jobs_em(start_emulator):
    """Jobs that run 15 s: the second start surely comes while the first run is still going, also on a busy machine."""
    return start_emulator("--seed", "42", "--job-duration", "15")


def test_a_job_started_twice_runs_once(slow_jobs_em, ansible_playbook):
    proc = ansible_playbook(os.path.join(PLAYBOOKS, "jobs_twice.yml"), env=slow_jobs_em.env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    stats = slow_jobs_em.stats()
    assert stats["job_actions"] == {"start": 1} and job_posts(stats) == 1


def test_a_read_only_account_gets_403_and_nothing_is_sent(jobs_em, ansible_playbook):
    env = jobs_em.env(user=(jobs_em.operator_user, jobs_em.operator_password))
    proc = ansible_playbook(os.path.join(PLAYBOOKS, "jobs_forbidden.yml"), env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    stats = jobs_em.stats()
    assert job_posts(stats) == 0 and stats["open_logon_sessions"] == 0


def _adhoc_result(proc):
    """The JSON result of a one-host ad-hoc run (``localhost | CHANGED => {...}``)."""
    assert " => " in proc.stdout, proc.stdout + proc.stderr
    return json.loads(proc.stdout.split(" => ", 1)[1])


def test_adhoc_empty_fail_on_never_fails(jobs_em, ansible_adhoc):
    """``fail_on=`` ad hoc (Ansible makes it [""]) means "never fail", as documented: a failed session is reported."""
    proc = ansible_adhoc("backupops.veeam_em.em_backup_job", "name='Exchange Backup' state=started fail_on=",
                         env=jobs_em.env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = _adhoc_result(proc)
    assert result["changed"] is True and result["backup_session"]["result"] == "Failed"
    stats = jobs_em.stats()
    assert stats["job_actions"] == {"start": 1} and stats["open_logon_sessions"] == 0


def test_adhoc_empty_fail_on_of_the_report_never_fails_the_gate(jobs_em, ansible_adhoc):
    proc = ansible_adhoc("backupops.veeam_em.em_backup_session_report", "window=7d fail_on=", env=jobs_em.env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    gate = _adhoc_result(proc)["gate"]
    assert gate["fail_on"] == [] and gate["failed"] is False
