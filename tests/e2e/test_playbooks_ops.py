# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/report.yml, stop_session.yml and guard.yml run the way an AWX job template runs
them: credentials only in VEEAM_EM_* variables, options as extra vars (survey answers)."""

from __future__ import absolute_import, division, print_function

import json

from test_roles_emapi import EmApi

from ansible_collections.backupops.veeam_em.plugins.module_utils._sessions import ACTIVE_STATES, STOPPABLE_STATES


def sessions(emulator):
    with EmApi(emulator) as api:
        return dict((s["id"], s) for s in api.sessions())


def test_report_playbook_takes_survey_answers(fresh_emulator, ansible_playbook, tmp_path):
    before = sessions(fresh_emulator)
    names = sorted(set(s["job_name"] for s in before.values()))[:3]
    out = tmp_path / "report"
    # a textarea answer is one string with one name per line; a multiselect answer is a list
    proc = ansible_playbook("playbooks/report.yml", env=fresh_emulator.env(), extra_vars={
        "report_dir": str(out), "window": "14d", "job_name": "\n".join(names) + "\n",
        "job_type": [], "fail_on": "", "timeline": "day", "title": u"Nightly \u2013 \"ops\" <report>"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(str(out / "backup-session-report.json"), encoding="utf-8") as f:
        report = json.load(f)
    assert report["filters"]["job_name"] == names
    assert report["title"] == u"Nightly \u2013 \"ops\" <report>"
    with EmApi(fresh_emulator) as api:
        window = api.window_sessions(report["window"]["start"], report["window"]["end"])
    assert report["summary"]["total"] == sum(1 for s in window if s["job_name"] in names) > 0
    with open(str(out / "backup-session-report.html"), encoding="utf-8") as f:
        html = f.read()
    assert "<title>Nightly \u2013 &#34;ops&#34; &lt;report&gt;" in html
    assert fresh_emulator.stats()["open_logon_sessions"] == 0


def test_report_playbook_needs_a_directory(fresh_emulator, ansible_playbook):
    proc = ansible_playbook("playbooks/report.yml", env=fresh_emulator.env())
    assert proc.returncode == 2
    assert "Set report_dir" in proc.stdout
    assert fresh_emulator.stats()["logons"] == 0


def test_report_playbook_with_a_bad_window_fails_once_naming_it(fresh_emulator, ansible_playbook, tmp_path):
    """The failure is the window's, not also a second one of the artifacts in the always section."""
    proc = ansible_playbook("playbooks/report.yml", env=fresh_emulator.env(),
                            extra_vars={"report_dir": str(tmp_path / "report"), "window": "99999999w"})
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "window '99999999w' reaches back before the year 1" in proc.stdout
    assert "set_stats" not in proc.stdout + proc.stderr and "failed=1" in proc.stdout, proc.stdout
    assert fresh_emulator.stats()["open_logon_sessions"] == 0


def test_stop_session_by_id_and_by_job_name(fresh_emulator, ansible_playbook):
    before = sessions(fresh_emulator)
    stoppable = sorted((s for s in before.values() if s["state"] in STOPPABLE_STATES), key=lambda s: s["id"])
    target = stoppable[0]

    # check mode: nothing is sent
    proc = ansible_playbook("playbooks/stop_session.yml", env=fresh_emulator.env(),
                            extra_vars={"id": target["id"]}, args=["--check"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "changed=1" in proc.stdout
    assert fresh_emulator.stats()["stop_requests"] == 0

    # session_id, the old name of id, still works and says it is deprecated
    proc = ansible_playbook("playbooks/stop_session.yml", env=fresh_emulator.env(),
                            extra_vars={"session_id": target["uid"]})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "%s: Stopped" % target["name"] in proc.stdout
    assert "session_id is deprecated and will be removed in 2.0.0: use id" in proc.stdout
    assert fresh_emulator.stats()["stop_requests"] == 1

    # by job name: every running session of that job, nothing else
    job = [s for s in stoppable if s["id"] != target["id"]][0]["job_name"]
    of_job = [s["id"] for s in stoppable if s["job_name"] == job and s["id"] != target["id"]]
    proc = ansible_playbook("playbooks/stop_session.yml", env=fresh_emulator.env(), extra_vars={"job_name": job})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    after = sessions(fresh_emulator)
    assert fresh_emulator.stats()["stop_requests"] == 1 + len(of_job)
    for sid, s in before.items():
        if sid == target["id"] or sid in of_job:
            assert after[sid]["state"] == "Stopped", after[sid]
        else:
            assert after[sid]["state"] == s["state"], s
    assert fresh_emulator.stats()["open_logon_sessions"] == 0


def test_stop_session_needs_exactly_one_selector(fresh_emulator, ansible_playbook):
    for extra in ({}, {"id": "x", "job_name": "y"}):
        proc = ansible_playbook("playbooks/stop_session.yml", env=fresh_emulator.env(), extra_vars=extra)
        assert proc.returncode == 2
        assert "Set exactly one of id and job_name" in proc.stdout
    assert fresh_emulator.stats()["stop_requests"] == 0


def test_guard_playbook_in_check_mode_with_window_answers(fresh_emulator, ansible_playbook):
    before = sessions(fresh_emulator)
    running = [s for s in before.values() if s["state"] in STOPPABLE_STATES]
    proc = ansible_playbook("playbooks/guard.yml", env=fresh_emulator.env(), args=["--check"], extra_vars={
        "max_runtime": "", "allowed_window_start": "00:00", "allowed_window_end": "00:01",
        "timezone": "+02:00", "max_stops": "0", "evaluate_at": "2030-01-15T12:00:00Z"})
    # 14:00 at +02:00 is outside 00:00-00:01: every running session breaks the rule
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "would stop (check mode) %d" % len(running) in proc.stdout
    named = [line for line in proc.stdout.splitlines() if "would stop: " in line]
    assert len(named) == len(running) > 0
    for s in running:
        assert any(s["id"] in line for line in named), s
    assert fresh_emulator.stats()["stop_requests"] == 0
    after = sessions(fresh_emulator)
    assert [s["id"] for s in after.values() if s["state"] in ACTIVE_STATES] == \
        [s["id"] for s in before.values() if s["state"] in ACTIVE_STATES]
