# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Jobs: fetch, normalise, find their sessions, and act on them.

A Job entity becomes a flat dict with stable snake_case keys (documented in
the RETURN of em_backup_job_info).  Jobs are listed through the query
service (``type=Job``); the latest session of many jobs takes one
BackupJobSession query per 40 jobs (an OR filter on their UIDs, newest
first, read until each job of the chunk has been seen).

The actions (``POST /jobs/{ID}?action=start|retry|stop|toggleScheduleEnabled``)
are sent once and never repeated after they may have reached EM; each
answers 202 with a Task, which is followed through ``GET /tasks/{ID}``.
Every wait goes through ``client.clock``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.backupops.veeam_em.plugins.module_utils import _query
from ansible_collections.backupops.veeam_em.plugins.module_utils import _sessions
from ansible_collections.backupops.veeam_em.plugins.module_utils import _verify
from ansible_collections.backupops.veeam_em.plugins.module_utils import _xml
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError

JOB = "Job"
# The actions of POST /jobs/{ID}?action=..., as EM spells them.
START, RETRY, STOP, TOGGLE_SCHEDULE = "start", "retry", "stop", "toggleScheduleEnabled"
# An EM task that has not finished yet (OperationFinished: done on the backup server, not yet collected by EM).
_TASK_DONE = "Finished"


# -- normalising ----------------------------------------------------------
def job(node, links=False):
    """A Job entity (or reference) as the module's return dict; ``links`` adds its links."""
    text = _xml.text
    found_links = _xml.links(node)
    server = _sessions._links_by_type(found_links, "Up").get("BackupServerReference") or {}
    entry = _sessions._identity(node)
    entry.update({
        "job_type": text(node, "JobType"),
        "platform": text(node, "Platform"),
        "description": text(node, "Description"),
        "schedule_configured": _sessions._bool(text(node, "ScheduleConfigured")),
        "schedule_enabled": _sessions._bool(text(node, "ScheduleEnabled")),
        "next_run": _sessions._time(node, "NextRun"),
        "backup_server_id": _query.last_segment(server.get("href")),
        "backup_server_name": server.get("name"),
    })
    if links:
        entry["links"] = found_links
    return entry


def summary(jobs, latest=False):
    """Counts over ``jobs``: every known job type present; with ``latest`` also per latest result."""
    by_type = dict((value, 0) for value in _sessions.JOB_ENTITY_TYPES)
    enabled = 0
    for item in jobs:
        if item.get("job_type"):
            by_type[item["job_type"]] = by_type.get(item["job_type"], 0) + 1
        enabled += 1 if item.get("schedule_enabled") else 0
    result = {"total": len(jobs), "by_job_type": by_type, "schedule_enabled": enabled,
              "schedule_disabled": len(jobs) - enabled}
    if latest:
        by_result = dict((value, 0) for value in _sessions.RESULTS)
        never = 0
        for item in jobs:
            session = item.get("latest_session")
            if session is None:
                never += 1
            else:
                key = session.get("result") or "None"
                by_result[key] = by_result.get(key, 0) + 1
        result["by_latest_result"] = by_result
        result["never_run"] = never
    return result


# -- fetching -------------------------------------------------------------
def forbidden(client, exc, what):
    """The error for a 403 on a job request: which account lacks which role (other errors unchanged)."""
    if exc.status != 403:
        return exc
    account = client.options.user or "of the session token"
    return VeeamEmError("The Enterprise Manager account %s lacks the role to %s (Portal Administrator is needed; "
                        "EM answered HTTP 403)" % (account, what), status=403, em_message=exc.em_message)


def get_job(client, job_id, links=False):
    """GET /jobs/{id}?format=Entity; None when EM does not know it."""
    try:
        node = _sessions._get_entity(client, "/jobs/%s" % job_id, JOB)
    except VeeamEmError as exc:
        raise forbidden(client, exc, "read jobs")
    return job(node, links) if node is not None else None


def query_jobs(client, filter_expr, links=False):
    """Jobs matching a server-side filter, by name (A to Z)."""
    try:
        return [job(node, links)
                for node in _query.iterate(client, JOB, filter_expr, sort_field="Name", descending=False)]
    except VeeamEmError as exc:
        raise forbidden(client, exc, "read jobs")


def job_name_exists(client, name):
    """Whether EM has a job of that name at all: one request of one item."""
    for node in _query.iterate(client, JOB, _query.Filter().any_of("Name", [name]), sort_field="Name",
                               descending=False, limit=1):
        return _verify.same_name(job(node)["name"], name)
    return False


def find_job(client, job_id=None, name=None):
    """The one job with this id (a UUID) or this name (checked on the client); fails naming what was asked."""
    if job_id is not None:
        found = get_job(client, job_id)
        if found is None or found["id"] != job_id:
            raise VeeamEmError("id: job %s not found on Enterprise Manager" % job_id, status=404)
        return found
    jobs = _verify.Checks().names("name", "name", [name]).keep(
        query_jobs(client, _query.Filter().any_of("Name", [name])), "jobs", client.warnings)
    if not jobs:
        raise VeeamEmError("name %r: Enterprise Manager has no job of that name; check the spelling (the whole "
                           "name, compared case-insensitively)" % name, status=404)
    if len(jobs) > 1:
        raise VeeamEmError("name %r: %d jobs of that name on different backup servers (%s); give the job's id"
                           % (name, len(jobs), ", ".join("%s on %s" % (j["id"], j["backup_server_name"])
                                                         for j in jobs)))
    return jobs[0]


def _job_filter(job_entry):
    return _query.Filter().any_of("JobUid", [job_entry["uid"]])


def _of_job(job_entry):
    """Client-side check: a session belongs to this job (its JobUid, case-insensitively)."""
    return _verify.Checks().names("job", "job_uid", [job_entry["uid"]])


def latest_session(client, job_entry):
    """The newest session of the job (any state), or None when it never ran."""
    sessions = _of_job(job_entry).keep(_sessions.query_job_sessions(client, _job_filter(job_entry), limit=1),
                                       "sessions", client.warnings)
    return sessions[0] if sessions else None


def active_sessions(client, job_entry):
    """The sessions of the job that have not ended, newest first."""
    flt = _job_filter(job_entry).compare("State", "!=", "Stopped", quoted=False)
    return _verify.Checks().values("state", "state", _sessions.ACTIVE_STATES).keep(
        _of_job(job_entry).keep(_sessions.query_job_sessions(client, flt), "sessions", client.warnings),
        "sessions", client.warnings)


def attach_latest_sessions(client, jobs, links=False):
    """Set ``latest_session`` on each job (None when it never ran): one session query per 40 jobs."""
    by_uid = {}
    uids = []
    for item in jobs:
        item["latest_session"] = None
        if item["uid"]:
            if item["uid"].lower() not in by_uid:
                uids.append(item["uid"])  # as EM wrote it
            by_uid.setdefault(item["uid"].lower(), []).append(item)
    for chunk in _query.chunks(uids):
        wanted = set(uid.lower() for uid in chunk)
        flt = _query.Filter().any_of("JobUid", chunk)
        found = _sessions.query_job_sessions(client, flt, limit=len(chunk), latest_per_job=True, links=links,
                                             keep=lambda s, wanted=wanted: (s["job_uid"] or "").lower() in wanted)
        for session in found:
            for item in by_uid[session["job_uid"].lower()]:
                item["latest_session"] = session
    return jobs


# -- acting ---------------------------------------------------------------
def post_action(client, job_entry, action, tasks):
    """POST /jobs/{id}?action=... once; the task it answers with is added to ``tasks``.

    A request that may have reached EM (the connection failed on the way)
    still adds an empty task: the caller then reports changed=true.
    """
    try:
        doc = client.post("/jobs/%s" % job_entry["id"], [("action", action)])
    except VeeamEmError as exc:
        if exc.status == 403:
            raise forbidden(client, exc, "%s jobs: action=%s on job %r was refused" % (action, action, job_entry["name"]))
        if exc.status is None:  # the connection failed: EM may have accepted it
            tasks.append(dict(_sessions.em_task(None), action=action))
        raise
    task = dict(_sessions.em_task(doc), action=action)
    tasks.append(task)
    return task


def wait_task(client, task, deadline, interval):
    """Poll GET /tasks/{id} until EM reports it Finished (or no longer shows it); fails on an unsuccessful one.

    Tasks belong to the logon session that made them: after a new logon, or
    when EM answers 404, the task is no longer followed (state null).
    """
    while task["task_id"] and task["state"] != _TASK_DONE:
        if client.relogons:
            task["state"] = None
            break
        if not _sessions.refresh_em_task(client, task) or task["state"] == _TASK_DONE:
            break
        sleep_or_time_out(client, deadline, interval, "task %s (%s) to finish; state now: %s"
                          % (task["task_id"], task["action"], task["state"]))
    if task["success"] is False:
        raise VeeamEmError("Enterprise Manager could not %s the job: %s" % (task["action"], task["message"]))
    return task


class TimedOut(VeeamEmError):
    """A wait reached its deadline."""


def sleep_or_time_out(client, deadline, interval, waiting_for):
    """Sleep one poll interval (at most until the deadline); past the deadline fail, saying what was awaited."""
    remaining = deadline.at - client.clock.monotonic()
    if remaining <= 0:
        raise TimedOut("Timed out after %d s waiting for %s" % (deadline.seconds, waiting_for))
    client.clock.sleep(min(interval, remaining))


class Deadline(object):
    """``seconds`` from now on the client's clock."""

    def __init__(self, client, seconds):
        self.seconds = seconds
        self.at = client.clock.monotonic() + seconds


def new_session(client, job_entry, known_ids, since, deadline, interval):
    """The session a start or retry created: the one session of the job that was not there before.

    ``known_ids`` are the ids of the job's sessions read before the POST
    (its newest one and the running ones), ``since`` the creation time of
    the newest: every session the POST created is at least as new, and one
    query of the job's sessions from then on, newest first, finds it; it is
    asked again every ``interval`` until the ``deadline``.  Two or more
    unknown sessions are ambiguous and fail rather than pick one.
    """
    flt = _job_filter(job_entry)
    checks = _of_job(job_entry)
    if since:
        moment = _query.parse_iso_time(since, "creation_time")
        flt.time_range(moment)
        checks.time_range("creation_time", moment, options=("creation_time", None))
    while True:
        found = checks.keep(_sessions.query_job_sessions(client, flt), "sessions", client.warnings)
        fresh = [s for s in found if s["id"] not in known_ids]
        if len(fresh) > 1:
            raise VeeamEmError("Job %r has %d new sessions since the request (%s); cannot tell which one it "
                               "created" % (job_entry["name"], len(fresh), ", ".join(s["name"] for s in fresh)))
        if fresh:
            return fresh[0]
        sleep_or_time_out(client, deadline, interval, "the session of job %r to appear" % job_entry["name"])


# how long a start or retry whose answer was lost is given to show its session before the module gives up
LOST_ANSWER_GRACE = 120


def session_after_lost_answer(client, job_entry, plan, lost, deadline, interval):
    """The session a start or retry created although its answer was lost (``lost``), or ``lost`` raised.

    The request is never repeated (EM may have run it). The job's one new session, looked for
    until LOST_ANSWER_GRACE seconds (or the deadline) have passed, is the sign that EM did; a
    warning says so. Without one the module fails as before, saying it looked.
    """
    grace = Deadline(client, int(max(0, min(LOST_ANSWER_GRACE, deadline.at - client.clock.monotonic()))))
    try:
        session = new_session(client, job_entry, plan.known_ids, plan.since, grace, interval)
    except TimedOut:
        raise VeeamEmError("%s No new session of job %r appeared within %d s either."
                           % (lost.msg, job_entry["name"], grace.seconds))
    client.warnings.append("The answer to action=%s of job %r was lost, but the job has a new session (%s): "
                           "followed as the one the request created" % (plan.action, job_entry["name"],
                                                                        session["name"]))
    return session


def wait_session_end(client, session, deadline, interval):
    """Read the session again until it is Stopped; ``session`` is updated in place (a failure reports it as read last)."""
    while session["state"] != "Stopped":
        sleep_or_time_out(client, deadline, interval, "session %s to end; state now: %s (progress %s%%)"
                          % (session["name"], session["state"], session["progress"]))
        session.update(_sessions.get_job_session(client, session["id"]) or {})
    return session
