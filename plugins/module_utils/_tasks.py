# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""EM tasks: an action posted once, and the one waiter for the task it answers with.

An action (``POST /backupSessions/{ID}?action=stop``, ``POST /jobs/{ID}?action=start``, ...) is
sent once and never repeated after it may have reached EM; EM answers 202 with a Task, followed
through ``GET /tasks/{ID}`` until it is done. Its states (get_tasks_id): ``Running``;
``OperationFinished`` (done on the backup server, not yet collected by EM); ``Finished``. A task
whose ``Result`` says ``Success="false"`` failed, in either of the last two states, and the waiter
fails with EM's message. Every wait has one deadline on the client's clock and polls every
``interval`` seconds, jittered (80 to 100 %) so that many hosts do not poll in step.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.backupops.veeam_em.plugins.module_utils import _entities
from ansible_collections.backupops.veeam_em.plugins.module_utils import _query
from ansible_collections.backupops.veeam_em.plugins.module_utils import _sessions
from ansible_collections.backupops.veeam_em.plugins.module_utils import _times
from ansible_collections.backupops.veeam_em.plugins.module_utils import _xml
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError

RUNNING, OPERATION_FINISHED, FINISHED = _sessions.EM_TASK_STATES
MAX_WAIT = 7 * 86400
MAX_POLL = 3600


def wait_options(params):
    """``wait_timeout`` and ``poll_interval`` (lengths such as 30m; a bare number counts seconds) -> seconds, in place.

    Checked before any request: from 1 s to a week, and from 1 s to an hour.
    """
    for option, high in (("wait_timeout", MAX_WAIT), ("poll_interval", MAX_POLL)):
        seconds = _times.length(params[option], option, bare_seconds=True, allow_zero=True)
        _query.check_range(seconds, option, 1, high)
        params[option] = seconds


def task(node, **extra):
    """An EM Task (the answer to an action, or GET /tasks/{id}) as a dict; ``node`` None: no answer (yet)."""
    result = node.find("Result") if node is not None else None
    href = node.get("Href") if node is not None else None
    entry = {
        "task_id": _xml.text(node, "TaskId") or _query.last_segment(_entities.plain_href(href)),
        "state": _xml.text(node, "State"),
        "operation": _xml.text(node, "Operation"),
        "success": _entities.boolean(result.get("Success")) if result is not None else None,
        "message": _xml.text(result, "Message"),
    }
    entry.update(extra)
    return entry


def post(client, path, verb, tasks, refused, **extra):
    """POST ``path?action=verb`` once; the task it answers with is added to ``tasks`` and returned.

    A request that may have reached EM (the connection failed on the way) still adds a task
    without an id (state null), so the caller reports changed=true; ``refused(exc)`` is the error
    for an HTTP 403. ``extra`` keys are set on the task (what it acts on).
    """
    try:
        doc = client.post(path, [("action", verb)])
    except VeeamEmError as exc:
        if exc.status == 403:
            raise refused(exc)
        if exc.status is None:  # the connection failed: EM may have accepted it
            tasks.append(task(None, **extra))
        raise
    posted = task(doc, **extra)
    tasks.append(posted)
    return posted


def answer_lost(posted):
    """Whether this task stands for a request whose answer was lost (EM may have run it)."""
    return posted["task_id"] is None and posted["state"] is None


def refresh(client, posted):
    """Read ``posted`` again, in place; False (state None) when EM no longer shows it.

    EM tasks belong to the logon session that created them: after a new logon, or once EM
    has dropped the task, it answers 404.
    """
    if client.relogons:
        posted["state"] = None
        return False
    try:
        doc = client.get("/tasks/%s" % posted["task_id"])
    except VeeamEmError as exc:
        if exc.status != 404:
            raise
        posted["state"] = None
        return False
    fresh = task(doc)
    fresh["task_id"] = fresh["task_id"] or posted["task_id"]
    posted.update(fresh)
    return True


def done(posted):
    """Whether the task needs no more polling: finished (in either state), or no longer followed."""
    return not posted["task_id"] or posted["state"] in (OPERATION_FINISHED, FINISHED, None)


def failed(posted):
    """EM's message when the task has failed, else None."""
    if posted["state"] in (OPERATION_FINISHED, FINISHED) and posted["success"] is False:
        return posted["message"] or "EM gave no reason"
    return None


def check(posted, what):
    """Raise with EM's message when the task failed; ``what`` says what was asked (``stop session X``)."""
    message = failed(posted)
    if message is not None:
        raise VeeamEmError("Enterprise Manager could not %s: %s" % (what, message))


def poll(client, tasks, describe):
    """Read each task that is not done yet once; raise on the first that failed (``describe(task)``: what it does)."""
    for posted in tasks:
        if not done(posted):
            refresh(client, posted)
        check(posted, describe(posted))


def wait(client, tasks, deadline, interval, describe):
    """Poll ``tasks`` until every one is done; fails with EM's message when one failed, or at the deadline."""
    while True:
        poll(client, tasks, describe)
        pending = [posted for posted in tasks if not done(posted)]
        if not pending:
            return tasks
        sleep_or_time_out(client, deadline, interval, ", ".join(
            "task %s (%s) to finish; state now: %s" % (p["task_id"], describe(p), p["state"]) for p in pending))


class TimedOut(VeeamEmError):
    """A wait reached its deadline."""


class Deadline(object):
    """``seconds`` from now on the client's clock."""

    def __init__(self, client, seconds):
        self.seconds = seconds
        self.at = client.clock.monotonic() + seconds

    def remaining(self, client):
        return self.at - client.clock.monotonic()


def sleep_or_time_out(client, deadline, interval, waiting_for):
    """Sleep one poll interval, jittered (at most until the deadline); past the deadline fail, saying what was awaited."""
    remaining = deadline.remaining(client)
    if remaining <= 0:
        raise TimedOut("Timed out after %d s waiting for %s" % (deadline.seconds, waiting_for))
    client.clock.sleep(min(client.clock.jitter(interval), remaining))
