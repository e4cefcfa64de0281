# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Replay of the examples of the EM REST reference pages: IDs and values exactly as printed."""

import time

from emutest import NS, find, findall, links

SESSION = "d46e39e0-1131-4585-91a7-e828ce7eafae"
TASK = "88767486-89d6-4340-92f0-2ad615a8f21b"
SERVER = "ce15a8c7-aa49-495e-b05b-ee3398c91018"
JOB = "4856ab37-2235-45e8-affe-d515878b01a9"


def test_backup_session_entity_as_in_the_page(emu, admin):
    b = emu.url
    root = admin.xml("backupSessions/%s?format=Entity" % SESSION)
    assert root.tag == NS + "BackupJobSession"
    assert root.get("Type") == "BackupJobSession"
    assert root.get("Href") == b + "backupSessions/%s?format=Entity" % SESSION
    assert root.get("Name") == "Fileserver Backup@2014-10-19 05:22:52"
    assert root.get("UID") == "urn:veeam:BackupJobSession:" + SESSION
    assert links(root) == [
        ("Up", "BackupServerReference", b + "backupServers/" + SERVER, "srv02.tech.local"),
        ("Up", "JobReference", b + "jobs/" + JOB, "Fileserver Backup"),
        ("Alternate", "BackupJobSessionReference", b + "backupSessions/" + SESSION, "Fileserver Backup@2014-10-19 05:22:52"),
        ("Down", "BackupTaskSessionReferenceList", b + "backupSessions/%s/taskSessions" % SESSION, None),
        ("Stop", None, b + "backupSessions/%s?action=stop" % SESSION, None),
        ("Related", "RestorePointReference", b + "restorePoints/a2d7d2a9-8407-4585-9649-515ecb04b35a",
         "Oct 19 2014  5:23AM"),
    ]
    values = [(child.tag[len(NS):], child.text) for child in root if child.tag != NS + "Links"]
    assert values == [
        ("JobUid", "urn:veeam:Job:" + JOB), ("JobName", "Fileserver Backup"), ("JobType", "Backup"),
        ("CreationTimeUTC", "2014-10-19T05:22:52Z"), ("EndTimeUTC", "2014-10-19T05:40:48Z"), ("State", "Stopped"),
        ("Result", "Success"), ("Progress", "100"), ("IsRetry", "false"),
    ]


def test_backup_session_reference_as_in_the_page(emu, admin):
    root = admin.xml("backupSessions/" + SESSION)
    assert root.tag == NS + "EntityRef"
    assert (root.get("Type"), root.get("Href"), root.get("Name"), root.get("UID")) == (
        "BackupJobSessionReference", emu.url + "backupSessions/" + SESSION, "Fileserver Backup@2014-10-19 05:22:52",
        "urn:veeam:BackupJobSession:" + SESSION)
    # the archive page's reference links
    assert [(r, t) for r, t, _h, _n in links(root)] == [
        ("Up", "BackupServerReference"), ("Up", "JobReference"), ("Alternate", "BackupJobSession"),
        ("Down", "BackupTaskSessionReferenceList")]


def test_backup_task_session_entity_as_in_the_page(emu, admin):
    b = emu.url
    root = admin.xml("backupTaskSessions/%s?format=Entity" % TASK)
    assert root.tag == NS + "BackupTaskSession"
    assert (root.get("Type"), root.get("Href"), root.get("Name"), root.get("UID"), root.get("VmDisplayName")) == (
        "BackupTaskSession", b + "backupTaskSessions/%s?format=Entity" % TASK, "srv04@2014-10-19 05:23:44",
        "urn:veeam:BackupTaskSession:" + TASK, "srv04")
    assert links(root) == [
        ("Up", "BackupServerReference", b + "backupServers/" + SERVER, "srv02.tech.local"),
        ("Up", "BackupJobSessionReference", b + "backupSessions/" + SESSION, "Fileserver Backup@2014-10-19 05:22:52"),
        ("Alternate", "BackupTaskSessionReference", b + "backupTaskSessions/" + TASK, "srv04@2014-10-19 05:23:44"),
        ("Related", "VmRestorePoint", b + "vmRestorePoints/fb87163e-687d-4006-96c9-0451b5423b85?format=Entity",
         "srv04@2014-10-19 05:25:15"),
    ]
    values = [(child.tag[len(NS):], child.text) for child in root if child.tag != NS + "Links"]
    assert values == [
        ("JobSessionUid", "urn:veeam:BackupJobSession:" + SESSION), ("CreationTimeUTC", "2014-10-19T05:23:44Z"),
        ("EndTimeUTC", "2014-10-19T05:40:39Z"), ("State", "Completed"), ("Result", "Success"), ("Reason", None),
        ("TotalSize", "64424509440"),
    ]


def test_task_session_reference_as_in_the_page(emu, admin):
    root = admin.xml("backupTaskSessions/" + TASK)
    assert (root.tag, root.get("Type"), root.get("Name"), root.get("UID")) == (
        NS + "EntityRef", "BackupTaskSessionReference", "srv04@2014-10-19 05:23:44", "urn:veeam:BackupTaskSession:" + TASK)


def test_archive_backup_sessions_list_ids(start):
    """GET /backupSessions of the archive page; its 2014 sessions need the 30-day window off."""
    emu = start("--http", "--sessions", "0", "--list-window-days", "0")
    root = emu.client().xml("backupSessions")
    assert root.tag == NS + "EntityReferences"
    refs = dict((r.get("UID").rsplit(":", 1)[1], r.get("Name")) for r in findall(root, "Ref"))
    expected = {
        "d2b8d33e-32b5-43be-9d72-02b5d8b290d0": "Fileserver Backup@2014-10-19 07:32:44",
        "bce9741f-d6aa-43ca-a229-1706c2eea0e7": "vApp 01 Backup Job@2014-10-19 06:05:03",
        "6d0faaea-9e99-4aec-8135-317cc0415602": "Fileserver Backup@2014-10-18 15:22:16",
        "4dcc1993-c7e8-4e4d-a82b-48716dd148a2": "Oracle Backup@2014-10-18 13:09:06",
        "8738ca5c-bda0-44cf-973d-6d46175d7522": "Daily NetApp Snapshots@2016-01-01 18:10:30",
    }
    for sid, name in expected.items():
        assert refs[sid] == name
    ref = [r for r in findall(root, "Ref") if r.get("Name") == "Oracle Backup@2014-10-18 13:09:06"][0]
    assert links(ref)[1] == ("Up", "JobReference", emu.url + "jobs/da4a15c2-04e7-4135-b876-577249d3d720",
                             "Oracle Backup")
    assert links(ref)[2] == ("Alternate", "BackupJobSession",
                             emu.url + "backupSessions/4dcc1993-c7e8-4e4d-a82b-48716dd148a2?format=Entity",
                             "Oracle Backup@2014-10-18 13:09:06")


def test_other_example_ids_exist(admin):
    for sid in ("a057c2c3-f3bd-4ab4-9fb7-24058cccb4f6", "8ba90554-4cb0-4979-b4cc-00887fcd1caa",
                "88b395e2-81ff-439c-558c-188d97274c15"):
        assert admin.get("backupSessions/%s?format=Entity" % sid).status_code == 200
    assert admin.xml("backupSessions/88b395e2-81ff-439c-558c-188d97274c15").get("Name") == "exch@2013-08-26 22:28:51"
    assert admin.get("backupTaskSessions/88322206-a645-4aa3-9228-028ce51e7c0f?format=Entity").status_code == 200
    tasks = admin.xml("backupSessions/8ba90554-4cb0-4979-b4cc-00887fcd1caa/taskSessions")
    assert findall(tasks, "Ref"), "the taskSessions example session is recent and has task sessions"
    server = admin.xml("backupServers/ffa6d4ef-ea63-4fb3-88a1-84706c2430e1?format=Entity")
    assert server.get("Name") == "appsrv01.tech.local"
    job_uid = admin.xml("query?type=BackupJobSession&format=Entities&filter=JobName==\"SQL Backup\"&pageSize=1")
    assert find(job_uid, "Entities/BackupJobSessions/BackupJobSession/JobUid").text == \
        "urn:veeam:Job:dce85686-59c8-42c4-8766-f1c00a5b8067"


def test_failed_sessions_query_example(admin):
    """get_query_backupjobsession: failed sessions between 2025-08-15 06:00 and 2025-08-16 13:00."""
    root = admin.xml('query?type=BackupJobSession&format=Entities&filter=Result==Failed;'
                     'CreationTime>="2025-08-15T06:00:00Z";CreationTime<="2025-08-16T13:00:00Z"')
    sessions = findall(root, "Entities/BackupJobSessions/BackupJobSession")
    assert len(sessions) >= 1
    for s in sessions:
        assert find(s, "Result").text == "Failed"
        assert "2025-08-15T06:00:00Z" <= find(s, "CreationTimeUTC").text <= "2025-08-16T13:00:00Z"


def test_failed_task_sessions_query_example(admin):
    """get_query_backuptasksession: the last 3 failed task sessions of VM dbserver01."""
    root = admin.xml("query?type=BackupTaskSession&format=Entities&sortDesc=CreationTime&pageSize=3&page=1"
                     "&filter=Result==Failed;VmDisplayName==dbserver01")
    tasks = findall(root, "Entities/BackupTaskSessions/BackupTaskSession")
    assert len(tasks) == 3
    times = [find(t, "CreationTimeUTC").text for t in tasks]
    assert times == sorted(times, reverse=True)
    assert all(t.get("VmDisplayName") == "dbserver01" and find(t, "Result").text == "Failed" for t in tasks)
    assert all(find(t, "Reason").text for t in tasks)
    paging = find(root, "PagingInfo")
    assert paging.get("PageNum") == "1" and paging.get("PageSize") == "3"


def test_backup_server_paging_example(admin):
    """pagesize_and_page: type=backupServer&pageSize=1, then page=2."""
    root = admin.xml("query?type=backupServer&pageSize=1")
    assert len(findall(root, "Refs/Ref")) == 1
    paging = find(root, "PagingInfo")
    assert (paging.get("PageNum"), paging.get("PageSize"), paging.get("PagesCount")) == ("1", "1", "2")
    nxt = [h for r, _t, h, _n in links(paging) if r == "Next"][0]
    assert nxt.endswith("query?type=backupServer&pageSize=1&page=2")
    second = admin.xml(nxt)
    assert find(second, "PagingInfo").get("PageNum") == "2"
    desc = admin.xml("query?type=backupServer&sortDesc=name")
    names = [r.get("Name") for r in findall(desc, "Refs/Ref")]
    assert names == ["srv02.tech.local", "appsrv01.tech.local"]


def test_stop_example(emu, admin):
    """post_backupsessions_id_stop: stopping bce9741f answers 202 with task-1, later Finished."""
    fresh = emu.client()
    r = fresh.post("backupSessions/bce9741f-d6aa-43ca-a229-1706c2eea0e7?action=stop")
    assert r.status_code == 202
    import xml.etree.ElementTree as ET
    task = ET.fromstring(r.content)
    assert (task.tag, task.get("Type"), task.get("Href")) == (NS + "Task", "Task", emu.url + "tasks/task-1")
    deadline = time.time() + 10
    while True:
        task = fresh.xml("tasks/task-1")
        if find(task, "State").text == "Finished" or time.time() > deadline:
            break
        time.sleep(0.05)
    assert links(task) == [("Delete", "Task", emu.url + "tasks/task-1", None)]
    assert find(task, "TaskId").text == "task-1"
    assert find(task, "State").text == "Finished"
    assert find(task, "Operation").text == "StopJobSession"
    assert find(task, "Result").get("Success") == "true"
    assert find(task, "Result/Message").text == 'Job Session "vApp 01 Backup Job@2014-10-19 06:05:03" triggered to stop.'


# --------------------------------------------------------------------------- jobs pages
SQL_JOB = "dce85686-59c8-42c4-8766-f1c00a5b8067"
ORACLE_JOB = "da4a15c2-04e7-4135-b876-577249d3d720"


def test_job_entity_as_in_the_page(emu, admin):
    """get_jobs_id, example 1 (a backup job): links and elements in the page's order, with the values of
    its "DB Backup" job on the dataset's SQL Backup job (Hyper-V, description, 17:00 UTC run)."""
    b = emu.url + "jobs/" + SQL_JOB
    root = admin.xml("jobs/%s?format=Entity" % SQL_JOB)
    assert (root.tag, root.get("Type"), root.get("Href"), root.get("Name"), root.get("UID")) == (
        NS + "Job", "Job", b + "?format=Entity", "SQL Backup", "urn:veeam:Job:" + SQL_JOB)
    assert links(root) == [
        ("Up", "BackupServerReference", emu.url + "backupServers/ffa6d4ef-ea63-4fb3-88a1-84706c2430e1",
         "appsrv01.tech.local"),
        ("Alternate", "JobReference", b, "SQL Backup"),
        ("Edit", "JobReference", b, "SQL Backup"),
        ("Clone", None, b + "?action=clone", None),
        ("ToggleScheduleEnabled", None, b + "?action=toggleScheduleEnabled", None),
        ("Down", "ObjectInJobList", b + "/includes", None),
        ("Down", "BackupJobSessionReferenceList", b + "/backupSessions", None),
        ("Create", "ObjectInJob", b + "/includes", None),
        ("Start", None, b + "?action=start", None),
        ("Stop", None, b + "?action=stop", None),
        ("Retry", None, b + "?action=retry", None),
    ]
    values = [(child.tag[len(NS):], child.text) for child in root if child.tag != NS + "Links"]
    assert values == [
        ("JobType", "Backup"), ("Platform", "HyperV"), ("Description", "Backup of MS SQL Server DB"),
        ("ScheduleConfigured", "true"), ("ScheduleEnabled", "true"), ("NextRun", "2026-01-15T17:00:00Z"),
    ]
    ref = admin.xml("jobs/" + SQL_JOB)
    assert (ref.tag, ref.get("Type"), ref.get("Href"), ref.get("Name"), ref.get("UID")) == (
        NS + "EntityRef", "JobReference", b, "SQL Backup", "urn:veeam:Job:" + SQL_JOB)


def test_jobs_list_and_query_examples(admin):
    """get_jobs (EntityReferences), get_query_job (vCloud backup jobs by name; the example's '&JobType==Backup'
    is a separate URL parameter, ignored) and query_comparison (name=="Exchange Backup")."""
    assert admin.xml("jobs").tag == NS + "EntityReferences"
    root = admin.xml("query?type=Job&format=Entities&sortAsc=name&filter=Platform==vCloud&JobType==Backup")
    jobs = findall(root, "Entities/Jobs/Job")
    assert [j.get("Name") for j in jobs] == ["vApp 01 Backup Job"]
    assert find(jobs[0], "Platform").text == "vCloud" and find(jobs[0], "JobType").text == "Backup"
    root = admin.xml('query?type=job&filter=name=="Exchange Backup"')
    assert [r.get("Name") for r in findall(root, "Refs/Ref")] == ["Exchange Backup"]


def test_job_action_examples(start):
    """post_jobs_id_action*: 202 with a Task, then Finished with the pages' Operation and Message (the
    pages' job is "Oracle Backup"; its only session in a --sessions 0 dataset failed, so retry is allowed)."""
    import xml.etree.ElementTree as ET
    emu = start("--http", "--sessions", "0", "--job-duration", "0.3", "--stop-delay", "0.2")
    c = emu.client()
    expected = [
        ("retry", "RetryJob", 'Job "Oracle Backup" triggered to retry.'),
        ("stop", "StopJob", 'Job "Oracle Backup" triggered to stop.'),
        ("toggleScheduleEnabled", "UpdateJob", "Ok"),
        ("start", "StartJob", 'Job "Oracle Backup" triggered to start.'),
    ]
    for n, (action, operation, message) in enumerate(expected, 1):
        if action == "start":  # after the stop above has ended the retry session
            deadline = time.time() + 10
            while c.json("jobs/%s/backupSessions?format=Entity" % ORACLE_JOB)["BackupJobSessions"][0]["State"] != \
                    "Stopped" and time.time() < deadline:
                time.sleep(0.05)
        r = c.post("jobs/%s?action=%s" % (ORACLE_JOB, action))
        assert r.status_code == 202, r.text
        task_id = "task-%d" % n
        task = ET.fromstring(r.content)
        assert (task.tag, task.get("Type"), task.get("Href")) == (NS + "Task", "Task", emu.url + "tasks/" + task_id)
        deadline = time.time() + 10
        while find(task, "State").text != "Finished" and time.time() < deadline:
            time.sleep(0.05)
            task = c.xml("tasks/" + task_id)
        assert links(task) == [("Delete", "Task", emu.url + "tasks/" + task_id, None)]
        assert [(child.tag[len(NS):], child.text) for child in task if child.tag != NS + "Links"][:3] == [
            ("TaskId", task_id), ("State", "Finished"), ("Operation", operation)]
        assert find(task, "Result").get("Success") == "true"
        assert find(task, "Result/Message").text == message
