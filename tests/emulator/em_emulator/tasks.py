# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""EM tasks (/tasks) and the stop lifecycle of job sessions (post_backupsessions_id_stop).

A stop request answers 202 with a Running task. Half of ``--stop-delay`` later the task is Finished
(Result Success="true", 'Job Session "NAME" triggered to stop.'); the session is Stopping from the
request on and Stopped (Result Failed, EndTimeUTC set, unfinished task sessions Failed with
"Job has been stopped by user.") once the whole delay has passed. Stopping a session that is already
Stopped answers the same 202 task and leaves the session unchanged, as the page's example does.
"""

import heapq
import itertools
import threading

from .dataset import STOP_REASON


class EmTask(object):
    __slots__ = ("task_id", "state", "operation", "success", "message", "owner")

    def __init__(self, task_id, operation, owner):
        self.task_id = task_id
        self.state = "Running"
        self.operation = operation
        self.success = None
        self.message = None
        self.owner = owner


class Scheduler(object):
    """One thread running callbacks at given times (instead of a thread per timer)."""

    def __init__(self, clock):
        self.clock = clock
        self.cond = threading.Condition()
        self.heap = []
        self.counter = itertools.count()
        self.generation = 0
        self.stopped = False
        self.thread = threading.Thread(target=self._run, name="em-scheduler", daemon=True)
        self.thread.start()

    def call_at(self, when, func):
        with self.cond:
            heapq.heappush(self.heap, (when, next(self.counter), self.generation, func))
            self.cond.notify()

    def clear(self):
        with self.cond:
            self.heap = []
            self.generation += 1

    def stop(self):
        with self.cond:
            self.stopped = True
            self.cond.notify()

    def _run(self):
        while True:
            with self.cond:
                while not self.stopped:
                    if self.heap:
                        wait = self.heap[0][0] - self.clock()
                        if wait <= 0:
                            break
                        self.cond.wait(min(wait, 1.0))
                    else:
                        self.cond.wait(1.0)
                if self.stopped:
                    return
                _when, _n, generation, func = heapq.heappop(self.heap)
                if generation != self.generation:
                    continue
            func()


def new_task(ls, operation):
    """A Running task of the logon session ``ls`` (IDs task-1, task-2, ... per logon session).

    The caller holds the application's data lock.
    """
    ls.task_counter += 1
    task = EmTask("task-%d" % ls.task_counter, operation, ls.session_id)
    ls.tasks[task.task_id] = task
    return task


class StopService(object):
    def __init__(self, app, delay):
        self.app = app
        self.delay = max(0.0, float(delay))
        self.scheduler = Scheduler(app.clock)

    def request_stop(self, ls, session):
        """Create the task of a stop request and schedule the transitions; returns the task."""
        with self.app.data_lock:
            task = new_task(ls, "StopJobSession")
        self.stop_sessions([session], task, 'Job Session "%s" triggered to stop.' % session.name)
        return task

    def stop_sessions(self, sessions, task, message):
        """Stop the sessions: Stopping at once, ``task`` Finished with ``message`` after half the delay,
        the running ones Stopped (Result Failed) after the whole delay."""
        app = self.app
        with app.data_lock:
            running = [s for s in sessions if s.state != "Stopped"]
            changed = False
            for session in running:
                if session.state != "Stopping":
                    app.remember(session)
                    session.state = "Stopping"
                    changed = True
            if changed:
                app.bump(indexed=True)
        now = app.clock()

        def finish_task():
            with app.data_lock:
                task.state = "Finished"
                task.success = True
                task.message = message

        def finish_sessions():
            with app.data_lock:
                for session in running:
                    self._stopped(session)

        if self.delay == 0:
            finish_task()
            finish_sessions()
        else:
            self.scheduler.call_at(now + self.delay / 2.0, finish_task)
            if running:
                self.scheduler.call_at(now + self.delay, finish_sessions)
        return task

    def _stopped(self, session):
        app = self.app
        if session.state == "Stopped":
            return
        end = int(app.clock())
        app.remember(session)
        session.state = "Stopped"
        session.result = "Failed"
        session.etime = max(end, session.ctime)
        for t in session.tasks:
            if t.state != "Completed":
                app.remember(t)
                t.state = "Completed"
                t.result = "Failed"
                t.reason = STOP_REASON
                t.etime = max(end, t.ctime)
        app.bump(indexed=True)

    def reset(self):
        self.scheduler.clear()

    def close(self):
        self.scheduler.stop()
