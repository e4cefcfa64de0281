# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""EM tasks: Running -> OperationFinished -> Finished (get_tasks_id), --task-failure and its run-time
endpoint, and POST /jobs/{ID}?action=sync (post_jobs_id_actionsync)."""

import time
import xml.etree.ElementTree as ET

import pytest
import requests

from emutest import ADMIN, OPERATOR, find

ORACLE = "da4a15c2-04e7-4135-b876-577249d3d720"
SQL = "dce85686-59c8-42c4-8766-f1c00a5b8067"
FILESERVER = "4856ab37-2235-45e8-affe-d515878b01a9"
OPERATION_FINISHED = {"Success": True, "Message": "OperationFinished"}
UNAVAILABLE = "the backup server srv02.tech.local is not available."


@pytest.fixture(scope="module")
def slow(start):
    """Tasks slow enough to be seen in every state: a stop task is OperationFinished after 1.5 s and
    Finished after 3 s; a job action's task OperationFinished after 1.6 s and Finished after 3.2 s."""
    return start("--http", "--sessions", "60", "--stop-delay", "6", "--job-duration", "16",
                 "--job-outcome", "Oracle Backup=Failed,Success")


@pytest.fixture()
def temu(slow):
    slow.reset()
    return slow


def uid(obj):
    return obj["UID"].rsplit(":", 1)[1]


def task_states(c, first, timeout=30.0):
    """Poll the task until Finished: the successive (State, Result) it showed, starting with the 202's."""
    seen = [(first["State"], first["Result"])]
    deadline = time.time() + timeout
    while seen[-1][0] != "Finished" and time.time() < deadline:
        time.sleep(0.02)
        t = c.json("tasks/" + first["TaskId"])
        if (t["State"], t["Result"]) != seen[-1]:
            seen.append((t["State"], t["Result"]))
    return seen


def working_session(c):
    body = c.json("query?type=BackupJobSession&format=Entities&filter=State==Working;JobType==Backup&pageSize=1")
    return body["Entities"]["BackupJobSessions"]["BackupJobSessions"][0]


def latest_session(c, job_id):
    body = c.json('query?type=BackupJobSession&format=Entities&filter=JobUid=="%s"&sortDesc=CreationTime&pageSize=1'
                  % job_id)
    return body["Entities"]["BackupJobSessions"]["BackupJobSessions"][0]


def idle_job(emu, job_type):
    """A job of ``job_type`` that runs no session."""
    return [j for j in emu.app.data.jobs if j.job_type == job_type and not emu.app.jobs.running(j)][0]


# --------------------------------------------------------------------------- the three states
def test_stop_task_goes_through_operation_finished(temu):
    c = temu.client(ADMIN)
    s = working_session(c)
    task = c.post("backupSessions/%s?action=stop" % uid(s), json=True).json()
    assert task["Operation"] == "StopJobSession"
    assert task_states(c, task) == [
        ("Running", None),
        ("OperationFinished", OPERATION_FINISHED),
        ("Finished", {"Success": True, "Message": 'Job Session "%s" triggered to stop.' % s["Name"]}),
    ]


def test_operation_finished_in_xml_as_the_page_shows(temu):
    c = temu.client(ADMIN)
    task = c.post("jobs/%s?action=start" % FILESERVER, json=True).json()
    deadline = time.time() + 30
    root = c.xml("tasks/" + task["TaskId"])
    while find(root, "State").text == "Running" and time.time() < deadline:
        time.sleep(0.02)
        root = c.xml("tasks/" + task["TaskId"])
    assert find(root, "State").text == "OperationFinished"
    assert (find(root, "TaskId").text, find(root, "Operation").text) == (task["TaskId"], "StartJob")
    result = find(root, "Result")
    assert result.get("Success") == "true" and find(result, "Message").text == "OperationFinished"


def test_job_start_task_goes_through_operation_finished(temu):
    c = temu.client(ADMIN)
    task = c.post("jobs/%s?action=start" % FILESERVER, json=True).json()
    assert (task["Operation"], task["State"]) == ("StartJob", "Running")
    assert task_states(c, task) == [
        ("Running", None),
        ("OperationFinished", OPERATION_FINISHED),
        ("Finished", {"Success": True, "Message": 'Job "Fileserver Backup" triggered to start.'}),
    ]
    # the job runs on: Working when the task is Finished
    assert latest_session(c, FILESERVER)["State"] == "Working"


def test_every_task_passes_operation_finished(start):
    """toggleScheduleEnabled and a job stop too (and the query service knows the state)."""
    emu = start("--http", "--sessions", "60", "--stop-delay", "6", "--job-duration", "16")
    c = emu.client(ADMIN)
    toggle = c.post("jobs/%s?action=toggleScheduleEnabled" % SQL, json=True).json()
    states = task_states(c, toggle)
    assert [st for st, _r in states] == ["Running", "OperationFinished", "Finished"]
    assert states[1][1] == OPERATION_FINISHED and states[2][1] == {"Success": True, "Message": "Ok"}
    job = [j for j in emu.app.data.jobs if emu.app.jobs.running(j) and j.job_type == "Backup"][0]
    stop = c.post("jobs/%s?action=stop" % job.id, json=True).json()
    assert [st for st, _r in task_states(c, stop)] == ["Running", "OperationFinished", "Finished"]


def test_zero_delays_answer_finished_at_once(start):
    emu = start("--http", "--sessions", "30", "--stop-delay", "0", "--job-duration", "0")
    c = emu.client(ADMIN)
    stop = c.post("backupSessions/%s?action=stop" % uid(working_session(c)), json=True).json()
    assert stop["State"] == "Finished" and stop["Result"]["Success"] is True
    start_task = c.post("jobs/%s?action=start" % FILESERVER, json=True).json()
    assert start_task["State"] == "Finished" and start_task["Result"]["Success"] is True


# --------------------------------------------------------------------------- failures
def test_stop_failing_at_operation_finished(temu):
    assert temu.task_failure("operation-finished:StopJobSession") == {"StopJobSession": "operation-finished"}
    c = temu.client(ADMIN)
    s = working_session(c)
    task = c.post("backupSessions/%s?action=stop" % uid(s), json=True).json()
    assert task["State"] == "Running"
    assert c.json("backupSessions/%s?format=Entity" % uid(s))["State"] == "Working"
    failed = {"Success": False, "Message": 'Failed to stop job session "%s": %s' % (s["Name"], UNAVAILABLE)}
    assert task_states(c, task) == [("Running", None), ("OperationFinished", failed), ("Finished", failed)]
    after = c.json("backupSessions/%s?format=Entity" % uid(s))
    assert (after["State"], after["Result"], after["EndTimeUTC"]) == ("Working", "None", None)
    assert temu.stats()["task_failures"] == {"StopJobSession": 1}


def test_stop_failing_at_finished(temu):
    temu.task_failure("finished:StopJobSession")
    c = temu.client(ADMIN)
    s = working_session(c)
    task = c.post("backupSessions/%s?action=stop" % uid(s), json=True).json()
    assert c.json("backupSessions/%s?format=Entity" % uid(s))["State"] == "Working"
    failed = {"Success": False, "Message": 'Failed to stop job session "%s": %s' % (s["Name"], UNAVAILABLE)}
    assert task_states(c, task) == [("Running", None), ("Finished", failed)]
    assert c.json("backupSessions/%s?format=Entity" % uid(s))["State"] == "Working"


@pytest.mark.parametrize("when", ["operation-finished", "finished"])
def test_start_failing_starts_nothing(temu, when):
    temu.task_failure(when + ":StartJob")
    c = temu.client(ADMIN)
    before = latest_session(c, ORACLE)
    task = c.post("jobs/%s?action=start" % ORACLE, json=True).json()
    assert latest_session(c, ORACLE) == before
    failed = {"Success": False, "Message": 'Failed to start job "Oracle Backup": ' + UNAVAILABLE}
    expected = [("Running", None), ("Finished", failed)]
    if when == "operation-finished":
        expected.insert(1, ("OperationFinished", failed))
    assert task_states(c, task) == expected
    assert latest_session(c, ORACLE) == before
    # the job did not run: it may start at once, and its first run is the first of its outcomes (Failed)
    temu.task_failure()
    again = c.post("jobs/%s?action=start" % ORACLE, json=True).json()
    assert again["State"] == "Running"
    started = latest_session(c, ORACLE)
    assert uid(started) != uid(before) and started["State"] == "Starting"
    assert temu.app.data.job_by_id[ORACLE].state.runs == 1, "only this run took an outcome"


def test_failing_toggle_and_job_stop_change_nothing(temu):
    temu.task_failure("finished:UpdateJob,StopJob")
    c = temu.client(ADMIN)
    task = c.post("jobs/%s?action=toggleScheduleEnabled" % SQL, json=True).json()
    assert task_states(c, task)[-1] == (
        "Finished", {"Success": False, "Message": 'Failed to update job "SQL Backup": the backup server '
                                                  'appsrv01.tech.local is not available.'})
    assert c.json("jobs/%s?format=Entity" % SQL)["ScheduleEnabled"] is True
    running = working_session(c)
    job = temu.app.data.job_by_id[running["JobUid"].rsplit(":", 1)[1]]
    task = c.post("jobs/%s?action=stop" % job.id, json=True).json()
    assert task_states(c, task)[-1][1]["Success"] is False
    assert c.json("backupSessions/%s?format=Entity" % uid(running))["State"] == "Working"
    assert temu.stats()["task_failures"] == {"UpdateJob": 1, "StopJob": 1}


def test_failure_limited_to_named_operations(temu):
    temu.task_failure("finished:StartJob")
    c = temu.client(ADMIN)
    s = working_session(c)
    stop = c.post("backupSessions/%s?action=stop" % uid(s), json=True).json()
    assert c.json("backupSessions/%s?format=Entity" % uid(s))["State"] == "Stopping"
    assert task_states(c, stop)[-1][1]["Success"] is True


def test_run_time_endpoint(temu):
    root = temu.root + "/_emulator/task-failure"
    assert requests.get(root).json() == {"task_failure": {}}
    got = temu.task_failure("finished", "operation-finished:stopJobSession,StartJob", "none:UpdateJob")
    assert got == {"StopJobSession": "operation-finished", "StartJob": "operation-finished", "RetryJob": "finished",
                   "StopJob": "finished", "StartJobSync": "finished"}
    assert requests.get(root).json() == {"task_failure": got}
    for bad, says in (("sometimes", "WHEN must be one of"), ("finished:Explode", "unknown operation 'Explode'")):
        r = requests.post(root, params={"spec": bad})
        assert r.status_code == 400 and says in r.json()["error"], bad
    assert requests.get(root).json() == {"task_failure": got}, "a refused spec changes nothing"
    assert temu.task_failure() == {}
    temu.task_failure("finished")
    temu.reset()
    assert requests.get(root).json() == {"task_failure": {}}, "reset restores the command line's rules"


def test_command_line_flag(start):
    emu = start("--http", "--sessions", "30", "--job-duration", "0", "--stop-delay", "0",
                "--task-failure", "operation-finished:StartJob")
    c = emu.client(ADMIN)
    before = latest_session(c, FILESERVER)
    task = c.post("jobs/%s?action=start" % FILESERVER, json=True).json()
    assert (task["State"], task["Result"]) == (
        "Finished", {"Success": False, "Message": 'Failed to start job "Fileserver Backup": ' + UNAVAILABLE})
    assert latest_session(c, FILESERVER) == before
    stop = c.post("backupSessions/%s?action=stop" % uid(working_session(c)), json=True).json()
    assert stop["Result"]["Success"] is True
    emu.reset()
    assert requests.get(emu.root + "/_emulator/task-failure").json() == {
        "task_failure": {"StartJob": "operation-finished"}}


@pytest.mark.parametrize("spec, message", [
    ("later", "WHEN must be one of operation-finished, finished, none"),
    ("finished:StartJob,Nope", "unknown operation 'Nope'"),
])
def test_bad_task_failure_option(spec, message):
    from em_emulator.cli import parse_args
    from em_emulator.server import EmulatorApp
    with pytest.raises(ValueError) as err:
        EmulatorApp(parse_args(["--http", "--sessions", "0", "--task-failure", spec]))
    assert message in str(err.value)


# --------------------------------------------------------------------------- sync
@pytest.mark.parametrize("job_type", ["BackupCopy", "ImmediateBackupCopy"])
def test_sync_starts_a_backup_copy_job(start, job_type):
    emu = start("--http", "--sessions", "60", "--job-duration", "2")
    job = idle_job(emu, job_type)
    c = emu.client(ADMIN)
    r = c.post("jobs/%s?action=sync" % job.id)
    assert r.status_code == 202
    task = ET.fromstring(r.content)
    assert (find(task, "Operation").text, find(task, "State").text) == ("StartJobSync", "Running")
    s = latest_session(c, job.id)
    assert (s["JobType"], s["State"], s["IsRetry"], s["Result"]) == (job_type, "Starting", False, "None")
    tasks = c.json("backupSessions/%s/taskSessions?format=Entity" % uid(s))["BackupTaskSessions"]
    assert sorted(t["VmDisplayName"] for t in tasks) == sorted(job.vms)
    states = task_states(c, {"TaskId": find(task, "TaskId").text, "State": "Running", "Result": None})
    assert states[-1] == ("Finished", {"Success": True, "Message": 'Job "%s" triggered to sync.' % job.name})
    deadline = time.time() + 30
    while c.json("backupSessions/%s?format=Entity" % uid(s))["State"] != "Stopped" and time.time() < deadline:
        time.sleep(0.05)
    done = c.json("backupSessions/%s?format=Entity" % uid(s))
    assert (done["State"], done["Result"], done["Progress"]) == ("Stopped", "Success", 100)
    assert emu.stats()["job_actions"] == {"sync": 1}
    # one session at a time, as for start
    again = c.post("jobs/%s?action=start" % job.id, json=True)
    assert again.status_code == 400 and "action=sync" in again.json()["Message"]


def test_sync_refused_on_a_job_that_is_not_a_backup_copy_job(temu):
    c = temu.client(ADMIN)
    before = latest_session(c, FILESERVER)
    r = c.post("jobs/%s?action=sync" % FILESERVER, json=True)
    assert r.status_code == 400
    assert r.json()["Message"] == ('The action sync is not available for the Backup job "Fileserver Backup": it '
                                   'starts backup copy jobs only. To start this job, use action=start.')
    assert c.json("tasks") == {"Tasks": []}
    assert latest_session(c, FILESERVER) == before
    op = temu.client(OPERATOR)
    copy = idle_job(temu, "BackupCopy")
    assert op.post("jobs/%s?action=sync" % copy.id).status_code == 403


def test_sync_of_a_running_copy_job_is_refused(start):
    emu = start("--http", "--sessions", "60", "--job-duration", "30")
    job = idle_job(emu, "BackupCopy")
    c = emu.client(ADMIN)
    assert c.post("jobs/%s?action=sync" % job.id).status_code == 202
    r = c.post("jobs/%s?action=sync" % job.id, json=True)
    assert r.status_code == 400 and "is already running" in r.json()["Message"]
