# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The info modules through real ansible-playbook and ansible runs against the emulator."""

from __future__ import absolute_import, division, print_function

import json
import os

PLAYBOOKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playbooks", "modules")


def adhoc_result(proc):
    """The JSON result of a one-host ad-hoc run (``localhost | SUCCESS => {...}``)."""
    assert " => " in proc.stdout, proc.stdout + proc.stderr
    return json.loads(proc.stdout.split(" => ", 1)[1])


def test_info_playbook_every_option(fresh_emulator, ansible_playbook):
    env = fresh_emulator.env()
    del env["VEEAM_EM_SERVER"]  # comes through module_defaults of group/backupops.veeam_em.em
    proc = ansible_playbook(os.path.join(PLAYBOOKS, "info.yml"), extra_vars={"em_server": fresh_emulator.host}, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    stats = fresh_emulator.stats()
    assert stats["open_logon_sessions"] == 0
    assert stats["logons"] == stats["logouts"] == 12  # one per module run
    # 8 queries, plus one of one item for each requested name that is not in its (filtered, limited)
    # result: does EM know that name at all? They all exist, so nothing is said about them.
    assert stats["requests"]["GET /api/query"] == 12, stats
    assert "of that name at all" not in proc.stdout + proc.stderr
    assert stats["requests"]["GET /api/backupSessions/{id}"] == 4
    assert stats["requests"]["GET /api/backupTaskSessions/{id}"] == 1
    assert fresh_emulator.admin_password not in proc.stdout + proc.stderr


def test_adhoc_one_logon_one_page_one_logout(fresh_emulator, ansible_adhoc):
    proc = ansible_adhoc("backupops.veeam_em.em_backup_session_info", "limit=3 result=Failed", env=fresh_emulator.env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = adhoc_result(proc)
    assert len(result["backup_sessions"]) == 3
    assert set(s["result"] for s in result["backup_sessions"]) == {"Failed"}
    stats = fresh_emulator.stats()
    assert stats["requests"] == {"POST /api/sessionMngr/": 1, "GET /api/query": 1, "DELETE /api/logonSessions/{id}": 1}
    assert stats["open_logon_sessions"] == 0


def test_adhoc_full_list_pages(fresh_emulator, ansible_adhoc):
    proc = ansible_adhoc("backupops.veeam_em.em_backup_session_info", env=fresh_emulator.env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    total = adhoc_result(proc)["summary"]["total"]
    pages = -(-total // 1000)
    assert total > 1000
    stats = fresh_emulator.stats()
    assert stats["requests"] == {"POST /api/sessionMngr/": 1, "GET /api/query": pages, "DELETE /api/logonSessions/{id}": 1}


def test_untrusted_certificate_message(fresh_emulator, ansible_adhoc):
    env = fresh_emulator.env()
    del env["VEEAM_EM_CA_PATH"]
    proc = ansible_adhoc("backupops.veeam_em.em_backup_session_info", "limit=1", env=env)
    assert proc.returncode != 0
    result = adhoc_result(proc)
    assert "validate_certs" in result["msg"] and "ca_path" in result["msg"]
    assert fresh_emulator.stats()["logons"] == 0
    env["VEEAM_EM_VALIDATE_CERTS"] = "false"
    proc = ansible_adhoc("backupops.veeam_em.em_backup_session_info", "limit=1", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert fresh_emulator.stats()["open_logon_sessions"] == 0


def test_http_protocol(start_emulator, ansible_adhoc):
    emu = start_emulator("--http", "--sessions", "200")
    env = emu.env()
    assert env["VEEAM_EM_PROTOCOL"] == "http" and "VEEAM_EM_CA_PATH" not in env
    proc = ansible_adhoc("backupops.veeam_em.em_backup_task_session_info", "limit=2 state=Completed", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(adhoc_result(proc)["backup_task_sessions"]) == 2
    assert "protocol is http: the password and the session token travel" in proc.stdout + proc.stderr
    assert emu.stats()["open_logon_sessions"] == 0


def test_bad_password_and_no_secret_in_output(fresh_emulator, ansible_adhoc):
    env = fresh_emulator.env()
    env["VEEAM_EM_PASSWORD"] = "Wrong-Secret-Password-1"
    proc = ansible_adhoc("backupops.veeam_em.em_backup_session_info", "limit=1", env=env, args=["-vvv"])
    assert proc.returncode != 0
    assert "user name or password rejected" in adhoc_result(proc)["msg"]
    assert "Wrong-Secret-Password-1" not in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout


def test_messages_that_say_what_to_do(fresh_emulator, ansible_adhoc):
    """Missing server names VEEAM_EM_SERVER; http against the HTTPS port says so, after one attempt; a refused
    port fails at once with the URL tried."""
    env = fresh_emulator.env()
    del env["VEEAM_EM_SERVER"]
    proc = ansible_adhoc("backupops.veeam_em.em_backup_session_info", "limit=1", env=env)
    assert "VEEAM_EM_SERVER" in adhoc_result(proc)["msg"]

    env = dict(fresh_emulator.env(), VEEAM_EM_PROTOCOL="http")
    proc = ansible_adhoc("backupops.veeam_em.em_backup_session_info", "limit=1", env=env)
    msg = adhoc_result(proc)["msg"]
    assert "if this port speaks HTTPS, set protocol=https" in msg and "gave up after" not in msg

    env = dict(fresh_emulator.env(), VEEAM_EM_PORT="1")
    proc = ansible_adhoc("backupops.veeam_em.em_backup_session_info", "limit=1", env=env)
    msg = adhoc_result(proc)["msg"]
    assert msg.startswith("Nothing answers at https://%s:1/api/sessionMngr/ (connection refused)" % fresh_emulator.host)
    assert "gave up after" not in msg
