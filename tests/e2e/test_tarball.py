# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The built collection holds what a user runs, and the emulator starts from an installed copy."""

from __future__ import absolute_import, division, print_function

import glob
import os
import subprocess
import sys
import tarfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(os.path.abspath(sys.executable))
DEVELOPMENT = ("Makefile", "scripts/", "CONTRIBUTING.md", "BENCHMARKS.md", "tests/bench/", "tests/unit/", "tests/e2e/",
               "tests/property/", "tests/soak/", "tests/emulator/tests/", "tests/requirements-dev.txt", ".ansible-lint")
USER = ("README.md", "plugins/modules/em_backup_session_info.py", "plugins/module_utils/_client.py",
        "roles/backup_session_report/tasks/main.yml", "plugins/action/em_backup_session_report.py",
        "plugins/plugin_utils/report_templates/report.html.j2", "plugins/plugin_utils/report_templates/report.junit.xml.j2",
        "playbooks/report.yml", "meta/runtime.yml", "requirements.txt",
        "bindep.txt", "docs/emulator.md", "tests/emulator/run_emulator.py", "tests/emulator/em_emulator/server.py")


def test_tarball_has_what_a_user_runs_and_the_emulator_starts_installed(tmp_path):
    env = dict(os.environ, ANSIBLE_NOCOLOR="1")
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--output-path", str(tmp_path), REPO],
                   check=True, capture_output=True, env=env, cwd=REPO)
    tarball = glob.glob(str(tmp_path / "*.tar.gz"))[0]
    with tarfile.open(tarball) as tar:
        names = tar.getnames()
    leaked = [n for n in names if n.startswith(DEVELOPMENT) or n in DEVELOPMENT]
    assert leaked == [], leaked
    assert [n for n in USER if n not in names] == []

    installed = tmp_path / "collections"
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "-p", str(installed), tarball],
                   check=True, capture_output=True, env=env, cwd=str(tmp_path))
    emulator = installed / "ansible_collections" / "backupops" / "veeam_em" / "tests" / "emulator" / "run_emulator.py"
    proc = subprocess.Popen([sys.executable, str(emulator), "--http", "--port", "0", "--sessions", "10"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=str(tmp_path))
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "ready at " in line:
                break
        assert any("ready at http://127.0.0.1:" in line for line in lines), lines
    finally:
        proc.terminate()
        proc.wait(timeout=30)
