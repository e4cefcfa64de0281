# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Connection options shared by every module: argument spec and validation.

The argument spec here and the ``backupops.veeam_em.connection`` doc
fragment describe the same options; keep them in step.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import os
import re

from urllib.parse import urlsplit

from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError

API_VERSIONS = ("latest", "v1_5", "v1_6", "v1_7")
DEFAULT_PORT = 9398
MAX_TIMEOUT = 86400  # a day: more is a typo, and the socket layer overflows on huge values

# ``host:port`` or ``[IPv6]:port`` in the server option
_HOST_PORT_RE = re.compile(r"^(?:\[(?P<v6>[^\]]+)\]|(?P<host>[^:\[\]]+))(?::(?P<port>[^:]*))?$")
# what a host name or address never contains: a scheme, path, query, user part, spaces or control characters
_BAD_HOST_CHARS_RE = re.compile(r"[/\\?#@\s\x00-\x1f\x7f]")


def env_fallback(*names):
    """The first of these environment variables that is set and not blank (an empty one counts as unset).

    ansible-core's own env_fallback takes an empty variable as a value, so
    ``VEEAM_EM_PORT=`` failed as a port that is not a number.
    """
    for name in names:
        value = os.environ.get(name)
        if value is not None and value.strip():
            return value
    raise AnsibleFallbackNotFound


# server is not `required`: its own check below names the option and VEEAM_EM_SERVER
_CONNECTION_ARGUMENT_SPEC = dict(
    server=dict(type="str", aliases=["host", "hostname"],
                fallback=(env_fallback, ["VEEAM_EM_SERVER"])),
    port=dict(type="int", fallback=(env_fallback, ["VEEAM_EM_PORT"])),
    protocol=dict(type="str", default="https", choices=["https", "http"],
                  fallback=(env_fallback, ["VEEAM_EM_PROTOCOL"])),
    user=dict(type="str", aliases=["username"], fallback=(env_fallback, ["VEEAM_EM_USER"])),
    password=dict(type="str", no_log=True, fallback=(env_fallback, ["VEEAM_EM_PASSWORD"])),
    validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["VEEAM_EM_VALIDATE_CERTS"])),
    ca_path=dict(type="path", fallback=(env_fallback, ["VEEAM_EM_CA_PATH"])),
    timeout=dict(type="int", default=30, fallback=(env_fallback, ["VEEAM_EM_TIMEOUT"])),
    api_version=dict(type="str", default="latest", choices=list(API_VERSIONS)),
    session_token=dict(type="str", no_log=True, fallback=(env_fallback, ["VEEAM_EM_SESSION_TOKEN"])),
)


def connection_argument_spec():
    """A fresh copy of the connection options, to be updated with a module's own options."""
    return copy.deepcopy(_CONNECTION_ARGUMENT_SPEC)


class ConnectionOptions(object):
    """Validated connection settings, built from a module's parameters.

    Every check runs here, before any request: a bad value fails with a
    message that names the option and what it accepts.
    """

    def __init__(self, server, port=None, protocol="https", user=None, password=None,
                 validate_certs=True, ca_path=None, timeout=30, api_version="latest",
                 session_token=None):
        self.server, server_port = _split_server(server)
        self.port = _port(port, server_port)
        self.protocol = protocol
        self.user = user
        self.password = password
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.timeout = timeout
        self.api_version = api_version
        # An empty token (e.g. from a check-mode logon) means "no token"; a
        # folded YAML scalar brings a trailing newline, which is no part of it.
        self.session_token = (session_token or "").strip() or None
        self._validate()

    @classmethod
    def from_params(cls, params):
        return cls(**dict((key, params.get(key)) for key in _CONNECTION_ARGUMENT_SPEC))

    def _validate(self):
        if self.timeout is None or not 0 < self.timeout <= MAX_TIMEOUT:
            raise VeeamEmError("timeout must be a number of seconds from 1 to %d; got %s" % (MAX_TIMEOUT, self.timeout))
        if self.ca_path and not os.path.exists(self.ca_path):
            raise VeeamEmError("ca_path %s does not exist" % self.ca_path)
        if self.session_token and not _is_header_text(self.session_token):
            raise VeeamEmError("session_token contains a line break, a control character or a character an HTTP "
                               "header cannot carry: pass the token exactly as backupops.veeam_em.em_logon_session "
                               "returned it")

    def warnings(self):
        """Warnings about settings that work but are unsafe."""
        if self.protocol == "http":
            return ["protocol is http: the password and the session token travel to Enterprise Manager at %s in "
                    "clear text, so anyone between this host and EM can read them. Use protocol=https (EM's REST API "
                    "on port 9398) with ca_path (VEEAM_EM_CA_PATH) set to EM's CA certificate." % self.base_url]
        if self.protocol == "https" and not self.validate_certs:
            return ["validate_certs is false: the certificate of Enterprise Manager at %s is not checked, so anyone "
                    "between this host and EM can read the password and token. Set ca_path (VEEAM_EM_CA_PATH) to "
                    "EM's CA certificate instead." % self.base_url]
        return []

    def check_href(self, value, option):
        """An id option given as an Href URL must point at this Enterprise Manager (checked before any request).

        ``_query.parse_id`` takes the UUID out of an Href; an Href of another
        EM (a copy-paste from another site's result) would otherwise act on
        the item of the same id here.  Host names compare case-insensitively;
        a port in the Href must be the port in use.
        """
        raw = value.strip() if isinstance(value, str) else ""
        if not raw.lower().startswith(("http://", "https://")):
            return
        try:
            split = urlsplit(raw)
            host, port = (split.hostname or "").lower(), split.port
        except ValueError:
            host, port = None, None
        if host != self.server.strip("[]").lower() or (port is not None and port != self.port):
            raise VeeamEmError("%s %r is the Href of another Enterprise Manager than server %s (port %d): give the "
                               "UUID, or the Href of an item of this server" % (option, raw, self.server, self.port))

    def require_credentials(self):
        """Fail clearly when a logon is needed but user or password is missing."""
        missing = [name for name in ("user", "password") if not getattr(self, name)]
        if missing:
            raise VeeamEmError(
                "%s %s required to log on to Enterprise Manager: set the option%s, the environment "
                "variable%s %s, or pass a session_token from backupops.veeam_em.em_logon_session"
                % (" and ".join(missing), "is" if len(missing) == 1 else "are", "" if len(missing) == 1 else "s",
                   "" if len(missing) == 1 else "s", " and ".join("VEEAM_EM_" + name.upper() for name in missing)))

    @property
    def base_url(self):
        """``https://server:9398/api`` (IPv6 addresses are bracketed)."""
        host = self.server
        if ":" in host and not host.startswith("["):
            host = "[%s]" % host
        return "%s://%s:%d/api" % (self.protocol, host, self.port)

    @property
    def verify(self):
        """The ``verify`` value for requests: False, True or the CA bundle path."""
        if not self.validate_certs:
            return False
        return self.ca_path or True


def _split_server(server):
    """``server`` -> ``(host, port or None)``; ``host:port`` and ``[IPv6]:port`` are understood."""
    raw = (server or "").strip()
    if not raw:
        raise VeeamEmError("server is required: set the option server or the environment variable VEEAM_EM_SERVER "
                           "to the host name or IP address of Enterprise Manager")
    if _BAD_HOST_CHARS_RE.search(raw) or "://" in raw:
        raise VeeamEmError("server must be a host name or an IP address, optionally with :port, without scheme, "
                           "path or spaces (for example em.example.com or em.example.com:9398); got %r" % raw)
    if raw.count(":") > 1 and not raw.startswith("["):
        return raw, None  # a bare IPv6 address
    match = _HOST_PORT_RE.match(raw)
    if not match or (match.group("v6") is None and not match.group("host")):
        raise VeeamEmError("server %r is not a host name or an IP address (IPv6 with a port: [::1]:9398)" % raw)
    port = match.group("port")
    if port is not None and not (port.isdigit() and port.isascii()):
        raise VeeamEmError("server %r ends in a port that is not a number: write host:port, for example "
                           "em.example.com:9398" % raw)
    host = match.group("v6") or match.group("host")
    return host, int(port) if port is not None else None


def _port(port, server_port):
    """The port option, or the one given in server, or 9398; checked."""
    if port is not None and server_port is not None and port != server_port:
        raise VeeamEmError("server names port %d but the port option is %d: give the port once" % (server_port, port))
    value = port if port is not None else server_port if server_port is not None else DEFAULT_PORT
    if not 0 < value < 65536:
        raise VeeamEmError("port must be between 1 and 65535; got %d" % value)
    return value


def _is_header_text(value):
    """Whether an HTTP header can carry ``value`` as it is (Latin-1, no control characters)."""
    try:
        value.encode("latin-1")
    except UnicodeError:
        return False
    return not re.search(r"[\x00-\x1f\x7f]", value)
