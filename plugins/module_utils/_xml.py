# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""EM XML to ElementTree elements, and helpers to read them.

EM answers in XML in the ``http://www.veeam.com/ent/v1.0`` namespace.
:func:`parse` uses the standard library's ElementTree, whose C parser builds
the tree without a Python call per element (half the CPU time of a
callback-based parser on a 1,000-session query page), drops namespaces from
element names (so ``node.find("Links/Link")`` works whatever prefix EM
uses), tolerates a UTF-8 byte order mark, and refuses what EM never sends:
a document type declaration (the only way to declare entities, so no entity
expansion attack reaches the parser) and NUL bytes (UTF-16/32 documents, in
which the declaration check could not see a declaration).  The helpers treat
a missing element or a missing node (None) as "nothing there".
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from xml.etree import ElementTree

from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError

_BOM = b"\xef\xbb\xbf"
_DOCTYPE = b"<!DOCTYPE"


def parse(body):
    """Parse an EM answer; returns its root element (``root.tag`` is its name), names without namespaces.

    Raises VeeamEmError for an empty, malformed or refused body.
    """
    if isinstance(body, str):
        body = body.encode("utf-8")
    if body.startswith(_BOM):
        body = body[len(_BOM):]
    if not body.strip():
        raise VeeamEmError("Enterprise Manager sent an empty answer where XML was expected")
    if _DOCTYPE in body or b"\x00" in body:
        raise VeeamEmError("Enterprise Manager sent malformed XML (a document type declaration or a NUL byte, "
                           "which are refused)")
    try:
        root = ElementTree.fromstring(body)
    except (ElementTree.ParseError, ValueError) as exc:
        raise VeeamEmError("Enterprise Manager sent malformed XML (%s)" % exc)
    for element in root.iter():
        tag = element.tag
        if tag[:1] == "{":
            element.tag = tag.rpartition("}")[2]
    return root


def text(node, path):
    """Stripped text of the element at ``path`` below ``node`` (None when missing or empty)."""
    value = node.findtext(path) if node is not None else None
    if value is None:
        return None
    return value.strip() or None


def links(node):
    """The ``Links/Link`` children as a list of dicts with rel, type, href, name."""
    if node is None:
        return []
    return [
        {"rel": link.get("Rel"), "type": link.get("Type"), "href": link.get("Href"), "name": link.get("Name")}
        for link in node.iterfind("Links/Link")
    ]


def error_message(body):
    """EM's ``Message`` from an ``<Error>`` answer, or None when there is none."""
    try:
        root = parse(body)
    except VeeamEmError:
        return None
    if root.tag != "Error":
        return None
    return root.get("Message") or text(root, "Message")


def entities(root, item):
    """Items of a query result, a collection or a single entity answer.

    Understands ``QueryResult/Entities/<collection>/<item>`` (format=Entities,
    whatever the collection element is called), ``QueryResult/Resources/<collection>/<item>``
    (what an EM 9.5 answers to ``type=ObjectInJob`` whatever format asks: ``<sInObjectJob>``),
    ``QueryResult/Refs/Ref`` and ``EntityReferences/Ref`` (references) and ``<collection>/<item>``.
    """
    if root is None:
        return []
    if root.find("Entities") is not None:
        return root.findall("Entities/*/" + item)
    if root.find("Resources") is not None:
        return root.findall("Resources/*/" + item)
    if root.find("Refs") is not None:
        return root.findall("Refs/Ref")
    return root.findall("Ref") or root.findall(item)


def pages_count(root):
    """``PagesCount`` of the PagingInfo section; None when it is missing or unreadable."""
    info = root.find("PagingInfo") if root is not None else None
    count = info.get("PagesCount") if info is not None else None
    try:
        return int(count) if count is not None else None
    except ValueError:
        return None


def has_next_page(root):
    """Whether the PagingInfo section announces a page after this one.

    Uses the ``PageNum``/``PagesCount`` attributes, or a ``Next`` link when
    the counts are missing.  No PagingInfo means a single page.
    """
    info = root.find("PagingInfo") if root is not None else None
    if info is None:
        return False
    num, count = info.get("PageNum"), info.get("PagesCount")
    if num is not None and count is not None:
        try:
            return int(num) < int(count)
        except ValueError:
            raise VeeamEmError("Enterprise Manager sent an unreadable PagingInfo section")
    return any(link["rel"] == "Next" for link in links(info))
