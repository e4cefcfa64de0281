# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""em_protection_info: the exact HTTP calls of the RPO view, and its statuses."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.backupops.veeam_em.plugins.module_utils import _times
from ansible_collections.backupops.veeam_em.plugins.modules import em_protection_info as module
from ansible_collections.backupops.veeam_em.tests.unit.em_fake import (
    CONNECTION,
    LOGON,
    LOGOUT,
    include_xml,
    job_xml,
    query_result,
    resources_result,
    task_session_xml,
    vm_point_xml,
    warning_texts,
)

NOW = datetime.datetime(2026, 12, 6, 22, 0, tzinfo=datetime.timezone.utc)
J1 = "4856ab37-2235-45e8-affe-d515878b01a9"
JOB_UID = "urn:veeam:Job:" + J1
FOLDER = "urn:VMware:Folder:7f6b6270-1f3b-4dc6-872f-2d1dfc519c00.group-v4711"
JOBS = ("GET", "/api/query", 'type=Job&format=Entities&sortAsc=Name&pageSize=1000&page=1'
                             '&filter=Name=="Finance Backup";JobType==Backup')
INCLUDES = ("GET", "/api/query", 'type=ObjectInJob&format=Entities&sortAsc=JobName&pageSize=1000&page=1'
                                 '&filter=JobUid=="%s"' % JOB_UID)
POINTS = "type=VmRestorePoint&format=Entities&sortDesc=CreationTime&pageSize=1000&page=1&filter=%s"
IN_WINDOW = ("GET", "/api/query", POINTS % 'CreationTime>="2026-12-05T22:00:00Z"')
UNSEEN_FILTER = '(VmDisplayName=="fin-db01",VmDisplayName=="fin-new01");BackupServerName=="srv02.tech.local"'
UNSEEN = ("GET", "/api/query", POINTS % UNSEEN_FILTER)
TASKS = ("GET", "/api/query", 'type=BackupTaskSession&format=Entities&sortDesc=CreationTime&pageSize=1000&page=1'
                              '&filter=(VmDisplayName=="fin-db01",VmDisplayName=="fin-new01")')


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setattr(_times, "utcnow", lambda: NOW)


def args(**kwargs):
    return dict(CONNECTION, **kwargs)


def expect_finance(fake_em):
    fake_em.logon()
    fake_em.expect("GET", "/query", body=query_result([job_xml(name="Finance Backup")], "Jobs"))
    fake_em.expect("GET", "/query", body=resources_result([
        include_xml("i1", "fin-app01", J1, "Finance Backup"), include_xml("i2", "fin-db01", J1, "Finance Backup"),
        include_xml("i3", "fin-new01", J1, "Finance Backup"),
        include_xml("i4", "Finance Archive", J1, "Finance Backup", ref=FOLDER)]))
    fake_em.expect("GET", "/query", body=query_result([
        vm_point_xml("p1", "fin-app01", "2026-12-06T21:04:15Z"), vm_point_xml("p0", "fin-app01", "2026-12-06T01:00:00Z"),
        vm_point_xml("px", "fin-old01", "2026-12-06T02:00:00Z")], "VmRestorePoints"))  # in no job: not listed
    fake_em.expect("GET", "/query", body=query_result([
        vm_point_xml("p2", "fin-db01", "2026-12-01T21:08:15Z"), vm_point_xml("p3", "fin-db01", "2026-11-30T21:08:15Z")],
        "VmRestorePoints"))
    fake_em.expect("GET", "/query", body=query_result([
        task_session_xml("t1", "s1", vm="fin-new01", result="Failed", reason="No space left"),
        task_session_xml("t2", "s1", vm="fin-db01", result="Failed", reason="Cannot connect to the host"),
        task_session_xml("t3", "s0", vm="fin-db01", result="Failed", reason="older")], "BackupTaskSessions"))
    fake_em.logout()


def test_the_rpo_view_of_a_job_in_as_few_requests_as_it_needs(fake_em, run_module):
    expect_finance(fake_em)
    rc, result, dummy = run_module(module, args(job_name="Finance Backup", rpo="24h"))
    assert rc == 0, result
    assert fake_em.summary() == [LOGON, JOBS, INCLUDES, IN_WINDOW, UNSEEN, TASKS, LOGOUT]
    by_name = dict((vm["vm_name"], vm) for vm in result["vms"])
    assert sorted(by_name) == ["fin-app01", "fin-db01", "fin-new01"]
    assert (by_name["fin-app01"]["status"], by_name["fin-app01"]["latest_restore_point_id"],
            by_name["fin-app01"]["age_seconds"], by_name["fin-app01"]["last_result"]) == ("protected", "p1", 3345, None)
    assert by_name["fin-db01"] == {
        "vm_name": "fin-db01", "vm_ref": "urn:VMware:Vm:7f6b6270-1f3b-4dc6-872f-2d1dfc519c00.fin-db01",
        "backup_server_name": "srv02.tech.local", "job_names": ["Finance Backup"], "status": "breached",
        "latest_restore_point_time": "2026-12-01T21:08:15Z", "latest_restore_point_id": "p2",
        "age_seconds": 435105, "last_result": "Failed", "last_reason": "Cannot connect to the host"}
    assert (by_name["fin-new01"]["status"], by_name["fin-new01"]["latest_restore_point_time"],
            by_name["fin-new01"]["last_reason"]) == ("unprotected", None, "No space left")
    assert result["containers"] == [{"name": "Finance Archive", "object_type": "Folder", "vm_ref": FOLDER,
                                     "job_names": ["Finance Backup"], "backup_server_name": "srv02.tech.local"}]
    assert result["summary"] == {"total": 3, "protected": 1, "breached": 1, "unprotected": 1, "rpo_seconds": 86400}
    assert result["changed"] is False


@pytest.mark.parametrize("options, message", [
    ({"rpo": "24"}, "rpo '24' has no unit: write 24h for hours"),
    ({"rpo": "30s"}, "rpo must be from 60 to 31622400 seconds; got 30"),
    ({"rpo": "soon"}, "rpo 'soon' is not a length"),
    ({"vm_name": [""]}, "vm_name must not contain an empty name"),
    ({"job_name": [{"a": 1}]}, "job_name must be a name or a list of names"),
])
def test_bad_options_fail_naming_the_option_before_any_request(fake_em, run_module, options, message):
    rc, result, dummy = run_module(module, args(**options))
    assert rc == 1 and result["msg"].startswith(message), result["msg"]
    assert fake_em.calls == []


def test_a_job_name_em_does_not_know_is_warned_about(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([], "Jobs")).logout()
    rc, result, dummy = run_module(module, args(job_name="Finance Bakup"))
    assert rc == 0 and result["vms"] == [] and result["summary"]["total"] == 0
    assert warning_texts(result) == ["job_name 'Finance Bakup': Enterprise Manager has no backup job of that name; "
                                     "check the spelling (a string is one name, also with commas in it; give "
                                     "several names as a list)"]
