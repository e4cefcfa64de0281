# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""EM tasks (/tasks, get_tasks_id), injected task failures, and the stop lifecycle of job sessions
(post_backupsessions_id_stop).

Every task goes Running -> OperationFinished (Result Success="true", Message "OperationFinished", as
the get_tasks_id example) -> Finished (the final message). ``TaskService.follow`` times it: Finished
after the given time, OperationFinished at half of it; a time of 0 answers Finished at once.
``--task-failure`` makes chosen operations fail (Success="false", "Failed to ..."); the action the
task stands for then does not happen.

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

# The operations of the tasks the emulator creates (the Operation of the pages' examples) and the verb
# of their failure message.
OPERATIONS = {
    "StopJobSession": "stop job session",
    "StartJob": "start job",
    "RetryJob": "retry job",
    "StopJob": "stop job",
    "StartJobSync": "sync job",
    "UpdateJob": "update job",
}
# --task-failure WHEN: the failing task's last state before Finished.
FAILURE_POINTS = ("operation-finished", "finished")
OPERATION_FINISHED = "OperationFinished"


def parse_task_failures(specs):
    """``--task-failure WHEN[:OPERATION[,OPERATION...]]`` values -> {operation: WHEN}.

    WHEN is ``operation-finished``, ``finished`` or ``none`` (no failure); without operations a spec
    applies to every operation; later specs override earlier ones.
    """
    rules = {}
    for spec in specs or ():
        when, _sep, ops = str(spec).partition(":")
        when = when.strip().lower()
        if when not in FAILURE_POINTS + ("none",):
            raise ValueError("invalid --task-failure %r: WHEN must be one of %s, none"
                             % (spec, ", ".join(FAILURE_POINTS)))
        names = [o.strip() for o in ops.split(",")] if ops.strip() else list(OPERATIONS)
        by_low = dict((o.lower(), o) for o in OPERATIONS)
        for name in names:
            op = by_low.get(name.lower())
            if op is None:
                raise ValueError("invalid --task-failure %r: unknown operation %r; possible operations: %s"
                                 % (spec, name, ", ".join(OPERATIONS)))
            if when == "none":
                rules.pop(op, None)
            else:
                rules[op] = when
    return rules


def failure_message(operation, name, server):
    """What EM says when the backup server could not run the operation on the job or session ``name``."""
    return 'Failed to %s "%s": the backup server %s is not available.' % (OPERATIONS[operation], name, server.name)


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


class TaskService(object):
    """The timing of every task (one scheduler thread) and the injected task failures."""

    def __init__(self, app, failure_specs=()):
        self.app = app
        self.initial_failures = parse_task_failures(failure_specs)
        self.failures = dict(self.initial_failures)
        self.scheduler = Scheduler(app.clock)

    def set_failures(self, specs):
        """Replace the failure rules (the test endpoint); returns them."""
        rules = parse_task_failures(specs)
        with self.app.data_lock:
            self.failures = rules
        return dict(rules)

    def at(self, delay, func):
        """Run ``func`` after ``delay`` seconds of the emulated clock (at once when 0)."""
        if delay <= 0:
            func()
        else:
            self.scheduler.call_at(self.app.clock() + delay, func)

    def follow(self, task, duration, message, failure, act=None, on_finished=None):
        """Take ``task`` to Finished after ``duration`` seconds, through OperationFinished at half of it.

        When ``--task-failure`` names the task's operation, the task ends with Success="false" and
        ``failure`` (at OperationFinished already for ``operation-finished``) and nothing else happens.
        Otherwise ``act()`` runs at once (what EM sets going) and ``on_finished()`` (under the data lock)
        when the task becomes Finished with Success="true" and ``message``.
        """
        app = self.app
        with app.data_lock:
            when = self.failures.get(task.operation)
        if when is not None:
            app.stats.task_failure(task.operation)
            if when == "operation-finished":
                self.at(duration / 2.0, lambda: _set(app, task, OPERATION_FINISHED, False, failure))
            self.at(duration, lambda: _set(app, task, "Finished", False, failure))
            return
        if act is not None:
            act()

        def finished():
            with app.data_lock:
                if on_finished is not None:
                    on_finished()
                _set(app, task, "Finished", True, message)
        if duration > 0:
            self.at(duration / 2.0, lambda: _set(app, task, OPERATION_FINISHED, True, OPERATION_FINISHED))
        self.at(duration, finished)

    def reset(self):
        self.scheduler.clear()
        with self.app.data_lock:
            self.failures = dict(self.initial_failures)

    def close(self):
        self.scheduler.stop()


def _set(app, task, state, success, message):
    with app.data_lock:
        if task.state != "Finished":
            task.state = state
            task.success = success
            task.message = message


class StopService(object):
    def __init__(self, app, delay):
        self.app = app
        self.delay = max(0.0, float(delay))

    def request_stop(self, ls, session):
        """Create the task of a stop request and schedule the transitions; returns the task."""
        with self.app.data_lock:
            task = new_task(ls, "StopJobSession")
        self.stop_sessions([session], task, 'Job Session "%s" triggered to stop.' % session.name,
                           failure_message("StopJobSession", session.name, session.job.server))
        return task

    def stop_sessions(self, sessions, task, message, failure):
        """Stop the sessions: Stopping at once, ``task`` Finished with ``message`` after half the delay
        (OperationFinished after a quarter), the running ones Stopped (Result Failed) after the whole delay.
        A failing task (--task-failure) stops nothing."""
        app = self.app

        def act():
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

            def finish_sessions():
                with app.data_lock:
                    for session in running:
                        self._stopped(session)
            if running:
                app.tasks.at(self.delay, finish_sessions)
        app.tasks.follow(task, self.delay / 2.0, message, failure, act=act)
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
