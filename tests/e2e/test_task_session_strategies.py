# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""include_task_sessions against the emulator: whichever way the module asks (UID chunks or one
query on the time range), each session gets exactly its task sessions, in the requests the
numbers call for."""

from __future__ import absolute_import, division, print_function

import pytest

from test_modules_info import adhoc_result

INFO = "backupops.veeam_em.em_backup_session_info"


def _truth(emulator, ansible_adhoc, result_filter=""):
    """Every task session of the emulator (em_backup_task_session_info), oldest first, by job session id."""
    proc = ansible_adhoc("backupops.veeam_em.em_backup_task_session_info", "sort=oldest_first " + result_filter,
                         env=emulator.env())
    by_session = {}
    for task in adhoc_result(proc)["backup_task_sessions"]:
        by_session.setdefault(task["job_session_id"], []).append(task)
    return by_session


@pytest.mark.parametrize("args, task_result, strategy", [
    ("created_after=7d", None, "range"),                      # ~10 chunks, the week's task sessions fit 2 to 3 pages
    ("created_after=30d job_name='Fileserver Backup'", None, "uid"),  # one chunk: by UID only
    ("result=Failed", None, "uid"),                           # ~4 chunks, but 35 days of task sessions are more pages
    ("created_after=35d", "Warning,Failed", "range"),         # every session, only the problem task sessions: 1 page
])
def test_each_session_gets_exactly_its_task_sessions(fresh_emulator, ansible_adhoc, args, task_result, strategy):
    extra = " task_session_result=%s" % task_result if task_result else ""
    truth = _truth(fresh_emulator, ansible_adhoc, "result=%s" % task_result if task_result else "")
    fresh_emulator.reset()
    proc = ansible_adhoc(INFO, args + " include_task_sessions=true" + extra, env=fresh_emulator.env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    sessions = adhoc_result(proc)["backup_sessions"]
    assert len(sessions) > 1
    for session in sessions:
        assert session["task_sessions"] == truth.get(session["id"], []), session["name"]
    assert sum(len(s["task_sessions"]) for s in sessions) >= len(sessions) // 10  # not a test of empty lists
    queries = fresh_emulator.stats()["requests"]["GET /api/query"]
    session_pages = -(-len(sessions) // 1000)
    chunks = -(-len(sessions) // 40)
    if strategy == "uid":
        assert queries == session_pages + chunks + (1 if chunks > 1 else 0)  # + page 1 of the range, not read on
    else:
        assert 1 < chunks and session_pages + 1 <= queries <= session_pages + chunks
