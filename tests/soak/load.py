# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Load: many hosts at once against one emulator, clean and with mixed faults.

    python tests/soak/load.py [--hosts 40] [--forks 20] [--sessions 2000] [--out build/load]

Two phases, each on its own emulator (same seed and dataset, 2,000 job sessions by default):
``clean`` (no faults) and ``mixed`` (the soak's mixed profile: 30 % 503 answers, 10 % dropped
connections, 10 % cut answers, 20 ms latency).  In each, one ``ansible-playbook`` runs
``em_backup_session_info`` (failed sessions with their task sessions) on ``--hosts`` local hosts
with ``--forks`` forks.  Printed: runs, ok, failed, whether every successful host returned the
same result (and the same as the clean phase), logons, logon answers lost, open logon sessions
left, injected faults, wall time.  The checks are the soak's (tests/soak/soak.py); the last line is
``load: N passed, N failed``, exit 1 when a check fails.
"""

from __future__ import absolute_import, division, print_function

import argparse
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import soak  # noqa: E402 pylint: disable=wrong-import-position

SCENARIO = soak.Scenario("sessions_tasks", "em_backup_session_info",
                         {"include_task_sessions": True, "result": ["Failed"]}, "info",
                         "failed job sessions with their task sessions")
PHASES = (
    ("clean", ()),
    ("mixed", [p for p in soak.PROFILES if p.name == "mixed"][0].flags),
)


def dataset(sessions):
    args = list(soak.DATASET)
    args[args.index("--sessions") + 1] = str(sessions)
    args[args.index("--jobs") + 1] = "40"
    return args


def run_phase(ansible, out, name, flags, args, baseline):
    """One phase: (Tally, baseline signature or None, emulator stats, distinct successful results)."""
    workdir = tempfile.mkdtemp(prefix="em-load-", dir=ansible.workdir)
    emu = soak.EmulatorProcess(dataset(args.sessions) + list(flags), workdir)
    try:
        emu.reset()
        rc, seconds, log = ansible.play("load %s" % name, emu, soak.info_tasks(SCENARIO), args.hosts, args.forks,
                                        os.path.join(out, name))
        stats = emu.stats()
        results = soak.load_results(os.path.join(out, name, "results.json"), args.hosts)
        signatures = []
        for record in results.values():
            result = (record or {}).get("result") or {}
            if record is not None and not result.get("failed"):
                sig = soak.signature(SCENARIO, result, emu.root)
                if sig not in signatures:
                    signatures.append(sig)
        if baseline is None and signatures:
            baseline = signatures[0]
        tally = soak.judge(SCENARIO, results, baseline, emu.root, os.path.join(out, name))
        tally.add_stats(stats)
        tally.seconds = seconds
        if rc != 0:
            tally.example("ansible-playbook exited %d (see %s)" % (rc, log))
        return tally, baseline, stats, len(signatures), rc
    finally:
        emu.stop()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("--hosts", type=int, default=40, help="hosts (runs) per phase (default 40)")
    p.add_argument("--forks", type=int, default=20, help="ansible forks (default 20)")
    p.add_argument("--sessions", type=int, default=2000, help="generated job sessions (default 2000)")
    p.add_argument("--out", default=os.path.join(soak.REPO, "build", "load"),
                   help="results folder, emptied first (default build/load)")
    args = p.parse_args(argv)
    args.out = os.path.abspath(args.out)
    soak.prepare_out(args.out)
    workdir = tempfile.mkdtemp(prefix="em-load-")
    checks = []
    started = time.monotonic()
    try:
        ansible = soak.Ansible(workdir)
        print("load: %d hosts, %d forks, em_backup_session_info %s; emulator %s; results in %s"
              % (args.hosts, args.forks, SCENARIO.args, " ".join(dataset(args.sessions)), args.out))
        baseline = None
        rows = []
        for name, flags in PHASES:
            tally, baseline, stats, distinct, rc = run_phase(ansible, args.out, name, flags, args, baseline)
            rows.append((name, tally))
            print("\n%s: %d runs in %.1f s, %d ok, %d failed, identical results: %s (%d distinct), %d logons, "
                  "%d logon answers lost, %d open logon sessions left, %d API requests, faults error/drop/truncate "
                  "%d/%d/%d"
                  % (name, tally.runs, tally.seconds, tally.ok, tally.failed,
                     "yes" if tally.ok and tally.wrong == 0 else "NO", distinct, tally.logons,
                     tally.logon_answers_lost, tally.open_left, stats.get("requests_total", 0),
                     tally.error, tally.drop, tally.truncate))
            checks.append((tally.missing == 0 and rc == 0, "%s: every host wrote a result" % name))
            if name == "clean":
                checks.append((tally.failed == 0, "clean: every run succeeded (failed=%d)" % tally.failed))
            checks.append((tally.ok > 0 and tally.wrong == 0,
                           "%s: every successful host returned the same result as the clean phase (%d differ)"
                           % (name, tally.wrong)))
            checks.append((tally.tracebacks == 0, "%s: failures are clean (tracebacks=%d)" % (name, tally.tracebacks)))
            checks.append((tally.open_left <= tally.logon_answers_lost,
                           "%s: no leaked logon session (open left %d <= logon answers lost %d)"
                           % (name, tally.open_left, tally.logon_answers_lost)))
        soak.print_table("load", "%d hosts x %d forks, one emulator per phase" % (args.hosts, args.forks), rows)
        print("\nload took %.0f s" % (time.monotonic() - started))
        return soak.summarize(checks, "load")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
