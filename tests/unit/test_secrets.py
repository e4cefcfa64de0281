# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""No password and no session token in any module result, on any failure path.

Every module of plugins/modules/ (found there: a new module without a case here fails
``test_every_module_has_a_case``) runs through every way it can fail (the error cases of the unit
tests, and the defects of issue #11) with a known password and a known token,
also given with surrounding whitespace.  What the module prints is what
``-vvv`` shows (the whole result: msg, warnings, exception, invocation); a run
that crashes is what Ansible shows as MODULE FAILURE, its traceback included.
Neither may contain the password, the token (stripped or not) or the Basic
authorization value, and a run must never crash.

The secrets all contain ``SECRET``, so a check for that word also catches a
token shown in pieces or escaped (``repr`` of a token with a newline).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import importlib
import json
import os
import socket
import threading
import traceback

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests


from ansible_collections.backupops.veeam_em.plugins.module_utils import _client
from ansible_collections.backupops.veeam_em.tests.unit.compat import patch_module_args, run_as_target
from ansible_collections.backupops.veeam_em.tests.unit.em_fake import (
    FakeClock,
    LOGON_ID,
    PASSWORD,
    TOKEN,
    job_session_xml,
    job_xml,
    query_result,
    task_xml,
    xml_error,
    xml_logon,
)

USER = "Administrator"
AUTHORIZATION = base64.b64encode(("%s:%s" % (USER, PASSWORD)).encode("utf-8")).decode("ascii")
MARK = "SECRET"
assert MARK in PASSWORD and MARK in TOKEN
# An Error message that repeats the secrets: no EM does that, but a message is scrubbed as a last line of defence.
# (ECHO_PASSWORD where the module has no token yet: a string it never had is not its secret.)
ECHO = "token %s password %s" % (TOKEN, PASSWORD)
ECHO_PASSWORD = "password %s" % PASSWORD
TOKEN_FORMS = [TOKEN, TOKEN + "\n", TOKEN + "\r\n", "  " + TOKEN, "\n" + TOKEN, "\t" + TOKEN + " \r\n"]
S1 = "11111111-1111-4111-8111-111111111111"

MODULE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                          "plugins", "modules")
MODULE_NAMES = sorted(name[:-3] for name in os.listdir(MODULE_DIR) if name.endswith(".py") and name != "__init__.py")
MODULES = dict((name, importlib.import_module("ansible_collections.backupops.veeam_em.plugins.modules." + name))
               for name in MODULE_NAMES)
# the modules that talk to EM: those with code (em_estate_report is documentation of a controller-side action)
MODULES = dict((name, module) for name, module in MODULES.items() if hasattr(module, "main"))
MODULE_NAMES = sorted(MODULES)
# The module's own options of a run that reaches EM (a module without an entry fails every case of its own).
OPTIONS = {
    "em_backup_job": {"name": "Fileserver Backup", "state": "started"},
    "em_backup_job_info": {},
    "em_backup_session_info": {},
    "em_backup_session_report": {},
    "em_backup_session_stop": {"id": S1},
    "em_backup_task_session_info": {},
    "em_logon_session": {"state": "present"},
    "em_protection_info": {},
    "em_repository_info": {},
    "em_vm_restore_point_info": {},
}
# Its first request after the logon (em_logon_session state=present makes none).
WORK = {
    "em_backup_job": ("GET", "/query"),
    "em_backup_job_info": ("GET", "/query"),
    "em_backup_session_info": ("GET", "/query"),
    "em_backup_session_report": ("GET", "/query"),
    "em_backup_session_stop": ("GET", "/backupSessions/" + S1),
    "em_backup_task_session_info": ("GET", "/query"),
    "em_protection_info": ("GET", "/query"),
    "em_repository_info": ("GET", "/query"),
    "em_vm_restore_point_info": ("GET", "/query"),
}


def _happy_job(fake):
    """em_backup_job state=started in check mode: the job found, nothing running, its last session read."""
    fake.expect("GET", "/query", body=query_result([job_xml()], "Jobs"))
    fake.expect("GET", "/query", body=query_result([]))
    fake.expect("GET", "/query", body=query_result([job_session_xml(S1)]))


# The answers (after any logon) of a run that succeeds, in check mode.
HAPPY = {
    "em_backup_job": _happy_job,
    "em_backup_job_info": lambda fake: fake.expect("GET", "/query", body=query_result([], "Jobs")),
    "em_backup_session_info": lambda fake: fake.expect("GET", "/query", body=query_result([])),
    "em_backup_session_report": lambda fake: repeat(fake, 4, "GET", "/query", body=query_result([], pages=0)),
    "em_backup_session_stop": lambda fake: fake.expect("GET", "/backupSessions/" + S1, body=job_session_xml(S1)),
    "em_backup_task_session_info": lambda fake: fake.expect("GET", "/query", body=query_result([], "BackupTaskSessions")),
    # state=absent with a token EM no longer knows: nothing to delete
    "em_logon_session": lambda fake: fake.expect("GET", "/logonSessions", 401, xml_error(401, "expired")),
    "em_protection_info": lambda fake: repeat(fake, 6, "GET", "/query", body=query_result([], pages=0)),
    "em_repository_info": lambda fake: fake.expect("GET", "/query", body=query_result([], "Repositories", pages=0)),
    "em_vm_restore_point_info": lambda fake: fake.expect(
        "GET", "/query", body=query_result([], "VmRestorePoints", pages=0)),
}
WITH_WORK = sorted(WORK)


def password_args(name, **extra):
    args = dict(server="em.example.com", user=USER, password=PASSWORD)
    args.update(OPTIONS[name])
    args.update(extra)
    return args


def token_args(name, token, **extra):
    """A given token (and the password too, which must not show either)."""
    args = dict(server="em.example.com", user=USER, password=PASSWORD, session_token=token)
    args.update(OPTIONS[name] if name != "em_logon_session" else {"state": "absent"})
    args.update(extra)
    return args


def test_every_module_has_a_case():
    """Each module of plugins/modules/ has its options, its first request and a successful run here."""
    assert len(MODULE_NAMES) >= 7, MODULE_NAMES
    missing = dict((what, sorted(set(MODULE_NAMES) - set(table) - set(exempt))) for what, table, exempt in (
        ("OPTIONS", OPTIONS, ()), ("WORK", WORK, ("em_logon_session",)), ("HAPPY", HAPPY, ())))
    assert missing == {"OPTIONS": [], "WORK": [], "HAPPY": []}, "modules without a case in test_secrets.py: %r" % missing


def redact(text):
    """The text with the secrets replaced (a failing test shows the output, never a secret)."""
    for secret, shown in ((PASSWORD, "<password>"), (TOKEN, "<token>"), (AUTHORIZATION, "<authorization>"),
                          (MARK, "<mark>")):
        text = text.replace(secret, shown)
    return text


@pytest.fixture
def run(monkeypatch, capsys):
    """``run(name, args)`` -> (exit code, stdout, traceback or None) of a real module run."""
    for name in list(os.environ):
        if name.startswith("VEEAM_EM_"):
            monkeypatch.delenv(name)

    def _run(name, args, check_mode=False):
        args = dict(args)
        if check_mode:
            args["_ansible_check_mode"] = True
        rc, trace = None, None
        run_as_target(monkeypatch)
        with patch_module_args(args):
            try:
                MODULES[name].main()
            except SystemExit as exc:
                rc = exc.code
            except Exception:  # pylint: disable=broad-except  # Ansible shows it as MODULE FAILURE, with its traceback
                trace = traceback.format_exc()
        return rc, capsys.readouterr().out, trace
    return _run


def assert_no_secret(outcome, failed=True, returned_token=False):
    """Neither secret in the output or the traceback; no traceback; failed (or not) cleanly.

    ``returned_token``: em_logon_session state=present hands out the token of its new logon session in
    ``session_token`` (that is what it is for); it must be there, and nowhere else.
    """
    rc, out, trace = outcome
    shown = out + (trace or "")
    if returned_token and trace is None:
        result = json.loads(out)
        assert result.pop("session_token", None) == TOKEN, redact(out)
        shown = json.dumps(result)
    for secret, what in ((PASSWORD, "the password"), (TOKEN, "the token"), (AUTHORIZATION, "the Basic authorization"),
                         (MARK, "part of a secret")):
        if secret in shown:
            pytest.fail("%s is in the output: %s" % (what, redact(shown)), pytrace=False)
    if trace is not None:
        pytest.fail("the module crashed (MODULE FAILURE):\n%s" % redact(trace), pytrace=False)
    result = json.loads(out)
    if failed:
        assert rc == 1 and result.get("failed") is True, redact(out)
        assert result.get("msg"), redact(out)
    else:
        assert rc == 0 and not result.get("failed"), redact(out)
    return result


def repeat(fake, times, method, path, status=200, body="", headers=None, raises=None):
    """Queue the same answer ``times`` times (retries may ask again; leftovers are dropped)."""
    for dummy in range(times):
        fake.expect(method, path, status, body, headers, raises)


def finish(fake):
    """Answer the logout; drop answers the run did not ask for (the number of retries is not this test's business)."""
    repeat(fake, 2, "DELETE", "/logonSessions/" + LOGON_ID, 204)


def drop_leftovers(fake):
    del fake.queue[:]


def running(sid=S1):
    return job_session_xml(sid, state="Working", result="None", ended=None)


# -- failures after a logon with user and password -------------------------------
def _work_answer(status, body="", raises=None, times=6):
    def script(fake, name):
        fake.logon()
        repeat(fake, times, WORK[name][0], WORK[name][1], status, body, raises=raises)
        finish(fake)
    return script


def _truncated(fake, name):
    fake.logon()
    whole = query_result([job_session_xml(S1)]) if name != "em_backup_session_stop" else job_session_xml(S1)
    repeat(fake, 8, WORK[name][0], WORK[name][1], 200, whole[:len(whole) // 2])
    finish(fake)


def _unauthorized_twice(fake, name):
    fake.logon()
    fake.expect(WORK[name][0], WORK[name][1], 401, xml_error(401, ECHO))
    fake.logon()
    fake.expect(WORK[name][0], WORK[name][1], 401, xml_error(401, ECHO))
    finish(fake)


WORK_FAILURES = {
    "500-echoing-secrets": _work_answer(500, xml_error(500, ECHO)),
    "503-after-retries": _work_answer(503, xml_error(503, "The service is temporarily unavailable.")),
    "404": _work_answer(404, xml_error(404, ECHO)),
    "400": _work_answer(400, xml_error(400, ECHO)),
    "malformed-xml": _work_answer(200, "<QueryResult><Entities>" + ECHO),
    "doctype": _work_answer(200, '<!DOCTYPE x [<!ENTITY a "%s">]><QueryResult>&a;</QueryResult>' % ECHO),
    "truncated-body": _truncated,
    "connection-error": _work_answer(None, raises=requests.exceptions.ConnectionError(ECHO)),
    "read-timeout": _work_answer(None, raises=requests.exceptions.ReadTimeout(ECHO)),
    "chunked-encoding-error": _work_answer(None, raises=requests.exceptions.ChunkedEncodingError(ECHO)),
    "ssl-error": _work_answer(None, raises=requests.exceptions.SSLError(ECHO)),
    "401-after-a-new-logon": _unauthorized_twice,
}


@pytest.mark.parametrize("case", sorted(WORK_FAILURES))
@pytest.mark.parametrize("name", WITH_WORK)
def test_failures_after_logon(fake_em, run, name, case):
    WORK_FAILURES[case](fake_em, name)
    outcome = run(name, password_args(name))
    drop_leftovers(fake_em)
    assert_no_secret(outcome)


LOGON_FAILURES = {
    "401": lambda fake: repeat(fake, 2, "POST", "/sessionMngr/", 401, xml_error(401, ECHO_PASSWORD)),
    "403": lambda fake: repeat(fake, 2, "POST", "/sessionMngr/", 403, xml_error(403, ECHO_PASSWORD)),
    "500": lambda fake: repeat(fake, 2, "POST", "/sessionMngr/", 500, xml_error(500, ECHO_PASSWORD)),
    "503-after-retries": lambda fake: repeat(fake, 6, "POST", "/sessionMngr/", 503, xml_error(503, ECHO_PASSWORD)),
    "no-token-header": lambda fake: fake.expect("POST", "/sessionMngr/", 201, xml_logon()),
    "malformed-xml": lambda fake: repeat(fake, 6, "POST", "/sessionMngr/", 201, "<LogonSession>" + ECHO,
                                         {"X-RestSvcSessionId": TOKEN}),
    "connection-refused": lambda fake: repeat(fake, 6, "POST", "/sessionMngr/",
                                              raises=requests.exceptions.ConnectionError(ECHO_PASSWORD)),
    "tls-error": lambda fake: repeat(fake, 2, "POST", "/sessionMngr/", raises=requests.exceptions.SSLError(
        "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed (%s)" % ECHO_PASSWORD)),
}


# em_logon_session state=present needs only the token header of the logon's answer: it hands the token out even when
# the body cannot be read; every other module and case fails.
LOGON_SUCCEEDS = {("em_logon_session", "malformed-xml")}


@pytest.mark.parametrize("case", sorted(LOGON_FAILURES))
@pytest.mark.parametrize("name", MODULE_NAMES)
def test_logon_failures(fake_em, run, name, case):
    LOGON_FAILURES[case](fake_em)
    outcome = run(name, password_args(name))
    drop_leftovers(fake_em)
    if (name, case) in LOGON_SUCCEEDS:
        assert_no_secret(outcome, failed=False, returned_token=True)
    else:
        assert_no_secret(outcome)


def test_logout_failure_warning(fake_em, run):
    fake_em.logon().expect("GET", "/query", body=query_result([]))
    repeat(fake_em, 6, "DELETE", "/logonSessions/" + LOGON_ID, 500, xml_error(500, ECHO))
    outcome = run("em_backup_session_info", password_args("em_backup_session_info"))
    drop_leftovers(fake_em)
    result = assert_no_secret(outcome, failed=False)
    assert "Could not log out" in str(result.get("warnings")), redact(outcome[1])


# -- the stop module -------------------------------------------------------------
def _stop_forbidden(fake):
    fake.logon().expect("GET", "/backupSessions/" + S1, body=running())
    fake.expect("POST", "/backupSessions/" + S1, 403, xml_error(403, ECHO))
    finish(fake)


def _stop_task_failed(fake):
    fake.logon().expect("GET", "/backupSessions/" + S1, body=running())
    fake.expect("POST", "/backupSessions/" + S1, 202, task_xml("task-1", "Running"))
    fake.expect("GET", "/tasks/task-1", body=task_xml("task-1", "Finished", False, ECHO))
    finish(fake)


def _stop_post_lost(fake):
    fake.logon().expect("GET", "/backupSessions/" + S1, body=running())
    fake.expect("POST", "/backupSessions/" + S1, raises=requests.exceptions.ConnectionError(ECHO))
    finish(fake)


def _stop_wait_timeout(fake):
    fake.logon().expect("GET", "/backupSessions/" + S1, body=running())
    fake.expect("POST", "/backupSessions/" + S1, 202, task_xml("task-1", "Finished", True, ECHO))
    stopping = job_session_xml(S1, state="Stopping", result="None", ended=None)
    repeat(fake, 10, "GET", "/backupSessions/" + S1, body=stopping)
    finish(fake)


def _stop_unknown_job_name_500(fake):
    fake.logon()
    repeat(fake, 6, "GET", "/query", 500, xml_error(500, ECHO))
    finish(fake)


@pytest.mark.parametrize("script, options", [
    (_stop_forbidden, {}),
    (_stop_task_failed, {}),
    (_stop_post_lost, {}),
    (_stop_wait_timeout, {"wait_timeout": 5, "poll_interval": 2}),
    (_stop_unknown_job_name_500, {"id": None, "job_name": "Nightly Job"}),
], ids=["403", "task-failed", "post-lost", "wait-timeout", "job-name-500"])
def test_stop_failures(fake_em, run, script, options):
    script(fake_em)
    args = dict((k, v) for k, v in password_args("em_backup_session_stop", **options).items() if v is not None)
    outcome = run("em_backup_session_stop", args)
    drop_leftovers(fake_em)
    assert_no_secret(outcome)


# -- the job module's action -------------------------------------------------------
JOB_ID = "4856ab37-2235-45e8-affe-d515878b01a9"  # job_xml()'s


@pytest.mark.parametrize("answer", [
    dict(status=403, body=xml_error(403, ECHO)),
    dict(status=500, body=xml_error(500, ECHO)),
    dict(raises=requests.exceptions.ConnectionError(ECHO)),
    dict(status=202, body=task_xml("task-1", "Finished", False, ECHO, operation="StartJob")),
], ids=["403", "500", "post-lost", "task-failed"])
def test_job_action_failures(fake_em, run, answer):
    fake_em.logon()
    _happy_job(fake_em)
    fake_em.expect("POST", "/jobs/" + JOB_ID, **answer)
    repeat(fake_em, 3, "GET", "/tasks/task-1", body=task_xml("task-1", "Finished", False, ECHO, operation="StartJob"))
    finish(fake_em)
    outcome = run("em_backup_job", password_args("em_backup_job", wait=False))
    drop_leftovers(fake_em)
    assert_no_secret(outcome)
    assert [c.method for c in fake_em.calls].count("POST") == 2, "one logon, one start"  # never a second start


# -- a given session token, with and without surrounding whitespace -----------------
@pytest.mark.parametrize("token", TOKEN_FORMS, ids=repr)
@pytest.mark.parametrize("name", WITH_WORK)
def test_token_rejected(fake_em, run, name, token):
    repeat(fake_em, 2, WORK[name][0], WORK[name][1], 401, xml_error(401, ECHO))
    outcome = run(name, token_args(name, token))
    drop_leftovers(fake_em)
    result = assert_no_secret(outcome)
    assert "session_token" in result["msg"], redact(outcome[1])
    assert not [c for c in fake_em.calls if c.method == "POST" and c.path.endswith("/sessionMngr/")], "a given token was replaced"


@pytest.mark.parametrize("token", TOKEN_FORMS, ids=repr)
@pytest.mark.parametrize("name", WITH_WORK)
def test_token_work_fails(fake_em, run, name, token):
    repeat(fake_em, 6, WORK[name][0], WORK[name][1], 500, xml_error(500, ECHO))
    outcome = run(name, token_args(name, token))
    drop_leftovers(fake_em)
    assert_no_secret(outcome)


@pytest.mark.parametrize("token", TOKEN_FORMS, ids=repr)
def test_token_accepted_is_sent_stripped(fake_em, run, token):
    fake_em.expect("GET", "/query", body=query_result([job_session_xml(S1)]))
    outcome = run("em_backup_session_info", token_args("em_backup_session_info", token))
    drop_leftovers(fake_em)
    assert_no_secret(outcome, failed=False)
    assert [c.headers.get("X-RestSvcSessionId") for c in fake_em.calls] == [TOKEN]


TWO_LOGON_SESSIONS = ('<LogonSessions xmlns="http://www.veeam.com/ent/v1.0">%s%s</LogonSessions>'
                      % (xml_logon("a-1").split("?>", 1)[1], xml_logon("b-2").split("?>", 1)[1]))
# (case, options, script, expected): None = succeeds with that result, else the failure's message contains the text
ABSENT_CASES = [
    ("token-unknown-to-em", {}, lambda fake: fake.expect("GET", "/logonSessions", 401, xml_error(401, ECHO)),
     {"changed": False, "logon_session_id": None}),
    ("listing-500", {}, lambda fake: repeat(fake, 6, "GET", "/logonSessions", 500, xml_error(500, ECHO)),
     "HTTP 500"),
    ("two-logon-sessions", {}, lambda fake: fake.expect("GET", "/logonSessions", body=TWO_LOGON_SESSIONS),
     "Enterprise Manager lists 2 logon sessions for this token; pass logon_session_id"),
    # a logout is tried once and repeated six times, on HTTP 500 too (docs/reliability.md, "Retries")
    ("delete-500", {"logon_session_id": LOGON_ID},
     lambda fake: repeat(fake, 7, "DELETE", "/logonSessions/" + LOGON_ID, 500, xml_error(500, ECHO)), "HTTP 500"),
    ("delete-connection-error", {"logon_session_id": LOGON_ID},
     lambda fake: repeat(fake, 6, "DELETE", "/logonSessions/" + LOGON_ID,
                         raises=requests.exceptions.ConnectionError(ECHO)), "DELETE /logonSessions/"),
]


@pytest.mark.parametrize("token", TOKEN_FORMS, ids=repr)
@pytest.mark.parametrize("case, options, script, expected", ABSENT_CASES, ids=[case[0] for case in ABSENT_CASES])
def test_logon_session_absent_failures(fake_em, run, token, case, options, script, expected):
    script(fake_em)
    outcome = run("em_logon_session", token_args("em_logon_session", token, **options))
    drop_leftovers(fake_em)
    if isinstance(expected, dict):
        result = assert_no_secret(outcome, failed=False)
        assert dict((key, result.get(key)) for key in expected) == expected, redact(outcome[1])
    else:
        result = assert_no_secret(outcome)
        assert expected in result["msg"], redact(outcome[1])


UNSENDABLE = "session_token contains a line break, a control character or a character an HTTP header cannot carry"


@pytest.mark.parametrize("name", MODULE_NAMES)
@pytest.mark.parametrize("token, sendable", [
    ("T0k3n-SECRET\n-abc==", False), ("T0k3n-SECRET\r-abc==", False), ("T0k3n-SECRET-\x00abc==", False),
    ("T0k3n-SECRET-\u6771bc==", False),  # not latin-1
    ("T0k3n-SECRET-abc==\n\n", True),  # sent stripped
    ("T0k3n-SECRET-\u00e4bc==", True),  # latin-1: a header can carry it
], ids=repr)
def test_token_that_cannot_be_a_header(fake_em, run, name, token, sendable):
    """requests refuses a header with a line break (InvalidHeader, whose message holds the value), http.client one
    that is not latin-1: the run fails naming session_token, before any request, and shows neither. A token that
    can be sent is used (the module's check-mode run succeeds)."""
    HAPPY[name](fake_em)
    outcome = run(name, token_args(name, token), check_mode=True)
    drop_leftovers(fake_em)
    if sendable:
        assert_no_secret(outcome, failed=False)
        assert fake_em.calls, "nothing was sent"
    else:
        result = assert_no_secret(outcome)
        assert UNSENDABLE in result["msg"] and fake_em.calls == [], redact(outcome[1])


# -- requests raising by itself, with the secrets in its message -------------------
RAISED = [
    (requests.exceptions.InvalidHeader, "Invalid leading whitespace, reserved character(s), or return character(s) in "
                                        "header value: %r"),
    (requests.exceptions.InvalidURL, "Failed to parse: https://%s@em.example.com:9398/api"),
    (requests.exceptions.RequestException, "%s"),
    (requests.exceptions.ConnectionError, "%s"),
    (requests.exceptions.SSLError, "%s"),
    (requests.exceptions.ReadTimeout, "%s"),
    (requests.exceptions.ConnectTimeout, "%s"),
    (requests.exceptions.ChunkedEncodingError, "%s"),
    (requests.exceptions.ContentDecodingError, "%s"),
    (requests.exceptions.TooManyRedirects, "%s"),
    (requests.exceptions.InvalidSchema, "%s"),
    (requests.exceptions.MissingSchema, "%s"),
    (requests.exceptions.RetryError, "%s"),
    (UnicodeEncodeError, None),
]


def _raised(kind, template, secrets):
    if kind is UnicodeEncodeError:  # what http.client raises for a header that is not latin-1
        return UnicodeEncodeError("latin-1", secrets + "\u6771", len(secrets), len(secrets) + 1, "ordinal not in range(256)")
    return kind(template % secrets)


@pytest.mark.parametrize("how", ["password", "token"])
@pytest.mark.parametrize("name", MODULE_NAMES)
@pytest.mark.parametrize("kind, template", RAISED, ids=[kind.__name__ for kind, dummy in RAISED])
def test_requests_raising(fake_em, run, monkeypatch, name, how, kind, template):
    """requests raises before any answer, with the secrets the module has in its message (and so in a traceback)."""
    if how == "password":
        error = _raised(kind, template, PASSWORD)
        args = password_args(name)
    else:
        error = _raised(kind, template, "  " + TOKEN + "\n " + PASSWORD)
        args = token_args(name, "  " + TOKEN + "\n")

    def raising(*args, **kwargs):
        raise error
    monkeypatch.setattr(requests.Session, "request", raising)
    outcome = run(name, args)
    assert_no_secret(outcome)
    assert fake_em.calls == []


# -- option errors, with both secrets given -------------------------------------
INVALID = [
    ("em_backup_session_info", {"limit": 0}),
    ("em_backup_session_info", {"created_after": "yesterday"}),
    ("em_backup_session_info", {"created_after": "1d", "created_before": "2d"}),
    ("em_backup_session_info", {"id": "bad"}),
    ("em_backup_session_info", {"id": S1, "job_name": ["x"]}),
    ("em_backup_session_info", {"result": ["Bad"]}),
    ("em_backup_task_session_info", {"session_id": "nope"}),
    ("em_backup_task_session_info", {"limit": -1}),
    ("em_backup_task_session_info", {"id": "urn:veeam:BackupJobSession:" + S1}),
    ("em_backup_session_stop", {"id": "bad"}),
    ("em_backup_session_stop", {"wait_timeout": 0}),
    ("em_backup_session_stop", {"poll_interval": 0}),
    ("em_backup_session_stop", {"job_name": "x"}),
    ("em_logon_session", {"state": "gone"}),
    ("em_backup_job", {"state": "exploded"}),
    ("em_backup_job", {"wait_timeout": 0}),
    ("em_backup_job", {"id": "bad"}),
    ("em_backup_job_info", {"name": {"a": 1}}),
    ("em_backup_job_info", {"job_type": ["Nope"]}),
    ("em_backup_session_report", {"window": "yesterday"}),
    ("em_backup_session_report", {"fail_on": ["Bad"]}),
    ("em_backup_session_report", {"timeline": "week"}),
]
CONNECTION_INVALID = [
    {"server": "a b"}, {"server": ""}, {"server": "https://em.example.com/api"}, {"port": 0}, {"port": 70000},
    {"timeout": 0}, {"ca_path": "/nonexistent/ca.pem"}, {"protocol": "ftp"}, {"api_version": "v9"},
    {"validate_certs": "maybe"}, {"unknown_option": 1},
]


@pytest.mark.parametrize("with_token", [False, True])
@pytest.mark.parametrize("name, options", INVALID + [(name, options) for name in sorted(MODULES)
                                                     for options in CONNECTION_INVALID])
def test_option_errors(fake_em, run, name, options, with_token):
    args = token_args(name, "\t" + TOKEN + "\n") if with_token and name != "em_logon_session" else password_args(name)
    args.update(options)
    outcome = run(name, args)
    assert_no_secret(outcome)
    assert fake_em.calls == []


def test_missing_user(fake_em, run):
    outcome = run("em_backup_session_info", {"server": "em.example.com", "password": PASSWORD})
    result = assert_no_secret(outcome)
    assert "user" in result["msg"] and fake_em.calls == []


# -- real sockets: TLS against plain HTTP, a closed port, a server that says 401 ---
class _Unauthorized(BaseHTTPRequestHandler):
    """Answers every request 401 and records its headers."""

    protocol_version = "HTTP/1.1"

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.server.seen.append(dict(self.headers))
        body = xml_error(401, "The logon session is unknown or has expired.").encode("utf-8")
        self.send_response(401)
        self.send_header("Content-Type", "application/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("WWW-Authenticate", "Basic Realm=RestSvc")
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_DELETE = _answer

    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass


@pytest.fixture(scope="module")
def http_401():
    """A plain HTTP server on 127.0.0.1 that refuses everything with 401."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Unauthorized)
    server.daemon_threads = True
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.daemon = True
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(10)


@pytest.fixture
def no_sleep(monkeypatch):
    """Retries do not wait: the client's clock is a FakeClock."""
    monkeypatch.setattr(_client.EmClient, "clock", FakeClock())
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)


def _closed_port():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def _local(port, protocol, **extra):
    args = dict(server="127.0.0.1", port=port, protocol=protocol, user=USER, password=PASSWORD, timeout=10)
    args.update(extra)
    return args


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_tls_against_plain_http(run, no_sleep, http_401, name):  # pylint: disable=unused-argument
    args = _local(http_401.server_address[1], "https", **OPTIONS[name])
    assert_no_secret(run(name, args))
    args = _local(http_401.server_address[1], "https", validate_certs=False, **OPTIONS[name])
    assert_no_secret(run(name, args))


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_connection_refused(run, no_sleep, name):  # pylint: disable=unused-argument
    assert_no_secret(run(name, _local(_closed_port(), "http", **OPTIONS[name])))


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_password_rejected_over_http(run, no_sleep, http_401, name):  # pylint: disable=unused-argument
    assert_no_secret(run(name, _local(http_401.server_address[1], "http", **OPTIONS[name])))


@pytest.mark.parametrize("token", TOKEN_FORMS, ids=repr)
@pytest.mark.parametrize("name", WITH_WORK)
def test_token_rejected_over_http(run, no_sleep, http_401, name, token):  # pylint: disable=unused-argument
    del http_401.seen[:]
    outcome = run(name, _local(http_401.server_address[1], "http", session_token=token, **OPTIONS[name]))
    result = assert_no_secret(outcome)
    assert "session_token" in result["msg"], redact(outcome[1])
    assert [seen.get("X-RestSvcSessionId") for seen in http_401.seen] == [TOKEN], "the token was not sent stripped"
