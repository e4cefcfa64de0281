# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every module option whose value becomes part of a request path refuses hostile values, before any request.

The options are found in the modules' argument specs (``id`` and ``*_id``: the ids of EM items)
and compared with the list below, so that a new one is not left out unnoticed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.backupops.veeam_em.plugins.modules import (
    em_backup_job,
    em_backup_job_info,
    em_backup_session_info,
    em_backup_session_report,
    em_backup_session_stop,
    em_backup_task_session_info,
    em_logon_session,
)
from ansible_collections.backupops.veeam_em.tests.unit.em_fake import CONNECTION, TOKEN

UUID = "4856ab37-2235-45e8-affe-d515878b01a9"
MODULES = (em_backup_job, em_backup_job_info, em_backup_session_info, em_backup_session_report,
           em_backup_session_stop, em_backup_task_session_info, em_logon_session)
# (module, option): the other options of a run that reaches the option's check
ID_OPTIONS = {
    (em_backup_job, "id"): dict(state="started"),
    (em_backup_session_info, "id"): {},
    (em_backup_session_stop, "id"): {},
    (em_backup_task_session_info, "id"): {},
    (em_backup_task_session_info, "job_session_id"): {},
    (em_logon_session, "logon_session_id"): dict(state="absent", session_token=TOKEN),
}
HOSTILE = ("../x", "a?b", "a/b", "%2e%2e", "", " ", UUID + "x", UUID + "/../x", UUID + "?action=stop",
           "../backupSessions/%s?action=stop" % UUID, UUID + "%2f..", "task-1", "..", "https://em.example.com:9398/api/",
           "https://other.example.com/api/backupSessions/%s" % UUID, "https://em.example.com:9399/api/jobs/%s" % UUID,
           "https://em.example.com.evil.example/api/jobs/%s" % UUID, "https://user@other.example/api/jobs/%s" % UUID)


def test_the_path_forming_options_are_all_listed():
    found = set()
    for module in MODULES:
        found.update((module, option) for option in module.ARGUMENT_SPEC if option == "id" or option.endswith("_id"))
    assert found == set(ID_OPTIONS)


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("module, option", sorted(ID_OPTIONS, key=lambda key: (key[0].__name__, key[1])),
                         ids=lambda item: getattr(item, "__name__", item))
def test_hostile_id_fails_naming_the_option_before_any_request(fake_em, run_module, module, option, value):
    args = dict(CONNECTION, **ID_OPTIONS[(module, option)])
    args[option] = value
    rc, result, dummy = run_module(module, args, check_mode=module is em_backup_job)
    assert rc == 1, result
    assert result["msg"].startswith(option + " "), result["msg"]
    assert fake_em.summary() == []
