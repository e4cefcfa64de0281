# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An independent view of the emulator's data for the role and playbook tests.

The role tests compare what the roles wrote with what Enterprise Manager
holds.  This module asks the emulator's REST API directly with requests and
xmltodict (logon, query service, logoff), without the collection's client,
so a bug in the modules cannot hide itself in the expected values.  Its own
test checks that it leaves no logon session behind.
"""

from __future__ import absolute_import, division, print_function

import datetime

import requests
import xmltodict

from ansible_collections.backupops.veeam_em.plugins.module_utils._sessions import ACTIVE_STATES, OUTCOMES

NS = {"http://www.veeam.com/ent/v1.0": None}


def parse_time(text):
    return datetime.datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class EmApi(object):
    """Minimal, separate EM client: ``with EmApi(emulator) as api: api.sessions(...)``."""

    def __init__(self, emulator, user=None, password=None):
        self.root = emulator.root
        self.http = requests.Session()
        self.http.trust_env = False  # no proxy, and REQUESTS_CA_BUNDLE must not replace the CA below
        self.http.verify = emulator.ca_path if emulator.protocol == "https" else False
        self.user = user or emulator.admin_user
        self.password = password or emulator.admin_password
        self.logon_id = None

    def __enter__(self):
        resp = self.http.post(self.root + "/api/sessionMngr/", params={"v": "latest"},
                              auth=(self.user, self.password), timeout=30)
        resp.raise_for_status()
        self.http.headers["X-RestSvcSessionId"] = resp.headers["X-RestSvcSessionId"]
        body = xmltodict.parse(resp.content, process_namespaces=True, namespaces=NS, disable_entities=True)
        self.logon_id = body["LogonSession"]["SessionId"]
        return self

    def __exit__(self, *exc):
        resp = self.http.delete(self.root + "/api/logonSessions/" + self.logon_id, timeout=30)
        resp.raise_for_status()
        self.http.close()

    def query(self, qtype, flt=None):
        """All entities of a query, following the pages."""
        items = []
        page = 1
        while True:
            params = {"type": qtype, "format": "Entities", "pageSize": 500, "page": page}
            if flt:
                params["filter"] = flt
            resp = self.http.get(self.root + "/api/query", params=params, timeout=60)
            resp.raise_for_status()
            body = xmltodict.parse(resp.content, process_namespaces=True, namespaces=NS, disable_entities=True)
            result = body["QueryResult"]
            entities = result.get("Entities") or {}
            for container in entities.values():
                for key, value in (container or {}).items():
                    items.extend(_as_list(value))
            paging = result.get("PagingInfo") or {}
            if page >= int(paging.get("@PagesCount") or 1):
                return items
            page += 1

    def sessions(self, flt=None):
        """Backup job sessions as plain dicts (id, job_name, state, result, times, ...)."""
        out = []
        for item in self.query("BackupJobSession", flt):
            server = [lnk for lnk in _as_list((item.get("Links") or {}).get("Link"))
                      if lnk.get("@Type") == "BackupServerReference"]
            out.append({
                "id": item["@UID"].rsplit(":", 1)[1],
                "uid": item["@UID"],
                "name": item["@Name"],
                "job_name": item.get("JobName") or "",
                "job_type": item.get("JobType"),
                "backup_server_name": server[0]["@Name"] if server else None,
                "creation_time": item.get("CreationTimeUTC") or item.get("CreationTime"),
                "end_time": item.get("EndTimeUTC") or item.get("EndTime"),
                "state": item.get("State"),
                "result": item.get("Result"),
                "is_retry": item.get("IsRetry") == "true",
            })
        return out

    def window_sessions(self, start, end):
        """The sessions that ran in the window: created in it, or created before it and still running or
        ended in it (one filter, written independently of the role's three queries)."""
        return self.sessions('CreationTime>="%s";CreationTime<="%s",CreationTime<"%s";State!=Stopped,'
                             'CreationTime<"%s";EndTime>="%s"' % (start, end, start, start, start))

    def task_sessions(self, created_after):
        out = []
        for item in self.query("BackupTaskSession", 'CreationTime>="%s"' % created_after):
            out.append({
                "id": item["@UID"].rsplit(":", 1)[1],
                "vm_name": item.get("@VmDisplayName"),
                "job_session_uid": item.get("JobSessionUid"),
                "result": item.get("Result"),
                "reason": item.get("Reason") or None,
            })
        return out


def expected_job_status(sessions):
    """Each job's status as the report defines it: its newest finished result."""
    status = {}
    for job in set(s["job_name"] for s in sessions):
        mine = sorted((s for s in sessions if s["job_name"] == job), key=lambda s: s["creation_time"])
        finished = [s for s in mine if s["state"] not in ACTIVE_STATES]
        if finished:
            status[job] = finished[-1]["result"] if finished[-1]["result"] in OUTCOMES else "None"
        else:
            status[job] = "Running"
    return status


def test_oracle_reads_and_logs_off(fresh_emulator):
    with EmApi(fresh_emulator) as api:
        every = api.sessions()
        running = [s for s in every if s["state"] in ACTIVE_STATES]
    assert len(every) > 1000 and running
    assert all(s["end_time"] is None for s in running)
    stats = fresh_emulator.stats()
    assert stats["open_logon_sessions"] == 0 and stats["logons"] == 1
