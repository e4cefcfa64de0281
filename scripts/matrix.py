# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make matrix`: every ansible-core release the collection claims, tested.

meta/runtime.yml says ``requires_ansible: >=2.16.0``. For each release line below, a venv in
build/matrix/ gets that ansible-core with requests, pytest and prometheus_client, on the Python it runs its controller
on here (2.16 - 2.19 on 3.11; 2.20 and the newest release need 3.12), and runs:

* the unit tests (``pytest tests/unit``: every module and module_utils, exact HTTP calls);
* an end-to-end smoke against the bundled emulator: playbooks/demo.yml (the report role and the
  guard role in check mode, through ansible-playbook) and an ad-hoc stop in check mode, then no
  logon session may be left open and no stop may have been sent.

It prints a table and ``matrix: N passed, N failed`` and exits 1 when a check failed. The emulator
runs on the toolchain's Python (.venv); the venvs are kept between runs (a stamp per release).
"""

from __future__ import absolute_import, division, print_function

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "emulator"))
from emulator_process import EmulatorProcess, ansible_env  # noqa: E402 pylint: disable=wrong-import-position

# (release line, controller Python); "newest" is the newest release pip finds for that Python
MATRIX = (("2.16", "3.11"), ("2.17", "3.11"), ("2.18", "3.11"), ("2.19", "3.11"), ("2.20", "3.12"), ("newest", "3.12"))
BUILD = os.path.join(REPO, "build", "matrix")


def python_for(version):
    """The real interpreter of Python X.Y (pyenv's shims do not do inside a venv's tools)."""
    links = os.path.join(REPO, "build", "pythons")
    found = subprocess.run([os.path.join(REPO, "scripts", "python_links.sh"), links, version],
                           capture_output=True, text=True, check=False).stdout.split()
    return os.path.join(links, "python" + version) if version in found else None


# what the unit tests import besides ansible-core (tests/unit/requirements.txt and pytest); the stamp
# file names them, so that a venv made before one was added is made again
PACKAGES = ("requests", "pytest", "prometheus_client")


def _installed(stamp):
    if not os.path.exists(stamp):
        return False
    with open(stamp) as handle:
        return handle.read().split() == list(PACKAGES)


def venv_for(line, python):
    """build/matrix/core-LINE with that ansible-core and PACKAGES (installed once)."""
    venv = os.path.join(BUILD, "core-%s-py%s" % (line, os.path.basename(python)[6:]))
    stamp = os.path.join(venv, ".installed")
    if not _installed(stamp):
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([python, "-m", "venv", venv], check=True)
        spec = "ansible-core" if line == "newest" else "ansible-core==%s.*" % line
        subprocess.run([os.path.join(venv, "bin", "python"), "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", spec] + list(PACKAGES), check=True)
        with open(stamp, "w") as handle:
            handle.write(" ".join(PACKAGES) + "\n")
    return venv


def core_version(venv):
    return subprocess.run([os.path.join(venv, "bin", "python"), "-c",
                           "from ansible.release import __version__; print(__version__)"],
                          capture_output=True, text=True, check=True).stdout.strip()


def run(cmd, env, log):
    proc = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, check=False, timeout=900)
    with open(log, "a") as fh:
        fh.write("$ %s\n%s%s\n" % (" ".join(cmd), proc.stdout, proc.stderr))
    return proc


def smoke(venv, emulator, workdir, log):
    """The demo playbook and an ad-hoc stop in check mode; returns a list of problems."""
    bin_dir = os.path.join(venv, "bin")
    env = dict(ansible_env(workdir, bin_dir, os.path.join(bin_dir, "python")), **emulator.env())
    problems = []
    emulator.reset()
    demo = run([os.path.join(bin_dir, "ansible-playbook"), "-i", "localhost,", "-c", "local",
                os.path.join(REPO, "playbooks", "demo.yml"), "-e", json.dumps({"report_dir": os.path.join(workdir, "report")})],
               env, log)
    if demo.returncode != 0 or "failed=0" not in demo.stdout:
        problems.append("demo.yml failed (rc %d)" % demo.returncode)
    elif not os.path.exists(os.path.join(workdir, "report", "backup-session-report.html")):
        problems.append("demo.yml wrote no report")
    stop = run([os.path.join(bin_dir, "ansible"), "localhost", "-i", "localhost,", "-c", "local", "--check",
                "-m", "backupops.veeam_em.em_backup_session_stop", "-a", "job_name='SQL Backup'"], env, log)
    if stop.returncode != 0 or "SUCCESS" not in stop.stdout and "CHANGED" not in stop.stdout:
        problems.append("ad-hoc stop in check mode failed (rc %d)" % stop.returncode)
    stats = emulator.stats()
    if stats["open_logon_sessions"] or stats["stop_requests"]:
        problems.append("left %d logon sessions open, sent %d stops" % (stats["open_logon_sessions"], stats["stop_requests"]))
    return problems


def main():
    os.makedirs(BUILD, exist_ok=True)
    log = os.path.join(BUILD, "matrix.log")
    open(log, "w").close()
    workroot = tempfile.mkdtemp(prefix="veeam-em-matrix-")
    emulator = EmulatorProcess(["--stop-delay", "1"], os.path.join(workroot, "certs"))
    rows, passed, failed = [], 0, 0
    try:
        for line, pyver in MATRIX:
            started = time.time()
            python = python_for(pyver)
            if python is None:
                rows.append((line, pyver, "-", "FAILED", "FAILED", "Python %s not found" % pyver))
                failed += 2
                continue
            venv = venv_for(line, python)
            version = core_version(venv)
            units = run([os.path.join(venv, "bin", "python"), "-m", "pytest", "tests/unit", "-q", "-p", "no:cacheprovider"],
                        dict(os.environ, HOME=workroot), log)
            unit_summary = (units.stdout.strip().splitlines() or ["no output"])[-1]
            workdir = os.path.join(workroot, line)
            os.makedirs(workdir)
            problems = smoke(venv, emulator, workdir, log)
            ok_units, ok_smoke = units.returncode == 0, not problems
            passed += ok_units + ok_smoke
            failed += (not ok_units) + (not ok_smoke)
            rows.append((line, pyver, version, "passed" if ok_units else "FAILED", "passed" if ok_smoke else "FAILED",
                         "%s; %s; %.0f s" % (unit_summary, "; ".join(problems) or "smoke ok", time.time() - started)))
            print("%-7s Python %s ansible-core %-8s units %-6s smoke %-6s %s" % ((line, pyver) + rows[-1][2:]), flush=True)
    finally:
        emulator.stop()
        shutil.rmtree(workroot, ignore_errors=True)
    print("\n| ansible-core | Python | installed | units | e2e smoke |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| %s | %s | %s | %s | %s |" % row[:5])
    print("\nlog: %s" % log)
    print("matrix: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
