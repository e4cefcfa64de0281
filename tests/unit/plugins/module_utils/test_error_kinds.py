# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The kind of a failure (``error_kind`` of a failed result): unreachable, logon_refused or failed.

What happens on the wire decides it: no answer (refused, unresolved, timed out, lost, TLS) is
``unreachable``; a 401 or 403 to the logon (or a rejected session token) is ``logon_refused``; anything
else is ``failed``. The estate report reads it to say which EM could not be reached.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import requests

from ansible_collections.backupops.veeam_em.plugins.module_utils._client import EmClient
from ansible_collections.backupops.veeam_em.plugins.module_utils._connection import ConnectionOptions
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError
from ansible_collections.backupops.veeam_em.plugins.modules import em_backup_session_report as report_module
from ansible_collections.backupops.veeam_em.tests.unit.em_fake import CONNECTION, PASSWORD, TOKEN, xml_error

LOGON = ("POST", "/api/sessionMngr/", "v=latest")
SVC = ("GET", "/api/querySvc")


def client(**kwargs):
    options = dict(server="em.example.com", user="Administrator", password=PASSWORD)
    options.update(kwargs)
    return EmClient(ConnectionOptions(**options))


def _failure(fake_em, **options):
    with pytest.raises(VeeamEmError) as err:
        with client(**options) as em:
            em.get("/querySvc")
    return err.value


@pytest.mark.parametrize("raised", [
    requests.exceptions.ConnectionError(ConnectionRefusedError(111, "Connection refused")),
    requests.exceptions.SSLError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"),
    requests.exceptions.SSLError("[SSL: WRONG_VERSION_NUMBER] wrong version number"),
    requests.exceptions.ReadTimeout("read timed out"),
    requests.exceptions.ConnectionError("('Connection aborted.', RemoteDisconnected('Remote end closed connection'))"),
], ids=["refused", "certificate", "tls-handshake", "read-timeout", "connection-lost"])
def test_no_answer_to_the_logon_is_unreachable(fake_em, raised):
    fake_em.expect("POST", "/sessionMngr/", raises=raised)
    error = _failure(fake_em)
    assert error.kind == "unreachable"
    assert error.to_result()["error_kind"] == "unreachable"
    assert fake_em.summary() == [LOGON]


def test_connect_timeouts_until_the_retries_are_spent_are_unreachable(fake_em):
    for dummy in range(4):  # the logon's rule: three repetitions after a connect timeout
        fake_em.expect("POST", "/sessionMngr/", raises=requests.exceptions.ConnectTimeout("timed out"))
    error = _failure(fake_em)
    assert error.kind == "unreachable" and "gave up after 4 attempts" in error.msg
    assert fake_em.summary() == [LOGON] * 4 and fake_em.sleeps == [0.5, 1.0, 2.0]


def test_a_read_whose_answers_are_lost_is_unreachable(fake_em):
    fake_em.logon()
    for dummy in range(4):
        fake_em.expect("GET", "/querySvc", raises=requests.exceptions.ReadTimeout("read timed out"))
    fake_em.logout()
    error = _failure(fake_em)
    assert error.kind == "unreachable" and "gave up after 4 attempts" in error.msg


@pytest.mark.parametrize("status", [401, 403])
def test_logon_answered_401_or_403_is_logon_refused(fake_em, status):
    fake_em.expect("POST", "/sessionMngr/", status, xml_error(status, "Denied"))
    error = _failure(fake_em)
    assert (error.kind, error.status) == ("logon_refused", status)
    assert fake_em.summary() == [LOGON]


def test_a_rejected_session_token_is_logon_refused(fake_em):
    fake_em.expect("GET", "/querySvc", 401, xml_error(401, "Expired"))
    error = _failure(fake_em, session_token=TOKEN)
    assert error.kind == "logon_refused"
    assert fake_em.summary() == [SVC]


@pytest.mark.parametrize("status", [403, 404, 400])
def test_an_error_status_after_the_logon_is_failed(fake_em, status):
    fake_em.logon().expect("GET", "/querySvc", status, xml_error(status, "EM says no")).logout()
    error = _failure(fake_em)
    assert error.kind == "failed"
    assert error.to_result() == {"changed": False, "msg": error.msg, "error_kind": "failed", "status": status,
                                 "em_message": "EM says no"}


def test_a_malformed_answer_is_failed(fake_em):
    fake_em.logon()
    for dummy in range(4):
        fake_em.expect("GET", "/querySvc", body="<not xml")
    fake_em.logout()
    assert _failure(fake_em).kind == "failed"


def test_missing_credentials_are_failed(fake_em):
    error = _failure(fake_em, password=None)
    assert error.kind == "failed" and fake_em.calls == []


def test_the_module_result_carries_the_kind(fake_em, run_module):
    fake_em.expect("POST", "/sessionMngr/", 401, xml_error(401, "Unauthorized"))
    rc, result, dummy = run_module(report_module, dict(CONNECTION))
    assert rc == 1
    assert result["error_kind"] == "logon_refused" and result["status"] == 401
    assert "user name or password rejected" in result["msg"]


def test_the_module_result_of_an_option_error_is_failed(fake_em, run_module):
    rc, result, dummy = run_module(report_module, dict(CONNECTION, window="yesterday"))
    assert rc == 1 and result["error_kind"] == "failed" and fake_em.calls == []
