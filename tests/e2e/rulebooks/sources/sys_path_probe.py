# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test event source (ansible-rulebook -S tests/e2e/rulebooks/sources): what the rulebook process imports from where.

Once the source backupops.veeam_em.backup_sessions has imported the collection's module_utils (in the
same process), puts one event ``{"probe": {"sys_path": [...], "module_utils": "..."}}`` on the queue:
the process's ``sys.path`` and the file its module_utils came from.  Then waits until cancelled.
"""

from __future__ import absolute_import, division, print_function

import asyncio
import sys

MODULE = "ansible_collections.backupops.veeam_em.plugins.module_utils._client"


async def main(queue, args):  # pylint: disable=unused-argument
    while MODULE not in sys.modules:
        await asyncio.sleep(0.1)
    await queue.put({"probe": {"sys_path": list(sys.path), "module_utils": sys.modules[MODULE].__file__}})
    while True:
        await asyncio.sleep(3600)
