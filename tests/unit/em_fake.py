# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake Enterprise Manager at the requests layer, and builders of EM XML answers.

The XML shapes follow the EM reference pages and the seeds (entity
representations of /backupSessions/{ID} and /backupTaskSessions/{ID},
QueryResult with PagingInfo, Task, LogonSession, Error).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from urllib.parse import parse_qsl, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

NS = ' xmlns="http://www.veeam.com/ent/v1.0"'
BASE = "https://em.example.com:9398/api"
TOKEN = "T0k3n-SECRET-abc=="
PASSWORD = "Pa55 w:rd-SECRET"
LOGON_ID = "15a3fc97-0325-4119-b789-5c0367c6c565"
SERVER_ID = "ce15a8c7-aa49-495e-b05b-ee3398c91018"
# the logon and the logout as FakeEm.summary() lists them
LOGON = ("POST", "/api/sessionMngr/", "v=latest")
LOGOUT = ("DELETE", "/api/logonSessions/%s" % LOGON_ID)


class FakeClock(object):
    """The client's clock for tests: sleeping advances ``now`` at once and is recorded in ``sleeps``."""

    def __init__(self, now=1000.0):
        self.now = now
        self.sleeps = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    @staticmethod
    def jitter(seconds):
        return seconds  # tests state the exact sleeps


# -- XML builders (shapes from the EM reference pages and seeds) ---------------
def xml_logon(logon_id=LOGON_ID):
    return ('<?xml version="1.0" encoding="utf-8"?><LogonSession%s Type="LogonSession" Href="%s/logonSessions/%s">'
            '<Links><Link Rel="Delete" Href="%s/logonSessions/%s" /></Links>'
            '<UserName>EM01\\Administrator</UserName><SessionId>%s</SessionId></LogonSession>'
            % (NS, BASE, logon_id, BASE, logon_id, logon_id))


def xml_error(status, message):
    return '<Error%s Message="%s" StatusCode="%d" />' % (NS, message, status)


def job_session_xml(sid, job="Fileserver Backup", state="Stopped", result="Success", created="2026-01-10T05:22:52Z",
                    ended="2026-01-10T05:40:48Z", job_id="4856ab37-2235-45e8-affe-d515878b01a9", archive=True,
                    progress=100, is_retry="false", job_type="Backup"):
    """BackupJobSession entity; archive=True: CreationTimeUTC/EndTimeUTC, else CreationTime/EndTime."""
    suffix = "UTC" if archive else ""
    name = "%s@%s" % (job, created.replace("T", " ").rstrip("Z"))
    end = "<EndTime%s>%s</EndTime%s>" % (suffix, ended, suffix) if ended else ""
    return (
        '<BackupJobSession Type="BackupJobSession" Href="%(b)s/backupSessions/%(sid)s?format=Entity" Name="%(name)s" '
        'UID="urn:veeam:BackupJobSession:%(sid)s"><Links>'
        '<Link Rel="Up" Type="BackupServerReference" Href="%(b)s/backupServers/%(srv)s" Name="srv02.tech.local" />'
        '<Link Rel="Up" Type="JobReference" Href="%(b)s/jobs/%(job_id)s" Name="%(job)s" />'
        '<Link Rel="Down" Type="BackupTaskSessionReferenceList" Href="%(b)s/backupSessions/%(sid)s/taskSessions" />'
        '<Link Rel="Stop" Href="%(b)s/backupSessions/%(sid)s?action=stop" />'
        '</Links><JobUid>urn:veeam:Job:%(job_id)s</JobUid><JobName>%(job)s</JobName><JobType>%(jt)s</JobType>'
        '<CreationTime%(sx)s>%(created)s</CreationTime%(sx)s>%(end)s<State>%(state)s</State><Result>%(result)s</Result>'
        '<Progress>%(progress)d</Progress><IsRetry>%(retry)s</IsRetry></BackupJobSession>'
        % dict(b=BASE, sid=sid, name=name.replace('"', "&quot;"), srv=SERVER_ID, job_id=job_id,
               job=job.replace('"', "&quot;"), jt=job_type, sx=suffix, created=created, end=end, state=state,
               result=result, progress=progress, retry=is_retry))


def task_session_xml(tid, sid, vm="srv04", state="Completed", result="Success", reason=None,
                     created="2026-01-10T05:23:44Z", ended="2026-01-10T05:40:39Z", total_size=64424509440):
    end = "<EndTimeUTC>%s</EndTimeUTC>" % ended if ended else ""
    return (
        '<BackupTaskSession Type="BackupTaskSession" Href="%(b)s/backupTaskSessions/%(tid)s?format=Entity" '
        'Name="%(vm)s@2026-01-10 05:23:44" UID="urn:veeam:BackupTaskSession:%(tid)s" VmDisplayName="%(vm)s"><Links>'
        '<Link Rel="Up" Type="BackupServerReference" Href="%(b)s/backupServers/%(srv)s" Name="srv02.tech.local" />'
        '<Link Rel="Up" Type="BackupJobSessionReference" Href="%(b)s/backupSessions/%(sid)s" '
        'Name="Fileserver Backup@2026-01-10 05:22:52" />'
        '</Links><JobSessionUid>urn:veeam:BackupJobSession:%(sid)s</JobSessionUid>'
        '<CreationTimeUTC>%(created)s</CreationTimeUTC>%(end)s<State>%(state)s</State><Result>%(result)s</Result>'
        '%(reason)s<TotalSize>%(size)d</TotalSize></BackupTaskSession>'
        % dict(b=BASE, tid=tid, sid=sid, vm=vm, srv=SERVER_ID, created=created, end=end, state=state, result=result,
               reason="<Reason>%s</Reason>" % reason if reason else "<Reason />", size=total_size))


def job_xml(job_id="4856ab37-2235-45e8-affe-d515878b01a9", name="Fileserver Backup", job_type="Backup",
            schedule_enabled=True, schedule_configured=True, next_run="2026-01-11T22:00:00Z", platform="VMware",
            server="srv02.tech.local"):
    """Job entity (GET /jobs/{ID}?format=Entity, query type=Job), shaped like the reference's example."""
    next_run = "<NextRun>%s</NextRun>" % next_run if next_run else ""
    return (
        '<Job Type="Job" Href="%(b)s/jobs/%(id)s?format=Entity" Name="%(name)s" UID="urn:veeam:Job:%(id)s"><Links>'
        '<Link Href="%(b)s/backupServers/%(srv)s" Name="%(server)s" Type="BackupServerReference" Rel="Up" />'
        '<Link Href="%(b)s/jobs/%(id)s" Name="%(name)s" Type="JobReference" Rel="Alternate" />'
        '<Link Href="%(b)s/jobs/%(id)s?action=start" Rel="Start" />'
        '<Link Href="%(b)s/jobs/%(id)s/backupSessions" Type="BackupJobSessionReferenceList" Rel="Down" />'
        '</Links><JobType>%(jt)s</JobType><Platform>%(platform)s</Platform><Description>Created by TECH\\admin'
        '</Description><ScheduleConfigured>%(sc)s</ScheduleConfigured><ScheduleEnabled>%(se)s</ScheduleEnabled>'
        '%(next)s</Job>'
        % dict(b=BASE, id=job_id, name=name.replace('"', "&quot;"), srv=SERVER_ID, server=server, jt=job_type,
               platform=platform, sc=str(schedule_configured).lower(), se=str(schedule_enabled).lower(),
               next=next_run))


def query_result(items, collection="BackupJobSessions", page=1, pages=1, page_size=1000):
    inner = "<%s>%s</%s>" % (collection, "".join(items), collection) if items else ""
    return ('<?xml version="1.0" encoding="utf-8"?><QueryResult%s><Entities>%s</Entities>'
            '<PagingInfo PageNum="%d" PageSize="%d" PagesCount="%d"><Links /></PagingInfo></QueryResult>'
            % (NS, inner, page, page_size, pages))


def task_xml(task_id="task-1", state="Running", success=None, message=None, operation="StopJobSession"):
    result = ""
    if success is not None:
        result = '<Result Success="%s"><Message>%s</Message></Result>' % ("true" if success else "false", message or "")
    return ('<Task%s Type="Task" Href="%s/tasks/%s"><Links><Link Rel="Delete" Type="Task" Href="%s/tasks/%s" /></Links>'
            '<TaskId>%s</TaskId><State>%s</State><Operation>%s</Operation>%s</Task>'
            % (NS, BASE, task_id, BASE, task_id, task_id, state, operation, result))


def vm_point_xml(point_id, vm="fin-db01", created="2026-12-01T21:08:15Z", ref=None, server="srv02.tech.local",
                 restore_point_id="0c2e2bd6-1f5e-4a43-a0c4-2a5a5c37b5b4", algorithm="Incremental", point_type="Increment"):
    """VmRestorePoint entity as the EM emulator and the 9.5 capture shape it (CreationTimeUTC, PointType, VM in Name)."""
    ref = ref or "urn:VMware:Vm:7f6b6270-1f3b-4dc6-872f-2d1dfc519c00.%s" % vm
    return ('<VmRestorePoint Type="VmRestorePoint" Href="%(b)s/vmRestorePoints/%(id)s?format=Entity" '
            'Name="%(vm)s@%(when)s" UID="urn:veeam:VmRestorePoint:%(id)s"><Links>'
            '<Link Rel="Up" Type="BackupServerReference" Href="%(b)s/backupServers/%(srv)s" Name="%(server)s" />'
            '<Link Rel="Up" Type="RestorePointReference" Href="%(b)s/restorePoints/%(rp)s" Name="rp" />'
            '</Links><CreationTimeUTC>%(created)s</CreationTimeUTC><Algorithm>%(alg)s</Algorithm>'
            '<PointType>%(pt)s</PointType><HierarchyObjRef>%(ref)s</HierarchyObjRef></VmRestorePoint>'
            % dict(b=BASE, id=point_id, vm=vm, when=created.replace("T", " ").rstrip("Z"), srv=SERVER_ID,
                   server=server, rp=restore_point_id, created=created, alg=algorithm, pt=point_type, ref=ref))


def repository_xml(repo_id, name, capacity, free, kind="WindowsLocal", server="srv02.tech.local"):
    """Repository entity, shaped like the get_repositories_id example (Capacity, FreeSpace, Kind)."""
    return ('<Repository Type="Repository" Href="%(b)s/repositories/%(id)s?format=Entity" Name="%(name)s" '
            'UID="urn:veeam:Repository:%(id)s"><Links>'
            '<Link Rel="Up" Type="BackupServerReference" Href="%(b)s/backupServers/%(srv)s" Name="%(server)s" />'
            '</Links><Capacity>%(cap)s</Capacity><FreeSpace>%(free)s</FreeSpace><Kind>%(kind)s</Kind></Repository>'
            % dict(b=BASE, id=repo_id, name=name, srv=SERVER_ID, server=server, cap=capacity, free=free, kind=kind))


def include_xml(include_id, name, job_id, job_name, ref=None):
    """ObjectInJob as the 9.5 capture shapes it: no Name/UID attributes; Up link Type="Job"."""
    ref = ref or "urn:VMware:Vm:7f6b6270-1f3b-4dc6-872f-2d1dfc519c00.%s" % name
    return ('<ObjectInJob Type="ObjectInJob" Href="%(b)s/jobs/%(job)s/includes/%(id)s"><Links>'
            '<Link Rel="Delete" Href="%(b)s/jobs/%(job)s/includes/%(id)s" />'
            '<Link Rel="Up" Type="Job" Href="%(b)s/jobs/%(job)s?format=Entity" Name="%(job_name)s" /></Links>'
            '<ObjectInJobId>%(id)s</ObjectInJobId><HierarchyObjRef>%(ref)s</HierarchyObjRef><Name>%(name)s</Name>'
            '<DisplayName>%(name)s</DisplayName><Order>1</Order></ObjectInJob>'
            % dict(b=BASE, id=include_id, job=job_id, job_name=job_name, ref=ref, name=name))


def resources_result(items, page=1, pages=1, page_size=1000):
    """The ObjectInJob query's answer: <Resources><sInObjectJob>, whatever format asks (EM 9.5 capture)."""
    return ('<?xml version="1.0" encoding="utf-8"?><QueryResult%s><Resources><sInObjectJob>%s</sInObjectJob>'
            '</Resources><PagingInfo PageNum="%d" PageSize="%d" PagesCount="%d"><Links /></PagingInfo></QueryResult>'
            % (NS, "".join(items), page, page_size, pages))


CONNECTION = {"server": "em.example.com", "user": "Administrator", "password": PASSWORD}


# -- the fake EM ---------------------------------------------------------------
class Call(object):
    """One request as EM saw it."""

    def __init__(self, request):
        split = urlsplit(request.url)
        self.method = request.method
        self.url = request.url
        self.path = split.path
        self.params = parse_qsl(split.query, keep_blank_values=True)
        self.headers = dict(request.headers)

    @property
    def query(self):
        return "&".join("%s=%s" % pair for pair in self.params)

    def as_tuple(self):
        return (self.method, self.path, self.query) if self.params else (self.method, self.path)

    def param(self, name):
        return dict(self.params).get(name)


class FakeEm(BaseAdapter):
    """Answers scripted responses in order and records every request.

    ``expect(method, path, status, body, headers)`` queues the answer to the
    next request with that method and path; ``raises=exc`` makes it fail
    like the network would.  An unexpected request fails the test.
    """

    def __init__(self):
        super(FakeEm, self).__init__()
        self.calls = []
        self.queue = []

    def expect(self, method, path, status=200, body="", headers=None, raises=None):
        self.queue.append((method, "/api" + path, status, body, headers or {}, raises))
        return self

    def logon(self, token=TOKEN, logon_id=LOGON_ID, version="latest"):
        return self.expect("POST", "/sessionMngr/", 201, xml_logon(logon_id), {"X-RestSvcSessionId": token})

    def logout(self, logon_id=LOGON_ID, status=204):
        return self.expect("DELETE", "/logonSessions/%s" % logon_id, status)

    def send(self, request, **kwargs):
        call = Call(request)
        call.verify = kwargs.get("verify")
        call.timeout = kwargs.get("timeout")
        self.calls.append(call)
        for index, (method, path, status, body, headers, raises) in enumerate(self.queue):
            if method == call.method and path == call.path:
                del self.queue[index]
                if raises is not None:
                    raise raises
                resp = requests.Response()
                resp.status_code = status
                resp._content = body.encode("utf-8") if isinstance(body, str) else body
                resp._content_consumed = True  # a streamed read (the logon) gets the body too
                resp.headers = CaseInsensitiveDict(dict({"Content-Type": "application/xml"}, **headers))
                resp.url = request.url
                resp.request = request
                return resp
        raise AssertionError("unexpected request %s %s" % (call.method, call.url))

    def close(self):
        pass

    def summary(self):
        return [call.as_tuple() for call in self.calls]


def warning_texts(result):
    """The warnings of a module result as texts (ansible-core 2.19 wraps each in a WarningSummary)."""
    return [w["event"]["msg"] if isinstance(w, dict) else w for w in result.get("warnings", [])]
