# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit test support: import path, a fake Enterprise Manager at the requests layer, XML builders.

Under ``ansible-test units`` the collection already sits in an
``ansible_collections/backupops/veeam_em`` tree.  Under plain pytest
(``python -m pytest tests/unit``) scripts/collection_tree.py links one into
build/collections, so ``ansible_collections.backupops.veeam_em`` is importable.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


sys.path.insert(0, os.path.join(REPO, "scripts"))
import collection_tree  # noqa: E402  pylint: disable=wrong-import-position

collection_tree.importable()


from ansible_collections.backupops.veeam_em.plugins.module_utils import _client  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.backupops.veeam_em.tests.unit.compat import patch_module_args, run_as_target  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.backupops.veeam_em.tests.unit.em_fake import FakeClock, FakeEm  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture
def fake_em(monkeypatch):
    """A FakeEm wired into every requests.Session the client creates; sleeps are recorded, not slept."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    fake = FakeEm()
    original = _client.new_session

    def session_factory():
        session = original()
        session.mount("https://", fake)
        session.mount("http://", fake)
        return session

    monkeypatch.setattr(_client, "new_session", session_factory)
    clock = FakeClock()
    fake.sleeps = clock.sleeps
    monkeypatch.setattr(_client.EmClient, "clock", clock)
    yield fake
    assert not fake.queue, "expected requests were not sent: %r" % [q[:2] for q in fake.queue]


@pytest.fixture
def run_module(monkeypatch, capsys):
    """``run_module(module, args)`` -> (exit code, result dict) of a real module run."""
    for name in list(os.environ):
        if name.startswith("VEEAM_EM_"):
            monkeypatch.delenv(name)
    run_as_target(monkeypatch)

    def _run(module, args, check_mode=False, diff=False):
        args = dict(args)
        if check_mode:
            args["_ansible_check_mode"] = True
        if diff:
            args["_ansible_diff"] = True
        with patch_module_args(args):
            with pytest.raises(SystemExit) as exc:
                module.main()
        out = capsys.readouterr().out
        return exc.value.code, json.loads(out), out

    return _run
