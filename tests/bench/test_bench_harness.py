# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of the benchmark's own machinery (no timing is asserted).

Run: .venv/bin/python -m pytest tests/bench -q
"""

from __future__ import absolute_import, division, print_function

import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import floor_client  # noqa: E402  pylint: disable=wrong-import-position
import profile_module  # noqa: E402  pylint: disable=wrong-import-position
import run_bench  # noqa: E402  pylint: disable=wrong-import-position

ALLOC = "b = bytearray(%d * 1024 * 1024); b[::4096] = b'x' * len(b[::4096])"


def _cell(wall, requests=(3, 1, 1, 1, 0), parser_kb=100000, count=10):
    res = run_bench.Result()
    res.wall = wall
    res.count = count
    total, logons, queries, logouts, _other = requests
    res.stats = {"requests_total": total, "logons": logons, "logouts": logouts,
                 "requests": {"POST /api/sessionMngr/": logons, "GET /api/query": queries,
                              "DELETE /api/logonSessions/{id}": logouts}}
    res.procs = [{"argv": ["/tmp/x/AnsiballZ_em_backup_session_info.py"], "maxrss_kb": parser_kb},
                 {"argv": ["/x/floor_client.py"], "maxrss_kb": parser_kb}]
    res.tree_kb = parser_kb
    return res


def _table(size, a, b, c, a_kb=100000, c_kb=100000, a_requests=(3, 1, 1, 1, 0), e=None):
    cells = {}
    for query in run_bench.QUERIES:
        cells[(query, "a")] = run_bench.Cell([_cell(a, a_requests, a_kb)], "a")
        cells[(query, "b")] = run_bench.Cell([_cell(b)], "b")
        cells[(query, "c")] = run_bench.Cell([_cell(c, parser_kb=c_kb)], "c")
        cells[(query, "e")] = run_bench.Cell([_cell(a if e is None else e, (0, 0, 0, 0, 0))], "e")
    return {size: cells}


def _status(targets, prefix):
    return [t[1] for t in targets if t[0].startswith(prefix)][0]


def test_requests_summary_splits_logon_query_logout_and_other():
    stats = {"requests_total": 9, "logons": 1, "logouts": 1,
             "requests": {"POST /api/sessionMngr/": 1, "GET /api/query": 5,
                          "GET /api/backupSessions/{id}": 2, "DELETE /api/logonSessions/{id}": 1}}
    assert run_bench.requests_summary(stats) == (9, 1, 5, 1, 2)


def test_targets_met_when_figures_meet_them():
    table = {}
    table.update(_table(1000, a=1.5, b=3.0, c=0.2))
    table.update(_table(10000, a=1.8, b=9.0, c=0.6, e=1.2))  # (a)-(e) 0.6 <= 0.72
    table.update(_table(50000, a=3.0, b=40.0, c=2.0, a_kb=150000, c_kb=100000))
    d = {size: run_bench.Cell([_cell(1.2)], "d") for size in table}
    targets = run_bench.evaluate_targets(table, d)
    assert [t[1] for t in targets] == ["met"] * 5


def test_targets_short_when_figures_miss_them():
    table = {}
    table.update(_table(1000, a=2.5, b=3.0, c=0.2))        # own(a) 1.3 > 0.5 * own(b) 0.9
    table.update(_table(10000, a=2.5, b=2.0, c=0.6, e=1.7))  # (a)-(e) 0.8 > 0.72; (a) slower than (b)
    table.update(_table(50000, a=3.0, b=40.0, c=2.0, a_kb=250000, c_kb=100000,
                        a_requests=(5, 2, 1, 2, 0)))         # 2 logons; 250 MB > 2 x 100 MB
    d = {size: run_bench.Cell([_cell(1.2)], "d") for size in table}
    targets = run_bench.evaluate_targets(table, d)
    assert [t[1] for t in targets] == ["short"] * 5


def test_targets_not_applicable_for_sizes_not_run():
    table = _table(500, a=1.5, b=3.0, c=0.2)
    d = {500: run_bench.Cell([_cell(1.2)], "d")}
    targets = run_bench.evaluate_targets(table, d)
    assert _status(targets, "collection's own cost (a)-(e) <= 1.2") == "n/a"
    assert _status(targets, "peak memory") == "n/a"
    assert _status(targets, "requests") == "met"


def test_floor_parses_one_item_pages_and_page_count():
    body = (b'<?xml version="1.0" encoding="utf-8"?>'
            b'<QueryResult xmlns="http://www.veeam.com/ent/v1.0"><Entities><BackupJobSessions>'
            b'<BackupJobSession Type="BackupJobSession" Name="J@1"><JobName>J</JobName>'
            b'</BackupJobSession></BackupJobSessions></Entities>'
            b'<PagingInfo PageNum="1" PageSize="1" PagesCount="7"/></QueryResult>')
    sessions, pages = floor_client.parse_page(body)
    assert pages == 7
    assert [s["job_name"] for s in sessions] == ["J"]


def test_floor_returns_what_the_module_returns_by_default(tmp_path):
    """(c) does the module's work: the same keys and values per session, and the same summary."""
    sys.path.insert(0, os.path.join(run_bench.REPO, "tests", "emulator"))
    from em_emulator.dataset import generate  # pylint: disable=import-outside-toplevel
    from em_emulator.render import Renderer, x_query_result  # pylint: disable=import-outside-toplevel
    collections = run_bench.ansible_env(str(tmp_path))  # makes the collection tree importable
    sys.path.insert(0, os.path.join(str(tmp_path), "collections"))
    from ansible_collections.backupops.veeam_em.plugins.module_utils import _sessions, _xml  # noqa: E501 pylint: disable=import-outside-toplevel
    data = generate(seed=9, sessions=300, jobs=20, now=1767225600)
    r = Renderer("https://em.example.com:9398/api/")
    body = x_query_result("BackupJobSessions", [r.x_session(s) for s in reversed(data.sessions)],
                          (1, 1000, 1, [])).encode("utf-8")
    floor, pages = floor_client.parse_page(body)
    module = [_sessions.job_session(node) for node in _xml.entities(_xml.parse(body), "BackupJobSession")]
    assert pages == 1 and len(floor) == len(data.sessions) and collections
    assert floor == module
    assert floor_client.summary(floor) == _sessions.summary(module, _sessions.SESSION_STATES)


def test_floor_parses_empty_result():
    body = b'<QueryResult xmlns="http://www.veeam.com/ent/v1.0"><Entities/></QueryResult>'
    assert floor_client.parse_page(body) == ([], 1)


def test_importtime_parser_reads_depth_and_times():
    text = ("import time: self [us] | cumulative | imported package\n"
            "import time:       120 |        120 |   _io\n"
            "import time:      1500 |       3000 | requests\n"
            "import time:      1500 |       1500 |   urllib3\n")
    rows = profile_module.parse_importtime(text)
    assert rows == [("_io", 120, 120, 1), ("requests", 1500, 3000, 0), ("urllib3", 1500, 1500, 1)]
    assert "3 ms in total" in profile_module.summarise_imports(rows, 5)


def test_rss_hook_records_each_python_process(tmp_path):
    log = tmp_path / "rss.log"
    env = dict(os.environ, PYTHONPATH=run_bench.HOOK_DIR, BENCH_RSS_LOG=str(log))
    res = run_bench.run_measured([sys.executable, "-c", ALLOC % 64], env, str(tmp_path), "hook")
    assert res.rc == 0
    assert len(res.procs) == 1
    assert res.procs[0]["argv"] == ["-c"]
    assert res.procs[0]["maxrss_kb"] >= 64 * 1024


def test_peaks_are_not_inherited_from_a_large_parent(tmp_path):
    """A child forked straight from a 200 MB process would report >= 200 MB."""
    log = tmp_path / "rss.log"
    env = dict(os.environ, PYTHONPATH=run_bench.HOOK_DIR, BENCH_RSS_LOG=str(log))
    inner = [sys.executable, "-c", "pass"]
    outer = ("import sys; sys.path.insert(0, %r); import run_bench; %s; "
             "res = run_bench.run_measured(%r, dict(__import__('os').environ), %r, 'inner'); "
             "print('INNER_KB=%%d' %% res.procs[0]['maxrss_kb'])"
             % (HERE, ALLOC % 200, inner, str(tmp_path)))
    proc = subprocess.run([sys.executable, "-c", outer], env=env, capture_output=True,
                          universal_newlines=True, check=True)
    inner_kb = int(proc.stdout.split("INNER_KB=")[1])
    assert inner_kb < 100 * 1024


def test_forked_workers_leaving_through_os_exit_are_recorded(tmp_path):
    code = ("import os, sys; pid = os.fork()\n"
            "if pid == 0:\n    %s\n    os._exit(0)\n"
            "os.waitpid(pid, 0)" % (ALLOC % 80))
    env = dict(os.environ, PYTHONPATH=run_bench.HOOK_DIR)
    res = run_bench.run_measured([sys.executable, "-c", code], env, str(tmp_path), "fork")
    assert res.rc == 0
    assert len(res.procs) == 2
    assert res.tree_kb >= 80 * 1024
    assert min(p["maxrss_kb"] for p in res.procs) < 80 * 1024


def test_count_marker_is_read_from_output(tmp_path):
    cmd = [sys.executable, "-c", "import sys; print('ok: BENCH_COUNT=12'); sys.stderr.write('x')"]
    res = run_bench.run_measured(cmd, dict(os.environ), str(tmp_path), "count")
    assert res.count == 12


@pytest.mark.parametrize("argv, sizes, runs", [
    (["--quick"], [1000], 1),
    (["--sizes", "1000,10000", "--runs", "5"], [1000, 10000], 5),
    ([], [1000, 10000, 50000], 3),
])
def test_command_line(argv, sizes, runs):
    args = run_bench.parse_args(argv)
    assert args.size_list == sizes
    assert args.runs == runs


def test_own_cost_pairs_each_run_with_the_ping_run_of_its_round():
    a = run_bench.Cell([_cell(10.0), _cell(3.0), _cell(6.0)], "a")
    d = run_bench.Cell([_cell(9.0), _cell(1.0), _cell(2.0)], "d")
    assert a.own(d) == 2.0          # pairs 1, 2, 4; the difference of medians would say 4
    assert a.wall - d.wall == 4.0


def test_json_round_trip_gives_the_same_report(tmp_path):
    table = {}
    table.update(_table(1000, a=1.5, b=3.0, c=0.2))
    table.update(_table(10000, a=1.8, b=9.0, c=0.6))
    d = {size: run_bench.Cell([_cell(1.2)], "d") for size in table}
    reuse = [{"size": 1000, "tasks": 20, "logon_delay_ms": 0.0,
              "logons": {"wall": 9.0, "cpu": 8.0, "logons": 20, "logouts": 20, "requests": 60, "open": 0},
              "token": {"wall": 7.0, "cpu": 6.0, "logons": 1, "logouts": 1, "requests": 23, "open": 0}}]
    args = run_bench.parse_args(["--runs", "1"])
    path = str(tmp_path / "figures.json")
    run_bench.write_json(path, table, d, run_bench.evaluate_targets(table, d), reuse, 1000, args)
    dummy, table2, d2, reuse2 = run_bench.load_json(path)
    assert run_bench.report(table2, d2, reuse2)[0] == run_bench.report(table, d, reuse)[0]
    assert "time saved by reusing one logon: 2.00 s (100 ms per task), 19 fewer logons" in \
        run_bench.report(table2, d2, reuse2)[0]


def test_keep_what_pays_saving_is_the_median_of_per_round_differences():
    import keep_what_pays  # pylint: disable=import-outside-toplevel
    figures = {"operation": "logon", "walls": {"on": [1.0, 2.0, 1.1], "off": [1.3, 2.2, 1.2]}}
    on, off, spread_on, spread_off, saving, share, verdict = keep_what_pays.summarise(figures, 10.0)
    assert (on, off, spread_on, spread_off) == (1.1, 1.3, (1.0, 2.0), (1.2, 2.2))
    assert round(saving, 6) == 0.2 and round(share, 6) == round(100 * 0.2 / 1.3, 6) and verdict == "pays"
    figures["walls"]["off"] = [1.05, 2.1, 1.1]  # saves 0.05 s of 1.1 s: under 10 %
    assert keep_what_pays.summarise(figures, 10.0)[6] == "under 10 %"


def test_estate_bench_prints_the_ratio_and_the_cpu_split():
    import estate_bench  # pylint: disable=import-outside-toplevel
    args = estate_bench.parse_args([])
    assert (args.ems, args.jobs, args.runs, args.forks) == (5, 1000, 3, 5)
    report = {"runs": 3, "wall": 6.0, "walls": [6.0, 6.1, 5.9], "cpu": 5.0, "emulator_cpu": 1.0, "controller_mb": 80.0,
              "sessions": 3000, "tasks": [("Build", 4.0, 0.5), ("tiny", 0.01, 0.0)]}
    estate = dict(report, wall=13.0, walls=[13.0, 12.5, 13.5], cpu=14.0, emulator_cpu=6.0, sessions=15000,
                  tasks=[("Merge", 3.0, 1.5)])
    text = estate_bench.format_figures(args, report, estate, "0.50 0.40 0.30")
    assert "[short] estate <= 2 x one EM: 2.17 x (13.00 s vs 6.00 s)" in text
    assert "CPU of the estate run: 20.00 s on" in text and "ansible 70 %, emulators 30 %" in text
    assert "tiny" not in text and "Merge" in text
    quick = estate_bench.parse_args(["--quick"])
    assert (quick.ems, quick.jobs, quick.runs) == (2, 20, 1)
