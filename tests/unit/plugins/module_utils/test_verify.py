# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.backupops.veeam_em.plugins.module_utils import _verify
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError

ALLOWED = ("Warning", "Failed")


@pytest.mark.parametrize("value, expected", [
    (None, []), ([], []), ([""], []), (["Failed"], ["Failed"]), (["Warning", "Failed"], ["Warning", "Failed"]),
])
def test_words_empty_means_none(value, expected):
    assert _verify.words(value, "fail_on", ALLOWED) == expected


@pytest.mark.parametrize("value, shown", [(["Failed", ""], "''"), (["failed"], "'failed'"), (["", ""], "'', ''")])
def test_words_refuses_what_is_not_allowed(value, shown):
    with pytest.raises(VeeamEmError) as err:
        _verify.words(value, "fail_on", ALLOWED)
    assert err.value.msg == "fail_on must be a list of Warning, Failed (or empty: none); got %s" % shown


@pytest.mark.parametrize("value, expected", [(None, None), (" srv02 ", "srv02"), (2024, "2024"), ("a, b", "a, b")])
def test_name_reads_one_name(value, expected):
    assert _verify.name(value, "backup_server") == expected


@pytest.mark.parametrize("value, message", [
    ("", "backup_server must not be empty: give the name, or leave backup_server out"),
    ("\\n", "backup_server must not be empty: give the name, or leave backup_server out"),
    (["a"], "backup_server must be one name, not a list; got ['a']"),
    ({"a": 1}, "backup_server must be one name, not a dict; got {'a': 1}"),
    (True, "backup_server must be one name, not a bool; got True"),
])
def test_name_refuses_empty_lists_and_dicts(value, message):
    with pytest.raises(VeeamEmError) as err:
        _verify.name(value.replace("\\n", "\n") if isinstance(value, str) else value, "backup_server")
    assert err.value.msg == message


def test_names_refuses_an_empty_list():
    with pytest.raises(VeeamEmError) as err:
        _verify.names([], "job_name")
    assert err.value.msg.startswith("job_name is an empty list: give at least one name, or leave job_name out")
