# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import requests

from ansible_collections.backupops.veeam_em.plugins.modules import em_backup_session_stop as module
from ansible_collections.backupops.veeam_em.tests.unit.em_fake import (
    CONNECTION,
    LOGON,
    LOGOUT,
    PASSWORD,
    job_session_xml,
    job_xml,
    query_result,
    warning_texts,
    task_xml,
    warning_texts,
    xml_error,
)

S1 = "11111111-1111-4111-8111-111111111111"
S2 = "22222222-2222-4222-8222-222222222222"
S3 = "33333333-3333-4333-8333-333333333333"


def args(**kwargs):
    result = dict(CONNECTION)
    result.update(kwargs)
    return result


def get_session(sid):
    return ("GET", "/api/backupSessions/" + sid, "format=Entity")


def post_stop(sid):
    return ("POST", "/api/backupSessions/" + sid, "action=stop")


def running(sid, **kw):
    return job_session_xml(sid, state=kw.pop("state", "Working"), result="None", ended=None, **kw)


def stopped(sid):
    return job_session_xml(sid, state="Stopped", result="Failed")


def test_stop_by_id_and_wait(fake_em, run_module):
    fake_em.logon()
    fake_em.expect("GET", "/backupSessions/" + S1, body=running(S1))
    fake_em.expect("POST", "/backupSessions/" + S1, 202, task_xml("task-1", "Running"))
    fake_em.expect("GET", "/tasks/task-1", body=task_xml("task-1", "Running"))
    fake_em.expect("GET", "/tasks/task-1", body=task_xml("task-1", "Finished", True, "triggered to stop."))
    fake_em.expect("GET", "/backupSessions/" + S1, body=running(S1, state="Stopping"))
    fake_em.expect("GET", "/backupSessions/" + S1, body=job_session_xml(S1, state="Stopped", result="Failed"))
    fake_em.logout()
    rc, result, out = run_module(module, args(id=S1, poll_interval=2))
    assert rc == 0 and result["changed"] is True
    assert fake_em.summary() == [LOGON, get_session(S1), post_stop(S1), ("GET", "/api/tasks/task-1"), ("GET", "/api/tasks/task-1"),
                                 get_session(S1), get_session(S1), LOGOUT]
    assert fake_em.sleeps == [2, 2]
    assert result["tasks"] == [{"task_id": "task-1", "state": "Finished", "operation": "StopJobSession", "success": True,
                                "message": "triggered to stop.", "session_id": S1}]
    assert [(s["id"], s["state"], s["result"]) for s in result["backup_sessions"]] == [(S1, "Stopped", "Failed")]
    assert "diff" not in result and PASSWORD not in out


def test_stop_answered_without_a_task_waits_on_the_session(fake_em, run_module):
    fake_em.logon()
    fake_em.expect("GET", "/backupSessions/" + S1, body=running(S1))
    fake_em.expect("POST", "/backupSessions/" + S1, 202)  # no Task in the answer: nothing to poll at /tasks
    fake_em.expect("GET", "/backupSessions/" + S1, body=running(S1, state="Stopping"))
    fake_em.expect("GET", "/backupSessions/" + S1, body=job_session_xml(S1, state="Stopped", result="Failed"))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(id=S1, poll_interval=2))
    assert rc == 0 and result["changed"] is True
    assert fake_em.summary() == [LOGON, get_session(S1), post_stop(S1), get_session(S1), get_session(S1), LOGOUT]
    assert result["tasks"] == [{"task_id": None, "state": None, "operation": None, "success": None, "message": None,
                                "session_id": S1}]
    assert [(s["id"], s["state"]) for s in result["backup_sessions"]] == [(S1, "Stopped")]


def test_already_stopped_is_idempotent(fake_em, run_module):
    fake_em.logon().expect("GET", "/backupSessions/" + S1, body=job_session_xml(S1)).logout()
    rc, result, dummy = run_module(module, args(id="urn:veeam:BackupJobSession:" + S1), diff=True)
    assert rc == 0 and result["changed"] is False and result["tasks"] == []
    assert fake_em.summary() == [LOGON, get_session(S1), LOGOUT]
    assert result["diff"]["before"] == result["diff"]["after"]


def test_job_name_stops_every_running_session(fake_em, run_module):
    job = 'SQL "Prod"'
    fake_em.logon()
    fake_em.expect("GET", "/query", body=query_result([running(S1, job=job), running(S2, state="Starting", job=job),
                                                       running(S3, state="Stopping", job=job)]))
    fake_em.expect("POST", "/backupSessions/" + S1, 202, task_xml("task-1", "Running"))
    fake_em.expect("POST", "/backupSessions/" + S2, 202, task_xml("task-2", "Finished", True, "ok"))
    fake_em.expect("GET", "/tasks/task-1", body=task_xml("task-1", "Finished", True, "ok"))
    for sid in (S1, S2, S3):
        fake_em.expect("GET", "/backupSessions/" + sid, body=job_session_xml(sid, state="Stopped", result="Failed", job=job))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(job_name=job), diff=True)
    assert rc == 0 and result["changed"] is True
    assert fake_em.summary() == [
        LOGON,
        ("GET", "/api/query", 'type=BackupJobSession&format=Entities&sortAsc=CreationTime&pageSize=1000&page=1'
                              '&filter=JobName=="SQL ""Prod""";State!=Stopped'),
        post_stop(S1), post_stop(S2), ("GET", "/api/tasks/task-1"),
        get_session(S1), get_session(S2), get_session(S3), LOGOUT]
    assert fake_em.sleeps == []
    assert [t["task_id"] for t in result["tasks"]] == ["task-1", "task-2"]
    assert [s["state"] for s in result["diff"]["before"]["backup_sessions"]] == ["Working", "Starting", "Stopping"]
    assert [s["state"] for s in result["diff"]["after"]["backup_sessions"]] == ["Stopped"] * 3


def query_call(flt, sort="sortAsc", page_size=1000):
    return ("GET", "/api/query", "type=BackupJobSession&format=Entities&%s=CreationTime&pageSize=%d&page=1&filter=%s"
            % (sort, page_size, flt))


def test_job_without_running_session(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([]))
    fake_em.expect("GET", "/query", body=query_result([job_session_xml(S1, job="IDLE job")])).logout()
    rc, result, dummy = run_module(module, args(job_name="Idle job"))
    assert rc == 0 and result["changed"] is False and result["backup_sessions"] == []
    assert fake_em.summary() == [LOGON, query_call('JobName=="Idle job";State!=Stopped'),
                                 query_call('JobName=="Idle job"', "sortDesc", 1), LOGOUT]


def test_job_name_that_no_session_has_fails_naming_it(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([]))
    fake_em.expect("GET", "/query", body=query_result([])).logout()
    rc, result, dummy = run_module(module, args(job_name="SQL Bakup"))
    assert rc == 1 and result["changed"] is False
    assert result["msg"].startswith("job_name 'SQL Bakup': Enterprise Manager has no session of a job of that name")


def test_sessions_of_other_jobs_are_never_stopped(fake_em, run_module):
    """A name that would break out of the server filter (or any filter quirk) must not widen a stop."""
    name = 'nomatch",JobName!="zzz'
    fake_em.logon()
    fake_em.expect("GET", "/query", body=query_result([running(S1, job="Other job"), running(S2, job="Third job")]))
    fake_em.expect("GET", "/query", body=query_result([running(S1, job="Other job")])).logout()
    rc, result, dummy = run_module(module, args(job_name=name))
    assert rc == 1 and result["changed"] is False and "has no session of a job of that name" in result["msg"]
    assert fake_em.calls[1].param("filter") == 'JobName=="nomatch"",JobName!=""zzz";State!=Stopped'
    assert [c for c in fake_em.summary() if c[0] == "POST" and c[1] != "/api/sessionMngr/"] == []
    assert "returned 2 sessions that do not match job_name" in str(warning_texts(result))


def test_a_name_with_typographic_quotes_is_looked_for_through_the_job_list(fake_em, run_module):
    """EM may take \u201c \u201d for quotes and refuse the filter (400): the job's UID is sent instead."""
    name = "Backup \u201cProd\u201d"
    job_uid = "urn:veeam:Job:4856ab37-2235-45e8-affe-d515878b01a9"
    fake_em.logon()
    fake_em.expect("GET", "/query", body=query_result([job_xml(name="Other"), job_xml(name=name)], "Jobs"))
    fake_em.expect("GET", "/query", body=query_result([running(S1, job=name)]))
    fake_em.expect("POST", "/backupSessions/" + S1, 202, task_xml("task-1", "Finished", True, "triggered to stop."))
    fake_em.expect("GET", "/backupSessions/" + S1, body=job_session_xml(S1, state="Stopped", result="Failed", job=name))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(job_name=name))
    assert rc == 0 and result["changed"] is True, result
    assert fake_em.summary()[1] == ("GET", "/api/query", "type=Job&format=Entities&sortAsc=Name&pageSize=1000&page=1")
    assert fake_em.calls[2].param("filter") == 'State!=Stopped;JobUid=="%s"' % job_uid
    assert [s["job_name"] for s in result["backup_sessions"]] == [name]


def test_session_of_another_id_is_never_stopped(fake_em, run_module):
    fake_em.logon().expect("GET", "/backupSessions/" + S1, body=running(S2)).logout()
    rc, result, dummy = run_module(module, args(id=S1))
    assert rc == 1 and result["changed"] is False and "not found" in result["msg"]
    assert fake_em.summary() == [LOGON, get_session(S1), LOGOUT]


def test_check_mode_sends_no_post(fake_em, run_module):
    fake_em.logon().expect("GET", "/backupSessions/" + S1, body=running(S1)).logout()
    rc, result, dummy = run_module(module, args(id=S1), check_mode=True, diff=True)
    assert rc == 0 and result["changed"] is True and result["tasks"] == []
    assert fake_em.summary() == [LOGON, get_session(S1), LOGOUT]
    name = result["backup_sessions"][0]["name"]
    assert result["diff"] == {"before": {"backup_sessions": [{"id": S1, "name": name, "state": "Working"}]},
                              "after": {"backup_sessions": [{"id": S1, "name": name, "state": "Stopped"}]}}


def test_no_wait_reads_session_once(fake_em, run_module):
    fake_em.logon()
    fake_em.expect("GET", "/backupSessions/" + S1, body=running(S1))
    fake_em.expect("POST", "/backupSessions/" + S1, 202, task_xml("task-1", "Running"))
    fake_em.expect("GET", "/backupSessions/" + S1, body=running(S1, state="Stopping"))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(id=S1, wait=False))
    assert fake_em.summary() == [LOGON, get_session(S1), post_stop(S1), get_session(S1), LOGOUT]
    assert result["changed"] is True and result["backup_sessions"][0]["state"] == "Stopping"
    assert result["tasks"][0]["state"] == "Running"


def test_forbidden_for_restore_operator(fake_em, run_module):
    fake_em.logon()
    fake_em.expect("GET", "/backupSessions/" + S1, body=running(S1))
    fake_em.expect("POST", "/backupSessions/" + S1, 403, xml_error(403, "Access is denied"))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(id=S1, user="RestoreOperator"))
    assert rc == 1 and result["status"] == 403
    assert "RestoreOperator lacks the role to stop jobs" in result["msg"]
    assert result["em_message"] == "Access is denied" and result["changed"] is False
    assert fake_em.summary()[-1] == LOGOUT


def test_unknown_id_fails_naming_it(fake_em, run_module):
    fake_em.logon().expect("GET", "/backupSessions/" + S1, 404, xml_error(404, "not found")).logout()
    rc, result, dummy = run_module(module, args(id=S1))
    assert rc == 1 and result["msg"] == "id: backup session %s not found on Enterprise Manager" % S1 and result["status"] == 404


def test_wait_timeout_reports_last_state(fake_em, run_module):
    fake_em.logon()
    fake_em.expect("GET", "/backupSessions/" + S1, body=running(S1))
    fake_em.expect("POST", "/backupSessions/" + S1, 202, task_xml("task-1", "Finished", True, "ok"))
    for dummy in range(4):  # at 0, 2, 4 and 5 s: one last look at the deadline
        fake_em.expect("GET", "/backupSessions/" + S1, body=running(S1, state="Stopping"))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(id=S1, wait_timeout=5, poll_interval=2))
    assert rc == 1 and result["changed"] is True
    assert "Timed out after 5 s" in result["msg"] and "state now: Stopping" in result["msg"]
    assert fake_em.sleeps == [2, 2, 1]
    assert result["backup_sessions"][0]["state"] == "Stopping"


def test_task_failure_is_reported(fake_em, run_module):
    fake_em.logon()
    fake_em.expect("GET", "/backupSessions/" + S1, body=running(S1))
    fake_em.expect("POST", "/backupSessions/" + S1, 202, task_xml("task-1", "Running"))
    fake_em.expect("GET", "/tasks/task-1", body=task_xml("task-1", "Finished", False, "Cannot stop: job is finishing"))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(id=S1))
    assert rc == 1 and "could not stop session %s: Cannot stop: job is finishing" % S1 in result["msg"]
    assert result["changed"] is True


def test_stop_post_never_repeated(fake_em, run_module):
    fake_em.logon()
    fake_em.expect("GET", "/backupSessions/" + S1, body=running(S1))
    fake_em.expect("POST", "/backupSessions/" + S1, raises=requests.exceptions.ConnectionError("connection reset"))
    fake_em.expect("GET", "/backupSessions/" + S1, body=running(S1))  # still Working: EM did not run it
    fake_em.logout()
    rc, result, dummy = run_module(module, args(id=S1))
    assert rc == 1 and "the stop was not repeated" in result["msg"] and "still runs (Working)" in result["msg"]
    assert fake_em.summary() == [LOGON, get_session(S1), post_stop(S1), get_session(S1), LOGOUT]
    # EM may have accepted it: the result must not say that nothing changed
    assert result["changed"] is True and result["tasks"][0]["session_id"] == S1


def test_a_lost_stop_answer_does_not_keep_the_other_sessions_of_the_job_from_their_stops(fake_em, run_module):
    """Two running sessions of one job: the first stop's answer is lost, the second is still sent; both stop."""
    fake_em.logon()
    fake_em.expect("GET", "/query", body=query_result([running(S1), running(S2)]))
    fake_em.expect("POST", "/backupSessions/" + S1, raises=requests.exceptions.ConnectionError("connection reset"))
    fake_em.expect("POST", "/backupSessions/" + S2, 202, task_xml("task-2", "Running"))
    fake_em.expect("GET", "/tasks/task-2", body=task_xml("task-2", "Finished", True, "triggered to stop."))
    fake_em.expect("GET", "/backupSessions/" + S1, body=stopped(S1))
    fake_em.expect("GET", "/backupSessions/" + S2, body=stopped(S2))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(job_name="Fileserver Backup"))
    assert rc == 0, result
    assert fake_em.summary()[2:5] == [post_stop(S1), post_stop(S2), ("GET", "/api/tasks/task-2")]
    assert result["changed"] is True and [s["state"] for s in result["backup_sessions"]] == ["Stopped", "Stopped"]
    assert any("The answer to the stop of session" in w and "was lost" in w for w in warning_texts(result))


def test_a_stop_task_that_fails_in_operation_finished_fails_at_once_with_ems_message(fake_em, run_module):
    fake_em.logon()
    fake_em.expect("GET", "/backupSessions/" + S1, body=running(S1))
    fake_em.expect("POST", "/backupSessions/" + S1, 202, task_xml("task-1", "Running"))
    fake_em.expect("GET", "/tasks/task-1", body=task_xml("task-1", "OperationFinished", False,
                                                         "Failed to stop job session: the backup server is not available"))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(id=S1))
    assert rc == 1 and result["changed"] is True
    assert result["msg"] == ("Enterprise Manager could not stop session %s: Failed to stop job session: the backup "
                             "server is not available" % S1)
    assert fake_em.sleeps == []


def test_a_session_that_already_ended_says_so(fake_em, run_module):
    fake_em.logon().expect("GET", "/backupSessions/" + S1, body=stopped(S1)).logout()
    rc, result, dummy = run_module(module, args(id=S1))
    assert rc == 0 and result["changed"] is False and result["tasks"] == []
    assert result["msg"].startswith("Nothing to stop: session ") and "already ended (" in result["msg"]


def test_accepted_stop_then_500_while_waiting_reports_changed(fake_em, run_module):
    fake_em.logon()
    fake_em.expect("GET", "/backupSessions/" + S1, body=running(S1))
    fake_em.expect("POST", "/backupSessions/" + S1, 202, task_xml("task-1", "Running"))
    for dummy in range(3):
        fake_em.expect("GET", "/tasks/task-1", 500, xml_error(500, "Internal error"))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(id=S1))
    assert rc == 1 and result["changed"] is True and result["status"] == 500
    assert [t["task_id"] for t in result["tasks"]] == ["task-1"] and result["backup_sessions"][0]["id"] == S1


def test_token_expiry_while_waiting_follows_the_session(fake_em, run_module):
    """EM tasks belong to the logon session that made them: after a new logon the session is watched."""
    fake_em.logon()
    fake_em.expect("GET", "/backupSessions/" + S1, body=running(S1))
    fake_em.expect("POST", "/backupSessions/" + S1, 202, task_xml("task-1", "Running"))
    fake_em.expect("GET", "/tasks/task-1", 401, xml_error(401, "expired"))
    fake_em.logon()
    fake_em.expect("GET", "/tasks/task-1", 404, xml_error(404, "Task with ID task-1 was not found"))
    fake_em.expect("GET", "/backupSessions/" + S1, body=running(S1, state="Stopping"))
    fake_em.expect("GET", "/backupSessions/" + S1, body=job_session_xml(S1, state="Stopped", result="Failed"))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(id=S1, poll_interval=1))
    assert rc == 0 and result["changed"] is True
    assert fake_em.summary() == [LOGON, get_session(S1), post_stop(S1), ("GET", "/api/tasks/task-1"), LOGON,
                                 ("GET", "/api/tasks/task-1"), get_session(S1), get_session(S1), LOGOUT]
    assert result["backup_sessions"][0]["state"] == "Stopped"


def test_wait_timeout_names_the_state_em_gives_at_that_moment(fake_em, run_module):
    fake_em.logon()
    fake_em.expect("GET", "/backupSessions/" + S1, body=running(S1))
    fake_em.expect("POST", "/backupSessions/" + S1, 202, task_xml("task-1", "Running"))
    for dummy in range(3):  # at 0, 2 and 3 s the task still runs
        fake_em.expect("GET", "/tasks/task-1", body=task_xml("task-1", "Running"))
    fake_em.expect("GET", "/backupSessions/" + S1, body=running(S1, state="Stopping"))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(id=S1, wait_timeout=3, poll_interval=2))
    assert rc == 1 and result["changed"] is True
    assert "state now: Stopping" in result["msg"] and result["backup_sessions"][0]["state"] == "Stopping"


@pytest.mark.parametrize("options, fragment", [
    (dict(), "one of the following is required: id, job_name"),
    (dict(id=S1, job_name="x"), "mutually exclusive"),
    (dict(id="bad"), "id 'bad' is not a valid"),
    (dict(id=S1, wait_timeout=0), "wait_timeout must be from 1 to 604800 seconds; got 0"),
    (dict(id=S1, poll_interval=0), "poll_interval must be from 1 to 3600 seconds; got 0"),
    (dict(id=S1, wait_timeout=10 ** 12, poll_interval=10 ** 11), "wait_timeout must be from 1 to 604800 seconds"),
    (dict(id=S1, poll_interval=10 ** 11), "poll_interval must be from 1 to 3600 seconds"),
    (dict(job_name="  "), "job_name must not be empty"),
])
def test_invalid_options_fail_before_any_request(fake_em, run_module, options, fragment):
    rc, result, dummy = run_module(module, args(**options))
    assert rc == 1 and fragment in result["msg"]
    assert fake_em.calls == []


def test_empty_id_is_a_bad_id(fake_em, run_module):
    rc, result, dummy = run_module(module, args(id=""))
    assert rc == 1 and result["msg"].startswith("id '' is not a valid BackupJobSession id") and fake_em.calls == []
