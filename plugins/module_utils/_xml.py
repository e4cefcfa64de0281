# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""EM XML to plain Python data.

EM answers in XML in the ``http://www.veeam.com/ent/v1.0`` namespace.  The
parser here disables entities (no entity expansion attacks), tolerates a
UTF-8 byte order mark, removes namespaces, and offers helpers that treat a
missing, single or repeated element the same way (xmltodict gives ``None``,
a dict or a list for those).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import traceback

try:
    import xmltodict
except ImportError:  # pragma: no cover - reported at run time by _module.py
    xmltodict = None
    XMLTODICT_IMPORT_ERROR = traceback.format_exc()
else:
    XMLTODICT_IMPORT_ERROR = None

from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError

_BOM = b"\xef\xbb\xbf"
_PREFIXED_ELEMENT = re.compile(br"<[A-Za-z_][\w.\-]*:[A-Za-z_]")
# EM never sends a document type declaration; refusing one here protects
# against entity expansion whatever the xmltodict version (0.14, the last
# release for Python 3.8, does not refuse entities by itself).
_DOCTYPE = b"<!DOCTYPE"


class _AnyNamespaceStripped(dict):
    """xmltodict namespace map that maps every namespace to 'no prefix'."""

    def __missing__(self, key):
        return None


def _drop_xmlns(_path, key, value):
    return None if key.startswith("@xmlns") else (key, value)


def parse(body):
    """Parse an EM answer; returns ``(root element name, root content)``.

    Raises VeeamEmError for an empty or malformed body.
    """
    if isinstance(body, str):
        body = body.encode("utf-8")
    if body.startswith(_BOM):
        body = body[len(_BOM):]
    if not body.strip():
        raise VeeamEmError("Enterprise Manager sent an empty answer where XML was expected")
    if _DOCTYPE in body:
        raise VeeamEmError("Enterprise Manager sent malformed XML (a document type declaration, which is refused)")
    kwargs = {"disable_entities": True}
    if _PREFIXED_ELEMENT.search(body):
        # Slow path, only for documents that use prefixed element names;
        # xmltodict before 1.0 keeps the declarations as @xmlns attributes.
        kwargs.update(process_namespaces=True, namespaces=_AnyNamespaceStripped(), postprocessor=_drop_xmlns)
    try:
        doc = xmltodict.parse(body, **kwargs)
    except Exception as exc:  # expat errors, entity refusals (ValueError)
        raise VeeamEmError("Enterprise Manager sent malformed XML (%s)" % exc)
    if not isinstance(doc, dict) or len(doc) != 1:
        raise VeeamEmError("Enterprise Manager sent XML without a single root element")
    name, content = next(iter(doc.items()))
    if not isinstance(content, dict):
        content = {"#text": content} if content is not None else {}
    for key in [k for k in content if k.startswith("@xmlns")]:
        del content[key]
    return name, content


def as_list(value):
    """None -> [], one item -> [item], list -> list."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def child(node, *path):
    """Walk nested elements; returns None as soon as one is missing."""
    for name in path:
        if not isinstance(node, dict):
            return None
        node = node.get(name)
    return node


def text(node, name):
    """Text of the child element ``name`` (None when missing or empty)."""
    value = node.get(name) if isinstance(node, dict) else None
    if isinstance(value, str):  # the common case first: a plain text element
        return value.strip() or None
    if isinstance(value, dict):
        value = value.get("#text")
    if isinstance(value, list):
        value = value[0] if value else None
        if isinstance(value, dict):
            value = value.get("#text")
    if value is None:
        return None
    value = value.strip()
    return value or None


def links(node):
    """The ``Links/Link`` children as a list of dicts with rel, type, href, name."""
    found = child(node, "Links", "Link")
    if isinstance(found, dict):
        found = [found]
    elif not isinstance(found, list):
        return []
    return [
        {"rel": link.get("@Rel"), "type": link.get("@Type"), "href": link.get("@Href"), "name": link.get("@Name")}
        for link in found if isinstance(link, dict)
    ]


def error_message(body):
    """EM's ``Message`` from an ``<Error>`` answer, or None when there is none."""
    try:
        name, content = parse(body)
    except VeeamEmError:
        return None
    if name != "Error":
        return None
    return content.get("@Message") or text(content, "Message")


def entities(content, item):
    """Items of a query result, a collection or a single entity answer.

    Understands ``QueryResult/Entities/<collection>/<item>`` (format=Entities,
    whatever the collection element is called), ``QueryResult/Refs/Ref`` and
    ``EntityReferences/Ref`` (references) and ``<collection>/<item>``.
    """
    found = None
    groups = content.get("Entities")
    if isinstance(groups, dict):
        found = []
        for group in groups.values():
            for node in as_list(group):
                if isinstance(node, dict):
                    found.extend(as_list(node.get(item)))
    elif "Refs" in content:
        found = child(content, "Refs", "Ref")
    elif "Ref" in content:
        found = content.get("Ref")
    else:
        found = content.get(item)
    return [node for node in as_list(found) if isinstance(node, dict)]


def pages_count(content):
    """``PagesCount`` of the PagingInfo section; None when it is missing or unreadable."""
    info = content.get("PagingInfo")
    count = info.get("@PagesCount") if isinstance(info, dict) else None
    try:
        return int(count) if count is not None else None
    except ValueError:
        return None


def has_next_page(content):
    """Whether the PagingInfo section announces a page after this one.

    Uses the ``PageNum``/``PagesCount`` attributes, or a ``Next`` link when
    the counts are missing.  No PagingInfo means a single page.
    """
    info = content.get("PagingInfo")
    if not isinstance(info, dict):
        return False
    num, count = info.get("@PageNum"), info.get("@PagesCount")
    if num is not None and count is not None:
        try:
            return int(num) < int(count)
        except ValueError:
            raise VeeamEmError("Enterprise Manager sent an unreadable PagingInfo section")
    return any(link["rel"] == "Next" for link in links(info))
