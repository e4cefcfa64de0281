# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The module runner: the one place where errors become ``fail_json``.

A module declares its own options and a ``run(module, client)`` function
returning the result dict; :func:`run_module` adds the connection options,
checks the Python requirements, builds the client, always closes it (which
logs out a logon it opened), and turns :class:`VeeamEmError` into
``fail_json``, with ``error_kind`` (``unreachable``, ``logon_refused`` or ``failed``; see ``_errors``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import signal

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.backupops.veeam_em.plugins.module_utils import _client
from ansible_collections.backupops.veeam_em.plugins.module_utils._connection import (
    ConnectionOptions,
    connection_argument_spec,
)
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import FAILED, VeeamEmError, scrub


def build_module(argument_spec, **kwargs):
    """AnsibleModule with the connection options plus the module's own."""
    spec = connection_argument_spec()
    spec.update(argument_spec)
    return AnsibleModule(argument_spec=spec, **kwargs)


def _check_requirements(module):
    if _client.requests is None:
        module.fail_json(msg=missing_required_lib("requests"), exception=_client.REQUESTS_IMPORT_ERROR,
                         error_kind=FAILED)


class Terminated(VeeamEmError):
    """SIGTERM arrived (a cancelled AWX job, a killed play): raised so that the logon session is deleted."""


def _on_sigterm(signum, frame):
    raise Terminated("Stopped by SIGTERM; the logon session this task opened was deleted")


def run_module(module, run):
    """Run ``run(module, client)`` and exit with its result (or fail cleanly).

    Failures and warnings go out scrubbed of the password and tokens.
    SIGTERM, like Ctrl-C, ends the work through ``client.close()``, which
    deletes a logon session the task opened.
    """
    _check_requirements(module)
    client = None
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        options = ConnectionOptions.from_params(module.params)
        for option in sorted(module.params):
            if option == "id" or option.endswith("_id"):  # ids of EM items: an Href must be of this server
                options.check_href(module.params[option], option)
        for warning in options.warnings():
            module.warn(warning)
        client = _client.EmClient(options)
        try:
            result = run(module, client)
        finally:
            close_undisturbed(client)
    except VeeamEmError as exc:
        _warn(module, client)
        module.fail_json(**scrub(exc.to_result(), _secrets(module, client)))
    finally:
        signal.signal(signal.SIGTERM, previous)
    _warn(module, client)
    module.exit_json(**result)


def close_undisturbed(client):
    """``client.close()`` (the logout of a logon session the task opened) with SIGTERM and SIGINT ignored.

    A second signal (AWX and ansible-playbook send one to every process of the job) must not cut
    the logout short and leave the logon session open. The module's work is over by then, and it
    exits right after with what it did (a result that says changed=true stays true).
    """
    previous = dict((signum, signal.signal(signum, signal.SIG_IGN)) for signum in (signal.SIGTERM, signal.SIGINT))
    try:
        client.close()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _secrets(module, client):
    values = [module.params.get("password"), module.params.get("session_token")]
    if client is not None:
        values.append(client.token)
    return values + [value.strip() for value in values if value]


def _warn(module, client):
    for warning in client.warnings if client is not None else ():
        module.warn(scrub(warning, _secrets(module, client)))
