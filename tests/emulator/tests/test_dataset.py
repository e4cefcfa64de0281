# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The generated dataset: determinism, coverage, consistency, dump and load."""

import json

import pytest

from em_emulator.constants import JOB_TYPES, RESULTS, SESSION_STATES
from em_emulator.dataset import Dataset, generate
from em_emulator.timeutil import parse_iso

NOW = parse_iso("2026-01-15T12:00:00Z")


@pytest.fixture(scope="module")
def data():
    return generate(42, 2000, 40, NOW)


def test_deterministic():
    a = generate(7, 300, 20, NOW)
    b = generate(7, 300, 20, NOW)
    c = generate(8, 300, 20, NOW)
    assert [s.id for s in a.sessions] == [s.id for s in b.sessions]
    assert [t.id for t in a.task_sessions] == [t.id for t in b.task_sessions]
    assert [s.id for s in a.sessions] != [s.id for s in c.sessions]


def test_coverage(data):
    assert len(data.servers) == 2
    assert len(data.jobs) == 40 + 1  # + the protection scenario job (protection.py)
    assert len(data.sessions) == 2000 + 10 + 60  # generated + documentation + the scenario's daily sessions
    assert {s.job.job_type for s in data.sessions} == set(JOB_TYPES)
    assert {s.state for s in data.sessions} == set(SESSION_STATES)
    assert {s.result for s in data.sessions} == set(RESULTS)
    assert any(s.is_retry for s in data.sessions)
    names = {j.name for j in data.jobs}
    assert 'SQL "Prod" Backup' in names and "Düsseldorf Fileserver" in names
    assert any(" " in n for n in names) and any(ord(ch) > 127 for n in names for ch in n)


def test_running_sessions(data):
    running = [s for s in data.sessions if s.state != "Stopped"]
    assert running
    assert all(s.result == "None" and s.etime is None for s in running)
    ages = [NOW - s.ctime for s in running]
    assert any(a > 10 * 3600 for a in ages), "some run for many hours"
    assert any(a < 3600 for a in ages), "some started recently"
    assert all(s.ctime <= NOW for s in data.sessions)


def test_consistency(data):
    for s in data.sessions:
        if s.etime is not None:
            assert s.etime >= s.ctime
        assert s.tasks, s.name
        for t in s.tasks:
            assert t.session is s
            assert t.vm in s.job.vms or s.id in ("d46e39e0-1131-4585-91a7-e828ce7eafae",
                                                 "d2b8d33e-32b5-43be-9d72-02b5d8b290d0") \
                or t.vm == "fin-old01"  # the protection scenario's VM removed from its job
            if t.result in ("Warning", "Failed"):
                assert t.reason
            if t.result == "Success":
                assert t.reason == "" and t.total_size > 0
        if s.result == "Failed":
            assert any(t.result == "Failed" for t in s.tasks)
        if s.result == "Warning":
            assert any(t.result == "Warning" for t in s.tasks)


def test_dump_and_load_round_trip(data, tmp_path):
    path = tmp_path / "data.json"
    data.dump(str(path))
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert raw["format"] == "veeam-em-emulator-dataset/1"
    assert set(raw) == {"format", "now", "backup_servers", "jobs", "sessions", "task_sessions"}
    loaded = Dataset.load(str(path))
    assert loaded.now == int(NOW)
    assert loaded.to_dict() == data.to_dict()


def test_load_rejects_bad_values(data):
    raw = data.to_dict()
    raw["sessions"][0]["state"] = "Sleeping"
    with pytest.raises(ValueError):
        Dataset.from_dict(raw)


@pytest.mark.parametrize("seed, sessions, jobs", [(42, 2000, 40), (7, 30000, 25)])
def test_a_job_runs_one_session_at_a_time(seed, sessions, jobs):
    """A Veeam job runs one session at a time: per job, each session ends before the next one starts,
    and only the newest may be running (the default dataset, and one with more running sessions
    (120) wanted than there are jobs)."""
    data = generate(seed, sessions, jobs, NOW)
    assert len(data.sessions) == sessions + 10 + 60  # generated + documentation + the scenario's daily sessions
    by_job = {}
    for s in data.sessions:
        by_job.setdefault(s.job.id, []).append(s)
    running_jobs = 0
    for items in by_job.values():
        items.sort(key=lambda s: s.ctime)
        for earlier, later in zip(items, items[1:]):
            assert earlier.etime is not None, "%s runs while %s starts" % (earlier.name, later.name)
            assert earlier.etime <= later.ctime, "%s overlaps %s" % (earlier.name, later.name)
        running = [s for s in items if s.etime is None]
        assert len(running) <= 1
        running_jobs += len(running)
    assert running_jobs == (8 if sessions == 2000 else jobs)
    for s in data.sessions:  # sessions moved in time keep their task sessions inside them
        for t in s.tasks:
            assert t.ctime >= s.ctime
            if s.etime is not None and t.etime is not None:
                assert t.etime <= s.etime
