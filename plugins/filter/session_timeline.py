# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The session_timeline filter: the geometry of the report's SVG timeline."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.backupops.veeam_em.plugins.plugin_utils._report import filter_errors, session_timeline


class FilterModule(object):
    """The timeline filter of backupops.veeam_em (its geometry lives in plugin_utils._report)."""

    def filters(self):
        return {"session_timeline": filter_errors(session_timeline)}
