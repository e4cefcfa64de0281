# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one exception type of the collection.

Everything that can go wrong while talking to Enterprise Manager (bad
options, network, TLS, HTTP errors, malformed answers) is raised as
:class:`VeeamEmError`.  Modules never call ``fail_json`` themselves: the
module runner in ``_module.py`` turns the exception into ``fail_json`` in
one place.  Messages never contain a password or a session token.

Every error has a ``kind``, which a failed result carries as ``error_kind``, so that a play (the
estate report) can tell an EM that did not answer from one that refused the logon or failed otherwise:

* ``unreachable``: no answer from EM (connection refused, a name that does not resolve, a connect or
  read timeout, a connection lost before the answer, a failed TLS handshake or certificate check);
* ``logon_refused``: EM answered the logon (or a given session token) with HTTP 401 or 403;
* ``failed``: any other error (bad options, an error status of a request, a malformed answer, ...).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


UNREACHABLE, LOGON_REFUSED, FAILED = "unreachable", "logon_refused", "failed"
ERROR_KINDS = (UNREACHABLE, LOGON_REFUSED, FAILED)


class VeeamEmError(Exception):
    """An error with an optional HTTP status, the ``Message`` EM sent back, and its ``kind`` (ERROR_KINDS)."""

    def __init__(self, msg, status=None, em_message=None, result=None, kind=FAILED):
        super(VeeamEmError, self).__init__(msg)
        self.msg = msg
        self.status = status
        self.em_message = em_message
        self.kind = kind
        # Partial module result to report with the failure (e.g. changed=True
        # when a stop was sent before waiting timed out).
        self.result = result or {}

    def to_result(self):
        """Keyword arguments for ``AnsibleModule.fail_json``."""
        result = dict(self.result)
        result.setdefault("changed", False)  # every failure says whether EM changed anything
        result["msg"] = self.msg
        result["error_kind"] = self.kind
        if self.status is not None:
            result["status"] = self.status
        if self.em_message:
            result["em_message"] = self.em_message
        return result

    def __str__(self):
        return self.msg


MASK = "********"


def scrub(value, secrets):
    """``value`` (a result, a message) with every secret replaced by ``MASK``, in every string it holds.

    The last line of defence of the one place that reports results and
    failures: no message is built with a secret on purpose, but an error
    text from a library (e.g. an invalid header) may repeat what it got.
    """
    secrets = sorted(set(s for s in secrets if s), key=len, reverse=True)
    if not secrets:
        return value
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, MASK)
        return value
    if isinstance(value, dict):
        return dict((key, scrub(item, secrets)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return type(value)(scrub(item, secrets) for item in value)
    return value
