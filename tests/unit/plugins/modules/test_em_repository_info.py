# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""em_repository_info: exact HTTP calls; EM's -1 (unknown size) is null and never matches a threshold."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.backupops.veeam_em.plugins.modules import em_repository_info as module
from ansible_collections.backupops.veeam_em.tests.unit.em_fake import (
    CONNECTION,
    LOGON,
    LOGOUT,
    query_result,
    repository_xml,
)

QUERY = "type=Repository&format=Entities&sortAsc=Name&pageSize=1000&page=1"
REPOS = [repository_xml("r1", "Backup Volume 01", 1000, 820),
         repository_xml("r2", "Linux Hardened Repository", 1000, 25, kind="LinuxLocal"),
         repository_xml("r3", "Scale-out Object Storage", -1, -1, kind="Extendable"),
         repository_xml("r4", "Edge", 1000, 150)]


def args(**kwargs):
    return dict(CONNECTION, **kwargs)


def test_sizes_and_the_unknown_one(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result(REPOS, "Repositories")).logout()
    rc, result, dummy = run_module(module, args())
    assert rc == 0 and fake_em.summary() == [LOGON, ("GET", "/api/query", QUERY), LOGOUT]
    by_name = dict((r["name"], r) for r in result["repositories"])
    assert (by_name["Backup Volume 01"]["capacity_bytes"], by_name["Backup Volume 01"]["free_bytes"],
            by_name["Backup Volume 01"]["used_bytes"], by_name["Backup Volume 01"]["free_percent"]) == (1000, 820, 180, 82.0)
    unknown = by_name["Scale-out Object Storage"]
    assert (unknown["capacity_bytes"], unknown["free_bytes"], unknown["used_bytes"], unknown["free_percent"],
            unknown["kind"]) == (None, None, None, None, "Extendable")
    assert result["summary"] == {"total": 4, "unknown_capacity": 1, "capacity_bytes": 3000, "free_bytes": 995}


@pytest.mark.parametrize("below, expected", [
    (15, ["Linux Hardened Repository"]), (15.01, ["Edge", "Linux Hardened Repository"]), (0, []),
    (100, ["Backup Volume 01", "Edge", "Linux Hardened Repository"])])
def test_free_percent_below_never_matches_an_unknown_size(fake_em, run_module, below, expected):
    fake_em.logon().expect("GET", "/query", body=query_result(REPOS, "Repositories")).logout()
    rc, result, dummy = run_module(module, args(free_percent_below=below))
    assert rc == 0 and sorted(r["name"] for r in result["repositories"]) == expected


def test_name_and_server_go_to_the_server_and_are_checked(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result(REPOS[:2], "Repositories")).logout()
    rc, result, dummy = run_module(module, args(name="Backup Volume 01", backup_server="srv02.tech.local"))
    expected = 'Name=="Backup Volume 01";BackupServerName=="srv02.tech.local"'
    assert rc == 0 and fake_em.calls[1].param("filter") == expected
    assert [r["name"] for r in result["repositories"]] == ["Backup Volume 01"]  # the other one is left out, warned
    assert "do not match name" in str(result["warnings"])


@pytest.mark.parametrize("below", [-1, 100.5])
def test_a_percentage_out_of_range_fails_before_any_request(fake_em, run_module, below):
    rc, result, dummy = run_module(module, args(free_percent_below=below))
    assert rc == 1 and result["msg"] == "free_percent_below must be a percentage from 0 to 100; got %s" % float(below)
    assert fake_em.calls == []
