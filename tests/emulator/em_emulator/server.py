# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTTP side: application state, routes, and the threading HTTP/1.1 server."""

import bisect
import collections
import math
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote

from . import faults as faultmod
from .auth import PORTAL_ADMINISTRATOR, RESTORE_OPERATOR, Auth, User
from .constants import (API_VERSIONS, DOCUMENTED_QUERY_TYPES, HTTP_REASONS, JSON_CT, LATEST_VERSION, QUERY_TYPES,
                        XML_CT)
from .dataset import Dataset, generate
from .filters import FilterError, compile_filter, sort_key
from .jobs import JobError, JobService
from .index import forget_indexes, index_for, touched
from .protection_routes import (COLLECTIONS_WITH_ID as PROTECTION_COLLECTIONS, QUERY_TYPES as PROTECTION_QUERY_TYPES,
                                RESOURCE_QUERY_TYPES, ProtectionError, ProtectionService, j_resources_result,
                                x_resources_result)
from .render import (NS, Renderer, j_collection, j_error, j_query_result, paging_links, x_collection, x_error,
                     x_query_result, xml_doc)
from .tasks import StopService, TaskService
from .timeutil import iso

TOKEN_HEADER = "X-RestSvcSessionId"
# what an EM whose filter parser takes them for quotes refuses in a value (--typographic-quotes quotes)
TYPOGRAPHIC_QUOTES = u"\u201c\u201d\u201e\u2018\u2019\u201a"
COLLECTIONS_WITH_ID = frozenset(("logonsessions", "backupsessions", "backuptasksessions", "backupservers", "tasks",
                                 "jobs")) | PROTECTION_COLLECTIONS
CACHE_ENTRIES = 24
_SESSION_FIELDS = ("state", "result", "etime", "progress")
_TASK_FIELDS = ("state", "result", "etime", "reason")


class ApiError(Exception):
    def __init__(self, status, message, headers=None):
        Exception.__init__(self, message)
        self.status = status
        self.message = message
        self.headers = headers or []


class Response(object):
    """An answer; ``logon`` is set on the 201 of a logon that created a logon session."""

    __slots__ = ("status", "body", "content_type", "headers", "logon")

    def __init__(self, status, body=b"", content_type=None, headers=None):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = headers or []
        self.logon = None


class Request(object):
    """What a route needs from an HTTP request."""

    __slots__ = ("method", "path", "query", "params", "headers", "json", "base", "logon")

    def __init__(self, method, path, query, headers, base):
        self.method = method
        self.path = path
        self.query = query
        self.params = {}
        for key, value in parse_qsl(query, keep_blank_values=True):
            self.params[key.lower()] = value
        self.headers = headers
        accept = (headers.get("Accept") or "").lower()
        j = accept.find("json")
        x = accept.find("xml")
        self.json = j >= 0 and (x < 0 or j < x)
        self.base = base
        self.logon = None


class Stats(object):
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.requests = collections.Counter()
        self.requests_total = 0
        self.logons = 0
        self.logouts = 0
        self.logon_answers_lost = 0
        self.stop_requests = 0
        self.job_actions = collections.Counter()
        self.task_failures = collections.Counter()
        self.faults = collections.Counter()
        self.queries = collections.Counter()  # query-service requests by query type

    def count(self, key):
        with self.lock:
            self.requests_total += 1
            self.requests[key] += 1

    def add(self, name, n=1):
        with self.lock:
            setattr(self, name, getattr(self, name) + n)

    def fault(self, kind):
        with self.lock:
            self.faults[kind] += 1

    def job_action(self, action):
        with self.lock:
            self.job_actions[action] += 1

    def task_failure(self, operation):
        with self.lock:
            self.task_failures[operation] += 1


class EmulatorApp(object):
    """Everything the emulator knows; thread-safe."""

    def __init__(self, config, dataset=None):
        self.config = config
        if dataset is None:
            dataset = load_dataset(config)
        self.data = dataset
        self.t0 = time.time()
        self.now0 = float(dataset.now)
        self.data_lock = threading.RLock()
        self.version = 0
        self.undo = {}
        self.cache = collections.OrderedDict()
        self.cache_lock = threading.Lock()
        self.session_ctimes = [s.ctime for s in dataset.sessions]
        self.task_ctimes = [t.ctime for t in dataset.task_sessions]
        users = [User(config.admin_user, config.admin_password, PORTAL_ADMINISTRATOR),
                 User(config.operator_user, config.operator_password, RESTORE_OPERATOR)]
        self.auth = Auth(users, config.idle_timeout, self.clock)
        self.faults = faultmod.Faults(config.latency, config.error_rate, config.drop_rate, config.truncate_rate,
                                      config.error_status, config.seed)
        self.stats = Stats()
        self.tasks = TaskService(self, getattr(config, "task_failure", None))
        self.jobs = JobService(self, getattr(config, "job_duration", 3.0), getattr(config, "job_outcome", None))
        self.stops = StopService(self, config.stop_delay)
        self.protection = ProtectionService(self)
        self.window = config.list_window_days * 86400 if config.list_window_days > 0 else None
        if config.logon_delay < 0:
            raise ValueError("--logon-delay must not be negative")
        self.logon_delay = config.logon_delay / 1000.0

    # ------------------------------------------------------------------ state
    def clock(self):
        """The emulated current time (seconds since the epoch): --now plus the time since start."""
        return self.now0 + (time.time() - self.t0)

    def bump(self, indexed=False):
        """The data changed: answers cached before are stale.

        ``indexed``: every changed object went through ``remember`` (which tells the query
        indexes); otherwise the indexes are dropped and built again when next needed.
        """
        with self.data_lock:
            self.version += 1
            if not indexed:
                forget_indexes(self.data)

    def remember(self, obj):
        """Keep an object's original values once, so that reset can restore them."""
        key = id(obj)
        touched(self.data, obj)  # the query indexes check it from now on
        if key not in self.undo:
            fields = _SESSION_FIELDS if hasattr(obj, "job") else _TASK_FIELDS
            self.undo[key] = (obj, tuple((f, getattr(obj, f)) for f in fields))

    def reset(self):
        self.tasks.reset()
        self.jobs.reset()
        self.protection.reset()
        with self.data_lock:
            for obj, values in self.undo.values():
                for field, value in values:
                    setattr(obj, field, value)
            self.undo = {}
            self.version += 1
        with self.cache_lock:
            self.cache.clear()
        self.auth.reset()
        self.stats.reset()

    def stats_dict(self):
        st = self.stats
        with st.lock:
            out = {
                "requests_total": st.requests_total,
                "requests": dict(st.requests),
                "logons": st.logons,
                "logouts": st.logouts,
                "logon_answers_lost": st.logon_answers_lost,
                "stop_requests": st.stop_requests,
                "faults": dict(st.faults),
                "job_actions": dict(st.job_actions),
                "task_failures": dict(st.task_failures),
                "queries": dict(st.queries),
            }
        out["open_logon_sessions"] = self.auth.open_count()
        return out

    def close(self):
        self.tasks.close()

    # ------------------------------------------------------------------ cache
    def cached(self, key, build):
        with self.cache_lock:
            hit = self.cache.get(key)
            if hit is not None:
                self.cache.move_to_end(key)
                return hit
        value = build()
        with self.cache_lock:
            self.cache[key] = value
            while len(self.cache) > CACHE_ENTRIES:
                self.cache.popitem(last=False)
        return value

    # ------------------------------------------------------------------ dispatch
    def handle(self, method, raw_path, headers, base, fail=None):
        """Answer one request; returns (stats key or None, Response).

        ``fail`` (500 or 503) answers that injected error instead of running the request.
        """
        path, _sep, query = raw_path.partition("?")
        path = unquote(path)
        if path.startswith("/_emulator/"):
            return None, self._test_endpoint(method, path, query)
        req = Request(method, path, query, headers, base)
        key, route = self._route(method, path, req)
        self.stats.count(key)
        if fail:
            self.stats.fault("error")
            msg = "The service is temporarily unavailable. Try again later." if fail == 503 else "Internal server error."
            return key, self.error(req, fail, msg)
        try:
            return key, route()
        except (ApiError, JobError, ProtectionError) as err:
            return key, self.error(req, err.status, err.message, err.headers)
        except Exception as err:  # noqa: BLE001  pylint: disable=broad-except
            if self.config.verbose:
                sys.stderr.write("internal error: %r\n" % (err,))
            return key, self.error(req, 500, "Internal server error.")

    def error(self, req, status, message, headers=None):
        if req is not None and req.json:
            return Response(status, j_error(status, message).encode("utf-8"), JSON_CT, headers)
        return Response(status, x_error(status, message).encode("utf-8"), XML_CT, headers)

    def _test_endpoint(self, method, path, query=""):
        import json
        if path == "/_emulator/stats" and method == "GET":
            body = self.stats_dict()
        elif path == "/_emulator/reset" and method == "POST":
            self.reset()
            body = self.stats_dict()
        elif path == "/_emulator/task-failure" and method in ("GET", "POST"):
            if method == "POST":
                specs = [v for k, v in parse_qsl(query, keep_blank_values=True) if k == "spec"]
                try:
                    self.tasks.set_failures(specs)
                except ValueError as err:
                    return Response(400, json.dumps({"error": str(err)}).encode("utf-8"), "application/json")
            with self.data_lock:
                body = {"task_failure": dict(self.tasks.failures)}
        elif path == "/_emulator/repository" and method in ("GET", "POST"):
            try:
                body = {"repositories": self.protection.repositories()} if method == "GET" else {
                    "repository": self._set_repository(dict(parse_qsl(query, keep_blank_values=True)))}
            except ValueError as err:
                return Response(400, json.dumps({"error": str(err)}).encode("utf-8"), "application/json")
        elif path == "/_emulator/clock" and method == "GET":
            now = self.clock()
            body = {"epoch": now, "now": iso(now)}
        else:
            return Response(404, b'{"error": "not found"}', "application/json")
        return Response(200, json.dumps(body, sort_keys=True).encode("utf-8"), "application/json")

    def _set_repository(self, params):
        """POST /_emulator/repository?name=NAME|id=ID&free=BYTES[&capacity=BYTES]."""
        ident = params.get("id") or params.get("name")
        if not ident or "free" not in params:
            raise ValueError("give the repository (name=NAME or id=ID) and free=BYTES (-1: unknown)")
        try:
            free = int(params["free"])
            capacity = int(params["capacity"]) if params.get("capacity") not in (None, "") else None
        except ValueError:
            raise ValueError("free and capacity must be whole numbers of bytes (-1: unknown)")
        return self.protection.set_repository(ident, free, capacity)

    def _route(self, method, path, req):
        """(stats key, callable) for a request path."""
        if not (path == "/api" or path.startswith("/api/")):
            return "%s %s" % (method, path), self._not_found(req)
        rest = path[5:] if path.startswith("/api/") else ""
        parts = [p for p in rest.split("/") if p != ""]
        low = [p.lower() for p in parts]
        shown = list(parts)
        if len(low) >= 2 and low[0] in COLLECTIONS_WITH_ID:
            shown[1] = "{id}"
        if len(low) == 4 and low[0] == "jobs" and low[2] == "includes":
            shown[3] = "{id}"
        key = "%s %s" % (method, "/api/" + "/".join(shown) + ("/" if path.endswith("/") and shown else ""))

        def allow(methods, func):
            if method not in methods:
                return self._not_allowed(req, methods)
            return func

        if not low:
            return key, allow(("GET",), lambda: self.r_root(req))
        if low == ["sessionmngr"]:
            return key, allow(("POST",), lambda: self.r_logon(req))
        authed = self._authed(req)
        head = low[0]
        found = self.protection.route(parts, low, req)
        if found is not None:
            return key, allow(found[0], authed(found[1]))
        if len(low) == 1:
            routes = {
                "logonsessions": lambda: self.r_logon_sessions(req),
                "backupsessions": lambda: self.r_sessions(req),
                "backuptasksessions": lambda: self.r_task_sessions(req),
                "backupservers": lambda: self.r_servers(req),
                "query": lambda: self.r_query(req),
                "querysvc": lambda: self.r_query_svc(req),
                "tasks": lambda: self.r_tasks(req),
                "jobs": lambda: self.jobs.r_jobs(req, self.entity_format(req)),
            }
            if head in routes:
                return key, allow(("GET",), authed(routes[head]))
        elif len(low) == 2:
            ident = parts[1].lower()
            if head == "logonsessions":
                return key, allow(("GET", "DELETE"), authed(lambda: self.r_logon_session(req, ident)))
            if head == "backupsessions":
                return key, allow(("GET", "POST"), authed(lambda: self.r_session(req, ident)))
            if head == "backuptasksessions":
                return key, allow(("GET",), authed(lambda: self.r_task_session(req, ident)))
            if head == "backupservers":
                return key, allow(("GET",), authed(lambda: self.r_server(req, ident)))
            if head == "tasks":
                return key, allow(("GET", "DELETE"), authed(lambda: self.r_task(req, ident)))
            if head == "jobs":
                return key, allow(("GET", "POST"), authed(lambda: self.jobs.r_job(req, ident, self.entity_format(req))))
        elif len(low) == 3 and head == "backupsessions" and low[2] == "tasksessions":
            ident = parts[1].lower()
            return key, allow(("GET",), authed(lambda: self.r_session_tasks(req, ident)))
        elif len(low) == 3 and head == "jobs" and low[2] == "backupsessions":
            ident = parts[1].lower()
            return key, allow(("GET",), authed(lambda: self.jobs.r_job_sessions(
                req, ident, self.entity_format(req), Renderer(req.base),
                self.clock() - self.window if self.window is not None else None)))
        return key, authed(self._not_found(req))

    def _not_found(self, req):
        def route():
            raise ApiError(404, "The requested resource %s was not found." % req.path)
        return route

    def _not_allowed(self, req, methods):
        def route():
            raise ApiError(405, "The HTTP method %s is not allowed for the resource %s." % (req.method, req.path),
                           [("Allow", ", ".join(methods))])
        return route

    def _authed(self, req):
        def wrap(func):
            def route():
                token = _cookie_token(req.headers.get("Cookie")) or (req.headers.get(TOKEN_HEADER) or "").strip()
                if not token:
                    raise ApiError(401, "Authorization header or session cookie (%s) is missing. Log on first."
                                   % TOKEN_HEADER, [("WWW-Authenticate", "Basic Realm=RestSvc")])
                ls = self.auth.resolve(token)
                if ls is None:
                    raise ApiError(401, "The logon session is unknown or has expired. Log on again.",
                                   [("WWW-Authenticate", "Basic Realm=RestSvc")])
                req.logon = ls
                return func()
            return route
        return wrap

    # ------------------------------------------------------------------ helpers
    def ok(self, req, xml_body, json_body, status=200, headers=None):
        if req.json:
            return Response(status, json_body().encode("utf-8"), JSON_CT, headers)
        return Response(status, xml_body().encode("utf-8"), XML_CT, headers)

    def entity_format(self, req):
        fmt = req.params.get("format")
        if fmt is None or fmt.lower() in ("references", "reference", "ref", "refs"):
            return False
        if fmt.lower() in ("entity", "entities"):
            return True
        raise ApiError(400, "Invalid format '%s'. Possible values: Entity, References." % fmt)

    def window_start(self, ctimes):
        if self.window is None:
            return 0
        return bisect.bisect_left(ctimes, self.clock() - self.window)

    # ------------------------------------------------------------------ routes: logon
    def r_root(self, req):
        r = Renderer(req.base)
        return self.ok(req, lambda: xml_doc(r.x_root()), r.j_root)

    def r_logon(self, req):
        if self.logon_delay:
            # A real EM needs about a second to create a logon session; failed logons are slow too.
            # This runs in the request's own thread (ThreadingHTTPServer), so other requests go on.
            time.sleep(self.logon_delay)
        version = req.params.get("v", "latest")
        user = self.auth.check_basic(req.headers.get("Authorization"))
        if user is None:
            raise ApiError(401, "Authentication failed: the user name or password is incorrect, or the "
                                "Authorization header is missing.", [("WWW-Authenticate", "Basic Realm=RestSvc")])
        if version.lower() == "latest":
            version = LATEST_VERSION
        if version not in API_VERSIONS:
            raise ApiError(400, "The REST API version '%s' is not supported. Supported versions: latest, %s."
                           % (version, ", ".join(API_VERSIONS)))
        ls = self.auth.logon(user, version)
        try:
            r = Renderer(req.base)
            headers = [(TOKEN_HEADER, ls.token), ("Set-Cookie", "%s=%s; Path=/api;" % (TOKEN_HEADER, ls.token))]
            resp = self.ok(req, lambda: xml_doc(r.x_logon(ls, NS)), lambda: r.j_logon(ls), 201, headers)
        except Exception:
            # no answer carries its token: do not leave the logon session behind
            self.auth.logout(ls)
            raise
        self.stats.add("logons")
        resp.logon = ls
        return resp

    def r_logon_sessions(self, req):
        r = Renderer(req.base)
        items = self.auth.visible_to(req.logon)
        return self.ok(req, lambda: x_collection("LogonSessions", [r.x_logon(x) for x in items]),
                       lambda: j_collection("LogonSessions", [r.j_logon(x) for x in items]))

    def r_logon_session(self, req, ident):
        target = self.auth.find(ident)
        if target is None or target.user is not req.logon.user:
            raise ApiError(404, 'Logon session with ID "%s" was not found.' % ident)
        if req.method == "DELETE":
            if self.auth.logout(target):
                self.stats.add("logouts")
            return Response(204)
        r = Renderer(req.base)
        return self.ok(req, lambda: xml_doc(r.x_logon(target, NS)), lambda: r.j_logon(target))

    # ------------------------------------------------------------------ routes: sessions
    def _list(self, req, kind):
        entity = self.entity_format(req)
        r = Renderer(req.base)
        if kind == "sessions":
            objs = self.data.sessions
            start = self.window_start(self.session_ctimes)
            x_one, j_one, tag = (r.x_session, r.j_session, "BackupJobSessions") if entity else \
                (r.x_session_ref, r.j_session_ref, None)
        else:
            objs = self.data.task_sessions
            start = self.window_start(self.task_ctimes)
            x_one, j_one, tag = (r.x_task, r.j_task, "BackupTaskSessions") if entity else \
                (r.x_task_ref, r.j_task_ref, None)
        key = (kind, entity, req.json, req.base, self.version, start)

        def build():
            with self.data_lock:
                items = objs[start:]
                items.reverse()
                if req.json:
                    body = j_collection(tag or "Refs", [j_one(o) for o in items])
                else:
                    body = x_collection(tag or "EntityReferences", [x_one(o) for o in items])
            return body.encode("utf-8")
        return Response(200, self.cached(key, build), JSON_CT if req.json else XML_CT)

    def r_sessions(self, req):
        return self._list(req, "sessions")

    def r_task_sessions(self, req):
        return self._list(req, "tasks")

    def _session(self, ident):
        s = self.data.session_by_id.get(ident)
        if s is None:
            raise ApiError(404, 'Backup job session with ID "%s" was not found.' % ident)
        return s

    def r_session(self, req, ident):
        s = self._session(ident)
        if req.method == "POST":
            return self.r_stop(req, s)
        entity = self.entity_format(req)
        r = Renderer(req.base)
        with self.data_lock:
            if entity:
                return self.ok(req, lambda: xml_doc(r.x_session(s, NS)), lambda: r.j_session(s))
            return self.ok(req, lambda: xml_doc(r.x_session_ref(s, "EntityRef", NS)), lambda: r.j_session_ref(s))

    def r_stop(self, req, s):
        action = req.params.get("action")
        if action is None:
            raise ApiError(405, "The HTTP method POST is not allowed for the resource %s without an action."
                           % req.path, [("Allow", "GET, POST")])
        if action.lower() != "stop":
            raise ApiError(400, "Unknown action '%s' for a backup job session. Possible actions: stop." % action)
        user = req.logon.user
        if not user.can_stop:
            raise ApiError(403, "Access denied. The user %s (%s) is not allowed to stop job sessions."
                           % (user.name, user.role))
        task = self.stops.request_stop(req.logon, s)
        self.stats.add("stop_requests")
        r = Renderer(req.base)
        with self.data_lock:
            return self.ok(req, lambda: xml_doc(r.x_em_task(task, NS)), lambda: r.j_em_task(task), 202)

    def r_session_tasks(self, req, ident):
        s = self._session(ident)
        entity = self.entity_format(req)
        r = Renderer(req.base)
        cutoff = self.clock() - self.window if self.window is not None else None
        with self.data_lock:
            items = [t for t in s.tasks if cutoff is None or t.ctime >= cutoff]
            if entity:
                return self.ok(req, lambda: x_collection("BackupTaskSessions", [r.x_task(t) for t in items]),
                               lambda: j_collection("BackupTaskSessions", [r.j_task(t) for t in items]))
            return self.ok(req, lambda: x_collection("EntityReferences", [r.x_task_ref(t) for t in items]),
                           lambda: j_collection("Refs", [r.j_task_ref(t) for t in items]))

    def r_task_session(self, req, ident):
        t = self.data.task_by_id.get(ident)
        if t is None:
            raise ApiError(404, 'Backup task session with ID "%s" was not found.' % ident)
        entity = self.entity_format(req)
        r = Renderer(req.base)
        with self.data_lock:
            if entity:
                return self.ok(req, lambda: xml_doc(r.x_task(t, NS)), lambda: r.j_task(t))
            return self.ok(req, lambda: xml_doc(r.x_task_ref(t, "EntityRef", NS)), lambda: r.j_task_ref(t))

    def r_servers(self, req):
        entity = self.entity_format(req)
        r = Renderer(req.base)
        servers = self.data.servers
        if entity:
            return self.ok(req, lambda: x_collection("BackupServers", [r.x_server(s) for s in servers]),
                           lambda: j_collection("BackupServers", [r.j_server(s) for s in servers]))
        return self.ok(req, lambda: x_collection("EntityReferences", [r.x_server_ref(s) for s in servers]),
                       lambda: j_collection("Refs", [r.j_server_ref(s) for s in servers]))

    def r_server(self, req, ident):
        srv = self.data.server_by_id.get(ident)
        if srv is None:
            raise ApiError(404, 'Backup server with ID "%s" was not found.' % ident)
        entity = self.entity_format(req)
        r = Renderer(req.base)
        if entity:
            return self.ok(req, lambda: xml_doc(r.x_server(srv, NS)), lambda: r.j_server(srv))
        return self.ok(req, lambda: xml_doc(r.x_server_ref(srv, "EntityRef", NS)), lambda: r.j_server_ref(srv))

    # ------------------------------------------------------------------ routes: tasks
    def r_tasks(self, req):
        r = Renderer(req.base)
        with self.data_lock:
            items = list(req.logon.tasks.values())
            return self.ok(req, lambda: x_collection("Tasks", [r.x_em_task(t) for t in items]),
                           lambda: j_collection("Tasks", [r.j_em_task(t) for t in items]))

    def r_task(self, req, ident):
        task = req.logon.tasks.get(ident)
        if task is None:
            raise ApiError(404, 'Task with ID "%s" was not found in the current logon session.' % ident)
        if req.method == "DELETE":
            with self.data_lock:
                req.logon.tasks.pop(ident, None)
            return Response(204)
        r = Renderer(req.base)
        with self.data_lock:
            return self.ok(req, lambda: xml_doc(r.x_em_task(task, NS)), lambda: r.j_em_task(task))

    # ------------------------------------------------------------------ routes: query service
    def r_query_svc(self, req):
        r = Renderer(req.base)
        return self.ok(req, lambda: xml_doc(r.x_query_svc(req.logon)), lambda: r.j_query_svc(req.logon))

    def r_query(self, req):
        p = req.params
        raw_type = p.get("type")
        if not raw_type:
            raise ApiError(400, "The query type is not specified: add type=<QueryType> to the query.")
        qtype = QUERY_TYPES.get(raw_type.strip().lower())
        if qtype is None:
            if raw_type.strip().lower() in DOCUMENTED_QUERY_TYPES:
                raise ApiError(501, "Queries of type %s are not emulated." % raw_type)
            raise ApiError(400, "Unknown query type '%s'." % raw_type)
        with self.stats.lock:
            self.stats.queries[qtype] += 1
        fmt = p.get("format", "References")
        if fmt.lower() in ("entities", "entity"):
            entity = True
        elif fmt.lower() in ("references", "reference", "refs"):
            entity = False
        else:
            raise ApiError(400, "Invalid format '%s'. Possible values: References, Entities." % fmt)
        try:
            if getattr(self.config, "typographic_quotes", "text") == "quotes" and any(
                    ch in p.get("filter", "") for ch in TYPOGRAPHIC_QUOTES):
                raise FilterError("Invalid filter '%s': unexpected quote character" % p["filter"])
            pred = compile_filter(p["filter"], qtype) if "filter" in p and p["filter"].strip() else None
            if "sortasc" in p and "sortdesc" in p:
                raise FilterError("Use either sortAsc or sortDesc, not both.")
            sort_name = p.get("sortasc") if "sortasc" in p else p.get("sortdesc")
            skey = sort_key(sort_name, qtype) if sort_name is not None else None
        except FilterError as err:
            raise ApiError(400, str(err))
        page_size = _positive(p, "pagesize", "pageSize")
        page = _positive(p, "page", "page") or 1
        if qtype in ("Task", "Job"):  # per logon session / NextRun moves with the clock: not cached
            return self._run_query(req, qtype, entity, pred, skey, "sortdesc" in p, page_size, page)
        key = (req.query, req.json, req.base, self.version)
        return self.cached(key, lambda: self._run_query(req, qtype, entity, pred, skey, "sortdesc" in p,
                                                        page_size, page))

    def _run_query(self, req, qtype, entity, pred, skey, desc, page_size, page):
        r = Renderer(req.base)
        with self.data_lock:
            if qtype == "BackupJobSession":
                source = self.data.sessions
                x_one, j_one, tag = (r.x_session, r.j_session, "BackupJobSessions") if entity else \
                    (r.x_session_ref, r.j_session_ref, None)
            elif qtype == "BackupTaskSession":
                source = self.data.task_sessions
                x_one, j_one, tag = (r.x_task, r.j_task, "BackupTaskSessions") if entity else \
                    (r.x_task_ref, r.j_task_ref, None)
            elif qtype == "BackupServer":
                source = self.data.servers
                x_one, j_one, tag = (r.x_server, r.j_server, "BackupServers") if entity else \
                    (r.x_server_ref, r.j_server_ref, None)
            elif qtype == "Job":
                source, x_one, j_one, tag = self.jobs.query_parts(req, entity)
            elif qtype in PROTECTION_QUERY_TYPES:
                source, x_one, j_one, tag = self.protection.query_parts(req, qtype, entity)
            else:
                source = list(req.logon.tasks.values())
                x_one, j_one, tag = (r.x_em_task, r.j_em_task, "Tasks") if entity else \
                    (r.x_em_task_ref, r.j_em_task_ref, None)
            idx = index_for(self.data, qtype) if pred is not None else None
            if idx is not None:
                items = idx.select(pred)
            else:
                items = [o for o in source if pred(o)] if pred is not None else list(source)
            if skey is not None:
                items.sort(key=skey, reverse=desc)
            total = len(items)
            if page_size:
                pages = max(1, int(math.ceil(total / float(page_size))))
                chunk = items[(page - 1) * page_size:page * page_size]
                size = page_size
            else:
                pages = 1
                chunk = items if page == 1 else []
                size = total
            links = paging_links(_page_href(req), page, pages)
            paging = (page, size, pages, links)
            if qtype in RESOURCE_QUERY_TYPES:  # <Resources><sInObjectJob>, whatever the format
                body = (j_resources_result if req.json else x_resources_result)(
                    [(j_one if req.json else x_one)(o) for o in chunk], paging)
            elif req.json:
                body = j_query_result(tag, [j_one(o) for o in chunk], paging)
            else:
                body = x_query_result(tag, [x_one(o) for o in chunk], paging)
        return Response(200, body.encode("utf-8"), JSON_CT if req.json else XML_CT)


def _positive(params, key, shown):
    raw = params.get(key)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise ApiError(400, "Invalid %s '%s': the value must be an integer greater than 0." % (shown, raw))
    return value


def _page_href(req):
    parts = [kv for kv in req.query.split("&") if kv and kv.split("=", 1)[0].lower() != "page"]
    prefix = req.base + "query?" + "&".join(parts) + ("&" if parts else "")

    def make(n):
        return "%spage=%d" % (prefix, n)
    return make


def _cookie_token(header):
    if not header:
        return None
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name.strip() == TOKEN_HEADER and value.strip():
            return value.strip().strip('"')
    return None


def load_dataset(config):
    now = None
    if config.now:
        from .timeutil import parse_iso
        now = parse_iso(config.now)
    if config.data:
        return Dataset.load(config.data, now=None if now is None else int(now))
    return generate(config.seed, config.sessions, config.jobs, now)


# ---------------------------------------------------------------------- HTTP server
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Microsoft-HTTPAPI/2.0"
    sys_version = ""
    timeout = 300
    app = None
    scheme = "https"

    def version_string(self):
        return self.server_version

    def setup(self):
        BaseHTTPRequestHandler.setup(self)
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.do_handshake()

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.app.config.verbose:
            sys.stderr.write("%s - %s\n" % (self.address_string(), format % args))

    def _serve(self):
        app = self.app
        length = self.headers.get("Content-Length")
        if length:
            try:
                n = int(length)
            except ValueError:
                n = 0
            if n > 0:
                self.rfile.read(n)
        api = self.path.startswith("/api")
        action = None
        if api and app.faults.active:
            if app.faults.latency:
                time.sleep(app.faults.latency)
            action = app.faults.decide()
            if action is faultmod.DROP:
                app.stats.fault("drop")
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
        host = self.headers.get("Host") or "%s:%d" % self.server.server_address[:2]
        base = "%s://%s/api/" % (self.scheme, host)
        fail = app.faults.error_status if action is faultmod.ERROR else None
        _key, resp = app.handle(self.command, self.path, self.headers, base, fail)
        self._send(resp, truncate=action is faultmod.TRUNCATE)

    def _send(self, resp, truncate=False):
        """Write the answer; a logon answer that does not reach the client whole counts as lost."""
        truncate = truncate and len(resp.body or b"") > 1
        if truncate and resp.logon is not None:
            # the logon session exists, but the client gets half of its answer
            self.app.stats.add("logon_answers_lost")
        try:
            self._write(resp, truncate)
        except OSError:
            if resp.logon is not None and not truncate:
                self.app.stats.add("logon_answers_lost")
            raise

    def _write(self, resp, truncate):
        body = resp.body or b""
        self.send_response(resp.status, HTTP_REASONS.get(resp.status))
        if resp.content_type and resp.status != 204:
            self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", "0" if resp.status == 204 else str(len(body)))
        for name, value in resp.headers:
            self.send_header(name, value)
        if truncate:
            self.app.stats.fault("truncate")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.end_headers()
        if resp.status != 204 and self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = do_HEAD = do_OPTIONS = _serve


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, app, ssl_context=None):
        self.app = app
        self.ssl_context = ssl_context
        handler = type("BoundHandler", (Handler,), {"app": app, "scheme": "https" if ssl_context else "http"})
        ThreadingHTTPServer.__init__(self, address, handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.ssl_context is not None:
            sock = self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        if self.app.config.verbose:
            ThreadingHTTPServer.handle_error(self, request, client_address)
