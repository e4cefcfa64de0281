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

The actions (``POST /jobs/{ID}?action=start|sync|retry|stop|toggleScheduleEnabled``)
are sent once and never repeated after they may have reached EM; each
answers 202 with a Task, which ``_tasks`` follows through ``GET /tasks/{ID}``.
Every wait goes through ``client.clock``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.backupops.veeam_em.plugins.module_utils import _entities
from ansible_collections.backupops.veeam_em.plugins.module_utils import _query
from ansible_collections.backupops.veeam_em.plugins.module_utils import _sessions
from ansible_collections.backupops.veeam_em.plugins.module_utils import _tasks
from ansible_collections.backupops.veeam_em.plugins.module_utils import _times
from ansible_collections.backupops.veeam_em.plugins.module_utils import _xml
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError

JOB = "Job"
# The actions of POST /jobs/{ID}?action=..., as EM spells them.
START, RETRY, STOP, TOGGLE_SCHEDULE, SYNC = "start", "retry", "stop", "toggleScheduleEnabled", "sync"
# The actions that create a new session of the job.
NEW_SESSION_ACTIONS = (START, SYNC, RETRY)


def start_action(job_entry):
    """How EM starts this job now: ``sync`` for a backup copy job (post_jobs_id_actionsync), else ``start``."""
    return SYNC if job_entry.get("job_type") in _sessions.COPY_JOB_TYPES else START


# -- normalising ----------------------------------------------------------
def job(node, links=False):
    """A Job entity (or reference) as the module's return dict; ``links`` adds its links."""
    text = _xml.text
    found_links = _xml.links(node)
    server_id, server_name = _entities.backup_server(found_links)
    entry = _entities.identity(node)
    entry.update({
        "job_type": text(node, "JobType"),
        "platform": text(node, "Platform"),
        "description": text(node, "Description"),
        "schedule_configured": _entities.boolean(text(node, "ScheduleConfigured")),
        "schedule_enabled": _entities.boolean(text(node, "ScheduleEnabled")),
        "next_run": _entities.time(node, "NextRun"),
        "backup_server_id": server_id,
        "backup_server_name": server_name,
    })
    return _entities.with_links(entry, found_links, links)


JOBS = _query.Query(JOB, job, what="jobs", sort="Name", descending=False, options=(
    _query.Names("name", "Name", "name", listed=True),
    _query.Values("job_type", "JobType", "job_type"),
    _query.OneName("backup_server", "BackupServerName", "backup_server_name"),
    _query.Flag("schedule_enabled", "ScheduleEnabled", "schedule_enabled"),
))


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
        node = _entities.get(client, "/jobs/%s" % job_id, JOB)
    except VeeamEmError as exc:
        raise forbidden(client, exc, "read jobs")
    return job(node, links) if node is not None else None


def query_jobs(client, question, links=False):
    """The jobs ``question`` (of JOBS) asks for, by name (A to Z), checked on the client."""
    try:
        return question.items(client, links=links)
    except VeeamEmError as exc:
        raise forbidden(client, exc, "read jobs")


def job_name_exists(client, name):
    """Whether EM has a job of that name at all: one request of one item."""
    try:
        return JOBS.exists(client, "name", name)
    except VeeamEmError as exc:
        raise forbidden(client, exc, "read jobs")


def find_job(client, job_id=None, name=None):
    """The one job with this id (a UUID) or this name (checked on the client); fails naming what was asked."""
    if job_id is not None:
        found = get_job(client, job_id)
        if found is None or found["id"] != job_id:
            raise VeeamEmError("id: job %s not found on Enterprise Manager" % job_id, status=404)
        return found
    jobs = query_jobs(client, JOBS.ask(name=name))
    if not jobs:
        raise VeeamEmError("name %r: Enterprise Manager has no job of that name; check the spelling (the whole "
                           "name, compared case-insensitively)" % name, status=404)
    if len(jobs) > 1:
        raise VeeamEmError("name %r: %d jobs of that name on different backup servers (%s); give the job's id"
                           % (name, len(jobs), ", ".join("%s on %s" % (j["id"], j["backup_server_name"])
                                                         for j in jobs)))
    return jobs[0]


def latest_session(client, job_entry):
    """The newest session of the job (any state), or None when it never ran."""
    sessions = _sessions.query_job_sessions(client, _sessions.JOB_SESSIONS.ask(job_uid=job_entry["uid"]), limit=1)
    return sessions[0] if sessions else None


def active_sessions(client, job_entry):
    """The sessions of the job that have not ended, newest first."""
    question = _sessions.JOB_SESSIONS.ask(job_uid=job_entry["uid"], not_state=_sessions.STOPPED)
    return _sessions.query_job_sessions(client, question)


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
        found = _sessions.query_job_sessions(client, _sessions.JOB_SESSIONS.ask(job_uid=chunk), limit=len(chunk),
                                             latest_per_job=True, links=links)
        for session in found:
            for item in by_uid[session["job_uid"].lower()]:
                item["latest_session"] = session
    return jobs


# -- acting ---------------------------------------------------------------
def post_action(client, job_entry, action, tasks):
    """POST /jobs/{id}?action=... once (see ``_tasks.post``); returns its task."""
    return _tasks.post(client, "/jobs/%s" % job_entry["id"], action, tasks, action=action, refused=lambda exc: forbidden(
        client, exc, "%s jobs: action=%s on job %r was refused" % (action, action, job_entry["name"])))


def wait_task(client, task, deadline, interval):
    """Wait for the task of a job action (see ``_tasks.wait``); fails with EM's message when it failed."""
    return _tasks.wait(client, [task], deadline, interval, lambda t: "%s the job" % t["action"])[0]


def new_session(client, job_entry, known_ids, since, deadline, interval):
    """The session a start or retry created: the one session of the job that was not there before.

    ``known_ids`` are the ids of the job's sessions read before the POST
    (its newest one and the running ones), ``since`` the creation time of
    the newest: every session the POST created is at least as new, and one
    query of the job's sessions from then on, newest first, finds it; it is
    asked again every ``interval`` until the ``deadline``.  Two or more
    unknown sessions are ambiguous and fail rather than pick one.
    """
    question = _sessions.JOB_SESSIONS.ask(job_uid=job_entry["uid"],
                                          created_after=_times.iso(since, "creation_time") if since else None)
    while True:
        found = _sessions.query_job_sessions(client, question)
        fresh = [s for s in found if s["id"] not in known_ids]
        if len(fresh) > 1:
            raise VeeamEmError("Job %r has %d new sessions since the request (%s); cannot tell which one it "
                               "created" % (job_entry["name"], len(fresh), ", ".join(s["name"] for s in fresh)))
        if fresh:
            return fresh[0]
        _tasks.sleep_or_time_out(client, deadline, interval, "the session of job %r to appear" % job_entry["name"])


# how long a start or retry whose answer was lost is given to show its session before the module gives up
LOST_ANSWER_GRACE = 120


def session_after_lost_answer(client, job_entry, plan, lost, deadline, interval):
    """The session a start or retry created although its answer was lost (``lost``), or ``lost`` raised.

    The request is never repeated (EM may have run it). The job's one new session, looked for
    until LOST_ANSWER_GRACE seconds (or the deadline) have passed, is the sign that EM did; a
    warning says so. Without one the module fails as before, saying it looked.
    """
    grace = _tasks.Deadline(client, int(max(0, min(LOST_ANSWER_GRACE, deadline.remaining(client)))))
    try:
        session = new_session(client, job_entry, plan.known_ids, plan.since, grace, interval)
    except _tasks.TimedOut:
        raise VeeamEmError("%s No new session of job %r appeared within %d s either."
                           % (lost.msg, job_entry["name"], grace.seconds))
    client.warnings.append("The answer to action=%s of job %r was lost, but the job has a new session (%s): "
                           "followed as the one the request created" % (plan.action, job_entry["name"],
                                                                        session["name"]))
    return session


def wait_session_end(client, session, deadline, interval):
    """Read the session again until it is Stopped; ``session`` is updated in place (a failure reports it as read last)."""
    while session["state"] != _sessions.STOPPED:
        _tasks.sleep_or_time_out(client, deadline, interval, "session %s to end; state now: %s (progress %s%%)"
                                 % (session["name"], session["state"], session["progress"]))
        session.update(_sessions.get_job_session(client, session["id"]) or {})
    return session
