# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hypothesis strategies of the property tests: names, and option values with what each must give.

An option value comes as ``(value, expect)``:

* ``OK``: the module must succeed (rc 0);
* ``BAD``: the module must fail with a message naming the option, before any request;
* ``ANY``: either; a failure must still name the option (or, after requests were
  sent, the value), and no run may end in a traceback.

Integers and booleans are classified with Ansible's own converters, so a string
such as ``" 12 "`` or ``"1e3"`` counts as the number Ansible makes of it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import decimal
import math
import os
import re

from hypothesis import strategies as st
from ansible.module_utils.common.validation import check_type_bool, check_type_int, check_type_list

OK, BAD, ANY = "ok", "bad", "any"
SKIP = object()

# Characters XML 1.0 can carry (no surrogates, no C0/C1 controls but tab and newline, no U+FFFE/U+FFFF).
XML_CHARS = st.characters(exclude_categories=("Cs", "Cc"), include_characters="\n\t", exclude_characters="\ufffe\uffff")
# Every kind of quote, the filter's own syntax, XML's, URL's, whitespace and casefold oddities.
PUNCTUATION = ('"', "'", "\u201c", "\u201d", "\u201e", "\u201f", "\u00ab", "\u00bb", "\u2039", "\u203a", "\u2018",
               "\u2019", "\u201a", "\u300c", "\u300d", ",", ";", "(", ")", "=", "!", "<", ">", "&", "\\", "/", "@",
               "%", "+", "#", "?", "*", " ", "\n", "\t", "\u00a0", "\u00df", "\u0130", "\u03a3", "\u03c2", "\ufb01")
NASTY_NAMES = (
    "Mailserver, weekly", 'SQL "Prod" Backup', "Backup \u201cProd\u201d", "a==b", 'x";JobName=="y', '"', '""',
    "\u201c", "\u201d", "'", ",", ";", "(", ")", "==", 'A, B; C (D) == "E"', "line one\nline two", "tab\there",
    "JobName==x,State==Working", "\\", "\u00df", "\u0130stanbul", "\u03a3\u03af\u03c3\u03c5\u03c6\u03bf\u03c2",
    "\u6771\u4eac \"\u30d0\u30c3\u30af\u30a2\u30c3\u30d7\"", "O'Brien", "<x>&amp;</x>", "]]>", "%22%2C", "+", "a" * 300,
    '"' * 300, "\u201c" * 150 + "\u201d" * 150, "(" * 150 + ")" * 150,
)
# Text Hypothesis makes up: any character XML can carry, with the punctuation above drawn often.
NAME_TEXT = st.text(alphabet=st.one_of(st.sampled_from(PUNCTUATION), XML_CHARS), min_size=1, max_size=300)
# A job or VM name as EM stores it: 1 to 300 characters, no surrounding whitespace (EM trims names).
NAMES = st.one_of(st.sampled_from(NASTY_NAMES), NAME_TEXT).map(lambda text: text.strip())
# Any text an option could be given (also controls; lone surrogates cannot come from a playbook).
ANY_TEXT = st.one_of(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40),
                     st.text(alphabet=st.sampled_from(PUNCTUATION), max_size=10), NAME_TEXT)
WHITESPACE = st.sampled_from(("", " ", "  ", "\t", "\n", "\r\n", " \n", "\t \r\n"))


def tagged(strategy, expect):
    return strategy.map(lambda value: (value, expect))


# -- integers --------------------------------------------------------------------
def ansible_int(value):
    """What ``type='int'`` makes of ``value``: an int, BAD (Ansible refuses it) or SKIP.

    SKIP: ``inf``/``Infinity`` (ansible-core's converter raises OverflowError, tested on its own
    in test_options.py) and numbers with more than 60 digits (too slow to build, nothing new).
    """
    if isinstance(value, str):
        try:
            number = decimal.Decimal(value)
        except (decimal.DecimalException, ValueError):
            number = None
        if number is not None and (number.is_infinite() or (number.is_finite() and number.adjusted() > 60)):
            return SKIP
    try:
        return check_type_int(value)
    except TypeError:
        return BAD


INT_TEXTS = st.sampled_from(("", " ", "1.5", "5.0", "1e3", "0x10", "1_0", "\u0663", "+7", "-0", "10**20", "NaN",
                             "1,000", "12abc", "07", " 7 ", "7\n", "0", "-1", "4294967296", "9" * 25, "1e20", "-1e20"))


def int_values(ok_min, ok_max, above, only=None):
    """(value, expect) of an int option: OK in [ok_min, ok_max] (or only the value ``only``; other valid
    values are not tried), ``above`` (BAD or ANY) above ok_max, BAD below ok_min and what Ansible cannot convert."""
    ints = st.one_of(
        st.integers(min_value=ok_min, max_value=ok_max) if only is None else st.just(only),
        st.integers(max_value=ok_min - 1, min_value=-10 ** 30),
        st.sampled_from((0, -1, 10 ** 12, 10 ** 20, 2 ** 31, 2 ** 63, 2 ** 64, -10 ** 20, 65535, 65536)),
        st.integers(min_value=ok_max + 1, max_value=10 ** 30),
    )
    spelled = ints.flatmap(lambda n: st.sampled_from(("%d" % n, " %d " % n, "%d\n" % n, "+%d" % n, "%d.0" % n)))
    raw = st.one_of(ints, spelled, INT_TEXTS, ANY_TEXT, st.floats(allow_nan=False, allow_infinity=False))

    def classify(value):
        number = ansible_int(value)
        if number is SKIP:
            return None
        if number is BAD or number < ok_min:
            return (value, BAD)
        if number > ok_max:
            return (value, above)
        if only is None or number == only:
            return (value, OK)
        return None  # a valid value this test does not try (another port)
    return raw.map(classify).filter(lambda pair: pair is not None)


LENGTH_TEXTS = st.sampled_from(("30s", "5m", "1h30m", "2h", "1d", "1w", "0s", "90 s", "1h 30m", "5M", "3x", "h",
                                "1.5h", "-5m", "", " ", "10s10s", "24", "1e3", "5.0", "+7", "\u0663s", "PT5M"))
_LENGTH = re.compile(r"^(?:[0-9]+\s*[smhdw]\s*)+$", re.IGNORECASE)
_LENGTH_PART = re.compile(r"([0-9]+)\s*([smhdw])", re.IGNORECASE)
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def length_seconds(value, bare_seconds=True):
    """What the collection's time grammar makes of a length option: seconds, or BAD.

    Written from the documented grammar (90s, 30m, 24h, 7d, 2w, 1h30m; a bare number counts seconds
    for the timing options, and is refused elsewhere), not from the code.
    """
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return BAD
    text = str(value).strip()
    if re.match(r"^[0-9]+$", text):
        return int(text) if bare_seconds else BAD
    if _LENGTH.match(text):
        return sum(int(n) * _UNIT[u.lower()] for n, u in _LENGTH_PART.findall(text))
    return BAD


def length_values(ok_min, ok_max, above, bare_seconds=True):
    """(value, expect) of a length option: OK within [ok_min, ok_max] seconds, ``above`` past it, BAD otherwise."""
    numbers = st.integers(min_value=-10, max_value=10 ** 7)
    spelled = st.integers(min_value=0, max_value=10 ** 4).flatmap(
        lambda n: st.sampled_from(("%d" % n, " %d " % n, "%ds" % n, "%dm" % n, "%dh" % n, "%dd" % n, "%dm%ds" % (n, n))))
    raw = st.one_of(numbers, spelled, LENGTH_TEXTS, ANY_TEXT, st.floats(allow_nan=False, allow_infinity=False))

    def classify(value):
        seconds = length_seconds(value, bare_seconds)
        if seconds is BAD or seconds < ok_min:
            return (value, BAD)
        return (value, above if seconds > ok_max else OK)
    return raw.map(classify)


def percent_values():
    """(value, expect) of a percentage option (float): OK from 0 to 100, BAD otherwise or not a number."""
    raw = st.one_of(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.integers(-1000, 1000),
                    st.sampled_from(("15", "15.5", " 7 ", "", "abc", "1e2", "nan", "-0", True)), ANY_TEXT)

    def classify(value):
        if isinstance(value, bool):
            return (value, ANY)  # Ansible's float converter's view of a bool is its own
        try:
            number = float(str(value).strip()) if isinstance(value, str) else float(value)
        except ValueError:
            return (value, BAD)
        if math.isnan(number):
            return (value, BAD)
        return (value, OK if 0 <= number <= 100 else BAD)
    return raw.map(classify)


# -- booleans and choices ---------------------------------------------------------
BOOL_TEXTS = ("yes", "no", "on", "off", "true", "false", "True", "FALSE", "1", "0", "y", "n", "t", "f", "2", "-1",
              "", " ", "maybe", "tru", "yes ", "None", "null")


def bool_values():
    raw = st.one_of(st.booleans(), st.sampled_from(BOOL_TEXTS), st.sampled_from((0, 1, 2, -1, 0.0, 1.0, 0.5)), ANY_TEXT)

    def classify(value):
        try:
            check_type_bool(value)
        except TypeError:
            return (value, BAD)
        return (value, OK)
    return raw.map(classify)


def choice_values(choices, ok=None):
    """A str option with choices; ``ok`` the choices that must succeed (the others: ANY)."""
    ok = choices if ok is None else ok
    variants = st.sampled_from(choices).flatmap(
        lambda c: st.sampled_from((c.upper(), c.lower(), c.title(), " %s" % c, "%s " % c, c + "\n")))
    raw = st.one_of(st.sampled_from(choices), variants, ANY_TEXT, st.sampled_from((1, 0, True)))

    def classify(value):
        if value in ok:
            return (value, OK)
        if value in choices:
            return (value, ANY)
        return (value, BAD)
    return raw.map(classify)


def list_choice_values(choices, empty_is_none=False):
    """A list option with choices: a list, or a comma separated string, of values.

    ``empty_is_none``: ``""`` and ``[""]`` (an ad-hoc ``fail_on=``) mean an empty list and must work.
    """
    element = st.one_of(st.sampled_from(choices), st.sampled_from(choices).map(str.lower), ANY_TEXT)
    raw = st.one_of(st.lists(st.sampled_from(choices), max_size=4), st.lists(element, max_size=4),
                    st.lists(st.sampled_from(choices), min_size=1, max_size=4).map(",".join), element,
                    st.sampled_from(("", [""], ",", ["", ""])))

    def classify(value):
        try:
            items = check_type_list(value)
        except TypeError:
            return (value, BAD)
        if empty_is_none and items == [""]:
            return (value, OK)
        if all(str(item) in choices for item in items):
            return (value, OK)
        return (value, BAD)
    return raw.map(classify)


# -- names -------------------------------------------------------------------------
def name_values(allow_list=True, unknown=OK, known=()):
    """A job or VM name option: any text (one name, commas and all) or a list of names.

    A name must work (``unknown``: what a name no job or VM has must give); the names ``known``
    (in any case) always must.  An empty name or list, and a list or a dict for one name, must be refused.
    """
    text = st.one_of(st.sampled_from(NASTY_NAMES), ANY_TEXT)
    if known:
        text = st.one_of(text, st.sampled_from(sorted(known)).flatmap(
            lambda name: st.sampled_from((name, name.upper(), name.lower()))))
    if allow_list:
        raw = st.one_of(text, st.lists(text, min_size=0, max_size=3))
    else:  # one name: a list or a dict is refused
        raw = st.one_of(text, st.lists(text, min_size=0, max_size=2), st.dictionaries(text, text, max_size=1))
    folded = set(name.casefold() for name in known)

    def classify(value):
        if isinstance(value, dict) or (isinstance(value, list) and not allow_list):
            return (value, BAD)
        names = value if isinstance(value, list) else [value]
        if not names or any(not name.strip() for name in names):
            return (value, BAD)  # an empty list or name: refused, never read as "all"
        if all(name.casefold() in folded for name in names):
            return (value, OK)
        return (value, unknown)
    return raw.map(classify)


def single_name_values(known):
    """A one-name option (backup_server): any text works, ``known`` names too; empty, a list or a dict: refused."""
    text = st.one_of(ANY_TEXT, st.sampled_from(known))
    raw = st.one_of(text, st.lists(text, max_size=2), st.dictionaries(text, text, max_size=1))

    def classify(value):
        if isinstance(value, (list, dict)) or not value.strip():
            return (value, BAD)
        return (value, OK)
    return raw.map(classify)


# -- times -------------------------------------------------------------------------
_RELATIVE = re.compile(r"^\s*\d+\s*[mhdw]\s*$", re.IGNORECASE)
_ISO = re.compile(r"^\s*\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$", re.IGNORECASE)
# Relative times that stay after the year 1900 (2026 - 120 years); more is ANY.
_RELATIVE_OK = {"m": 120 * 365 * 24 * 60, "h": 120 * 365 * 24, "d": 120 * 365, "w": 120 * 52}
TIME_DEFECTS = ("9999999d", "9999-12-31T23:30:00-01:00", "0001-01-01T00:30:00+01:00", "99999999999999999999d",
                "9999999999w", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0999-01-01T00:00:00Z")


def _iso_text(moment, data):
    sep, seconds, fraction, zone = data
    text = "%04d-%02d-%02d" % (moment.year, moment.month, moment.day)
    if seconds is not None:
        text += sep + "%02d:%02d" % (moment.hour, moment.minute)
        if seconds:
            text += ":%02d" % moment.second
            if fraction:
                text += "." + ("%06d" % moment.microsecond)[:fraction]
    return text + zone


ISO_PARTS = st.tuples(st.sampled_from(("T", " ", "t")), st.sampled_from((None, False, True)), st.integers(0, 6),
                      st.sampled_from(("", "Z", "z", "+00:00", "-01:00", "+0530", "+14:00", "-12:00", " Z")))


def _zone_offset(zone):
    zone = zone.strip()
    if zone in ("", "Z", "z"):
        return datetime.timedelta(0)
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    return sign * datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))


def time_values():
    """created_after / created_before: ISO 8601 or relative (``30m``, ``24h``, ``7d``, ``2w``)."""
    iso = st.tuples(st.datetimes(min_value=datetime.datetime(1, 1, 2), max_value=datetime.datetime(9999, 12, 30)),
                    ISO_PARTS)
    relative = st.tuples(st.integers(min_value=0, max_value=10 ** 22), st.sampled_from("mhdwMHDW"), WHITESPACE,
                         st.sampled_from(("", " ")))
    invalid_dates = st.sampled_from(("2026-02-30", "2026-13-01", "2026-01-01T25:00", "2026-01-01T23:60",
                                     "2026-01-32T00:00:00Z", "2026-00-10", "0000-01-01", "2026-01-01T00:00:00+25:00"))
    raw = st.one_of(
        iso.map(lambda pair: ("iso", pair)),
        relative.map(lambda parts: ("relative", parts)),
        st.sampled_from(TIME_DEFECTS).map(lambda text: ("defect", text)),
        invalid_dates.map(lambda text: ("invalid", text)),
        ANY_TEXT.map(lambda text: ("text", text)),
    )

    def classify(item):
        kind, data = item
        if kind == "iso":
            moment, parts = data
            text = _iso_text(moment, parts)
            try:
                year = (moment - _zone_offset(parts[3])).year
            except OverflowError:
                return (text, ANY)
            return (text, OK if 1900 <= year <= 2200 else ANY)
        if kind == "relative":
            number, unit, space, inner = data
            text = "%s%d%s%s%s" % (space, number, inner, unit, space)
            return (text, OK if number <= _RELATIVE_OK[unit.lower()] else ANY)
        if kind == "defect":
            return (data, ANY)
        if kind == "invalid":
            return (data, BAD)
        if not data.strip():
            return (data, ANY)  # empty: may count as not given
        if _RELATIVE.match(data) or _ISO.match(data):
            return (data, ANY)
        return (data, BAD)
    return raw.map(classify)


# -- ids ---------------------------------------------------------------------------
def id_forms(uuid, kind, collection):
    """Every spelling of an id the modules take: UUID, URN and Href (of the emulator's 127.0.0.1), any case,
    surrounding whitespace."""
    return st.tuples(
        st.sampled_from((uuid, uuid.upper(), "urn:veeam:%s:%s" % (kind, uuid), "URN:VEEAM:%s:%s" % (kind.upper(), uuid),
                         "HTTPS://127.0.0.1/api/%s/%s" % (collection, uuid),
                         "http://127.0.0.1/api/%s/%s?format=Entity" % (collection, uuid.upper()))),
        WHITESPACE, WHITESPACE).map(lambda parts: parts[1] + parts[0] + parts[2])


# values that would change the path of a request if they were put into it: refused before any request
HOSTILE_IDS = ("../x", "a?b", "a/b", "%2e%2e", "", "not-a-uuid", "{uuid}x", "{uuid}/../x", "{uuid}?action=stop",
               "../backupSessions/{uuid}?action=stop", "{uuid}%2f..")


def other_em_hrefs(uuid, collection):
    """The Href of an item on another Enterprise Manager than the emulator (127.0.0.1, its port): refused."""
    return st.sampled_from(("https://em.example.com:9398/api/%s/%s" % (collection, uuid),
                            "http://127.0.0.1:1/api/%s/%s" % (collection, uuid),
                            "https://127.0.0.1.evil.example/api/%s/%s" % (collection, uuid),
                            "https://localhost/api/%s/%s?format=Entity" % (collection, uuid)))


UNKNOWN_UUID = "0badc0de-0000-4000-8000-000000000000"
_UUID_IN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def id_values(known, kind, collection, unknown_expect, other_kind):
    """An id option: a known id in any form (OK), an unknown UUID (``unknown_expect``),
    the URN of another kind, and text (BAD unless it holds a UUID: then ANY)."""
    raw = st.one_of(
        st.sampled_from(known).flatmap(lambda uuid: id_forms(uuid, kind, collection)).map(lambda v: (v, OK)),
        id_forms(UNKNOWN_UUID, kind, collection).map(lambda v: (v, unknown_expect)),
        st.sampled_from(known).map(lambda uuid: ("urn:veeam:%s:%s" % (other_kind, uuid), BAD)),
        st.sampled_from(known).flatmap(lambda uuid: other_em_hrefs(uuid, collection)).map(lambda v: (v, BAD)),
        st.tuples(st.sampled_from(HOSTILE_IDS), st.sampled_from(known)).map(
            lambda pair: (pair[0].format(uuid=pair[1]), BAD)),
        st.sampled_from(("", " ", "\n")).map(lambda v: (v, ANY)),  # empty: may count as not given
        ANY_TEXT.map(lambda v: (v, ANY if _UUID_IN.search(v) or not v.strip() else BAD)),
        st.sampled_from(("12345", "urn:veeam:%s:" % kind, "../backupSessions", "%s?x" % UNKNOWN_UUID[:-1],
                         UNKNOWN_UUID[:-1], UNKNOWN_UUID + "0")).map(lambda v: (v, BAD)),
    )
    return raw


# -- connection --------------------------------------------------------------------
def server_values(port):
    """Only loopback forms, and forms that must be refused before any connection."""
    good = st.sampled_from(("127.0.0.1", "localhost", " 127.0.0.1 ", "127.0.0.1\n", "LOCALHOST"))
    with_port = st.sampled_from(("127.0.0.1:%d" % port, "localhost:%d" % port, "[::1]", "::1", "[::1]:%d" % port,
                                 "[::1]:x", "127.0.0.1:x", "127.0.0.1:", "localhost:0", "127.0.0.1:99999",
                                 "127.0.0.1:%d " % port, "[127.0.0.1]", "127.0.0.1:-1", "127.0.0.1:%d0" % port))
    inner = st.text(alphabet=st.characters(exclude_categories=("Cs", "Zs", "Zl", "Zp", "Cc")), min_size=1, max_size=12)
    separated = st.tuples(inner, st.sampled_from((" ", "/", " / ", "\t", "\n")), inner).map("".join)
    refused = st.one_of(
        st.sampled_from(("", " ", "\n", "\t", "a b", "127.0.0.1/api", "http://127.0.0.1", "https://localhost:%d/api" % port,
                         "127.0.0.1 9398", "localhost/", "//127.0.0.1", "127.0.0.1\n127.0.0.1")),
        separated)
    return st.one_of(tagged(good, OK), tagged(with_port, ANY), tagged(refused, BAD))


def path_values(existing_file):
    """ca_path: an existing file or directory (unused over HTTP: OK), a missing path (BAD), other text."""
    def classify(value):
        if not value.strip():
            return (value, ANY)
        return (value, OK if os.path.exists(os.path.expandvars(os.path.expanduser(value))) else BAD)
    raw = st.one_of(st.sampled_from((existing_file, os.path.dirname(existing_file), "/nonexistent/ca.pem",
                                     "~/no-such-ca.pem", "$NO_SUCH_VARIABLE/ca.pem", "", " ")), ANY_TEXT)
    return raw.map(classify)


def metrics_file_values(directory):
    """metrics_file: a .prom file in an existing directory (OK), another suffix, a directory or a missing one (BAD),
    empty (no metrics: OK); any other text as a file name in ``directory`` (written there or refused, naming it)."""
    known = st.sampled_from(((os.path.join(directory, "veeam_em.prom"), OK), ("", OK),
                             (os.path.join(directory, "veeam_em.txt"), BAD), (directory, BAD),
                             (os.path.join(directory, ".prom"), BAD), ("/nonexistent/veeam_em.prom", BAD),
                             ("veeam_em.prom.tmp", BAD)))
    other = st.tuples(ANY_TEXT, st.sampled_from(("", ".prom"))).map(
        lambda parts: (os.path.join(directory, parts[0].replace("/", "_") + parts[1]), ANY))
    return st.one_of(known, other)


SECRET_MARK = "SECRET-"


def password_values():
    known = st.sampled_from(("Emulator-Admin-1!", "emulator-admin-1!", "", " ", "Emulator-Admin-1! "))
    marked = st.tuples(ANY_TEXT, WHITESPACE).map(lambda parts: "PW-" + SECRET_MARK + parts[0] + parts[1])

    def classify(value):
        return (value, OK if value == "Emulator-Admin-1!" else ANY)
    return st.one_of(known, marked, ANY_TEXT).map(classify)


def user_values():
    known = st.sampled_from(("Administrator", "administrator", "EMULATOR\\Administrator", "Administrator@emulator",
                             "ADMINISTRATOR"))
    other = st.one_of(ANY_TEXT, st.sampled_from(("", " ", "RestoreOperator", "Administrator ", "a:b", "\u00e4dmin")))
    return st.one_of(tagged(known, OK), tagged(other, ANY))


def token_values(real_token):
    """A real token with surrounding whitespace (OK); made-up tokens (ANY: rejected, naming session_token)."""
    real = st.tuples(WHITESPACE, WHITESPACE).map(lambda ws: (ws[0] + real_token + ws[1], OK))
    fake = st.tuples(WHITESPACE, ANY_TEXT, WHITESPACE).map(
        lambda parts: (parts[0] + "TK-" + SECRET_MARK + parts[1] + parts[2], ANY))
    other = st.one_of(ANY_TEXT, st.sampled_from(("", " ", "\n", real_token[:-2], "T\u00f6ken", "T\u6771ken",
                                                 "a\nb", "a\rb", "a\x00b"))).map(lambda v: (v, ANY))
    return st.one_of(real, fake, other)
