# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures: emulators started in-process (fast) on free ports, and HTTP clients for them."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from emutest import ADMIN, OPERATOR, InProcess  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope="session")
def start():
    """Factory: start("--http", "--sessions", "50") -> InProcess; all are closed at the end."""
    started = []

    def _start(*argv):
        emu = InProcess(*argv)
        started.append(emu)
        return emu
    yield _start
    for emu in started:
        emu.close()


@pytest.fixture(scope="session")
def emu(start, tmp_path_factory):
    """The shared HTTPS emulator: seed 42, 2,000 sessions, quick stops."""
    return start("--seed", "42", "--stop-delay", "0.4", "--cert-dir", str(tmp_path_factory.mktemp("certs")))


@pytest.fixture()
def admin(emu):
    return emu.client(ADMIN)


@pytest.fixture()
def operator(emu):
    return emu.client(OPERATOR)
