# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of the EM emulator: dataset generation time and memory, and query latency.

    python tests/emulator/bench_emulator.py [--sizes 2000,10000,100000] [--runs 5]

Prints figures only (no pass/fail). Each dataset size is generated in a fresh child process so
that its peak RSS (ru_maxrss) is its own.
"""

import argparse
import base64
import http.client
import json
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def child_generate(n):
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    from em_emulator.dataset import generate
    started = time.perf_counter()
    data = generate(42, n, 40, time.time())
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    import tracemalloc
    tracemalloc.start()
    generate(42, n, 40, time.time())
    traced = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    print(json.dumps({"sessions": len(data.sessions), "task_sessions": len(data.task_sessions), "seconds": elapsed,
                      "rss_mb": peak / 1024.0, "rss_delta_mb": (peak - base_rss) / 1024.0,
                      "traced_mb": traced / 1048576.0}))


def bench_generation(sizes):
    print("Dataset generation (fresh process per size)")
    print("%10s %10s %14s %10s %14s %14s"
          % ("sessions", "+docs", "task sessions", "seconds", "peak RSS MB", "dataset MB"))
    for n in sizes:
        out = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", str(n)], capture_output=True,
                             text=True, check=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print("%10d %10d %14d %10.2f %14.1f %14.1f" % (n, r["sessions"], r["task_sessions"], r["seconds"], r["rss_mb"],
                                                       r["traced_mb"]))


def bench_queries(runs, sessions):
    from em_emulator.cli import Running, parse_args
    args = parse_args(["--http", "--port", "0", "--sessions", str(sessions)])
    run = Running(args).start_thread()
    app = run.app
    try:
        conn = http.client.HTTPConnection("127.0.0.1", run.port, timeout=120)
        auth = base64.b64encode(b"Administrator:Emulator-Admin-1!").decode()
        conn.request("POST", "/api/sessionMngr/?v=latest", headers={"Authorization": "Basic " + auth})
        resp = conn.getresponse()
        resp.read()
        token = resp.getheader("X-RestSvcSessionId")

        def get(path, accept):
            conn.request("GET", path, headers={"X-RestSvcSessionId": token, "Accept": accept})
            r = conn.getresponse()
            body = r.read()
            assert r.status == 200, body[:200]
            return body

        total = len(app.data.sessions)
        pages = -(-total // 1000)
        cases = [
            ("all %d sessions, one page" % total, ["/api/query?type=BackupJobSession&format=Entities"]),
            ("page 5 of pageSize=1000", ["/api/query?type=BackupJobSession&format=Entities&pageSize=1000&page=5"]),
            ("all %d pages of pageSize=1000" % pages,
             ["/api/query?type=BackupJobSession&format=Entities&pageSize=1000&page=%d" % p for p in range(1, pages + 1)]),
            ("filtered: Result==Failed, sortDesc=CreationTime",
             ["/api/query?type=BackupJobSession&format=Entities&filter=Result==Failed&sortDesc=CreationTime"]),
        ] + indexed_cases(app.data)
        print()
        print("Query latency, %d sessions / %d task sessions, Entities, HTTP keep-alive, median of %d runs; "
              "first ms: the very first run, which builds the indexes the query needs"
              % (total, len(app.data.task_sessions), runs))
        print("%-48s %6s %12s %12s %12s %12s" % ("query", "format", "bytes", "first ms", "cold ms", "cached ms"))
        for label, paths in cases:
            for accept, fmt in (("application/xml", "XML"), ("application/json", "JSON")):
                cold, warm = [], []
                size = 0
                for _run in range(runs):
                    with app.cache_lock:
                        app.cache.clear()
                    started = time.perf_counter()
                    size = sum(len(get(p, accept)) for p in paths)
                    cold.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    for p in paths:
                        get(p, accept)
                    warm.append(time.perf_counter() - started)
                print("%-48s %6s %12d %12.1f %12.1f %12.1f" % (label, fmt, size, cold[0] * 1000,
                                                               statistics.median(cold) * 1000,
                                                               statistics.median(warm) * 1000))
        conn.close()
    finally:
        run.close()


def indexed_cases(data):
    """Queries that the emulator answers from its indexes (em_emulator/index.py): they cost what they return."""
    from em_emulator.timeutil import iso
    from urllib.parse import quote
    uids = [s.id for s in data.sessions[::max(1, len(data.sessions) // 40)]][:40]
    window = iso(data.now - 86400)

    def query(qtype, flt):
        return "/api/query?type=%s&format=Entities&pageSize=1000&filter=%s" % (qtype, quote(flt, safe="=;,"))
    return [
        ("tasks: OR of 40 JobSessionUid==", [query("BackupTaskSession", ",".join("JobSessionUid==" + u for u in uids))]),
        ("sessions: OR of 40 UID==", [query("BackupJobSession", ",".join("UID==" + u for u in uids))]),
        ("sessions: CreationTime>=24h ago", [query("BackupJobSession", "CreationTime>=" + window)]),
        ("tasks: CreationTime>=24h ago;Result==Warning,Failed",
         [query("BackupTaskSession", "CreationTime>=%s;(Result==Warning,Result==Failed)" % window)]),
        ("sessions: JobName==%s" % data.jobs[0].name[:20], [query("BackupJobSession", 'JobName=="%s"' % data.jobs[0].name)]),
    ]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="2000,10000,100000")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--query-sessions", type=int, default=100000)
    p.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child is not None:
        child_generate(args.child)
        return 0
    print("Python %s on %s, %d CPUs" % (sys.version.split()[0], sys.platform, os.cpu_count() or 0))
    bench_generation([int(x) for x in args.sizes.split(",") if x])
    bench_queries(args.runs, args.query_sessions)
    return 0


if __name__ == "__main__":
    sys.exit(main())
