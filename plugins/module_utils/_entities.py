# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reading EM entities: identity, links, booleans, integers and times, and one entity by its path.

Shared by every kind of entity (sessions, task sessions, jobs, ...); each kind's own fields are
read in its home (``_sessions``, ``_jobs``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.backupops.veeam_em.plugins.module_utils import _query
from ansible_collections.backupops.veeam_em.plugins.module_utils import _times
from ansible_collections.backupops.veeam_em.plugins.module_utils import _xml
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError


def plain_href(href):
    """Href without its query string (``?format=Entity``)."""
    return href.split("?", 1)[0] if href else None


def time(node, *names):
    """First present time element, as ISO 8601 UTC with ``Z``; None when unset.

    EM writes a not-yet-ended time as an empty element or a placeholder
    date before 1970; both become None.
    """
    for name in names:
        value = _xml.text(node, name)
        if value:
            return time_value(value, name)
    return None


def time_value(value, name):
    """One non-empty time text normalised (see ``time``): parsed, then formatted."""
    try:
        stamp = _times.iso(value, name)
    except VeeamEmError:  # an unreadable time is reported as EM sent it
        return value
    if stamp.year < 1971:
        return None
    return _times.text(stamp)


def integer(value):
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def boolean(value):
    if value is None:
        return None
    return value.strip().lower() == "true"


def links_by_type(links, rel):
    """``{type: link}``: the first link of each type with relation ``rel``."""
    found = {}
    for link in links:
        if link["rel"] == rel and link["type"] not in found:
            found[link["type"]] = link
    return found


def before_at(name):
    """``Fileserver Backup@2014-10-19 05:22:52`` -> ``Fileserver Backup``."""
    return name.rsplit("@", 1)[0] if name and "@" in name else None


def identity(node):
    """id, uid, name and href of an entity or reference (id from the UID, else the Href)."""
    uid = node.get("UID")
    href = plain_href(node.get("Href"))
    return {"id": _query.last_segment(uid) or _query.last_segment(href), "uid": uid, "name": node.get("Name"),
            "href": href}


def with_links(entry, found_links, links):
    """``entry`` with the entity's links under ``links`` when the caller asks for them (include_links)."""
    if links:
        entry["links"] = found_links
    return entry


def backup_server(links):
    """The backup server an entity belongs to (its Up link), as (id, name); (None, None) when EM gives none."""
    server = links_by_type(links, "Up").get("BackupServerReference") or {}
    return _query.last_segment(server.get("href")), server.get("name")


def get(client, path, item):
    """GET ``path?format=Entity``: the ``item`` element, or None when EM does not know it."""
    doc = client.get(path, [("format", "Entity")], not_found_ok=True)
    if doc is None:
        return None
    nodes = _xml.entities(doc, item) if doc.tag != item else [doc]
    return nodes[0] if nodes else None
