# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Estate soak: playbooks/estate_report.yml over three EMs, one faulted, one clean, one stopped.

    python tests/soak/estate_soak.py [--runs 10] [--quick] [--out build/estate-soak]

The emulators hold the soak's dataset (soak.py's ``DATASET``, two seeds); the window ends at the
dataset's fixed 'now', with the protection part (``rpo: 24h``). The baseline is the estate of
fault-free twins of the same data (the stopped EM is stopped there too). Then ``--runs`` estate runs
against ``em-faulty`` (503s, dropped connections, cut answers, latency: soak.py's ``mixed`` profile),
``em-clean`` and ``em-down`` (stopped), with ``allow_unreachable``.

What must hold, each a check (the last line counts them):

* an EM that reads ``ok`` has exactly the baseline's sessions, jobs' statuses and VMs' statuses:
  never silently wrong; the faulted EM may instead read ``unreachable`` or ``failed`` with a reason
  (it said so); the clean EM reads ``ok`` in every run; the stopped one ``unreachable`` in every run;
* the gate fails exactly when an EM read ``failed`` (allow_unreachable lets ``unreachable`` pass);
* no crash (no EM's reason is a module failure, no traceback in any output); every run wrote the
  estate JSON;
* no logon session left open: each emulator's open logon sessions after the runs are at most its
  ``logon_answers_lost`` (logons whose answer never arrived whole, so that the client cannot know them).

Exit 1 when a check fails. The last line is ``estate soak: N passed, N failed``.
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import soak  # noqa: E402 pylint: disable=wrong-import-position

ESTATE = os.path.join(soak.REPO, "playbooks", "estate_report.yml")
FAULTS = ("--error-rate", "0.3", "--error-status", "503", "--drop-rate", "0.1", "--truncate-rate", "0.1",
          "--latency", "20")
SEEDS = {"em-faulty": "42", "em-clean": "43", "em-down": "44"}
QUICK_RUNS = 2


def dataset(name):
    return [flag if flag != soak.SEED else SEEDS[name] for flag in soak.DATASET]


def start(name, flags, workdir):
    return soak.EmulatorProcess(dataset(name) + list(flags), tempfile.mkdtemp(prefix=name + "-", dir=workdir))


def inventory(path, emulators):
    hosts = {}
    for name, emu in emulators.items():
        hosts[name] = {"veeam_em_server": emu.host, "veeam_em_port": emu.port, "veeam_em_protocol": emu.protocol,
                       "veeam_em_user": emu.admin_user, "veeam_em_password": emu.admin_password,
                       "veeam_em_ca_path": emu.ca_path}
    with open(path, "w") as handle:
        json.dump({"all": {"vars": {"ansible_python_interpreter": sys.executable},
                           "children": {"veeam_em": {"hosts": hosts}}}}, handle)  # JSON is YAML
    return path


def run_estate(env, inventory_path, out_dir):
    """One estate run: (return code, seconds, output, the estate JSON or None)."""
    extra = {"report_dir": out_dir, "window": "24h", "window_end": soak.NOW, "rpo": "24h", "allow_unreachable": True}
    started = time.monotonic()
    proc = subprocess.run([os.path.join(soak.BIN, "ansible-playbook"), "-i", inventory_path, "-f", "3",
                           "-e", json.dumps(extra), ESTATE], env=env, capture_output=True, text=True,
                          timeout=soak.PLAYBOOK_TIMEOUT, check=False)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "ansible.log"), "w") as handle:
        handle.write(proc.stdout + proc.stderr)
    path = os.path.join(out_dir, "estate-report.json")
    data = json.load(open(path)) if os.path.exists(path) else None
    return proc.returncode, time.monotonic() - started, proc.stdout + proc.stderr, data


def signature(entry):
    """What an EM that answered must answer every time: its sessions, jobs' statuses, VMs' statuses."""
    report = entry["report"]
    return {"sessions": sorted((s["id"], s["state"], s["result"]) for s in report["sessions"]),
            "jobs": sorted((j["name"], j["status"]) for j in report["jobs"]),
            "vms": sorted((v["vm_name"], v["backup_server_name"], v["status"]) for v in report["protection"]["vms"])}


def judge(data, baseline):
    """The problems of one run's estate JSON against the baseline's signatures (a list of texts)."""
    if data is None:
        return ["no estate JSON written"]
    problems = []
    by_em = dict((entry["em"], entry) for entry in data["ems"])
    for name in ("em-faulty", "em-clean"):
        entry = by_em[name]
        if entry["status"] == "ok":
            if signature(entry) != baseline[name]:
                problems.append("%s read ok but differs from the baseline (silently wrong)" % name)
        elif name == "em-clean" or entry["status"] not in ("unreachable", "failed") or not entry["reason"]:
            problems.append("%s read %s: %s" % (name, entry["status"], entry["reason"]))
    for entry in data["ems"]:  # a module that crashed: its registered failure, as the estate's reason
        if "MODULE FAILURE" in (entry["reason"] or "") or soak.CRASH_PREFIX in (entry["reason"] or ""):
            problems.append("%s crashed: %s" % (entry["em"], entry["reason"]))
    if by_em["em-down"]["status"] != "unreachable":
        problems.append("em-down read %s" % by_em["em-down"]["status"])
    failed = any(entry["status"] == "failed" for entry in data["ems"])
    if data["gate"]["failed"] != failed:
        problems.append("the gate says failed=%s with an EM failed: %s" % (data["gate"]["failed"], failed))
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--runs", type=int, default=10, help="estate runs against the faulted estate (default 10)")
    parser.add_argument("--quick", action="store_true", help="%d runs (make soak-quick)" % QUICK_RUNS)
    parser.add_argument("--out", default=os.path.join(soak.REPO, "build", "estate-soak"))
    args = parser.parse_args(argv)
    runs = QUICK_RUNS if args.quick else args.runs
    args.out = os.path.abspath(args.out)
    shutil.rmtree(args.out, ignore_errors=True)
    os.makedirs(args.out)
    workdir = tempfile.mkdtemp(prefix="estate-soak-")
    env = soak.ansible_env(workdir)  # no tracebacks displayed: a failure that says so is not a crash
    checks, emulators = [], {}
    try:
        twins = dict((name, start(name, (), workdir)) for name in ("em-faulty", "em-clean", "em-down"))
        twins["em-down"].stop()
        rc, seconds, output, data = run_estate(env, inventory(os.path.join(workdir, "twins.json"), twins),
                                               os.path.join(args.out, "baseline"))
        statuses = [entry["status"] for entry in data["ems"]] if data else None
        checks.append((statuses == ["ok", "ok", "unreachable"] and rc == 0,
                       "baseline: em-faulty, em-clean ok, em-down unreachable (got %s, rc %s)" % (statuses, rc)))
        baseline = dict((e["em"], signature(e)) for e in data["ems"] if e["status"] == "ok") if data else {}
        for twin in twins.values():
            twin.stop()
        emulators = {"em-faulty": start("em-faulty", FAULTS, workdir), "em-clean": start("em-clean", (), workdir),
                     "em-down": start("em-down", (), workdir)}
        emulators["em-down"].stop()
        path = inventory(os.path.join(workdir, "ems.json"), emulators)
        counts = {"ok": 0, "said_so": 0, "problems": 0, "tracebacks": 0}
        total = 0.0
        for run in range(runs):
            rc, seconds, output, data = run_estate(env, path, os.path.join(args.out, "run-%02d" % run))
            total += seconds
            problems = judge(data, baseline) if baseline else ["no baseline"]
            if "Traceback" in output:
                counts["tracebacks"] += 1
                problems.append("a traceback in the output")
            faulty = (dict((e["em"], e) for e in data["ems"])["em-faulty"] if data else {}).get("status")
            counts["ok" if faulty == "ok" else "said_so"] += 1
            counts["problems"] += bool(problems)
            for problem in problems:
                print("run %d: %s" % (run, problem))
        checks.append((counts["problems"] == 0, "%d runs: em-faulty ok %d, said so %d; runs with a problem %d, "
                                                "with a traceback %d; %.1f s a run" % (
                                                    runs, counts["ok"], counts["said_so"], counts["problems"],
                                                    counts["tracebacks"], total / max(1, runs))))
        for name in ("em-faulty", "em-clean"):
            stats = emulators[name].stats()
            left, lost = stats["open_logon_sessions"], stats.get("logon_answers_lost", 0)
            checks.append((left <= lost, "%s: logons %d, logouts %d, open %d (answers lost %d)"
                           % (name, stats["logons"], stats["logouts"], left, lost)))
    finally:
        for emu in emulators.values():
            emu.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    for passed, text in checks:
        print("%s %s" % ("PASS" if passed else "FAIL", text))
    failed = sum(1 for passed, _text in checks if not passed)
    print("estate soak: %d passed, %d failed" % (len(checks) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
