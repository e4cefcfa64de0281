# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The query service's filter grammar and sort keys (pages filter, query_comparison, query_and_or,
query_grouping, optional_query_parameters, sortasc_sortdesc).

Grammar (``;`` binds tighter than ``,``)::

    expr       := and_expr ( "," and_expr )*
    and_expr   := term ( ";" term )*
    term       := "(" expr ")" | comparison
    comparison := FIELD OP VALUE          OP: == != >= <= > <
    VALUE      := '"' ( any char | '""' )* '"'   or   bare text up to ; , ) (spaces dropped)

Only the ASCII quote ``"`` delimits a string, as in every request example of the pages
(``filter=name=="Exchange Backup"``); the typographic quotes of the optional_query_parameters
page's prose are typesetting, so \u201c and \u201d are ordinary characters, quoted or bare.

Field names are case-insensitive. Strings compare case-insensitively (EM's database collation);
enumerations compare by their documented order; UIDs accept the bare GUID or the urn form;
date/times are ISO 8601 (UTC). A missing value (EndTime of a running session) is only "!=".
"""

import re

from .constants import EM_TASK_STATES, JOB_RESOURCE_TYPES, JOB_TYPES, RESULTS, SESSION_STATES, TASK_STATES
from .timeutil import parse_iso

_QUOTE = '"'
_FIELD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_OPS = ("==", "!=", ">=", "<=", ">", "<")
_URN_RE = re.compile(r"^urn:veeam:[A-Za-z]+:", re.I)


class FilterError(ValueError):
    """A malformed filter or sort expression (answered 400)."""


# --------------------------------------------------------------------------- fields
class Field(object):
    __slots__ = ("name", "kind", "getter", "values", "index")

    def __init__(self, name, kind, getter, values=None):
        self.name = name
        self.kind = kind
        self.getter = getter
        self.values = values
        self.index = dict((v.lower(), i) for i, v in enumerate(values)) if values else None

    def convert(self, raw):
        """The comparable form of a filter value given as text."""
        kind = self.kind
        if kind == "str":
            return raw.casefold()
        if kind == "uid":
            return _URN_RE.sub("", raw).lower()
        if kind == "enum":
            try:
                return self.index[raw.lower()]
            except KeyError:
                raise FilterError("Invalid value '%s' for %s. Possible values: %s"
                                  % (raw, self.name, ", ".join(v for v in self.values if v != "None")))
        if kind == "datetime":
            try:
                return parse_iso(raw)
            except ValueError:
                raise FilterError("Invalid DateTime value '%s' for %s: expected a UTC date and time such as "
                                  "2025-08-14T12:31:30.389954Z" % (raw, self.name))
        if kind == "bool":
            low = raw.lower()
            if low not in ("true", "false"):
                raise FilterError("Invalid Boolean value '%s' for %s: expected True or False" % (raw, self.name))
            return low == "true"
        if kind == "long":
            try:
                return int(raw)
            except ValueError:
                raise FilterError("Invalid numeric value '%s' for %s" % (raw, self.name))
        if kind == "double":
            try:
                return float(raw)
            except ValueError:
                raise FilterError("Invalid numeric value '%s' for %s" % (raw, self.name))
        raise FilterError("Field %s cannot be filtered" % self.name)

    def key(self, obj):
        """The comparable form of the object's value (None when the object has no value)."""
        value = self.getter(obj)
        if value is None:
            return None
        kind = self.kind
        if kind == "str":
            return value.casefold()
        if kind == "enum":
            return self.index[value.lower()]
        return value


def _fields(*specs):
    return dict((f.name.lower(), f) for f in specs)


JOB_SESSION_FIELDS = _fields(
    Field("UID", "uid", lambda s: s.id),
    Field("Name", "str", lambda s: s.name),
    Field("JobType", "enum", lambda s: s.job.job_type, JOB_TYPES),
    Field("JobUid", "uid", lambda s: s.job.id),
    Field("JobName", "str", lambda s: s.job.name),
    Field("CreationTime", "datetime", lambda s: s.ctime),
    Field("EndTime", "datetime", lambda s: s.etime),
    Field("State", "enum", lambda s: s.state, SESSION_STATES),
    Field("Result", "enum", lambda s: s.result, RESULTS),
    Field("IsRetry", "bool", lambda s: s.is_retry),
    Field("BackupServerUid", "uid", lambda s: s.job.server.id),
    Field("BackupServerName", "str", lambda s: s.job.server.name),
)
TASK_SESSION_FIELDS = _fields(
    Field("UID", "uid", lambda t: t.id),
    Field("Name", "str", lambda t: t.name),
    Field("CreationTime", "datetime", lambda t: t.ctime),
    Field("EndTime", "datetime", lambda t: t.etime),
    Field("State", "enum", lambda t: t.state, TASK_STATES),
    Field("Result", "enum", lambda t: t.result, RESULTS),
    Field("Reason", "str", lambda t: t.reason),
    Field("TotalSize", "long", lambda t: t.total_size),
    Field("JobSessionUid", "uid", lambda t: t.session.id),
    Field("JobUid", "uid", lambda t: t.session.job.id),
    Field("JobName", "str", lambda t: t.session.job.name),
    Field("BackupServerUid", "uid", lambda t: t.session.job.server.id),
    Field("BackupServerName", "str", lambda t: t.session.job.server.name),
    Field("VmDisplayName", "str", lambda t: t.vm),
)
TASK_FIELDS = _fields(
    Field("TaskId", "str", lambda t: t.task_id),
    Field("State", "enum", lambda t: t.state, EM_TASK_STATES),
    Field("Operation", "str", lambda t: t.operation),
)
SERVER_FIELDS = _fields(
    Field("UID", "uid", lambda s: s.id),
    Field("Name", "str", lambda s: s.name),
    Field("Description", "str", lambda s: s.description),
    Field("Port", "long", lambda s: s.port),
    Field("Version", "str", lambda s: s.version),
)
JOB_FIELDS = _fields(
    Field("UID", "uid", lambda j: j.id),
    Field("Name", "str", lambda j: j.name),
    Field("Description", "str", lambda j: j.state.description),
    Field("NextRun", "datetime", lambda j: j.state.next_run()),
    Field("JobType", "enum", lambda j: j.job_type, JOB_RESOURCE_TYPES),
    Field("Platform", "str", lambda j: j.state.platform),
    Field("ScheduleConfigured", "bool", lambda j: j.state.schedule_configured),
    Field("ScheduleEnabled", "bool", lambda j: j.state.schedule_enabled),
    Field("BackupServerUid", "uid", lambda j: j.server.id),
    Field("BackupServerName", "str", lambda j: j.server.name),
)
FIELDS_BY_TYPE = {
    "BackupJobSession": JOB_SESSION_FIELDS,
    "BackupTaskSession": TASK_SESSION_FIELDS,
    "Task": TASK_FIELDS,
    "BackupServer": SERVER_FIELDS,
    "Job": JOB_FIELDS,
}


def lookup_field(fields, name, qtype):
    f = fields.get((name or "").strip().lower())
    if f is None:
        raise FilterError("Unknown field '%s' for query type %s. Possible fields: %s"
                          % (name, qtype, ", ".join(x.name for x in fields.values())))
    return f


# --------------------------------------------------------------------------- parser
class _Parser(object):
    def __init__(self, text, fields, qtype):
        self.text = text
        self.pos = 0
        self.fields = fields
        self.qtype = qtype

    def error(self, message):
        raise FilterError("Invalid filter '%s': %s at position %d" % (self.text, message, self.pos + 1))

    def skip_ws(self):
        text = self.text
        while self.pos < len(text) and text[self.pos].isspace():
            self.pos += 1

    def peek(self):
        self.skip_ws()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def parse(self):
        if not self.text.strip():
            self.error("empty expression")
        node = self.expr()
        if self.peek():
            self.error("unexpected '%s'" % self.text[self.pos])
        return node

    def expr(self):
        items = [self.and_expr()]
        while self.peek() == ",":
            self.pos += 1
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else _any(items)

    def and_expr(self):
        items = [self.term()]
        while self.peek() == ";":
            self.pos += 1
            items.append(self.term())
        return items[0] if len(items) == 1 else _all(items)

    def term(self):
        ch = self.peek()
        if ch == "(":
            self.pos += 1
            node = self.expr()
            if self.peek() != ")":
                self.error("missing ')'")
            self.pos += 1
            return node
        if not ch:
            self.error("expression expected")
        return self.comparison()

    def comparison(self):
        m = _FIELD_RE.match(self.text, self.pos)
        if not m:
            self.error("field name expected")
        name = m.group(0)
        self.pos = m.end()
        self.skip_ws()
        op = None
        for candidate in _OPS:
            if self.text.startswith(candidate, self.pos):
                op = candidate
                break
        if op is None:
            self.error("comparison operator (==, !=, <, >, <=, >=) expected after '%s'" % name)
        self.pos += len(op)
        raw = self.value()
        field = lookup_field(self.fields, name, self.qtype)
        return _compare(field, op, field.convert(raw))

    def value(self):
        self.skip_ws()
        text = self.text
        if self.pos < len(text) and text[self.pos] == _QUOTE:
            self.pos += 1
            out = []
            while True:
                if self.pos >= len(text):
                    self.error("unterminated quoted string")
                ch = text[self.pos]
                if ch == _QUOTE:
                    if self.pos + 1 < len(text) and text[self.pos + 1] == _QUOTE:
                        out.append(ch)
                        self.pos += 2
                        continue
                    self.pos += 1
                    return "".join(out)
                out.append(ch)
                self.pos += 1
        start = self.pos
        while self.pos < len(text) and text[self.pos] not in ";,)":
            if text[self.pos] == _QUOTE:
                self.error("unexpected quote in an unquoted value")
            self.pos += 1
        raw = "".join(text[start:self.pos].split())
        if not raw:
            self.error("value expected")
        return raw


# Each predicate carries its place in the expression as ``pred.node`` (("any"|"all", children) or
# ("cmp", field, op, value)), so that index.QueryIndex can answer it from indexes.
def _node(pred, node):
    pred.node = node
    return pred


def _any(items):
    def pred(obj):
        for p in items:
            if p(obj):
                return True
        return False
    return _node(pred, ("any", items))


def _all(items):
    def pred(obj):
        for p in items:
            if not p(obj):
                return False
        return True
    return _node(pred, ("all", items))


def _compare(field, op, value):
    return _node(_comparison(field, op, value), ("cmp", field, op, value))


def _comparison(field, op, value):
    key = field.key
    if op == "==":
        return lambda o: key(o) == value
    if op == "!=":
        return lambda o: key(o) != value

    def ordered(cmp):
        def pred(o):
            k = key(o)
            return k is not None and cmp(k)
        return pred
    if op == ">":
        return ordered(lambda k: k > value)
    if op == "<":
        return ordered(lambda k: k < value)
    if op == ">=":
        return ordered(lambda k: k >= value)
    return ordered(lambda k: k <= value)


def compile_filter(text, qtype):
    """A predicate for the filter text of a query of type ``qtype``; FilterError when malformed."""
    return _Parser(text, FIELDS_BY_TYPE[qtype], qtype).parse()


def sort_key(name, qtype):
    """A sort key function for sortAsc/sortDesc: missing values sort first in ascending order."""
    field = lookup_field(FIELDS_BY_TYPE[qtype], name, qtype)
    key = field.key

    def k(obj):
        v = key(obj)
        return (False, 0) if v is None else (True, v)
    return k
