# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import random

import pytest

from ansible_collections.backupops.veeam_em.plugins.module_utils import _entities


# Time values: every shape is parsed and formatted as ISO 8601 UTC with ``Z``; one
# already in that shape comes out unchanged, an unreadable one as EM sent it.
PLAIN_TIMES = ["2014-10-19T05:22:52Z", "1971-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
               "2026-02-29T10:00:00Z", "2024-02-29T10:00:00Z", "2014-13-45T25:61:61Z"]
OTHER_TIMES = [
    ("1970-12-31T23:59:59Z", None), ("1900-01-01T00:00:00Z", None),
    ("0000-01-01T00:00:00Z", "0000-01-01T00:00:00Z"), ("0001-01-01T00:00:00Z", None),
    ("2014-10-19t05:22:52z", "2014-10-19T05:22:52Z"), ("2014-10-19 05:22:52Z", "2014-10-19T05:22:52Z"),
    ("2014-10-19T05:22:52", "2014-10-19T05:22:52Z"), ("2014-10-19T05:22Z", "2014-10-19T05:22:00Z"),
    ("2014-10-19", "2014-10-19T00:00:00Z"), ("2025-08-14T12:31:30.3899540Z", "2025-08-14T12:31:30.389954Z"),
    ("2025-08-14T12:31:30.000Z", "2025-08-14T12:31:30Z"), ("2026-01-10T05:22:52+01:00", "2026-01-10T04:22:52Z"),
    ("2026-01-10T00:22:52-0530", "2026-01-10T05:52:52Z"), ("2026-01-01T00:30:00+01:00", "2025-12-31T23:30:00Z"),
    ("\u0662\u0660\u0661\u0664-10-19T05:22:52Z", "\u0662\u0660\u0661\u0664-10-19T05:22:52Z"),  # ASCII digits only
    ("2014-10-19T05:22:52Z\n", "2014-10-19T05:22:52Z"), ("24x", "24x"), ("garbage", "garbage"),
    ("2014-10-19TT", "2014-10-19TT"),
]


def test_plain_utc_times_come_out_unchanged():
    # valid ones from 1971 on as they are; impossible dates (2026-02-29, month 13) as EM sent them
    for value in PLAIN_TIMES:
        assert _entities.time_value(value, "CreationTimeUTC") == value


@pytest.mark.parametrize("value, expected", OTHER_TIMES)
def test_other_time_shapes_are_normalised(value, expected):
    assert _entities.time_value(value, "EndTime") == expected


def test_every_plain_time_as_a_calendar_says():
    # Every digit position varied, valid dates or not (seeded, so the same values each run): a valid
    # date before 1971 is EM's "not set" (None), any other valid one comes out as it is, and an
    # impossible one as EM sent it.
    rng = random.Random(20260110)
    for _round in range(3000):
        fields = (rng.choice((rng.randint(0, 9999), rng.randint(1965, 2100))), rng.randint(0, 19), rng.randint(0, 39),
                  rng.randint(0, 29), rng.randint(0, 69), rng.randint(0, 69))
        value = "%04d-%02d-%02dT%02d:%02d:%02dZ" % fields
        try:
            expected = None if datetime.datetime(*fields).year < 1971 else value
        except ValueError:
            expected = value
        assert _entities.time_value(value, "EndTime") == expected, value
