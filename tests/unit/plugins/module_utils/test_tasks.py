# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one waiter for EM tasks: every state of get_tasks_id, EM's message on a failure, one deadline."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.backupops.veeam_em.plugins.module_utils import _tasks
from ansible_collections.backupops.veeam_em.plugins.module_utils import _xml
from ansible_collections.backupops.veeam_em.plugins.module_utils._client import EmClient
from ansible_collections.backupops.veeam_em.plugins.module_utils._connection import ConnectionOptions
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError
from ansible_collections.backupops.veeam_em.tests.unit.em_fake import PASSWORD, task_xml

SID = "d46e39e0-1131-4585-91a7-e828ce7eafae"
REASON = "Failed to stop job session: the backup server is not available"


def client():
    return EmClient(ConnectionOptions(server="em.example.com", user="Administrator", password=PASSWORD))


def running(task_id="task-1"):
    return _tasks.task(_xml.parse(task_xml(task_id, "Running")), session_id=SID)


def describe(task):
    return "stop session %s" % task["session_id"]


def test_task_of_the_reference_example():
    content = _xml.parse(task_xml("task-7", "Finished", True, 'Job Session "x" triggered to stop.'))
    assert _tasks.task(content, session_id=SID) == {
        "task_id": "task-7", "state": "Finished", "operation": "StopJobSession",
        "success": True, "message": 'Job Session "x" triggered to stop.', "session_id": SID}
    assert (running()["success"], running()["message"]) == (None, None)
    # an answer without a body (None from the client) gives a task with nothing known but the session
    lost = _tasks.task(None, session_id=SID)
    assert lost == {"task_id": None, "state": None, "operation": None, "success": None, "message": None,
                    "session_id": SID}
    assert _tasks.answer_lost(lost) and _tasks.done(lost)


@pytest.mark.parametrize("states", [
    ["Running", "Finished"],
    ["OperationFinished"],                 # done on the backup server: no more polling
    ["Running", "Running", "OperationFinished"],
])
def test_waits_until_the_task_is_done(fake_em, states):
    fake_em.logon()
    for state in states:
        fake_em.expect("GET", "/tasks/task-1", body=task_xml("task-1", state, True, "OperationFinished"))
    fake_em.logout()
    with client() as em:
        task = running()
        _tasks.wait(em, [task], _tasks.Deadline(em, 60), 3, describe)
    assert task["state"] == states[-1] and task["success"] is True
    assert fake_em.sleeps == [3] * (len(states) - 1)
    assert [c[:2] for c in fake_em.summary()][1:-1] == [("GET", "/api/tasks/task-1")] * len(states)


@pytest.mark.parametrize("state", ["OperationFinished", "Finished"])
def test_a_failed_task_fails_with_ems_message_at_once(fake_em, state):
    fake_em.logon()
    fake_em.expect("GET", "/tasks/task-1", body=task_xml("task-1", state, False, REASON))
    fake_em.logout()
    with client() as em:
        with pytest.raises(VeeamEmError) as err:
            _tasks.wait(em, [running()], _tasks.Deadline(em, 300), 5, describe)
    assert err.value.msg == "Enterprise Manager could not stop session %s: %s" % (SID, REASON)
    assert fake_em.sleeps == []  # not a timeout: EM said it failed


def test_a_task_that_stays_running_times_out_naming_it(fake_em):
    fake_em.logon()
    for dummy in range(3):
        fake_em.expect("GET", "/tasks/task-1", body=task_xml("task-1", "Running", operation="StartJob"))
    fake_em.logout()
    with client() as em:
        with pytest.raises(_tasks.TimedOut) as err:
            _tasks.wait(em, [running()], _tasks.Deadline(em, 4), 2, describe)
    assert err.value.msg == ("Timed out after 4 s waiting for task task-1 (stop session %s) to finish; state now: "
                             "Running" % SID)
    assert fake_em.sleeps == [2, 2]


def test_a_task_em_no_longer_shows_is_no_longer_followed(fake_em):
    fake_em.logon().expect("GET", "/tasks/task-1", 404, "").logout()
    with client() as em:
        task = running()
        _tasks.wait(em, [task], _tasks.Deadline(em, 60), 3, describe)
    assert task["state"] is None and fake_em.sleeps == []


def test_the_jitter_of_the_real_clock_stays_within_80_to_100_percent():
    values = [EmClient.clock.jitter(10) for dummy in range(200)]
    assert all(8 <= value <= 10 for value in values) and len(set(values)) > 1


@pytest.mark.parametrize("timeout, interval, expected", [
    ("30m", "10s", (1800, 10)), (300, 5, (300, 5)), ("1h30m", "1m", (5400, 60)), ("7d", "1h", (604800, 3600)),
])
def test_wait_options_take_the_time_grammar_with_bare_seconds(timeout, interval, expected):
    params = {"wait_timeout": timeout, "poll_interval": interval}
    _tasks.wait_options(params)
    assert (params["wait_timeout"], params["poll_interval"]) == expected


@pytest.mark.parametrize("timeout, interval, message", [
    ("24x", 5, "wait_timeout '24x' is not a length such as 90s, 30m, 24h, 7d, 2w or 1h30m"),
    (0, 5, "wait_timeout must be from 1 to 604800 seconds; got 0"),
    ("8d", 5, "wait_timeout must be from 1 to 604800 seconds; got 691200"),
    (300, "2h", "poll_interval must be from 1 to 3600 seconds; got 7200"),
    (300, [5], "poll_interval must be a length"),
])
def test_wait_options_refuse_naming_the_option(timeout, interval, message):
    with pytest.raises(VeeamEmError) as err:
        _tasks.wait_options({"wait_timeout": timeout, "poll_interval": interval})
    assert err.value.msg.startswith(message)
