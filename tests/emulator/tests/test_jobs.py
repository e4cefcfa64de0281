# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Jobs: /jobs, /jobs/{ID}, /jobs/{ID}/backupSessions, query type=Job, and the job actions."""

import json
import time
import xml.etree.ElementTree as ET

import pytest

from emutest import ADMIN, NS, OPERATOR, find, findall, links
from em_emulator.timeutil import parse_iso

SQL = "dce85686-59c8-42c4-8766-f1c00a5b8067"
ORACLE = "da4a15c2-04e7-4135-b876-577249d3d720"
CRM = "2851cb88-37b6-46ea-b2c8-47b55270169d"
FILESERVER = "4856ab37-2235-45e8-affe-d515878b01a9"


def wait_for(fetch, check, timeout=15.0):
    deadline = time.time() + timeout
    value = fetch()
    while not check(value) and time.time() < deadline:
        time.sleep(0.02)
        value = fetch()
    return value


def uid(obj):
    return obj["UID"].rsplit(":", 1)[1]


def latest_session(c, job_id):
    body = c.json('query?type=BackupJobSession&format=Entities&filter=JobUid=="%s"&sortDesc=CreationTime&pageSize=1'
                  % job_id)
    items = body["Entities"]["BackupJobSessions"]["BackupJobSessions"]
    return items[0] if items else None


def finished_task(c, task):
    return wait_for(lambda: c.json("tasks/" + task["TaskId"]), lambda t: t["State"] == "Finished")


@pytest.fixture()
def jemu(start):
    """A private emulator: actions change data. Oracle Backup fails once, then succeeds."""
    return start("--http", "--sessions", "60", "--job-duration", "1", "--stop-delay", "0.4",
                 "--job-outcome", "Oracle Backup=Failed,Success", "--job-outcome", "crm backup=Warning")


# --------------------------------------------------------------------------- reading
def test_jobs_list_references_and_entities(emu, admin):
    root = admin.xml("jobs")
    assert root.tag == NS + "EntityReferences"
    refs = findall(root, "Ref")
    data = emu.app.data
    listed = [j for j in data.jobs if j.job_type in ("Backup", "BackupCopy", "ImmediateBackupCopy")]
    assert [r.get("UID") for r in refs] == ["urn:veeam:Job:" + j.id for j in listed]
    assert len(listed) < len(data.jobs), "agent and NAS jobs are not in /jobs"
    sql = [r for r in refs if r.get("Name") == "SQL Backup"][0]
    assert (sql.get("Type"), sql.get("Href")) == ("JobReference", emu.url + "jobs/" + SQL)
    assert links(sql) == [
        ("Up", "BackupServerReference", emu.url + "backupServers/ffa6d4ef-ea63-4fb3-88a1-84706c2430e1",
         "appsrv01.tech.local"),
        ("Alternate", "Job", emu.url + "jobs/%s?format=Entity" % SQL, "SQL Backup"),
        ("Down", "BackupJobSessionReferenceList", emu.url + "jobs/%s/backupSessions" % SQL, None),
    ]
    ents = admin.xml("jobs?format=Entity")
    assert ents.tag == NS + "Jobs" and len(findall(ents, "Job")) == len(listed)
    body = admin.json("jobs")
    assert [r["Name"] for r in body["Refs"]] == [j.name for j in listed]
    body = admin.json("jobs?format=Entity")
    assert {j["JobType"] for j in body["Jobs"]} == {"Backup", "BackupCopy", "ImmediateBackupCopy"}


def test_job_entity_and_reference(emu, admin):
    ent = admin.json("jobs/%s?format=Entity" % SQL)
    assert (ent["Type"], ent["Name"], ent["UID"], ent["JobType"], ent["Platform"], ent["Description"]) == (
        "Job", "SQL Backup", "urn:veeam:Job:" + SQL, "Backup", "HyperV", "Backup of MS SQL Server DB")
    assert ent["ScheduleConfigured"] is True and ent["ScheduleEnabled"] is True
    # daily at 17:00 UTC; the emulated clock started at 2026-01-15T12:00:00Z
    assert ent["NextRun"] == "2026-01-15T17:00:00Z"
    rels = [(lk["Rel"], lk["Href"].rsplit("/", 1)[1]) for lk in ent["Links"]]
    assert ("Start", SQL + "?action=start") in rels and ("Retry", SQL + "?action=retry") in rels
    ref = admin.xml("jobs/" + SQL)
    assert (ref.tag, ref.get("Type"), ref.get("Name"), ref.get("UID")) == (
        NS + "EntityRef", "JobReference", "SQL Backup", "urn:veeam:Job:" + SQL)
    # IDs are case-insensitive, as elsewhere
    assert admin.json("jobs/%s?format=Entity" % SQL.upper())["Name"] == "SQL Backup"


def test_copy_job_links_and_schedule(emu, admin):
    copy = [j for j in emu.app.data.jobs if j.job_type == "BackupCopy"][0]
    ent = admin.xml("jobs/%s?format=Entity" % copy.id)
    assert [r for r, _t, _h, _n in links(ent)] == [
        "Up", "Alternate", "Clone", "ToggleScheduleEnabled", "Down", "Sync", "Down", "Down", "Create", "Create"]
    assert find(ent, "Platform").text == "CustomPlatform"
    assert find(ent, "ScheduleConfigured").text == "true" and find(ent, "NextRun") is None
    r = admin.post("jobs/%s?action=start" % copy.id)
    assert r.status_code == 400 and "action=sync" in ET.fromstring(r.content).get("Message")


def test_unscheduled_job_has_no_next_run(admin):
    body = admin.json('query?type=Job&format=Entities&filter=Name=="exch"')
    job = body["Entities"]["Jobs"]["Jobs"][0]
    assert (job["ScheduleConfigured"], job["ScheduleEnabled"], job["NextRun"]) == (False, False, None)
    ref = admin.xml("jobs/%s?format=Entity" % uid(job))
    assert find(ref, "NextRun") is None


def test_agent_jobs_are_not_job_resources(emu, admin):
    agent = [j for j in emu.app.data.jobs if j.job_type == "AgentBackup"][0]
    r = admin.get("jobs/" + agent.id)
    assert r.status_code == 404
    assert admin.post("jobs/%s?action=start" % agent.id).status_code == 404


def test_job_backup_sessions(emu, admin):
    root = admin.xml("jobs/%s/backupSessions" % CRM)
    names = [r.get("Name") for r in findall(root, "Ref")]
    assert names and all(n.startswith("CRM Backup@") for n in names)
    assert names == sorted(names, reverse=True)
    ents = admin.json("jobs/%s/backupSessions?format=Entity" % CRM)["BackupJobSessions"]
    assert [s["Name"] for s in ents] == names
    window = emu.app.clock() - 30 * 86400
    expected = [s for s in emu.app.data.sessions if s.job.id == CRM and s.ctime >= window]
    assert len(names) == len(expected)


# --------------------------------------------------------------------------- query service
@pytest.mark.parametrize("flt, check", [
    ('name=="SQL Backup"', lambda j: j.name == "SQL Backup"),
    ("JobType==BackupCopy", lambda j: j.job_type == "BackupCopy"),
    ("JobType!=Backup", lambda j: j.job_type != "Backup"),
    ("Platform==hyperv", lambda j: j.state.platform == "HyperV"),
    ("ScheduleEnabled==false", lambda j: not j.state.schedule_enabled),
    ("ScheduleConfigured==true;ScheduleEnabled==true", lambda j: j.state.schedule_configured and j.state.schedule_enabled),
    ('BackupServerName=="appsrv01.tech.local"', lambda j: j.server.name == "appsrv01.tech.local"),
    ("BackupServerUid==urn:veeam:BackupServer:ce15a8c7-aa49-495e-b05b-ee3398c91018",
     lambda j: j.server.id == "ce15a8c7-aa49-495e-b05b-ee3398c91018"),
    ('NextRun<"2026-01-15T18:00:00Z"', lambda j: j.state.next_run() is not None and j.state.next_run() < parse_iso("2026-01-15T18:00:00Z")),
    ('Description=="Backup of MS SQL Server DB",UID==%s' % ORACLE, lambda j: j.id in (SQL, ORACLE)),
])
def test_job_filters(emu, admin, flt, check):
    body = admin.json("query?type=Job&filter=" + flt)
    got = [uid(r) for r in body["Refs"]["Refs"]]
    want = [j.id for j in emu.app.data.jobs if j.job_type in ("Backup", "BackupCopy", "ImmediateBackupCopy") and check(j)]
    assert got == want and want, flt


def test_job_query_sorting_and_paging(emu, admin):
    root = admin.xml("query?type=Job&sortDesc=Name&pageSize=5&page=2")
    names = [r.get("Name") for r in findall(root, "Refs/Ref")]
    every = sorted((j.name for j in emu.app.data.jobs if j.job_type in ("Backup", "BackupCopy", "ImmediateBackupCopy")),
                   key=str.casefold, reverse=True)
    assert names == every[5:10]
    paging = find(root, "PagingInfo")
    assert (paging.get("PageNum"), paging.get("PageSize")) == ("2", "5")
    assert paging.get("PagesCount") == str((len(every) + 4) // 5)
    assert [r for r, _t, _h, _n in links(paging)] == ["First", "Previous", "Next", "Last"]
    ents = admin.json("query?type=Job&format=Entities&sortAsc=NextRun")
    runs = [j["NextRun"] for j in ents["Entities"]["Jobs"]["Jobs"]]
    assert runs[0] is None and [r for r in runs if r] == sorted(r for r in runs if r)


@pytest.mark.parametrize("query", [
    "query?type=Job&filter=JobType==AgentBackup", "query?type=Job&filter=State==Working",
    "query?type=Job&filter=ScheduleEnabled==maybe", "query?type=Job&sortAsc=Result",
])
def test_job_query_errors(admin, query):
    r = admin.get(query)
    assert r.status_code == 400 and ET.fromstring(r.content).get("StatusCode") == "400"


def test_operator_may_not_see_or_act_on_jobs(emu):
    op = emu.client(OPERATOR)
    for path in ("jobs", "jobs?format=Entity", "jobs/" + SQL, "jobs/%s?format=Entity" % SQL,
                 "jobs/%s/backupSessions" % SQL, "query?type=Job"):
        r = op.get(path)
        assert r.status_code == 403, path
        assert ET.fromstring(r.content).get("StatusCode") == "403"
    for action in ("start", "stop", "retry", "toggleScheduleEnabled"):
        r = op.post("jobs/%s?action=%s" % (SQL, action), json=True)
        assert r.status_code == 403 and r.json()["StatusCode"] == 403, action
    assert op.json("tasks") == {"Tasks": []}


# --------------------------------------------------------------------------- actions
def test_start_runs_a_session_with_task_sessions(start):
    # 3 s: the session must still be Starting when it is read right after the 202 (a fifth of
    # the duration), also on a loaded machine
    jemu = start("--http", "--sessions", "60", "--job-duration", "3")
    c = jemu.client()
    before = latest_session(c, FILESERVER)
    started = time.time()
    r = c.post("jobs/%s?action=start" % FILESERVER, json=True)
    assert r.status_code == 202
    task = r.json()
    assert (task["Type"], task["State"], task["Operation"], task["Result"]) == ("Task", "Running", "StartJob", None)
    s = latest_session(c, FILESERVER)
    assert uid(s) != uid(before)
    assert (s["State"], s["Result"], s["IsRetry"], s["EndTimeUTC"]) == ("Starting", "None", False, None)
    done = finished_task(c, task)
    assert done["Result"] == {"Success": True, "Message": 'Job "Fileserver Backup" triggered to start.'}
    s = c.json("backupSessions/%s?format=Entity" % uid(s))
    assert s["State"] in ("Working", "Stopped")
    s = wait_for(lambda: c.json("backupSessions/%s?format=Entity" % uid(s)), lambda x: x["State"] == "Stopped")
    assert time.time() - started >= 3 - 0.05
    assert (s["State"], s["Result"], s["Progress"]) == ("Stopped", "Success", 100) and s["EndTimeUTC"]
    tasks = c.json("backupSessions/%s/taskSessions?format=Entity" % uid(s))["BackupTaskSessions"]
    assert sorted(t["VmDisplayName"] for t in tasks) == ["fs01", "srv04", "srv05"]
    assert all(t["State"] == "Completed" and t["Result"] == "Success" and t["TotalSize"] > 0 for t in tasks)
    # visible in the lists and the query service like any session
    assert uid(s) in [uid(x) for x in c.json("backupSessions")["Refs"]]
    q = c.json("query?type=BackupTaskSession&filter=JobSessionUid==%s" % uid(s))
    assert len(q["Refs"]["Refs"]) == 3
    assert jemu.stats()["job_actions"] == {"start": 1}


def test_failing_outcome_then_retry_succeeds(jemu):
    c = jemu.client()
    task = c.post("jobs/%s?action=start" % ORACLE, json=True).json()
    finished_task(c, task)
    s = wait_for(lambda: latest_session(c, ORACLE), lambda x: x["State"] == "Stopped")
    assert s["Result"] == "Failed" and s["IsRetry"] is False
    tasks = c.json("backupSessions/%s/taskSessions?format=Entity" % uid(s))["BackupTaskSessions"]
    failed = [t for t in tasks if t["Result"] == "Failed"]
    assert [t["VmDisplayName"] for t in failed] == ["ora01"] and failed[0]["Reason"].startswith("Error:")
    failed_q = c.json("query?type=BackupTaskSession&filter=JobSessionUid==%s;Result==Failed" % uid(s))
    assert len(failed_q["Refs"]["Refs"]) == 1
    r = c.post("jobs/%s?action=retry" % ORACLE)
    assert r.status_code == 202
    task = ET.fromstring(r.content)
    assert find(task, "Operation").text == "RetryJob"
    done = finished_task(c, {"TaskId": find(task, "TaskId").text})
    assert done["Result"]["Message"] == 'Job "Oracle Backup" triggered to retry.'
    retry = wait_for(lambda: latest_session(c, ORACLE), lambda x: x["State"] == "Stopped")
    assert uid(retry) != uid(s) and retry["IsRetry"] is True and retry["Result"] == "Success"
    assert retry["CreationTimeUTC"] >= s["CreationTimeUTC"]
    # a retry processes the VMs that failed
    rtasks = c.json("backupSessions/%s/taskSessions?format=Entity" % uid(retry))["BackupTaskSessions"]
    assert [t["VmDisplayName"] for t in rtasks] == ["ora01"]
    q = c.json('query?type=BackupJobSession&filter=JobUid==%s;IsRetry==true;CreationTime>="%s"'
               % (ORACLE, s["CreationTimeUTC"]))
    assert [uid(x) for x in q["Refs"]["Refs"]] == [uid(retry)]
    # the last session succeeded: no more retry
    r = c.post("jobs/%s?action=retry" % ORACLE)
    assert r.status_code == 400
    assert "only for jobs that have been finished with the Failed status" in ET.fromstring(r.content).get("Message")


def test_warning_outcome(jemu):
    c = jemu.client()
    finished_task(c, c.post("jobs/%s?action=start" % CRM, json=True).json())
    s = wait_for(lambda: latest_session(c, CRM), lambda x: x["State"] == "Stopped")
    assert s["Result"] == "Warning"
    assert c.post("jobs/%s?action=retry" % CRM).status_code == 400


def test_start_while_running_is_refused(jemu):
    c = jemu.client()
    assert c.post("jobs/%s?action=start" % SQL).status_code == 202
    for action in ("start", "retry"):
        r = c.post("jobs/%s?action=%s" % (SQL, action), json=True)
        assert r.status_code == 400 and "is already running" in r.json()["Message"], action
    assert [t["TaskId"] for t in c.json("tasks")["Tasks"]] == ["task-1"]


def test_stop_a_started_job(jemu):
    c = jemu.client()
    started = time.time()
    c.post("jobs/%s?action=start" % SQL)
    r = c.post("jobs/%s?action=stop" % SQL, json=True)
    assert r.status_code == 202
    task = r.json()
    assert task["Operation"] == "StopJob"
    assert latest_session(c, SQL)["State"] == "Stopping"
    done = finished_task(c, task)
    assert done["Result"] == {"Success": True, "Message": 'Job "SQL Backup" triggered to stop.'}
    s = wait_for(lambda: latest_session(c, SQL), lambda x: x["State"] == "Stopped")
    assert s["Result"] == "Failed"
    time.sleep(max(0.0, started + 1.2 - time.time()))  # past the job's duration: the stop's result stays
    s = latest_session(c, SQL)
    assert s["Result"] == "Failed"
    tasks = c.json("backupSessions/%s/taskSessions?format=Entity" % uid(s))["BackupTaskSessions"]
    assert all(t["Reason"] == "Job has been stopped by user." for t in tasks)
    # a stopped (Failed) run can be retried
    assert c.post("jobs/%s?action=retry" % SQL).status_code == 202


def test_stop_generated_running_session_through_its_job(jemu):
    c = jemu.client()
    body = c.json("query?type=BackupJobSession&format=Entities&filter=State==Working;JobType==Backup&pageSize=1")
    s = body["Entities"]["BackupJobSessions"]["BackupJobSessions"][0]
    job_id = s["JobUid"].rsplit(":", 1)[1]
    finished_task(c, c.post("jobs/%s?action=stop" % job_id, json=True).json())
    after = wait_for(lambda: c.json("backupSessions/%s?format=Entity" % uid(s)), lambda x: x["State"] == "Stopped")
    assert after["Result"] == "Failed"


def test_stop_when_nothing_runs(jemu):
    c = jemu.client()
    before = latest_session(c, FILESERVER)
    assert before["State"] == "Stopped"
    task = c.post("jobs/%s?action=stop" % FILESERVER, json=True).json()
    done = finished_task(c, task)
    assert done["Result"] == {"Success": True, "Message": 'Job "Fileserver Backup" triggered to stop.'}
    assert latest_session(c, FILESERVER) == before


def test_toggle_schedule_enabled(jemu):
    c = jemu.client()
    assert c.json("jobs/%s?format=Entity" % SQL)["ScheduleEnabled"] is True
    task = c.post("jobs/%s?action=toggleScheduleEnabled" % SQL, json=True).json()
    assert task["Operation"] == "UpdateJob"
    done = finished_task(c, task)
    assert done["Result"] == {"Success": True, "Message": "Ok"}
    job = c.json("jobs/%s?format=Entity" % SQL)
    assert job["ScheduleEnabled"] is False and job["NextRun"] is None
    assert SQL in [uid(r) for r in c.json("query?type=Job&filter=ScheduleEnabled==false")["Refs"]["Refs"]]
    finished_task(c, c.post("jobs/%s?action=toggleschedulEenabled" % SQL, json=True).json())
    assert c.json("jobs/%s?format=Entity" % SQL)["ScheduleEnabled"] is True


def test_action_errors(jemu):
    c = jemu.client()
    assert c.post("jobs/" + SQL).status_code == 405
    assert c.post("jobs/%s?action=explode" % SQL).status_code == 400
    assert c.post("jobs/%s?action=clone" % SQL).status_code == 501
    assert c.post("jobs/%s?action=start" % "00000000-0000-0000-0000-000000000000").status_code == 404
    assert c.request("DELETE", "jobs/" + SQL).status_code == 405
    # Fileserver Backup's last session did not fail
    r = c.post("jobs/%s?action=retry" % FILESERVER, json=True)
    assert r.status_code == 400 and "last session result: " in r.json()["Message"]
    assert c.json("tasks") == {"Tasks": []}
    assert jemu.stats()["job_actions"] == {}


def test_reset_removes_started_sessions(jemu):
    c = jemu.client()
    n = len(jemu.app.data.sessions)
    finished_task(c, c.post("jobs/%s?action=start" % ORACLE, json=True).json())
    c.post("jobs/%s?action=toggleScheduleEnabled" % SQL)
    assert len(jemu.app.data.sessions) == n + 1
    jemu.reset()
    c = jemu.client()
    assert len(jemu.app.data.sessions) == n and len(jemu.app.session_ctimes) == n
    assert c.json("jobs/%s?format=Entity" % SQL)["ScheduleEnabled"] is True
    # the outcome sequence starts again: the first run fails
    finished_task(c, c.post("jobs/%s?action=start" % ORACLE, json=True).json())
    assert wait_for(lambda: latest_session(c, ORACLE), lambda x: x["State"] == "Stopped")["Result"] == "Failed"


def test_zero_duration_finishes_before_the_answer(start):
    emu = start("--http", "--sessions", "20", "--job-duration", "0")
    c = emu.client(ADMIN)
    task = c.post("jobs/%s?action=start" % SQL, json=True).json()
    assert task["State"] == "Finished" and task["Result"]["Success"] is True
    assert latest_session(c, SQL)["State"] == "Stopped"


def test_outcomes_in_the_data_file(start, tmp_path):
    base = start("--http", "--sessions", "0")
    raw = base.app.data.to_dict()
    for job in raw["jobs"]:
        if job["id"] == SQL:
            job["settings"] = {"platform": "VMware", "description": "From the file", "schedule_time": "06:15",
                               "schedule_enabled": True, "outcomes": ["Failed", "Failed", "Success"]}
    path = tmp_path / "data.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    emu = start("--http", "--data", str(path), "--job-duration", "0")
    c = emu.client()
    job = c.json("jobs/%s?format=Entity" % SQL)
    assert (job["Platform"], job["Description"], job["NextRun"]) == ("VMware", "From the file", "2026-01-16T06:15:00Z")
    results = []
    c.post("jobs/%s?action=start" % SQL)
    results.append(latest_session(c, SQL)["Result"])
    for attempt in (1, 2):
        assert c.post("jobs/%s?action=retry" % SQL).status_code == 202, attempt
        results.append(latest_session(c, SQL)["Result"])
    assert results == ["Failed", "Failed", "Success"]
    assert emu.app.data.to_dict()["jobs"][[j["id"] for j in raw["jobs"]].index(SQL)]["settings"]["schedule_time"] == "06:15"


@pytest.mark.parametrize("argv, message", [
    (["--job-outcome", "No Such Job=Failed"], "no job named"),
    (["--job-outcome", "SQL Backup=Broken"], "invalid --job-outcome result"),
    (["--job-outcome", "SQL Backup"], "expected NAME=RESULT"),
    (["--job-duration", "-1"], "--job-duration"),
])
def test_bad_job_options(argv, message):
    from em_emulator.cli import parse_args
    from em_emulator.server import EmulatorApp
    with pytest.raises(ValueError) as err:
        EmulatorApp(parse_args(["--http", "--sessions", "0"] + argv))
    assert message in str(err.value)


def test_dataset_add_and_remove_keep_the_order():
    from em_emulator.dataset import JobSession, TaskSession, generate
    data = generate(1, 50, 20, parse_iso("2026-01-15T12:00:00Z"))
    before = list(data.sessions)
    s = JobSession("00000000-0000-4000-8000-000000000001", data.jobs[0], data.sessions[5].ctime, None, "Starting",
                   "None", 0, False)
    s.tasks.append(TaskSession("00000000-0000-4000-8000-000000000002", s, "vm1", s.ctime, None, "Pending", "None", "", 0))
    data.add_session(s)
    assert [(x.ctime, x.id) for x in data.sessions] == sorted((x.ctime, x.id) for x in data.sessions)
    assert data.session_by_id[s.id] is s and data.task_by_id[s.tasks[0].id] is s.tasks[0]
    assert s.tasks[0] in data.task_sessions
    data.remove_sessions([s])
    assert data.sessions == before and s.id not in data.session_by_id and s.tasks[0].id not in data.task_by_id
    assert s.tasks[0] not in data.task_sessions
