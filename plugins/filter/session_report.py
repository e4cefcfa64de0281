# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The report filters: the report window, the report data, EM's vocabulary.

The report's domain lives once in module_utils._report (the em_backup_session_report module builds
the same data where it reads EM); these filters give it to playbooks that collect sessions themselves.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.backupops.veeam_em.plugins.module_utils._report import report_window, session_report
from ansible_collections.backupops.veeam_em.plugins.module_utils._sessions import VOCABULARY
from ansible_collections.backupops.veeam_em.plugins.plugin_utils._report import filter_errors


def em_vocabulary(name):
    """One list of EM's vocabulary (``stoppable_states``, ``active_states``, ``results``, ...), for the roles."""
    if name not in VOCABULARY:
        raise AnsibleFilterError("em_vocabulary knows %s, not %r" % (", ".join(sorted(VOCABULARY)), name))
    return list(VOCABULARY[name])


class FilterModule(object):
    """The report filters of backupops.veeam_em."""

    def filters(self):
        return {
            "em_vocabulary": em_vocabulary,
            "report_window": filter_errors(report_window),
            "session_report": filter_errors(session_report),
        }
