# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the report/guard filters (as playbooks call them) and of the report files rendered from their data."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.backupops.veeam_em.plugins.filter import guard_candidates as gc
from ansible_collections.backupops.veeam_em.plugins.filter import session_report as sr
from ansible_collections.backupops.veeam_em.plugins.filter import session_timeline as st
from ansible_collections.backupops.veeam_em.plugins.module_utils import _report
from ansible_collections.backupops.veeam_em.plugins.plugin_utils import _report as report_look
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError
from ansible_collections.backupops.veeam_em.plugins.plugin_utils._report import render_files

# the filters as Ansible calls them (their errors are AnsibleFilterError)
FILTERS = dict(sr.FilterModule().filters(), **st.FilterModule().filters())
FILTERS.update(gc.FilterModule().filters())
report_window = FILTERS["report_window"]
session_report = FILTERS["session_report"]
session_timeline = FILTERS["session_timeline"]
guard_candidates = FILTERS["guard_candidates"]

WINDOW = {"spec": "24h", "start": "2026-01-14T06:00:00Z", "end": "2026-01-15T06:00:00Z", "seconds": 86400}
NASTY = u'Fin "Ledger" <Prod> & Co \u2013 S\u00e9rie \u65e5\u672c \U0001F4BE \'q\''


def session(sid, job, created, end=None, state="Stopped", result="Success", job_type="Backup",
            server="vbr01", retry=False, tasks=None):
    item = {
        "id": sid, "uid": "urn:veeam:BackupJobSession:" + sid, "name": "%s@%s" % (job, created),
        "href": "https://em/api/backupSessions/" + sid, "job_id": "j-" + job, "job_uid": "urn:veeam:Job:j",
        "job_name": job, "job_type": job_type, "backup_server_id": "s1", "backup_server_name": server,
        "creation_time": created, "end_time": end, "state": state, "result": result,
        "progress": 100 if state == "Stopped" else 40, "is_retry": retry, "links": [],
    }
    if tasks is not None:
        item["task_sessions"] = tasks
    return item


def task(tid, vm, result, reason=""):
    return {"id": tid, "vm_name": vm, "result": result, "reason": reason, "state": "Completed"}


@pytest.fixture()
def data():
    sessions = [
        session("a1", "SQL", "2026-01-14T22:00:00Z", "2026-01-14T22:30:00Z", result="Failed"),
        session("a2", "SQL", "2026-01-14T22:40:00Z", "2026-01-14T23:10:00Z", result="Success", retry=True),
        session("b1", NASTY, "2026-01-14T23:00:00Z", "2026-01-15T00:00:00Z", result="Failed"),
        session("c1", "Files", "2026-01-15T01:00:00Z", "2026-01-15T01:20:00Z", result="Warning"),
        session("d1", "Exchange", "2026-01-15T02:00:00.1234567Z", None, state="Working", result="None"),
        session("e1", "Copy", "2026-01-14T07:00:00Z", "2026-01-14T07:05:00Z", job_type="BackupCopy"),
    ]
    details = [
        session("a1", "SQL", "2026-01-14T22:00:00Z", "2026-01-14T22:30:00Z", result="Failed", tasks=[
            task("t1", "sql01", "Failed", "Snapshot <failed> & \"quiesce\" error"),
            task("t2", "sql02", "Success"),
        ]),
        session("b1", NASTY, "2026-01-14T23:00:00Z", "2026-01-15T00:00:00Z", result="Failed", tasks=[]),
        session("c1", "Files", "2026-01-15T01:00:00Z", "2026-01-15T01:20:00Z", result="Warning", tasks=[
            task("t3", u"f\u00e9s01", "Warning", "Changed block tracking reset"),
        ]),
        # not in the window list (appeared between the two requests): ignored
        session("zz", "Late", "2026-01-15T05:59:00Z", "2026-01-15T05:59:30Z", result="Failed", tasks=[]),
    ]
    latest = [
        session("a2", "SQL", "2026-01-14T22:40:00Z", "2026-01-14T23:10:00Z", result="Success"),
        session("w1", "Weekly", "2026-01-10T01:00:00Z", "2026-01-10T03:00:00Z", result="Failed"),
    ]
    return sessions, details, latest


def build(data, **kwargs):
    sessions, details, latest = data
    args = dict(detail_sessions=details, window=WINDOW, latest_sessions=latest,
                generated_at="2026-01-15T06:00:05Z")
    args.update(kwargs)
    return session_report(sessions, **args)


# ------------------------------------------------------------------ window and durations

def test_report_window_relative_and_absolute():
    assert report_window("24h", "2026-01-15T06:00:00Z") == WINDOW
    assert report_window("7d", "2026-01-15T06:00:00.900Z")["start"] == "2026-01-08T06:00:00Z"
    win = report_window("2026-01-15T08:00:00+02:00", "2026-01-15T10:30:00+02:00")
    assert (win["start"], win["end"], win["seconds"]) == ("2026-01-15T06:00:00Z", "2026-01-15T08:30:00Z", 9000)
    assert report_window("", "2026-01-15T06:00:00Z")["start"] == "2026-01-14T06:00:00Z"
    now_window = report_window("1h30m")
    assert now_window["seconds"] == 5400 and now_window["end"].endswith("Z")


@pytest.mark.parametrize("spec, end, message", [
    ("yesterday", "2026-01-15T06:00:00Z", "window 'yesterday' is neither a length such as 90s, 30m"),
    ("0h", "2026-01-15T06:00:00Z", "longer than zero"),
    ("2026-01-16T00:00:00Z", "2026-01-15T06:00:00Z", "not before its end"),
    ("24h", "2026-13-01T00:00:00Z", "not a valid time"),
])
def test_report_window_errors(spec, end, message):
    with pytest.raises(AnsibleFilterError, match=message):
        report_window(spec, end)


def test_durations_and_times():
    assert _report.parse_duration("90s") == 90
    assert _report.parse_duration("1h30m") == 5400
    assert _report.parse_duration("2w") == 1209600
    for bad in ("8 hours", True, "-5m", "", 600, "600"):  # a bare number may mean hours: refused
        with pytest.raises(VeeamEmError):
            _report.parse_duration(bad)
    assert _report.human_duration(45) == "45s"
    assert _report.human_duration(725) == "12m"
    assert _report.human_duration(3 * 3600 + 300) == "3h 05m"
    assert _report.human_duration(2 * 86400 + 4 * 3600) == "2d 4h"
    assert _report.format_time(_report.parse_time("2026-01-15T02:00:00.1234567Z")) == "2026-01-15T02:00:00Z"
    assert _report.format_time(_report.parse_time("2026-01-15 03:00:00-01:30")) == "2026-01-15T04:30:00Z"


# ------------------------------------------------------------------ report data

def test_summary_counts(data):
    report = build(data)
    summary = report["summary"]
    assert summary["total"] == 6
    assert summary["by_result"] == {"Success": 2, "Warning": 1, "Failed": 2, "None": 1}
    assert summary["by_state"]["Working"] == 1 and summary["by_state"]["Stopped"] == 5
    assert summary["running"] == 1 and summary["retries"] == 1
    assert summary["jobs"] == 6 and summary["jobs_in_window"] == 5
    assert summary["jobs_by_status"] == {"Failed": 2, "Warning": 1, "Running": 1, "None": 0, "Success": 2}
    assert summary["problem_vms"] == 2
    assert summary["success_rate"] == 40.0
    assert [s["id"] for s in report["sessions"]] == ["e1", "a1", "a2", "b1", "c1", "d1"]
    assert report["generated_at"] == "2026-01-15T06:00:05Z"
    json.dumps(report)  # the JSON file holds exactly this


def test_job_status_is_the_latest_finished_result(data):
    jobs = dict((j["name"], j) for j in build(data)["jobs"])
    assert jobs["SQL"]["status"] == "Success"          # failed, then the retry succeeded
    assert jobs["SQL"]["by_result"]["Failed"] == 1
    assert jobs[NASTY]["status"] == "Failed"
    assert jobs["Files"]["status"] == "Warning"
    assert jobs["Exchange"]["status"] == "Running"
    assert jobs["Weekly"]["status"] == "Failed" and not jobs["Weekly"]["in_window"]
    assert jobs["Weekly"]["sessions"] == 0 and jobs["Weekly"]["last_session"]["id"] == "w1"
    order = [j["name"] for j in build(data)["jobs"]]
    assert order == [NASTY, "Weekly", "Files", "Exchange", "Copy", "SQL"]


def test_failure_details(data):
    failures = build(data)["failures"]
    rows = [(f["job_name"], f["vm_name"], f["result"], f["reason"]) for f in failures]
    assert rows == [
        ("Files", u"f\u00e9s01", "Warning", "Changed block tracking reset"),
        (NASTY, None, "Failed", None),
        ("SQL", "sql01", "Failed", 'Snapshot <failed> & "quiesce" error'),
    ]
    assert all(f["session_id"] != "zz" for f in failures)


def test_gate(data):
    assert build(data)["gate"] == {"fail_on": [], "failed": False, "sessions": 0, "jobs": [], "message": "gate disabled"}
    gate = build(data, fail_on=["Failed"])["gate"]
    assert gate["failed"] and gate["sessions"] == 2
    assert [j["name"] for j in gate["jobs"]] == [NASTY, "SQL"]
    assert gate["message"] == (
        "2 session(s) of 2 job(s) with result Failed between 2026-01-14T06:00:00Z and 2026-01-15T06:00:00Z: "
        + NASTY + " (1 Failed); SQL (1 Failed)")
    gate = build(data, fail_on=["Warning", "Failed"])["gate"]
    assert gate["sessions"] == 3 and [j["name"] for j in gate["jobs"]] == ["Files", NASTY, "SQL"]
    # a running session has no result yet: it never trips a gate on None
    assert not build(data, fail_on=["None"])["gate"]["failed"]
    sessions, details, latest = data
    clean = session_report([s for s in sessions if s["result"] not in ("Failed",)], window=WINDOW,
                           fail_on=["Failed"])
    assert not clean["gate"]["failed"] and clean["gate"]["message"].startswith("no session with result Failed")
    with pytest.raises(AnsibleFilterError, match="fail_on"):
        build(data, fail_on=["Broken"])


def test_junit_statuses(data):
    report = build(data)
    junit = dict((j["name"], j["junit"]) for j in report["jobs"])
    assert junit[NASTY]["status"] == "failure" and junit["Weekly"]["status"] == "failure"
    assert junit["Files"]["status"] == "passed" and junit["Files"]["type"] == "Warning"
    assert junit["Exchange"]["status"] == "skipped"
    assert junit["SQL"]["status"] == "passed" and junit["SQL"]["time"] == 1800.0
    assert report["junit"]["tests"] == 6 and report["junit"]["failures"] == 2 and report["junit"]["skipped"] == 1
    strict = build(data, junit_warning="failure")
    assert strict["junit"]["failures"] == 3
    with pytest.raises(AnsibleFilterError, match="junit_warning"):
        build(data, junit_warning="skip")


def test_empty_report():
    report = session_report([], window=WINDOW)
    assert report["summary"]["total"] == 0 and report["jobs"] == [] and report["summary"]["success_rate"] is None
    timeline = session_timeline(report)
    assert timeline["rows"] == [] and timeline["height"] > timeline["top"]
    with pytest.raises(AnsibleFilterError, match="window"):
        session_report([], window={"start": "x"})


# ------------------------------------------------------------------ timeline

def test_timeline_session_mode(data):
    report = build(data)
    timeline = session_timeline(report, mode="auto", width=1100, label_width=250)
    assert timeline["mode"] == "session"
    assert [r["name"] for r in timeline["rows"]] == [j["name"] for j in report["jobs"]]
    sql = [r for r in timeline["rows"] if r["name"] == "SQL"][0]
    assert [c["status"] for c in sql["cells"]] == ["Failed", "Success"]
    plot_w = 1100 - 250 - 12
    # 22:00 is 16/24 of the window
    assert sql["cells"][0]["x"] == round(250 + plot_w * 16 / 24.0, 1)
    assert sql["cells"][0]["colour"] == report_look.STATUS_COLOURS["Failed"]
    assert "retry" in sql["cells"][1]["title"]
    running = [r for r in timeline["rows"] if r["name"] == "Exchange"][0]["cells"][0]
    assert running["status"] == "Running" and running["x"] + running["width"] <= 250 + plot_w + 0.6
    assert "running for 4h 00m" in running["title"]
    assert all(c["width"] >= 5 for r in timeline["rows"] for c in r["cells"])
    assert timeline["ticks"][0]["label"].startswith("Jan 14")
    weekly = [r for r in timeline["rows"] if r["name"] == "Weekly"][0]
    assert weekly["cells"] == [] and weekly["colour"] == report_look.STATUS_COLOURS["Failed"]
    assert len(session_timeline(report, max_label=10)["rows"][0]["label"]) == 10


def test_timeline_day_mode(data):
    sessions, details, latest = data
    window = report_window("3d", "2026-01-15T06:00:00Z")
    report = session_report(sessions, detail_sessions=details, window=window)
    timeline = session_timeline(report, mode="day")
    assert timeline["mode"] == "day"
    assert [t["label"] for t in timeline["ticks"]] == ["Jan 12", "Jan 13", "Jan 14", "Jan 15"]
    sql = [r for r in timeline["rows"] if r["name"] == "SQL"][0]
    assert [c["status"] for c in sql["cells"]] == ["Empty", "Empty", "Failed", "Empty"]
    assert "2 session(s): 1 Success, 1 Failed" in sql["cells"][2]["title"]
    assert session_timeline(session_report([], window=report_window("7d")))["mode"] == "day"
    with pytest.raises(AnsibleFilterError, match="timeline mode"):
        session_timeline(report, mode="week")


# ------------------------------------------------------------------ guard

RUNNING = [
    session("r1", "Long", "2026-01-15T06:00:00Z", None, state="Working", result="None"),
    session("r2", "Short", "2026-01-15T14:30:00Z", None, state="Working", result="None"),
    session("r3", "Starting", "2026-01-15T15:00:00Z", None, state="Starting", result="None"),
    session("r4", "Stopping", "2026-01-15T01:00:00Z", None, state="Stopping", result="None"),
    session("s1", "Done", "2026-01-14T01:00:00Z", "2026-01-14T02:00:00Z"),
]


def test_guard_max_runtime():
    answer = guard_candidates(RUNNING, max_runtime="8h", now="2026-01-15T15:10:00Z")
    assert answer["running"] == 3
    assert [c["id"] for c in answer["candidates"]] == ["r1"]
    assert answer["candidates"][0]["runtime"] == "9h 10m"
    assert answer["candidates"][0]["reasons"] == ["running for 9h 10m, longer than 8h 00m"]
    assert answer["rules"]["max_runtime_seconds"] == 28800
    assert answer["candidates"][0]["summary"] == (
        "Long (r1), started 2026-01-15T06:00:00Z: running for 9h 10m, longer than 8h 00m")


@pytest.mark.parametrize("now, zone, expected", [
    ("2026-01-15T15:10:00Z", "UTC", ["r1", "r2", "r3"]),       # 15:10 is outside 20:00-06:00
    ("2026-01-15T21:10:00Z", "UTC", []),                        # inside, before midnight
    ("2026-01-16T05:59:00Z", "UTC", []),                        # inside, after midnight
    ("2026-01-16T06:00:00Z", "UTC", ["r1", "r2", "r3"]),       # the end is exclusive
    ("2026-01-15T19:30:00Z", "+01:00", []),                     # 20:30 local
    ("2026-01-15T19:30:00Z", "Europe/Berlin", []),              # CET in January
    ("2026-01-15T19:30:00Z", "America/New_York", ["r1", "r2", "r3"]),
])
def test_guard_allowed_window(now, zone, expected):
    answer = guard_candidates(RUNNING, allowed_window={"start": "20:00", "end": "06:00"}, now=now, timezone=zone)
    assert [c["id"] for c in answer["candidates"]] == expected
    assert answer["rules"]["outside_allowed_window"] == bool(expected)


def test_guard_day_window_and_both_rules():
    answer = guard_candidates(RUNNING, max_runtime="8h", allowed_window={"start": "08:00", "end": "16:00"},
                              now="2026-01-15T15:10:00Z")
    assert [c["id"] for c in answer["candidates"]] == ["r1"]
    answer = guard_candidates(RUNNING, max_runtime="8h", allowed_window={"start": "08:00", "end": "15:00"},
                              now="2026-01-15T15:10:00Z")
    assert [len(c["reasons"]) for c in answer["candidates"]] == [2, 1, 1]
    assert "outside the allowed window 08:00-15:00 UTC" in answer["candidates"][1]["reasons"][0]


@pytest.mark.parametrize("kwargs, message", [
    ({}, "set max_runtime, allowed_window or both"),
    ({"max_runtime": "soon"}, "is not a length"),
    ({"allowed_window": {"start": "25:00", "end": "06:00"}}, "time of day"),
    ({"allowed_window": {"start": "06:00", "end": "06:00"}}, "equal"),
    ({"allowed_window": "20:00-06:00"}, "dict with start and end"),
    ({"max_runtime": "8h", "timezone": "Mars/Olympus"}, "unknown time zone"),
])
def test_guard_errors(kwargs, message):
    with pytest.raises(AnsibleFilterError, match=message):
        guard_candidates(RUNNING, now="2026-01-15T15:10:00Z", **kwargs)


def test_filter_module_exports():
    names = sorted(list(sr.FilterModule().filters()) + list(st.FilterModule().filters()) + list(gc.FilterModule().filters()))
    assert names == ["em_vocabulary", "guard_candidates", "report_window", "session_report", "session_timeline"]


def test_em_vocabulary_is_the_modules_vocabulary():
    from ansible_collections.backupops.veeam_em.plugins.module_utils import _sessions
    assert sr.em_vocabulary("stoppable_states") == ["Starting", "Working", "Pausing", "Resuming"]
    assert sr.em_vocabulary("active_states") == list(_sessions.ACTIVE_STATES) == \
        ["Starting", "Stopping", "Working", "Pausing", "Resuming"]
    with pytest.raises(AnsibleFilterError, match="em_vocabulary knows .*stoppable_states"):
        sr.em_vocabulary("running")


# ------------------------------------------------------------------ templates

def render(report, timeline="auto"):
    return render_files(report, timeline=timeline, collapse_success_over=0)


class _Collector(HTMLParser):
    def __init__(self):
        HTMLParser.__init__(self)
        self.tags = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


@pytest.mark.parametrize("mode", ["session", "day"])
def test_html_template_escapes_and_is_self_contained(data, mode):
    report = build(data, fail_on=["Failed"])
    html = render(report, mode)["html"]
    parser = _Collector()
    parser.feed(html)
    text = "".join(parser.text)
    assert NASTY in text                                # unescaped back to the same text
    assert "<Prod>" not in html and "&lt;Prod&gt;" in html
    assert "&#34;Ledger&#34;" in html or "&quot;Ledger&quot;" in html
    assert 'Snapshot <failed>' not in html
    for forbidden in ("script", "link", "img", "iframe"):
        assert forbidden not in parser.tags
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html
    assert parser.tags.count("svg") == 1 and "title" in parser.tags
    assert "Gate FAILED" in text
    # every cell carries an accessible title
    assert html.count("<rect") >= sum(len(r["cells"]) for r in session_timeline(report, mode=mode)["rows"])


def test_junit_template_parses_and_agrees(data):
    report = build(data)
    xml = render(report)["junit"]
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')
    root = ET.fromstring(xml.encode("utf-8"))
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [j["name"] for j in report["jobs"]]
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    skipped = [c.get("name") for c in cases if c.find("skipped") is not None]
    assert failed == [NASTY, "Weekly"] and skipped == ["Exchange"]
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("6", "2", "1")
    assert suite.get("failures") == str(len(failed))
    files = [c for c in cases if c.get("name") == "Files"][0]
    assert "latest result: Warning" in files.find("system-out").text
    sql_failure = report_failure_text(render(build(data, junit_warning="failure"))["junit"], "Files")
    assert u"f\u00e9s01: Warning - Changed block tracking reset" in sql_failure


def report_failure_text(xml, name):
    root = ET.fromstring(xml.encode("utf-8"))
    case = [c for c in root.iter("testcase") if c.get("name") == name][0]
    return case.find("failure").text


def test_sessions_that_started_before_the_window_count_once_and_are_counted():
    """A report of a window shows every session that ran in it: still running, or ended in it, though started before."""
    window = report_window("24h", "2026-01-15T06:00:00Z")
    running = {"id": "a", "name": "Daily NetApp Snapshots@x", "job_name": "Daily NetApp Snapshots", "job_type": "Backup",
               "creation_time": "2026-01-13T23:00:00Z", "end_time": None, "state": "Working", "result": "None"}
    ended = {"id": "b", "name": "SQL@y", "job_name": "SQL", "job_type": "Backup", "creation_time": "2026-01-14T05:00:00Z",
             "end_time": "2026-01-14T07:00:00Z", "state": "Stopped", "result": "Failed"}
    inside = {"id": "c", "name": "SQL@z", "job_name": "SQL", "job_type": "Backup", "creation_time": "2026-01-14T20:00:00Z",
              "end_time": "2026-01-14T21:00:00Z", "state": "Stopped", "result": "Success"}
    report = session_report([running, ended, inside, dict(running)], window=window, generated_at="2026-01-15T06:00:00Z")
    assert [s["id"] for s in report["sessions"]] == ["a", "b", "c"]
    assert report["summary"]["started_before_window"] == 2 and report["summary"]["running"] == 1
    assert [j["status"] for j in report["jobs"] if j["name"] == "Daily NetApp Snapshots"] == ["Running"]


def test_a_failure_that_a_later_run_fixed_says_so():
    window = report_window("24h", "2026-01-15T06:00:00Z")

    def session(sid, created, result, retry=False, job="SQL"):
        return {"id": sid, "name": "%s@%s" % (job, created), "job_name": job, "job_type": "Backup", "creation_time": created,
                "end_time": created, "state": "Stopped", "result": result, "is_retry": retry}
    failed, retry, other = (session("f", "2026-01-14T10:00:00Z", "Failed"),
                            session("r", "2026-01-14T10:30:00Z", "Success", retry=True),
                            session("o", "2026-01-14T11:00:00Z", "Failed", job="Other"))
    details = [dict(failed, task_sessions=[{"id": "t1", "vm_name": "sql01", "result": "Failed", "reason": "Disk full"}]),
               dict(other, task_sessions=[])]
    report = session_report([failed, retry, other], detail_sessions=details, window=window,
                            generated_at="2026-01-15T06:00:00Z")
    by_session = dict((f["session_id"], f["recovered_by"]) for f in report["failures"])
    assert by_session == {"f": {"session_id": "r", "creation_time": "2026-01-14T10:30:00Z", "is_retry": True}, "o": None}
    assert report["summary"]["recovered_failure_rows"] == 1
    assert [s["recovered_by"] for s in report["sessions"]] == [by_session["f"], None, None]
