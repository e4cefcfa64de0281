# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""backup_job_run against the emulator: the pre-change backup gates the change; retry_failed.yml.

The ``jobs_em`` emulator (conftest.py) runs jobs for 2 s; Exchange Backup always fails, Oracle
Backup fails once and then succeeds.
"""

from __future__ import absolute_import, division, print_function

import datetime

import pytest

PLAYBOOK = """---
- name: Patch a server after its backup
  hosts: localhost
  gather_facts: false
  pre_tasks:
    - name: Back it up first
      ansible.builtin.include_role:
        name: backupops.veeam_em.backup_job_run
      vars:
        backup_job_run_poll_interval: 1
  tasks:
    - name: Save what the role did
      ansible.builtin.copy:
        content: "{{ backup_job_run_result | to_json }}"
        dest: "{{ result_file }}"
        mode: "0600"
      check_mode: false

    - name: The change
      ansible.builtin.debug:
        msg: PATCHED
"""


@pytest.fixture()
def run_role(role_play):
    return role_play(PLAYBOOK, "patch.yml")


def actions(emulator):
    stats = emulator.stats()
    assert stats["open_logon_sessions"] == 0
    return stats.get("job_actions") or {}


def test_jobs_and_the_jobs_of_vms_run_at_once_and_the_change_goes_on(jobs_em, run_role):
    proc, result = run_role(jobs_em, backup_job_run_jobs=["SQL Backup"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert result["sent"] == ["SQL Backup"] and [s["result"] for s in result["sessions"]] == ["Success"]
    # SQL Backup has just backed up sql01: a VM finds its job (case-insensitively), once with the job named too
    # ... this time on one logon for the whole run (backup_job_run_reuse_logon)
    logons = jobs_em.stats()["logons"]
    proc, result = run_role(jobs_em, backup_job_run_jobs=["Fileserver Backup", "sql backup"],
                            backup_job_run_vms=["SQL01"], backup_job_run_vm_lookback="1h",
                            backup_job_run_reuse_logon=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PATCHED" in proc.stdout
    assert sorted(s["job_name"] for s in result["sessions"]) == ["Fileserver Backup", "SQL Backup"]
    assert result["failed"] == [] and len(result["sent"]) == 2
    assert actions(jobs_em) == {"start": 3} and jobs_em.stats()["logons"] == logons + 1


def test_a_failed_backup_stops_the_play_before_the_change(jobs_em, run_role):
    proc, result = run_role(jobs_em, backup_job_run_jobs=["Exchange Backup", "CRM Backup"])
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out
    assert "PATCHED" not in out
    assert "1 backup session(s) ended with a result in backup_job_run_fail_on (Failed): Exchange Backup: Failed" in out
    assert "failed VM " in out  # the VM that failed, with EM's reason
    assert actions(jobs_em) == {"start": 2}


def test_a_backup_still_running_at_the_timeout_stops_the_play_naming_it(start_emulator, run_role):
    # the start's EM task finishes after 4 s (a fifth of the duration), the session after 20 s
    slow = start_emulator("--seed", "42", "--job-duration", "20")
    proc, result = run_role(slow, backup_job_run_jobs=["SQL Backup"], backup_job_run_wait_timeout=6)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out
    assert "PATCHED" not in out
    assert "Backup sessions still running after backup_job_run_wait_timeout=6 s: SQL Backup@" in out
    assert "raise backup_job_run_wait_timeout, or look at the jobs on the backup server" in out
    assert actions(slow) == {"start": 1}


def test_an_unprotected_vm_stops_the_play_before_anything_runs(jobs_em, run_role):
    proc, result = run_role(jobs_em, backup_job_run_vms=["no-such-vm"], backup_job_run_vm_lookback="1h")
    assert proc.returncode == 2 and "No job backed up no-such-vm since 1h ago" in proc.stdout, proc.stdout
    assert actions(jobs_em) == {}


def test_check_mode_runs_nothing(jobs_em, run_role):
    proc, result = run_role(jobs_em, args=["--check"], backup_job_run_jobs=["Exchange Backup"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Check mode, nothing sent: would start Exchange Backup" in proc.stdout
    assert result["sent"] == ["Exchange Backup"] and result["sessions"] == []
    assert actions(jobs_em) == {} and jobs_em.stats()["requests"].get("POST /api/jobs/{id}", 0) == 0


def test_retry_failed_playbook_reports_recovered_and_not_recovered(jobs_em, ansible_playbook, tmp_path):
    start = tmp_path / "start.yml"
    start.write_text("- hosts: localhost\n  gather_facts: false\n  tasks:\n    - backupops.veeam_em.em_backup_job:\n"
                     "        name: '{{ item }}'\n        state: started\n        poll_interval: 1\n"
                     "      loop: [Exchange Backup, Oracle Backup]\n      ignore_errors: true\n")
    # the window starts now: no session of the dataset is in it, only the runs of this test
    window = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    first = ansible_playbook(str(start), env=jobs_em.env())
    assert first.returncode == 0 and "failed=0" in first.stdout  # both failed (ignored)
    assert actions(jobs_em) == {"start": 2}
    proc = ansible_playbook("playbooks/retry_failed.yml", env=jobs_em.env(),
                            extra_vars={"window": window, "poll_interval": 1})
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out  # Exchange Backup fails again: not recovered
    assert "recovered: Oracle Backup" in out and "not recovered: Exchange Backup" in out
    assert actions(jobs_em) == {"start": 2, "retry": 2}
    # again: Oracle Backup's last session succeeded, only Exchange Backup is retried
    proc = ansible_playbook("playbooks/retry_failed.yml", env=jobs_em.env(),
                            extra_vars={"window": window, "poll_interval": 1, "fail_if_not_recovered": False})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "not recovered: Exchange Backup" in proc.stdout and "recovered: Oracle Backup" not in proc.stdout
    assert actions(jobs_em) == {"start": 2, "retry": 3}
