# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The protection resources: /vmRestorePoints, /restorePoints, /repositories, /backups, /backupFiles,
/hierarchyRoots, /jobs/{ID}/includes, /reports/summary and the query types VmRestorePoint,
RestorePoint, ObjectInJob, Repository, Backup, BackupFile (docs/emulator.md, "Protection").

Every list and entity is read by any logged-on user (the Restore Operator too): nothing here acts.
The data (protection.Protection) is derived once, at the first request that needs it, from the
dataset as it was loaded; the sessions of jobs started through the API are merged in once they have
finished (``Protection.merge_session``), and /_emulator/reset derives it again.
"""

from .index import forget_index, register_list
from .protection import COMPRESS_RATIO, DEDUP_RATIO, FIELDS, LISTS, ensure, forget, protection_of, seq_key
from .render import NS, j_collection, json_links, jstr, x_collection, xa, xml_doc, xml_links, xt
from .timeutil import iso

QUERY_TYPES = frozenset(LISTS)
# query type whose QueryResult is <Resources><sInObjectJob> whatever the format (an EM 9.5 capture)
RESOURCE_QUERY_TYPES = frozenset(("ObjectInJob",))
PROTECTED_VMS_REPORT_LINK = "Workspace/ViewReport.aspx?definition=8a56d84f-1790-4f54-ab20-2e0bfdefa16b&ShowParams=1"
CAPACITY_PLANNING_REPORT_LINK = \
    "Workspace/ViewReport.aspx?definition=62221565-102c-4ec8-851b-d61c03d972d1&ShowParams=1"
PROXIES_PER_SERVER = 2
REPORTS = ("overview", "vms_overview", "job_statistics", "processed_vms", "repository")
_REPORT_TYPES = {"overview": "OverviewReportFrame", "vms_overview": "VmsOverviewReportFrame",
                 "job_statistics": "JobStatisticsReportFrame", "processed_vms": "ProcessedVmsReportFrame",
                 "repository": "RepositoryReportFrame"}

for _qtype in LISTS:
    def _provider(dataset, qtype=_qtype):
        prot = protection_of(dataset)
        return None if prot is None else (LISTS[qtype](prot), FIELDS[qtype], seq_key)
    register_list(_qtype, _provider)


class Raw(object):
    """A nested value given as ready XML and JSON text."""

    __slots__ = ("xml", "json")

    def __init__(self, xml, json):
        self.xml = xml
        self.json = json


def _x_value(value):
    if isinstance(value, Raw):
        return value.xml
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return xt(value)


def _j_value(value):
    if isinstance(value, Raw):
        return value.json
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return jstr(value)


GUEST_PROCESSING = Raw(
    "<VssSnapshotOptions><VssSnapshotMode>Disabled</VssSnapshotMode><IsCopyOnly>false</IsCopyOnly>"
    "</VssSnapshotOptions><WindowsGuestFSIndexingOptions><FileSystemIndexingMode>Disabled</FileSystemIndexingMode>"
    "<IncludedIndexingFolders /><ExcludedIndexingFolders /></WindowsGuestFSIndexingOptions>"
    "<LinuxGuestFSIndexingOptions><FileSystemIndexingMode>Disabled</FileSystemIndexingMode>"
    "<IncludedIndexingFolders /><ExcludedIndexingFolders /></LinuxGuestFSIndexingOptions>"
    "<SqlBackupOptions><TransactionLogsProcessing>OnlyOnSuccessJob</TransactionLogsProcessing>"
    "<BackupLogsFrequencyMin>15</BackupLogsFrequencyMin><UseDbBackupRetention>true</UseDbBackupRetention>"
    "<RetainDays>15</RetainDays></SqlBackupOptions>"
    "<WindowsCredentialsId>00000000-0000-0000-0000-000000000000</WindowsCredentialsId>"
    "<LinuxCredentialsId>00000000-0000-0000-0000-000000000000</LinuxCredentialsId>",
    '{"VssSnapshotOptions":{"VssSnapshotMode":"Disabled","IsCopyOnly":false},'
    '"WindowsGuestFSIndexingOptions":{"FileSystemIndexingMode":"Disabled","IncludedIndexingFolders":null,'
    '"ExcludedIndexingFolders":null},"LinuxGuestFSIndexingOptions":{"FileSystemIndexingMode":"Disabled",'
    '"IncludedIndexingFolders":null,"ExcludedIndexingFolders":null},"SqlBackupOptions":{'
    '"TransactionLogsProcessing":"OnlyOnSuccessJob","BackupLogsFrequencyMin":15,"UseDbBackupRetention":true,'
    '"RetainDays":15},"WindowsCredentialsId":"00000000-0000-0000-0000-000000000000",'
    '"LinuxCredentialsId":"00000000-0000-0000-0000-000000000000"}')


# --------------------------------------------------------------------------- kinds of entity
class Kind(object):
    """One entity type: its path under /api/, names, links and properties."""

    path = ""        # collection path under /api/
    type_name = ""   # entity Type, and the urn:veeam:<type_name>: of its UID
    list_tag = ""    # collection of entities
    what = ""        # for "... with ID "x" was not found."
    by_id = ""       # Protection attribute: {id: object}
    children = {}    # child path (lower case) -> (Kind name, function(object) -> list)

    def name(self, o):
        return o.name

    def server(self, o):
        raise NotImplementedError

    def ref_links(self, b, o):
        raise NotImplementedError

    def entity_links(self, b, o):
        raise NotImplementedError

    def props(self, o):
        raise NotImplementedError

    def up_server(self, b, o):
        srv = self.server(o)
        return ("Up", b + "backupServers/" + srv.id, "BackupServerReference", srv.name)

    # ------------------------------------------------------------------ representations
    def x_ref(self, b, o, tag="Ref", ns=""):
        return ('<%s%s Type="%sReference" Href="%s%s/%s" Name="%s" UID="urn:veeam:%s:%s">%s</%s>'
                % (tag, ns, self.type_name, b, self.path, o.id, xa(self.name(o)), self.type_name, o.id,
                   xml_links(self.ref_links(b, o)), tag))

    def j_ref(self, b, o):
        return ('{"Links":%s,"UID":"urn:veeam:%s:%s","Name":%s,"Href":"%s%s/%s","Type":"%sReference"}'
                % (json_links(self.ref_links(b, o)), self.type_name, o.id, jstr(self.name(o)), b, self.path, o.id,
                   self.type_name))

    def x_entity(self, b, o, ns=""):
        body = "".join("<%s>%s</%s>" % (k, _x_value(v), k) for k, v in self.props(o))
        return ('<%s%s Type="%s" Href="%s%s/%s?format=Entity" Name="%s" UID="urn:veeam:%s:%s">%s%s</%s>'
                % (self.type_name, ns, self.type_name, b, self.path, o.id, xa(self.name(o)), self.type_name, o.id,
                   xml_links(self.entity_links(b, o)), body, self.type_name))

    def j_entity(self, b, o):
        own = "".join('"%s":%s,' % (k, _j_value(v)) for k, v in self.props(o))
        return ('{%s"Name":%s,"UID":"urn:veeam:%s:%s","Links":%s,"Href":"%s%s/%s?format=Entity","Type":"%s"}'
                % (own, jstr(self.name(o)), self.type_name, o.id, json_links(self.entity_links(b, o)), b, self.path,
                   o.id, self.type_name))


class VmRestorePointKind(Kind):
    path, type_name, list_tag, what, by_id = ("vmRestorePoints", "VmRestorePoint", "VmRestorePoints",
                                              "VM restore point", "vm_point_by_id")

    def server(self, o):
        return o.rp.backup.job.server

    def _up_rp(self, b, o):
        return ("Up", b + "restorePoints/" + o.rp.id, "RestorePointReference", o.rp.name)

    def ref_links(self, b, o):
        return (self.up_server(b, o), self._up_rp(b, o),
                ("Alternate", b + self.path + "/" + o.id + "?format=Entity", self.type_name, o.name))

    def entity_links(self, b, o):
        href = b + self.path + "/" + o.id
        f = o.rp.file
        return (("Restore", href + "?action=restore", None, None), self.up_server(b, o), self._up_rp(b, o),
                ("Up", b + "backupFiles/" + f.id, "BackupFileReference", f.name),
                ("Alternate", href, "VmRestorePointReference", o.name),
                ("Down", href + "/mounts", "VmRestorePointMountList", None),
                ("Create", href + "/mounts", "VmRestorePointMount", None))

    def props(self, o):
        return (("CreationTimeUTC", iso(o.ctime)), ("Algorithm", o.algorithm), ("PointType", o.point_type),
                ("HierarchyObjRef", o.vm.ref))


class RestorePointKind(Kind):
    path, type_name, list_tag, what, by_id = ("restorePoints", "RestorePoint", "RestorePoints", "Restore point",
                                              "restore_point_by_id")
    children = {"vmrestorepoints": ("VmRestorePoint", lambda o: o.vm_points),
                "backupfiles": ("BackupFile", lambda o: [o.file])}

    def server(self, o):
        return o.backup.job.server

    def _up_backup(self, b, o):
        return ("Up", b + "backups/" + o.backup.id, "BackupReference", o.backup.name)

    def ref_links(self, b, o):
        href = b + self.path + "/" + o.id
        return (self.up_server(b, o), self._up_backup(b, o),
                ("Alternate", href + "?format=Entity", self.type_name, o.name),
                ("Down", href + "/vmRestorePoints", "VmRestorePointReferenceList", None))

    def entity_links(self, b, o):
        href = b + self.path + "/" + o.id
        return (self._up_backup(b, o), self.up_server(b, o), ("Alternate", href, "RestorePointReference", o.name),
                ("Down", href + "/vmRestorePoints", "VmRestorePointReferenceList", None),
                ("Down", href + "/backupFiles", "BackupFileReferenceList", None))

    def props(self, o):
        return (("BackupDateUTC", iso(o.ctime)),)


class RepositoryKind(Kind):
    path, type_name, list_tag, what, by_id = ("repositories", "Repository", "Repositories", "Repository",
                                              "repository_by_id")
    children = {"backups": ("Backup", lambda o: o.backups)}

    def server(self, o):
        return o.server

    def ref_links(self, b, o):
        href = b + self.path + "/" + o.id
        return (self.up_server(b, o), ("Alternate", href + "?format=Entity", self.type_name, o.name),
                ("Down", href + "/backups", "BackupReferenceList", None))

    def entity_links(self, b, o):
        href = b + self.path + "/" + o.id
        return (self.up_server(b, o), ("Alternate", href, "RepositoryReference", o.name),
                ("Down", href + "/backups", "BackupReferenceList", None),
                ("Down", href + "/replicas", "ReplicaReferenceList", None))

    def props(self, o):
        return (("Capacity", o.capacity), ("FreeSpace", o.free), ("Kind", o.kind))


class BackupKind(Kind):
    path, type_name, list_tag, what, by_id = ("backups", "Backup", "Backups", "Backup", "backup_by_id")
    children = {"restorepoints": ("RestorePoint", lambda o: o.points),
                "backupfiles": ("BackupFile", lambda o: [rp.file for rp in o.points])}

    def server(self, o):
        return o.job.server

    def _up_repo(self, b, o):
        return ("Up", b + "repositories/" + o.repository.id, "RepositoryReference", o.repository.name)

    def ref_links(self, b, o):
        href = b + self.path + "/" + o.id
        return (self.up_server(b, o), self._up_repo(b, o), ("Alternate", href + "?format=Entity", self.type_name, o.name),
                ("Down", href + "/restorePoints", "RestorePointReferenceList", None))

    def entity_links(self, b, o):
        href = b + self.path + "/" + o.id
        return (self.up_server(b, o), self._up_repo(b, o), ("Alternate", href, "BackupReference", o.name),
                ("Down", href + "/restorePoints", "RestorePointReferenceList", None),
                ("Down", href + "/backupFiles", "BackupFileReferenceList", None))

    def props(self, o):
        return (("Platform", o.platform),)


class BackupFileKind(Kind):
    path, type_name, list_tag, what, by_id = ("backupFiles", "BackupFile", "BackupFiles", "Backup file",
                                              "backup_file_by_id")
    children = {"vmrestorepoints": ("VmRestorePoint", lambda o: o.rp.vm_points),
                "restorepoints": ("RestorePoint", lambda o: [o.rp])}

    def server(self, o):
        return o.rp.backup.job.server

    def _up_backup(self, b, o):
        return ("Up", b + "backups/" + o.rp.backup.id, "BackupReference", o.rp.backup.name)

    def ref_links(self, b, o):
        return (self.up_server(b, o), self._up_backup(b, o),
                ("Alternate", b + self.path + "/" + o.id + "?format=Entity", self.type_name, o.name))

    def entity_links(self, b, o):
        href = b + self.path + "/" + o.id
        return (self._up_backup(b, o), self.up_server(b, o), ("Alternate", href, "BackupFileReference", o.name),
                ("Down", href + "/restorePoints", "RestorePointReferenceList", None),
                ("Down", href + "/vmRestorePoints", "VmRestorePointReferenceList", None))

    def props(self, o):
        return (("FilePath", o.path), ("BackupSize", o.backup_size), ("DataSize", o.data_size),
                ("DeduplicationRatio", DEDUP_RATIO), ("CompressRatio", COMPRESS_RATIO),
                ("CreationTimeUtc", iso(o.ctime)), ("FileType", o.file_type))


class HierarchyRootKind(Kind):
    path, type_name, list_tag, what, by_id = ("hierarchyRoots", "HierarchyRoot", "HierarchyRoots",
                                              "Hierarchy root", "root_by_id")

    def server(self, o):
        return o.server

    def ref_links(self, b, o):
        return (self.up_server(b, o),
                ("Alternate", b + self.path + "/" + o.id + "?format=Entity", self.type_name, o.name))

    def entity_links(self, b, o):
        return (self.up_server(b, o), ("Alternate", b + self.path + "/" + o.id, "HierarchyRootReference", o.name),
                ("Related", b + "managedServers/" + o.id + "?format=Entity", "ManagedServer", o.name))

    def props(self, o):
        return (("HierarchyRootId", o.id), ("UniqueId", o.unique_id), ("HostType", o.host_type))


KINDS = {
    "vmrestorepoints": VmRestorePointKind(), "restorepoints": RestorePointKind(),
    "repositories": RepositoryKind(), "backups": BackupKind(), "backupfiles": BackupFileKind(),
    "hierarchyroots": HierarchyRootKind(),
}
KIND_OF_QUERY = {"VmRestorePoint": KINDS["vmrestorepoints"], "RestorePoint": KINDS["restorepoints"],
                 "Repository": KINDS["repositories"], "Backup": KINDS["backups"], "BackupFile": KINDS["backupfiles"]}
_LIST_OF_KIND = {"vmrestorepoints": "vm_points", "restorepoints": "restore_points", "repositories": "repositories",
                 "backups": "backups", "backupfiles": "backup_files", "hierarchyroots": "roots"}
COLLECTIONS_WITH_ID = frozenset(KINDS)


# --------------------------------------------------------------------------- ObjectInJob
def include_href(b, inc):
    return "%sjobs/%s/includes/%s" % (b, inc.job.id, inc.id)


def _include_links(b, inc):
    job = inc.job
    return (("Delete", include_href(b, inc), None, None),
            ("Up", b + "jobs/" + job.id + "?format=Entity", "Job", job.name))


def _include_props(inc):
    return (("ObjectInJobId", inc.id), ("HierarchyObjRef", inc.ref), ("Name", inc.name), ("DisplayName", inc.name),
            ("Order", inc.order), ("GuestProcessingOptions", GUEST_PROCESSING))


def x_include(b, inc, ns=""):
    body = "".join("<%s>%s</%s>" % (k, _x_value(v), k) for k, v in _include_props(inc))
    return ('<ObjectInJob%s Type="ObjectInJob" Href="%s">%s%s</ObjectInJob>'
            % (ns, include_href(b, inc), xml_links(_include_links(b, inc)), body))


def j_include(b, inc):
    own = "".join('"%s":%s,' % (k, _j_value(v)) for k, v in _include_props(inc))
    return '{%s"Links":%s,"Href":%s,"Type":"ObjectInJob"}' % (own, json_links(_include_links(b, inc)),
                                                              jstr(include_href(b, inc)))


def x_resources_result(parts, paging):
    """The QueryResult of type=ObjectInJob: <Resources><sInObjectJob>, as an EM 9.5 answers (any format)."""
    page, size, pages, links = paging
    inner = "<sInObjectJob>%s</sInObjectJob>" % "".join(parts) if parts else "<sInObjectJob />"
    return xml_doc('<QueryResult%s><Resources>%s</Resources><PagingInfo PageNum="%d" PageSize="%d" '
                   'PagesCount="%d">%s</PagingInfo></QueryResult>' % (NS, inner, page, size, pages, xml_links(links)))


def j_resources_result(parts, paging):
    page, size, pages, links = paging
    return ('{"Refs":null,"Entities":null,"Resources":{"sInObjectJob":{"ObjectsInJob":[%s]}},'
            '"PagingInfo":{"Links":%s,"PageNum":%d,"PageSize":%d,"PagesCount":%d}}'
            % (",".join(parts), json_links(links), page, size, pages))


# --------------------------------------------------------------------------- the service
class ProtectionError(Exception):
    def __init__(self, status, message):
        Exception.__init__(self, message)
        self.status = status
        self.message = message
        self.headers = []


def repository_dict(repo):
    return {"id": repo.id, "name": repo.name, "capacity": repo.capacity, "free": repo.free, "pinned": repo.pinned}


class ProtectionService(object):
    """The protection routes of one application (``app``: server.EmulatorApp)."""

    def __init__(self, app):
        self.app = app

    def data(self):
        """The Protection, derived once from the loaded dataset (sessions started at run time excluded)."""
        prot = protection_of(self.app.data)
        added = self.app.jobs.added
        if prot is None or any(s.state == "Stopped" and id(s) not in prot.merged for s in added):
            # data_lock only (an RLock that the query service already holds): one lock, no lock-order deadlock
            with self.app.data_lock:
                prot = ensure(self.app.data, exclude=list(added))
                for s in added:  # sessions of started jobs, once finished
                    if s.state == "Stopped" and id(s) not in prot.merged:
                        prot.merge_session(s)
                        for qtype in LISTS:
                            forget_index(self.app.data, qtype)
        return prot

    def set_repository(self, ident, free, capacity=None):
        """``POST /_emulator/repository``: a repository's sizes set (see Protection.set_repository_size); its
        entity, query answers and the repository report show them at once. Returns the repository as a dict."""
        with self.app.data_lock:
            repo = self.data().set_repository_size(ident, free, capacity)
            forget_index(self.app.data, "Repository")
            self.app.bump(indexed=True)
            return repository_dict(repo)

    def repositories(self):
        """``GET /_emulator/repository``: every repository's sizes."""
        with self.app.data_lock:
            return [repository_dict(r) for r in self.data().repositories]

    def reset(self):
        """The started sessions are gone (/_emulator/reset): derive again from the dataset when next needed."""
        with self.app.data_lock:
            forget(self.app.data)

    # ------------------------------------------------------------------ routing
    def route(self, parts, low, req):
        """(allowed methods, callable) for a protection path, or None; the callable runs under the data lock
        (a started job's session may be merged in by another request meanwhile)."""
        found = self._find(parts, low, req)
        if found is None:
            return None
        methods, func = found
        lock = self.app.data_lock

        def locked():
            with lock:
                return func()
        return methods, locked

    def _find(self, parts, low, req):
        n = len(low)
        head = low[0]
        if head in KINDS:
            kind = KINDS[head]
            if n == 1:
                return ("GET",), lambda: self.r_list(req, kind)
            if n == 2:
                return ("GET",), lambda: self.r_one(req, kind, parts[1].lower())
            if n == 3 and low[2] in kind.children:
                return ("GET",), lambda: self.r_children(req, kind, parts[1].lower(), low[2])
            return None
        if head == "jobs" and n in (3, 4) and low[2] == "includes":
            # POST (add a VM) and DELETE (remove it) are documented: not emulated (501), like job edits
            if n == 3:
                return ("GET", "POST"), self._get_only(req, lambda: self.r_includes(req, parts[1].lower()))
            return ("GET", "DELETE"), self._get_only(
                req, lambda: self.r_include(req, parts[1].lower(), parts[3].lower()))
        if head == "backupservers" and n == 3 and low[2] == "repositories":
            return ("GET",), lambda: self.r_server_repositories(req, parts[1].lower())
        if head == "reports" and n >= 2 and low[1] == "summary":
            if n == 2:
                return ("GET",), lambda: self.r_summary(req)
            if n == 3 and low[2] in ("overview", "vms_overview", "repository"):
                return ("GET",), lambda: self.r_report(req, low[2])
        return None

    @staticmethod
    def _get_only(req, func):
        def route():
            if req.method != "GET":
                raise ProtectionError(501, "%s %s is not emulated: the job's includes do not change."
                                      % (req.method, req.path))
            return func()
        return route

    # ------------------------------------------------------------------ lists and entities
    def _send_list(self, req, kind, items):
        entity = self.app.entity_format(req)
        b = req.base
        if entity:
            return self.app.ok(req, lambda: x_collection(kind.list_tag, [kind.x_entity(b, o) for o in items]),
                               lambda: j_collection(kind.list_tag, [kind.j_entity(b, o) for o in items]))
        return self.app.ok(req, lambda: x_collection("EntityReferences", [kind.x_ref(b, o) for o in items]),
                           lambda: j_collection("Refs", [kind.j_ref(b, o) for o in items]))

    def _lookup(self, kind, ident):
        obj = getattr(self.data(), kind.by_id).get(ident)
        if obj is None:
            raise ProtectionError(404, '%s with ID "%s" was not found.' % (kind.what, ident))
        return obj

    def r_list(self, req, kind):
        items = getattr(self.data(), _LIST_OF_KIND[kind.path.lower()])
        entity = self.app.entity_format(req)
        key = ("protection-list", kind.path, entity, req.json, req.base, self.app.version)

        def build():
            resp = self._send_list(req, kind, items)
            return resp
        resp = self.app.cached(key, build)
        return resp

    def r_one(self, req, kind, ident):
        obj = self._lookup(kind, ident)
        entity = self.app.entity_format(req)
        b = req.base
        if entity:
            return self.app.ok(req, lambda: xml_doc(kind.x_entity(b, obj, NS)), lambda: kind.j_entity(b, obj))
        return self.app.ok(req, lambda: xml_doc(kind.x_ref(b, obj, "EntityRef", NS)), lambda: kind.j_ref(b, obj))

    def r_children(self, req, kind, ident, child):
        obj = self._lookup(kind, ident)
        child_kind, items = kind.children[child]
        return self._send_list(req, KIND_OF_QUERY[child_kind], items(obj))

    def r_server_repositories(self, req, ident):
        srv = self.app.data.server_by_id.get(ident)
        if srv is None:
            raise ProtectionError(404, 'Backup server with ID "%s" was not found.' % ident)
        return self._send_list(req, KINDS["repositories"], [r for r in self.data().repositories if r.server is srv])

    # ------------------------------------------------------------------ includes
    def _job(self, ident):
        return self.app.jobs.job(ident)  # 404 for unknown IDs and for types that are not job resources

    def r_includes(self, req, job_id):
        job = self._job(job_id)
        items = self.data().includes_by_job.get(job.id, ())
        b = req.base
        return self.app.ok(req, lambda: x_collection("ObjectsInJob", [x_include(b, i) for i in items]),
                           lambda: j_collection("ObjectsInJob", [j_include(b, i) for i in items]))

    def r_include(self, req, job_id, ident):
        job = self._job(job_id)
        inc = self.data().include_by_id.get(ident)
        if inc is None or inc.job is not job:
            raise ProtectionError(404, 'Object in job with ID "%s" was not found in job "%s".' % (ident, job.name))
        b = req.base
        return self.app.ok(req, lambda: xml_doc(x_include(b, inc, NS)), lambda: j_include(b, inc))

    # ------------------------------------------------------------------ query service
    def query_parts(self, req, qtype, entity):
        """(source, x_one, j_one, entities tag) of a query of a protection type."""
        prot = self.data()
        source = LISTS[qtype](prot)
        b = req.base
        if qtype in RESOURCE_QUERY_TYPES:
            return source, lambda i: x_include(b, i), lambda i: j_include(b, i), None
        kind = KIND_OF_QUERY[qtype]
        if entity:
            return source, lambda o: kind.x_entity(b, o), lambda o: kind.j_entity(b, o), kind.list_tag
        return source, lambda o: kind.x_ref(b, o), lambda o: kind.j_ref(b, o), None

    # ------------------------------------------------------------------ reports
    def r_summary(self, req):
        b = req.base + "reports/summary"
        links = [("Down", b + "/" + name, _REPORT_TYPES[name], None) for name in REPORTS]
        return self.app.ok(req, lambda: xml_doc('<SummaryReport%s Type="Report" Href="%s">%s</SummaryReport>'
                                                % (NS, b, xml_links(links))),
                           lambda: '{"Links":%s,"Href":%s,"Type":"Report"}' % (json_links(links), jstr(b)))

    def r_report(self, req, name):
        key = ("protection-report", name, req.json, self.app.version)

        def build():
            if name == "overview":
                tag, values = "OverviewReportFrame", self.overview()
            elif name == "vms_overview":
                tag, values = "VmsOverviewReportFrame", self.vms_overview()
            else:
                return self._repository_report(req)
            return self.app.ok(req, lambda: xml_doc("<%s%s>%s</%s>" % (tag, NS, "".join(
                "<%s>%s</%s>" % (k, _x_value(v), k) for k, v in values), tag)),
                lambda: "{%s}" % ",".join('"%s":%s' % (k, _j_value(v)) for k, v in values))
        return self.app.cached(key, build)

    def _repository_report(self, req):
        periods = self.repository_periods()
        link = CAPACITY_PLANNING_REPORT_LINK

        def x_body():
            inner = "".join("<Period><Name>%s</Name><Capacity>%d</Capacity><FreeSpace>%d</FreeSpace>"
                            "<BackupSize>%d</BackupSize></Period>" % (xt(n), c, f, s) for n, c, f, s in periods)
            return xml_doc('<RepositoryReportFrame%s CapacityPlanningReportLink="%s">%s</RepositoryReportFrame>'
                           % (NS, xa(link), inner))

        def j_body():
            items = ",".join('{"Name":%s,"Capacity":%d,"FreeSpace":%d,"BackupSize":%d}' % (jstr(n), c, f, s)
                             for n, c, f, s in periods)
            return '{"Period":[%s],"CapacityPlanningReportLink":%s}' % (items, jstr(link))
        return self.app.ok(req, x_body, j_body)

    def repository_periods(self):
        out = []
        for repo in self.data().repositories:
            out.append((repo.name, repo.capacity, repo.free, repo.used))
        return out

    def overview(self):
        data = self.app.data
        prot = self.data()
        with self.app.data_lock:
            running = set(s.job.id for s in data.sessions if s.state != "Stopped")
            scheduled = sum(1 for j in data.jobs if j.state is not None and j.state.schedule_configured
                            and j.state.schedule_enabled)
            states = list(prot.latest_states().values())
        return (("BackupServers", len(data.servers)), ("ProxyServers", PROXIES_PER_SERVER * len(data.servers)),
                ("RepositoryServers", len(prot.repositories)), ("RunningJobs", len(running)),
                ("ScheduledJobs", scheduled), ("SuccessfulVmLastestStates", states.count("Success")),
                ("WarningVmLastestStates", states.count("Warning")), ("FailedVmLastestStates", states.count("Failed")))

    def vms_overview(self):
        prot = self.data()
        latest = {}
        for p in prot.vm_points:  # query order: the newest point of each VM wins
            latest[p.vm] = p
        full = sum(f.backup_size for f in prot.backup_files if f.rp.full)
        incremental = sum(f.backup_size for f in prot.backup_files if not f.rp.full)
        with self.app.data_lock:
            states = list(prot.latest_states().values())
        good = sum(1 for s in states if s in ("Success", "Warning"))
        percent = int(round(100.0 * good / len(states))) if states else 100
        return (("ProtectedVms", len(latest)), ("BackedUpVms", len(latest)), ("ReplicatedVms", 0),
                ("RestorePoints", len(prot.vm_points)), ("FullBackupPointsSize", full),
                ("IncrementalBackupPointsSize", incremental), ("ReplicaRestorePointsSize", 0),
                ("SourceVmsSize", sum(p.task.total_size for p in latest.values())),
                ("SuccessBackupPercents", percent), ("ProtectedVmsReportLink", PROTECTED_VMS_REPORT_LINK))
