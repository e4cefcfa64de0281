# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Job and VM names with typographic quotes, ASCII quotes and commas, through real ansible runs.

EM's filter grammar delimits strings with the ASCII quote only; the typographic quotes U+201C and
U+201D are ordinary characters (docs/emulator.md), and a comma inside quotes is no OR.
"""

from __future__ import absolute_import, division, print_function

import json
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests", "emulator"))
from em_emulator.dataset import generate  # noqa: E402 pylint: disable=wrong-import-position
from em_emulator.timeutil import parse_iso  # noqa: E402 pylint: disable=wrong-import-position

NOW = "2026-01-15T12:00:00Z"
TYPOGRAPHIC_JOB = "Backup \u201cProd\u201d"
TYPOGRAPHIC_VM = "lnx50 \u201cprod\u201d"
COMMA_VM = "db15, archive"


def _result(proc):
    assert " => " in proc.stdout, proc.stdout + proc.stderr
    return json.loads(proc.stdout.split(" => ", 1)[1])


def test_names_with_quotes_and_commas(start_emulator, ansible_adhoc):
    emu = start_emulator("--seed", "42", "--now", NOW)
    data = generate(42, 2000, 40, parse_iso(NOW))
    jobs = [TYPOGRAPHIC_JOB, 'SQL "Prod" Backup', "Mailserver, weekly"]
    proc = ansible_adhoc("backupops.veeam_em.em_backup_session_info", json.dumps({"job_name": jobs}), env=emu.env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    got = _result(proc)["backup_sessions"]
    assert sorted(s["id"] for s in got) == sorted(s.id for s in data.sessions if s.job.name in jobs)
    assert set(s["job_name"] for s in got) == set(jobs)

    vms = [TYPOGRAPHIC_VM, COMMA_VM]
    proc = ansible_adhoc("backupops.veeam_em.em_backup_task_session_info", json.dumps({"vm_name": vms}),
                         env=emu.env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    got = _result(proc)["backup_task_sessions"]
    assert sorted(t["id"] for t in got) == sorted(t.id for t in data.task_sessions if t.vm in vms)
    assert set(t["vm_name"] for t in got) == set(vms)

    # a name that only differs by its quotes is another name
    proc = ansible_adhoc("backupops.veeam_em.em_backup_session_info", json.dumps({"job_name": ['Backup "Prod"']}),
                         env=emu.env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _result(proc)["backup_sessions"] == []
    assert emu.stats()["open_logon_sessions"] == 0


def test_typographic_quotes_in_a_job_name_on_an_em_that_refuses_them(start_emulator, emulator, ansible_adhoc):
    """An EM whose filter parser takes \u201c \u201d for quotes answers 400 to a filter holding one: the job is still
    found (its UID through the job list), with exactly the sessions an EM that reads them as text gives."""
    name = u"Backup \u201cProd\u201d"
    strict = start_emulator("--seed", "42", "--stop-delay", "1", "--typographic-quotes", "quotes")
    results = {}
    for em in (emulator, strict):
        em.reset()
        proc = ansible_adhoc("backupops.veeam_em.em_backup_session_info", json.dumps({"job_name": name}), env=em.env())
        assert proc.returncode == 0, proc.stdout + proc.stderr
        results[em] = json.loads(proc.stdout.split(" => ", 1)[1])
        jobs = ansible_adhoc("backupops.veeam_em.em_backup_job_info", json.dumps({"name": name}), env=em.env())
        assert [j["name"] for j in json.loads(jobs.stdout.split(" => ", 1)[1])["jobs"]] == [name], jobs.stdout
        assert "[WARNING]" not in proc.stdout + proc.stderr + jobs.stdout + jobs.stderr
    sessions = [[s["id"] for s in results[em]["backup_sessions"]] for em in (emulator, strict)]
    assert sessions[0] == sessions[1] and len(sessions[0]) > 0
    assert strict.stats()["open_logon_sessions"] == 0
