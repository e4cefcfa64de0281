# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The client checks what the server filtered.

Enterprise Manager filters on the server, and the modules rely on that for
speed, never for truth: every item a module returns, and above all every
session it acts on, is checked here against the options once more.  An
item that does not match is left out with a warning (a filter quirk or a
name that broke out of its quotes must not widen a result, least of all a
stop).  Names compare case-insensitively, as EM's database does; Veeam job
names are unique regardless of case.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.backupops.veeam_em.plugins.module_utils import _times
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError

NAMES_HINT = "a string is one name, also with commas in it; give several names as a list"


def names(value, option):
    """A name option (type raw): a string is one name, a list several -> list of names, or None when unset.

    Ansible's list type would split ``Mailserver, weekly`` into two names
    that match nothing; here a comma is part of the name.  An empty list or an empty name is refused: it is never read as "all".
    """
    if value is None:
        return None
    if isinstance(value, list) and not value:
        raise VeeamEmError("%s is an empty list: give at least one name, or leave %s out to select every name (%s)"
                           % (option, option, NAMES_HINT))
    items = value if isinstance(value, list) else [value]
    result = []
    for item in items:
        if isinstance(item, (dict, list, tuple, bool)) or item is None:
            raise VeeamEmError("%s must be a name or a list of names; got %r" % (option, item))
        name = str(item).strip()
        if not name:
            raise VeeamEmError("%s must not contain an empty name (%s)" % (option, NAMES_HINT))
        result.append(name)
    return result


def name(value, option):
    """A single-name option (type raw): the name, stripped, or None when unset.

    An empty name is refused (never read as "all"), and so is a list or a
    dict (a str option would turn ``[a]`` into the name ``['a']``).
    """
    if value is None:
        return None
    if isinstance(value, (dict, list, tuple, set, bool)):
        raise VeeamEmError("%s must be one name, not a %s; got %r" % (option, type(value).__name__, value))
    text = str(value).strip()
    if not text:
        raise VeeamEmError("%s must not be empty: give the name, or leave %s out" % (option, option))
    return text


def words(value, option, allowed):
    """A list option of fixed words (``fail_on``) -> list; ``[]``, and ``[""]`` (``fail_on=`` ad hoc), mean none.

    Ansible splits an ad-hoc ``fail_on=`` into ``[""]``, which its choices
    would refuse, although the documented "never fail" is exactly what it
    says; so the words are checked here (case-sensitive, as choices are).
    """
    values = list(value or [])
    if values == [""]:
        return []
    wrong = [word for word in values if word not in allowed]
    if wrong:
        raise VeeamEmError("%s must be a list of %s (or empty: none); got %s"
                           % (option, ", ".join(allowed), ", ".join(repr(word) for word in wrong)))
    return values


def fold(values):
    return set(value.casefold() for value in values)


class Checks(object):
    """What one module asked for, as checks of the items EM returns."""

    def __init__(self):
        self._checks = []

    def names(self, option, key, wanted):
        """``item[key]`` is one of the names ``wanted`` (case-insensitive); an unknown name never matches."""
        if wanted:
            folded = fold(wanted)
            self._checks.append((option, lambda item: item.get(key) is not None and item[key].casefold() in folded))
        return self

    def values(self, option, key, wanted):
        """``item[key]`` is one of ``wanted``; an item that does not tell is kept."""
        if wanted:
            allowed = set(wanted)
            self._checks.append((option, lambda item: item.get(key) is None or item[key] in allowed))
        return self

    def other(self, option, key, value):
        """``item[key]`` is not ``value``; an item that does not tell is kept."""
        self._checks.append((option, lambda item: item.get(key) != value))
        return self

    def equals(self, option, key, value):
        if value is not None:
            self._checks.append((option, lambda item: item.get(key) is None or item[key] == value))
        return self

    def time_range(self, key, after=None, before=None, options=("created_after", "created_before"), unset_matches=True):
        """``item[key]`` within ``[after, before]``, to the second (EM may return times without fractions).

        An item without that time is kept, unless ``unset_matches`` is false (EM's filter on a missing
        time, such as the EndTime of a running session, matches only ``!=``).
        """
        if after is not None:
            low = after.replace(microsecond=0)
            self._checks.append((options[0], lambda item: _after(_time_of(item, key, low, unset_matches), low)))
        if before is not None:
            high = before.replace(microsecond=0) + datetime.timedelta(seconds=1 if before.microsecond else 0)
            self._checks.append((options[1], lambda item: _after(high, _time_of(item, key, high, unset_matches))))
        return self

    def options(self):
        """The options checked, in the order their checks run."""
        return [option for option, dummy in self._checks]

    def mismatch(self, item):
        """The first option ``item`` does not match, or None."""
        for option, check in self._checks:
            if not check(item):
                return option
        return None

    def __call__(self, item):
        return self.mismatch(item) is None

    def keep(self, items, what, warnings, quiet=()):
        """The matching items; the others are left out with a warning naming the options.

        ``quiet``: options that were not sent to EM (checked here only), whose mismatches are expected.
        """
        kept, dropped = [], {}
        for item in items:
            option = self.mismatch(item)
            if option is None:
                kept.append(item)
            elif option not in quiet:
                dropped.setdefault(option, []).append(item.get("name") or item.get("id"))
        for option, left_out in sorted(dropped.items()):
            warnings.append(
                "Enterprise Manager returned %d %s that do not match %s (for example %r); they were left out"
                % (len(left_out), what, option, left_out[0]))
        return kept


def _after(later, earlier):
    """``later >= earlier``; a missing time (None) is never within a range."""
    return later is not None and earlier is not None and later >= earlier


def _time_of(item, key, default, unset_matches=True):
    value = item.get(key)
    if not value:
        if not unset_matches:
            return None  # compares as no match below
        return default
    try:
        return _times.iso(value, key)
    except VeeamEmError:
        return default


def missing_names(requested, found):
    """The requested names (as given) that no found name equals, case-insensitively."""
    seen = fold(name for name in found if name)
    return [name for name in requested or () if name.casefold() not in seen]
