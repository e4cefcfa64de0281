# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""backup_session_report against the emulator, checked against the emulator's own API."""

from __future__ import absolute_import, division, print_function

import datetime
import json
import os
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from test_roles_emapi import EmApi, expected_job_status, parse_time

from ansible_collections.backupops.veeam_em.plugins.module_utils._sessions import ACTIVE_STATES, OUTCOMES, PROBLEM_RESULTS

PLAYBOOK = """---
- name: Run the backup_session_report role
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Report
      ansible.builtin.include_role:
        name: backupops.veeam_em.backup_session_report
"""


@pytest.fixture()
def run_report(ansible_playbook, tmp_path):
    playbook = tmp_path / "report.yml"
    playbook.write_text(PLAYBOOK, encoding="utf-8")
    counter = [0]

    def _run(emulator, user=None, args=(), **role_vars):
        counter[0] += 1
        out = tmp_path / ("out%d" % counter[0])
        extra = {"backup_session_report_dir": str(out)}
        extra.update(role_vars)
        env = emulator.env(user) if user else emulator.env()
        proc = ansible_playbook(str(playbook), extra_vars=extra, env=env, args=args)
        return proc, out
    return _run


def load(out, base="backup-session-report"):
    with open(str(out / (base + ".json")), encoding="utf-8") as f:
        report = json.load(f)
    junit = ET.parse(str(out / (base + ".junit.xml"))).getroot()
    with open(str(out / (base + ".html")), encoding="utf-8") as f:
        html = f.read()
    return report, junit, html


def expected_failures(api, sessions):
    """(session id, vm, result, reason) of every Warning/Failed task of the Warning/Failed sessions."""
    bad = dict((s["uid"], s) for s in sessions if s["result"] in PROBLEM_RESULTS)
    if not bad:
        return set(), set()
    earliest = min(s["creation_time"] for s in bad.values())
    rows = set()
    for task in api.task_sessions(earliest):
        if task["job_session_uid"] in bad and task["result"] in PROBLEM_RESULTS:
            rows.add((bad[task["job_session_uid"]]["id"], task["vm_name"], task["result"], task["reason"]))
    with_rows = set(r[0] for r in rows)
    bare = set(s["id"] for s in bad.values() if s["id"] not in with_rows)
    return rows, bare


def test_report_numbers_equal_the_emulator(fresh_emulator, run_report):
    proc, out = run_report(fresh_emulator)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    stats = fresh_emulator.stats()
    report, junit, html = load(out)
    window = report["window"]
    assert (parse_time(window["end"]) - parse_time(window["start"])).total_seconds() == 86400
    assert window["seconds"] == 86400

    with EmApi(fresh_emulator) as api:
        sessions = api.window_sessions(window["start"], window["end"])
        failures, bare = expected_failures(api, sessions)
    assert len(sessions) > 20

    # summary numbers
    summary = report["summary"]
    assert summary["total"] == len(sessions)
    results = Counter(s["result"] for s in sessions)
    for result in OUTCOMES:
        assert summary["by_result"][result] == results[result], result
    states = Counter(s["state"] for s in sessions)
    for state, count in summary["by_state"].items():
        assert count == states[state], state
    assert summary["running"] == sum(1 for s in sessions if s["state"] in ACTIVE_STATES)
    assert sorted(s["id"] for s in report["sessions"]) == sorted(s["id"] for s in sessions)

    # each job's status
    status = expected_job_status(sessions)
    assert dict((j["name"], j["status"]) for j in report["jobs"]) == status
    assert summary["jobs"] == len(status)
    assert summary["jobs_by_status"] == dict((k, list(status.values()).count(k))
                                             for k in ("Failed", "Warning", "Running", "None", "Success"))
    for job in report["jobs"]:
        mine = [s for s in sessions if s["job_name"] == job["name"]]
        assert job["sessions"] == len(mine)
        assert job["by_result"]["Failed"] == sum(1 for s in mine if s["result"] == "Failed")

    # failure details: every Warning/Failed VM with its reason
    got = set((f["session_id"], f["vm_name"], f["result"], f["reason"]) for f in report["failures"] if f["vm_name"])
    assert got == failures
    assert set(f["session_id"] for f in report["failures"] if not f["vm_name"]) == bare
    assert failures, "the seed-42 dataset has failed VMs in the last 24 hours"

    # JUnit agrees with the JSON
    cases = junit.findall("./testsuite/testcase")
    assert [c.get("name") for c in cases] == [j["name"] for j in report["jobs"]]
    failed = sorted(c.get("name") for c in cases if c.find("failure") is not None)
    assert failed == sorted(j for j, st in status.items() if st == "Failed")
    skipped = sorted(c.get("name") for c in cases if c.find("skipped") is not None)
    assert skipped == sorted(j for j, st in status.items() if st in ("Running", "None"))
    assert junit.get("tests") == str(len(status)) and junit.get("failures") == str(len(failed))

    # the HTML shows the same and escapes names
    assert "<svg" in html and "<script" not in html
    assert '<div class="value">%d</div><div class="label">Sessions</div>' % len(sessions) in html
    names = [j["name"] for j in report["jobs"]]
    for name in names:
        assert name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace("'", "&#39;") in html
    assert "<nightly>" not in html

    # requests: one logon for the role, no per-session GET, nothing left open
    assert stats["logons"] == 1 and stats["open_logon_sessions"] == 0
    assert not [path for path in stats["requests"] if path.startswith("GET /api/backupSessions/")]
    assert stats["requests"].get("POST /api/backupSessions/{id}", 0) == 0
    assert stats["stop_requests"] == 0


def test_report_filters_day_timeline_and_read_only_account(fresh_emulator, run_report):
    names = ['SQL "Prod" Backup', "Dev VMs <nightly>", u"Branch Office \u6771\u4eac", u"D\u00fcsseldorf Fileserver",
             "O'Brien Laptops"]
    proc, out = run_report(
        fresh_emulator, user=(fresh_emulator.operator_user, fresh_emulator.operator_password),
        backup_session_report_window="7d", backup_session_report_job_name=names,
        backup_session_report_basename="weekly", backup_session_report_timeline="auto")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # one module run: one logon (of the read-only account), logged off again
    stats = fresh_emulator.stats()
    assert stats["logons"] == 1 and stats["open_logon_sessions"] == 0
    report, junit, html = load(out, "weekly")
    assert report["filters"]["job_name"] == names
    with EmApi(fresh_emulator) as api:
        every = api.window_sessions(report["window"]["start"], report["window"]["end"])
    sessions = [s for s in every if s["job_name"] in names]
    assert report["summary"]["total"] == len(sessions) > 0
    assert set(j["name"] for j in report["jobs"]) == set(s["job_name"] for s in sessions)
    assert "one cell per day" in html
    assert html.count('class="row"') == len(report["jobs"])
    assert [c.get("name") for c in junit.iter("testcase")] == [j["name"] for j in report["jobs"]]


def test_report_filters_by_type_and_server(fresh_emulator, run_report):
    job_types = ["Backup", "NasBackup"]
    proc, out = run_report(fresh_emulator, backup_session_report_job_type=job_types,
                           backup_session_report_backup_server="srv02.tech.local",
                           backup_session_report_window="2d", backup_session_report_timeline="session")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report, junit, html = load(out)
    with EmApi(fresh_emulator) as api:
        every = api.window_sessions(report["window"]["start"], report["window"]["end"])
    sessions = [s for s in every if s["job_type"] in job_types
                and s["backup_server_name"] == "srv02.tech.local"]
    assert sorted(s["id"] for s in report["sessions"]) == sorted(s["id"] for s in sessions)
    assert len(sessions) > 0 and len(sessions) < len(every)
    assert "one bar per session" in html


def test_gate_fails_exactly_when_chosen_results_exist(fresh_emulator, run_report):
    end = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    window = {"start": (end - datetime.timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M:%SZ"),
              "end": end.strftime("%Y-%m-%dT%H:%M:%SZ")}
    with EmApi(fresh_emulator) as api:
        sessions = api.window_sessions(window["start"], window["end"])
    failed_jobs = sorted(set(s["job_name"] for s in sessions if s["result"] == "Failed"))
    clean_jobs = sorted(set(s["job_name"] for s in sessions) - set(
        s["job_name"] for s in sessions if s["result"] in PROBLEM_RESULTS))
    assert failed_jobs and clean_jobs

    # all jobs: Failed sessions exist -> the play fails, naming every failing job; files are written
    proc, out = run_report(fresh_emulator, backup_session_report_fail_on=["Failed"],
                           backup_session_report_window=window["start"],
                           backup_session_report_window_end=window["end"])
    assert proc.returncode == 2, proc.stdout + proc.stderr
    message = [line for line in proc.stdout.splitlines() if "Backup session gate failed" in line]
    assert message, proc.stdout
    for job in failed_jobs:
        assert json.dumps(job)[1:-1] in message[0] or job in message[0], job
    report, junit, html = load(out)
    assert report["gate"]["failed"] and sorted(j["name"] for j in report["gate"]["jobs"]) == failed_jobs
    assert report["gate"]["sessions"] == sum(1 for s in sessions if s["result"] == "Failed")
    assert "Gate FAILED" in html
    assert fresh_emulator.stats()["open_logon_sessions"] == 0

    # only jobs without Warning/Failed sessions -> the gate on both passes
    proc, out = run_report(fresh_emulator, backup_session_report_fail_on=["Failed", "Warning"],
                           backup_session_report_job_name=clean_jobs,
                           backup_session_report_window=window["start"],
                           backup_session_report_window_end=window["end"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report, _junit, html = load(out)
    assert not report["gate"]["failed"] and report["summary"]["total"] > 0
    assert "Gate passed" in html


def test_latest_lookback_lists_jobs_without_a_session_in_the_window(fresh_emulator, run_report):
    with EmApi(fresh_emulator) as api:
        every = api.sessions()
    newest = {}
    for s in every:
        if s["job_name"] not in newest or s["creation_time"] > newest[s["job_name"]]["creation_time"]:
            newest[s["job_name"]] = s
    # a window of two hours, ending one hour ago: most jobs have no session in it
    end = max(s["creation_time"] for s in every)
    proc, out = run_report(fresh_emulator, backup_session_report_window="2h", backup_session_report_window_end=end,
                           backup_session_report_latest_lookback="30d")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report, junit, _html = load(out)
    outside = [j for j in report["jobs"] if not j["in_window"]]
    assert outside and all(j["sessions"] == 0 for j in outside)
    end_time = parse_time(end)
    for job in outside:
        mine = [s for s in every if s["job_name"] == job["name"] and parse_time(s["creation_time"]) <= end_time]
        expected = max(mine, key=lambda s: s["creation_time"])
        assert job["last_session"]["id"] == expected["id"], job["name"]
    assert len(list(junit.iter("testcase"))) == len(report["jobs"])
    assert fresh_emulator.stats()["open_logon_sessions"] == 0


def test_check_mode_writes_nothing_and_bad_options_fail_early(fresh_emulator, run_report):
    proc, out = run_report(fresh_emulator, args=["--check"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not os.path.exists(str(out))
    proc, out = run_report(fresh_emulator, backup_session_report_fail_on=["Broken"])
    assert proc.returncode != 0 and "backup_session_report_fail_on" in proc.stdout
    proc, out = run_report(fresh_emulator, backup_session_report_window="yesterday")
    assert proc.returncode != 0 and "window 'yesterday' is neither a length such as 90s, 30m, 24h" in proc.stdout
    assert fresh_emulator.stats()["open_logon_sessions"] == 0
