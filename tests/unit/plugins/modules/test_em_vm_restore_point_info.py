# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""em_vm_restore_point_info: exact HTTP calls, EM's shapes (CreationTimeUTC, PointType, the VM in Name), latest."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.backupops.veeam_em.plugins.modules import em_vm_restore_point_info as module
from ansible_collections.backupops.veeam_em.tests.unit.em_fake import (
    CONNECTION,
    LOGON,
    LOGOUT,
    query_result,
    vm_point_xml,
    warning_texts,
)

Q = "type=VmRestorePoint&format=Entities&sortDesc=CreationTime&pageSize=%d&page=1&filter=%s"


def args(**kwargs):
    return dict(CONNECTION, **kwargs)


def test_a_vm_s_points_of_a_week_with_every_key(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([vm_point_xml("p1", "fileserver01", "2026-12-05T22:14:03Z")],
                                                              "VmRestorePoints")).logout()
    rc, result, dummy = run_module(module, args(vm_name="fileserver01", created_after="2026-11-29T00:00:00Z"))
    assert rc == 0 and fake_em.summary() == [LOGON, ("GET", "/api/query", Q % (
        1000, 'VmDisplayName=="fileserver01";CreationTime>="2026-11-29T00:00:00Z"')), LOGOUT]
    assert result["vm_restore_points"] == [{
        "id": "p1", "uid": "urn:veeam:VmRestorePoint:p1", "name": "fileserver01@2026-12-05 22:14:03",
        "href": "https://em.example.com:9398/api/vmRestorePoints/p1", "vm_name": "fileserver01",
        "vm_ref": "urn:VMware:Vm:7f6b6270-1f3b-4dc6-872f-2d1dfc519c00.fileserver01",
        "creation_time": "2026-12-05T22:14:03Z", "type": "Increment", "algorithm": "Incremental",
        "restore_point_id": "0c2e2bd6-1f5e-4a43-a0c4-2a5a5c37b5b4",
        "backup_server_id": "ce15a8c7-aa49-495e-b05b-ee3398c91018", "backup_server_name": "srv02.tech.local"}]
    assert result["summary"] == {"total": 1, "vms": 1}


def test_latest_stops_reading_once_every_named_vm_was_seen(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([
        vm_point_xml("p3", "a", "2026-12-05T22:00:00Z"), vm_point_xml("p2", "a", "2026-12-04T22:00:00Z"),
        vm_point_xml("p1", "b", "2026-12-03T22:00:00Z")], "VmRestorePoints", pages=5)).logout()
    rc, result, dummy = run_module(module, args(vm_name=["a", "b"], latest=True))
    assert rc == 0 and [p["id"] for p in result["vm_restore_points"]] == ["p3", "p1"]
    assert len(fake_em.calls) == 3  # page 2 of 5 is never asked for


def test_a_point_of_another_vm_is_left_out_with_a_warning(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([vm_point_xml("p1", "other")], "VmRestorePoints"))
    fake_em.expect("GET", "/query", body=query_result([], "VmRestorePoints")).logout()
    rc, result, dummy = run_module(module, args(vm_name="fileserver01"))
    assert rc == 0 and result["vm_restore_points"] == []
    assert warning_texts(result) == [
        "Enterprise Manager returned 1 VM restore points that do not match vm_name (for example "
        "'other@2026-12-01 21:08:15'); they were left out",
        "vm_name 'fileserver01': Enterprise Manager has no restore point of a VM of that name at all; check the "
        "spelling (a string is one name, also with commas in it; give several names as a list)"]
    assert fake_em.summary()[2] == ("GET", "/api/query", Q % (1, 'VmDisplayName=="fileserver01"'))


@pytest.mark.parametrize("options, message", [
    ({"created_after": "24"}, "created_after '24' has no unit"),
    ({"created_after": "2026-02-01", "created_before": "2026-01-01"}, "created_after (2026-02-01T00:00:00Z) is later"),
    ({"limit": 0}, "limit must be from 1 to"),
])
def test_bad_options_fail_before_any_request(fake_em, run_module, options, message):
    rc, result, dummy = run_module(module, args(**options))
    assert rc == 1 and result["msg"].startswith(message) and fake_em.calls == []
