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
            "faults": {}, "requests": {"POST /api/sessionMngr/": 1, "GET /api/query": 1}}
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
    path.write_text(json.dumps({"results": {"h01": {"changed": False}}, "stats": {"h01": {"logons": 1}},
                                "after": {"h01": {"backup_sessions": []}}}))
    loaded = soak.load_results(str(path), 2)
    assert loaded["h01"] == {"result": {"changed": False}, "stats": {"logons": 1}, "after": {"backup_sessions": []}}
    assert loaded["h02"] is None


def test_host_names():
    assert soak.host_names(3) == ["h01", "h02", "h03"]
    assert soak.host_names(120)[-1] == "h120" and soak.host_names(120)[0] == "h001"


def test_arguments():
    quick = soak.parse_args(["--quick"])
    assert [p.name for p in quick.profiles] == list(soak.QUICK_PROFILES) and quick.runs == soak.QUICK_RUNS
    assert soak.parse_args(["--quick", "--runs", "7"]).runs == 7
    full = soak.parse_args([])
    assert full.runs == 30 and len(full.profiles) == 9 and len(full.scenarios) == 6
    assert [p.name for p in full.profiles] == ["errors503", "errors500", "drops", "truncation", "mixed", "idle",
                                               "logout500", "stoplost", "cancel"]
    with pytest.raises(SystemExit):
        soak.parse_args(["--profiles", "nope"])
    with pytest.raises(SystemExit):  # stoplost runs only the stop scenario
        soak.parse_args(["--profiles", "stoplost", "--scenarios", "sessions"])
    assert os.path.isabs(soak.parse_args(["--out", "rel"]).out)


def test_every_profile_runs_on_its_own_fixed_seed_dataset():
    names = [x.name for x in soak.SCENARIOS]
    for profile in soak.PROFILES:
        assert "--seed" not in profile.flags and "--sessions" not in profile.flags
        assert "--stop-delay" in profile.flags
        assert profile.scenarios and set(profile.scenarios) <= set(names)
    assert "--seed" in soak.DATASET and "--now" in soak.DATASET


def test_the_quick_form_has_no_cancel_profile():
    # make test runs --quick: random-moment signals are for make soak
    quick = soak.parse_args(["--quick"])
    assert all(p.scenarios == soak.MODULE_SCENARIOS for p in quick.profiles)


def after(*states):
    return {"changed": False, "backup_sessions": [{"id": "s%d" % i, "state": st} for i, st in enumerate(states)]}


def test_judge_stop_counts_the_sessions_left_running():
    results = {
        "h01": {"result": stop_result(ROOT_B), "stats": stats(stop_requests=2), "after": after()},
        # one stop was lost with its connection: the other session still runs
        "h02": {"result": {"failed": True, "msg": "connection dropped", "changed": True},
                "stats": stats(stop_requests=1), "after": after("Working")},
        "h03": {"result": {"failed": True, "msg": "x", "changed": False}, "stats": stats(),
                "after": after("Working", "Starting")},
        "h04": {"result": stop_result(ROOT_B), "stats": stats(stop_requests=2),
                "after": {"failed": True, "msg": "HTTP 503"}},  # could not be read
        "h05": {"result": stop_result(ROOT_B), "stats": stats(stop_requests=2), "after": None},
        # its logon was lost: it never saw the sessions, stopped nothing and failed saying so; not counted
        "h06": {"result": {"failed": True, "msg": "Logon to Enterprise Manager ...: the connection was lost"},
                "stats": stats(logons=0, requests={}), "after": after("Working", "Starting")},
    }
    t = soak.judge(STOP, results, None, ROOT_B, "/out")
    assert (t.left_running, t.unchecked, t.failed) == (3, 2, 3)
    # info scenarios are not read after
    info = soak.judge(INFO, {"h01": {"result": info_result(ROOT_B), "stats": None, "after": None}}, None, ROOT_B,
                      "/out")
    assert (info.left_running, info.unchecked) == (0, 0)


def cancel_record(signalled=True, returncode=-15, open_at_signal=1, open_after=0, lost=0, logons=2):
    return {"signal": "SIGTERM", "delay": 3.0, "log": "/out/run01/ansible.log", "signalled": signalled,
            "at_signal": stats(open_logon_sessions=open_at_signal) if signalled else None,
            "returncode": returncode, "error": None,
            "after": stats(open_logon_sessions=open_after, logon_answers_lost=lost, logons=logons)}


def test_judge_cancel():
    t = soak.Tally()
    soak.judge_cancel(t, cancel_record())
    soak.judge_cancel(t, cancel_record(returncode=99, open_at_signal=0))
    soak.judge_cancel(t, cancel_record(signalled=False, returncode=0))  # the play ended before the signal
    soak.judge_cancel(t, cancel_record(open_after=1))  # a leak
    soak.judge_cancel(t, cancel_record(open_after=1, lost=1))  # the logon's answer never came: not a leak
    missing = cancel_record(returncode=None)
    missing["error"] = "processes [4242] still run 120 s after signal 15"
    soak.judge_cancel(t, missing)
    assert (t.runs, t.signalled, t.held, t.ok, t.failed, t.missing) == (6, 4, 3, 1, 4, 1)
    assert (t.open_left, t.logon_answers_lost, t.logons) == (2, 1, 10)
    assert t.messages["signalled, exit -15"] == 3 and t.messages["signalled, exit 99"] == 1
    assert len(t.examples) == 2  # the leak and the run that did not end
