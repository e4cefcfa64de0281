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

from ansible.module_utils.basic import env_fallback

from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError

API_VERSIONS = ("latest", "v1_5", "v1_6", "v1_7")

_CONNECTION_ARGUMENT_SPEC = dict(
    server=dict(type="str", required=True, aliases=["host", "hostname"],
                fallback=(env_fallback, ["VEEAM_EM_SERVER"])),
    port=dict(type="int", default=9398, fallback=(env_fallback, ["VEEAM_EM_PORT"])),
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
    """Validated connection settings, built from a module's parameters."""

    def __init__(self, server, port=9398, protocol="https", user=None, password=None,
                 validate_certs=True, ca_path=None, timeout=30, api_version="latest",
                 session_token=None):
        self.server = (server or "").strip()
        self.port = port
        self.protocol = protocol
        self.user = user
        self.password = password
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.timeout = timeout
        self.api_version = api_version
        # An empty token (e.g. from a check-mode logon) means "no token".
        self.session_token = session_token or None
        self._validate()

    @classmethod
    def from_params(cls, params):
        return cls(**dict((key, params.get(key)) for key in _CONNECTION_ARGUMENT_SPEC))

    def _validate(self):
        if not self.server:
            raise VeeamEmError("server is required (option server or environment variable VEEAM_EM_SERVER)")
        if "/" in self.server or " " in self.server:
            raise VeeamEmError("server must be a host name or an IP address, without scheme or path; got %r" % self.server)
        if not 0 < self.port < 65536:
            raise VeeamEmError("port must be between 1 and 65535; got %d" % self.port)
        if self.timeout <= 0:
            raise VeeamEmError("timeout must be a positive number of seconds; got %d" % self.timeout)
        if self.ca_path and not os.path.exists(self.ca_path):
            raise VeeamEmError("ca_path %s does not exist" % self.ca_path)

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
