# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The protection side: restore points, VM restore points, repositories, backups, backup files, job
includes, hierarchy roots and summary reports (docs/emulator.md, "Protection")."""

from urllib.parse import quote

import pytest

from emutest import NOW, NS, OPERATOR, find, findall, links
from em_emulator.dataset import generate, task_restore_point
from em_emulator.protection import RETENTION_POINTS, ensure
from em_emulator.timeutil import iso, name_time, parse_iso

NOW_TS = int(parse_iso(NOW))
ORACLE = "da4a15c2-04e7-4135-b876-577249d3d720"
ORA01_INCLUDE = "83071dc0-44f2-49b6-b431-1cb79ed66639"  # the get_jobs_id_includes_id page's example
FINANCE = "Finance Backup"
DOC_REPOSITORY = "bffeb9f5-1bdd-4bbd-9299-6fcb7c37bdf6"


@pytest.fixture(scope="module")
def pemu(start):
    """An emulator of its own (no job started, no session stopped by other tests)."""
    return start("--http", "--seed", "42")


@pytest.fixture()
def admin(pemu):
    return pemu.client()


def expected_chains(data):
    """{(job id, VM): task sessions that keep a point, oldest first}, straight from the session data."""
    chains = {}
    for t in data.task_sessions:
        s = t.session
        if s.job.job_type == "Backup" and t.state == "Completed" and t.result in ("Success", "Warning") \
                and t.vrp_id is not None:
            chains.setdefault((s.job.id, t.vm), []).append(t)
    return dict((k, v[-RETENTION_POINTS:]) for k, v in chains.items())


def uid(item):
    return item["UID"].rsplit(":", 1)[1]


def vrps(client, flt, **params):
    """JSON entities of a VmRestorePoint query (one page)."""
    extra = "".join("&%s=%s" % kv for kv in params.items())
    body = client.json("query?type=VmRestorePoint&format=Entities&filter=" + quote(flt, safe="=;,()<>!\"") + extra)
    return body["Entities"]["VmRestorePoints"]["VmRestorePoints"]


# --------------------------------------------------------------------------- shapes
def test_vm_restore_point_entity_as_the_page_shows(admin, pemu):
    data = pemu.app.data
    t = expected_chains(data)[(ORACLE, "ora02")][-1]
    vrp_id = task_restore_point(t)[0]
    b = pemu.url
    ent = admin.xml("vmRestorePoints/%s?format=Entity" % vrp_id)
    assert ent.tag == NS + "VmRestorePoint" and ent.get("Type") == "VmRestorePoint"
    assert ent.get("Name") == "ora02@" + name_time(t.etime)  # the VM name is in the point's Name
    assert ent.get("UID") == "urn:veeam:VmRestorePoint:" + vrp_id
    assert ent.get("Href") == b + "vmRestorePoints/%s?format=Entity" % vrp_id
    assert [child.tag for child in ent] == [NS + x for x in ("Links", "CreationTimeUTC", "Algorithm", "PointType",
                                                             "HierarchyObjRef")]
    assert find(ent, "CreationTimeUTC").text == iso(t.etime)
    assert find(ent, "HierarchyObjRef").text.startswith("urn:VMware:Vm:")
    rels = [(rel, ltype) for rel, ltype, _h, _n in links(ent)]
    assert rels == [("Restore", None), ("Up", "BackupServerReference"), ("Up", "RestorePointReference"),
                    ("Up", "BackupFileReference"), ("Alternate", "VmRestorePointReference"),
                    ("Down", "VmRestorePointMountList"), ("Create", "VmRestorePointMount")]
    assert links(ent)[1][3] == "srv02.tech.local"
    ref = admin.xml("vmRestorePoints/" + vrp_id)
    assert ref.tag == NS + "EntityRef" and ref.get("Type") == "VmRestorePointReference"
    js = admin.json("vmRestorePoints/%s?format=Entity" % vrp_id)
    assert list(js) == ["CreationTimeUTC", "Algorithm", "PointType", "HierarchyObjRef", "Name", "UID", "Links",
                        "Href", "Type"]
    assert js["HierarchyObjRef"] == find(ent, "HierarchyObjRef").text


def test_task_session_related_link_leads_to_its_point(admin, pemu):
    t = expected_chains(pemu.app.data)[("2851cb88-37b6-46ea-b2c8-47b55270169d", "crm01")][-1]  # CRM Backup
    ent = admin.xml("backupTaskSessions/%s?format=Entity" % t.id)
    related = [h for rel, _t, h, _n in links(ent) if rel == "Related"]
    assert len(related) == 1
    point = admin.xml(related[0])
    assert point.get("Name") == "crm01@" + name_time(t.etime)


def test_restore_points_and_their_vm_points(admin, pemu):
    root = admin.xml("restorePoints")
    assert root.tag == NS + "EntityReferences"
    refs = findall(root, "Ref")
    assert refs and all(r.get("Type") == "RestorePointReference" for r in refs)
    rp_id = refs[-1].get("UID").rsplit(":", 1)[1]
    ent = admin.xml("restorePoints/%s?format=Entity" % rp_id)
    assert ent.tag == NS + "RestorePoint"
    assert [child.tag for child in ent] == [NS + "Links", NS + "BackupDateUTC"]  # "UTC" in capitals here
    assert [(rel, lt) for rel, lt, _h, _n in links(ent)] == [
        ("Up", "BackupReference"), ("Up", "BackupServerReference"), ("Alternate", "RestorePointReference"),
        ("Down", "VmRestorePointReferenceList"), ("Down", "BackupFileReferenceList")]
    inner = admin.xml("restorePoints/%s/vmRestorePoints" % rp_id)
    assert inner.tag == NS + "EntityReferences"
    names = [r.get("Name") for r in findall(inner, "Ref")]
    assert names and all("@" in n for n in names)
    ents = admin.xml("restorePoints/%s/vmRestorePoints?format=Entity" % rp_id)
    for vrp in findall(ents, "VmRestorePoint"):
        assert [lk[2] for lk in links(vrp) if lk[1] == "RestorePointReference"] == [pemu.url + "restorePoints/" + rp_id]
    js = admin.json("restorePoints/%s?format=Entity" % rp_id)
    assert list(js) == ["BackupDateUTC", "Name", "UID", "Links", "Href", "Type"]
    assert admin.json("restorePoints")["Refs"][0]["Type"] == "RestorePointReference"


def test_backup_files_keep_their_casing(admin):
    body = admin.xml("query?type=BackupFile&format=Entities&filter=" + quote('BackupName=="Oracle Backup";FileType==vbk'))
    files = findall(body, "Entities/BackupFiles/BackupFile")
    assert files
    for f in files:
        assert [c.tag for c in f] == [NS + x for x in ("Links", "FilePath", "BackupSize", "DataSize",
                                                       "DeduplicationRatio", "CompressRatio", "CreationTimeUtc",
                                                       "FileType")]
        assert find(f, "FileType").text == "vbk" and f.get("Name").startswith("Oracle BackupD")
        assert f.get("Name").endswith(".vbk")
    js = admin.json("query?type=BackupFile&format=Entities&pageSize=1")
    assert "CreationTimeUtc" in js["Entities"]["BackupFiles"]["BackupFiles"][0]
    first = admin.json("query?type=BackupFile&format=Entities&sortAsc=CreationTimeUTC&pageSize=1")
    last = admin.json("query?type=BackupFile&format=Entities&sortDesc=CreationTimeUTC&pageSize=1")
    assert first["Entities"]["BackupFiles"]["BackupFiles"][0]["CreationTimeUtc"] < \
        last["Entities"]["BackupFiles"]["BackupFiles"][0]["CreationTimeUtc"]


def test_repositories(admin, pemu):
    root = admin.xml("repositories")
    refs = findall(root, "Ref")
    assert len(refs) == 4 and all(r.get("Type") == "RepositoryReference" for r in refs)
    ent = admin.xml("repositories/%s?format=Entity" % DOC_REPOSITORY)
    assert ent.get("Name") == "Backup Volume 01"
    assert [c.tag for c in ent] == [NS + x for x in ("Links", "Capacity", "FreeSpace", "Kind")]
    assert [(rel, lt) for rel, lt, _h, _n in links(ent)] == [
        ("Up", "BackupServerReference"), ("Alternate", "RepositoryReference"), ("Down", "BackupReferenceList"),
        ("Down", "ReplicaReferenceList")]
    assert find(ent, "Kind").text == "WindowsLocal"
    js = admin.json("repositories?format=Entity")["Repositories"]
    assert [list(r)[:3] for r in js] == [["Capacity", "FreeSpace", "Kind"]] * 4
    backups = admin.xml("repositories/%s/backups" % DOC_REPOSITORY)
    assert "Fileserver Backup" in [r.get("Name") for r in findall(backups, "Ref")]
    srv = admin.xml("backupServers/ce15a8c7-aa49-495e-b05b-ee3398c91018/repositories")
    assert sorted(r.get("Name") for r in findall(srv, "Ref")) == ["Backup Volume 01", "Linux Hardened Repository"]


def test_three_kinds_of_repository(admin):
    repos = dict((r["Name"], r) for r in admin.json("repositories?format=Entity")["Repositories"])
    roomy = repos["Backup Volume 01"]
    assert roomy["FreeSpace"] > roomy["Capacity"] * 0.5
    full = repos["Linux Hardened Repository"]
    assert 0 < full["FreeSpace"] < full["Capacity"] * 0.05
    cloud = repos["Scale-out Object Storage"]
    assert (cloud["Capacity"], cloud["FreeSpace"], cloud["Kind"]) == (-1, -1, "Extendable")
    # EM's "unknown" is a number: FreeSpace<100 GB (the query page's example) finds the object storage
    low = admin.json("query?type=Repository&format=Entities&filter=FreeSpace<107374182400")
    assert [r["Name"] for r in low["Entities"]["Repositories"]["Repositories"]] == ["Scale-out Object Storage"]
    sized = admin.json("query?type=Repository&filter=Capacity>0;FreeSpace>=0&sortAsc=Name")["Refs"]["Refs"]
    assert [r["Name"] for r in sized] == ["Backup Share 02", "Backup Volume 01", "Linux Hardened Repository"]


def test_job_includes_as_the_pages_show(admin, pemu):
    root = admin.xml("jobs/%s/includes" % ORACLE)
    assert root.tag == NS + "ObjectsInJob"
    objs = findall(root, "ObjectInJob")
    assert [find(o, "Name").text for o in objs] == ["ora01", "ora02"]
    first = objs[0]
    assert first.get("Href") == pemu.url + "jobs/%s/includes/%s" % (ORACLE, ORA01_INCLUDE)
    assert first.get("Type") == "ObjectInJob" and first.get("Name") is None and first.get("UID") is None
    assert [c.tag for c in first] == [NS + x for x in ("Links", "ObjectInJobId", "HierarchyObjRef", "Name",
                                                       "DisplayName", "Order", "GuestProcessingOptions")]
    assert find(first, "ObjectInJobId").text == ORA01_INCLUDE and find(first, "Order").text == "1"
    assert find(first, "HierarchyObjRef").text.startswith("urn:VMware:Vm:")
    assert [(rel, lt, n) for rel, lt, _h, n in links(first)] == [("Delete", None, None), ("Up", "Job", "Oracle Backup")]
    one = admin.xml("jobs/%s/includes/%s" % (ORACLE, ORA01_INCLUDE))
    assert one.tag == NS + "ObjectInJob" and find(one, "DisplayName").text == "ora01"
    js = admin.json("jobs/%s/includes" % ORACLE)
    assert [o["Name"] for o in js["ObjectsInJob"]] == ["ora01", "ora02"]
    assert list(js["ObjectsInJob"][0])[:6] == ["ObjectInJobId", "HierarchyObjRef", "Name", "DisplayName", "Order",
                                               "GuestProcessingOptions"]
    # the same VM has the same HierarchyObjRef in the job and in its restore points
    points = vrps(admin, "VmDisplayName==ora01")
    assert points and {p["HierarchyObjRef"] for p in points} == {find(first, "HierarchyObjRef").text}


def test_object_in_job_query_answers_resources_whatever_the_format(admin, pemu):
    flt = quote('JobName=="Oracle Backup";Name==ora01')
    for fmt in ("", "&format=Entities", "&format=References"):
        root = admin.xml("query?type=ObjectInJob&filter=%s%s" % (flt, fmt))
        assert [c.tag for c in root] == [NS + "Resources", NS + "PagingInfo"]
        objs = findall(root, "Resources/sInObjectJob/ObjectInJob")
        assert [find(o, "ObjectInJobId").text for o in objs] == [ORA01_INCLUDE]
    js = admin.json("query?type=ObjectInJob&format=Entities&filter=" + flt)
    assert js["Refs"] is None and js["Entities"] is None
    assert [o["ObjectInJobId"] for o in js["Resources"]["sInObjectJob"]["ObjectsInJob"]] == [ORA01_INCLUDE]
    every = admin.json("query?type=ObjectInJob")["Resources"]["sInObjectJob"]["ObjectsInJob"]
    expected = sum(len(j.vms) for j in pemu.app.data.jobs if j.job_type == "Backup") + 1  # + the folder
    assert len(every) == expected


def test_a_folder_is_included_somewhere(admin):
    got = admin.json("query?type=ObjectInJob&filter=" + quote('Name=="Finance Archive"'))
    objs = got["Resources"]["sInObjectJob"]["ObjectsInJob"]
    assert len(objs) == 1 and objs[0]["HierarchyObjRef"].startswith("urn:VMware:Folder:")
    assert [lk["Name"] for lk in objs[0]["Links"] if lk["Rel"] == "Up"] == [FINANCE]


def test_backup_query(admin):
    got = admin.json("query?type=Backup&format=Entities&filter=" + quote('JobName=="Oracle Backup"'))
    backups = got["Entities"]["Backups"]["Backups"]
    assert [b["Name"] for b in backups] == ["Oracle Backup"] and backups[0]["Platform"] == "VMware"
    on_cloud = admin.json("query?type=Backup&filter=" + quote('RepositoryName=="Scale-out Object Storage"'))
    assert "CRM Backup" in [b["Name"] for b in on_cloud["Refs"]["Refs"]]


def test_hierarchy_roots(admin):
    root = admin.xml("hierarchyRoots")
    refs = findall(root, "Ref")
    assert refs and all(r.get("Type") == "HierarchyRootReference" for r in refs)
    vc = [r for r in refs if r.get("Name") == "vcsa01.tech.local"][0]
    ent = admin.xml("hierarchyRoots/%s?format=Entity" % vc.get("UID").rsplit(":", 1)[1])
    assert [c.tag for c in ent] == [NS + x for x in ("Links", "HierarchyRootId", "UniqueId", "HostType")]
    assert find(ent, "HostType").text == "VC"
    ora = admin.json("jobs/%s/includes" % ORACLE)["ObjectsInJob"][0]
    assert ora["HierarchyObjRef"].startswith("urn:VMware:Vm:%s." % find(ent, "HierarchyRootId").text)


def test_reports(admin, pemu):
    summary = admin.xml("reports/summary")
    assert summary.tag == NS + "SummaryReport"
    assert pemu.url + "reports/summary/vms_overview" in [lk[2] for lk in links(summary)]
    ov = admin.xml("reports/summary/overview")
    assert [c.tag for c in ov] == [NS + x for x in (
        "BackupServers", "ProxyServers", "RepositoryServers", "RunningJobs", "ScheduledJobs",
        "SuccessfulVmLastestStates", "WarningVmLastestStates", "FailedVmLastestStates")]
    assert find(ov, "BackupServers").text == "2"
    assert int(find(ov, "FailedVmLastestStates").text) >= 2  # fin-db01 and fin-new01
    vms = admin.json("reports/summary/vms_overview")
    assert list(vms) == ["ProtectedVms", "BackedUpVms", "ReplicatedVms", "RestorePoints", "FullBackupPointsSize",
                         "IncrementalBackupPointsSize", "ReplicaRestorePointsSize", "SourceVmsSize",
                         "SuccessBackupPercents", "ProtectedVmsReportLink"]
    total = admin.json("query?type=VmRestorePoint")["PagingInfo"]["PageSize"]
    assert vms["RestorePoints"] == total
    repo = admin.xml("reports/summary/repository")
    assert repo.tag == NS + "RepositoryReportFrame" and repo.get("CapacityPlanningReportLink")
    periods = findall(repo, "Period")
    assert [find(p, "Name").text for p in periods][3] == "Scale-out Object Storage"
    assert (find(periods[3], "Capacity").text, find(periods[3], "FreeSpace").text) == ("-1", "-1")


# --------------------------------------------------------------------------- query service
def test_vm_restore_point_query_the_pages_example(admin, pemu):
    chain = expected_chains(pemu.app.data)[("2851cb88-37b6-46ea-b2c8-47b55270169d", "dbserver01")]
    expected = [task_restore_point(t)[0] for t in reversed(chain)][:3]
    root = admin.xml("query?type=VmRestorePoint&format=Entities&sortDesc=CreationTime&pageSize=3&page=1"
                     "&filter=VmDisplayName==dbserver01")
    got = findall(root, "Entities/VmRestorePoints/VmRestorePoint")
    assert [e.get("UID").rsplit(":", 1)[1] for e in got] == expected
    paging = find(root, "PagingInfo")
    assert paging.get("PageSize") == "3" and int(paging.get("PagesCount")) == -(-len(chain) // 3)


def test_filters_sort_and_paging(admin, pemu):
    chains = expected_chains(pemu.app.data)
    points = [t for chain in chains.values() for t in chain]
    cut = NOW_TS - 3 * 86400

    def expect(pred):
        return sorted(task_restore_point(t)[0] for t in points if pred(t))
    since = iso(cut)
    assert sorted(uid(p) for p in vrps(admin, "CreationTime>=" + since)) == expect(lambda t: t.etime >= cut)
    assert sorted(uid(p) for p in vrps(admin, "CreationTime<=" + since)) == expect(lambda t: t.etime <= cut)
    got = vrps(admin, "VmDisplayName==crm01,VmDisplayName==ora01;CreationTime>=" + since)  # AND binds tighter
    assert sorted(uid(p) for p in got) == expect(lambda t: t.vm == "crm01" or (t.vm == "ora01" and t.etime >= cut))
    got = vrps(admin, "(VmDisplayName==crm01,VmDisplayName==ora01);CreationTime>=" + since)
    assert sorted(uid(p) for p in got) == expect(lambda t: t.vm in ("crm01", "ora01") and t.etime >= cut)
    got = vrps(admin, "BackupServerName==appsrv01.tech.local;VmDisplayName!=crm01")
    assert sorted(uid(p) for p in got) == expect(lambda t: t.session.job.server.name == "appsrv01.tech.local"
                                                 and t.vm != "crm01")
    names = [p["Name"] for p in vrps(admin, "VmDisplayName==ora02", sortAsc="Name")]
    assert names == sorted(names) and len(names) == len(chains[(ORACLE, "ora02")])
    pages = [vrps(admin, "VmDisplayName==ora02", sortDesc="CreationTime", pageSize=7, page=n) for n in (1, 2, 3, 4, 5)]
    flat = [p["CreationTimeUTC"] for page in pages for p in page]
    assert flat == sorted((iso(t.etime) for t in chains[(ORACLE, "ora02")]), reverse=True)
    assert all(len(page) == 7 for page in pages[:-1] if len(flat) >= 35)
    rp_name = pages[0][0]["Links"][2]["Name"]
    by_rp = vrps(admin, 'RestorePointName=="%s";VmDisplayName==ora02' % rp_name)
    assert [p["UID"] for p in by_rp] == [pages[0][0]["UID"]]


def test_restore_point_query(admin, pemu):
    got = admin.json("query?type=RestorePoint&format=Entities&sortAsc=name&filter=" + quote('BackupName=="Oracle Backup"'))
    items = got["Entities"]["RestorePoints"]["RestorePoints"]
    sessions = set(t.session.id for (job, _vm), chain in expected_chains(pemu.app.data).items() if job == ORACLE
                   for t in chain)
    assert len(items) == len(sessions)
    assert [i["Name"] for i in items] == sorted((i["Name"] for i in items), key=str.casefold)
    for bad in ("Bogus==1", "CreationTime>=yesterday"):
        assert admin.get("query?type=RestorePoint&filter=" + bad).status_code == 400


def test_unknown_field_is_a_400(admin):
    r = admin.get("query?type=VmRestorePoint&filter=JobName==x")
    assert r.status_code == 400 and "VmDisplayName" in r.text


# --------------------------------------------------------------------------- the dataset's rules
def test_every_successful_task_session_keeps_its_point_within_retention(pemu):
    data = pemu.app.data
    prot = ensure(data)
    kept = dict((p.id, p) for p in prot.vm_points)
    chains = expected_chains(data)
    assert len(kept) == sum(len(c) for c in chains.values())
    for chain in chains.values():
        assert len(chain) <= RETENTION_POINTS
        for t in chain:
            p = kept[task_restore_point(t)[0]]
            assert p.task is t and p.ctime == (t.etime if t.vrp_id is True else task_restore_point(t)[1])
    assert max(len(c) for c in chains.values()) == RETENTION_POINTS  # retention removed some


def test_retention_removes_the_oldest(admin, pemu):
    data = pemu.app.data
    every = [t for t in data.task_sessions if t.session.job.id == ORACLE and t.vm == "ora02"
             and t.result in ("Success", "Warning") and t.state == "Completed"]
    assert len(every) > RETENTION_POINTS
    for t in every[:-RETENTION_POINTS]:
        assert admin.get("vmRestorePoints/" + task_restore_point(t)[0]).status_code == 404
    for t in every[-RETENTION_POINTS:]:
        assert admin.get("vmRestorePoints/" + task_restore_point(t)[0]).status_code == 200


def test_breached_never_protected_and_orphan_vms(admin):
    # fin-db01: its job ran last night and failed for it; its newest point is 5 days old
    newest = vrps(admin, "VmDisplayName==fin-db01", sortDesc="CreationTime", pageSize=1)
    assert [p["Name"] for p in newest] == ["fin-db01@2026-01-09 21:08:15"]
    tasks = admin.json("query?type=BackupTaskSession&format=Entities&sortDesc=CreationTime&pageSize=5&filter="
                       + quote('VmDisplayName==fin-db01'))["Entities"]["BackupTaskSessions"]["BackupTaskSessions"]
    assert [t["Result"] for t in tasks] == ["Failed"] * 5 and tasks[0]["CreationTimeUTC"] == "2026-01-14T21:04:25Z"
    # fin-new01: included, processed (and failed) three times, never a point
    include = admin.json("query?type=ObjectInJob&filter=Name==fin-new01")["Resources"]["sInObjectJob"]["ObjectsInJob"]
    assert [lk["Name"] for lk in include[0]["Links"] if lk["Rel"] == "Up"] == [FINANCE]
    assert vrps(admin, "VmDisplayName==fin-new01") == []
    runs = admin.json("query?type=BackupTaskSession&format=Entities&filter=VmDisplayName==fin-new01")
    assert [t["Result"] for t in runs["Entities"]["BackupTaskSessions"]["BackupTaskSessions"]] == ["Failed"] * 3
    # fin-old01: old points, in no job any more
    old = vrps(admin, "VmDisplayName==fin-old01", sortDesc="CreationTime")
    assert len(old) == 20 and old[0]["Name"] == "fin-old01@2025-12-05 21:12:15"
    assert admin.json("query?type=ObjectInJob&filter=Name==fin-old01")["Resources"]["sInObjectJob"]["ObjectsInJob"] == []
    finance = [j for j in admin.json("jobs?format=Entity")["Jobs"] if j["Name"] == FINANCE][0]
    expected = ("VMware", True, "2026-01-15T21:00:00Z")
    assert (finance["Platform"], finance["ScheduleEnabled"], finance["NextRun"]) == expected
    # fin-app01: healthy, a point from last night
    assert vrps(admin, "VmDisplayName==fin-app01", sortDesc="CreationTime", pageSize=1)[0]["Name"] == \
        "fin-app01@2026-01-14 21:04:15"


def test_derivation_is_deterministic_and_matches_a_fresh_dataset():
    a = ensure(generate(3, 300, 20, NOW_TS))
    b = ensure(generate(3, 300, 20, NOW_TS))
    assert [p.id for p in a.vm_points] == [p.id for p in b.vm_points]
    assert [i.ref for i in a.includes] == [i.ref for i in b.includes]
    assert a.vm_points and all(p.rp.vm_points and p in p.rp.vm_points for p in a.vm_points)


# --------------------------------------------------------------------------- access
PATHS = ("vmRestorePoints", "restorePoints", "repositories", "backups", "backupFiles", "hierarchyRoots",
         "jobs/%s/includes" % ORACLE, "jobs/%s/includes/%s" % (ORACLE, ORA01_INCLUDE), "reports/summary",
         "reports/summary/overview", "reports/summary/vms_overview", "reports/summary/repository",
         "query?type=VmRestorePoint&pageSize=1", "query?type=ObjectInJob&pageSize=1", "repositories/" + DOC_REPOSITORY)


def test_401_without_a_session(pemu):
    anonymous = pemu.client(login=False)
    for path in PATHS:
        r = anonymous.get(path)
        assert r.status_code == 401, path
        assert r.headers["WWW-Authenticate"] == "Basic Realm=RestSvc"


def test_the_read_only_user_reads_everything(pemu):
    op = pemu.client(OPERATOR)
    for path in PATHS:
        assert op.get(path).status_code == 200, path
        assert op.get(path, json=True).status_code == 200, path


def test_404_for_unknown_ids(admin):
    nothing = "00000000-0000-0000-0000-000000000000"
    for path in ("vmRestorePoints/" + nothing, "vmRestorePoints/not-an-id", "restorePoints/" + nothing,
                 "restorePoints/%s/vmRestorePoints" % nothing, "repositories/" + nothing, "backups/" + nothing,
                 "backupFiles/" + nothing, "hierarchyRoots/" + nothing, "jobs/%s/includes" % nothing,
                 "jobs/%s/includes/%s" % (ORACLE, nothing),
                 # an include of another job is not found under this one
                 "jobs/4856ab37-2235-45e8-affe-d515878b01a9/includes/" + ORA01_INCLUDE,
                 "reports/summary/nothing"):
        r = admin.get(path)
        assert r.status_code == 404, path
        assert admin.get(path, json=True).json()["StatusCode"] == 404
    assert admin.post("vmRestorePoints").status_code == 405
    assert admin.post("jobs/%s/includes" % ORACLE).status_code == 501  # documented, not emulated
    assert admin.delete("jobs/%s/includes/%s" % (ORACLE, ORA01_INCLUDE)).status_code == 501
    assert admin.get("jobs/%s/includes/%s" % (ORACLE, ORA01_INCLUDE)).status_code == 200
    assert admin.get("vmRestorePoints?format=Bogus").status_code == 400


# --------------------------------------------------------------------------- indexes
def _random_protection_filter(rng, values, depth=0):
    if depth < 2 and rng.random() < 0.4:
        parts = [_random_protection_filter(rng, values, depth + 1) for _part in range(rng.randrange(2, 5))]
        return "(%s)" % rng.choice((",", ";")).join(parts)
    field = rng.choice(sorted(values))
    kind, choices = values[field]
    ops = (">", ">=", "<", "<=", "==") if kind == "range" else ("==", "==", "!=")
    return "%s%s%s" % (field, rng.choice(ops), rng.choice(choices))


@pytest.mark.parametrize("qtype", ("VmRestorePoint", "RestorePoint", "BackupFile"))
def test_protection_indexes_answer_like_a_full_scan(qtype):
    import random
    from em_emulator.filters import compile_filter
    from em_emulator.index import index_for
    from em_emulator.protection import LISTS
    data = generate(5, 600, 25, NOW_TS)
    prot = ensure(data)
    objs = LISTS[qtype](prot)
    sample = objs[::max(1, len(objs) // 60)]
    times = ("range", [iso(o.ctime) for o in sample])
    servers = ("eq", ['"%s"' % s.name for s in data.servers])
    if qtype == "VmRestorePoint":
        values = {"UID": ("eq", [o.id for o in sample]), "CreationTime": times,
                  "VmDisplayName": ("eq", ['"%s"' % o.vm.name for o in sample]),
                  "RestorePointId": ("eq", [o.rp.id for o in sample]), "Type": ("eq", ["Full", "Increment"]),
                  "BackupServerName": servers}
    elif qtype == "RestorePoint":
        values = {"UID": ("eq", [o.id for o in sample]), "CreationTime": times,
                  "BackupName": ("eq", ['"%s"' % o.backup.name.replace('"', '""') for o in sample]),
                  "BackupServerName": servers}
    else:
        values = {"CreationTimeUTC": times, "FileType": ("eq", ["vbk", "vib"]),
                  "BackupSize": ("range", [str(o.backup_size) for o in sample]),
                  "CompressRatio": ("range", ["0.5", "0.55", "1"]), "BackupServerName": servers}
    idx = index_for(data, qtype)
    rng = random.Random(qtype)
    answered = 0
    for _round in range(150):
        text = _random_protection_filter(rng, values)
        pred = compile_filter(text, qtype)
        expected = [o for o in objs if pred(o)]
        assert idx.select(pred) == expected, text
        answered += bool(expected)
    assert answered > 15


# --------------------------------------------------------------------------- sessions of started jobs
def test_a_started_job_leaves_points_and_reset_removes_them(start):
    emu = start("--http", "--seed", "42", "--job-duration", "0")
    admin = emu.client()
    before = vrps(admin, "VmDisplayName==ora02", sortDesc="CreationTime")
    assert len(before) == RETENTION_POINTS
    oldest = before[-1]["UID"]
    assert admin.post("jobs/%s?action=start" % ORACLE).status_code == 202
    sessions = admin.json("query?type=BackupJobSession&format=Entities&sortDesc=CreationTime&pageSize=1&filter="
                          + quote('JobName=="Oracle Backup"'))["Entities"]["BackupJobSessions"]["BackupJobSessions"]
    assert sessions[0]["Result"] == "Success" and sessions[0]["State"] == "Stopped"
    task = [t for t in admin.json("backupSessions/%s/taskSessions?format=Entity" % uid(sessions[0]))
            ["BackupTaskSessions"] if t["VmDisplayName"] == "ora02"][0]
    related = [lk["Href"] for lk in task["Links"] if lk["Rel"] == "Related"][0]
    after = vrps(admin, "VmDisplayName==ora02", sortDesc="CreationTime")
    assert len(after) == RETENTION_POINTS  # retention: the oldest went
    assert after[0]["Name"] == "ora02@" + task["EndTimeUTC"].replace("T", " ").rstrip("Z")
    assert related.startswith(emu.url + "vmRestorePoints/" + uid(after[0]))
    assert oldest not in [p["UID"] for p in after]
    assert admin.get("vmRestorePoints/" + uid(after[0])).status_code == 200
    rp = [lk for lk in after[0]["Links"] if lk.get("Type") == "RestorePointReference"][0]["Href"]
    assert [uid(p) for p in admin.json(rp + "/vmRestorePoints")["Refs"]] == \
        [uid(p) for p in vrps(admin, "RestorePointId==" + rp.rsplit("/", 1)[1], sortAsc="CreationTime")]
    emu.reset()
    admin = emu.client()
    assert [p["UID"] for p in vrps(admin, "VmDisplayName==ora02", sortDesc="CreationTime")] == \
        [p["UID"] for p in before]


# --------------------------------------------------------------------------- the repository control
def test_a_repository_free_space_set_at_run_time_is_what_em_reports(start):
    emu = start("--http", "--seed", "42", "--job-duration", "0")
    admin = emu.client()
    hardened = "Linux Hardened Repository"
    query = "query?type=Repository&format=Entities&filter=" + quote('Name=="%s"' % hardened)
    before = admin.json(query)["Entities"]["Repositories"]["Repositories"][0]
    answer = emu.repository(hardened.lower(), before["Capacity"] // 2)
    assert answer.status_code == 200, answer.text
    assert answer.json()["repository"]["free"] == before["Capacity"] // 2 and answer.json()["repository"]["pinned"]
    after = admin.json(query)["Entities"]["Repositories"]["Repositories"][0]
    assert (after["Capacity"], after["FreeSpace"]) == (before["Capacity"], before["Capacity"] // 2)
    ident = uid(after)
    entity = admin.json("repositories/%s?format=Entity" % ident)
    assert entity["FreeSpace"] == before["Capacity"] // 2
    # the index on FreeSpace follows
    found = admin.json("query?type=Repository&filter=FreeSpace==%d" % (before["Capacity"] // 2))["Refs"]["Refs"]
    assert [r["Name"] for r in found] == [hardened]
    # a job that writes to it changes nothing any more (Finance Backup backs up to the hardened repository)
    finance = admin.json("query?type=Job&format=Entities&filter=" + quote('Name=="Finance Backup"'))
    job_id = uid(finance["Entities"]["Jobs"]["Jobs"][0])
    assert admin.post("jobs/%s?action=start" % job_id).status_code == 202
    assert admin.json(query)["Entities"]["Repositories"]["Repositories"][0]["FreeSpace"] == before["Capacity"] // 2
    # unknown (-1) both, by ID
    assert emu.repository(ident, -1, capacity=-1).status_code == 200
    unknown = admin.json(query)["Entities"]["Repositories"]["Repositories"][0]
    assert (unknown["Capacity"], unknown["FreeSpace"]) == (-1, -1)
    emu.reset()
    admin = emu.client()
    restored = admin.json(query)["Entities"]["Repositories"]["Repositories"][0]
    assert (restored["Capacity"], restored["FreeSpace"]) == (before["Capacity"], before["FreeSpace"])


@pytest.mark.parametrize("params, message", [
    ({"name": "No Such Repository", "free": "1"}, "no repository with the ID or name 'No Such Repository'"),
    ({"name": "Backup Volume 01"}, "give the repository (name=NAME or id=ID) and free=BYTES"),
    ({"name": "Backup Volume 01", "free": "lots"}, "free and capacity must be whole numbers"),
    ({"name": "Backup Volume 01", "free": "-2"}, "free and capacity are bytes, or -1"),
    ({"name": "Backup Volume 01", "free": "20", "capacity": "10"}, "free (20) must not exceed capacity (10)"),
])
def test_a_bad_repository_setting_is_a_400_and_changes_nothing(pemu, params, message):
    import requests
    before = requests.get(pemu.root + "/_emulator/repository").json()["repositories"]
    answer = requests.post(pemu.root + "/_emulator/repository", params=params)
    assert answer.status_code == 400 and message in answer.json()["error"], answer.text
    assert requests.get(pemu.root + "/_emulator/repository").json()["repositories"] == before


def test_the_clock_endpoint_answers_the_emulated_clock(pemu):
    import requests
    answer = requests.get(pemu.root + "/_emulator/clock").json()
    assert NOW_TS <= answer["epoch"] < NOW_TS + 600 and answer["now"] == iso(answer["epoch"])
