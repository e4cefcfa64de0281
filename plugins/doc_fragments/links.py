# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """The include_links option of the info modules (argument spec: _sessions.LINKS_ARGUMENT_SPEC)."""

    DOCUMENTATION = r"""
options:
  include_links:
    description:
      - Add C(links) to every returned session and task session, the related resources as EM
        lists them, each with C(rel), C(type), C(href) and C(name).
      - Off by default. The flat keys already carry the ids, names and hrefs that playbooks use, while
        the links make up more than half of a large result and of the time Ansible takes to handle it
        (and to store it, in AWX).
    type: bool
    default: false
"""
