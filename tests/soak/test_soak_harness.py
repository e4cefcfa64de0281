# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The soak harness's own judgement: what counts as ok, wrong, a crash, a lie about a stop, a leak."""

from __future__ import absolute_import, division, print_function

import json
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import soak  # noqa: E402 pylint: disable=wrong-import-position

INFO = [s for s in soak.SCENARIOS if s.name == "sessions"][0]
STOP = [s for s in soak.SCENARIOS if s.name == "stop"][0]
ROOT_A = "https://127.0.0.1:40001"
ROOT_B = "https://127.0.0.1:40002"


def session(root, ident="s1", state="Stopped"):
    return {"id": ident, "href": "%s/api/backupSessions/%s" % (root, ident), "state": state}


def info_result(root, **extra):
    result = {"changed": False, "backup_sessions": [session(root)], "summary": {"total": 1}}
    result.update(extra)
    return result


def stop_result(root, changed=True, **extra):
    result = {"changed": changed, "backup_sessions": [session(root, "s1"), session(root, "s2")],
              "tasks": [{"task_id": "task-1", "session_id": "s1"}, {"task_id": "task-2", "session_id": "s2"}]}
    result.update(extra)
    return result


def stats(**counters):
    base = {"logons": 1, "logouts": 1, "logon_answers_lost": 0, "open_logon_sessions": 0, "stop_requests": 0,
            "faults": {}}
    base.update(counters)
    return base


@pytest.mark.parametrize("result, reason", [
    ({"failed": True, "msg": "Enterprise Manager answered HTTP 503 to GET /query", "exception": "(traceback unavailable)"},
     None),
    ({"failed": True, "msg": "clean", "exception": "Traceback (most recent call last):\n  File \"x/_module.py\"..."},
     None),  # ansible-core 2.19 puts a controller traceback into every failure when tracebacks are on
    ({"failed": True, "msg": ""}, "failed without msg"),
    ({"failed": True}, "failed without msg"),
    ({"failed": True, "msg": "MODULE FAILURE\nSee stdout/stderr for the exact error"}, "MODULE FAILURE"),
    ({"failed": True, "msg": "x", "module_stderr": "Traceback (most recent call last):"}, "module_stderr"),
    ({"failed": True, "msg": "Task failed: Module failed: 'nokey'", "exception": "(traceback unavailable)"},
     "uncaught exception in the module: 'nokey'"),
    ({"failed": True, "msg": "odd", "exception": "Traceback ...\n  File \"/tmp/x.zip/ansible/module_utils/_internal/"
                                                 "_ansiballz/_loader.py\", line 35, in run_module\nKeyError: 'k'"},
     "uncaught exception in the module: odd"),
    ({"changed": False, "exception": "Traceback (most recent call last):"}, "traceback in a successful result"),
    ({"changed": False}, None),
])
def test_traceback_in(result, reason):
    assert soak.traceback_in(result) == reason


def test_signature_ignores_the_emulator_address():
    assert soak.signature(INFO, info_result(ROOT_A), ROOT_A) == soak.signature(INFO, info_result(ROOT_B), ROOT_B)
    other = info_result(ROOT_B, summary={"total": 2})
    assert soak.signature(INFO, info_result(ROOT_A), ROOT_A) != soak.signature(INFO, other, ROOT_B)
    # changed, warnings and invocation are not part of what must equal the baseline
    noisy = info_result(ROOT_B, warnings=["w"], invocation={"module_args": {}})
    assert soak.signature(INFO, info_result(ROOT_A), ROOT_A) == soak.signature(INFO, noisy, ROOT_B)


def test_stop_signature():
    base = soak.signature(STOP, stop_result(ROOT_A), ROOT_A)
    assert base == soak.signature(STOP, stop_result(ROOT_B), ROOT_B)
    assert base != soak.signature(STOP, stop_result(ROOT_B, changed=False), ROOT_B)
    one = stop_result(ROOT_B)
    one["tasks"] = one["tasks"][:1]
    assert base != soak.signature(STOP, one, ROOT_B)
    running = stop_result(ROOT_B)
    running["backup_sessions"][1]["state"] = "Stopping"
    assert base != soak.signature(STOP, running, ROOT_B)


def test_judge_info():
    baseline = soak.signature(INFO, info_result(ROOT_A), ROOT_A)
    results = {
        "h01": {"result": info_result(ROOT_B), "stats": None},
        "h02": {"result": info_result(ROOT_B, summary={"total": 0}), "stats": None},  # wrong
        "h03": {"result": {"failed": True, "msg": "HTTP 503"}, "stats": None},
        "h04": {"result": {"failed": True, "msg": "Task failed: Module failed: boom"}, "stats": None},  # crash
        "h05": None,  # missing
        "h06": {"result": info_result(ROOT_B, warnings=["Could not log out of Enterprise Manager: x"]), "stats": None},
    }
    t = soak.judge(INFO, results, baseline, ROOT_B, "/out")
    assert (t.runs, t.ok, t.failed, t.wrong, t.tracebacks, t.missing, t.logout_failed) == (6, 3, 2, 1, 1, 1, 1)
    assert t.changed_false_after_stop == 0
    assert t.messages["HTTP 503"] == 1


def test_judge_stop_changed_false_after_an_accepted_stop():
    baseline = soak.signature(STOP, stop_result(ROOT_A), ROOT_A)
    lost_answer = {"failed": True, "msg": "POST /backupSessions/s1: the answer was cut off", "changed": False}
    results = {
        "h01": {"result": stop_result(ROOT_B), "stats": stats(stop_requests=2)},
        "h02": {"result": lost_answer, "stats": stats(stop_requests=1)},  # EM stopped it: a lie
        "h03": {"result": dict(lost_answer, changed=True), "stats": stats(stop_requests=1)},
        "h04": {"result": dict(lost_answer, changed=False), "stats": stats(stop_requests=0)},  # nothing was stopped
        "h05": {"result": stop_result(ROOT_B, changed=False), "stats": stats(stop_requests=2)},  # wrong and a lie
    }
    t = soak.judge(STOP, results, baseline, ROOT_B, "/out")
    assert (t.ok, t.failed, t.wrong, t.changed_false_after_stop) == (2, 3, 1, 2)
    assert t.logons == 5


def test_judge_adds_the_counters_of_each_run():
    results = {
        "h01": {"result": stop_result(ROOT_B),
                "stats": stats(logons=2, logon_answers_lost=1, open_logon_sessions=1, faults={"truncate": 3})},
        "h02": {"result": stop_result(ROOT_B), "stats": stats(open_logon_sessions=1, faults={"error": 2})},
    }
    t = soak.judge(STOP, results, None, ROOT_B, "/out")
    assert (t.logons, t.logon_answers_lost, t.open_left) == (3, 1, 2)
    assert (t.error, t.drop, t.truncate) == (2, 0, 3)


def test_load_results(tmp_path):
    path = tmp_path / "results.json"
    assert list(soak.load_results(str(path), 2).values()) == [None, None]  # nothing written
    path.write_text(json.dumps({"results": {"h01": {"changed": False}}, "stats": {"h01": {"logons": 1}}}))
    loaded = soak.load_results(str(path), 2)
    assert loaded["h01"] == {"result": {"changed": False}, "stats": {"logons": 1}}
    assert loaded["h02"] is None


def test_host_names():
    assert soak.host_names(3) == ["h01", "h02", "h03"]
    assert soak.host_names(120)[-1] == "h120" and soak.host_names(120)[0] == "h001"


def test_arguments():
    quick = soak.parse_args(["--quick"])
    assert [p.name for p in quick.profiles] == list(soak.QUICK_PROFILES) and quick.runs == soak.QUICK_RUNS
    assert soak.parse_args(["--quick", "--runs", "7"]).runs == 7
    full = soak.parse_args([])
    assert full.runs == 30 and len(full.profiles) == 6 and len(full.scenarios) == 4
    assert [p.name for p in full.profiles] == ["errors503", "errors500", "drops", "truncation", "mixed", "idle"]
    with pytest.raises(SystemExit):
        soak.parse_args(["--profiles", "nope"])
    assert os.path.isabs(soak.parse_args(["--out", "rel"]).out)


def test_every_profile_runs_on_its_own_fixed_seed_dataset():
    for profile in soak.PROFILES:
        assert "--seed" not in profile.flags and "--sessions" not in profile.flags
        assert "--stop-delay" in profile.flags
    assert "--seed" in soak.DATASET and "--now" in soak.DATASET
