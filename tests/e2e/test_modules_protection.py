# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The protection modules through real ansible runs against the emulator's protection data (docs/emulator.md)."""

from __future__ import absolute_import, division, print_function

import json


def adhoc_result(proc):
    assert " => " in proc.stdout, proc.stdout + proc.stderr
    return json.loads(proc.stdout.split(" => ", 1)[1])


def test_the_rpo_view_of_the_scenario_job(fresh_emulator, ansible_adhoc):
    """Finance Backup: fin-app01 succeeds, fin-db01 failed 5 days, fin-new01 never succeeded, fin-old01 left the job."""
    proc = ansible_adhoc("backupops.veeam_em.em_protection_info", "job_name='Finance Backup' rpo=24h",
                         env=fresh_emulator.env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = adhoc_result(proc)
    status = dict((vm["vm_name"], vm["status"]) for vm in result["vms"])
    assert status == {"fin-app01": "protected", "fin-db01": "breached", "fin-new01": "unprotected"}
    db = [vm for vm in result["vms"] if vm["vm_name"] == "fin-db01"][0]
    assert 4 * 86400 < db["age_seconds"] < 6 * 86400 and db["last_result"] == "Failed" and db["last_reason"]
    assert [c["name"] for c in result["containers"]] == ["Finance Archive"]
    assert result["summary"] == {"total": 3, "protected": 1, "breached": 1, "unprotected": 1, "rpo_seconds": 86400}
    stats = fresh_emulator.stats()
    # jobs, includes, the points of the window, the newest point of the 2 VMs not in it, their task sessions
    assert stats["requests"]["GET /api/query"] == 5 and stats["open_logon_sessions"] == 0, stats


def test_the_whole_estate_agrees_with_each_vm_s_newest_point(fresh_emulator, ansible_adhoc):
    env = fresh_emulator.env()
    view = adhoc_result(ansible_adhoc("backupops.veeam_em.em_protection_info", "rpo=24h", env=env))
    names = sorted(set(vm["vm_name"] for vm in view["vms"]))
    newest = adhoc_result(ansible_adhoc("backupops.veeam_em.em_vm_restore_point_info",
                                        json.dumps({"latest": True, "vm_name": names}), env=env))
    by_ref = dict((p["vm_ref"], p) for p in newest["vm_restore_points"])
    for vm in view["vms"]:
        point = by_ref.get(vm["vm_ref"])
        assert (point["creation_time"] if point else None) == vm["latest_restore_point_time"], vm
        assert vm["status"] == ("unprotected" if point is None else
                                "protected" if vm["age_seconds"] <= 86400 else "breached"), vm
    assert "fin-old01" not in names  # points, but in no job any more
    assert view["summary"]["total"] == len(view["vms"]) == sum(
        view["summary"][s] for s in ("protected", "breached", "unprotected"))


def test_repositories_unknown_size_is_null_and_never_below_a_threshold(fresh_emulator, ansible_adhoc):
    env = fresh_emulator.env()
    everything = adhoc_result(ansible_adhoc("backupops.veeam_em.em_repository_info", env=env))
    storage = [r for r in everything["repositories"] if r["name"] == "Scale-out Object Storage"][0]
    assert (storage["capacity_bytes"], storage["free_bytes"], storage["free_percent"]) == (None, None, None)
    low = adhoc_result(ansible_adhoc("backupops.veeam_em.em_repository_info", "free_percent_below=15", env=env))
    assert [r["name"] for r in low["repositories"]] == ["Linux Hardened Repository"]
    assert everything["summary"]["unknown_capacity"] == 1


def test_a_read_only_account_reads_the_protection_side(fresh_emulator, ansible_adhoc):
    env = dict(fresh_emulator.env(), VEEAM_EM_USER="RestoreOperator", VEEAM_EM_PASSWORD="Emulator-Read-1!")
    proc = ansible_adhoc("backupops.veeam_em.em_vm_restore_point_info", "vm_name=fin-db01 latest=true", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [p["vm_name"] for p in adhoc_result(proc)["vm_restore_points"]] == ["fin-db01"]
