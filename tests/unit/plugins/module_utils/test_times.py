# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one time grammar: moments, lengths, and the bare number refused where a user may mean hours."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.backupops.veeam_em.plugins.module_utils import _times
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError

NOW = datetime.datetime(2026, 1, 31, 12, 0, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize("value, expected", [
    ("30m", "2026-01-31T11:30:00Z"),
    ("24h", "2026-01-30T12:00:00Z"),
    ("7d", "2026-01-24T12:00:00Z"),
    ("2w", "2026-01-17T12:00:00Z"),
    ("90s", "2026-01-31T11:58:30Z"),
    ("1h30m", "2026-01-31T10:30:00Z"),
    ("2026-01-31T22:00:00Z", "2026-01-31T22:00:00Z"),
    ("2026-01-31T22:00:00", "2026-01-31T22:00:00Z"),
    ("2026-01-31 22:00", "2026-01-31T22:00:00Z"),
    ("2026-01-31", "2026-01-31T00:00:00Z"),
    ("2026-01-31T23:30:00+01:00", "2026-01-31T22:30:00Z"),
    ("2026-01-31T20:30:00-0130", "2026-01-31T22:00:00Z"),
    ("2025-08-14T12:31:30.3899540Z", "2025-08-14T12:31:30.389954Z"),
])
def test_moment(value, expected):
    assert _times.text(_times.moment(value, "created_after", now=NOW)) == expected


@pytest.mark.parametrize("value, message", [
    ("yesterday", "created_before 'yesterday' is neither a length such as 90s, 30m, 24h, 7d, 2w or 1h30m"),
    ("7y", "created_before '7y' is neither a length"),
    ("-1d", "created_before '-1d' is neither a length"),
    ("2026-13-01", "created_before '2026-13-01' is not a valid time"),
    ("2026-01-31T25:00:00Z", "created_before '2026-01-31T25:00:00Z' is not a valid time"),
    ("", "created_before '' is neither a length"),
    ("24", "created_before '24' has no unit: write 24h for hours, 24m for minutes or 24s for seconds"),
    ("99999999w", "created_before '99999999w' reaches back before the year 1"),
    (["24h"], "created_before must be a length such as"),
])
def test_moment_rejects_naming_the_option(value, message):
    with pytest.raises(VeeamEmError) as err:
        _times.moment(value, "created_before", now=NOW)
    assert err.value.msg.startswith(message)


def test_relative_moment_uses_the_current_time():
    before = datetime.datetime.now(datetime.timezone.utc)
    moment = _times.moment("1h", "created_after")
    assert datetime.timedelta(minutes=59) < before - moment < datetime.timedelta(minutes=61)


@pytest.mark.parametrize("value, bare_seconds, expected", [
    ("90s", False, 90), ("30m", False, 1800), ("8h", False, 28800), ("7d", False, 604800), ("2w", False, 1209600),
    ("1h30m", False, 5400), ("1h 30m", False, 5400), ("300", True, 300), (300, True, 300), ("5M", False, 300),
])
def test_length(value, bare_seconds, expected):
    assert _times.length(value, "wait_timeout", bare_seconds=bare_seconds) == expected


@pytest.mark.parametrize("value, message", [
    ("24", "window '24' has no unit: write 24h for hours"),
    (24, "window '24' has no unit"),
    ("24x", "window '24x' is not a length such as 90s, 30m, 24h, 7d, 2w or 1h30m"),
    ("0m", "window '0m' must be longer than zero"),
    (True, "window must be a length"),
])
def test_length_rejects_naming_the_option(value, message):
    with pytest.raises(VeeamEmError) as err:
        _times.length(value, "window")
    assert err.value.msg.startswith(message)


def test_zero_length_only_where_allowed():
    assert _times.moment("0m", "created_after", now=NOW) == NOW  # a moment: now
    with pytest.raises(VeeamEmError, match="window '0h' must be longer than zero"):
        _times.moment("0h", "window", now=NOW, allow_zero=False)
    assert _times.length("0s", "overlap", allow_zero=True) == 0
    assert _times.length("0", "overlap", bare_seconds=True, allow_zero=True) == 0
