# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stop lifecycle, tasks, 403 for the Restore Operator, stats and reset."""

import time
import xml.etree.ElementTree as ET

import pytest

from emutest import ADMIN, NS, OPERATOR, find, findall


def wait_for(fetch, check, timeout=15.0):
    """Poll fetch() until check(value) (no timing assertion: only a generous upper bound)."""
    deadline = time.time() + timeout
    value = fetch()
    while not check(value) and time.time() < deadline:
        time.sleep(0.05)
        value = fetch()
    return value


@pytest.fixture()
def emu2(start):
    """A private emulator per test: stops change data."""
    return start("--http", "--sessions", "60", "--stop-delay", "0.6")


def running_id(client):
    body = client.json("query?type=BackupJobSession&format=Entities&filter=State==Working&pageSize=1")
    return body["Entities"]["BackupJobSessions"]["BackupJobSessions"][0]["UID"].rsplit(":", 1)[1]


def test_stop_lifecycle(emu2):
    c = emu2.client(ADMIN)
    sid = running_id(c)
    before = c.json("backupSessions/%s?format=Entity" % sid)
    assert before["State"] == "Working" and before["Result"] == "None"
    r = c.post("backupSessions/%s?action=stop" % sid)
    assert r.status_code == 202
    task = ET.fromstring(r.content)
    assert find(task, "State").text == "Running" and find(task, "Result") is None
    assert find(task, "Operation").text == "StopJobSession"
    task_id = find(task, "TaskId").text
    assert c.json("backupSessions/%s?format=Entity" % sid)["State"] == "Stopping"
    done = wait_for(lambda: c.json("tasks/" + task_id), lambda t: t["State"] == "Finished")
    assert done["Result"]["Success"] is True and "triggered to stop" in done["Result"]["Message"]
    after = wait_for(lambda: c.json("backupSessions/%s?format=Entity" % sid), lambda s: s["State"] == "Stopped")
    assert after["State"] == "Stopped" and after["Result"] == "Failed" and after["EndTimeUTC"]
    tasks = c.json("backupSessions/%s/taskSessions?format=Entity" % sid)["BackupTaskSessions"]
    assert all(t["State"] == "Completed" and t["EndTimeUTC"] for t in tasks)
    assert any(t["Reason"] == "Job has been stopped by user." for t in tasks)
    # the query service sees the change too
    body = c.json("query?type=BackupJobSession&filter=UID==%s;State==Stopped" % sid)
    assert len(body["Refs"]["Refs"]) == 1
    stats = emu2.stats()
    assert stats["stop_requests"] == 1 and stats["requests"]["POST /api/backupSessions/{id}"] == 1
    # reset restores the running session
    emu2.reset()
    c = emu2.client(ADMIN)
    again = c.json("backupSessions/%s?format=Entity" % sid)
    assert again["State"] == "Working" and again["EndTimeUTC"] is None
    assert emu2.stats()["stop_requests"] == 0


def test_stop_already_stopped_session(emu2):
    c = emu2.client(ADMIN)
    sid = "d46e39e0-1131-4585-91a7-e828ce7eafae"
    r = c.post("backupSessions/%s?action=stop" % sid, json=True)
    assert r.status_code == 202
    task = r.json()
    assert task["Type"] == "Task" and task["State"] == "Running" and task["Result"] is None
    done = wait_for(lambda: c.json("tasks/" + task["TaskId"]), lambda t: t["State"] == "Finished")
    assert done["Result"] == {"Success": True,
                              "Message": 'Job Session "Fileserver Backup@2014-10-19 05:22:52" triggered to stop.'}
    s = c.json("backupSessions/%s?format=Entity" % sid)
    assert (s["State"], s["Result"], s["EndTimeUTC"]) == ("Stopped", "Success", "2014-10-19T05:40:48Z")


def test_operator_gets_403(emu2):
    op = emu2.client(OPERATOR)
    sid = running_id(op)
    r = op.post("backupSessions/%s?action=stop" % sid)
    assert r.status_code == 403
    root = ET.fromstring(r.content)
    assert root.tag == NS + "Error" and root.get("StatusCode") == "403"
    assert op.post("backupSessions/%s?action=stop" % sid, json=True).json()["StatusCode"] == 403
    assert op.json("backupSessions/%s?format=Entity" % sid)["State"] == "Working"
    assert emu2.stats()["stop_requests"] == 0


def test_tasks_belong_to_their_logon_session(emu2):
    a = emu2.client(ADMIN)
    b = emu2.client(ADMIN)
    sid = running_id(a)
    a.post("backupSessions/%s?action=stop" % sid)
    a.post("backupSessions/%s?action=stop" % sid)
    root = a.xml("tasks")
    assert root.tag == NS + "Tasks"
    assert [find(t, "TaskId").text for t in findall(root, "Task")] == ["task-1", "task-2"]
    assert a.json("tasks")["Tasks"][1]["TaskId"] == "task-2"
    assert b.json("tasks") == {"Tasks": []}
    assert b.get("tasks/task-1").status_code == 404
    q = a.json("query?type=Task&format=Entities&filter=TaskId==task-2")
    assert [t["TaskId"] for t in q["Entities"]["Tasks"]["Tasks"]] == ["task-2"]
    wait_for(lambda: a.json("tasks/task-1"), lambda t: t["State"] == "Finished")
    finished = a.xml("query?type=Task&filter=State==Finished")
    assert findall(finished, "Refs/Ref")
    r = a.delete("tasks/task-1")
    assert r.status_code == 204
    assert a.get("tasks/task-1").status_code == 404
    assert [t["TaskId"] for t in a.json("tasks")["Tasks"]] == ["task-2"]


def test_zero_stop_delay(start):
    emu = start("--http", "--sessions", "30", "--stop-delay", "0")
    c = emu.client()
    sid = running_id(c)
    task = c.post("backupSessions/%s?action=stop" % sid, json=True).json()
    assert task["State"] == "Finished"
    assert c.json("backupSessions/%s?format=Entity" % sid)["State"] == "Stopped"


def test_stats_and_reset(emu2):
    emu2.reset()
    c = emu2.client(ADMIN)
    c.get("backupSessions/d46e39e0-1131-4585-91a7-e828ce7eafae")
    c.get("backupSessions/d2b8d33e-32b5-43be-9d72-02b5d8b290d0?format=Entity")
    c.get("query?type=BackupJobSession&pageSize=1")
    sid = c.json("")["SupportedVersions"]["SupportedVersions"][0]["Name"]
    assert sid == "v1_7"
    logon = ET.fromstring(c.logon_body)
    c.delete("logonSessions/" + find(logon, "SessionId").text)
    stats = emu2.stats()
    assert stats["requests"] == {
        "POST /api/sessionMngr/": 1, "GET /api/backupSessions/{id}": 2, "GET /api/query": 1, "GET /api/": 1,
        "DELETE /api/logonSessions/{id}": 1}
    assert stats["requests_total"] == 6
    assert (stats["logons"], stats["logouts"], stats["open_logon_sessions"], stats["stop_requests"]) == (1, 1, 0, 0)
    emu2.client(ADMIN)
    assert emu2.stats()["open_logon_sessions"] == 1
    zero = emu2.reset()
    assert zero["requests_total"] == 0 and zero["requests"] == {} and zero["open_logon_sessions"] == 0
    assert zero["logons"] == 0
