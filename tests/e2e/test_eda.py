# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Event-Driven Ansible: the real ansible-rulebook (its own venv, build/eda-venv) with the event source
backupops.veeam_em.backup_sessions against an emulator of its own.

ansible-rulebook needs Java 17 (bindep.txt, profile test: `make prereqs` installs it); the venv is
made by scripts/eda_venv.sh (about 15 s the first time, nothing after).  Each test stops the
rulebook with SIGTERM, as an EDA controller stops an activation, with JAVA_TOOL_OPTIONS=-Xrs as in
the decision environment: the source is then cancelled and deletes its logon session.
"""

from __future__ import absolute_import, division, print_function

import ast
import json
import os
import re
import signal
import ssl
import subprocess

import time
import urllib.parse
import urllib.request

import pytest
import yaml

from emulator_process import ansible_env

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RULEBOOKS = os.path.join(REPO, "tests", "e2e", "rulebooks")
EVENT_LINE = re.compile(r"^EVENT (\{.*\})$", re.M)


@pytest.fixture(scope="session")
def eda_bin():
    """The bin folder of build/eda-venv (ansible-rulebook, ansible-playbook, ansible-galaxy)."""
    proc = subprocess.run([os.path.join(REPO, "scripts", "eda_venv.sh")], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    subprocess.run(["java", "-version"], capture_output=True, check=True)  # ansible-rulebook needs Java 17
    return proc.stdout.strip().splitlines()[-1]


class Rulebook(object):
    """A running ``ansible-rulebook -r RULEBOOK`` with the emulator's VEEAM_EM_* and ``variables``."""

    def __init__(self, bin_dir, emulator, rulebook, workdir, variables=None, env_keys=None, args=(), env_changes=None):
        self.emulator = emulator
        env = ansible_env(workdir, bin_dir=bin_dir, python=os.path.join(bin_dir, "python"))
        env.update((key, value) for key, value in emulator.env().items() if env_keys is None or key in env_keys)
        for key, value in (env_changes or {}).items():  # None: unset
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        env["JAVA_TOOL_OPTIONS"] = "-Xrs"
        vars_file = os.path.join(workdir, "vars.json")
        with open(vars_file, "w") as handle:
            json.dump(variables or {}, handle)
        inventory = os.path.join(workdir, "inventory.yml")
        with open(inventory, "w") as handle:
            handle.write("all:\n  hosts:\n    localhost:\n      ansible_connection: local\n")
        self.log = os.path.join(workdir, "rulebook.log")
        self.proc = subprocess.Popen(
            [os.path.join(bin_dir, "ansible-rulebook"), "-r", rulebook, "-i", inventory, "--vars", vars_file] + list(args),
            env=env, cwd=workdir, stdout=open(self.log, "w"), stderr=subprocess.STDOUT)

    def output(self):
        with open(self.log) as handle:
            return handle.read()

    def events(self):
        """The events the test rulebook printed (one ``EVENT {...}`` line each, a Python literal)."""
        return [ast.literal_eval(line) for line in EVENT_LINE.findall(self.output())]

    def wait_for(self, what, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = what()
            if found:
                return found
            assert self.proc.poll() is None, "ansible-rulebook ended early:\n" + self.output()
            time.sleep(0.3)
        raise AssertionError("timed out; ansible-rulebook said:\n" + self.output())

    def stop(self):
        """SIGTERM, as an EDA controller stops an activation."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("ansible-rulebook did not stop on SIGTERM:\n" + self.output())


class EmUser(object):
    """The test's own EM calls (Basic logon, a query, a stop), over plain urllib."""

    def __init__(self, emulator):
        self.emulator = emulator
        self.ctx = ssl.create_default_context(cafile=emulator.ca_path)
        auth = "%s:%s" % (emulator.admin_user, emulator.admin_password)
        import base64
        req = urllib.request.Request(emulator.url + "sessionMngr/?v=latest", method="POST", data=b"",
                                     headers={"Authorization": "Basic " + base64.b64encode(auth.encode()).decode()})
        with urllib.request.urlopen(req, context=self.ctx) as resp:
            self.token = resp.headers["X-RestSvcSessionId"]
            self.logon_id = re.search(r"<SessionId>([^<]+)</SessionId>", resp.read().decode()).group(1)

    def call(self, method, path):
        req = urllib.request.Request(self.emulator.url + path, method=method, data=b"" if method == "POST" else None,
                                     headers={"X-RestSvcSessionId": self.token})
        with urllib.request.urlopen(req, context=self.ctx) as resp:
            return resp.read().decode("utf-8")

    def running_session(self):
        body = self.call("GET", "query?type=BackupJobSession&format=Entities&sortDesc=CreationTime&pageSize=1"
                                "&filter=State==Working")
        return re.search(r'UID="urn:veeam:BackupJobSession:([0-9a-f-]+)"', body).group(1)

    def job_id(self, name):
        body = self.call("GET", "query?type=Job&format=Entities&filter=Name==%s"
                         % urllib.parse.quote('"%s"' % name))
        return re.search(r'UID="urn:veeam:Job:([0-9a-f-]+)"', body).group(1)

    def last_session(self, job_id):
        """``(IsRetry, Result)`` of the job's newest session once it has ended, else None."""
        body = self.call("GET", "query?type=BackupJobSession&format=Entities&sortDesc=CreationTime&pageSize=1"
                                "&filter=JobUid==%s" % urllib.parse.quote('"urn:veeam:Job:%s"' % job_id))
        if "<State>Stopped</State>" not in body:
            return None
        return (re.search(r"<IsRetry>(\w+)</IsRetry>", body).group(1), re.search(r"<Result>(\w+)</Result>", body).group(1))

    def close(self):
        self.call("DELETE", "logonSessions/%s" % self.logon_id)


def test_source_reports_a_session_that_ends_once_and_logs_off(eda_bin, start_emulator, tmp_path):
    emulator = start_emulator("--stop-delay", "1")
    rulebook = Rulebook(eda_bin, emulator, os.path.join(RULEBOOKS, "print_events.yml"), str(tmp_path),
                        {"veeam_em_interval": 1})
    started = time.time()
    try:
        rulebook.wait_for(lambda: emulator.stats()["requests"].get("GET /api/query"))  # polling
        user = EmUser(emulator)
        session_id = user.running_session()
        user.call("POST", "backupSessions/%s?action=stop" % session_id)  # Working -> Stopped (Failed) in 1 s
        user.close()
        events = rulebook.wait_for(rulebook.events)
        polls = emulator.stats()["requests"]["GET /api/query"]
        rulebook.wait_for(lambda: emulator.stats()["requests"]["GET /api/query"] >= polls + 3)  # 3 more polls
    finally:
        rulebook.stop()
    print("rulebook ran %.1f s" % (time.time() - started))
    events = rulebook.events()
    assert [(e["event_type"], e["backup_session"]["id"]) for e in events] == [("finished", session_id)]
    session = events[0]["backup_session"]
    assert session["state"] == "Stopped" and session["result"] == "Failed" and session["end_time"]
    assert [t["reason"] for t in session["task_sessions"]]  # the stopped VMs, with the reason
    stats = emulator.stats()
    assert stats["logons"] == 2 and stats["logouts"] == 2, stats  # the source's and the test's
    assert stats["open_logon_sessions"] == 0, stats
    assert emulator.admin_password not in rulebook.output()


def test_bad_option_stops_the_rulebook_with_a_clear_message(eda_bin, start_emulator, tmp_path):
    emulator = start_emulator()
    rulebook = Rulebook(eda_bin, emulator, os.path.join(RULEBOOKS, "print_events.yml"), str(tmp_path),
                        {"veeam_em_interval": 0})
    rulebook.proc.wait(timeout=120)
    assert "backupops.veeam_em.backup_sessions: interval must be from 1 to 86400" in rulebook.output()
    assert emulator.stats()["requests_total"] == 0


def rulebook_snippets():
    """The rulebooks (YAML with ``sources``) of README.md, docs/eda.md and the source's EXAMPLES."""
    found = []
    for doc in ("README.md", os.path.join("docs", "eda.md")):
        with open(os.path.join(REPO, doc)) as handle:
            found += [yaml.safe_load(block) for block in re.findall(r"^```yaml\n(.*?)^```", handle.read(), re.S | re.M)]
    plugin = os.path.join(REPO, "extensions", "eda", "plugins", "event_source", "backup_sessions.py")
    for node in ast.parse(open(plugin).read()).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "EXAMPLES":
            found.append(yaml.safe_load(node.value.value))
    return [data for data in found if isinstance(data, list) and all("sources" in item for item in data)]


def test_documented_rulebooks_load_and_poll(eda_bin, start_emulator, tmp_path):
    """Every documented rulebook, in one ansible-rulebook run: its sources poll EM, nothing fails, all log off.

    The connection comes from the emulator's VEEAM_EM_* (as a reader's comes from their own EM) and
    the interval is 1 s; the rules stay as written (no session finishes, so no action runs).
    """
    snippets = rulebook_snippets()
    assert len(snippets) >= 3, "README, docs/eda.md and EXAMPLES each show a rulebook"
    rulesets = []
    for index, snippet in enumerate(snippets):
        for ruleset in snippet:
            for source in ruleset["sources"]:
                args = source["backupops.veeam_em.backup_sessions"]
                for key in ("server", "user", "password", "state_file"):
                    args.pop(key, None)
                args["interval"] = 1
            ruleset["name"] = "%s (snippet %d)" % (ruleset["name"], index)
            rulesets.append(ruleset)
    path = tmp_path / "snippets.yml"
    path.write_text(yaml.safe_dump(rulesets, sort_keys=False))
    emulator = start_emulator()
    workdir = tmp_path / "run"
    workdir.mkdir()
    rulebook = Rulebook(eda_bin, emulator, str(path), str(workdir))
    try:
        rulebook.wait_for(lambda: emulator.stats()["requests"].get("GET /api/query", 0) >= 2 * len(rulesets))
    finally:
        rulebook.stop()
    stats = emulator.stats()
    assert stats["logons"] == stats["logouts"] == len(rulesets) and stats["open_logon_sessions"] == 0, stats
    # ansible-rulebook's own log lines (the rule engine's JVM may log an ERROR of its own shutdown race)
    assert " - ERROR - " not in rulebook.output() and "Traceback" not in rulebook.output(), rulebook.output()


class Webhook(object):
    """A local HTTP endpoint that records the JSON bodies POSTed to it (the notification playbook's target)."""

    def __init__(self):
        import http.server
        import threading
        received = self.received = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802  pylint: disable=invalid-name  # the http.server API
                received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):  # pylint: disable=arguments-differ
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/hook" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_rulebook_retries_a_failed_job_once_and_reports_a_failed_retry(eda_bin, start_emulator, tmp_path):
    """The shipped rulebook: Oracle Backup fails, is retried once, the retry succeeds; SQL Backup fails
    twice: retried once, then the notification playbook posts the report. Nothing more is sent."""
    emulator = start_emulator("--job-duration", "2", "--job-outcome", "Oracle Backup=Failed,Success",
                              "--job-outcome", "SQL Backup=Failed")
    webhook = Webhook()
    # the connection as an EDA controller credential gives it (extra vars), only the CA from the environment
    connection = {"veeam_em_server": "%s:%d" % (emulator.host, emulator.port),
                  "veeam_em_user": emulator.admin_user, "veeam_em_password": emulator.admin_password}
    rulebook = Rulebook(eda_bin, emulator, "backupops.veeam_em.retry_failed_backups", str(tmp_path),
                        dict(connection, veeam_em_interval=1, veeam_em_notify_url=webhook.url),
                        env_keys=("VEEAM_EM_CA_PATH",))
    started = time.time()
    try:
        rulebook.wait_for(lambda: emulator.stats()["requests"].get("GET /api/query"))
        user = EmUser(emulator)
        jobs = dict((name, user.job_id(name)) for name in ("Oracle Backup", "SQL Backup"))
        for job_id in jobs.values():
            user.call("POST", "jobs/%s?action=start" % job_id)
        rulebook.wait_for(lambda: emulator.stats().get("job_actions", {}).get("retry") == 2 and webhook.received,
                          timeout=90)
        # the retry of Oracle Backup has ended (Success) and the source has polled past it: nothing more happens
        rulebook.wait_for(lambda: user.last_session(jobs["Oracle Backup"]) == ("true", "Success"))
        polls = emulator.stats()["requests"]["GET /api/query"]
        rulebook.wait_for(lambda: emulator.stats()["requests"]["GET /api/query"] >= polls + 6)
        user.close()
    finally:
        rulebook.stop()
        webhook.close()
    print("rulebook ran %.1f s" % (time.time() - started))
    stats = emulator.stats()
    assert stats["job_actions"] == {"start": 2, "retry": 2}, stats  # one retry per job, never a second
    assert stats["requests"]["POST /api/jobs/{id}"] == 4, stats
    assert stats["open_logon_sessions"] == 0 and stats["logons"] == stats["logouts"], stats
    assert [(report["event"], report["job_name"]) for report in webhook.received] == [
        ("veeam_em_retry_failed", "SQL Backup")]
    assert webhook.received[0]["failed_vms"] and webhook.received[0]["reasons"]
    assert emulator.admin_password not in rulebook.output()
