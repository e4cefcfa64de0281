# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Query service helpers: ids, times, filters and paging.

Every list goes through ``GET /query?type=...&format=Entities`` with a
server-side filter and sort, in pages of ``PAGE_SIZE`` items, following the
``PagingInfo`` section of each answer.  Option values are validated here,
before any request is sent.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

from urllib.parse import urlsplit

from ansible_collections.backupops.veeam_em.plugins.module_utils import _xml
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError

PAGE_SIZE = 1000
UID_CHUNK = 40  # UIDs per OR filter: keeps the URL well under 8 KiB

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_UUID_RE = re.compile(r"^%s$" % _UUID)
_URN_RE = re.compile(r"^urn:veeam:([A-Za-z]+):(%s)$" % _UUID, re.IGNORECASE)
_RELATIVE_RE = re.compile(r"^(\d+)\s*([mhdw])$")
_ISO_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}

COLLECTIONS = {
    "BackupJobSession": "backupSessions",
    "BackupTaskSession": "backupTaskSessions",
    "Job": "jobs",
}


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def parse_id(value, kind, option="id"):
    """A bare UUID, ``urn:veeam:<kind>:UUID`` or an Href URL -> lower-case UUID."""
    raw = (value or "").strip()
    if _UUID_RE.match(raw):
        return raw.lower()
    match = _URN_RE.match(raw)
    if match:
        if match.group(1).lower() != kind.lower():
            raise VeeamEmError("%s %r is the URN of a %s, expected urn:veeam:%s:<UUID>"
                               % (option, raw, match.group(1), kind))
        return match.group(2).lower()
    if raw.lower().startswith(("http://", "https://")):
        segments = [s for s in urlsplit(raw).path.split("/") if s]
        collection = COLLECTIONS[kind].lower()
        for index, segment in enumerate(segments[:-1]):
            if segment.lower() == collection and _UUID_RE.match(segments[index + 1]):
                return segments[index + 1].lower()
    raise VeeamEmError("%s %r is not a valid %s id: give a UUID, urn:veeam:%s:<UUID> or its Href URL "
                       "(.../api/%s/<UUID>)" % (option, raw, kind, kind, COLLECTIONS[kind]))


MAX_LIMIT = 10 ** 9


def last_segment(value):
    """UUID at the end of a URN (``urn:veeam:Job:UUID``) or of an Href."""
    if not value:
        return None
    value = value.split("?", 1)[0].rstrip("/")
    return value.replace("/", ":").rsplit(":", 1)[-1].lower() or None


def check_limit(limit, option="limit"):
    """A result-size option must be unset or from 1 to a billion (checked before any request)."""
    if limit is not None:
        check_range(limit, option, 1, MAX_LIMIT, "")


def check_range(value, option, low, high, unit=" seconds"):
    """An integer option must lie in ``[low, high]`` (checked before any request)."""
    if not low <= value <= high:
        raise VeeamEmError("%s must be from %d to %d%s; got %d" % (option, low, high, unit, value))


def make_uid(kind, uuid):
    return "urn:veeam:%s:%s" % (kind, uuid)


def quote(value):
    """A filter string literal: in double quotes, inner quotes doubled."""
    return '"%s"' % str(value).replace('"', '""')


def parse_time(value, option, now=None):
    """A user's time option: ISO 8601 or relative (``30m``, ``24h``, ``7d``, ``2w`` ago) -> aware UTC datetime."""
    raw = str(value).strip()
    match = _RELATIVE_RE.match(raw.lower())
    if match:
        try:
            delta = datetime.timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
            return (now or utcnow()) - delta
        except (OverflowError, ValueError):
            raise VeeamEmError("%s %r reaches back before the year 1: give a smaller relative time (30m, 24h, "
                               "7d, 2w) or an ISO 8601 time" % (option, raw))
    if not _ISO_RE.match(raw):
        raise VeeamEmError("%s %r is neither an ISO 8601 time (2026-01-31T22:00:00Z) nor a relative time "
                           "(30m, 24h, 7d, 2w)" % (option, raw))
    return parse_iso_time(raw, option)


def parse_iso_time(value, option):
    """ISO 8601 only (what EM sends) -> aware UTC datetime."""
    raw = str(value).strip()
    match = _ISO_RE.match(raw)
    if not match:
        raise VeeamEmError("%s %r is not an ISO 8601 time (2026-01-31T22:00:00Z)" % (option, raw))
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = datetime.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                                   int(second or 0), int((fraction or "0")[:6].ljust(6, "0")),
                                   tzinfo=_zone(zone))
        return moment.astimezone(datetime.timezone.utc)
    except ValueError as exc:
        raise VeeamEmError("%s %r is not a valid time (%s)" % (option, raw, exc))
    except OverflowError:
        raise VeeamEmError("%s %r is out of range: in UTC it falls outside the years 1 to 9999" % (option, raw))


def _zone(zone):
    if not zone or zone.upper() == "Z":
        return datetime.timezone.utc
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    return datetime.timezone(sign * datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def created_range(params):
    """The ``created_after``/``created_before`` options as ``(after, before)`` (None when unset), checked."""
    after = parse_time(params["created_after"], "created_after") if params["created_after"] else None
    before = parse_time(params["created_before"], "created_before") if params["created_before"] else None
    if after and before and after > before:
        raise VeeamEmError("created_after (%s) is later than created_before (%s)"
                           % (format_time(after), format_time(before)))
    return after, before


def format_time(moment):
    """Aware datetime -> ``2026-01-31T22:00:00Z`` (EM accepts only UTC values)."""
    moment = moment.astimezone(datetime.timezone.utc)
    # not strftime: its %Y does not pad years before 1000, which EM refuses
    text = "%04d-%02d-%02dT%02d:%02d:%02d" % (
        moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    if moment.microsecond:
        text += (".%06d" % moment.microsecond).rstrip("0")
    return text + "Z"


class Filter(object):
    """Builds a filter expression: terms joined by ``;`` (AND), alternatives by ``,`` (OR)."""

    def __init__(self):
        self.terms = []

    def any_of(self, field, values, quoted=True):
        """``field`` equals one of ``values`` (nothing added for an empty list)."""
        exprs = ["%s==%s" % (field, quote(v) if quoted else v) for v in values or ()]
        if len(exprs) == 1:
            self.terms.append(exprs[0])
        elif exprs:
            self.terms.append("(%s)" % ",".join(exprs))
        return self

    def compare(self, field, operator, value, quoted=True):
        self.terms.append("%s%s%s" % (field, operator, quote(value) if quoted else value))
        return self

    def time_range(self, after=None, before=None, field="CreationTime"):
        if after is not None:
            self.compare(field, ">=", format_time(after))
        if before is not None:
            self.compare(field, "<=", format_time(before))
        return self

    def __bool__(self):
        return bool(self.terms)

    def __str__(self):
        return ";".join(self.terms)


def query_params(query_type, page, page_size, sort_field=None, descending=True, filter_expr=None):
    """Query string of one page, in the order the EM documentation writes it."""
    params = [("type", query_type), ("format", "Entities")]
    if sort_field:
        params.append(("sortDesc" if descending else "sortAsc", sort_field))
    params += [("pageSize", page_size), ("page", page)]
    if filter_expr:
        params.append(("filter", str(filter_expr)))
    return params


def iterate(client, query_type, filter_expr=None, sort_field="CreationTime", descending=True,
            limit=None, page_size=PAGE_SIZE, first_page=None):
    """Yield the raw entities (elements named like ``query_type``) of a query, page by page.

    A limit below the page size shrinks the page, and no page after the
    last one ``limit`` needs is asked for.  Each page is fetched when the
    previous one has been read, so a caller may stop early
    (``latest_per_job``) and no page is fetched that is not read.
    ``first_page``: page 1, already read with ``first_page()``.
    """
    size = min(page_size, limit) if limit else page_size
    last = -(-limit // size) if limit else None  # the last page a limited caller reads
    page = 1
    content = first_page if first_page is not None else client.get(
        "/query", query_params(query_type, page, size, sort_field, descending, filter_expr))
    while True:
        items = _xml.entities(content, query_type)
        yield from items
        page += 1
        if (last is not None and page > last) or not items or not _xml.has_next_page(content):
            return
        content = client.get("/query", query_params(query_type, page, size, sort_field, descending, filter_expr))


def first_page(client, query_type, filter_expr=None, sort_field="CreationTime", descending=True,
               page_size=PAGE_SIZE):
    """Page 1 of a query (root element): its ``PagesCount`` tells how many requests the rest takes."""
    return client.get("/query", query_params(query_type, 1, page_size, sort_field, descending, filter_expr))


def chunks(values, size=UID_CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]
