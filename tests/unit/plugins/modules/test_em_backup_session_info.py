# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.backupops.veeam_em.plugins.module_utils import _client, _times
from ansible_collections.backupops.veeam_em.plugins.modules import em_backup_session_info as module
from ansible_collections.backupops.veeam_em.tests.unit.em_fake import (
    BASE,
    CONNECTION,
    LOGON,
    LOGOUT,
    PASSWORD,
    TOKEN,
    job_session_xml,
    query_result,
    task_session_xml,
    warning_texts,
    xml_error,
)

Q = "type=BackupJobSession&format=Entities&sortDesc=CreationTime&pageSize=1000&page=%d"
TQ = "type=BackupTaskSession&format=Entities&sortAsc=CreationTime&pageSize=1000&page=%d"


JOB_ID = "4856ab37-2235-45e8-affe-d515878b01a9"  # em_fake's default job


def sid(n):
    return "00000000-0000-4000-8000-%012d" % n


def args(**kwargs):
    result = dict(CONNECTION)
    result.update(kwargs)
    return result


def test_all_sessions_one_page(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([job_session_xml(sid(1)), job_session_xml(sid(2))])).logout()
    rc, result, out = run_module(module, args())
    assert rc == 0 and result["changed"] is False
    assert fake_em.summary() == [LOGON, ("GET", "/api/query", Q % 1), LOGOUT]
    assert [s["id"] for s in result["backup_sessions"]] == [sid(1), sid(2)]
    assert "links" not in result["backup_sessions"][0]  # only with include_links
    assert result["summary"]["total"] == 2 and result["summary"]["by_result"]["Success"] == 2
    assert PASSWORD not in out and TOKEN not in out


def test_paging_follows_paging_info(fake_em, run_module):
    fake_em.logon()
    fake_em.expect("GET", "/query", body=query_result([job_session_xml(sid(1))], page=1, pages=3))
    fake_em.expect("GET", "/query", body=query_result([job_session_xml(sid(2))], page=2, pages=3))
    fake_em.expect("GET", "/query", body=query_result([job_session_xml(sid(3))], page=3, pages=3))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(sort="oldest_first"))
    q = Q.replace("sortDesc", "sortAsc")
    assert fake_em.summary() == [LOGON, ("GET", "/api/query", q % 1), ("GET", "/api/query", q % 2), ("GET", "/api/query", q % 3), LOGOUT]
    assert len(result["backup_sessions"]) == 3


def test_empty_result_of_an_unknown_job_warns(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([], pages=0))
    fake_em.expect("GET", "/query", body=query_result([], pages=0)).logout()
    rc, result, dummy = run_module(module, args(job_name=["Nothing"], result=["Failed"]))
    assert result["backup_sessions"] == [] and result["summary"]["total"] == 0
    assert fake_em.calls[1].param("filter") == 'JobName=="Nothing";Result==Failed'
    # the second query asks whether EM has any session of that job at all
    assert (fake_em.calls[2].param("filter"), fake_em.calls[2].param("pageSize")) == ('JobName=="Nothing"', "1")
    assert warning_texts(result) == [
        "job_name 'Nothing': Enterprise Manager has no session of a job of that name at all; check the spelling "
        "(a string is one name, also with commas in it; give several names as a list)"]


def test_a_name_with_a_comma_is_one_name(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([job_session_xml(sid(1), job="Mailserver, weekly")])).logout()
    rc, result, dummy = run_module(module, args(job_name="Mailserver, weekly"))
    assert rc == 0 and [s["job_name"] for s in result["backup_sessions"]] == ["Mailserver, weekly"]
    assert fake_em.calls[1].param("filter") == 'JobName=="Mailserver, weekly"'


def test_sessions_that_do_not_match_are_left_out_with_a_warning(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([
        job_session_xml(sid(1), job="sql backup"), job_session_xml(sid(2), job="Other"),
        job_session_xml(sid(3), job="SQL Backup", result="Success")]))
    fake_em.expect("GET", "/query", body=query_result([job_session_xml(sid(3), job="SQL Backup")])).logout()
    rc, result, dummy = run_module(module, args(job_name="SQL Backup", result=["Failed", "Warning"]))
    assert rc == 0 and result["backup_sessions"] == []
    assert len(warning_texts(result)) == 2
    assert "returned 1 sessions that do not match job_name (for example 'Other@2026-01-10 05:22:52')" in warning_texts(result)[0]
    assert "returned 2 sessions that do not match result" in warning_texts(result)[1]


def test_every_filter_option(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([job_session_xml(sid(1))])).logout()
    run_module(module, args(job_name=['SQL "Prod" Backup', u"Sauvegarde \u00e9t\u00e9"], job_type=["Backup", "BackupCopy"],
                            state=["Working"], result=["Failed", "Warning", "None"], created_after="2026-01-01T00:00:00Z",
                            created_before="2026-01-02T00:00:00+02:00", backup_server="srv02.tech.local", is_retry=False))
    call = fake_em.calls[1]
    assert call.param("filter") == (
        u'(JobName=="SQL ""Prod"" Backup",JobName=="Sauvegarde \u00e9t\u00e9");(JobType==Backup,JobType==BackupCopy);'
        u'State==Working;(Result==Failed,Result==Warning,Result==None);CreationTime>="2026-01-01T00:00:00Z";'
        u'CreationTime<="2026-01-01T22:00:00Z";BackupServerName=="srv02.tech.local";IsRetry==false')
    assert "filter=%28JobName%3D%3D%22SQL+%22%22Prod%22%22+Backup%22" in call.url


def test_relative_time_and_is_retry_true(fake_em, run_module, monkeypatch):
    import datetime
    now = datetime.datetime(2026, 1, 31, 12, 0, tzinfo=datetime.timezone.utc)
    monkeypatch.setattr(_times, "utcnow", lambda: now)
    fake_em.logon().expect("GET", "/query", body=query_result([])).logout()
    run_module(module, args(created_after="24h", is_retry=True))
    assert fake_em.calls[1].param("filter") == 'CreationTime>="2026-01-30T12:00:00Z";IsRetry==true'


def test_limit_shrinks_page_and_stops(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([job_session_xml(sid(i)) for i in range(3)], pages=5, page_size=3))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(limit=3))
    assert fake_em.summary() == [LOGON, ("GET", "/api/query", Q.replace("pageSize=1000", "pageSize=3") % 1), LOGOUT]
    assert len(result["backup_sessions"]) == 3


def test_latest_per_job_stops_when_named_jobs_seen(fake_em, run_module):
    page1 = [job_session_xml(sid(1), job="A", job_id=sid(101)), job_session_xml(sid(2), job="A", job_id=sid(101))]
    page2 = [job_session_xml(sid(3), job="B", job_id=sid(102)), job_session_xml(sid(4), job="A", job_id=sid(101))]
    fake_em.logon()
    fake_em.expect("GET", "/query", body=query_result(page1, pages=9)).expect("GET", "/query", body=query_result(page2, page=2, pages=9))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(job_name=["A", "B"], latest_per_job=True))
    assert fake_em.summary() == [LOGON, ("GET", "/api/query", Q % 1 + '&filter=(JobName=="A",JobName=="B")'),
                                 ("GET", "/api/query", Q % 2 + '&filter=(JobName=="A",JobName=="B")'), LOGOUT]
    assert [s["id"] for s in result["backup_sessions"]] == [sid(1), sid(3)]


def test_latest_per_job_all_jobs_oldest_first_and_limit(fake_em, run_module):
    items = [job_session_xml(sid(1), job="A", job_id=sid(101)), job_session_xml(sid(2), job="B", job_id=sid(102)),
             job_session_xml(sid(3), job="A", job_id=sid(101))]
    fake_em.logon().expect("GET", "/query", body=query_result(items)).logout()
    rc, result, dummy = run_module(module, args(latest_per_job=True, sort="oldest_first"))
    assert fake_em.summary()[1] == ("GET", "/api/query", Q % 1)
    assert [s["id"] for s in result["backup_sessions"]] == [sid(2), sid(1)]
    fake_em.calls[:] = []
    fake_em.logon().expect("GET", "/query", body=query_result(items, pages=4)).logout()
    rc, result, dummy = run_module(module, args(latest_per_job=True, limit=1))
    assert [s["id"] for s in result["backup_sessions"]] == [sid(1)]
    assert len(fake_em.calls) == 3


def test_id_forms_use_get_by_id(fake_em, run_module):
    for value in (sid(7), "urn:veeam:BackupJobSession:" + sid(7), "https://EM.example.com:9398/api/backupSessions/%s?format=Entity" % sid(7)):
        fake_em.calls[:] = []
        fake_em.logon().expect("GET", "/backupSessions/" + sid(7), body=job_session_xml(sid(7), archive=False)).logout()
        rc, result, dummy = run_module(module, args(id=value))
        assert fake_em.summary() == [LOGON, ("GET", "/api/backupSessions/" + sid(7), "format=Entity"), LOGOUT]
        assert result["backup_sessions"][0]["id"] == sid(7)


def test_unknown_id_gives_empty_list(fake_em, run_module):
    fake_em.logon().expect("GET", "/backupSessions/" + sid(8), 404, xml_error(404, "Not found")).logout()
    rc, result, dummy = run_module(module, args(id=sid(8)))
    assert rc == 0 and result["backup_sessions"] == [] and result["summary"]["total"] == 0


def test_malformed_id_fails_before_any_request(fake_em, run_module):
    rc, result, dummy = run_module(module, args(id="12345"))
    assert rc == 1 and "id '12345' is not a valid BackupJobSession id" in result["msg"]
    assert fake_em.calls == []


@pytest.mark.parametrize("options, fragment", [
    (dict(created_after="yesterday"), "created_after 'yesterday' is neither"),
    (dict(created_after="1d", created_before="2d"), "is later than created_before"),
    (dict(limit=0), "limit must be from 1 to 1000000000; got 0"),
    (dict(limit=10 ** 20), "limit must be from 1 to 1000000000"),
    (dict(created_after="9999999d"), "created_after '9999999d' reaches back before the year 1"),
    (dict(created_after="9999-12-31T23:30:00-01:00"), "created_after '9999-12-31T23:30:00-01:00' is out of range"),
    (dict(created_before="0001-01-01T00:30:00+01:00"), "created_before '0001-01-01T00:30:00+01:00' is out of range"),
    (dict(timeout=10 ** 12), "timeout must be a number of seconds from 1 to 86400"),
    (dict(job_name=["a", ""]), "job_name must not contain an empty name"),
    (dict(job_name=[{"a": 1}]), "job_name must be a name or a list of names"),
    (dict(server="em.example.com:port"), "server 'em.example.com:port' ends in a port that is not a number"),
    (dict(server="em.example.com:9399", port=9398), "server names port 9399 but the port option is 9398"),
    (dict(session_token="tok\nen"), "session_token contains a line break"),
    (dict(session_token=u"tok\u0100en"), "a character an HTTP header cannot carry"),
])
def test_invalid_options_fail_before_any_request(fake_em, run_module, options, fragment):
    rc, result, dummy = run_module(module, args(**options))
    assert rc == 1 and fragment in result["msg"]
    assert fake_em.calls == []


def test_id_and_filters_are_mutually_exclusive(fake_em, run_module):
    rc, result, dummy = run_module(module, args(id=sid(1), job_name=["A"]))
    assert rc == 1 and "mutually exclusive" in result["msg"]


def _uid_filter(numbers, extra=""):
    return "(" + ",".join('JobSessionUid=="urn:veeam:BackupJobSession:%s"' % sid(i) for i in numbers) + ")" + extra


# Sessions 0..44 created from 2026-01-10T05:00:00Z, one minute apart, the last ended at 05:59:00Z.
def _sessions_45(running=None):
    return [job_session_xml(sid(i), created="2026-01-10T05:%02d:00Z" % i,
                            ended=None if i == running else "2026-01-10T05:%02d:00Z" % (i + 15), state="Stopped")
            for i in range(45)]


def _tasks_of(numbers, result="Success"):
    return [task_session_xml(sid(900 + i), sid(i), vm="vm%d" % i, result=result, created="2026-01-10T05:%02d:30Z" % i)
            for i in numbers]


# their time range, widened by 5 minutes on each side (_sessions.TASK_RANGE_MARGIN)
RANGE = 'CreationTime>="2026-01-10T04:55:00Z";CreationTime<="2026-01-10T06:04:00Z"'


def tq(page, flt):
    return ("GET", "/api/query", TQ % page + "&filter=" + flt)


def test_include_task_sessions_by_time_range_when_its_pages_are_fewer(fake_em, run_module):
    """45 sessions are 2 OR chunks; their time range holds 1 page: that page is the answer (other sessions' rows dropped)."""
    fake_em.logon().expect("GET", "/query", body=query_result(_sessions_45()))
    other = task_session_xml(sid(999), sid(500), vm="other")  # a session that was not asked for
    fake_em.expect("GET", "/query", body=query_result(_tasks_of(range(45)) + [other] + [
        task_session_xml(sid(990), sid(0), vm="vm0b", created="2026-01-10T05:00:40Z")], "BackupTaskSessions"))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(include_task_sessions=True))
    assert fake_em.summary() == [LOGON, ("GET", "/api/query", Q % 1), tq(1, RANGE), LOGOUT]
    by_id = dict((s["id"], s) for s in result["backup_sessions"])
    assert [t["vm_name"] for t in by_id[sid(0)]["task_sessions"]] == ["vm0", "vm0b"]
    assert [t["vm_name"] for t in by_id[sid(44)]["task_sessions"]] == ["vm44"]
    assert sum(len(s["task_sessions"]) for s in result["backup_sessions"]) == 46  # not the other session's


def test_include_task_sessions_by_time_range_reads_all_its_pages(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result(_sessions_45()))
    fake_em.expect("GET", "/query", body=query_result(_tasks_of(range(30)), "BackupTaskSessions", page=1, pages=2))
    fake_em.expect("GET", "/query", body=query_result(_tasks_of(range(30, 45)), "BackupTaskSessions", page=2, pages=2))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(include_task_sessions=True))
    assert fake_em.summary() == [LOGON, ("GET", "/api/query", Q % 1), tq(1, RANGE), tq(2, RANGE), LOGOUT]
    assert all([t["vm_name"] for t in s["task_sessions"]] == ["vm%d" % int(s["id"][-3:])]
               for s in result["backup_sessions"])


def test_include_task_sessions_in_uid_chunks_when_the_time_range_is_larger(fake_em, run_module):
    """The time range holds 3 pages, more than the 2 chunks: its first page is dropped and the chunks asked for."""
    fake_em.logon().expect("GET", "/query", body=query_result(_sessions_45()))
    fake_em.expect("GET", "/query", body=query_result(_tasks_of(range(10)), "BackupTaskSessions", page=1, pages=3))
    tasks_first = _tasks_of(range(40)) + [task_session_xml(sid(990), sid(0), vm="vm0b", created="2026-01-10T05:00:40Z")]
    fake_em.expect("GET", "/query", body=query_result(tasks_first, "BackupTaskSessions"))
    fake_em.expect("GET", "/query", body=query_result(_tasks_of([44]), "BackupTaskSessions"))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(include_task_sessions=True))
    assert fake_em.summary() == [LOGON, ("GET", "/api/query", Q % 1), tq(1, RANGE), tq(1, _uid_filter(range(40))),
                                 tq(1, _uid_filter(range(40, 45))), LOGOUT]
    by_id = dict((s["id"], s) for s in result["backup_sessions"])
    assert [t["vm_name"] for t in by_id[sid(0)]["task_sessions"]] == ["vm0", "vm0b"]
    assert [t["vm_name"] for t in by_id[sid(44)]["task_sessions"]] == ["vm44"]
    assert by_id[sid(43)]["task_sessions"] == []


def test_include_task_sessions_one_chunk_asks_by_uid_only(fake_em, run_module):
    sessions = _sessions_45()[:40]
    fake_em.logon().expect("GET", "/query", body=query_result(sessions))
    fake_em.expect("GET", "/query", body=query_result(_tasks_of(range(40)), "BackupTaskSessions")).logout()
    rc, result, dummy = run_module(module, args(include_task_sessions=True))
    assert fake_em.summary() == [LOGON, ("GET", "/api/query", Q % 1), tq(1, _uid_filter(range(40))), LOGOUT]


def test_task_session_result_and_a_running_session(fake_em, run_module):
    """A running session leaves the range open at the end; task_session_result filters and is checked."""
    fake_em.logon().expect("GET", "/query", body=query_result(_sessions_45(running=44)))
    stray = task_session_xml(sid(998), sid(3), vm="stray", result="Success")  # EM sent what was not asked for
    fake_em.expect("GET", "/query", body=query_result(_tasks_of([3, 44], "Failed") + [stray], "BackupTaskSessions"))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(include_task_sessions=True, task_session_result=["Warning", "Failed"]))
    assert rc == 0, result
    assert fake_em.summary()[2] == tq(1, 'CreationTime>="2026-01-10T04:55:00Z";(Result==Warning,Result==Failed)')
    by_id = dict((s["id"], s) for s in result["backup_sessions"])
    assert [t["vm_name"] for t in by_id[sid(3)]["task_sessions"]] == ["vm3"]
    assert [t["vm_name"] for t in by_id[sid(44)]["task_sessions"]] == ["vm44"]
    assert any("task_session_result" in w for w in warning_texts(result))


def test_task_session_result_needs_include_task_sessions(fake_em, run_module):
    rc, result, dummy = run_module(module, args(task_session_result=["Failed"]))
    assert rc == 1 and "task_session_result" in result["msg"] and "include_task_sessions" in result["msg"]
    assert fake_em.calls == []


def test_include_links_on_sessions_and_their_task_sessions(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([job_session_xml(sid(1))]))
    fake_em.expect("GET", "/query", body=query_result([task_session_xml(sid(901), sid(1))], "BackupTaskSessions"))
    fake_em.logout()
    rc, result, dummy = run_module(module, args(include_task_sessions=True, include_links=True))
    assert [c[:2] for c in fake_em.summary()] == [LOGON[:2]] + [("GET", "/api/query")] * 2 + [LOGOUT]
    session = result["backup_sessions"][0]
    assert {"rel": "Up", "type": "JobReference", "href": BASE + "/jobs/" + JOB_ID, "name": "Fileserver Backup"} in session["links"]
    assert [link["type"] for link in session["task_sessions"][0]["links"]] == [
        "BackupServerReference", "BackupJobSessionReference"]


def test_include_task_sessions_skipped_when_no_session(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([])).logout()
    rc, result, dummy = run_module(module, args(include_task_sessions=True))
    assert len(fake_em.calls) == 3


def test_connection_from_environment_only(fake_em, run_module, monkeypatch, tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text(u"pem")
    for name, value in dict(VEEAM_EM_SERVER="10.0.0.5", VEEAM_EM_PORT="9443", VEEAM_EM_PROTOCOL="https", VEEAM_EM_USER="svc",
                            VEEAM_EM_PASSWORD=PASSWORD, VEEAM_EM_CA_PATH=str(ca), VEEAM_EM_TIMEOUT="7").items():
        monkeypatch.setenv(name, value)
    fake_em.logon().expect("GET", "/query", body=query_result([])).logout()
    rc, result, out = run_module(module, {"api_version": "v1_6"})
    assert rc == 0
    assert fake_em.calls[0].url == "https://10.0.0.5:9443/api/sessionMngr/?v=v1_6"
    assert (fake_em.calls[1].verify, fake_em.calls[1].timeout) == (str(ca), 7)
    assert PASSWORD not in out


def test_validate_certs_from_environment(fake_em, run_module, monkeypatch):
    monkeypatch.setenv("VEEAM_EM_VALIDATE_CERTS", "false")
    fake_em.logon().expect("GET", "/query", body=query_result([])).logout()
    run_module(module, args())
    assert fake_em.calls[0].verify is False


def test_session_token_reuse_no_logon_no_logout(fake_em, run_module, monkeypatch):
    monkeypatch.setenv("VEEAM_EM_SESSION_TOKEN", TOKEN)
    fake_em.expect("GET", "/query", body=query_result([job_session_xml(sid(1))]))
    rc, result, out = run_module(module, {"server": "em.example.com"})
    assert rc == 0 and fake_em.summary() == [("GET", "/api/query", Q % 1)]
    assert fake_em.calls[0].headers["X-RestSvcSessionId"] == TOKEN
    assert TOKEN not in out


def test_expired_token_clear_error(fake_em, run_module):
    fake_em.expect("GET", "/query", 401, xml_error(401, "Session expired"))
    rc, result, out = run_module(module, {"server": "em.example.com", "session_token": TOKEN})
    assert rc == 1 and "Log on again" in result["msg"] and result["status"] == 401
    assert TOKEN not in out


def test_error_result_has_status_and_em_message_and_logs_out(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", 400, xml_error(400, "Invalid filter")).logout()
    rc, result, out = run_module(module, args(job_name=["x"]))
    assert rc == 1 and result["status"] == 400 and result["em_message"] == "Invalid filter"
    assert "Traceback" not in out and PASSWORD not in out
    assert fake_em.summary()[-1] == LOGOUT


def test_logout_failure_is_a_warning(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([])).logout(status=500)
    rc, result, dummy = run_module(module, args())
    assert rc == 0 and "Could not log out of Enterprise Manager" in str(warning_texts(result)), result


def test_missing_requests_library(fake_em, run_module, monkeypatch):
    monkeypatch.setattr(_client, "requests", None)
    rc, result, dummy = run_module(module, args())
    assert rc == 1 and "requests" in result["msg"] and "Failed to import the required Python library" in result["msg"]


def test_check_mode_reads_normally(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([])).logout()
    rc, result, dummy = run_module(module, args(), check_mode=True)
    assert rc == 0 and result["changed"] is False


def test_years_before_1000_are_sent_with_four_digits(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([])).logout()
    rc, result, dummy = run_module(module, args(created_after="0999-01-01"))
    assert rc == 0 and fake_em.calls[1].param("filter") == 'CreationTime>="0999-01-01T00:00:00Z"'


def test_ended_after_filters_on_end_time_and_leaves_out_running_sessions(fake_em, run_module):
    fake_em.logon().expect("GET", "/query", body=query_result([
        job_session_xml(sid(1), created="2026-01-09T22:00:00Z", ended="2026-01-10T01:00:00Z"),
        job_session_xml(sid(2), created="2026-01-09T23:00:00Z", ended=None, state="Working", result="None")])).logout()
    rc, result, dummy = run_module(module, args(created_before="2026-01-10T00:00:00Z", ended_after="2026-01-10T00:00:00Z"))
    assert rc == 0 and [s["id"] for s in result["backup_sessions"]] == [sid(1)]
    assert fake_em.calls[1].param("filter") == 'CreationTime<="2026-01-10T00:00:00Z";EndTime>="2026-01-10T00:00:00Z"'
    assert "returned 1 sessions that do not match ended_after" in str(warning_texts(result))
