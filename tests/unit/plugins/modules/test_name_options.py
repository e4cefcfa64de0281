# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every name option of every module: an empty list or name is refused (never read as "all"), a list or a
dict where one name is expected fails, each naming the option, before any request."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import os

import pytest

from ansible_collections.backupops.veeam_em.plugins.modules import (
    em_backup_job,
    em_backup_job_info,
    em_backup_session_info,
    em_backup_session_report,
    em_backup_session_stop,
    em_backup_task_session_info,
    em_protection_info,
    em_repository_info,
    em_vm_restore_point_info,
)
from ansible_collections.backupops.veeam_em.tests.unit.em_fake import CONNECTION

# (module, option): the other options of a run; whether the option takes a list of names
NAME_OPTIONS = {
    (em_backup_job, "name"): (dict(state="started"), False),
    (em_backup_job_info, "name"): ({}, True),
    (em_backup_job_info, "backup_server"): ({}, False),
    (em_backup_session_info, "job_name"): ({}, True),
    (em_backup_session_info, "backup_server"): ({}, False),
    (em_backup_session_report, "job_name"): ({}, True),
    (em_backup_session_report, "backup_server"): ({}, False),
    # the em label of the metrics: refused before the file is written (nothing is written at all)
    (em_backup_session_report, "em_name"): (dict(metrics_file="/tmp/test_name_options.prom"), False),
    (em_backup_session_stop, "job_name"): ({}, False),
    (em_backup_task_session_info, "job_name"): ({}, True),
    (em_backup_task_session_info, "vm_name"): ({}, True),
    (em_protection_info, "vm_name"): ({}, True),
    (em_protection_info, "job_name"): ({}, True),
    (em_protection_info, "backup_server"): ({}, False),
    (em_repository_info, "name"): ({}, True),
    (em_repository_info, "backup_server"): ({}, False),
    (em_vm_restore_point_info, "vm_name"): ({}, True),
    (em_vm_restore_point_info, "backup_server"): ({}, False),
}
EMPTY = ([], "", " ", "\n", [""], ["a", " "])
NOT_ONE_NAME = (["srv02.tech.local"], ["a", "b"], {"name": "a"}, True)


def _key(item):
    (module, option), dummy = item
    return module.__name__, option


def _cases(values, single_only=False):
    for (module, option), (dummy, takes_list) in sorted(NAME_OPTIONS.items(), key=_key):
        if single_only and takes_list:
            continue
        for value in values:
            yield pytest.param(module, option, value, id="%s-%s-%r" % (module.__name__.rsplit(".", 1)[-1], option, value))


def test_the_name_options_are_all_listed():
    """Every module of plugins/modules, so that a new module's name options are walked too."""
    folder, package = os.path.dirname(em_backup_job.__file__), em_backup_job.__name__.rsplit(".", 1)[0]
    modules = set(importlib.import_module("%s.%s" % (package, name[:-3]))
                  for name in os.listdir(folder) if name.startswith("em_") and name.endswith(".py"))
    found = set((module, option) for module in modules for option in getattr(module, "ARGUMENT_SPEC", ())
                if option in ("name", "backup_server") or option.endswith("_name"))
    assert found == set(NAME_OPTIONS)


def _run(run_module, module, option, value):
    args = dict(CONNECTION, **NAME_OPTIONS[(module, option)][0])
    args[option] = value
    return run_module(module, args, check_mode=module is em_backup_job)


@pytest.mark.parametrize("module, option, value", list(_cases(EMPTY)))
def test_an_empty_name_or_list_is_refused_not_read_as_all(fake_em, run_module, module, option, value):
    rc, result, dummy = _run(run_module, module, option, value)
    assert rc == 1, result
    assert result["msg"].startswith(option + " "), result["msg"]
    assert fake_em.summary() == []


@pytest.mark.parametrize("module, option, value", list(_cases(NOT_ONE_NAME, single_only=True)))
def test_a_list_or_dict_where_one_name_is_expected_fails(fake_em, run_module, module, option, value):
    rc, result, dummy = _run(run_module, module, option, value)
    assert rc == 1, result
    assert result["msg"].startswith(option + " must be one name, not a "), result["msg"]
    assert fake_em.summary() == []
