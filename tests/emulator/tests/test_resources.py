# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every resource in XML and JSON, errors 404/405/400, keep-alive and Content-Length."""

import http.client
import ssl
import xml.etree.ElementTree as ET

from emutest import NOW, NS, find, findall, links
from em_emulator.timeutil import parse_iso

NOW_TS = parse_iso(NOW)
SESSION = "d46e39e0-1131-4585-91a7-e828ce7eafae"
TASK = "88767486-89d6-4340-92f0-2ad615a8f21b"


def test_backup_sessions_list_last_30_days(emu, admin):
    root = admin.xml("backupSessions")
    refs = findall(root, "Ref")
    assert refs, "the generated data has recent sessions"
    assert all(r.get("Type") == "BackupJobSessionReference" for r in refs)
    assert SESSION not in [r.get("UID").rsplit(":", 1)[1] for r in refs]  # 2014: outside the window
    ents = admin.xml("backupSessions?format=Entity")
    assert ents.tag == NS + "BackupJobSessions"
    times = [find(e, "CreationTimeUTC").text for e in findall(ents, "BackupJobSession")]
    assert len(times) == len(refs)
    assert times == sorted(times, reverse=True)
    assert min(parse_iso(t) for t in times) >= NOW_TS - 30 * 86400
    js = admin.json("backupSessions")
    assert len(js["Refs"]) == len(refs)
    assert set(js["Refs"][0]) == {"Links", "UID", "Name", "Href", "Type"}
    je = admin.json("backupSessions?format=Entity")
    assert len(je["BackupJobSessions"]) == len(refs)


def test_backup_session_json(admin, emu):
    ent = admin.json("backupSessions/%s?format=Entity" % SESSION)
    assert list(ent) == ["JobUid", "JobName", "JobType", "CreationTimeUTC", "EndTimeUTC", "State", "Result",
                         "Progress", "IsRetry", "Name", "UID", "Links", "Href", "Type"]
    assert ent["Progress"] == 100 and ent["IsRetry"] is False and ent["EndTimeUTC"] == "2014-10-19T05:40:48Z"
    assert ent["Links"][4] == {"Rel": "Stop", "Href": emu.url + "backupSessions/%s?action=stop" % SESSION}
    ref = admin.json("backupSessions/" + SESSION)
    assert ref["Type"] == "BackupJobSessionReference" and ref["UID"] == "urn:veeam:BackupJobSession:" + SESSION


def test_running_session_has_no_end(admin):
    root = admin.xml("query?type=BackupJobSession&format=Entities&filter=State==Working&pageSize=1")
    s = find(root, "Entities/BackupJobSessions/BackupJobSession")
    assert find(s, "Result").text == "None" and find(s, "EndTimeUTC") is None
    js = admin.json("query?type=BackupJobSession&format=Entities&filter=State==Working&pageSize=1")
    s = js["Entities"]["BackupJobSessions"]["BackupJobSessions"][0]
    assert s["Result"] == "None" and s["EndTimeUTC"] is None


def test_task_sessions_of_a_session(admin, emu):
    sid = "8ba90554-4cb0-4979-b4cc-00887fcd1caa"
    root = admin.xml("backupSessions/%s/taskSessions" % sid)
    assert root.tag == NS + "EntityReferences"
    names = [r.get("Name").split("@")[0] for r in findall(root, "Ref")]
    assert names == ["crm01", "dbserver01"]
    ents = admin.xml("backupSessions/%s/taskSessions?format=Entity" % sid)
    tasks = findall(ents, "BackupTaskSession")
    warn = [t for t in tasks if find(t, "Result").text == "Warning"]
    assert warn and find(warn[0], "Reason").text
    js = admin.json("backupSessions/%s/taskSessions?format=Entity" % sid)
    assert [t["VmDisplayName"] for t in js["BackupTaskSessions"]] == ["crm01", "dbserver01"]
    assert admin.json("backupSessions/%s/taskSessions" % sid)["Refs"][0]["Type"] == "BackupTaskSessionReference"
    # 2014 sessions are outside the 30-day window of this list
    assert findall(admin.xml("backupSessions/%s/taskSessions" % SESSION), "Ref") == []


def test_backup_task_sessions(admin):
    root = admin.xml("backupTaskSessions")
    assert root.tag == NS + "EntityReferences" and findall(root, "Ref")
    ents = admin.xml("backupTaskSessions?format=Entity")
    assert ents.tag == NS + "BackupTaskSessions"
    assert len(findall(ents, "BackupTaskSession")) == len(findall(root, "Ref"))
    js = admin.json("backupTaskSessions?format=Entity")
    first = js["BackupTaskSessions"][0]
    assert list(first)[-6:] == ["VmDisplayName", "Name", "UID", "Links", "Href", "Type"]
    one = admin.json("backupTaskSessions/%s?format=Entity" % TASK)
    assert one["TotalSize"] == 64424509440 and one["Reason"] == "" and one["State"] == "Completed"
    assert admin.json("backupTaskSessions/" + TASK)["Type"] == "BackupTaskSessionReference"


def test_backup_servers(admin, emu):
    root = admin.xml("backupServers")
    assert [r.get("Name") for r in findall(root, "Ref")] == ["srv02.tech.local", "appsrv01.tech.local"]
    ents = admin.xml("backupServers?format=Entity")
    srv = findall(ents, "BackupServer")[0]
    assert find(srv, "Port").text == "9392" and find(srv, "WcfPort").text == "9405"
    js = admin.json("backupServers/ce15a8c7-aa49-495e-b05b-ee3398c91018?format=Entity")
    assert js["Name"] == "srv02.tech.local" and js["Type"] == "BackupServer"
    assert admin.json("backupServers")["Refs"][1]["UID"] == "urn:veeam:BackupServer:ffa6d4ef-ea63-4fb3-88a1-84706c2430e1"
    assert admin.xml("backupServers/ce15a8c7-aa49-495e-b05b-ee3398c91018").tag == NS + "EntityRef"


def test_query_svc(admin, emu):
    root = admin.xml("querySvc")
    assert root.tag == NS + "QuerySvc" and root.get("Type") == "QueryService"
    names = [n for _r, _t, _h, n in links(root)]
    assert "BackupJobSession" in names and "BackupTaskSession" in names
    assert admin.json("querySvc")["Type"] == "QueryService"


def test_not_found(admin):
    for path in ("backupSessions/00000000-0000-0000-0000-000000000000",
                 "backupSessions/00000000-0000-0000-0000-000000000000/taskSessions",
                 "backupTaskSessions/nope", "backupServers/nope", "tasks/task-999", "replicas", "jobs/nope",
                 "jobs/62638c60-74b6-4d6d-8d13-4cd32039f523", "no/such/thing"):
        r = admin.get(path)
        assert r.status_code == 404, path
        assert ET.fromstring(r.content).get("StatusCode") == "404"
        rj = admin.get(path, json=True)
        assert rj.status_code == 404 and rj.json()["StatusCode"] == 404
    r = admin.post("backupSessions/00000000-0000-0000-0000-000000000000?action=stop")
    assert r.status_code == 404


def test_method_not_allowed(admin):
    for method, path in (("PUT", "backupSessions"), ("DELETE", "backupSessions/" + SESSION),
                         ("POST", "backupTaskSessions"), ("GET", "sessionMngr/"), ("POST", "query?type=Task"),
                         ("PATCH", "tasks")):
        r = admin.request(method, path)
        assert r.status_code == 405, (method, path)
        assert ET.fromstring(r.content).get("StatusCode") == "405"
        assert r.headers["Allow"]
    r = admin.post("backupSessions/" + SESSION)  # no action
    assert r.status_code == 405
    r = admin.post("backupSessions/%s?action=explode" % SESSION)
    assert r.status_code == 400


def test_bad_format_400(admin):
    r = admin.get("backupSessions?format=Bogus")
    assert r.status_code == 400 and "Bogus" in ET.fromstring(r.content).get("Message")


def test_keep_alive_one_connection(emu, admin):
    ctx = ssl.create_default_context(cafile=emu.ca_path)
    conn = http.client.HTTPSConnection("127.0.0.1", emu.run.port, context=ctx, timeout=10)
    headers = {"X-RestSvcSessionId": admin.token}
    sock = None
    for path in ("/api/backupServers", "/api/backupSessions/%s" % SESSION, "/api/nowhere", "/api/"):
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        assert int(resp.getheader("Content-Length")) == len(body)
        assert resp.getheader("Connection") != "close"
        if sock is None:
            sock = conn.sock
        assert conn.sock is sock  # the same TCP connection
    conn.close()


def test_concurrent_clients(emu):
    import threading
    errors = []

    def worker():
        try:
            c = emu.client()
            for _attempt in range(5):
                r = c.get("query?type=BackupJobSession&pageSize=50&page=2", json=True)
                assert r.status_code == 200 and len(r.json()["Refs"]["Refs"]) == 50
        except Exception as err:  # noqa: BLE001  pylint: disable=broad-except
            errors.append(err)
    threads = [threading.Thread(target=worker) for _worker in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
