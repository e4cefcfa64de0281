# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the report, timeline and guard filters share: status names and colours, time and duration helpers.

Times are parsed by module_utils._query (the modules' parser), so a time means the same to a
module and to a filter.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

from ansible.errors import AnsibleFilterError

from ansible_collections.backupops.veeam_em.plugins.module_utils import _query
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError

try:
    from zoneinfo import ZoneInfo  # Python 3.9+
except ImportError:  # pragma: no cover - Python 3.8 controllers
    ZoneInfo = None


# Status of a job or of a timeline cell, worst first.
STATUS_SEVERITY = {"Failed": 4, "Warning": 3, "Running": 2, "None": 1, "Success": 0}
STATUS_COLOURS = {
    "Success": "#2f9e44",
    "Warning": "#e8a100",
    "Failed": "#d9363e",
    "Running": "#2f74d0",
    "None": "#98a2b3",
}
STATUS_LABELS = {
    "Success": "Success",
    "Warning": "Warning",
    "Failed": "Failed",
    "Running": "Running",
    "None": "No result",
}

UTC = datetime.timezone.utc
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)
_DURATION_RE = re.compile(r"(\d+)\s*([smhdw])", re.IGNORECASE)
DURATION_FULL_RE = re.compile(r"^\s*(?:\d+\s*[smhdw]\s*)+$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_CLOCK_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
_OFFSET_RE = re.compile(r"^\s*(?:UTC|GMT)?\s*([+-])(\d{1,2}):?(\d{2})?\s*$", re.IGNORECASE)


def parse_time(value, what="time"):
    """ISO 8601 text (or a datetime) -> aware UTC datetime; None stays None (parsing: module_utils._query)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    try:
        return _query.parse_iso_time(value, what)
    except VeeamEmError as exc:
        raise AnsibleFilterError(exc.msg)


def format_time(stamp):
    """Aware datetime -> ``YYYY-MM-DDTHH:MM:SSZ`` (whole seconds, UTC)."""
    if stamp is None:
        return None
    return _query.format_time(stamp.replace(microsecond=0))


def parse_duration(value, what="duration"):
    """``90s``, ``30m``, ``8h``, ``7d``, ``2w``, ``1h30m`` or a number of seconds -> seconds."""
    if isinstance(value, bool):
        raise AnsibleFilterError("%s %r is not a duration" % (what, value))
    if isinstance(value, (int, float)):
        seconds = int(value)
    else:
        text = str(value).strip()
        if text.isdigit():
            seconds = int(text)
        elif DURATION_FULL_RE.match(text):
            seconds = sum(int(num) * _UNIT_SECONDS[unit.lower()] for num, unit in _DURATION_RE.findall(text))
        else:
            raise AnsibleFilterError(
                "%s %r is not a duration such as 30m, 8h, 7d, 2w or 1h30m" % (what, value))
    if seconds <= 0:
        raise AnsibleFilterError("%s %r must be longer than zero" % (what, value))
    return seconds


def human_duration(seconds):
    """Seconds -> short text: ``45s``, ``12m``, ``3h 05m``, ``2d 4h``."""
    if seconds is None:
        return ""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return "%ds" % seconds
    minutes, _sec = divmod(seconds, 60)
    if minutes < 60:
        return "%dm" % minutes
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return "%dh %02dm" % (hours, minutes)
    days, hours = divmod(hours, 24)
    return "%dd %dh" % (days, hours)


def now(value=None):
    if value is None or value == "":
        return datetime.datetime.now(UTC).replace(microsecond=0)
    return parse_time(value, "now")


def tzinfo(name):
    """``UTC``, ``+02:00``/``-0530``, or an IANA name such as ``Europe/Berlin``."""
    text = str(name or "UTC").strip()
    if text.upper() in ("UTC", "Z", "GMT"):
        return UTC
    match = _OFFSET_RE.match(text)
    if match:
        sign = 1 if match.group(1) == "+" else -1
        delta = datetime.timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))
        return datetime.timezone(sign * delta)
    if ZoneInfo is None:
        raise AnsibleFilterError("time zone %r needs Python 3.9+ (zoneinfo); use an offset like +02:00" % text)
    try:
        return ZoneInfo(text)
    except Exception:  # zoneinfo raises several types for bad keys  pylint: disable=broad-except
        raise AnsibleFilterError("unknown time zone %r; use an IANA name such as Europe/Berlin or an offset like +02:00" % text)


def clock(value, what):
    match = _CLOCK_RE.match(str(value))
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise AnsibleFilterError("%s %r is not a time of day such as 20:00" % (what, value))
    return int(match.group(1)) * 60 + int(match.group(2))


def sort_key_time(item):
    return (item.get("creation_time") or "", item.get("id") or "")


def counts(items, key, names):
    counts = dict((name, 0) for name in names)
    for item in items:
        value = item.get(key)
        counts[value] = counts.get(value, 0) + 1
    return counts
