# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Drive an emulator process from tests and benchmarks, and run Ansible against it.

The emulator is started through its documented command line only (the way
a user starts it), on a free port; this module reads its ready line and CA
path, talks to its test-only endpoints, and stops it with SIGTERM.
``ansible_env`` is the one place that makes this working tree visible to
Ansible as backupops.veeam_em for the e2e tests, the soak, the benchmark
and the ansible-core matrix.
"""

from __future__ import absolute_import, division, print_function

import json
import os
import signal
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
RUN_EMULATOR = os.path.join(HERE, "run_emulator.py")
sys.path.insert(0, os.path.join(REPO, "scripts"))
import collection_tree  # noqa: E402  pylint: disable=wrong-import-position

ADMIN = ("Administrator", "Emulator-Admin-1!")
OPERATOR = ("RestoreOperator", "Emulator-Read-1!")
BIN = os.path.dirname(os.path.abspath(sys.executable))


def ansible_env(workdir, bin_dir=BIN, python=sys.executable):
    """Environment in which ``bin_dir``'s Ansible sees this working tree as backupops.veeam_em.

    Links the tree into ``workdir/collections`` (scripts/collection_tree.py) and makes ``workdir/home``;
    drops the caller's ``VEEAM_EM_*``, ``ANSIBLE_*``, ``PYTHON*`` and proxy variables (everything
    talks to 127.0.0.1 only), so a run depends on what its test passes, nothing else.
    """
    root = collection_tree.link(os.path.join(workdir, "collections"))
    home = os.path.join(workdir, "home")
    os.makedirs(os.path.join(home, "tmp"))
    env = dict((k, v) for k, v in os.environ.items()
               if not k.startswith(("VEEAM_EM_", "ANSIBLE_", "PYTHON")) and not k.lower().endswith("_proxy"))
    env.update({
        "PATH": bin_dir + os.pathsep + env.get("PATH", ""),
        "HOME": home,
        "NO_PROXY": "127.0.0.1,localhost",
        "ANSIBLE_COLLECTIONS_PATH": root,
        "ANSIBLE_PYTHON_INTERPRETER": python,
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_LOCALHOST_WARNING": "0",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
        "ANSIBLE_LOCAL_TEMP": os.path.join(home, "tmp"),
        "ANSIBLE_REMOTE_TEMP": os.path.join(home, "tmp"),
    })
    return env


class EmulatorProcess(object):
    """A running emulator and what a client needs to reach it.

    ``EmulatorProcess(["--sessions", "500"], workdir)`` starts
    ``run_emulator.py --port 0 --cert-dir workdir --sessions 500``.
    """

    def __init__(self, args, workdir):
        cmd = [sys.executable, RUN_EMULATOR, "--port", "0", "--cert-dir", workdir] + list(args)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     universal_newlines=True, cwd=REPO)
        self.ca_path = None
        self.url = None
        seen = []
        for line in self.proc.stdout:
            seen.append(line)
            if line.startswith("CA certificate written to "):
                self.ca_path = line.split(" to ", 1)[1].strip()
            if "ready at " in line:
                self.url = line.split("ready at ", 1)[1].strip()
                break
        if self.url is None:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError("emulator did not start:\n" + "".join(seen))
        # Keep draining its output so the emulator never blocks on a full pipe.
        self._drain = threading.Thread(target=self._discard_output)
        self._drain.daemon = True
        self._drain.start()
        scheme, rest = self.url.split("://", 1)
        self.protocol = scheme
        hostport = rest.split("/", 1)[0]
        self.host, port = hostport.rsplit(":", 1)
        self.port = int(port)
        self.root = "%s://%s" % (scheme, hostport)
        self.admin_user, self.admin_password = ADMIN
        self.operator_user, self.operator_password = OPERATOR
        if not self.url.endswith("/"):
            self.url += "/"
        self._ctx = ssl.create_default_context(cafile=self.ca_path) if scheme == "https" else None

    def _discard_output(self):
        for _line in self.proc.stdout:
            pass

    def _call(self, method, path):
        req = urllib.request.Request(self.root + path, method=method, data=b"" if method == "POST" else None)
        with urllib.request.urlopen(req, context=self._ctx, timeout=120) as resp:
            body = resp.read()
        return json.loads(body.decode("utf-8")) if body else None

    def stats(self):
        """Counters of the emulator's test-only endpoint."""
        return self._call("GET", "/_emulator/stats")

    def reset(self):
        """Restore the initial dataset, drop logon sessions, zero the counters."""
        return self._call("POST", "/_emulator/reset")

    def task_failure(self, *specs):
        """Make EM tasks fail from now on, as ``--task-failure`` does: ``task_failure("finished:StartJob")``.

        The specs replace the current rules (none given: no task fails); ``reset()`` restores the
        command line's. Returns the rules, {operation: "operation-finished" or "finished"}.
        """
        query = urllib.parse.urlencode([("spec", s) for s in specs])
        return self._call("POST", "/_emulator/task-failure" + ("?" + query if query else ""))["task_failure"]

    def repository(self, name, free, capacity=None):
        """Set the free space (and capacity) of the repository ``name`` (or ID), in bytes, -1 meaning unknown,
        as EM would then report it; backups no longer change it until ``reset()``. Returns its sizes."""
        params = [("name", name), ("free", str(free))] + ([("capacity", str(capacity))] if capacity is not None else [])
        return self._call("POST", "/_emulator/repository?" + urllib.parse.urlencode(params))["repository"]

    def repositories(self):
        """Every repository's sizes: ``[{"id", "name", "capacity", "free", "pinned"}]``."""
        return self._call("GET", "/_emulator/repository")["repositories"]

    def clock(self):
        """The emulated clock, seconds since the epoch (``--now`` plus the time since the emulator started)."""
        return self._call("GET", "/_emulator/clock")["epoch"]

    def env(self, user=ADMIN):
        """VEEAM_EM_* variables, the way an AWX credential injects them."""
        env = {
            "VEEAM_EM_SERVER": self.host,
            "VEEAM_EM_PORT": str(self.port),
            "VEEAM_EM_PROTOCOL": self.protocol,
            "VEEAM_EM_USER": user[0],
            "VEEAM_EM_PASSWORD": user[1],
        }
        if self.ca_path:
            env["VEEAM_EM_CA_PATH"] = self.ca_path
        return env

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._drain.join(timeout=5)
        self.proc.stdout.close()


def descendants(pid):
    """The ids of every process below ``pid`` (children, their children, ...), read from /proc.

    ansible-playbook's workers call setsid(), so a signal to ansible-playbook's process group does
    not reach the module processes; this finds them by parentage instead.
    """
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue  # ended meanwhile
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), ()):
            found.append(child)
            todo.append(child)
    return found


def _alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def interrupt(proc, signum, timeout=120):
    """Send ``signum`` to the process ``proc`` (a Popen) alone, the way a cancelled job does, and wait.

    Waits until ``proc`` has exited and so has every process that was below it when the signal went
    out (a module that got the signal from its worker may still be logging off after ansible-playbook
    ended). Returns ``proc``'s return code; raises RuntimeError when something still runs after
    ``timeout`` seconds.
    """
    below = descendants(proc.pid)
    proc.send_signal(signum)
    try:
        returncode = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RuntimeError("process %d still runs %d s after signal %d" % (proc.pid, timeout, signum))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(_alive(pid) for pid in below):
            return returncode
        time.sleep(0.05)
    raise RuntimeError("processes %s still run %d s after signal %d" % ([p for p in below if _alive(p)], timeout, signum))
