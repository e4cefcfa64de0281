# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The query indexes answer exactly what a full scan answers, on random filters, also after changes."""

import random

import pytest

from em_emulator.dataset import JobSession, TaskSession, generate
from em_emulator.filters import compile_filter
from em_emulator.index import forget_indexes, index_for
from em_emulator.timeutil import iso

QTYPES = ("BackupJobSession", "BackupTaskSession")


@pytest.fixture(scope="module")
def data():
    return generate(seed=7, sessions=3000, jobs=60, now=1767225600)


def _values(data, qtype):
    """field -> candidate values (text as a client writes them), drawn from the data and beyond it."""
    objs = data.sessions if qtype == "BackupJobSession" else data.task_sessions
    sample = objs[::max(1, len(objs) // 200)]
    times = [iso(o.ctime) for o in sample] + [iso(o.etime) for o in sample if o.etime is not None]
    out = {
        "UID": [o.id for o in sample] + ["urn:veeam:X:" + sample[0].id.upper(), "00000000-0000-0000-0000-000000000000"],
        "Name": [o.name for o in sample] + ["nothing@none"],
        "CreationTime": times, "EndTime": times,
        "State": ["Completed", "Pending", "InProgress"],
        "Result": ["Success", "Warning", "Failed", "None"],
        "JobName": ['"%s"' % d.replace('"', '""') for d in set(j.name for j in data.jobs)],
        "BackupServerName": [s.name.upper() for s in data.servers],
    }
    if qtype == "BackupJobSession":
        out["State"] = ["Stopped", "Working", "Starting", "Stopping"]
        out["JobUid"] = [j.id for j in data.jobs[:20]]
        out["IsRetry"] = ["true", "false"]
    else:
        out["JobSessionUid"] = [s.id for s in data.sessions[::30]]
        out["VmDisplayName"] = [t.vm for t in sample]
        out["TotalSize"] = ["0", "1073741824", "429496729600"]
    return out


def _quote(field, value):
    if field in ("Name", "VmDisplayName", "JobName") and not value.startswith('"'):
        return '"%s"' % value.replace('"', '""')
    return value


def _random_filter(rng, values, depth=0):
    if depth < 2 and rng.random() < 0.45:
        joiner = rng.choice((",", ";"))
        parts = [_random_filter(rng, values, depth + 1) for _part in range(rng.randrange(2, 6))]
        return "(%s)" % joiner.join(parts)
    field = rng.choice(sorted(values))
    ops = ["==", "==", "==", "!="]
    if field in ("CreationTime", "EndTime", "TotalSize"):
        ops = [">", ">=", "<", "<=", "=="]
    return "%s%s%s" % (field, rng.choice(ops), _quote(field, rng.choice(values[field])))


def _check(data, qtype, rng, rounds):
    objs = data.sessions if qtype == "BackupJobSession" else data.task_sessions
    idx = index_for(data, qtype)
    values = _values(data, qtype)
    answered = 0
    for _round in range(rounds):
        text = _random_filter(rng, values)
        pred = compile_filter(text, qtype)
        expected = [o for o in objs if pred(o)]
        assert idx.select(pred) == expected, text
        answered += bool(expected)
    assert answered > rounds // 10  # the filters are not all empty


@pytest.mark.parametrize("qtype", QTYPES)
def test_index_answers_like_a_full_scan(data, qtype):
    _check(data, qtype, random.Random(qtype), 250)


def test_or_of_uids_uses_the_index_and_keeps_dataset_order(data):
    uids = [s.id for s in data.sessions[::97]][:40]
    text = ",".join("JobSessionUid==%s" % u for u in reversed(uids))
    idx = index_for(data, "BackupTaskSession")
    plan = idx._plan(compile_filter(text, "BackupTaskSession").node)  # pylint: disable=protected-access
    got = idx.select(compile_filter(text, "BackupTaskSession"))
    assert plan[0] == len(got) == sum(len(s.tasks) for s in data.sessions if s.id in set(uids))
    assert got == [t for t in data.task_sessions if t.session.id in set(uids)]


def test_changed_and_added_sessions_are_found():
    data = generate(seed=3, sessions=400, jobs=20, now=1767225600)
    rng = random.Random(5)
    for qtype in QTYPES:  # build every index before the changes
        _check(data, qtype, rng, 60)
    running = [s for s in data.sessions if s.state != "Stopped"][:3]
    for s in running:  # what a stop does (EmulatorApp.remember tells the index first)
        for obj in [s] + s.tasks:
            index_for(data, "BackupJobSession" if obj is s else "BackupTaskSession").touch(obj)
            obj.state, obj.result, obj.etime = ("Stopped" if obj is s else "Completed"), "Failed", data.now
    job = data.jobs[4]
    for k, ctime in enumerate((data.now - 10, data.sessions[5].ctime, data.sessions[-1].ctime)):
        s = JobSession("aaaaaaaa-0000-4000-8000-%012d" % k, job, ctime, None, "Working", "None", 3, False)
        s.tasks.append(TaskSession("bbbbbbbb-0000-4000-8000-%012d" % k, s, "vm-new", ctime, None, "InProgress", "None",
                                   "", 0))
        data.add_session(s)
    assert data.sessions == sorted(data.sessions, key=lambda o: (o.ctime, o.id))
    for qtype in QTYPES:
        _check(data, qtype, rng, 200)
    pred = compile_filter("State==Working;JobUid==%s" % job.id, "BackupJobSession")
    assert [s.id[:8] for s in index_for(data, "BackupJobSession").select(pred)].count("aaaaaaaa") == 3


def test_indexes_are_built_again_after_a_change_they_were_not_told_of():
    data = generate(seed=4, sessions=300, jobs=20, now=1767225600)
    job = data.jobs[3]
    text = 'JobName=="%s"' % job.name
    idx = index_for(data, "BackupJobSession")
    assert idx.select(compile_filter(text, "BackupJobSession"))
    job.name = "Renamed behind the emulator's back"  # what tests/property's renamed_job does
    forget_indexes(data)  # EmulatorApp.bump() without indexed=True
    renamed = compile_filter('JobName=="Renamed behind the emulator\'s back"', "BackupJobSession")
    got = index_for(data, "BackupJobSession").select(renamed)
    assert got and got == [s for s in data.sessions if s.job is job]
    assert index_for(data, "BackupJobSession").select(compile_filter(text, "BackupJobSession")) == []
