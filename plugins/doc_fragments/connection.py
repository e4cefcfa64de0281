# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Connection options of every module (argument spec in module_utils/_connection.py)."""

    DOCUMENTATION = r"""
options:
  server:
    description:
      - Host name or IP address of the Veeam Backup Enterprise Manager server, optionally with V(:port)
        (V(em.example.com:9398), V([2001:db8::1]:9398)).
      - Required. If not set, the value of the E(VEEAM_EM_SERVER) environment variable is used.
      - An environment variable that is set but empty counts as not set, for this and every other option.
    type: str
    aliases: [host, hostname]
  port:
    description:
      - TCP port of the Enterprise Manager REST API.
      - If not set, the value of the E(VEEAM_EM_PORT) environment variable is used, else the port given in
        O(server), else V(9398).
    type: int
  protocol:
    description:
      - V(https) for the REST API on port 9398, V(http) for the legacy plain HTTP API (port 9399).
      - With V(http) the password and the session token travel in clear text; the module warns.
      - If not set, the value of the E(VEEAM_EM_PROTOCOL) environment variable is used.
    type: str
    choices: [https, http]
    default: https
  user:
    description:
      - Enterprise Manager account (Portal Administrator, Portal User or Restore Operator role).
      - Not needed when O(session_token) is given.
      - If not set, the value of the E(VEEAM_EM_USER) environment variable is used.
    type: str
    aliases: [username]
  password:
    description:
      - Password of O(user).
      - If not set, the value of the E(VEEAM_EM_PASSWORD) environment variable is used.
    type: str
  validate_certs:
    description:
      - Verify the TLS certificate of the server.
      - Turn it off only for tests; prefer O(ca_path) for a private CA. When it is off, every task warns.
      - If not set, the value of the E(VEEAM_EM_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file with the CA certificate(s) to trust for the server certificate.
      - If not set, the value of the E(VEEAM_EM_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Timeout in seconds of each HTTP request, from 1 to 86400.
      - If not set, the value of the E(VEEAM_EM_TIMEOUT) environment variable is used.
    type: int
    default: 30
  api_version:
    description:
      - REST API version asked for at logon (C(POST /api/sessionMngr/?v=...)).
      - V(v1_7) is Veeam Backup & Replication 12 to 13, V(v1_6) is 11, V(v1_5) is 10.
    type: str
    choices: [latest, v1_5, v1_6, v1_7]
    default: latest
  session_token:
    description:
      - Token of an existing logon session, as returned by M(backupops.veeam_em.em_logon_session).
      - With a token the module neither logs on nor logs out, so a play can log on once for many tasks.
      - An expired or deleted token fails with a message asking to log on again.
      - Surrounding whitespace (the line break a folded YAML scalar adds) is removed.
      - If not set, the value of the E(VEEAM_EM_SESSION_TOKEN) environment variable is used.
    type: str
requirements:
  - python >= 3.8
  - requests
notes:
  - All modules are in the action group C(backupops.veeam_em.em); set the connection options once with
    C(module_defaults) and C(group/backupops.veeam_em.em).
  - Unless O(session_token) is given, each task logs on and always deletes its logon session at the end, also on failure.
  - Requests are retried with backoff only where a repetition is safe. Reads are retried up to three times on a
    connect timeout, a lost, cut off or malformed answer, and HTTP 502, 503 and 504, twice on HTTP 500.
    The logout, which keeps EM free of open logon sessions, is retried up to six times on all of these.
    The logon is retried only where EM cannot have created a logon session (a connect timeout, an error status).
    A stop request is repeated only where EM did not take it (a connect timeout, HTTP 503), never once it may
    have reached EM. A request that never reached EM (a host name that does not resolve, a refused connection,
    a failed TLS handshake) fails at once and says so. The table of these rules is in the collection's
    docs/reliability.md.
  - Failure messages never contain the password or a session token, also when a library's error text would.
  - "A failed result says what kind of failure it was in C(error_kind): V(unreachable) when EM gave no answer (a refused
    connection, a host name that does not resolve, a timeout, a connection lost before the answer, a failed TLS
    handshake or certificate check), V(logon_refused) when EM answered the logon (or a given session token) with HTTP
    401 or 403, V(failed) for any other error (bad options, an error status of a request, a malformed answer)."
  - SIGTERM (a cancelled AWX job), like Ctrl-C, deletes the logon session the task opened before it ends.
"""
