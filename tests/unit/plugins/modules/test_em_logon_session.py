# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.backupops.veeam_em.plugins.modules import em_logon_session as module
from ansible_collections.backupops.veeam_em.tests.unit.em_fake import (
    BASE,
    CONNECTION,
    LOGON_ID,
    NS,
    PASSWORD,
    TOKEN,
    xml_error,
    xml_logon,
)

LOGON = ("POST", "/api/sessionMngr/", "v=latest")
DELETE = ("DELETE", "/api/logonSessions/%s" % LOGON_ID)
LIST = ("GET", "/api/logonSessions")


def args(**kwargs):
    result = dict(CONNECTION)
    result.update(kwargs)
    return result


def token_args(**kwargs):
    result = {"server": "em.example.com", "session_token": TOKEN}
    result.update(kwargs)
    return result


def logon_sessions(*ids):
    return '<LogonSessions%s>%s</LogonSessions>' % (NS, "".join(xml_logon(i).split("?>", 1)[1] for i in ids))


def test_present_logs_on_and_keeps_the_session(fake_em, run_module):
    fake_em.logon()
    rc, result, out = run_module(module, args(api_version="v1_7"))
    assert rc == 0 and result["changed"] is True
    assert fake_em.summary() == [("POST", "/api/sessionMngr/", "v=v1_7")]
    assert result["session_token"] == TOKEN
    assert result["logon_session_id"] == LOGON_ID
    assert result["logon_session_href"] == "%s/logonSessions/%s" % (BASE, LOGON_ID)
    assert (result["user_name"], result["api_version"]) == ("EM01\\Administrator", "v1_7")
    assert PASSWORD not in out


def test_present_ignores_a_given_token(fake_em, run_module):
    fake_em.logon(token="fresh-token")
    rc, result, dummy = run_module(module, args(session_token=TOKEN))
    assert result["session_token"] == "fresh-token" and fake_em.summary() == [LOGON]


def test_present_bad_password(fake_em, run_module):
    fake_em.expect("POST", "/sessionMngr/", 401, xml_error(401, "Unauthorized"))
    rc, result, out = run_module(module, args())
    assert rc == 1 and "user name or password rejected" in result["msg"] and PASSWORD not in out


def test_present_without_credentials(fake_em, run_module):
    rc, result, dummy = run_module(module, {"server": "em.example.com"})
    assert rc == 1 and "user and password are required" in result["msg"] and fake_em.calls == []


def test_present_check_mode_does_not_log_on(fake_em, run_module):
    rc, result, dummy = run_module(module, args(), check_mode=True)
    assert rc == 0 and result["changed"] is True and result["session_token"] == "" and fake_em.calls == []


def test_absent_with_id(fake_em, run_module):
    fake_em.logout()
    rc, result, out = run_module(module, token_args(state="absent", logon_session_id=LOGON_ID))
    assert rc == 0 and result == dict(result, changed=True, logon_session_id=LOGON_ID)
    assert fake_em.summary() == [DELETE]
    assert fake_em.calls[0].headers["X-RestSvcSessionId"] == TOKEN
    assert TOKEN not in out


def test_absent_finds_its_session(fake_em, run_module):
    fake_em.expect("GET", "/logonSessions", body=logon_sessions(LOGON_ID)).logout()
    rc, result, dummy = run_module(module, token_args(state="absent"))
    assert result["changed"] is True and fake_em.summary() == [LIST, DELETE]


def test_absent_with_several_sessions_asks_for_id(fake_em, run_module):
    fake_em.expect("GET", "/logonSessions", body=logon_sessions(LOGON_ID, "22222222-2222-4222-8222-222222222222"))
    rc, result, dummy = run_module(module, token_args(state="absent"))
    assert rc == 1 and "pass logon_session_id" in result["msg"]


def test_absent_with_expired_token_is_ok(fake_em, run_module):
    fake_em.expect("GET", "/logonSessions", 401, xml_error(401, "expired"))
    rc, result, out = run_module(module, token_args(state="absent"))
    assert rc == 0 and result["changed"] is False and fake_em.summary() == [LIST]
    fake_em.calls[:] = []
    fake_em.logout(status=401)
    rc, result, out = run_module(module, token_args(state="absent", logon_session_id=LOGON_ID))
    assert rc == 0 and result["changed"] is False and TOKEN not in out


def test_absent_check_mode_sends_no_delete(fake_em, run_module):
    fake_em.expect("GET", "/logonSessions/" + LOGON_ID, body=xml_logon())
    rc, result, dummy = run_module(module, token_args(state="absent", logon_session_id=LOGON_ID), check_mode=True)
    assert result["changed"] is True and fake_em.summary() == [("GET", "/api/logonSessions/" + LOGON_ID)]
    fake_em.calls[:] = []
    fake_em.expect("GET", "/logonSessions/" + LOGON_ID, 404)
    rc, result, dummy = run_module(module, token_args(state="absent", logon_session_id=LOGON_ID), check_mode=True)
    assert result["changed"] is False
    fake_em.calls[:] = []
    fake_em.expect("GET", "/logonSessions", body=logon_sessions(LOGON_ID))
    rc, result, dummy = run_module(module, token_args(state="absent"), check_mode=True)
    assert result["changed"] is True and fake_em.summary() == [LIST]


def test_absent_needs_a_token(fake_em, run_module):
    rc, result, dummy = run_module(module, args(state="absent"))
    assert rc == 1 and "state=absent needs session_token" in result["msg"] and fake_em.calls == []


def test_absent_server_error(fake_em, run_module):
    for dummy in range(7):  # a 500 to the logout is asked six times more (RETRY_RULES["logout"])
        fake_em.logout(status=500)
    rc, result, out = run_module(module, token_args(state="absent", logon_session_id=LOGON_ID))
    assert rc == 1 and result["status"] == 500 and TOKEN not in out
    assert fake_em.summary() == [DELETE] * 7 and fake_em.sleeps == [0.5, 1.0, 2.0, 2.0, 2.0, 2.0]


def test_logon_session_id_not_a_uuid_fails_before_any_request(fake_em, run_module):
    """It gave ok / unchanged and left the logon session open."""
    rc, result, dummy = run_module(module, token_args(state="absent", logon_session_id="not-a-uuid"))
    assert rc == 1 and result["changed"] is False
    assert result["msg"].startswith("logon_session_id 'not-a-uuid' is not a valid LogonSession id")
    assert fake_em.summary() == []


def test_logon_session_id_cannot_reach_another_path(fake_em, run_module):
    """It sent DELETE /api/backupSessions/<id>?action=stop."""
    hostile = "../backupSessions/%s?action=stop" % LOGON_ID
    rc, result, dummy = run_module(module, token_args(state="absent", logon_session_id=hostile))
    assert rc == 1 and "logon_session_id" in result["msg"] and fake_em.summary() == []


def test_logon_session_id_as_urn_and_href_of_this_server(fake_em, run_module):
    fake_em.logout()
    fake_em.logout()
    for given in ("urn:veeam:LogonSession:%s" % LOGON_ID.upper(), "%s/logonSessions/%s" % (BASE, LOGON_ID)):
        rc, result, dummy = run_module(module, token_args(state="absent", logon_session_id=given))
        assert rc == 0 and result == dict(result, changed=True, logon_session_id=LOGON_ID)
    assert fake_em.summary() == [DELETE, DELETE]
