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
    now, running, startable = eda_soak.make_dataset(path, 30, 7)
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
    now, _running, _startable = eda_soak.make_dataset(path, 5, 7, skew=-600)
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
