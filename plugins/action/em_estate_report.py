# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action of em_estate_report (controller side only): the report results of many EMs merged into one.

The result each EM host registered (em_backup_session_report's, success or failure) is read from that
host's variables without templating them (hostvars' raw_get: the tens of thousands of values of a large
report are data, not templates); the merge and the files are plugin_utils/_estate.py; the files are
written on the task's host by ansible.builtin.copy (plugin_utils/_files.py), with check mode and diff.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase

from ansible_collections.backupops.veeam_em.plugins.module_utils import _metrics
from ansible_collections.backupops.veeam_em.plugins.module_utils import _report
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError
from ansible_collections.backupops.veeam_em.plugins.plugin_utils import _estate
from ansible_collections.backupops.veeam_em.plugins.plugin_utils._files import CopyWriter

ARGUMENT_SPEC = dict(
    ems=dict(type="list", elements="str", required=True),
    result_var=dict(type="str", default="veeam_em_estate_result"),
    allow_unreachable=dict(type="bool", default=False),
    title=dict(type="str", default="Veeam backup estate report"),
    dest=dict(type="path"),
    basename=dict(type="str", default="estate-report"),
    timeline=dict(type="str", default="auto", choices=list(_report.TIMELINE_MODES)),
    collapse_success_over=dict(type="int", default=50),
    metrics_file=dict(type="path"),
)


class ActionModule(CopyWriter, ActionBase):

    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp  # not used: copy makes its own
        options = self._options()
        if "msg" in options:
            return dict(result, failed=True, changed=False, msg=options["msg"])
        if not options["ems"]:
            return dict(result, failed=True, changed=False,
                        msg="ems is empty: give the inventory hostnames of the EMs (e.g. groups['veeam_em']); an "
                            "estate without an EM would read as one without a failure")
        last_good = self._last_good_answers(options, task_vars) if options["dest"] else {}
        at = _report.now()
        hostvars = task_vars.get("hostvars") or {}
        entries = [_estate.em_entry(name, self._registered(hostvars, name, options["result_var"]), last_good.get(name),
                                    at) for name in options["ems"]]
        data = _estate.estate(entries, options["allow_unreachable"], options["title"], _report.format_time(at))
        result.update(_estate.outline(data), changed=False)
        if options["metrics_file"]:
            try:
                result.update(self._write_metrics(options["metrics_file"], data, at))
            except VeeamEmError as exc:
                return dict(result, failed=True, msg=exc.msg)
        if not options["dest"]:
            return result
        texts = _estate.render_files(data, options["timeline"], options["collapse_success_over"])
        names = _estate.file_names(options["basename"])
        written = self.write_files(dict((kind, (names[kind], texts[kind])) for kind in names), options["dest"],
                                   task_vars)
        if written.get("failed"):
            return written
        result.update(files=written["files"], changed=bool(result["changed"] or written["changed"]))
        if written["diff"]:
            result["diff"] = written["diff"]
        return result

    def _options(self):
        """The options checked (types, choices, values) before anything is read; {msg} when wrong."""
        validated = ArgumentSpecValidator(ARGUMENT_SPEC).validate(dict(self._task.args))
        if validated.error_messages:
            return {"msg": "; ".join(validated.error_messages)}
        params = validated.validated_parameters
        try:
            _report.check_files_options(params)
        except VeeamEmError as exc:
            return {"msg": exc.msg}
        if params["metrics_file"]:
            if self._connection.transport != "local":
                return {"msg": "metrics_file is written on the controller, where the estate is merged: run the task "
                               "on localhost with connection local (as playbooks/estate_report.yml does), or leave "
                               "metrics_file out"}
            try:
                params["metrics_file"] = _metrics.check_path(params["metrics_file"], "metrics_file")
            except VeeamEmError as exc:
                return {"msg": exc.msg}
        duplicates = sorted(set(name for name in params["ems"] if params["ems"].count(name) > 1))
        if duplicates:
            return {"msg": "ems names %s more than once: each EM is one inventory host" % ", ".join(duplicates)}
        return params

    def _write_metrics(self, path, data, at):
        """The estate's metrics, one ``em`` label per EM (up 0 for an EM without a report), written atomically
        to ``path`` on the controller (not in check mode): {metrics_file, changed}."""
        text = _metrics.metrics_text([{"em": entry["em"], "up": entry["report"] is not None, "report": entry["report"]}
                                      for entry in data["ems"]], now=at)
        if not self._task.check_mode:
            _metrics.write_textfile(path, text)
        return {"metrics_file": path, "changed": True}  # its timestamp changes on every run

    @staticmethod
    def _registered(hostvars, name, var):
        """The result ``var`` of host ``name`` as registered (not templated), or None."""
        if name not in hostvars:
            return None
        variables = hostvars.raw_get(name)
        return variables.get(var) if isinstance(variables, dict) else None

    def _last_good_answers(self, options, task_vars):
        """{em: time of its last good answer} from the state file of an earlier run ({} when there is none)."""
        path = options["dest"].rstrip("/") + "/" + _estate.file_names(options["basename"])["state"]
        answer = self._execute_module(module_name="ansible.legacy.slurp", module_args={"src": path},
                                      task_vars=task_vars)
        if answer.get("failed") or "content" not in answer:
            return {}
        try:
            return _estate.last_good_answers(to_text(base64.b64decode(answer["content"])))
        except (TypeError, ValueError):
            return {}
