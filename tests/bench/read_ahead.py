# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Measure the read-ahead of ``_query.iterate`` alone: the module's query with and without it.

    python tests/bench/read_ahead.py [--sizes 10000,50000] [--rounds 7]

In one process, against the emulator over HTTPS (reset before every run, so no answer comes
from its cache), for each size: log on, read every page of the full session list the way
em_backup_session_info does (``_query.iterate`` + ``_sessions.job_session``, default options),
log off; with ``read_ahead=True`` and ``False`` in turn, round after round. Nothing else
differs between the two (same client, page size, requests), so the difference is the
read-ahead's own gain. Prints the medians of wall and CPU time.
"""

from __future__ import absolute_import, division, print_function

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import closing

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import run_bench  # noqa: E402  pylint: disable=wrong-import-position


def read_all(modules, emu, read_ahead):
    _client, _connection, _query, _sessions = modules
    options = _connection.ConnectionOptions(emu.host, port=emu.port, protocol=emu.protocol, user=run_bench.ADMIN_USER,
                                            password=run_bench.ADMIN_PASSWORD, ca_path=emu.ca_path)
    wall, cpu = time.perf_counter(), time.process_time()
    with _client.EmClient(options) as client:
        with closing(_query.iterate(client, _sessions.JOB_SESSION, None, read_ahead=read_ahead)) as raw:
            count = len([_sessions.job_session(node) for node in raw])
    return time.perf_counter() - wall, time.process_time() - cpu, count


def main(argv=None):
    parser = argparse.ArgumentParser(description="The read-ahead of _query.iterate, measured alone.")
    parser.add_argument("--sizes", type=run_bench.size_list, default="10000,50000")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    workdir = tempfile.mkdtemp(prefix="em-read-ahead-")
    try:
        run_bench.base_env(workdir)
        sys.path.insert(0, os.path.join(workdir, "collections"))
        from ansible_collections.backupops.veeam_em.plugins.module_utils import _client, _connection, _query, _sessions
        modules = (_client, _connection, _query, _sessions)
        print("%-8s %-12s %10s %10s %8s" % ("size", "read_ahead", "wall s", "cpu s", "count"))
        for size in args.sizes:
            emu_dir = os.path.join(workdir, "emulator-%d" % size)
            os.makedirs(emu_dir)
            emu = run_bench.start_emulator(size, emu_dir)
            figures = {True: [], False: []}
            try:
                for _round in range(args.rounds):
                    for mode in (True, False):
                        emu.reset()
                        figures[mode].append(read_all(modules, emu, mode))
            finally:
                emu.stop()
            for mode in (True, False):
                runs = figures[mode]
                print("%-8d %-12s %10.2f %10.2f %8d" % (size, mode, statistics.median(r[0] for r in runs),
                                                        statistics.median(r[1] for r in runs), runs[0][2]))
            gain = statistics.median(f[0] - t[0] for t, f in zip(figures[True], figures[False]))
            print("%-8d gain of the read-ahead (median of per-round differences): %.2f s" % (size, gain))
            sys.stdout.flush()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
