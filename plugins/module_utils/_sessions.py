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
import itertools

from ansible_collections.backupops.veeam_em.plugins.module_utils import _query
from ansible_collections.backupops.veeam_em.plugins.module_utils import _verify
from ansible_collections.backupops.veeam_em.plugins.module_utils import _xml
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError

JOB_SESSION = "BackupJobSession"
TASK_SESSION = "BackupTaskSession"

# EM's vocabulary, in the order the EM reference documents (and compares) the values. This is
# its one home: modules, the filter plugins, the roles (through the em_vocabulary filter) and
# the tests read it from here.
SESSION_STATES = ("Starting", "Stopping", "Working", "Pausing", "Resuming", "Stopped")
# A session that has not ended (what a report calls running); Stopping is still running.
ACTIVE_STATES = tuple(state for state in SESSION_STATES if state != "Stopped")
# A session that can still be asked to stop (a Stopping one already was).
STOPPABLE_STATES = tuple(state for state in ACTIVE_STATES if state != "Stopping")
TASK_STATES = ("InProgress", "Pending", "Completed")
RESULTS = ("Success", "Warning", "Failed", "None")
PROBLEM_RESULTS = ("Warning", "Failed")
# What a session that ended has as its result (None: still running, or EM never set one).
OUTCOMES = tuple(result for result in RESULTS if result != "None")
JOB_TYPES = ("Backup", "BackupCopy", "ImmediateBackupCopy", "ImmediateBackupCopyWorker",
             "AgentBackup", "AgentManagement", "NasBackup")
# The types of a Job entity (GET /query?type=Job), which differ from a session's JobType above.
JOB_ENTITY_TYPES = ("Backup", "BackupCopy", "ImmediateBackupCopy", "Replica")
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


# -- value helpers --------------------------------------------------------
def _plain_href(href):
    """Href without its query string (``?format=Entity``)."""
    return href.split("?", 1)[0] if href else None


def _time(node, *names):
    """First present time element, as ISO 8601 UTC with ``Z``; None when unset.

    EM writes a not-yet-ended time as an empty element or a placeholder
    date before 1970; both become None.
    """
    for name in names:
        value = _xml.text(node, name)
        if value:
            return _time_value(value, name)
    return None


def _time_value(value, name):
    """One non-empty time text normalised (see ``_time``): parsed, then formatted."""
    try:
        moment = _query.parse_iso_time(value, name)
    except VeeamEmError:  # an unreadable time is reported as EM sent it
        return value
    if moment.year < 1971:
        return None
    return _query.format_time(moment)


def _int(value):
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _bool(value):
    if value is None:
        return None
    return value.strip().lower() == "true"


def _links_by_type(links, rel):
    """``{type: link}``: the first link of each type with relation ``rel``."""
    found = {}
    for link in links:
        if link["rel"] == rel and link["type"] not in found:
            found[link["type"]] = link
    return found


def _before_at(name):
    """``Fileserver Backup@2014-10-19 05:22:52`` -> ``Fileserver Backup``."""
    return name.rsplit("@", 1)[0] if name and "@" in name else None


# -- normalisers ----------------------------------------------------------
def _identity(node):
    """id, uid, name and href of an entity or reference (id from the UID, else the Href)."""
    uid = node.get("UID")
    href = _plain_href(node.get("Href"))
    return {"id": _query.last_segment(uid) or _query.last_segment(href), "uid": uid, "name": node.get("Name"), "href": href}


def job_session(node, links=False):
    """A BackupJobSession entity (or reference) as the module's return dict; ``links`` adds its links."""
    text = _xml.text
    found_links = _xml.links(node)
    up = _links_by_type(found_links, "Up")
    server = up.get("BackupServerReference") or {}
    job = up.get("JobReference") or {}
    job_uid = text(node, "JobUid")
    job_id = _query.last_segment(job_uid) or _query.last_segment(job.get("href"))
    if job_uid is None and job_id:
        job_uid = _query.make_uid("Job", job_id)
    entry = _identity(node)
    entry.update({
        "job_id": job_id,
        "job_uid": job_uid,
        "job_name": text(node, "JobName") or job.get("name") or _before_at(entry["name"]),
        "job_type": text(node, "JobType"),
        "backup_server_id": _query.last_segment(server.get("href")),
        "backup_server_name": server.get("name"),
        "creation_time": _time(node, "CreationTimeUTC", "CreationTime"),
        "end_time": _time(node, "EndTimeUTC", "EndTime"),
        "state": text(node, "State"),
        "result": text(node, "Result"),
        "progress": _int(text(node, "Progress")),
        "is_retry": _bool(text(node, "IsRetry")),
    })
    if links:
        entry["links"] = found_links
    return entry


def task_session(node, links=False):
    """A BackupTaskSession entity as the module's return dict; ``links`` adds its links."""
    text = _xml.text
    found_links = _xml.links(node)
    parent = _links_by_type(found_links, "Up").get("BackupJobSessionReference") or {}
    job_session_uid = text(node, "JobSessionUid")
    if job_session_uid is None and parent.get("href"):
        job_session_uid = _query.make_uid(JOB_SESSION, _query.last_segment(parent["href"]))
    entry = _identity(node)
    entry.update({
        "vm_name": node.get("VmDisplayName") or text(node, "VmDisplayName") or _before_at(entry["name"]),
        "job_session_id": _query.last_segment(job_session_uid),
        "job_session_uid": job_session_uid,
        "job_name": text(node, "JobName") or _before_at(parent.get("name")),
        "creation_time": _time(node, "CreationTimeUTC", "CreationTime"),
        "end_time": _time(node, "EndTimeUTC", "EndTime"),
        "state": text(node, "State"),
        "result": text(node, "Result"),
        "reason": text(node, "Reason"),
        "total_size": _int(text(node, "TotalSize")),
    })
    if links:
        entry["links"] = found_links
    return entry


def em_task(node, session_id=None):
    """An EM Task (answer of a stop request, or GET /tasks/{id}) as a dict; ``node`` None: an empty answer."""
    result = node.find("Result") if node is not None else None
    href = node.get("Href") if node is not None else None
    return {
        "task_id": _xml.text(node, "TaskId") or _query.last_segment(_plain_href(href)),
        "state": _xml.text(node, "State"),
        "operation": _xml.text(node, "Operation"),
        "success": _bool(result.get("Success")) if result is not None else None,
        "message": _xml.text(result, "Message"),
        "session_id": session_id,
    }


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


# -- fetching -------------------------------------------------------------
def _get_entity(client, path, item):
    """GET ``path?format=Entity``: the ``item`` element, or None when EM does not know it."""
    doc = client.get(path, [("format", "Entity")], not_found_ok=True)
    if doc is None:
        return None
    nodes = _xml.entities(doc, item) if doc.tag != item else [doc]
    return nodes[0] if nodes else None


def get_job_session(client, session_id, links=False):
    """GET /backupSessions/{id}?format=Entity; None when EM does not know it."""
    node = _get_entity(client, "/backupSessions/%s" % session_id, JOB_SESSION)
    return job_session(node, links) if node is not None else None


def get_task_session(client, task_session_id, links=False):
    """GET /backupTaskSessions/{id}?format=Entity; None when EM does not know it."""
    node = _get_entity(client, "/backupTaskSessions/%s" % task_session_id, TASK_SESSION)
    return task_session(node, links) if node is not None else None


def by_id(client, kind, params):
    """[the job or task session of option ``id``], or [] when EM has none with exactly that id."""
    item_id = _query.parse_id(params["id"], kind)
    get = get_job_session if kind == JOB_SESSION else get_task_session
    item = get(client, item_id, params["include_links"])
    return [item] if item and item["id"] == item_id else []


def query_job_sessions(client, filter_expr, newest_first=True, limit=None, latest_per_job=False, job_names=None,
                       links=False, keep=None):
    """Job sessions matching a server-side filter, sorted by creation time.

    ``keep`` (a ``_verify.Checks``) checks each session on the client; one
    that fails is left out (the caller warns).  ``latest_per_job`` reads
    newest first and keeps each job's first session; with ``job_names`` it
    stops reading as soon as every named job has been seen, with ``limit``
    once that many jobs are found.
    """
    keep = keep or _everything
    if not latest_per_job:
        raw = _query.iterate(client, JOB_SESSION, filter_expr, descending=newest_first, limit=limit)
        return [job_session(node, links) for node in itertools.islice(raw, limit)]
    wanted = set(name.casefold() for name in job_names or ())
    seen = {}
    for node in _query.iterate(client, JOB_SESSION, filter_expr, descending=True):
        session = job_session(node, links)
        key = session["job_uid"] or session["job_name"]
        if key in seen or not keep(session):
            continue
        seen[key] = session
        wanted.discard((session["job_name"] or "").casefold())
        if (limit and len(seen) >= limit) or (job_names and not wanted):
            break
    sessions = list(seen.values())
    if not newest_first:
        sessions.reverse()
    return sessions


# em_backup_session_info's options without a value: what find_job_sessions assumes for a key it is not given
JOB_SESSION_QUERY = dict(id=None, job_name=None, job_type=None, state=None, result=None, created_after=None,
                         created_before=None, ended_after=None, backup_server=None, is_retry=None, latest_per_job=False,
                         sort="newest_first", limit=None, include_task_sessions=False, task_session_result=None,
                         include_links=False)


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
    job_names = _verify.names(params["job_name"], "job_name")
    if params["id"] is not None:  # an empty id is a bad id, not "no id"
        sessions = by_id(client, JOB_SESSION, params)
    else:
        flt, checks = job_session_filter(params, job_names)
        sessions = checks.keep(query_job_sessions(
            client, flt, newest_first=params["sort"] == "newest_first", limit=params["limit"],
            latest_per_job=params["latest_per_job"], job_names=job_names, links=links, keep=checks),
            "sessions", client.warnings)
        if warn_unknown:
            warn_unknown_job_names(client, job_names, sessions)
    if params["include_task_sessions"] and sessions:
        attach_task_sessions(client, sessions, links, params["task_session_result"])
    return sessions


def job_session_filter(params, job_names):
    """The server-side filter of the options and the same as client-side checks (validated: fails before any request)."""
    after, before = _query.created_range(params)
    backup_servers = [params["backup_server"]] if params["backup_server"] else None
    flt = _query.Filter()
    flt.any_of("JobName", job_names)
    flt.any_of("JobType", params["job_type"], quoted=False)
    flt.any_of("State", params["state"], quoted=False)
    flt.any_of("Result", params["result"], quoted=False)
    flt.time_range(after, before)
    ended = _query.parse_time(params["ended_after"], "ended_after") if params["ended_after"] else None
    flt.time_range(ended, field="EndTime")
    flt.any_of("BackupServerName", backup_servers)
    if params["is_retry"] is not None:
        flt.any_of("IsRetry", [str(params["is_retry"]).lower()], quoted=False)
    checks = (_verify.Checks().names("job_name", "job_name", job_names)
              .values("job_type", "job_type", params["job_type"]).values("state", "state", params["state"])
              .values("result", "result", params["result"]).time_range("creation_time", after, before)
              .time_range("end_time", ended, options=("ended_after", None), unset_matches=False)
              .names("backup_server", "backup_server_name", backup_servers)
              .equals("is_retry", "is_retry", params["is_retry"]))
    return flt, checks


def warn_unknown_job_names(client, job_names, sessions):
    """Warn about option job_name's names that no session has and EM knows no session of."""
    warn_unknown_names(client, JOB_SESSION, "JobName", "job_name", "job_name", job_names, sessions, "session of a job")


def _everything(item):
    return True


def query_task_sessions(client, filter_expr, newest_first=True, limit=None, links=False):
    raw = _query.iterate(client, TASK_SESSION, filter_expr, descending=newest_first, limit=limit)
    return [task_session(node, links) for node in itertools.islice(raw, limit)]


def name_exists(client, query_type, field, key, name):
    """Whether EM has any entity whose ``field`` (``key`` once normalised) is ``name``: one request of one item."""
    normalise = job_session if query_type == JOB_SESSION else task_session
    flt = _query.Filter().any_of(field, [name])
    for node in _query.iterate(client, query_type, flt, limit=1):
        return _verify.same_name(normalise(node)[key], name)
    return False


def warn_unknown_names(client, query_type, field, key, option, requested, items, what):
    """Warn about requested names that no item has and that EM knows nothing of (a typo, a split name)."""
    for name in _verify.missing_names(requested, [item.get(key) for item in items]):
        if not name_exists(client, query_type, field, key, name):
            client.warnings.append("%s %r: Enterprise Manager has no %s of that name at all; check the spelling (%s)"
                                   % (option, name, what, _verify.NAMES_HINT))


def attach_task_sessions(client, sessions, links=False, results=None):
    """Set ``task_sessions`` on each job session, in as few requests as return the same rows.

    ``results``: only task sessions with these results (checked here too).  The
    task sessions come from ``task_session_nodes`` and are joined here on
    their JobSessionUid, oldest first.
    """
    by_uid = {}
    for session in sessions:
        session["task_sessions"] = []
        if session["uid"]:
            by_uid.setdefault(session["uid"].lower(), session)
    tasks = [task_session(node, links) for node in task_session_nodes(client, list(by_uid.values()), results)]
    checks = _verify.Checks().values("task_session_result", "result", results)
    for task in checks.keep(tasks, "task sessions", client.warnings):
        owner = by_uid.get((task["job_session_uid"] or "").lower())
        if owner is not None:
            owner["task_sessions"].append(task)
    return sessions


def task_session_nodes(client, sessions, results=None):
    """Raw task sessions of ``sessions`` (a superset: the caller joins on JobSessionUid), oldest first.

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
        flt = _query.Filter().time_range(*span).any_of("Result", results, quoted=False)
        first = _query.first_page(client, TASK_SESSION, flt, descending=False)
        pages = _xml.pages_count(first)
        if pages is not None and pages <= len(chunks):
            yield from _query.iterate(client, TASK_SESSION, flt, descending=False, first_page=first)
            return
    for chunk in chunks:
        flt = _query.Filter().any_of("JobSessionUid", chunk).any_of("Result", results, quoted=False)
        yield from _query.iterate(client, TASK_SESSION, flt, descending=False)


def _task_time_range(sessions):
    """(first creation, last end) of the sessions, widened by TASK_RANGE_MARGIN; end None when one is running.

    None when a time is missing or unreadable (the caller asks by UID).
    """
    try:
        created = [_query.parse_iso_time(session["creation_time"], "creation_time") for session in sessions]
        ends = [session["end_time"] for session in sessions]
        ended = None if None in ends else max(_query.parse_iso_time(end, "end_time") for end in ends)
        return min(created) - TASK_RANGE_MARGIN, ended + TASK_RANGE_MARGIN if ended else None
    except (KeyError, TypeError, OverflowError, VeeamEmError):
        return None


def stop_job_session(client, session):
    """POST /backupSessions/{id}?action=stop (sent once, never repeated); returns the task."""
    doc = client.post("/backupSessions/%s" % session["id"], [("action", "stop")])
    return em_task(doc, session["id"])


def get_em_task(client, task):
    """GET /tasks/{id}: the task's current state."""
    doc = client.get("/tasks/%s" % task["task_id"])
    return em_task(doc, task["session_id"])


def refresh_em_task(client, task):
    """Read ``task`` again, in place; False (state None) when EM no longer shows it.

    EM tasks belong to the logon session that created them: after a new
    logon, or once EM has dropped the task, it answers 404.
    """
    try:
        task.update(get_em_task(client, task))
    except VeeamEmError as exc:
        if exc.status != 404:
            raise
        task["state"] = None
        return False
    return True


def is_stoppable(session):
    return session.get("state") in STOPPABLE_STATES
