# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`make demo` as a user runs it: scripts/demo.sh, twice in a row; the demo venv's commands print no warning."""

from __future__ import absolute_import, division, print_function

import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOG = os.path.join(REPO, "build", "demo", "emulator.log")


def test_demo_runs_twice_in_a_row(tmp_path):
    """The second run must never read the first run's 'ready at' line (it used to, now and then)."""
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(("VEEAM_EM_", "ANSIBLE_")))
    for run in (1, 2):
        if run == 2:
            # what a previous run leaves behind, pointing at a port where nothing listens
            with open(LOG, "w") as log:
                log.write("CA certificate written to /nonexistent/ca.pem\n"
                          "Veeam EM emulator ready at https://127.0.0.1:1/api/\n")
        report_dir = tmp_path / ("run%d" % run)
        proc = subprocess.run([os.path.join(REPO, "scripts", "demo.sh")], cwd=REPO, env=dict(env, REPORT_DIR=str(report_dir)),
                              capture_output=True, text=True, timeout=600, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "127.0.0.1:1/" not in proc.stdout
        assert (report_dir / "backup-session-report.html").is_file()
        assert "demo: the report is in %s" % report_dir in proc.stdout
        assert "CryptographyDeprecationWarning" not in proc.stdout + proc.stderr, proc.stderr


def test_the_venv_commands_print_no_deprecation_warning(fresh_emulator, collection_env, tmp_path):
    """A user's first commands in the demo venv (.venv): no CryptographyDeprecationWarning (cryptography 51 deprecates
    DSA, which ansible-core 2.19 imports on every command: tests/requirements-demo.txt keeps cryptography below 51)."""
    bin_dir = os.path.dirname(os.path.abspath(sys.executable))
    env = dict(collection_env, **fresh_emulator.env())
    for command in (["ansible", "--version"],
                    ["ansible", "localhost", "-i", "localhost,", "-c", "local", "-m",
                     "backupops.veeam_em.em_backup_session_info", "-a", "limit=1"],
                    ["ansible-playbook", "backupops.veeam_em.report", "-e", "report_dir=%s" % (tmp_path / "report")]):
        proc = subprocess.run([os.path.join(bin_dir, command[0])] + command[1:], env=env, cwd=str(tmp_path),
                              capture_output=True, text=True, timeout=600, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "DeprecationWarning" not in proc.stderr + proc.stdout, "%s: %s" % (" ".join(command), proc.stderr)
