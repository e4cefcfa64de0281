# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The EDA soak's own judgement (lost, duplicated, foreign events) and its dataset of running sessions."""

from __future__ import absolute_import, division, print_function

import json
import os
import sys

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
