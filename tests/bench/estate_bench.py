# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of the estate report (issue 24): EMS emulators x JOBS jobs, next to one EM's report.

    python tests/bench/estate_bench.py [--ems 5] [--jobs 1000] [--runs 3] [--forks 5]

Starts EMS emulators (different seeds) of JOBS jobs with 100 sessions each (as report_bench.py does for
one EM: 35 days of history), over HTTPS with their CAs. Then, after one uncounted warm-up of each (the
emulators build their query indexes on the first query), RUNS rounds of: ``playbooks/report.yml -e
window=24h`` against the first emulator alone (one EM's report, exactly as report_bench.py runs it) and
``playbooks/estate_report.yml -f FORKS -e window=24h`` on an inventory of all EMS emulators. Per run:
wall time, CPU of the ansible-playbook process tree (os.wait4) and CPU of the emulators (their
/proc/PID/stat before and after), so that a miss of the target (the estate in no more than 2 x one EM's
wall time on 2 cores) can be explained: the emulators run on the same cores. The wall and CPU of every
task (callbacks/bench_task_times.py) show where the controller's time goes. Prints figures; never
fails on a figure (only when a run fails).
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run_bench  # noqa: E402  pylint: disable=wrong-import-position

TARGET_RATIO = 2.0
SESSIONS_PER_JOB = 100
CALLBACKS = os.path.join(HERE, "callbacks")
REPORT = os.path.join(run_bench.REPO, "playbooks", "report.yml")
ESTATE = os.path.join(run_bench.REPO, "playbooks", "estate_report.yml")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid):
    """User + system CPU seconds of process ``pid`` so far (its threads included)."""
    with open("/proc/%d/stat" % pid) as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / float(CLOCK_TICKS)


def inventory(path, emulators):
    """The estate's inventory: group veeam_em, one host per emulator with its connection in host variables."""
    hosts = {}
    for index, emu in enumerate(emulators):
        hosts["em%d" % (index + 1)] = {
            "veeam_em_server": emu.host, "veeam_em_port": emu.port, "veeam_em_protocol": emu.protocol,
            "veeam_em_user": emu.admin_user, "veeam_em_password": emu.admin_password, "veeam_em_ca_path": emu.ca_path}
    data = {"all": {"vars": {"ansible_python_interpreter": sys.executable},
                    "children": {"veeam_em": {"hosts": hosts}}}}
    with open(path, "w") as fh:
        json.dump(data, fh)  # JSON is YAML
    return path


def task_times(path):
    tasks = {}
    if os.path.exists(path):
        with open(path) as fh:
            for line in fh:
                entry = json.loads(line)
                wall, cpu = tasks.get(entry["task"], (0.0, 0.0))
                tasks[entry["task"]] = (wall + entry["seconds"], cpu + entry["cpu"])
    return tasks


class Measured(object):
    """One run: wall, CPU of the ansible tree, CPU of the emulators, sessions reported, task times."""

    def __init__(self, res, emulator_cpu, sessions, tasks):
        self.wall = res.wall
        self.cpu = res.cpu
        self.emulator_cpu = emulator_cpu
        self.sessions = sessions
        self.tasks = tasks
        self.controller_mb = (res.peak_kb("ansible-playbook") or 0) / 1024.0


def run_one(kind, emulators, env, workdir, seq, forks):
    """One measured run of ``kind`` (report: the first EM alone; estate: all of them)."""
    out_dir = os.path.join(workdir, "%s-%d" % (kind, seq))
    times_path = os.path.join(workdir, "%s-times-%d.jsonl" % (kind, seq))
    full = dict(env, ANSIBLE_CALLBACK_PLUGINS=CALLBACKS, ANSIBLE_CALLBACKS_ENABLED="bench_task_times",
                BENCH_TASK_TIMES=times_path)
    if kind == "report":
        full.update(emulators[0].env())
        cmd = run_bench.playbook_cmd(REPORT, {"report_dir": out_dir, "window": "24h"})
    else:
        cmd = [os.path.join(run_bench.BIN, "ansible-playbook"), "-i", os.path.join(workdir, "ems.json"),
               "-f", str(forks), "-e", json.dumps({"report_dir": out_dir, "window": "24h"}), ESTATE]
    for emu in emulators:
        emu.reset()
    before = [process_cpu(emu.proc.pid) for emu in emulators]
    res = run_bench.run_measured(cmd, full, workdir, "%s-%d" % (kind, seq))
    emulator_cpu = sum(process_cpu(emu.proc.pid) - cpu for emu, cpu in zip(emulators, before))
    if res.rc != 0:
        raise RuntimeError("%s playbook failed (rc=%d)\n%s\n%s" % (kind, res.rc, res.stdout[-3000:], res.stderr[-3000:]))
    name = "backup-session-report.json" if kind == "report" else "estate-report.json"
    with open(os.path.join(out_dir, name)) as fh:
        data = json.load(fh)
    if kind == "estate":
        statuses = [entry["status"] for entry in data["ems"]]
        if statuses != ["ok"] * len(emulators):
            raise RuntimeError("estate run: EM statuses %s" % statuses)
        sessions = data["summary"]["total"]
    else:
        sessions = data["summary"]["total"]
    return Measured(res, emulator_cpu, sessions, task_times(times_path))


def summarise(measured):
    med = statistics.median
    names = []
    for run in measured:
        names.extend(name for name in run.tasks if name not in names)
    return {"runs": len(measured), "wall": med(m.wall for m in measured), "walls": [round(m.wall, 2) for m in measured],
            "cpu": med(m.cpu for m in measured), "emulator_cpu": med(m.emulator_cpu for m in measured),
            "controller_mb": med(m.controller_mb for m in measured), "sessions": measured[0].sessions,
            "tasks": [(name, med(m.tasks.get(name, (0.0, 0.0))[0] for m in measured),
                       med(m.tasks.get(name, (0.0, 0.0))[1] for m in measured)) for name in names]}


def format_figures(args, report, estate, load):
    ratio = estate["wall"] / report["wall"] if report["wall"] else float("nan")
    lines = ["Estate of %d EMs x %d jobs (%d sessions each, 24 h window), forks %d, median of %d runs; load before: %s"
             % (args.ems, args.jobs, args.jobs * SESSIONS_PER_JOB, args.forks, estate["runs"], load)]
    for label, fig in (("one EM, playbooks/report.yml", report), ("estate, playbooks/estate_report.yml", estate)):
        walls = ", ".join("%.2f" % w for w in fig["walls"])
        lines.append("  %-38s wall %6.2f s (%s); CPU: ansible %6.2f s, emulators %6.2f s; sessions %d; "
                     "controller peak %.0f MB" % (label, fig["wall"], walls, fig["cpu"], fig["emulator_cpu"],
                                                  fig["sessions"], fig["controller_mb"]))
    status = "met" if ratio <= TARGET_RATIO else "short"
    lines.append("  [%-5s] estate <= %.0f x one EM: %.2f x (%.2f s vs %.2f s)"
                 % (status, TARGET_RATIO, ratio, estate["wall"], report["wall"]))
    cores = os.cpu_count() or 1
    total = estate["cpu"] + estate["emulator_cpu"]
    lines.append("  CPU of the estate run: %.2f s on %d cores = at least %.2f s of wall time; ansible %.0f %%, "
                 "emulators %.0f %%" % (total, cores, total / cores, 100.0 * estate["cpu"] / max(0.01, total),
                                        100.0 * estate["emulator_cpu"] / max(0.01, total)))
    for label, fig in (("one EM", report), ("estate", estate)):
        lines.append("  tasks of %s over 0.1 s (wall, CPU of the controller and its workers):" % label)
        for name, seconds, cpu in sorted(fig["tasks"], key=lambda t: -t[1]):
            if seconds >= 0.1:
                lines.append("    %6.2f s %6.2f s  %s" % (seconds, cpu, name))
    return "\n".join(lines)


def parse_args(argv):
    parser = argparse.ArgumentParser(description="The estate report of many emulators next to one EM's report.")
    parser.add_argument("--ems", type=int, default=5, help="emulators (EMs) in the estate (default 5)")
    parser.add_argument("--jobs", type=int, default=1000, help="jobs per EM, 100 sessions each (default 1000)")
    parser.add_argument("--runs", type=int, default=3, help="measured runs of each; the median is shown (default 3)")
    parser.add_argument("--forks", type=int, default=5, help="ansible-playbook forks of the estate run (default 5)")
    parser.add_argument("--quick", action="store_true", help="smoke run of the machinery: 2 EMs x 20 jobs, 1 run")
    args = parser.parse_args(argv)
    if args.quick:
        args.ems, args.jobs, args.runs = 2, 20, 1
    if args.ems < 1 or args.jobs < 15 or args.runs < 1 or args.forks < 1:
        parser.error("--ems, --runs and --forks need at least 1, --jobs at least 15 (the emulator's minimum)")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    workdir = tempfile.mkdtemp(prefix="em-bench-estate-")
    emulators = []
    try:
        print("Machine: " + run_bench.machine_description(), flush=True)
        env = run_bench.base_env(workdir)
        started = time.time()
        for index in range(args.ems):
            emu_dir = os.path.join(workdir, "emulator-%d" % index)
            os.makedirs(emu_dir)
            emulators.append(run_bench.start_emulator(args.jobs * SESSIONS_PER_JOB, emu_dir,
                                                      ["--jobs", str(args.jobs), "--seed", str(42 + index)]))
        inventory(os.path.join(workdir, "ems.json"), emulators)
        print("%d emulators of %d sessions ready (%.0f s); warm-up, then runs: "
              % (args.ems, args.jobs * SESSIONS_PER_JOB, time.time() - started), end="", flush=True)
        run_one("estate", emulators, env, workdir, 0, args.forks)  # warm-up of every emulator
        run_one("report", emulators, env, workdir, 0, args.forks)
        with open("/proc/loadavg") as fh:
            load = " ".join(fh.read().split()[:3])
        runs = {"report": [], "estate": []}
        for seq in range(1, args.runs + 1):
            for kind in ("report", "estate"):  # interleaved: a slow phase of the machine hits both
                runs[kind].append(run_one(kind, emulators, env, workdir, seq, args.forks))
            print(".", end="", flush=True)
        print(" done (%.0f s)" % (time.time() - started))
        print(format_figures(args, summarise(runs["report"]), summarise(runs["estate"]), load))
    finally:
        for emu in emulators:
            emu.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
