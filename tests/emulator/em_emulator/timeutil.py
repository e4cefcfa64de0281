# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""UTC time helpers: the dataset keeps times as integer seconds since the epoch."""

import calendar
import re
import time

_ISO_RE = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?\s*(Z|z|[+-]\d{2}:?\d{2})?\s*$"
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def parse_iso(text, require_utc=False):
    """Parse an ISO 8601 date/time; returns float seconds since the epoch (UTC).

    A value without a zone is taken as UTC unless ``require_utc`` is set (then it is an error).
    Raises ValueError on anything else.
    """
    m = _ISO_RE.match(text or "")
    if not m:
        raise ValueError("not an ISO 8601 date/time: %r" % (text,))
    year, month, day, hour, minute, sec, frac, zone = m.groups()
    if require_utc and not zone:
        raise ValueError("the value must be a UTC date/time (ending in Z): %r" % (text,))
    parts = (int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(sec or 0))
    if not (1 <= parts[1] <= 12 and 1 <= parts[2] <= 31 and parts[3] < 24 and parts[4] < 60 and parts[5] < 60):
        raise ValueError("date/time out of range: %r" % (text,))
    value = float(calendar.timegm(parts + (0, 0, 0)))
    if frac:
        value += float("0." + frac)
    if zone and zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        value -= sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    return value


def iso(ts):
    """2014-10-19T05:22:52Z"""
    t = time.gmtime(ts)
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % t[:6]


def name_time(ts):
    """2014-10-19 05:22:52 (the time part of session names)."""
    t = time.gmtime(ts)
    return "%04d-%02d-%02d %02d:%02d:%02d" % t[:6]


def restore_point_name(ts):
    """Oct 19 2014  5:23AM (the SQL Server style EM uses for restore point names)."""
    t = time.gmtime(ts)
    hour = t.tm_hour % 12 or 12
    return "%s %2d %04d %2d:%02d%s" % (_MONTHS[t.tm_mon - 1], t.tm_mday, t.tm_year, hour, t.tm_min,
                                       "AM" if t.tm_hour < 12 else "PM")
