# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""EM tasks that fail (the emulator's --task-failure): the one task waiter reports EM's message at once.

get_tasks_id: a task is Running, then OperationFinished (done on the backup server), then Finished; a
failure shows as Result Success="false" in either of the last two. The stop and the job actions wait for
their tasks in one place (module_utils/_tasks.py); before it, a stop that failed in OperationFinished
waited for its timeout and said "Timed out".
"""

from __future__ import absolute_import, division, print_function

import json

import pytest

from test_roles_emapi import EmApi

from ansible_collections.backupops.veeam_em.plugins.module_utils._sessions import STOPPABLE_STATES


def _result(proc):
    assert " => " in proc.stdout, proc.stdout + proc.stderr
    return json.loads(proc.stdout.split(" => ", 1)[1])


@pytest.mark.parametrize("when", ["operation-finished", "finished"])
def test_a_stop_whose_task_fails_reports_ems_message_and_changed(fresh_emulator, ansible_adhoc, when):
    fresh_emulator.task_failure("%s:StopJobSession" % when)
    with EmApi(fresh_emulator) as api:
        session = [s for s in api.sessions() if s["state"] in STOPPABLE_STATES][0]
    proc = ansible_adhoc("backupops.veeam_em.em_backup_session_stop",
                         "id=%s wait_timeout=600 poll_interval=1" % session["id"], env=fresh_emulator.env())
    assert proc.returncode == 2, proc.stdout + proc.stderr
    result = _result(proc)
    assert result["msg"].startswith("Enterprise Manager could not stop session %s: Failed to stop job session"
                                    % session["id"]), result["msg"]
    assert result["changed"] is True  # EM accepted the request; the backup server failed it
    with EmApi(fresh_emulator) as api:
        assert [s["state"] for s in api.sessions() if s["id"] == session["id"]] == [session["state"]]
    stats = fresh_emulator.stats()
    assert stats["task_failures"] == {"StopJobSession": 1} and stats["open_logon_sessions"] == 0


@pytest.mark.parametrize("when", ["operation-finished", "finished"])
def test_a_job_start_whose_task_fails_reports_ems_message_and_changed(jobs_em, ansible_adhoc, when):
    jobs_em.task_failure("%s:StartJob" % when)
    proc = ansible_adhoc("backupops.veeam_em.em_backup_job",
                         "name='Fileserver Backup' state=started wait_timeout=600 poll_interval=1", env=jobs_em.env())
    assert proc.returncode == 2, proc.stdout + proc.stderr
    result = _result(proc)
    assert result["msg"].startswith('Enterprise Manager could not start the job: Failed to start job '
                                    '"Fileserver Backup"'), result["msg"]
    assert result["changed"] is True and result["actions"] == ["start"]
    stats = jobs_em.stats()
    assert stats["job_actions"] == {"start": 1} and stats["task_failures"] == {"StartJob": 1}
    assert stats["open_logon_sessions"] == 0
