# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulated EM database: backup servers, jobs, job sessions and task sessions.

Generated deterministically from a seed, or loaded from a JSON data file (see docs/emulator.md).
Objects use ``__slots__`` and integer epoch seconds so that 100,000 sessions stay small.
The documentation examples (IDs, names, values of the EM REST reference pages) are always present.
"""

import bisect
import io
import json
import random
import time
import uuid

from .constants import JOB_TYPES, RESULTS, SESSION_STATES, TASK_STATES
from .index import added, forget_indexes
from .timeutil import iso, name_time, parse_iso

_INVENTED_NS = uuid.UUID("6f1b7c1e-6a54-4c1b-9a8e-2f0f6a0d9e11")


def invented_id(label):
    """A stable ID for documentation objects whose ID the pages do not show."""
    return str(uuid.uuid5(_INVENTED_NS, label))


class BackupServer(object):
    __slots__ = ("id", "name", "description", "port", "version", "wcf_port", "thumbprint")

    def __init__(self, ident, name, description="", port=9392, version="13.0.1.1071", wcf_port=9405,
                 thumbprint="0000000000000000000000000000000000000000"):
        self.id = ident
        self.name = name
        self.description = description
        self.port = port
        self.version = version
        self.wcf_port = wcf_port
        self.thumbprint = thumbprint


class Job(object):
    """A job; ``settings`` is the raw "settings" object of a data file (or None), ``state`` the
    emulator's runtime state of the job (jobs.JobState, attached by the application)."""

    __slots__ = ("id", "name", "job_type", "server", "vms", "settings", "state")

    def __init__(self, ident, name, job_type, server, vms, settings=None):
        self.id = ident
        self.name = name
        self.job_type = job_type
        self.server = server
        self.vms = tuple(vms)
        self.settings = settings
        self.state = None


class JobSession(object):
    """A backup job session (/backupSessions/{ID})."""

    __slots__ = ("id", "job", "ctime", "etime", "state", "result", "progress", "is_retry",
                 "rp_id", "rp_time", "tasks")

    def __init__(self, ident, job, ctime, etime, state, result, progress, is_retry, rp_id=None, rp_time=None):
        self.id = ident
        self.job = job
        self.ctime = ctime
        self.etime = etime
        self.state = state
        self.result = result
        self.progress = progress
        self.is_retry = is_retry
        self.rp_id = rp_id
        self.rp_time = rp_time
        self.tasks = []

    @property
    def name(self):
        return self.job.name + "@" + name_time(self.ctime)


class TaskSession(object):
    """A backup task session (/backupTaskSessions/{ID}): one VM of a job session."""

    __slots__ = ("id", "session", "vm", "ctime", "etime", "state", "result", "reason", "total_size",
                 "vrp_id", "vrp_time")

    def __init__(self, ident, session, vm, ctime, etime, state, result, reason, total_size, vrp_id=None, vrp_time=None):
        self.id = ident
        self.session = session
        self.vm = vm
        self.ctime = ctime
        self.etime = etime
        self.state = state
        self.result = result
        self.reason = reason
        self.total_size = total_size
        self.vrp_id = vrp_id
        self.vrp_time = vrp_time

    @property
    def name(self):
        return self.vm + "@" + name_time(self.ctime)


# --------------------------------------------------------------------------- documentation data
DOC_SERVERS = (
    ("ce15a8c7-aa49-495e-b05b-ee3398c91018", "srv02.tech.local", "Main backup server"),
    ("ffa6d4ef-ea63-4fb3-88a1-84706c2430e1", "appsrv01.tech.local", "Application backup server"),
)
# id, name, type, server index, VMs
DOC_JOBS = (
    ("4856ab37-2235-45e8-affe-d515878b01a9", "Fileserver Backup", "Backup", 0, ("srv04", "srv05", "fs01")),
    ("b41fdf6f-9adc-473d-8086-6fc6e17117d0", "vApp 01 Backup Job", "Backup", 0, ("vapp01-web", "vapp01-db")),
    ("da4a15c2-04e7-4135-b876-577249d3d720", "Oracle Backup", "Backup", 0, ("ora01", "ora02")),
    ("62638c60-74b6-4d6d-8d13-4cd32039f522", "Daily NetApp Snapshots", "Backup", 0, ("netapp-vol1", "netapp-vol2")),
    ("568c42ce-eb11-4140-92cf-39ab36712bf5", "Exchange Backup", "Backup", 0, ("exch01", "exch02")),
    ("2851cb88-37b6-46ea-b2c8-47b55270169d", "CRM Backup", "Backup", 1, ("crm01", "dbserver01")),
    ("dce85686-59c8-42c4-8766-f1c00a5b8067", "SQL Backup", "Backup", 1, ("sql01", "sql02")),
    (invented_id("job:exch"), "exch", "Backup", 0, ("exch03",)),
)
# id, job index, name time, end time, result, restore point (id, time) or None
DOC_SESSIONS = (
    ("d46e39e0-1131-4585-91a7-e828ce7eafae", 0, "2014-10-19T05:22:52Z", "2014-10-19T05:40:48Z", "Success",
     ("a2d7d2a9-8407-4585-9649-515ecb04b35a", "2014-10-19T05:23:00Z")),
    ("d2b8d33e-32b5-43be-9d72-02b5d8b290d0", 0, "2014-10-19T07:32:44Z", "2014-10-19T07:50:10Z", "Success", None),
    ("bce9741f-d6aa-43ca-a229-1706c2eea0e7", 1, "2014-10-19T06:05:03Z", "2014-10-19T06:12:40Z", "Success", None),
    ("6d0faaea-9e99-4aec-8135-317cc0415602", 0, "2014-10-18T15:22:16Z", "2014-10-18T15:40:02Z", "Warning", None),
    ("4dcc1993-c7e8-4e4d-a82b-48716dd148a2", 2, "2014-10-18T13:09:06Z", "2014-10-18T13:31:55Z", "Failed", None),
    ("8738ca5c-bda0-44cf-973d-6d46175d7522", 3, "2016-01-01T18:10:30Z", "2016-01-01T18:14:02Z", "Success", None),
    ("88b395e2-81ff-439c-558c-188d97274c15", 7, "2013-08-26T22:28:51Z", "2013-08-26T22:51:07Z", "Success", None),
    (invented_id("session:sql-failed-2025-08-15"), 6, "2025-08-15T22:00:12Z", "2025-08-15T22:41:30Z", "Failed", None),
)
# Documentation sessions whose time the pages do not show: placed relative to "now" (seconds before).
DOC_RELATIVE_SESSIONS = (
    ("a057c2c3-f3bd-4ab4-9fb7-24058cccb4f6", 6, 26 * 3600, 1500, "Success"),
    ("8ba90554-4cb0-4979-b4cc-00887fcd1caa", 5, 50 * 3600, 2400, "Warning"),
)
DOC_TASK_SESSIONS = (
    # id, session id, vm, creation, end, result, reason, total size, vm restore point (id, time)
    ("88767486-89d6-4340-92f0-2ad615a8f21b", "d46e39e0-1131-4585-91a7-e828ce7eafae", "srv04",
     "2014-10-19T05:23:44Z", "2014-10-19T05:40:39Z", "Success", "", 64424509440,
     ("fb87163e-687d-4006-96c9-0451b5423b85", "2014-10-19T05:25:15Z")),
    ("88322206-a645-4aa3-9228-028ce51e7c0f", "d2b8d33e-32b5-43be-9d72-02b5d8b290d0", "srv04",
     "2014-10-19T07:33:30Z", "2014-10-19T07:49:58Z", "Success", "", 64424509440,
     (invented_id("vrp:88322206"), "2014-10-19T07:35:02Z")),
)

GENERATED_JOB_NAMES = (
    'SQL "Prod" Backup', "Düsseldorf Fileserver", "Mailserver, weekly", "O'Brien Laptops", "Łódź Agents",
    "NAS – Finance Share", "Copy to Cloud (GFS)", "Backup \u201cProd\u201d", "Domain Controllers", "ERP & Billing",
    "Dev VMs <nightly>", "Citrix Farm", "SharePoint Backup", "File Share Copy", "Linux Servers",
    "Branch Office 東京", "Hyper-V Cluster", "VDI Pool", "Payroll Agents", "Archive NAS",
)
# Suffix of the first VM name of generated jobs 2 (Mailserver, weekly) and 7 (the one with typographic quotes):
# a comma and typographic quotes, which a filter must quote.
ODD_VM_NAMES = {2: ", archive", 7: " \u201cprod\u201d"}
VM_PREFIXES = ("web", "app", "db", "fs", "dc", "mail", "vdi", "lnx", "erp", "nas", "ctx", "sp")
WARNING_REASONS = (
    "Changed block tracking cannot be enabled: one or more snapshots present on the VM.",
    "Unable to truncate Microsoft SQL Server transaction logs. Details: Not enough permissions.",
    "Guest processing skipped (VMware Tools are not running).",
    "Low free space on the backup repository (7% left).",
)
FAILURE_REASONS = (
    "Error: Failed to create VM snapshot. Details: The operation is not allowed in the current state.",
    "Error: Cannot connect to the host: connection timed out.",
    "Error: Not enough storage is available to process this command.",
    "Error: VSSControl: Failed to freeze guest, wait timeout.",
)
STOP_REASON = "Job has been stopped by user."
# Seconds at least between the end of a generated session and the start of the job's next session.
SESSION_GAP = 60

_STATE_SET = frozenset(SESSION_STATES)
_RESULT_SET = frozenset(RESULTS)
_TASK_STATE_SET = frozenset(TASK_STATES)
_JOB_TYPE_SET = frozenset(JOB_TYPES)


_DERIVE_MASK = 0x5A17C0DE_0BAD_0000_0000_F00DFACE1234


def derived_id(base_id):
    """The ID of a restore point derived from its session's ID (saves memory on big datasets)."""
    n = int(base_id.replace("-", ""), 16) ^ _DERIVE_MASK
    h = "%032x" % n
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def session_restore_point(s):
    """(id, time) of the restore point a session created, or (None, None)."""
    if s.rp_id is None:
        return None, None
    if s.rp_id is True:
        return derived_id(s.id), s.ctime + 8 + (s.ctime % 60)
    return s.rp_id, s.rp_time


def task_restore_point(t):
    """(id, time) of the VM restore point a task session created, or (None, None)."""
    if t.vrp_id is None:
        return None, None
    if t.vrp_id is True:  # written when the VM's task ends (protection.py: at the task session's end time)
        return derived_id(t.id), t.etime if t.etime is not None else t.ctime + 60 + (t.ctime % 120)
    return t.vrp_id, t.vrp_time


def _rand_uuid(rng):
    """A random version-4 UUID string drawn from ``rng`` (deterministic for a seed)."""
    n = rng.getrandbits(128)
    n = (n & ~(0xF000 << 64)) | (0x4000 << 64)
    n = (n & ~(0xC000 << 48)) | (0x8000 << 48)
    h = "%032x" % n
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


class Dataset(object):
    """All data, with indexes by ID and creation order."""

    def __init__(self, now, servers, jobs, sessions, task_sessions):
        self.now = now
        self.servers = servers
        self.jobs = jobs
        self.sessions = sorted(sessions, key=lambda s: (s.ctime, s.id))
        self.task_sessions = sorted(task_sessions, key=lambda t: (t.ctime, t.id))
        for s in self.sessions:
            s.tasks.sort(key=lambda t: (t.ctime, t.id))
        self.server_by_id = dict((s.id, s) for s in servers)
        self.job_by_id = dict((j.id, j) for j in jobs)
        self.session_by_id = dict((s.id, s) for s in self.sessions)
        self.task_by_id = dict((t.id, t) for t in self.task_sessions)
        if len(self.session_by_id) != len(self.sessions) or len(self.task_by_id) != len(self.task_sessions):
            raise ValueError("duplicate session or task session IDs in the dataset")

    # ----------------------------------------------------------------- sessions started at run time
    def add_session(self, s):
        """Add a new job session and its task sessions (a job started through the API), query indexes included.

        Changing their values later goes through ``EmulatorApp.remember`` (which tells the query indexes).
        """
        for items, objs, index in ((self.sessions, (s,), self.session_by_id),
                                   (self.task_sessions, s.tasks, self.task_by_id)):
            for obj in objs:
                key = (obj.ctime, obj.id)
                if items and (items[-1].ctime, items[-1].id) > key:  # rare: a data file with future sessions
                    items.insert(bisect.bisect_right([(o.ctime, o.id) for o in items], key), obj)
                else:
                    items.append(obj)
                index[obj.id] = obj
                added(self, obj)

    def remove_sessions(self, sessions):
        """Remove job sessions added by add_session (and their task sessions).

        The lists are changed in place; anything indexing them (query indexes) must forget them too.
        """
        gone = set(id(s) for s in sessions)
        if not gone:
            return
        self.sessions[:] = [s for s in self.sessions if id(s) not in gone]
        self.task_sessions[:] = [t for t in self.task_sessions if id(t.session) not in gone]
        for s in sessions:
            self.session_by_id.pop(s.id, None)
            for t in s.tasks:
                self.task_by_id.pop(t.id, None)
        forget_indexes(self)

    # ----------------------------------------------------------------- export / import
    def to_dict(self):
        def rp(pair):
            return pair[0], (iso(pair[1]) if pair[1] is not None else None)
        out = {
            "format": "veeam-em-emulator-dataset/1",
            "now": iso(self.now),
            "backup_servers": [
                {"id": s.id, "name": s.name, "description": s.description, "port": s.port, "version": s.version,
                 "wcf_port": s.wcf_port, "thumbprint": s.thumbprint} for s in self.servers],
            "jobs": [],
            "sessions": [],
            "task_sessions": [],
        }
        for j in self.jobs:
            job = {"id": j.id, "name": j.name, "job_type": j.job_type, "server_id": j.server.id, "vms": list(j.vms)}
            if j.settings is not None:
                job["settings"] = j.settings
            out["jobs"].append(job)
        for s in self.sessions:
            rp_id, rp_time = rp(session_restore_point(s))
            out["sessions"].append({
                "id": s.id, "job_id": s.job.id, "creation_time": iso(s.ctime),
                "end_time": iso(s.etime) if s.etime is not None else None, "state": s.state, "result": s.result,
                "progress": s.progress, "is_retry": s.is_retry, "restore_point_id": rp_id, "restore_point_time": rp_time})
        for t in self.task_sessions:
            rp_id, rp_time = rp(task_restore_point(t))
            out["task_sessions"].append({
                "id": t.id, "session_id": t.session.id, "vm": t.vm, "creation_time": iso(t.ctime),
                "end_time": iso(t.etime) if t.etime is not None else None, "state": t.state, "result": t.result,
                "reason": t.reason, "total_size": t.total_size, "restore_point_id": rp_id, "restore_point_time": rp_time})
        return out

    def dump(self, path):
        with io.open(path, "w", encoding="utf-8") as fh:
            json.dump(self.to_dict(), fh, ensure_ascii=False, indent=1)
            fh.write("\n")

    @classmethod
    def from_dict(cls, data, now=None):
        def opt_time(value):
            return int(parse_iso(value)) if value else None

        def check(value, allowed, what):
            if value not in allowed:
                raise ValueError("invalid %s %r" % (what, value))
            return value
        servers = [BackupServer(s["id"].lower(), s["name"], s.get("description", ""), int(s.get("port", 9392)),
                                s.get("version", "13.0.1.1071"), int(s.get("wcf_port", 9405)),
                                s.get("thumbprint", "0" * 40)) for s in data["backup_servers"]]
        server_by_id = dict((s.id, s) for s in servers)
        jobs = []
        for j in data["jobs"]:
            jobs.append(Job(j["id"].lower(), j["name"], check(j["job_type"], _JOB_TYPE_SET, "job_type"),
                            server_by_id[j["server_id"].lower()], j.get("vms", ()), j.get("settings")))
        job_by_id = dict((j.id, j) for j in jobs)
        sessions = []
        for s in data["sessions"]:
            sessions.append(JobSession(
                s["id"].lower(), job_by_id[s["job_id"].lower()], int(parse_iso(s["creation_time"])),
                opt_time(s.get("end_time")), check(s["state"], _STATE_SET, "state"),
                check(s.get("result", "None"), _RESULT_SET, "result"), int(s.get("progress", 0)),
                bool(s.get("is_retry", False)), s.get("restore_point_id"), opt_time(s.get("restore_point_time"))))
        session_by_id = dict((s.id, s) for s in sessions)
        tasks = []
        for t in data.get("task_sessions", ()):
            parent = session_by_id[t["session_id"].lower()]
            task = TaskSession(
                t["id"].lower(), parent, t["vm"], int(parse_iso(t["creation_time"])), opt_time(t.get("end_time")),
                check(t["state"], _TASK_STATE_SET, "task state"), check(t.get("result", "None"), _RESULT_SET, "result"),
                t.get("reason", "") or "", int(t.get("total_size", 0)), t.get("restore_point_id"),
                opt_time(t.get("restore_point_time")))
            parent.tasks.append(task)
            tasks.append(task)
        if now is None:
            now = int(parse_iso(data["now"])) if data.get("now") else int(time.time())
        return cls(now, servers, jobs, sessions, tasks)

    @classmethod
    def load(cls, path, now=None):
        with io.open(path, "r", encoding="utf-8") as fh:
            return cls.from_dict(json.load(fh), now=now)


# --------------------------------------------------------------------------- generation
class _Generator(object):
    def __init__(self, seed, n_sessions, n_jobs, now):
        self.rng = random.Random(seed)
        self.n_sessions = max(0, n_sessions)
        self.n_jobs = max(n_jobs, len(DOC_JOBS) + len(JOB_TYPES))
        self.now = int(now)
        self.tasks = []

    def _task(self, session, vm, ctime, etime, state, result, reason, size, with_rp):
        rng = self.rng
        t = TaskSession(_rand_uuid(rng), session, vm, ctime, etime, state, result, reason, size, True if with_rp else None)
        session.tasks.append(t)
        self.tasks.append(t)
        return t

    def _tasks_for(self, s):
        """Task sessions for the VMs of the session's job, consistent with the session's result."""
        rng = self.rng
        vms = s.job.vms
        n = len(vms)
        running = s.etime is None
        bad = rng.randrange(n) if s.result in ("Warning", "Failed") else -1
        start = s.ctime + 20 + rng.randrange(40)
        active = rng.randrange(n) if running else -1
        for i, vm in enumerate(vms):
            if running:
                if i < active:
                    end = min(start + 60 + rng.randrange(1800), self.now - 1)
                    self._task(s, vm, start, end, "Completed", "Success", "", rng.randrange(1 << 30, 800 << 30), True)
                    start = end + 5
                elif i == active:
                    self._task(s, vm, min(start, self.now - 1), None, "InProgress", "None", "", 0, False)
                else:
                    self._task(s, vm, s.ctime, None, "Pending", "None", "", 0, False)
                continue
            end = max(start + 1, s.etime - rng.randrange(1, 30))
            end = min(end, s.etime)
            if i == bad:
                if s.result == "Failed":
                    reason = rng.choice(FAILURE_REASONS)
                    self._task(s, vm, start, end, "Completed", "Failed", reason, 0, False)
                else:
                    reason = rng.choice(WARNING_REASONS)
                    self._task(s, vm, start, end, "Completed", "Warning", reason, rng.randrange(1 << 30, 800 << 30), True)
            else:
                self._task(s, vm, start, end, "Completed", "Success", "", rng.randrange(1 << 30, 800 << 30), True)
            start = min(start + rng.randrange(5, 120), s.etime)

    def _finished(self, job, ctime, result, is_retry, sid=None, duration=None):
        rng = self.rng
        if duration is None:
            duration = 120 + int(rng.expovariate(1.0 / 1500))
        etime = min(ctime + duration, self.now - 1)
        progress = 100 if result != "Failed" else rng.randrange(0, 100)
        rp_id = True if result != "Failed" else None
        s = JobSession(sid or _rand_uuid(rng), job, ctime, etime, "Stopped", result, progress, is_retry, rp_id)
        self._tasks_for(s)
        return s

    def build(self):
        rng = self.rng
        now = self.now
        servers = [BackupServer(i, n, d) for i, n, d in DOC_SERVERS]
        jobs = [Job(i, n, t, servers[si], vms) for i, n, t, si, vms in DOC_JOBS]
        # Generated jobs: every JobType at least once, then mostly VM backups.
        extra = self.n_jobs - len(DOC_JOBS)
        for k in range(extra):
            jtype = JOB_TYPES[k] if k < len(JOB_TYPES) else rng.choice(
                ("Backup", "Backup", "Backup", "BackupCopy", "AgentBackup", "NasBackup", "ImmediateBackupCopy"))
            base = GENERATED_JOB_NAMES[k % len(GENERATED_JOB_NAMES)]
            name = base if k < len(GENERATED_JOB_NAMES) else "%s %d" % (base, k // len(GENERATED_JOB_NAMES) + 1)
            if jtype == "AgentManagement":
                name = name + " (Agent)"
            prefix = VM_PREFIXES[k % len(VM_PREFIXES)]
            vms = ["%s%02d" % (prefix, (k * 7 + v) % 97 + 1) for v in range(1 + rng.randrange(5))]
            if jtype in ("AgentBackup", "AgentManagement"):
                vms = ["ws-%s-%02d" % (prefix, v + 1) for v in range(len(vms))]
            elif jtype == "NasBackup":
                vms = ["\\\\nas01\\%s%d" % (prefix, v + 1) for v in range(len(vms))]
            if k in ODD_VM_NAMES:
                vms[0] += ODD_VM_NAMES[k]
            jobs.append(Job(_rand_uuid(rng), name, jtype, servers[k % 2], vms))

        sessions = []
        # Documentation sessions with fixed times.
        doc_rng = random.Random(20141019)
        saved_rng, self.rng = self.rng, doc_rng
        for sid, ji, start, end, result, rp in DOC_SESSIONS:
            ctime = int(parse_iso(start))
            etime = int(parse_iso(end))
            rp_id, rp_time = (rp[0], int(parse_iso(rp[1]))) if rp else (None, None)
            s = JobSession(sid, jobs[ji], ctime, etime, "Stopped", result, 100 if result != "Failed" else 43, False,
                           rp_id, rp_time)
            sessions.append(s)
        for tid, sid, vm, start, end, result, reason, size, vrp in DOC_TASK_SESSIONS:
            parent = [s for s in sessions if s.id == sid][0]
            t = TaskSession(tid, parent, vm, int(parse_iso(start)), int(parse_iso(end)), "Completed", result, reason,
                            size, vrp[0], int(parse_iso(vrp[1])))
            parent.tasks.append(t)
            self.tasks.append(t)
        for s in sessions:
            if not s.tasks:
                self._tasks_for(s)
        for sid, ji, ago, duration, result in DOC_RELATIVE_SESSIONS:
            s = self._finished(jobs[ji], now - ago, result, False, sid=sid, duration=duration)
            if s.job.name == "CRM Backup":
                for t in s.tasks:
                    if t.vm == "dbserver01":
                        t.result, t.reason = "Warning", WARNING_REASONS[1]
                    else:
                        t.result, t.reason = "Success", ""
            sessions.append(s)
        self.rng = saved_rng
        pinned = set(id(s) for s in sessions)  # the documentation sessions keep their times
        doc_end = {}
        for s in sessions:
            doc_end[s.job.id] = max(doc_end.get(s.job.id, s.etime), s.etime)

        n_gen = self.n_sessions
        # A job runs one session at a time: at most one running session per job.
        n_running = min(n_gen, max(8, n_gen // 250), len(jobs))
        n_done = n_gen - n_running
        span = max(35 * 86400, int(n_done * 86400.0 / (len(jobs) * 3)))
        crm = jobs[5]
        weights = [3 if j.job_type == "Backup" else 2 for j in jobs]
        cum = []
        acc = 0
        for w in weights:
            acc += w
            cum.append(acc)
        made = 0
        crm_failed = 0
        while made < n_done:
            job = jobs[bisect.bisect_right(cum, rng.random() * acc)]  # the first job whose cum > r
            ctime = now - 3600 - int(rng.random() * span)
            x = rng.random()
            result = "Success" if x < 0.80 else ("Warning" if x < 0.92 else "Failed")
            if job is crm and result != "Failed" and crm_failed < 3 and ctime > now - 30 * 86400:
                result = "Failed"
            s = self._finished(job, ctime, result, False)
            if job is crm and result == "Failed":
                for t in s.tasks:
                    if t.vm == "dbserver01":
                        t.result, t.reason, t.total_size, t.vrp_id = "Failed", FAILURE_REASONS[3], 0, None
                        crm_failed += 1
                    elif t.result == "Failed":
                        t.result, t.reason, t.total_size, t.vrp_id = "Success", "", rng.randrange(1 << 30, 800 << 30), True
            sessions.append(s)
            made += 1
            if result == "Failed" and made < n_done and rng.random() < 0.6:
                retry_result = "Success" if rng.random() < 0.7 else "Failed"
                sessions.append(self._finished(job, min(s.etime + 600, now - 3000), retry_result, True))
                made += 1
        # Running sessions: some for many hours (a guard must find them), some started minutes ago.
        running_states = ("Working", "Starting", "Pausing", "Resuming", "Stopping")
        order = []  # jobs 3, 8, 13, ... first (every fifth), then the others: each job once
        for k in range(len(jobs)):
            i = (k * 5 + 3) % len(jobs)
            if i in order:
                break
            order.append(i)
        order += [i for i in range(len(jobs)) if i not in order]
        for k in range(n_running):
            job = jobs[order[k]]
            if k % 3 == 0:
                ctime = now - (10 * 3600 + rng.randrange(30 * 3600))
            elif k % 3 == 1:
                ctime = now - (120 + rng.randrange(3000))
            else:
                ctime = now - (3600 + rng.randrange(4 * 3600))
            if job.id in doc_end:  # after the job's documentation sessions
                ctime = max(ctime, doc_end[job.id] + SESSION_GAP)
            state = running_states[k] if k < len(running_states) else "Working"
            is_retry = (k % 7 == 6)
            s = JobSession(_rand_uuid(rng), job, ctime, None, state, "None", rng.randrange(0, 96), is_retry)
            self._tasks_for(s)
            sessions.append(s)
            pinned.add(id(s))
        _one_at_a_time(sessions, pinned)
        return Dataset(now, servers, jobs, sessions, self.tasks)


def _one_at_a_time(sessions, pinned):
    """Move generated finished sessions back in time until no two sessions of a job overlap.

    A Veeam job runs one session at a time. The ``pinned`` sessions (documentation sessions, running
    sessions) keep their times; the others, newest first, each end at least SESSION_GAP seconds
    before the next one of their job starts and outside every pinned session, with their task
    sessions moved along. A running session is then its job's newest.
    """
    by_job = {}
    for s in sessions:
        by_job.setdefault(s.job.id, []).append(s)
    for items in by_job.values():
        fixed = [(s.ctime, s.etime if s.etime is not None else float("inf")) for s in items if id(s) in pinned]
        limit = None
        for s in sorted((s for s in items if id(s) not in pinned), key=lambda x: (x.ctime, x.etime), reverse=True):
            length = s.etime - s.ctime
            end = s.etime if limit is None else min(s.etime, limit)
            moved = True
            while moved:
                moved = False
                for start, stop in fixed:
                    if end > start - SESSION_GAP and end - length < stop + SESSION_GAP:
                        end = int(start) - SESSION_GAP
                        moved = True
            _shift(s, end - s.etime)
            limit = s.ctime - SESSION_GAP


def _shift(s, delta):
    if not delta:
        return
    s.ctime += delta
    s.etime += delta
    for t in s.tasks:
        t.ctime += delta
        if t.etime is not None:
            t.etime += delta


def generate(seed=42, sessions=2000, jobs=40, now=None):
    """Deterministic dataset for (seed, sessions, jobs, now)."""
    if now is None:
        now = time.time()
    from .protection import add_scenario  # the protection scenario job, on top (docs/emulator.md "Protection")
    return add_scenario(_Generator(seed, sessions, jobs, now).build())
