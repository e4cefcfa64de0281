# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark-only callback: wall and CPU seconds of every task, appended as JSON lines to $BENCH_TASK_TIMES.

CPU: user + system of the controller and of its reaped children (the forked workers and what they
ran), so other load on the machine does not count.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: bench_task_times
type: aggregate
short_description: task wall times for tests/bench/report_bench.py
description: Appends one JSON line per task (name, seconds) to the file named by BENCH_TASK_TIMES.
requirements: [enabled in callbacks_enabled]
"""


def _cpu():
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_task_times"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super(CallbackModule, self).__init__()
        self._current = None

    def _close(self):
        path = os.environ.get("BENCH_TASK_TIMES")
        if self._current is not None and path:
            name, started, cpu = self._current
            with open(path, "a") as fh:
                fh.write(json.dumps({"task": name, "seconds": time.perf_counter() - started,
                                     "cpu": _cpu() - cpu}) + "\n")
        self._current = None

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._close()
        self._current = (task.get_name(), time.perf_counter(), _cpu())

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def v2_playbook_on_stats(self, stats):
        self._close()
