# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of the RPO view at scale: em_protection_info over VMS VMs with POINTS restore points each.

    python tests/bench/protection_bench.py [--vms 10000] [--points 30] [--runs 3] [--breached-share 0.1]

Builds the emulator's dataset of that size (tests/emulator/bench_protection.py: jobs of 10 VMs,
one successful session a day; the newest runs of BREACHED-SHARE of the jobs are left out, so those
VMs breach a 24 h RPO), starts the emulator on it (HTTPS with its CA, as users run), lets it derive
its protection data once (a cost of the emulator, not of the client), then times RUNS ad-hoc runs of
``ansible localhost -m backupops.veeam_em.em_protection_info -a rpo=24h`` and RUNS runs of the floor
(tests/bench/protection_floor.py: the same questions in plain Python), each with its requests, and
checks that both give the same summary. Prints figures against the target (10 s at 10,000 VMs on
2 cores); it never fails on a figure.
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "emulator"))
import bench_protection  # noqa: E402  pylint: disable=wrong-import-position
from emulator_process import EmulatorProcess, ansible_env  # noqa: E402  pylint: disable=wrong-import-position

TARGET = 10.0


def dataset(path, vms, points, breached_share):
    """Write the dataset, 'now' being the present (the module's RPO counts from the controller's clock)."""
    bench_protection.NOW = int(time.time())
    data = bench_protection.build(vms, points, 10)
    bench_jobs = [job for job in data.jobs if job.name.startswith("Bench Backup ")]
    late = set(job.id for job in bench_jobs[:int(len(bench_jobs) * breached_share)])
    cut = bench_protection.NOW - 86400 - 3600  # their newest run is left out: the one before is older than 24 h
    keep = [s for s in data.sessions if not (s.job.id in late and s.ctime > cut)]
    data.sessions[:] = keep
    data.task_sessions[:] = [t for s in keep for t in s.tasks]
    data.dump(path)
    return len(bench_jobs) * 10, len(late) * 10


def requests_made(emulator, before):
    after = emulator.stats()["requests"]
    return dict((key, after.get(key, 0) - before.get(key, 0)) for key in after if after.get(key, 0) != before.get(key, 0))


def timed_run(cmd, env):
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                          check=False)
    return time.perf_counter() - started, proc


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vms", type=int, default=10000)
    parser.add_argument("--points", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--breached-share", type=float, default=0.1)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="protection-bench-")
    data_file = os.path.join(work, "data.json")
    started = time.perf_counter()
    total, breached = dataset(data_file, args.vms, args.points, args.breached_share)
    print("dataset: %d bench VMs x %d points (%d of them late), written in %.1f s"
          % (total, args.points, breached, time.perf_counter() - started), flush=True)
    emulator = EmulatorProcess(["--data", data_file], work)
    try:
        env = ansible_env(work)
        env.update(emulator.env())
        floor = [sys.executable, os.path.join(HERE, "protection_floor.py"), emulator.url, emulator.admin_user,
                 "--ca", emulator.ca_path]
        env["BENCH_EM_PASSWORD"] = emulator.admin_password
        seconds, proc = timed_run(floor, dict(env, BENCH_TRACE="1"))  # warm-up: the emulator derives its data once
        print("emulator warm-up (derives the protection data): %.1f s; per query:\n%s" % (seconds, proc.stderr),
              flush=True)
        if proc.returncode != 0:
            print("the warm-up failed: %s" % (proc.stdout + proc.stderr)[-2000:])
            return 1
        module = ["ansible", "localhost", "-m", "backupops.veeam_em.em_protection_info", "-a", "rpo=24h"]
        figures = {"module": [], "floor": []}
        answers = {}
        for dummy in range(args.runs):
            for name, cmd in (("module", module), ("floor", floor)):
                before = emulator.stats()["requests"]
                seconds, proc = timed_run(cmd, env)
                if proc.returncode != 0:
                    print("%s failed: %s" % (name, (proc.stdout + proc.stderr)[-2000:]))
                    return 1
                made = requests_made(emulator, before)
                figures[name].append(seconds)
                text = proc.stdout.split(" => ", 1)[1] if name == "module" else proc.stdout
                answers[name] = json.loads(text)["summary"] if name == "module" else json.loads(text)
                made_text = json.dumps(made, sort_keys=True)
                print("%-6s %6.2f s  %3d requests %s" % (name, seconds, sum(made.values()), made_text), flush=True)
        same = answers["module"] == answers["floor"]
        print("summary: %s; module and floor %s" % (json.dumps(answers["module"], sort_keys=True),
                                                    "agree" if same else "DIFFER: floor %r" % answers["floor"]))
        median = statistics.median(figures["module"])
        print("RPO view of %d VMs: module median %.2f s (%s), floor median %.2f s; target <= %.0f s: %s"
              % (answers["module"]["total"], median, ", ".join("%.2f" % s for s in figures["module"]),
                 statistics.median(figures["floor"]), TARGET, "met" if median <= TARGET else "NOT met"))
        return 0 if same else 1
    finally:
        emulator.stop()


if __name__ == "__main__":
    sys.exit(main())
