# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The playbooks shown in README.md and the role READMEs run against the emulator.

A YAML block that is a play (a list of dicts with ``hosts``) runs as written, with the changes a
reader makes for their own EM: the connection (``server``, ``ca_path``, ...) and the account come
from the emulator's ``VEEAM_EM_*`` variables, ``vault_*`` variables are given, a report goes to a
temporary folder, and everything runs in check mode where the snippet would stop sessions. The
other YAML blocks describe data (a report's JSON, an AWX credential type) and are checked where
that data is produced (test_roles_*.py, test_ecosystem_awx_runner.py); rulebooks run with
ansible-rulebook in test_eda.py.
"""

from __future__ import absolute_import, division, print_function

import glob
import os
import re

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCS = ("README.md",) + tuple(sorted(os.path.relpath(p, REPO) for p in glob.glob(os.path.join(REPO, "roles", "*", "README.md"))))
CONNECTION = ("server", "host", "hostname", "port", "protocol", "ca_path", "validate_certs", "user", "password")
BLOCK = re.compile(r"^```yaml\n(.*?)^```", re.S | re.M)


def plays():
    found = []
    for doc in DOCS:
        with open(os.path.join(REPO, doc)) as fh:
            for index, block in enumerate(BLOCK.findall(fh.read())):
                data = yaml.safe_load(block)
                if is_play(data):
                    found.append(pytest.param(data, id="%s-%d" % (doc, index)))
    return found


def is_play(data):
    """A list of plays (a rulebook, with ``sources``, runs in test_eda.py instead)."""
    return (isinstance(data, list) and bool(data)
            and all(isinstance(p, dict) and "hosts" in p and "sources" not in p for p in data))


def without_connection(value):
    """Module arguments and module_defaults without the snippet's connection: the emulator's comes from the environment."""
    if isinstance(value, list):
        return [without_connection(item) for item in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if key.startswith(("backupops.veeam_em.", "group/backupops.veeam_em.")) and isinstance(item, dict):
            item = dict((k, v) for k, v in item.items() if k not in CONNECTION)
        out[key] = without_connection(item)
    return out


def test_at_least_the_readme_playbook_is_found():
    assert [p for p in plays() if p.id.startswith("README.md")]


@pytest.mark.parametrize("play", plays())
def test_snippet_runs_against_the_emulator(fresh_emulator, ansible_playbook, tmp_path, play):
    env = fresh_emulator.env()
    playbook = tmp_path / "snippet.yml"
    playbook.write_text(yaml.safe_dump(without_connection(play), sort_keys=False))
    text = str(play)
    stops = "em_backup_session_stop" in text or "backup_session_guard" in text
    extra = {"vault_em_user": env["VEEAM_EM_USER"], "vault_em_password": env["VEEAM_EM_PASSWORD"],
             "backup_session_report_dir": str(tmp_path / "report")}
    if "backup_session_report_fail_on" in text:
        extra["backup_session_report_fail_on"] = []  # the emulator always has failures: the gate would end the play
    proc = ansible_playbook(str(playbook), extra_vars=extra, env=env, args=["--check"] if stops else [])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "failed=0" in proc.stdout, proc.stdout
    stats = fresh_emulator.stats()
    assert stats["open_logon_sessions"] == 0 and stats["stop_requests"] == 0, stats


def commands():
    """The ``ansible localhost -m backupops.veeam_em...`` and ``ansible-playbook backupops.veeam_em.<playbook>`` lines of README.md."""
    with open(os.path.join(REPO, "README.md")) as fh:
        lines = [line.split("#", 1)[0].strip() for line in fh]
    return [pytest.param(line, id=line[:60]) for line in lines
            if line.startswith(("ansible localhost -m backupops.veeam_em.", "ansible-playbook backupops.veeam_em."))]


@pytest.mark.parametrize("command", commands())
def test_readme_command_runs_against_the_emulator(fresh_emulator, collection_env, tmp_path, command):
    """As written, with the emulator's VEEAM_EM_* in the environment; a stop, or the guard, only in check mode."""
    import shlex
    import subprocess
    import sys
    # <uuid>: the documentation's session d46e39e0-... that the emulator serves (a Stopped one: nothing to stop)
    args = shlex.split(command.replace("<uuid>", "d46e39e0-1131-4585-91a7-e828ce7eafae"))
    args = [os.path.join(os.path.dirname(sys.executable), args[0])] + args[1:]
    if args[0].endswith("ansible"):
        args[2:2] = ["-i", "localhost,", "-c", "local"]
    if "stop" in command or "guard" in command:
        args.append("--check")
    args = [a.replace("/srv/reports", str(tmp_path / "reports")) for a in args]
    env = dict(collection_env, **fresh_emulator.env())
    proc = subprocess.run(args, env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    stats = fresh_emulator.stats()
    assert stats["open_logon_sessions"] == 0 and stats["stop_requests"] == 0, stats


def _patch_play():
    """README's play that backs up before a change (em_backup_job state=started, then the change)."""
    found = [p.values[0] for p in plays() if p.id.startswith("README.md")
             and "em_backup_job" in str(p.values[0]) and "patching now" in str(p.values[0])]
    assert len(found) == 1, "README.md shows one pre-change backup play"
    return found[0]


def _newest_session_name(emulator, job_name):
    """The name (``job@creation time``) of the job's newest session, read with the test's own logon."""
    import urllib.parse
    from test_eda import EmUser
    user = EmUser(emulator)
    try:
        body = user.call("GET", "query?type=BackupJobSession&format=Entities&sortDesc=CreationTime&pageSize=1"
                                "&filter=JobUid==%s" % urllib.parse.quote('"urn:veeam:Job:%s"' % user.job_id(job_name)))
    finally:
        user.close()
    return re.search(r'<BackupJobSession [^>]*Name="([^"]+)"', body).group(1).replace("&quot;", '"')


@pytest.mark.parametrize("check_mode", [True, False], ids=["check-mode", "real-run"])
def test_readme_patch_example_says_what_it_did(fresh_emulator, ansible_playbook, tmp_path, check_mode):
    """In check mode nothing is started: the play says what it would do and never calls the last (old) session
    "Backed up by"; in a real run it names the new session the module started, with its result."""
    play = _patch_play()
    playbook = tmp_path / "patch.yml"
    playbook.write_text(yaml.safe_dump(without_connection(play), sort_keys=False))
    old_session = _newest_session_name(fresh_emulator, "Fileserver Backup")
    proc = ansible_playbook(str(playbook), env=fresh_emulator.env(), args=["--check"] if check_mode else [])
    assert proc.returncode == 0 and "failed=0" in proc.stdout, proc.stdout + proc.stderr
    stats = fresh_emulator.stats()
    if check_mode:
        assert "Backed up by" not in proc.stdout, proc.stdout
        assert ("Check mode, nothing sent; would send action=start to job 'Fileserver Backup'; the change would "
                "follow a successful backup") in proc.stdout, proc.stdout
        assert stats.get("job_actions", {}) == {}, stats
    else:
        new_session = _newest_session_name(fresh_emulator, "Fileserver Backup")
        assert new_session != old_session
        assert "Backed up by %s (Success): patching now" % new_session in proc.stdout, proc.stdout
        assert stats["job_actions"] == {"start": 1}, stats
    assert stats["open_logon_sessions"] == 0, stats
