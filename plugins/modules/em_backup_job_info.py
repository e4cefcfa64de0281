#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: em_backup_job_info
short_description: List Veeam backup jobs, with their latest session, through Enterprise Manager
version_added: 1.0.0
description:
  - Lists the jobs of all backup servers connected to Veeam Backup Enterprise Manager, by name (A to Z).
  - All filters are applied on the server by the EM query service (C(GET /api/query?type=Job)), and every job
    returned is checked against them once more on the client (one that does not match is left out with a warning).
  - With O(include_latest_session), the newest session of each job takes one BackupJobSession query per 40 jobs,
    not one request per job.
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
      - Only the jobs of these names, whole names compared case-insensitively as EM does; spaces, quotes,
        commas and unicode are fine.
      - A string is one name, also when it contains commas (V(Mailserver, weekly)); give several names as a list.
      - A name EM has no job of gives a warning (a typo, or several names written as one string).
    type: raw
  job_type:
    description: Only jobs of these types (the types EM gives a job, not those of its sessions).
    type: list
    elements: str
    choices: [Backup, BackupCopy, ImmediateBackupCopy, Replica]
  backup_server:
    description:
      - Only jobs of the backup server with this name.
      - One name; an empty name, a list or a dict fails before any request.
    type: raw
  schedule_enabled:
    description: Only jobs whose schedule is on (V(true)) or off (V(false)).
    type: bool
  include_latest_session:
    description:
      - Add the newest session of each job under RV(jobs[].latest_session) (null for a job that never ran).
    type: bool
    default: false
seealso:
  - module: backupops.veeam_em.em_backup_job
  - module: backupops.veeam_em.em_backup_session_info
"""

EXAMPLES = r"""
- name: Every job whose schedule is on, with its latest session
  backupops.veeam_em.em_backup_job_info:
    schedule_enabled: true
    include_latest_session: true
  register: jobs

- name: The jobs whose latest session failed
  ansible.builtin.debug:
    msg: "{{ jobs.jobs | selectattr('latest_session') | map(attribute='latest_session')
             | selectattr('result', 'eq', 'Failed') | map(attribute='job_name') | list }}"

- name: Two jobs by name (a list; a single string is one name, commas included)
  backupops.veeam_em.em_backup_job_info:
    name:
      - Fileserver Backup
      - SQL Backup
"""

RETURN = r"""
jobs:
  description: The jobs, by name (A to Z).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Job UUID (usable as O(backupops.veeam_em.em_backup_job#module:id)).
      type: str
      sample: 4856ab37-2235-45e8-affe-d515878b01a9
    uid:
      description: Job URN.
      type: str
      sample: urn:veeam:Job:4856ab37-2235-45e8-affe-d515878b01a9
    name:
      description: Job name.
      type: str
      sample: Fileserver Backup
    href:
      description: URL of the job.
      type: str
      sample: https://em.example.com:9398/api/jobs/4856ab37-2235-45e8-affe-d515878b01a9
    job_type:
      description: V(Backup), V(BackupCopy), V(ImmediateBackupCopy) or V(Replica) (or another type EM reports).
      type: str
      sample: Backup
    platform:
      description: Platform of the job (V(VMware), V(Hyperv), V(vCloud), ...).
      type: str
      sample: VMware
    description:
      description: Description of the job.
      type: str
      sample: Created by TECH\\Administrator
    schedule_configured:
      description: Whether the job has scheduling options.
      type: bool
      sample: true
    schedule_enabled:
      description: Whether the job's schedule is on.
      type: bool
      sample: true
    next_run:
      description: Next scheduled run, ISO 8601 UTC; null when EM gives none.
      type: str
      sample: "2026-01-11T22:00:00Z"
    backup_server_id:
      description: UUID of the backup server of the job.
      type: str
      sample: ce15a8c7-aa49-495e-b05b-ee3398c91018
    backup_server_name:
      description: Name of that backup server.
      type: str
      sample: srv02.tech.local
    links:
      description: Related resources as EM lists them.
      returned: when O(include_links=true)
      type: list
      elements: dict
      contains:
        rel:
          description: Relationship (V(Up), V(Down), V(Alternate), V(Start), V(Stop), V(Retry), ...).
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
    latest_session:
      description:
        - The newest session of the job (any state); null when the job never ran.
        - Same keys as RV(backupops.veeam_em.em_backup_session_info#module:backup_sessions) (C(links) with
          O(include_links=true)).
      returned: when O(include_latest_session=true)
      type: dict
      sample:
        id: d46e39e0-1131-4585-91a7-e828ce7eafae
        uid: urn:veeam:BackupJobSession:d46e39e0-1131-4585-91a7-e828ce7eafae
        name: Fileserver Backup@2026-01-10 05:22:52
        href: https://em.example.com:9398/api/backupSessions/d46e39e0-1131-4585-91a7-e828ce7eafae
        job_id: 4856ab37-2235-45e8-affe-d515878b01a9
        job_uid: urn:veeam:Job:4856ab37-2235-45e8-affe-d515878b01a9
        job_name: Fileserver Backup
        job_type: Backup
        backup_server_id: ce15a8c7-aa49-495e-b05b-ee3398c91018
        backup_server_name: srv02.tech.local
        creation_time: "2026-01-10T05:22:52Z"
        end_time: "2026-01-10T05:40:48Z"
        state: Stopped
        result: Failed
        progress: 100
        is_retry: false
summary:
  description: Counts over RV(jobs); every known job type (and result) is present, also when zero.
  returned: always
  type: dict
  contains:
    total:
      description: Number of jobs.
      type: int
      sample: 3
    by_job_type:
      description: Jobs per type.
      type: dict
      sample: {"Backup": 2, "BackupCopy": 1, "ImmediateBackupCopy": 0, "Replica": 0}
    schedule_enabled:
      description: Jobs whose schedule is on.
      type: int
      sample: 2
    schedule_disabled:
      description: Jobs whose schedule is off (or unknown).
      type: int
      sample: 1
    by_latest_result:
      description: Jobs per result of their latest session (V(None) while it runs).
      returned: when O(include_latest_session=true)
      type: dict
      sample: {"Success": 1, "Warning": 0, "Failed": 1, "None": 0}
    never_run:
      description: Jobs without any session.
      returned: when O(include_latest_session=true)
      type: int
      sample: 1
"""

from ansible_collections.backupops.veeam_em.plugins.module_utils import _jobs
from ansible_collections.backupops.veeam_em.plugins.module_utils import _sessions
from ansible_collections.backupops.veeam_em.plugins.module_utils import _verify
from ansible_collections.backupops.veeam_em.plugins.module_utils._module import build_module, run_module

ARGUMENT_SPEC = dict(
    name=dict(type="raw"),
    job_type=dict(type="list", elements="str", choices=list(_sessions.JOB_ENTITY_TYPES)),
    backup_server=dict(type="raw"),
    schedule_enabled=dict(type="bool"),
    include_latest_session=dict(type="bool", default=False),
    **_sessions.LINKS_ARGUMENT_SPEC
)


def warn_unknown_names(client, params, names, jobs):
    """Warn about requested names that no job returned has and that EM has no job of at all."""
    only_names = not (params["job_type"] or params["backup_server"] or params["schedule_enabled"] is not None)
    for name in _verify.missing_names(names, [job["name"] for job in jobs]):
        if only_names or not _jobs.job_name_exists(client, name):
            client.warnings.append("name %r: Enterprise Manager has no job of that name at all; check the spelling "
                                   "(%s)" % (name, _verify.NAMES_HINT))


def run(module, client):
    params = module.params
    question = _jobs.JOBS.ask(**dict((name, params[name]) for name in _jobs.JOBS.options))
    jobs = _jobs.query_jobs(client, question, params["include_links"])
    warn_unknown_names(client, params, question.value("name"), jobs)
    if params["include_latest_session"] and jobs:
        _jobs.attach_latest_sessions(client, jobs, params["include_links"])
    return dict(changed=False, jobs=jobs, summary=_jobs.summary(jobs, params["include_latest_session"]))


def main():
    module = build_module(ARGUMENT_SPEC, supports_check_mode=True)
    run_module(module, run)


if __name__ == "__main__":
    main()
