# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Command line: ``python tests/emulator/run_emulator.py [options]`` (see docs/emulator.md)."""

import argparse
import shutil
import signal
import sys
import tempfile
import threading
import time

from .server import EmulatorApp, EmulatorServer, load_dataset


def build_parser():
    p = argparse.ArgumentParser(
        prog="run_emulator.py",
        description="Veeam Backup Enterprise Manager REST API emulator (XML and JSON, HTTPS by default).")
    g = p.add_argument_group("network")
    g.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    g.add_argument("--port", type=int, default=9398, help="port (default 9398; 0 picks a free port)")
    g.add_argument("--http", action="store_true", help="plain HTTP, as on legacy 9399 installs")
    g.add_argument("--cert-dir", help=("directory for ca.pem, server.pem, server-key.pem, created if missing; certificates "
                                       "already there are reused, so a CA trusted once stays trusted (default: a new "
                                       "temp dir, removed at exit)"))
    g = p.add_argument_group("data")
    g.add_argument("--seed", type=int, default=42, help="seed of the generated dataset (default 42)")
    g.add_argument("--sessions", type=int, default=2000, help="generated job sessions (default 2000)")
    g.add_argument("--jobs", type=int, default=40, help="jobs (default 40, at least 15)")
    g.add_argument("--data", help="load this dataset file (JSON) instead of generating")
    g.add_argument("--dump-data", metavar="FILE", help="write the dataset to FILE (JSON) and exit")
    g.add_argument("--now", help="the dataset's 'now' (ISO 8601, default the current time)")
    g.add_argument("--list-window-days", type=int, default=30,
                   help="GET /backupSessions, /backupTaskSessions and /backupSessions/{ID}/taskSessions list the "
                        "sessions of the last N days, as EM does (default 30; 0 = all)")
    g = p.add_argument_group("behaviour")
    g.add_argument("--stop-delay", type=float, default=3.0,
                   help="seconds a stop takes: Working -> Stopping -> Stopped (default 3)")
    g.add_argument("--job-duration", type=float, default=3.0,
                   help="seconds a started job runs: Starting, Working after a fifth, Stopped with its outcome "
                        "(default 3; 0 = finished before the 202)")
    g.add_argument("--job-outcome", action="append", default=[], metavar="NAME=RESULT[,RESULT...]",
                   help="results (Success, Warning, Failed) of the successive runs (start or retry) of the job NAME "
                        "(or ID); the last one repeats (e.g. \"Oracle Backup=Failed,Success\"); repeatable")
    g.add_argument("--task-failure", action="append", default=[], metavar="WHEN[:OPERATION[,OPERATION...]]",
                   help="make EM tasks fail, and the action they stand for not happen: WHEN is operation-finished "
                        "(OperationFinished and then Finished with Success=\"false\") or finished (Running, then "
                        "Finished with Success=\"false\"), or none; OPERATION one of StopJobSession, StartJob, RetryJob, "
                        "StopJob, StartJobSync, UpdateJob (default: all); repeatable, later ones win "
                        "(e.g. finished:StopJobSession); settable at run time through /_emulator/task-failure")
    g.add_argument("--idle-timeout", type=float, default=900.0,
                   help="seconds after which an idle logon session expires (default 900, as EM; 0 = never)")
    g.add_argument("--typographic-quotes", choices=("text", "quotes"), default="text",
                   help=("how the filter parser reads \u201c \u201d \u2018 \u2019: as text (default), or as quote "
                         "characters, as the optional_query_parameters page writes them: then a value holding one "
                         "is answered 400"))
    g.add_argument("--logon-delay", type=float, default=0.0, metavar="MS",
                   help="delay every POST /api/sessionMngr/ answer (successful or failed logon) by MS milliseconds, "
                        "as a real EM takes about a second to create a logon session (default 0)")
    g = p.add_argument_group("users")
    g.add_argument("--admin-user", default="Administrator", help="Portal Administrator name (default Administrator)")
    g.add_argument("--admin-password", default="Emulator-Admin-1!", help="Portal Administrator password")
    g.add_argument("--operator-user", default="RestoreOperator",
                   help="Restore Operator name (default RestoreOperator)")
    g.add_argument("--operator-password", default="Emulator-Read-1!", help="Restore Operator password")
    g = p.add_argument_group("fault injection (requests under /api/ only)")
    g.add_argument("--latency", type=float, default=0.0, metavar="MS", help="delay every answer by MS milliseconds")
    g.add_argument("--error-rate", type=float, default=0.0, help="rate (0..1) of requests answered 503")
    g.add_argument("--error-status", type=int, default=503, choices=(500, 503),
                   help="status of the injected error answers (default 503)")
    g.add_argument("--drop-rate", type=float, default=0.0, help="rate (0..1) of connections closed without answer")
    g.add_argument("--truncate-rate", type=float, default=0.0,
                   help="rate (0..1) of answers whose body is cut in half (connection then closed)")
    p.add_argument("--verbose", action="store_true", help="log requests and internal errors to stderr")
    return p


def parse_args(argv=None):
    args = build_parser().parse_args(argv)
    if args.sessions < 0 or args.jobs < 0:
        raise SystemExit("--sessions and --jobs must not be negative")
    return args


class Running(object):
    """A started emulator: server, application, base URL and certificate paths."""

    def __init__(self, args, app=None):
        self.args = args
        self.app = app or EmulatorApp(args)
        self.cert_paths = None
        self.own_cert_dir = None
        ctx = None
        if not args.http:
            from .tls import certificates, server_context
            cert_dir = args.cert_dir
            if not cert_dir:
                cert_dir = self.own_cert_dir = tempfile.mkdtemp(prefix="em-emulator-certs-")
            self.cert_paths = certificates(cert_dir, args.host)
            ctx = server_context(self.cert_paths)
        self.server = EmulatorServer((args.host, args.port), self.app, ctx)
        port = self.server.server_address[1]
        host = args.host if args.host not in ("", "0.0.0.0") else "127.0.0.1"
        self.port = port
        self.url = "%s://%s:%d/api/" % ("http" if args.http else "https", host, port)
        self.thread = None

    @property
    def ca_path(self):
        return self.cert_paths["ca"] if self.cert_paths else None

    def start_thread(self):
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2},
                                       name="em-emulator", daemon=True)
        self.thread.start()
        return self

    def close(self):
        if self.thread is not None:
            self.server.shutdown()
            self.thread.join(10)
        self.server.server_close()
        self.app.close()
        if self.own_cert_dir:
            shutil.rmtree(self.own_cert_dir, ignore_errors=True)


def main(argv=None):
    args = parse_args(argv)
    if args.dump_data:
        started = time.time()
        data = load_dataset(args)
        data.dump(args.dump_data)
        print("Dataset (%d sessions, %d task sessions) written to %s in %.2f s"
              % (len(data.sessions), len(data.task_sessions), args.dump_data, time.time() - started))
        return 0

    def on_term(_signum, _frame):
        raise KeyboardInterrupt()
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    try:
        run = Running(args)
    except KeyboardInterrupt:
        return 0
    except (OSError, ValueError, KeyError) as err:
        sys.stderr.write("emulator: cannot start: %s\n" % (err,))
        return 2
    try:
        if run.ca_path:
            print("CA certificate written to %s" % run.ca_path)
        data = run.app.data
        print("Dataset: %d job sessions, %d task sessions, %d jobs, %d backup servers"
              % (len(data.sessions), len(data.task_sessions), len(data.jobs), len(data.servers)))
        print("Users: %s (Portal Administrator), %s (Restore Operator)" % (args.admin_user, args.operator_user))
        print("Veeam EM emulator ready at %s" % run.url)
        sys.stdout.flush()
        run.server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass
    finally:
        run.close()
    print("Veeam EM emulator stopped")
    sys.stdout.flush()
    return 0
