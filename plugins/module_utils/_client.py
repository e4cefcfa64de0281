# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""HTTP client for the Enterprise Manager REST API: logon, requests, logout.

One ``requests.Session`` per module run (keep-alive).  The client logs on
lazily, on the first request that needs it, so that option errors surface
before any network traffic.  It always deletes the logon session it opened
(``close()`` / ``with EmClient(...)``), never the one of a ``session_token``
it was given.

Every retry rule (which requests, which statuses and errors, how many
attempts, the backoff, a new logon on 401) is one row of ``RETRY_RULES``,
which the code reads and docs/reliability.md shows (a unit test compares
the two).  A request that never reached EM (a name that does not resolve,
a refused connection, a failed TLS handshake) fails at once and says so;
only a connect timeout is tried again.  Every exception of the HTTP layer
becomes a VeeamEmError in ``_attempt``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import random
import re
import socket
import time
import traceback

from http.cookiejar import DefaultCookiePolicy

try:
    import requests
    from requests.auth import AuthBase
except ImportError:  # pragma: no cover - reported at run time by _module.py
    requests = None
    AuthBase = object
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    REQUESTS_IMPORT_ERROR = None

from ansible_collections.backupops.veeam_em.plugins.module_utils import _query
from ansible_collections.backupops.veeam_em.plugins.module_utils import _xml
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import LOGON_REFUSED, UNREACHABLE, VeeamEmError

TOKEN_HEADER = "X-RestSvcSessionId"
USER_AGENT = "backupops.veeam_em/1.0.0"
RETRY_STATUSES = (500, 502, 503, 504)


class RetryRule(object):
    """How one kind of request is repeated (a row of ``RETRY_RULES``).

    ``requests``: which requests follow the rule (as the docs say it).
    ``statuses``: HTTP statuses after which it is sent again.
    ``lost_answer``: sent again when the answer was lost, cut off or malformed (only where a repetition is harmless).
    ``backoff``: seconds to wait before each repetition; its length is the number of repetitions.
    ``retries_on_500``: repetitions after HTTP 500 (an internal error is less often passing than a 502/503/504).
    ``relogon_on_401``: a 401 gets one new logon and one more try (unless the token was given by the user).
    A connect timeout (the request never reached EM) is sent again under every rule.
    """

    __slots__ = ("kind", "requests", "statuses", "lost_answer", "backoff", "retries_on_500", "relogon_on_401")

    def __init__(self, kind, requests, statuses, lost_answer, backoff, retries_on_500, relogon_on_401):
        self.kind = kind
        self.requests = requests
        self.statuses = statuses
        self.lost_answer = lost_answer
        self.backoff = backoff
        self.retries_on_500 = retries_on_500
        self.relogon_on_401 = relogon_on_401

    def retries(self, status=None):
        """How many times a request may be repeated after ``status`` (None: a connect timeout or a lost answer)."""
        return min(self.retries_on_500, len(self.backoff)) if status == 500 else len(self.backoff)


# The one table of retry rules.  docs/reliability.md ("Retries") shows it; test_client.py compares the two.
RETRY_RULES = dict((rule.kind, rule) for rule in (
    RetryRule("read", "GET (reads, query pages, tasks, logon sessions)", RETRY_STATUSES, True,
              (0.5, 1.0, 2.0), 2, True),
    # EM creates a logon session for every logon it takes: repeated only where it cannot have taken it
    RetryRule("logon", "POST /sessionMngr/ (the logon)", RETRY_STATUSES, False, (0.5, 1.0, 2.0), 2, False),
    # The logout is the clean-up: worth more patience than a read (a lost logout leaves a logon session open);
    # a 401 or 404 means the logon session is already gone.
    RetryRule("logout", "DELETE /logonSessions/{ID} (the logout)", RETRY_STATUSES, True,
              (0.5, 1.0, 2.0, 2.0, 2.0, 2.0), 6, False),
    # "unable to handle the request" (the EM reference's 503): EM did not take it, so even a stop may be asked
    # again.  A 502 or 504 comes from a proxy, behind which EM may have taken the request; a 500 may come after it.
    RetryRule("action", "POST of an action (stop, start, retry, schedule)", (503,), False, (0.5, 1.0, 2.0), 0, True),
))
_CHUNK_SIZE = 256  # a logon answer is read in small pieces, so that a cut off one keeps its start
_UUID = br"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_LOGON_ID_RE = re.compile(br"logonSessions/(" + _UUID + br")|<SessionId>\s*(" + _UUID + br")", re.IGNORECASE)
# A request path: collections (letters) and the ids of their items (a UUID, an EM task id such as task-1), in turn.
_COLLECTION_SEGMENT_RE = re.compile(r"^[A-Za-z]+$")
_ID_SEGMENT_RE = re.compile(r"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|task-[0-9]+)$")
_READ, _LOGON, _LOGOUT, _ACTION = (RETRY_RULES[kind] for kind in ("read", "logon", "logout", "action"))


class _BasicAuth(AuthBase):
    """HTTP Basic with UTF-8 credentials (requests' own encodes latin-1)."""

    def __init__(self, user, password):
        self._value = "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode("utf-8")).decode("ascii")

    def __call__(self, request):
        request.headers["Authorization"] = self._value
        return request


def new_session():
    """A requests.Session that sends the token in the header only (no cookies)."""
    session = requests.Session()
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    session.headers.update({"Accept": "application/xml", "User-Agent": USER_AGENT})
    return session


def _reason(exc):
    """The innermost useful text of a requests exception."""
    while True:
        inner = [arg for arg in exc.args if isinstance(arg, BaseException)]
        if not inner:
            break
        exc = inner[-1]
    reason = getattr(exc, "reason", None)
    return str(reason if reason is not None else exc)


class Clock(object):
    """Wall time as the collection reads and spends it: ``monotonic()`` and ``sleep()``.

    Every wait (retry backoff, polling a task or a session) goes through the
    client's clock, so tests give a ``FakeClock`` instead of patching ``time``.
    """

    @staticmethod
    def monotonic():
        return time.monotonic()

    @staticmethod
    def sleep(seconds):
        time.sleep(seconds)

    @staticmethod
    def jitter(seconds):
        """A poll interval jittered to 80 - 100 % of itself, so that many hosts do not poll EM in step."""
        return seconds * random.uniform(0.8, 1.0)


class EmClient(object):
    """Talks to one Enterprise Manager with one logon session."""

    clock = Clock()

    def __init__(self, options, clock=None):
        if clock is not None:
            self.clock = clock
        self.options = options
        self.base_url = options.base_url
        self._session = None
        self._token = options.session_token
        self._token_given = bool(options.session_token)
        self._owns_logon = False
        self.relogons = 0  # logons after an expired token (EM tasks belong to the logon session that made them)
        self.logon_session_id = None
        self.logon_session_href = None
        self.user_name = None
        self.warnings = []

    # -- context manager -------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False

    @property
    def session(self):
        if self._session is None:
            self._session = new_session()
        return self._session

    @property
    def token(self):
        """The session token in use (never put it in a message)."""
        return self._token

    # -- logon / logout --------------------------------------------------
    def logon(self):
        """Create a logon session (POST /sessionMngr/?v=...) and keep its token.

        The logon is retried only where EM cannot have created a session
        (no connection made, or an error status); an answer lost on the way
        back is not asked for again, since every repetition could leave one
        more logon session open on EM.  An answer cut off after its headers
        still carries the token: it is used, and the session id is read from
        what arrived of the body so that the session can be deleted.
        """
        self.options.require_credentials()
        answer = self._send("POST", "/sessionMngr/", params=[("v", self.options.api_version)],
                            auth=_BasicAuth(self.options.user, self.options.password), rule=_LOGON)
        resp = answer.resp
        if resp.status_code == 401:
            raise VeeamEmError(
                "Logon to Enterprise Manager at %s as %r failed: user name or password rejected (HTTP 401)"
                % (self.base_url, self.options.user), status=401, em_message=_xml.error_message(answer.body),
                kind=LOGON_REFUSED)
        try:
            self._check(answer, (200, 201), "POST", "/sessionMngr/")
        except VeeamEmError as exc:
            if exc.status == 403:  # the account may not use the REST API
                exc.kind = LOGON_REFUSED
            raise
        token = (resp.headers.get(TOKEN_HEADER) or "").strip()
        if not token:
            raise VeeamEmError("Enterprise Manager answered the logon without an %s header" % TOKEN_HEADER,
                               status=resp.status_code)
        self._token = token
        self._owns_logon = True
        if answer.cut_off:
            self.logon_session_id = _logon_id_in(answer.body)
            self.logon_session_href = None
            self.warnings.append(
                "The answer to the logon was cut off; the token in its header is used%s."
                % ("" if self.logon_session_id else ", but the logon session's id did not arrive, so it cannot be "
                   "deleted at the end: EM drops it after 15 idle minutes"))
            return
        root = answer.doc
        href = root.get("Href") if root is not None else None
        self.logon_session_id = _xml.text(root, "SessionId") or _query.last_segment(href)
        self.logon_session_href = href
        self.user_name = _xml.text(root, "UserName")

    def keep_logon_session(self):
        """Leave the logon session open at close() (em_logon_session hands its token out)."""
        self._owns_logon = False

    def logon_session_ids(self):
        """GET /logonSessions: the ids of the logon sessions EM lists for the token; None when it rejects the token."""
        try:
            doc = self.get("/logonSessions")
        except VeeamEmError as exc:
            if exc.status == 401:
                return None
            raise
        return [_xml.text(node, "SessionId") or _query.last_segment(node.get("Href"))
                for node in _xml.entities(doc, "LogonSession")]

    def logon_session_exists(self, logon_session_id):
        """GET /logonSessions/{id}: True when it exists, False when unknown or the token is expired."""
        path = "/logonSessions/%s" % logon_session_id
        answer = self._send("GET", path, headers={TOKEN_HEADER: self._token}, parse_body=False)
        if answer.resp.status_code in (401, 404):
            return False
        self._check(answer, (200,), "GET", path)
        return True

    def delete_logon_session(self, logon_session_id):
        """DELETE /logonSessions/{id}; True when deleted, False when already gone (401/404)."""
        path = "/logonSessions/%s" % logon_session_id
        answer = self._send("DELETE", path, headers={TOKEN_HEADER: self._token}, parse_body=False, rule=_LOGOUT)
        if answer.resp.status_code in (401, 404):
            return False
        self._check(answer, (200, 202, 204), "DELETE", path)
        return True

    def logout(self):
        """Delete the logon session this client opened (no-op otherwise)."""
        if not self._owns_logon:
            return
        self._owns_logon = False
        if self.logon_session_id:
            self.delete_logon_session(self.logon_session_id)

    def close(self):
        """Log out if this client logged on, then release the connections.

        A failed logout does not hide the outcome of the work: it becomes
        a warning (EM drops idle logon sessions after 15 minutes).
        """
        try:
            self.logout()
        except VeeamEmError as exc:
            self.warnings.append("Could not log out of Enterprise Manager: %s" % exc.msg)
        finally:
            if self._session is not None:
                self._session.close()
                self._session = None

    # -- requests ----------------------------------------------------------
    def get(self, path, params=None, not_found_ok=False):
        """GET and parse; returns the root element, or None for a tolerated 404 or an empty answer."""
        return self.request("GET", path, params=params, not_found_ok=not_found_ok)

    def post(self, path, params=None, expect=(200, 201, 202)):
        """POST that is never repeated once it may have reached the server."""
        return self.request("POST", path, params=params, expect=expect, idempotent=False)

    def request(self, method, path, params=None, expect=(200,), idempotent=None, not_found_ok=False):
        """Send with the token (logging on first if needed); the root element of the parsed XML.

        A 2xx answer to a non-idempotent request whose body cannot be read
        gives None: the request was accepted, its answer is unknown.
        """
        if idempotent is None:
            idempotent = method in ("GET", "HEAD", "DELETE")
        rule = _READ if idempotent else _ACTION
        check_path(method, path)  # before a logon, too
        if self._token is None:
            self.logon()
        answer = self._send(method, path, params=params, headers={TOKEN_HEADER: self._token}, rule=rule)
        if answer.resp.status_code == 401 and rule.relogon_on_401:
            if self._token_given:
                raise VeeamEmError(
                    "Enterprise Manager rejected the session_token (HTTP 401): the logon session has expired "
                    "or was logged out. Log on again (backupops.veeam_em.em_logon_session) and pass the new token.",
                    status=401, em_message=_xml.error_message(answer.body), kind=LOGON_REFUSED)
            # The logon session expired on the server (nothing left to delete): one new logon for this
            # request; a 401 to the new token too is reported. A long wait may see several expiries.
            self._owns_logon = False
            self.logon()
            self.relogons += 1
            answer = self._send(method, path, params=params, headers={TOKEN_HEADER: self._token}, rule=rule)
        if answer.resp.status_code == 404 and not_found_ok:
            return None
        self._check(answer, expect, method, path)
        return answer.doc

    def _send(self, method, path, params=None, headers=None, auth=None, rule=_READ, parse_body=True):
        """One request, repeated as its ``rule`` (a row of ``RETRY_RULES``) allows; returns an ``_Answer``.

        An error status still there after the retries is returned, for the
        caller's ``_check`` to report.
        """
        check_path(method, path)
        last = None
        for attempt in range(len(rule.backoff) + 1):
            if attempt:
                self.clock.sleep(rule.backoff[attempt - 1])
            try:
                return self._attempt(method, path, params, headers, auth, rule, parse_body)
            except _Retry as retry:
                last = retry
                if attempt >= rule.retries(retry.answer.resp.status_code if retry.answer is not None else None):
                    break
        if last.answer is not None:
            last.answer.attempts = attempt + 1
            return last.answer
        raise VeeamEmError("%s; gave up after %d attempts" % (last.msg, attempt + 1), kind=last.kind)

    def _attempt(self, method, path, params, headers, auth, rule, parse_body):
        """Send once; raise ``_Retry`` where ``rule`` allows trying again, VeeamEmError where it does not.

        Every exception of the HTTP layer ends here as one of the two.
        A connect timeout (the request never reached EM) is retried under
        every rule; an error status in ``rule.statuses``; a lost, cut off or
        malformed answer where ``rule.lost_answer``.
        """
        url = self.base_url + path
        try:
            resp = self.session.request(method, url, params=params, headers=headers, auth=auth,
                                        timeout=self.options.timeout, verify=self.options.verify,
                                        allow_redirects=False, stream=rule is _LOGON)
        except requests.exceptions.SSLError as exc:
            raise self._tls_error(exc)
        except requests.exceptions.ConnectTimeout as exc:
            raise _Retry("Cannot reach Enterprise Manager at %s: the connection timed out after %d s (%s)"
                         % (self.base_url, self.options.timeout, _reason(exc)), kind=UNREACHABLE)
        except requests.exceptions.ConnectionError as exc:
            unreached = _not_reached(exc)
            if unreached is not None:
                raise self._not_reached_error(url, unreached, exc)
            raise self._lost(method, path, rule, self._lost_reason(exc))
        except requests.exceptions.ReadTimeout:
            raise self._lost(method, path, rule, "no answer within timeout=%d s" % self.options.timeout)
        except requests.exceptions.ChunkedEncodingError as exc:
            raise self._lost(method, path, rule, "the answer was cut off before its end (%s)" % _reason(exc))
        except Exception as exc:  # pylint: disable=broad-except  # the HTTP layer's other errors, never a traceback
            raise VeeamEmError("%s %s could not be sent to Enterprise Manager at %s (%s: %s)"
                               % (method, path, self.base_url, type(exc).__name__, _reason(exc)))
        status = resp.status_code
        body, cut_off = _read_streamed(resp) if rule is _LOGON else (resp.content, False)
        if status in rule.statuses:
            raise _Retry(None, answer=_Answer(resp, body))
        doc = None
        if parse_body and 200 <= status < 300 and status != 204 and body and not cut_off:
            try:
                doc = _xml.parse(body)
            except VeeamEmError as exc:
                if rule.lost_answer:  # an answer, but not one EM can have meant: failed, not unreachable
                    raise _Retry("%s %s: %s" % (method, path, exc.msg))
                cut_off = True  # accepted, but what it says cannot be read
        if cut_off and rule is _LOGON and not (200 <= status < 300 and resp.headers.get(TOKEN_HEADER)):
            raise self._lost(method, path, rule, "the answer was cut off before its end")
        return _Answer(resp, body, doc, cut_off)

    def _not_reached_error(self, url, unreached, exc):
        """The error for a request that never reached EM: no hint that EM may have done anything."""
        if unreached is _REFUSED:
            return VeeamEmError(
                "Nothing answers at %s (connection refused), so the request never reached Enterprise Manager: check "
                "server, port and protocol (EM listens on https port 9398, older installs also on http port 9399)"
                % url, kind=UNREACHABLE)
        if unreached is _UNRESOLVED:
            return VeeamEmError(
                "The host name %s in server could not be resolved (%s), so the request never reached Enterprise "
                "Manager: check the option server (or VEEAM_EM_SERVER) and the DNS settings of this host"
                % (self.options.server, _reason(exc)), kind=UNREACHABLE)
        return VeeamEmError(
            "Cannot connect to Enterprise Manager at %s (%s), so the request never reached it: check server, port "
            "and the network between this host and EM" % (self.base_url, _reason(exc)), kind=UNREACHABLE)

    def _lost_reason(self, exc):
        reason = _reason(exc)
        if self.options.protocol == "http" and "closed connection without response" in reason:
            return ("the connection was closed without an answer (%s); if this port speaks HTTPS, set protocol=https"
                    % reason)
        return "the connection was lost before the answer arrived (%s)" % reason

    def _lost(self, method, path, rule, what):
        """The error for an answer that did not arrive after the request was sent: retried where the rule says."""
        if rule.lost_answer:
            return _Retry("Cannot get an answer from Enterprise Manager at %s to %s %s: %s"
                          % (self.base_url, method, path, what), kind=UNREACHABLE)
        if rule is _LOGON:
            return VeeamEmError(
                "Logon to Enterprise Manager at %s: %s. The logon was not repeated because EM may have created a "
                "logon session for it (each repetition could leave one more open); run the task again."
                % (self.base_url, what), kind=UNREACHABLE)
        return VeeamEmError(
            "%s %s: %s. The request was not repeated because it may have reached the server; check the state "
            "before trying again." % (method, path, what), kind=UNREACHABLE)

    def _tls_error(self, exc):
        reason = _reason(exc)
        if "CERTIFICATE_VERIFY_FAILED" in reason or "certificate" in reason.lower():
            return VeeamEmError(
                "TLS certificate of Enterprise Manager at %s could not be verified (%s). Set ca_path "
                "(or VEEAM_EM_CA_PATH) to the CA bundle that signed the server certificate; "
                "validate_certs=false turns verification off (not recommended)." % (self.base_url, reason),
                kind=UNREACHABLE)
        return VeeamEmError(
            "TLS connection to Enterprise Manager at %s failed (%s), so the request never reached it. If the server "
            "speaks plain HTTP, set protocol=http; check validate_certs and ca_path." % (self.base_url, reason),
            kind=UNREACHABLE)

    @staticmethod
    def _check(answer, expect, method, path):
        status = answer.resp.status_code
        if status in expect:
            return
        em_message = _xml.error_message(answer.body)
        if status == 403:
            what = "the account lacks the permission for this operation"
        elif status == 404:
            what = "not found"
        elif answer.attempts > 1:
            what = "still failing after %d attempts" % answer.attempts
        elif status in RETRY_STATUSES:  # an answer _attempt did not ask for again: a request that changes something
            what = "not accepted (a request that changes something is not repeated)"
        else:
            what = "unexpected answer"
        msg = "Enterprise Manager answered HTTP %d to %s %s: %s" % (status, method, path, what)
        if em_message:
            msg += " (%s)" % em_message
        raise VeeamEmError(msg, status=status, em_message=em_message)


class _Answer(object):
    """An HTTP answer: the response, its body, its parsed root element (or None), whether the body is
    incomplete, and how many attempts it took (more than one: an error status still there after retries)."""

    __slots__ = ("resp", "body", "doc", "cut_off", "attempts")

    def __init__(self, resp, body, doc=None, cut_off=False):
        self.resp = resp
        self.body = body
        self.doc = doc
        self.cut_off = cut_off
        self.attempts = 1


class _Retry(Exception):
    """An attempt that may be repeated: ``msg`` for a lost answer, ``answer`` for an error status; ``kind`` is the
    error kind when it is the last attempt (_errors.ERROR_KINDS)."""

    def __init__(self, msg, answer=None, kind="failed"):
        super(_Retry, self).__init__(msg)
        self.msg = msg
        self.answer = answer
        self.kind = kind


def check_path(method, path):
    """Refuse a request path that is not ``/collection/id/collection...`` (defence in depth, before anything is sent).

    The modules check every option that becomes part of a path (naming the
    option); here, whatever builds a path, a segment that is not a plain
    collection name or a valid id (``..``, ``?``, ``%``, ``/`` inside an id,
    text after a UUID, an empty id) never reaches EM.  Only the logon's
    ``/sessionMngr/`` ends in ``/``, as the EM reference writes it.
    """
    segments = path.split("/") if isinstance(path, str) else None
    if not segments or segments[0] or len(segments) < 2:
        raise VeeamEmError("Refused to send %s %r: a request path starts with / and names a collection" % (method, path))
    rest = segments[1:] if path != "/sessionMngr/" else ["sessionMngr"]
    for index, segment in enumerate(rest):
        if index % 2 == 0 and not _COLLECTION_SEGMENT_RE.match(segment):
            raise VeeamEmError("Refused to send %s %r: %r is not a collection name" % (method, path, segment))
        if index % 2 == 1 and not _ID_SEGMENT_RE.match(segment):
            raise VeeamEmError("Refused to send %s %r: %r is not a valid id (a UUID or an EM task id such as task-1)"
                               % (method, path, segment))


def _read_streamed(resp):
    """``(body, cut_off)`` of a streamed answer: what arrived is kept when the rest is lost."""
    chunks = []
    try:
        for chunk in resp.iter_content(_CHUNK_SIZE):
            chunks.append(chunk)
    except Exception:  # pylint: disable=broad-except  # a cut off or reset answer: keep what arrived
        resp.close()
        return b"".join(chunks), True
    return b"".join(chunks), False


_REFUSED, _UNRESOLVED, _NO_CONNECTION = "refused", "unresolved", "no connection"


def _causes(exc):
    """``exc`` and the exceptions it wraps (arguments, ``reason``, cause and context), innermost last."""
    seen = []
    while isinstance(exc, BaseException) and not any(exc is known for known in seen):
        seen.append(exc)
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
        exc = inner or getattr(exc, "reason", None) or exc.__cause__ or exc.__context__
    return seen


def _not_reached(exc):
    """Why a connection error means the request never reached EM: refused, unresolved, no connection; else None.

    urllib3 raises NewConnectionError (NameResolutionError for a name, in
    urllib3 2) when the connection could not be made, before anything was sent.
    """
    causes = _causes(exc)
    if any(isinstance(cause, ConnectionRefusedError) for cause in causes):
        return _REFUSED
    names = [[cls.__name__ for cls in type(cause).__mro__] for cause in causes]
    if any(isinstance(cause, socket.gaierror) or "NameResolutionError" in mro for cause, mro in zip(causes, names)):
        return _UNRESOLVED
    if any("NewConnectionError" in mro for mro in names):
        return _NO_CONNECTION
    return None


def _logon_id_in(body):
    """The logon session id in what arrived of a LogonSession answer (its Href or SessionId), or None."""
    match = _LOGON_ID_RE.search(body or b"")
    return (match.group(1) or match.group(2)).decode("ascii").lower() if match else None
