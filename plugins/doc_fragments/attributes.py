# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Attributes shared by the modules: every module, and the read-only ones."""

    DOCUMENTATION = r"""
attributes:
  action_group:
    description: Use C(group/backupops.veeam_em.em) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - backupops.veeam_em.em
  platform:
    description: Runs wherever Python can reach the Enterprise Manager server.
    support: full
    platforms: all
"""

    INFO_MODULE = r"""
attributes:
  check_mode:
    description: Runs normally in check mode; it only reads.
    support: full
  diff_mode:
    description: Nothing to report; the module only reads.
    support: none
"""
