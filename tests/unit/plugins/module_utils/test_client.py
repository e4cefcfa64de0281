# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import os
import socket
import threading

import pytest
import requests

from ansible_collections.backupops.veeam_em.plugins.module_utils import _client
from ansible_collections.backupops.veeam_em.plugins.module_utils._client import EmClient
from ansible_collections.backupops.veeam_em.plugins.module_utils._connection import ConnectionOptions
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError
from ansible_collections.backupops.veeam_em.tests.unit.em_fake import FakeClock, LOGON_ID, PASSWORD, TOKEN, xml_error, xml_logon

LOGON = ("POST", "/api/sessionMngr/", "v=latest")
LOGOUT = ("DELETE", "/api/logonSessions/%s" % LOGON_ID)
SVC = ("GET", "/api/querySvc")
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))


def client(**kwargs):
    options = dict(server="em.example.com", user="Administrator", password=PASSWORD)
    options.update(kwargs)
    return EmClient(ConnectionOptions(**options))


def test_logon_get_logout_exact_calls_and_headers(fake_em):
    fake_em.logon().expect("GET", "/querySvc", body="<QuerySvc/>").logout()
    with client(api_version="v1_7", timeout=12) as em:
        assert em.get("/querySvc").tag == "QuerySvc"
        assert em.logon_session_id == LOGON_ID and em.user_name == "EM01\\Administrator"
    assert fake_em.summary() == [("POST", "/api/sessionMngr/", "v=v1_7"), SVC, LOGOUT]
    logon, get, logout = fake_em.calls
    expected = "Basic " + base64.b64encode(("Administrator:%s" % PASSWORD).encode()).decode()
    assert logon.headers["Authorization"] == expected
    assert "X-RestSvcSessionId" not in logon.headers
    assert get.headers["X-RestSvcSessionId"] == TOKEN and logout.headers["X-RestSvcSessionId"] == TOKEN
    assert "Authorization" not in get.headers
    assert get.headers["Accept"] == "application/xml"
    assert "Cookie" not in get.headers
    assert (get.verify, get.timeout) == (True, 12)


def test_set_cookie_is_not_sent_back(fake_em):
    fake_em.expect("POST", "/sessionMngr/", 201, xml_logon(),
                   {"X-RestSvcSessionId": TOKEN, "Set-Cookie": "X-RestSvcSessionId=other; Path=/api"})
    fake_em.expect("GET", "/querySvc", body="<QuerySvc/>").logout()
    with client() as em:
        em.get("/querySvc")
    assert "Cookie" not in fake_em.calls[1].headers


def test_utf8_credentials(fake_em):
    fake_em.logon().logout()
    with client(user=u"J\u00f6rg", password=u"p\u00e4ss") as em:
        em.logon()
    assert fake_em.calls[0].headers["Authorization"] == "Basic " + base64.b64encode(u"J\u00f6rg:p\u00e4ss".encode("utf-8")).decode()


def test_no_request_without_use(fake_em):
    with client():
        pass
    assert fake_em.calls == []


def test_bad_credentials(fake_em):
    fake_em.expect("POST", "/sessionMngr/", 401, xml_error(401, "Unauthorized"))
    with pytest.raises(VeeamEmError) as err:
        with client() as em:
            em.get("/querySvc")
    assert err.value.status == 401
    assert "user name or password rejected" in err.value.msg and "'Administrator'" in err.value.msg
    assert PASSWORD not in str(err.value.to_result())
    assert fake_em.summary() == [LOGON]


def test_logon_without_token_header(fake_em):
    fake_em.expect("POST", "/sessionMngr/", 201, xml_logon())
    with pytest.raises(VeeamEmError) as err:
        client().logon()
    assert "without an X-RestSvcSessionId header" in err.value.msg


def test_missing_credentials_fail_before_any_request(fake_em):
    with pytest.raises(VeeamEmError) as err:
        client(user=None).get("/querySvc")
    assert "user is required" in err.value.msg
    assert fake_em.calls == []


def test_logout_after_failure(fake_em):
    fake_em.logon()
    for dummy in range(3):  # a 500 is asked twice more, then reported
        fake_em.expect("GET", "/querySvc", 500, xml_error(500, "Internal"))
    fake_em.logout()
    with pytest.raises(VeeamEmError) as err:
        with client() as em:
            em.get("/querySvc")
    assert err.value.status == 500 and err.value.em_message == "Internal"
    assert "HTTP 500 to GET /querySvc" in err.value.msg and "(Internal)" in err.value.msg
    assert fake_em.summary() == [LOGON, SVC, SVC, SVC, LOGOUT]
    assert fake_em.sleeps == [0.5, 1.0]


def test_failed_logout_is_a_warning(fake_em):
    """Seven attempts (six repetitions) of the logout, all answered 500: a warning, the outcome stays."""
    fake_em.logon().expect("GET", "/querySvc", body="<QuerySvc/>")
    for dummy in range(7):
        fake_em.logout(status=500)
    em = client()
    em.get("/querySvc")
    em.close()
    assert fake_em.summary() == [LOGON, SVC] + [LOGOUT] * 7
    assert em.warnings == ["Could not log out of Enterprise Manager: Enterprise Manager answered HTTP 500 to "
                           "DELETE /logonSessions/%s: still failing after 7 attempts" % LOGON_ID]


def test_logout_retried_six_times_on_500(fake_em):
    """The issue: the logout gave up after 3 attempts on HTTP 500 and left the logon session open."""
    fake_em.logon().expect("GET", "/querySvc", body="<QuerySvc/>")
    for dummy in range(6):
        fake_em.logout(status=500)
    fake_em.logout()
    with client() as em:
        em.get("/querySvc")
    assert fake_em.summary() == [LOGON, SVC] + [LOGOUT] * 7 and em.warnings == []
    assert fake_em.sleeps == [0.5, 1.0, 2.0, 2.0, 2.0, 2.0]


def test_logout_tolerates_expired_session(fake_em):
    fake_em.logon().expect("GET", "/querySvc", body="<QuerySvc/>").logout(status=401)
    em = client()
    em.get("/querySvc")
    em.close()
    assert em.warnings == []


@pytest.mark.parametrize("status", [502, 503, 504])
def test_get_retried_on_gateway_errors(fake_em, status):
    fake_em.logon()
    fake_em.expect("GET", "/querySvc", status).expect("GET", "/querySvc", status).expect("GET", "/querySvc", body="<QuerySvc/>")
    fake_em.logout()
    with client() as em:
        em.get("/querySvc")
    assert fake_em.summary() == [LOGON, SVC, SVC, SVC, LOGOUT]
    assert fake_em.sleeps == [0.5, 1.0]


def test_get_retries_are_bounded(fake_em):
    fake_em.logon()
    for dummy in range(4):
        fake_em.expect("GET", "/querySvc", 503, xml_error(503, "Busy"))
    fake_em.logout()
    with pytest.raises(VeeamEmError) as err:
        with client() as em:
            em.get("/querySvc")
    assert err.value.status == 503 and "still failing after 4 attempts" in err.value.msg
    assert fake_em.summary() == [LOGON, SVC, SVC, SVC, SVC, LOGOUT]
    assert fake_em.sleeps == [0.5, 1.0, 2.0]


def test_get_retried_on_connection_error_and_truncated_body(fake_em):
    fake_em.logon()
    fake_em.expect("GET", "/querySvc", raises=requests.exceptions.ConnectionError("reset by peer"))
    fake_em.expect("GET", "/querySvc", body="<QueryResult><Entities>")
    fake_em.expect("GET", "/querySvc", raises=requests.exceptions.ReadTimeout("read timed out"))
    fake_em.expect("GET", "/querySvc", body="<QuerySvc/>")
    fake_em.logout()
    with client() as em:
        assert em.get("/querySvc").tag == "QuerySvc"
    assert fake_em.summary() == [LOGON, SVC, SVC, SVC, SVC, LOGOUT]


def test_refused_connection_fails_at_once_naming_the_url(fake_em):
    refused = requests.exceptions.ConnectionError(ConnectionRefusedError(111, "Connection refused"))
    fake_em.expect("POST", "/sessionMngr/", raises=refused)
    with pytest.raises(VeeamEmError) as err:
        client().get("/querySvc")
    assert err.value.msg.startswith("Nothing answers at https://em.example.com:9398/api/sessionMngr/ (connection refused)")
    assert fake_em.summary() == [LOGON] and fake_em.sleeps == []


def test_logon_retried_after_a_connect_timeout_and_503(fake_em):
    """EM cannot have created a logon session: the logon is asked for again."""
    fake_em.expect("POST", "/sessionMngr/", raises=requests.exceptions.ConnectTimeout("timed out"))
    fake_em.expect("POST", "/sessionMngr/", 503, xml_error(503, "Service unavailable"))
    fake_em.logon().expect("GET", "/querySvc", body="<QuerySvc/>").logout()
    with client() as em:
        em.get("/querySvc")
    assert fake_em.summary() == [LOGON, LOGON, LOGON, SVC, LOGOUT] and fake_em.sleeps == [0.5, 1.0]


@pytest.mark.parametrize("lost", [
    requests.exceptions.ConnectionError("('Connection aborted.', RemoteDisconnected('Remote end closed connection'))"),
    requests.exceptions.ReadTimeout("read timed out"),
    requests.exceptions.ChunkedEncodingError("IncompleteRead(100 bytes read, 100 more expected)"),
])
def test_logon_whose_answer_was_lost_is_not_repeated(fake_em, lost):
    """EM may have created a logon session: asking again could leave one more open."""
    fake_em.expect("POST", "/sessionMngr/", raises=lost)
    with pytest.raises(VeeamEmError) as err:
        client().get("/querySvc")
    assert "The logon was not repeated because EM may have created a logon session" in err.value.msg
    assert fake_em.summary() == [LOGON]


@pytest.mark.parametrize("cut, logon_id", [
    (xml_logon()[:len(xml_logon()) // 2], LOGON_ID),  # the Href arrived: the session can be deleted
    (xml_logon()[:60], None),
])
def test_logon_answer_cut_off_after_the_token_uses_the_token(fake_em, monkeypatch, cut, logon_id):
    monkeypatch.setattr(_client, "_read_streamed", lambda resp: (resp.content, True))
    fake_em.expect("POST", "/sessionMngr/", 201, cut, {"X-RestSvcSessionId": TOKEN})
    fake_em.expect("GET", "/querySvc", body="<QuerySvc/>")
    if logon_id:
        fake_em.logout()
    with client() as em:
        em.get("/querySvc")
    assert em.logon_session_id == logon_id
    assert fake_em.summary() == [LOGON, SVC] + ([LOGOUT] if logon_id else [])
    assert fake_em.calls[1].headers["X-RestSvcSessionId"] == TOKEN
    assert "The answer to the logon was cut off" in em.warnings[0]


def test_cut_off_answer_to_a_get_is_asked_again_and_said_so(fake_em):
    cut = requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead(10 bytes read, 20 more expected)")
    fake_em.logon()
    for dummy in range(4):
        fake_em.expect("GET", "/querySvc", raises=cut)
    fake_em.logout()
    with pytest.raises(VeeamEmError) as err:
        with client() as em:
            em.get("/querySvc")
    assert "the answer was cut off before its end" in err.value.msg and "gave up after 4 attempts" in err.value.msg
    assert fake_em.summary() == [LOGON, SVC, SVC, SVC, SVC, LOGOUT]


@pytest.mark.parametrize("exc", [
    requests.exceptions.InvalidHeader("Invalid leading whitespace, reserved character(s), or return character(s) "
                                      "in header value: 'T0k3n-SECRET-abc==\\n'"),
    requests.exceptions.InvalidURL("Failed to parse: https://em:9398/api"),
    ValueError("anything else the HTTP layer raises"),
])
def test_every_exception_of_the_http_layer_becomes_a_veeam_em_error(fake_em, exc):
    fake_em.expect("POST", "/sessionMngr/", raises=exc)
    with pytest.raises(VeeamEmError) as err:
        client().get("/querySvc")
    assert err.value.msg.startswith("POST /sessionMngr/ could not be sent to Enterprise Manager")


def test_post_never_repeated(fake_em):
    fake_em.logon().expect("POST", "/backupSessions/%s" % LOGON_ID, raises=requests.exceptions.ConnectionError("reset")).logout()
    with pytest.raises(VeeamEmError) as err:
        with client() as em:
            em.post("/backupSessions/%s" % LOGON_ID, [("action", "stop")])
    assert "was not repeated" in err.value.msg
    assert fake_em.summary() == [LOGON, ("POST", "/api/backupSessions/%s" % LOGON_ID, "action=stop"), LOGOUT]


def test_relogon_once_on_401(fake_em):
    fake_em.logon(token="first", logon_id="11111111-1111-1111-1111-111111111111")
    fake_em.expect("GET", "/querySvc", 401, xml_error(401, "Session expired"))
    fake_em.logon(token="second")
    fake_em.expect("GET", "/querySvc", body="<QuerySvc/>")
    fake_em.logout()
    with client() as em:
        em.get("/querySvc")
    assert fake_em.summary() == [LOGON, SVC, LOGON, SVC, LOGOUT]
    assert [c.headers.get("X-RestSvcSessionId") for c in fake_em.calls] == [None, "first", None, "second", "second"]


def test_each_request_may_log_on_again(fake_em):
    """A long wait outlives several logon sessions: every expiry gets its new logon, not only the first."""
    fake_em.logon(token="first").expect("GET", "/querySvc", 401, xml_error(401, "Session expired"))
    fake_em.logon(token="second").expect("GET", "/querySvc", body="<QuerySvc/>")
    fake_em.expect("GET", "/querySvc", 401, xml_error(401, "Session expired"))
    fake_em.logon(token="third").expect("GET", "/querySvc", body="<QuerySvc/>")
    fake_em.logout()
    with client() as em:
        em.get("/querySvc")
        em.get("/querySvc")
        assert em.relogons == 2
    assert fake_em.summary() == [LOGON, SVC, LOGON, SVC, SVC, LOGON, SVC, LOGOUT]
    assert fake_em.calls[-1].headers.get("X-RestSvcSessionId") == "third"


def test_second_401_fails(fake_em):
    fake_em.logon().expect("GET", "/querySvc", 401).logon().expect("GET", "/querySvc", 401).logout()
    with pytest.raises(VeeamEmError) as err:
        with client() as em:
            em.get("/querySvc")
    assert err.value.status == 401
    assert fake_em.summary() == [LOGON, SVC, LOGON, SVC, LOGOUT]


def test_given_token_no_logon_no_logout_and_clear_401(fake_em):
    fake_em.expect("GET", "/querySvc", body="<QuerySvc/>").expect("GET", "/querySvc", 401, xml_error(401, "expired"))
    with pytest.raises(VeeamEmError) as err:
        with client(user=None, password=None, session_token=TOKEN) as em:
            em.get("/querySvc")
            em.get("/querySvc")
    assert fake_em.summary() == [SVC, SVC]
    assert fake_em.calls[0].headers["X-RestSvcSessionId"] == TOKEN
    assert "Log on again" in err.value.msg and err.value.status == 401
    assert TOKEN not in str(err.value.to_result())


def test_not_found_ok(fake_em):
    fake_em.logon().expect("GET", "/backupSessions/%s" % LOGON_ID, 404, xml_error(404, "not found")).logout()
    with client() as em:
        assert em.get("/backupSessions/%s" % LOGON_ID, not_found_ok=True) is None


@pytest.mark.parametrize("status, fragment", [(403, "lacks the permission"), (404, "not found"), (400, "unexpected answer")])
def test_http_errors(fake_em, status, fragment):
    fake_em.logon().expect("GET", "/querySvc", status, xml_error(status, "EM says no")).logout()
    with pytest.raises(VeeamEmError) as err:
        with client() as em:
            em.get("/querySvc")
    assert fragment in err.value.msg
    assert err.value.to_result() == {"changed": False, "msg": err.value.msg, "error_kind": "failed", "status": status,
                                     "em_message": "EM says no"}


def test_tls_verification_failure_names_options(fake_em):
    fake_em.expect("POST", "/sessionMngr/", raises=requests.exceptions.SSLError(
        "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in certificate chain"))
    with pytest.raises(VeeamEmError) as err:
        client().logon()
    assert "validate_certs" in err.value.msg and "ca_path" in err.value.msg
    assert fake_em.summary() == [LOGON]


def test_tls_other_failure_hints_protocol(fake_em):
    fake_em.expect("POST", "/sessionMngr/", raises=requests.exceptions.SSLError("[SSL: WRONG_VERSION_NUMBER] wrong version number"))
    with pytest.raises(VeeamEmError) as err:
        client().logon()
    assert "protocol=http" in err.value.msg


def test_verify_and_http_protocol_passed_to_requests(fake_em, tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text(u"pem")
    fake_em.logon().logout()
    with client(ca_path=str(ca)) as em:
        em.logon()
    assert fake_em.calls[0].verify == str(ca)
    fake_em.calls[:] = []
    fake_em.logon().logout()
    with client(protocol="http", port=9399, validate_certs=False) as em:
        em.logon()
    assert fake_em.calls[0].url == "http://em.example.com:9399/api/sessionMngr/?v=latest"
    assert fake_em.calls[0].verify is False


def test_logon_session_helpers(fake_em):
    gone = "0badc0de-0000-4000-8000-000000000000"
    fake_em.expect("GET", "/logonSessions/" + LOGON_ID, 200, xml_logon()).expect("GET", "/logonSessions/" + gone, 404)
    fake_em.expect("DELETE", "/logonSessions/" + LOGON_ID, 204).expect("DELETE", "/logonSessions/" + LOGON_ID, 401)
    em = client(session_token=TOKEN)
    assert em.logon_session_exists(LOGON_ID) is True
    assert em.logon_session_exists(gone) is False
    assert em.delete_logon_session(LOGON_ID) is True
    assert em.delete_logon_session(LOGON_ID) is False
    em.close()
    assert len(fake_em.calls) == 4


def test_keep_logon_session(fake_em):
    fake_em.logon()
    with client() as em:
        em.logon()
        em.keep_logon_session()
        assert em.token == TOKEN
    assert fake_em.summary() == [LOGON]


def test_logout_is_asked_for_with_more_patience(fake_em):
    """A lost logout leaves a logon session open on EM: six repetitions, not three."""
    fake_em.logon().expect("GET", "/querySvc", body="<QuerySvc/>")
    for dummy in range(6):
        fake_em.logout(status=503)
    fake_em.logout()
    with client() as em:
        em.get("/querySvc")
    assert fake_em.summary() == [LOGON, SVC] + [LOGOUT] * 7 and em.warnings == []
    assert fake_em.sleeps == [0.5, 1.0, 2.0, 2.0, 2.0, 2.0]


def test_error_status_to_a_stop_says_it_was_not_repeated(fake_em):
    """A 502 comes from a proxy, behind which EM may have taken the stop: it is not asked again."""
    fake_em.logon().expect("POST", "/backupSessions/%s" % LOGON_ID, 502, xml_error(502, "Bad gateway")).logout()
    with pytest.raises(VeeamEmError) as err:
        with client() as em:
            em.post("/backupSessions/%s" % LOGON_ID, [("action", "stop")])
    assert "HTTP 502 to POST /backupSessions/%s: not accepted (a request that changes something is not repeated)" % LOGON_ID in err.value.msg
    assert fake_em.summary() == [LOGON, ("POST", "/api/backupSessions/%s" % LOGON_ID, "action=stop"), LOGOUT]


def test_stop_answered_503_is_asked_again(fake_em):
    """503: EM was unable to handle the request (the reference's words), so it did not take the stop."""
    stop = ("POST", "/api/backupSessions/%s" % LOGON_ID, "action=stop")
    fake_em.logon().expect("POST", "/backupSessions/%s" % LOGON_ID, 503, xml_error(503, "Busy"))
    fake_em.expect("POST", "/backupSessions/%s" % LOGON_ID, 202, "").logout()
    with client() as em:
        assert em.post("/backupSessions/%s" % LOGON_ID, [("action", "stop")]) is None
    assert fake_em.summary() == [LOGON, stop, stop, LOGOUT] and fake_em.sleeps == [0.5]


# -- the retry table: the code's RETRY_RULES and the one in docs/reliability.md -------------
def _doc_row(rule):
    """A RETRY_RULES row as docs/reliability.md writes it."""
    after = ["a connect timeout", "HTTP " + ", ".join(str(status) for status in rule.statuses)]
    if rule.lost_answer:
        after.append("a lost, cut off or malformed answer")
    repetitions = str(len(rule.backoff))
    if 500 in rule.statuses and rule.retries(500) != len(rule.backoff):
        repetitions += " (after HTTP 500: %d)" % rule.retries(500)
    on_401 = "a new logon, then once more" if rule.relogon_on_401 else "no new logon"
    return "| %s | %s | %s | %s | %s |" % (rule.requests, "; ".join(after), repetitions,
                                           ", ".join("%g" % wait for wait in rule.backoff), on_401)


def _doc_retry_rows():
    path = os.path.join(REPO, "docs", "reliability.md")
    with open(path, encoding="utf-8") as doc:
        lines = doc.read().split("## Retries", 1)[1].splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith("| Requests |"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def test_docs_retry_table_is_the_code_s_table():
    assert _doc_retry_rows() == [_doc_row(rule) for rule in _client.RETRY_RULES.values()]


def test_retry_table_states_the_documented_rules():
    """What the issue and the connection doc fragment promise, stated once more against the table."""
    rules = _client.RETRY_RULES
    assert (rules["logout"].retries(500), rules["logout"].retries(503), rules["logout"].retries()) == (6, 6, 6)
    assert (rules["read"].retries(500), rules["read"].retries(502), rules["read"].retries()) == (2, 3, 3)
    assert rules["action"].statuses == (503,) and not rules["action"].lost_answer
    assert not rules["logon"].lost_answer and not rules["logon"].relogon_on_401


# -- requests that never reached EM (real sockets on loopback, no FakeEm) ---------------------------
NOT_SENT_HINT = "EM may have created a logon session"


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(_client.EmClient, "clock", fake)
    return fake


def _closed_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    return port


@pytest.fixture
def plain_server():
    """A loopback server that speaks plain HTTP: it records what arrives and answers 400, as an HTTP server would."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    received = []

    def serve():
        while True:
            try:
                conn, dummy = listener.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                try:
                    received.append(conn.recv(4096))
                    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                except OSError:
                    pass

    thread = threading.Thread(target=serve)
    thread.daemon = True
    thread.start()
    yield listener.getsockname()[1], received
    listener.close()
    thread.join(5)


def test_unresolvable_name_says_so_and_not_that_em_may_have_a_logon_session(clock):
    with pytest.raises(VeeamEmError) as err:
        client(server="em.invalid").logon()
    assert err.value.msg.startswith("The host name em.invalid in server could not be resolved (")
    assert "never reached Enterprise Manager" in err.value.msg and NOT_SENT_HINT not in err.value.msg
    assert clock.sleeps == []  # not tried again


def test_refused_connection_on_a_closed_port_says_so(clock):
    port = _closed_port()
    with pytest.raises(VeeamEmError) as err:
        client(server="127.0.0.1", port=port).logon()
    assert err.value.msg.startswith("Nothing answers at https://127.0.0.1:%d/api/sessionMngr/ (connection refused), "
                                    "so the request never reached Enterprise Manager" % port)
    assert NOT_SENT_HINT not in err.value.msg and clock.sleeps == []


def test_https_to_a_plain_http_port_says_so(clock, plain_server):
    port, received = plain_server
    with pytest.raises(VeeamEmError) as err:
        client(server="127.0.0.1", port=port).logon()
    assert err.value.msg.startswith("TLS connection to Enterprise Manager at https://127.0.0.1:%d/api failed (" % port)
    assert "so the request never reached it. If the server speaks plain HTTP, set protocol=http" in err.value.msg
    assert NOT_SENT_HINT not in err.value.msg and clock.sleeps == []
    assert len(received) == 1 and received[0][:1] == b"\x16"  # a TLS handshake record: no HTTP request was sent


@pytest.mark.parametrize("method, path, mode", [("GET", "/querySvc", "read"), ("POST", "/backupSessions", "action")])
def test_other_requests_that_never_reached_em_are_not_repeated(clock, method, path, mode):
    em = client(server="em.invalid", session_token="t0ken")
    with pytest.raises(VeeamEmError) as err:
        em.request(method, path, idempotent=mode == "read")
    assert "could not be resolved" in err.value.msg and "may have reached the server" not in err.value.msg
    assert clock.sleeps == []


# -- the client refuses a path that is not /collection/id/... -------------------------------------
@pytest.mark.parametrize("path", [
    "/backupSessions/../logonSessions", "/backupSessions/x", "/backupSessions/%s?action=stop" % LOGON_ID,
    "/backupSessions/%sx" % LOGON_ID, "/backupSessions/%s/../x" % LOGON_ID, "/backupSessions/%2e%2e",
    "/backupSessions/", "/logonSessions/", "/logonSessions/%s/" % LOGON_ID, "/tasks/task-1x", "//x", "backupSessions", "",
    "/backupSessions/a/b",
])
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_client_refuses_a_path_segment_that_is_not_a_valid_id(fake_em, method, path):
    with pytest.raises(VeeamEmError) as err:
        with client() as em:
            em.request(method, path)
    assert err.value.msg.startswith("Refused to send %s %r: " % (method, path))
    assert fake_em.summary() == []  # not even a logon


def test_client_refuses_a_bad_logon_session_id_before_any_request(fake_em):
    em = client(session_token=TOKEN)
    with pytest.raises(VeeamEmError) as err:
        em.delete_logon_session("../backupSessions/%s?action=stop" % LOGON_ID)
    assert "is not a valid id" in err.value.msg and fake_em.summary() == []


def test_client_accepts_the_paths_of_the_collection(fake_em):
    fake_em.logon()
    paths = ["/query", "/backupSessions/%s" % LOGON_ID.upper(), "/backupTaskSessions/%s" % LOGON_ID,
             "/jobs/%s" % LOGON_ID, "/tasks/task-12", "/logonSessions", "/backupSessions/%s/taskSessions" % LOGON_ID]
    for path in paths:
        fake_em.expect("GET", path, body="<X/>")
    fake_em.logout()
    with client() as em:
        for path in paths:
            em.get(path)
    assert fake_em.summary() == [LOGON] + [("GET", "/api" + path) for path in paths] + [LOGOUT]
