# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Property tests (Hypothesis): the real modules against the EM emulator, both in this process.

``.venv/bin/python -m pytest tests/property -q -p no:cacheprovider`` (``make property``).

* The emulator (tests/emulator, plain HTTP) serves from a daemon thread on a
  free port of 127.0.0.1; its dataset is changed in place for an example
  (a job or VM renamed) through :meth:`Em.renamed_job` / :meth:`Em.renamed_vm`,
  which also invalidate the emulator's answer cache.
* A module runs the way ``tests/unit/conftest.py`` runs it
  (``patch_module_args``, ``main()``, ``SystemExit``), and its JSON result
  is read from stdout; any other exception is recorded as the traceback
  Ansible would print as ``MODULE FAILURE``.
* Nothing may leave the loopback interface: host name lookups of anything but
  127.0.0.1, ::1 and localhost are refused (and recorded) for the whole run.
* Hypothesis profiles: ``ci`` (the default; a bounded number of examples,
  derandomized, no example database, so every run tries the same examples)
  and ``thorough`` (random, many more examples); choose with
  ``HYPOTHESIS_PROFILE``, scale ``ci`` with ``PROPERTY_EXAMPLES``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import contextlib
import io
import json
import os
import socket
import sys
import threading
import time
import traceback

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


sys.path.insert(0, os.path.join(REPO, "scripts"))
import collection_tree  # noqa: E402  pylint: disable=wrong-import-position

collection_tree.importable()
sys.path.insert(0, os.path.join(REPO, "tests", "emulator"))

from ansible.module_utils import _internal  # noqa: E402  pylint: disable=wrong-import-position
from ansible.module_utils.common import warnings as ansible_warnings  # noqa: E402  pylint: disable=wrong-import-position
from ansible.module_utils.testing import patch_module_args  # noqa: E402  pylint: disable=wrong-import-position
from em_emulator.cli import Running, parse_args  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.backupops.veeam_em.plugins.module_utils import _client  # noqa: E402  pylint: disable=wrong-import-position

ADMIN_USER = "Administrator"
ADMIN_PASSWORD = "Emulator-Admin-1!"
OPERATOR_USER = "RestoreOperator"
OPERATOR_PASSWORD = "Emulator-Read-1!"
LOOPBACK_HOSTS = frozenset(("127.0.0.1", "::1", "localhost", "localhost.", "0:0:0:0:0:0:0:1"))

settings.register_profile(
    "ci",
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "30")),
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "thorough",
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "500")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)
# Hypothesis keeps caches (even without an example database) in .hypothesis/ of the current directory,
# which `ansible-galaxy collection build` would pack: keep them in the ignored build/ folder instead.
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(os.path.join(REPO, "build", "hypothesis"))
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)

COUNTS = collections.Counter()


class _WouldHang(Exception):
    """The module asked to sleep longer than any test may wait."""


class Outcome(object):
    """One module run: exit code, result, raw stdout, traceback (if it crashed) and what EM saw."""

    def __init__(self, rc, result, out, trace, requests, stops, open_delta):
        self.rc = rc
        self.result = result
        self.out = out
        self.trace = trace
        self.requests = requests
        self.stops = stops
        self.open_delta = open_delta

    @property
    def failed(self):
        return self.trace is not None or self.rc != 0 or bool((self.result or {}).get("failed"))

    @property
    def msg(self):
        return (self.result or {}).get("msg") or ""

    def __repr__(self):
        if self.trace is not None:
            return "<Outcome: crashed after %d requests:\n%s>" % (self.requests, self.trace[-4000:])
        return "<Outcome rc=%r requests=%d stops=%d open_logon_sessions%+d msg=%r warnings=%r result=%s>" % (
            self.rc, self.requests, self.stops, self.open_delta, self.msg[:1500], (self.result or {}).get("warnings"),
            self.out[:1500])


@contextlib.contextmanager
def _environment(env):
    """Only ``env``'s VEEAM_EM_* variables are set while a module runs."""
    saved = dict((k, v) for k, v in os.environ.items() if k.startswith("VEEAM_EM_"))
    for name in saved:
        del os.environ[name]
    os.environ.update(env or {})
    try:
        yield
    finally:
        for name in [k for k in os.environ if k.startswith("VEEAM_EM_")]:
            del os.environ[name]
        os.environ.update(saved)


class Em(object):
    """The in-process emulator and a runner of modules against it."""

    def __init__(self, running):
        self.running = running
        self.app = running.app
        self.port = running.port
        self.lock = threading.Lock()
        self._token = None
        # Requests being answered right now: a run whose client gave up (a timeout) may leave some behind.
        self._busy = [0]
        busy_lock = threading.Lock()
        handle = self.app.handle

        def counted_handle(*args, **kwargs):
            with busy_lock:
                self._busy[0] += 1
            try:
                return handle(*args, **kwargs)
            finally:
                with busy_lock:
                    self._busy[0] -= 1
        self.app.handle = counted_handle

    # -- connection ------------------------------------------------------
    def connection(self, **overrides):
        """Connection options of the emulator's Portal Administrator."""
        args = dict(server="127.0.0.1", port=self.port, protocol="http", user=ADMIN_USER, password=ADMIN_PASSWORD)
        args.update(overrides)
        return dict((k, v) for k, v in args.items() if v is not None)

    def logon_token(self, user=ADMIN_USER, password=ADMIN_PASSWORD):
        """A fresh token from ``POST /api/sessionMngr/`` (sent with requests, not by a module)."""
        session = _client.requests.Session()
        session.trust_env = False
        try:
            resp = session.post("http://127.0.0.1:%d/api/sessionMngr/?v=latest" % self.port, auth=(user, password),
                                timeout=30)
        finally:
            session.close()
        assert resp.status_code == 201, resp.text
        sid = resp.text.split("<SessionId>", 1)[1].split("</SessionId>", 1)[0]
        return resp.headers["X-RestSvcSessionId"], sid

    def shared_token(self):
        """One token for every test that needs a valid one and does not log it off (logon sessions never expire here)."""
        if self._token is None:
            self._token = self.logon_token()[0]
        return self._token

    # -- emulator state --------------------------------------------------
    def stats(self):
        return self.app.stats_dict()

    def invalidate(self):
        """Forget every cached answer: the data changed behind the emulator's back."""
        self.app.bump()  # answers are cached under the data version
        with self.app.cache_lock:
            self.app.cache.clear()

    @property
    def data(self):
        return self.app.data

    @contextlib.contextmanager
    def renamed_job(self, job, name):
        """The job (a dataset Job) is called ``name`` inside the block."""
        old = job.name
        with self.app.data_lock:
            job.name = name
            self.invalidate()
        try:
            yield job
        finally:
            with self.app.data_lock:
                job.name = old
                self.invalidate()

    def vm_names(self):
        return sorted(set(t.vm for t in self.data.task_sessions))

    @contextlib.contextmanager
    def renamed_vm(self, old, name):
        """Every task session of the VM ``old`` (and the VM lists of the jobs) says ``name`` inside the block."""
        tasks = [t for t in self.data.task_sessions if t.vm == old]
        jobs = [j for j in self.data.jobs if old in j.vms]
        with self.app.data_lock:
            for task in tasks:
                task.vm = name
            for job in jobs:
                job.vms = tuple(name if vm == old else vm for vm in job.vms)
            self.invalidate()
        try:
            yield tasks
        finally:
            with self.app.data_lock:
                for task in tasks:
                    task.vm = old
                for job in jobs:
                    job.vms = tuple(old if vm == name else vm for vm in job.vms)
                self.invalidate()

    def settle(self, quiet=0.02, limit=5.0):
        """Wait until EM has answered everything and no request came in for ``quiet`` seconds."""
        deadline = time.monotonic() + limit
        seen = self.app.stats.requests_total
        calm_since = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.005)
            now_seen = self.app.stats.requests_total
            if self._busy[0] or now_seen != seen:
                seen, calm_since = now_seen, time.monotonic()
            elif time.monotonic() - calm_since >= quiet:
                return

    def reset(self):
        """Initial dataset (undoes stops), no logon sessions, zero counters."""
        self.app.reset()
        self._token = None

    # -- running modules -------------------------------------------------
    def run(self, module, args, check_mode=False, diff=False, env=None):
        """Run ``module.main()`` with ``args``; returns an :class:`Outcome`."""
        args = dict(args)
        if check_mode:
            args["_ansible_check_mode"] = True
        if diff:
            args["_ansible_diff"] = True
        with self.lock:
            before = self.stats()
            out = io.StringIO()
            rc, trace = None, None
            for name in ("_global_warnings", "_global_deprecations"):  # kept by the process: not this run's
                getattr(ansible_warnings, name, {}).clear()
            saved_controller = _internal.is_controller
            _internal.is_controller = False  # modules run as on a target: warnings go to the result
            try:
                with _environment(env):
                    with patch_module_args(args):
                        with contextlib.redirect_stdout(out):
                            try:
                                module.main()
                            except SystemExit as exc:
                                rc = exc.code
            except Exception:  # pylint: disable=broad-except  # what Ansible shows as MODULE FAILURE
                trace = traceback.format_exc()
            finally:
                _internal.is_controller = saved_controller
            if (trace is not None or rc != 0) and self.app.stats.requests_total != before["requests_total"]:
                self.settle()  # requests a client gave up on (a timeout) may still be on their way: they count here
            after = self.stats()
        COUNTS["module runs"] += 1
        text = out.getvalue()
        result = None
        if trace is None:
            try:
                result = json.loads(text)
            except ValueError:
                trace = "module printed no JSON result:\n%s" % text
        return Outcome(rc, result, text, trace, after["requests_total"] - before["requests_total"],
                       after["stop_requests"] - before["stop_requests"],
                       after["open_logon_sessions"] - before["open_logon_sessions"])

    # -- checks and counting -------------------------------------------
    @staticmethod
    def example():
        """Count one Hypothesis example (printed at the end of the run)."""
        COUNTS["examples"] += 1

    @staticmethod
    def assert_clean(outcome):
        """What every run must satisfy: a JSON result, no traceback, no MODULE FAILURE."""
        _assert_clean(outcome)


def _assert_clean(outcome):
    assert outcome.trace is None, "the module crashed (Ansible shows this as MODULE FAILURE):\n%s" % outcome.trace
    result = outcome.result
    assert isinstance(result, dict), repr(outcome)
    exception = result.get("exception")
    assert not (exception and "Traceback" in str(exception)), repr(outcome)
    if outcome.failed:
        assert isinstance(result.get("msg"), str) and result["msg"].strip(), repr(outcome)
        assert not result["msg"].startswith(("MODULE FAILURE", "Module failed")), repr(outcome)


@pytest.fixture(scope="session")
def loopback_guard():
    """Refuse (and record) every host name lookup that is not of the loopback interface."""
    refused = []
    original = socket.getaddrinfo

    def guarded(host, *args, **kwargs):
        name = host.decode("ascii", "replace") if isinstance(host, bytes) else host
        if name is not None and str(name).strip("[]").lower() not in LOOPBACK_HOSTS:
            refused.append(name)
            raise socket.gaierror(socket.EAI_NONAME, "property tests: %r is not a loopback address" % (name,))
        return original(host, *args, **kwargs)

    socket.getaddrinfo = guarded
    try:
        yield refused
    finally:
        socket.getaddrinfo = original


class _GuardedClock(_client.Clock):
    """The client's clock: a sleep of more than 30 s fails the run (as _WouldHang) instead of hanging the test."""

    @staticmethod
    def sleep(seconds):
        if 30 < seconds <= 9e9:  # larger ones raise as they would in production
            raise _WouldHang("the module asked to sleep %r s" % (seconds,))
        _client.Clock.sleep(seconds)


@pytest.fixture(scope="session")
def sleep_guard():
    """Every wait of the modules goes through ``EmClient.clock``: guard it for the whole run."""
    real = _client.EmClient.clock
    _client.EmClient.clock = _GuardedClock()
    try:
        yield
    finally:
        _client.EmClient.clock = real


@pytest.fixture(scope="session")
def em(loopback_guard, sleep_guard):  # pylint: disable=redefined-outer-name,unused-argument
    """The in-process emulator (HTTP, seed 42, 500 sessions, fixed 'now', logon sessions never expire)."""
    args = parse_args(["--http", "--host", "127.0.0.1", "--port", "0", "--seed", "42", "--sessions", "500",
                       "--now", "2026-01-15T12:00:00Z", "--idle-timeout", "0", "--stop-delay", "1"])
    running = Running(args).start_thread()
    # Retries of unreachable addresses (::1, closed ports) must not cost seconds per example.
    saved_backoff = dict((kind, rule.backoff) for kind, rule in _client.RETRY_RULES.items())
    for rule in _client.RETRY_RULES.values():
        rule.backoff = tuple(0.0 for dummy in rule.backoff)
    try:
        yield Em(running)
    finally:
        for kind, backoff in saved_backoff.items():
            _client.RETRY_RULES[kind].backoff = backoff
        running.close()


@pytest.fixture(autouse=True)
def _nothing_leaves_loopback(loopback_guard):  # pylint: disable=redefined-outer-name
    start = len(loopback_guard)
    yield
    assert loopback_guard[start:] == [], "a module looked up a host that is not loopback: %r" % loopback_guard[start:]


def pytest_sessionfinish(session):
    """Under pytest-xdist (-n 2) a worker hands its counts to the controller, which prints them."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["property_counts"] = dict(COUNTS)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):  # pylint: disable=unused-argument
    COUNTS.update(getattr(node, "workeroutput", {}).get("property_counts", {}))


def pytest_terminal_summary(terminalreporter):
    if not COUNTS:
        return
    profile = settings.default
    terminalreporter.write_line(
        "property tests: %d Hypothesis example runs (shrinking included), %d module runs (profile %r: max_examples=%d per test, "
        "derandomize=%s, database=%s)" % (COUNTS["examples"], COUNTS["module runs"], PROFILE, profile.max_examples,
                                          profile.derandomize, profile.database))
