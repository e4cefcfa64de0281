# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Backup job sessions and backup task sessions: fetch and normalise.

EM entities become flat dicts with stable snake_case keys (documented in
each module's RETURN).  Both shapes are understood: the archive one (9399,
``CreationTimeUTC``/``EndTimeUTC``) and the current one (9398,
``CreationTime``/``EndTime``).  Times come out as ISO 8601 UTC ending in
``Z``; a session that has not ended has ``end_time`` null.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.backupops.veeam_em.plugins.module_utils import _entities
from ansible_collections.backupops.veeam_em.plugins.module_utils import _query
from ansible_collections.backupops.veeam_em.plugins.module_utils import _times
from ansible_collections.backupops.veeam_em.plugins.module_utils import _xml
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError

JOB_SESSION = "BackupJobSession"
TASK_SESSION = "BackupTaskSession"

# EM's vocabulary, in the order the EM reference documents (and compares) the values. This is
# its one home: modules, the filter plugins, the roles (through the em_vocabulary filter) and
# the tests read it from here.
# The state of a session that has ended.
STOPPED = "Stopped"
SESSION_STATES = ("Starting", "Stopping", "Working", "Pausing", "Resuming", STOPPED)
# A session that has not ended (what a report calls running); Stopping is still running.
ACTIVE_STATES = tuple(state for state in SESSION_STATES if state != STOPPED)
# A session that can still be asked to stop (a Stopping one already was).
STOPPABLE_STATES = tuple(state for state in ACTIVE_STATES if state != "Stopping")
TASK_STATES = ("InProgress", "Pending", "Completed")
# The result of a session that failed (what a gate fails on by default).
FAILED = "Failed"
RESULTS = ("Success", "Warning", FAILED, "None")
PROBLEM_RESULTS = ("Warning", FAILED)
# What a session that ended has as its result (None: still running, or EM never set one).
OUTCOMES = tuple(result for result in RESULTS if result != "None")
JOB_TYPES = ("Backup", "BackupCopy", "ImmediateBackupCopy", "ImmediateBackupCopyWorker",
             "AgentBackup", "AgentManagement", "NasBackup")
# The states of an EM task (GET /tasks/{ID}): OperationFinished is done on the backup server, not yet
# collected by EM; a task that failed says so in its Result (Success="false") in either of the last two.
EM_TASK_STATES = ("Running", "OperationFinished", "Finished")
# The types of a Job entity (GET /query?type=Job), which differ from a session's JobType above.
# A backup job: the jobs whose VMs have restore points (the RPO view).
BACKUP = "Backup"
JOB_ENTITY_TYPES = (BACKUP, "BackupCopy", "ImmediateBackupCopy", "Replica")
# The job types started with action=sync instead of action=start (post_jobs_id_actionsync).
COPY_JOB_TYPES = ("BackupCopy", "ImmediateBackupCopy")
VOCABULARY = {
    "session_states": SESSION_STATES, "active_states": ACTIVE_STATES, "stoppable_states": STOPPABLE_STATES,
    "task_states": TASK_STATES, "results": RESULTS, "problem_results": PROBLEM_RESULTS, "outcomes": OUTCOMES,
    "job_types": JOB_TYPES,
}
SORT_CHOICES = ("newest_first", "oldest_first")
# Asking for task sessions by time, the range of their job sessions is widened by this much on each
# side: a task session lies within its job session, but times EM writes with fractions of a second
# are compared to the second, and a lost row would go unnoticed (a few more rows are dropped by the join).
TASK_RANGE_MARGIN = datetime.timedelta(minutes=5)

# The include_links option of the info modules (doc fragment backupops.veeam_em.links).
LINKS_ARGUMENT_SPEC = dict(include_links=dict(type="bool", default=False))


# -- normalisers ----------------------------------------------------------
def job_session(node, links=False):
    """A BackupJobSession entity (or reference) as the module's return dict; ``links`` adds its links."""
    text = _xml.text
    found_links = _xml.links(node)
    job = _entities.links_by_type(found_links, "Up").get("JobReference") or {}
    server_id, server_name = _entities.backup_server(found_links)
    job_uid = text(node, "JobUid")
    job_id = _query.last_segment(job_uid) or _query.last_segment(job.get("href"))
    if job_uid is None and job_id:
        job_uid = _query.make_uid("Job", job_id)
    entry = _entities.identity(node)
    entry.update({
        "job_id": job_id,
        "job_uid": job_uid,
        "job_name": text(node, "JobName") or job.get("name") or _entities.before_at(entry["name"]),
        "job_type": text(node, "JobType"),
        "backup_server_id": server_id,
        "backup_server_name": server_name,
        "creation_time": _entities.time(node, "CreationTimeUTC", "CreationTime"),
        "end_time": _entities.time(node, "EndTimeUTC", "EndTime"),
        "state": text(node, "State"),
        "result": text(node, "Result"),
        "progress": _entities.integer(text(node, "Progress")),
        "is_retry": _entities.boolean(text(node, "IsRetry")),
    })
    return _entities.with_links(entry, found_links, links)


def task_session(node, links=False):
    """A BackupTaskSession entity as the module's return dict; ``links`` adds its links."""
    text = _xml.text
    found_links = _xml.links(node)
    parent = _entities.links_by_type(found_links, "Up").get("BackupJobSessionReference") or {}
    job_session_uid = text(node, "JobSessionUid")
    if job_session_uid is None and parent.get("href"):
        job_session_uid = _query.make_uid(JOB_SESSION, _query.last_segment(parent["href"]))
    entry = _entities.identity(node)
    entry.update({
        "vm_name": node.get("VmDisplayName") or text(node, "VmDisplayName") or _entities.before_at(entry["name"]),
        "job_session_id": _query.last_segment(job_session_uid),
        "job_session_uid": job_session_uid,
        "job_name": text(node, "JobName") or _entities.before_at(parent.get("name")),
        "creation_time": _entities.time(node, "CreationTimeUTC", "CreationTime"),
        "end_time": _entities.time(node, "EndTimeUTC", "EndTime"),
        "state": text(node, "State"),
        "result": text(node, "Result"),
        "reason": text(node, "Reason"),
        "total_size": _entities.integer(text(node, "TotalSize")),
    })
    return _entities.with_links(entry, found_links, links)


def summary(items, states):
    """``{total, by_result, by_state}``; every known value present, zero or not."""
    by_result = dict((value, 0) for value in RESULTS)
    by_state = dict((value, 0) for value in states)
    for item in items:
        result = item.get("result") or "None"
        by_result[result] = by_result.get(result, 0) + 1
        if item.get("state"):
            by_state[item["state"]] = by_state.get(item["state"], 0) + 1
    return {"total": len(items), "by_result": by_result, "by_state": by_state}


# -- the questions: one declaration per query type ------------------------
JOB_SESSIONS = _query.Query(JOB_SESSION, job_session, what="sessions", options=(
    _query.Names("job_uid", "JobUid", "job_uid"),
    _query.Names("job_name", "JobName", "job_name", by_uid=("Job", "job_uid")),
    _query.Values("job_type", "JobType", "job_type"),
    _query.Values("state", "State", "state"),
    _query.Other("not_state", "State", "state"),
    _query.Values("result", "Result", "result"),
    _query.Since("created_after", "CreationTime", "creation_time"),
    _query.Until("created_before", "CreationTime", "creation_time"),
    _query.Since("ended_after", "EndTime", "end_time", unset_matches=False),
    _query.OneName("backup_server", "BackupServerName", "backup_server_name"),
    _query.Flag("is_retry", "IsRetry", "is_retry"),
), ranges=(("created_after", "created_before"),))

TASK_SESSIONS = _query.Query(TASK_SESSION, task_session, what="task sessions", options=(
    _query.Uid("job_session_id", "JobSessionUid", "job_session_id", JOB_SESSION),
    _query.Names("job_session_uid", "JobSessionUid", "job_session_uid"),
    _query.Names("job_name", "JobName", "job_name"),
    _query.Names("vm_name", "VmDisplayName", "vm_name"),
    _query.Values("state", "State", "state"),
    _query.Values("result", "Result", "result"),
    _query.Since("created_after", "CreationTime", "creation_time"),
    _query.Until("created_before", "CreationTime", "creation_time"),
    # em_backup_session_info's filter of the task sessions it attaches
    _query.Values("task_session_result", "Result", "result"),
), ranges=(("created_after", "created_before"),))


# -- fetching -------------------------------------------------------------
def get_job_session(client, session_id, links=False):
    """GET /backupSessions/{id}?format=Entity; None when EM does not know it."""
    node = _entities.get(client, "/backupSessions/%s" % session_id, JOB_SESSION)
    return job_session(node, links) if node is not None else None


def get_task_session(client, task_session_id, links=False):
    """GET /backupTaskSessions/{id}?format=Entity; None when EM does not know it."""
    node = _entities.get(client, "/backupTaskSessions/%s" % task_session_id, TASK_SESSION)
    return task_session(node, links) if node is not None else None


def by_id(client, kind, params):
    """[the job or task session of option ``id``], or [] when EM has none with exactly that id."""
    item_id = _query.parse_id(params["id"], kind)
    get = get_job_session if kind == JOB_SESSION else get_task_session
    item = get(client, item_id, params["include_links"])
    return [item] if item and item["id"] == item_id else []


def query_job_sessions(client, question, newest_first=True, limit=None, latest_per_job=False, links=False):
    """The job sessions that ``question`` (of JOB_SESSIONS) asks for, sorted by creation time, checked.

    A session that fails the question's checks is left out with a warning. ``latest_per_job`` reads
    newest first and keeps each job's first session; with the question's ``job_name`` it stops
    reading as soon as every named job has been seen, with ``limit`` once that many jobs are found.
    """
    if not latest_per_job:
        return question.items(client, newest_first=newest_first, limit=limit, links=links)
    sessions = question.latest(client, lambda session: session["job_uid"] or session["job_name"], names="job_name",
                               limit=limit, links=links)
    if not newest_first:
        sessions.reverse()
    return sessions


# em_backup_session_info's options without a value: what find_job_sessions assumes for a key it is not given
JOB_SESSION_QUERY = dict(id=None, job_name=None, job_type=None, state=None, result=None, created_after=None,
                         created_before=None, ended_after=None, backup_server=None, is_retry=None, latest_per_job=False,
                         sort="newest_first", limit=None, include_task_sessions=False, task_session_result=None,
                         include_links=False)
# the options of em_backup_session_info that are filters of JOB_SESSIONS
JOB_SESSION_FILTERS = ("job_name", "job_type", "state", "result", "created_after", "created_before", "ended_after",
                       "backup_server", "is_retry")


def find_job_sessions(client, params, warn_unknown=True):
    """The job sessions that em_backup_session_info's options ``params`` ask for, checked on the client.

    ``params`` may leave out keys of ``JOB_SESSION_QUERY``. ``warn_unknown``: warn about job names
    of which EM has no session at all (a caller that asks several questions warns once, itself).
    """
    params = dict(JOB_SESSION_QUERY, **params)
    links = params["include_links"]
    _query.check_limit(params["limit"])
    if params["task_session_result"] and not params["include_task_sessions"]:
        raise VeeamEmError("task_session_result filters the task sessions of include_task_sessions: "
                           "set include_task_sessions: true, or leave task_session_result out")
    if params["id"] is not None:  # an empty id is a bad id, not "no id"
        sessions = by_id(client, JOB_SESSION, params)
    else:
        question = JOB_SESSIONS.ask(**dict((name, params[name]) for name in JOB_SESSION_FILTERS))
        sessions = query_job_sessions(client, question, newest_first=params["sort"] == "newest_first",
                                      limit=params["limit"], latest_per_job=params["latest_per_job"], links=links)
        if warn_unknown:
            warn_unknown_job_names(client, question.value("job_name"), sessions)
    if params["include_task_sessions"] and sessions:
        attach_task_sessions(client, sessions, links, params["task_session_result"])
    return sessions


def warn_unknown_job_names(client, job_names, sessions):
    """Warn about option job_name's names that no session has and EM knows no session of; returns those names."""
    return JOB_SESSIONS.warn_unknown(client, "job_name", job_names, sessions, "session of a job")


def attach_task_sessions(client, sessions, links=False, results=None):
    """Set ``task_sessions`` on each job session, in as few requests as return the same rows.

    ``results``: only task sessions with these results.  The task sessions come
    from ``task_sessions_of`` and are joined here on their JobSessionUid, oldest first.
    """
    by_uid = {}
    for session in sessions:
        session["task_sessions"] = []
        if session["uid"]:
            by_uid.setdefault(session["uid"].lower(), session)
    for task in task_sessions_of(client, list(by_uid.values()), results, links):
        owner = by_uid.get((task["job_session_uid"] or "").lower())
        if owner is not None:
            owner["task_sessions"].append(task)
    return sessions


def task_sessions_of(client, sessions, results=None, links=False):
    """Task sessions of ``sessions`` (a superset: the caller joins on JobSessionUid), oldest first, checked.

    Two ways to ask, both sorted by CreationTime ascending:

    - by UID: one query per ``UID_CHUNK`` sessions, an OR of ``JobSessionUid==``;
      the requests grow with the sessions;
    - by time: one query on the range the task sessions lie in (a task session
      is created after its job session was and before it ended), which also
      returns other sessions' task sessions; the requests grow with its pages.

    With more than one chunk, page 1 of the time range is asked for first: when
    its PagesCount is not more than the chunks, its other pages follow,
    otherwise the chunks are asked for.  So the requests are at most
    min(pages of the time range, chunks + 1), and always one with one chunk.
    """
    chunks = list(_query.chunks([session["uid"] for session in sessions]))
    span = _task_time_range(sessions) if len(chunks) > 1 else None
    if span is not None:
        question = TASK_SESSIONS.ask(created_after=span[0], created_before=span[1], task_session_result=results)
        first = question.first_page(client, newest_first=False)
        pages = _xml.pages_count(first)
        if pages is not None and pages <= len(chunks):
            return _read_all(client, question, links, first)
    tasks = []
    for chunk in chunks:
        tasks += _read_all(client, TASK_SESSIONS.ask(job_session_uid=chunk, task_session_result=results), links)
    return tasks


def _read_all(client, question, links, first=None):
    """Every task session ``question`` returns, oldest first, checked (page 1 may be read already)."""
    raw = question.nodes(client, newest_first=False, first=first)
    try:
        return question.keep([task_session(node, links) for node in raw], client.warnings)
    finally:
        raw.close()


def _task_time_range(sessions):
    """(first creation, last end) of the sessions, widened by TASK_RANGE_MARGIN; end None when one is running.

    None when a time is missing or unreadable (the caller asks by UID).
    """
    try:
        created = [_times.iso(session["creation_time"], "creation_time") for session in sessions]
        ends = [session["end_time"] for session in sessions]
        ended = None if None in ends else max(_times.iso(end, "end_time") for end in ends)
        return min(created) - TASK_RANGE_MARGIN, ended + TASK_RANGE_MARGIN if ended else None
    except (KeyError, TypeError, OverflowError, VeeamEmError):
        return None


def is_stoppable(session):
    return session.get("state") in STOPPABLE_STATES
