#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: em_repository_info
short_description: List backup repositories and their free space through Veeam Backup Enterprise Manager
version_added: 1.1.0
description:
  - Lists the backup repositories of all backup servers connected to Enterprise Manager, by name (A to Z), with
    their capacity and free space, so that a play or an AWX schedule can warn before tomorrow's backups fail.
  - The name and backup server filters are applied on the server by the EM query service
    (C(GET /api/query?type=Repository)) and checked once more on the client.
  - A size EM does not know (it says C(-1), for example for object storage) is null, never a negative size or a
    0 % that would trip or hide an alert; such a repository never matches O(free_percent_below).
  - Never changes anything.
author:
  - backupops maintainers (@backupops)
extends_documentation_fragment:
  - backupops.veeam_em.connection
  - backupops.veeam_em.attributes
  - backupops.veeam_em.attributes.info_module
  - backupops.veeam_em.links
options:
  name:
    description:
      - Only the repositories of these names, whole names compared case-insensitively as EM does.
      - A string is one name, also when it contains commas; give several names as a list.
      - A name EM has no repository of gives a warning.
    type: raw
  backup_server:
    description:
      - Only the repositories of the backup server of this name.
      - One name; an empty name, a list or a dict fails before any request.
    type: raw
  free_percent_below:
    description:
      - Only the repositories with less free space than this share of their capacity, in percent (V(15) for
        15 %), from 0 to 100. A repository whose size EM does not know is never below it.
    type: float
seealso:
  - module: backupops.veeam_em.em_protection_info
"""

EXAMPLES = r"""
- name: Repositories with less than 15 % free
  backupops.veeam_em.em_repository_info:
    free_percent_below: 15
  register: low

- name: Say which
  ansible.builtin.debug:
    msg: "{{ item.name }} on {{ item.backup_server_name }}: {{ item.free_percent }} % free"
  loop: "{{ low.repositories }}"
  loop_control:
    label: "{{ item.name }}"
"""

RETURN = r"""
repositories:
  description: The repositories, by name (A to Z).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: UUID of the repository.
      type: str
      sample: bffeb9f5-1bdd-4bbd-9299-6fcb7c37bdf6
    uid:
      description: URN of the repository.
      type: str
      sample: urn:veeam:Repository:bffeb9f5-1bdd-4bbd-9299-6fcb7c37bdf6
    name:
      description: Name of the repository.
      type: str
      sample: Backup Volume 01
    href:
      description: URL of the repository.
      type: str
      sample: https://em.example.com:9398/api/repositories/bffeb9f5-1bdd-4bbd-9299-6fcb7c37bdf6
    kind:
      description: Kind of repository as EM names it (V(WindowsLocal), V(LinuxLocal), V(CifsShare), V(Extendable), ...).
      type: str
      sample: WindowsLocal
    capacity_bytes:
      description: Capacity in bytes; null when EM does not know it.
      type: int
      sample: 2199023255552
    free_bytes:
      description: Free space in bytes; null when EM does not know it.
      type: int
      sample: 1803886264320
    used_bytes:
      description: Capacity less free space, in bytes; null when either is unknown.
      type: int
      sample: 395136991232
    free_percent:
      description: Free space in percent of the capacity, one decimal; null when either is unknown.
      type: float
      sample: 82.0
    backup_server_id:
      description: UUID of the backup server of the repository.
      type: str
      sample: ce15a8c7-aa49-495e-b05b-ee3398c91018
    backup_server_name:
      description: Name of the backup server of the repository.
      type: str
      sample: srv02.tech.local
    links:
      description: Related resources as EM lists them.
      returned: when O(include_links=true)
      type: list
      elements: dict
summary:
  description: Counts over RV(repositories).
  returned: always
  type: dict
  contains:
    total:
      description: Number of repositories.
      type: int
      sample: 4
    unknown_capacity:
      description: Repositories whose capacity or free space EM does not know.
      type: int
      sample: 1
    capacity_bytes:
      description: Capacity of the repositories whose size is known, in bytes.
      type: int
      sample: 4398046511104
    free_bytes:
      description: Free space of the repositories whose size is known, in bytes.
      type: int
      sample: 2199023255552
"""

from ansible_collections.backupops.veeam_em.plugins.module_utils import _protection
from ansible_collections.backupops.veeam_em.plugins.module_utils import _sessions
from ansible_collections.backupops.veeam_em.plugins.module_utils._module import build_module, run_module

ARGUMENT_SPEC = dict(
    name=dict(type="raw"),
    backup_server=dict(type="raw"),
    free_percent_below=dict(type="float"),
    **_sessions.LINKS_ARGUMENT_SPEC
)


def run(module, client):
    params = module.params
    below = _protection.percent(params["free_percent_below"], "free_percent_below")
    query = _protection.REPOSITORIES
    question = query.ask(name=params["name"], backup_server=params["backup_server"])
    repositories = question.items(client, links=params["include_links"])
    query.warn_unknown(client, "name", question.value("name"), repositories, "repository")
    if below is not None:
        repositories = [r for r in repositories if _protection.free_below(r, below)]
    return dict(changed=False, repositories=repositories, summary=_protection.repository_summary(repositories))


def main():
    module = build_module(ARGUMENT_SPEC, supports_check_mode=True)
    run_module(module, run)


if __name__ == "__main__":
    main()
