# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A cancelled play (SIGTERM or SIGINT to ansible-playbook) leaves no logon session open on EM.

ansible-playbook 2.19 runs no task after either signal (no ``always``, no handler): it passes the
signal to its workers, which pass it to the module they run, and ends. So the roles must not hold a
logon session between tasks; the module that runs when the signal comes deletes its own logon.
Each test starts a role play, waits until the emulator's counters show a logon session open while the
role works, sends the signal to ansible-playbook alone, waits until ansible-playbook and every process
it had started have ended, and reads the counters.
"""

from __future__ import absolute_import, division, print_function

import os
import signal
import subprocess
import sys

import pytest

from emulator_process import interrupt

BIN = os.path.dirname(os.path.abspath(sys.executable))

GUARD = """---
- name: Stop the over-long sessions
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Guard
      ansible.builtin.include_role:
        name: backupops.veeam_em.backup_session_guard
      vars:
        backup_session_guard_max_runtime: 8h
"""

JOB_RUN = """---
- name: Back up before the change
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Run the backup
      ansible.builtin.include_role:
        name: backupops.veeam_em.backup_job_run
      vars:
        backup_job_run_jobs: [SQL Backup]
        backup_job_run_vms: [sql01]  # backed up by SQL Backup: one job, first looked up with a logon of its own
        backup_job_run_poll_interval: 1
"""

SIGNALS = [pytest.param(signal.SIGTERM, id="SIGTERM"), pytest.param(signal.SIGINT, id="SIGINT")]


@pytest.fixture()
def start_play(collection_env, tmp_path):
    """``start_play(TEXT, emulator)`` -> the running ansible-playbook (a Popen), output to a file."""
    started = []

    def _start(text, emulator):
        playbook = tmp_path / "play.yml"
        playbook.write_text(text, encoding="utf-8")
        env = dict(collection_env)
        env.update(emulator.env())
        log = open(str(tmp_path / "ansible.log"), "w")
        proc = subprocess.Popen([os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local",
                                 str(playbook)], env=env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        started.append(proc)
        return proc

    yield _start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def output(tmp_path):
    return (tmp_path / "ansible.log").read_text(encoding="utf-8")


def wait_for(proc, emulator, ready, tmp_path):
    """Read the emulator's counters until ``ready(previous, now)``; the play must still run then."""
    previous = emulator.stats()
    while proc.poll() is None:
        now = emulator.stats()
        if ready(previous, now):
            return now
        previous = now
    pytest.fail("the play ended (rc %s) before the awaited moment:\n%s" % (proc.returncode, output(tmp_path)))


def interrupted_and_logged_off(proc, emu, signum, tmp_path):
    """Send ``signum``; once the play has ended, no logon session is open and every logon was logged off."""
    interrupt(proc, signum)
    stats = emu.stats()
    assert stats["logon_answers_lost"] == 0
    assert stats["open_logon_sessions"] == 0, output(tmp_path)
    assert stats["logouts"] == stats["logons"]
    return stats


@pytest.mark.parametrize("signum", SIGNALS)
def test_guard_cancelled_while_a_stop_waits(start_emulator, start_play, tmp_path, signum):
    # stops take 60 s: the guard's stop task waits for its session (up to 300 s) when the signal comes
    emu = start_emulator("--seed", "42", "--stop-delay", "60")
    proc = start_play(GUARD, emu)
    seen = wait_for(proc, emu, lambda _prev, now: now["stop_requests"] >= 1 and now["open_logon_sessions"] >= 1,
                    tmp_path)
    assert seen["open_logon_sessions"] == 1
    interrupted_and_logged_off(proc, emu, signum, tmp_path)


@pytest.mark.parametrize("signum", SIGNALS)
def test_job_run_cancelled_while_waiting_for_the_session(start_emulator, start_play, tmp_path, signum):
    # the job runs 60 s; every answer takes 0.3 s, so a logon session stays open for 0.6 s or more
    emu = start_emulator("--seed", "42", "--job-duration", "60", "--latency", "300")

    def ready(prev, now):
        # the job was started and a logon session is open, that logon being the role's only one or
        # one that has just begun (a poll for the session: the signal comes before its logoff)
        return ((now.get("job_actions") or {}).get("start", 0) >= 1 and now["open_logon_sessions"] >= 1
                and (now["logons"] == 1 or now["logons"] > prev["logons"]))

    proc = start_play(JOB_RUN, emu)
    seen = wait_for(proc, emu, ready, tmp_path)
    assert seen["open_logon_sessions"] == 1
    stats = interrupted_and_logged_off(proc, emu, signum, tmp_path)
    assert stats["job_actions"] == {"start": 1}
