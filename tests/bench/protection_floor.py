# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The floor of the RPO view: the same answer as em_protection_info, in plain Python.

What a careful script writer does without Ansible: one keep-alive ``requests.Session``, log on,
ask the query service the same questions as the module (the backup jobs; what they include; the VM
restore points of the RPO window; the newest point of the VMs not seen in it, 40 names a query;
the last task session of the VMs not protected), parse with ElementTree, join on HierarchyObjRef,
log out, and print the summary as JSON. The password comes from BENCH_EM_PASSWORD; the number of
requests goes to stderr as ``BENCH_REQUESTS=<n>``.

    python tests/bench/protection_floor.py URL USER [--rpo SECONDS] [--ca CA]
"""

from __future__ import absolute_import, division, print_function

import argparse
import datetime
import json
import os
import sys
import time
from xml.etree import ElementTree

import requests

NS = "{http://www.veeam.com/ent/v1.0}"
PAGE = 1000


class Floor(object):
    def __init__(self, url, user, password, verify):
        self.url = url.rstrip("/")
        self.http = requests.Session()
        self.verify = verify  # per request: a Session.verify would lose against REQUESTS_CA_BUNDLE
        self.requests = 0
        answer = self.http.post(self.url + "/sessionMngr/?v=latest", auth=(user, password), verify=verify)
        self.requests += 1
        answer.raise_for_status()
        self.http.headers["X-RestSvcSessionId"] = answer.headers["X-RestSvcSessionId"]
        self.logon = ElementTree.fromstring(answer.content).findtext(NS + "SessionId")

    def query(self, kind, flt=None, sort=("sortDesc", "CreationTime"), pages=None):
        """Every item of a query (of its first ``pages``), page by page (the ObjectInJob answer's <Resources> too)."""
        page, items = 1, []
        while True:
            params = [("type", kind), ("format", "Entities"), sort, ("pageSize", PAGE), ("page", page)]
            if flt:
                params.append(("filter", flt))
            started = time.perf_counter()
            answer = self.http.get(self.url + "/query", params=params, verify=self.verify)
            if os.environ.get("BENCH_TRACE"):
                sys.stderr.write("%.3f s %s %s\n" % (time.perf_counter() - started, kind, (flt or "")[:60]))
            self.requests += 1
            answer.raise_for_status()
            root = ElementTree.fromstring(answer.content)
            items += root.findall("./*/*/" + NS + kind)
            info = root.find(NS + "PagingInfo")
            if info is None or int(info.get("PageNum")) >= int(info.get("PagesCount")) or page == pages:
                return items
            page += 1

    def close(self):
        self.http.delete(self.url + "/logonSessions/" + self.logon, verify=self.verify)
        self.requests += 1


def quoted(values, field):
    return "(%s)" % ",".join('%s=="%s"' % (field, v.replace('"', '""')) for v in values)


def chunks(values, size=40):
    return [values[i:i + size] for i in range(0, len(values), size)]


def text(node, name):
    value = node.findtext(NS + name)
    return value.strip() if value else None


def up_link(node, kind):
    for link in node.iterfind(NS + "Links/" + NS + "Link"):
        if link.get("Rel") == "Up" and link.get("Type") == kind:
            return link.get("Name")
    return None


def include_job(include):
    for link in include.iterfind(NS + "Links/" + NS + "Link"):
        if link.get("Rel") == "Up":
            return link.get("Href").split("?", 1)[0].rstrip("/").rsplit("/", 1)[1].lower()
    return None


def stamp(value):
    return datetime.datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)


def rpo_view(em, rpo):
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    jobs = em.query("Job", "JobType==Backup", ("sortAsc", "Name"))
    uids = sorted(job.get("UID") for job in jobs)
    servers = dict((job.get("UID").rsplit(":", 1)[1].lower(), up_link(job, "BackupServerReference")) for job in jobs)
    vms = {}
    for chunk in chunks(uids):
        for include in em.query("ObjectInJob", quoted(chunk, "JobUid"), ("sortAsc", "JobName")):
            ref = text(include, "HierarchyObjRef") or ""
            if ref.split(":")[2:3] == ["Vm"]:
                vms.setdefault(ref.lower(), {"name": text(include, "Name"), "point": None,
                                             "server": servers[include_job(include)]})
    since = (now - datetime.timedelta(seconds=rpo)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def take(points):
        for point in points:
            vm = vms.get((text(point, "HierarchyObjRef") or "").lower())
            if vm is not None and vm["point"] is None:
                vm["point"] = text(point, "CreationTimeUTC")
    take(em.query("VmRestorePoint", "CreationTime>=" + since))
    unseen = {}
    for vm in vms.values():
        if vm["point"] is None:
            unseen.setdefault(vm["server"], set()).add(vm["name"])
    for server, names in sorted(unseen.items()):
        for chunk in chunks(sorted(names)):  # the first page holds each one's newest point (30 a VM)
            take(em.query("VmRestorePoint", quoted(chunk, "VmDisplayName") + ';BackupServerName=="%s"' % server,
                          pages=1))
    statuses = {"protected": 0, "breached": 0, "unprotected": 0}
    for vm in vms.values():
        vm["status"] = ("unprotected" if vm["point"] is None else "protected"
                        if (now - stamp(vm["point"])).total_seconds() <= rpo else "breached")
        statuses[vm["status"]] += 1
    exposed = sorted(set(vm["name"] for vm in vms.values() if vm["status"] != "protected"))
    for chunk in chunks(exposed):  # their last task session (why), as the module reads it
        em.query("BackupTaskSession", quoted(chunk, "VmDisplayName"), pages=1)
    return dict(statuses, total=len(vms), rpo_seconds=rpo)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("user")
    parser.add_argument("--rpo", type=int, default=86400)
    parser.add_argument("--ca")
    args = parser.parse_args()
    em = Floor(args.url, args.user, os.environ["BENCH_EM_PASSWORD"], args.ca or True)
    try:
        summary = rpo_view(em, args.rpo)
    finally:
        em.close()
    sys.stderr.write("BENCH_REQUESTS=%d\n" % em.requests)
    print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
