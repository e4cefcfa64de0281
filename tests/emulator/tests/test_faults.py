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
