# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark approach (c), the floor: plain Python with requests and xmltodict.

What a careful script writer does without Ansible: one keep-alive
``requests.Session``, log on (POST /api/sessionMngr/ with Basic auth, 201),
query the backup job sessions through the query service page by page
(XML, ``format=Entities``, newest first), parse every page with xmltodict,
log out (DELETE the logon session), and write the collected sessions to stdout
as JSON (the module's result also ends up serialised to JSON).

The password comes from the BENCH_EM_PASSWORD environment variable, never from
the command line.  The number of sessions read is written to stderr as
``BENCH_COUNT=<n>``; the benchmark checks it against the other approaches.
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import sys

import requests
import xmltodict


def parse_page(body):
    """Sessions and page count of one QueryResult page (XML bytes)."""
    doc = xmltodict.parse(
        body, force_list=("BackupJobSession", "Link"), disable_entities=True
    )
    result = doc.get("QueryResult") or {}
    entities = result.get("Entities") or {}
    container = entities.get("BackupJobSessions") or {}
    sessions = container.get("BackupJobSession") or []
    paging = result.get("PagingInfo") or {}
    pages = int(paging.get("@PagesCount") or 1)
    return sessions, pages


def fetch(base, user, password, ca_path, query_filter, page_size):
    """Log on, read every page, log out; returns the list of sessions."""
    http = requests.Session()
    # Per request: a Session.verify would lose against REQUESTS_CA_BUNDLE.
    verify = ca_path if ca_path else True
    logon = http.post(base + "sessionMngr/", params={"v": "latest"}, auth=(user, password), verify=verify)
    if logon.status_code != 201:
        raise SystemExit("logon failed: HTTP %d" % logon.status_code)
    http.headers["X-RestSvcSessionId"] = logon.headers["X-RestSvcSessionId"]
    session_id = xmltodict.parse(logon.content, disable_entities=True)["LogonSession"]["SessionId"]
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
    json.dump({"backup_sessions": sessions}, sys.stdout)
    sys.stdout.write("\n")
    sys.stderr.write("BENCH_COUNT=%d\n" % len(sessions))
    return 0


if __name__ == "__main__":
    sys.exit(main())
