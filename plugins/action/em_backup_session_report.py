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

import os
import shutil
import tempfile

from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.action import ActionBase

from ansible_collections.backupops.veeam_em.plugins.module_utils import _report
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError
from ansible_collections.backupops.veeam_em.plugins.plugin_utils._report import file_names, render_files

MODULE = "backupops.veeam_em.em_backup_session_report"


class ActionModule(ActionBase):

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
        written = self._write(texts, self._task.args["dest"], options["basename"], task_vars)
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

    def _write(self, texts, directory, basename, task_vars):
        """Each text to ``directory`` on the task's host with ansible.builtin.copy: {files, changed, diff} or a failure.

        The directory is passed as given (copy expands ``~`` on the host that writes) and with a
        trailing slash, so that copy creates it, with mode 0755, when it is missing.
        """
        files, changed, diff = {}, False, []
        local = tempfile.mkdtemp(dir=C.DEFAULT_LOCAL_TMP)
        try:
            for kind, name in file_names("", basename).items():
                source = os.path.join(local, name)
                with open(source, "wb") as handle:
                    handle.write(to_bytes(texts[kind], errors="surrogate_or_strict"))
                copied = self._copy(source, directory.rstrip("/") + "/", task_vars)
                changed = changed or bool(copied.get("changed"))
                if copied.get("failed"):
                    return dict(failed=True, changed=changed, files=files,
                                msg="could not write %s into %s: %s" % (name, directory, copied.get("msg")))
                files[kind] = copied.get("dest") or os.path.join(directory, name)
                if copied.get("diff"):
                    diff.extend(copied["diff"] if isinstance(copied["diff"], list) else [copied["diff"]])
        finally:
            shutil.rmtree(local, ignore_errors=True)
        return dict(files=files, changed=changed, diff=diff)

    def _copy(self, source, directory, task_vars):
        """ansible.builtin.copy of the controller file ``source`` into ``directory`` (ending in a slash)."""
        task = self._task.copy()
        task.args = dict(src=source, dest=directory, mode="0644", directory_mode="0755")
        copy = self._shared_loader_obj.action_loader.get(
            "ansible.legacy.copy", task=task, connection=self._connection, play_context=self._play_context,
            loader=self._loader, templar=self._templar, shared_loader_obj=self._shared_loader_obj)
        try:
            return copy.run(task_vars=task_vars)
        except AnsibleError as exc:  # copy raises for some failures (dest under a file) instead of returning them
            return dict(failed=True, msg=to_text(exc))
