# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


from ansible_collections.backupops.veeam_em.plugins.module_utils import _sessions
from ansible_collections.backupops.veeam_em.plugins.module_utils import _xml
from ansible_collections.backupops.veeam_em.tests.unit.em_fake import job_session_xml, task_session_xml

SID = "d46e39e0-1131-4585-91a7-e828ce7eafae"
TID = "88767486-89d6-4340-92f0-2ad615a8f21b"

# The archive (9399) entity of the seed page, verbatim.
ARCHIVE_ENTITY = (
    '<BackupJobSession xmlns="http://www.veeam.com/ent/v1.0" Type="BackupJobSession"'
    ' Href="http://localhost:9399/api/backupSessions/d46e39e0-1131-4585-91a7-e828ce7eafae?format=Entity"'
    ' Name="Fileserver Backup@2014-10-19 05:22:52"'
    ' UID="urn:veeam:BackupJobSession:d46e39e0-1131-4585-91a7-e828ce7eafae">\n'
    ' <Links>\n'
    '   <Link Rel="Up" Type="BackupServerReference"'
    ' Href="http://localhost:9399/api/backupServers/ce15a8c7-aa49-495e-b05b-ee3398c91018" Name="srv02.veeam.local"'
    ' />\n'
    '   <Link Rel="Up" Type="JobReference"'
    ' Href="http://localhost:9399/api/jobs/4856ab37-2235-45e8-affe-d515878b01a9" Name="Fileserver Backup" />\n'
    '   <Link Rel="Alternate" Type="BackupJobSessionReference"'
    ' Href="http://localhost:9399/api/backupSessions/d46e39e0-1131-4585-91a7-e828ce7eafae" Name="Fileserver'
    ' Backup@2014-10-19 05:22:52" />\n'
    '   <Link Rel="Down" Type="BackupTaskSessionReferenceList"'
    ' Href="http://localhost:9399/api/backupSessions/d46e39e0-1131-4585-91a7-e828ce7eafae/taskSessions" />\n'
    '   <Link Rel="Stop"'
    ' Href="http://localhost:9399/api/backupSessions/d46e39e0-1131-4585-91a7-e828ce7eafae?action=stop" />\n'
    '   <Link Rel="Related" Type="RestorePointReference"'
    ' Href="http://localhost:9399/api/restorePoints/a2d7d2a9-8407-4585-9649-515ecb04b35a" Name="Oct 19 2014 '
    ' 5:23AM" />\n'
    ' </Links>\n'
    ' <JobUid>urn:veeam:Job:4856ab37-2235-45e8-affe-d515878b01a9</JobUid>\n'
    ' <JobName>Fileserver Backup</JobName>\n'
    ' <JobType>Backup</JobType>\n'
    ' <CreationTimeUTC>2014-10-19T05:22:52Z</CreationTimeUTC>\n'
    ' <EndTimeUTC>2014-10-19T05:40:48Z</EndTimeUTC>\n'
    ' <State>Stopped</State>\n'
    ' <Result>Success</Result>\n'
    ' <Progress>100</Progress>\n'
    ' <IsRetry>false</IsRetry>\n'
    '</BackupJobSession>'
)

# The archive reference (EntityReferences/Ref of GET /backupSessions): no JobUid, no times.
ARCHIVE_REF = (
    '<EntityReferences xmlns="http://www.veeam.com/ent/v1.0">\n'
    ' <Ref Type="BackupJobSessionReference"'
    ' Href="http://localhost:9399/api/backupSessions/d2b8d33e-32b5-43be-9d72-02b5d8b290d0" Name="Fileserver'
    ' Backup@2014-10-19 07:32:44" UID="urn:veeam:BackupJobSession:d2b8d33e-32b5-43be-9d72-02b5d8b290d0">\n'
    '   <Links>\n'
    '     <Link Rel="Up" Type="BackupServerReference"'
    ' Href="http://localhost:9399/api/backupServers/ce15a8c7-aa49-495e-b05b-ee3398c91018" Name="srv02.veeam.local"'
    ' />\n'
    '     <Link Rel="Up" Type="JobReference"'
    ' Href="http://localhost:9399/api/jobs/4856ab37-2235-45e8-affe-d515878b01a9" Name="Fileserver Backup" />\n'
    '   </Links>\n'
    ' </Ref>\n'
    '</EntityReferences>'
)

EXPECTED_ARCHIVE = {
    "id": SID,
    "uid": "urn:veeam:BackupJobSession:" + SID,
    "name": "Fileserver Backup@2014-10-19 05:22:52",
    "href": "http://localhost:9399/api/backupSessions/" + SID,
    "job_id": "4856ab37-2235-45e8-affe-d515878b01a9",
    "job_uid": "urn:veeam:Job:4856ab37-2235-45e8-affe-d515878b01a9",
    "job_name": "Fileserver Backup",
    "job_type": "Backup",
    "backup_server_id": "ce15a8c7-aa49-495e-b05b-ee3398c91018",
    "backup_server_name": "srv02.veeam.local",
    "creation_time": "2014-10-19T05:22:52Z",
    "end_time": "2014-10-19T05:40:48Z",
    "state": "Stopped",
    "result": "Success",
    "progress": 100,
    "is_retry": False,
}


def test_archive_entity():
    content = _xml.parse(ARCHIVE_ENTITY)
    name = content.tag
    assert _sessions.job_session(content) == EXPECTED_ARCHIVE  # no links unless asked
    session = _sessions.job_session(content, links=True)
    links = session.pop("links")
    assert session == EXPECTED_ARCHIVE
    assert len(links) == 6
    assert links[4] == {"rel": "Stop", "type": None, "name": None,
                        "href": "http://localhost:9399/api/backupSessions/%s?action=stop" % SID}


def test_current_shape_and_running_session():
    content = _xml.parse(job_session_xml(SID, archive=False, state="Working", result="None", ended=None,
                                         created="2025-08-14T12:31:30.3899540Z", progress=42, is_retry="True"))
    session = _sessions.job_session(content)
    assert session["creation_time"] == "2025-08-14T12:31:30.389954Z"
    assert session["end_time"] is None
    assert (session["state"], session["result"], session["progress"], session["is_retry"]) == ("Working", "None", 42, True)


def element(xml):
    """An EM element as the modules get it: parsed by _xml.parse (namespace dropped)."""
    return _xml.parse('<?xml version="1.0" encoding="utf-8"?>' + xml)


def test_placeholder_and_odd_times():
    node = element('<BackupJobSession UID="urn:veeam:BackupJobSession:%s"><CreationTime>2026-01-10T05:22:52+01:00'
                   '</CreationTime><EndTime>1900-01-01T00:00:00Z</EndTime></BackupJobSession>' % SID)
    session = _sessions.job_session(node)
    assert session["creation_time"] == "2026-01-10T04:22:52Z" and session["end_time"] is None
    odd = element("<BackupJobSession><CreationTimeUTC>garbage</CreationTimeUTC></BackupJobSession>")
    assert _sessions.job_session(odd)["creation_time"] == "garbage"


def test_em_times_are_never_read_as_relative():
    # "24h" is a relative time only in a user's option; from EM it is reported as sent.
    node = element("<BackupJobSession><CreationTimeUTC>24h</CreationTimeUTC></BackupJobSession>")
    assert _sessions.job_session(node)["creation_time"] == "24h"


def test_archive_reference():
    refs = _xml.entities(_xml.parse(ARCHIVE_REF), "BackupJobSession")
    session = _sessions.job_session(refs[0])
    assert session["id"] == "d2b8d33e-32b5-43be-9d72-02b5d8b290d0"
    assert session["job_uid"] == "urn:veeam:Job:4856ab37-2235-45e8-affe-d515878b01a9"
    assert session["job_name"] == "Fileserver Backup"
    assert (session["job_type"], session["creation_time"], session["progress"], session["is_retry"]) == (None, None, None, None)


def test_task_session_seed_shape():
    content = _xml.parse(task_session_xml(TID, SID, reason="Disk full", result="Failed"))
    task = _sessions.task_session(content, links=True)
    assert [link["rel"] for link in task.pop("links")] == ["Up", "Up"]
    assert _sessions.task_session(content) == task  # no links unless asked
    assert task == {
        "id": TID, "uid": "urn:veeam:BackupTaskSession:" + TID, "name": "srv04@2026-01-10 05:23:44",
        "href": "https://em.example.com:9398/api/backupTaskSessions/" + TID, "vm_name": "srv04",
        "job_session_id": SID, "job_session_uid": "urn:veeam:BackupJobSession:" + SID, "job_name": "Fileserver Backup",
        "creation_time": "2026-01-10T05:23:44Z", "end_time": "2026-01-10T05:40:39Z", "state": "Completed",
        "result": "Failed", "reason": "Disk full", "total_size": 64424509440,
    }


def test_task_session_fallbacks():
    xml = ('<BackupTaskSession Name="vm1@2026-01-10 05:23:44" UID="urn:veeam:BackupTaskSession:%s">%%s'
           '<Links><Link Rel="Up" Type="BackupJobSessionReference" Href="https://e/api/backupSessions/%s" /></Links>'
           '<JobName>Job A</JobName><Reason /><TotalSize>x</TotalSize></BackupTaskSession>' % (TID, SID))
    task = _sessions.task_session(element(xml % "<VmDisplayName>vm-element</VmDisplayName>"))
    assert (task["vm_name"], task["job_name"], task["job_session_uid"], task["reason"], task["total_size"]) == (
        "vm-element", "Job A", "urn:veeam:BackupJobSession:" + SID, None, None)
    assert _sessions.task_session(element(xml % ""))["vm_name"] == "vm1"


def test_summary_has_stable_keys():
    items = [{"state": "Working", "result": "None"}, {"state": "Stopped", "result": "Failed"},
             {"state": "Stopped", "result": None}, {"state": "Odd", "result": "Odd"}]
    assert _sessions.summary(items, _sessions.SESSION_STATES) == {
        "total": 4,
        "by_result": {"Success": 0, "Warning": 0, "Failed": 1, "None": 2, "Odd": 1},
        "by_state": {"Starting": 0, "Stopping": 0, "Working": 1, "Pausing": 0, "Resuming": 0, "Stopped": 2, "Odd": 1},
    }
    assert _sessions.summary([], _sessions.TASK_STATES)["by_state"] == {"InProgress": 0, "Pending": 0, "Completed": 0}


def test_entity_times_of_both_shapes_alike():
    fast = element("<S><CreationTimeUTC>2026-01-10T04:22:52Z</CreationTimeUTC>"
                   "<EndTimeUTC> 2026-01-10T05:00:00Z </EndTimeUTC></S>")
    slow = element("<S><CreationTime>2026-01-10T05:22:52.000+01:00</CreationTime>"
                   "<EndTimeUTC>2026-01-10 05:00:00</EndTimeUTC></S>")
    for node in (fast, slow):
        session = _sessions.job_session(node)
        assert (session["creation_time"], session["end_time"]) == ("2026-01-10T04:22:52Z", "2026-01-10T05:00:00Z")
        task = _sessions.task_session(node)
        assert (task["creation_time"], task["end_time"]) == ("2026-01-10T04:22:52Z", "2026-01-10T05:00:00Z")


def test_first_link_of_each_type_wins_and_href_fallback():
    link = '<Link Rel="%s" Type="%s" Href="https://e/api/%s" Name="%s" />'
    node = element('<BackupJobSession Href="https://e/api/backupSessions/%s?format=Entity"><Links>' % SID + "".join([
        link % ("Down", "JobReference", "jobs/00000000-0000-0000-0000-000000000001", "Not this"),
        link % ("Up", "JobReference", "jobs/00000000-0000-0000-0000-000000000002", "Job A"),
        link % ("Up", "BackupServerReference", "backupServers/S1", "srv1"),
        link % ("Up", "JobReference", "jobs/00000000-0000-0000-0000-000000000003", "Job B"),
        link % ("Up", "BackupServerReference", "backupServers/S2", "srv2"),
        link % ("Up", "BackupJobSessionReference", "backupSessions/" + SID, "Job C@2026-01-10 05:22:52"),
        link % ("Up", "BackupJobSessionReference", "backupSessions/other", "Job D@2026-01-10 05:22:52"),
    ]) + "</Links></BackupJobSession>")
    session = _sessions.job_session(node, links=True)
    assert (session["id"], session["href"], session["uid"]) == (SID, "https://e/api/backupSessions/" + SID, None)
    assert (session["job_id"], session["job_name"]) == ("00000000-0000-0000-0000-000000000002", "Job A")
    assert session["job_uid"] == "urn:veeam:Job:00000000-0000-0000-0000-000000000002"
    assert (session["backup_server_id"], session["backup_server_name"]) == ("s1", "srv1")
    assert len(session["links"]) == 7
    task = _sessions.task_session(node)
    assert (task["id"], task["job_session_id"], task["job_name"]) == (SID, SID, "Job C")
