# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The event source backupops.veeam_em.backup_sessions on the fake EM, driven with asyncio.

Waits between polls go through the source's injected ``sleep`` (recorded,
not slept); the client's own retry waits through its FakeClock.  A test
stops the source after a number of waits, the way ansible-rulebook cancels
it, and checks the exact HTTP calls, the events and what was logged off.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import asyncio
import datetime
import importlib
import json
import os

import pytest
import yaml

from ansible_collections.backupops.veeam_em.extensions.eda.plugins.event_source import backup_sessions as source
from ansible_collections.backupops.veeam_em.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError
from ansible_collections.backupops.veeam_em.tests.unit.em_fake import (
    CONNECTION,
    LOGON_ID,
    PASSWORD,
    TOKEN,
    job_session_xml,
    query_result,
    task_session_xml,
    xml_error,
)

LOGON = ("POST", "/api/sessionMngr/", "v=latest")
LOGOUT = ("DELETE", "/api/logonSessions/%s" % LOGON_ID)
START = datetime.datetime(2026, 1, 10, 5, 0, 0, tzinfo=datetime.timezone.utc)


def sid(n):
    return "00000000-0000-4000-8000-%012d" % n


def at(minutes, seconds=0):
    """ISO time ``minutes`` after START."""
    return (START + datetime.timedelta(minutes=minutes, seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def ended(n, minutes, result="Success", job="Fileserver Backup", **kwargs):
    """A session that ended ``minutes`` after START (created 10 minutes before)."""
    return job_session_xml(sid(n), job=job, result=result, created=at(minutes - 10), ended=at(minutes), **kwargs)


def running(n, minutes, job="Fileserver Backup"):
    return job_session_xml(sid(n), job=job, state="Working", result="None", created=at(minutes), ended=None)


def args(**kwargs):
    result = dict(CONNECTION, interval=30, since=at(0))
    result.update(kwargs)
    return result


def finished_query(start, page=1, extra=""):
    return ("type=BackupJobSession&format=Entities&sortAsc=EndTime&pageSize=1000&page=%d&filter=%sEndTime>=\"%s\""
            % (page, extra, start))


def newest_query(field="EndTime"):
    """The first poll's question without since: EM's newest end (start) time."""
    return ("type=BackupJobSession&format=Entities&sortDesc=%s&pageSize=1&page=1&filter=%s>=\"1971-01-01T00:00:00Z\""
            % (field, field))


def set_host_clock(monkeypatch, now):
    """The clock of the rulebook's host, as module_utils reads it (``utcnow``, in _query or _times), at ``now``."""
    for name in ("_query", "_times"):
        try:
            module = importlib.import_module("ansible_collections.backupops.veeam_em.plugins.module_utils." + name)
        except ImportError:
            continue
        if hasattr(module, "utcnow"):
            monkeypatch.setattr(module, "utcnow", lambda: now)


def queries(fake):
    return [call.query for call in fake.calls if call.path == "/api/query"]


class Run(object):
    """A source run until it has waited ``waits`` times (then cancelled like ansible-rulebook cancels it)."""

    def __init__(self, fake, source_args, waits=1):
        self.fake = fake
        self.waits = []
        self.events = []
        self.limit = waits
        self.source = source.EventSource(source_args, sleep=self._sleep)

    async def _sleep(self, seconds):
        self.waits.append(seconds)
        if len(self.waits) >= self.limit:
            raise asyncio.CancelledError()
        await asyncio.sleep(0)

    def __call__(self):
        queue = asyncio.Queue()

        async def go():
            try:
                await self.source.run(queue)
            except asyncio.CancelledError:
                pass
            while not queue.empty():
                self.events.append(queue.get_nowait())

        asyncio.run(go())
        return self

    def ids(self, event_type="finished"):
        return [e["backup_session"]["id"] for e in self.events if e["event_type"] == event_type]


# -- events across polls -----------------------------------------------------------------
def test_watermark_overlap_no_duplicates_no_gaps(fake_em):
    fake_em.logon()
    fake_em.expect("GET", "/query", body=query_result([ended(1, 1), ended(2, 2)]))
    # the next poll looks back 300 s before the latest end (05:02), not before since: 1 and 2 again, 3 new
    fake_em.expect("GET", "/query", body=query_result([ended(2, 2), ended(3, 2, job="SQL Backup"), ended(4, 9)]))
    # 5 ended at 05:05, before the watermark (05:09), but EM listed it late: within the overlap, not lost
    fake_em.expect("GET", "/query", body=query_result([ended(5, 5), ended(4, 9), ended(6, 10)]))
    fake_em.logout()
    run = Run(fake_em, args(), waits=3)()
    assert run.ids() == [sid(1), sid(2), sid(3), sid(4), sid(5), sid(6)]
    assert run.waits == [30, 30, 30]
    assert queries(fake_em) == [finished_query(at(0)), finished_query(at(0)), finished_query(at(4))]
    assert fake_em.summary()[0] == LOGON and fake_em.summary()[-1] == LOGOUT
    event = run.events[0]
    assert set(event) == {"event_type", "em", "backup_session"} and event["event_type"] == "finished"
    assert event["em"] == "em.example.com"  # the server option (em_name when set)
    session = event["backup_session"]
    assert session["job_name"] == "Fileserver Backup" and session["end_time"] == at(1)
    assert session["result"] == "Success" and session["task_sessions"] == []
    assert session["state"] == "Stopped" and session["is_retry"] is False


@pytest.mark.parametrize("em_behind_host", [600, -600], ids=["EM 10 min behind", "EM 10 min ahead"])
def test_without_since_events_begin_at_em_time_whatever_the_host_clock(fake_em, monkeypatch, em_behind_host):
    """The first watermark comes from EM's own times: the host's clock is never compared with EM's."""
    set_host_clock(monkeypatch, START + datetime.timedelta(seconds=em_behind_host))  # EM's present is about START
    fake_em.logon()
    # first poll: EM's newest end time (05:00 by EM's clock), then what EM lists from then on is the past
    fake_em.expect("GET", "/query", body=query_result([ended(0, 0)]))
    fake_em.expect("GET", "/query", body=query_result([ended(0, 0), ended(9, 0, job="SQL Backup")]))
    # then sessions end, by EM's clock, every minute
    fake_em.expect("GET", "/query", body=query_result([ended(0, 0), ended(9, 0, job="SQL Backup"), ended(1, 1)]))
    fake_em.expect("GET", "/query", body=query_result([ended(1, 1), ended(2, 2), ended(3, 3)]))
    fake_em.expect("GET", "/query", body=query_result([ended(2, 2), ended(3, 3), ended(4, 4)]))
    fake_em.logout()
    run = Run(fake_em, dict(CONNECTION, interval=30, overlap=120), waits=4)()
    assert run.ids() == [sid(1), sid(2), sid(3), sid(4)]  # each once; none of before the start
    assert queries(fake_em) == [newest_query(), finished_query(at(0)), finished_query(at(0)), finished_query(at(0)),
                                finished_query(at(1))]


def test_without_since_an_em_without_sessions_reports_every_later_one(fake_em):
    fake_em.logon()
    fake_em.expect("GET", "/query", body=query_result([]))  # EM has no finished session yet
    fake_em.expect("GET", "/query", body=query_result([]))
    fake_em.expect("GET", "/query", body=query_result([ended(1, 1)]))
    fake_em.logout()
    run = Run(fake_em, dict(CONNECTION, interval=30), waits=2)()
    assert run.ids() == [sid(1)]
    assert queries(fake_em) == [newest_query(), finished_query("1971-01-01T00:00:00Z"),
                                finished_query("1971-01-01T00:00:00Z")]


def test_without_since_a_failed_first_poll_begins_again_and_started_events_begin_at_em_time(fake_em, tmp_path):
    state = str(tmp_path / "state.json")
    started = "type=BackupJobSession&format=Entities&sortAsc=CreationTime&pageSize=1000&page=1&filter=CreationTime>=\"%s\""
    fake_em.logon()
    fake_em.expect("GET", "/query", body=query_result([running(1, 1)]))  # newest creation time: 05:01
    for _attempt in range(4):  # then EM fails: the poll fails, nothing is taken for the floor
        fake_em.expect("GET", "/query", 503, xml_error(503, "busy"))
    fake_em.logout()
    run = Run(fake_em, dict(CONNECTION, interval=30, event_types=["started"], state_file=state), waits=1)()
    assert run.events == [] and run.waits == [2]
    assert json.load(open(state))["trackers"]["started"] == {"floor": None, "watermark": None, "sent": {}}
    # the next run (from the state file) asks again; 2 started meanwhile, 1 was running before
    fake_em.logon()
    fake_em.expect("GET", "/query", body=query_result([running(2, 2)]))
    fake_em.expect("GET", "/query", body=query_result([running(2, 2)]))
    fake_em.expect("GET", "/query", body=query_result([running(2, 2), running(3, 3)]))
    fake_em.logout()
    second = Run(fake_em, dict(CONNECTION, interval=30, event_types=["started"], state_file=state), waits=2)()
    assert second.ids("started") == [sid(3)]
    assert queries(fake_em) == [newest_query("CreationTime")] + [started % at(1)] * 4 + [
        newest_query("CreationTime"), started % at(2), started % at(2)]


def test_nothing_before_since_and_one_logon(fake_em):
    fake_em.logon()
    fake_em.expect("GET", "/query", body=query_result([ended(1, -1), ended(2, 0)]))  # EM sent one too early
    fake_em.expect("GET", "/query", body=query_result([ended(2, 0)]))
    fake_em.logout()
    run = Run(fake_em, args(), waits=2)()
    assert run.ids() == [sid(2)]
    assert [c.as_tuple()[:2] for c in fake_em.calls].count(LOGON[:2]) == 1
    # the window never reaches back before since
    assert queries(fake_em) == [finished_query(at(0)), finished_query(at(0))]


def test_memory_of_sent_ids_is_bounded_by_the_overlap(fake_em):
    fake_em.logon()
    for poll in range(20):  # a session ends every minute; the overlap is 2 minutes
        fake_em.expect("GET", "/query", body=query_result([ended(n, n) for n in range(max(0, poll - 2), poll + 1)]))
    fake_em.logout()
    run = Run(fake_em, args(overlap=120), waits=20)()
    assert run.ids() == [sid(n) for n in range(20)]
    tracker = run.source.trackers[0]
    assert sorted(tracker.sent) == [sid(17), sid(18), sid(19)]
    assert tracker.watermark == START + datetime.timedelta(minutes=19)


def test_failed_session_carries_its_failed_and_warning_task_sessions(fake_em):
    fake_em.logon()
    fake_em.expect("GET", "/query", body=query_result([ended(1, 1, result="Failed"), ended(2, 2)]))
    tasks = [task_session_xml(sid(11), sid(1), vm="srv04", result="Failed", reason="Disk full"),
             task_session_xml(sid(12), sid(1), vm="srv05", result="Success"),
             task_session_xml(sid(13), sid(1), vm="srv06", result="Warning", reason="Retrying snapshot")]
    fake_em.expect("GET", "/query", body=query_result(tasks, "BackupTaskSessions"))
    fake_em.logout()
    run = Run(fake_em, args())()
    failed, fine = [e["backup_session"] for e in run.events]
    assert [(t["vm_name"], t["result"], t["reason"]) for t in failed["task_sessions"]] == [
        ("srv04", "Failed", "Disk full"), ("srv06", "Warning", "Retrying snapshot")]
    assert fine["task_sessions"] == []
    assert queries(fake_em)[1] == ("type=BackupTaskSession&format=Entities&sortAsc=CreationTime&pageSize=1000&page=1"
                                   "&filter=JobSessionUid==\"urn:veeam:BackupJobSession:%s\";(Result==Warning,Result==Failed)"
                                   % sid(1))


def test_started_and_finished_events(fake_em):
    fake_em.logon()
    fake_em.expect("GET", "/query", body=query_result([running(1, 1)]))  # started
    fake_em.expect("GET", "/query", body=query_result([]))  # finished
    quick = job_session_xml(sid(2), created=at(2), ended=at(3))  # started and ended between two polls
    fake_em.expect("GET", "/query", body=query_result([running(1, 1), quick]))
    fake_em.expect("GET", "/query", body=query_result([quick]))
    fake_em.logout()
    run = Run(fake_em, args(event_types=["started", "finished"], overlap=60), waits=2)()
    assert [(e["event_type"], e["backup_session"]["id"]) for e in run.events] == [
        ("started", sid(1)), ("started", sid(2)), ("finished", sid(2))]
    assert run.events[0]["backup_session"]["end_time"] is None
    started = "type=BackupJobSession&format=Entities&sortAsc=CreationTime&pageSize=1000&page=1&filter=CreationTime>=\"%s\""
    assert queries(fake_em) == [started % at(0), finished_query(at(0)), started % at(0), finished_query(at(0))]


def test_filters_on_the_server_and_checked_on_the_client(fake_em):
    fake_em.logon()
    # EM returned a session of another job (a filter quirk): never an event
    fake_em.expect("GET", "/query", body=query_result([ended(1, 1, result="Failed", job="Other"),
                                                       ended(2, 2, result="Failed", job="SQL \"Prod\" Backup")]))
    fake_em.expect("GET", "/query", body=query_result([], "BackupTaskSessions"))
    fake_em.logout()
    run = Run(fake_em, args(job_name=["SQL \"Prod\" Backup", "Mail, weekly"], job_type=["Backup"],
                            result=["Failed", "Warning"]))()
    assert run.ids() == [sid(2)]
    assert queries(fake_em)[0] == finished_query(
        at(0), extra="(JobName==\"SQL \"\"Prod\"\" Backup\",JobName==\"Mail, weekly\");JobType==Backup;"
                     "(Result==Failed,Result==Warning);")


def test_session_with_an_unreadable_time_is_left_out_with_a_warning_not_a_stuck_source(fake_em, caplog):
    fake_em.logon()
    fake_em.expect("GET", "/query", body=query_result([ended(1, 1), job_session_xml(sid(2), ended="yesterday"),
                                                       ended(3, 2)]))
    fake_em.expect("GET", "/query", body=query_result([ended(3, 2), ended(4, 3)]))
    fake_em.logout()
    run = Run(fake_em, args(), waits=2)()
    assert run.ids() == [sid(1), sid(3), sid(4)]
    assert "session %s with an unreadable end_time 'yesterday'" % sid(2) in caplog.text


# -- faults --------------------------------------------------------------------------
def test_expired_token_logs_on_again_at_every_poll(fake_em):
    fake_em.logon()
    fake_em.expect("GET", "/query", body=query_result([ended(1, 1)]))
    for n in (2, 3):  # the logon session expired between polls, twice
        fake_em.expect("GET", "/query", 401, xml_error(401, "Unauthorized"))
        fake_em.logon()
        fake_em.expect("GET", "/query", body=query_result([ended(n, n)]))
    fake_em.logout()
    run = Run(fake_em, args(), waits=3)()
    assert run.ids() == [sid(1), sid(2), sid(3)]
    assert run.waits == [30, 30, 30]
    assert run.source.client.relogons == 2


def test_em_unavailable_backs_off_and_catches_up(fake_em):
    fake_em.logon()
    fake_em.expect("GET", "/query", body=query_result([ended(1, 1)]))
    for _attempt in range(8):  # two polls fail: the client tries each request 4 times
        fake_em.expect("GET", "/query", 503, xml_error(503, "Service Unavailable"))
    fake_em.expect("GET", "/query", body=query_result([ended(2, 2), ended(3, 20)]))
    fake_em.logout()
    run = Run(fake_em, args(max_backoff=3), waits=4)()
    assert run.ids() == [sid(1), sid(2), sid(3)]
    assert run.waits == [30, 2, 3, 30]  # 2 s, doubled, capped at max_backoff
    assert fake_em.sleeps == [0.5, 1.0, 2.0] * 2


def test_em_restart_connection_refused_then_new_logon(fake_em):
    import requests
    fake_em.logon()
    fake_em.expect("GET", "/query", body=query_result([ended(1, 1)]))
    refused = requests.exceptions.ConnectionError(ConnectionRefusedError(111, "Connection refused"))
    fake_em.expect("GET", "/query", raises=refused)
    fake_em.expect("GET", "/query", 401, xml_error(401, "Unauthorized"))  # EM forgot the logon session
    fake_em.logon()
    fake_em.expect("GET", "/query", body=query_result([ended(2, 2)]))
    fake_em.logout()
    run = Run(fake_em, args(), waits=3)()
    assert run.ids() == [sid(1), sid(2)]
    assert run.waits == [30, 2, 30]


def test_poll_that_fails_after_finding_sessions_loses_nothing(fake_em):
    fake_em.logon()
    fake_em.expect("GET", "/query", body=query_result([ended(1, 1, result="Failed")]))
    for _attempt in range(4):  # its task sessions cannot be read: the whole poll fails, nothing is sent
        fake_em.expect("GET", "/query", 503, xml_error(503, "busy"))
    fake_em.expect("GET", "/query", body=query_result([ended(1, 1, result="Failed"), ended(2, 2)]))
    fake_em.expect("GET", "/query", body=query_result([task_session_xml(sid(11), sid(1), result="Failed",
                                                                        reason="Disk full")], "BackupTaskSessions"))
    fake_em.logout()
    run = Run(fake_em, args(), waits=2)()
    assert run.ids() == [sid(1), sid(2)] and run.waits == [2, 30]
    assert run.events[0]["backup_session"]["task_sessions"][0]["reason"] == "Disk full"


def test_cancel_while_the_queue_is_full_keeps_what_was_not_handed_over(fake_em, tmp_path):
    """ansible-rulebook's queue holds one event: an event counts as sent once it is on the queue."""
    state = str(tmp_path / "state.json")
    fake_em.logon()
    fake_em.expect("GET", "/query", body=query_result([ended(1, 1), ended(2, 2), ended(3, 3)]))
    fake_em.logout()
    src = source.EventSource(args(state_file=state))

    async def go():
        queue = asyncio.Queue(maxsize=1)
        task = asyncio.ensure_future(src.run(queue))
        first = await asyncio.wait_for(queue.get(), 30)
        while not queue.full():  # the second event goes in; the third waits for room
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return [first, queue.get_nowait()]

    handed = asyncio.run(go())
    assert [e["backup_session"]["id"] for e in handed] == [sid(1), sid(2)]
    saved = json.load(open(state))["trackers"]["finished"]
    assert sorted(saved["sent"]) == [sid(1), sid(2)] and saved["watermark"] == at(0)  # not past the third
    fake_em.logon()
    fake_em.expect("GET", "/query", body=query_result([ended(1, 1), ended(2, 2), ended(3, 3)]))
    fake_em.logout()
    assert Run(fake_em, args(state_file=state))().ids() == [sid(3)]


def test_rejected_password_stops_the_source_at_once(fake_em):
    fake_em.expect("POST", "/sessionMngr/", 401, xml_error(401, "Unauthorized"))
    with pytest.raises(VeeamEmError, match="password rejected") as err:
        Run(fake_em, args(), waits=5)()
    assert PASSWORD not in str(err.value)


def test_cancel_logs_off_and_no_secret_is_logged(fake_em, caplog):
    fake_em.logon()
    fake_em.expect("GET", "/query", 503, xml_error(503, "busy"))
    fake_em.expect("GET", "/query", body=query_result([ended(1, 1)]))
    fake_em.logout()
    queue = asyncio.Queue()
    src = source.EventSource(args())

    async def go():
        task = asyncio.ensure_future(src.run(queue))
        event = await asyncio.wait_for(queue.get(), 30)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return event

    event = asyncio.run(go())
    assert event["backup_session"]["id"] == sid(1)
    assert fake_em.summary()[-1] == LOGOUT
    assert TOKEN not in caplog.text and PASSWORD not in caplog.text


# -- state file ------------------------------------------------------------------------
def test_state_file_restart_neither_replays_nor_loses(fake_em, tmp_path):
    state = str(tmp_path / "state.json")
    fake_em.logon()
    fake_em.expect("GET", "/query", body=query_result([ended(1, 1), ended(2, 2)]))
    fake_em.logout()
    Run(fake_em, args(state_file=state))()
    saved = json.load(open(state))
    assert saved["trackers"]["finished"]["watermark"] == at(2)
    assert sorted(saved["trackers"]["finished"]["sent"]) == [sid(1), sid(2)]
    assert os.listdir(str(tmp_path)) == ["state.json"]  # no temporary file left
    # the rulebook restarts (since is later now: the state file wins); 3 ended while it was down
    fake_em.logon(logon_id=LOGON_ID)
    fake_em.expect("GET", "/query", body=query_result([ended(1, 1), ended(2, 2), ended(3, 4)]))
    fake_em.logout()
    second = Run(fake_em, args(state_file=state, since=at(60)))()
    assert second.ids() == [sid(3)]
    assert queries(fake_em)[-1] == finished_query(at(0))  # the first run's since still holds


def test_state_file_of_another_server_or_broken(fake_em, tmp_path):
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"version": 1, "base_url": "https://other:9398/api", "trackers": {}}))
    with pytest.raises(VeeamEmError, match="belongs to Enterprise Manager at https://other:9398/api"):
        source.EventSource(args(state_file=str(state)))
    state.write_text("{not json")
    with pytest.raises(VeeamEmError, match="state_file .* cannot be read"):
        source.EventSource(args(state_file=str(state)))
    assert fake_em.calls == []


# -- options -----------------------------------------------------------------------------
@pytest.mark.parametrize("bad, message", [
    (dict(interval=0), "interval must be from 1 to 86400"),
    (dict(interval="soon"), "interval"),
    (dict(event_types=["ended"]), "event_types"),
    (dict(result=["Bad"]), "result"),
    (dict(since="yesterday"), "since 'yesterday'"),
    (dict(overlap=-1), "overlap must be from 0"),
    (dict(max_backoff=0), "max_backoff must be from 1"),
    (dict(job_name=[""]), "job_name must not contain an empty name"),
    (dict(server=None), "server is required"),
    (dict(intervall=5), "unsupported option intervall"),
])
def test_bad_arguments_fail_before_any_request(fake_em, monkeypatch, bad, message):
    monkeypatch.delenv("VEEAM_EM_SERVER", raising=False)
    with pytest.raises(VeeamEmError, match=message) as err:
        source.EventSource(args(**bad))
    assert str(err.value).startswith("backupops.veeam_em.backup_sessions: ")
    assert fake_em.calls == []


def test_empty_values_count_as_not_set(fake_em):
    src = source.EventSource(args(event_types=[], job_name="", result=None, state_file=""))
    assert src.params["event_types"] == ["finished"] and src.params["job_name"] is None
    assert src.state_file is None


def test_connection_from_veeam_em_environment(fake_em, monkeypatch):
    monkeypatch.setenv("VEEAM_EM_SERVER", "em.example.com")
    monkeypatch.setenv("VEEAM_EM_USER", "Administrator")
    monkeypatch.setenv("VEEAM_EM_PASSWORD", PASSWORD)
    monkeypatch.setenv("VEEAM_EM_TIMEOUT", "7")
    src = source.EventSource({"since": at(0)})
    assert src.options.base_url == "https://em.example.com:9398/api" and src.options.timeout == 7


def test_documentation_lists_every_option():
    doc = yaml.safe_load(source.DOCUMENTATION)
    fragment = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)
    documented = set(doc["options"]) | set(fragment["options"])
    assert documented == set(source.ARGUMENT_SPEC) | set(source.connection_argument_spec())
    for name, spec in source.ARGUMENT_SPEC.items():
        assert doc["options"][name]["type"] == spec["type"]
        assert doc["options"][name].get("default") == spec.get("default")
        assert doc["options"][name].get("choices") == spec.get("choices")
    yaml.safe_load(source.EXAMPLES)


def test_module_utils_of_another_copy_of_the_collection_is_named_in_a_warning(tmp_path):
    class Module(object):
        def __init__(self, path):
            self.__file__ = path

    def tree(root):
        base = tmp_path / root / "ansible_collections" / "backupops" / "veeam_em"
        return (str(base / "extensions" / "eda" / "plugins" / "event_source" / "backup_sessions.py"),
                Module(str(base / "plugins" / "module_utils" / "_client.py")))

    mine, my_client = tree("collections")
    _theirs, their_client = tree("site-packages")
    assert source._other_copy(mine, my_client) is None
    warning = source._other_copy(mine, their_client)
    assert warning == ("the source %s runs with the module_utils of another copy of the collection, %s, which Python "
                       "finds first on sys.path: install one copy only (or the same version in both places)"
                       % (mine, tmp_path / "site-packages" / "ansible_collections" / "backupops" / "veeam_em"))
    assert source._other_copy(str(tmp_path / "backup_sessions.py"), their_client) is None  # not in a collection
