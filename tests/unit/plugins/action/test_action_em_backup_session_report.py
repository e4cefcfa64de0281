# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""em_backup_session_report's action plugin: the module run once, then exactly three copies (or none)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
from unittest import mock

from ansible.errors import AnsibleError

from ansible_collections.backupops.veeam_em.plugins.action.em_backup_session_report import MODULE, ActionModule
from ansible_collections.backupops.veeam_em.plugins.module_utils import _report

END = "2026-01-15T06:00:00Z"
SESSION = {"id": "s1", "name": "SQL@x", "job_name": "SQL", "job_type": "Backup", "backup_server_name": "vbr01",
           "creation_time": "2026-01-14T22:00:00Z", "end_time": "2026-01-14T22:30:00Z", "state": "Stopped",
           "result": "Failed", "is_retry": False}


def module_result():
    """What the module returns: the report data and the task's keys."""
    report = _report.session_report([SESSION], detail_sessions=[dict(SESSION, task_sessions=[])],
                                    window=_report.report_window("24h", END), fail_on=["Failed"])
    return dict(report, changed=False, invocation={"module_args": {}})


class Harness(object):
    """The action plugin with its module run and the copy action replaced by recorders."""

    def __init__(self, args, answer=None, copy_answers=None):
        task = mock.MagicMock(args=args, async_val=0, check_mode=False, action=MODULE)
        task.copy.side_effect = lambda: mock.MagicMock(args=None)
        connection = mock.MagicMock()
        connection._shell.tmpdir = "/remote/tmp"  # no temp dir made by ActionBase.run
        self.action = ActionModule(task, connection, mock.MagicMock(), mock.MagicMock(), mock.MagicMock(), None)
        self.action._execute_module = mock.MagicMock(return_value=answer if answer is not None else module_result())
        self.action._shared_loader_obj = mock.MagicMock()
        self.action._shared_loader_obj.action_loader.get.side_effect = self._copy_action
        self.copy_answers = list(copy_answers or [])
        self.copies = []

    def _copy_action(self, name, task, **kwargs):
        action = mock.MagicMock()

        def run(task_vars):
            with open(task.args["src"]) as handle:
                self.copies.append((name, dict(task.args), os.path.basename(task.args["src"]), handle.read()))
            answer = self.copy_answers.pop(0) if self.copy_answers else {"changed": True}
            if isinstance(answer, AnsibleError):
                # pylint infers the list's dicts here too
                raise answer  # pylint: disable=raising-bad-type
            return dict({"dest": task.args["dest"] + os.path.basename(task.args["src"])}, **answer)
        action.run.side_effect = run
        return action

    def run(self):
        return self.action.run(task_vars={})


def test_without_dest_the_module_runs_once_and_nothing_is_written():
    args = {"window": "24h", "fail_on": ["Failed"]}
    harness = Harness(args)
    result = harness.run()
    harness.action._execute_module.assert_called_once_with(module_name=MODULE, module_args=args, task_vars={})
    assert harness.copies == [] and "files" not in result
    assert result["gate"]["failed"] is True and result["changed"] is False


def test_dest_writes_three_files_with_copy_and_the_json_is_the_report_data():
    harness = Harness({"dest": "/srv/reports", "basename": "night"})
    result = harness.run()
    assert [(name, args["dest"], args["mode"], args["directory_mode"], source)
            for name, args, source, _text in harness.copies] == [
        ("ansible.legacy.copy", "/srv/reports/", "0644", "0755", "night.html"),
        ("ansible.legacy.copy", "/srv/reports/", "0644", "0755", "night.json"),
        ("ansible.legacy.copy", "/srv/reports/", "0644", "0755", "night.junit.xml"),
    ]
    texts = dict((source, text) for _name, _args, source, text in harness.copies)
    data = json.loads(texts["night.json"])
    assert sorted(data) == sorted(_report.REPORT_KEYS)  # no task keys in the file
    assert data["summary"] == result["summary"]
    assert texts["night.html"].startswith("<!DOCTYPE html>") and "Gate FAILED" in texts["night.html"]
    assert texts["night.junit.xml"].startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert result["files"] == {"html": "/srv/reports/night.html", "json": "/srv/reports/night.json",
                               "junit": "/srv/reports/night.junit.xml"}
    assert result["changed"] is True


def test_unchanged_files_say_so():
    harness = Harness({"dest": "/srv/reports/"}, copy_answers=[{"changed": False}] * 3)
    result = harness.run()
    assert result["changed"] is False and len(harness.copies) == 3
    assert harness.copies[0][1]["dest"] == "/srv/reports/"  # one slash, not two


def test_a_failed_copy_stops_and_reports_without_the_data():
    harness = Harness({"dest": "/srv/reports"}, copy_answers=[{"changed": True}, {"failed": True, "msg": "Disk full"}])
    result = harness.run()
    assert len(harness.copies) == 2  # the JUnit file is not tried
    assert result["failed"] is True and result["changed"] is True
    assert result["msg"] == "could not write backup-session-report.json into /srv/reports: Disk full"
    assert result["files"] == {"html": "/srv/reports/backup-session-report.html"}
    assert not set(_report.REPORT_KEYS) & set(result)


def test_copy_raising_is_a_failure_naming_the_file():
    harness = Harness({"dest": "/srv/reports"}, copy_answers=[AnsibleError("Failed to get information: Not a directory")])
    result = harness.run()
    assert result["failed"] is True and result["changed"] is False
    assert result["msg"] == ("could not write backup-session-report.html into /srv/reports: "
                             "Failed to get information: Not a directory")


def test_bad_file_options_fail_before_the_module_runs():
    for args, message in (({"dest": "/r", "basename": "../x"}, "basename '../x' must be a file name"),
                          ({"dest": "/r", "timeline": "week"}, "timeline"),
                          ({"dest": "/r", "collapse_success_over": -1}, "collapse_success_over must be 0")):
        harness = Harness(args)
        result = harness.run()
        assert result["failed"] is True and message in result["msg"], result
        harness.action._execute_module.assert_not_called()


def test_a_failed_module_run_is_returned_as_it_is():
    harness = Harness({"dest": "/srv/reports"}, answer={"failed": True, "changed": False, "msg": "401 Unauthorized"})
    result = harness.run()
    assert result["msg"] == "401 Unauthorized" and harness.copies == []
