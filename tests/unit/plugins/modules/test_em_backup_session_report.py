# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""em_backup_session_report's module part: the exact requests, the report data, options checked first.

Rendering and writing the files is the action plugin's (tests/unit/plugins/action and tests/e2e).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.backupops.veeam_em.plugins.module_utils import _report
from ansible_collections.backupops.veeam_em.plugins.modules import em_backup_session_report as module
from ansible_collections.backupops.veeam_em.tests.unit.em_fake import (
    CONNECTION,
    LOGON,
    LOGOUT,
    PASSWORD,
    TOKEN,
    job_session_xml,
    query_result,
    task_session_xml,
    warning_texts,
)

START = "2026-01-14T06:00:00Z"
END = "2026-01-15T06:00:00Z"
SERVER = "srv02.tech.local"  # em_fake's backup server
ASC = "type=BackupJobSession&format=Entities&sortAsc=CreationTime&pageSize=1000&page=1"
TASKS = "type=BackupTaskSession&format=Entities&sortAsc=CreationTime&pageSize=1000&page=1"
LATEST = "type=BackupJobSession&format=Entities&sortDesc=CreationTime&pageSize=1000&page=1"


def sid(n):
    return "00000000-0000-4000-8000-%012d" % n


def uid(n):
    return 'JobSessionUid=="urn:veeam:BackupJobSession:%s"' % sid(n)


def args(**kwargs):
    result = dict(CONNECTION, window="24h", window_end=END)
    result.update(kwargs)
    return result


def empty():
    return query_result([], pages=0)


def test_three_questions_one_logon_and_the_report(fake_em, run_module):
    """Created in the window (+ its problem task sessions), still running from before, ended in it (+ theirs)."""
    created = [job_session_xml(sid(1), job="SQL", created="2026-01-14T22:00:00Z", ended="2026-01-14T22:30:00Z",
                               result="Failed"),
               job_session_xml(sid(2), job="SQL", created="2026-01-14T23:00:00Z", ended="2026-01-14T23:20:00Z",
                               is_retry="true")]
    running = [job_session_xml(sid(3), job="Files", created="2026-01-13T20:00:00Z", ended=None, state="Working",
                               result="None", progress=40)]
    ended = [job_session_xml(sid(4), job="Mail", created="2026-01-14T05:00:00Z", ended="2026-01-14T07:00:00Z",
                             result="Warning")]
    fake_em.logon()
    fake_em.expect("GET", "/query", body=query_result(created))
    fake_em.expect("GET", "/query", body=query_result(
        [task_session_xml("t1", sid(1), vm="sql01", result="Failed", reason="Disk full",
                          created="2026-01-14T22:01:00Z")], collection="BackupTaskSessions"))
    fake_em.expect("GET", "/query", body=query_result(running))
    fake_em.expect("GET", "/query", body=query_result(ended))
    fake_em.expect("GET", "/query", body=query_result([], collection="BackupTaskSessions", pages=0))
    fake_em.logout()
    rc, result, out = run_module(module, args(fail_on=["Failed"]))
    assert rc == 0 and result["changed"] is False, result
    problems = ";(Result==Warning,Result==Failed)"
    assert fake_em.summary() == [
        LOGON,
        ("GET", "/api/query", ASC + '&filter=CreationTime>="%s";CreationTime<="%s"' % (START, END)),
        ("GET", "/api/query", TASKS + "&filter=(%s,%s)%s" % (uid(1), uid(2), problems)),
        ("GET", "/api/query", ASC + "&filter=(State==Starting,State==Stopping,State==Working,State==Pausing,"
                                    'State==Resuming);CreationTime<="%s"' % START),
        ("GET", "/api/query", ASC + '&filter=CreationTime<="%s";EndTime>="%s"' % (START, START)),
        ("GET", "/api/query", TASKS + "&filter=%s%s" % (uid(4), problems)),
        LOGOUT]

    # the result is the report data (what the JSON file holds), nothing written by the module
    assert set(_report.REPORT_KEYS) <= set(result) and "files" not in result
    assert result["window"] == {"spec": "24h", "start": START, "end": END, "seconds": 86400}
    assert [s["id"] for s in result["sessions"]] == [sid(3), sid(4), sid(1), sid(2)]
    summary = result["summary"]
    assert (summary["total"], summary["running"], summary["started_before_window"]) == (4, 1, 2)
    assert summary["by_result"] == {"Success": 1, "Warning": 1, "Failed": 1, "None": 1}
    assert dict((j["name"], j["status"]) for j in result["jobs"]) == {"SQL": "Success", "Mail": "Warning",
                                                                      "Files": "Running"}
    assert [(f["vm_name"], f["reason"], f["recovered_by"]["session_id"]) for f in result["failures"]
            if f["session_id"] == sid(1)] == [("sql01", "Disk full", sid(2))]
    assert [(f["session_id"], f["vm_name"]) for f in result["failures"] if f["session_id"] == sid(4)] == [(sid(4), None)]
    assert result["gate"]["failed"] and result["gate"]["jobs"][0]["name"] == "SQL"
    assert PASSWORD not in out and TOKEN not in out


def test_filters_and_latest_lookback_go_to_every_question(fake_em, run_module):
    fake_em.logon()
    for _question in range(3):
        fake_em.expect("GET", "/query", body=empty())
    fake_em.expect("GET", "/query", body=query_result(
        [job_session_xml(sid(9), job="SQL", created="2026-01-02T22:00:00Z", ended="2026-01-02T22:30:00Z")]))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(job_name=["SQL"], job_type=["Backup"], backup_server=SERVER,
                                                latest_lookback="30d"))
    assert rc == 0, result
    both = ('JobName=="SQL";JobType==Backup;%s;BackupServerName=="%s"')
    assert fake_em.summary() == [
        LOGON,
        ("GET", "/api/query", ASC + "&filter=" + both % ('CreationTime>="%s";CreationTime<="%s"' % (START, END), SERVER)),
        ("GET", "/api/query", ASC + "&filter=" + both % (
            "(State==Starting,State==Stopping,State==Working,State==Pausing,State==Resuming);"
            'CreationTime<="%s"' % START, SERVER)),
        ("GET", "/api/query", ASC + "&filter=" + both % ('CreationTime<="%s";EndTime>="%s"' % (START, START), SERVER)),
        # newest first: each job's first session of the 30 days before the window's end
        ("GET", "/api/query", LATEST + "&filter=" + both % (
            'CreationTime>="2025-12-16T06:00:00Z";CreationTime<="%s"' % END, SERVER)),
        LOGOUT]
    job = result["jobs"][0]
    assert (job["name"], job["in_window"], job["last_session"]["id"]) == ("SQL", False, sid(9))
    assert result["filters"] == {"job_name": ["SQL"], "job_type": ["Backup"], "backup_server": SERVER}
    assert not warning_texts(result)  # a job known to EM, though without a session in the window


def test_a_misspelt_job_name_is_warned_about_once(fake_em, run_module):
    """Three questions without a session of the name ask EM once whether the name exists, and warn once."""
    fake_em.logon()
    for _question in range(3):
        fake_em.expect("GET", "/query", body=empty())
    fake_em.expect("GET", "/query", body=empty())  # any session of that name at all?
    fake_em.logout()
    rc, result, dummy = run_module(module, args(job_name="SQL Bakup"))
    assert rc == 0 and result["summary"]["total"] == 0
    assert fake_em.summary()[4:] == [
        ("GET", "/api/query", LATEST.replace("pageSize=1000", "pageSize=1") + '&filter=JobName=="SQL Bakup"'), LOGOUT]
    assert warning_texts(result) == [
        "job_name 'SQL Bakup': Enterprise Manager has no session of a job of that name at all; check the spelling "
        "(a string is one name, also with commas in it; give several names as a list)"]


@pytest.mark.parametrize("bad, message", [
    (dict(window="yesterday"), "window 'yesterday' is neither a length such as 90s, 30m, 24h"),
    (dict(window="0h"), "window '0h' must be longer than zero"),
    (dict(window="99999999w"), "window '99999999w' reaches back before the year 1"),
    (dict(window_end="tomorrow"), "window_end 'tomorrow' is not an ISO 8601 time"),
    (dict(window="2026-01-16T00:00:00Z"), "the window start 2026-01-16T00:00:00Z is not before its end"),
    (dict(latest_lookback="30x"), "latest_lookback '30x' is neither a length"),
    (dict(fail_on=["Broken"]), "fail_on"),
    (dict(junit_warning="maybe"), "junit_warning"),
    (dict(timeline="week"), "timeline"),
    (dict(basename="../report"), "basename '../report' must be a file name without a directory"),
    (dict(basename="report\nx"), "basename 'report\\nx' must be a file name without a directory, a line break"),
    (dict(basename="report\tx"), "basename 'report\\tx' must be a file name without a directory, a line break"),
    (dict(backup_server=""), "backup_server must not be empty"),
    (dict(job_name=[]), "job_name is an empty list"),
    (dict(collapse_success_over=-1), "collapse_success_over must be 0"),
    (dict(job_name=["SQL", ""]), "job_name must not contain an empty name"),
])
def test_bad_options_fail_before_any_request(fake_em, run_module, bad, message):
    rc, result, out = run_module(module, args(**bad))
    assert rc == 1 and message in result["msg"], result
    assert not result.get("changed")
    assert fake_em.summary() == []
    assert PASSWORD not in out
