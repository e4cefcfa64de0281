# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The estate's merge (plugin_utils/_estate.py): EM statuses, em on every row, totals, gate, JUnit, state."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import types
import xml.etree.ElementTree as ET

from ansible_collections.backupops.veeam_em.plugins.module_utils import _report
from ansible_collections.backupops.veeam_em.plugins.plugin_utils import _estate

END = "2026-01-15T06:00:00Z"
AT = datetime.datetime(2026, 1, 15, 6, 30, tzinfo=datetime.timezone.utc)


def _session(sid, job, result, created, state="Stopped"):
    return {"id": sid, "name": job + "@" + created, "job_name": job, "job_type": "Backup", "backup_server_name": "vbr01",
            "creation_time": created, "end_time": created[:11] + "23:30:00Z" if state == "Stopped" else None,
            "state": state, "result": result, "is_retry": False}


def _protection(vms):
    """A protection part of VMs (name, status), one repository at 10 % free, gate on breached and 15 %."""
    items = [{"vm_name": name, "vm_ref": name, "backup_server_name": "vbr01", "job_names": ["SQL"], "status": status,
              "latest_restore_point_time": None, "latest_restore_point_id": None, "age_seconds": None,
              "last_result": None, "last_reason": None} for name, status in vms]
    summary = {"protected": 0, "breached": 0, "unprotected": 0}
    for dummy, status in vms:
        summary[status] += 1
    summary.update(total=len(vms), rpo_seconds=86400)
    repos = [{"name": "Default", "backup_server_name": "vbr01", "capacity_bytes": 1000, "free_bytes": 100,
              "free_percent": 10.0, "kind": "WindowsLocal", "low": True}]
    return {"protection": {"vms": items, "containers": [], "summary": summary, "rpo": "24h"}, "fail_on": ["breached"],
            "free_percent_below": 15,
            "repositories": {"items": repos, "summary": {"total": 1, "unknown_capacity": 0, "capacity_bytes": 1000,
                                                         "free_bytes": 100}, "free_percent_below": 15}}


def _result(sessions, failed_detail=(), protection=None, fail_on=("Failed",)):
    """What em_backup_session_report registers: the report data and the task's keys."""
    report = _report.session_report(sessions, detail_sessions=list(failed_detail),
                                    window=_report.report_window("24h", END), fail_on=list(fail_on),
                                    generated_at=END, protection=protection)
    return dict(report, changed=False, invocation={"module_args": {"password": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"}})


A_SESSIONS = [_session("a1", "SQL", "Failed", "2026-01-14T22:00:00Z"), _session("a2", "SQL", "Success", "2026-01-14T23:00:00Z"),
              _session("a3", "Files", "Success", "2026-01-14T21:00:00Z")]
B_SESSIONS = [_session("b1", "Mail", "Warning", "2026-01-14T20:00:00Z"),
              _session("b2", "Mail", "None", "2026-01-15T05:00:00Z", state="Working")]
A_DETAIL = [dict(A_SESSIONS[0], task_sessions=[{"id": "t1", "vm_name": "db01", "result": "Failed", "reason": "No space"}])]
UNREACHABLE = {"failed": True, "changed": False, "error_kind": "unreachable",
               "msg": "Nothing answers at https://em-c:9398/api/sessionMngr/ (connection refused), so the request never "
                      "reached Enterprise Manager"}
REFUSED = {"failed": True, "changed": False, "error_kind": "logon_refused", "status": 401,
           "msg": "Logon to Enterprise Manager at https://em-d:9398/api as 'Administrator' failed: user name or "
                  "password rejected (HTTP 401)"}


def _entries(c_last_good=None):
    return [_estate.em_entry("em-a", _result(A_SESSIONS, A_DETAIL), at=AT),
            _estate.em_entry("em-b", _result(B_SESSIONS), at=AT),
            _estate.em_entry("em-c", UNREACHABLE, c_last_good, at=AT),
            _estate.em_entry("em-d", REFUSED, at=AT)]


def test_an_em_that_answered_has_its_report_with_em_on_every_row():
    entry = _estate.em_entry("em-a", _result(A_SESSIONS, A_DETAIL), at=AT)
    assert (entry["em"], entry["status"], entry["reason"]) == ("em-a", "ok", None)
    assert (entry["last_good_answer"], entry["seconds_since_last_good_answer"]) == (END, 0)  # it answered in this run
    report = entry["report"]
    assert sorted(report) == sorted(_report.REPORT_KEYS)  # the report data, not the task's keys (invocation)
    assert [(s["id"], s["em"]) for s in report["sessions"]] == [("a3", "em-a"), ("a1", "em-a"), ("a2", "em-a")]
    assert [(j["name"], j["em"]) for j in report["jobs"]] == [("Files", "em-a"), ("SQL", "em-a")]
    assert [(f["vm_name"], f["em"]) for f in report["failures"]] == [("db01", "em-a")]


def test_the_rows_are_copies_the_registered_result_keeps_its_own():
    result = _result(A_SESSIONS, A_DETAIL)
    _estate.em_entry("em-a", result, at=AT)
    assert "em" not in result["sessions"][0] and "em" not in result["jobs"][0]


def test_protection_vms_and_repositories_get_em():
    entry = _estate.em_entry("em-a", _result(A_SESSIONS, protection=_protection([("db01", "breached")])), at=AT)
    assert [(vm["vm_name"], vm["em"]) for vm in entry["report"]["protection"]["vms"]] == [("db01", "em-a")]
    assert [(r["name"], r["em"]) for r in entry["report"]["repositories"]["items"]] == [("Default", "em-a")]


def test_failed_results_become_statuses_with_the_failure_message_as_reason():
    assert _estate.em_entry("em-c", UNREACHABLE, at=AT) == {
        "em": "em-c", "status": "unreachable", "reason": UNREACHABLE["msg"], "last_good_answer": None,
        "seconds_since_last_good_answer": None, "warnings": [], "report": None}
    assert _estate.em_entry("em-d", REFUSED, at=AT)["status"] == "logon_refused"
    other = {"failed": True, "msg": "Enterprise Manager answered HTTP 500 to GET /api/query: still failing",
             "error_kind": "failed"}
    assert _estate.em_entry("em-e", other, at=AT)["status"] == "failed"
    crashed = {"failed": True, "msg": "MODULE FAILURE", "module_stderr": "Traceback ..."}  # no error_kind
    assert (_estate.em_entry("em-f", crashed, at=AT)["status"], _estate.em_entry("em-f", crashed, at=AT)["reason"]) \
        == ("failed", "MODULE FAILURE")


def test_each_em_keeps_the_warnings_of_its_report_task_and_the_page_shows_them():
    warning = "job_name 'SQL Bakup': Enterprise Manager has no session of a job of that name at all; check the spelling"
    warned = _estate.em_entry("em-a", dict(_result(A_SESSIONS, A_DETAIL), warnings=[warning]), at=AT)
    assert warned["warnings"] == [warning]
    # ansible-core 2.19 registers a warning as an object (hostvars read raw): its event's msg is the text
    summary = types.SimpleNamespace(event=types.SimpleNamespace(msg=warning, formatted_traceback=None))
    assert _estate.em_entry("em-a", dict(_result(A_SESSIONS), warnings=[summary]), at=AT)["warnings"] == [warning]
    assert _estate.em_entry("em-b", _result(B_SESSIONS), at=AT)["warnings"] == []
    data = _estate.estate([warned, _estate.em_entry("em-b", _result(B_SESSIONS), at=AT)], generated_at=AT)
    html = _estate.render_files(data)["html"]
    assert html.count("Warnings of this EM's report") == 1
    assert "<li>job_name &#39;SQL Bakup&#39;: Enterprise Manager has no session" in html


def test_an_em_without_a_result_is_failed_never_missing():
    entry = _estate.em_entry("em-g", None, at=AT)
    assert (entry["status"], entry["reason"]) == ("failed", _estate.NO_RESULT)
    skipped = _estate.em_entry("em-h", {"skipped": True, "skip_reason": "Conditional result was False"}, at=AT)
    assert (skipped["status"], skipped["reason"]) == (
        "failed", "the report task was skipped for this EM (Conditional result was False)")


def test_time_since_the_last_good_answer_of_an_em_that_is_down():
    entry = _estate.em_entry("em-c", UNREACHABLE, "2026-01-14T06:30:00Z", at=AT)
    assert (entry["last_good_answer"], entry["seconds_since_last_good_answer"]) == ("2026-01-14T06:30:00Z", 86400)


def test_totals_across_the_ems_that_answered():
    data = _estate.estate(_entries(), generated_at="2026-01-15T06:30:00Z")
    summary = data["summary"]
    assert summary["ems"] == 4
    assert summary["ems_by_status"] == {"ok": 2, "unreachable": 1, "logon_refused": 1, "failed": 0}
    assert summary["total"] == 5 and summary["running"] == 1
    assert summary["by_result"] == {"Success": 2, "Warning": 1, "Failed": 1, "None": 1}
    assert summary["jobs"] == 3
    assert summary["jobs_by_status"] == {"Failed": 0, "Warning": 1, "Running": 0, "None": 0, "Success": 2}
    # Mail: its newest finished session is the Warning one (the running one has no result yet); failure rows come
    # from the detail sessions, given for em-a only: db01 of a1
    assert summary["problem_vms"] == 1 and summary["failure_rows"] == 1
    assert summary["success_rate"] == 50.0  # 2 of the 4 finished sessions
    assert summary["protection"] is None and summary["repositories"] is None
    assert data["window"] == {"spec": "24h", "start": "2026-01-14T06:00:00Z", "end": END, "seconds": 86400}


def test_gate_fails_on_an_em_that_is_down_and_on_an_ems_own_gate():
    data = _estate.estate(_entries(), generated_at="2026-01-15T06:30:00Z")
    gate = data["gate"]
    assert gate["failed"] is True
    assert (gate["ems_down"], gate["ems_allowed_down"], gate["ems_gate_failed"]) == (["em-c", "em-d"], [], ["em-a"])
    assert gate["message"] == (
        "2 of 4 EM(s) answered; em-c unreachable: %s; em-d logon_refused: %s; em-a: 1 session(s) of 1 job(s) with "
        "result Failed between 2026-01-14T06:00:00Z and 2026-01-15T06:00:00Z: SQL (1 Failed)"
        % (UNREACHABLE["msg"], REFUSED["msg"]))


def test_allow_unreachable_lets_unreachable_and_refused_pass_but_says_so():
    entries = [_estate.em_entry("em-b", _result(B_SESSIONS), at=AT), _estate.em_entry("em-c", UNREACHABLE, at=AT),
               _estate.em_entry("em-d", REFUSED, at=AT)]
    gate = _estate.estate(entries, allow_unreachable=True)["gate"]
    assert gate["failed"] is False
    assert (gate["ems_down"], gate["ems_allowed_down"]) == ([], ["em-c", "em-d"])
    assert gate["message"] == (
        "1 of 3 EM(s) answered; em-c unreachable (allowed by allow_unreachable): %s; em-d logon_refused (allowed by "
        "allow_unreachable): %s" % (UNREACHABLE["msg"], REFUSED["msg"]))


def test_allow_unreachable_never_lets_a_failed_em_pass():
    entries = [_estate.em_entry("em-b", _result(B_SESSIONS), at=AT), _estate.em_entry("em-g", None, at=AT)]
    gate = _estate.estate(entries, allow_unreachable=True)["gate"]
    assert gate["failed"] is True and gate["ems_down"] == ["em-g"]


def test_every_em_answering_without_a_failure_passes():
    gate = _estate.estate([_estate.em_entry("em-b", _result(B_SESSIONS), at=AT)])["gate"]
    assert gate == {"failed": False, "allow_unreachable": False, "ems_down": [], "ems_allowed_down": [],
                    "ems_gate_failed": [], "message": "1 of 1 EM(s) answered; no EM's gate failed"}


def test_protection_across_ems():
    part_a = _protection([("db01", "breached"), ("fs01", "protected")])
    part_b = _protection([("db01", "protected"), ("new01", "unprotected")])
    entries = [_estate.em_entry("em-a", _result(A_SESSIONS, protection=part_a, fail_on=()), at=AT),
               _estate.em_entry("em-b", _result(B_SESSIONS, protection=part_b, fail_on=()), at=AT)]
    data = _estate.estate(entries)
    assert data["summary"]["protection"] == {"ems": 2, "rpo": ["24h"], "total": 4, "protected": 2, "breached": 1,
                                             "unprotected": 1}
    assert data["summary"]["repositories"] == {"low": 2, "total": 2, "unknown_capacity": 0, "capacity_bytes": 2000,
                                               "free_bytes": 200}
    # both EMs' own gates fail: em-a's on its breached VM and both on their repository below 15 %
    assert data["gate"]["failed"] is True and data["gate"]["ems_gate_failed"] == ["em-a", "em-b"]
    vms = [(vm["em"], vm["vm_name"], vm["status"]) for entry in data["ems"] for vm in entry["report"]["protection"]["vms"]]
    assert vms == [("em-a", "db01", "breached"), ("em-a", "fs01", "protected"), ("em-b", "db01", "protected"),
                   ("em-b", "new01", "unprotected")]


def test_junit_has_a_testsuite_per_em_and_an_erroring_case_for_each_em_down():
    data = _estate.estate(_entries(), generated_at="2026-01-15T06:30:00Z")
    # time: each job's decisive session, start to 23:30: Files 21:00 (9000 s), SQL 23:00 (1800 s), Mail 20:00 (12600 s)
    assert data["junit"] == {"tests": 5, "failures": 0, "errors": 2, "skipped": 0, "time": 23400.0}
    root = ET.fromstring(_estate.render_files(data)["junit"].encode("utf-8"))
    assert [(s.get("name"), s.get("tests"), s.get("errors"), s.get("skipped")) for s in root] == [
        ("em-a", "2", "0", "0"), ("em-b", "1", "0", "0"), ("em-c", "1", "1", "0"), ("em-d", "1", "1", "0")]
    assert [c.get("classname") + "/" + c.get("name") for c in root[0].iter("testcase")] == [
        "em-a.veeam.Backup/Files", "em-a.veeam.Backup/SQL"]
    error = root[2].find("testcase/error")
    assert (error.get("type"), error.get("message")) == ("unreachable", UNREACHABLE["msg"])
    allowed = ET.fromstring(_estate.render_files(_estate.estate(_entries(), allow_unreachable=True))["junit"]
                            .encode("utf-8"))
    assert [(s.get("name"), s.get("errors"), s.get("skipped")) for s in allowed][2:] == [
        ("em-c", "0", "1"), ("em-d", "0", "1")]
    assert allowed.get("errors") == "0" and allowed.get("skipped") == "2"


def test_the_json_file_is_the_estate_data_and_the_state_file_the_last_good_answers():
    data = _estate.estate(_entries("2026-01-10T00:00:00Z"), generated_at="2026-01-15T06:30:00Z")
    files = _estate.render_files(data)
    assert json.loads(files["json"]) == json.loads(json.dumps(data))
    assert json.loads(files["state"]) == {"format_version": 1, "generated_at": "2026-01-15T06:30:00Z", "ems": {
        "em-a": {"status": "ok", "last_good_answer": END}, "em-b": {"status": "ok", "last_good_answer": END},
        "em-c": {"status": "unreachable", "last_good_answer": "2026-01-10T00:00:00Z"},
        "em-d": {"status": "logon_refused", "last_good_answer": None}}}
    assert _estate.last_good_answers(files["state"]) == {"em-a": END, "em-b": END, "em-c": "2026-01-10T00:00:00Z",
                                                         "em-d": None}


def test_a_broken_state_file_only_loses_the_times():
    assert _estate.last_good_answers("") == {}
    assert _estate.last_good_answers("{not json") == {}
    assert _estate.last_good_answers('{"ems": {"em-a": {"last_good_answer": "yesterday"}}}') == {}


def test_the_page_has_the_em_table_and_a_section_per_em():
    html = _estate.render_files(_estate.estate(_entries("2026-01-14T06:30:00Z")))["html"]
    assert html.count('class="em-head"') == 4
    assert '<td class="em"><a href="#em3-em">em-c</a></td>' in html
    assert "1d 0h ago <span class=\"muted\">(2026-01-14T06:30:00Z)</span>" in html
    assert html.count('id="em1-fail-heading"') == 1 and html.count('id="em2-fail-heading"') == 1
    assert "unknown (none since this report's state file began)" in html  # em-d: never seen answering


def test_outline_is_the_estate_without_the_reports():
    data = _estate.estate(_entries())
    outline = _estate.outline(data)
    assert [sorted(entry) for entry in outline["ems"]][0] == [
        "em", "gate", "last_good_answer", "reason", "seconds_since_last_good_answer", "status", "summary", "warnings"]
    assert outline["ems"][2]["summary"] is None and outline["summary"] == data["summary"]
