# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Jobs: the mapping of the reference's Job entity, the latest session of many jobs, the job actions."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.backupops.veeam_em.plugins.module_utils import _jobs
from ansible_collections.backupops.veeam_em.plugins.module_utils import _query
from ansible_collections.backupops.veeam_em.plugins.module_utils import _xml
from ansible_collections.backupops.veeam_em.plugins.module_utils._client import EmClient
from ansible_collections.backupops.veeam_em.plugins.module_utils._connection import ConnectionOptions
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError
from ansible_collections.backupops.veeam_em.tests.unit.em_fake import (
    PASSWORD,
    job_session_xml,
    query_result,
)

# The reference's example 2 (GET /jobs/{ID}?format=Entity), links shortened.
DOC_JOB = (
    '<Job xmlns="http://www.veeam.com/ent/v1.0" Href="https://enterpriseem01.tech.local:9398/api/jobs/'
    '5adf6525-51d9-48b9-a72d-7f80701c714b?format=Entity" Type="Job" Name="Immediate Backup Copy Job" '
    'UID="urn:veeam:Job:5adf6525-51d9-48b9-a72d-7f80701c714b"><Links>'
    '<Link Href="https://enterpriseem01.tech.local:9398/api/backupServers/3cbab7db-fa0d-4c18-82b6-bc1816f0a128" '
    'Name="enterprisevbr01.tech.local" Type="BackupServerReference" Rel="Up" />'
    '<Link Href="https://enterpriseem01.tech.local:9398/api/jobs/5adf6525-51d9-48b9-a72d-7f80701c714b?action='
    'toggleScheduleEnabled" Rel="ToggleScheduleEnabled" /></Links>'
    '<JobType>ImmediateBackupCopy</JobType><Platform>CustomPlatform</Platform>'
    '<Description>Created by .\\veeamadmin</Description><ScheduleConfigured>true</ScheduleConfigured>'
    '<ScheduleEnabled>true</ScheduleEnabled><JobScheduleOptions /></Job>')


def client():
    return EmClient(ConnectionOptions(server="em.example.com", user="Administrator", password=PASSWORD))


def test_the_reference_example_maps_to_the_documented_keys():
    entry = _jobs.job(_xml.parse(DOC_JOB), links=True)
    assert dict((k, v) for k, v in entry.items() if k != "links") == {
        "id": "5adf6525-51d9-48b9-a72d-7f80701c714b", "uid": "urn:veeam:Job:5adf6525-51d9-48b9-a72d-7f80701c714b",
        "name": "Immediate Backup Copy Job",
        "href": "https://enterpriseem01.tech.local:9398/api/jobs/5adf6525-51d9-48b9-a72d-7f80701c714b",
        "job_type": "ImmediateBackupCopy", "platform": "CustomPlatform", "description": "Created by .\\veeamadmin",
        "schedule_configured": True, "schedule_enabled": True, "next_run": None,
        "backup_server_id": "3cbab7db-fa0d-4c18-82b6-bc1816f0a128", "backup_server_name": "enterprisevbr01.tech.local"}
    assert [link["rel"] for link in entry["links"]] == ["Up", "ToggleScheduleEnabled"]


def test_job_ids_parse_like_session_ids():
    uuid = "5adf6525-51d9-48b9-a72d-7f80701c714b"
    assert _query.parse_id("urn:veeam:Job:" + uuid.upper(), _jobs.JOB) == uuid
    assert _query.parse_id("https://em:9398/api/jobs/%s?format=Entity" % uuid, _jobs.JOB) == uuid
    with pytest.raises(VeeamEmError, match="is the URN of a BackupJobSession"):
        _query.parse_id("urn:veeam:BackupJobSession:" + uuid, _jobs.JOB)


def test_latest_sessions_of_many_jobs_one_query_per_forty(fake_em):
    jobs = [{"uid": "urn:veeam:Job:00000000-0000-4000-8000-%012d" % n, "name": "job %d" % n} for n in range(45)]
    first = [job_session_xml("10000000-0000-4000-8000-%012d" % n, job_id=jobs[n]["uid"][-36:], job="job %d" % n)
             for n in range(40)]
    second = [job_session_xml("20000000-0000-4000-8000-%012d" % n, job_id=jobs[n]["uid"][-36:], job="job %d" % n)
              for n in range(40, 44)]  # job 44 never ran
    fake_em.logon()
    fake_em.expect("GET", "/query", body=query_result(first)).expect("GET", "/query", body=query_result(second))
    fake_em.logout()
    with client() as em:
        _jobs.attach_latest_sessions(em, jobs)
    queries = [c for c in fake_em.calls if c.path == "/api/query"]
    assert len(queries) == 2
    assert queries[0].param("filter").count("JobUid==") == 40 and queries[1].param("filter").count("JobUid==") == 5
    assert [bool(j["latest_session"]) for j in jobs] == [True] * 44 + [False]
    assert jobs[43]["latest_session"]["id"] == "20000000-0000-4000-8000-000000000043"


def test_summary_counts_every_known_value():
    jobs = [{"job_type": "Replica", "schedule_enabled": True, "latest_session": {"result": "Warning"}},
            {"job_type": "NasBackup", "schedule_enabled": None, "latest_session": None}]
    assert _jobs.summary(jobs, latest=True) == {
        "total": 2, "schedule_enabled": 1, "schedule_disabled": 1,
        "by_job_type": {"Backup": 0, "BackupCopy": 0, "ImmediateBackupCopy": 0, "Replica": 1, "NasBackup": 1},
        "by_latest_result": {"Success": 0, "Warning": 1, "Failed": 0, "None": 0}, "never_run": 1}
