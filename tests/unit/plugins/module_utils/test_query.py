# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.backupops.veeam_em.plugins.module_utils import _query
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError

UUID = "d46e39e0-1131-4585-91a7-e828ce7eafae"
NOW = datetime.datetime(2026, 1, 31, 12, 0, 0, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize("value", [
    UUID,
    UUID.upper(),
    "  %s " % UUID,
    "urn:veeam:BackupJobSession:%s" % UUID,
    "URN:VEEAM:backupjobsession:%s" % UUID,
    "https://em:9398/api/backupSessions/%s" % UUID,
    "https://em:9398/api/backupSessions/%s?format=Entity" % UUID,
    "http://em:9399/api/backupSessions/%s/taskSessions" % UUID,
])
def test_parse_id_accepts(value):
    assert _query.parse_id(value, "BackupJobSession") == UUID


@pytest.mark.parametrize("value, fragment", [
    ("", "is not a valid BackupJobSession id"),
    ("not-a-uuid", "is not a valid BackupJobSession id"),
    ("%s0" % UUID, "is not a valid"),
    ("urn:veeam:Job:%s" % UUID, "is the URN of a Job"),
    ("https://em:9398/api/backupTaskSessions/%s" % UUID, "is not a valid"),
    ("https://em:9398/api/backupSessions/", "is not a valid"),
])
def test_parse_id_rejects(value, fragment):
    with pytest.raises(VeeamEmError) as err:
        _query.parse_id(value, "BackupJobSession")
    assert fragment in err.value.msg


def test_parse_id_task_session_and_option_name():
    assert _query.parse_id("https://em/api/backupTaskSessions/%s" % UUID, "BackupTaskSession") == UUID
    with pytest.raises(VeeamEmError) as err:
        _query.parse_id("x", "BackupJobSession", "session_id")
    assert err.value.msg.startswith("session_id 'x'")


def test_quote_doubles_quotes_and_keeps_unicode():
    assert _query.quote('SQL "Prod" Backup') == '"SQL ""Prod"" Backup"'
    assert _query.quote(u"Sauvegarde \u00e9t\u00e9") == u'"Sauvegarde \u00e9t\u00e9"'


@pytest.mark.parametrize("value, expected", [
    ("30m", "2026-01-31T11:30:00Z"),
    ("24h", "2026-01-30T12:00:00Z"),
    ("7d", "2026-01-24T12:00:00Z"),
    ("2w", "2026-01-17T12:00:00Z"),
    ("2026-01-31T22:00:00Z", "2026-01-31T22:00:00Z"),
    ("2026-01-31T22:00:00", "2026-01-31T22:00:00Z"),
    ("2026-01-31 22:00", "2026-01-31T22:00:00Z"),
    ("2026-01-31", "2026-01-31T00:00:00Z"),
    ("2026-01-31T23:30:00+01:00", "2026-01-31T22:30:00Z"),
    ("2026-01-31T20:30:00-0130", "2026-01-31T22:00:00Z"),
    ("2025-08-14T12:31:30.3899540Z", "2025-08-14T12:31:30.389954Z"),
])
def test_parse_time(value, expected):
    assert _query.format_time(_query.parse_time(value, "created_after", now=NOW)) == expected


@pytest.mark.parametrize("value", ["yesterday", "7y", "-1d", "2026-13-01", "2026-01-31T25:00:00Z", ""])
def test_parse_time_rejects(value):
    with pytest.raises(VeeamEmError) as err:
        _query.parse_time(value, "created_before", now=NOW)
    assert "created_before" in err.value.msg


def test_parse_time_relative_uses_current_time():
    before = datetime.datetime.now(datetime.timezone.utc)
    moment = _query.parse_time("1h", "created_after")
    assert datetime.timedelta(minutes=59) < before - moment < datetime.timedelta(minutes=61)


def test_filter_building():
    flt = _query.Filter()
    assert not flt
    flt.any_of("JobName", ['A "B"', "C"]).any_of("State", ["Working"], quoted=False).any_of("Result", [])
    flt.time_range(NOW, None).compare("State", "!=", "Stopped", quoted=False)
    assert flt
    assert str(flt) == '(JobName=="A ""B""",JobName=="C");State==Working;CreationTime>="2026-01-31T12:00:00Z";State!=Stopped'
    assert str(_query.Filter().time_range(None, NOW)) == 'CreationTime<="2026-01-31T12:00:00Z"'


def test_query_params_order():
    assert _query.query_params("BackupJobSession", 2, 1000, "CreationTime", False, "State==Working") == [
        ("type", "BackupJobSession"), ("format", "Entities"), ("sortAsc", "CreationTime"),
        ("pageSize", 1000), ("page", 2), ("filter", "State==Working")]
    assert _query.query_params("Task", 1, 5) == [("type", "Task"), ("format", "Entities"), ("pageSize", 5), ("page", 1)]


def test_chunks():
    assert list(_query.chunks(list(range(5)), 2)) == [[0, 1], [2, 3], [4]]
    assert list(_query.chunks([], 2)) == []
