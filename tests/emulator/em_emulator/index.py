# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Indexes of the query service, so that a filtered query costs what it returns.

A real EM answers ``filter=JobSessionUid==...`` or ``CreationTime>=...`` from SQL indexes; a
Python scan of 300,000 task sessions per OR term does not (2 s for 40 terms). ``QueryIndex``
narrows a compiled filter (``filters.compile_filter``, whose predicates carry their expression
as ``pred.node``) to candidates:

- ``field==value``: a dict per field, built on first use, value -> objects;
- ``<``, ``<=``, ``>``, ``>=`` on times and numbers: the objects sorted by the field's value, and
  bisect;
- ``A;B`` (AND): the smallest candidate set of the parts that have one;
- ``A,B`` (OR): the union of the parts' sets, only when every part has one;
- ``!=`` and anything else: no candidates, so the whole list is scanned as before.

The candidates are a superset of the answer: the filter's predicate is still applied to each,
and they come back in the dataset's order ((creation time, id)), so answers are identical to a
full scan (tests/emulator/tests/test_index.py checks that on random filters).

The dataset changes at run time (a stop changes state, result and end time; started jobs add
sessions): ``touched(dataset, obj)`` before an object's values change makes it a candidate of
every later query (its entries may be stale; the predicate decides), ``added(dataset, obj)``
indexes a new object, and ``forget_indexes(dataset)`` drops them all when data changed in any
other way (``EmulatorApp.bump()`` without ``indexed=True``, e.g. a test renaming a job).
"""

import bisect

from .filters import FIELDS_BY_TYPE

_INDEXED_TYPES = {"BackupJobSession": "sessions", "BackupTaskSession": "task_sessions"}
_RANGE_OPS = (">", ">=", "<", "<=")
_RANGE_KINDS = ("datetime", "long", "double")
# Lists registered by other modules (protection_routes): query type -> provider(dataset) returning
# (objects in query order, fields, order key) once the list exists, else None.
_PROVIDERS = {}


def order_key(obj):
    """The dataset's order of sessions and task sessions (dataset.Dataset sorts them so)."""
    return (obj.ctime, obj.id)


class QueryIndex(object):
    """Equality and range indexes over one list of the dataset (built lazily per field)."""

    def __init__(self, objects, fields, order=order_key):
        self.objects = objects  # the dataset's own list, in ``order`` order
        self.fields = fields
        self.order = order
        self.equal = {}  # field name -> {key: [objects]}
        self.ranges = {}  # field name -> ([sorted keys], [objects in the same order])
        self.touched = {}  # id(obj) -> obj: values changed since it was indexed

    # ------------------------------------------------------------- building and updates
    def _equal(self, field):
        table = self.equal.get(field.name)
        if table is None:
            table = {}
            key = field.key
            for obj in self.objects:
                table.setdefault(key(obj), []).append(obj)
            self.equal[field.name] = table
        return table

    def _range(self, field):
        pair = self.ranges.get(field.name)
        if pair is None:
            key = field.key
            keyed = sorted(((key(o), i) for i, o in enumerate(self.objects) if key(o) is not None))
            pair = ([k for k, _i in keyed], [self.objects[i] for _k, i in keyed])
            self.ranges[field.name] = pair
        return pair

    def touch(self, obj):
        self.touched[id(obj)] = obj

    def add(self, obj):
        """Index an object that was just inserted into ``objects``."""
        for name, table in self.equal.items():
            table.setdefault(self.fields[name.lower()].key(obj), []).append(obj)
        for name, (keys, objs) in self.ranges.items():
            value = self.fields[name.lower()].key(obj)
            if value is not None:
                at = bisect.bisect_right(keys, value)
                keys.insert(at, value)
                objs.insert(at, obj)

    # ------------------------------------------------------------- planning
    def _plan(self, node):
        """(size, make) for a filter node with indexed candidates, or None (scan)."""
        kind = node[0]
        if kind == "cmp":
            return self._plan_comparison(*node[1:])
        plans = [self._plan(child.node) for child in node[1]]
        if kind == "all":
            known = [p for p in plans if p is not None]
            return min(known, key=lambda p: p[0]) if known else None
        if any(p is None for p in plans):
            return None
        return sum(p[0] for p in plans), lambda: [o for p in plans for o in p[1]()]

    def _plan_comparison(self, field, op, value):
        if op == "==":
            found = self._equal(field).get(value, ())
            return len(found), lambda: found
        if op in _RANGE_OPS and field.kind in _RANGE_KINDS:
            keys, objs = self._range(field)
            lo, hi = 0, len(keys)
            if op == ">":
                lo = bisect.bisect_right(keys, value)
            elif op == ">=":
                lo = bisect.bisect_left(keys, value)
            elif op == "<":
                hi = bisect.bisect_left(keys, value)
            else:
                hi = bisect.bisect_right(keys, value)
            return max(0, hi - lo), lambda: objs[lo:hi]
        return None

    def select(self, pred):
        """The objects matching ``pred`` in dataset order, from the indexes when the filter allows."""
        node = getattr(pred, "node", None)
        plan = self._plan(node) if node is not None else None
        if plan is None or plan[0] * 2 > len(self.objects):
            return [o for o in self.objects if pred(o)]
        unique = dict((id(o), o) for o in plan[1]())
        unique.update(self.touched)
        return sorted((o for o in unique.values() if pred(o)), key=self.order)


def register_list(qtype, provider):
    """Index the list ``provider(dataset)`` returns ((objects, fields, order key) or None) for ``qtype``."""
    _PROVIDERS[qtype] = provider


def index_for(dataset, qtype):
    """The QueryIndex of a query type's list (None for types without one: servers, EM tasks)."""
    attr = _INDEXED_TYPES.get(qtype)
    provider = _PROVIDERS.get(qtype)
    if attr is None and provider is None:
        return None
    indexes = dataset.__dict__.setdefault("_query_indexes", {})
    if qtype not in indexes:
        if attr is not None:
            indexes[qtype] = QueryIndex(getattr(dataset, attr), FIELDS_BY_TYPE[qtype])
        else:
            parts = provider(dataset)
            if parts is None:
                return None
            indexes[qtype] = QueryIndex(*parts)
    return indexes[qtype]


def forget_index(dataset, qtype):
    """Drop the index of one query type (its list changed); built again when next needed."""
    dataset.__dict__.get("_query_indexes", {}).pop(qtype, None)


def forget_indexes(dataset):
    """Drop every index (values changed without ``touched``); they are built again when next needed."""
    dataset.__dict__.pop("_query_indexes", None)


def _qtype_of(obj):
    return "BackupJobSession" if hasattr(obj, "job") else "BackupTaskSession"


def touched(dataset, obj):
    """Call before a session's or task session's values change (state, result, end time, reason)."""
    idx = index_for(dataset, _qtype_of(obj))
    idx.touch(obj)


def added(dataset, obj):
    """Call after a session or task session was inserted into the dataset's list."""
    index_for(dataset, _qtype_of(obj)).add(obj)
