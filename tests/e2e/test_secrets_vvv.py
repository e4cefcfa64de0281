# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``ansible -vvv`` shows neither a password nor a session token, also when a module fails.

Real ad-hoc runs against the emulator: a wrong password, a session token with a
trailing newline (which requests refuses as a header, and whose message held
the token), a token EM rejects, a valid token with surrounding whitespace.
The whole stdout and stderr of each run are searched; a failing test shows
them with the secrets replaced.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import re
import ssl
import urllib.error
import urllib.request

import pytest

MARK = "SECRET"
WRONG_PASSWORD = "Wrong-SECRET-pass w:rd"
MADE_UP_TOKEN = "TWFkZS11cC1TRUNSRVQ-SECRET-token=="


def _call(emulator, method, path, headers):
    context = ssl.create_default_context(cafile=emulator.ca_path) if emulator.ca_path else None
    request = urllib.request.Request(emulator.url + path, method=method, headers=headers,
                                     data=b"" if method == "POST" else None)
    with urllib.request.urlopen(request, context=context, timeout=60) as answer:
        return answer.headers, answer.read().decode("utf-8")


@pytest.fixture()
def real_token(emulator):
    """A token of a logon session opened for the test (and deleted after it)."""
    basic = base64.b64encode(("%s:%s" % (emulator.admin_user, emulator.admin_password)).encode("utf-8")).decode("ascii")
    headers, body = _call(emulator, "POST", "sessionMngr/?v=latest", {"Authorization": "Basic " + basic})
    token = headers["X-RestSvcSessionId"]
    session_id = body.split("<SessionId>", 1)[1].split("</SessionId>", 1)[0]
    yield token
    try:
        _call(emulator, "DELETE", "logonSessions/" + session_id, {"X-RestSvcSessionId": token})
    except urllib.error.HTTPError:
        pass  # already gone


def _check(proc, secrets, rc_ok):
    """No secret in the output, no traceback, the expected outcome."""
    shown = proc.stdout + proc.stderr
    redacted = shown
    for secret in secrets:
        redacted = redacted.replace(secret, "<secret>")
    for secret in secrets:
        if secret in shown:
            pytest.fail("a secret is in the -vvv output:\n%s" % redacted, pytrace=False)
    found = re.search(r"^localhost \| [A-Z!]+ => ", proc.stdout, re.MULTILINE)
    result = json.JSONDecoder().raw_decode(proc.stdout[found.end():])[0] if found else {}
    # ansible-core 2.19 shows an exception of the module as a result without invocation whose msg is
    # "Task failed: Module failed: <the exception>" (a fail_json has the module's own msg and the invocation)
    crashed = "invocation" not in result or str(result.get("msg", "")).startswith(
        ("Task failed", "Module failed", "MODULE FAILURE"))
    if crashed or "Traceback" in shown or "MODULE FAILURE" in shown:
        pytest.fail("the module crashed:\n%s" % redacted, pytrace=False)
    if (proc.returncode == 0) != rc_ok:
        pytest.fail("rc %d:\n%s" % (proc.returncode, redacted), pytrace=False)
    return result


def test_wrong_password(emulator, ansible_adhoc):
    env = emulator.env()
    env["VEEAM_EM_PASSWORD"] = WRONG_PASSWORD
    proc = ansible_adhoc("backupops.veeam_em.em_backup_session_info", "limit=1", env=env, args=["-vvv"])
    result = _check(proc, [WRONG_PASSWORD, MARK], rc_ok=False)
    assert "password" in result["msg"]


@pytest.mark.parametrize("token", [MADE_UP_TOKEN + "\n", MADE_UP_TOKEN, "  " + MADE_UP_TOKEN + "\r\n"],
                         ids=["trailing-newline", "plain", "surrounded"])
def test_rejected_token(emulator, ansible_adhoc, token):
    env = emulator.env()
    env["VEEAM_EM_SESSION_TOKEN"] = token
    proc = ansible_adhoc("backupops.veeam_em.em_backup_session_info", "limit=1", env=env, args=["-vvv"])
    result = _check(proc, [MADE_UP_TOKEN, emulator.admin_password, MARK], rc_ok=False)
    assert "session_token" in result["msg"]


def test_rejected_token_as_a_module_argument(emulator, ansible_adhoc):
    env = emulator.env()
    proc = ansible_adhoc("backupops.veeam_em.em_backup_task_session_info",
                         "limit=1 session_token=%s" % MADE_UP_TOKEN, env=env, args=["-vvv"])
    result = _check(proc, [MADE_UP_TOKEN, emulator.admin_password, MARK], rc_ok=False)
    assert "session_token" in result["msg"]


def test_valid_token_with_trailing_newline(emulator, ansible_adhoc, real_token):
    env = emulator.env()
    env["VEEAM_EM_SESSION_TOKEN"] = real_token + "\n"
    proc = ansible_adhoc("backupops.veeam_em.em_backup_session_info", "limit=1", env=env, args=["-vvv"])
    _check(proc, [real_token, emulator.admin_password], rc_ok=True)
    proc = ansible_adhoc("backupops.veeam_em.em_backup_session_stop", "job_name='Fileserver Backup'", env=env,
                         args=["-vvv", "--check"])
    _check(proc, [real_token, emulator.admin_password], rc_ok=True)


def test_log_off_a_rejected_token(emulator, ansible_adhoc):
    env = emulator.env()
    env["VEEAM_EM_SESSION_TOKEN"] = "\t" + MADE_UP_TOKEN + "\n"
    proc = ansible_adhoc("backupops.veeam_em.em_logon_session", "state=absent", env=env, args=["-vvv"])
    result = _check(proc, [MADE_UP_TOKEN, emulator.admin_password, MARK], rc_ok=True)
    assert result["changed"] is False
