# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""em_estate_report's action plugin: the registered results read from hostvars, the state read back, four copies."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import os
from unittest import mock

from prometheus_client.parser import text_string_to_metric_families

from ansible_collections.backupops.veeam_em.plugins.action.em_estate_report import ActionModule
from ansible_collections.backupops.veeam_em.plugins.module_utils import _report

END = "2026-01-15T06:00:00Z"
SESSION = {"id": "s1", "name": "SQL@x", "job_name": "SQL", "job_type": "Backup", "backup_server_name": "vbr01",
           "creation_time": "2026-01-14T22:00:00Z", "end_time": "2026-01-14T22:30:00Z", "state": "Stopped",
           "result": "Success", "is_retry": False}
UNREACHABLE = {"failed": True, "error_kind": "unreachable", "msg": "Nothing answers at https://em-b:9398/api/sessionMngr/"}


class HostVars(dict):
    """hostvars as the action sees it: raw_get gives a host's variables as they are (not templated)."""

    def raw_get(self, name):
        return self[name]


def report_result():
    return dict(_report.session_report([SESSION], window=_report.report_window("24h", END), generated_at=END),
                changed=False)


class Harness(object):

    def __init__(self, args, hostvars, state=None, check_mode=False, transport="local"):
        task = mock.MagicMock(args=args, async_val=0, check_mode=check_mode,
                              action="backupops.veeam_em.em_estate_report")
        task.copy.side_effect = lambda: mock.MagicMock(args=None)
        connection = mock.MagicMock(transport=transport)
        connection._shell.tmpdir = "/remote/tmp"
        self.action = ActionModule(task, connection, mock.MagicMock(), mock.MagicMock(), mock.MagicMock(), None)
        slurped = ({"content": base64.b64encode(json.dumps(state).encode()).decode()} if state is not None
                   else {"failed": True, "msg": "file not found"})
        self.action._execute_module = mock.MagicMock(return_value=slurped)
        self.action._shared_loader_obj = mock.MagicMock()
        self.action._shared_loader_obj.action_loader.get.side_effect = self._copy_action
        self.hostvars = hostvars
        self.copies = []

    def _copy_action(self, name, task, **kwargs):
        action = mock.MagicMock()

        def run(task_vars):
            with open(task.args["src"]) as handle:
                self.copies.append((name, task.args["dest"], os.path.basename(task.args["src"]), handle.read()))
            return {"changed": True, "dest": task.args["dest"] + os.path.basename(task.args["src"])}
        action.run.side_effect = run
        return action

    def run(self):
        return self.action.run(task_vars={"hostvars": self.hostvars})


HOSTVARS = HostVars({"em-a": {"veeam_em_estate_result": report_result(), "veeam_em_password": "never-read"},
                     "em-b": {"veeam_em_estate_result": UNREACHABLE}, "em-c": {}})


def test_without_dest_the_outline_is_returned_and_nothing_read_or_written():
    harness = Harness({"ems": ["em-a", "em-b", "em-c", "em-x"]}, HOSTVARS)
    result = harness.run()
    assert harness.action._execute_module.call_count == 0 and harness.copies == []
    assert [(e["em"], e["status"]) for e in result["ems"]] == [
        ("em-a", "ok"), ("em-b", "unreachable"), ("em-c", "failed"), ("em-x", "failed")]
    assert result["gate"]["failed"] is True and result["gate"]["ems_down"] == ["em-b", "em-c", "em-x"]
    assert result["changed"] is False and "files" not in result
    assert "never-read" not in json.dumps(result)


def test_dest_reads_the_state_back_and_writes_four_files_with_copy():
    state = {"format_version": 1, "ems": {"em-b": {"status": "ok", "last_good_answer": "2026-01-14T06:00:00Z"}}}
    harness = Harness({"ems": ["em-a", "em-b"], "dest": "/srv/reports", "allow_unreachable": True}, HOSTVARS, state)
    result = harness.run()
    harness.action._execute_module.assert_called_once_with(
        module_name="ansible.legacy.slurp", module_args={"src": "/srv/reports/estate-report.state.json"},
        task_vars={"hostvars": HOSTVARS})
    assert [(name, dest, source) for name, dest, source, dummy in harness.copies] == [
        ("ansible.legacy.copy", "/srv/reports/", "estate-report.html"),
        ("ansible.legacy.copy", "/srv/reports/", "estate-report.json"),
        ("ansible.legacy.copy", "/srv/reports/", "estate-report.junit.xml"),
        ("ansible.legacy.copy", "/srv/reports/", "estate-report.state.json")]
    assert result["files"]["json"] == "/srv/reports/estate-report.json" and result["changed"] is True
    assert result["ems"][1]["last_good_answer"] == "2026-01-14T06:00:00Z"
    assert result["gate"]["failed"] is False
    written = json.loads(harness.copies[1][3])
    assert [s["em"] for s in written["ems"][0]["report"]["sessions"]] == ["em-a"]


def test_bad_options_fail_before_anything_is_read():
    for args, message in (({"ems": []}, "ems is empty"), ({"ems": ["a", "a"]}, "ems names a more than once"),
                          ({"ems": ["a"], "basename": "x/y"}, "basename 'x/y' must be a file name"),
                          ({}, "missing required arguments: ems")):
        harness = Harness(args, HOSTVARS)
        result = harness.run()
        assert result["failed"] is True and message in result["msg"], (args, result["msg"])
        assert harness.action._execute_module.call_count == 0 and harness.copies == []


def _samples(path):
    with open(path, encoding="utf-8") as handle:
        families = list(text_string_to_metric_families(handle.read()))
    return dict(((s.name, tuple(sorted(s.labels.items()))), s.value) for f in families for s in f.samples)


def test_metrics_file_holds_every_em_and_up_0_for_one_without_a_report(tmp_path):
    path = str(tmp_path / "estate.prom")
    harness = Harness({"ems": ["em-a", "em-b"], "metrics_file": path}, HOSTVARS)
    result = harness.run()
    assert result["metrics_file"] == path and result["changed"] is True and harness.copies == []
    samples = _samples(path)
    assert samples[("veeam_em_up", (("em", "em-a"),))] == 1
    assert samples[("veeam_em_up", (("em", "em-b"),))] == 0
    assert samples[("veeam_em_sessions", (("em", "em-a"), ("result", "Success")))] == 1
    assert samples[("veeam_em_job_last_result", (("backup_server", "vbr01"), ("em", "em-a"), ("job_name", "SQL"),
                                                 ("job_type", "Backup")))] == 0
    assert [key for key in samples if ("em", "em-b") in key[1]] == [
        ("veeam_em_up", (("em", "em-b"),)), ("veeam_em_report_timestamp_seconds", (("em", "em-b"),))]
    assert os.listdir(str(tmp_path)) == ["estate.prom"]  # no temporary file left


def test_metrics_file_is_not_written_in_check_mode(tmp_path):
    path = str(tmp_path / "estate.prom")
    result = Harness({"ems": ["em-a"], "metrics_file": path}, HOSTVARS, check_mode=True).run()
    assert result["metrics_file"] == path and result["changed"] is True
    assert os.listdir(str(tmp_path)) == []


def test_metrics_file_is_checked_before_anything_is_read(tmp_path):
    for args, transport, message in (
            ({"metrics_file": str(tmp_path / "estate.txt")}, "local", "must name a file ending in .prom"),
            ({"metrics_file": str(tmp_path / "no" / "estate.prom")}, "local", "does not exist; create it"),
            ({"metrics_file": str(tmp_path / "estate.prom")}, "ssh", "metrics_file is written on the controller")):
        harness = Harness(dict(args, ems=["em-a"], dest="/srv/reports"), HOSTVARS, transport=transport)
        result = harness.run()
        assert result["failed"] is True and message in result["msg"], (args, result["msg"])
        assert harness.action._execute_module.call_count == 0 and harness.copies == []
    assert os.listdir(str(tmp_path)) == []
