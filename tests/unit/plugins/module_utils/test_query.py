# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.backupops.veeam_em.plugins.module_utils import _query
from ansible_collections.backupops.veeam_em.plugins.module_utils._client import EmClient
from ansible_collections.backupops.veeam_em.plugins.module_utils._connection import ConnectionOptions
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError
from ansible_collections.backupops.veeam_em.tests.unit.em_fake import (
    LOGON_ID,
    PASSWORD,
    job_session_xml,
    query_result,
    xml_error,
)

UUID = "d46e39e0-1131-4585-91a7-e828ce7eafae"
NOW = datetime.datetime(2026, 1, 31, 12, 0, 0, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize("value", [
    UUID,
    UUID.upper(),
    "  %s " % UUID,
    "urn:veeam:BackupJobSession:%s" % UUID,
    "URN:VEEAM:backupjobsession:%s" % UUID,
    "https://em:9398/api/backupSessions/%s" % UUID,
    "https://em:9398/api/backupSessions/%s?format=Entity" % UUID,
    "http://em:9399/api/backupSessions/%s/taskSessions" % UUID,
])
def test_parse_id_accepts(value):
    assert _query.parse_id(value, "BackupJobSession") == UUID


@pytest.mark.parametrize("value, fragment", [
    ("", "is not a valid BackupJobSession id"),
    ("not-a-uuid", "is not a valid BackupJobSession id"),
    ("%s0" % UUID, "is not a valid"),
    ("urn:veeam:Job:%s" % UUID, "is the URN of a Job"),
    ("https://em:9398/api/backupTaskSessions/%s" % UUID, "is not a valid"),
    ("https://em:9398/api/backupSessions/", "is not a valid"),
])
def test_parse_id_rejects(value, fragment):
    with pytest.raises(VeeamEmError) as err:
        _query.parse_id(value, "BackupJobSession")
    assert fragment in err.value.msg


def test_parse_id_task_session_and_option_name():
    assert _query.parse_id("https://em/api/backupTaskSessions/%s" % UUID, "BackupTaskSession") == UUID
    with pytest.raises(VeeamEmError) as err:
        _query.parse_id("x", "BackupJobSession", "session_id")
    assert err.value.msg.startswith("session_id 'x'")


def test_quote_doubles_quotes_and_keeps_unicode():
    assert _query.quote('SQL "Prod" Backup') == '"SQL ""Prod"" Backup"'
    assert _query.quote(u"Sauvegarde \u00e9t\u00e9") == u'"Sauvegarde \u00e9t\u00e9"'


def test_filter_building():
    flt = _query.Filter()
    assert not flt
    flt.any_of("JobName", ['A "B"', "C"]).any_of("State", ["Working"], quoted=False).any_of("Result", [])
    flt.compare("CreationTime", ">=", "2026-01-31T12:00:00Z").compare("State", "!=", "Stopped", quoted=False)
    assert flt
    assert str(flt) == '(JobName=="A ""B""",JobName=="C");State==Working;CreationTime>="2026-01-31T12:00:00Z";State!=Stopped'
    assert str(_query.Filter().compare("CreationTime", "<=", "2026-01-31T12:00:00Z")) == 'CreationTime<="2026-01-31T12:00:00Z"'


def test_query_params_order():
    assert _query.query_params("BackupJobSession", 2, 1000, "CreationTime", False, "State==Working") == [
        ("type", "BackupJobSession"), ("format", "Entities"), ("sortAsc", "CreationTime"),
        ("pageSize", 1000), ("page", 2), ("filter", "State==Working")]
    assert _query.query_params("Task", 1, 5) == [("type", "Task"), ("format", "Entities"), ("pageSize", 5), ("page", 1)]


def test_chunks():
    assert list(_query.chunks(list(range(5)), 2)) == [[0, 1], [2, 3], [4]]
    assert list(_query.chunks([], 2)) == []


# -- paging ------------------------------------------------------------------
LOGON = ("POST", "/api/sessionMngr/", "v=latest")
LOGOUT = ("DELETE", "/api/logonSessions/%s" % LOGON_ID)
PAGE = "type=BackupJobSession&format=Entities&sortDesc=CreationTime&pageSize=%d&page=%d"


def sid(n):
    return "00000000-0000-4000-8000-%012d" % n


def page_of(first, count, page, pages, size=2):
    return query_result([job_session_xml(sid(n)) for n in range(first, first + count)], page=page, pages=pages,
                        page_size=size)


def read(limit=None, page_size=2, stop_after=None):
    """UIDs read by iterate()."""
    em = EmClient(ConnectionOptions(server="em.example.com", user="Administrator", password=PASSWORD))
    with em:
        uids = []
        for node in _query.iterate(em, "BackupJobSession", limit=limit, page_size=page_size):
            uids.append(node.get("UID").rsplit(":", 1)[-1])
            if stop_after and len(uids) == stop_after:
                break
    return uids


def queries(fake_em):
    return [call.as_tuple() for call in fake_em.calls if call.path == "/api/query"]


def test_paging_sends_one_request_per_page_in_order(fake_em):
    fake_em.logon()
    for page in (1, 2, 3):
        fake_em.expect("GET", "/query", body=page_of(2 * page - 2, 2 if page < 3 else 1, page, 3))
    fake_em.logout()
    assert read() == [sid(n) for n in range(5)]
    assert fake_em.summary() == [LOGON] + [("GET", "/api/query", PAGE % (2, p)) for p in (1, 2, 3)] + [LOGOUT]


def test_paging_stops_at_the_limit(fake_em):
    fake_em.logon()
    fake_em.expect("GET", "/query", body=page_of(0, 2, 1, 5))
    fake_em.expect("GET", "/query", body=page_of(2, 2, 2, 5))
    fake_em.logout()
    assert read(limit=3) == [sid(n) for n in range(4)]  # the caller cuts at the limit (islice)
    assert queries(fake_em) == [("GET", "/api/query", PAGE % (2, 1)), ("GET", "/api/query", PAGE % (2, 2))]


def test_no_page_is_fetched_that_is_not_read(fake_em):
    fake_em.logon().expect("GET", "/query", body=page_of(0, 2, 1, 5)).logout()
    assert read(stop_after=2) == [sid(0), sid(1)]
    assert len(queries(fake_em)) == 1


def test_error_of_a_later_page_is_raised_to_the_reader(fake_em):
    fake_em.logon()
    fake_em.expect("GET", "/query", body=page_of(0, 2, 1, 3))
    for dummy in range(3):  # a 500 is asked twice more, then raised to the reader
        fake_em.expect("GET", "/query", 500, xml_error(500, "Query failed"))
    fake_em.logout()
    with pytest.raises(VeeamEmError) as err:
        read()
    assert err.value.status == 500 and err.value.em_message == "Query failed"
    assert fake_em.summary()[-1] == LOGOUT


def test_expired_token_while_paging_logs_on_again(fake_em):
    fake_em.logon()
    fake_em.expect("GET", "/query", body=page_of(0, 2, 1, 2))
    fake_em.expect("GET", "/query", 401, xml_error(401, "expired"))
    fake_em.logon(token="T2", logon_id="22222222-0000-4000-8000-000000000002")
    fake_em.expect("GET", "/query", body=page_of(2, 1, 2, 2))
    fake_em.logout(logon_id="22222222-0000-4000-8000-000000000002")
    assert read() == [sid(0), sid(1), sid(2)]
    assert [call.headers.get("X-RestSvcSessionId") for call in fake_em.calls if call.path == "/api/query"][-1] == "T2"


def test_malformed_page_is_asked_for_again_by_the_client(fake_em):
    fake_em.logon()
    fake_em.expect("GET", "/query", body=page_of(0, 2, 1, 3)[:-40])  # truncated
    fake_em.expect("GET", "/query", body=page_of(0, 2, 1, 3))
    fake_em.expect("GET", "/query", body=page_of(2, 2, 2, 3)[:-40])  # truncated
    fake_em.expect("GET", "/query", body=page_of(2, 2, 2, 3))
    fake_em.expect("GET", "/query", body=page_of(4, 1, 3, 3))
    fake_em.logout()
    assert read() == [sid(n) for n in range(5)]
    assert [call.param("page") for call in fake_em.calls if call.path == "/api/query"] == ["1", "1", "2", "2", "3"]


def test_page_count_that_grows_or_shrinks_while_reading(fake_em):
    fake_em.logon()
    fake_em.expect("GET", "/query", body=page_of(0, 2, 1, 2))
    fake_em.expect("GET", "/query", body=page_of(2, 2, 2, 3))  # a third page appeared
    fake_em.expect("GET", "/query", body=page_of(4, 1, 3, 3))
    fake_em.logout()
    assert read() == [sid(n) for n in range(5)]
    fake_em.calls[:] = []
    fake_em.logon()
    fake_em.expect("GET", "/query", body=page_of(0, 2, 1, 3))
    fake_em.expect("GET", "/query", body=page_of(2, 2, 2, 2))  # the last page went away: not asked for
    fake_em.logout()
    assert read() == [sid(n) for n in range(4)]
    assert [call.param("page") for call in fake_em.calls if call.path == "/api/query"] == ["1", "2"]


def test_paging_without_page_counts_follows_next_links(fake_em):
    def linked(first, page, last):
        body = page_of(first, 2, page, 1)
        body = body.replace(' PagesCount="1"', "")
        if not last:
            body = body.replace("<Links /></PagingInfo>",
                                '<Links><Link Rel="Next" Href="https://em/api/query?page=%d" /></Links></PagingInfo>' % (page + 1))
        return body

    fake_em.logon()
    fake_em.expect("GET", "/query", body=linked(0, 1, False))
    fake_em.expect("GET", "/query", body=linked(2, 2, True))
    fake_em.logout()
    assert read() == [sid(n) for n in range(4)]
