# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The query service: ids, the declarations of the query types, filters and paging.

Every list goes through ``GET /query?type=...&format=Entities`` with a
server-side filter and sort, in pages of ``PAGE_SIZE`` items, following the
``PagingInfo`` section of each answer.  A query type is declared once
(``Query``): each option's value is read and checked before any request,
and its filter clause and the client check of the same come from one place.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import itertools
import re
from contextlib import closing

from urllib.parse import urlsplit

from ansible_collections.backupops.veeam_em.plugins.module_utils import _times
from ansible_collections.backupops.veeam_em.plugins.module_utils import _verify
from ansible_collections.backupops.veeam_em.plugins.module_utils import _xml
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError

PAGE_SIZE = 1000
UID_CHUNK = 40  # UIDs per OR filter: keeps the URL well under 8 KiB

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_UUID_RE = re.compile(r"^%s$" % _UUID)
_URN_RE = re.compile(r"^urn:veeam:([A-Za-z]+):(%s)$" % _UUID, re.IGNORECASE)

COLLECTIONS = {
    "BackupJobSession": "backupSessions",
    "BackupTaskSession": "backupTaskSessions",
    "Job": "jobs",
    "LogonSession": "logonSessions",
}


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

    def __bool__(self):
        return bool(self.terms)

    def __str__(self):
        return ";".join(self.terms)


# -- declarations: one per query type -------------------------------------
# Each option of a query is declared once, as an ``Option``: how its value is read and checked
# (before any request), the filter clause it sends, and the check of each returned item that
# verifies the same on the client. ``Query.ask`` derives both from the same declaration, so a
# clause never goes to EM without its check (tests/unit/.../test_declarations.py walks them all).
DECLARED = {}
# Characters an EM may take for quotes in a filter (its own documentation writes Name==\u201dFileserver
# Backup\u201d) and then answer 400: a name holding one is not sent where the declaration says how else
# to find it (``Names(by_uid=...)``, ``Names(listed=True)``); it is still checked on every item.
REFUSABLE_QUOTES = u"\u201c\u201d\u201e\u2018\u2019\u201a"


class Option(object):
    """One option of a query: EM's filter ``field`` and the normalised item's ``key`` holding the same value.

    Each kind defines ``clause(flt, value)`` and ``check(checks, value)``; ``add`` always does both.
    """

    def __init__(self, option, field, key):
        self.option = option
        self.field = field
        self.key = key

    def read(self, value):
        """The option's value, checked (VeeamEmError naming the option); None when unset."""
        return value

    def add(self, flt, checks, value):
        self.clause(flt, value)
        self.check(checks, value)

    def sendable(self, value):
        """Whether the clause of ``value`` can go to EM (see REFUSABLE_QUOTES)."""
        return True


class Names(Option):
    """Names compared case-insensitively, as EM's database does (a string is one name, a list several).

    A name with typographic quotes is not sent when EM can be asked another way: ``by_uid``
    (entity type, option): through the UIDs of the entities of that name, read from their list;
    ``listed``: the whole list is read (a short one, such as jobs) and the check keeps the name.
    """

    def __init__(self, option, field, key, by_uid=None, listed=False):
        super(Names, self).__init__(option, field, key)
        self.by_uid = by_uid
        self.listed = listed

    def read(self, value):
        return _verify.names(value, self.option)

    def clause(self, flt, value):
        flt.any_of(self.field, value)

    def check(self, checks, value):
        checks.names(self.option, self.key, value)

    def sendable(self, value):
        return not ((self.by_uid or self.listed) and any(
            char in name for name in value for char in REFUSABLE_QUOTES))


class OneName(Names):
    """A single name (``backup_server``): a list or dict is refused."""

    def read(self, value):
        name = _verify.name(value, self.option)
        return [name] if name is not None else None


class Values(Option):
    """One of EM's words (``State``, ``Result``, ``JobType``): unquoted in the filter."""

    def read(self, value):
        return list(value) if value else None

    def clause(self, flt, value):
        flt.any_of(self.field, value, quoted=False)

    def check(self, checks, value):
        checks.values(self.option, self.key, value)


class Other(Option):
    """Anything but one of EM's words (``State!=Stopped``)."""

    def clause(self, flt, value):
        flt.compare(self.field, "!=", value, quoted=False)

    def check(self, checks, value):
        checks.other(self.option, self.key, value)


class Flag(Option):
    """A boolean field (``IsRetry``, ``ScheduleEnabled``)."""

    def clause(self, flt, value):
        flt.any_of(self.field, [str(value).lower()], quoted=False)

    def check(self, checks, value):
        checks.equals(self.option, self.key, value)


class Uid(Option):
    """An id option (UUID, URN or Href of an entity of ``kind``) sent as its URN; ``key`` holds the UUID."""

    def __init__(self, option, field, key, kind):
        super(Uid, self).__init__(option, field, key)
        self.kind = kind

    def read(self, value):
        return parse_id(value, self.kind, self.option) if value is not None else None

    def clause(self, flt, value):
        flt.any_of(self.field, [make_uid(self.kind, value)])

    def check(self, checks, value):
        checks.equals(self.option, self.key, value)


class Since(Option):
    """A moment (ISO 8601, a length back from now, or a datetime): the item's time is this or later.

    ``unset_matches``: whether an item without that time is kept (EM's filter on a missing time,
    such as the EndTime of a running session, matches only ``!=``).
    """

    operator = ">="

    def __init__(self, option, field, key, unset_matches=True):
        super(Since, self).__init__(option, field, key)
        self.unset_matches = unset_matches

    def read(self, value):
        if value is None or value == "":
            return None
        return value if hasattr(value, "tzinfo") else _times.moment(value, self.option)

    def clause(self, flt, value):
        flt.compare(self.field, self.operator, _times.text(value))

    def check(self, checks, value):
        low, high = (value, None) if self.operator == ">=" else (None, value)
        checks.time_range(self.key, low, high, options=(self.option, self.option), unset_matches=self.unset_matches)


class Until(Since):
    """A moment: the item's time is this or earlier."""

    operator = "<="


class Query(object):
    """The declaration of one query type: its entity, how an entity is normalised, its options.

    ``ranges``: pairs of (earlier, later) moment options that must be in that order.
    """

    def __init__(self, entity, normalise, options, what, sort="CreationTime", descending=True, ranges=()):
        self.entity = entity
        self.what = what
        self.normalise = normalise
        self.options = dict((option.option, option) for option in options)
        self.sort = sort
        self.descending = descending
        self.ranges = ranges
        DECLARED[entity] = self

    def ask(self, **values):
        """The question these option values ask: read and checked here, before any request."""
        read = {}
        for name, value in values.items():
            value = self.options[name].read(value)
            if value is not None:
                read[name] = value
        for earlier, later in self.ranges:
            if earlier in read and later in read and read[earlier] > read[later]:
                raise VeeamEmError("%s (%s) is later than %s (%s)" % (
                    earlier, _times.text(read[earlier]), later, _times.text(read[later])))
        return Question(self, read)

    def exists(self, client, option, name):
        """Whether EM has any entity whose ``option`` is ``name``: one request of one item, checked."""
        return self.ask(**{option: name}).any(client)

    def warn_unknown(self, client, option, requested, items, what):
        """Warn about requested names that no item has and that EM knows nothing of (a typo, a split name).

        ``option`` is both the option and the key of the items that holds the name. Returns the names warned about.
        """
        warned = []
        for name in _verify.missing_names(requested, [item.get(option) for item in items]):
            if not self.exists(client, option, name):
                warned.append(name)
                client.warnings.append("%s %r: Enterprise Manager has no %s of that name at all; check the "
                                       "spelling (%s)" % (option, name, what, _verify.NAMES_HINT))
        return warned


class Question(object):
    """A query with its option values: the server filter and the client checks, from one declaration.

    An option whose value cannot be sent (see ``Option.sendable``) is only checked; one declared
    ``by_uid`` is asked through the UIDs of the entities of that name, looked up at the first request.
    """

    def __init__(self, query, values):
        self.query = query
        self.values = values
        self.filter = Filter()
        self.checks = _verify.Checks()
        self.unsent = []
        self.looked_up = set()
        for name, option in query.options.items():
            if name in values:
                if option.sendable(values[name]):
                    option.add(self.filter, self.checks, values[name])
                else:
                    option.check(self.checks, values[name])
                    self.unsent.append(option)

    def value(self, option):
        return self.values.get(option)

    def _look_up_names(self, client):
        """Send the UIDs of the names that could not be sent (once, at the first request).

        Without a UID (a name of no listed entity: the job list holds only backup, copy and replica
        jobs) nothing narrows the query on the server, and the check alone keeps the name.
        """
        for option in [o for o in self.unsent if o.by_uid and o.option not in self.looked_up]:
            self.looked_up.add(option.option)  # once: without a UID the check alone keeps the name
            entity, uid_option = option.by_uid
            uids = uids_named(client, entity, self.values[option.option])
            if uids:
                self.query.options[uid_option].add(self.filter, self.checks, uids)
                self.unsent.remove(option)

    def nodes(self, client, newest_first=None, limit=None, sort=None, first=None):
        """The raw entities of the answer, page by page (see ``iterate``)."""
        self._look_up_names(client)
        descending = self.query.descending if newest_first is None else newest_first
        return iterate(client, self.query.entity, self.filter, sort_field=sort or self.query.sort,
                       descending=descending, limit=limit, first_page=first)

    def any(self, client):
        """Whether EM has an item the question asks for: one request of one item where every option
        went to EM; where one is checked on the client only, reading stops at the first item that passes."""
        self._look_up_names(client)
        with closing(self.nodes(client, limit=None if self.unsent else 1)) as raw:
            return any(self(self.query.normalise(node)) for node in raw)

    def first_page(self, client, newest_first=None):
        self._look_up_names(client)
        descending = self.query.descending if newest_first is None else newest_first
        return first_page(client, self.query.entity, self.filter, sort_field=self.query.sort, descending=descending)

    def items(self, client, newest_first=None, limit=None, links=False, sort=None, what=None):
        """The normalised items of the answer that pass the checks (the others left out with a warning)."""
        with closing(self.nodes(client, newest_first, limit, sort=sort)) as raw:
            found = [self.query.normalise(node, links) for node in itertools.islice(raw, limit)]
        return self.keep(found, client.warnings, what)

    def latest(self, client, key, names=None, limit=None, links=False):
        """The newest item of each ``key(item)``, newest first, each checked (one that fails never counts).

        Reading stops once every value of option ``names`` (also the items' key of those names) has
        been seen, or ``limit`` items are found: no page after that is asked for.
        """
        wanted = _verify.fold(self.values.get(names) or ()) if names else set()
        seen, found, dropped = set(), [], []
        with closing(self.nodes(client, newest_first=True)) as raw:
            for node in raw:
                item = self.query.normalise(node, links)
                if key(item) in seen:
                    continue
                if not self(item):
                    dropped.append(item)
                    continue
                seen.add(key(item))
                found.append(item)
                if names:
                    wanted.discard((item.get(names) or "").casefold())
                if (limit and len(found) >= limit) or (names and self.values.get(names) and not wanted):
                    break
        self.keep(dropped, client.warnings)  # warns about each
        return found

    def keep(self, items, warnings, what=None):
        quiet = [option.option for option in self.unsent]  # read whole: their mismatches are expected
        return self.checks.keep(items, what or self.query.what, warnings, quiet)

    def __call__(self, item):
        return self.checks(item)


def uids_named(client, entity, names):
    """The UIDs (as EM writes them) of the entities of type ``entity`` whose Name is one of ``names``.

    Read from the whole list, with no name in the filter (for a name EM may refuse there).
    """
    wanted = _verify.fold(names)
    return [node.get("UID") for node in iterate(client, entity, None, sort_field="Name", descending=False)
            if (node.get("Name") or "").casefold() in wanted and node.get("UID")]


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
