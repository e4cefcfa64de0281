# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The install and run recipes of the docs, run as written, as a new user would.

* docs/eda.md: the ``inventory.yml`` block and the ``ansible-rulebook`` commands, with the real
  ansible-rulebook (build/eda-venv, test_eda.py's fixture) and nothing of the test's own in between:
  no ``ANSIBLE_PYTHON_INTERPRETER`` (the inventory has to choose the Python, or the retry playbook
  finds none with ``requests``), the collection installed where ansible-rulebook finds it.
* README.md: installing the collection from a clone (``ansible-galaxy collection build`` and
  ``install``), then using it from the installed copy.

The changes a reader makes for their own EM are the only ones: the ``export VEEAM_EM_...`` line
gets the emulator's connection, and ``vars.yml`` (optional in the doc) sets a 1 s interval.
"""

from __future__ import absolute_import, division, print_function

import os
import re
import shlex
import shutil
import subprocess
import sys

import yaml

from emulator_process import ansible_env
from test_eda import EmUser, Rulebook, eda_bin  # noqa: F401  pylint: disable=unused-import  # fixture and helpers

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(os.path.abspath(sys.executable))


def fenced_blocks(doc, language):
    with open(os.path.join(REPO, doc), encoding="utf-8") as handle:
        return re.findall(r"^ *```%s\n(.*?)^ *```" % language, handle.read(), re.S | re.M)


def block_starting(doc, language, first_line):
    """The one ``language`` block of ``doc`` whose first line is ``first_line``."""
    found = [block for block in fenced_blocks(doc, language) if block.splitlines()[0].strip() == first_line]
    assert len(found) == 1, "%s: expected one ```%s block starting %r, found %d" % (doc, language, first_line, len(found))
    return found[0]


def block_containing(doc, language, text):
    found = [block for block in fenced_blocks(doc, language) if text in block]
    assert len(found) == 1, "%s: expected one ```%s block with %r, found %d" % (doc, language, text, len(found))
    return found[0]


def with_own_connection(script, emulator):
    """The doc's commands with its ``export VEEAM_EM_SERVER=...`` line replaced by the emulator's connection."""
    exports = "export " + " ".join("%s=%s" % (key, shlex.quote(value)) for key, value in sorted(emulator.env().items()))
    lines = script.splitlines()
    connection = [index for index, line in enumerate(lines) if line.startswith("export VEEAM_EM_SERVER=")]
    assert len(connection) == 1, script
    lines[connection[0]] = exports
    return "\n".join(lines) + "\n"


def copy_checkout(dest):
    """A clone of this working tree: its git-tracked and untracked-but-not-ignored files."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, capture_output=True, text=True,
                           check=True).stdout.splitlines()
    for name in files:
        if os.path.isfile(os.path.join(REPO, name)) and not name.startswith((".ansible/", "build/")):
            os.makedirs(os.path.dirname(os.path.join(str(dest), name)) or ".", exist_ok=True)
            shutil.copy2(os.path.join(REPO, name), os.path.join(str(dest), name))
    return dest


class DocRulebook(Rulebook):
    """``bash -c SCRIPT`` (the doc's commands, the last one exec'd) in ``workdir``, logged like Rulebook."""

    def __init__(self, emulator, script, workdir, env):  # pylint: disable=super-init-not-called
        self.emulator = emulator
        self.log = os.path.join(workdir, "rulebook.log")
        lines = script.rstrip("\n").split("\n")
        start = max(index for index, line in enumerate(lines) if line.startswith("ansible-rulebook "))
        lines[start] = "exec " + lines[start]
        self.proc = subprocess.Popen(["bash", "-euc", "\n".join(lines)], env=env, cwd=workdir,
                                     stdout=open(self.log, "w"), stderr=subprocess.STDOUT)


def test_eda_md_inventory_and_rulebook_run_as_written(eda_bin, start_emulator, tmp_path):
    """docs/eda.md: the shipped rulebook retries a failed job through its playbook on the doc's inventory."""
    emulator = start_emulator("--job-duration", "2", "--job-outcome", "Oracle Backup=Failed,Success")
    workdir = tmp_path / "rulebook"
    workdir.mkdir()
    inventory = block_starting(os.path.join("docs", "eda.md"), "yaml", "# inventory.yml")
    (workdir / "inventory.yml").write_text(inventory, encoding="utf-8")
    (workdir / "vars.yml").write_text(yaml.safe_dump({"veeam_em_interval": 1}), encoding="utf-8")
    commands = block_containing(os.path.join("docs", "eda.md"), "bash",
                                "ansible-rulebook -r backupops.veeam_em.retry_failed_backups ")
    env = ansible_env(str(tmp_path / "ansible"), bin_dir=eda_bin, python=os.path.join(eda_bin, "python"))
    del env["ANSIBLE_PYTHON_INTERPRETER"]  # the inventory chooses it, as on a user's host
    rulebook = DocRulebook(emulator, with_own_connection(commands, emulator), str(workdir), env)
    try:
        rulebook.wait_for(lambda: emulator.stats()["requests"].get("GET /api/query"))  # polling
        user = EmUser(emulator)
        job_id = user.job_id("Oracle Backup")
        user.call("POST", "jobs/%s?action=start" % job_id)  # fails, then its retry succeeds
        rulebook.wait_for(lambda: user.last_session(job_id) == ("true", "Success"), timeout=120)
        rulebook.wait_for(lambda: "PLAY RECAP" in rulebook.output())  # the retry playbook has logged off
        user.close()
    finally:
        rulebook.stop()
    output = rulebook.output()
    stats = emulator.stats()
    assert stats["job_actions"] == {"start": 1, "retry": 1}, output
    assert "Failed to import" not in output and "FAILED!" not in output, output
    assert re.search(r"localhost +: ok=2 +changed=1 +unreachable=0 +failed=0", output), output
    assert stats["open_logon_sessions"] == 0, (stats, output[-6000:])
    assert emulator.admin_password not in output


def test_eda_md_protection_rulebook_runs_as_written(eda_bin, start_emulator, tmp_path):
    """docs/eda.md: keep_protected on the doc's inventory, for the emulator's Finance Backup (vars.yml, as a
    reader limits it to a job): fin-db01 (5 days old) and fin-new01 (never backed up) are breached together,
    the job is started once, both recover; the nearly full repository is reported."""
    emulator = start_emulator("--job-duration", "2")
    workdir = tmp_path / "rulebook"
    workdir.mkdir()
    inventory = block_starting(os.path.join("docs", "eda.md"), "yaml", "# inventory.yml")
    (workdir / "inventory.yml").write_text(inventory, encoding="utf-8")
    (workdir / "vars.yml").write_text(yaml.safe_dump({"veeam_em_protection_interval": 1,
                                                      "veeam_em_job_names": ["Finance Backup"]}), encoding="utf-8")
    commands = block_containing(os.path.join("docs", "eda.md"), "bash", "ansible-rulebook -r backupops.veeam_em.keep_protected ")
    env = ansible_env(str(tmp_path / "ansible"), bin_dir=eda_bin, python=os.path.join(eda_bin, "python"))
    del env["ANSIBLE_PYTHON_INTERPRETER"]  # the inventory chooses it, as on a user's host
    rulebook = DocRulebook(emulator, with_own_connection(commands, emulator), str(workdir), env)
    recovered = re.compile(r"VM (\S+) on \S+ is within its RPO of 24h again")
    try:
        rulebook.wait_for(lambda: sorted(recovered.findall(rulebook.output())) == ["fin-db01", "fin-new01"],
                          timeout=180)
        rulebook.wait_for(lambda: "has 2.5 % free, less than 10.0 %" in rulebook.output())
        rulebook.wait_for(lambda: rulebook.output().count("PLAY RECAP") == 2)  # both playbooks have logged off
    finally:
        rulebook.stop()
    output = rulebook.output()
    stats = emulator.stats()
    assert stats["job_actions"] == {"start": 1}, output
    assert output.count("Started: job Finance Backup for VM") == 1, output
    assert "Failed to import" not in output and "FAILED!" not in output, output
    assert stats["open_logon_sessions"] == 0, (stats, output[-6000:])
    assert emulator.admin_password not in output


def test_readme_install_from_a_clone(fresh_emulator, tmp_path):
    """README.md's commands that install the collection from a clone, run in a clone; the installed copy works."""
    clone = copy_checkout(tmp_path / "veeam_em")
    block = block_containing("README.md", "bash", "ansible-galaxy collection build")
    commands = [line for line in block.splitlines() if line.strip() and not line.startswith("#")]
    # git clone: the copy above is the clone (no network); pip install requests: the venv has it
    run = [line for line in commands if not line.startswith(("git clone", "python3 -m pip install"))]
    assert any(line.startswith("ansible-galaxy collection install") for line in run), block
    env = ansible_env(str(tmp_path / "ansible"))
    del env["ANSIBLE_COLLECTIONS_PATH"]  # the default, ~/.ansible/collections (HOME is the test's)
    proc = subprocess.run(["bash", "-euc", "\n".join(run)], env=env, cwd=str(clone), capture_output=True, text=True,
                          timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    installed = os.path.join(env["HOME"], ".ansible", "collections", "ansible_collections", "backupops", "veeam_em")
    assert os.path.isfile(os.path.join(installed, "MANIFEST.json")), proc.stdout + proc.stderr
    # the installed collection (not this working tree) runs a module and a playbook against the emulator
    env.update(fresh_emulator.env())
    proc = subprocess.run([os.path.join(BIN, "ansible"), "localhost", "-i", "localhost,", "-c", "local", "-m",
                           "backupops.veeam_em.em_backup_session_info", "-a", "limit=1", "-vvv"],
                          env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert installed in proc.stdout, "not the installed copy:\n" + proc.stdout
    assert fresh_emulator.stats()["open_logon_sessions"] == 0
