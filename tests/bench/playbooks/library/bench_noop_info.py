# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark approach (e): a module that returns a result of em_backup_session_info's size and shape
without talking to Enterprise Manager (test-only, next to the bench playbooks).

(a) - (e) is then what the collection itself costs (its imports, requests, parsing,
normalising), and (e) - (d) what ansible-core costs for a module with such a result (module
process start, the no_log scrub and JSON encoding in the module, decode, ``register`` and the
callbacks in the controller), which no collection can avoid without returning less.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: bench_noop_info
short_description: Benchmark only; a session list of a given length, made up
description: Returns O(count) made-up backup sessions with the 17 keys of em_backup_session_info's default result.
options:
  count:
    description: Number of sessions.
    type: int
    required: true
  result:
    description: Accepted and ignored (templated like (a)'s option).
    type: list
    elements: str
author: backupops maintainers
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.backupops.veeam_em.plugins.module_utils._sessions import RESULTS, SESSION_STATES as STATES


def session(n):
    """Session number n, with values as long as the emulator's."""
    sid = "%08x-%04x-4%03x-8%03x-%012x" % (n * 2654435761 % (1 << 32), n % 65536, n % 4096, (n * 7) % 4096, n)
    job = "%08x-0000-4000-8000-%012x" % (n % 997, n % 997)
    stamp = "2026-%02d-%02dT%02d:%02d:%02dZ" % (1 + n % 12, 1 + n % 28, n % 24, n % 60, (n * 7) % 60)
    result = RESULTS[0 if n % 10 < 8 else 1 if n % 10 == 8 else 2]
    return {
        "id": sid, "uid": "urn:veeam:BackupJobSession:" + sid, "name": "Backup Job %d@%s" % (n % 997, stamp[:19]),
        "href": "https://127.0.0.1:43210/api/backupSessions/" + sid, "job_id": job,
        "job_uid": "urn:veeam:Job:" + job, "job_name": "Backup Job %d" % (n % 997), "job_type": "Backup",
        "backup_server_id": "ce15a8c7-aa49-495e-b05b-ee3398c91018", "backup_server_name": "srv02.tech.local",
        "creation_time": stamp, "end_time": stamp, "state": "Stopped", "result": result, "progress": 100,
        "is_retry": n % 9 == 0,
    }


def main():
    module = AnsibleModule(argument_spec=dict(count=dict(type="int", required=True),
                                              result=dict(type="list", elements="str")),
                           supports_check_mode=True)
    sessions = [session(n) for n in range(module.params["count"])]
    by_result = dict((r, 0) for r in RESULTS)
    for item in sessions:
        by_result[item["result"]] += 1
    by_state = dict((s, 0) for s in STATES)
    by_state["Stopped"] = len(sessions)
    module.exit_json(changed=False, backup_sessions=sessions,
                     summary={"total": len(sessions), "by_result": by_result, "by_state": by_state})


if __name__ == "__main__":
    main()
