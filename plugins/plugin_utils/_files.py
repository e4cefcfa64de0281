# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writing the report files from an action plugin: each text through ansible.builtin.copy.

Shared by the actions of em_backup_session_report and em_estate_report: the texts are rendered on the
controller, put in a local temporary directory, and copied into the destination on the task's host, so
that check mode, diff, become and remote hosts behave as they do for copy.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import tempfile

from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_bytes, to_text


class CopyWriter(object):
    """Mixin of an ActionBase: ``write_files`` writes texts into a directory on the task's host with copy."""

    def write_files(self, texts, directory, task_vars):
        """``texts`` ({kind: (file name, text)}, in order) into ``directory``: {files, changed, diff} or a failure.

        The directory is passed as given (copy expands ``~`` on the host that writes) and with a
        trailing slash, so that copy creates it, with mode 0755, when it is missing.
        """
        files, changed, diff = {}, False, []
        local = tempfile.mkdtemp(dir=C.DEFAULT_LOCAL_TMP)
        try:
            for kind, (name, text) in texts.items():
                source = os.path.join(local, name)
                with open(source, "wb") as handle:
                    handle.write(to_bytes(text, errors="surrogate_or_strict"))
                copied = self.copy_file(source, directory.rstrip("/") + "/", task_vars)
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

    def copy_file(self, source, directory, task_vars):
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
