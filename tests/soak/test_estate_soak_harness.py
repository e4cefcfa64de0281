# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The estate soak's own judgement: silently wrong, said so, crashed, the stopped EM, the gate."""

from __future__ import absolute_import, division, print_function

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import estate_soak  # noqa: E402 pylint: disable=wrong-import-position


def entry(em, status="ok", sessions=(("s1", "Stopped", "Success"),), reason=None):
    report = None
    if status == "ok":
        report = {"sessions": [{"id": i, "state": st, "result": r} for i, st, r in sessions],
                  "jobs": [{"name": "SQL", "status": "Success"}],
                  "protection": {"vms": [{"vm_name": "db01", "backup_server_name": "vbr", "status": "protected"}]}}
    return {"em": em, "status": status, "reason": reason, "report": report}


def estate(faulty, clean=None, down=None, gate_failed=None):
    ems = [faulty, clean or entry("em-clean"), down or entry("em-down", "unreachable", reason="Nothing answers")]
    failed = any(e["status"] == "failed" for e in ems) if gate_failed is None else gate_failed
    return {"ems": ems, "gate": {"failed": failed}}


BASELINE = {"em-faulty": estate_soak.signature(entry("em-faulty")), "em-clean": estate_soak.signature(entry("em-clean"))}


def test_the_same_answer_or_a_failure_that_says_so_passes():
    assert estate_soak.judge(estate(entry("em-faulty")), BASELINE) == []
    said_so = entry("em-faulty", "failed", reason="Enterprise Manager answered HTTP 503 to GET /query")
    assert estate_soak.judge(estate(said_so), BASELINE) == []


def test_a_different_answer_read_as_ok_is_silently_wrong():
    lost_page = entry("em-faulty", sessions=())
    assert estate_soak.judge(estate(lost_page), BASELINE) == [
        "em-faulty read ok but differs from the baseline (silently wrong)"]


def test_crashes_a_failing_clean_em_a_reachable_stopped_one_and_a_wrong_gate_are_problems():
    crashed = entry("em-faulty", "failed", reason="MODULE FAILURE: see stdout/stderr for the exact error")
    assert estate_soak.judge(estate(crashed), BASELINE) == [
        "em-faulty crashed: MODULE FAILURE: see stdout/stderr for the exact error"]
    clean_failed = entry("em-clean", "unreachable", reason="timed out")
    assert estate_soak.judge(estate(entry("em-faulty"), clean=clean_failed), BASELINE) == [
        "em-clean read unreachable: timed out"]
    down_ok = entry("em-down", "failed", reason="HTTP 500")
    assert estate_soak.judge(estate(entry("em-faulty"), down=down_ok, gate_failed=True), BASELINE) == [
        "em-down read failed"]
    assert estate_soak.judge(estate(entry("em-faulty"), gate_failed=True), BASELINE) == [
        "the gate says failed=True with an EM failed: False"]
    assert estate_soak.judge(None, BASELINE) == ["no estate JSON written"]
