# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.backupops.veeam_em.plugins.module_utils import _xml
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError

from ansible_collections.backupops.veeam_em.tests.unit.em_fake import NS


def test_parse_strips_default_namespace_and_bom():
    body = b"\xef\xbb\xbf<?xml version='1.0' encoding='utf-8'?><LogonSession" + NS.encode() + b" Href='h'><SessionId>x</SessionId></LogonSession>"
    name, content = _xml.parse(body)
    assert name == "LogonSession"
    assert content == {"@Href": "h", "SessionId": "x"}


def test_parse_str_with_bom():
    name, content = _xml.parse(u"\ufeff<A><B>1</B></A>")
    assert (name, content) == ("A", {"B": "1"})


def test_parse_prefixed_namespace_is_stripped():
    body = b'<v:QueryResult xmlns:v="http://www.veeam.com/ent/v1.0"><v:Entities><v:BackupJobSessions>' \
           b'<v:BackupJobSession UID="u1" /></v:BackupJobSessions></v:Entities></v:QueryResult>'
    name, content = _xml.parse(body)
    assert name == "QueryResult"
    assert _xml.entities(content, "BackupJobSession") == [{"@UID": "u1"}]


def test_parse_refuses_entities():
    body = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "boom">]><a>&x;</a>'
    with pytest.raises(VeeamEmError) as err:
        _xml.parse(body)
    assert "malformed XML" in err.value.msg


@pytest.mark.parametrize("body", [b"", b"   ", b"<a><b></a>", b"<QueryResult><Entities>"])
def test_parse_empty_or_truncated(body):
    with pytest.raises(VeeamEmError):
        _xml.parse(body)


def test_parse_text_root():
    assert _xml.parse(b"<A>text</A>") == ("A", {"#text": "text"})
    assert _xml.parse(b"<A/>") == ("A", {})


@pytest.mark.parametrize("value, expected", [(None, []), ({"a": 1}, [{"a": 1}]), ([1, 2], [1, 2])])
def test_as_list(value, expected):
    assert _xml.as_list(value) == expected


def test_text_variants():
    node = {"A": " x ", "B": None, "C": {"@Attr": "1", "#text": "t"}, "D": ["first", "second"], "E": [{"#text": "y"}], "F": "  "}
    assert [_xml.text(node, k) for k in "ABCDEFG"] == ["x", None, "t", "first", "y", None, None]
    assert _xml.text(None, "A") is None


def test_links_one_many_none():
    one = {"Links": {"Link": {"@Rel": "Up", "@Href": "h"}}}
    assert _xml.links(one) == [{"rel": "Up", "type": None, "href": "h", "name": None}]
    many = {"Links": {"Link": [{"@Rel": "Up", "@Href": "a", "@Type": "T", "@Name": "n"}, {"@Rel": "Down", "@Href": "b"}]}}
    assert [link["href"] for link in _xml.links(many)] == ["a", "b"]
    assert _xml.links({"Links": None}) == []
    assert _xml.links({}) == []
    assert _xml.links({"Links": {"Link": "text only"}}) == []
    assert _xml.links({"Links": {"Link": [None, "x", {"@Rel": "Up"}]}}) == [
        {"rel": "Up", "type": None, "href": None, "name": None}]
    assert _xml.links(None) == []


def test_error_message_attribute_and_element():
    assert _xml.error_message(('<Error%s Message="Access denied" StatusCode="403" />' % NS).encode()) == "Access denied"
    assert _xml.error_message(b"<Error><Message>Nope</Message></Error>") == "Nope"
    assert _xml.error_message(b"<html>proxy error</html>") is None
    assert _xml.error_message(b"not xml") is None


def test_entities_shapes():
    one = {"Entities": {"BackupJobSessions": {"BackupJobSession": {"@UID": "1"}}}}
    many = {"Entities": {"BackupJobSessions": {"BackupJobSession": [{"@UID": "1"}, {"@UID": "2"}]}}}
    empty = {"Entities": {"BackupJobSessions": None}}
    no_entities = {"Entities": None}
    refs = {"Refs": {"Ref": [{"@UID": "1"}]}}
    entity_refs = {"Ref": {"@UID": "9"}}
    collection = {"BackupJobSession": [{"@UID": "3"}]}
    assert _xml.entities(one, "BackupJobSession") == [{"@UID": "1"}]
    assert len(_xml.entities(many, "BackupJobSession")) == 2
    assert _xml.entities(empty, "BackupJobSession") == []
    assert _xml.entities(no_entities, "BackupJobSession") == []
    assert _xml.entities(refs, "BackupJobSession") == [{"@UID": "1"}]
    assert _xml.entities(entity_refs, "BackupJobSession") == [{"@UID": "9"}]
    assert _xml.entities(collection, "BackupJobSession") == [{"@UID": "3"}]


@pytest.mark.parametrize("info, expected", [
    (None, False),
    ({"@PageNum": "1", "@PagesCount": "3"}, True),
    ({"@PageNum": "3", "@PagesCount": "3"}, False),
    ({"@PageNum": "1", "@PagesCount": "0"}, False),
    ({"Links": {"Link": {"@Rel": "Next", "@Href": "x"}}}, True),
    ({"Links": {"Link": {"@Rel": "First", "@Href": "x"}}}, False),
])
def test_has_next_page(info, expected):
    assert _xml.has_next_page({"PagingInfo": info} if info is not None else {}) is expected


def test_has_next_page_unreadable():
    with pytest.raises(VeeamEmError):
        _xml.has_next_page({"PagingInfo": {"@PageNum": "x", "@PagesCount": "2"}})
