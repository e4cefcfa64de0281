# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Event-Driven Ansible: the real ansible-rulebook (its own venv, build/eda-venv) with the event source
backupops.veeam_em.backup_sessions against an emulator of its own.

ansible-rulebook needs Java 17 (bindep.txt, profile test: `make prereqs` installs it); the venv is
made by scripts/eda_venv.sh (about 15 s the first time, nothing after).  Each test stops the
rulebook with SIGTERM, as an EDA controller stops an activation (one test also with SIGINT, Ctrl-C),
with JAVA_TOOL_OPTIONS=-Xrs as in the decision environment: the source is then cancelled and deletes
its logon session.
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
PROBE_LINE = re.compile(r"^PROBE (\{.*\})$", re.M)


@pytest.fixture(scope="session")
def eda_bin():
    """The bin folder of build/eda-venv (ansible-rulebook, ansible-playbook, ansible-galaxy)."""
    proc = subprocess.run([os.path.join(REPO, "scripts", "eda_venv.sh")], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    subprocess.run(["java", "-version"], capture_output=True, check=True)  # ansible-rulebook needs Java 17
    return proc.stdout.strip().splitlines()[-1]


class Rulebook(object):
    """A running ``ansible-rulebook -r RULEBOOK`` with the emulator's VEEAM_EM_* and ``variables``."""

    def __init__(self, bin_dir, emulator, rulebook, workdir, variables=None, env_keys=None, collections_path=None,
                 options=(), env_changes=None):
        self.emulator = emulator
        env = self.env = ansible_env(workdir, bin_dir=bin_dir, python=os.path.join(bin_dir, "python"))
        env.update((key, value) for key, value in emulator.env().items() if env_keys is None or key in env_keys)
        for key, value in (env_changes or {}).items():  # None: unset
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        env["JAVA_TOOL_OPTIONS"] = "-Xrs"
        if collections_path is not None:  # instead of the linked working tree
            env["ANSIBLE_COLLECTIONS_PATH"] = collections_path
        vars_file = os.path.join(workdir, "vars.json")
        with open(vars_file, "w") as handle:
            json.dump(variables or {}, handle)
        inventory = os.path.join(workdir, "inventory.yml")
        with open(inventory, "w") as handle:
            handle.write("all:\n  hosts:\n    localhost:\n      ansible_connection: local\n")
        self.log = os.path.join(workdir, "rulebook.log")
        self.proc = subprocess.Popen(
            [os.path.join(bin_dir, "ansible-rulebook"), "-r", rulebook, "-i", inventory, "--vars", vars_file]
            + list(options),
            env=env, cwd=workdir, stdout=open(self.log, "w"), stderr=subprocess.STDOUT)

    def output(self):
        with open(self.log) as handle:
            return handle.read()

    def events(self):
        """The events the test rulebook printed (one ``EVENT {...}`` line each, a Python literal)."""
        return [ast.literal_eval(line) for line in EVENT_LINE.findall(self.output())]

    def probes(self):
        """What the probe source of sys_path.yml reported (``PROBE {...}`` lines)."""
        return [ast.literal_eval(line) for line in PROBE_LINE.findall(self.output())]

    def wait_for(self, what, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = what()
            if found:
                return found
            assert self.proc.poll() is None, "ansible-rulebook ended early:\n" + self.output()
            time.sleep(0.3)
        raise AssertionError("timed out; ansible-rulebook said:\n" + self.output())

    def stop(self, signum=signal.SIGTERM):
        """SIGTERM, as an EDA controller stops an activation (SIGINT: Ctrl-C in a shell)."""
        self.proc.send_signal(signum)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("ansible-rulebook did not stop on %s:\n%s" % (signal.Signals(signum).name,
                                                                               self.output()))


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


def end_a_session(rulebook, emulator):
    """Once the source's first poll is done (EM's newest end time, then its window: 2 queries), stop a
    running session (it ends 1 s later, Failed) and wait for its event and 3 more polls; its id."""
    rulebook.wait_for(lambda: emulator.stats()["requests"].get("GET /api/query", 0) >= 2)
    user = EmUser(emulator)
    session_id = user.running_session()
    user.call("POST", "backupSessions/%s?action=stop" % session_id)  # Working -> Stopped (Failed) in 1 s
    user.close()
    rulebook.wait_for(rulebook.events)
    polls = emulator.stats()["requests"]["GET /api/query"]
    rulebook.wait_for(lambda: emulator.stats()["requests"]["GET /api/query"] >= polls + 3)  # 3 more polls
    return session_id


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_source_reports_a_session_that_ends_once_and_logs_off(eda_bin, start_emulator, tmp_path, signum):
    """Stopped with SIGTERM (an EDA controller) or SIGINT (Ctrl-C in a shell), with JAVA_TOOL_OPTIONS=-Xrs."""
    emulator = start_emulator("--stop-delay", "1")
    rulebook = Rulebook(eda_bin, emulator, os.path.join(RULEBOOKS, "print_events.yml"), str(tmp_path),
                        {"veeam_em_interval": 1})
    started = time.time()
    try:
        session_id = end_a_session(rulebook, emulator)
    finally:
        rulebook.stop(signum)
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


def default_sys_path(python, env):
    """``sys.path`` of ``python`` without its first entry (a script's own folder), in ``env``."""
    out = subprocess.run([python, "-c", "import json, sys; print(json.dumps(sys.path[1:]))"], env=env,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def run_with_probe(bin_dir, emulator, workdir, collections_path=None):
    """sys_path.yml (the source and the probe) until a session's event came; ``(rulebook, session id, probe)``."""
    rulebook = Rulebook(bin_dir, emulator, os.path.join(RULEBOOKS, "sys_path.yml"), workdir, {"veeam_em_interval": 1},
                        collections_path=collections_path, options=["-S", os.path.join(RULEBOOKS, "sources")])
    try:
        session_id = end_a_session(rulebook, emulator)
        probes = rulebook.wait_for(rulebook.probes)
    finally:
        rulebook.stop()
    assert [(e["event_type"], e["backup_session"]["id"]) for e in rulebook.events()] == [("finished", session_id)]
    stats = emulator.stats()
    assert stats["open_logon_sessions"] == 0, stats
    assert len(probes) == 1 and "Traceback" not in rulebook.output(), rulebook.output()
    return rulebook, probes[0]


def test_source_from_a_collections_path_appends_its_root_to_the_end_of_sys_path(eda_bin, start_emulator, tmp_path):
    """ANSIBLE_COLLECTIONS_PATH (the linked working tree): the one directory holding ansible_collections is
    appended at the end of sys.path, so nothing of the standard library or site-packages is shadowed."""
    emulator = start_emulator("--stop-delay", "1")
    rulebook, probe = run_with_probe(eda_bin, emulator, str(tmp_path))
    root = rulebook.env["ANSIBLE_COLLECTIONS_PATH"]
    expected = [eda_bin] + default_sys_path(os.path.join(eda_bin, "python"), rulebook.env) + [root]
    assert probe["sys_path"] == expected
    assert probe["module_utils"] == os.path.join(root, "ansible_collections", "backupops", "veeam_em", "plugins",
                                                 "module_utils", "_client.py")


def venv_with_the_collection_in_site_packages(eda_bin, workdir):
    """A venv of its own that extends build/eda-venv (a .pth line) and holds the built collection in its
    site-packages (``ansible-galaxy collection install -p SITE-PACKAGES``); its bin folder.

    ansible-rulebook and ansible-galaxy run there with the venv's python (their scripts, new first line).
    """
    venv = os.path.join(workdir, "venv")
    subprocess.run([os.path.join(eda_bin, "python"), "-m", "venv", "--without-pip", venv], check=True)
    python = os.path.join(venv, "bin", "python")
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    eda_site = subprocess.run([os.path.join(eda_bin, "python"), "-c",
                               "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              capture_output=True, text=True, check=True).stdout.strip()
    with open(os.path.join(site, "eda_venv.pth"), "w") as handle:
        handle.write(eda_site + "\n")
    for tool in ("ansible-rulebook", "ansible-galaxy"):
        with open(os.path.join(eda_bin, tool)) as handle:
            body = handle.read().split("\n", 1)[1]
        path = os.path.join(venv, "bin", tool)
        with open(path, "w") as handle:
            handle.write("#!%s\n%s" % (python, body))
        os.chmod(path, 0o755)
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_COLLECTIONS_PATH=os.path.join(workdir, "none"))
    subprocess.run([os.path.join(venv, "bin", "ansible-galaxy"), "collection", "build", "--output-path", workdir, REPO],
                   check=True, capture_output=True, env=env, cwd=workdir)
    tarball = [name for name in os.listdir(workdir) if name.endswith(".tar.gz")]
    subprocess.run([os.path.join(venv, "bin", "ansible-galaxy"), "collection", "install", "-p", site,
                    os.path.join(workdir, tarball[0])], check=True, capture_output=True, env=env, cwd=workdir)
    return os.path.join(venv, "bin"), site


def test_source_installed_in_site_packages_imports_without_touching_sys_path(eda_bin, start_emulator, tmp_path):
    """The collection in the rulebook venv's site-packages (no collections path): importable as it is;
    sys.path stays what Python made it (site-packages was put first before, shadowing the standard library)."""
    bin_dir, site = venv_with_the_collection_in_site_packages(eda_bin, str(tmp_path))
    empty = tmp_path / "no-collections"
    empty.mkdir()
    emulator = start_emulator("--stop-delay", "1")
    workdir = tmp_path / "run"
    workdir.mkdir()
    rulebook, probe = run_with_probe(bin_dir, emulator, str(workdir), collections_path=str(empty))
    assert probe["sys_path"] == [bin_dir] + default_sys_path(os.path.join(bin_dir, "python"), rulebook.env)
    assert probe["module_utils"] == os.path.join(site, "ansible_collections", "backupops", "veeam_em", "plugins",
                                                 "module_utils", "_client.py")


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
        rulebook.wait_for(lambda: emulator.stats()["requests"].get("GET /api/query", 0) >= 2)  # first poll done
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


def em_json(user, path):
    """``path`` of EM's API as JSON (the test's own logon)."""
    req = urllib.request.Request(user.emulator.url + path, headers={"X-RestSvcSessionId": user.token,
                                                                    "Accept": "application/json"})
    with urllib.request.urlopen(req, context=user.ctx) as resp:
        return json.loads(resp.read().decode("utf-8"))


def idle_backup_jobs_and_their_points(user, wanted=12):
    """Backup jobs of two VMs or more that run nothing now and each VM of which has a restore point:
    ``{job name: {vm: newest restore point time, seconds since the epoch}}``."""
    import calendar
    found = {}
    jobs = em_json(user, "query?type=Job&format=Entities&sortAsc=Name&filter=JobType==Backup")
    for job in jobs["Entities"]["Jobs"]["Jobs"]:
        job_id = job["UID"].rsplit(":", 1)[1]
        newest = em_json(user, "query?type=BackupJobSession&format=Entities&sortDesc=CreationTime&pageSize=1"
                               "&filter=JobUid==%s" % urllib.parse.quote('"%s"' % job["UID"]))
        sessions = (newest["Entities"]["BackupJobSessions"] or {}).get("BackupJobSessions") or []
        vms = [item["Name"] for item in em_json(user, "jobs/%s/includes" % job_id)["ObjectsInJob"]]
        if not sessions or sessions[0]["State"] != "Stopped" or len(vms) < 2:
            continue
        points = {}
        for vm in vms:
            answer = em_json(user, "query?type=VmRestorePoint&format=Entities&sortDesc=CreationTime&pageSize=1"
                                   "&filter=VmDisplayName==%s" % urllib.parse.quote('"%s"' % vm))
            items = (answer["Entities"]["VmRestorePoints"] or {}).get("VmRestorePoints") or []
            if items:
                points[vm] = calendar.timegm(time.strptime(items[0]["CreationTimeUTC"][:19], "%Y-%m-%dT%H:%M:%S"))
        if len(points) == len(vms):
            found[job["Name"]] = points
        if len(found) >= wanted:
            break
    return found


def test_rulebook_keep_protected_starts_a_breached_job_once_and_reports_a_low_repository(eda_bin, start_emulator,
                                                                                         tmp_path):
    """The shipped rulebook keep_protected, on two idle backup jobs: the RPO is set so that every VM of the
    first one is past it from the start (they breach together: the job is started once, by the throttle and
    em_backup_job), and the oldest VM of the second one passes it about 30 s after the start (a crossing
    while the rulebook runs: its job is started once). The runs make new restore points: rpo_recovered for
    each VM that was breached, once. The repository nearly full from the start is reported once; Backup
    Volume 01 filling up is reported once; the first one emptied is recovered."""
    emulator = start_emulator("--job-duration", "2")
    user = EmUser(emulator)
    jobs = idle_backup_jobs_and_their_points(user)
    # the first job: the one whose newest point is the oldest; the second: one whose oldest point is at least
    # 3 minutes newer than any point of the first
    first = min(jobs, key=lambda name: max(jobs[name].values()))
    second = min((name for name in jobs if min(jobs[name].values()) > max(jobs[first].values()) + 180),
                 key=lambda name: min(jobs[name].values()))
    # the second job's oldest VM passes it 30 s after the start: after the rulebook's first poll (its start takes
    # about 10 s), so the crossing happens while it runs (were it later, the test would pass too, but test less)
    rpo = int(time.time() - min(jobs[second].values())) + 30
    sizes = dict((repo["name"], repo) for repo in emulator.repositories())
    webhook = Webhook()
    connection = {"veeam_em_server": "%s:%d" % (emulator.host, emulator.port),
                  "veeam_em_user": emulator.admin_user, "veeam_em_password": emulator.admin_password}
    rulebook = Rulebook(eda_bin, emulator, "backupops.veeam_em.keep_protected", str(tmp_path),
                        dict(connection, veeam_em_rpo="%ds" % rpo, veeam_em_protection_interval=1,
                             veeam_em_job_names=[first, second], veeam_em_repository_free_percent_below=10,
                             veeam_em_notify_url=webhook.url, veeam_em_state_file=str(tmp_path / "state.json")),
                        env_keys=("VEEAM_EM_CA_PATH",))
    started = time.time()
    recovered = re.compile(r"VM (.+?) on \S+ is within its RPO of %ds again" % rpo)
    oldest = min(jobs[second], key=jobs[second].get)
    back_above = re.compile(r"Repository (.+?) on \S+ has 50.0 % free again \(threshold 10.0 %\)")
    try:
        rulebook.wait_for(lambda: webhook.received, timeout=120)  # the first poll: the hardened repository
        print("first poll after %.1f s" % (time.time() - started))
        volume = sizes["Backup Volume 01"]
        emulator.repository("Backup Volume 01", volume["capacity"] * 5 // 100)
        rulebook.wait_for(lambda: len(webhook.received) == 2)
        hardened = sizes["Linux Hardened Repository"]
        emulator.repository("Linux Hardened Repository", hardened["capacity"] // 2)
        rulebook.wait_for(lambda: back_above.findall(rulebook.output()))
        # the first job's VMs: breached from the start, started, within their RPO again
        rulebook.wait_for(lambda: set(jobs[first]) <= set(recovered.findall(rulebook.output())), timeout=120)
        # the second job's oldest VM passes its RPO: started, within it again
        rulebook.wait_for(lambda: oldest in recovered.findall(rulebook.output()), timeout=180)
        queries = emulator.stats()["queries"]["Repository"]
        rulebook.wait_for(lambda: emulator.stats()["queries"]["Repository"] >= queries + 5)  # 5 more polls
    finally:
        rulebook.stop()
        webhook.close()
        user.close()
    print("rulebook ran %.1f s" % (time.time() - started))
    output = rulebook.output()
    stats = emulator.stats()
    assert stats["job_actions"] == {"start": 2}, stats  # one per job: several VMs of the first breached together
    assert output.count("Started: job %s for VM" % first) == 1 and output.count("Started: job %s for VM" % second) == 1
    back = recovered.findall(output)
    assert len(back) == len(set(back)) and set(jobs[first]) | set([oldest]) <= set(back) \
        <= set(jobs[first]) | set(jobs[second]), output  # each breached VM once
    assert [(report["event"], report["repository"]) for report in webhook.received] == [
        ("veeam_em_repository_low", "Linux Hardened Repository"), ("veeam_em_repository_low", "Backup Volume 01")]
    assert (webhook.received[1]["free_percent"], webhook.received[1]["free_percent_below"]) == (5.0, 10.0)
    assert back_above.findall(output) == ["Linux Hardened Repository"], output
    assert json.load(open(str(tmp_path / "state.json")))["protection"]["breached"] == {}
    assert stats["open_logon_sessions"] == 0 and stats["logons"] == stats["logouts"], stats
    assert emulator.admin_password not in output
