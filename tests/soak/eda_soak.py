# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Soak of the event source backupops.veeam_em.backup_sessions: every finished session once, under faults.

    python tests/soak/eda_soak.py [--quick] [--seconds 180] [--skew SECONDS] [--out build/eda-soak]

An emulator (its command line, a fixed seed) serves a dataset in which ``--running`` sessions are
running; it answers with injected faults (503s, dropped connections, cut bodies, latency) and lets
idle logon sessions expire after 2 s. For ``--seconds`` a driver acts about ``--rate`` times a second
through its own faulted client: it stops a running session at random (it ends ``--stop-delay`` later,
Failed, with its task sessions) or starts a Backup job (a new session that ends ``--job-duration``
later; a job that still runs refuses, 400). Meanwhile the source (in this process, as ansible-rulebook
runs it: ``run(queue)`` in asyncio, ``event_types: [started, finished]``, polling every second) puts its
events on a queue. Every ``--restart-every`` seconds the source is cancelled and a new one started on
the same state file, as a restarted rulebook would be. The driver begins once the source's first poll
is done (its state file holds a position), so that every session that ends (starts) in the soak ends
after the source has started.

Protection crossings run beside them, in a second source (``event_types: [rpo_breached, rpo_recovered,
repository_low, repository_recovered]``, ``rpo: 60s``, ``repository_free_percent_below: 10``,
``protection_interval: 1``, its own state file, restarted with the first) limited to a few idle backup
jobs whose VMs no other job includes (``--protection-jobs``). Their restore points are days old: every
VM is breached on the first poll. A second driver starts each of these jobs (through its faulted client)
once its VMs have been breached for a while, and again a while after its points have passed the RPO
(the full run: a VM breaches, recovers, breaches again), and flips the free space of the three
repositories of known size between 5 % and 50 % (``/_emulator/repository``, a new value each time),
each state held at least ``--hold`` seconds, so that every poll in between sees it. The crossings the
source had to report are derived from what EM says afterwards (every restore point of those VMs, the
free space set and when) sampled at the times of the source's protection polls (those that delivered
their events; a poll during which a state changed, within ``EPSILON`` s, is left out), and compared with
the events: none lost, none reported twice, none that is no crossing.

``--skew SECONDS`` gives EM a clock that differs from the host's (the dataset's and so the emulator's
``now`` is the host's time plus SECONDS: -600 is EM 10 minutes behind, 600 ahead), and runs the source
without ``since``: its first position then has to come from EM's own times.

Time is compressed: the source polls every second where a production one polls every minute, and
sessions end every half second or so, so the default 180 s stand for three hours of a busy EM at the
default ``interval: 60``, and more than 30 minutes at ``interval: 10``.

At the end the sessions that EM reports as ended (started) since the start, read with the
collection's client, which retries through the faults, are compared with the finished (started)
events:

* lost: a session that ended (started) and got no event (must be 0);
* duplicated: a session with more than one event of that type (must be 0);
* foreign: an event of a session that did not end (start) in the soak (must be 0);
* logon sessions left open at most the emulator's ``logon_answers_lost`` (answers the client never
  got whole: it cannot know those sessions exist).

Writes ``--out``/result.json; the last line is ``eda-soak: PASS ...`` or ``eda-soak: FAIL ...``;
exit 1 on failure.
"""

from __future__ import absolute_import, division, print_function

import argparse
import asyncio
import collections
import json
import logging
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "emulator"))
from emulator_process import RUN_EMULATOR, EmulatorProcess  # noqa: E402 pylint: disable=wrong-import-position
import collection_tree  # noqa: E402 pylint: disable=wrong-import-position  # on sys.path through emulator_process

FAULTS = ["--error-rate", "0.05", "--drop-rate", "0.02", "--truncate-rate", "0.02", "--latency", "5",
          "--idle-timeout", "2"]
RPO = 60  # seconds: the smallest RPO the source accepts
BELOW = 10.0  # repository_free_percent_below
EPSILON = 1.5  # seconds: a state change this close to a poll leaves that poll's sample out (clock and visibility)
PROTECTION_TYPES = ["rpo_breached", "rpo_recovered", "repository_low", "repository_recovered"]


def make_dataset(path, running, seed, skew=0.0, protection_jobs=0):
    """A generated dataset whose newest ``running`` sessions run (no end, result None), now = the current time
    plus ``skew`` seconds (the emulator's clock starts there).

    The running sessions belong to every other job only, so that half of the Backup jobs run nothing and
    can be started. ``(now, running ids, startable job ids, protected jobs)``: the last are
    ``protection_jobs`` idle Backup jobs whose VMs no other job of their server includes, ``{name: id}``,
    left out of the startable ones (the protection driver starts them).
    """
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + skew))
    subprocess.run([sys.executable, RUN_EMULATOR, "--seed", str(seed), "--sessions", str(3 * running + 200),
                    "--now", now, "--dump-data", path], check=True, capture_output=True)
    with open(path) as handle:
        data = json.load(handle)
    idle_jobs = set(job["id"] for job in data["jobs"][::2])
    ended = set()
    for session in data["sessions"]:
        if session["job_id"] in idle_jobs and session["state"] != "Stopped":  # the generator's own running ones
            session.update(state="Stopped", end_time=session["creation_time"], result="Failed", progress=100)
            ended.add(session["id"])
    for task in data["task_sessions"]:
        if task["session_id"] in ended and task["state"] != "Completed":
            task.update(state="Completed", end_time=task["creation_time"], result="Failed")
    stopped = sorted((s for s in data["sessions"] if s["state"] == "Stopped" and s["job_id"] not in idle_jobs),
                     key=lambda s: s["creation_time"])
    chosen = set()
    for session in stopped[-running:]:
        session.update(state="Working", end_time=None, result="None", progress=50, restore_point_id=None,
                       restore_point_time=None)
        chosen.add(session["id"])
    for task in data["task_sessions"]:
        if task["session_id"] in chosen:
            task.update(state="InProgress", end_time=None, result="None", reason="", restore_point_id=None,
                        restore_point_time=None)
    with open(path, "w") as handle:
        json.dump(data, handle)
    startable = sorted(job["id"] for job in data["jobs"] if job["id"] in idle_jobs and job["job_type"] == "Backup")
    owners = collections.Counter((job["server_id"], vm) for job in data["jobs"] for vm in set(job["vms"]))
    protected = dict((job["name"], job["id"]) for job in sorted(data["jobs"], key=lambda j: j["id"])
                     if job["id"] in startable and job["vms"]
                     and all(owners[(job["server_id"], vm)] == 1 for vm in job["vms"]))
    protected = dict(sorted(protected.items(), key=lambda item: item[1])[:protection_jobs])
    return now, sorted(chosen), [job for job in startable if job not in protected.values()], protected


class Driver(threading.Thread):
    """About ``rate`` times a second, through its own faulted client: stops a running session at random,
    or (every other time) starts a Backup job (a new session that ends after --job-duration)."""

    def __init__(self, client_factory, ids, jobs, rate, seed):
        super(Driver, self).__init__(name="eda-soak-driver", daemon=True)
        self.client_factory = client_factory
        self.ids = list(ids)
        self.jobs = list(jobs)
        self.rate = rate
        self.rng = random.Random(seed)
        self.halt = threading.Event()
        self.accepted = collections.Counter()
        self.errors = collections.Counter()  # the refusals and faults, by message (ids and names cut off)

    def run(self):
        from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError
        client = self.client_factory()
        try:
            while not self.halt.wait(self.rng.expovariate(self.rate)):
                try:
                    if self.ids and self.rng.random() < 0.5:
                        client.post("/backupSessions/%s" % self.ids.pop(self.rng.randrange(len(self.ids))),
                                    [("action", "stop")])
                        self.accepted["stop"] += 1
                    else:
                        client.post("/jobs/%s" % self.rng.choice(self.jobs), [("action", "start")])
                        self.accepted["start"] += 1
                except VeeamEmError as exc:  # a job still running, or a fault: the comparison reads what EM says
                    self.errors[re.sub(r"/[0-9a-f-]{36}|\"[^\"]*\"|\(.*", "", exc.msg)[:90]] += 1
        finally:
            client.close()


class ProtectionDriver(threading.Thread):
    """Crossings for the protection source: starts the protected jobs (its own faulted client) and flips the
    repositories' free space (the emulator's control), each state held at least ``hold`` seconds.

    ``sets``: every repository change, ``(before, after, name, free, capacity)`` (host times around the request).
    """

    def __init__(self, client_factory, emulator, jobs, hold, seconds, job_duration, seed):
        super(ProtectionDriver, self).__init__(name="eda-soak-protection", daemon=True)
        self.client_factory = client_factory
        self.emulator = emulator
        self.rng = random.Random(seed + 1)
        self.hold = hold
        self.halt = threading.Event()
        begin = time.time()
        # the first start of each job: once its VMs (breached from the start) have been so for a while
        self.next_start = dict((job_id, begin + hold + self.rng.uniform(0, max(0.1, seconds / 2.0 - hold)))
                               for job_id in jobs.values())
        self.again = job_duration + RPO + hold  # a run's points pass the RPO, then stay breached for ``hold``
        self.repositories = [r for r in emulator.repositories() if r["capacity"] > 0]
        self.next_flip = dict((r["name"], begin + self.rng.uniform(0.5, hold)) for r in self.repositories)
        self.sets = []
        self.starts = collections.Counter()
        self.errors = collections.Counter()
        self.serial = 0

    def run(self):
        from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError
        client = self.client_factory()
        try:
            while not self.halt.wait(0.2):
                now = time.time()
                for job_id, when in sorted(self.next_start.items()):
                    if now >= when:
                        self.next_start[job_id] = now + self.again
                        try:
                            client.post("/jobs/%s" % job_id, [("action", "start")])
                            self.starts["accepted"] += 1
                        except VeeamEmError as exc:  # a fault (it may have started all the same: EM says)
                            self.errors[re.sub(r"/[0-9a-f-]{36}|\"[^\"]*\"|\(.*", "", exc.msg)[:90]] += 1
                for repo in self.repositories:
                    if now >= self.next_flip[repo["name"]]:
                        self.flip(repo)
                        self.next_flip[repo["name"]] = time.time() + self.hold + self.rng.uniform(0, self.hold)
        finally:
            client.close()

    def flip(self, repo):
        """Low (about 5 % free) when it was not, else about 50 %; a value never set before."""
        self.serial += 1
        low = not repo["free"] * 100.0 < BELOW * repo["capacity"]
        free = repo["capacity"] * (5 if low else 50) // 100 - self.serial
        before = time.time()
        repo.update(self.emulator.repository(repo["name"], free))
        self.sets.append((before, time.time(), repo["name"], free, repo["capacity"]))


class PollLog(logging.Handler):
    """The source's protection polls that delivered their events: ``(start, end)`` host times."""

    def __init__(self):
        super(PollLog, self).__init__(logging.DEBUG)
        self.windows = []

    def emit(self, record):
        window = getattr(record, "protection_poll", None)
        if window:
            self.windows.append(window)


def expected_crossings(samples):
    """The events a source must send for one VM or repository, given its state at each poll it made:
    ``samples`` are ``(bad, key)`` (breached or low, and the restore point time or free space then), in order.
    The first poll reports a bad state; then each change between bad and good is one event."""
    expected, reported = [], False
    for bad, key in samples:
        if bad and not reported:
            expected.append(("bad", key))
        elif not bad and reported:
            expected.append(("good", key))
        reported = bad
    return expected


def vm_samples(points, windows, offset, job_duration):
    """The state of one VM at each poll window (host times): ``(breached, newest restore point time)``.

    ``points``: its restore points, ``(EM time text, seconds since the epoch by EM's clock)``. A point is
    visible from its time (shifted to the host's clock by ``offset``) plus at most ``job_duration`` (its
    session ends after it); the source counts its age by the host's clock from its EM time. Windows during
    which a point appeared or passed the RPO (within EPSILON) are left out."""
    out = []
    for start, end in windows:
        changes = [when + offset for _text, when in points] + [when + offset + job_duration for _t, when in points] \
            + [when + RPO for _text, when in points]
        if any(start - EPSILON <= change <= end + EPSILON for change in changes):
            continue
        seen = [(when, text) for text, when in points if when + offset + job_duration < start]
        newest = max(seen) if seen else None
        out.append((newest is None or start - newest[0] > RPO, newest[1] if newest else None))
    return out


def repository_samples(initial, sets, windows):
    """The state of one repository at each poll window: ``(low, free bytes)``; windows during a change left out."""
    out = []
    for start, end in windows:
        if any(start - EPSILON <= after and before <= end + EPSILON for before, after, _free, _capacity in sets):
            continue
        free, capacity = initial
        for _before, after, set_free, set_capacity in sets:
            if after < start:
                free, capacity = set_free, set_capacity
        out.append((free * 100.0 < BELOW * capacity, free))
    return out


def compare_crossings(expected, events):
    """``expected``: {(kind, name): [("bad"|"good", key), ...]}; events as the source sent them."""
    names = {"rpo_breached": ("vm", "bad"), "rpo_recovered": ("vm", "good"),
             "repository_low": ("repository", "bad"), "repository_recovered": ("repository", "good")}
    sent = collections.Counter()
    for event in events:
        if event["event_type"] not in names:
            continue
        kind, state = names[event["event_type"]]
        item = event[kind]
        key = item["latest_restore_point_time"] if kind == "vm" else item["free_bytes"]
        sent[(kind, item["uid"] if kind == "vm" else item["name"], state, key)] += 1
    truth = set((kind, name, state, key) for (kind, name), crossings in expected.items() for state, key in crossings)
    kinds = dict(((kind, state), event_type) for event_type, (kind, state) in names.items())
    return {
        "crossings": len(truth),
        "by_type": dict(collections.Counter(kinds[(kind, state)] for kind, _name, state, _key in truth)),
        "events": sum(sent.values()),
        "lost": sorted(map(list, truth - set(sent)), key=str),
        "duplicated": sorted((list(key) for key, count in sent.items() if count > 1), key=str),
        "foreign": sorted(map(list, set(sent) - truth), key=str),
    }


def protection_truth(client_factory, jobs, windows, offset, job_duration, initial, sets):
    """{(kind, name): expected crossings} from what EM says after the soak: every restore point of the
    protected jobs' VMs, and the repository sizes set; and the number of restore points."""
    from ansible_collections.backupops.veeam_em.plugins.module_utils import _protection
    from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError
    from ansible_collections.backupops.veeam_em.plugins.module_utils._times import iso
    for _attempt in range(20):
        client = client_factory()
        try:
            view = _protection.protection(client, RPO, job_names=sorted(jobs))
            points = dict((vm["vm_ref"], []) for vm in view["vms"])
            for chunk in _chunks(sorted(set(vm["vm_name"] for vm in view["vms"]))):
                for point in _protection.VM_RESTORE_POINTS.ask(vm_name=chunk).items(client):
                    if point["vm_ref"] in points:
                        points[point["vm_ref"]].append((point["creation_time"],
                                                        iso(point["creation_time"], "time").timestamp()))
            break
        except VeeamEmError:
            time.sleep(0.5)
        finally:
            client.close()
    else:
        raise RuntimeError("could not read the restore points through the faults in 20 attempts")
    expected, unsampled = {}, []
    for ref, found in points.items():
        expected[("vm", ref)] = expected_crossings(vm_samples(found, windows, offset, job_duration))
    for name, sizes in initial.items():
        mine = [(before, after, free, capacity) for before, after, repo, free, capacity in sets if repo == name]
        samples = repository_samples(sizes, mine, windows)
        expected[("repository", name)] = expected_crossings(samples)
        # every state set before the last poll must have been seen by a poll, or the truth cannot tell
        sampled = set(free for _low, free in samples)
        unsampled += [[name, free] for _before, after, free, _capacity in mine
                      if windows and after < windows[-1][0] and free not in sampled]
    return expected, sum(len(found) for found in points.values()), unsampled


def _chunks(items, size=40):
    return [items[index:index + size] for index in range(0, len(items), size)]


def has_position(state_file):
    """Whether the source's state file holds a position for every event type (its first poll is done)."""
    try:
        with open(state_file) as handle:
            trackers = json.load(handle)["trackers"]
    except (OSError, ValueError, KeyError):
        return False
    return bool(trackers) and all(tracker["floor"] is not None for tracker in trackers.values())


def has_memory(state_file):
    """Whether the protection source's state file holds its memory (its first poll is done)."""
    try:
        with open(state_file) as handle:
            return isinstance(json.load(handle)["protection"], dict)
    except (OSError, ValueError, KeyError):
        return False


async def run_sources(args, source_args, begin, protection_args=None):
    """Run the source (and the protection source beside it), restarted every ``restart_every`` seconds;
    returns (events, restarts).

    ``begin()`` is called once the sources' first polls are done, and returns the time to stop at.
    """
    from ansible_collections.backupops.veeam_em.extensions.eda.plugins.event_source import backup_sessions
    events, restarts = [], 0
    queue = asyncio.Queue()
    stop_at = None
    while stop_at is None or time.time() < stop_at:
        source = backup_sessions.EventSource(source_args)
        task = asyncio.ensure_future(source.run(queue))
        other = asyncio.ensure_future(backup_sessions.EventSource(protection_args).run(queue)) \
            if protection_args else None
        until = time.time() + args.restart_every
        while not task.done() and not (other and other.done()):
            if stop_at is None and has_position(source_args["state_file"]) \
                    and (not protection_args or has_memory(protection_args["state_file"])):
                stop_at = begin()
            left = (until if stop_at is None else min(until, stop_at)) - time.time()
            if left <= 0:
                break
            try:  # before the first poll, a look at the state file every 0.1 s
                events.append(await asyncio.wait_for(queue.get(), max(0.05, left if stop_at else min(left, 0.1))))
            except asyncio.TimeoutError:
                pass
        for running in (task, other):
            if running is None:
                continue
            running.cancel()
            try:
                await running
            except asyncio.CancelledError:
                pass
        while not queue.empty():
            events.append(queue.get_nowait())
        restarts += 1
    return events, restarts - 1


def sessions_since(client_factory, field, since):
    """The ids of the sessions whose ``field`` (EndTime, CreationTime) is at or after ``since``, as EM reports
    them, read through the faults (repeated)."""
    from ansible_collections.backupops.veeam_em.plugins.module_utils import _query, _sessions
    from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError
    flt = _query.Filter().compare(field, ">=", since)
    for _attempt in range(20):
        client = client_factory()
        try:  # every page, the way the collection reads a query (_query.iterate)
            return [_sessions.job_session(node)["id"]
                    for node in _query.iterate(client, _sessions.JOB_SESSION, flt, sort_field=field)]
        except VeeamEmError:
            time.sleep(0.5)
        finally:
            client.close()
    raise RuntimeError("could not read the ended sessions through the faults in 20 attempts")


def compare(truth, events, event_type="finished"):
    """Events of ``event_type`` against the ids of the sessions that EM says ended (started) in the soak."""
    sent = collections.Counter(e["backup_session"]["id"] for e in events if e["event_type"] == event_type)
    truth = set(truth)
    return {
        "sessions": len(truth),
        "events": sum(sent.values()),
        "lost": sorted(truth - set(sent)),
        "duplicated": sorted(sid for sid, count in sent.items() if count > 1),
        "foreign": sorted(set(sent) - truth),
    }


def passed(part):
    return part["sessions"] > 0 and not (part["lost"] or part["duplicated"] or part["foreign"])


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="10 s, 100 running sessions (make test)")
    parser.add_argument("--seconds", type=float, default=180.0, help="how long the driver acts (default 180)")
    parser.add_argument("--running", type=int, default=700, help="running sessions in the dataset (default 700)")
    parser.add_argument("--rate", type=float, default=3.0, help="stops and job starts per second (default 3)")
    parser.add_argument("--restart-every", type=float, default=20.0, help="seconds between source restarts")
    parser.add_argument("--stop-delay", default="0.5", help="the emulator's --stop-delay (default 0.5)")
    parser.add_argument("--job-duration", default="1", help="the emulator's --job-duration (default 1)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skew", type=float, default=0.0,
                        help="EM's clock minus the host's, in seconds (-600: EM 10 minutes behind); the source then "
                             "runs without since (default 0, with since)")
    parser.add_argument("--protection-jobs", type=int, default=4,
                        help="backup jobs the protection source watches (default 4; 0: no protection source)")
    parser.add_argument("--hold", type=float, default=8.0,
                        help="seconds each protection state lasts at least (default 8)")
    parser.add_argument("--out", default=os.path.join(REPO, "build", "eda-soak"))
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.running, args.restart_every, args.hold = 10.0, 100, 4.0, 6.0
    return args


def soak(args, workdir):
    """Run the emulator, the driver and the source; the comparison and the emulator's counters."""
    from ansible_collections.backupops.veeam_em.plugins.module_utils._client import EmClient
    from ansible_collections.backupops.veeam_em.plugins.module_utils._connection import ConnectionOptions
    dataset = os.path.join(workdir, "data.json")
    since, running, startable, protected = make_dataset(dataset, args.running, args.seed, args.skew,
                                                        args.protection_jobs)
    emulator = EmulatorProcess(["--data", dataset, "--seed", str(args.seed), "--stop-delay", args.stop_delay,
                                "--job-duration", args.job_duration] + FAULTS, workdir)
    try:
        connection = dict(server=emulator.host, port=emulator.port, protocol=emulator.protocol,
                          user=emulator.admin_user, password=emulator.admin_password, ca_path=emulator.ca_path,
                          timeout=10)

        def client_factory():
            return EmClient(ConnectionOptions(**connection))

        source_args = dict(connection, interval=1, max_backoff=2, event_types=["started", "finished"],
                           state_file=os.path.join(workdir, "state.json"))
        if not args.skew:  # with a skewed clock the source's first position comes from EM's times alone
            source_args["since"] = since
        driver = Driver(client_factory, running, startable, args.rate, args.seed)
        protection_args = dict(connection, interval=1, max_backoff=2, event_types=PROTECTION_TYPES,
                               rpo="%ds" % RPO, repository_free_percent_below=BELOW, protection_interval=1,
                               job_name=sorted(protected), state_file=os.path.join(workdir, "protection.json")
                               ) if protected else None
        # the repositories of known size keep their sizes (the jobs' backups no longer change them) until the
        # driver sets new ones
        initial = dict((r["name"], (r["free"], r["capacity"])) for r in emulator.repositories() if r["capacity"] > 0)
        for name, (free, capacity) in initial.items():
            emulator.repository(name, free, capacity)
        before = time.time()
        offset = (before + time.time()) / 2.0 - emulator.clock()  # the host's clock minus EM's
        drivers = [driver]
        # the source runs on until the last session has ended and been polled: a poll (1 s) and a failed
        # one's backoff (at most 2 s), twice
        tail = max(float(args.stop_delay), float(args.job_duration)) + 5.0

        def begin():
            if protected:
                drivers.append(ProtectionDriver(client_factory, emulator, protected, args.hold, args.seconds,
                                                float(args.job_duration), args.seed))
            for one in drivers:
                one.start()
                threading.Timer(args.seconds, one.halt.set).start()
            return time.time() + args.seconds + tail

        polls = PollLog()
        logger = logging.getLogger("ansible_collections.backupops.veeam_em.extensions.eda.plugins.event_source."
                                   "backup_sessions")
        logger.addHandler(polls)
        logger.setLevel(logging.DEBUG)
        try:
            events, restarts = asyncio.run(run_sources(args, source_args, begin, protection_args))
        finally:
            logger.removeHandler(polls)
        for one in drivers:
            one.join(30)
        result = {
            "finished": compare(sessions_since(client_factory, "EndTime", since), events, "finished"),
            "started": compare(sessions_since(client_factory, "CreationTime", since), events, "started"),
        }
        if protected:
            expected, points, unsampled = protection_truth(client_factory, protected, polls.windows, offset,
                                                           float(args.job_duration) + 1.0, initial, drivers[1].sets)
            gaps = [later[0] - earlier[1] for earlier, later in zip(polls.windows, polls.windows[1:])]
            result["protection"] = dict(compare_crossings(expected, events), polls=len(polls.windows),
                                        jobs=len(protected), restore_points=points,
                                        repository_changes=len(drivers[1].sets), unsampled=unsampled,
                                        job_starts=dict(drivers[1].starts, errors=sum(drivers[1].errors.values())),
                                        longest_gap=round(max(gaps or [0]), 1))
        stats = emulator.stats()
    finally:
        emulator.stop()
    result.update({
        "seconds": args.seconds, "skew": args.skew, "running_at_start": len(running), "driver_accepted": dict(driver.accepted),
        "driver_errors": dict(driver.errors), "source_restarts": restarts, "faults": stats["faults"],
        "requests": stats["requests_total"], "logons": stats["logons"], "logouts": stats["logouts"],
        "open_logon_sessions": stats["open_logon_sessions"], "logon_answers_lost": stats["logon_answers_lost"],
    })
    return result


def main(argv=None):
    args = parse_args(argv)
    collection_tree.importable()
    workdir = tempfile.mkdtemp(prefix="eda-soak-")
    started = time.time()
    try:
        result = soak(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result["wall_seconds"] = round(time.time() - started, 1)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "result.json"), "w") as handle:
        json.dump(result, handle, indent=1, sort_keys=True)
    ok = (passed(result["finished"]) and passed(result["started"])
          and result["open_logon_sessions"] <= result["logon_answers_lost"])
    parts = ["%s: %d sessions, %d events, lost %d, duplicated %d, foreign %d"
             % (kind, part["sessions"], part["events"], len(part["lost"]), len(part["duplicated"]),
                len(part["foreign"])) for kind, part in (("finished", result["finished"]), ("started", result["started"]))]
    if "protection" in result:
        part = result["protection"]
        ok = ok and part["crossings"] > 0 and not (part["lost"] or part["duplicated"] or part["foreign"]
                                                   or part["unsampled"])
        parts.append("protection: %d crossings, %d events, lost %d, duplicated %d, foreign %d (%d polls)"
                     % (part["crossings"], part["events"], len(part["lost"]), len(part["duplicated"]),
                        len(part["foreign"]), part["polls"]))
    print("eda-soak: %s: EM's clock %+d s from the host's; %s; %d source restarts; faults %s in %d requests; logon sessions open %d (answers lost %d); "
          "%.0f s" % ("PASS" if ok else "FAIL", result["skew"], "; ".join(parts), result["source_restarts"],
                      json.dumps(result["faults"], sort_keys=True), result["requests"], result["open_logon_sessions"],
                      result["logon_answers_lost"], result["wall_seconds"]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
