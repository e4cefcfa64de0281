#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: em_backup_session_info
short_description: List Veeam backup job sessions through Enterprise Manager
version_added: 1.0.0
description:
  - Lists backup job sessions of all backup servers connected to Veeam Backup Enterprise Manager.
  - All filters are applied on the server by the EM query service (C(GET /api/query?type=BackupJobSession)),
    in pages of 1000 sessions; the module never sends one request per session.
  - Never changes anything.
author:
  - backupops maintainers (@backupops)
extends_documentation_fragment:
  - backupops.veeam_em.connection
  - backupops.veeam_em.attributes
  - backupops.veeam_em.session_filters
  - backupops.veeam_em.attributes.info_module
  - backupops.veeam_em.links
options:
  id:
    description:
      - One session, as a bare UUID, as C(urn:veeam:BackupJobSession:<UUID>) or as its Href URL on O(server).
      - An Href of another Enterprise Manager is refused, before any request.
      - An unknown id gives an empty list.
      - Mutually exclusive with the filters and with O(latest_per_job).
    type: str
  job_name:
    description:
      - Only sessions of these jobs, by whole name, compared case-insensitively as EM does; spaces, quotes,
        commas and unicode are fine.
      - A string is one name, also when it contains commas (V(Mailserver, weekly)); give several names as a list.
      - A name of which EM has no session at all gives a warning (a typo, or several names written as one string).
    type: raw
  state:
    description: Only sessions in these states.
    type: list
    elements: str
    choices: [Starting, Stopping, Working, Pausing, Resuming, Stopped]
  result:
    description: Only sessions with these results (V(None) while a session runs).
    type: list
    elements: str
    choices: [Success, Warning, Failed, None]
  created_after:
    description:
      - Only sessions created at or after this time.
      - ISO 8601 (V(2026-01-31T22:00:00Z); without a zone, UTC) or relative to now (V(30m), V(24h), V(7d), V(2w)).
    type: str
  created_before:
    description: Only sessions created at or before this time; same formats as O(created_after).
    type: str
  ended_after:
    description:
      - Only sessions that ended at or after this time; same formats as O(created_after).
      - A session that is still running has not ended and is left out (select it with O(state)).
      - With O(created_before) it finds the sessions that started before a time window and ended in it.
    type: str
    version_added: 1.0.0
  backup_server:
    description:
      - Only sessions of the backup server with this name.
      - One name; an empty name, a list or a dict fails before any request.
    type: raw
  is_retry:
    description: Only retries (V(true)) or only first runs (V(false)).
    type: bool
  latest_per_job:
    description:
      - Only the newest matching session of each job.
      - Reads newest first and stops as soon as every job of O(job_name) (or O(limit) jobs) has been seen;
        without either it reads all matching sessions once.
    type: bool
    default: false
  sort:
    description: Order of the result, by creation time.
    type: str
    choices: [newest_first, oldest_first]
    default: newest_first
  limit:
    description: At most this many sessions (the first ones in O(sort) order).
    type: int
  include_task_sessions:
    description:
      - Add the task sessions (one per VM or object) of each session under RV(backup_sessions[].task_sessions).
      - Asks in as few requests as return the same rows, never one request per session. With up to 40 sessions,
        one BackupTaskSession query with an OR filter on their UIDs. With more, page 1 of one query on the time
        range the sessions' task sessions lie in (from the first creation to the last end) is asked for; when
        that range holds no more pages than the 40-UID chunks would take, its pages are read and joined to the
        sessions here, otherwise the chunks are asked for.
    type: bool
    default: false
  task_session_result:
    description:
      - With O(include_task_sessions=true), only the task sessions with one of these results (for example
        V(Warning) and V(Failed) for a failure report, which means far fewer rows to fetch and return).
      - Filtered by Enterprise Manager and checked again here.
    type: list
    elements: str
    choices: [Success, Warning, Failed, None]
seealso:
  - module: backupops.veeam_em.em_backup_task_session_info
  - module: backupops.veeam_em.em_logon_session
"""

EXAMPLES = r"""
- name: Failed and warning sessions of the last 24 hours
  backupops.veeam_em.em_backup_session_info:
    server: em.example.com
    user: "{{ em_user }}"
    password: "{{ em_password }}"
    result: [Failed, Warning]
    created_after: 24h
  register: last_night

- name: Latest session of two jobs, with their task sessions (connection from VEEAM_EM_* variables)
  backupops.veeam_em.em_backup_session_info:
    job_name:
      - Fileserver Backup
      - SQL "Prod" Backup
    latest_per_job: true
    include_task_sessions: true

- name: One session by its URN, with the links to its job, backup server and restore points
  backupops.veeam_em.em_backup_session_info:
    id: urn:veeam:BackupJobSession:d46e39e0-1131-4585-91a7-e828ce7eafae
    include_links: true
"""

RETURN = r"""
backup_sessions:
  description: The sessions, in O(sort) order.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Session UUID.
      type: str
      sample: d46e39e0-1131-4585-91a7-e828ce7eafae
    uid:
      description: Session URN.
      type: str
      sample: urn:veeam:BackupJobSession:d46e39e0-1131-4585-91a7-e828ce7eafae
    name:
      description: Session name, C(<job name>@<start time>).
      type: str
      sample: Fileserver Backup@2014-10-19 05:22:52
    href:
      description: URL of the session (usable as O(id)).
      type: str
      sample: https://em.example.com:9398/api/backupSessions/d46e39e0-1131-4585-91a7-e828ce7eafae
    job_id:
      description: UUID of the job.
      type: str
      sample: 4856ab37-2235-45e8-affe-d515878b01a9
    job_uid:
      description: URN of the job.
      type: str
      sample: urn:veeam:Job:4856ab37-2235-45e8-affe-d515878b01a9
    job_name:
      description: Name of the job.
      type: str
      sample: Fileserver Backup
    job_type:
      description: Type of the job (null when EM sends only a reference).
      type: str
      sample: Backup
    backup_server_id:
      description: UUID of the backup server that ran the session.
      type: str
      sample: ce15a8c7-aa49-495e-b05b-ee3398c91018
    backup_server_name:
      description: Name of that backup server.
      type: str
      sample: srv02.tech.local
    creation_time:
      description: Start time, ISO 8601 UTC.
      type: str
      sample: "2014-10-19T05:22:52Z"
    end_time:
      description: End time, ISO 8601 UTC; null while the session runs.
      type: str
      sample: "2014-10-19T05:40:48Z"
    state:
      description: V(Starting), V(Stopping), V(Working), V(Pausing), V(Resuming) or V(Stopped).
      type: str
      sample: Stopped
    result:
      description: V(Success), V(Warning), V(Failed), or V(None) while running.
      type: str
      sample: Success
    progress:
      description: Progress in percent.
      type: int
      sample: 100
    is_retry:
      description: Whether the session is a retry.
      type: bool
      sample: false
    links:
      description: Related resources as EM lists them.
      returned: when O(include_links=true)
      type: list
      elements: dict
      contains:
        rel:
          description: Relationship (V(Up), V(Down), V(Alternate), V(Stop), V(Related)).
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
    task_sessions:
      description:
        - Task sessions of the session, oldest first (keys as RV(ignore:backup_task_sessions) of
          M(backupops.veeam_em.em_backup_task_session_info)).
      returned: when O(include_task_sessions=true)
      type: list
      elements: dict
      sample:
        - id: 88767486-89d6-4340-92f0-2ad615a8f21b
          uid: urn:veeam:BackupTaskSession:88767486-89d6-4340-92f0-2ad615a8f21b
          name: srv04@2014-10-19 05:23:44
          href: https://em.example.com:9398/api/backupTaskSessions/88767486-89d6-4340-92f0-2ad615a8f21b
          vm_name: srv04
          job_session_id: d46e39e0-1131-4585-91a7-e828ce7eafae
          job_session_uid: urn:veeam:BackupJobSession:d46e39e0-1131-4585-91a7-e828ce7eafae
          job_name: Fileserver Backup
          creation_time: "2014-10-19T05:23:44Z"
          end_time: "2014-10-19T05:40:39Z"
          state: Completed
          result: Success
          reason: null
          total_size: 64424509440
summary:
  description: Counts over RV(backup_sessions); every known result and state is present, also when zero.
  returned: always
  type: dict
  contains:
    total:
      description: Number of sessions.
      type: int
      sample: 3
    by_result:
      description: Sessions per result.
      type: dict
      sample: {"Success": 1, "Warning": 0, "Failed": 1, "None": 1}
    by_state:
      description: Sessions per state.
      type: dict
      sample: {"Starting": 0, "Stopping": 0, "Working": 1, "Pausing": 0, "Resuming": 0, "Stopped": 2}
"""

from ansible_collections.backupops.veeam_em.plugins.module_utils import _sessions
from ansible_collections.backupops.veeam_em.plugins.module_utils._module import build_module, run_module

FILTERS = ("job_name", "job_type", "state", "result", "created_after", "created_before", "ended_after", "backup_server",
           "is_retry")

ARGUMENT_SPEC = dict(
    id=dict(type="str"),
    job_name=dict(type="raw"),
    job_type=dict(type="list", elements="str", choices=list(_sessions.JOB_TYPES)),
    state=dict(type="list", elements="str", choices=list(_sessions.SESSION_STATES)),
    result=dict(type="list", elements="str", choices=list(_sessions.RESULTS)),
    created_after=dict(type="str"),
    created_before=dict(type="str"),
    ended_after=dict(type="str"),
    backup_server=dict(type="raw"),
    is_retry=dict(type="bool"),
    latest_per_job=dict(type="bool", default=False),
    sort=dict(type="str", default="newest_first", choices=list(_sessions.SORT_CHOICES)),
    limit=dict(type="int"),
    include_task_sessions=dict(type="bool", default=False),
    task_session_result=dict(type="list", elements="str", choices=list(_sessions.RESULTS)),
    **_sessions.LINKS_ARGUMENT_SPEC
)


def run(module, client):
    sessions = _sessions.find_job_sessions(client, module.params)
    return dict(changed=False, backup_sessions=sessions, summary=_sessions.summary(sessions, _sessions.SESSION_STATES))


def main():
    module = build_module(
        ARGUMENT_SPEC,
        supports_check_mode=True,
        mutually_exclusive=[("id", name) for name in FILTERS + ("latest_per_job",)],
    )
    run_module(module, run)


if __name__ == "__main__":
    main()
