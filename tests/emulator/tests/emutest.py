# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers of the emulator tests: in-process emulators on free ports and an HTTP client."""

import os
import sys
import xml.etree.ElementTree as ET

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR_DIR = os.path.dirname(HERE)
if EMULATOR_DIR not in sys.path:
    sys.path.insert(0, EMULATOR_DIR)

from em_emulator.cli import Running, parse_args  # noqa: E402  pylint: disable=wrong-import-position

NS = "{http://www.veeam.com/ent/v1.0}"
ADMIN = ("Administrator", "Emulator-Admin-1!")
OPERATOR = ("RestoreOperator", "Emulator-Read-1!")
# A fixed "now" so that every generated value is reproducible.
NOW = "2026-01-15T12:00:00Z"


class Client(object):
    """requests wrapper for one emulator; ``json=True`` asks for JSON."""

    def __init__(self, emu, user=ADMIN, login=True):
        self.emu = emu
        self.http = requests.Session()
        self.http.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise replace the CA below
        self.http.verify = emu.ca_path if emu.ca_path else True
        self.token = None
        self.logon_body = None
        if login:
            self.login(user)

    def login(self, user=ADMIN, version="latest"):
        r = self.http.post(self.emu.url + "sessionMngr/?v=" + version, auth=user)
        assert r.status_code == 201, r.text
        self.token = r.headers["X-RestSvcSessionId"]
        self.logon_body = r.text
        # keep the token in the header only (cookies are tested on their own)
        self.http.cookies.clear()
        return r

    def request(self, method, path, json=False, headers=None, **kw):
        h = {}
        if self.token:
            h["X-RestSvcSessionId"] = self.token
        if json:
            h["Accept"] = "application/json"
        h.update(headers or {})
        url = path if path.startswith("http") else self.emu.url + path
        r = self.http.request(method, url, headers=h, **kw)
        self.http.cookies.clear()
        return r

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def xml(self, path, status=200, **kw):
        r = self.get(path, **kw)
        assert r.status_code == status, r.text
        assert r.headers["Content-Type"].startswith("application/xml")
        assert int(r.headers["Content-Length"]) == len(r.content)
        return ET.fromstring(r.content)

    def json(self, path, status=200, **kw):
        r = self.get(path, json=True, **kw)
        assert r.status_code == status, r.text
        assert r.headers["Content-Type"].startswith("application/json")
        assert int(r.headers["Content-Length"]) == len(r.content)
        return r.json()


class InProcess(object):
    def __init__(self, *argv):
        args = parse_args(["--port", "0", "--now", NOW] + list(argv))
        self.run = Running(args).start_thread()
        self.url = self.run.url
        self.root = self.url[:-len("/api/")]
        self.ca_path = self.run.ca_path
        self.app = self.run.app

    def client(self, user=ADMIN, login=True):
        return Client(self, user, login)

    def stats(self):
        return requests.get(self.root + "/_emulator/stats", verify=self.ca_path or True).json()

    def reset(self):
        return requests.post(self.root + "/_emulator/reset", verify=self.ca_path or True).json()

    def task_failure(self, *specs):
        """Replace the --task-failure rules (none: no task fails); returns {operation: WHEN}."""
        r = requests.post(self.root + "/_emulator/task-failure", params=[("spec", s) for s in specs],
                          verify=self.ca_path or True)
        assert r.status_code == 200, r.text
        return r.json()["task_failure"]

    def repository(self, name, free, capacity=None):
        """Set a repository's free space (and capacity) in bytes, -1 unknown; returns the emulator's answer."""
        params = {"name": name, "free": free}
        if capacity is not None:
            params["capacity"] = capacity
        return requests.post(self.root + "/_emulator/repository", params=params, verify=self.ca_path or True)

    def close(self):
        self.run.close()


def find(elem, path):
    """ElementTree find with the EM namespace on every step."""
    return elem.find("/".join(NS + p for p in path.split("/")))


def findall(elem, path):
    return elem.findall("/".join(NS + p for p in path.split("/")))


def links(elem):
    return [(lk.get("Rel"), lk.get("Type"), lk.get("Href"), lk.get("Name")) for lk in findall(elem, "Links/Link")]
