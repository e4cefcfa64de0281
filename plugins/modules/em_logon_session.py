#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: em_logon_session
short_description: Log on to Veeam Backup Enterprise Manager once, for many tasks
version_added: 1.0.0
description:
  - With O(state=present), logs on (C(POST /api/sessionMngr/?v=...)) and returns the session token, which the
    other modules of the collection take as O(session_token) (best through C(module_defaults)), so a play makes
    one logon instead of one per task.
  - With O(state=absent), logs the session of O(session_token) off (C(DELETE /api/logonSessions/{ID})).
    Put it in an C(always) section so the logon session is deleted also when a task fails.
  - EM deletes logon sessions that are idle for 15 minutes.
author:
  - backupops maintainers (@backupops)
extends_documentation_fragment:
  - backupops.veeam_em.connection
  - backupops.veeam_em.attributes
attributes:
  check_mode:
    description:
      - O(state=present) does not log on and returns an empty RV(session_token); later tasks of the play then log on
        by themselves (an empty O(session_token) counts as none).
      - O(state=absent) checks that the session exists and sends no C(DELETE).
    support: full
  diff_mode:
    description: Nothing to report.
    support: none
options:
  state:
    description:
      - V(present) always creates a new logon session (C(changed=true)) with O(user) and O(password);
        a O(session_token) given to it is ignored.
      - V(absent) deletes the logon session of O(session_token), which is required. A token that is unknown,
        expired or already logged off gives C(changed=false), not an error.
    type: str
    choices: [present, absent]
    default: present
  logon_session_id:
    description:
      - With O(state=absent), the id of the logon session to delete (RV(logon_session_id) of O(state=present)),
        as a UUID, as C(urn:veeam:LogonSession:<UUID>) or as its Href on O(server). Any other value fails before a
        request.
      - When omitted, the module asks EM for the logon sessions of the token (C(GET /api/logonSessions)) and deletes the
        only one; it fails if EM lists several.
    type: str
notes:
  - >-
    The token is returned in clear so that it can be registered. Ansible prints it with C(-v); add C(no_log: true)
    to the task if your output is kept. The module never puts it in a message.
seealso:
  - module: backupops.veeam_em.em_backup_session_info
"""

EXAMPLES = r"""
# Log on once, hand the token to every task, log off in `always:` (also when a task fails).
# user and password come from VEEAM_EM_USER / VEEAM_EM_PASSWORD; a play can set session_token
# for all tasks at once with module_defaults and group/backupops.veeam_em.em (see the README).
- name: Work with one logon session
  block:
    - name: Log on
      backupops.veeam_em.em_logon_session:
        server: em.example.com
      register: em_logon
      no_log: true

    - name: Failed sessions of the last day
      backupops.veeam_em.em_backup_session_info:
        server: em.example.com
        session_token: "{{ em_logon.session_token }}"
        result: [Failed]
        created_after: 24h
      register: failed_sessions

    - name: Failed VMs of the last day
      backupops.veeam_em.em_backup_task_session_info:
        server: em.example.com
        session_token: "{{ em_logon.session_token }}"
        result: [Failed]
        created_after: 24h
      register: failed_vms
  always:
    - name: Log off
      backupops.veeam_em.em_logon_session:
        server: em.example.com
        state: absent
        session_token: "{{ em_logon.session_token }}"
        logon_session_id: "{{ em_logon.logon_session_id }}"
      when: em_logon.session_token | default('') | length > 0
"""

RETURN = r"""
session_token:
  description:
    - Token of the new logon session (the C(X-RestSvcSessionId) header); pass it as O(session_token).
    - Empty in check mode.
  returned: state is present
  type: str
  sample: OsU6RL7OGkGKrPBGxKxURw==
logon_session_id:
  description: Id of the logon session (needed to delete it).
  returned: success
  type: str
  sample: 15a3fc97-0325-4119-b789-5c0367c6c565
logon_session_href:
  description: URL of the logon session.
  returned: state is present
  type: str
  sample: https://em.example.com:9398/api/logonSessions/15a3fc97-0325-4119-b789-5c0367c6c565
user_name:
  description: Account EM logged on, as EM writes it.
  returned: state is present
  type: str
  sample: EM01\\Administrator
api_version:
  description: REST API version asked for at logon.
  returned: state is present
  type: str
  sample: latest
"""

from ansible_collections.backupops.veeam_em.plugins.module_utils import _query
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError
from ansible_collections.backupops.veeam_em.plugins.module_utils._module import build_module, run_module

ARGUMENT_SPEC = dict(
    state=dict(type="str", default="present", choices=["present", "absent"]),
    logon_session_id=dict(type="str"),
)


def log_on(module, client):
    result = dict(changed=True, session_token="", logon_session_id=None, logon_session_href=None, user_name=None,
                  api_version=client.options.api_version)
    if module.check_mode:
        return result
    client.logon()
    client.keep_logon_session()
    result.update(session_token=client.token, logon_session_id=client.logon_session_id,
                  logon_session_href=client.logon_session_href, user_name=client.user_name)
    return result


def own_logon_session_id(client):
    """The id of the token's logon session (None: token unknown or expired)."""
    ids = client.logon_session_ids()
    if ids is None:
        return None
    if len(ids) > 1:
        raise VeeamEmError("Enterprise Manager lists %d logon sessions for this token; pass logon_session_id "
                           "(returned by state=present) to say which one to delete" % len(ids))
    return ids[0] if ids else None


def log_off(module, client):
    if not client.options.session_token:
        raise VeeamEmError("state=absent needs session_token: the token returned by state=present")
    given = module.params["logon_session_id"]
    if given is not None:  # an empty id is a bad id, not "no id"; checked before any request
        given = _query.parse_id(given, "LogonSession", "logon_session_id")
    logon_session_id = given or own_logon_session_id(client)
    if logon_session_id is None:
        return dict(changed=False, logon_session_id=None)
    if module.check_mode:
        exists = given is None or client.logon_session_exists(logon_session_id)
        return dict(changed=exists, logon_session_id=logon_session_id)
    return dict(changed=client.delete_logon_session(logon_session_id), logon_session_id=logon_session_id)


def run(module, client):
    if module.params["state"] == "present":
        return log_on(module, client)
    return log_off(module, client)


def main():
    module = build_module(ARGUMENT_SPEC, supports_check_mode=True)
    run_module(module, run)


if __name__ == "__main__":
    main()
