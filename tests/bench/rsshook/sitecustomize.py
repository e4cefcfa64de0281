# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Peak-memory probe for the benchmark (tests/bench/run_bench.py).

The benchmark puts this directory first on PYTHONPATH.  Python imports
``sitecustomize`` at start-up in every interpreter it launches from then on:
ansible-playbook, its module processes (AnsiballZ runs the module inside the
interpreter Ansible started) and the plain-Python floor script.  When
BENCH_RSS_LOG names a file, each such process appends one JSON line to it when
it exits: its pid, its argv and its own peak resident set size
(``getrusage(RUSAGE_SELF).ru_maxrss``, KiB on Linux).  The probe costs one
``atexit`` registration; nothing runs on the measured path.

Processes that leave through ``os._exit`` (Ansible's forked workers) are
covered by wrapping ``os._exit``; a process killed by a signal writes nothing.

Caveat the benchmark takes care of: on Linux a process inherits the peak RSS
of the process it was forked from, so each measured command is started by a
small ``/bin/sh`` (see run_bench.TRAMPOLINE).
"""

from __future__ import absolute_import, division, print_function

import os

_LOG = os.environ.get("BENCH_RSS_LOG")

if _LOG:
    import atexit

    def _bench_record_peak_rss():
        import json
        import resource
        import sys

        usage = resource.getrusage(resource.RUSAGE_SELF)
        line = json.dumps({
            "pid": os.getpid(),
            "argv": [str(a) for a in sys.argv[:2]],
            "maxrss_kb": usage.ru_maxrss,
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 4),
        })
        # One write() of a short line with O_APPEND: lines from concurrent
        # processes do not interleave.
        fd = os.open(_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (line + "\n").encode("utf-8"))
        finally:
            os.close(fd)

    atexit.register(_bench_record_peak_rss)

    # Ansible's forked workers leave through os._exit, which skips atexit.
    _bench_os_exit = os._exit

    def _bench_exit(code):
        try:
            _bench_record_peak_rss()
        finally:
            _bench_os_exit(code)

    os._exit = _bench_exit
