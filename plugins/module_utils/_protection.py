# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Protection: VM restore points, repositories, what the jobs include, and the RPO view joining them.

EM entities become flat dicts with stable snake_case keys (documented in the RETURN of
em_vm_restore_point_info, em_repository_info and em_protection_info). EM writes shapes one would
not guess, and both are read: a VM restore point's time is ``CreationTimeUTC`` (the query field is
``CreationTime``), its VM is in its ``Name`` (``vm@2026-12-05 22:14:03``) and its
``HierarchyObjRef``; the ``ObjectInJob`` query answers ``<Resources><sInObjectJob>`` whatever format
asks; a repository whose size EM does not know says ``-1``, which becomes null (unknown), never a
negative size or a 0 % that would trip or hide an alert.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.backupops.veeam_em.plugins.module_utils import _entities
from ansible_collections.backupops.veeam_em.plugins.module_utils import _jobs
from ansible_collections.backupops.veeam_em.plugins.module_utils import _query
from ansible_collections.backupops.veeam_em.plugins.module_utils import _sessions
from ansible_collections.backupops.veeam_em.plugins.module_utils import _times
from ansible_collections.backupops.veeam_em.plugins.module_utils import _verify
from ansible_collections.backupops.veeam_em.plugins.module_utils import _xml
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError

VM_RESTORE_POINT = "VmRestorePoint"
REPOSITORY = "Repository"
OBJECT_IN_JOB = "ObjectInJob"
# The statuses of a VM in the RPO view.
PROTECTED, BREACHED, UNPROTECTED = "protected", "breached", "unprotected"
PROTECTION_STATUSES = (PROTECTED, BREACHED, UNPROTECTED)


# The recovery point objectives the options accept: a minute to a leap year.
RPO_RANGE = (60, 366 * 86400)


def rpo_seconds(value, option="rpo"):
    """An RPO option (a length such as ``24h``; a bare number refused) -> seconds, checked against RPO_RANGE."""
    seconds = _times.length(value, option)
    _query.check_range(seconds, option, RPO_RANGE[0], RPO_RANGE[1])
    return seconds


def percent(value, option):
    """A free-space threshold option in percent (None: not set), from 0 to 100."""
    if value is not None and not 0 <= value <= 100:
        raise VeeamEmError("%s must be a percentage from 0 to 100; got %s" % (option, value))
    return value


# -- normalisers ----------------------------------------------------------
def vm_restore_point(node, links=False):
    """A VmRestorePoint entity as the module's return dict; ``links`` adds its links."""
    text = _xml.text
    found_links = _xml.links(node)
    parent = _entities.links_by_type(found_links, "Up").get("RestorePointReference") or {}
    server_id, server_name = _entities.backup_server(found_links)
    entry = _entities.identity(node)
    entry.update({
        "vm_name": text(node, "VmName") or _entities.before_at(entry["name"]),
        "vm_ref": text(node, "HierarchyObjRef"),
        "creation_time": _entities.time(node, "CreationTimeUTC", "CreationTimeUtc", "CreationTime"),
        "type": text(node, "PointType") or text(node, "Type"),
        "algorithm": text(node, "Algorithm"),
        "restore_point_id": _query.last_segment(parent.get("href")),
        "backup_server_id": server_id,
        "backup_server_name": server_name,
    })
    return _entities.with_links(entry, found_links, links)


def _size(value):
    """EM's size in bytes; -1 (EM's "unknown") and anything unreadable or negative become None."""
    size = _entities.integer(value)
    return size if size is not None and size >= 0 else None


def repository(node, links=False):
    """A Repository entity as the module's return dict; sizes EM does not know (-1) are null."""
    text = _xml.text
    found_links = _xml.links(node)
    server_id, server_name = _entities.backup_server(found_links)
    capacity, free = _size(text(node, "Capacity")), _size(text(node, "FreeSpace"))
    known = capacity is not None and free is not None and capacity > 0
    entry = _entities.identity(node)
    entry.update({
        "kind": text(node, "Kind"),
        "capacity_bytes": capacity,
        "free_bytes": free,
        "used_bytes": capacity - free if known else None,
        "free_percent": round(100.0 * free / capacity, 1) if known else None,
        "backup_server_id": server_id,
        "backup_server_name": server_name,
    })
    return _entities.with_links(entry, found_links, links)


def object_in_job(node, links=False):
    """An ObjectInJob (what a job includes: a VM or a container such as a folder) as a dict."""
    text = _xml.text
    found_links = _xml.links(node)
    job = _entities.links_by_type(found_links, "Up").get("Job") or {}
    ref = text(node, "HierarchyObjRef")
    job_id = _query.last_segment(_entities.plain_href(job.get("href")))
    entry = {
        "id": text(node, "ObjectInJobId"),
        "name": text(node, "Name") or text(node, "DisplayName"),
        "display_name": text(node, "DisplayName"),
        "vm_ref": ref,
        "object_type": ref_type(ref),
        "job_id": job_id,
        "job_uid": _query.make_uid("Job", job_id) if job_id else None,
        "job_name": job.get("name"),
    }
    return _entities.with_links(entry, found_links, links)


def ref_type(ref):
    """``urn:VMware:Vm:...`` -> ``Vm``; ``urn:VMware:Folder:...`` -> ``Folder``; None when EM gives no ref."""
    parts = (ref or "").split(":")
    return parts[2] if len(parts) > 3 and parts[0].lower() == "urn" else None


def is_vm(include):
    """Whether an include is a VM (not a container: folder, host, cluster, tag, ...)."""
    kind = include["object_type"]
    return kind is None or kind.lower() == "vm"


# -- the questions: one declaration per query type ------------------------
VM_RESTORE_POINTS = _query.Query(VM_RESTORE_POINT, vm_restore_point, what="VM restore points", options=(
    _query.Names("vm_name", "VmDisplayName", "vm_name"),
    _query.OneName("backup_server", "BackupServerName", "backup_server_name"),
    _query.Since("created_after", "CreationTime", "creation_time"),
    _query.Until("created_before", "CreationTime", "creation_time"),
), ranges=(("created_after", "created_before"),))

REPOSITORIES = _query.Query(REPOSITORY, repository, what="repositories", sort="Name", descending=False, options=(
    _query.Names("name", "Name", "name"),
    _query.OneName("backup_server", "BackupServerName", "backup_server_name"),
))

OBJECTS_IN_JOB = _query.Query(OBJECT_IN_JOB, object_in_job, what="job includes", sort="JobName", descending=False,
                              options=(
                                  _query.Names("job_uid", "JobUid", "job_uid"),
                                  _query.Names("name", "Name", "name"),
                              ))


# -- the RPO view ---------------------------------------------------------
def vm_key(item):
    """A VM as EM identifies it: its HierarchyObjRef; by server and name where EM gives no ref."""
    if item.get("vm_ref"):
        return item["vm_ref"].lower()
    return ("name", (item.get("backup_server_name") or "").casefold(), (item.get("vm_name") or "").casefold())


def included(client, jobs, vm_names=None):
    """(VMs, containers) the backup ``jobs`` include: one ObjectInJob query per 40 jobs.

    A VM included by several jobs is one VM (its HierarchyObjRef) with all their names in ``job_names``.
    """
    by_uid = dict((job["uid"].lower(), job) for job in jobs if job["uid"])
    vms, containers = {}, []
    for chunk in _query.chunks(sorted(set(job["uid"] for job in jobs if job["uid"]))):  # as EM wrote them
        for include in OBJECTS_IN_JOB.ask(job_uid=chunk, name=vm_names).items(client):
            job = by_uid.get((include["job_uid"] or "").lower(), {})
            server = job.get("backup_server_name")
            if not is_vm(include):
                containers.append({"name": include["name"], "object_type": include["object_type"],
                                   "vm_ref": include["vm_ref"], "job_names": [job.get("name")],
                                   "backup_server_name": server})
                continue
            vm = {"vm_name": include["name"], "vm_ref": include["vm_ref"], "backup_server_name": server}
            entry = vms.setdefault(vm_key(vm), dict(vm, job_names=[]))
            if job.get("name") not in entry["job_names"]:
                entry["job_names"].append(job.get("name"))
    return vms, containers


def attach_latest_points(client, vms, rpo_start, backup_server=None, vm_names=None):
    """Set ``point`` on each VM of ``vms`` (keyed by ``vm_key``) to its newest restore point.

    The points of the RPO window come in one query (newest first); then only the VMs not seen in it
    are asked for, by backup server and name (40 a query, newest first, read until each was seen),
    for their newest point ever. A point is joined to its VM on its HierarchyObjRef, or on server and
    name where either side has no ref.
    """
    by_name = dict((vm_key(dict(vm, vm_ref=None)), vm) for vm in vms.values())

    def take(points):
        for point in points:
            vm = vms.get(vm_key(point)) or by_name.get(vm_key(dict(point, vm_ref=None)))
            if vm is not None and vm.get("point") is None:
                vm["point"] = point

    take(VM_RESTORE_POINTS.ask(created_after=rpo_start, backup_server=backup_server, vm_name=vm_names)
         .latest(client, vm_key))
    unseen = {}
    for vm in vms.values():
        if vm.get("point") is None:
            unseen.setdefault(vm["backup_server_name"] or backup_server, set()).add(vm["vm_name"])
    for server in sorted(unseen, key=lambda name: name or ""):
        # one backup server's VMs a query: a name there is one VM, so reading stops once each was seen
        for chunk in _query.chunks(sorted(unseen[server])):
            take(VM_RESTORE_POINTS.ask(vm_name=chunk, backup_server=server).latest(client, vm_key, names="vm_name"))


def attach_last_task_sessions(client, vms):
    """Set ``task`` on each VM to its newest task session (why it is not protected), by name, 40 VMs a query."""
    for chunk in _query.chunks(sorted(set(vm["vm_name"] for vm in vms))):
        newest = dict(((task["vm_name"] or "").casefold(), task) for task in _sessions.TASK_SESSIONS.ask(
            vm_name=chunk).latest(client, lambda t: (t["vm_name"] or "").casefold(), names="vm_name"))
        for vm in vms:
            vm["task"] = vm.get("task") or newest.get(vm["vm_name"].casefold())


def vm_status(vm, now, rpo_seconds):
    """The RPO view's item of one VM."""
    point = vm.get("point")
    age = int((now - _times.iso(point["creation_time"], "creation_time")).total_seconds()) if point else None
    status = UNPROTECTED if point is None else PROTECTED if age <= rpo_seconds else BREACHED
    return {"vm_name": vm["vm_name"], "vm_ref": vm["vm_ref"], "backup_server_name": vm["backup_server_name"],
            "job_names": sorted(name for name in vm["job_names"] if name), "status": status,
            "latest_restore_point_time": point["creation_time"] if point else None,
            "latest_restore_point_id": point["id"] if point else None, "age_seconds": age}


def protection(client, rpo_seconds, vm_names=None, job_names=None, backup_server=None, now=None, warned=()):
    """The RPO view: every VM the backup jobs include, its newest restore point, and whether it is
    younger than ``rpo_seconds``; containers listed apart; ``summary`` of the statuses.

    ``warned``: job names already warned about (the report's own warning): not warned about twice."""
    now = (now or _times.utcnow()).replace(microsecond=0)
    jobs = _jobs.query_jobs(client, _jobs.JOBS.ask(name=job_names, job_type=[_sessions.BACKUP],
                                                   backup_server=backup_server))
    warn_missing(client, "job_name", [name for name in job_names or () if name not in warned] or None,
                 [job["name"] for job in jobs], "backup job")
    vms, containers = included(client, jobs, vm_names)
    warn_missing(client, "vm_name", vm_names, [vm["vm_name"] for vm in vms.values()], "VM included in a backup job")
    if vms:
        attach_latest_points(client, vms, now - datetime.timedelta(seconds=rpo_seconds), backup_server, vm_names)
    items = [vm_status(vm, now, rpo_seconds) for vm in vms.values()]
    not_protected = [item for item in items if item["status"] != PROTECTED]
    attach_last_task_sessions(client, not_protected)
    for item in items:
        task = item.pop("task", None)
        item["last_result"], item["last_reason"] = (task["result"], task["reason"]) if task else (None, None)
    items.sort(key=lambda item: (item["vm_name"].casefold(), item["backup_server_name"] or ""))
    summary = dict((status, sum(1 for item in items if item["status"] == status)) for status in PROTECTION_STATUSES)
    summary.update(total=len(items), rpo_seconds=rpo_seconds)
    return {"vms": items, "containers": containers, "summary": summary}


def warn_missing(client, option, requested, found, what):
    """Warn about requested names that nothing found has (a typo, or a name that is not what it seems)."""
    for name in _verify.missing_names(requested, found):
        client.warnings.append("%s %r: Enterprise Manager has no %s of that name; check the spelling (%s)"
                               % (option, name, what, _verify.NAMES_HINT))


def repository_summary(repositories):
    """Counts and sizes over repositories; those of unknown size are counted apart, never as 0."""
    known = [r for r in repositories if r["capacity_bytes"] is not None and r["free_bytes"] is not None]
    return {"total": len(repositories), "unknown_capacity": len(repositories) - len(known),
            "capacity_bytes": sum(r["capacity_bytes"] for r in known), "free_bytes": sum(r["free_bytes"] for r in known)}


def free_below(repo, percent):
    """Whether the repository's free space is below ``percent`` of its capacity (exact, not the rounded
    ``free_percent``); a repository of unknown size never is."""
    if repo["free_percent"] is None:
        return False
    return repo["free_bytes"] * 100.0 < percent * repo["capacity_bytes"]
