# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """The job session filters that read the same in every module that has them (choices: _sessions.JOB_TYPES)."""

    DOCUMENTATION = r"""
options:
  job_type:
    description: Only sessions of these job types.
    type: list
    elements: str
    choices: [Backup, BackupCopy, ImmediateBackupCopy, ImmediateBackupCopyWorker, AgentBackup, AgentManagement, NasBackup]
"""
