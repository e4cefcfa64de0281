# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Logon, logout, tokens, cookies, roles and idle expiry."""

import base64
import threading
import time
import xml.etree.ElementTree as ET

import pytest
import requests

from emutest import ADMIN, NS, OPERATOR, find, findall, links


def _error(r, status):
    assert r.status_code == status, r.text
    assert int(r.headers["Content-Length"]) == len(r.content)
    if r.headers["Content-Type"].startswith("application/json"):
        body = r.json()
        assert body["StatusCode"] == status and body["Message"]
        return body["Message"]
    root = ET.fromstring(r.content)
    assert root.tag == NS + "Error"
    assert root.get("StatusCode") == str(status) and root.get("Message")
    return root.get("Message")


def test_api_root_lists_versions(emu):
    c = emu.client(login=False)
    root = c.xml("")
    assert root.tag == NS + "EnterpriseManager"
    versions = [v.get("Name") for v in findall(root, "SupportedVersions/SupportedVersion")]
    assert versions == ["v1_7", "v1_6", "v1_5"]
    assert ("Create", "SessionMngr", emu.url + "sessionMngr/?v=latest", None) in links(root)
    js = c.json("")
    assert [v["Name"] for v in js["SupportedVersions"]["SupportedVersions"]] == versions
    assert js["SupportedVersions"]["SupportedVersions"][0]["Links"][0]["Href"] == emu.url + "sessionMngr/?v=v1_7"


def test_logon_xml(emu):
    c = emu.client(login=False)
    r = c.login(ADMIN)
    token = r.headers["X-RestSvcSessionId"]
    assert base64.b64decode(token)  # EM tokens are base64
    assert r.headers["Set-Cookie"] == "X-RestSvcSessionId=%s; Path=/api;" % token
    root = ET.fromstring(r.content)
    assert root.tag == NS + "LogonSession" and root.get("Type") == "LogonSession"
    sid = find(root, "SessionId").text
    assert root.get("Href") == emu.url + "logonSessions/" + sid
    assert find(root, "UserName").text == "EMULATOR\\Administrator"
    rels = links(root)
    assert rels[0] == ("Up", "EnterpriseManager", emu.url, None)
    assert ("Down", "BackupJobSessionReferenceList", emu.url + "backupSessions", None) in rels
    assert ("Down", "QueryService", emu.url + "querySvc", None) in rels
    assert rels[-1] == ("Delete", None, emu.url + "logonSessions/" + sid, None)
    assert token not in r.text


def test_logon_json_and_versions(emu):
    c = emu.client(login=False)
    for version in ("latest", "v1_7", "v1_6", "v1_5"):
        r = c.http.post(emu.url + "sessionMngr/?v=" + version, auth=OPERATOR, headers={"Accept": "application/json"})
        assert r.status_code == 201
        body = r.json()
        assert body["Type"] == "LogonSession" and body["UserName"] == "EMULATOR\\RestoreOperator"
        assert body["Href"].endswith("/logonSessions/" + body["SessionId"])
        assert {"Rel": "Down", "Href": emu.url + "tasks", "Type": "TaskList"} in body["Links"]
    r = c.http.post(emu.url + "sessionMngr/?v=v1_4", auth=ADMIN)
    assert "v1_4" in _error(r, 400)


def test_bad_credentials_401(emu):
    c = emu.client(login=False)
    for auth in (("Administrator", "wrong"), ("nobody", "x"), None):
        r = c.http.post(emu.url + "sessionMngr/?v=latest", auth=auth)
        _error(r, 401)
        assert r.headers["WWW-Authenticate"] == "Basic Realm=RestSvc"
        assert "X-RestSvcSessionId" not in r.headers
    r = c.http.post(emu.url + "sessionMngr/?v=latest", auth=("Administrator", "wrong"),
                    headers={"Accept": "application/json"})
    assert r.json()["StatusCode"] == 401
    r = c.http.post(emu.url + "sessionMngr/?v=latest", headers={"Authorization": "Basic !!notbase64"})
    _error(r, 401)
    assert "wrong" not in r.text


def test_no_or_bad_token_401(emu):
    c = emu.client(login=False)
    for path in ("backupSessions", "query?type=BackupJobSession", "tasks", "logonSessions", "nowhere"):
        r = c.get(path)
        _error(r, 401)
    c.token = "bm90LWEtdG9rZW4="
    msg = _error(c.get("backupSessions"), 401)
    assert "bm90LWEtdG9rZW4=" not in msg
    assert c.get("backupSessions", json=True).json()["StatusCode"] == 401


def test_cookie_token_and_precedence(emu):
    c = emu.client()
    token = c.token
    cookie = {"Cookie": "X-RestSvcSessionId=" + token}
    c.token = None
    assert c.get("backupServers", headers=cookie).status_code == 200
    # both sent: the cookie wins (http_authentication)
    c.token = "invalid-header-token"
    assert c.get("backupServers", headers=cookie).status_code == 200
    c.token = token
    assert c.get("backupServers", headers={"Cookie": "X-RestSvcSessionId=stale"}).status_code == 401
    # a real cookie jar works too
    jar = requests.Session()
    jar.trust_env = False
    jar.verify = emu.ca_path
    assert jar.post(emu.url + "sessionMngr/?v=latest", auth=ADMIN).status_code == 201
    assert jar.get(emu.url + "backupServers").status_code == 200


def test_logon_sessions_list_get_delete(emu):
    a = emu.client(ADMIN)
    b = emu.client(ADMIN)
    op = emu.client(OPERATOR)
    sid_b = find(ET.fromstring(b.logon_body), "SessionId").text
    sid_op = find(ET.fromstring(op.logon_body), "SessionId").text
    root = a.xml("logonSessions")
    assert root.tag == NS + "LogonSessions"
    ids = [find(x, "SessionId").text for x in findall(root, "LogonSession")]
    assert sid_b in ids and sid_op not in ids
    js = a.json("logonSessions")
    assert sid_b in [x["SessionId"] for x in js["LogonSessions"]]
    assert find(a.xml("logonSessions/" + sid_b), "SessionId").text == sid_b
    assert a.json("logonSessions/" + sid_b)["SessionId"] == sid_b
    _error(a.get("logonSessions/" + sid_op), 404)
    _error(a.get("logonSessions/00000000-0000-0000-0000-000000000000"), 404)
    before = emu.stats()["logouts"]
    r = b.delete("logonSessions/" + sid_b)
    assert r.status_code == 204 and r.content == b"" and r.headers["Content-Length"] == "0"
    assert emu.stats()["logouts"] == before + 1
    _error(b.get("backupServers"), 401)
    _error(a.get("logonSessions/" + sid_b), 404)


def test_restore_operator_reads(operator):
    assert operator.get("backupSessions").status_code == 200
    assert operator.get("query?type=BackupTaskSession&pageSize=5").status_code == 200


def test_idle_expiry(start):
    emu = start("--http", "--sessions", "20", "--idle-timeout", "0.6")
    c = emu.client()
    assert c.get("backupServers").status_code == 200
    time.sleep(0.3)
    assert c.get("backupServers").status_code == 200  # activity keeps it alive
    time.sleep(1.0)
    r = c.get("backupServers")
    assert "expired" in _error(r, 401)
    assert emu.stats()["open_logon_sessions"] == 0


def _timed(func):
    started = time.time()
    result = func()
    return result, time.time() - started


def test_logon_delay(start):
    """--logon-delay slows POST /api/sessionMngr/ (accepted and refused logons) and nothing else."""
    emu = start("--http", "--sessions", "10", "--logon-delay", "300")
    c = emu.client(login=False)
    r, logon_elapsed = _timed(lambda: c.login(ADMIN))
    assert r.status_code == 201
    assert logon_elapsed >= 0.3  # a lower bound the sleep guarantees
    r, get_elapsed = _timed(lambda: c.get("backupSessions"))
    assert r.status_code == 200
    assert get_elapsed < logon_elapsed
    r, failed_elapsed = _timed(lambda: c.http.post(emu.url + "sessionMngr/?v=latest", auth=("Administrator", "wrong")))
    _error(r, 401)
    assert failed_elapsed >= 0.3

    stats = emu.stats()
    assert stats["logons"] == 1 and stats["requests"]["POST /api/sessionMngr/"] == 2


def test_logon_delay_does_not_block_other_requests(start):
    """The delay sleeps in the logon's own thread: a GET sent while a logon waits is answered first."""
    emu = start("--http", "--sessions", "10", "--logon-delay", "1000")
    done = []
    slow = emu.client(login=False)
    logon = threading.Thread(target=lambda: done.append(slow.login(OPERATOR).status_code))
    logon.start()
    try:
        deadline = time.time() + 30
        while emu.stats()["requests"].get("POST /api/sessionMngr/") != 1 and time.time() < deadline:
            time.sleep(0.01)  # wait until the server has the logon (counted before its delay starts)
        root_status = emu.client(login=False).get("").status_code
        logon_still_waiting = not done
    finally:
        logon.join(30)
    assert root_status == 200 and done == [201]
    assert logon_still_waiting


def test_logon_delay_default_and_negative(start):
    emu = start("--http", "--sessions", "10")
    assert emu.app.logon_delay == 0
    with pytest.raises(ValueError, match="logon-delay"):
        start("--http", "--sessions", "10", "--logon-delay", "-1")
