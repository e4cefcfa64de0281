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


def root(xml):
    return _xml.parse(xml)


def uids(nodes):
    return [node.get("UID") for node in nodes]


def test_parse_strips_default_namespace_and_bom():
    body = b"\xef\xbb\xbf<?xml version='1.0' encoding='utf-8'?><LogonSession" + NS.encode() + b" Href='h'><SessionId>x</SessionId></LogonSession>"
    content = _xml.parse(body)
    name = content.tag
    assert name == "LogonSession" and content.tag == "LogonSession"
    assert content.get("Href") == "h" and _xml.text(content, "SessionId") == "x"
    assert [child.tag for child in content] == ["SessionId"]


def test_parse_str_with_bom():
    content = _xml.parse(u"\ufeff<A><B>1</B></A>")
    name = content.tag
    assert name == "A" and _xml.text(content, "B") == "1"


def test_parse_keeps_non_ascii_text():
    body = u'<?xml version="1.0" encoding="utf-8"?><A Name="Düsseldorf"><B>Zürich</B></A>'.encode("utf-8")
    content = root(body)
    assert (content.get("Name"), _xml.text(content, "B")) == (u"Düsseldorf", u"Zürich")


def test_parse_prefixed_namespace_is_stripped():
    body = b'<v:QueryResult xmlns:v="http://www.veeam.com/ent/v1.0"><v:Entities><v:BackupJobSessions>' \
           b'<v:BackupJobSession UID="u1" /></v:BackupJobSessions></v:Entities></v:QueryResult>'
    content = _xml.parse(body)
    name = content.tag
    assert name == "QueryResult"
    assert uids(_xml.entities(content, "BackupJobSession")) == ["u1"]


@pytest.mark.parametrize("body", [
    b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "boom">]><a>&x;</a>',
    b'<?xml version="1.0"?><!DOCTYPE a SYSTEM "file:///etc/passwd"><a/>',
    # UTF-16 hides a declaration from a byte search: refused for its NUL bytes
    u'<?xml version="1.0" encoding="utf-16"?><!DOCTYPE a [<!ENTITY x "boom">]><a>&x;</a>'.encode("utf-16"),
])
def test_parse_refuses_document_type_declarations(body):
    with pytest.raises(VeeamEmError) as err:
        _xml.parse(body)
    assert "malformed XML" in err.value.msg


@pytest.mark.parametrize("body", [b"", b"   ", b"<a><b></a>", b"<QueryResult><Entities>", b"<a>&undefined;</a>"])
def test_parse_empty_truncated_or_malformed(body):
    with pytest.raises(VeeamEmError):
        _xml.parse(body)


def test_text_variants():
    node = root(b'<N><A> x </A><B /><C Attr="1">t</C><D>first</D><D>second</D><F>  </F><G><H>deep</H></G></N>')
    assert [_xml.text(node, k) for k in "ABCDEFG"] == ["x", None, "t", "first", None, None, None]
    assert _xml.text(node, "G/H") == "deep"
    assert _xml.text(None, "A") is None


def test_links_one_many_none():
    one = root(b'<N><Links><Link Rel="Up" Href="h" /></Links></N>')
    assert _xml.links(one) == [{"rel": "Up", "type": None, "href": "h", "name": None}]
    many = root(b'<N><Links><Link Rel="Up" Href="a" Type="T" Name="n" /><Link Rel="Down" Href="b" /></Links></N>')
    assert [link["href"] for link in _xml.links(many)] == ["a", "b"]
    assert _xml.links(root(b"<N><Links /></N>")) == []
    assert _xml.links(root(b"<N />")) == []
    assert _xml.links(root(b"<N><Link Rel='Up' /></N>")) == []  # only Links/Link counts
    assert _xml.links(None) == []


def test_error_message_attribute_and_element():
    assert _xml.error_message(('<Error%s Message="Access denied" StatusCode="403" />' % NS).encode()) == "Access denied"
    assert _xml.error_message(b"<Error><Message>Nope</Message></Error>") == "Nope"
    assert _xml.error_message(b"<html>proxy error</html>") is None
    assert _xml.error_message(b"not xml") is None


def test_entities_shapes():
    one = b'<QueryResult><Entities><BackupJobSessions><BackupJobSession UID="1" /></BackupJobSessions></Entities></QueryResult>'
    many = b'<QueryResult><Entities><BackupJobSessions><BackupJobSession UID="1" /><BackupJobSession UID="2" />' \
           b'</BackupJobSessions><Other><BackupJobSession UID="3" /></Other></Entities></QueryResult>'
    assert uids(_xml.entities(root(one), "BackupJobSession")) == ["1"]
    assert uids(_xml.entities(root(many), "BackupJobSession")) == ["1", "2", "3"]
    assert _xml.entities(root(b"<QueryResult><Entities><BackupJobSessions /></Entities></QueryResult>"), "BackupJobSession") == []
    assert _xml.entities(root(b"<QueryResult><Entities /></QueryResult>"), "BackupJobSession") == []
    assert uids(_xml.entities(root(b'<QueryResult><Refs><Ref UID="1" /></Refs></QueryResult>'), "BackupJobSession")) == ["1"]
    assert uids(_xml.entities(root(b'<EntityReferences><Ref UID="9" /></EntityReferences>'), "BackupJobSession")) == ["9"]
    assert uids(_xml.entities(root(b'<BackupJobSessions><BackupJobSession UID="3" /></BackupJobSessions>'),
                              "BackupJobSession")) == ["3"]
    assert _xml.entities(None, "BackupJobSession") == []


def paging(info):
    return root(("<QueryResult>%s</QueryResult>" % info).encode())


@pytest.mark.parametrize("info, expected", [
    ("", False),
    ('<PagingInfo PageNum="1" PagesCount="3" />', True),
    ('<PagingInfo PageNum="3" PagesCount="3" />', False),
    ('<PagingInfo PageNum="1" PagesCount="0" />', False),
    ('<PagingInfo><Links><Link Rel="Next" Href="x" /></Links></PagingInfo>', True),
    ('<PagingInfo><Links><Link Rel="First" Href="x" /></Links></PagingInfo>', False),
])
def test_has_next_page(info, expected):
    assert _xml.has_next_page(paging(info)) is expected


def test_has_next_page_unreadable():
    with pytest.raises(VeeamEmError):
        _xml.has_next_page(paging('<PagingInfo PageNum="x" PagesCount="2" />'))
    assert _xml.has_next_page(None) is False


@pytest.mark.parametrize("info, expected", [
    ("", None), ('<PagingInfo PageNum="1" PagesCount="3" />', 3), ('<PagingInfo PagesCount="many" />', None)])
def test_pages_count(info, expected):
    assert _xml.pages_count(paging(info)) == expected
    assert _xml.pages_count(None) is None
