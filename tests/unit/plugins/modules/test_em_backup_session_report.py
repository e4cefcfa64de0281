# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""em_backup_session_report's module part: the exact requests, the report data, options checked first.

Rendering and writing the files is the action plugin's (tests/unit/plugins/action and tests/e2e).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import os

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from ansible_collections.backupops.veeam_em.plugins.module_utils import _report
from ansible_collections.backupops.veeam_em.plugins.module_utils import _times
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
    xml_error,
)

START = "2026-01-14T06:00:00Z"
END = "2026-01-15T06:00:00Z"
SERVER = "srv02.tech.local"  # em_fake's backup server
ASC = "type=BackupJobSession&format=Entities&sortAsc=CreationTime&pageSize=1000&page=1"
TASKS = "type=BackupTaskSession&format=Entities&sortAsc=CreationTime&pageSize=1000&page=1"
NOW = datetime.datetime(2026, 1, 15, 6, 0, 5, tzinfo=datetime.timezone.utc)  # 1768456805
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


def test_a_misspelt_job_name_with_rpo_is_warned_about_once_too(fake_em, run_module):
    """The protection part asks for the backup jobs of that name (none) and does not warn a second time."""
    fake_em.logon()
    for _question in range(4):  # the three questions, and whether EM has any session of that name
        fake_em.expect("GET", "/query", body=empty())
    fake_em.expect("GET", "/query", body=query_result([], "Jobs"))
    fake_em.expect("GET", "/query", body=query_result([], "Repositories"))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(job_name="SQL Bakup", rpo="24h"))
    assert rc == 0 and result["protection"]["vms"] == []
    assert fake_em.summary()[5:] == [
        ("GET", "/api/query", 'type=Job&format=Entities&sortAsc=Name&pageSize=1000&page=1'
                              '&filter=Name=="SQL Bakup";JobType==Backup'),
        ("GET", "/api/query", "type=Repository&format=Entities&sortAsc=Name&pageSize=1000&page=1"), LOGOUT]
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


# -- metrics_file ------------------------------------------------------------------------------------------------

def prom_samples(path):
    """(name, labels, value) of every sample of the file, as prometheus_client's parser reads it."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    assert text.endswith("\n")
    return set((s.name, tuple(sorted(s.labels.items())), s.value)
               for family in text_string_to_metric_families(text) for s in family.samples)


def expect_one_failed_job(fake_em):
    fake_em.logon()
    fake_em.expect("GET", "/query", body=query_result([job_session_xml(
        sid(1), job='SQL "prod"', created="2026-01-14T22:00:00Z", ended="2026-01-14T22:30:00Z", result="Failed")]))
    fake_em.expect("GET", "/query", body=query_result([], collection="BackupTaskSessions", pages=0))
    fake_em.expect("GET", "/query", body=empty())
    fake_em.expect("GET", "/query", body=empty())
    fake_em.logout()


def test_metrics_file_gets_the_report_as_prometheus_text(fake_em, run_module, tmp_path, monkeypatch):
    monkeypatch.setattr(_times, "utcnow", lambda: NOW)
    expect_one_failed_job(fake_em)
    path = tmp_path / "veeam_em.prom"
    rc, result, dummy = run_module(module, args(metrics_file=str(path)))
    assert rc == 0, result
    assert fake_em.summary() == [LOGON, ("GET", "/api/query", ASC + '&filter=CreationTime>="%s";CreationTime<="%s"'
                                         % (START, END)),
                                 ("GET", "/api/query", TASKS + "&filter=%s;(Result==Warning,Result==Failed)" % uid(1)),
                                 ("GET", "/api/query", ASC + "&filter=(State==Starting,State==Stopping,State==Working,"
                                                             'State==Pausing,State==Resuming);CreationTime<="%s"'
                                                             % START),
                                 ("GET", "/api/query", ASC + '&filter=CreationTime<="%s";EndTime>="%s"'
                                                             % (START, START)),
                                 LOGOUT]
    assert (result["metrics_file"], result["changed"]) == (str(path), True)
    job = (("backup_server", SERVER), ("em", "em.example.com"), ("job_name", 'SQL "prod"'), ("job_type", "Backup"))
    assert prom_samples(str(path)) == set([
        ("veeam_em_up", (("em", "em.example.com"),), 1.0),
        ("veeam_em_report_timestamp_seconds", (("em", "em.example.com"),), 1768456805.0),
        ("veeam_em_report_window_seconds", (("em", "em.example.com"),), 86400.0),
        ("veeam_em_sessions", (("em", "em.example.com"), ("result", "Success")), 0.0),
        ("veeam_em_sessions", (("em", "em.example.com"), ("result", "Warning")), 0.0),
        ("veeam_em_sessions", (("em", "em.example.com"), ("result", "Failed")), 1.0),
        ("veeam_em_sessions", (("em", "em.example.com"), ("result", "None")), 0.0),
        ("veeam_em_job_last_result", job, 2.0),
        ("veeam_em_job_last_end_timestamp_seconds", job, 1768429800.0),
    ])
    assert oct(os.stat(str(path)).st_mode & 0o777) == "0o644"
    assert os.listdir(str(tmp_path)) == ["veeam_em.prom"]


def test_em_name_is_the_em_label_and_check_mode_writes_nothing(fake_em, run_module, tmp_path):
    expect_one_failed_job(fake_em)
    path = tmp_path / "veeam_em.prom"
    rc, result, dummy = run_module(module, args(metrics_file=str(path), em_name="em-emea"), check_mode=True)
    assert rc == 0 and (result["metrics_file"], result["changed"]) == (str(path), True), result
    assert not path.exists()
    expect_one_failed_job(fake_em)
    rc, result, dummy = run_module(module, args(metrics_file=str(path), em_name="em-emea"))
    assert rc == 0, result
    assert ("veeam_em_up", (("em", "em-emea"),), 1.0) in prom_samples(str(path))


def test_a_refused_logon_writes_up_0_over_the_old_file_then_fails(fake_em, run_module, tmp_path, monkeypatch):
    monkeypatch.setattr(_times, "utcnow", lambda: NOW)
    path = tmp_path / "veeam_em.prom"
    path.write_text('veeam_em_up{em="em.example.com"} 1\n')  # the last good run's
    fake_em.expect("POST", "/sessionMngr/", 401, xml_error(401, "Unauthorized"))
    rc, result, out = run_module(module, args(metrics_file=str(path)))
    assert rc == 1 and result["msg"].endswith("failed: user name or password rejected (HTTP 401)"), result
    assert fake_em.summary() == [LOGON]
    assert (result["metrics_file"], result["changed"]) == (str(path), True)
    assert prom_samples(str(path)) == set([("veeam_em_up", (("em", "em.example.com"),), 0.0),
                                           ("veeam_em_report_timestamp_seconds", (("em", "em.example.com"),),
                                            1768456805.0)])
    assert os.listdir(str(tmp_path)) == ["veeam_em.prom"]
    assert PASSWORD not in out and PASSWORD not in path.read_text()


def test_an_error_after_the_logon_writes_up_0_and_logs_off(fake_em, run_module, tmp_path):
    path = tmp_path / "veeam_em.prom"
    fake_em.logon()
    fake_em.expect("GET", "/query", 400, xml_error(400, "Invalid filter"))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(metrics_file=str(path), em_name="em-emea"))
    assert rc == 1 and "Invalid filter" in result["msg"], result
    assert fake_em.summary()[-1] == LOGOUT
    assert [(name, value) for name, labels, value in prom_samples(str(path)) if name == "veeam_em_up"] == [
        ("veeam_em_up", 0.0)]


def test_a_refused_connection_writes_up_0(fake_em, run_module, tmp_path):
    path = tmp_path / "veeam_em.prom"
    refused = requests.exceptions.ConnectionError(ConnectionRefusedError(111, "Connection refused"))
    fake_em.expect("POST", "/sessionMngr/", raises=refused)
    rc, result, dummy = run_module(module, args(metrics_file=str(path)))
    assert rc == 1 and result["msg"].startswith("Nothing answers at https://em.example.com:9398/api/sessionMngr/ (connection refused)"), result
    assert fake_em.summary() == [LOGON]
    assert ("veeam_em_up", (("em", "em.example.com"),), 0.0) in prom_samples(str(path))


def test_check_mode_writes_no_up_0_either(fake_em, run_module, tmp_path):
    path = tmp_path / "veeam_em.prom"
    fake_em.expect("POST", "/sessionMngr/", 401, xml_error(401, "Unauthorized"))
    rc, result, dummy = run_module(module, args(metrics_file=str(path)), check_mode=True)
    assert rc == 1 and not path.exists()


@pytest.mark.parametrize("bad, message", [
    (dict(metrics_file="veeam_em.txt"), "metrics_file 'veeam_em.txt' must name a file ending in .prom"),
    (dict(metrics_file="/no/such/dir/veeam_em.prom"), "metrics_file '/no/such/dir/veeam_em.prom': the directory "
                                                      "/no/such/dir does not exist; create it"),
    (dict(em_name="em-emea"), "em_name is the em label of the metrics in metrics_file: set metrics_file too"),
    (dict(metrics_file="/tmp/x.prom", em_name=" "), "em_name must not be empty"),
    (dict(metrics_file="/tmp/x.prom", em_name=["a"]), "em_name must be one name, not a list"),
    (dict(metrics_file="/tmp/x.prom", window="yesterday"), "window 'yesterday' is neither a length"),
])
def test_bad_metrics_options_fail_before_any_request_and_write_nothing(fake_em, run_module, bad, message):
    rc, result, dummy = run_module(module, args(**bad))
    assert rc == 1 and result["msg"].startswith(message), result
    assert fake_em.summary() == [] and "metrics_file" not in result and not result["changed"]
    assert not os.path.exists("/tmp/x.prom")
