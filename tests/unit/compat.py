# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Running a module in-process on every ansible-core the collection supports (2.16 and later).

ansible-core 2.19 added ``ansible.module_utils.testing.patch_module_args`` (setting
``basic._ANSIBLE_ARGS`` alone fails there) and ``ansible.module_utils._internal``; older releases
take the arguments from ``basic._ANSIBLE_ARGS``. Warnings and deprecations are kept process-wide
by every release (a list before 2.19, a dict since).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import json

from ansible.module_utils import basic
from ansible.module_utils.common import warnings as _warnings

try:
    from ansible.module_utils import _internal
except ImportError:  # ansible-core < 2.19
    _internal = None

try:
    from ansible.module_utils.testing import patch_module_args  # noqa: F401  pylint: disable=unused-import  # re-exported
except ImportError:  # ansible-core < 2.19

    @contextlib.contextmanager
    def patch_module_args(args):
        """The module arguments as AnsibleModule reads them before 2.19."""
        saved = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode("utf-8")
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved


def run_as_target(monkeypatch):
    """Make the next module run behave as on a target: its warnings go to its result, none left from earlier runs."""
    if hasattr(_internal, "is_controller"):
        # other tests may have imported controller code, which redirects module warnings to the display
        monkeypatch.setattr(_internal, "is_controller", False)
    for name in ("_global_warnings", "_global_deprecations"):
        monkeypatch.setattr(_warnings, name, type(getattr(_warnings, name))())
