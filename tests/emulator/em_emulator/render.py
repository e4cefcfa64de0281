# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""XML and JSON representations, built with string operations (no DOM) for speed.

XML follows the shapes of the reference pages (namespace http://www.veeam.com/ent/v1.0, element and
attribute names, link Rel/Type values). JSON follows the PascalCase layout of EM 12: an entity's own
properties first, then Name, UID, Links, Href, Type; collections are ``{"Refs": [...]}`` or
``{"BackupJobSessions": [...]}``; a QueryResult nests its list one level deeper
(``{"Refs": null, "Entities": {"BackupJobSessions": {"BackupJobSessions": [...]}}, "PagingInfo": ...}``).
"""

import json
import re

from .constants import API_VERSIONS, LOGON_SESSION_LINKS, NAMESPACE, XML_DECL
from .dataset import session_restore_point, task_restore_point
from .timeutil import iso, name_time, restore_point_name

try:  # the C accelerated encoder of the json module
    from json.encoder import c_encode_basestring as _jstr  # type: ignore
except ImportError:  # pragma: no cover
    from json.encoder import py_encode_basestring as _jstr  # type: ignore
if _jstr is None:  # pragma: no cover
    from json.encoder import py_encode_basestring as _jstr  # type: ignore

_XA = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;",
       ord("\n"): "&#xA;", ord("\r"): "&#xD;", ord("\t"): "&#x9;"}
_XT = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}
NS = ' xmlns="%s"' % NAMESPACE


_XA_RE = re.compile(r'[&<>"\n\r\t]')
_XT_RE = re.compile(r"[&<>]")


def xa(text):
    """Escape for an XML attribute value."""
    if _XA_RE.search(text) is None:
        return text
    return text.translate(_XA)


def xt(text):
    """Escape for XML character data."""
    if _XT_RE.search(text) is None:
        return text
    return text.translate(_XT)


def jstr(text):
    return "null" if text is None else _jstr(text)


def jbool(value):
    return "true" if value else "false"


def xml_link(rel, href, ltype=None, name=None):
    out = '<Link Rel="' + rel + '"'
    if ltype:
        out += ' Type="' + ltype + '"'
    out += ' Href="' + xa(href) + '"'
    if name is not None:
        out += ' Name="' + xa(name) + '"'
    return out + " />"


def json_link(rel, href, ltype=None, name=None):
    out = '{"Rel":' + _jstr(rel) + ',"Href":' + _jstr(href)
    if name is not None:
        out += ',"Name":' + _jstr(name)
    if ltype:
        out += ',"Type":' + _jstr(ltype)
    return out + "}"


def xml_links(links):
    if not links:
        return "<Links />"
    return "<Links>" + "".join(xml_link(*lnk) for lnk in links) + "</Links>"


def json_links(links):
    return "[" + ",".join(json_link(*lnk) for lnk in links) + "]"


class Renderer(object):
    """Representations for one base URL (``https://host:port/api/``)."""

    def __init__(self, base):
        self.base = base

    # ------------------------------------------------------------------ links of sessions
    def session_ref_links(self, s):
        b = self.base
        job = s.job
        srv = job.server
        name = s.name
        return (
            ("Up", b + "backupServers/" + srv.id, "BackupServerReference", srv.name),
            ("Up", b + "jobs/" + job.id, "JobReference", job.name),
            ("Alternate", b + "backupSessions/" + s.id + "?format=Entity", "BackupJobSession", name),
            ("Down", b + "backupSessions/" + s.id + "/taskSessions", "BackupTaskSessionReferenceList", None),
        ), name

    def session_entity_links(self, s):
        b = self.base
        job = s.job
        srv = job.server
        name = s.name
        href = b + "backupSessions/" + s.id
        links = [
            ("Up", b + "backupServers/" + srv.id, "BackupServerReference", srv.name),
            ("Up", b + "jobs/" + job.id, "JobReference", job.name),
            ("Alternate", href, "BackupJobSessionReference", name),
            ("Down", href + "/taskSessions", "BackupTaskSessionReferenceList", None),
            ("Stop", href + "?action=stop", None, None),
        ]
        rp_id, rp_time = session_restore_point(s)
        if rp_id:
            links.append(("Related", b + "restorePoints/" + rp_id, "RestorePointReference", restore_point_name(rp_time)))
        return links, name

    def task_ref_links(self, t):
        b = self.base
        s = t.session
        srv = s.job.server
        name = t.name
        return (
            ("Up", b + "backupServers/" + srv.id, "BackupServerReference", srv.name),
            ("Up", b + "backupSessions/" + s.id, "BackupJobSessionReference", s.name),
            ("Alternate", b + "backupTaskSessions/" + t.id + "?format=Entity", "BackupTaskSession", name),
        ), name

    def task_entity_links(self, t):
        b = self.base
        s = t.session
        srv = s.job.server
        name = t.name
        links = [
            ("Up", b + "backupServers/" + srv.id, "BackupServerReference", srv.name),
            ("Up", b + "backupSessions/" + s.id, "BackupJobSessionReference", s.name),
            ("Alternate", b + "backupTaskSessions/" + t.id, "BackupTaskSessionReference", name),
        ]
        vrp_id, vrp_time = task_restore_point(t)
        if vrp_id:
            links.append(("Related", b + "vmRestorePoints/" + vrp_id + "?format=Entity", "VmRestorePoint",
                          t.vm + "@" + name_time(vrp_time)))
        return links, name

    def server_ref_links(self, srv):
        b = self.base + "backupServers/" + srv.id
        return (
            ("Down", b + "/jobs", "JobReferenceList", None),
            ("Down", b + "/repositories", "RepositoryReferenceList", None),
            ("Down", b + "/externalRepositories", "ExternalRepositoryReferenceList", None),
            ("Down", b + "/credentials", "CredentialsList", None),
            ("Down", b + "/passwords", "PasswordKeyList", None),
            ("Alternate", b + "?format=Entity", "BackupServer", srv.name),
            ("Down", b + "/managedServers", "ManagedServerReferenceList", None),
        )

    def server_entity_links(self, srv):
        b = self.base + "backupServers/" + srv.id
        return (
            ("Alternate", b, "BackupServerReference", srv.name),
            ("Edit", b, "BackupServerReference", srv.name),
            ("Delete", b, None, None),
            ("Down", b + "/jobs", "JobReferenceList", None),
            ("Down", b + "/managedServers", "ManagedServerReferenceList", None),
            ("Down", b + "/repositories", "RepositoryReferenceList", None),
            ("Down", b + "/externalRepositories", "ExternalRepositoryReferenceList", None),
            ("Down", b + "/credentials", "CredentialsList", None),
            ("Create", b + "/credentials?action=create", "Credentials", None),
            ("Down", b + "/passwords", "PasswordKeyList", None),
            ("Create", b + "/passwords?action=create", "PasswordKey", None),
            ("VeeamZip", b + "?action=veeamzip", None, None),
            ("QuickBackup", b + "?action=quickbackup", None, None),
            ("Start", b + "?action=collect", None, None),
        )

    # ------------------------------------------------------------------ XML: sessions
    def x_session_ref(self, s, tag="Ref", ns=""):
        links, name = self.session_ref_links(s)
        return ('<%s%s Type="BackupJobSessionReference" Href="%sbackupSessions/%s" Name="%s" '
                'UID="urn:veeam:BackupJobSession:%s">%s</%s>'
                % (tag, ns, self.base, s.id, xa(name), s.id, xml_links(links), tag))

    def x_session(self, s, ns=""):
        links, name = self.session_entity_links(s)
        job = s.job
        end = "<EndTimeUTC>" + iso(s.etime) + "</EndTimeUTC>" if s.etime is not None else ""
        return ('<BackupJobSession%s Type="BackupJobSession" Href="%sbackupSessions/%s?format=Entity" Name="%s" '
                'UID="urn:veeam:BackupJobSession:%s">%s<JobUid>urn:veeam:Job:%s</JobUid><JobName>%s</JobName>'
                '<JobType>%s</JobType><CreationTimeUTC>%s</CreationTimeUTC>%s<State>%s</State><Result>%s</Result>'
                '<Progress>%d</Progress><IsRetry>%s</IsRetry></BackupJobSession>'
                % (ns, self.base, s.id, xa(name), s.id, xml_links(links), job.id, xt(job.name), job.job_type,
                   iso(s.ctime), end, s.state, s.result, s.progress, jbool(s.is_retry)))

    # ------------------------------------------------------------------ JSON: sessions
    def j_session_ref(self, s):
        links, name = self.session_ref_links(s)
        return ('{"Links":%s,"UID":"urn:veeam:BackupJobSession:%s","Name":%s,"Href":"%sbackupSessions/%s",'
                '"Type":"BackupJobSessionReference"}' % (json_links(links), s.id, _jstr(name), self.base, s.id))

    def j_session(self, s):
        links, name = self.session_entity_links(s)
        job = s.job
        return ('{"JobUid":"urn:veeam:Job:%s","JobName":%s,"JobType":"%s","CreationTimeUTC":"%s","EndTimeUTC":%s,'
                '"State":"%s","Result":"%s","Progress":%d,"IsRetry":%s,"Name":%s,'
                '"UID":"urn:veeam:BackupJobSession:%s","Links":%s,"Href":"%sbackupSessions/%s?format=Entity",'
                '"Type":"BackupJobSession"}'
                % (job.id, _jstr(job.name), job.job_type, iso(s.ctime),
                   '"' + iso(s.etime) + '"' if s.etime is not None else "null", s.state, s.result, s.progress,
                   jbool(s.is_retry), _jstr(name), s.id, json_links(links), self.base, s.id))

    # ------------------------------------------------------------------ task sessions
    def x_task_ref(self, t, tag="Ref", ns=""):
        links, name = self.task_ref_links(t)
        return ('<%s%s Type="BackupTaskSessionReference" Href="%sbackupTaskSessions/%s" Name="%s" '
                'UID="urn:veeam:BackupTaskSession:%s">%s</%s>'
                % (tag, ns, self.base, t.id, xa(name), t.id, xml_links(links), tag))

    def x_task(self, t, ns=""):
        links, name = self.task_entity_links(t)
        end = "<EndTimeUTC>" + iso(t.etime) + "</EndTimeUTC>" if t.etime is not None else ""
        reason = "<Reason>" + xt(t.reason) + "</Reason>" if t.reason else "<Reason />"
        return ('<BackupTaskSession%s Type="BackupTaskSession" Href="%sbackupTaskSessions/%s?format=Entity" Name="%s" '
                'UID="urn:veeam:BackupTaskSession:%s" VmDisplayName="%s">%s'
                '<JobSessionUid>urn:veeam:BackupJobSession:%s</JobSessionUid><CreationTimeUTC>%s</CreationTimeUTC>%s'
                '<State>%s</State><Result>%s</Result>%s<TotalSize>%d</TotalSize></BackupTaskSession>'
                % (ns, self.base, t.id, xa(name), t.id, xa(t.vm), xml_links(links), t.session.id, iso(t.ctime), end,
                   t.state, t.result, reason, t.total_size))

    def j_task_ref(self, t):
        links, name = self.task_ref_links(t)
        return ('{"Links":%s,"UID":"urn:veeam:BackupTaskSession:%s","Name":%s,"Href":"%sbackupTaskSessions/%s",'
                '"Type":"BackupTaskSessionReference"}' % (json_links(links), t.id, _jstr(name), self.base, t.id))

    def j_task(self, t):
        links, name = self.task_entity_links(t)
        return ('{"JobSessionUid":"urn:veeam:BackupJobSession:%s","CreationTimeUTC":"%s","EndTimeUTC":%s,'
                '"State":"%s","Result":"%s","Reason":%s,"TotalSize":%d,"VmDisplayName":%s,"Name":%s,'
                '"UID":"urn:veeam:BackupTaskSession:%s","Links":%s,"Href":"%sbackupTaskSessions/%s?format=Entity",'
                '"Type":"BackupTaskSession"}'
                % (t.session.id, iso(t.ctime), '"' + iso(t.etime) + '"' if t.etime is not None else "null",
                   t.state, t.result, _jstr(t.reason), t.total_size, _jstr(t.vm), _jstr(name), t.id,
                   json_links(links), self.base, t.id))

    # ------------------------------------------------------------------ backup servers
    def x_server_ref(self, srv, tag="Ref", ns=""):
        return ('<%s%s Type="BackupServerReference" Href="%sbackupServers/%s" Name="%s" UID="urn:veeam:BackupServer:%s">'
                '%s</%s>' % (tag, ns, self.base, srv.id, xa(srv.name), srv.id, xml_links(self.server_ref_links(srv)), tag))

    def x_server(self, srv, ns=""):
        return ('<BackupServer%s Type="BackupServer" Href="%sbackupServers/%s?format=Entity" Name="%s" '
                'UID="urn:veeam:BackupServer:%s">%s<Description>%s</Description><Port>%d</Port><Version>%s</Version>'
                '<WcfPort>%d</WcfPort><VbrCertificateThumbprint>%s</VbrCertificateThumbprint></BackupServer>'
                % (ns, self.base, srv.id, xa(srv.name), srv.id, xml_links(self.server_entity_links(srv)),
                   xt(srv.description), srv.port, xt(srv.version), srv.wcf_port, srv.thumbprint))

    def j_server_ref(self, srv):
        return ('{"Links":%s,"UID":"urn:veeam:BackupServer:%s","Name":%s,"Href":"%sbackupServers/%s",'
                '"Type":"BackupServerReference"}'
                % (json_links(self.server_ref_links(srv)), srv.id, _jstr(srv.name), self.base, srv.id))

    def j_server(self, srv):
        return ('{"Description":%s,"Port":%d,"Version":%s,"WcfPort":%d,"VbrCertificateThumbprint":%s,"Name":%s,'
                '"UID":"urn:veeam:BackupServer:%s","Links":%s,"Href":"%sbackupServers/%s?format=Entity",'
                '"Type":"BackupServer"}'
                % (_jstr(srv.description), srv.port, _jstr(srv.version), srv.wcf_port, _jstr(srv.thumbprint),
                   _jstr(srv.name), srv.id, json_links(self.server_entity_links(srv)), self.base, srv.id))

    # ------------------------------------------------------------------ EM tasks
    def _em_task_links(self, task):
        return (("Delete", self.base + "tasks/" + task.task_id, "Task", None),)

    def x_em_task(self, task, ns=""):
        result = ""
        if task.success is not None:
            result = '<Result Success="%s"><Message>%s</Message></Result>' % (jbool(task.success), xt(task.message))
        return ('<Task%s Type="Task" Href="%stasks/%s">%s<TaskId>%s</TaskId><State>%s</State>'
                '<Operation>%s</Operation>%s</Task>'
                % (ns, self.base, task.task_id, xml_links(self._em_task_links(task)), task.task_id, task.state,
                   task.operation, result))

    def j_em_task(self, task):
        result = "null"
        if task.success is not None:
            result = '{"Success":%s,"Message":%s}' % (jbool(task.success), _jstr(task.message))
        return ('{"TaskId":%s,"State":"%s","Operation":"%s","Result":%s,"Links":%s,"Href":"%stasks/%s","Type":"Task"}'
                % (_jstr(task.task_id), task.state, task.operation, result, json_links(self._em_task_links(task)),
                   self.base, task.task_id))

    def x_em_task_ref(self, task, tag="Ref", ns=""):
        return ('<%s%s Type="TaskReference" Href="%stasks/%s" Name="%s">%s</%s>'
                % (tag, ns, self.base, task.task_id, task.task_id,
                   xml_links((("Alternate", self.base + "tasks/" + task.task_id, "Task", None),)), tag))

    def j_em_task_ref(self, task):
        return ('{"Links":%s,"UID":null,"Name":%s,"Href":"%stasks/%s","Type":"TaskReference"}'
                % (json_links((("Alternate", self.base + "tasks/" + task.task_id, "Task", None),)),
                   _jstr(task.task_id), self.base, task.task_id))

    # ------------------------------------------------------------------ logon sessions and root
    def _logon_links(self, ls):
        b = self.base
        links = [("Up", b, "EnterpriseManager", None)]
        links.extend((rel, b + path, ltype, name) for rel, ltype, path, name in LOGON_SESSION_LINKS)
        links.append(("Delete", b + "logonSessions/" + ls.session_id, None, None))
        return links

    def x_logon(self, ls, ns=""):
        return ('<LogonSession%s Type="LogonSession" Href="%slogonSessions/%s">%s<UserName>%s</UserName>'
                '<SessionId>%s</SessionId></LogonSession>'
                % (ns, self.base, ls.session_id, xml_links(self._logon_links(ls)), xt(ls.display_name), ls.session_id))

    def j_logon(self, ls):
        return ('{"UserName":%s,"SessionId":"%s","Links":%s,"Href":"%slogonSessions/%s","Type":"LogonSession"}'
                % (_jstr(ls.display_name), ls.session_id, json_links(self._logon_links(ls)), self.base, ls.session_id))

    def _root_parts(self):
        b = self.base
        versions = [(v, (("Create", b + "sessionMngr/?v=" + v, "SessionMngr", None),)) for v in API_VERSIONS]
        links = (("Create", b + "sessionMngr/?v=latest", "SessionMngr", None),
                 ("Down", b + "logonSessions", "LogonSessionListReference", None))
        return versions, links

    def x_root(self):
        versions, links = self._root_parts()
        body = "".join('<SupportedVersion Name="%s">%s</SupportedVersion>' % (v, xml_links(lk)) for v, lk in versions)
        return ("<EnterpriseManager%s><SupportedVersions>%s</SupportedVersions>%s</EnterpriseManager>"
                % (NS, body, xml_links(links)))

    def j_root(self):
        versions, links = self._root_parts()
        body = ",".join('{"Name":"%s","Links":%s}' % (v, json_links(lk)) for v, lk in versions)
        return '{"SupportedVersions":{"SupportedVersions":[%s]},"Links":%s}' % (body, json_links(links))

    def _query_svc_links(self, ls):
        b = self.base
        links = [("Up", b + "logonSessions/" + ls.session_id, "LogonSession", None)]
        for qtype in ("BackupJobSession", "BackupTaskSession", "BackupServer", "Task"):
            links.append(("Down", b + "query?type=" + qtype + "&format=Entities&pageSize=100&page=1", "QueryResult",
                          qtype))
        return links

    def x_query_svc(self, ls):
        return ('<QuerySvc%s Type="QueryService" Href="%squerySvc">%s</QuerySvc>'
                % (NS, self.base, xml_links(self._query_svc_links(ls))))

    def j_query_svc(self, ls):
        return ('{"Links":%s,"Href":"%squerySvc","Type":"QueryService"}'
                % (json_links(self._query_svc_links(ls)), self.base))


# ---------------------------------------------------------------------- documents
def xml_doc(body):
    return XML_DECL + body


def x_collection(tag, parts):
    if not parts:
        return xml_doc("<%s%s />" % (tag, NS))
    return xml_doc("<%s%s>%s</%s>" % (tag, NS, "".join(parts), tag))


def j_collection(key, parts):
    return '{"%s":[%s]}' % (key, ",".join(parts))


def paging_links(make_href, page, pages):
    links = [("First", make_href(1), None, None)]
    if page > 1:
        links.append(("Previous", make_href(min(page - 1, pages)), None, None))
    if page < pages:
        links.append(("Next", make_href(page + 1), None, None))
    links.append(("Last", make_href(pages), None, None))
    return links


def x_query_result(entities_tag, parts, paging):
    """paging: (page, size, pages, links)."""
    page, size, pages, links = paging
    if entities_tag:
        inner = "<%s>%s</%s>" % (entities_tag, "".join(parts), entities_tag) if parts else "<%s />" % entities_tag
        body = "<Entities>" + inner + "</Entities>"
    else:
        body = "<Refs>" + "".join(parts) + "</Refs>" if parts else "<Refs />"
    return xml_doc('<QueryResult%s>%s<PagingInfo PageNum="%d" PageSize="%d" PagesCount="%d">%s</PagingInfo></QueryResult>'
                   % (NS, body, page, size, pages, xml_links(links)))


def j_query_result(entities_key, parts, paging):
    page, size, pages, links = paging
    items = "[" + ",".join(parts) + "]"
    if entities_key:
        refs, ents = "null", '{"%s":{"%s":%s}}' % (entities_key, entities_key, items)
    else:
        refs, ents = '{"Refs":%s}' % items, "null"
    return ('{"Refs":%s,"Entities":%s,"PagingInfo":{"Links":%s,"PageNum":%d,"PageSize":%d,"PagesCount":%d}}'
            % (refs, ents, json_links(links), page, size, pages))


def x_error(status, message):
    return xml_doc('<Error%s Message="%s" StatusCode="%d" />' % (NS, xa(message), status))


def j_error(status, message):
    return json.dumps({"FirstChanceExceptionMessage": None, "StackTrace": None, "Message": message,
                       "StatusCode": status}, ensure_ascii=False)
