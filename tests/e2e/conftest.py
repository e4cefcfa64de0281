# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""End-to-end harness: real emulator processes and real ansible runs.

The emulator is started through its command line only (the way a user
starts it), on a free port, and stopped after the tests.  The collection
is made visible to Ansible through a symlinked ``ansible_collections``
tree, so every run uses the working tree as it is.
"""

from __future__ import absolute_import, division, print_function

import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests", "emulator"))
sys.path.insert(0, os.path.join(REPO, "scripts"))
import collection_tree  # noqa: E402 pylint: disable=wrong-import-position

collection_tree.importable()  # the tests read EM's vocabulary from module_utils/_sessions.py
from emulator_process import EmulatorProcess, ansible_env  # noqa: E402 pylint: disable=wrong-import-position

BIN = os.path.dirname(os.path.abspath(sys.executable))


@pytest.fixture(scope="session")
def start_emulator():
    """Factory: ``start_emulator("--http", "--sessions", "500")`` -> EmulatorProcess.

    Every emulator started this way is stopped at the end of the session.
    """
    started = []
    dirs = []

    def _start(*args):
        workdir = tempfile.mkdtemp(prefix="em-emulator-")
        dirs.append(workdir)
        emu = EmulatorProcess(args, workdir)
        started.append(emu)
        return emu

    yield _start
    for emu in started:
        emu.stop()
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def emulator(start_emulator):
    """The shared HTTPS emulator (seed 42, 2,000 sessions, fast stops)."""
    return start_emulator("--seed", "42", "--stop-delay", "1")


@pytest.fixture()
def fresh_emulator(emulator):
    """The shared emulator, reset to its initial data and zero counters."""
    emulator.reset()
    return emulator


@pytest.fixture(scope="session")
def job_emulator(start_emulator):
    """An emulator for the job tests: jobs run 2 s; Exchange Backup always fails, Oracle Backup fails once."""
    return start_emulator("--seed", "42", "--stop-delay", "1", "--job-duration", "2",
                          "--job-outcome", "Exchange Backup=Failed", "--job-outcome", "Oracle Backup=Failed,Success")


@pytest.fixture()
def jobs_em(job_emulator):
    """The job emulator, reset to its initial data (outcome sequences from the start) and zero counters."""
    job_emulator.reset()
    return job_emulator


@pytest.fixture(scope="session")
def collection_env(tmp_path_factory):
    """Environment in which ansible sees this working tree as backupops.veeam_em."""
    return ansible_env(str(tmp_path_factory.mktemp("ansible")))


def _run(cmd, env, extra_env=None, cwd=REPO, timeout=600):
    full = dict(env)
    full.update(extra_env or {})
    return subprocess.run(cmd, env=full, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture()
def ansible_playbook(collection_env):
    """Run ``ansible-playbook``; returns the CompletedProcess (stdout, stderr, returncode).

    ``ansible_playbook("tests/e2e/playbooks/x.yml", extra_vars={...}, env=emu.env(),
    args=["--check", "--diff"])``
    """
    def _run_playbook(playbook, extra_vars=None, env=None, args=(), cwd=REPO):
        cmd = [os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local"]
        if extra_vars:
            cmd += ["-e", json.dumps(extra_vars)]
        cmd += list(args) + [playbook]
        return _run(cmd, collection_env, env, cwd=cwd)
    return _run_playbook


@pytest.fixture()
def role_play(ansible_playbook, tmp_path):
    """``role_play(PLAYBOOK)`` -> ``run(emulator, args=(), **vars)`` returning (proc, result).

    PLAYBOOK writes what the role did to ``{{ result_file }}`` as JSON; ``result`` is that, or None
    when the play stopped before writing it.
    """
    def _play(text, name="play.yml"):
        playbook = tmp_path / name
        playbook.write_text(text, encoding="utf-8")
        counter = [0]

        def _run(emulator, args=(), **role_vars):
            counter[0] += 1
            result_file = tmp_path / ("result%d.json" % counter[0])
            extra = dict(role_vars, result_file=str(result_file))
            proc = ansible_playbook(str(playbook), extra_vars=extra, env=emulator.env(), args=args)
            result = json.loads(result_file.read_text(encoding="utf-8")) if result_file.exists() else None
            return proc, result
        return _run
    return _play


@pytest.fixture()
def ansible_adhoc(collection_env):
    """Run ``ansible localhost -m MODULE -a ARGS``; returns the CompletedProcess."""
    def _run_adhoc(module, module_args="", env=None, args=()):
        cmd = [os.path.join(BIN, "ansible"), "localhost", "-i", "localhost,", "-c", "local",
               "-m", module]
        if module_args:
            cmd += ["-a", module_args]
        cmd += list(args)
        return _run(cmd, collection_env, env)
    return _run_adhoc
