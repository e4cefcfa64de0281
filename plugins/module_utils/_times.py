# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one time grammar of the collection: every time and duration option, every time EM writes.

- A **length** is one or more numbers with a unit: ``90s``, ``30m``, ``24h``, ``7d``, ``2w``,
  ``1h30m``. A bare number is refused where a user may mean hours (``window=24`` would otherwise
  be 24 seconds); only a timing knob that has always counted seconds (``wait_timeout``,
  ``poll_interval``, the event source's ``interval``) takes one, as seconds.
- A **moment** is an ISO 8601 time (``2026-01-31T22:00:00Z``; no zone means UTC) or a length
  counted back from now (``24h`` = 24 hours ago).
- Times go out to EM and to users as ``YYYY-MM-DDTHH:MM:SSZ`` (fractions only when there are
  any), always UTC.

Errors are :class:`VeeamEmError` naming the option and what would be accepted.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError

UTC = datetime.timezone.utc
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
LENGTH_EXAMPLES = "90s, 30m, 24h, 7d, 2w or 1h30m"
ISO_EXAMPLE = "2026-01-31T22:00:00Z"
_LENGTH_RE = re.compile(r"^(?:[0-9]+\s*[smhdw]\s*)+$", re.IGNORECASE)
_LENGTH_PART_RE = re.compile(r"([0-9]+)\s*([smhdw])", re.IGNORECASE)
_BARE_RE = re.compile(r"^[0-9]+$")
_ISO_RE = re.compile(
    r"^([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]+))?)?)?"
    r"\s*(Z|[+-][0-9]{2}:?[0-9]{2})?$", re.IGNORECASE)


EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)


def utcnow():
    return datetime.datetime.now(UTC)


def unix(stamp):
    """An aware datetime as whole seconds since the epoch (Unix time)."""
    return int((stamp - EPOCH).total_seconds())


def _text(value, option):
    if isinstance(value, (bool, dict, list, tuple)) or value is None:
        raise VeeamEmError("%s must be a length such as %s or an ISO 8601 time; got %r" % (option, LENGTH_EXAMPLES, value))
    return str(value).strip()


def length(value, option, bare_seconds=False, allow_zero=False):
    """A length option -> whole seconds.

    ``bare_seconds``: a bare number counts seconds (timing knobs); otherwise it is refused, naming
    the units, because a user may mean hours. ``allow_zero``: ``0`` (or ``0s``) is a valid length.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    else:
        text = _text(value, option)
    if _BARE_RE.match(text):
        if not bare_seconds:
            raise VeeamEmError("%s %r has no unit: write %sh for hours, %sm for minutes or %ss for seconds "
                               "(a length such as %s)" % (option, text, text, text, text, LENGTH_EXAMPLES))
        seconds = int(text)
    elif _LENGTH_RE.match(text):
        seconds = sum(int(number) * UNIT_SECONDS[unit.lower()] for number, unit in _LENGTH_PART_RE.findall(text))
    else:
        raise VeeamEmError("%s %r is not a length such as %s" % (option, text, LENGTH_EXAMPLES))
    if seconds == 0 and not allow_zero:
        raise VeeamEmError("%s %r must be longer than zero" % (option, text))
    return seconds


def moment(value, option, now=None, allow_zero=True):
    """A moment option: ISO 8601, or a length counted back from ``now`` -> aware UTC datetime.

    ``allow_zero``: ``0m`` (now itself) is a moment; a window's length is refused at zero.
    """
    text = _text(value, option)
    if _ISO_RE.match(text):
        return iso(text, option)
    if not (_LENGTH_RE.match(text) or _BARE_RE.match(text)):
        raise VeeamEmError("%s %r is neither a length such as %s (counted back from now) nor an ISO 8601 time "
                           "such as %s" % (option, text, LENGTH_EXAMPLES, ISO_EXAMPLE))
    return back(now or utcnow(), length(text, option, allow_zero=allow_zero), option, text)


def back(end, seconds, option, text):
    """``end`` minus ``seconds``; fails naming the option when that falls before the year 1."""
    try:
        return end - datetime.timedelta(seconds=seconds)
    except (OverflowError, ValueError):
        raise VeeamEmError("%s %r reaches back before the year 1: give a shorter length (%s) or an ISO 8601 time"
                           % (option, text, LENGTH_EXAMPLES))


def iso(value, option):
    """ISO 8601 only (what EM writes) -> aware UTC datetime."""
    raw = str(value).strip()
    match = _ISO_RE.match(raw)
    if not match:
        raise VeeamEmError("%s %r is not an ISO 8601 time (%s)" % (option, raw, ISO_EXAMPLE))
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        stamp = datetime.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                                  int(second or 0), int((fraction or "0")[:6].ljust(6, "0")), tzinfo=_zone(zone))
        return stamp.astimezone(UTC)
    except ValueError as exc:
        raise VeeamEmError("%s %r is not a valid time (%s)" % (option, raw, exc))
    except OverflowError:
        raise VeeamEmError("%s %r is out of range: in UTC it falls outside the years 1 to 9999" % (option, raw))


def _zone(zone):
    if not zone or zone.upper() == "Z":
        return UTC
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    return datetime.timezone(sign * datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def text(stamp):
    """Aware datetime -> ``2026-01-31T22:00:00Z`` (EM accepts only UTC values)."""
    stamp = stamp.astimezone(UTC)
    # not strftime: its %Y does not pad years before 1000, which EM refuses
    out = "%04d-%02d-%02dT%02d:%02d:%02d" % (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute,
                                             stamp.second)
    if stamp.microsecond:
        out += (".%06d" % stamp.microsecond).rstrip("0")
    return out + "Z"
