# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: em_backup_session_info against what users would otherwise run.

    python tests/bench/run_bench.py [--sizes 1000,10000,50000] [--runs 3] [--quick]

For each size the emulator (tests/emulator/run_emulator.py) is started with
that many backup job sessions, and five approaches run side by side, each for a
filtered query (result Failed) and for the full list:

(a) ``backupops.veeam_em.em_backup_session_info`` in one ansible-playbook task;
(b) an ``ansible.builtin.uri`` playbook: logon, query page by page, logout;
(c) the floor: a plain Python script with requests + ElementTree that returns
    the same fields as (a)'s default result;
(d) the same playbook shape running only ``ansible.builtin.ping``: Ansible's
    fixed cost.  "Own cost" of (a) or (b) = its time minus (d);
(e) the same playbook shape with a no-op module (playbooks/library/) that
    returns a result of (a)'s size without EM: (a) - (e) is the collection's
    own cost, (e) - (d) ansible-core's cost for such a result.

``--report`` runs the report scenario instead (report_bench.py).

Per approach: wall time (median of --runs), HTTP requests counted by the
emulator (reset before every run), peak memory.  Then the targets of issue 6
are printed as met/short, and the logon-reuse scenario (20 info tasks with and
without em_logon_session) is measured.  Timings are printed, never asserted.

Peak memory: tests/bench/rsshook/sitecustomize.py is put on PYTHONPATH; every
Python process of a run (ansible-playbook, its forked workers, each module
process, the floor script) appends its own ``getrusage(RUSAGE_SELF).ru_maxrss``
to a log when it exits.  "parse MB" is the process that parses the EM answers:
the module process for (a), the floor script for (c); for (b) the uri module
only decodes one page and the controller merges the pages, so it is the
largest process of the run ("tree MB", the largest of all records).
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PLAYBOOKS = os.path.join(HERE, "playbooks")
HOOK_DIR = os.path.join(HERE, "rsshook")
FLOOR = os.path.join(HERE, "floor_client.py")
BIN = os.path.dirname(os.path.abspath(sys.executable))

sys.path.insert(0, os.path.join(REPO, "tests", "emulator"))
from emulator_process import ADMIN, RUN_EMULATOR, EmulatorProcess, ansible_env  # noqa: E402 pylint: disable=wrong-import-position

ADMIN_USER, ADMIN_PASSWORD = ADMIN  # the emulator's documented demo account

MODULE = "em_backup_session_info"
APPROACHES = ("a", "b", "c", "e")
LABELS = {
    "a": "(a) em_backup_session_info",
    "b": "(b) ansible.builtin.uri",
    "c": "(c) requests+ElementTree",
    "d": "(d) ansible.builtin.ping",
    "e": "(e) same result, no EM",
}
QUERIES = {
    # name: (module option value for bench_result, query service filter)
    "filtered": (["Failed"], "Result==Failed"),
    "full": (None, ""),
}
COUNT_RE = re.compile(r"BENCH_COUNT=(\d+)")
REUSE_TASKS = 20
QUICK_REUSE_TASKS = 5


# --------------------------------------------------------------------------- emulator


def start_emulator(sessions, workdir, extra_args=()):
    """An emulator with ``sessions`` job sessions, started through its command line."""
    return EmulatorProcess(["--sessions", str(sessions)] + list(extra_args), workdir)


# --------------------------------------------------------------------------- processes


def base_env(workdir):
    """Environment in which Ansible sees this working tree as backupops.veeam_em, with the RSS hook loaded."""
    return dict(ansible_env(workdir), PYTHONPATH=HOOK_DIR)


def exit_code(status):
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


class Result(object):
    """One measured process run."""

    def __init__(self):
        self.wall = 0.0
        self.rc = 0
        self.stdout = ""
        self.stderr = ""
        self.tree_kb = 0
        self.cpu = 0.0
        self.procs = []
        self.stats = {}
        self.count = None

    def peak_kb(self, marker):
        """Largest peak RSS among the processes whose argv[0] contains marker."""
        values = [p["maxrss_kb"] for p in self.procs if p["argv"] and marker in p["argv"][0]]
        return max(values) if values else None

    def module_runs(self, marker):
        return len([p for p in self.procs if p["argv"] and marker in p["argv"][0]])


# Measured commands start as children of a small /bin/sh that forks them (the
# trailing "exit" keeps sh from exec-ing the command itself).  On Linux a
# process inherits the peak RSS of the process it was forked from (its memory
# map is a copy, and exec keeps the high-water mark), so a command forked
# straight from this script would report at least this script's size.
TRAMPOLINE = ["/bin/sh", "-c", '"$@"; rc=$?; exit $rc', "sh"]
OUTPUT_KEPT = 1 << 20  # bytes of stdout/stderr kept in memory (tails), for the same reason


def _read_tail(path):
    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        fh.seek(max(0, fh.tell() - OUTPUT_KEPT))
        return fh.read().decode("utf-8", "replace")


def run_measured(cmd, env, workdir, tag):
    """Run cmd; wall time, exit code, output tails, CPU time and peak RSS per process.

    ``tree_kb`` is the largest peak RSS among the Python processes of the run
    (records of tests/bench/rsshook); ``cpu`` the user+system CPU seconds of
    the whole process tree (``os.wait4``).
    """
    out_path = os.path.join(workdir, tag + ".out")
    err_path = os.path.join(workdir, tag + ".err")
    rss_log = os.path.join(workdir, tag + ".rss")
    for path in (out_path, err_path, rss_log):
        if os.path.exists(path):
            os.unlink(path)
    full = dict(env)
    full["BENCH_RSS_LOG"] = rss_log
    res = Result()
    with open(out_path, "w") as out, open(err_path, "w") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(TRAMPOLINE + list(cmd), env=full, stdout=out, stderr=err, cwd=REPO)
        _pid, status, usage = os.wait4(proc.pid, 0)
        res.wall = time.perf_counter() - start
        proc.returncode = exit_code(status)
    res.rc = proc.returncode
    res.cpu = usage.ru_utime + usage.ru_stime
    res.stdout = _read_tail(out_path)
    res.stderr = _read_tail(err_path)
    for path in (out_path, err_path):
        os.unlink(path)
    if os.path.exists(rss_log):
        with open(rss_log) as fh:
            res.procs = [json.loads(line) for line in fh if line.strip()]
    res.tree_kb = max([p["maxrss_kb"] for p in res.procs] or [0])
    found = COUNT_RE.findall(res.stdout + res.stderr)
    res.count = int(found[-1]) if found else None
    return res


def playbook_cmd(name, extra_vars=None):
    """ansible-playbook command line; name is relative to tests/bench/playbooks or absolute."""
    cmd = [os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local"]
    if extra_vars:
        cmd += ["-e", json.dumps(extra_vars)]
    return cmd + [os.path.join(PLAYBOOKS, name)]


# --------------------------------------------------------------------------- approaches


class Bench(object):
    """Runs the approaches against one emulator and keeps every measurement."""

    def __init__(self, emu, env, workdir, page_size):
        self.emu = emu
        self.env = env
        self.workdir = workdir
        self.page_size = page_size
        self.seq = 0
        self.counts = {}  # query -> sessions it returns, for (e)

    def _run(self, approach, cmd, extra_env=None):
        env = dict(self.env)
        env.update(extra_env or {})
        self.emu.reset()
        self.seq += 1
        res = run_measured(cmd, env, self.workdir, "%s-%03d" % (approach, self.seq))
        res.stats = self.emu.stats()
        if res.rc != 0:
            raise RuntimeError(
                "approach %s failed (rc=%d)\n--- stdout (tail)\n%s\n--- stderr (tail)\n%s"
                % (approach, res.rc, res.stdout[-3000:], res.stderr[-3000:])
            )
        return res

    def run(self, approach, query):
        module_result, query_filter = QUERIES[query]
        if approach == "a":
            extra = {"bench_result": module_result} if module_result else None
            return self._run("a", playbook_cmd("info.yml", extra), self.emu.env())
        if approach == "b":
            extra = {
                "em_api": self.emu.url,
                "em_user": ADMIN_USER,
                "em_ca_path": self.emu.ca_path or "",
                "em_filter": query_filter,
                "em_page_size": self.page_size,
            }
            return self._run("b", playbook_cmd("uri.yml", extra),
                             {"BENCH_EM_PASSWORD": ADMIN_PASSWORD})
        if approach == "c":
            cmd = [sys.executable, FLOOR, "--url", self.emu.url, "--user", ADMIN_USER,
                   "--page-size", str(self.page_size), "--filter", query_filter]
            if self.emu.ca_path:
                cmd += ["--ca-path", self.emu.ca_path]
            return self._run("c", cmd, {"BENCH_EM_PASSWORD": ADMIN_PASSWORD})
        if approach == "d":
            return self._run("d", playbook_cmd("ping.yml"))
        if approach == "e":
            extra = {"bench_count": self.counts[query]}
            if module_result:
                extra["bench_result"] = module_result
            return self._run("e", playbook_cmd("noop.yml", extra))
        raise ValueError(approach)

    def reuse(self, token, tasks):
        path = write_reuse_playbook(self.workdir, tasks, token)
        return self._run("reuse-token" if token else "reuse-logons", playbook_cmd(path), self.emu.env())


def parser_peak_kb(approach, res):
    """Peak RSS of the process that parses the answers (see module docstring)."""
    if approach == "a":
        return res.peak_kb("AnsiballZ_" + MODULE)
    if approach == "c":
        return res.peak_kb(os.path.basename(FLOOR))
    if approach == "d":
        return res.peak_kb("AnsiballZ_ping")
    if approach == "e":
        return res.peak_kb("AnsiballZ_bench_noop_info")
    return res.tree_kb


def requests_summary(stats):
    """(total, logons, query GETs, logouts, other) from emulator stats."""
    per = stats.get("requests") or {}
    total = int(stats.get("requests_total", sum(per.values())))
    logons = int(stats.get("logons", per.get("POST /api/sessionMngr/", 0)))
    logouts = int(stats.get("logouts", 0))
    queries = int(per.get("GET /api/query", 0))
    other = total - logons - logouts - queries
    return total, logons, queries, logouts, other


def median(values):
    return statistics.median(values) if values else None


class Cell(object):
    """Median figures of one (size, query, approach)."""

    def __init__(self, results=None, approach=None):
        self.walls, self.cpus = [], []
        self.requests = (0, 0, 0, 0, 0)
        self.parser_kb = self.tree_kb = 0
        self.count = None
        if results:
            self.walls = [r.wall for r in results]
            self.cpus = [r.cpu for r in results]
            self.requests = requests_summary(results[-1].stats)
            self.parser_kb = max([parser_peak_kb(approach, r) or 0 for r in results])
            self.tree_kb = max([r.tree_kb for r in results])
            counts = set(r.count for r in results)
            self.count = counts.pop() if len(counts) == 1 else None

    @property
    def wall(self):
        return median(self.walls)

    @property
    def cpu(self):
        return median(self.cpus)

    def own(self, d_cell):
        """Own cost: median over runs of (this run - the (d) run of the same round).

        The approaches run interleaved, one round after the other, so pairing
        each run with the (d) run of its round cancels slow phases of the
        machine better than subtracting two medians.
        """
        return median([w - d for w, d in zip(self.walls, d_cell.walls)])

    def to_json(self):
        return {"walls": self.walls, "cpus": self.cpus, "wall": self.wall, "cpu": self.cpu,
                "requests": list(self.requests), "parser_kb": self.parser_kb,
                "tree_kb": self.tree_kb, "count": self.count}

    @classmethod
    def from_json(cls, data):
        cell = cls()
        cell.walls, cell.cpus = list(data["walls"]), list(data.get("cpus") or [data["cpu"]])
        cell.requests = tuple(data.get("requests") or (0, 0, 0, 0, 0))
        cell.parser_kb, cell.tree_kb = data.get("parser_kb") or 0, data.get("tree_kb") or 0
        cell.count = data.get("count")
        return cell


# --------------------------------------------------------------------------- report


def mib(kb):
    return "%.0f" % (kb / 1024.0) if kb else "-"


def fmt_s(value):
    return "%.2f" % value if value is not None else "-"


def ratio(num, den):
    if num is None or den is None or den <= 0:
        return None
    return num / den


def fmt_ratio(value):
    return "%.2f" % value if value is not None else "n/a"


ROW = "%-6s %-8s %-27s %7s %7s %7s %-21s %8s %7s %6s"


def print_table(size, cells, d_cell, out):
    """Rows of one size: (d), then (a), (b), (c) and the ratios per query."""
    header = ROW % ("size", "query", "approach", "time s", "own s", "cpu s", "requests (lo/q/out)",
                    "parse MB", "tree MB", "count")
    out.append(header)
    out.append("-" * len(header))
    out.append(ROW % (size, "-", LABELS["d"], fmt_s(d_cell.wall), "0.00", fmt_s(d_cell.cpu),
                      "%d" % d_cell.requests[0], mib(d_cell.parser_kb), mib(d_cell.tree_kb), "-"))
    for query in QUERIES:
        for approach in APPROACHES:
            cell = cells[(query, approach)]
            own = cell.own(d_cell) if approach in ("a", "b", "e") else None
            total, logons, queries, logouts, other = cell.requests
            req = "%d (%d/%d/%d%s)" % (total, logons, queries, logouts,
                                       " +%d other" % other if other else "")
            out.append(ROW % (size, query, LABELS[approach], fmt_s(cell.wall), fmt_s(own), fmt_s(cell.cpu),
                              req, mib(cell.parser_kb), mib(cell.tree_kb),
                              cell.count if cell.count is not None else "?"))
        a, b, c, e = (cells[(query, k)] for k in APPROACHES)
        own_a = a.own(d_cell)
        own_b = b.own(d_cell)
        out.append("%-6s %-8s ratios: (a)/(c) %s, own(a)/(c) %s, (a)/(b) %s, own(a)/own(b) %s, "
                   "peak memory (a)/(c) %s" % (
                       size, query, fmt_ratio(ratio(a.wall, c.wall)), fmt_ratio(ratio(own_a, c.wall)),
                       fmt_ratio(ratio(a.wall, b.wall)), fmt_ratio(ratio(own_a, own_b)),
                       fmt_ratio(ratio(a.parser_kb, c.parser_kb))))
        out.append("%-6s %-8s collection (a)-(e) %s s, (a-e)/(c) %s; ansible-core for this result (e)-(d) %s s" % (
            size, query, fmt_s(a.own(e)), fmt_ratio(ratio(a.own(e), c.wall)), fmt_s(e.own(d_cell))))
    out.append("")


def evaluate_targets(table, d_cells):
    """[(target text, status, detail)] for the targets of issue 6.

    table: {size: {(query, approach): Cell}}; d_cells: {size: Cell}.
    status is "met", "short" or "n/a" (the size was not part of this run).
    """
    targets = []

    # 1. requests = 1 logon + pages + 1 logout, whatever N
    details, ok = [], True
    for size in sorted(table):
        for query in QUERIES:
            cell = table[size][(query, "a")]
            total, logons, queries, logouts, other = cell.requests
            floor_pages = table[size][(query, "c")].requests[2]
            good = logons == 1 and logouts == 1 and other == 0 and queries >= 1 \
                and total == queries + 2 and (cell.count is None or queries <= floor_pages)
            ok = ok and good
            details.append("%s/%s: %d = 1 + %d + 1%s" % (
                size, query, total, queries, "" if good else " (unexpected)"))
    targets.append(("requests = 1 logon + pages + 1 logout, whatever N",
                    "met" if ok and table else "short" if table else "n/a", "; ".join(details)))

    def at(size, func, text):
        if size not in table:
            targets.append((text, "n/a", "size %d not in this run" % size))
            return
        details, ok = [], True
        for query in QUERIES:
            good, detail = func(table[size], d_cells[size], query)
            ok = ok and good
            details.append("%s: %s" % (query, detail))
        targets.append((text, "met" if ok else "short", "; ".join(details)))

    def own_vs_floor(cells, d_cell, query):
        collection = cells[(query, "a")].own(cells[(query, "e")])
        floor = cells[(query, "c")].wall
        return collection <= 1.2 * floor, "(a)-(e) %.2f s vs 1.2 x (c) %.2f s" % (collection, 1.2 * floor)

    def own_vs_uri(cells, d_cell, query):
        own_a = cells[(query, "a")].own(d_cell)
        own_b = cells[(query, "b")].own(d_cell)
        return own_a <= 0.5 * own_b, "own(a) %.2f s vs 0.5 x own(b) %.2f s" % (own_a, 0.5 * own_b)

    def mem_vs_floor(cells, d_cell, query):
        a_kb = cells[(query, "a")].parser_kb
        c_kb = cells[(query, "c")].parser_kb
        return a_kb <= 2 * c_kb, "module %s MB vs 2 x (c) %s MB" % (mib(a_kb), mib(2 * c_kb))

    at(10000, own_vs_floor, "collection's own cost (a)-(e) <= 1.2 x (c) at 10,000 (issue 14)")
    at(1000, own_vs_uri, "own cost of (a) <= 0.5 x own cost of (b) at 1,000")

    details, ok = [], True
    for size in sorted(table):
        for query in QUERIES:
            a = table[size][(query, "a")].wall
            b = table[size][(query, "b")].wall
            ok = ok and a < b
            details.append("%s/%s: %.2f s vs %.2f s" % (size, query, a, b))
    targets.append(("(a) faster than (b) at every size",
                    ("met" if ok else "short") if table else "n/a", "; ".join(details)))

    at(50000, mem_vs_floor, "peak memory of module process at 50,000 <= 2 x (c)")
    return targets


def machine_description():
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            kb = int(fh.readline().split()[1])
            mem = ", %.0f GB RAM" % (kb / 1024.0 / 1024.0)
    except (OSError, ValueError, IndexError):
        pass
    try:
        import ansible
        ansible_version = ansible.__version__
    except ImportError:
        ansible_version = "?"
    return "%s, %d cores%s; %s %s; Python %s; ansible-core %s" % (
        cpu, os.cpu_count() or 0, mem, platform.system(), platform.release(),
        platform.python_version(), ansible_version)


# --------------------------------------------------------------------------- main


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Benchmark em_backup_session_info against uri and plain Python.")
    parser.add_argument("--sizes", default="1000,10000,50000",
                        help="comma-separated numbers of sessions (default 1000,10000,50000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure; the median is shown (default 3)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run for CI: 1000 sessions, 1 run, %d-task logon reuse" % QUICK_REUSE_TASKS)
    parser.add_argument("--page-size", type=int, default=None,
                        help="page size of (b) and (c) (default: the module's PAGE_SIZE)")
    parser.add_argument("--reuse-tasks", type=int, default=REUSE_TASKS,
                        help="info tasks of the logon-reuse play (default %d; 0 skips it)" % REUSE_TASKS)
    parser.add_argument("--reuse-logon-delay", type=float, default=1000.0, metavar="MS",
                        help="also run the logon-reuse play against an emulator whose logons take MS ms, "
                             "as a real EM's do (default 1000; 0 skips; not in --quick)")
    parser.add_argument("--json", dest="json_path", help="also write all figures to this JSON file")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (outputs, logs)")
    parser.add_argument("--show", dest="report_path", metavar="JSON",
                        help="print the report of a file written by --json again; runs nothing")
    parser.add_argument("--report", action="store_true",
                        help="run only the report scenario: playbooks/report.yml over a 24 h window of "
                             "--report-jobs estates (requests counted, targets of issue 14)")
    parser.add_argument("--report-jobs", default="1000,5000",
                        help="estate sizes (jobs) of --report, 100 sessions per job (default 1000,5000)")
    args = parser.parse_args(argv)
    args.report_job_list = size_list(args.report_jobs)
    if args.quick:
        args.sizes = "1000"
        args.report_job_list = args.report_job_list[:1]
        args.runs = 1
        args.reuse_tasks = min(args.reuse_tasks, QUICK_REUSE_TASKS)
        args.reuse_logon_delay = 0.0
    args.size_list = size_list(args.sizes)
    if not args.size_list or min(args.size_list) < 1 or args.runs < 1 or args.reuse_tasks < 0:
        parser.error("--sizes needs positive numbers, --runs at least 1, --reuse-tasks at least 0")
    return args


def size_list(text):
    """``--sizes`` of the bench scripts: "1000,10000" -> [1000, 10000]."""
    return [int(s) for s in text.split(",") if s.strip()]


def module_page_size():
    """The page size the collection's client asks for (so (b)/(c) page alike)."""
    path = os.path.join(REPO, "plugins", "module_utils")
    pattern = re.compile(r"^\s*(?:DEFAULT_)?PAGE_SIZE\s*=\s*(\d+)", re.M)
    for name in sorted(os.listdir(path)) if os.path.isdir(path) else []:
        if name.endswith(".py"):
            with open(os.path.join(path, name)) as fh:
                found = pattern.search(fh.read())
            if found:
                return int(found.group(1))
    return None


def measure_size(size, args, env, workdir, page_size):
    """All approaches at one size; returns ({(query, approach): Cell}, Cell of (d))."""
    emu_dir = os.path.join(workdir, "emulator-%d" % size)
    os.makedirs(emu_dir)
    t0 = time.time()
    emu = start_emulator(size, emu_dir)
    print("size %d: emulator ready at %s (%.1f s); runs: " % (size, emu.url, time.time() - t0), end="")
    sys.stdout.flush()
    try:
        bench = Bench(emu, env, workdir, page_size)
        bench.run("d", "full")  # warm-up (file caches, first-run costs); not counted
        runs = {}
        for _round in range(args.runs):
            # Interleaved, so that a slow phase of the machine hits every approach alike.
            runs.setdefault(("-", "d"), []).append(bench.run("d", "full"))
            for query in QUERIES:
                for approach in APPROACHES:  # (e) after (a): it returns as many sessions as (a) did
                    runs.setdefault((query, approach), []).append(bench.run(approach, query))
                    if approach == "a":
                        bench.counts[query] = runs[(query, "a")][-1].count
            print(".", end="")
            sys.stdout.flush()
    finally:
        emu.stop()
    d_cell = Cell(runs.pop(("-", "d")), "d")
    cells = {key: Cell(value, key[1]) for key, value in runs.items()}
    for query in QUERIES:
        counts = set(cells[(query, k)].count for k in APPROACHES)
        if len(counts) != 1:
            raise RuntimeError("approaches disagree on the %s count at %d sessions: %s"
                               % (query, size, sorted(counts, key=str)))
    print(" done (%.0f s)" % (time.time() - t0))
    return cells, d_cell


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.report_path:
        machine, table, d_cells, reuse = load_json(args.report_path)
        print("Machine: " + machine)
        print(report(table, d_cells, reuse)[0])
        return 0
    if not os.path.exists(RUN_EMULATOR):
        sys.stderr.write("emulator not found: %s\n" % RUN_EMULATOR)
        return 2
    if not os.path.exists(os.path.join(BIN, "ansible-playbook")):
        sys.stderr.write("ansible-playbook not found next to %s; run with the venv's python\n"
                         % sys.executable)
        return 2
    if args.report:
        workdir = tempfile.mkdtemp(prefix="em-bench-report-")
        try:
            print("Machine: " + machine_description())
            import report_bench  # pylint: disable=import-outside-toplevel
            report_bench.main(args, base_env(workdir), workdir)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        return 0
    page_size = args.page_size or module_page_size() or 1000
    workdir = tempfile.mkdtemp(prefix="em-bench-")
    started = time.time()
    print("Machine: " + machine_description())
    print("Runs per figure: %d (median); page size of (b) and (c): %d (the module's)"
          % (args.runs, page_size))
    sys.stdout.flush()
    table, d_cells, reuse = {}, {}, []
    try:
        env = base_env(workdir)
        for size in args.size_list:
            table[size], d_cells[size] = measure_size(size, args, env, workdir, page_size)
        if args.reuse_tasks:
            size = args.size_list[0]
            reuse.append(measure_reuse(size, 0.0, args, env, workdir))
            if args.reuse_logon_delay:
                reuse.append(measure_reuse(size, args.reuse_logon_delay, args, env, workdir))
        text, targets = report(table, d_cells, reuse)
        print("")
        print(text)
        print("")
        print("Total benchmark time: %.0f s" % (time.time() - started))
        if args.json_path:
            write_json(args.json_path, table, d_cells, targets, reuse, page_size, args)
    finally:
        if args.keep:
            print("work directory kept: " + workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def write_reuse_playbook(workdir, tasks, token):
    """The logon-reuse play: ``tasks`` info tasks, with or without one em_logon_session."""
    query = os.path.join(PLAYBOOKS, "tasks", "reuse_query.yml")
    name = "reuse-%s-%d.yml" % ("token" if token else "logons", tasks)
    path = os.path.join(workdir, name)
    lines = ["---"]
    if not token:
        lines += ["- name: Logon reuse - credentials on every task (%d logons)" % tasks,
                  "  hosts: localhost", "  gather_facts: false", "  tasks:"]
        for index in range(tasks):
            lines += ["    - name: Query %d" % (index + 1),
                      "      ansible.builtin.import_tasks: %s" % query]
    else:
        lines += ["- name: Logon reuse - one logon session for the play",
                  "  hosts: localhost", "  gather_facts: false", "  tasks:",
                  "    - name: Work with one logon session",
                  "      block:",
                  "        - name: Log on once",
                  "          backupops.veeam_em.em_logon_session:",
                  "            state: present",
                  "          register: bench_logon",
                  "        - name: Queries with the token",
                  "          module_defaults:",
                  "            group/backupops.veeam_em.em:",
                  "              session_token: \"{{ bench_logon.session_token }}\"",
                  "          block:"]
        for index in range(tasks):
            lines += ["            - name: Query %d" % (index + 1),
                      "              ansible.builtin.import_tasks: %s" % query]
        lines += ["      always:",
                  "        - name: Log off",
                  "          backupops.veeam_em.em_logon_session:",
                  "            state: absent",
                  "            session_token: \"{{ bench_logon.session_token }}\"",
                  "          when: bench_logon.session_token is defined"]
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    return path


def measure_reuse(size, logon_delay_ms, args, env, workdir):
    """N info tasks: each logging on itself vs one em_logon_session token."""
    emu_dir = os.path.join(workdir, "emulator-reuse-%d-%d" % (size, logon_delay_ms))
    os.makedirs(emu_dir)
    extra = ("--logon-delay", "%g" % logon_delay_ms) if logon_delay_ms else ()
    emu = start_emulator(size, emu_dir, extra)
    slow = ", logons take %g ms" % logon_delay_ms if logon_delay_ms else ""
    print("logon reuse, %d tasks%s: " % (args.reuse_tasks, slow), end="")
    sys.stdout.flush()
    figures = {}
    try:
        bench = Bench(emu, env, workdir, None)
        for _round in range(args.runs):
            for token in (False, True):
                figures.setdefault(token, []).append(bench.reuse(token, args.reuse_tasks))
            print(".", end="")
            sys.stdout.flush()
    finally:
        emu.stop()
    print(" done")
    out = {"size": size, "tasks": args.reuse_tasks, "logon_delay_ms": logon_delay_ms}
    for token, results in figures.items():
        stats = results[-1].stats
        out["token" if token else "logons"] = {
            "wall": median([r.wall for r in results]),
            "cpu": median([r.cpu for r in results]),
            "logons": int(stats.get("logons", 0)),
            "logouts": int(stats.get("logouts", 0)),
            "requests": int(stats.get("requests_total", 0)),
            "open": int(stats.get("open_logon_sessions", 0)),
        }
    return out


def format_reuse(reuse):
    lines = ["Logon reuse: a play of %d em_backup_session_info tasks (%d sessions%s):" % (
        reuse["tasks"], reuse["size"],
        ", every logon taking %g ms as on a real EM" % reuse["logon_delay_ms"] if reuse.get("logon_delay_ms") else
        ", instant logons")]
    for key, label in (("logons", "credentials on every task"),
                       ("token", "em_logon_session + session_token")):
        fig = reuse[key]
        lines.append("  %-34s %6.2f s  logons %2d  logouts %2d  requests %3d  left open %d" % (
            label, fig["wall"], fig["logons"], fig["logouts"], fig["requests"], fig["open"]))
    saved = reuse["logons"]["wall"] - reuse["token"]["wall"]
    lines.append("  time saved by reusing one logon: %.2f s (%.0f ms per task), %d fewer logons" % (
        saved, 1000.0 * saved / reuse["tasks"], reuse["logons"]["logons"] - reuse["token"]["logons"]))
    return "\n".join(lines)


def write_json(path, table, d_cells, targets, reuse, page_size, args):
    data = {"machine": machine_description(), "runs": args.runs, "page_size": page_size,
            "sizes": {}, "targets": [list(t) for t in targets], "reuse": reuse}
    for size, cells in table.items():
        entry = {"d": d_cells[size].to_json()}
        for (query, approach), cell in cells.items():
            entry["%s/%s" % (query, approach)] = cell.to_json()
        data["sizes"][str(size)] = entry
    with open(path, "w") as fh:
        json.dump(data, fh, indent=2, sort_keys=True)


def load_json(path):
    """(machine, table, d_cells, reuse) of a file written by --json."""
    with open(path) as fh:
        data = json.load(fh)
    table, d_cells = {}, {}
    for size, entry in data["sizes"].items():
        d_cells[int(size)] = Cell.from_json(entry.pop("d"))
        table[int(size)] = {tuple(key.split("/")): Cell.from_json(value) for key, value in entry.items()}
    return data.get("machine", "?"), table, d_cells, data.get("reuse") or []


def report(table, d_cells, reuse):
    """The printed report: tables, ratios, targets, logon reuse."""
    lines = []
    for size in sorted(table):
        print_table(size, table[size], d_cells[size], lines)
    targets = evaluate_targets(table, d_cells)
    lines.append("Targets (issue 6):")
    for text, status, detail in targets:
        lines.append("  [%-5s] %s\n          %s" % (status, text, detail))
    for figures in reuse:
        lines.append("")
        lines.append(format_reuse(figures))
    return "\n".join(lines), targets


if __name__ == "__main__":
    sys.exit(main())
