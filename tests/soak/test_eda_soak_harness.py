# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The EDA soak's own judgement (lost, duplicated, foreign events) and its dataset of running sessions."""

from __future__ import absolute_import, division, print_function

import calendar
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import eda_soak  # noqa: E402 pylint: disable=wrong-import-position


def event(ident, event_type="finished"):
    return {"event_type": event_type, "backup_session": {"id": ident}}


def test_every_ended_session_once_is_a_pass():
    result = eda_soak.compare(["a", "b"], [event("b"), event("a"), event("c", "started")])
    assert result == {"sessions": 2, "events": 2, "lost": [], "duplicated": [], "foreign": []}
    assert eda_soak.passed(result)
    assert eda_soak.compare(["c"], [event("c", "started")], "started")["events"] == 1


def test_lost_duplicated_and_foreign_events_are_counted():
    result = eda_soak.compare(["a", "b", "c"], [event("a"), event("a"), event("b"), event("x")])
    assert result["lost"] == ["c"] and result["duplicated"] == ["a"] and result["foreign"] == ["x"]
    assert result["events"] == 4 and not eda_soak.passed(result)
    assert not eda_soak.passed(eda_soak.compare([], []))  # nothing ended: the soak proved nothing


def test_dataset_has_the_running_sessions_and_their_tasks_unfinished(tmp_path):
    path = str(tmp_path / "data.json")
    now, running, startable, _protected = eda_soak.make_dataset(path, 30, 7)
    data = json.load(open(path))
    assert data["now"] == now and len(running) == 30
    by_id = dict((s["id"], s) for s in data["sessions"])
    assert all(by_id[sid]["state"] == "Working" and by_id[sid]["end_time"] is None for sid in running)
    tasks = [t for t in data["task_sessions"] if t["session_id"] in set(running)]
    assert tasks and all(t["state"] == "InProgress" and t["end_time"] is None for t in tasks)
    # the startable jobs run nothing
    busy = set(s["job_id"] for s in data["sessions"] if s["state"] != "Stopped")
    assert startable and not busy & set(startable)


def test_skew_moves_the_dataset_clock_away_from_the_host_clock(tmp_path):
    path = str(tmp_path / "data.json")
    before = time.time()
    now, _running, _startable, _protected = eda_soak.make_dataset(path, 5, 7, skew=-600)
    after = time.time()
    em_now = calendar.timegm(time.strptime(now, "%Y-%m-%dT%H:%M:%SZ"))
    assert int(before) - 600 <= em_now <= after - 600  # EM 10 minutes behind the host
    assert json.load(open(path))["now"] == now
    assert eda_soak.parse_args(["--quick", "--skew", "600"]).skew == 600.0
    assert eda_soak.parse_args([]).skew == 0.0


def test_the_driver_waits_for_a_position_in_the_state_file(tmp_path):
    state = tmp_path / "state.json"
    assert not eda_soak.has_position(str(state))  # no poll yet
    tracker = {"floor": None, "watermark": None, "sent": {}}
    state.write_text(json.dumps({"version": 1, "trackers": {"started": tracker, "finished": tracker}}))
    assert not eda_soak.has_position(str(state))  # stopped before its first poll succeeded
    placed = {"floor": "2026-01-10T05:00:00Z", "watermark": "2026-01-10T05:00:00Z", "sent": {}}
    state.write_text(json.dumps({"version": 1, "trackers": {"started": placed, "finished": tracker}}))
    assert not eda_soak.has_position(str(state))
    state.write_text(json.dumps({"version": 1, "trackers": {"started": placed, "finished": placed}}))
    assert eda_soak.has_position(str(state))


# -- protection crossings --------------------------------------------------------------------
def test_expected_crossings_report_a_bad_state_once_and_each_change_after_it():
    """The first poll reports a bad state; nothing recovers that was not reported; no repeat per poll."""
    assert eda_soak.expected_crossings([]) == []
    assert eda_soak.expected_crossings([(False, "a"), (False, "a")]) == []
    assert eda_soak.expected_crossings([(True, "a"), (True, "a"), (False, "b"), (False, "b"), (True, "b")]) == [
        ("bad", "a"), ("good", "b"), ("bad", "b")]


def test_vm_samples_leave_out_a_poll_during_which_a_point_appeared_or_expired():
    rpo = eda_soak.RPO
    points = [("2026-01-10T05:00:00Z", 1000.0)]  # by EM's clock; the host's is 2 s ahead
    windows = [(990.0, 990.5), (1001.0, 1001.5), (1010.0, 1010.5), (1000.0 + rpo - 0.5, 1000.0 + rpo),
               (1000.0 + rpo + 5, 1000.0 + rpo + 5.5)]
    assert eda_soak.vm_samples(points, windows, offset=2.0, job_duration=1.0) == [
        (True, None),  # before the point: never backed up
        (False, "2026-01-10T05:00:00Z"),  # the 2nd window is left out (the point appears during it)
        (True, "2026-01-10T05:00:00Z")]  # the 4th is left out (it passes the RPO during it)


def test_repository_samples_follow_the_sizes_set_and_leave_out_polls_during_a_change():
    sets = [(10.0, 10.2, 5, 100), (20.0, 20.1, 50, 100)]
    windows = [(1.0, 1.5), (9.5, 10.0), (12.0, 12.5), (25.0, 25.5)]
    assert eda_soak.repository_samples((80, 100), sets, windows) == [(False, 80), (True, 5), (False, 50)]


def test_crossings_compared_with_the_events():
    expected = {("vm", "urn:vm1"): [("bad", None), ("good", "t1")], ("repository", "Volume"): [("bad", 5)]}
    events = [{"event_type": "rpo_breached", "vm": {"uid": "urn:vm1", "latest_restore_point_time": None}},
              {"event_type": "rpo_recovered", "vm": {"uid": "urn:vm1", "latest_restore_point_time": "t1"}},
              {"event_type": "rpo_recovered", "vm": {"uid": "urn:vm1", "latest_restore_point_time": "t1"}},
              {"event_type": "repository_recovered", "repository": {"name": "Volume", "free_bytes": 50}},
              {"event_type": "finished", "backup_session": {"id": "s"}}]
    result = eda_soak.compare_crossings(expected, events)
    assert result == {"crossings": 3, "by_type": {"rpo_breached": 1, "rpo_recovered": 1, "repository_low": 1},
                      "events": 4, "lost": [["repository", "Volume", "bad", 5]],
                      "duplicated": [["vm", "urn:vm1", "good", "t1"]],
                      "foreign": [["repository", "Volume", "good", 50]]}


def test_dataset_protected_jobs_are_idle_own_their_vms_and_are_not_started_by_the_session_driver(tmp_path):
    path = str(tmp_path / "data.json")
    _now, _running, startable, protected = eda_soak.make_dataset(path, 30, 7, protection_jobs=4)
    data = json.load(open(path))
    assert len(protected) == 4 and not set(protected.values()) & set(startable)
    jobs = dict((job["id"], job) for job in data["jobs"])
    busy = set(s["job_id"] for s in data["sessions"] if s["state"] != "Stopped")
    for job_id in protected.values():
        mine = jobs[job_id]
        assert mine["job_type"] == "Backup" and job_id not in busy
        others = [job for job in data["jobs"] if job["id"] != job_id and job["server_id"] == mine["server_id"]]
        assert not set(mine["vms"]) & set(vm for job in others for vm in job["vms"])
