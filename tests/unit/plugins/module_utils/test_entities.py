# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import random

from ansible_collections.backupops.veeam_em.plugins.module_utils import _entities


# Time values: the plain ``YYYY-MM-DDTHH:MM:SSZ`` shape skips parsing; every
# value must come out exactly as parsing and formatting would give it.
PLAIN_TIMES = ["2014-10-19T05:22:52Z", "1971-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
               "2026-02-29T10:00:00Z", "2024-02-29T10:00:00Z", "2014-13-45T25:61:61Z"]
OTHER_TIMES = ["1970-12-31T23:59:59Z", "1900-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z",
               "2014-10-19t05:22:52z", "2014-10-19 05:22:52Z", "2014-10-19T05:22:52", "2014-10-19T05:22Z",
               "2014-10-19", "2025-08-14T12:31:30.3899540Z", "2025-08-14T12:31:30.000Z",
               "2026-01-10T05:22:52+01:00", "2026-01-10T00:22:52-0530", "2026-01-01T00:30:00+01:00",
               "\u0662\u0660\u0661\u0664-10-19T05:22:52Z", "2014-10-19T05:22:52Z\n", "24x", "garbage", "2014-10-19TT"]


def test_plain_utc_times_skip_parsing(monkeypatch):
    parsed = []

    def counting(value, name):
        parsed.append(value)
        return original(value, name)

    original = _entities.parsed_time_value
    monkeypatch.setattr(_entities, "parsed_time_value", counting)
    for value in PLAIN_TIMES:
        assert _entities.time_value(value, "CreationTimeUTC") is value
    assert parsed == []
    for value in OTHER_TIMES:
        _entities.time_value(value, "CreationTimeUTC")
    assert parsed == OTHER_TIMES


def test_fast_and_parsed_times_agree():
    for value in PLAIN_TIMES + OTHER_TIMES:
        assert _entities.time_value(value, "EndTime") == _entities.parsed_time_value(value, "EndTime"), value
    assert [_entities.time_value(v, "EndTime") for v in OTHER_TIMES[:4]] == [None, None, "0000-01-01T00:00:00Z", None]
    assert _entities.time_value("2026-01-10T00:22:52-0530", "EndTime") == "2026-01-10T05:52:52Z"
    assert _entities.time_value("2025-08-14T12:31:30.000Z", "EndTime") == "2025-08-14T12:31:30Z"
    # Every digit position varied, valid dates or not (seeded, so the same values each run).
    rng = random.Random(20260110)
    for _round in range(3000):
        value = "%04d-%02d-%02dT%02d:%02d:%02dZ" % (
            rng.choice((rng.randint(0, 9999), rng.randint(1965, 2100))), rng.randint(0, 19), rng.randint(0, 39),
            rng.randint(0, 29), rng.randint(0, 69), rng.randint(0, 69))
        assert _entities.time_value(value, "EndTime") == _entities.parsed_time_value(value, "EndTime"), value
