# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""em_backup_session_report's action part against the emulator: files written like copy, check mode, failures."""

from __future__ import absolute_import, division, print_function

import json
import os
import stat

import yaml

from ansible_collections.backupops.veeam_em.plugins.module_utils._report import REPORT_KEYS


def play(tmp_path, **module_args):
    """A playbook running the module once and printing its result without the bulky lists."""
    tasks = [
        {"name": "Report", "backupops.veeam_em.em_backup_session_report": module_args, "register": "report"},
        {"name": "Show the result", "ansible.builtin.debug": {"msg": "RESULT {{ report | dict2items "
                                                                     "| rejectattr('key', 'in', ['sessions', 'jobs', 'failures']) "
                                                                     "| items2dict | to_json }}"}},
    ]
    path = tmp_path / "report-module.yml"
    path.write_text(yaml.safe_dump([{"name": "em_backup_session_report", "hosts": "localhost", "gather_facts": False,
                                     "tasks": tasks}], sort_keys=False))
    return str(path)


def result_of(proc):
    line = [line for line in proc.stdout.splitlines() if '"msg": "RESULT ' in line][0]
    return json.loads(json.loads("{%s}" % line.strip().rstrip(","))["msg"][len("RESULT "):])


def test_files_are_written_into_a_new_directory_and_the_json_is_the_result(fresh_emulator, ansible_playbook, tmp_path):
    dest = tmp_path / "reports" / "nightly"
    proc = ansible_playbook(play(tmp_path, dest=str(dest), basename="night", window="7d"), env=fresh_emulator.env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = result_of(proc)
    assert result["changed"] is True
    assert result["files"] == dict((kind, str(dest / ("night" + suffix)))
                                   for kind, suffix in (("html", ".html"), ("json", ".json"), ("junit", ".junit.xml")))
    assert stat.S_IMODE(os.stat(str(dest)).st_mode) == 0o755
    for path in result["files"].values():
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
    with open(result["files"]["json"]) as handle:
        data = json.load(handle)
    assert sorted(data) == sorted(REPORT_KEYS)  # the report data, without the task's keys
    assert data["summary"] == result["summary"] and data["window"]["spec"] == "7d"
    assert fresh_emulator.stats()["logons"] == 1 and fresh_emulator.stats()["open_logon_sessions"] == 0


def test_check_mode_reads_em_but_writes_nothing(fresh_emulator, ansible_playbook, tmp_path):
    dest = tmp_path / "reports"
    proc = ansible_playbook(play(tmp_path, dest=str(dest)), env=fresh_emulator.env(), args=["--check", "--diff"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = result_of(proc)
    assert result["changed"] is True and result["summary"]["total"] > 0  # they would be written
    assert not dest.exists()
    assert fresh_emulator.stats()["open_logon_sessions"] == 0


def test_without_dest_only_the_data(fresh_emulator, ansible_playbook, tmp_path):
    proc = ansible_playbook(play(tmp_path, window="2d", fail_on=["Failed"]), env=fresh_emulator.env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = result_of(proc)
    assert result["changed"] is False and "files" not in result
    assert result["gate"]["fail_on"] == ["Failed"] and result["window"]["seconds"] == 2 * 86400


def test_bad_file_options_fail_before_em_is_asked(fresh_emulator, ansible_playbook, tmp_path):
    for bad, message in ((dict(basename="a/b"), "basename 'a/b' must be a file name without a directory"),
                         (dict(timeline="week"), "timeline"),
                         (dict(collapse_success_over="many"), "collapse_success_over")):
        proc = ansible_playbook(play(tmp_path, dest=str(tmp_path / "r"), **bad), env=fresh_emulator.env())
        assert proc.returncode == 2 and message in proc.stdout, proc.stdout + proc.stderr
    assert fresh_emulator.stats()["logons"] == 0


def test_a_file_that_cannot_be_written_fails_with_its_reason_not_the_data(fresh_emulator, ansible_playbook, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the directory should be")
    proc = ansible_playbook(play(tmp_path, dest=str(blocker)), env=fresh_emulator.env())
    assert proc.returncode == 2, proc.stdout + proc.stderr
    fatal = [line for line in proc.stdout.splitlines() if line.startswith("fatal:")][0]
    assert "could not write backup-session-report.html into %s" % blocker in fatal
    assert len(fatal) < 2000 and '"sessions"' not in fatal  # the message, not the report data
    assert fresh_emulator.stats()["open_logon_sessions"] == 0
