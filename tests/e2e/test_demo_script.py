# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`make demo` as a user runs it: scripts/demo.sh, twice in a row."""

from __future__ import absolute_import, division, print_function

import os
import subprocess

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
