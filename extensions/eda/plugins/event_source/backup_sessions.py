# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Event source for ansible-rulebook: Veeam backup job sessions that finish (and start).

ansible-rulebook calls ``main(queue, args)`` in its event loop.  The
blocking client of the modules (module_utils) runs in one worker thread,
so that a request never stalls the event loop that every source and the
rule engine share; one request at a time, so the client is never used by
two threads.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
short_description: Events for Veeam backup job sessions that finish or start, from Enterprise Manager
description:
  - An event source plugin for ansible-rulebook (Event-Driven Ansible).
  - An option given as null, an empty string or an empty list counts as not set (so that a rulebook can pass
    C({{ var | default('') }})); then the E(VEEAM_EM_*) environment variable or the default applies.
  - Logs on to Veeam Backup Enterprise Manager once, then every O(interval) seconds asks the query service
    (C(GET /api/query?type=BackupJobSession)) for the job sessions that ended since the previous poll, and with
    O(event_types) also those that started, and puts one event per session on the queue.
  - 'Each event has the keys C(event_type) (V(finished) or V(started)) and C(backup_session): the same keys as
    the C(backup_sessions) items of M(backupops.veeam_em.em_backup_session_info), plus C(task_sessions): for a
    finished session whose result is not V(Success), its task sessions (one per VM) whose result is V(Failed) or
    V(Warning), with C(vm_name) and C(reason); otherwise an empty list.'
  - No duplicates and no gaps across polls, within O(overlap) - each poll asks again for the last O(overlap)
    seconds before the latest end time seen, and the ids already sent in that window are remembered (only in
    that window, so the memory stays bounded). A session that EM lists later than O(overlap) seconds after it
    ended is missed.
  - With O(state_file), a restart of the rulebook continues where the previous run stopped, without replaying
    or losing events.
  - Survives expired logon sessions (logs on again), Enterprise Manager restarts and network faults, waiting
    between failed polls with a bounded exponential backoff (at most O(max_backoff) seconds).
  - Deletes its logon session when the rulebook stops it (the C(shutdown) action, or SIGTERM or SIGINT (Ctrl-C)
    when E(JAVA_TOOL_OPTIONS=-Xrs) is set, as in the decision environment
    C(extensions/eda/decision-environment.yml); set it too for a rulebook run from a shell). Without that setting
    the rule engine's JVM ends ansible-rulebook at once on SIGTERM or SIGINT, without stopping its sources; EM then
    drops the idle logon session after 15 minutes.
author:
  - backupops maintainers (@backupops)
version_added: 1.0.0
extends_documentation_fragment:
  - backupops.veeam_em.connection
options:
  interval:
    description: Seconds between two polls (from 1 to 86400).
    type: int
    default: 60
  event_types:
    description: Which events to send; V(started) reports each new session once, V(finished) once when it ends.
    type: list
    elements: str
    choices: [finished, started]
    default: [finished]
  job_name:
    description:
      - Only sessions of these jobs, by whole name, compared case-insensitively as EM does.
      - A string is one name, also when it contains commas; give several names as a list.
    type: raw
  job_type:
    description: Only sessions of these job types.
    type: list
    elements: str
    choices: [Backup, BackupCopy, ImmediateBackupCopy, ImmediateBackupCopyWorker, AgentBackup, AgentManagement, NasBackup]
  result:
    description:
      - Only finished sessions with these results. Does not apply to V(started) events (a running session has
        the result V(None)).
    type: list
    elements: str
    choices: [Success, Warning, Failed, None]
  since:
    description:
      - On the first run (no O(state_file) yet), also report the sessions that ended (or started) at or after this
        time, ISO 8601 (V(2026-01-31T22:00:00Z)) or relative to now (V(30m), V(24h)).
      - An ISO 8601 time is compared with EM's times as written; a relative one counts back from the clock of the
        host that runs the rulebook.
      - Default is the present by Enterprise Manager's clock, not the host's (the clocks need not agree). The first
        poll takes the newest end (start) time EM reports; what EM lists then is the past, what it lists afterwards
        is reported.
    type: str
  overlap:
    description:
      - Seconds each poll looks back before the latest end (start) time seen, for sessions that EM lists late,
        and for which the ids already sent are remembered (from 0 to 86400).
    type: int
    default: 300
  state_file:
    description:
      - File in which the source keeps its position (written atomically after each poll and when it stops), so
        that a restart neither replays nor loses events. One file per source.
    type: path
  max_backoff:
    description: Longest wait, in seconds, between polls that fail (from 1 to 3600).
    type: int
    default: 300
notes:
  - Needs ansible-core and requests where the rulebook runs (the decision environment
    C(extensions/eda/decision-environment.yml) has both).
"""

EXAMPLES = r"""
- name: Failed backups, retried once
  hosts: all
  sources:
    - backupops.veeam_em.backup_sessions:
        server: em.example.com
        user: "{{ em_user }}"
        password: "{{ em_password }}"
        interval: 60
        result: [Failed, Warning]
        state_file: /var/lib/eda/veeam_em_backup_sessions.json
  rules:
    - name: A first run failed
      condition: event.event_type == "finished" and event.backup_session.result == "Failed"
      action:
        print_event:
"""

import asyncio
import datetime
import json
import logging
import os
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing


def _collection_root(path):
    """The directory holding the ``ansible_collections`` tree this file lies in (None outside one)."""
    parts = os.path.abspath(path).split(os.sep)
    if "ansible_collections" not in parts[:-1]:
        return None
    index = len(parts) - 1 - parts[::-1].index("ansible_collections")
    return os.sep.join(parts[:index]) or os.sep


def _importable(path):
    """Make ``ansible_collections.backupops.veeam_em`` importable for the source at ``path``.

    ansible-rulebook finds this file with ``ansible-galaxy collection list`` and runs it with
    ``runpy.run_path``: it adds nothing to ``sys.path`` and has no collection loader.  A collection
    installed into site-packages (where ``pip`` and ``ansible-galaxy collection install -p
    <site-packages>`` put it) is importable as it is.  One found through the collections path
    (``ANSIBLE_COLLECTIONS_PATH``, ``/usr/share/ansible/collections`` of a decision environment) is
    not: then, and only then, the directory holding its ``ansible_collections`` tree is appended to
    the END of ``sys.path``, so that it can never shadow the standard library or an installed package.
    Returns that directory, or None when nothing was added.
    """
    try:
        import ansible_collections.backupops.veeam_em.plugins.module_utils  # pylint: disable=unused-import
        return None
    except ImportError as exc:
        # only the collection itself missing is fixed here; any other missing module is the real error
        if not (exc.name or "").startswith("ansible_collections"):
            raise
        root = _collection_root(path)
        if root is None:
            raise
    if root not in sys.path:
        sys.path.append(root)
    return root


_ADDED = _importable(__file__)

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import UnsupportedError

from ansible_collections.backupops.veeam_em.plugins.module_utils import _client
from ansible_collections.backupops.veeam_em.plugins.module_utils import _query
from ansible_collections.backupops.veeam_em.plugins.module_utils import _sessions
from ansible_collections.backupops.veeam_em.plugins.module_utils import _times
from ansible_collections.backupops.veeam_em.plugins.module_utils import _verify
from ansible_collections.backupops.veeam_em.plugins.module_utils._connection import (
    ConnectionOptions,
    connection_argument_spec,
)
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError, scrub

NAME = "backupops.veeam_em.backup_sessions"
FINISHED, STARTED = "finished", "started"
STATE_VERSION = 1
BACKOFF_START = 2  # seconds before the first repeat of a failed poll; doubles up to max_backoff
LOG = logging.getLogger(__name__)

ARGUMENT_SPEC = dict(
    interval=dict(type="int", default=60),
    event_types=dict(type="list", elements="str", choices=[FINISHED, STARTED], default=[FINISHED]),
    job_name=dict(type="raw"),
    job_type=dict(type="list", elements="str", choices=list(_sessions.JOB_TYPES)),
    result=dict(type="list", elements="str", choices=list(_sessions.RESULTS)),
    since=dict(type="str"),
    overlap=dict(type="int", default=300),
    state_file=dict(type="path"),
    max_backoff=dict(type="int", default=300),
)
# per event type: the query field it is tracked on and the same time in a session dict
_FIELDS = {FINISHED: ("EndTime", "end_time", "ended_after"), STARTED: ("CreationTime", "creation_time", "created_after")}


def _other_copy(path, module):
    """A warning when ``module`` (module_utils) comes from another copy of the collection than ``path``, else None."""
    root = _collection_root(path)
    if root is None:
        return None
    mine = os.path.realpath(os.path.join(root, "ansible_collections", "backupops", "veeam_em"))
    theirs = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(module.__file__)), os.pardir, os.pardir))
    if mine == theirs:
        return None
    return ("the source %s runs with the module_utils of another copy of the collection, %s, which Python finds "
            "first on sys.path: install one copy only (or the same version in both places)" % (path, theirs))


def validate(args):
    """The source's arguments checked and completed like a module's (VEEAM_EM_* fallbacks): ``(params, options)``.

    A bad value fails here, before any request, with a message naming the option.
    """
    spec = connection_argument_spec()
    spec.update(ARGUMENT_SPEC)
    # a rulebook's "{{ var | default('') }}" leaves an empty value: not set (then VEEAM_EM_* or the default)
    given = dict((key, value) for key, value in (args or {}).items() if value not in (None, "", []))
    result = ArgumentSpecValidator(spec).validate(given)
    errors = result.errors.errors
    if errors:
        messages = [("unsupported option %s" % err.msg) if isinstance(err, UnsupportedError) else err.msg
                    for err in errors]
        raise VeeamEmError("%s: %s" % (NAME, "; ".join(messages)))
    params = result.validated_parameters
    try:
        _query.check_range(params["interval"], "interval", 1, 86400)
        _query.check_range(params["overlap"], "overlap", 0, 86400)
        _query.check_range(params["max_backoff"], "max_backoff", 1, 3600)
        params["job_name"] = _verify.names(params["job_name"], "job_name")
        params["since"] = _times.moment(params["since"], "since") if params["since"] else None
        options = ConnectionOptions.from_params(params)
    except VeeamEmError as exc:
        raise VeeamEmError("%s: %s" % (NAME, exc.msg))
    return params, options


class Tracker(object):
    """Where one event type stands: the watermark, the first time reported, the ids sent near the watermark."""

    def __init__(self, event_type, floor, overlap):
        self.event_type = event_type
        self.field, self.key, self.option = _FIELDS[event_type]
        self.floor = floor  # nothing earlier is ever reported; None: not known yet (the first poll asks EM)
        self.watermark = floor  # the latest time seen
        self.overlap = datetime.timedelta(seconds=overlap)
        self.sent = {}  # id -> its time (ISO text), for the ids that a poll can return again

    def window_start(self):
        """The earliest time the next poll asks for."""
        return max(self.floor, self.watermark - self.overlap)

    def fresh(self, session):
        """Whether ``session`` is an event not sent yet."""
        return session["id"] not in self.sent and _moment(session[self.key]) >= self.floor

    def mark(self, session):
        self.sent[session["id"]] = session[self.key]

    def advance(self, sessions):
        """Move the watermark to the latest time among ``sessions``; forget ids that no poll returns any more."""
        for session in sessions:
            self.watermark = max(self.watermark, _moment(session[self.key]))
        start = self.window_start()
        self.sent = dict((sid, when) for sid, when in self.sent.items() if _moment(when) >= start)

    def start_at(self, floor):
        """The first poll of a run without a position: begin at ``floor``, a time by EM's clock."""
        self.floor = self.watermark = floor

    def dump(self):
        if self.floor is None:  # no poll has succeeded yet: the next run asks EM again
            return {"floor": None, "watermark": None, "sent": {}}
        return {"floor": _times.text(self.floor), "watermark": _times.text(self.watermark),
                "sent": self.sent}

    def load(self, data, where):
        try:
            if data["floor"] is None:
                return
            self.floor = _times.iso(data["floor"], where)
            self.watermark = _times.iso(data["watermark"], where)
            self.sent = dict((str(sid), str(when)) for sid, when in data["sent"].items())
        except (KeyError, TypeError, AttributeError):
            raise VeeamEmError("%s is not a state file of %s: delete it to start afresh" % (where, NAME))


def _moment(text):
    return _times.iso(text, "time")


# where a tracker starts when Enterprise Manager has no session at all yet: every later one is new
# (EM writes an unset time as a date before 1970)
EARLIEST = datetime.datetime(1971, 1, 1, tzinfo=datetime.timezone.utc)


class EventSource(object):
    """One running source: its client, trackers and state file.

    ``sleep`` (an async function of seconds) is for tests; ``clock`` is the client's clock.

    Without ``since`` and without a position in the state file, a tracker has no floor until the
    first poll, which takes it from Enterprise Manager's own times (``begin``), never from the clock
    of the host that runs the rulebook: the two clocks need not agree.
    """

    def __init__(self, args, sleep=None, clock=None):
        self.params, self.options = validate(args)
        self.sleep = sleep or asyncio.sleep
        self.client = _client.EmClient(self.options, clock=clock)
        self.polled = False
        floor = self.params["since"].replace(microsecond=0) if self.params["since"] else None
        self.trackers = [Tracker(kind, floor, self.params["overlap"])
                         for kind in (STARTED, FINISHED) if kind in self.params["event_types"]]
        self.state_file = self.params["state_file"]
        if self.state_file:
            self.load_state()
        for warning in self.options.warnings():
            LOG.warning(warning)
        other = _other_copy(__file__, _client)
        if other:
            LOG.warning("%s: %s", NAME, other)
        LOG.debug("%s: module_utils from %s%s", NAME, os.path.dirname(_client.__file__),
                  " (%s appended to sys.path)" % _ADDED if _ADDED else "")

    # -- state file ------------------------------------------------------------
    def load_state(self):
        try:
            with open(self.state_file, encoding="utf-8") as handle:
                data = json.load(handle)
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            raise VeeamEmError("%s: state_file %s cannot be read (%s): fix or delete it" % (NAME, self.state_file, exc))
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            raise VeeamEmError("%s: state_file %s is not a state file of this version: delete it to start afresh"
                               % (NAME, self.state_file))
        if data.get("base_url") != self.options.base_url:
            raise VeeamEmError("%s: state_file %s belongs to Enterprise Manager at %s, not %s: give each source its "
                               "own state file" % (NAME, self.state_file, data.get("base_url"), self.options.base_url))
        for tracker in self.trackers:
            if tracker.event_type in data.get("trackers", {}):
                tracker.load(data["trackers"][tracker.event_type], "state_file %s" % self.state_file)

    def save_state(self):
        """Write the state file atomically (a new file renamed over the old one)."""
        if not self.state_file:
            return
        data = {"version": STATE_VERSION, "base_url": self.options.base_url,
                "trackers": dict((tracker.event_type, tracker.dump()) for tracker in self.trackers)}
        folder = os.path.dirname(os.path.abspath(self.state_file))
        handle = tempfile.NamedTemporaryFile("w", dir=folder, prefix=".backup_sessions.", suffix=".tmp",
                                             delete=False, encoding="utf-8")
        try:
            with handle:
                json.dump(data, handle, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(handle.name, self.state_file)
        except BaseException:
            if os.path.exists(handle.name):
                os.unlink(handle.name)
            raise

    # -- one poll (runs in the worker thread) ------------------------------------
    def poll(self):
        """``[(tracker, sessions, events)]``: the sessions each tracker's query returned and the events among them."""
        batches = []
        for tracker in self.trackers:
            sessions = self._begin(tracker) if tracker.floor is None else self._query(tracker)
            fresh = [session for session in sessions if tracker.fresh(session)]
            if tracker.event_type == FINISHED:
                _attach_problem_tasks(self.client, fresh)
            else:
                for session in fresh:
                    session["task_sessions"] = []
            batches.append((tracker, sessions, [{"event_type": tracker.event_type, "backup_session": session}
                                                for session in fresh]))
        self.polled = True
        return batches

    def _query(self, tracker):
        """The sessions of ``tracker``'s window matching the options, oldest first (verified on the client)."""
        params = self.params
        start = tracker.window_start()
        results = params["result"] if tracker.event_type == FINISHED else None
        question = _sessions.JOB_SESSIONS.ask(**{"job_name": params["job_name"], "job_type": params["job_type"],
                                                 "result": results, tracker.option: start})
        with closing(question.nodes(self.client, newest_first=False, sort=tracker.field)) as nodes:
            found = [_sessions.job_session(node) for node in nodes]
        kept = question.keep(found, self.client.warnings)
        return [session for session in kept if self._readable_time(session, tracker.key)]

    def _begin(self, tracker):
        """Start ``tracker`` at the present by EM's clock: what EM lists now is the past, not an event.

        The floor is the newest time (EndTime, CreationTime) among all of EM's sessions, one request
        for the newest one; the sessions EM lists from that time on at this moment (the tracker's
        own query, whose sessions this returns) count as sent.  Only what EM lists afterwards is
        reported.  When EM has no session at all, every session it lists later is new.  Nothing
        changes when a request fails: the next poll begins again.
        """
        newest = None
        question = _sessions.JOB_SESSIONS.ask(**{tracker.option: EARLIEST})
        with closing(question.nodes(self.client, newest_first=True, limit=1, sort=tracker.field)) as nodes:
            for node in nodes:
                session = _sessions.job_session(node)
                if session[tracker.key] and self._readable_time(session, tracker.key):
                    newest = _moment(session[tracker.key]).replace(microsecond=0)  # EM's filters take seconds
        tracker.start_at(newest or EARLIEST)
        try:
            sessions = self._query(tracker)
        except BaseException:
            tracker.start_at(None)
            raise
        for session in sessions:
            tracker.mark(session)
        LOG.info("%s: %s events begin after %s, Enterprise Manager's newest %s time", NAME, tracker.event_type,
                 _times.text(tracker.floor), tracker.key)
        return sessions

    def _readable_time(self, session, key):
        """Whether the session's time can be compared; one EM wrote unreadably is left out with a warning."""
        try:
            _moment(session[key])
            return True
        except VeeamEmError:
            self.client.warnings.append("Enterprise Manager sent session %s with an unreadable %s %r; it was left out"
                                        % (session["id"], key, session[key]))
            return False

    # -- the loop --------------------------------------------------------------
    async def run(self, queue):
        """Poll, put the events on ``queue``, wait; until cancelled.  Logs off at the end."""
        loop = asyncio.get_running_loop()
        worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="veeam-em-source")
        failures = 0
        try:
            while True:
                try:
                    batches = await loop.run_in_executor(worker, self.poll)
                except VeeamEmError as exc:
                    self._raise_if_fatal(exc)
                    failures += 1
                    delay = min(self.params["max_backoff"], BACKOFF_START * 2 ** min(failures - 1, 16))
                    LOG.warning("%s: poll failed (%d in a row), next try in %d s: %s", NAME, failures, delay,
                                self._scrub(exc.msg))
                    await self.sleep(delay)
                    continue
                failures = 0
                await self._deliver(queue, batches)
                await self.sleep(self.params["interval"])
        finally:
            self._stop(worker)

    async def _deliver(self, queue, batches):
        """Put the events on the queue; each is marked sent once it is there; then the watermarks move."""
        self._log_warnings()
        for tracker, _sessions_seen, events in batches:
            for event in events:
                await queue.put(event)
                tracker.mark(event["backup_session"])
        for tracker, sessions, _events in batches:
            tracker.advance(sessions)
        self.save_state()

    def _raise_if_fatal(self, exc):
        """Rejected credentials before the first good poll, or a rejected session_token: waiting cannot help."""
        if exc.status in (401, 403) and (not self.polled or self.options.session_token):
            raise VeeamEmError("%s: %s" % (NAME, self._scrub(exc.msg)), status=exc.status)

    def _stop(self, worker):
        """Save the position, log off (after a poll still running in the worker), release the worker."""
        try:
            self.save_state()
        finally:
            worker.submit(self.client.close)
            worker.shutdown(wait=True)
            self._log_warnings()

    def _log_warnings(self):
        for warning in self.client.warnings:
            LOG.warning("%s: %s", NAME, self._scrub(warning))
        del self.client.warnings[:]

    def _scrub(self, text):
        return scrub(text, [self.options.password, self.options.session_token, self.client.token])


def _attach_problem_tasks(client, sessions):
    """``task_sessions`` of each session: those that failed or warned, for a result other than Success."""
    problems = [session for session in sessions if session["result"] != "Success"]
    for session in sessions:
        session["task_sessions"] = []
    if problems:  # EM filters on the result, the client checks it (attach_task_sessions)
        _sessions.attach_task_sessions(client, problems, results=_sessions.PROBLEM_RESULTS)


async def main(queue, args):
    """ansible-rulebook's entry point."""
    await EventSource(args).run(queue)


if __name__ == "__main__":
    # python backup_sessions.py: print the events (connection from VEEAM_EM_* variables)

    class _PrintQueue(object):
        async def put(self, event):
            print(json.dumps(event, sort_keys=True))

    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(_PrintQueue(), {"interval": 10, "since": "1h"}))
