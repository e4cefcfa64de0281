# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Does each optimisation with moving parts pay?  Its operation timed with and without it.

    python tests/bench/keep_what_pays.py [--sessions 10000] [--rounds 7] [--only NAME,...]

In one process, against the emulator over HTTPS (10,000 job sessions by default; reset before
every run, so no answer comes from its cache; each operation run once first, uncounted, so that
the emulator's query indexes exist), each optimisation is switched off by replacing one function
of module_utils for the length of a run (``Toggle``), and its operation runs with it and without
it in turn, round after round (interleaved, so that a slow phase of a shared machine hits both
alike):

- ``task_strategy``: ``_sessions.task_session_nodes`` asking by time range when that takes fewer
  pages than 40-UID chunks; off: ``_task_time_range`` gives None, so always by chunks.
  Operation: what em_backup_session_info does with ``include_task_sessions: true``
  (``_sessions.find_job_sessions``: logon, the full list and its task sessions, parse,
  normalise, join, logout).
- ``logon_chunks``: the logon answer read in 256-byte chunks (``_client._read_streamed``); off:
  read whole (``resp.content``).  Operation: one logon (``EmClient.logon``, a new connection, as
  in every module run); the logout after it is not timed.

Per optimisation: median wall time with and without, their spread (min to max), the median CPU
time of client and emulator together (they share the machine), the requests the emulator counted
(``--latency`` adds a delay to each, as an EM across a network has), the median of the per-round
differences of wall time and that as a share of the operation without it ("saving"), and whether
that reaches --threshold (10 %), the bar an optimisation with moving parts has to clear.

Two more were measured with this script and removed because they did not pay (BENCHMARKS.md,
"Keep only what pays"): the read-ahead thread of ``_query.iterate`` and the shortcut of
``_sessions._time_value`` for plain UTC times.  To measure them again, check out commit bae4584
and run its copy of this script (it has them, and the time shortcut's stage alone).
"""

from __future__ import absolute_import, division, print_function

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import run_bench  # noqa: E402  pylint: disable=wrong-import-position

LOGONS_PER_RUN = 10  # a logon takes milliseconds: one run times this many, one after the other


class Toggle(object):
    """Switches an optimisation off by replacing ``module.name`` with ``replacement(original)``."""

    def __init__(self, module, name, replacement):
        self.module, self.name, self.replacement = module, name, replacement
        self.original = None

    def __enter__(self):
        self.original = getattr(self.module, self.name)
        setattr(self.module, self.name, self.replacement(self.original))
        return self

    def __exit__(self, *exc_info):
        setattr(self.module, self.name, self.original)
        return False


class On(object):
    """The optimisation as the code has it (nothing replaced)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False


def optimisations(mods):
    """name -> (operation name, context manager factory that switches it off)."""
    _client, _sessions = mods["_client"], mods["_sessions"]
    return {
        "task_strategy": (
            "job_sessions_with_tasks",
            lambda: Toggle(_sessions, "_task_time_range", lambda original: lambda sessions: None)),
        "logon_chunks": (
            "logon",
            lambda: Toggle(_client, "_read_streamed", lambda original: lambda resp: (resp.content, False))),
    }


OPERATIONS = {
    "job_sessions_with_tasks": "session_info, include_task_sessions",
    "logon": "one logon (new connection)",
}


def client_for(mods, emu):
    options = mods["_connection"].ConnectionOptions(
        emu.host, port=emu.port, protocol=emu.protocol, user=run_bench.ADMIN_USER,
        password=run_bench.ADMIN_PASSWORD, ca_path=emu.ca_path)
    return mods["_client"].EmClient(options)


def process_cpu(pid):
    """User + system CPU seconds of a process so far (Linux /proc), or 0.0 where unknown."""
    try:
        with open("/proc/%d/stat" % pid) as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / float(os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return 0.0


def run_operation(mods, emu, operation):
    """(wall s, CPU s of client + emulator, what came back: sessions and task sessions, or logons) of one run."""
    emu.reset()
    cpu = time.process_time() + process_cpu(emu.proc.pid)
    if operation == "logon":
        wall = 0.0
        for _logon in range(LOGONS_PER_RUN):
            with client_for(mods, emu) as client:
                start = time.perf_counter()
                client.logon()
                wall += time.perf_counter() - start
        cpu = time.process_time() + process_cpu(emu.proc.pid) - cpu
        return wall / LOGONS_PER_RUN, cpu / LOGONS_PER_RUN, LOGONS_PER_RUN, emu.stats()["requests_total"]
    params = {"include_task_sessions": True}
    start = time.perf_counter()
    with client_for(mods, emu) as client:
        sessions = mods["_sessions"].find_job_sessions(client, params)
    wall = time.perf_counter() - start
    cpu = time.process_time() + process_cpu(emu.proc.pid) - cpu
    tasks = sum(len(s.get("task_sessions") or ()) for s in sessions)
    return wall, cpu, (len(sessions), tasks), emu.stats()["requests_total"]


def measure(mods, emu, name, rounds):
    """{"on": [walls], "off": [walls]} of one optimisation, interleaved round after round."""
    operation, switch_off = optimisations(mods)[name]
    run_operation(mods, emu, operation)  # warm-up: the emulator's indexes, connections, imports
    walls, cpus = {"on": [], "off": []}, {"on": [], "off": []}
    outcome, requests = {}, {}
    for _round in range(rounds):
        for mode in ("on", "off"):
            with (On() if mode == "on" else switch_off()):
                wall, cpu, got, requests[mode] = run_operation(mods, emu, operation)
            walls[mode].append(wall)
            cpus[mode].append(cpu)
            outcome.setdefault(mode, set()).add(got)
        print(".", end="")
        sys.stdout.flush()
    if outcome["on"] != outcome["off"] or len(outcome["on"]) != 1:
        raise RuntimeError("%s: the operation's outcome differs with and without it: %s" % (name, outcome))
    return {"operation": operation, "walls": walls, "cpus": cpus, "requests": requests,
            "outcome": outcome["on"].pop()}


def summarise(figures, threshold):
    """(median on, median off, spread on, spread off, saving s, saving %, "pays" or "under N %")."""
    on, off = figures["walls"]["on"], figures["walls"]["off"]
    saving = statistics.median(b - a for a, b in zip(on, off))
    share = 100.0 * saving / statistics.median(off)
    decision = "pays" if share >= threshold else "under %g %%" % threshold
    return (statistics.median(on), statistics.median(off), (min(on), max(on)), (min(off), max(off)),
            saving, share, decision)


def format_table(results, threshold):
    header = ("optimisation", "operation", "with s", "without s", "saved s", "saved", "verdict")
    lines = ["%-20s %-42s %9s %9s %7s %6s %s" % header]
    for name, figures in results.items():
        on, off, spread_on, spread_off, saving, share, decision = summarise(figures, threshold)
        lines.append("%-20s %-42s %9.3f %9.3f %7.3f %5.1f%% %s" % (
            name, OPERATIONS[figures["operation"]], on, off, saving, share, decision))
        lines.append("%-20s   spread: with %.3f to %.3f, without %.3f to %.3f; CPU (client + emulator) with %.3f, "
                     "without %.3f; requests with %d, without %d; outcome %s" % (
                         "", spread_on[0], spread_on[1], spread_off[0], spread_off[1],
                         statistics.median(figures["cpus"]["on"]), statistics.median(figures["cpus"]["off"]),
                         figures["requests"]["on"], figures["requests"]["off"], figures["outcome"]))
    return "\n".join(lines)


def load_modules(collections_root):
    sys.path.insert(0, collections_root)
    from ansible_collections.backupops.veeam_em.plugins.module_utils import _client, _connection, _query, _sessions
    return {"_client": _client, "_connection": _connection, "_query": _query, "_sessions": _sessions}


def main(argv=None):
    parser = argparse.ArgumentParser(description="Each optimisation's operation with and without it.")
    parser.add_argument("--sessions", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--threshold", type=float, default=10.0, help="saving in %% needed to keep one (10)")
    parser.add_argument("--only", default="", help="comma-separated names (default: all)")
    parser.add_argument("--latency", type=float, default=0.0, metavar="MS",
                        help="the emulator waits this long before every answer, as an EM across a network "
                             "does (default 0: the emulator on the same machine)")
    args = parser.parse_args(argv)
    workdir = tempfile.mkdtemp(prefix="em-keep-what-pays-")
    try:
        run_bench.base_env(workdir)
        mods = load_modules(os.path.join(workdir, "collections"))
        names = [n for n in args.only.split(",") if n] or list(optimisations(mods))
        unknown = set(names) - set(optimisations(mods))
        if unknown:
            parser.error("unknown optimisation(s): %s" % ", ".join(sorted(unknown)))
        print("Machine: %s; load average %s" % (run_bench.machine_description(), load_average()))
        emu_dir = os.path.join(workdir, "emulator")
        os.makedirs(emu_dir)
        emu = run_bench.start_emulator(args.sessions, emu_dir,
                                       ("--latency", "%g" % args.latency) if args.latency else ())
        results = {}
        try:
            for name in names:
                print("%s: " % name, end="")
                sys.stdout.flush()
                results[name] = measure(mods, emu, name, args.rounds)
                print(" done")
        finally:
            emu.stop()
        print("%d job sessions, %d rounds, latency %g ms, load average %s"
              % (args.sessions, args.rounds, args.latency, load_average()))
        print(format_table(results, args.threshold))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def load_average():
    try:
        return "%.1f %.1f %.1f" % os.getloadavg()
    except OSError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
