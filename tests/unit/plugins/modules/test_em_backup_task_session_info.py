# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.backupops.veeam_em.plugins.modules import em_backup_task_session_info as module
from ansible_collections.backupops.veeam_em.tests.unit.em_fake import (
    CONNECTION,
    LOGON,
    LOGOUT,
    query_result,
    task_session_xml,
    warning_texts,
    xml_error,
)

Q = "type=BackupTaskSession&format=Entities&sortDesc=CreationTime&pageSize=1000&page=1"
SID = "d46e39e0-1131-4585-91a7-e828ce7eafae"
TID = "88767486-89d6-4340-92f0-2ad615a8f21b"


def args(**kwargs):
    result = dict(CONNECTION)
    result.update(kwargs)
    return result


def test_list_with_every_filter(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result(
        [task_session_xml(TID, SID, vm="vm b", result="Failed", reason="Disk full")], "BackupTaskSessions"))
    fake_em.expect("GET", "/query", body=query_result(
        [task_session_xml(TID, SID, vm="VM &quot;A&quot;")], "BackupTaskSessions")).logout()
    rc, result, dummy = run_module(module, args(
        job_session_id="urn:veeam:BackupJobSession:" + SID, job_name=["Fileserver Backup"], vm_name=['vm "a"', "vm b"],
        state=["Completed"], result=["Failed"], created_after="2026-01-01T00:00:00Z", created_before="2026-01-31T00:00:00Z",
        sort="oldest_first", limit=10))
    assert rc == 0 and result["changed"] is False
    assert fake_em.summary() == [LOGON, ("GET", "/api/query", Q.replace("sortDesc", "sortAsc").replace("pageSize=1000", "pageSize=10")
                                         + '&filter=JobSessionUid=="urn:veeam:BackupJobSession:%s";JobName=="Fileserver Backup";'
                                         '(VmDisplayName=="vm ""a""",VmDisplayName=="vm b");State==Completed;Result==Failed;'
                                         'CreationTime>="2026-01-01T00:00:00Z";CreationTime<="2026-01-31T00:00:00Z"' % SID),
                                 # vm "a" has no task session in the result: does EM know that VM at all? (yes: no warning)
                                 ("GET", "/api/query", Q.replace("pageSize=1000", "pageSize=1") + '&filter=VmDisplayName=="vm ""a"""'),
                                 LOGOUT]
    assert warning_texts(result) == []
    task = result["backup_task_sessions"][0]
    assert (task["vm_name"], task["reason"], task["job_session_id"], task["total_size"]) == ("vm b", "Disk full", SID, 64424509440)
    assert result["summary"] == {"total": 1, "by_result": {"Success": 0, "Warning": 0, "Failed": 1, "None": 0},
                                 "by_state": {"InProgress": 0, "Pending": 0, "Completed": 1}}


def test_no_filter_default_sort(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([], "BackupTaskSessions")).logout()
    rc, result, dummy = run_module(module, args())
    assert fake_em.summary() == [LOGON, ("GET", "/api/query", Q), LOGOUT]
    assert result["backup_task_sessions"] == []


def test_by_id_and_unknown_id(fake_em, run_module):
    fake_em.logon().expect("GET", "/backupTaskSessions/" + TID, body=task_session_xml(TID, SID)).logout()
    rc, result, dummy = run_module(module, args(id="https://EM.example.com:9398/api/backupTaskSessions/%s?format=Entity" % TID))
    assert fake_em.summary() == [LOGON, ("GET", "/api/backupTaskSessions/" + TID, "format=Entity"), LOGOUT]
    assert result["backup_task_sessions"][0]["id"] == TID
    assert "links" not in result["backup_task_sessions"][0]  # only with include_links
    fake_em.calls[:] = []
    fake_em.logon().expect("GET", "/backupTaskSessions/" + TID, body=task_session_xml(TID, SID)).logout()
    rc, result, dummy = run_module(module, args(id=TID, include_links=True))
    assert [link["rel"] for link in result["backup_task_sessions"][0]["links"]] == ["Up", "Up"]
    fake_em.calls[:] = []
    fake_em.logon().expect("GET", "/backupTaskSessions/" + TID, 404, xml_error(404, "no")).logout()
    rc, result, dummy = run_module(module, args(id=TID))
    assert rc == 0 and result["backup_task_sessions"] == []


@pytest.mark.parametrize("options, fragment", [
    (dict(id="urn:veeam:BackupJobSession:" + SID), "is the URN of a BackupJobSession"),
    (dict(job_session_id="nope"), "job_session_id 'nope' is not a valid BackupJobSession id"),
    (dict(created_before="soon"), "created_before 'soon'"),
    (dict(created_after="2026-02-01", created_before="2026-01-01"), "is later than"),
    (dict(limit=-1), "limit must be from 1 to 1000000000; got -1"),
    (dict(vm_name="  "), "vm_name must not contain an empty name"),
    (dict(id=TID, vm_name=["x"]), "mutually exclusive"),
])
def test_invalid_options_fail_before_any_request(fake_em, run_module, options, fragment):
    rc, result, dummy = run_module(module, args(**options))
    assert rc == 1 and fragment in result["msg"]
    assert fake_em.calls == []


def test_session_id_still_works_and_is_deprecated(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([], "BackupTaskSessions")).logout()
    rc, result, dummy = run_module(module, args(session_id=SID))
    assert rc == 0 and fake_em.calls[1].param("filter") == 'JobSessionUid=="urn:veeam:BackupJobSession:%s"' % SID
    assert "session_id" in str(result["deprecations"]) and "2.0.0" in str(result["deprecations"])
