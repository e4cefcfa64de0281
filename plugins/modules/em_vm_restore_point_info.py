#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: em_vm_restore_point_info
short_description: List the restore points of VMs through Veeam Backup Enterprise Manager
version_added: 1.1.0
description:
  - Lists VM restore points (the points a VM can be restored from), newest first.
  - All filters are applied on the server by the EM query service (C(GET /api/query?type=VmRestorePoint)), and every
    point returned is checked against them once more on the client (one that does not match is left out with a
    warning).
  - With O(latest), only the newest point of each VM; with O(vm_name) it stops reading as soon as every named VM
    has been seen.
  - Never changes anything.
author:
  - backupops maintainers (@backupops)
extends_documentation_fragment:
  - backupops.veeam_em.connection
  - backupops.veeam_em.attributes
  - backupops.veeam_em.attributes.info_module
  - backupops.veeam_em.links
options:
  vm_name:
    description:
      - Only the points of the VMs of these names, whole names compared case-insensitively as EM does.
      - A string is one name, also when it contains commas; give several names as a list.
      - A name EM has no restore point of gives a warning (a typo, or several names written as one string).
    type: raw
  backup_server:
    description:
      - Only points made by the backup server of this name.
      - One name; an empty name, a list or a dict fails before any request.
    type: raw
  created_after:
    description:
      - Only points created at or after this time, ISO 8601 (V(2026-01-31T22:00:00Z)) or a length counted back
        from now (V(30m), V(24h), V(7d), V(1h30m)); a bare number is refused (hours or seconds?).
    type: str
  created_before:
    description: Only points created at or before this time (same forms as O(created_after)).
    type: str
  latest:
    description: Only the newest point of each VM.
    type: bool
    default: false
  limit:
    description: At most this many points (from 1).
    type: int
seealso:
  - module: backupops.veeam_em.em_protection_info
"""

EXAMPLES = r"""
- name: The restore points of one VM made in the last week
  backupops.veeam_em.em_vm_restore_point_info:
    vm_name: fs01
    created_after: 7d
  register: points

- name: The newest restore point of each of two VMs
  backupops.veeam_em.em_vm_restore_point_info:
    vm_name: [srv04, srv05]
    latest: true
  register: newest

- name: When each was made
  ansible.builtin.debug:
    msg: "{{ newest.vm_restore_points | items2dict(key_name='vm_name', value_name='creation_time') }}"
"""

RETURN = r"""
vm_restore_points:
  description: The VM restore points, newest first.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: UUID of the VM restore point.
      type: str
      sample: 6c958531-3177-4055-b0ce-dc4ef1ce6433
    uid:
      description: URN of the VM restore point.
      type: str
      sample: urn:veeam:VmRestorePoint:6c958531-3177-4055-b0ce-dc4ef1ce6433
    name:
      description: Name of the point as EM writes it (the VM and the time).
      type: str
      sample: fileserver01@2026-12-05 22:14:03
    href:
      description: URL of the point.
      type: str
      sample: https://em.example.com:9398/api/vmRestorePoints/6c958531-3177-4055-b0ce-dc4ef1ce6433
    vm_name:
      description: Name of the VM.
      type: str
      sample: fileserver01
    vm_ref:
      description: EM's reference of the VM (C(HierarchyObjRef)); null when EM gives none.
      type: str
      sample: urn:VMware:Vm:7f6b6270-1f3b-4dc6-872f-2d1dfc519c00.vm-1004
    creation_time:
      description: When the point was created, ISO 8601 UTC.
      type: str
      sample: "2026-12-05T22:14:03Z"
    type:
      description: V(Full), V(Increment) or V(ReverseIncrement).
      type: str
      sample: Increment
    algorithm:
      description: V(Full), V(Incremental), V(ReversedIncremental) or V(SyntheticFull).
      type: str
      sample: Incremental
    restore_point_id:
      description: UUID of the restore point (of the whole job run) the VM's point belongs to.
      type: str
      sample: 0c2e2bd6-1f5e-4a43-a0c4-2a5a5c37b5b4
    backup_server_id:
      description: UUID of the backup server that made the point.
      type: str
      sample: ce15a8c7-aa49-495e-b05b-ee3398c91018
    backup_server_name:
      description: Name of the backup server that made the point.
      type: str
      sample: srv02.tech.local
    links:
      description: Related resources as EM lists them.
      returned: when O(include_links=true)
      type: list
      elements: dict
summary:
  description: Counts over RV(vm_restore_points).
  returned: always
  type: dict
  contains:
    total:
      description: Number of points.
      type: int
      sample: 2
    vms:
      description: Number of VMs they belong to.
      type: int
      sample: 2
"""

from ansible_collections.backupops.veeam_em.plugins.module_utils import _protection
from ansible_collections.backupops.veeam_em.plugins.module_utils import _query
from ansible_collections.backupops.veeam_em.plugins.module_utils import _sessions
from ansible_collections.backupops.veeam_em.plugins.module_utils._module import build_module, run_module

ARGUMENT_SPEC = dict(
    vm_name=dict(type="raw"),
    backup_server=dict(type="raw"),
    created_after=dict(type="str"),
    created_before=dict(type="str"),
    latest=dict(type="bool", default=False),
    limit=dict(type="int"),
    **_sessions.LINKS_ARGUMENT_SPEC
)


def run(module, client):
    params = module.params
    _query.check_limit(params["limit"])
    query = _protection.VM_RESTORE_POINTS
    question = query.ask(**dict((name, params[name]) for name in query.options))
    if params["latest"]:
        points = question.latest(client, _protection.vm_key, names="vm_name", limit=params["limit"],
                                 links=params["include_links"])
    else:
        points = question.items(client, limit=params["limit"], links=params["include_links"])
    query.warn_unknown(client, "vm_name", question.value("vm_name"), points, "restore point of a VM")
    vms = set(_protection.vm_key(point) for point in points)
    return dict(changed=False, vm_restore_points=points, summary={"total": len(points), "vms": len(vms)})


def main():
    module = build_module(ARGUMENT_SPEC, supports_check_mode=True)
    run_module(module, run)


if __name__ == "__main__":
    main()
