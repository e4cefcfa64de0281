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

Retries: idempotent requests (GET, DELETE, logon) are retried with a
bounded backoff on connection errors, 502/503/504 and truncated or
malformed bodies.  Non-idempotent requests (the stop POST) are never
repeated after they may have reached the server.  A 401 in the middle of
the work gets one fresh logon and one retry, unless the token was given by
the user: then the error says to log on again.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import time
import traceback

try:
    from http.cookiejar import DefaultCookiePolicy
except ImportError:  # pragma: no cover - Python 2 is not supported
    DefaultCookiePolicy = None

try:
    import requests
    from requests.auth import AuthBase
except ImportError:  # pragma: no cover - reported at run time by _module.py
    requests = None
    AuthBase = object
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    REQUESTS_IMPORT_ERROR = None

from ansible_collections.backupops.veeam_em.plugins.module_utils import _xml
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError

TOKEN_HEADER = "X-RestSvcSessionId"
USER_AGENT = "backupops.veeam_em/1.0.0"
RETRY_STATUSES = (502, 503, 504)
# Seconds to wait before the 2nd, 3rd and 4th attempt of an idempotent request.
BACKOFF = (0.5, 1.0, 2.0)


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
    while exc.args and isinstance(exc.args[0], Exception):
        exc = exc.args[0]
    reason = getattr(exc, "reason", None)
    return str(reason if reason is not None else exc)


class EmClient(object):
    """Talks to one Enterprise Manager with one logon session."""

    def __init__(self, options, session_factory=None, sleep=None):
        self.options = options
        self.base_url = options.base_url
        self._session_factory = session_factory or new_session
        self._sleep = sleep or time.sleep
        self._session = None
        self._token = options.session_token
        self._token_given = bool(options.session_token)
        self._owns_logon = False
        self._relogons_left = 1
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
            self._session = self._session_factory()
        return self._session

    @property
    def token(self):
        """The session token in use (never put it in a message)."""
        return self._token

    # -- logon / logout --------------------------------------------------
    def logon(self):
        """Create a logon session (POST /sessionMngr/?v=...) and keep its token."""
        self.options.require_credentials()
        resp, doc = self._send("POST", "/sessionMngr/", params=[("v", self.options.api_version)],
                               auth=_BasicAuth(self.options.user, self.options.password), idempotent=True)
        if resp.status_code == 401:
            raise VeeamEmError(
                "Logon to Enterprise Manager at %s as %r failed: user name or password rejected (HTTP 401)"
                % (self.base_url, self.options.user), status=401, em_message=_xml.error_message(resp.content))
        self._check(resp, (200, 201), "POST", "/sessionMngr/")
        token = resp.headers.get(TOKEN_HEADER)
        if not token:
            raise VeeamEmError("Enterprise Manager answered the logon without an %s header" % TOKEN_HEADER,
                               status=resp.status_code)
        content = doc[1] if doc else None
        href = content.get("Href") if content is not None else None
        self.logon_session_id = _xml.text(content, "SessionId") or (href.rstrip("/").rsplit("/", 1)[-1] if href else None)
        self.logon_session_href = href
        self.user_name = _xml.text(content, "UserName")
        self._token = token
        self._owns_logon = True

    def keep_logon_session(self):
        """Leave the logon session open at close() (em_logon_session hands its token out)."""
        self._owns_logon = False

    def logon_session_exists(self, logon_session_id):
        """GET /logonSessions/{id}: True when it exists, False when unknown or the token is expired."""
        path = "/logonSessions/%s" % logon_session_id
        resp, dummy = self._send("GET", path, headers={TOKEN_HEADER: self._token}, parse_body=False)
        if resp.status_code in (401, 404):
            return False
        self._check(resp, (200,), "GET", path)
        return True

    def delete_logon_session(self, logon_session_id):
        """DELETE /logonSessions/{id}; True when deleted, False when already gone (401/404)."""
        path = "/logonSessions/%s" % logon_session_id
        resp, dummy = self._send("DELETE", path, headers={TOKEN_HEADER: self._token}, idempotent=True, parse_body=False)
        if resp.status_code in (401, 404):
            return False
        self._check(resp, (200, 202, 204), "DELETE", path)
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
        """GET and parse; returns ``(root name, content)`` or None for a tolerated 404."""
        return self.request("GET", path, params=params, not_found_ok=not_found_ok)

    def get_body(self, path, params=None):
        """GET without parsing: the body (bytes) of a 200 answer.

        For a caller that parses elsewhere, such as a page read ahead in a
        background thread.  A body that turns out to be malformed XML is
        not retried here: the caller asks again with ``get()``.
        """
        return self.request("GET", path, params=params, parse=False)

    def post(self, path, params=None, expect=(200, 201, 202)):
        """POST that is never repeated once it may have reached the server."""
        return self.request("POST", path, params=params, expect=expect, idempotent=False)

    def request(self, method, path, params=None, expect=(200,), idempotent=None, not_found_ok=False, parse=True):
        """Send with the token (logging on first if needed); the parsed XML, or the body with ``parse=False``."""
        if idempotent is None:
            idempotent = method in ("GET", "HEAD", "DELETE")
        if self._token is None:
            self.logon()
        resp, doc = self._send(method, path, params=params, headers={TOKEN_HEADER: self._token}, idempotent=idempotent,
                               parse_body=parse)
        if resp.status_code == 401:
            if self._token_given:
                raise VeeamEmError(
                    "Enterprise Manager rejected the session_token (HTTP 401): the logon session has expired "
                    "or was logged out. Log on again (backupops.veeam_em.em_logon_session) and pass the new token.",
                    status=401, em_message=_xml.error_message(resp.content))
            if self._relogons_left > 0:
                # The logon session expired on the server: nothing left to delete.
                self._relogons_left -= 1
                self._owns_logon = False
                self.logon()
                resp, doc = self._send(method, path, params=params, headers={TOKEN_HEADER: self._token},
                                       idempotent=idempotent, parse_body=parse)
        if resp.status_code == 404 and not_found_ok:
            return None
        self._check(resp, expect, method, path)
        return doc if parse else resp.content

    def _send(self, method, path, params=None, headers=None, auth=None, idempotent=True, parse_body=True):
        """One request with bounded retries; returns ``(response, parsed XML or None)``."""
        url = self.base_url + path
        attempts = len(BACKOFF) + 1 if idempotent else 1
        last_error = None
        for attempt in range(attempts):
            if attempt:
                self._sleep(BACKOFF[attempt - 1])
            try:
                resp = self.session.request(method, url, params=params, headers=headers, auth=auth,
                                            timeout=self.options.timeout, verify=self.options.verify,
                                            allow_redirects=False)
            except requests.exceptions.SSLError as exc:
                raise self._tls_error(exc)
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                    requests.exceptions.ChunkedEncodingError) as exc:
                if not idempotent:
                    raise VeeamEmError(
                        "%s %s: the connection to Enterprise Manager failed (%s). The request was not repeated "
                        "because it may have reached the server; check the state before trying again."
                        % (method, path, _reason(exc)))
                last_error = VeeamEmError("Cannot reach Enterprise Manager at %s (%s)" % (self.base_url, _reason(exc)))
                continue
            if resp.status_code in RETRY_STATUSES and idempotent:
                last_error = resp
                continue
            doc = None
            if parse_body and 200 <= resp.status_code < 300 and resp.status_code != 204 and resp.content:
                try:
                    doc = _xml.parse(resp.content)
                except VeeamEmError as exc:
                    if not idempotent:
                        raise
                    last_error = VeeamEmError("%s %s: %s" % (method, path, exc.msg), status=resp.status_code)
                    continue
            return resp, doc
        if isinstance(last_error, VeeamEmError):
            last_error.msg = "%s; gave up after %d attempts" % (last_error.msg, attempts)
            last_error.args = (last_error.msg,)
            raise last_error
        return last_error, None

    def _tls_error(self, exc):
        reason = _reason(exc)
        if "CERTIFICATE_VERIFY_FAILED" in reason or "certificate" in reason.lower():
            return VeeamEmError(
                "TLS certificate of Enterprise Manager at %s could not be verified (%s). Set ca_path "
                "(or VEEAM_EM_CA_PATH) to the CA bundle that signed the server certificate; "
                "validate_certs=false turns verification off (not recommended)." % (self.base_url, reason))
        return VeeamEmError(
            "TLS connection to Enterprise Manager at %s failed (%s). If the server speaks plain HTTP, set "
            "protocol=http; check validate_certs and ca_path." % (self.base_url, reason))

    @staticmethod
    def _check(resp, expect, method, path):
        status = resp.status_code
        if status in expect:
            return
        em_message = _xml.error_message(resp.content)
        if status == 403:
            what = "the account lacks the permission for this operation"
        elif status == 404:
            what = "not found"
        elif status in RETRY_STATUSES:
            what = "the service is unavailable, still failing after retries"
        else:
            what = "unexpected answer"
        msg = "Enterprise Manager answered HTTP %d to %s %s: %s" % (status, method, path, what)
        if em_message:
            msg += " (%s)" % em_message
        raise VeeamEmError(msg, status=status, em_message=em_message)
