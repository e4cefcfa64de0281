# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every query is declared once: each option sends a clause only together with the client check of the same."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import os
import re

import pytest

from ansible_collections.backupops.veeam_em.plugins.module_utils import _jobs  # noqa: F401  pylint: disable=unused-import
from ansible_collections.backupops.veeam_em.plugins.module_utils import _query
from ansible_collections.backupops.veeam_em.plugins.module_utils import _sessions
from ansible_collections.backupops.veeam_em.plugins.module_utils._client import EmClient
from ansible_collections.backupops.veeam_em.plugins.module_utils._connection import ConnectionOptions
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError
from ansible_collections.backupops.veeam_em.tests.unit.em_fake import PASSWORD, job_xml, query_result

MOMENT = datetime.datetime(2026, 1, 31, 12, 0, tzinfo=datetime.timezone.utc)
UUID = "d46e39e0-1131-4585-91a7-e828ce7eafae"
OTHER_UUID = "aaaaaaaa-1131-4585-91a7-e828ce7eafae"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))

# per kind of option: (value, the clause it sends, an item value that matches, one that does not)
SAMPLES = {
    _query.OneName: ("Job A", '{field}=="Job A"', "job a", "Job B"),
    _query.Names: (["Job A"], '{field}=="Job A"', "JOB A", "Job B"),
    _query.Values: (["Failed"], "{field}==Failed", "Failed", "Success"),
    _query.Other: ("Stopped", "{field}!=Stopped", "Working", "Stopped"),
    _query.Flag: (True, "{field}==true", True, False),
    _query.Uid: (UUID, '{field}=="urn:veeam:{kind}:%s"' % UUID, UUID, OTHER_UUID),
    _query.Until: (MOMENT, '{field}<="2026-01-31T12:00:00Z"', "2026-01-31T11:00:00Z", "2026-01-31T13:00:00Z"),
    _query.Since: (MOMENT, '{field}>="2026-01-31T12:00:00Z"', "2026-01-31T13:00:00Z", "2026-01-31T11:00:00Z"),
}
OPTIONS = [(query.entity, name) for query in _query.DECLARED.values() for name in query.options]


def test_the_collection_declares_its_query_types():
    assert set(_query.DECLARED) >= {"BackupJobSession", "BackupTaskSession", "Job"}


@pytest.mark.parametrize("entity, name", OPTIONS)
def test_each_option_sends_its_clause_only_with_its_check(entity, name):
    query = _query.DECLARED[entity]
    option = query.options[name]
    value, clause, matching, other = SAMPLES[type(option)]
    question = query.ask(**{name: value})
    assert str(question.filter) == clause.format(field=option.field, kind=getattr(option, "kind", ""))
    assert question.checks.options() == [name]
    assert question.checks.mismatch({option.key: matching}) is None
    assert question.checks.mismatch({option.key: other}) == name


@pytest.mark.parametrize("entity", sorted(_query.DECLARED))
def test_all_options_together_send_one_clause_and_one_check_each(entity):
    query = _query.DECLARED[entity]
    values = dict((name, SAMPLES[type(option)][0]) for name, option in query.options.items())
    question = query.ask(**values)
    assert len(question.filter.terms) == len(query.options) == len(question.checks.options())


def test_no_clause_or_check_is_written_by_hand_outside_the_declarations():
    """Only _query.py builds a Filter and only it (through the declarations) fills Checks."""
    offenders = []
    for top in ("plugins", "extensions"):
        for folder, dummy, files in os.walk(os.path.join(REPO, top)):
            for name in files:
                path = os.path.join(folder, name)
                if not name.endswith(".py") or path.endswith(os.path.join("module_utils", "_query.py")):
                    continue
                with open(path) as handle:
                    text = handle.read()
                if re.search(r"\b(Filter|Checks)\(\)", text):
                    offenders.append(os.path.relpath(path, REPO))
    assert offenders == []


def test_a_range_in_the_wrong_order_is_refused_before_any_request():
    with pytest.raises(VeeamEmError) as err:
        _sessions.JOB_SESSIONS.ask(created_after="2026-02-01", created_before="2026-01-01")
    assert "created_after (2026-02-01T00:00:00Z) is later than created_before" in str(err.value)


@pytest.mark.parametrize("entity, option", [("BackupJobSession", "job_name"), ("Job", "name")])
def test_a_name_em_may_refuse_in_a_filter_is_not_sent_but_still_checked(entity, option):
    query = _query.DECLARED[entity]
    question = query.ask(**{option: "Backup \u201cProd\u201d", "job_type": ["Backup"]})
    assert str(question.filter) == "JobType==Backup"
    assert question.checks.options() == [option, "job_type"]  # declaration order
    key = query.options[option].key
    assert question.checks.mismatch({key: "backup \u201cprod\u201d", "job_type": "Backup"}) is None
    assert question.checks.mismatch({key: "Backup Prod", "job_type": "Backup"}) == option


def test_exists_reads_on_when_the_name_is_checked_on_the_client_only(fake_em):
    """A job name with typographic quotes is not sent: the job list is read until the job is found, not 1 item."""
    name = "Backup \u201cProd\u201d"
    fake_em.logon().expect("GET", "/query", body=query_result([
        job_xml(job_id="11111111-1111-4111-8111-111111111111", name="Another job"), job_xml(name=name)], "Jobs"))
    fake_em.logout()
    with EmClient(ConnectionOptions(server="em.example.com", user="Administrator", password=PASSWORD)) as em:
        assert _jobs.JOBS.exists(em, "name", name) is True
        assert em.warnings == []
    assert fake_em.calls[1].param("pageSize") == "1000" and fake_em.calls[1].param("filter") is None
