# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The module runner: SIGTERM, warnings about unsafe settings, the secret scrub of failures."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import signal

import requests

from ansible_collections.backupops.veeam_em.plugins.module_utils import _module
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import MASK, scrub
from ansible_collections.backupops.veeam_em.plugins.modules import em_backup_session_info as module
from ansible_collections.backupops.veeam_em.tests.unit.em_fake import (
    CONNECTION,
    LOGON_ID,
    PASSWORD,
    TOKEN,
    query_result,
    warning_texts,
)

LOGON = ("POST", "/api/sessionMngr/", "v=latest")
LOGOUT = ("DELETE", "/api/logonSessions/%s" % LOGON_ID)


def test_sigterm_while_working_logs_out(fake_em, run_module, monkeypatch):
    def terminated_during_the_query(client, *args, **kwargs):
        client.get("/querySvc")
        os.kill(os.getpid(), signal.SIGTERM)
        raise AssertionError("SIGTERM did not interrupt the work")

    monkeypatch.setattr(module._sessions, "query_job_sessions", terminated_during_the_query)
    fake_em.logon().expect("GET", "/querySvc", body="<QuerySvc/>").logout()
    previous = signal.getsignal(signal.SIGTERM)
    rc, result, dummy = run_module(module, dict(CONNECTION))
    assert rc == 1 and result["msg"].startswith("Stopped by SIGTERM")
    assert fake_em.summary() == [LOGON, ("GET", "/api/querySvc"), LOGOUT]
    assert signal.getsignal(signal.SIGTERM) is previous


def test_validate_certs_false_warns(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([])).logout()
    rc, result, dummy = run_module(module, dict(CONNECTION, validate_certs=False))
    assert rc == 0
    assert [w for w in warning_texts(result) if w.startswith("validate_certs is false")]


def test_http_protocol_warns_that_the_password_travels_in_clear(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([])).logout()
    rc, result, dummy = run_module(module, dict(CONNECTION, protocol="http"))
    assert rc == 0
    assert fake_em.calls[0].url == "http://em.example.com:9398/api/sessionMngr/?v=latest"
    assert warning_texts(result) == [
        "protocol is http: the password and the session token travel to Enterprise Manager at "
        "http://em.example.com:9398/api in clear text, so anyone between this host and EM can read them. Use "
        "protocol=https (EM's REST API on port 9398) with ca_path (VEEAM_EM_CA_PATH) set to EM's CA certificate."]


def test_https_with_verification_does_not_warn(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([])).logout()
    rc, result, dummy = run_module(module, dict(CONNECTION))
    assert rc == 0 and warning_texts(result) == []


def test_failure_text_holding_a_secret_is_scrubbed(fake_em, run_module):
    token = " %s\n" % TOKEN
    leak = requests.exceptions.RequestException("header %r, password %s" % (TOKEN, PASSWORD))
    fake_em.expect("GET", "/query", raises=leak)
    rc, result, out = run_module(module, dict(CONNECTION, session_token=token))
    assert rc == 1 and MASK in result["msg"]
    assert TOKEN not in out and PASSWORD not in out
    assert fake_em.calls[0].headers["X-RestSvcSessionId"] == TOKEN  # stripped of the folded scalar's whitespace


def test_scrub_reaches_every_string():
    value = {"msg": "a SECRET b", "nested": [("SECRET",), {"k": "xSECRETx"}], "n": 1}
    assert scrub(value, ["SECRET", None, ""]) == {"msg": "a %s b" % MASK, "nested": [(MASK,), {"k": "x%sx" % MASK}], "n": 1}


def test_handler_restored_after_a_failure_before_any_request(fake_em, run_module):
    previous = signal.getsignal(signal.SIGTERM)
    rc, result, dummy = run_module(module, dict(CONNECTION, limit=0))
    assert rc == 1 and signal.getsignal(signal.SIGTERM) is previous and fake_em.calls == []
    assert _module.Terminated.__mro__[1].__name__ == "VeeamEmError"


def test_a_signal_during_the_logout_does_not_cut_it_short():
    """SIGTERM while client.close() logs off: the logout completes, and the module goes on to report what it did."""
    closed = []

    class Client(object):
        def close(self):
            os.kill(os.getpid(), signal.SIGTERM)  # arrives in the middle of the logout
            closed.append("logged off")

    handler = signal.getsignal(signal.SIGTERM)
    _module.close_undisturbed(Client())
    assert closed == ["logged off"]
    assert signal.getsignal(signal.SIGTERM) is handler  # put back as it was
