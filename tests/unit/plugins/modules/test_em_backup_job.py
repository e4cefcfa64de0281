# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import signal

import pytest
import requests

from ansible_collections.backupops.veeam_em.plugins.module_utils import _client
from ansible_collections.backupops.veeam_em.plugins.modules import em_backup_job as module
from ansible_collections.backupops.veeam_em.tests.unit.em_fake import (
    CONNECTION,
    LOGON,
    LOGOUT,
    PASSWORD,
    job_session_xml,
    job_xml,
    query_result,
    task_session_xml,
    task_xml,
    warning_texts,
    xml_error,
)

J1 = "4856ab37-2235-45e8-affe-d515878b01a9"
UID = "urn:veeam:Job:" + J1
OLD = "11111111-1111-4111-8111-111111111111"
NEW = "22222222-2222-4222-8222-222222222222"
OTHER = "33333333-3333-4333-8333-333333333333"
T0 = "2026-01-10T05:22:52Z"
T1 = "2026-01-11T09:00:00Z"
SESSIONS = "type=BackupJobSession&format=Entities&sortDesc=CreationTime&pageSize=%d&page=1&filter=%s"

FIND_JOB = ("GET", "/api/query", 'type=Job&format=Entities&sortAsc=Name&pageSize=1000&page=1'
                                 '&filter=Name=="Fileserver Backup"')
ACTIVE = ("GET", "/api/query", SESSIONS % (1000, 'JobUid=="%s";State!=Stopped' % UID))
LATEST = ("GET", "/api/query", SESSIONS % (1, 'JobUid=="%s"' % UID))
NEW_SINCE = ("GET", "/api/query", SESSIONS % (1000, 'JobUid=="%s";CreationTime>="%s"' % (UID, T0)))
TASK = ("GET", "/api/tasks/task-1")


def args(**kwargs):
    result = dict(CONNECTION, name="Fileserver Backup")
    result.update(kwargs)
    return dict((key, value) for key, value in result.items() if value is not None)


def post(action, job_id=J1):
    return ("POST", "/api/jobs/" + job_id, "action=" + action)


def get_session(sid):
    return ("GET", "/api/backupSessions/" + sid, "format=Entity")


def sessions(*items):
    return query_result(list(items))


def running(sid, created=T1, **kw):
    return job_session_xml(sid, state=kw.pop("state", "Working"), result="None", ended=None, created=created,
                           progress=kw.pop("progress", 40), **kw)


def ended(sid, result="Success", created=T1, **kw):
    return job_session_xml(sid, result=result, created=created, ended="2026-01-11T09:30:00Z", **kw)


def expect_job(fake, **kw):
    fake.expect("GET", "/query", body=query_result([job_xml(**kw)], "Jobs"))


def expect_idle_job(fake):
    """The job found, nothing of it running, its last session (OLD, ended) read: what a start reads first."""
    expect_job(fake)
    fake.expect("GET", "/query", body=sessions())
    fake.expect("GET", "/query", body=sessions(ended(OLD, created=T0)))


def expect_start_until_new_session(fake, action="start"):
    """The job found idle, its last session read, the POST accepted, the task finished, the new session found."""
    expect_job(fake)
    if action == "start":
        fake.expect("GET", "/query", body=sessions())  # nothing running
    fake.expect("GET", "/query", body=sessions(ended(OLD, created=T0, result="Failed" if action == "retry" else "Success")))
    fake.expect("POST", "/jobs/" + J1, 202, task_xml("task-1", "Running", operation="StartJob"))
    fake.expect("GET", "/tasks/task-1", body=task_xml("task-1", "Finished", True, "triggered", "StartJob"))
    fake.expect("GET", "/query", body=sessions(running(NEW, state="Starting", progress=0,
                                                       is_retry="true" if action == "retry" else "false"),
                                               ended(OLD, created=T0)))


def test_start_waits_for_the_new_session_and_succeeds(fake_em, run_module):
    fake_em.logon()
    expect_start_until_new_session(fake_em)
    fake_em.expect("GET", "/backupSessions/" + NEW, body=running(NEW))
    fake_em.expect("GET", "/backupSessions/" + NEW, body=ended(NEW))
    fake_em.logout()
    rc, result, out = run_module(module, args(state="started", poll_interval=30))
    assert rc == 0 and result["changed"] is True, result
    assert fake_em.summary() == [LOGON, FIND_JOB, ACTIVE, LATEST, post("start"), TASK, NEW_SINCE,
                                 get_session(NEW), get_session(NEW), LOGOUT]
    assert fake_em.sleeps == [30, 30]
    assert result["actions"] == ["start"]
    assert result["tasks"] == [{"action": "start", "task_id": "task-1", "state": "Finished", "operation": "StartJob",
                                "success": True, "message": "triggered", "session_id": NEW}]
    session = result["backup_session"]
    assert (session["id"], session["state"], session["result"], session["job_id"]) == (NEW, "Stopped", "Success", J1)
    assert "task_sessions" not in session
    assert result["job"]["id"] == J1 and result["job"]["schedule_enabled"] is True
    assert result["msg"] == ("Sent action=start to job 'Fileserver Backup'; its session %s ended with Success"
                             % session["name"])
    assert PASSWORD not in out


@pytest.mark.parametrize("job_type", ["BackupCopy", "ImmediateBackupCopy"])
def test_a_backup_copy_job_is_started_with_action_sync(fake_em, run_module, job_type):
    """post_jobs_id_actionsync: EM starts a backup copy job with action=sync, not action=start."""
    fake_em.logon()
    fake_em.expect("GET", "/query", body=query_result([job_xml(job_type=job_type)], "Jobs"))
    fake_em.expect("GET", "/query", body=sessions())  # nothing running
    fake_em.expect("GET", "/query", body=sessions(ended(OLD, created=T0)))
    fake_em.expect("POST", "/jobs/" + J1, 202, task_xml("task-1", "Running", operation="StartJobSync"))
    fake_em.expect("GET", "/tasks/task-1", body=task_xml("task-1", "OperationFinished", True, "OperationFinished",
                                                         "StartJobSync"))
    fake_em.expect("GET", "/query", body=sessions(running(NEW, state="Starting", progress=0), ended(OLD, created=T0)))
    fake_em.logout()
    rc, result, out = run_module(module, args(state="started", wait=False))
    assert rc == 0 and result["changed"] is True, result
    assert fake_em.summary() == [LOGON, FIND_JOB, ACTIVE, LATEST, post("sync"), TASK, NEW_SINCE, LOGOUT]
    assert result["actions"] == ["sync"] and result["backup_session"]["id"] == NEW


def test_start_whose_session_fails_stops_the_play_with_changed_and_task_sessions(fake_em, run_module):
    fake_em.logon()
    expect_start_until_new_session(fake_em)
    fake_em.expect("GET", "/backupSessions/" + NEW, body=ended(NEW, "Failed"))
    fake_em.expect("GET", "/query", body=query_result(
        [task_session_xml("44444444-4444-4444-8444-444444444444", NEW, result="Failed", reason="No space left")],
        "BackupTaskSessions"))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(state="started", poll_interval=5))
    assert rc == 1 and result["changed"] is True
    assert result["msg"] == ("Session Fileserver Backup@2026-01-11 09:00:00 of job 'Fileserver Backup' ended "
                             "with Failed (fail_on: Failed); srv04: Failed (No space left)")
    assert fake_em.summary()[-3:] == [
        get_session(NEW),
        ("GET", "/api/query", 'type=BackupTaskSession&format=Entities&sortAsc=CreationTime&pageSize=1000&page=1'
                              '&filter=JobSessionUid=="urn:veeam:BackupJobSession:%s"' % NEW),
        LOGOUT]
    assert result["backup_session"]["result"] == "Failed"
    assert [t["reason"] for t in result["backup_session"]["task_sessions"]] == ["No space left"]
    assert result["tasks"][0]["session_id"] == NEW


@pytest.mark.parametrize("fail_on", [[], "", [""]])  # "": an ad-hoc fail_on= (Ansible makes it [""])
def test_empty_fail_on_accepts_a_failed_session(fake_em, run_module, fail_on):
    fake_em.logon()
    expect_start_until_new_session(fake_em)
    fake_em.expect("GET", "/backupSessions/" + NEW, body=ended(NEW, "Failed"))
    fake_em.expect("GET", "/query", body=query_result([], "BackupTaskSessions"))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(state="started", fail_on=fail_on))
    assert rc == 0 and result["changed"] is True and result["backup_session"]["result"] == "Failed"


def test_fail_on_warning(fake_em, run_module):
    fake_em.logon()
    expect_start_until_new_session(fake_em)
    fake_em.expect("GET", "/backupSessions/" + NEW, body=ended(NEW, "Warning"))
    fake_em.expect("GET", "/query", body=query_result([], "BackupTaskSessions"))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(state="started", fail_on=["Failed", "Warning"]))
    assert rc == 1 and result["changed"] is True and "ended with Warning (fail_on: Failed, Warning)" in result["msg"]


def test_started_while_running_waits_for_that_session_unchanged(fake_em, run_module):
    fake_em.logon()
    expect_job(fake_em)
    fake_em.expect("GET", "/query", body=sessions(running(OLD)))
    fake_em.expect("GET", "/backupSessions/" + OLD, body=ended(OLD, "Failed"))
    fake_em.expect("GET", "/query", body=query_result([], "BackupTaskSessions"))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(state="started", poll_interval=7))
    # no POST: the running session is the backup; the gate still applies to it
    assert [c for c in fake_em.summary() if c[0] == "POST" and c != LOGON] == []
    assert rc == 1 and result["changed"] is False and "ended with Failed" in result["msg"]
    assert fake_em.sleeps == [7] and result["actions"] == [] and result["tasks"] == []


def test_started_while_running_and_it_succeeds_is_ok_unchanged(fake_em, run_module):
    fake_em.logon()
    expect_job(fake_em)
    fake_em.expect("GET", "/query", body=sessions(running(OLD)))
    fake_em.expect("GET", "/backupSessions/" + OLD, body=ended(OLD))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(state="started"))
    assert rc == 0 and result["changed"] is False and result["backup_session"]["id"] == OLD
    assert result["msg"].startswith("Job 'Fileserver Backup' is already running")


def test_force_starts_even_while_running(fake_em, run_module):
    fake_em.logon()
    expect_job(fake_em)
    fake_em.expect("GET", "/query", body=sessions(running(OLD, created=T0)))
    fake_em.expect("GET", "/query", body=sessions(running(OLD, created=T0)))
    fake_em.expect("POST", "/jobs/" + J1, 202, task_xml("task-1", "Finished", True, "triggered", "StartJob"))
    fake_em.expect("GET", "/query", body=sessions(running(NEW), running(OLD, created=T0)))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(state="started", force=True, wait=False))
    assert rc == 0 and result["changed"] is True and result["backup_session"]["id"] == NEW
    assert fake_em.summary() == [LOGON, FIND_JOB, ACTIVE, LATEST, post("start"), NEW_SINCE, LOGOUT]


def test_wait_false_returns_once_the_session_exists_without_waiting_for_its_end(fake_em, run_module):
    fake_em.logon()
    expect_idle_job(fake_em)
    fake_em.expect("POST", "/jobs/" + J1, 202, task_xml("task-1", "Running", operation="StartJob"))
    fake_em.expect("GET", "/tasks/task-1", body=task_xml("task-1", "Finished", True, "triggered", "StartJob"))
    fake_em.expect("GET", "/query", body=sessions(ended(OLD, created=T0)))  # not created yet
    fake_em.expect("GET", "/query", body=sessions(running(NEW), ended(OLD, created=T0)))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(state="started", wait=False, poll_interval=2))
    assert rc == 0 and result["changed"] is True
    assert result["backup_session"]["id"] == NEW and result["backup_session"]["state"] == "Working"
    assert fake_em.summary() == [LOGON, FIND_JOB, ACTIVE, LATEST, post("start"), TASK, NEW_SINCE, NEW_SINCE, LOGOUT]
    assert fake_em.sleeps == [2] and result["tasks"][0]["state"] == "Finished"


def test_new_session_is_awaited_until_it_appears(fake_em, run_module):
    fake_em.logon()
    expect_idle_job(fake_em)
    fake_em.expect("POST", "/jobs/" + J1, 202, task_xml("task-1", "Finished", True, "triggered", "StartJob"))
    fake_em.expect("GET", "/query", body=sessions(ended(OLD, created=T0)))  # not there yet
    fake_em.expect("GET", "/query", body=sessions(ended(NEW), ended(OLD, created=T0)))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(state="started", poll_interval=3))
    assert rc == 0 and result["backup_session"]["id"] == NEW and fake_em.sleeps == [3]
    assert fake_em.summary() == [LOGON, FIND_JOB, ACTIVE, LATEST, post("start"), NEW_SINCE, NEW_SINCE, LOGOUT]


def test_two_new_sessions_are_ambiguous_and_say_changed(fake_em, run_module):
    fake_em.logon()
    expect_idle_job(fake_em)
    fake_em.expect("POST", "/jobs/" + J1, 202, task_xml("task-1", "Finished", True, "triggered", "StartJob"))
    fake_em.expect("GET", "/query", body=sessions(running(NEW), ended(OTHER), ended(OLD, created=T0)))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(state="started"))
    assert rc == 1 and result["changed"] is True and "has 2 new sessions since the request" in result["msg"]


def test_a_session_of_another_job_is_never_taken_for_the_new_one(fake_em, run_module):
    fake_em.logon()
    expect_idle_job(fake_em)
    fake_em.expect("POST", "/jobs/" + J1, 202, task_xml("task-1", "Finished", True, "triggered", "StartJob"))
    other_job = "99999999-9999-4999-8999-999999999999"
    fake_em.expect("GET", "/query", body=sessions(running(OTHER, job="Other", job_id=other_job), running(NEW)))
    fake_em.expect("GET", "/backupSessions/" + NEW, body=ended(NEW))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(state="started"))
    assert rc == 0 and result["backup_session"]["id"] == NEW
    assert "returned 1 sessions that do not match job" in str(warning_texts(result))


def test_retried_when_the_last_session_did_not_fail_is_unchanged(fake_em, run_module):
    fake_em.logon()
    expect_job(fake_em)
    fake_em.expect("GET", "/query", body=sessions(ended(OLD, "Warning", created=T0)))
    fake_em.expect("GET", "/query", body=query_result([], "BackupTaskSessions"))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(state="retried", fail_on=["Failed", "Warning"]))
    assert rc == 0 and result["changed"] is False and result["actions"] == []
    assert fake_em.summary()[:4] == [LOGON, FIND_JOB, LATEST, ("GET", "/api/query", (
        'type=BackupTaskSession&format=Entities&sortAsc=CreationTime&pageSize=1000&page=1'
        '&filter=JobSessionUid=="urn:veeam:BackupJobSession:%s"' % OLD))]
    assert result["msg"] == "The last session of job 'Fileserver Backup' did not fail (Warning): nothing to retry"


def test_retried_when_the_job_never_ran(fake_em, run_module):
    fake_em.logon()
    expect_job(fake_em)
    fake_em.expect("GET", "/query", body=sessions())
    fake_em.logout()
    rc, result, dummy = run_module(module, args(state="retried"))
    assert rc == 0 and result["changed"] is False and result["backup_session"] is None
    assert result["msg"] == "Job 'Fileserver Backup' never ran: nothing to retry"


def test_retry_of_a_failed_job_that_recovers(fake_em, run_module):
    fake_em.logon()
    expect_start_until_new_session(fake_em, action="retry")
    fake_em.expect("GET", "/backupSessions/" + NEW, body=ended(NEW, is_retry="true"))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(state="retried"), diff=True)
    assert rc == 0 and result["changed"] is True
    assert fake_em.summary() == [LOGON, FIND_JOB, LATEST, post("retry"), TASK, NEW_SINCE, get_session(NEW), LOGOUT]
    assert result["backup_session"]["is_retry"] is True and result["backup_session"]["result"] == "Success"
    assert result["diff"]["before"]["backup_session"]["result"] == "Failed"
    assert result["diff"]["after"]["backup_session"]["id"] == NEW


def test_stopped_when_nothing_runs_is_unchanged(fake_em, run_module):
    fake_em.logon()
    expect_idle_job(fake_em)
    fake_em.logout()
    rc, result, dummy = run_module(module, args(state="stopped"))
    assert rc == 0 and result["changed"] is False and result["tasks"] == []
    assert fake_em.summary() == [LOGON, FIND_JOB, ACTIVE, LATEST, LOGOUT]


def test_stop_a_running_job_and_wait(fake_em, run_module):
    fake_em.logon()
    expect_job(fake_em)
    fake_em.expect("GET", "/query", body=sessions(running(OLD)))
    fake_em.expect("POST", "/jobs/" + J1, 202, task_xml("task-1", "Finished", True, "triggered to stop", "StopJob"))
    fake_em.expect("GET", "/backupSessions/" + OLD, body=running(OLD, state="Stopping"))
    fake_em.expect("GET", "/backupSessions/" + OLD, body=ended(OLD, "Failed"))
    fake_em.expect("GET", "/query", body=query_result([], "BackupTaskSessions"))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(state="stopped", poll_interval=2))
    # a stopped session that failed is what a stop gives: fail_on does not apply
    assert rc == 0 and result["changed"] is True
    assert fake_em.summary()[:6] == [LOGON, FIND_JOB, ACTIVE, post("stop"), get_session(OLD), get_session(OLD)]
    assert result["tasks"][0]["session_id"] == OLD and result["backup_session"]["state"] == "Stopped"


def test_check_mode_sends_no_post_and_says_what_would_happen(fake_em, run_module):
    fake_em.logon()
    expect_job(fake_em, schedule_enabled=True)
    fake_em.expect("GET", "/query", body=sessions())
    fake_em.expect("GET", "/query", body=sessions(ended(OLD, created=T0)))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(state="started", schedule_enabled=False), check_mode=True, diff=True)
    assert rc == 0 and result["changed"] is True and result["tasks"] == []
    assert fake_em.summary() == [LOGON, FIND_JOB, ACTIVE, LATEST, LOGOUT]
    assert result["actions"] == ["toggleScheduleEnabled", "start"]
    assert result["msg"] == ("Check mode, nothing sent; would send action=toggleScheduleEnabled and action=start "
                             "to job 'Fileserver Backup'")
    assert result["diff"]["before"]["schedule_enabled"] is True and result["diff"]["after"]["schedule_enabled"] is False
    assert result["diff"]["after"]["backup_session"] == {
        "id": None, "name": "(a new session of action=start)", "state": "Starting", "result": "None", "is_retry": False}


def test_check_mode_while_running_does_not_wait(fake_em, run_module):
    fake_em.logon()
    expect_job(fake_em)
    fake_em.expect("GET", "/query", body=sessions(running(OLD)))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(state="started"), check_mode=True)
    assert rc == 0 and result["changed"] is False and fake_em.sleeps == []


def test_schedule_is_toggled_only_when_it_differs(fake_em, run_module):
    fake_em.logon()
    expect_job(fake_em, schedule_enabled=True)
    fake_em.logout()
    rc, result, dummy = run_module(module, args(schedule_enabled=True))
    assert rc == 0 and result["changed"] is False and fake_em.summary() == [LOGON, FIND_JOB, LOGOUT]
    assert result["msg"] == "Job 'Fileserver Backup': nothing to do"


def test_schedule_toggle_is_verified_on_the_job(fake_em, run_module):
    fake_em.logon()
    expect_job(fake_em, schedule_enabled=True)
    fake_em.expect("POST", "/jobs/" + J1, 202, task_xml("task-1", "Running", operation="UpdateJob"))
    fake_em.expect("GET", "/tasks/task-1", body=task_xml("task-1", "Finished", True, "Ok", "UpdateJob"))
    fake_em.expect("GET", "/jobs/" + J1, body=job_xml(schedule_enabled=False))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(schedule_enabled=False, poll_interval=1))
    assert rc == 0 and result["changed"] is True and result["job"]["schedule_enabled"] is False
    assert fake_em.summary() == [LOGON, FIND_JOB, post("toggleScheduleEnabled"), TASK,
                                 ("GET", "/api/jobs/" + J1, "format=Entity"), LOGOUT]


def test_schedule_toggle_that_did_not_take_fails_with_changed(fake_em, run_module):
    fake_em.logon()
    expect_job(fake_em, schedule_enabled=True)
    fake_em.expect("POST", "/jobs/" + J1, 202, task_xml("task-1", "Finished", True, "Ok", "UpdateJob"))
    fake_em.expect("GET", "/jobs/" + J1, body=job_xml(schedule_enabled=True))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(schedule_enabled=False))
    assert rc == 1 and result["changed"] is True and "still shows schedule_enabled=True" in result["msg"]


def test_forbidden_for_a_read_only_account(fake_em, run_module):
    fake_em.logon()
    expect_idle_job(fake_em)
    fake_em.expect("POST", "/jobs/" + J1, 403, xml_error(403, "Access is denied"))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(state="started", user="RestoreOperator"))
    assert rc == 1 and result["status"] == 403 and result["changed"] is False
    assert "RestoreOperator lacks the role to start jobs" in result["msg"] and result["em_message"] == "Access is denied"
    assert fake_em.summary()[-1] == LOGOUT


def test_timeout_reports_changed_and_the_session_as_read_last(fake_em, run_module):
    fake_em.logon()
    expect_start_until_new_session(fake_em)
    for progress in (10, 20):  # at 0+5 and 0+10 s; then the deadline (10 s) has passed
        fake_em.expect("GET", "/backupSessions/" + NEW, body=running(NEW, progress=progress))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(state="started", wait_timeout=10, poll_interval=5))
    assert rc == 1 and result["changed"] is True
    assert result["msg"].startswith("Timed out after 10 s waiting for session Fileserver Backup@2026-01-11 09:00:00 "
                                    "to end; state now: Working (progress 20%)")
    assert fake_em.sleeps == [5, 5] and result["backup_session"]["progress"] == 20
    assert result["tasks"][0]["task_id"] == "task-1"


def test_accepted_then_500_while_waiting_reports_changed(fake_em, run_module):
    fake_em.logon()
    expect_idle_job(fake_em)
    fake_em.expect("POST", "/jobs/" + J1, 202, task_xml("task-1", "Running", operation="StartJob"))
    for dummy in range(3):
        fake_em.expect("GET", "/tasks/task-1", 500, xml_error(500, "Internal error"))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(state="started"))
    assert rc == 1 and result["changed"] is True and result["status"] == 500
    assert result["tasks"][0]["task_id"] == "task-1" and result["actions"] == ["start"]


def expect_start_with_lost_answer(fake):
    """Logon, the job, its sessions before the start, and a start POST whose answer is lost."""
    fake.logon()
    expect_idle_job(fake)
    fake.expect("POST", "/jobs/" + J1, raises=requests.exceptions.ConnectionError("connection reset"))


def test_a_post_that_may_have_arrived_is_never_repeated_and_says_changed(fake_em, run_module):
    """No new session within the grace period: fail saying the request was not repeated and was looked for."""
    expect_start_with_lost_answer(fake_em)
    for _look in range(3):  # at 0, 60 and 120 s
        fake_em.expect("GET", "/query", body=sessions(ended(OLD, created=T0)))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(state="started", poll_interval=60))
    assert rc == 1 and "not repeated" in result["msg"] and result["changed"] is True
    assert result["msg"].endswith("No new session of job 'Fileserver Backup' appeared within 120 s either.")
    assert [c for c in fake_em.summary() if c[0] == "POST"] == [LOGON, post("start")]
    assert fake_em.summary()[-4:] == [NEW_SINCE] * 3 + [LOGOUT]


def test_a_start_whose_answer_was_lost_follows_the_session_it_created(fake_em, run_module):
    """EM started the job although its answer was lost: the new session is followed, changed, and a warning says so."""
    expect_start_with_lost_answer(fake_em)
    fake_em.expect("GET", "/query", body=sessions(ended(OLD, created=T0)))
    fake_em.expect("GET", "/query", body=sessions(running(NEW), ended(OLD, created=T0)))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(state="started", wait=False))
    assert rc == 0 and result["changed"] is True, result
    assert result["backup_session"]["id"] == NEW
    assert [c for c in fake_em.summary() if c[0] == "POST"] == [LOGON, post("start")]  # never repeated
    assert result["tasks"][0]["session_id"] == NEW and result["tasks"][0]["task_id"] is None
    assert warning_texts(result) == [
        "The answer to action=start of job 'Fileserver Backup' was lost, but the job has a new session "
        "(Fileserver Backup@2026-01-11 09:00:00): followed as the one the request created"]


def test_a_failed_task_is_reported_with_changed(fake_em, run_module):
    fake_em.logon()
    expect_job(fake_em)
    fake_em.expect("GET", "/query", body=sessions())
    fake_em.expect("GET", "/query", body=sessions())
    fake_em.expect("POST", "/jobs/" + J1, 202, task_xml("task-1", "Finished", False, "Job is disabled", "StartJob"))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(state="started"))
    assert rc == 1 and result["changed"] is True
    assert result["msg"] == "Enterprise Manager could not start the job: Job is disabled"


def test_by_id(fake_em, run_module):
    fake_em.logon()
    fake_em.expect("GET", "/jobs/" + J1, body=job_xml())
    fake_em.expect("GET", "/query", body=sessions())
    fake_em.expect("GET", "/query", body=sessions(ended(OLD, created=T0)))
    fake_em.logout()
    opts = dict(CONNECTION, id="urn:veeam:Job:" + J1.upper(), state="stopped")
    rc, result, dummy = run_module(module, opts)
    assert rc == 0 and result["changed"] is False
    assert fake_em.summary()[:2] == [LOGON, ("GET", "/api/jobs/" + J1, "format=Entity")]


def test_unknown_name_fails_naming_it(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([job_xml(name="Other")], "Jobs")).logout()
    rc, result, dummy = run_module(module, args(name="Fileserver Bakup", state="started"))
    assert rc == 1 and result["changed"] is False
    assert result["msg"].startswith("name 'Fileserver Bakup': Enterprise Manager has no job of that name")


def test_a_name_on_two_backup_servers_asks_for_the_id(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result(
        [job_xml(), job_xml(job_id=OTHER, server="srv03.tech.local")], "Jobs")).logout()
    rc, result, dummy = run_module(module, args(state="started"))
    assert rc == 1 and "2 jobs of that name on different backup servers" in result["msg"] and "give the job's id" in result["msg"]


def test_token_expiry_while_waiting_follows_the_session(fake_em, run_module):
    fake_em.logon()
    expect_idle_job(fake_em)
    fake_em.expect("POST", "/jobs/" + J1, 202, task_xml("task-1", "Running", operation="StartJob"))
    fake_em.expect("GET", "/tasks/task-1", 401, xml_error(401, "expired"))
    fake_em.logon()
    fake_em.expect("GET", "/tasks/task-1", 404, xml_error(404, "not found"))
    fake_em.expect("GET", "/query", body=sessions(ended(NEW), ended(OLD, created=T0)))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(state="started"))
    assert rc == 0 and result["changed"] is True and result["backup_session"]["id"] == NEW
    assert result["tasks"][0]["state"] is None


def test_sigterm_while_waiting_reports_changed_and_logs_out(fake_em, run_module, monkeypatch):
    """A cancelled AWX job after EM accepted the start: changed=true, the task and the session, logged out."""
    def terminated(seconds):
        os.kill(os.getpid(), signal.SIGTERM)
        raise AssertionError("SIGTERM did not interrupt the wait")

    monkeypatch.setattr(_client.EmClient.clock, "sleep", terminated)
    fake_em.logon()
    expect_start_until_new_session(fake_em)
    fake_em.logout()
    rc, result, dummy = run_module(module, args(state="started"))
    assert rc == 1 and result["msg"].startswith("Stopped by SIGTERM") and result["changed"] is True
    assert result["backup_session"]["id"] == NEW and result["tasks"][0]["session_id"] == NEW
    assert fake_em.summary()[-1] == LOGOUT


@pytest.mark.parametrize("options, fragment", [
    (dict(name=None, state="started"), "one of the following is required: name, id"),
    (dict(), "one of the following is required: state, schedule_enabled"),
    (dict(id=J1, state="started"), "mutually exclusive"),
    (dict(name=None, id="bad", state="started"), "id 'bad' is not a valid Job id"),
    (dict(state="started", wait_timeout=0), "wait_timeout must be from 1 to 604800 seconds; got 0"),
    (dict(state="started", poll_interval=4000), "poll_interval must be from 1 to 3600 seconds; got 4000"),
    (dict(state="retried", force=True), "force applies to state=started only"),
    (dict(state="started", fail_on=["Success"]), "fail_on must be a list of Warning, Failed (or empty: none); got 'Success'"),
    (dict(state="started", fail_on=["Failed", ""]), "fail_on must be a list of Warning, Failed (or empty: none); got ''"),
    (dict(state="started", fail_on="failed"), "fail_on must be a list of Warning, Failed (or empty: none); got 'failed'"),
    (dict(name="  ", state="started"), "name must not be empty"),
])
def test_invalid_options_fail_before_any_request(fake_em, run_module, options, fragment):
    rc, result, dummy = run_module(module, args(**options))
    assert rc == 1 and fragment in result["msg"]
    assert fake_em.calls == []


def test_stop_without_waiting_reads_the_session_once(fake_em, run_module):
    fake_em.logon()
    expect_job(fake_em)
    fake_em.expect("GET", "/query", body=sessions(running(OLD)))
    fake_em.expect("POST", "/jobs/" + J1, 202, task_xml("task-1", "Running", operation="StopJob"))
    fake_em.expect("GET", "/backupSessions/" + OLD, body=running(OLD, state="Stopping"))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(state="stopped", wait=False))
    assert rc == 0 and result["changed"] is True and result["backup_session"]["state"] == "Stopping"
    assert fake_em.summary() == [LOGON, FIND_JOB, ACTIVE, post("stop"), get_session(OLD), LOGOUT]
    assert fake_em.sleeps == [] and result["tasks"][0]["state"] == "Running"


def test_retried_while_a_session_runs_waits_for_it_and_gates_on_it(fake_em, run_module):
    fake_em.logon()
    expect_job(fake_em)
    fake_em.expect("GET", "/query", body=sessions(running(OLD, is_retry="true")))
    fake_em.expect("GET", "/backupSessions/" + OLD, body=ended(OLD, "Failed", is_retry="true"))
    fake_em.expect("GET", "/query", body=query_result([], "BackupTaskSessions"))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(state="retried", poll_interval=3))
    assert rc == 1 and result["changed"] is False and result["actions"] == []
    assert "ended with Failed (fail_on: Failed)" in result["msg"] and fake_em.sleeps == [3]
    assert [c for c in fake_em.summary() if c[0] == "POST"] == [LOGON]
