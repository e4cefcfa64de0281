#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: em_backup_session_stop
short_description: Stop running Veeam backup job sessions through Enterprise Manager
version_added: 1.0.0
description:
  - Stops one backup job session, or every running session of a job
    (C(POST /api/backupSessions/{ID}?action=stop)), and by default waits until they are stopped.
  - Idempotent; a session that is already stopped or stopping gets no stop request.
  - The stop request is repeated only where Enterprise Manager did not take it (a connect timeout, HTTP 503),
    never after it may have reached EM (a lost answer, a network error).
  - Every session is checked on the client before it is stopped (its id, or its job's name), whatever the
    server's filter returned; a session of another job is never stopped.
  - Once EM has accepted a stop, the result says C(changed=true), also when the module fails afterwards
    (for example while waiting).
  - Needs an account with the Portal Administrator role; other roles fail with a clear message.
author:
  - backupops maintainers (@backupops)
extends_documentation_fragment:
  - backupops.veeam_em.connection
  - backupops.veeam_em.attributes
attributes:
  check_mode:
    description: Reads the sessions and reports what would be stopped; sends no stop request.
    support: full
  diff_mode:
    description: Shows the state of each session before and after (predicted in check mode).
    support: full
options:
  id:
    description:
      - The session to stop, as a bare UUID, as C(urn:veeam:BackupJobSession:<UUID>) or as its Href URL on O(server).
      - An Href of another Enterprise Manager is refused, before any request.
      - An unknown id fails, naming the id.
      - Exactly one of O(id) and O(job_name) is required.
    type: str
  job_name:
    description:
      - Stop every running session of the job with this name (the whole name, compared case-insensitively as EM
        does; commas and quotes are part of the name).
      - A job without a running session gives C(changed=false).
      - A name of which EM has no session at all fails, naming it (a typo must not look like "nothing to stop").
      - One name; an empty name, a list or a dict fails before any request.
    type: raw
  wait:
    description: Wait until the stop tasks have finished and every session is V(Stopped).
    type: bool
    default: true
  wait_timeout:
    description:
      - How long to wait when O(wait=true), from 1 second to a week.
      - A length such as V(10m) or V(1h30m), or a number of seconds (V(300)).
      - When they pass, the module fails with the state of the sessions read at that moment.
    type: raw
    default: 300
  poll_interval:
    description:
      - Time between two checks of the tasks and sessions while waiting, from 1 second to an hour.
      - A length such as V(10s) or V(1m), or a number of seconds (V(5)).
    type: raw
    default: 5
seealso:
  - module: backupops.veeam_em.em_backup_session_info
"""

EXAMPLES = r"""
- name: Stop the runaway job now
  backupops.veeam_em.em_backup_session_stop:
    job_name: Fileserver Backup
    wait_timeout: 600

- name: Find the running sessions of a job
  backupops.veeam_em.em_backup_session_info:
    job_name: Fileserver Backup
    state: "{{ 'stoppable_states' | backupops.veeam_em.em_vocabulary }}"
  register: running

- name: Stop the newest one without waiting
  backupops.veeam_em.em_backup_session_stop:
    id: "{{ running.backup_sessions[0].id }}"
    wait: false
  when: running.backup_sessions | length > 0

- name: What would be stopped (check mode, with diff)
  backupops.veeam_em.em_backup_session_stop:
    job_name: SQL Backup
  check_mode: true
  diff: true
"""

RETURN = r"""
backup_sessions:
  description:
    - Each session acted on or inspected, in its final state (after waiting; with O(wait=false) as read
      just after the stop request; in check mode as read before).
    - Same keys as RV(backupops.veeam_em.em_backup_session_info#module:backup_sessions), without C(links).
  returned: always
  type: list
  elements: dict
  sample:
    - id: d46e39e0-1131-4585-91a7-e828ce7eafae
      uid: urn:veeam:BackupJobSession:d46e39e0-1131-4585-91a7-e828ce7eafae
      name: Fileserver Backup@2014-10-19 05:22:52
      href: https://em.example.com:9398/api/backupSessions/d46e39e0-1131-4585-91a7-e828ce7eafae
      job_id: 4856ab37-2235-45e8-affe-d515878b01a9
      job_uid: urn:veeam:Job:4856ab37-2235-45e8-affe-d515878b01a9
      job_name: Fileserver Backup
      job_type: Backup
      backup_server_id: ce15a8c7-aa49-495e-b05b-ee3398c91018
      backup_server_name: srv02.tech.local
      creation_time: "2014-10-19T05:22:52Z"
      end_time: "2014-10-19T05:40:48Z"
      state: Stopped
      result: Failed
      progress: 42
      is_retry: false
msg:
  description: What the run did not have to do, such as a session that had already ended (C(changed=false)).
  returned: when no stop was needed
  type: str
  sample: "Nothing to stop: session Fileserver Backup@2014-10-19 05:22:52 already ended (Success)"
tasks:
  description: The EM tasks created by the stop requests (empty when nothing was stopped, and in check mode).
  returned: always
  type: list
  elements: dict
  contains:
    task_id:
      description: EM task id; null when EM answered the stop request without a task (the module then watches the session).
      type: str
      sample: task-1
    state:
      description:
        - V(Running), V(OperationFinished) or V(Finished).
        - Null when EM no longer shows the task (tasks belong to the logon session that made them; after a new
          logon, because the token expired while waiting, the module follows the session instead).
      type: str
      sample: Finished
    operation:
      description: Operation of the task.
      type: str
      sample: StopJobSession
    success:
      description: Whether EM reports the operation as successful (null while unknown).
      type: bool
      sample: true
    message:
      description: EM's message about the operation.
      type: str
      sample: Job Session "Fileserver Backup@2014-10-19 08:02:16" triggered to stop.
    session_id:
      description: UUID of the session the task stops.
      type: str
      sample: d46e39e0-1131-4585-91a7-e828ce7eafae
"""


from ansible_collections.backupops.veeam_em.plugins.module_utils import _query
from ansible_collections.backupops.veeam_em.plugins.module_utils import _sessions
from ansible_collections.backupops.veeam_em.plugins.module_utils import _tasks
from ansible_collections.backupops.veeam_em.plugins.module_utils import _verify
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError
from ansible_collections.backupops.veeam_em.plugins.module_utils._module import build_module, run_module

ARGUMENT_SPEC = dict(
    id=dict(type="str"),
    job_name=dict(type="raw"),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="raw", default=300),
    poll_interval=dict(type="raw", default=5),
)


def find_sessions(client, params):
    """The sessions asked for, each checked on the client: the id, or the job's name."""
    if params["id"] is not None:  # an empty id is a bad id, not "no id"
        session_id = _query.parse_id(params["id"], _sessions.JOB_SESSION)
        session = _sessions.get_job_session(client, session_id)
        if session is None or session["id"] != session_id:
            raise VeeamEmError("id: backup session %s not found on Enterprise Manager" % params["id"], status=404)
        return [session]
    job_name = _verify.name(params["job_name"], "job_name")
    question = _sessions.JOB_SESSIONS.ask(job_name=job_name, not_state=_sessions.STOPPED)
    sessions = _sessions.query_job_sessions(client, question, newest_first=False)
    if not sessions and not _sessions.JOB_SESSIONS.exists(client, "job_name", job_name):
        raise VeeamEmError("job_name %r: Enterprise Manager has no session of a job of that name at all, so nothing "
                           "was stopped; check the spelling (the whole name, compared case-insensitively)"
                           % params["job_name"])
    return sessions


def send_stops(client, sessions, tasks):
    """POST a stop for each session (each its own request, never repeated), adding each task to ``tasks``.

    A stop whose answer was lost (EM may have run it) does not keep the other sessions from
    their stops: the caller follows each session's state. Any other failure ends here.
    """
    for session in sessions:
        try:
            _tasks.post(client, "/backupSessions/%s" % session["id"], "stop", tasks, session_id=session["id"],
                        refused=lambda exc, session=session: refused(client, exc, session))
        except VeeamEmError as exc:
            if exc.status is not None:
                raise
            client.warnings.append("The answer to the stop of session %s was lost (%s); the session's state shows "
                                   "whether Enterprise Manager ran it" % (session["name"], exc.msg))


def refused(client, exc, session):
    return VeeamEmError("The Enterprise Manager account %s lacks the role to stop jobs (Portal Administrator is "
                        "needed); EM refused to stop session %s (HTTP 403)"
                        % (client.options.user or "of the session token", session["name"]),
                        status=403, em_message=exc.em_message)


def wait_stopped(client, sessions, tasks, timeout, interval):
    """Poll the tasks, then their sessions, until every session is Stopped.

    A session is read again once its task is done (or it has none: an answer lost, a task EM
    no longer shows after a new logon). ``sessions`` is updated in place.
    """
    deadline = _tasks.Deadline(client, timeout)
    while True:
        _tasks.poll(client, tasks, describe)
        pending = set(t["session_id"] for t in tasks if not _tasks.done(t))
        refresh(client, sessions, set(s["id"] for s in sessions) - pending)
        check_lost(sessions, tasks)
        running = [s for s in sessions if s["state"] != _sessions.STOPPED]
        if not running:
            return
        try:
            _tasks.sleep_or_time_out(client, deadline, interval, "sessions to stop")
        except _tasks.TimedOut:
            refresh(client, sessions, pending)  # not read in this round: the message says what EM says now
            running = [s for s in sessions if s["state"] != _sessions.STOPPED]
            if not running:
                return
            raise _tasks.TimedOut("Timed out after %d s waiting for %s to stop; state now: %s"
                                  % (timeout, ", ".join(s["name"] for s in running),
                                     ", ".join(s["state"] or "unknown" for s in running)))


def describe(task):
    return "stop session %s" % task["session_id"]


def refresh(client, sessions, ids):
    """Read again, in place, the sessions of ``ids`` that are not Stopped."""
    for index, session in enumerate(sessions):
        if session["state"] != _sessions.STOPPED and session["id"] in ids:
            sessions[index] = _sessions.get_job_session(client, session["id"]) or session


def check_lost(sessions, tasks):
    """Fail when a stop whose answer was lost did not take: its session is neither Stopping nor Stopped."""
    lost = set(t["session_id"] for t in tasks if _tasks.answer_lost(t))
    untouched = [s for s in sessions if s["id"] in lost and _sessions.is_stoppable(s)]
    if untouched:
        raise VeeamEmError("The answer to the stop of %s was lost and the session still runs (%s); the stop was "
                           "not repeated (EM may still run it): look at the session before you run the task again"
                           % (", ".join(s["name"] for s in untouched), ", ".join(s["state"] for s in untouched)))


def diff_view(sessions, state=None):
    return {"backup_sessions": [
        {"id": s["id"], "name": s["name"], "state": state(s) if state else s["state"]} for s in sessions]}


def run(module, client):
    params = module.params
    if params["id"] is None and params["job_name"] is None:
        # checked here, not with required_one_of, so that a misspelt option (session_id=...) is reported
        # by Ansible as unsupported instead of this
        raise VeeamEmError("one of the following is required: id, job_name")
    _tasks.wait_options(params)
    sessions = find_sessions(client, params)
    to_stop = [s for s in sessions if _sessions.is_stoppable(s)]
    result = dict(changed=bool(to_stop), backup_sessions=sessions, tasks=[])
    if not to_stop:
        result["msg"] = nothing_to_stop(params, sessions)
    before = diff_view(sessions)
    if module.check_mode:
        after = diff_view(sessions, lambda s: _sessions.STOPPED if _sessions.is_stoppable(s) else s["state"])
    else:
        stop_and_follow(client, params, to_stop, result)
        after = diff_view(sessions)
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    return result


def nothing_to_stop(params, sessions):
    """What a run that sends no stop says."""
    if not sessions:
        return "Job %r has no running session: nothing to stop" % params["job_name"]
    return "Nothing to stop: %s" % "; ".join("session %s %s" % (s["name"], ended_or_state(s)) for s in sessions)


def ended_or_state(session):
    if session["state"] == _sessions.STOPPED:
        return "already ended (%s)" % (session["result"] or "no result")
    return "is already %s" % session["state"]


def stop_and_follow(client, params, to_stop, result):
    """Send the stops and follow them; any failure after EM accepted a stop still reports changed=true."""
    sessions, tasks = result["backup_sessions"], result["tasks"]
    try:
        send_stops(client, to_stop, tasks)
        if params["wait"]:
            wait_stopped(client, sessions, tasks, params["wait_timeout"], params["poll_interval"])
        else:
            refresh(client, sessions, set(t["session_id"] for t in tasks))
        check_lost(sessions, tasks)
    except VeeamEmError as exc:
        exc.result = dict(result, changed=bool(tasks))
        raise


def main():
    module = build_module(
        ARGUMENT_SPEC,
        supports_check_mode=True,
        mutually_exclusive=[("id", "job_name")],
    )
    run_module(module, run)


if __name__ == "__main__":
    main()
