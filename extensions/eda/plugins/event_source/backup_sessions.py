# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Event source for ansible-rulebook: Veeam backup job sessions that finish (and start), VMs that breach
their RPO (and recover), repositories that run low on free space (and recover).

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
short_description: Events for Veeam backup sessions that finish or start, VMs past their RPO, repositories running low
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
  - 'With the protection event types, every O(protection_interval) seconds it also asks for the RPO view of
    M(backupops.veeam_em.em_protection_info) (V(rpo_breached), V(rpo_recovered): every VM the backup jobs include,
    with its newest restore point) and for the repositories (V(repository_low), V(repository_recovered)), and
    sends one event per crossing, not one per poll: C(rpo_breached) when a VM has no restore point younger than
    O(rpo) (status V(breached), or V(unprotected): no restore point at all), C(rpo_recovered) when a VM reported
    breached has one again, C(repository_low) when a repository''s free space falls below
    O(repository_free_percent_below) percent of its capacity, C(repository_recovered) when a repository reported
    low is at or above it again. A repository whose size EM does not know (-1) is never low, and one reported
    low whose size becomes unknown is not recovered either.'
  - 'Each protection event has the keys C(event_type), C(em) and C(vm) or C(repository) (see the collection''s
    docs/eda.md for every key). On the first poll, without a memory, a VM already breached and a repository
    already low are reported once; nothing is recovered that was not reported. What was reported is kept in
    O(state_file): a restart repeats no breach and loses no crossing that happened while it was down. A VM or
    repository that is gone from EM''s answer (removed from its jobs, deleted) is forgotten without an event.'
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
    description:
      - Which events to send; V(started) reports each new session once, V(finished) once when it ends.
      - V(rpo_breached) and V(rpo_recovered) need O(rpo); V(repository_low) and V(repository_recovered) need
        O(repository_free_percent_below).
    type: list
    elements: str
    choices: [finished, started, rpo_breached, rpo_recovered, repository_low, repository_recovered]
    default: [finished]
  job_name:
    description:
      - Only sessions of these jobs, and only the VMs these jobs include, by whole name, compared
        case-insensitively as EM does.
      - A string is one name, also when it contains commas; give several names as a list.
    type: raw
  backup_server:
    description:
      - Only sessions, VMs and repositories of this backup server, by name, as Enterprise Manager lists it.
    type: raw
  job_type:
    description: Only sessions of these job types (not for the protection events, which look at backup jobs).
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
  rpo:
    description:
      - The recovery point objective of V(rpo_breached) and V(rpo_recovered), a length from V(1m) to V(366d) such as
        V(24h) or V(36h) (a bare number is refused). Required with those event types, refused without them.
      - A restore point's age is counted from the clock of the host that runs the rulebook, as
        M(backupops.veeam_em.em_protection_info) counts it.
    type: str
  repository_free_percent_below:
    description:
      - The threshold of V(repository_low) and V(repository_recovered), in percent of a repository's capacity
        (from 0 to 100). Required with those event types, refused without them.
    type: float
  protection_interval:
    description:
      - Seconds between two polls of the protection event types (from 1 to 86400). They ask more questions than
        a session poll (the jobs, their includes, the restore points; the repositories), and an RPO is hours, so
        they need not run as often as O(interval).
    type: int
    default: 300
  em_name:
    description: The value of every event's C(em) key, which names the Enterprise Manager (default O(server)).
    type: str
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

- name: VMs past their RPO, repositories running low
  hosts: all
  sources:
    - backupops.veeam_em.backup_sessions:
        server: em.example.com
        user: "{{ em_user }}"
        password: "{{ em_password }}"
        event_types: [rpo_breached, rpo_recovered, repository_low, repository_recovered]
        rpo: 24h
        repository_free_percent_below: 10
        protection_interval: 300
        state_file: /var/lib/eda/veeam_em_protection.json
  rules:
    - name: A VM has no restore point younger than 24 hours
      condition: event.event_type == "rpo_breached"
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
import time
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
from ansible_collections.backupops.veeam_em.plugins.module_utils import _protection
from ansible_collections.backupops.veeam_em.plugins.module_utils import _query
from ansible_collections.backupops.veeam_em.plugins.module_utils import _report
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
RPO_BREACHED, RPO_RECOVERED = "rpo_breached", "rpo_recovered"
REPOSITORY_LOW, REPOSITORY_RECOVERED = "repository_low", "repository_recovered"
RPO_TYPES = (RPO_BREACHED, RPO_RECOVERED)
REPOSITORY_TYPES = (REPOSITORY_LOW, REPOSITORY_RECOVERED)
EVENT_TYPES = (FINISHED, STARTED) + RPO_TYPES + REPOSITORY_TYPES
STATE_VERSION = 1
BACKOFF_START = 2  # seconds before the first repeat of a failed poll; doubles up to max_backoff
LOG = logging.getLogger(__name__)

ARGUMENT_SPEC = dict(
    interval=dict(type="int", default=60),
    event_types=dict(type="list", elements="str", choices=list(EVENT_TYPES), default=[FINISHED]),
    job_name=dict(type="raw"),
    backup_server=dict(type="raw"),
    job_type=dict(type="list", elements="str", choices=list(_sessions.JOB_TYPES)),
    result=dict(type="list", elements="str", choices=list(_sessions.RESULTS)),
    since=dict(type="str"),
    overlap=dict(type="int", default=300),
    state_file=dict(type="path"),
    max_backoff=dict(type="int", default=300),
    rpo=dict(type="str"),
    repository_free_percent_below=dict(type="float"),
    protection_interval=dict(type="int", default=300),
    em_name=dict(type="str"),
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
        _query.check_range(params["protection_interval"], "protection_interval", 1, 86400)
        params["job_name"] = _verify.names(params["job_name"], "job_name")
        params["backup_server"] = _verify.name(params["backup_server"], "backup_server")
        _protection_options(params)
        params["since"] = _times.moment(params["since"], "since") if params["since"] else None
        options = ConnectionOptions.from_params(params)
    except VeeamEmError as exc:
        raise VeeamEmError("%s: %s" % (NAME, exc.msg))
    return params, options


def _protection_options(params):
    """rpo and repository_free_percent_below: each given exactly when its event types are asked for.

    Sets ``rpo_seconds`` (None without the RPO event types)."""
    needs = ((RPO_TYPES, "rpo", "24h"), (REPOSITORY_TYPES, "repository_free_percent_below", "10"))
    for types, option, example in needs:
        wanted = [kind for kind in types if kind in params["event_types"]]
        if wanted and params[option] is None:
            raise VeeamEmError("event_types %s need %s (such as %s)" % (" and ".join(wanted), option, example))
        if params[option] is not None and not wanted:
            raise VeeamEmError("%s applies to the event types %s only: add one to event_types or leave %s out"
                               % (option, " and ".join(types), option))
    params["rpo_seconds"] = _protection.rpo_seconds(params["rpo"]) if params["rpo"] is not None else None
    _protection.percent(params["repository_free_percent_below"], "repository_free_percent_below")


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


def vm_memory_key(vm):
    """The key of a VM in the memory (JSON text): its HierarchyObjRef, or server and name where EM gives none."""
    key = _protection.vm_key(vm)
    return key if isinstance(key, str) else json.dumps(list(key))


class Watch(object):
    """What the protection events reported: the VMs breached and the repositories low (key -> name, since).

    ``changes`` compares a poll's answer with it; ``apply`` records a change once its event is on the queue.
    The memory starts empty: then a VM already breached (a repository already low) is a change, and nothing
    can be recovered that was not reported.
    """

    def __init__(self, em, params):
        self.em = em
        self.rpo_text = params["rpo"]
        self.rpo_seconds = params["rpo_seconds"]
        self.below = params["repository_free_percent_below"]
        self.types = [kind for kind in params["event_types"] if kind in RPO_TYPES + REPOSITORY_TYPES]
        self.breached = {}  # VM key -> {"name": ..., "since": time of the poll that found it}
        self.low = {}  # repository UID -> {"name": ..., "since": ...}

    def wants(self, types):
        return any(kind in self.types for kind in types)

    def changes(self, vms, repositories, now):
        """``[(event or None, memory, key, entry or None, gone)]``: the crossings of one poll, and the keys gone.

        An event is None when its type is not asked for (the memory still follows, so that a recovery
        is only reported for a breach the source knows of)."""
        found = []
        if vms is not None:
            found += self._crossings(self.breached, vms, vm_memory_key, lambda vm: vm["status"] != _protection.PROTECTED,
                                     lambda vm: vm["status"] == _protection.PROTECTED, self.vm_event, now)
        if repositories is not None:
            found += self._crossings(self.low, repositories, lambda repo: (repo["uid"] or repo["name"]).lower(),
                                     lambda repo: _protection.free_below(repo, self.below),
                                     # unknown size: neither low nor recovered
                                     lambda repo: repo["free_percent"] is not None
                                     and not _protection.free_below(repo, self.below), self.repository_event, now)
        return found

    def _crossings(self, memory, items, key_of, bad, good, event_of, now):
        found, seen = [], set()
        for item in items:
            key = key_of(item)
            seen.add(key)
            if key not in memory and bad(item):
                found.append((event_of(item, True), memory, key, {"name": item.get("name") or item.get("vm_name"),
                                                                  "since": _times.text(now)}, False))
            elif key in memory and good(item):
                found.append((event_of(item, False), memory, key, None, False))
        found += [(None, memory, key, None, True) for key in sorted(memory) if key not in seen]  # gone: forgotten
        return found

    def vm_event(self, vm, breached):
        kind = RPO_BREACHED if breached else RPO_RECOVERED
        if kind not in self.types:
            return None
        job_names = vm["job_names"]
        return {"event_type": kind, "em": self.em, "vm": {
            "name": vm["vm_name"], "uid": vm["vm_ref"], "backup_server_name": vm["backup_server_name"],
            "job_name": job_names[0] if job_names else None, "job_names": job_names, "status": vm["status"],
            "latest_restore_point_time": vm["latest_restore_point_time"],
            "latest_restore_point_id": vm["latest_restore_point_id"], "age_seconds": vm["age_seconds"],
            "age": _report.human_duration(vm["age_seconds"]) if vm["age_seconds"] is not None else None,
            "rpo": self.rpo_text, "rpo_seconds": self.rpo_seconds,
            "last_result": vm.get("last_result"), "last_reason": vm.get("last_reason")}}

    def repository_event(self, repo, low):
        kind = REPOSITORY_LOW if low else REPOSITORY_RECOVERED
        if kind not in self.types:
            return None
        return {"event_type": kind, "em": self.em, "repository": {
            "name": repo["name"], "uid": repo["uid"], "id": repo["id"], "kind": repo["kind"],
            "backup_server_name": repo["backup_server_name"], "capacity_bytes": repo["capacity_bytes"],
            "free_bytes": repo["free_bytes"], "free_percent": repo["free_percent"],
            "free_percent_below": self.below}}

    @staticmethod
    def apply(memory, key, entry):
        if entry is None:
            memory.pop(key, None)
        else:
            memory[key] = entry

    def dump(self):
        return {"breached": self.breached, "low": self.low}

    def load(self, data, where):
        try:
            for name, memory in (("breached", self.breached), ("low", self.low)):
                for key, entry in data.get(name, {}).items():
                    memory[str(key)] = {"name": entry["name"], "since": entry["since"]}
        except (KeyError, TypeError, AttributeError):
            raise VeeamEmError("%s is not a state file of %s: delete it to start afresh" % (where, NAME))


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
        self.em = self.params["em_name"] or self.options.server
        self.watch = Watch(self.em, self.params)
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
        if self.watch.types and isinstance(data.get("protection"), dict):  # a file of a sessions-only run has none
            self.watch.load(data["protection"], "state_file %s" % self.state_file)

    def save_state(self):
        """Write the state file atomically (a new file renamed over the old one)."""
        if not self.state_file:
            return
        data = {"version": STATE_VERSION, "base_url": self.options.base_url,
                "trackers": dict((tracker.event_type, tracker.dump()) for tracker in self.trackers)}
        if self.watch.types:
            data["protection"] = self.watch.dump()
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
            batches.append((tracker, sessions, [{"event_type": tracker.event_type, "em": self.em,
                                                 "backup_session": session} for session in fresh]))
        self.polled = True
        return batches

    def poll_protection(self):
        """One poll of the protection event types: ``{"changes": [...], "now", "started", "vms", "repositories"}``.

        The RPO view of em_protection_info (``_protection.protection``) with the source's job_name and
        backup_server, and the repositories of backup_server, each only when its event types are asked for."""
        started = time.time()
        now = _times.utcnow().replace(microsecond=0)
        watch, params = self.watch, self.params
        vms = repositories = None
        if watch.wants(RPO_TYPES):
            vms = _protection.protection(self.client, params["rpo_seconds"], job_names=params["job_name"],
                                         backup_server=params["backup_server"], now=now)["vms"]
        if watch.wants(REPOSITORY_TYPES):
            repositories = _protection.REPOSITORIES.ask(backup_server=params["backup_server"]).items(self.client)
        self.polled = True
        return {"changes": watch.changes(vms, repositories, now), "now": now, "started": started,
                "vms": vms, "repositories": repositories}

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
        # when each kind of poll is due next, in seconds slept since the start (None: not asked for)
        due = {"sessions": 0.0 if self.trackers else None, "protection": 0.0 if self.watch.types else None}
        slept = 0.0
        try:
            while True:
                try:
                    if due["sessions"] is not None and due["sessions"] <= slept:
                        await self._deliver(queue, await loop.run_in_executor(worker, self.poll))
                        due["sessions"] = slept + self.params["interval"]
                    if due["protection"] is not None and due["protection"] <= slept:
                        await self._deliver_protection(queue, await loop.run_in_executor(worker, self.poll_protection))
                        due["protection"] = slept + self.params["protection_interval"]
                except VeeamEmError as exc:
                    self._raise_if_fatal(exc)
                    failures += 1
                    delay = min(self.params["max_backoff"], BACKOFF_START * 2 ** min(failures - 1, 16))
                    LOG.warning("%s: poll failed (%d in a row), next try in %d s: %s", NAME, failures, delay,
                                self._scrub(exc.msg))
                    await self.sleep(delay)
                    slept += delay
                    continue
                failures = 0
                delay = min(when for when in due.values() if when is not None) - slept
                await self.sleep(delay)
                slept += delay
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

    async def _deliver_protection(self, queue, poll):
        """Put the crossings' events on the queue; each is remembered once it is there; then the state file."""
        self._log_warnings()
        sent = 0
        for event, memory, key, entry, gone in poll["changes"]:
            if event is not None:
                await queue.put(event)
                sent += 1
            if gone:
                LOG.info("%s: %s, reported before, is gone from Enterprise Manager's answer: forgotten without an "
                         "event", NAME, memory[key]["name"])
            self.watch.apply(memory, key, entry)
        self.save_state()
        LOG.debug("%s: protection poll at %s: %s VMs, %d breached; %s repositories, %d low; %d events", NAME,
                  _times.text(poll["now"]), "-" if poll["vms"] is None else len(poll["vms"]), len(self.watch.breached),
                  "-" if poll["repositories"] is None else len(poll["repositories"]), len(self.watch.low), sent,
                  extra={"protection_poll": (poll["started"], time.time())})

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
