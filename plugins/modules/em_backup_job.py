#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: em_backup_job
short_description: Start, retry or stop a Veeam backup job through Enterprise Manager, and wait for its session
version_added: 1.0.0
description:
  - Runs a backup job now (O(state=started)), retries its failed last session (O(state=retried)) or stops
    it (O(state=stopped)), through C(POST /api/jobs/{ID}?action=start|retry|stop); turns its schedule on or
    off (O(schedule_enabled), through C(POST /api/jobs/{ID}?action=toggleScheduleEnabled), sent only when the
    schedule differs).
  - A backup copy job (C(BackupCopy), C(ImmediateBackupCopy)) is started the way EM starts one, with
    C(POST /api/jobs/{ID}?action=sync).
  - By default waits until the session ends and fails when it ends with a result in O(fail_on), so that a
    play stops before it patches a server whose backup did not succeed.
  - Idempotent. O(state=started) while a session of the job runs waits for that session (C(changed=false))
    unless O(force=true); O(state=retried) when the last session did not fail does nothing; O(state=stopped)
    when nothing runs does nothing.
  - A request that changes something is sent once and never repeated after it may have reached Enterprise
    Manager (a lost answer, a network error); the result then says C(changed=true). When the answer to a
    start or retry is lost, the module looks for the job's new session for up to 2 minutes and follows it,
    with a warning; without one it fails, saying the request was not repeated.
  - Once EM has accepted a request, the result says C(changed=true) with the EM task and the session, also
    when the module fails afterwards (a timeout, an error while waiting, SIGTERM, O(fail_on)).
  - The session a start or retry created is the one session of the job that was not there before the
    request (the job's sessions are read before and after it, and checked on the client); two new sessions
    fail as ambiguous rather than follow the wrong one.
  - Needs an account with the Portal Administrator role; other roles fail with a clear message.
author:
  - backupops maintainers (@backupops)
extends_documentation_fragment:
  - backupops.veeam_em.connection
  - backupops.veeam_em.attributes
attributes:
  check_mode:
    description: Reads the job and its sessions and reports in RV(actions) and RV(msg) what would be done; sends no POST.
    support: full
  diff_mode:
    description: Shows the job's schedule and the session concerned before and after (predicted in check mode).
    support: full
options:
  name:
    description:
      - The job, by its whole name, compared case-insensitively as EM does (commas and quotes are part of it).
      - A name EM has no job of fails, naming it; a name of jobs on two backup servers fails, asking for O(id).
      - Exactly one of O(name) and O(id) is required. One name; an empty name, a list or a dict fails before any
        request.
    type: raw
  id:
    description:
      - The job, as a bare UUID, as C(urn:veeam:Job:<UUID>) or as its Href URL on O(server).
      - An Href of another Enterprise Manager is refused, before any request.
    type: str
  state:
    description:
      - V(started) runs the job now, unless a session of it is already running (see O(force)); then that
        session is awaited.
      - V(retried) retries the job when its last session V(Failed); a running session is awaited; a last session
        that did not fail, or none, gives C(changed=false) and nothing is sent.
      - V(stopped) stops the running sessions of the job and waits until they are V(Stopped); nothing running
        gives C(changed=false).
      - At least one of O(state) and O(schedule_enabled) is required.
    type: str
    choices: [started, retried, stopped]
  schedule_enabled:
    description:
      - Whether the job's schedule is on. Sent (toggleScheduleEnabled) only when it differs, before O(state) is
        acted on; its EM task is awaited (also with O(wait=false), as it takes seconds), then the job is read again
        and must show the wanted value.
    type: bool
  force:
    description: With O(state=started), start the job also while a session of it runs (EM decides whether it can).
    type: bool
    default: false
  wait:
    description:
      - Wait until the EM tasks have finished and the session ends (O(state=stopped) - every running session).
      - With V(false) the module does not wait for the session to end, and O(fail_on) is not applied; after a
        start or retry it still waits (within O(wait_timeout)) until EM has run the request's task and created the
        session, so that RV(backup_session) always names it (to follow it, for example with
        M(backupops.veeam_em.em_backup_session_info) and its O(backupops.veeam_em.em_backup_session_info#module:id)).
    type: bool
    default: true
  wait_timeout:
    description:
      - How long to wait in all when O(wait=true), from 1 second to a week.
      - A length such as V(30m), V(2h) or V(1h30m), or a number of seconds (V(3600)).
      - When they pass, the module fails with C(changed=true) and the session as read at that moment; the job keeps
        running.
    type: raw
    default: 3600
  poll_interval:
    description:
      - Time between two checks of the task and the session while waiting, from 1 second to an hour.
      - A length such as V(10s) or V(1m), or a number of seconds (V(5)).
    type: raw
    default: 5
  fail_on:
    description:
      - Results of the awaited session (O(state=started) or O(state=retried)) that make the task fail, after it
        ended; the result still carries the session and its task sessions.
      - A list of V(Warning) and V(Failed). V([]) (ad hoc also C(fail_on=)) never fails on the result.
    type: list
    elements: str
    default: [Failed]
notes:
  - A Veeam job runs one session at a time; the Task of a start does not name the session it creates, hence the
    before/after comparison of the job's sessions.
seealso:
  - module: backupops.veeam_em.em_backup_job_info
  - module: backupops.veeam_em.em_backup_session_info
  - module: backupops.veeam_em.em_backup_session_stop
"""

EXAMPLES = r"""
- name: Back up the file server before patching it; fail unless the backup succeeded or warned
  backupops.veeam_em.em_backup_job:
    name: Fileserver Backup
    state: started
    wait_timeout: 7200
  register: backup

- name: Retry the job if its last session failed; fail on a warning too
  backupops.veeam_em.em_backup_job:
    name: SQL Backup
    state: retried
    fail_on: [Failed, Warning]

- name: What would be done (check mode, with diff)
  backupops.veeam_em.em_backup_job:
    name: Fileserver Backup
    state: started
  check_mode: true
  diff: true

- name: Pause the job's schedule during maintenance, without waiting
  backupops.veeam_em.em_backup_job:
    name: Fileserver Backup
    schedule_enabled: false
    wait: false

- name: Turn the schedule back on
  backupops.veeam_em.em_backup_job:
    name: Fileserver Backup
    schedule_enabled: true

- name: Stop whatever the job runs now
  backupops.veeam_em.em_backup_job:
    name: Fileserver Backup
    state: stopped
"""

RETURN = r"""
job:
  description:
    - The job; keys as RV(backupops.veeam_em.em_backup_job_info#module:jobs), without C(links) and C(latest_session).
    - Read again after a schedule change.
  returned: always, unless the job was not found
  type: dict
  sample:
    id: 4856ab37-2235-45e8-affe-d515878b01a9
    uid: urn:veeam:Job:4856ab37-2235-45e8-affe-d515878b01a9
    name: Fileserver Backup
    href: https://em.example.com:9398/api/jobs/4856ab37-2235-45e8-affe-d515878b01a9
    job_type: Backup
    platform: VMware
    description: Created by TECH\\Administrator
    schedule_configured: true
    schedule_enabled: true
    next_run: "2026-01-11T22:00:00Z"
    backup_server_id: ce15a8c7-aa49-495e-b05b-ee3398c91018
    backup_server_name: srv02.tech.local
backup_session:
  description:
    - The session concerned - the one the request created, the running one that was awaited or stopped, or
      the last one when nothing was done - as read last; null when there is none (the job never ran).
    - Same keys as RV(backupops.veeam_em.em_backup_session_info#module:backup_sessions), without C(links);
      C(task_sessions) is added when it ended with V(Warning) or V(Failed).
  returned: always, unless the job was not found
  type: dict
  sample:
    id: d46e39e0-1131-4585-91a7-e828ce7eafae
    uid: urn:veeam:BackupJobSession:d46e39e0-1131-4585-91a7-e828ce7eafae
    name: Fileserver Backup@2026-01-10 05:22:52
    href: https://em.example.com:9398/api/backupSessions/d46e39e0-1131-4585-91a7-e828ce7eafae
    job_id: 4856ab37-2235-45e8-affe-d515878b01a9
    job_uid: urn:veeam:Job:4856ab37-2235-45e8-affe-d515878b01a9
    job_name: Fileserver Backup
    job_type: Backup
    backup_server_id: ce15a8c7-aa49-495e-b05b-ee3398c91018
    backup_server_name: srv02.tech.local
    creation_time: "2026-01-10T05:22:52Z"
    end_time: "2026-01-10T05:40:48Z"
    state: Stopped
    result: Success
    progress: 100
    is_retry: false
actions:
  description:
    - The actions sent to EM (C(POST /api/jobs/{ID}?action=...)), in order; in check mode the ones that would be sent.
  returned: always, unless the job was not found
  type: list
  elements: str
  sample: [toggleScheduleEnabled, start]
tasks:
  description: The EM tasks of the requests sent (empty when nothing was sent, and in check mode).
  returned: always, unless the job was not found
  type: list
  elements: dict
  contains:
    action:
      description: The action of the request (V(start), V(sync), V(retry), V(stop), V(toggleScheduleEnabled)).
      type: str
      sample: start
    task_id:
      description: EM task id; null when the answer did not arrive or carried no task.
      type: str
      sample: task-1
    state:
      description:
        - V(Running), V(OperationFinished) or V(Finished) as read last.
        - Null when EM no longer shows the task (tasks belong to the logon session that made them; after a new
          logon the module follows the session instead).
      type: str
      sample: Finished
    operation:
      description: Operation of the task.
      type: str
      sample: StartJob
    success:
      description: Whether EM reports the operation as successful (null while unknown).
      type: bool
      sample: true
    message:
      description: EM's message about the operation.
      type: str
      sample: Job "Fileserver Backup" triggered to start.
    session_id:
      description: UUID of the session the request created or stopped, once known; null otherwise.
      type: str
      sample: d46e39e0-1131-4585-91a7-e828ce7eafae
msg:
  description: What was done, or in check mode what would be done, in a sentence.
  returned: always
  type: str
  sample: Started job 'Fileserver Backup'; its session ended with Success
"""

from ansible_collections.backupops.veeam_em.plugins.module_utils import _jobs
from ansible_collections.backupops.veeam_em.plugins.module_utils import _query
from ansible_collections.backupops.veeam_em.plugins.module_utils import _sessions
from ansible_collections.backupops.veeam_em.plugins.module_utils import _tasks
from ansible_collections.backupops.veeam_em.plugins.module_utils import _verify
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError
from ansible_collections.backupops.veeam_em.plugins.module_utils._module import build_module, run_module

STARTED = "started"
RETRIED = "retried"
STOPPED = "stopped"
ARGUMENT_SPEC = dict(
    name=dict(type="raw"),
    id=dict(type="str"),
    state=dict(type="str", choices=[STARTED, RETRIED, STOPPED]),
    schedule_enabled=dict(type="bool"),
    force=dict(type="bool", default=False),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="raw", default=3600),
    poll_interval=dict(type="raw", default=5),
    fail_on=dict(type="list", elements="str", default=[_sessions.FAILED]),
)


class Plan(object):
    """What to do with the job: the session action (or None), the session concerned, and why."""

    def __init__(self, action=None, session=None, msg="", watch=None, known_ids=(), since=None):
        self.action = action
        self.session = session
        self.msg = msg
        self.watch = watch or ([session] if session and session["state"] != _sessions.STOPPED else [])
        self.known_ids = set(known_ids)
        self.since = since


def check_options(params):
    """Every option checked before any request; returns (job id or None, job name or None)."""
    if params["id"] is None and params["name"] is None:
        raise VeeamEmError("one of the following is required: name, id")
    if params["state"] is None and params["schedule_enabled"] is None:
        raise VeeamEmError("one of the following is required: state, schedule_enabled")
    _tasks.wait_options(params)
    if params["force"] and params["state"] != STARTED:
        raise VeeamEmError("force applies to state=started only; remove it")
    params["fail_on"] = _verify.words(params["fail_on"], "fail_on", _sessions.PROBLEM_RESULTS)
    if params["id"] is not None:  # an empty id is a bad id, not "no id"
        return _query.parse_id(params["id"], _jobs.JOB), None
    return None, _verify.name(params["name"], "name")


def plan_start(client, job, force):
    active = _jobs.active_sessions(client, job)
    if active and not force:
        return Plan(session=active[0], msg="Job %r is already running (session %s): waiting for that session, "
                    "nothing started" % (job["name"], active[0]["name"]))
    latest = _jobs.latest_session(client, job)
    known = [s["id"] for s in active + ([latest] if latest else [])]
    return Plan(_jobs.start_action(job), latest, "", watch=[], known_ids=known,
                since=latest["creation_time"] if latest else None)


def plan_retry(client, job):
    latest = _jobs.latest_session(client, job)
    if latest is None:
        return Plan(msg="Job %r never ran: nothing to retry" % job["name"])
    if latest["state"] != _sessions.STOPPED:
        return Plan(session=latest, msg="Job %r is running (session %s): waiting for that session, nothing retried"
                    % (job["name"], latest["name"]))
    if latest["result"] != _sessions.FAILED:
        return Plan(session=latest, msg="The last session of job %r did not fail (%s): nothing to retry"
                    % (job["name"], latest["result"]))
    return Plan(_jobs.RETRY, latest, "its last session %s failed" % latest["name"], watch=[], known_ids=[latest["id"]],
                since=latest["creation_time"])


def plan_stop(client, job):
    active = _jobs.active_sessions(client, job)
    if not active:
        return Plan(session=_jobs.latest_session(client, job), msg="Job %r is not running: nothing to stop"
                    % job["name"])
    stoppable = [s for s in active if _sessions.is_stoppable(s)]
    if not stoppable:
        return Plan(session=active[0], watch=active, msg="Job %r is already stopping (session %s)"
                    % (job["name"], active[0]["name"]))
    return Plan(_jobs.STOP, active[0], "session %s runs" % active[0]["name"], watch=active)


def make_plan(client, job, params):
    if params["state"] == STARTED:
        return plan_start(client, job, params["force"])
    if params["state"] == RETRIED:
        return plan_retry(client, job)
    if params["state"] == STOPPED:
        return plan_stop(client, job)
    return Plan(msg="")


def session_view(session):
    if session is None:
        return None
    return dict((key, session.get(key)) for key in ("id", "name", "state", "result", "is_retry"))


def diff_view(job, session):
    return {"name": job["name"], "schedule_enabled": job["schedule_enabled"], "backup_session": session_view(session)}


def predicted_session(plan):
    """The session concerned after the plan, as check mode predicts it."""
    if plan.action in _jobs.NEW_SESSION_ACTIONS:
        return {"id": None, "name": "(a new session of action=%s)" % plan.action, "state": "Starting",
                "result": "None", "is_retry": plan.action == _jobs.RETRY}
    if plan.action == _jobs.STOP:
        return dict(session_view(plan.session), state=_sessions.STOPPED)
    return session_view(plan.session)


def toggle_schedule(client, params, result, deadline):
    """toggleScheduleEnabled, then the job read again: it must show the wanted schedule."""
    task = _jobs.post_action(client, result["job"], _jobs.TOGGLE_SCHEDULE, result["tasks"])
    _jobs.wait_task(client, task, deadline, params["poll_interval"])  # also without wait (it takes seconds)
    job = _jobs.get_job(client, result["job"]["id"]) or result["job"]
    result["job"] = job
    if job["schedule_enabled"] != params["schedule_enabled"]:
        raise VeeamEmError("Enterprise Manager accepted toggleScheduleEnabled for job %r, but the job still shows "
                           "schedule_enabled=%s" % (job["name"], job["schedule_enabled"]))


def run_session_action(client, params, plan, result, deadline):
    """Send start/retry/stop and find the session it concerns; result['backup_session'] follows it."""
    try:
        task = _jobs.post_action(client, result["job"], plan.action, result["tasks"])
    except VeeamEmError as exc:
        if exc.status is not None or plan.action == _jobs.STOP:
            raise
        # the answer was lost on the way back: if EM started the job, its new session shows it
        task = result["tasks"][-1]
        session = _jobs.session_after_lost_answer(client, result["job"], plan, exc, deadline, params["poll_interval"])
    else:
        if plan.action == _jobs.STOP:
            task["session_id"] = plan.session["id"]
            if params["wait"]:
                _jobs.wait_task(client, task, deadline, params["poll_interval"])
            return
        # also without wait: until EM has run the task and created the session, whose id the caller needs
        _jobs.wait_task(client, task, deadline, params["poll_interval"])
        session = _jobs.new_session(client, result["job"], plan.known_ids, plan.since, deadline,
                                    params["poll_interval"])
    result["backup_session"] = session
    task["session_id"] = session["id"]
    plan.watch = [session]


def finish(client, params, plan, result, deadline):
    """Wait for the sessions concerned to end; add task sessions of a problem result; apply fail_on."""
    for session in plan.watch:
        if params["wait"]:
            _jobs.wait_session_end(client, session, deadline, params["poll_interval"])
        elif plan.action == _jobs.STOP:  # as EM shows it right after the stop request
            session.update(_sessions.get_job_session(client, session["id"]) or {})
    session = result["backup_session"]
    if session is None or session["state"] != _sessions.STOPPED:
        return
    if session["result"] in _sessions.PROBLEM_RESULTS:
        _sessions.attach_task_sessions(client, [session])
    awaited = params["wait"] and params["state"] in (STARTED, RETRIED) and (plan.action or plan.watch)
    if awaited and session["result"] in params["fail_on"]:
        vms = ["%s: %s%s" % (t["vm_name"], t["result"], " (%s)" % t["reason"] if t["reason"] else "")
               for t in session.get("task_sessions", ()) if t["result"] in _sessions.PROBLEM_RESULTS]
        raise VeeamEmError("Session %s of job %r ended with %s (fail_on: %s)%s"
                           % (session["name"], result["job"]["name"], session["result"],
                              ", ".join(params["fail_on"]), "; " + "; ".join(vms) if vms else ""))


def act(client, params, plan, result):
    """Send the planned requests and follow them; once EM may have accepted one, any failure says changed=true."""
    deadline = _tasks.Deadline(client, params["wait_timeout"])
    try:
        if _jobs.TOGGLE_SCHEDULE in result["actions"]:
            toggle_schedule(client, params, result, deadline)
        if plan.action:
            run_session_action(client, params, plan, result, deadline)
        finish(client, params, plan, result, deadline)
    except VeeamEmError as exc:
        exc.result = dict(result, changed=bool(result["tasks"]))
        raise
    session = result["backup_session"]
    if plan.action and session is not None and session["state"] == _sessions.STOPPED:
        result["msg"] += "; its session %s ended with %s" % (session["name"], session["result"])


def describe(job, plan, actions, check_mode):
    """``msg``: the requests sent (or, in check mode, that would be sent) and why, or why none."""
    parts = []
    if actions:
        parts.append("%s %s to job %r" % ("Check mode, nothing sent; would send" if check_mode else "Sent",
                                          " and ".join("action=%s" % a for a in actions), job["name"]))
    if plan.msg:
        parts.append(plan.msg)
    return "; ".join(parts) or "Job %r: nothing to do" % job["name"]


def run(module, client):
    params = module.params
    job_id, name = check_options(params)
    job = _jobs.find_job(client, job_id, name)
    plan = make_plan(client, job, params)
    desired = params["schedule_enabled"]
    actions = [_jobs.TOGGLE_SCHEDULE] if desired is not None and job["schedule_enabled"] != desired else []
    actions += [plan.action] if plan.action else []
    result = dict(changed=bool(actions), job=job, backup_session=plan.session, actions=actions, tasks=[],
                  msg=describe(job, plan, actions, module.check_mode))
    before = diff_view(job, plan.session)
    if module.check_mode:
        after = dict(diff_view(job, None), backup_session=predicted_session(plan),
                     schedule_enabled=desired if desired is not None else job["schedule_enabled"])
    else:
        act(client, params, plan, result)
        after = diff_view(result["job"], result["backup_session"])
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    return result


def main():
    module = build_module(
        ARGUMENT_SPEC,
        supports_check_mode=True,
        mutually_exclusive=[("id", "name")],
    )
    run_module(module, run)


if __name__ == "__main__":
    main()
