# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of the emulator's protection side at scale: VMS VMs with POINTS daily restore points each.

    python tests/emulator/bench_protection.py [--vms 10000] [--points 30] [--vms-per-job 10] [--runs 5]
                                              [--dump FILE]

Builds the dataset (jobs of VMS-PER-JOB VMs, one successful session a day for POINTS days, the
documentation and scenario data on top) in memory, or writes it as a ``--data`` file with --dump; then
times the derivation of the protection data and queries through the application (no HTTP, cold =
response cache cleared, median of RUNS). Prints figures only (no pass/fail).
"""

import argparse
import os
import resource
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from em_emulator.dataset import Dataset, Job, JobSession, TaskSession, derived_id, generate  # noqa: E402
from em_emulator.protection import ensure  # noqa: E402

NOW = 1767268800  # 2026-01-01T12:00:00Z


def build(vms, points, per_job):
    """The default small dataset plus VMS VMs in jobs of PER_JOB, each backed up once a day for POINTS days."""
    base = generate(42, 200, 40, NOW)
    server = base.servers[0]
    jobs, sessions, tasks = [], [], []
    n_jobs = (vms + per_job - 1) // per_job
    for j in range(n_jobs):
        names = ["bench-vm%05d" % (j * per_job + v) for v in range(min(per_job, vms - j * per_job))]
        job = Job(derived_id("%08x-0000-4000-8000-000000000000" % j), "Bench Backup %04d" % j, "Backup",
                  base.servers[j % 2] if j % 2 else server, names)
        jobs.append(job)
        for d in range(points, 0, -1):
            start = NOW - d * 86400 + (j % 600) * 60
            sid = "%08x-%04x-4000-8000-000000000001" % (j, d)
            s = JobSession(sid, job, start, start + 60 * len(names) + 60, "Stopped", "Success", 100, False, True)
            for v, name in enumerate(names):
                t = TaskSession("%08x-%04x-4000-8000-%012x" % (j, d, v + 2), s, name, start + 30 + 60 * v,
                                start + 85 + 60 * v, "Completed", "Success", "", (20 + v) << 30, True)
                s.tasks.append(t)
                tasks.append(t)
            sessions.append(s)
    return Dataset(NOW, base.servers, base.jobs + jobs, base.sessions + sessions, base.task_sessions + tasks)


def _rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def timed(func):
    started = time.perf_counter()
    cpu = time.process_time()
    value = func()
    timed.cpu = time.process_time() - cpu  # CPU seconds: less sensitive than wall time to a busy machine
    return value, time.perf_counter() - started


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--vms", type=int, default=10000)
    p.add_argument("--points", type=int, default=30)
    p.add_argument("--vms-per-job", type=int, default=10)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--dump", help="write the dataset to this --data file and exit")
    args = p.parse_args()
    data, seconds = timed(lambda: build(args.vms, args.points, args.vms_per_job))
    print("dataset: %d jobs, %d sessions, %d task sessions built in %.2f s (%.2f s CPU), peak RSS %d MB"
          % (len(data.jobs), len(data.sessions), len(data.task_sessions), seconds, timed.cpu, _rss_mb()))
    if args.dump:
        data.dump(args.dump)
        print("written to %s" % args.dump)
        return 0
    from em_emulator.cli import parse_args
    from em_emulator.server import EmulatorApp
    app = EmulatorApp(parse_args(["--http", "--port", "0"]), dataset=data)
    prot, seconds = timed(lambda: ensure(app.data))
    print("protection derived in %.2f s (%.2f s CPU): %d VM restore points, %d restore points, %d includes, "
          "%d backups; peak RSS %d MB" % (seconds, timed.cpu, len(prot.vm_points), len(prot.restore_points),
                                          len(prot.includes), len(prot.backups), _rss_mb()))
    ls = app.auth.logon(app.auth.users["administrator"], "v1_7")
    headers = {"X-RestSvcSessionId": ls.token}
    base = "http://127.0.0.1:9/api/"
    queries = [
        ("VM's last 3 points (the page's example)",
         "query?type=VmRestorePoint&format=Entities&sortDesc=CreationTime&pageSize=3&page=1"
         "&filter=VmDisplayName==bench-vm04242"),
        ("points of the last 24 h (%d VMs)" % args.vms,
         "query?type=VmRestorePoint&filter=CreationTime>=" + time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                           time.gmtime(NOW - 86400))),
        ("OR of 40 RestorePointId== ", "query?type=VmRestorePoint&filter=" + ",".join(
            "RestorePointId==%s" % rp.id for rp in prot.restore_points[-40:])),
        ("includes of one job (ObjectInJob, JobName==)", 'query?type=ObjectInJob&filter=JobName=="Bench Backup 0421"'),
        ("one restore point's VM points", "restorePoints/%s/vmRestorePoints" % prot.restore_points[-1].id),
        ("repositories report", "reports/summary/repository"),
        ("VMs overview report", "reports/summary/vms_overview"),
    ]
    print("%-48s %10s %10s %8s" % ("query (XML, cold)", "first ms", "median ms", "KB"))
    for label, path in queries:
        times = []
        size = 0
        for _run in range(args.runs):
            with app.cache_lock:
                app.cache.clear()
            (_key, resp), seconds = timed(lambda: app.handle("GET", "/api/" + path, headers, base))
            assert resp.status == 200, resp.body[:300]
            times.append(seconds * 1000)
            size = len(resp.body)
        print("%-48s %10.1f %10.1f %8.1f" % (label, times[0], statistics.median(times), size / 1024.0))
    app.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
