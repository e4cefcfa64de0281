#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: em_backup_task_session_info
short_description: List Veeam backup task sessions (one per VM) through Enterprise Manager
version_added: 1.0.0
description:
  - Lists backup task sessions, the per-VM (or per-object) part of a backup job session, for example to see
    which VMs failed and why.
  - All filters are applied on the server by the EM query service (C(GET /api/query?type=BackupTaskSession)),
    in pages of 1000 task sessions.
  - Never changes anything.
author:
  - backupops maintainers (@backupops)
extends_documentation_fragment:
  - backupops.veeam_em.connection
  - backupops.veeam_em.attributes
  - backupops.veeam_em.attributes.info_module
  - backupops.veeam_em.links
options:
  id:
    description:
      - One task session, as a bare UUID, as C(urn:veeam:BackupTaskSession:<UUID>) or as its Href URL on O(server).
      - An Href of another Enterprise Manager is refused, before any request.
      - An unknown id gives an empty list. Mutually exclusive with the filters.
    type: str
  job_session_id:
    description:
      - Only the task sessions of this backup job session (UUID, C(urn:veeam:BackupJobSession:<UUID>) or Href URL on O(server)),
        for example RV(backupops.veeam_em.em_backup_session_info#module:backup_sessions[].id); the key of that
        name in each returned task session.
      - Its old name O(session_id) still works; it is deprecated and will be removed in 2.0.0.
    type: str
    aliases: [session_id]
  job_name:
    description:
      - Only task sessions of these jobs, by whole name, compared case-insensitively as EM does.
      - A string is one name, also when it contains commas; give several names as a list.
      - A name of which EM has no task session at all gives a warning.
    type: raw
  vm_name:
    description:
      - Only task sessions of these VMs (or objects), by whole display name, compared case-insensitively.
      - A string is one name, also when it contains commas; give several names as a list.
      - A name of which EM has no task session at all gives a warning.
    type: raw
  state:
    description: Only task sessions in these states.
    type: list
    elements: str
    choices: [InProgress, Pending, Completed]
  result:
    description: Only task sessions with these results.
    type: list
    elements: str
    choices: [Success, Warning, Failed, None]
  created_after:
    description:
      - Only task sessions created at or after this time.
      - ISO 8601 (V(2026-01-31T22:00:00Z); without a zone, UTC) or relative to now (V(30m), V(24h), V(7d), V(2w)).
    type: str
  created_before:
    description: Only task sessions created at or before this time; same formats as O(created_after).
    type: str
  sort:
    description: Order of the result, by creation time.
    type: str
    choices: [newest_first, oldest_first]
    default: newest_first
  limit:
    description: At most this many task sessions (the first ones in O(sort) order).
    type: int
seealso:
  - module: backupops.veeam_em.em_backup_session_info
"""

EXAMPLES = r"""
- name: VMs that failed in the last 7 days, and why
  backupops.veeam_em.em_backup_task_session_info:
    result: [Failed]
    created_after: 7d
  register: failed_vms

- name: Show them
  ansible.builtin.debug:
    msg: "{{ item.vm_name }} ({{ item.job_name }}): {{ item.reason }}"
  loop: "{{ failed_vms.backup_task_sessions }}"
  loop_control:
    label: "{{ item.vm_name }}"

- name: Task sessions of one job session
  backupops.veeam_em.em_backup_task_session_info:
    job_session_id: d46e39e0-1131-4585-91a7-e828ce7eafae
    sort: oldest_first
"""

RETURN = r"""
backup_task_sessions:
  description: The task sessions, in O(sort) order.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Task session UUID.
      type: str
      sample: 88767486-89d6-4340-92f0-2ad615a8f21b
    uid:
      description: Task session URN.
      type: str
      sample: urn:veeam:BackupTaskSession:88767486-89d6-4340-92f0-2ad615a8f21b
    name:
      description: Task session name, C(<VM name>@<start time>).
      type: str
      sample: srv04@2014-10-19 05:23:44
    href:
      description: URL of the task session (usable as O(id)).
      type: str
      sample: https://em.example.com:9398/api/backupTaskSessions/88767486-89d6-4340-92f0-2ad615a8f21b
    vm_name:
      description: Display name of the VM or object.
      type: str
      sample: srv04
    job_session_id:
      description: UUID of the backup job session the task belongs to.
      type: str
      sample: d46e39e0-1131-4585-91a7-e828ce7eafae
    job_session_uid:
      description: URN of that backup job session.
      type: str
      sample: urn:veeam:BackupJobSession:d46e39e0-1131-4585-91a7-e828ce7eafae
    job_name:
      description: Name of the job.
      type: str
      sample: Fileserver Backup
    creation_time:
      description: Start time, ISO 8601 UTC.
      type: str
      sample: "2014-10-19T05:23:44Z"
    end_time:
      description: End time, ISO 8601 UTC; null while the task runs.
      type: str
      sample: "2014-10-19T05:40:39Z"
    state:
      description: V(InProgress), V(Pending) or V(Completed).
      type: str
      sample: Completed
    result:
      description: V(Success), V(Warning), V(Failed), or V(None) while running.
      type: str
      sample: Success
    reason:
      description: Why the task ended with a warning or failed; null otherwise.
      type: str
      sample: null
    total_size:
      description: Size in bytes of the restore points the task produced.
      type: int
      sample: 64424509440
    links:
      description: Related resources as EM lists them.
      returned: when O(include_links=true)
      type: list
      elements: dict
      contains:
        rel:
          description: Relationship (V(Up), V(Alternate), V(Related)).
          type: str
        type:
          description: Resource type; null when EM gives none.
          type: str
        href:
          description: URL of the resource.
          type: str
        name:
          description: Name of the resource; null when EM gives none.
          type: str
summary:
  description: Counts over RV(backup_task_sessions); every known result and state is present, also when zero.
  returned: always
  type: dict
  contains:
    total:
      description: Number of task sessions.
      type: int
      sample: 2
    by_result:
      description: Task sessions per result.
      type: dict
      sample: {"Success": 1, "Warning": 0, "Failed": 1, "None": 0}
    by_state:
      description: Task sessions per state.
      type: dict
      sample: {"InProgress": 0, "Pending": 0, "Completed": 2}
"""

from ansible_collections.backupops.veeam_em.plugins.module_utils import _query
from ansible_collections.backupops.veeam_em.plugins.module_utils import _sessions
from ansible_collections.backupops.veeam_em.plugins.module_utils._module import build_module, run_module

FILTERS = ("job_session_id", "job_name", "vm_name", "state", "result", "created_after", "created_before")

ARGUMENT_SPEC = dict(
    id=dict(type="str"),
    job_session_id=dict(type="str", aliases=["session_id"],
                        deprecated_aliases=[dict(name="session_id", version="2.0.0", collection_name="backupops.veeam_em")]),
    job_name=dict(type="raw"),
    vm_name=dict(type="raw"),
    state=dict(type="list", elements="str", choices=list(_sessions.TASK_STATES)),
    result=dict(type="list", elements="str", choices=list(_sessions.RESULTS)),
    created_after=dict(type="str"),
    created_before=dict(type="str"),
    sort=dict(type="str", default="newest_first", choices=list(_sessions.SORT_CHOICES)),
    limit=dict(type="int"),
    **_sessions.LINKS_ARGUMENT_SPEC
)


def run(module, client):
    params = module.params
    _query.check_limit(params["limit"])
    if params["id"] is not None:  # an empty id is a bad id, not "no id"
        tasks = _sessions.by_id(client, _sessions.TASK_SESSION, params)
    else:
        question = _sessions.TASK_SESSIONS.ask(**dict((name, params[name]) for name in FILTERS))
        tasks = question.items(client, newest_first=params["sort"] == "newest_first", limit=params["limit"],
                               links=params["include_links"])
        for option, what in (("job_name", "task session of a job"), ("vm_name", "task session of a VM")):
            _sessions.TASK_SESSIONS.warn_unknown(client, option, question.value(option), tasks, what)
    return dict(changed=False, backup_task_sessions=tasks, summary=_sessions.summary(tasks, _sessions.TASK_STATES))


def main():
    module = build_module(
        ARGUMENT_SPEC,
        supports_check_mode=True,
        mutually_exclusive=[("id", name) for name in FILTERS],
    )
    run_module(module, run)


if __name__ == "__main__":
    main()
