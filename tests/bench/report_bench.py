# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report scenario of run_bench.py (``--report``): the daily report of a large estate.

For each estate size (``--report-jobs``, default 1,000 and 5,000 jobs) the emulator is
started with 100 sessions per job (35 days of history, about 2.9 sessions per job a day), and
``ansible-playbook playbooks/report.yml -e window=24h`` runs ``--runs`` times after one
uncounted warm-up (the emulator builds its query indexes on the first query, as a database has
its indexes before anyone asks). Per run: wall time, CPU of the process tree, peak RSS of the
largest process and of the controller, the requests the emulator counted (reset before every
run), the sessions of the window (from the report's JSON file) and the wall time of every task
(callbacks/bench_task_times.py). Printed with ``met``/``short`` against the targets of issue 14.
"""

from __future__ import absolute_import, division, print_function

import json
import os
import statistics
import time

import run_bench

REPORT_TARGETS = {1000: 8.0, 5000: 25.0}  # wall seconds, issue 14
SESSIONS_PER_JOB = 100
CALLBACKS = os.path.join(run_bench.HERE, "callbacks")
PLAYBOOK = os.path.join(run_bench.REPO, "playbooks", "report.yml")


def run_report(emu, env, workdir, seq):
    """One measured run of the report playbook; (Result, sessions in the window, {task: seconds})."""
    out_dir = os.path.join(workdir, "report-%d" % seq)
    times_path = os.path.join(workdir, "task-times-%d.jsonl" % seq)
    full = dict(env, **emu.env())
    full.update({"ANSIBLE_CALLBACK_PLUGINS": CALLBACKS, "ANSIBLE_CALLBACKS_ENABLED": "bench_task_times",
                 "BENCH_TASK_TIMES": times_path})
    if emu.ca_path:
        full["VEEAM_EM_CA_PATH"] = emu.ca_path
    cmd = run_bench.playbook_cmd(PLAYBOOK, {"report_dir": out_dir, "window": "24h"})
    emu.reset()
    res = run_bench.run_measured(cmd, full, workdir, "report-%d" % seq)
    res.stats = emu.stats()
    if res.rc != 0:
        raise RuntimeError("report playbook failed (rc=%d)\n%s\n%s" % (res.rc, res.stdout[-3000:], res.stderr[-3000:]))
    with open(os.path.join(out_dir, "backup-session-report.json")) as fh:
        total = json.load(fh)["summary"]["total"]
    tasks = {}
    with open(times_path) as fh:
        for line in fh:
            entry = json.loads(line)
            wall, cpu = tasks.get(entry["task"], (0.0, 0.0))
            tasks[entry["task"]] = (wall + entry["seconds"], cpu + entry["cpu"])
    return res, total, tasks


def measure_estate(jobs, runs, env, workdir):
    emu_dir = os.path.join(workdir, "emulator-report-%d" % jobs)
    os.makedirs(emu_dir)
    started = time.time()
    emu = run_bench.start_emulator(jobs * SESSIONS_PER_JOB, emu_dir, ["--jobs", str(jobs)])
    print("report, %d jobs: emulator of %d sessions ready (%.0f s); runs: "
          % (jobs, jobs * SESSIONS_PER_JOB, time.time() - started), end="", flush=True)
    try:
        run_report(emu, env, workdir, 0)  # warm-up: the emulator's indexes, file caches
        measured = []
        for seq in range(1, runs + 1):
            measured.append(run_report(emu, env, workdir, seq))
            print(".", end="", flush=True)
    finally:
        emu.stop()
    print(" done (%.0f s)" % (time.time() - started))
    return summarise(jobs, measured)


def summarise(jobs, measured):
    results = [m[0] for m in measured]
    med = statistics.median
    requests = [run_bench.requests_summary(r.stats) for r in results]
    task_names = list(measured[0][2])
    return {
        "jobs": jobs, "runs": len(results),
        "wall": med(r.wall for r in results), "walls": [round(r.wall, 2) for r in results],
        "cpu": med(r.cpu for r in results),
        "tree_mb": med(r.tree_kb for r in results) / 1024.0,
        "controller_mb": med((r.peak_kb("ansible-playbook") or 0) for r in results) / 1024.0,
        "module_mb": med((r.peak_kb("AnsiballZ_") or 0) for r in results) / 1024.0,
        "requests": requests[len(requests) // 2],
        "sessions": measured[0][1],
        "tasks": [(name, med(m[2].get(name, (0.0, 0.0))[0] for m in measured),
                   med(m[2].get(name, (0.0, 0.0))[1] for m in measured)) for name in task_names],
    }


def format_estate(fig):
    total, logons, queries, logouts, other = fig["requests"]
    target = REPORT_TARGETS.get(fig["jobs"])
    status = "" if target is None else ("met" if fig["wall"] <= target else "short")
    lines = [
        "Report of a 24 h window, %d jobs (%d sessions in the window), median of %d runs (%s)"
        % (fig["jobs"], fig["sessions"], fig["runs"], ", ".join("%.2f" % w for w in fig["walls"])),
        "  wall %.2f s, cpu %.2f s; requests %d (%d/%d/%d%s); peak RSS: largest process %.0f MB, "
        "controller %.0f MB, largest module %.0f MB"
        % (fig["wall"], fig["cpu"], total, logons, queries, logouts, ", other %d" % other if other else "",
           fig["tree_mb"], fig["controller_mb"], fig["module_mb"]),
    ]
    if target is not None:
        lines.append("  [%-5s] report of %d jobs in <= %.0f s: %.2f s" % (status, fig["jobs"], target, fig["wall"]))
    lines.append("  tasks over 0.1 s (wall, CPU of the controller and its workers):")
    for name, seconds, cpu in sorted(fig["tasks"], key=lambda t: -t[1]):
        if seconds >= 0.1:
            lines.append("    %6.2f s %6.2f s  %s" % (seconds, cpu, name))
    return "\n".join(lines)


def main(args, env, workdir):
    figures = []
    for jobs in args.report_job_list:
        figures.append(measure_estate(jobs, args.runs, env, workdir))
        print(format_estate(figures[-1]) + "\n", flush=True)  # each estate as soon as it is measured
    return figures
