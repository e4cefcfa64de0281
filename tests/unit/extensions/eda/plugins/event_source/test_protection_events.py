# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The protection events of backupops.veeam_em.backup_sessions: one event per crossing, on the fake EM.

Each test states the exact HTTP calls of a poll (the RPO view of em_protection_info, the repositories)
and the events it expects: the first poll (no memory), a breach, a recovery, a restart from the state
file, a repository of unknown size, a VM that disappears.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import asyncio
import datetime
import json
import logging

import pytest

from ansible_collections.backupops.veeam_em.extensions.eda.plugins.event_source import backup_sessions as source
from ansible_collections.backupops.veeam_em.plugins.module_utils import _times
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError
from ansible_collections.backupops.veeam_em.tests.unit.em_fake import (
    CONNECTION,
    LOGON,
    LOGOUT,
    include_xml,
    job_session_xml,
    job_xml,
    query_result,
    repository_xml,
    resources_result,
    vm_point_xml,
)

J1 = "4856ab37-2235-45e8-affe-d515878b01a9"
JOB_UID = "urn:veeam:Job:" + J1
REF = "urn:VMware:Vm:7f6b6270-1f3b-4dc6-872f-2d1dfc519c00.%s"
NOW = datetime.datetime(2026, 12, 6, 22, 0, tzinfo=datetime.timezone.utc)
JOBS = ("GET", "/api/query", 'type=Job&format=Entities&sortAsc=Name&pageSize=1000&page=1'
                             '&filter=Name=="Finance Backup";JobType==Backup')
INCLUDES = ("GET", "/api/query", 'type=ObjectInJob&format=Entities&sortAsc=JobName&pageSize=1000&page=1'
                                 '&filter=JobUid=="%s"' % JOB_UID)
POINTS = "type=VmRestorePoint&format=Entities&sortDesc=CreationTime&pageSize=1000&page=1&filter=%s"
TASKS = 'type=BackupTaskSession&format=Entities&sortDesc=CreationTime&pageSize=1000&page=1&filter=%s'
REPOSITORIES = ("GET", "/api/query", "type=Repository&format=Entities&sortAsc=Name&pageSize=1000&page=1")
GIB = 1024 ** 3


class Clock(object):
    """The host's clock as module_utils reads it (``_times.utcnow``)."""

    def __init__(self, monkeypatch):
        self.now = NOW
        monkeypatch.setattr(_times, "utcnow", lambda: self.now)

    def advance(self, **kwargs):
        self.now += datetime.timedelta(**kwargs)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def ago(clock, **kwargs):
    return _times.text(clock.now - datetime.timedelta(**kwargs))


def args(**kwargs):
    result = dict(CONNECTION, event_types=["rpo_breached", "rpo_recovered"], rpo="24h", job_name="Finance Backup",
                  protection_interval=60)
    result.update(kwargs)
    return result


def expect_view(fake_em, clock, recent, older=None, not_protected=()):
    """One RPO view of Finance Backup (fin-app01, fin-db01): ``recent`` the points (vm, point id, time) of the
    last 24 hours, ``older`` the newest older points of the VMs without a recent one (asked by name), then
    the task sessions of the VMs ``not_protected``. Returns the exact calls."""
    fake_em.expect("GET", "/query", body=query_result([job_xml(name="Finance Backup")], "Jobs"))
    fake_em.expect("GET", "/query", body=resources_result([include_xml("i1", "fin-app01", J1, "Finance Backup"),
                                                           include_xml("i2", "fin-db01", J1, "Finance Backup")]))
    fake_em.expect("GET", "/query", body=query_result([vm_point_xml(p, vm, when) for vm, p, when in recent],
                                                      "VmRestorePoints"))
    calls = [JOBS, INCLUDES, ("GET", "/api/query", POINTS % ('CreationTime>="%s"' % ago(clock, hours=24)))]
    unseen = sorted(set(["fin-app01", "fin-db01"]) - set(vm for vm, _p, _w in recent))
    if unseen:
        fake_em.expect("GET", "/query", body=query_result([vm_point_xml(p, vm, when) for vm, p, when in older or []],
                                                          "VmRestorePoints"))
        names = ",".join('VmDisplayName=="%s"' % vm for vm in unseen)
        names = "(%s)" % names if len(unseen) > 1 else names
        calls.append(("GET", "/api/query", POINTS % ('%s;BackupServerName=="srv02.tech.local"' % names)))
    if not_protected:
        fake_em.expect("GET", "/query", body=query_result([], "BackupTaskSessions"))
        names = ",".join('VmDisplayName=="%s"' % vm for vm in not_protected)
        calls.append(("GET", "/api/query", TASKS % ("(%s)" % names if len(not_protected) > 1 else names)))
    return calls


def expect_repositories(fake_em, repositories):
    fake_em.expect("GET", "/query", body=query_result(repositories, "Repositories"))
    return [REPOSITORIES]


class Run(object):
    """A source run: ``poll(before)`` is called before each poll (to set up the fake EM and the clock);
    the source is cancelled, as ansible-rulebook cancels it, after ``len(polls)`` waits."""

    def __init__(self, source_args, polls):
        self.polls = list(polls)
        self.events = []  # one list per poll
        self.waits = []
        self.queue = asyncio.Queue()
        self.source = source.EventSource(source_args, sleep=self._sleep)

    async def _sleep(self, seconds):
        self.waits.append(seconds)
        self._take()
        if len(self.waits) >= len(self.polls):
            raise asyncio.CancelledError()
        self.polls[len(self.waits)]()

    def _take(self):
        batch = []
        while not self.queue.empty():
            batch.append(self.queue.get_nowait())
        self.events.append(batch)

    def __call__(self):
        self.polls[0]()

        async def go():
            try:
                await self.source.run(self.queue)
            except asyncio.CancelledError:
                pass

        asyncio.run(go())
        return self


def kinds(batch):
    return [(event["event_type"], (event.get("vm") or event.get("repository"))["name"]) for event in batch]


# -- the first poll, a breach, a recovery -------------------------------------------------------
def test_first_poll_reports_a_vm_already_breached_once_and_recovers_nothing(fake_em, clock):
    """No memory: fin-db01 (5 days old) is breached and reported once; fin-app01 is protected (nothing to say);
    the second poll sees the same: no event."""
    calls = []

    def poll():
        calls.extend(expect_view(fake_em, clock, recent=[("fin-app01", "p1", ago(clock, hours=1))],
                                 older=[("fin-db01", "p2", "2026-12-01T21:08:15Z")], not_protected=["fin-db01"]))

    fake_em.logon()
    run = Run(args(), [poll, poll])
    fake_em.logout()
    run()
    assert fake_em.summary() == [LOGON] + calls + [LOGOUT]
    assert run.events == [[{"event_type": "rpo_breached", "em": "em.example.com", "vm": {
        "name": "fin-db01", "uid": REF % "fin-db01", "backup_server_name": "srv02.tech.local",
        "job_name": "Finance Backup", "job_names": ["Finance Backup"], "status": "breached",
        "latest_restore_point_time": "2026-12-01T21:08:15Z", "latest_restore_point_id": "p2",
        "age_seconds": 435105, "age": "5d 0h", "rpo": "24h", "rpo_seconds": 86400,
        "last_result": None, "last_reason": None}}], []]
    assert run.waits == [60, 60]  # only protection events asked for: protection_interval between polls


def test_a_breach_then_a_recovery_one_event_each(fake_em, clock):
    """fin-app01's point ages past 24 h: rpo_breached once (two polls see it breached); its job runs and makes a
    new point: rpo_recovered with that point; fin-db01 stays protected throughout."""
    made = clock.now - datetime.timedelta(hours=23, minutes=30)
    fresh = _times.text(made)

    def protected():
        expect_view(fake_em, clock, recent=[("fin-app01", "p1", fresh), ("fin-db01", "p3", ago(clock, hours=2))])

    def breached():
        clock.advance(minutes=40)  # fin-app01's point is 24 h 10 m old, then 24 h 50 m
        expect_view(fake_em, clock, recent=[("fin-db01", "p3", ago(clock, hours=3))],
                    older=[("fin-app01", "p1", fresh)], not_protected=["fin-app01"])

    def recovered():
        clock.advance(minutes=5)
        expect_view(fake_em, clock, recent=[("fin-app01", "p9", ago(clock, minutes=2)),
                                            ("fin-db01", "p3", ago(clock, hours=3))])

    fake_em.logon()
    run = Run(args(), [protected, breached, breached, recovered, recovered])
    fake_em.logout()
    run()
    assert [kinds(batch) for batch in run.events] == [
        [], [("rpo_breached", "fin-app01")], [], [("rpo_recovered", "fin-app01")], []]
    breach, recovery = run.events[1][0]["vm"], run.events[3][0]["vm"]
    assert (breach["status"], breach["latest_restore_point_id"], breach["age_seconds"], breach["age"]) == (
        "breached", "p1", 24 * 3600 + 600, "1d 0h")
    assert (recovery["status"], recovery["latest_restore_point_id"], recovery["age_seconds"], recovery["age"]) == (
        "protected", "p9", 120, "2m")
    assert run.source.watch.breached == {}


def test_a_vm_never_backed_up_is_breached_as_unprotected(fake_em, clock):
    fake_em.logon()
    run = Run(args(), [lambda: expect_view(fake_em, clock, recent=[("fin-db01", "p3", ago(clock, hours=1))],
                                           older=[], not_protected=["fin-app01"])])
    fake_em.logout()
    run()
    vm = run.events[0][0]["vm"]
    assert (run.events[0][0]["event_type"], vm["name"], vm["status"], vm["latest_restore_point_time"],
            vm["age_seconds"], vm["age"]) == ("rpo_breached", "fin-app01", "unprotected", None, None, None)


def test_only_recoveries_asked_for_still_remember_the_breach(fake_em, clock):
    """event_types [rpo_recovered]: the breach is remembered without an event, its recovery is sent."""
    def breached():
        expect_view(fake_em, clock, recent=[("fin-db01", "p3", ago(clock, hours=1))],
                    older=[("fin-app01", "p1", ago(clock, hours=30))], not_protected=["fin-app01"])

    def recovered():
        expect_view(fake_em, clock, recent=[("fin-app01", "p9", ago(clock, minutes=1)),
                                            ("fin-db01", "p3", ago(clock, hours=1))])

    fake_em.logon()
    run = Run(args(event_types=["rpo_recovered"]), [breached, recovered])
    fake_em.logout()
    run()
    assert [kinds(batch) for batch in run.events] == [[], [("rpo_recovered", "fin-app01")]]


# -- restarts --------------------------------------------------------------------------------
def test_restart_from_the_state_file_repeats_no_breach_and_loses_no_crossing(fake_em, clock, tmp_path):
    state = str(tmp_path / "state.json")
    fake_em.logon()
    first = Run(args(state_file=state), [lambda: expect_view(
        fake_em, clock, recent=[("fin-app01", "p1", ago(clock, hours=20))],
        older=[("fin-db01", "p2", ago(clock, days=5))], not_protected=["fin-db01"])])
    fake_em.logout()
    first()
    assert [kinds(batch) for batch in first.events] == [[("rpo_breached", "fin-db01")]]
    saved = json.load(open(state))
    entry = {"name": "fin-db01", "since": "2026-12-06T22:00:00Z"}
    assert saved["protection"] == {"breached": {REF.lower() % "fin-db01": entry}, "low": {}}
    assert saved["trackers"] == {}

    # down for 5 hours: fin-app01 breached meanwhile, fin-db01 still is: one event, for fin-app01
    clock.advance(hours=5)
    fake_em.logon()
    second = Run(args(state_file=state), [lambda: expect_view(
        fake_em, clock, recent=[], older=[("fin-app01", "p1", ago(clock, hours=25)),
                                          ("fin-db01", "p2", ago(clock, days=5, hours=5))],
        not_protected=["fin-app01", "fin-db01"])])
    fake_em.logout()
    second()
    assert [kinds(batch) for batch in second.events] == [[("rpo_breached", "fin-app01")]]

    # down again: both recovered meanwhile: both rpo_recovered, each once
    clock.advance(hours=1)
    fake_em.logon()
    third = Run(args(state_file=state), [lambda: expect_view(
        fake_em, clock, recent=[("fin-app01", "p8", ago(clock, minutes=10)), ("fin-db01", "p9", ago(clock, minutes=9))])])
    fake_em.logout()
    third()
    assert [kinds(batch) for batch in third.events] == [[("rpo_recovered", "fin-app01"), ("rpo_recovered", "fin-db01")]]
    assert json.load(open(state))["protection"] == {"breached": {}, "low": {}}


def test_without_a_state_file_a_restart_begins_with_no_memory(fake_em, clock):
    def poll():
        expect_view(fake_em, clock, recent=[("fin-app01", "p1", ago(clock, hours=1))],
                    older=[("fin-db01", "p2", ago(clock, days=5))], not_protected=["fin-db01"])

    for _run in range(2):
        fake_em.logon()
        run = Run(args(), [poll])
        fake_em.logout()
        run()
        assert [kinds(batch) for batch in run.events] == [[("rpo_breached", "fin-db01")]]


# -- a VM that disappears ----------------------------------------------------------------------
def test_a_vm_that_disappears_is_forgotten_without_an_event(fake_em, clock, caplog):
    """fin-db01, reported breached, is removed from the job: no rpo_recovered (it did not recover), it is
    forgotten; when it is included again, still breached, that is a new breach."""
    caplog.set_level(logging.INFO)

    def both():
        expect_view(fake_em, clock, recent=[("fin-app01", "p1", ago(clock, hours=1))],
                    older=[("fin-db01", "p2", ago(clock, days=5))], not_protected=["fin-db01"])

    def without_db01():
        fake_em.expect("GET", "/query", body=query_result([job_xml(name="Finance Backup")], "Jobs"))
        fake_em.expect("GET", "/query", body=resources_result([include_xml("i1", "fin-app01", J1, "Finance Backup")]))
        fake_em.expect("GET", "/query", body=query_result([vm_point_xml("p1", "fin-app01", ago(clock, hours=1))],
                                                          "VmRestorePoints"))

    fake_em.logon()
    run = Run(args(), [both, without_db01, both])
    fake_em.logout()
    run()
    assert [kinds(batch) for batch in run.events] == [
        [("rpo_breached", "fin-db01")], [], [("rpo_breached", "fin-db01")]]
    assert "fin-db01, reported before, is gone from Enterprise Manager's answer: forgotten without an event" \
        in caplog.text


# -- repositories ---------------------------------------------------------------------------------
def repo_args(**kwargs):
    given = dict(event_types=["repository_low", "repository_recovered"], rpo=None, job_name=None,
                 repository_free_percent_below=10)
    given.update(kwargs)
    return args(**given)


def test_repository_low_recovered_and_unknown_size(fake_em, clock):
    """Hardened is low from the start (reported once); then EM says its size is unknown (-1): neither low nor
    recovered; then 50 % free: recovered; Volume 01 drops below 10 %: low. The object storage (-1) never is."""
    def repos(hardened, volume):
        return lambda: expect_repositories(fake_em, [
            repository_xml("r1", "Backup Volume 01", 1000 * GIB, volume),
            repository_xml("r2", "Linux Hardened Repository", *hardened, kind="LinuxLocal"),
            repository_xml("r3", "Scale-out Object Storage", -1, -1, kind="Extendable")])

    fake_em.logon()
    run = Run(repo_args(), [repos((1000 * GIB, 25 * GIB), 820 * GIB), repos((1000 * GIB, 25 * GIB), 820 * GIB),
                            repos((-1, -1), 820 * GIB), repos((1000 * GIB, 500 * GIB), 99 * GIB)])
    fake_em.logout()
    run()
    assert fake_em.summary() == [LOGON] + [REPOSITORIES] * 4 + [LOGOUT]
    assert [kinds(batch) for batch in run.events] == [
        [("repository_low", "Linux Hardened Repository")], [], [],
        [("repository_low", "Backup Volume 01"), ("repository_recovered", "Linux Hardened Repository")]]
    assert run.events[0][0] == {"event_type": "repository_low", "em": "em.example.com", "repository": {
        "name": "Linux Hardened Repository", "uid": "urn:veeam:Repository:r2", "id": "r2", "kind": "LinuxLocal",
        "backup_server_name": "srv02.tech.local", "capacity_bytes": 1000 * GIB, "free_bytes": 25 * GIB,
        "free_percent": 2.5, "free_percent_below": 10.0}}
    assert run.events[3][1]["repository"]["free_percent"] == 50.0


def test_repository_threshold_is_exact_not_the_rounded_percentage(fake_em, clock):
    """99.96 GiB of 1000 is 9.996 %: its free_percent rounds to 10.0, yet it is below 10."""
    fake_em.logon()
    run = Run(repo_args(em_name="em-eu"), [lambda: expect_repositories(fake_em, [
        repository_xml("r1", "Backup Volume 01", 100000, 9996)])])
    fake_em.logout()
    run()
    assert [(e["event_type"], e["em"], e["repository"]["free_percent"]) for e in run.events[0]] == [
        ("repository_low", "em-eu", 10.0)]


# -- sessions and protection in one source ------------------------------------------------------
def test_sessions_every_interval_protection_every_protection_interval(fake_em, clock):
    """interval 30, protection_interval 90: a session poll at 0, 30, 60, 90 s; the protection ones at 0 and 90."""
    sessions = ("GET", "/api/query", 'type=BackupJobSession&format=Entities&sortAsc=EndTime&pageSize=1000&page=1'
                                     '&filter=JobName=="Finance Backup";EndTime>="2026-12-06T21:00:00Z"')

    def session_poll():
        fake_em.expect("GET", "/query", body=query_result([]))

    def both():
        session_poll()
        expect_repositories(fake_em, [repository_xml("r1", "Backup Volume 01", 1000, 900)])

    fake_em.logon()
    run = Run(repo_args(event_types=["finished", "repository_low"], job_name="Finance Backup",
                        since="2026-12-06T21:00:00Z", interval=30, protection_interval=90),
              [both, session_poll, session_poll, both])
    fake_em.logout()
    run()
    assert run.waits == [30, 30, 30, 30]
    assert fake_em.summary() == [LOGON, sessions, REPOSITORIES, sessions, sessions, sessions, REPOSITORIES, LOGOUT]


def test_a_failed_protection_poll_backs_off_and_loses_nothing(fake_em, clock):
    from ansible_collections.backupops.veeam_em.tests.unit.em_fake import xml_error

    def failing():
        for _attempt in range(4):  # the client tries a request 4 times
            fake_em.expect("GET", "/query", 503, xml_error(503, "busy"))

    fake_em.logon()
    run = Run(repo_args(), [failing, lambda: expect_repositories(fake_em, [
        repository_xml("r2", "Linux Hardened Repository", 1000, 25)])])
    fake_em.logout()
    run()
    assert run.waits == [2, 60]
    assert [kinds(batch) for batch in run.events] == [[], [("repository_low", "Linux Hardened Repository")]]


def test_session_events_name_the_em_too(fake_em, clock):
    fake_em.logon()
    fake_em.expect("GET", "/query", body=query_result([job_session_xml("00000000-0000-4000-8000-000000000001",
                                                                       ended="2026-12-06T21:30:00Z")]))
    fake_em.logout()
    run = Run(dict(CONNECTION, since="2026-12-06T21:00:00Z", em_name="em-eu"), [lambda: None])
    run()
    assert [(e["event_type"], e["em"]) for e in run.events[0]] == [("finished", "em-eu")]


# -- options ------------------------------------------------------------------------------------
@pytest.mark.parametrize("bad, message", [
    (dict(rpo=None), "event_types rpo_breached and rpo_recovered need rpo (such as 24h)"),
    (dict(event_types=["finished"]), "rpo applies to the event types rpo_breached and rpo_recovered only: add one "
                                     "to event_types or leave rpo out"),
    (dict(rpo="24"), "rpo '24' has no unit: write 24h for hours"),
    (dict(rpo="30s"), "rpo must be from 60 to 31622400 seconds; got 30"),
    (dict(event_types=["repository_low"], rpo=None), "event_types repository_low need repository_free_percent_below"),
    (dict(repository_free_percent_below=10), "repository_free_percent_below applies to the event types "
                                             "repository_low and repository_recovered only"),
    (dict(event_types=["repository_recovered"], rpo=None, repository_free_percent_below=101),
     "repository_free_percent_below must be a percentage from 0 to 100; got 101.0"),
    (dict(protection_interval=0), "protection_interval must be from 1 to 86400"),
    (dict(backup_server=["a", "b"]), "backup_server must be one name"),
    (dict(event_types=["rpo_late"]), "event_types"),
])
def test_bad_protection_options_fail_before_any_request(fake_em, bad, message):
    with pytest.raises(VeeamEmError) as err:
        source.EventSource(args(**bad))
    assert str(err.value).startswith("backupops.veeam_em.backup_sessions: ")
    assert message in str(err.value), str(err.value)
    assert fake_em.calls == []


def test_a_state_file_of_a_sessions_only_run_is_read_as_no_memory(fake_em, clock, tmp_path):
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"version": 1, "base_url": "https://em.example.com:9398/api", "trackers": {}}))
    src = source.EventSource(args(state_file=str(state)))
    assert src.watch.breached == {} and src.watch.low == {}
    state.write_text(json.dumps({"version": 1, "base_url": "https://em.example.com:9398/api", "trackers": {},
                                 "protection": {"breached": {"x": "not an entry"}}}))
    with pytest.raises(VeeamEmError, match="is not a state file of backupops.veeam_em.backup_sessions"):
        source.EventSource(args(state_file=str(state)))
