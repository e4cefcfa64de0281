# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The protection side of the emulated EM: repositories, backups, restore points, VM restore points,
backup files, hierarchy roots and job includes, all derived from the session data (docs/emulator.md,
"Protection").

Rules:

- every Completed task session with Result Success or Warning of a job of type Backup leaves a VM
  restore point (the ID its task session's Related link shows, at the task session's end time);
- retention keeps the newest ``RETENTION_POINTS`` VM restore points per VM per job; a job session
  with at least one kept VM restore point is a restore point (its ID is the one of the session's
  Related link), in the job's backup, on the job's repository, with one backup file;
- a job's includes are its VMs (``Job.vms``); the scenario job "Finance Backup" (``add_scenario``,
  added by ``dataset.generate``) also includes a folder, and has a VM whose backups fail since 5 days
  (RPO breached), a VM included 3 days ago that never succeeded, and a VM removed from the job
  40 days ago whose old points remain (in no job any more).

Objects use ``__slots__``; every list served by the query service is in query order and each object
carries its position (``seq``), which ``index.QueryIndex`` uses as its order. ``FIELDS`` (the filter
fields of the query pages) are registered in ``filters.FIELDS_BY_TYPE`` when this module is imported.
"""

import operator
import time

from .dataset import (FAILURE_REASONS, Dataset, Job, JobSession, TaskSession, derived_id, invented_id,
                      session_restore_point, task_restore_point)
from .filters import FIELDS_BY_TYPE, Field
from .jobs import default_state, state_from_settings
from .timeutil import name_time, restore_point_name

RETENTION_POINTS = 30
GIB = 1 << 30
PROTECTED_JOB_TYPES = frozenset(("Backup",))
_POINT_RESULTS = frozenset(("Success", "Warning"))
# The get_jobs_id_includes_id page's example: VM 83071dc0-... included in job da4a15c2-... (Oracle Backup).
DOC_INCLUDES = {("da4a15c2-04e7-4135-b876-577249d3d720", "ora01"): "83071dc0-44f2-49b6-b431-1cb79ed66639"}

# id, name, server index, kind, capacity, free space, path
DOC_REPOSITORY_ID = "bffeb9f5-1bdd-4bbd-9299-6fcb7c37bdf6"
REPOSITORIES = (
    # the repositories_id page's example: roomy (82 % free)
    (DOC_REPOSITORY_ID, "Backup Volume 01", 0, "WindowsLocal", 1079639011328, 881812750336, "E:\\Backups"),
    # nearly full: 2.5 % free
    (invented_id("repo:hardened"), "Linux Hardened Repository", 0, "LinuxLocal", 16492674416640, 412316860416,
     "/mnt/veeam/backups"),
    (invented_id("repo:cifs"), "Backup Share 02", 1, "CifsShare", 4398046511104, 1649267441664,
     "\\\\nas02\\veeam"),
    # object storage (scale-out, capacity tier on S3): EM does not know its size and answers -1
    (invented_id("repo:sobr"), "Scale-out Object Storage", 1, "Extendable", -1, -1, "s3://veeam-sobr"),
)
OBJECT_STORAGE_ID = REPOSITORIES[3][0]
NEARLY_FULL_ID = REPOSITORIES[1][0]
# Jobs placed on a given repository (the others by a hash of their ID among their server's repositories).
FIXED_REPOSITORY = {
    "2851cb88-37b6-46ea-b2c8-47b55270169d": OBJECT_STORAGE_ID,  # CRM Backup
    "dce85686-59c8-42c4-8766-f1c00a5b8067": REPOSITORIES[2][0],  # SQL Backup
    "4856ab37-2235-45e8-affe-d515878b01a9": DOC_REPOSITORY_ID,  # Fileserver Backup
}
# name, host type, platform of the hierarchy roots of each backup server
ROOTS = (("vcsa%02d.tech.local", "VC", "VMware"), ("hv-cluster%02d.tech.local", "HvCluster", "HyperV"),
         ("vcd%02d.tech.local", "VcdSystem", "vCloud"))
_PLATFORM_ROOT = {"VMware": 0, "HyperV": 1, "vCloud": 2}

# The scenario job (see the module docstring); its runs are daily at 21:00 UTC.
SCENARIO_JOB_ID = invented_id("job:finance")
SCENARIO_JOB_NAME = "Finance Backup"
SCENARIO_DAYS = 60
BREACHED_VM = "fin-db01"      # last success 5 days ago, failed every run since
BREACHED_DAYS = 5
NEVER_VM = "fin-new01"        # included 3 days ago, every run failed
NEVER_DAYS = 3
ORPHAN_VM = "fin-old01"       # processed until 40 days ago, then removed from the job
ORPHAN_DAYS = 40
HEALTHY_VM = "fin-app01"
SCENARIO_FOLDER = "Finance Archive"

_FILE_MASK = 0x00F1_1E00_0000_0000_0000_0000_0000_0000


def masked_id(base_id, mask):
    """A stable ID derived from another one (an involution, like dataset.derived_id)."""
    n = int(base_id.replace("-", ""), 16) ^ mask
    h = "%032x" % n
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


# --------------------------------------------------------------------------- the scenario
def add_scenario(data):
    """The dataset plus the scenario job "Finance Backup" and its sessions (called by dataset.generate)."""
    now = data.now
    server = data.servers[0]
    settings = {"platform": "VMware", "description": "Backup of the finance servers", "schedule_time": "21:00",
                "schedule_enabled": True}  # the job resource's values (jobs.state_from_settings), kept by --dump-data
    job = Job(SCENARIO_JOB_ID, SCENARIO_JOB_NAME, "Backup", server, (HEALTHY_VM, BREACHED_VM, NEVER_VM), settings)
    day0 = now - now % 86400 + 21 * 3600
    if day0 > now - 3600:
        day0 -= 86400
    sessions, tasks = [], []
    for back in range(SCENARIO_DAYS - 1, -1, -1):
        start = day0 - back * 86400
        sid = invented_id("finance-session:%d" % back)
        vms = [HEALTHY_VM, BREACHED_VM]
        if back >= ORPHAN_DAYS:
            vms.append(ORPHAN_VM)
        if back < NEVER_DAYS:
            vms.append(NEVER_VM)
        failed = [vm for vm in vms if (vm == BREACHED_VM and back < BREACHED_DAYS) or vm == NEVER_VM]
        end = start + 300 + 240 * len(vms)
        s = JobSession(sid, job, start, end, "Stopped", "Failed" if failed else "Success",
                       100, False, None if failed else True)
        t0 = start + 25
        for i, vm in enumerate(vms):
            bad = vm in failed
            t = TaskSession(invented_id("finance-task:%d:%s" % (back, vm)), s, vm, t0, t0 + 230, "Completed",
                            "Failed" if bad else "Success", FAILURE_REASONS[i % len(FAILURE_REASONS)] if bad else "",
                            0 if bad else (40 + 7 * i) << 30, None if bad else True)
            t0 += 240
            s.tasks.append(t)
            tasks.append(t)
        sessions.append(s)
    return Dataset(now, data.servers, data.jobs + [job], data.sessions + sessions, data.task_sessions + tasks)


# --------------------------------------------------------------------------- the model
class Repository(object):
    """A backup repository; ``capacity`` and ``free`` are -1 for object storage (EM: unknown)."""

    __slots__ = ("id", "name", "server", "kind", "capacity", "free", "path", "seq", "backups", "used", "pinned")

    def __init__(self, ident, name, server, kind, capacity, free, path, seq):
        self.id = ident
        self.name = name
        self.server = server
        self.kind = kind
        self.capacity = capacity
        self.free = free
        self.path = path
        self.seq = seq
        self.backups = []
        self.used = 0
        self.pinned = False  # sizes set through /_emulator/repository: backups no longer change them

    def size_for(self, used):
        """Capacity and free space for ``used`` bytes of backup files, keeping the table's free share."""
        self.used = used
        if self.capacity < 0 or used <= 0 or self.pinned:
            return
        share = self.free / float(self.capacity)
        self.capacity = -(-int(used / (1.0 - share)) // GIB) * GIB
        self.free = self.capacity - used


class HierarchyRoot(object):
    __slots__ = ("id", "name", "server", "host_type", "platform", "unique_id", "vms")

    def __init__(self, server, index, kind):
        pattern, self.host_type, self.platform = ROOTS[kind]
        self.server = server
        self.name = pattern % (index + 1)
        self.id = invented_id("root:%s:%s" % (server.id, self.platform))
        self.unique_id = invented_id("root-unique:%s" % self.id).upper()
        self.vms = {}

    def vm(self, name):
        vm = self.vms.get(name)
        if vm is None:
            if self.platform == "VMware":
                ref = "urn:VMware:Vm:%s.vm-%d" % (self.id, 1001 + len(self.vms))
            else:
                ref = "urn:%s:Vm:%s.%s" % (self.platform, self.id, invented_id("vm:%s:%s" % (self.id, name)))
            vm = self.vms[name] = Vm(name, ref, self)
        return vm


class Vm(object):
    __slots__ = ("name", "ref", "root")

    def __init__(self, name, ref, root):
        self.name = name
        self.ref = ref
        self.root = root


class Include(object):
    """An ObjectInJob: a VM or a folder in a job."""

    __slots__ = ("id", "job", "name", "ref", "order", "seq")

    def __init__(self, ident, job, name, ref, order, seq):
        self.id = ident
        self.job = job
        self.name = name
        self.ref = ref
        self.order = order
        self.seq = seq


class Backup(object):
    __slots__ = ("id", "job", "repository", "platform", "seq", "points")

    def __init__(self, job, repository, platform, seq):
        self.id = invented_id("backup:" + job.id)
        self.job = job
        self.repository = repository
        self.platform = platform
        self.seq = seq
        self.points = []

    @property
    def name(self):
        return self.job.name


class RestorePoint(object):
    __slots__ = ("id", "session", "backup", "ctime", "full", "synthetic", "vm_points", "file", "seq")

    def __init__(self, ident, session, backup, ctime):
        self.id = ident
        self.session = session
        self.backup = backup
        self.ctime = ctime
        self.full = False
        self.synthetic = False
        self.vm_points = []
        self.file = None
        self.seq = 0

    @property
    def name(self):
        return restore_point_name(self.ctime)


class VmRestorePoint(object):
    """The VM restore point of a task session; its ID is the one the task session's Related link shows."""

    __slots__ = ("task", "vm", "rp", "ctime", "full", "seq")

    def __init__(self, task, vm, rp, ctime):
        self.task = task
        self.vm = vm
        self.rp = rp
        self.ctime = ctime
        self.full = False
        self.seq = 0

    @property
    def id(self):
        return task_restore_point(self.task)[0]

    @property
    def name(self):
        return self.vm.name + "@" + name_time(self.ctime)

    @property
    def point_type(self):
        return "Full" if self.full or self.rp.full else "Increment"

    @property
    def algorithm(self):
        if self.rp.synthetic and not self.full:
            return "SyntheticFull"
        return "Full" if self.full or self.rp.full else "Incremental"


class BackupFile(object):
    __slots__ = ("id", "rp", "data_size", "backup_size", "seq")

    def __init__(self, rp):
        self.id = masked_id(rp.id, _FILE_MASK)
        self.rp = rp
        data = 0
        for p in rp.vm_points:
            data += p.task.total_size
        if not rp.full:
            data //= 10
        self.data_size = data
        self.backup_size = data * 11 // 20
        self.seq = 0

    @property
    def ctime(self):
        return self.rp.ctime

    @property
    def file_type(self):
        return "vbk" if self.rp.full else "vib"

    @property
    def name(self):
        t = time.gmtime(self.rp.ctime)
        return "%sD%04d-%02d-%02dT%02d%02d%02d.%s" % ((self.rp.backup.job.name,) + tuple(t[:6]) + (self.file_type,))

    @property
    def path(self):
        repo = self.rp.backup.repository
        sep = "/" if repo.path.startswith(("/", "s3:")) else "\\"
        return repo.path + sep + self.rp.backup.job.name + sep + self.name


class Protection(object):
    """Everything the protection resources serve, derived once from a dataset."""

    def __init__(self, data, exclude=(), platform_of=None):
        started = time.perf_counter()
        self.data = data
        self.repositories = [Repository(i, n, data.servers[si % len(data.servers)], k, c, f, p, seq)
                             for seq, (i, n, si, k, c, f, p) in enumerate(REPOSITORIES)]
        self.repository_by_id = dict((r.id, r) for r in self.repositories)
        self.roots = []
        self._roots = {}
        for server_index, srv in enumerate(data.servers):
            for kind in range(len(ROOTS)):
                root = HierarchyRoot(srv, server_index, kind)
                self.roots.append(root)
                self._roots[(srv.id, root.platform)] = root
        self.root_by_id = dict((r.id, r) for r in self.roots)
        self._platforms = {}
        self._platform_of = platform_of or _default_platform
        self.chains = {}  # (job id, VM name) -> its kept VM restore points, oldest first
        self.merged = set()  # sessions merged after the derivation (merge_session)
        self._derive_includes()
        self._derive_points(exclude)
        self.seconds = time.perf_counter() - started

    # ------------------------------------------------------------------ helpers
    def platform_of(self, job):
        platform = self._platforms.get(job.id)
        if platform is None:
            platform = self._platforms[job.id] = self._platform_of(job)
        return platform

    def root_of(self, job):
        platform = self.platform_of(job)
        return self._roots[(job.server.id, platform if platform in _PLATFORM_ROOT else "VMware")]

    def _repository_of(self, job):
        fixed = FIXED_REPOSITORY.get(job.id)
        if job.id == SCENARIO_JOB_ID:
            fixed = NEARLY_FULL_ID
        if fixed is not None:
            return self.repository_by_id[fixed]
        mine = [r for r in self.repositories if r.server is job.server] or self.repositories
        return mine[int(job.id.replace("-", "")[:8], 16) % len(mine)]

    # ------------------------------------------------------------------ includes
    def _derive_includes(self):
        self.includes = []
        self.includes_by_job = {}
        for job in self.data.jobs:
            if job.job_type not in PROTECTED_JOB_TYPES:
                continue
            root = self.root_of(job)
            mine = self.includes_by_job.setdefault(job.id, [])
            for order, name in enumerate(job.vms, 1):
                ident = DOC_INCLUDES.get((job.id, name)) or invented_id("include:%s:%s" % (job.id, name))
                mine.append(Include(ident, job, name, root.vm(name).ref, order, len(self.includes)))
                self.includes.append(mine[-1])
            if job.id == SCENARIO_JOB_ID:
                ref = "urn:VMware:Folder:%s.group-v%d" % (root.id, 4711)
                mine.append(Include(invented_id("include:%s:folder" % job.id), job, SCENARIO_FOLDER, ref,
                                    len(mine) + 1, len(self.includes)))
                self.includes.append(mine[-1])
        self.include_by_id = dict((i.id, i) for i in self.includes)

    # ------------------------------------------------------------------ points
    def _derive_points(self, exclude):
        excluded = set(id(s) for s in exclude)
        chains = {}  # (job id, vm name) -> task sessions with a point, oldest first
        candidates = []
        protected = PROTECTED_JOB_TYPES
        ok = _POINT_RESULTS
        for t in self.data.task_sessions:
            if t.vrp_id is None or t.result not in ok or t.state != "Completed" or t.etime is None:
                continue
            s = t.session
            if s.job.job_type not in protected or (excluded and id(s) in excluded):
                continue
            candidates.append(t)
            key = (s.job.id, t.vm)
            chain = chains.get(key)
            if chain is None:
                chains[key] = [t]
            else:
                chain.append(t)
        backups = {}
        kept = {}  # (job id, vm name) -> (oldest kept task session, Vm, Backup)
        for key, chain in chains.items():
            job = chain[0].session.job
            backup = backups.get(job.id)
            if backup is None:
                backup = backups[job.id] = Backup(job, self._repository_of(job), self.platform_of(job), 0)
            kept[key] = (chain[max(0, len(chain) - RETENTION_POINTS)], self.root_of(job).vm(key[1]), backup,
                         self.chains.setdefault(key, []))
        points = {}  # id(session) -> RestorePoint
        vm_points = []  # in the order of their task sessions
        for t in candidates:
            s = t.session
            oldest, vm, backup, kept_chain = kept[(s.job.id, t.vm)]
            if t.ctime < oldest.ctime:  # removed by retention
                continue
            rp = points.get(id(s))
            if rp is None:
                rp_id, rp_time = session_restore_point(s)
                if rp_id is None:  # a Failed session some VMs of which succeeded
                    rp_id, rp_time = derived_id(s.id), s.ctime + 8 + (s.ctime % 60)
                rp = points[id(s)] = RestorePoint(rp_id, s, backup, rp_time)
                backup.points.append(rp)
            # a derived point is written at the task session's end (dataset.task_restore_point)
            p = VmRestorePoint(t, vm, rp, t.etime if t.vrp_id is True else task_restore_point(t)[1])
            p.full = t is oldest
            p.seq = len(vm_points)
            rp.vm_points.append(p)
            vm_points.append(p)
            kept_chain.append(p)
        self._backup_of_job = backups
        self.vm_points = vm_points
        self.vm_point_by_id = _PointIds(vm_points)
        for backup in backups.values():
            backup.points.sort(key=_time_id)
        restore_points = sorted(points.values(), key=_time_id)
        files = []
        by_time = operator.attrgetter("ctime")
        for seq, rp in enumerate(restore_points):
            rp.seq = seq
            rp.vm_points.sort(key=by_time)
            # the oldest kept point of a backup is its full; Saturdays (UTC) are synthetic fulls
            rp.synthetic = time.gmtime(rp.ctime).tm_wday == 5
            rp.full = rp.synthetic or rp is rp.backup.points[0]
            rp.file = BackupFile(rp)
            rp.file.seq = seq
            files.append(rp.file)
        self.restore_points = restore_points
        self.restore_point_by_id = dict((rp.id, rp) for rp in restore_points)
        self.backup_files = files
        self.backup_file_by_id = dict((f.id, f) for f in files)
        self.backups = sorted(backups.values(), key=lambda b: (b.job.name.casefold(), b.id))
        for seq, b in enumerate(self.backups):
            b.seq = seq
            b.repository.backups.append(b)
        self.backup_by_id = dict((b.id, b) for b in self.backups)
        for repo in self.repositories:
            repo.size_for(sum(rp.file.backup_size for b in repo.backups for rp in b.points))

    # ------------------------------------------------------------------ sessions finished at run time
    def merge_session(self, s):
        """Add the points of a session that finished after the derivation (a started job), retention included."""
        self.merged.add(id(s))
        job = s.job
        if job.job_type not in PROTECTED_JOB_TYPES:
            return
        rp = None
        touched = []
        for t in s.tasks:
            if t.vrp_id is None or t.result not in _POINT_RESULTS or t.state != "Completed" or t.etime is None:
                continue
            backup = self._backup_of_job.get(job.id)
            if backup is None:
                backup = self._backup_of_job[job.id] = Backup(job, self._repository_of(job), self.platform_of(job),
                                                              len(self.backups))
                self.backups.append(backup)
                self.backup_by_id[backup.id] = backup
                backup.repository.backups.append(backup)
            if rp is None:
                rp_id, rp_time = session_restore_point(s)
                if rp_id is None:
                    rp_id, rp_time = derived_id(s.id), s.ctime + 8 + (s.ctime % 60)
                rp = RestorePoint(rp_id, s, backup, rp_time)
                rp.synthetic = time.gmtime(rp.ctime).tm_wday == 5
                rp.full = rp.synthetic or not backup.points
                backup.points.append(rp)
                self.restore_points.append(rp)
                self.restore_point_by_id[rp.id] = rp
            chain = self.chains.setdefault((job.id, t.vm), [])
            p = VmRestorePoint(t, self.root_of(job).vm(t.vm), rp, t.etime if t.vrp_id is True else
                               task_restore_point(t)[1])
            p.full = not chain
            chain.append(p)
            rp.vm_points.append(p)
            self.vm_points.append(p)
            self.vm_point_by_id.add(p)
            touched.append(chain)
        if rp is None:
            return
        rp.file = BackupFile(rp)
        self.backup_files.append(rp.file)
        self.backup_file_by_id[rp.file.id] = rp.file
        gone = set()
        for chain in touched:
            while len(chain) > RETENTION_POINTS:
                old = chain.pop(0)
                gone.add(id(old))
                old.rp.vm_points.remove(old)
                self.vm_point_by_id.remove(old)
                chain[0].full = True
                if not old.rp.vm_points:
                    self._remove_restore_point(old.rp)
        if gone:
            self.vm_points[:] = [p for p in self.vm_points if id(p) not in gone]
        for seq, obj in enumerate(self.vm_points):
            obj.seq = seq
        for items in (self.restore_points, self.backup_files):
            for seq, obj in enumerate(items):
                obj.seq = seq
        repo = rp.backup.repository
        repo.size_for(sum(x.file.backup_size for b in repo.backups for x in b.points))

    def set_repository_size(self, ident, free, capacity=None):
        """Set a repository's free space (and capacity), both in bytes, -1 meaning unknown; from then on its
        backups do not change them. ``ident``: its ID or its name (case-insensitive). Returns the repository;
        ValueError on an unknown repository or impossible sizes."""
        wanted = (ident or "").strip().lower()
        found = [r for r in self.repositories if r.id == wanted or r.name.lower() == wanted]
        if not found:
            raise ValueError("no repository with the ID or name %r" % (ident,))
        repo = found[0]
        capacity = repo.capacity if capacity is None else capacity
        if free < -1 or capacity < -1:
            raise ValueError("free and capacity are bytes, or -1 (unknown)")
        if free >= 0 and capacity >= 0 and free > capacity:
            raise ValueError("free (%d) must not exceed capacity (%d)" % (free, capacity))
        repo.capacity, repo.free, repo.pinned = capacity, free, True
        return repo

    def _remove_restore_point(self, rp):
        backup = rp.backup
        backup.points.remove(rp)
        self.restore_points.remove(rp)
        self.restore_point_by_id.pop(rp.id, None)
        self.backup_files.remove(rp.file)
        self.backup_file_by_id.pop(rp.file.id, None)
        if backup.points and not backup.points[0].full:  # the chain's new oldest point becomes its full
            first = backup.points[0]
            first.full = True
            index = self.backup_files.index(first.file)
            self.backup_files[index] = first.file = BackupFile(first)
            self.backup_file_by_id[first.file.id] = first.file

    # ------------------------------------------------------------------ reports
    def latest_states(self):
        """{(root id, vm name): Result of the VM's latest finished task session} over protected jobs."""
        out = {}
        roots = {}  # job id -> its root's ID, "" for jobs of other types
        for t in self.data.task_sessions:  # creation order: the last one wins
            if t.state != "Completed":
                continue
            job = t.session.job
            root = roots.get(job.id)
            if root is None:
                root = roots[job.id] = self.root_of(job).id if job.job_type in PROTECTED_JOB_TYPES else ""
            if root:
                out[(root, t.vm)] = t.result
        return out


class _PointIds(object):
    """{VM restore point ID: point} without storing 300,000 IDs: a derived ID leads to its task session."""

    def __init__(self, points):
        self.by_task = dict((p.task.id, p) for p in points if p.task.vrp_id is True)
        self.explicit = dict((p.id, p) for p in points if p.task.vrp_id is not True)

    def add(self, p):
        if p.task.vrp_id is True:
            self.by_task[p.task.id] = p
        else:
            self.explicit[p.id] = p

    def remove(self, p):
        if self.by_task.get(p.task.id) is p:
            del self.by_task[p.task.id]
        self.explicit.pop(p.id, None)

    def get(self, ident):
        p = self.explicit.get(ident)
        if p is None:
            try:
                p = self.by_task.get(derived_id(ident))
            except ValueError:
                return None
        return p


def _time_id(obj):
    return (obj.ctime, obj.id)


def _default_platform(job):
    if job.state is not None:
        return job.state.platform
    state = default_state(job, time.time) if job.settings is None else state_from_settings(job, job.settings,
                                                                                           time.time)
    return state.platform


def seq_key(obj):
    return obj.seq


def protection_of(data):
    """The Protection of a dataset, once derived (``ensure``), else None."""
    return data.__dict__.get("_protection")


def forget(data):
    """Drop the dataset's Protection (the data changed: derived again when next needed)."""
    data.__dict__.pop("_protection", None)


def ensure(data, exclude=(), platform_of=None):
    """Derive the dataset's Protection once (later calls return the same)."""
    prot = data.__dict__.get("_protection")
    if prot is None:
        prot = data.__dict__["_protection"] = Protection(data, exclude, platform_of)
    return prot


# --------------------------------------------------------------------------- query fields
def _fields(*specs):
    return dict((f.name.lower(), f) for f in specs)


def _server(getter):
    return (Field("BackupServerUid", "uid", lambda o: getter(o).id),
            Field("BackupServerName", "str", lambda o: getter(o).name))


FIELDS = {
    "VmRestorePoint": _fields(
        Field("UID", "uid", lambda p: p.id),
        Field("Name", "str", lambda p: p.name),
        Field("CreationTime", "datetime", lambda p: p.ctime),
        Field("Type", "str", lambda p: p.point_type),
        Field("Algorithm", "str", lambda p: p.algorithm),
        Field("RestorePointId", "uid", lambda p: p.rp.id),
        Field("RestorePointName", "str", lambda p: p.rp.name),
        Field("VmDisplayName", "str", lambda p: p.vm.name),
        *_server(lambda p: p.rp.backup.job.server)),
    "RestorePoint": _fields(
        Field("UID", "uid", lambda rp: rp.id),
        Field("Name", "str", lambda rp: rp.name),
        Field("CreationTime", "datetime", lambda rp: rp.ctime),
        Field("BackupUid", "uid", lambda rp: rp.backup.id),
        Field("BackupName", "str", lambda rp: rp.backup.name),
        *_server(lambda rp: rp.backup.job.server)),
    "ObjectInJob": _fields(
        Field("UID", "uid", lambda i: i.id),
        Field("Name", "str", lambda i: i.name),
        Field("JobUid", "uid", lambda i: i.job.id),
        Field("JobName", "str", lambda i: i.job.name),
        *_server(lambda i: i.job.server)),
    "Repository": _fields(
        Field("UID", "uid", lambda r: r.id),
        Field("Name", "str", lambda r: r.name),
        Field("FreeSpace", "long", lambda r: r.free),
        Field("Capacity", "long", lambda r: r.capacity),
        *_server(lambda r: r.server)),
    "Backup": _fields(
        Field("UID", "uid", lambda b: b.id),
        Field("Name", "str", lambda b: b.name),
        Field("JobUid", "uid", lambda b: b.job.id),
        Field("JobName", "str", lambda b: b.job.name),
        Field("RepositoryUid", "uid", lambda b: b.repository.id),
        Field("RepositoryName", "str", lambda b: b.repository.name),
        Field("Platform", "str", lambda b: b.platform),
        Field("BackupType", "str", lambda b: "Standard")),
    "BackupFile": _fields(
        Field("UID", "uid", lambda f: f.id),
        Field("Name", "str", lambda f: f.name),
        Field("CreationTimeUTC", "datetime", lambda f: f.ctime),
        Field("BackupSize", "long", lambda f: f.backup_size),
        Field("DataSize", "long", lambda f: f.data_size),
        Field("CompressRatio", "double", lambda f: COMPRESS_RATIO),
        Field("FileType", "str", lambda f: f.file_type),
        Field("BackupUid", "uid", lambda f: f.rp.backup.id),
        Field("BackupName", "str", lambda f: f.rp.backup.name),
        *_server(lambda f: f.rp.backup.job.server)),
}
COMPRESS_RATIO = 0.55
DEDUP_RATIO = 1.0
FIELDS_BY_TYPE.update(FIELDS)

# The restore point chain's lists, for the query service and its indexes (index.register_list).
LISTS = {
    "VmRestorePoint": lambda prot: prot.vm_points,
    "RestorePoint": lambda prot: prot.restore_points,
    "ObjectInJob": lambda prot: prot.includes,
    "Repository": lambda prot: prot.repositories,
    "Backup": lambda prot: prot.backups,
    "BackupFile": lambda prot: prot.backup_files,
}
