# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark approach (c), the floor: plain Python with requests and the standard library's ElementTree.

What a careful script writer does without Ansible to get what the module returns by default:
one keep-alive ``requests.Session``, log on (POST /api/sessionMngr/ with Basic auth, 201),
query the backup job sessions through the query service page by page (XML,
``format=Entities``, newest first), parse every page with ElementTree (the standard library's
C parser, as the module does), turn each session into the same 17 keys as the module's default
result (no links) and count them by result and state as its ``summary``, log out (DELETE the
logon session), and write that result to stdout as JSON (the module's result also leaves its
process as JSON on a pipe). tests/bench/test_bench_harness.py checks that the sessions come out
equal to the module's.

The password comes from the BENCH_EM_PASSWORD environment variable, never from
the command line.  The number of sessions read is written to stderr as
``BENCH_COUNT=<n>``; the benchmark checks it against the other approaches.
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import sys
from xml.etree import ElementTree

import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "scripts"))
import collection_tree  # noqa: E402  pylint: disable=wrong-import-position

collection_tree.importable()
# EM's vocabulary (only the names of the summary's keys: the floor does its own work otherwise)
from ansible_collections.backupops.veeam_em.plugins.module_utils._sessions import (  # noqa: E402  pylint: disable=wrong-import-position
    RESULTS, SESSION_STATES as STATES)

NS = "{http://www.veeam.com/ent/v1.0}"


def last_segment(value):
    """The UUID at the end of a URN or an Href."""
    if not value:
        return None
    return value.split("?", 1)[0].rstrip("/").replace("/", ":").rsplit(":", 1)[-1].lower() or None


def session_dict(node):
    """One BackupJobSession element as the module's default result entry."""
    def text(name):
        value = node.findtext(NS + name)
        return (value.strip() or None) if value is not None else None
    up = {}
    for link in node.iterfind(NS + "Links/" + NS + "Link"):
        if link.get("Rel") == "Up":
            up.setdefault(link.get("Type"), link)
    server = up.get("BackupServerReference")
    job = up.get("JobReference")
    uid = node.get("UID")
    href = (node.get("Href") or "").split("?", 1)[0] or None
    job_uid = text("JobUid")
    progress, retry = text("Progress"), text("IsRetry")
    return {
        "id": last_segment(uid) or last_segment(href), "uid": uid, "name": node.get("Name"), "href": href,
        "job_id": last_segment(job_uid) or last_segment(job.get("Href") if job is not None else None),
        "job_uid": job_uid, "job_name": text("JobName"), "job_type": text("JobType"),
        "backup_server_id": last_segment(server.get("Href")) if server is not None else None,
        "backup_server_name": server.get("Name") if server is not None else None,
        "creation_time": text("CreationTimeUTC") or text("CreationTime"),
        "end_time": text("EndTimeUTC") or text("EndTime"),
        "state": text("State"), "result": text("Result"),
        "progress": int(progress) if progress is not None else None,
        "is_retry": retry.lower() == "true" if retry is not None else None,
    }


def parse_page(body):
    """Sessions (as dicts) and page count of one QueryResult page (XML bytes)."""
    root = ElementTree.fromstring(body)
    sessions = [session_dict(node) for node in root.iterfind(
        NS + "Entities/" + NS + "BackupJobSessions/" + NS + "BackupJobSession")]
    paging = root.find(NS + "PagingInfo")
    pages = int(paging.get("PagesCount") or 1) if paging is not None else 1
    return sessions, pages


def summary(sessions):
    by_result = dict((r, 0) for r in RESULTS)
    by_state = dict((s, 0) for s in STATES)
    for session in sessions:
        by_result[session["result"] or "None"] += 1
        by_state[session["state"]] += 1
    return {"total": len(sessions), "by_result": by_result, "by_state": by_state}


def fetch(base, user, password, ca_path, query_filter, page_size):
    """Log on, read every page, log out; returns the list of sessions."""
    http = requests.Session()
    # Per request: a Session.verify would lose against REQUESTS_CA_BUNDLE.
    verify = ca_path if ca_path else True
    logon = http.post(base + "sessionMngr/", params={"v": "latest"}, auth=(user, password), verify=verify)
    if logon.status_code != 201:
        raise SystemExit("logon failed: HTTP %d" % logon.status_code)
    http.headers["X-RestSvcSessionId"] = logon.headers["X-RestSvcSessionId"]
    session_id = ElementTree.fromstring(logon.content).findtext(NS + "SessionId")
    sessions = []
    try:
        params = {
            "type": "BackupJobSession",
            "format": "Entities",
            "sortDesc": "CreationTime",
            "pageSize": str(page_size),
            "page": "1",
        }
        if query_filter:
            params["filter"] = query_filter
        page, pages = 1, 1
        while page <= pages:
            params["page"] = str(page)
            resp = http.get(base + "query", params=params, verify=verify)
            resp.raise_for_status()
            items, pages = parse_page(resp.content)
            sessions.extend(items)
            page += 1
    finally:
        http.delete(base + "logonSessions/" + session_id, verify=verify)
    return sessions


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="API base URL, ending in /api/")
    parser.add_argument("--user", required=True)
    parser.add_argument("--ca-path", default=None)
    parser.add_argument("--filter", default="", help="query service filter, e.g. Result==Failed")
    parser.add_argument("--page-size", type=int, default=1000)
    args = parser.parse_args(argv)
    password = os.environ.get("BENCH_EM_PASSWORD", "")
    sessions = fetch(args.url, args.user, password, args.ca_path, args.filter, args.page_size)
    json.dump({"changed": False, "backup_sessions": sessions, "summary": summary(sessions)}, sys.stdout)
    sys.stdout.write("\n")
    sys.stderr.write("BENCH_COUNT=%d\n" % len(sessions))
    return 0


if __name__ == "__main__":
    sys.exit(main())
