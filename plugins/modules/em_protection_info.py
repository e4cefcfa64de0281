#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: em_protection_info
short_description: Is every VM recoverable from a restore point younger than its RPO? (Veeam Enterprise Manager)
version_added: 1.1.0
description:
  - The RPO view of the VMs that backup jobs include. One item per VM with its newest restore point and its age,
    and a status, V(protected) (a point younger than O(rpo)), V(breached) (only older points) or V(unprotected)
    (no point at all); for a VM that is not protected, the result and reason of its last task session (why).
  - What the jobs include (C(GET /api/query?type=ObjectInJob)) is joined with the VM restore points
    (C(type=VmRestorePoint)) on EM's reference of the VM (C(HierarchyObjRef)); on names only where EM gives no
    reference. A container that a job includes (a folder, a host, a tag) is listed under RV(containers) with what
    is known of it, never dropped and never counted as a VM. A VM with restore points that no backup job includes
    any more is not listed.
  - Reads only what the RPO needs, not every point - the points of the RPO window in one query, then only the
    newest point of the VMs not seen in it.
  - Never fails because VMs breach their RPO (an info module); gate on RV(summary) in the play (see EXAMPLES), or
    use the protection part of the role P(backupops.veeam_em.backup_session_report#role).
  - Never changes anything.
author:
  - backupops maintainers (@backupops)
extends_documentation_fragment:
  - backupops.veeam_em.connection
  - backupops.veeam_em.attributes
  - backupops.veeam_em.attributes.info_module
options:
  rpo:
    description:
      - The recovery point objective, a length such as V(24h), V(36h), V(7d) or V(1h30m); a bare number is
        refused (hours or seconds?).
    type: str
    default: 24h
  vm_name:
    description:
      - Only the VMs of these names, whole names compared case-insensitively as EM does.
      - A string is one name, also when it contains commas; give several names as a list.
    type: raw
  job_name:
    description: Only the VMs of the backup jobs of these names (a string is one name; several as a list).
    type: raw
  backup_server:
    description:
      - Only the VMs of the backup jobs of the backup server of this name.
      - One name; an empty name, a list or a dict fails before any request.
    type: raw
seealso:
  - module: backupops.veeam_em.em_vm_restore_point_info
  - module: backupops.veeam_em.em_repository_info
"""

EXAMPLES = r"""
- name: Every VM's protection against an RPO of 24 hours
  backupops.veeam_em.em_protection_info:
    rpo: 24h
  register: protection

- name: The VMs that are not protected, and why
  ansible.builtin.debug:
    msg: "{{ item.vm_name }}: {{ item.status }} ({{ item.last_result }}: {{ item.last_reason }})"
  loop: "{{ protection.vms | rejectattr('status', 'eq', 'protected') }}"
  loop_control:
    label: "{{ item.vm_name }}"

- name: Before a change, the VMs of one job against an RPO of 36 hours
  backupops.veeam_em.em_protection_info:
    job_name: Fileserver Backup
    rpo: 36h
  register: fileserver

- name: Stop the play unless every one of them is protected
  ansible.builtin.assert:
    that: fileserver.summary.protected == fileserver.summary.total
    fail_msg: >-
      Not protected: {{ fileserver.vms | rejectattr('status', 'eq', 'protected')
      | map(attribute='vm_name') | join(', ') }}
"""

RETURN = r"""
vms:
  description: One item per VM that a backup job includes, by VM name.
  returned: always
  type: list
  elements: dict
  contains:
    vm_name:
      description: Name of the VM.
      type: str
      sample: fin-db01
    vm_ref:
      description: EM's reference of the VM (C(HierarchyObjRef)); null when EM gives none.
      type: str
      sample: urn:VMware:Vm:7f6b6270-1f3b-4dc6-872f-2d1dfc519c00.vm-1004
    backup_server_name:
      description: Name of the backup server of the jobs that include it.
      type: str
      sample: srv02.tech.local
    job_names:
      description: The backup jobs that include the VM.
      type: list
      elements: str
      sample: [Finance Backup]
    status:
      description: V(protected), V(breached) or V(unprotected).
      type: str
      sample: breached
    latest_restore_point_time:
      description: Creation time of the VM's newest restore point, ISO 8601 UTC; null when it has none.
      type: str
      sample: "2026-12-01T21:14:03Z"
    latest_restore_point_id:
      description: UUID of that VM restore point; null when it has none.
      type: str
      sample: 6c958531-3177-4055-b0ce-dc4ef1ce6433
    age_seconds:
      description: Age of that point in seconds; null when it has none.
      type: int
      sample: 432000
    last_result:
      description: Result of the VM's last task session when the VM is not protected (why); null otherwise.
      type: str
      sample: Failed
    last_reason:
      description: EM's reason for that result; null when there is none or the VM is protected.
      type: str
      sample: "Error: No space left on device"
containers:
  description: What the jobs include that is not a VM (a folder, a host, a tag), with what is known of it.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Name of the container.
      type: str
      sample: Finance Archive
    object_type:
      description: Type of the object as EM's reference names it (V(Folder), V(Host), ...).
      type: str
      sample: Folder
    vm_ref:
      description: EM's reference of the container (C(HierarchyObjRef)).
      type: str
      sample: urn:VMware:Folder:7f6b6270-1f3b-4dc6-872f-2d1dfc519c00.group-v301
    job_names:
      description: The job that includes it.
      type: list
      elements: str
      sample: [Finance Backup]
    backup_server_name:
      description: Name of the backup server of that job.
      type: str
      sample: srv02.tech.local
summary:
  description: Counts over RV(vms).
  returned: always
  type: dict
  contains:
    total:
      description: Number of VMs.
      type: int
      sample: 44
    protected:
      description: VMs with a restore point younger than the RPO.
      type: int
      sample: 41
    breached:
      description: VMs whose newest restore point is older than the RPO.
      type: int
      sample: 2
    unprotected:
      description: VMs without any restore point.
      type: int
      sample: 1
    rpo_seconds:
      description: The RPO in seconds.
      type: int
      sample: 86400
"""

from ansible_collections.backupops.veeam_em.plugins.module_utils import _protection
from ansible_collections.backupops.veeam_em.plugins.module_utils import _verify
from ansible_collections.backupops.veeam_em.plugins.module_utils._module import build_module, run_module

ARGUMENT_SPEC = dict(
    rpo=dict(type="str", default="24h"),
    vm_name=dict(type="raw"),
    job_name=dict(type="raw"),
    backup_server=dict(type="raw"),
)


def run(module, client):
    params = module.params
    rpo = _protection.rpo_seconds(params["rpo"])
    result = _protection.protection(client, rpo, vm_names=_verify.names(params["vm_name"], "vm_name"),
                                    job_names=_verify.names(params["job_name"], "job_name"),
                                    backup_server=params["backup_server"])
    return dict(changed=False, **result)


def main():
    module = build_module(ARGUMENT_SPEC, supports_check_mode=True)
    run_module(module, run)


if __name__ == "__main__":
    main()
