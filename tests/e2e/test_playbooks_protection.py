# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/protection.yml (the audit as an AWX job template) and the report's protection part."""

from __future__ import absolute_import, division, print_function

import json
import xml.etree.ElementTree as ET


def _files(out, basename):
    with open(str(out / (basename + ".json")), encoding="utf-8") as f:
        report = json.load(f)
    with open(str(out / (basename + ".html")), encoding="utf-8") as f:
        html = f.read()
    junit = ET.parse(str(out / (basename + ".junit.xml"))).getroot()
    return report, html, junit


def test_the_audit_fails_naming_the_vms_that_breach_and_the_full_repository(fresh_emulator, ansible_playbook, tmp_path):
    out = tmp_path / "audit"
    proc = ansible_playbook("playbooks/protection.yml", env=fresh_emulator.env(),
                            extra_vars={"report_dir": str(out), "job_name": "Finance Backup\n", "rpo": "24h"})
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "fin-db01 (breached), fin-new01 (unprotected)" in proc.stdout
    assert "Linux Hardened Repository (2.5%)" in proc.stdout and "failed=1" in proc.stdout
    report, html, junit = _files(out, "protection-report")
    assert report["protection"]["summary"] == {"total": 3, "protected": 1, "breached": 1, "unprotected": 1,
                                               "rpo_seconds": 86400}
    assert report["gate"]["protection"]["vms"] == ["fin-db01", "fin-new01"]
    assert [r["name"] for r in report["repositories"]["items"] if r["low"]] == ["Linux Hardened Repository"]
    assert "Are we protected? 1 of 3 VMs" in html and "fin-new01" in html and "unknown" in html
    asked = {"BackupJobSession", "BackupTaskSession", "Job", "ObjectInJob", "VmRestorePoint", "Repository"}
    assert set(fresh_emulator.stats()["queries"]) == asked
    suite = [s for s in junit if s.get("name") == "backupops.veeam_em protection"][0]
    cases = dict((case.get("name"), case.find("failure")) for case in suite.findall("testcase"))
    assert sorted(cases) == ["fin-app01", "fin-db01", "fin-new01"]
    assert cases["fin-app01"] is None and cases["fin-db01"].get("type") == "breached"
    assert cases["fin-new01"].get("type") == "unprotected"
    assert fresh_emulator.stats()["open_logon_sessions"] == 0


def test_the_audit_passes_when_every_vm_is_protected_and_no_threshold_is_set(fresh_emulator, ansible_playbook, tmp_path):
    out = tmp_path / "audit"
    proc = ansible_playbook("playbooks/protection.yml", env=fresh_emulator.env(), extra_vars={
        "report_dir": str(out), "job_name": ["Fileserver Backup"], "rpo": "36h", "free_percent_below": ""})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report, html, junit = _files(out, "protection-report")
    assert report["protection"]["summary"]["protected"] == report["protection"]["summary"]["total"] == 3
    assert report["gate"]["failed"] is False and report["gate"]["protection"]["free_percent_below"] is None
    assert "Every VM the backup jobs include has a restore point younger than 36h" in html


def test_the_report_without_rpo_has_no_protection_part_and_no_request_for_it(fresh_emulator, ansible_playbook, tmp_path):
    out = tmp_path / "report"
    proc = ansible_playbook("playbooks/report.yml", env=fresh_emulator.env(), extra_vars={"report_dir": str(out)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report, html, junit = _files(out, "backup-session-report")
    assert report["protection"] is None and report["repositories"] is None and "Are we protected" not in html
    assert [s.get("name") for s in junit] == ["backupops.veeam_em backup jobs"]
    # the session questions and their task sessions (roles README), none of the protection part
    assert set(fresh_emulator.stats()["queries"]) <= {"BackupJobSession", "BackupTaskSession"}
