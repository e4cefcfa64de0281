# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``ansible -vvv`` shows neither a password nor a session token, also when a module fails.

Real ad-hoc runs against the emulator of every module found in plugins/modules/ (a new module
without a case in ADHOC fails ``test_every_module_has_a_case``): with the password, with a session
token, with a wrong password, with EM unreachable; a session token with a trailing newline (which
requests refuses as a header, and whose message held the token), a token EM rejects, a valid token
with surrounding whitespace; the report files of em_backup_session_report and of the report
playbook (HTML, JSON, JUnit); the event source in ansible-rulebook at -vvv (debug logging).
The whole stdout and stderr of each run are searched, for the known secrets and for any token
the emulator hands out (the base64 form of a GUID); a failing test shows them with the secrets
replaced.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import os
import re
import socket
import ssl
import urllib.error
import urllib.request

import pytest
import yaml

from test_eda import EmUser, Rulebook, eda_bin  # noqa: F401  pylint: disable=unused-import  # the rulebook fixture and runner

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
with open(os.path.join(REPO, "meta", "runtime.yml")) as _runtime:
    EM_GROUP = yaml.safe_load(_runtime)["action_groups"]["em"]
# the modules that talk to EM (the action group em); em_estate_report merges on the controller: the estate playbook
# below covers it
MODULE_NAMES = sorted(name[:-3] for name in os.listdir(os.path.join(REPO, "plugins", "modules"))
                      if name.endswith(".py") and name != "__init__.py" and name[:-3] in EM_GROUP)
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


# A token of the emulator: the base64 form of a GUID string (48 characters), as EM 12 hands them out.
TOKEN_LIKE = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{48}(?![A-Za-z0-9+/=])")
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def emulator_tokens(text):
    """Every session token of the emulator's kind in ``text``."""
    found = []
    for candidate in TOKEN_LIKE.findall(text):
        try:
            decoded = base64.b64decode(candidate).decode("ascii")
        except (ValueError, UnicodeDecodeError):
            continue
        if GUID.match(decoded):
            found.append(candidate)
    return found


def assert_no_secret(text, secrets, allowed_tokens=()):
    """Neither a known secret nor any emulator token (but ``allowed_tokens``) in ``text``."""
    secrets = [secret for secret in secrets if secret]
    redacted = text
    for secret in secrets + emulator_tokens(text):
        redacted = redacted.replace(secret, "<secret>")
    for secret in secrets:
        if secret in text:
            pytest.fail("a secret is in the output:\n%s" % redacted, pytrace=False)
    tokens = [token for token in emulator_tokens(text) if token not in allowed_tokens]
    if tokens:
        pytest.fail("%d session token(s) in the output:\n%s" % (len(tokens), redacted), pytrace=False)


def _check(proc, secrets, rc_ok, allowed_tokens=()):
    """No secret in the output, no traceback, the expected outcome."""
    shown = proc.stdout + proc.stderr
    redacted = shown
    for secret in secrets:
        redacted = redacted.replace(secret, "<secret>")
    assert_no_secret(shown, secrets, allowed_tokens)
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


# -- every module: with the password, with a token, with a wrong password, with EM unreachable -----------------
# Module arguments of a run that succeeds against the emulator, and whether it runs in check mode (where it would
# change something on EM). em_logon_session state=present opens a logon session and returns its token: that
# token is its result (it is for later tasks) and is the one token allowed in its output.
ADHOC = {
    "em_backup_job": ("name='Fileserver Backup' state=started", True),
    "em_backup_job_info": ("name='Fileserver Backup'", False),
    "em_backup_session_info": ("limit=1", False),
    "em_backup_session_report": ("window=24h", False),
    "em_backup_session_stop": ("job_name='Fileserver Backup'", True),
    "em_backup_task_session_info": ("limit=1", False),
    "em_logon_session": ("state=present", False),
    "em_protection_info": ("rpo=24h", False),
    "em_repository_info": ("", False),
    "em_vm_restore_point_info": ("limit=1", False),
}


def test_every_module_has_a_case():
    assert len(MODULE_NAMES) >= 7, MODULE_NAMES
    assert sorted(set(MODULE_NAMES) - set(ADHOC)) == [], "modules without a case in test_secrets_vvv.py"


def _adhoc(ansible_adhoc, name, env, module_args=None):
    args, check_mode = ADHOC[name]
    return ansible_adhoc("backupops.veeam_em." + name, module_args or args, env=env,
                         args=["-vvv"] + (["--check"] if check_mode else []))


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_module_with_the_password(fresh_emulator, ansible_adhoc, name):
    env = fresh_emulator.env()
    proc = _adhoc(ansible_adhoc, name, env)
    returned = ()
    if name == "em_logon_session":  # its result is the new logon session's token: allowed there, then logged off
        found = re.search(r'"session_token": "([^"]+)"', proc.stdout)
        assert found, proc.stdout
        returned = (found.group(1),)
    _check(proc, [fresh_emulator.admin_password], rc_ok=True, allowed_tokens=returned)
    if returned:
        logoff = ansible_adhoc("backupops.veeam_em.em_logon_session", "state=absent session_token=%s" % returned[0],
                               env=env, args=["-vvv"])
        _check(logoff, [fresh_emulator.admin_password, returned[0]], rc_ok=True)
    assert fresh_emulator.stats()["open_logon_sessions"] == 0


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_module_with_a_token(fresh_emulator, ansible_adhoc, real_token, name):
    env = fresh_emulator.env()
    env["VEEAM_EM_SESSION_TOKEN"] = real_token
    del env["VEEAM_EM_PASSWORD"]
    # em_logon_session with a token: state=absent logs it off (the fixture's own logoff then finds it gone)
    proc = _adhoc(ansible_adhoc, name, env, "state=absent" if name == "em_logon_session" else None)
    _check(proc, [real_token, fresh_emulator.admin_password], rc_ok=True)


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_module_with_a_wrong_password(fresh_emulator, ansible_adhoc, name):
    env = fresh_emulator.env()
    env["VEEAM_EM_PASSWORD"] = WRONG_PASSWORD
    proc = _adhoc(ansible_adhoc, name, env)
    result = _check(proc, [WRONG_PASSWORD, MARK, fresh_emulator.admin_password], rc_ok=False)
    assert "user name or password rejected" in result["msg"], result["msg"]


def _closed_port():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@pytest.mark.parametrize("how", ["password", "token"])
@pytest.mark.parametrize("name", MODULE_NAMES)
def test_module_with_em_unreachable(emulator, ansible_adhoc, name, how):
    env = emulator.env()
    env.update(VEEAM_EM_SERVER="127.0.0.1", VEEAM_EM_PORT=str(_closed_port()), VEEAM_EM_PASSWORD=WRONG_PASSWORD)
    if how == "token":
        env["VEEAM_EM_SESSION_TOKEN"] = MADE_UP_TOKEN + "\n"
    module_args = "state=absent" if how == "token" and name == "em_logon_session" else None
    proc = _adhoc(ansible_adhoc, name, env, module_args)
    result = _check(proc, [WRONG_PASSWORD, MADE_UP_TOKEN, MARK], rc_ok=False)
    assert "127.0.0.1" in result["msg"], result["msg"]  # it says where it could not connect


# -- the report files ------------------------------------------------------------------------------------------
def _files_text(folder):
    texts = []
    for root, dummy, files in os.walk(folder):
        for name in files:
            with open(os.path.join(root, name), encoding="utf-8") as handle:
                texts.append(handle.read())
    return "\n".join(texts)


@pytest.mark.parametrize("how", ["password", "token"])
def test_report_module_files(fresh_emulator, ansible_adhoc, real_token, tmp_path, how):
    env = fresh_emulator.env()
    if how == "token":
        env["VEEAM_EM_SESSION_TOKEN"] = real_token
    dest = tmp_path / "report"
    proc = ansible_adhoc("backupops.veeam_em.em_backup_session_report", "window=7d dest=%s" % dest, env=env,
                         args=["-vvv"])
    _check(proc, [real_token, fresh_emulator.admin_password], rc_ok=True)
    assert sorted(os.listdir(str(dest))) == ["backup-session-report.html", "backup-session-report.json",
                                             "backup-session-report.junit.xml"]
    assert_no_secret(_files_text(str(dest)), [real_token, fresh_emulator.admin_password])


def test_report_playbook_files(fresh_emulator, collection_env, tmp_path):
    """The report playbook (the role), as AWX runs it, at -vvv: neither its output nor its files show a secret."""
    import subprocess
    import sys
    dest = tmp_path / "report"
    env = dict(collection_env, **fresh_emulator.env())
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-vvv",
                           "backupops.veeam_em.report", "-e", "report_dir=%s" % dest],
                          env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert_no_secret(proc.stdout + proc.stderr, [fresh_emulator.admin_password])
    assert sorted(os.listdir(str(dest))) == ["backup-session-report.html", "backup-session-report.json",
                                             "backup-session-report.junit.xml"]
    assert_no_secret(_files_text(str(dest)), [fresh_emulator.admin_password])


# -- the event source, ansible-rulebook -vvv (debug logging) -----------------------------------------------------
PRINT_EVENTS = os.path.join(REPO, "tests", "e2e", "rulebooks", "print_events.yml")


def _rulebook(eda_bin, emulator, tmp_path, env_changes):
    """ansible-rulebook -vvv with the test rulebook, the emulator's VEEAM_EM_* changed by ``env_changes``."""
    workdir = tmp_path / "run"
    workdir.mkdir()
    return Rulebook(eda_bin, emulator, PRINT_EVENTS, str(workdir), {"veeam_em_interval": 1},
                    options=["-vvv"], env_changes=env_changes)


def test_event_source_polling_at_debug(eda_bin, fresh_emulator, tmp_path):
    """Polls and an event (a session the test stops ends Failed; the emulator stops in 1 s), logged at debug."""
    rulebook = _rulebook(eda_bin, fresh_emulator, tmp_path, {})
    try:
        rulebook.wait_for(lambda: fresh_emulator.stats()["requests"].get("GET /api/query", 0) >= 3)
        user = EmUser(fresh_emulator)
        session_id = user.running_session()
        user.call("POST", "backupSessions/%s?action=stop" % session_id)
        user.close()
        events = rulebook.wait_for(rulebook.events)
    finally:
        rulebook.stop()
    assert [event["backup_session"]["id"] for event in events] == [session_id]
    output = rulebook.output()
    assert "DEBUG" in output, output[-3000:]  # debug logging was on
    assert_no_secret(output, [fresh_emulator.admin_password])


def test_event_source_with_a_token_at_debug(eda_bin, fresh_emulator, real_token, tmp_path):
    rulebook = _rulebook(eda_bin, fresh_emulator, tmp_path,
                         {"VEEAM_EM_SESSION_TOKEN": real_token, "VEEAM_EM_PASSWORD": None})
    try:
        rulebook.wait_for(lambda: fresh_emulator.stats()["requests"].get("GET /api/query", 0) >= 3)
    finally:
        rulebook.stop()
    assert_no_secret(rulebook.output(), [real_token, fresh_emulator.admin_password])


def test_event_source_wrong_password_at_debug(eda_bin, emulator, tmp_path):
    """Rejected credentials before the first poll stop the source: the rulebook ends, naming the password."""
    rulebook = _rulebook(eda_bin, emulator, tmp_path, {"VEEAM_EM_PASSWORD": WRONG_PASSWORD})
    try:
        rulebook.proc.wait(timeout=120)
    finally:
        rulebook.stop()
    output = rulebook.output()
    assert "user name or password rejected" in output, output[-3000:]
    assert_no_secret(output, [WRONG_PASSWORD, MARK, emulator.admin_password])


def test_event_source_em_unreachable_at_debug(eda_bin, emulator, tmp_path):
    """EM unreachable: the source retries with backoff (two failed polls logged), showing no secret."""
    rulebook = _rulebook(eda_bin, emulator, tmp_path, {"VEEAM_EM_SERVER": "127.0.0.1",
                                                       "VEEAM_EM_PORT": str(_closed_port()),
                                                       "VEEAM_EM_PASSWORD": WRONG_PASSWORD})
    try:
        rulebook.wait_for(lambda: "poll failed (2 in a row)" in rulebook.output(), timeout=120)
    finally:
        rulebook.stop()
    assert_no_secret(rulebook.output(), [WRONG_PASSWORD, MARK, emulator.admin_password])


# -- the estate playbook: many EMs, each with its own password, one stopped, one refusing the logon --------------
def test_estate_playbook_at_vvv(start_emulator, collection_env, tmp_path):
    """playbooks/estate_report.yml -vvv: no password of any EM (answering, unreachable, refused) in its output or files."""
    import subprocess
    import sys
    passwords = {"em-a": "Estate-A-SECRET-pw 1!", "em-b": "Estate-B-SECRET-pw 2!", "em-down": "Estate-Down-SECRET-3!",
                 "em-refused": "Estate-Refused-SECRET-4!", "em-unresolved": "Estate-Unresolved-SECRET-5!",
                 "em-untrusted": "Estate-Untrusted-SECRET-6!"}
    up = {}
    for name in ("em-a", "em-b"):
        up[name] = start_emulator("--sessions", "200", "--admin-password", passwords[name])
    down = start_emulator("--sessions", "50", "--admin-password", passwords["em-down"])
    down.stop()

    def host(emu, password, server=None):
        return {"veeam_em_server": server or emu.host, "veeam_em_port": emu.port, "veeam_em_protocol": emu.protocol,
                "veeam_em_user": emu.admin_user, "veeam_em_password": password, "veeam_em_ca_path": emu.ca_path}
    hosts = {"em-a": host(up["em-a"], passwords["em-a"]), "em-b": host(up["em-b"], passwords["em-b"]),
             "em-down": host(down, passwords["em-down"]),
             "em-refused": host(up["em-a"], passwords["em-refused"]),
             "em-unresolved": host(up["em-b"], passwords["em-unresolved"], server="em-unresolved.invalid"),
             "em-untrusted": dict(host(up["em-b"], passwords["em-untrusted"]), veeam_em_ca_path=None)}  # TLS fails
    inventory = tmp_path / "ems.yml"
    inventory.write_text(yaml.safe_dump({"all": {"vars": {"ansible_python_interpreter": sys.executable},
                                                 "children": {"veeam_em": {"hosts": hosts}}}}), encoding="utf-8")
    dest = tmp_path / "report"
    secrets = list(passwords.values()) + [MARK]
    for allow in (False, True):
        proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-vvv", "-i",
                               str(inventory), "-e", json.dumps({"report_dir": str(dest), "allow_unreachable": allow,
                                                                 "rpo": "24h"}),
                               os.path.join(REPO, "playbooks", "estate_report.yml")],
                              env=collection_env, cwd=str(tmp_path), capture_output=True, text=True, timeout=900,
                              check=False)
        output = proc.stdout + proc.stderr
        assert proc.returncode == (0 if allow else 2), output
        assert "Traceback" not in output and "MODULE FAILURE" not in output
        # the per-EM task is no_log (its results are large): -vvv shows them hidden, and play 2 says each EM's reason
        assert "the output has been hidden due to the fact that 'no_log: true' was specified" in output
        assert "em-down: unreachable - Nothing answers at" in output
        assert "em-refused: logon_refused - Logon to Enterprise Manager at" in output
        assert_no_secret(output, secrets)
        assert sorted(os.listdir(str(dest))) == ["estate-report.html", "estate-report.json", "estate-report.junit.xml",
                                                 "estate-report.state.json"]
        assert_no_secret(_files_text(str(dest)), secrets)
        statuses = dict((entry["em"], entry["status"]) for entry in json.loads(
            (dest / "estate-report.json").read_text(encoding="utf-8"))["ems"])
        assert statuses == {"em-a": "ok", "em-b": "ok", "em-down": "unreachable", "em-refused": "logon_refused",
                            "em-unresolved": "unreachable", "em-untrusted": "unreachable"}
    for emu in up.values():
        assert emu.stats()["open_logon_sessions"] == 0
