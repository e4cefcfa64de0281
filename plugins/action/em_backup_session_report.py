# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action of em_backup_session_report: the module reads EM and builds the data; this writes the files.

The files are rendered here, on the controller, with plain Jinja2 and json (no Ansible templating
of the tens of thousands of values a large estate's report holds), and written on the task's host by
ansible.builtin.copy, so check mode, diff, become and remote hosts behave as they do for copy.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.backupops.veeam_em.plugins.module_utils import _report
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError
from ansible_collections.backupops.veeam_em.plugins.plugin_utils._files import CopyWriter
from ansible_collections.backupops.veeam_em.plugins.plugin_utils._report import file_names, render_files

MODULE = "backupops.veeam_em.em_backup_session_report"


class ActionModule(CopyWriter, ActionBase):

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp  # not used: copy makes its own
        options = self._files_options()
        if "msg" in options:
            return dict(result, failed=True, changed=False, msg=options["msg"])
        result.update(self._execute_module(module_name=MODULE, module_args=self._task.args, task_vars=task_vars))
        if result.get("failed") or result.get("skipped") or not options["dest"]:
            return result
        report = dict((key, result[key]) for key in _report.REPORT_KEYS)
        texts = render_files(report, options["timeline"], options["collapse_success_over"])
        names = file_names("", options["basename"])
        written = self.write_files(dict((kind, (names[kind], texts[kind])) for kind in names), self._task.args["dest"],
                                   task_vars)
        if written.get("failed"):  # without the report: a failure shows its message, not megabytes of data
            return dict(written, changed=bool(result.get("changed") or written["changed"]))
        result.update(files=written["files"], changed=bool(result.get("changed") or written["changed"]))
        if written["diff"]:
            result["diff"] = written["diff"]
        return result

    def _files_options(self):
        """The file options checked (types, choices, values) before the module reads EM; {msg} when wrong."""
        given = dict((name, self._task.args[name]) for name in _report.FILES_ARGUMENT_SPEC if name in self._task.args)
        validated = ArgumentSpecValidator(_report.FILES_ARGUMENT_SPEC).validate(given)
        if validated.error_messages:
            return {"msg": "; ".join(validated.error_messages)}
        try:
            _report.check_files_options(validated.validated_parameters)
        except VeeamEmError as exc:
            return {"msg": exc.msg}
        return validated.validated_parameters
