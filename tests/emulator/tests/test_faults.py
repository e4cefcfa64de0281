# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault injection options: latency, error answers (503 or 500), dropped connections, truncated bodies."""

import time
import xml.etree.ElementTree as ET

import pytest
import requests

from emutest import NS


def test_latency(start):
    emu = start("--http", "--sessions", "10", "--latency", "150")
    c = emu.client(login=False)
    started = time.time()
    assert c.get("").status_code == 200
    assert time.time() - started >= 0.15  # a lower bound the sleep guarantees
    assert emu.stats()["requests_total"] == 1


@pytest.mark.parametrize("status", ["503", "500"])
def test_error_rate(start, status):
    emu = start("--http", "--sessions", "10", "--error-rate", "1", "--error-status", status)
    c = emu.client(login=False)
    r = c.post(emu.url + "sessionMngr/?v=latest", auth=("Administrator", "Emulator-Admin-1!"))
    assert r.status_code == int(status)
    root = ET.fromstring(r.content)
    assert root.tag == NS + "Error" and root.get("StatusCode") == status
    assert int(r.headers["Content-Length"]) == len(r.content)
    rj = c.get("", json=True)
    assert rj.status_code == int(status) and rj.json()["StatusCode"] == int(status)
    stats = emu.stats()  # test endpoints are never faulted
    assert stats["faults"]["error"] == 2 and stats["logons"] == 0


def test_error_rate_partial(start):
    emu = start("--http", "--sessions", "10", "--error-rate", "0.5", "--seed", "7")
    c = emu.client(login=False)
    codes = [c.get("").status_code for _request in range(40)]
    assert set(codes) == {200, 503}


def test_drop_rate(start):
    emu = start("--http", "--sessions", "10", "--drop-rate", "1")
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(emu.url, timeout=10)
    assert emu.stats()["faults"]["drop"] >= 1


def test_truncate_rate(start):
    emu = start("--http", "--sessions", "10", "--truncate-rate", "1")
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        requests.get(emu.url, timeout=10)
    assert emu.stats()["faults"]["truncate"] >= 1


def test_bad_fault_options(start):
    with pytest.raises(ValueError):
        start("--http", "--error-rate", "1.5")


def _logon(emu, password="Emulator-Admin-1!"):
    """POST /api/sessionMngr/: (token, SessionId), or None when no whole 201 answer arrived."""
    try:
        r = requests.post(emu.url + "sessionMngr/?v=latest", auth=("Administrator", password),
                          headers={"Accept": "application/json"}, timeout=10)
    except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError):
        return None
    if r.status_code != 201:
        return None
    return r.headers["X-RestSvcSessionId"], r.json()["SessionId"]


def test_logon_answers_lost_truncated(start):
    emu = start("--http", "--sessions", "10", "--truncate-rate", "1")
    assert _logon(emu) is None
    assert _logon(emu, password="wrong") is None  # a refused logon creates nothing
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        requests.get(emu.url, timeout=10)  # other answers are not logon answers
    stats = emu.stats()
    assert stats["faults"]["truncate"] == 3
    assert (stats["logons"], stats["logon_answers_lost"], stats["open_logon_sessions"]) == (1, 1, 1)
    zero = emu.reset()
    assert (zero["logons"], zero["logon_answers_lost"], zero["open_logon_sessions"]) == (0, 0, 0)


@pytest.mark.parametrize("fault", [("--drop-rate", "1"), ("--error-rate", "1")])
def test_dropped_or_refused_logon_is_not_lost(start, fault):
    # a dropped connection closes before the request runs, an injected error does not run it: no session
    emu = start("--http", "--sessions", "10", *fault)
    assert _logon(emu) is None
    stats = emu.stats()
    assert (stats["logons"], stats["logon_answers_lost"], stats["open_logon_sessions"]) == (0, 0, 0)


def test_logon_answers_lost_match_the_leaks(start):
    # a client that logs out of every logon it got whole leaves exactly the lost ones open
    emu = start("--http", "--sessions", "10", "--truncate-rate", "0.5", "--seed", "3")
    got = 0
    for _attempt in range(30):
        logon = _logon(emu)
        if logon is None:
            continue
        got += 1
        token, session_id = logon
        # a 204 has no body to cut
        r = requests.delete(emu.url + "logonSessions/" + session_id, headers={"X-RestSvcSessionId": token}, timeout=10)
        assert r.status_code == 204
    stats = emu.stats()
    assert 0 < got < 30 and stats["logons"] == 30 and stats["logouts"] == got
    assert stats["logon_answers_lost"] == 30 - got
    assert stats["open_logon_sessions"] == stats["logon_answers_lost"]
