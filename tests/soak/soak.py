# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault soak: the modules against an emulator that fails on purpose.

    python tests/soak/soak.py [--runs 30] [--profiles errors503,idle] [--scenarios sessions,stop]
                              [--forks 10] [--out build/soak]

Each fault profile (a set of emulator flags) gets its own emulator, started
through its command line with a fixed seed and dataset.  Each scenario (one
module call) runs ``--runs`` times per profile: one ``ansible-playbook`` per
(profile, scenario) with an inventory of that many local hosts, every host
running the module once with ``ignore_errors``; a last play writes what every
host registered to ``--out``/PROFILE/SCENARIO/results.json (next to the
playbook, inventory and ansible.log).  Before the profiles, every scenario runs
once against a fault-free emulator with the same dataset: the baseline.

What must hold, per profile and scenario (each is a check; the closing line
counts them):

* a successful run returns exactly the baseline's sessions / task sessions /
  summary (the stop scenario: the same stopped session ids and final states,
  changed=true): never silently wrong;
* a failed run has a ``msg`` and is no crash (see ``traceback_in``);
* a stop run for which the emulator accepted a stop (its ``stop_requests``
  counter) reports changed=true, also when it fails later;
* no leaked logon session: the emulator's open logon sessions after the runs
  are at most its ``logon_answers_lost`` (logons whose answer the client never
  got whole, so it cannot know the session exists).  In the idle profile,
  sessions also expire after 2 s, which hides leaks from this count;
* every host registered a result;
* stop runs of the profiles in ``LEFT_RUNNING_CHECKED`` (stoplost): no session
  of the job still running (in a stoppable state) after a run that had asked
  EM for the job's sessions; the other profiles show the count (left_run).

Profile ``cancel`` runs role plays instead of module calls (scenarios
guard_cancel, job_run_cancel): one ``ansible-playbook`` per run, sent SIGTERM
or SIGINT (alternately) alone at a random moment (seeded); the harness waits
until it and every process it had started have ended, then reads the
counters.  Checks: every run ended so, and open logon sessions left <= logon
answers lost.

The emulator is reset (``POST /_emulator/reset``) before each info scenario
and before each stop run (the stop runs go one host at a time, ``serial: 1``,
so each finds the job's sessions running again); its counters are read just
before every reset and added up.

Exit 1 when a check fails.  The last line is ``soak: N passed, N failed``.
"""

from __future__ import absolute_import, division, print_function

import argparse
import collections
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BIN = os.path.dirname(os.path.abspath(sys.executable))

sys.path.insert(0, os.path.join(REPO, "tests", "emulator"))
from emulator_process import EmulatorProcess, ansible_env, interrupt  # noqa: E402 pylint: disable=wrong-import-position

# One dataset for every emulator of a soak: the baseline must see the same data as the faulted runs.
NOW = "2026-01-15T12:00:00Z"
SEED = "42"
DATASET = ("--seed", SEED, "--now", NOW, "--sessions", "300", "--jobs", "20")
STOP_JOB = 'SQL "Prod" Backup'  # two running sessions (Working, Starting) in that dataset
PLAYBOOK_TIMEOUT = 3600

Profile = collections.namedtuple("Profile", "name flags about stop_args scenarios")
Scenario = collections.namedtuple("Scenario", "name module args kind about")
MODULE_SCENARIOS = ("sessions", "task_sessions", "sessions_tasks", "stop")
CANCEL_SCENARIOS = ("guard_cancel", "job_run_cancel")

FAST_STOPS = ("--stop-delay", "1")
PROFILES = (
    Profile("errors503", ("--error-rate", "0.3", "--error-status", "503") + FAST_STOPS,
            "30 % of API requests answered 503 (retried with backoff; a stop too: EM did not take it)", {},
            MODULE_SCENARIOS),
    Profile("errors500", ("--error-rate", "0.05", "--error-status", "500") + FAST_STOPS,
            "5 % of API requests answered 500 (reads and the logout retried twice, a stop never)", {},
            MODULE_SCENARIOS),
    Profile("drops", ("--drop-rate", "0.1",) + FAST_STOPS,
            "10 % of API connections closed without an answer", {}, MODULE_SCENARIOS),
    Profile("truncation", ("--truncate-rate", "0.1",) + FAST_STOPS,
            "10 % of API answers cut in half (logon answers included)", {}, MODULE_SCENARIOS),
    Profile("mixed", ("--error-rate", "0.3", "--error-status", "503", "--drop-rate", "0.1", "--truncate-rate", "0.1",
                      "--latency", "20") + FAST_STOPS,
            "503 errors, drops and truncation at once, 20 ms latency", {}, MODULE_SCENARIOS),
    # A poll touches the token, so polls every second never let a 2 s idle timeout expire.  With polls
    # every 3 s and a 2.5 s stop delay, every stop run sees its token expire exactly once, between two
    # polls, after the stop was accepted (one fresh logon is what the client allows per run).
    Profile("idle", ("--idle-timeout", "2", "--stop-delay", "2.5", "--latency", "20"),
            "logon sessions expire after 2 s idle; stop runs poll every 3 s, so the token expires mid-run",
            {"poll_interval": 3}, MODULE_SCENARIOS),
    # The profiles below found the defects of "What users and faults still trip over".
    Profile("logout500", ("--error-rate", "0.4", "--error-status", "500") + FAST_STOPS,
            "40 % of API requests answered 500, logouts included (logon sessions left open by a logout "
            "that gives up)", {}, MODULE_SCENARIOS),
    Profile("stoplost", ("--drop-rate", "0.15", "--truncate-rate", "0.15") + FAST_STOPS,
            "15 % dropped connections and 15 % cut answers while stopping a job's two running sessions by "
            "job name (sessions left running)", {}, ("stop",)),
    Profile("cancel", ("--stop-delay", "3", "--job-duration", "6", "--latency", "20"),
            "SIGTERM / SIGINT to ansible-playbook at a random moment of a role play (logon sessions left open)",
            {}, CANCEL_SCENARIOS),
)
SCENARIOS = (
    Scenario("sessions", "em_backup_session_info", {}, "info", "(a) all job sessions, no filter"),
    Scenario("task_sessions", "em_backup_task_session_info", {"result": ["Failed", "Warning"]}, "info",
             "(b) task sessions with result Failed or Warning"),
    Scenario("sessions_tasks", "em_backup_session_info", {"include_task_sessions": True, "result": ["Failed"]},
             "info", "(c) failed job sessions with their task sessions"),
    Scenario("stop", "em_backup_session_stop",
             {"job_name": STOP_JOB, "wait": True, "poll_interval": 1, "wait_timeout": 60}, "stop",
             "(d) stop the running sessions of %s and wait" % STOP_JOB),
    # role plays that get SIGTERM or SIGINT (alternately) at a random moment (profile cancel)
    Scenario("guard_cancel", "backup_session_guard",
             {"backup_session_guard_max_runtime": "8h", "backup_session_guard_job_name": [STOP_JOB]}, "cancel",
             "(e) backup_session_guard stopping the two running sessions of %s, cancelled" % STOP_JOB),
    Scenario("job_run_cancel", "backup_job_run",
             {"backup_job_run_jobs": ["SQL Backup", "Fileserver Backup"], "backup_job_run_poll_interval": 1},
             "cancel", "(f) backup_job_run running two jobs and waiting for them, cancelled"),
)
# the signal comes this many seconds after the play's first logon reached the emulator (uniform, seeded):
# from the first module's run to after the end of the play (about 10 s after the first logon when the
# machine is idle, longer under load)
CANCEL_WINDOW = (0.0, 12.0)
FIRST_LOGON_TIMEOUT = 300
CANCEL_SIGNALS = (signal.SIGTERM, signal.SIGINT)
QUICK_PROFILES = ("mixed", "idle")
QUICK_RUNS = 5
CRASH_PREFIX = "Task failed: Module failed"  # ansible-core 2.19: an exception escaped the module
_LOADER_FRAME = "_ansiballz/_loader.py"  # ... and reached AnsiballZ's loader (in the traceback, when on)


# --------------------------------------------------------------------------- ansible


class Ansible(object):
    """Runs ansible-playbook with this working tree visible as backupops.veeam_em."""

    def __init__(self, workdir):
        self.workdir = workdir
        # keep module tracebacks in the registered results, so that the soak can see them
        self.env = dict(ansible_env(workdir), ANSIBLE_DISPLAY_TRACEBACK="error")

    def play(self, name, emu, tasks, hosts, forks, out_dir, serial=None, with_stats=False):
        """Run ``tasks`` once on each of ``hosts`` local hosts; returns (return code, seconds, log path).

        A second play writes what every host registered (``soak_result``, and ``soak_stats`` when
        ``with_stats``) into one file, ``results.json`` (one copy instead of one per host).
        """
        os.makedirs(out_dir)
        inventory = os.path.join(out_dir, "inventory.ini")
        with open(inventory, "w") as f:
            f.write("[soak]\n%s\n\n[soak:vars]\nansible_connection=local\nansible_python_interpreter=%s\n"
                    % ("\n".join(host_names(hosts)), sys.executable))
        play = {"name": name, "hosts": "soak", "gather_facts": False, "tasks": tasks}
        if serial:
            play["serial"] = serial
        registered = "'results': dict(groups.soak | zip(groups.soak | map('extract', hostvars, 'soak_result')))"
        if with_stats:
            registered += ", 'stats': dict(groups.soak | zip(groups.soak | map('extract', hostvars, ['soak_stats', 'json'])))"
            registered += ", 'after': dict(groups.soak | zip(groups.soak | map('extract', hostvars, 'soak_after')))"
        write = {"name": "Write the results", "hosts": "soak", "gather_facts": False, "tasks": [{
            "name": "Write what every host registered", "run_once": True, "ansible.builtin.copy": {
                "content": "{{ {%s} | to_json }}" % registered, "dest": "{{ soak_out }}", "mode": "0644"}}]}
        playbook = os.path.join(out_dir, "playbook.yml")
        with open(playbook, "w") as f:
            json.dump([play, write], f, indent=1)  # JSON is YAML
        extra = {"soak_out": os.path.join(out_dir, "results.json"), "soak_root": emu.root,
                 "soak_ca_path": emu.ca_path}
        env = dict(self.env)
        env.update(emu.env())
        log = os.path.join(out_dir, "ansible.log")
        started = time.monotonic()
        with open(log, "w") as f:
            rc = subprocess.call([os.path.join(BIN, "ansible-playbook"), "-i", inventory, "-f", str(forks),
                                  "-e", json.dumps(extra), playbook], stdout=f, stderr=subprocess.STDOUT,
                                 env=env, cwd=out_dir, timeout=PLAYBOOK_TIMEOUT)
        return rc, time.monotonic() - started, log

    def cancelled_play(self, scenario, emu, signum, delay, out_dir):
        """Run the role of ``scenario`` in a play and send ``signum`` to ansible-playbook ``delay`` s after
        the play's first logon reached the emulator.

        Resets the emulator first. Returns a record: signal, delay, whether the play still ran at the
        signal, the emulator's counters then (``at_signal``) and after ansible-playbook and every process
        it had started ended (``after``), the return code (None when something still ran after the wait),
        the log.
        """
        os.makedirs(out_dir)
        playbook = os.path.join(out_dir, "playbook.yml")
        with open(playbook, "w") as f:
            json.dump([{"name": "soak %s" % scenario.name, "hosts": "localhost", "gather_facts": False, "tasks": [
                {"name": "Run the role", "ansible.builtin.include_role": {"name": "backupops.veeam_em.%s"
                                                                          % scenario.module},
                 "vars": scenario.args}]}], f, indent=1)
        env = dict(self.env)
        env.update(emu.env())
        log = os.path.join(out_dir, "ansible.log")
        emu.reset()
        record = {"signal": signal.Signals(signum).name, "delay": round(delay, 2), "log": log, "signalled": False,
                  "at_signal": None, "returncode": None, "error": None}
        with open(log, "w") as f:
            proc = subprocess.Popen([os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local",
                                     playbook], stdout=f, stderr=subprocess.STDOUT, env=env, cwd=out_dir)
        deadline = time.monotonic() + FIRST_LOGON_TIMEOUT
        while proc.poll() is None and time.monotonic() < deadline and not emu.stats()["logons"]:
            time.sleep(0.05)
        try:
            record["returncode"] = proc.wait(timeout=delay)  # the play ended before the signal
        except subprocess.TimeoutExpired:
            record["signalled"] = True
            record["at_signal"] = emu.stats()
            try:
                record["returncode"] = interrupt(proc, signum)
            except RuntimeError as exc:
                record["error"] = str(exc)
                proc.kill()
                proc.wait()
        record["after"] = emu.stats()
        return record


def host_names(n):
    width = max(2, len(str(n)))
    return ["h%0*d" % (width, i + 1) for i in range(n)]


def module_task(scenario, extra_args=None):
    args = dict(scenario.args)
    args.update(extra_args or {})
    return {"name": "Run %s" % scenario.module, "backupops.veeam_em.%s" % scenario.module: args,
            "register": "soak_result", "ignore_errors": True}


def emulator_call(name, method, path, register=None):
    task = {"name": name, "ansible.builtin.uri": {
        "url": "{{ soak_root }}" + path, "method": method, "ca_path": "{{ soak_ca_path }}", "use_proxy": False,
        "return_content": True}}
    if register:
        task["register"] = register
    return task


def info_tasks(scenario, extra_args=None):
    return [module_task(scenario, extra_args)]


AFTER_STOP_TRIES = 20
FIND_REQUEST = "GET /api/query"  # the stop module's question for the job's sessions, in the emulator's counters
# Profiles whose stop runs must leave no session of the job running (every session the module found ends
# Stopping/Stopped, also when an answer is lost). The other profiles show the figure (left_run); the check
# can cover them too once the stop module's handling of lost stop answers is in.
LEFT_RUNNING_CHECKED = ("stoplost",)


def stop_tasks(scenario, extra_args=None):
    """Per host: reset (the sessions run again), the stop, the counters of this run alone, then the job's
    sessions still in a stoppable state (read after the counters, so its logons are not counted; asked
    until an answer comes, as the emulator's faults hit this read too)."""
    return [
        emulator_call("Reset the emulator", "POST", "/_emulator/reset"),
        module_task(scenario, extra_args),
        emulator_call("Read the emulator's counters", "GET", "/_emulator/stats", register="soak_stats"),
        {"name": "Read the sessions of the job left running", "backupops.veeam_em.em_backup_session_info": {
            "job_name": scenario.args["job_name"],
            "state": "{{ 'stoppable_states' | backupops.veeam_em.em_vocabulary }}"},
         "register": "soak_after", "until": "soak_after is succeeded", "retries": AFTER_STOP_TRIES - 1, "delay": 0,
         "ignore_errors": True},
    ]


# --------------------------------------------------------------------------- results


def load_results(path, hosts):
    """{host: {'result': ..., 'stats': ... or None} or None when the host registered nothing}."""
    try:
        with open(path) as f:
            written = json.load(f)
    except (OSError, ValueError):
        written = {}
    results = written.get("results") or {}
    stats = written.get("stats") or {}
    after = written.get("after") or {}
    out = collections.OrderedDict()
    for host in host_names(hosts):
        result = results.get(host)
        out[host] = None if not isinstance(result, dict) else {"result": result, "stats": stats.get(host),
                                                               "after": after.get(host)}
    return out


def _normalise(value, root):
    """The value with the emulator's address replaced: runs against different emulators compare equal."""
    return json.loads(json.dumps(value).replace(root, "https://EM"))


def signature(scenario, result, root):
    """What a successful run must have in common with the baseline."""
    if scenario.kind == "stop":
        return {
            "changed": result.get("changed"),
            "stopped": sorted(t.get("session_id") for t in result.get("tasks") or []),
            "sessions": sorted((s.get("id"), s.get("state")) for s in result.get("backup_sessions") or []),
        }
    keys = ("backup_sessions", "backup_task_sessions", "summary")
    return _normalise(dict((k, result[k]) for k in keys if k in result), root)


def traceback_in(result):
    """Why the result shows a crash instead of a clean failure, or None.

    ansible-core 2.19 fills ``exception`` of every failed task (a controller traceback when
    tracebacks are on, else "(traceback unavailable)"), so that key alone tells nothing.  An exception
    that escapes a module reaches AnsiballZ's loader: the module then sends no ``msg`` of its own and
    the controller writes "Task failed: Module failed: <exception>"; older cores said "MODULE FAILURE"
    and put the traceback into ``module_stderr``.
    """
    msg = str(result.get("msg") or "")
    if result.get("failed") and not msg.strip():
        return "failed without msg"
    if result.get("module_stderr"):
        return "module_stderr"
    if "MODULE FAILURE" in msg:
        return "MODULE FAILURE"
    if msg.startswith(CRASH_PREFIX) or _LOADER_FRAME in str(result.get("exception") or ""):
        text = msg[len(CRASH_PREFIX):].lstrip(".: ") if msg.startswith(CRASH_PREFIX) else msg
        return "uncaught exception in the module: " + _short(text, 100)
    if not result.get("failed") and "Traceback (most recent call last)" in str(result.get("exception") or ""):
        return "traceback in a successful result"
    return None


class Tally(object):
    """Figures of one (profile, scenario) or of a sum of them."""

    FIELDS = ("runs", "ok", "failed", "wrong", "tracebacks", "changed_false_after_stop", "missing", "logout_failed",
              "logons", "logon_answers_lost", "open_left", "left_running", "unchecked", "signalled", "held",
              "error", "drop", "truncate", "seconds")

    def __init__(self):
        for field in self.FIELDS:
            setattr(self, field, 0)
        self.messages = collections.Counter()
        self.examples = []

    def add_stats(self, stats):
        self.logons += stats.get("logons", 0)
        self.logon_answers_lost += stats.get("logon_answers_lost", 0)
        self.open_left += stats.get("open_logon_sessions", 0)
        faults = stats.get("faults") or {}
        for kind in ("error", "drop", "truncate"):
            setattr(self, kind, getattr(self, kind) + faults.get(kind, 0))

    def __iadd__(self, other):
        for field in self.FIELDS:
            setattr(self, field, getattr(self, field) + getattr(other, field))
        self.messages.update(other.messages)
        self.examples.extend(other.examples)
        return self

    def example(self, text):
        if len(self.examples) < 5:
            self.examples.append(text)


def judge(scenario, results, baseline, root, out_dir):
    """A Tally of the runs; ``baseline`` is the baseline's signature (None when judging the baseline).

    ``out_dir`` holds the play's results.json and ansible.log (named in the examples).
    """
    t = Tally()
    written = os.path.join(out_dir, "results.json")
    for host, record in results.items():
        t.runs += 1
        if record is None:
            t.missing += 1
            t.example("%s: no result (see %s)" % (host, os.path.join(out_dir, "ansible.log")))
            continue
        result = record.get("result") or {}
        stats = record.get("stats")
        if stats is not None:
            t.add_stats(stats)
        reason = traceback_in(result)
        if reason:
            t.tracebacks += 1
            t.example("%s: %s (%s)" % (host, reason, written))
        if result.get("failed"):
            t.failed += 1
            t.messages[_short(result.get("msg"))] += 1
        else:
            t.ok += 1
            if baseline is not None and signature(scenario, result, root) != baseline:
                t.wrong += 1
                t.example("%s: successful but different from the baseline (%s)" % (host, written))
        if scenario.kind == "stop" and stats is not None and stats.get("stop_requests", 0) > 0 \
                and result.get("changed") is not True:
            t.changed_false_after_stop += 1
            t.example("%s: %d stop(s) accepted by EM, but changed=%r%s (%s)"
                      % (host, stats["stop_requests"], result.get("changed"),
                         " (failed: %s)" % _short(result.get("msg")) if result.get("failed") else "", written))
        if any("Could not log out" in str(w) for w in result.get("warnings") or ()):
            t.logout_failed += 1
        if scenario.kind == "stop" and stats is not None and not (stats.get("requests") or {}).get(FIND_REQUEST):
            pass  # failed before it asked for the job's sessions (its logon was lost): it stopped nothing, said so
        elif scenario.kind == "stop":
            after = record.get("after")
            if not isinstance(after, dict) or after.get("failed") or "backup_sessions" not in after:
                t.unchecked += 1
                t.example("%s: the sessions left running could not be read (%s)" % (host, written))
            elif after["backup_sessions"]:
                t.left_running += len(after["backup_sessions"])
                t.example("%s: %d session(s) of the job still running after the stop: %s%s (%s)" % (
                    host, len(after["backup_sessions"]),
                    ", ".join("%s %s" % (s.get("id"), s.get("state")) for s in after["backup_sessions"]),
                    " (failed: %s)" % _short(result.get("msg"), 100) if result.get("failed") else "", written))
    return t


def _short(msg, width=150):
    text = " ".join(str(msg or "").split())
    return text if len(text) <= width else text[:width - 3] + "..."


# --------------------------------------------------------------------------- soak


class Soak(object):
    def __init__(self, out, forks, ansible):
        self.out = out
        self.forks = forks
        self.ansible = ansible
        self.checks = []  # (passed, description)

    def check(self, passed, description):
        self.checks.append((bool(passed), description))

    def start_emulator(self, flags):
        workdir = tempfile.mkdtemp(prefix="em-soak-", dir=self.ansible.workdir)
        return EmulatorProcess(list(DATASET) + list(flags), workdir)

    def run_scenario(self, label, emu, scenario, runs, extra_args=None):
        """Run one scenario ``runs`` times: (return code, seconds, log, results, emulator counters or None).

        Info scenarios: reset, all runs at once (``--forks``), then the counters.  Stop scenario: the
        runs one by one, each resetting the emulator first and reading the counters after itself
        (they come with each result, so None here).
        """
        out_dir = os.path.join(self.out, label, scenario.name)
        name = "soak %s %s" % (label, scenario.name)
        if scenario.kind == "stop":
            rc, seconds, log = self.ansible.play(name, emu, stop_tasks(scenario, extra_args), runs, 1, out_dir,
                                                 serial=1, with_stats=True)
            stats = None
        else:
            emu.reset()
            rc, seconds, log = self.ansible.play(name, emu, info_tasks(scenario, extra_args), runs, self.forks,
                                                 out_dir)
            stats = emu.stats()  # before the next reset
        return rc, seconds, log, load_results(os.path.join(out_dir, "results.json"), runs), stats

    def baseline(self, scenarios):
        """Each scenario once against a fault-free emulator: {name: signature}."""
        if not scenarios:
            return {}
        emu = self.start_emulator(FAST_STOPS)
        signatures = {}
        rows = []
        try:
            for scenario in scenarios:
                rc, seconds, log, results, stats = self.run_scenario("baseline", emu, scenario, 1)
                record = results["h01"]
                result = (record or {}).get("result") or {}
                t = judge(scenario, results, None, emu.root, os.path.join(self.out, "baseline", scenario.name))
                if stats is not None:
                    t.add_stats(stats)
                t.seconds = seconds
                good = record is not None and not result.get("failed") and rc == 0
                if scenario.kind == "stop":
                    good = good and result.get("changed") is True and bool(result.get("tasks")) \
                        and t.left_running == 0 and t.unchecked == 0
                self.check(good, "baseline %s succeeded%s" % (
                    scenario.name, "" if good else ": %s (see %s)" % (_short(result.get("msg")) or "no result", log)))
                if good:
                    signatures[scenario.name] = signature(scenario, result, emu.root)
                rows.append((scenario.name, t))
        finally:
            emu.stop()
        print_table("baseline", "no faults, each scenario once", rows)
        return signatures

    def profile(self, profile, scenarios, runs, signatures):
        """Run the profile's scenarios (those of ``scenarios`` it has); the rows of its table."""
        scenarios = [x for x in scenarios if x.name in profile.scenarios]
        if not scenarios:
            return []
        if profile.scenarios == CANCEL_SCENARIOS:
            return self.cancel_profile(profile, scenarios, runs)
        emu = self.start_emulator(profile.flags)
        rows = []
        try:
            for scenario in scenarios:
                extra = profile.stop_args if scenario.kind == "stop" else None
                rc, seconds, log, results, stats = self.run_scenario(profile.name, emu, scenario, runs, extra)
                t = judge(scenario, results, signatures.get(scenario.name), emu.root,
                          os.path.join(self.out, profile.name, scenario.name))
                if stats is not None:
                    t.add_stats(stats)
                t.seconds = seconds
                if rc != 0:
                    t.example("ansible-playbook exited %d (see %s)" % (rc, log))
                rows.append((scenario.name, t))
                where = "%s/%s" % (profile.name, scenario.name)
                self.check(t.missing == 0 and rc == 0, "%s: every run wrote a result" % where)
                self.check(t.wrong == 0, "%s: no successful run differs from the baseline (wrong=%d)"
                           % (where, t.wrong))
                self.check(t.tracebacks == 0, "%s: failures are clean, no traceback (tracebacks=%d)"
                           % (where, t.tracebacks))
                if scenario.kind == "stop":
                    self.check(t.changed_false_after_stop == 0, "%s: changed=true whenever EM accepted a stop "
                               "(changed_false_after_stop=%d)" % (where, t.changed_false_after_stop))
                    if profile.name in LEFT_RUNNING_CHECKED:
                        self.check(t.left_running == 0 and t.unchecked == 0,
                                   "%s: every running session the stop found ends stopped (left running %d, "
                                   "not read %d)" % (where, t.left_running, t.unchecked))
                self.check(t.open_left <= t.logon_answers_lost,
                           "%s: no leaked logon session (open left %d <= logon answers lost %d)"
                           % (where, t.open_left, t.logon_answers_lost))
        finally:
            emu.stop()
        print_table(profile.name, profile.about + "; emulator flags: " + " ".join(profile.flags), rows)
        return rows

    def cancel_profile(self, profile, scenarios, runs):
        """Role plays cancelled at a random moment: one ansible-playbook per run, signalled alone."""
        emu = self.start_emulator(profile.flags)
        rng = random.Random(SEED)
        rows = []
        try:
            for scenario in scenarios:
                out_dir = os.path.join(self.out, profile.name, scenario.name)
                t = Tally()
                records = []
                started = time.monotonic()
                for i in range(runs):
                    signum = CANCEL_SIGNALS[i % len(CANCEL_SIGNALS)]
                    record = self.ansible.cancelled_play(scenario, emu, signum, rng.uniform(*CANCEL_WINDOW),
                                                         os.path.join(out_dir, "run%02d" % (i + 1)))
                    records.append(record)
                    judge_cancel(t, record)
                t.seconds = time.monotonic() - started
                with open(os.path.join(out_dir, "results.json"), "w") as f:
                    json.dump(records, f, indent=1)
                rows.append((scenario.name, t))
                where = "%s/%s" % (profile.name, scenario.name)
                self.check(t.missing == 0, "%s: every cancelled play ended with all it had started (%d did not)"
                           % (where, t.missing))
                self.check(t.open_left <= t.logon_answers_lost,
                           "%s: no leaked logon session (open left %d <= logon answers lost %d)"
                           % (where, t.open_left, t.logon_answers_lost))
        finally:
            emu.stop()
        print_table(profile.name, profile.about + "; emulator flags: " + " ".join(profile.flags), rows,
                    CANCEL_COLUMNS)
        return rows


def judge_cancel(t, record):
    """Add one cancelled play (a record of ``Ansible.cancelled_play``) to the Tally ``t``."""
    t.runs += 1
    if record["returncode"] is None:
        t.missing += 1
        t.example("%s: %s" % (record["log"], record["error"]))
        return
    if record["signalled"]:
        t.signalled += 1
        t.held += 1 if record["at_signal"]["open_logon_sessions"] > 0 else 0
    if record["returncode"] == 0:
        t.ok += 1
    else:
        t.failed += 1
        t.messages["%s, exit %d" % ("signalled" if record["signalled"] else "ended before the signal",
                                    record["returncode"])] += 1
    t.add_stats(record["after"])
    if record["after"]["open_logon_sessions"] > record["after"]["logon_answers_lost"]:
        t.example("%s after %.1f s: %d logon session(s) left open (%d logon answers lost); see %s" % (
            record["signal"], record["delay"], record["after"]["open_logon_sessions"],
            record["after"]["logon_answers_lost"], record["log"]))


COLUMNS = (("runs", "runs"), ("ok", "ok"), ("failed", "failed"), ("wrong", "wrong"), ("tracebacks", "tracebk"),
           ("changed_false_after_stop", "chg_false"), ("logons", "logons"), ("logon_answers_lost", "lost"),
           ("open_left", "open_left"), ("logout_failed", "logout_warn"), ("left_running", "left_run"),
           ("faults", "faults e/d/t"), ("seconds", "seconds"))


CANCEL_COLUMNS = (("runs", "runs"), ("signalled", "signalled"), ("held", "held"), ("ok", "ok"), ("failed", "failed"),
                  ("missing", "missing"), ("logons", "logons"), ("logon_answers_lost", "lost"),
                  ("open_left", "open_left"), ("seconds", "seconds"))


def _cell(t, field):
    if field == "faults":
        return "%d/%d/%d" % (t.error, t.drop, t.truncate)
    if field == "seconds":
        return "%.1f" % t.seconds
    return str(getattr(t, field))


def print_table(title, about, rows, columns=None):
    columns = columns or COLUMNS
    total = Tally()
    for _name, t in rows:
        total += t
    lines = [["scenario"] + [c[1] for c in columns]]
    for name, t in rows + [("total", total)]:
        lines.append([name] + [_cell(t, c[0]) for c in columns])
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    print("\n== %s: %s" % (title, about))
    for line in lines:
        print("  " + "  ".join(cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i])
                               for i, cell in enumerate(line)))
    for name, t in rows:
        for msg, n in t.messages.most_common(4):
            print("  %s failed %dx: %s" % (name, n, msg))
        for text in t.examples:
            print("  %s: %s" % (name, text))
    sys.stdout.flush()


def summarize(checks, label):
    failed = [d for ok, d in checks if not ok]
    if failed:
        print("\nfailed checks:")
        for description in failed:
            print("  - " + description)
    print("\n%s: %d passed, %d failed" % (label, len(checks) - len(failed), len(failed)))
    return 1 if failed else 0


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("--runs", type=int, default=30, help="runs per scenario and profile (default 30)")
    p.add_argument("--profiles", default=",".join(x.name for x in PROFILES),
                   help="comma-separated fault profiles (default: all): %s" % ", ".join(x.name for x in PROFILES))
    p.add_argument("--scenarios", default=",".join(x.name for x in SCENARIOS),
                   help="comma-separated scenarios (default: all): %s" % ", ".join(x.name for x in SCENARIOS))
    p.add_argument("--quick", action="store_true",
                   help="profiles %s with %d runs each (unless --profiles/--runs are given)"
                   % (",".join(QUICK_PROFILES), QUICK_RUNS))
    p.add_argument("--forks", type=int, default=10, help="ansible forks of the info scenarios (default 10)")
    p.add_argument("--out", default=os.path.join(REPO, "build", "soak"),
                   help="results folder, emptied first (default build/soak)")
    args = p.parse_args(argv)
    args.out = os.path.abspath(args.out)
    if args.quick:
        if "--profiles" not in (argv if argv is not None else sys.argv):
            args.profiles = ",".join(QUICK_PROFILES)
        if "--runs" not in (argv if argv is not None else sys.argv):
            args.runs = QUICK_RUNS
    by_name = dict((x.name, x) for x in PROFILES)
    sc_by_name = dict((x.name, x) for x in SCENARIOS)
    try:
        args.profiles = [by_name[n.strip()] for n in args.profiles.split(",") if n.strip()]
        args.scenarios = [sc_by_name[n.strip()] for n in args.scenarios.split(",") if n.strip()]
    except KeyError as exc:
        p.error("unknown profile or scenario %s" % exc)
    if not any(x.name in prof.scenarios for prof in args.profiles for x in args.scenarios):
        p.error("none of the profiles runs any of the scenarios")
    if args.runs < 1 or args.forks < 1:
        p.error("--runs and --forks must be at least 1")
    return args


def prepare_out(out):
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)


def main(argv=None):
    args = parse_args(argv)
    prepare_out(args.out)
    workdir = tempfile.mkdtemp(prefix="em-soak-")
    started = time.monotonic()
    try:
        soak = Soak(args.out, args.forks, Ansible(workdir))
        print("soak: %d run(s) per scenario; profiles %s; scenarios %s; results in %s"
              % (args.runs, ", ".join(x.name for x in args.profiles),
                 ", ".join(x.name for x in args.scenarios if any(x.name in prof.scenarios for prof in args.profiles)),
                 args.out))
        print("dataset: emulator %s" % " ".join(DATASET))
        signatures = soak.baseline([x for x in args.scenarios if x.kind != "cancel"
                                    and any(x.name in prof.scenarios for prof in args.profiles)])
        total = Tally()
        for profile in args.profiles:
            for _name, t in soak.profile(profile, args.scenarios, args.runs, signatures):
                total += t
        print("\nall profiles: %d runs, %d ok, %d failed, %d wrong, %d tracebacks, %d changed_false_after_stop, "
              "%d logons, %d logon answers lost, %d open logon sessions left; %.0f s"
              % (total.runs, total.ok, total.failed, total.wrong, total.tracebacks, total.changed_false_after_stop,
                 total.logons, total.logon_answers_lost, total.open_left, time.monotonic() - started))
        return summarize(soak.checks, "soak")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
