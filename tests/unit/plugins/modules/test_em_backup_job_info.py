# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.backupops.veeam_em.plugins.modules import em_backup_job_info as module
from ansible_collections.backupops.veeam_em.tests.unit.em_fake import (
    CONNECTION,
    LOGON,
    LOGOUT,
    SERVER_ID,
    job_session_xml,
    job_xml,
    query_result,
    warning_texts,
    xml_error,
)

J1 = "4856ab37-2235-45e8-affe-d515878b01a9"
J2 = "5658281f-625e-4627-89dd-d2a0c48be99e"
J3 = "78c3919c-54d7-43fe-b047-485d3566f11f"
S1 = "11111111-1111-4111-8111-111111111111"
S2 = "22222222-2222-4222-8222-222222222222"
S3 = "33333333-3333-4333-8333-333333333333"


def args(**kwargs):
    result = dict(CONNECTION)
    result.update(kwargs)
    return result


def jobs_query(flt=None, page_size=1000):
    query = "type=Job&format=Entities&sortAsc=Name&pageSize=%d&page=1" % page_size
    return ("GET", "/api/query", query + ("&filter=" + flt if flt else ""))


def test_all_jobs_mapped(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([job_xml(), job_xml(
        J2, "DB Backup", schedule_enabled=False, next_run=None, platform="Hyperv")], "Jobs")).logout()
    rc, result, dummy = run_module(module, args())
    assert rc == 0 and result["changed"] is False
    assert fake_em.summary() == [LOGON, jobs_query(), LOGOUT]
    assert result["jobs"][0] == {
        "id": J1, "uid": "urn:veeam:Job:" + J1, "name": "Fileserver Backup",
        "href": "https://em.example.com:9398/api/jobs/" + J1, "job_type": "Backup", "platform": "VMware",
        "description": "Created by TECH\\admin", "schedule_configured": True, "schedule_enabled": True,
        "next_run": "2026-01-11T22:00:00Z", "backup_server_id": SERVER_ID, "backup_server_name": "srv02.tech.local"}
    assert result["jobs"][1]["schedule_enabled"] is False and result["jobs"][1]["next_run"] is None
    assert result["summary"] == {"total": 2, "schedule_enabled": 1, "schedule_disabled": 1,
                                 "by_job_type": {"Backup": 2, "BackupCopy": 0, "ImmediateBackupCopy": 0, "Replica": 0}}


def test_filters_go_to_the_server_and_are_checked_on_the_client(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([
        job_xml(), job_xml(J2, "SQL Backup", job_type="Replica"), job_xml(J3, "Third", schedule_enabled=False)],
        "Jobs"))
    # the names left out by the other filters are looked up (one item each) before any warning about them
    fake_em.expect("GET", "/query", body=query_result([job_xml(J2, "SQL Backup", job_type="Replica")], "Jobs"))
    fake_em.expect("GET", "/query", body=query_result([job_xml(J3, "Third", schedule_enabled=False)], "Jobs"))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(name=["Fileserver Backup", "SQL Backup", "Third"], job_type=["Backup"],
                                                backup_server="srv02.tech.local", schedule_enabled=True))
    assert rc == 0 and [j["name"] for j in result["jobs"]] == ["Fileserver Backup"]
    assert fake_em.summary() == [LOGON, jobs_query(
        '(Name=="Fileserver Backup",Name=="SQL Backup",Name=="Third");JobType==Backup;'
        'BackupServerName=="srv02.tech.local";ScheduleEnabled==true'),
        jobs_query('Name=="SQL Backup"', page_size=1), jobs_query('Name=="Third"', page_size=1), LOGOUT]
    warnings = str(warning_texts(result))
    assert "returned 1 jobs that do not match job_type" in warnings
    assert "returned 1 jobs that do not match schedule_enabled" in warnings
    assert "no job of that name" not in warnings


def test_a_name_with_commas_is_one_name_and_unknown_names_warn(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([], "Jobs")).logout()
    rc, result, dummy = run_module(module, args(name="Mailserver, weekly"))
    assert rc == 0 and result["jobs"] == []
    assert fake_em.summary() == [LOGON, jobs_query('Name=="Mailserver, weekly"'), LOGOUT]
    assert "name 'Mailserver, weekly': Enterprise Manager has no job of that name at all" in str(warning_texts(result))


def test_a_name_left_out_by_another_filter_is_looked_up_before_warning(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([], "Jobs"))
    fake_em.expect("GET", "/query", body=query_result([job_xml()], "Jobs")).logout()
    rc, result, dummy = run_module(module, args(name="fileserver backup", job_type=["Replica"]))
    assert rc == 0 and warning_texts(result) == []
    assert fake_em.summary() == [LOGON, jobs_query('Name=="fileserver backup";JobType==Replica'),
                                 jobs_query('Name=="fileserver backup"', page_size=1), LOGOUT]


def test_latest_session_per_job_in_one_query(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result(
        [job_xml(), job_xml(J2, "DB Backup"), job_xml(J3, "Never run")], "Jobs"))
    fake_em.expect("GET", "/query", body=query_result([
        job_session_xml(S1, job_id=J2, job="DB Backup", result="Failed", created="2026-01-11T05:00:00Z"),
        job_session_xml(S2, created="2026-01-11T04:00:00Z"),
        job_session_xml(S3, created="2026-01-10T04:00:00Z"),
    ])).logout()
    rc, result, dummy = run_module(module, args(include_latest_session=True))
    uids = ",".join('JobUid=="urn:veeam:Job:%s"' % j for j in (J1, J2, J3))
    assert fake_em.summary() == [LOGON, jobs_query(), (
        "GET", "/api/query",
        "type=BackupJobSession&format=Entities&sortDesc=CreationTime&pageSize=1000&page=1&filter=(%s)" % uids),
        LOGOUT]
    latest = dict((j["name"], j["latest_session"] and j["latest_session"]["id"]) for j in result["jobs"])
    assert latest == {"Fileserver Backup": S2, "DB Backup": S1, "Never run": None}
    assert result["summary"]["by_latest_result"] == {"Success": 1, "Warning": 0, "Failed": 1, "None": 0}
    assert result["summary"]["never_run"] == 1


def test_latest_session_of_a_job_not_asked_for_is_ignored(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([job_xml()], "Jobs"))
    fake_em.expect("GET", "/query", body=query_result([
        job_session_xml(S1, job_id=J2, job="Other", created="2026-01-11T05:00:00Z"),
        job_session_xml(S2, created="2026-01-11T04:00:00Z")])).logout()
    rc, result, dummy = run_module(module, args(include_latest_session=True))
    assert result["jobs"][0]["latest_session"]["id"] == S2


def test_name_must_be_names(fake_em, run_module):
    rc, result, dummy = run_module(module, args(name=[{"a": 1}]))
    assert rc == 1 and "name must be a name or a list of names" in result["msg"] and fake_em.calls == []


def test_a_read_only_account_is_told_which_role_it_lacks(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", 403, xml_error(403, "Access is denied")).logout()
    rc, result, dummy = run_module(module, args(user="RestoreOperator"))
    assert rc == 1 and result["status"] == 403 and result["changed"] is False
    assert result["msg"].startswith("The Enterprise Manager account RestoreOperator lacks the role to read jobs "
                                    "(Portal Administrator is needed")
    assert fake_em.summary() == [LOGON, jobs_query(), LOGOUT]
