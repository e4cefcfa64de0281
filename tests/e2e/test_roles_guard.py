# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""backup_session_guard against the emulator: it stops exactly the sessions that break a rule."""

from __future__ import absolute_import, division, print_function


import datetime

import pytest

from test_roles_emapi import EmApi, parse_time

from ansible_collections.backupops.veeam_em.plugins.module_utils._sessions import ACTIVE_STATES, STOPPABLE_STATES

PLAYBOOK = """---
- name: Run the backup_session_guard role
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Guard
      ansible.builtin.include_role:
        name: backupops.veeam_em.backup_session_guard

    - name: Save what the guard decided
      ansible.builtin.copy:
        content: "{{ backup_session_guard_result | to_json }}"
        dest: "{{ result_file }}"
        mode: "0600"
      check_mode: false
"""


@pytest.fixture()
def run_guard(role_play):
    return role_play(PLAYBOOK, "guard.yml")


def running(emulator):
    with EmApi(emulator) as api:
        return [s for s in api.sessions() if s["state"] in ACTIVE_STATES]


def over(sessions, now, hours):
    now_time = parse_time(now)
    return sorted(s["id"] for s in sessions if s["state"] in STOPPABLE_STATES
                  and (now_time - parse_time(s["creation_time"])).total_seconds() > hours * 3600)


def judged_now():
    """The time the test has the guard judge its rules at (stated before the run, not read from its result)."""
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_check_mode_reports_and_stops_nothing(fresh_emulator, run_guard):
    before = running(fresh_emulator)
    now = judged_now()
    expected = over(before, now, 8)
    assert expected, "the seed-42 dataset has sessions running for more than 8 hours"
    proc, result = run_guard(fresh_emulator, args=["--check"], backup_session_guard_max_runtime="8h",
                             backup_session_guard_now=now)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert parse_time(result["now"]) == parse_time(now)
    assert sorted(c["id"] for c in result["would_stop"]) == expected
    assert result["stopped"] == [] and sorted(c["id"] for c in result["candidates"]) == expected
    assert result["running"] == sum(1 for s in before if s["state"] in STOPPABLE_STATES)
    assert "would stop (check mode) %d" % len(expected) in proc.stdout
    stats = fresh_emulator.stats()
    assert stats["stop_requests"] == 0
    assert not [p for p in stats["requests"] if p.startswith("POST /api/backupSessions")]
    assert stats["open_logon_sessions"] == 0
    assert sorted((s["id"], s["state"]) for s in running(fresh_emulator)) == sorted((s["id"], s["state"]) for s in before)


def test_stops_exactly_the_over_long_sessions_and_is_idempotent(fresh_emulator, run_guard):
    before = running(fresh_emulator)
    logons = fresh_emulator.stats()["logons"]
    now = judged_now()
    expected = over(before, now, 8)
    assert expected, "the seed-42 dataset has sessions running for more than 8 hours"
    proc, result = run_guard(fresh_emulator, backup_session_guard_max_runtime="8h", backup_session_guard_now=now)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert parse_time(result["now"]) == parse_time(now)
    assert sorted(c["id"] for c in result["stopped"]) == expected
    stats = fresh_emulator.stats()
    assert stats["stop_requests"] == len(expected)
    # every task logs on and off itself (nothing held between tasks that a cancel could leave open):
    # one logon for the query, one per stop
    assert stats["open_logon_sessions"] == 0 and stats["logons"] == logons + 1 + len(expected)

    with EmApi(fresh_emulator) as api:
        after = dict((s["id"], s) for s in api.sessions())
    for sid in expected:
        assert after[sid]["state"] == "Stopped", after[sid]
    for s in before:
        if s["id"] not in expected:
            assert after[s["id"]]["state"] == s["state"], s

    # a second run finds nothing more to stop; with backup_session_guard_reuse_logon, on one logon
    logons = fresh_emulator.stats()["logons"]
    proc, result = run_guard(fresh_emulator, backup_session_guard_max_runtime="8h",
                             backup_session_guard_reuse_logon=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert result["candidates"] == [] and result["stopped"] == []
    stats = fresh_emulator.stats()
    assert stats["stop_requests"] == len(expected)
    assert stats["open_logon_sessions"] == 0 and stats["logons"] == logons + 1


def test_allowed_window_and_filters(fresh_emulator, run_guard):
    before = running(fresh_emulator)
    stoppable = [s for s in before if s["state"] in STOPPABLE_STATES]
    job_types = sorted(set(s["job_type"] for s in stoppable))
    chosen = job_types[0]
    # 12:00 UTC is 13:00 in Berlin: outside 20:00-06:00, so every running session of the type breaks the rule
    proc, result = run_guard(fresh_emulator, args=["--check"], backup_session_guard_max_runtime="",
                             backup_session_guard_allowed_window={"start": "20:00", "end": "06:00"},
                             backup_session_guard_timezone="Europe/Berlin",
                             backup_session_guard_now="2030-01-15T12:00:00Z",
                             backup_session_guard_job_type=[chosen], backup_session_guard_max_stops=0)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert sorted(c["id"] for c in result["would_stop"]) == sorted(s["id"] for s in stoppable if s["job_type"] == chosen)
    assert all("outside the allowed window 20:00-06:00 Europe/Berlin" in c["reasons"][0] for c in result["candidates"])
    # 22:00 UTC is 23:00 in Berlin: inside the window, nothing to stop; a job name filter
    # restricts the sessions looked at
    name = stoppable[0]["job_name"]
    proc, result = run_guard(fresh_emulator, args=["--check"], backup_session_guard_max_runtime="",
                             backup_session_guard_allowed_window={"start": "20:00", "end": "06:00"},
                             backup_session_guard_timezone="Europe/Berlin",
                             backup_session_guard_now="2030-01-15T22:00:00Z",
                             backup_session_guard_job_name=[name])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert result["candidates"] == []
    assert result["running"] == sum(1 for s in stoppable if s["job_name"] == name)
    assert fresh_emulator.stats()["stop_requests"] == 0


def test_max_stops_refuses_to_stop_anything(fresh_emulator, run_guard):
    proc, result = run_guard(fresh_emulator, backup_session_guard_max_runtime="1m", backup_session_guard_max_stops=2)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "more than backup_session_guard_max_stops (2); nothing was stopped" in proc.stdout
    stats = fresh_emulator.stats()
    assert stats["stop_requests"] == 0 and stats["open_logon_sessions"] == 0


def test_rules_are_required(fresh_emulator, run_guard):
    proc, _result = run_guard(fresh_emulator, backup_session_guard_max_runtime="")
    assert proc.returncode == 2
    assert "set max_runtime, allowed_window or both" in proc.stdout
    assert fresh_emulator.stats()["open_logon_sessions"] == 0
