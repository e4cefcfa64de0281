# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The query service: filter grammar, enumerations, dates, sorting, paging, formats and 400s."""

import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest

from emutest import NS, find, findall, links
from em_emulator.constants import RESULTS, SESSION_STATES
from em_emulator.filters import FilterError, compile_filter


def q(client, query, **kw):
    """JSON entities of a BackupJobSession query (all pages)."""
    body = client.json("query?type=BackupJobSession&format=Entities&filter=" + quote(query, safe="=;,()<>!\""), **kw)
    return body["Entities"]["BackupJobSessions"]["BackupJobSessions"]


@pytest.fixture(scope="module")
def data(emu):
    return emu.app.data


def expect(data, pred):
    return sorted(s.id for s in data.sessions if pred(s))


def ids(items):
    return sorted(x["UID"].rsplit(":", 1)[1] for x in items)


def test_every_comparison_operator(admin, data):
    cut = "2026-01-10T00:00:00Z"
    from em_emulator.timeutil import parse_iso
    ts = parse_iso(cut)
    assert ids(q(admin, "CreationTime>" + cut)) == expect(data, lambda s: s.ctime > ts)
    assert ids(q(admin, "CreationTime>=" + cut)) == expect(data, lambda s: s.ctime >= ts)
    assert ids(q(admin, "CreationTime<" + cut)) == expect(data, lambda s: s.ctime < ts)
    assert ids(q(admin, "CreationTime<=" + cut)) == expect(data, lambda s: s.ctime <= ts)
    assert ids(q(admin, "Result==Warning")) == expect(data, lambda s: s.result == "Warning")
    assert ids(q(admin, "Result!=Success")) == expect(data, lambda s: s.result != "Success")


def test_enum_order_and_case(admin, data):
    order = RESULTS.index
    assert ids(q(admin, "result>success")) == expect(data, lambda s: order(s.result) > order("Success"))
    assert ids(q(admin, "Result>=Warning")) == expect(data, lambda s: s.result in ("Warning", "Failed"))
    states = SESSION_STATES.index
    assert ids(q(admin, "State<Stopped")) == expect(data, lambda s: states(s.state) < states("Stopped"))
    assert ids(q(admin, "JOBTYPE==nasbackup")) == expect(data, lambda s: s.job.job_type == "NasBackup")
    assert ids(q(admin, "IsRetry==TRUE")) == expect(data, lambda s: s.is_retry)


def test_quotes_spaces_and_doubled_quotes(admin, data):
    got = q(admin, 'JobName=="SQL ""Prod"" Backup"')
    assert got and all(x["JobName"] == 'SQL "Prod" Backup' for x in got)
    assert ids(got) == expect(data, lambda s: s.job.name == 'SQL "Prod" Backup')
    assert q(admin, 'jobname=="düsseldorf fileserver"')  # case-insensitive, unicode
    assert q(admin, 'JobName=="Mailserver, weekly"')  # a comma inside quotes
    assert ids(q(admin, "JobName==Fileserver Backup")) == []  # unquoted spaces are ignored: FileserverBackup


def test_only_ascii_quotes_delimit(admin, data):
    # The request examples of the pages quote with '"' (filter=name=="Exchange Backup"); the typographic quotes
    # of the optional_query_parameters page's prose are typesetting: ordinary characters, quoted or bare.
    assert ids(q(admin, "JobName==\u201dFileserver Backup\u201d")) == []  # bare \u201dFileserverBackup\u201d
    assert ids(q(admin, "JobName==\u201cFileserver Backup\u201d")) == []
    prod = "Backup \u201cProd\u201d"
    got = q(admin, 'JobName=="Backup \u201cProd\u201d"')
    assert got and all(x["JobName"] == prod for x in got)
    assert ids(got) == expect(data, lambda s: s.job.name == prod)
    assert ids(q(admin, "JobName==Backup\u201cProd\u201d")) == []  # bare: spaces dropped, so no match
    assert ids(q(admin, 'JobName=="Backup \u201cProd\u201d";Result==Failed,JobName=="SQL ""Prod"" Backup"')) == \
        expect(data, lambda s: (s.job.name == prod and s.result == "Failed") or s.job.name == 'SQL "Prod" Backup')


def test_vm_names_with_comma_and_typographic_quotes(admin, data):
    names = sorted(set(t.vm for t in data.task_sessions if "," in t.vm or "\u201c" in t.vm))
    assert len(names) == 2, names
    for vm in names:
        body = admin.json("query?type=BackupTaskSession&format=Entities&filter=" + quote(
            'VmDisplayName=="%s"' % vm.replace('"', '""'), safe="=\""))
        got = body["Entities"]["BackupTaskSessions"]["BackupTaskSessions"]
        assert got and sorted(t["UID"].rsplit(":", 1)[1] for t in got) == sorted(
            t.id for t in data.task_sessions if t.vm == vm), vm
        assert all(t["VmDisplayName"] == vm for t in got)


def test_grouping_and_precedence(admin, data):
    # ";" binds tighter than ","
    a = ids(q(admin, "State==Working,Result==Failed;IsRetry==true"))
    assert a == expect(data, lambda s: s.state == "Working" or (s.result == "Failed" and s.is_retry))
    b = ids(q(admin, "(State==Working,Result==Failed);IsRetry==true"))
    assert b == expect(data, lambda s: (s.state == "Working" or s.result == "Failed") and s.is_retry)
    assert a != b
    c = ids(q(admin, "((JobType==Backup));(Result==Warning,(Result==Failed;IsRetry==false))"))
    assert c == expect(data, lambda s: s.job.job_type == "Backup" and (
        s.result == "Warning" or (s.result == "Failed" and not s.is_retry)))


def test_uids_and_end_time(admin, data):
    sid = "d46e39e0-1131-4585-91a7-e828ce7eafae"
    assert ids(q(admin, "UID==" + sid)) == [sid]
    assert ids(q(admin, "UID==urn:veeam:BackupJobSession:" + sid.upper())) == [sid]
    job = "urn:veeam:Job:4856ab37-2235-45e8-affe-d515878b01a9"
    assert ids(q(admin, "JobUid==" + job)) == expect(data, lambda s: s.job.id == job.rsplit(":", 1)[1])
    srv = "ce15a8c7-aa49-495e-b05b-ee3398c91018"
    assert ids(q(admin, "BackupServerUid==" + srv)) == expect(data, lambda s: s.job.server.id == srv)
    assert ids(q(admin, 'BackupServerName=="appsrv01.tech.local"')) == expect(
        data, lambda s: s.job.server.name == "appsrv01.tech.local")
    # a running session has no EndTime: only "!=" matches it
    running = expect(data, lambda s: s.etime is None)
    assert not set(running) & set(ids(q(admin, "EndTime>2000-01-01T00:00:00Z")))
    assert set(running) <= set(ids(q(admin, "EndTime!=2000-01-01T00:00:00Z")))
    assert ids(q(admin, 'Name=="Fileserver Backup@2014-10-19 05:22:52"')) == [sid]


def test_task_session_fields(admin, emu):
    data = emu.app.data
    body = admin.json("query?type=BackupTaskSession&format=Entities&filter=" + quote(
        "TotalSize>=64424509440;State==Completed;Reason==\"\";JobName==\"Fileserver Backup\"", safe="=;\"<>"))
    got = sorted(t["UID"].rsplit(":", 1)[1] for t in body["Entities"]["BackupTaskSessions"]["BackupTaskSessions"])
    assert got == sorted(t.id for t in data.task_sessions if t.total_size >= 64424509440 and t.state == "Completed"
                         and t.reason == "" and t.session.job.name == "Fileserver Backup")
    sid = "d46e39e0-1131-4585-91a7-e828ce7eafae"
    body = admin.json("query?type=BackupTaskSession&filter=JobSessionUid==" + sid)
    assert [r["Name"] for r in body["Refs"]["Refs"]] == ["srv04@2014-10-19 05:23:44"]
    for field in ("UID", "Name", "CreationTime", "EndTime", "State", "Result", "Reason", "TotalSize", "JobSessionUid",
                  "JobUid", "JobName", "BackupServerUid", "BackupServerName", "VmDisplayName"):
        assert admin.get("query?type=BackupTaskSession&pageSize=1&sortAsc=" + field).status_code == 200, field


@pytest.mark.parametrize("bad", [
    "Result=Failed", "Result==", "Bogus==1", "Result==Maybe", "(Result==Failed", "Result==Failed)",
    'Name=="open', "CreationTime>yesterday", "IsRetry==perhaps", "Result==Failed;", ",Result==Failed",
    "TotalSize>big", "==Failed",
])
def test_malformed_filters_400(admin, bad):
    qtype = "BackupTaskSession" if "TotalSize" in bad else "BackupJobSession"
    r = admin.get("query?type=%s&filter=%s" % (qtype, quote(bad)))
    assert r.status_code == 400, bad
    root = ET.fromstring(r.content)
    assert root.tag == NS + "Error" and root.get("StatusCode") == "400" and root.get("Message")
    rj = admin.get("query?type=%s&filter=%s" % (qtype, quote(bad)), json=True)
    assert rj.status_code == 400 and rj.json()["StatusCode"] == 400


@pytest.mark.parametrize("query, status", [
    ("query", 400), ("query?type=Nonsense", 400), ("query?type=Replica", 501),
    ("query?type=BackupJobSession&format=Weird", 400), ("query?type=BackupJobSession&pageSize=0", 400),
    ("query?type=BackupJobSession&pageSize=x", 400), ("query?type=BackupJobSession&pageSize=5&page=0", 400),
    ("query?type=BackupJobSession&sortAsc=Nope", 400), ("query?type=BackupJobSession&sortAsc=Name&sortDesc=Name", 400),
])
def test_bad_queries(admin, query, status):
    r = admin.get(query)
    assert r.status_code == status
    assert ET.fromstring(r.content).get("StatusCode") == str(status)


def test_parser_unit():
    with pytest.raises(FilterError):
        compile_filter("State==Working;;State==Stopped", "BackupJobSession")
    pred = compile_filter(" state == working , ( result == failed ; isretry == true ) ", "BackupJobSession")

    class S(object):
        def __init__(self, state, result, retry):
            self.state, self.result, self.is_retry = state, result, retry
    assert pred(S("Working", "None", False))
    assert pred(S("Stopped", "Failed", True))
    assert not pred(S("Stopped", "Failed", False))


def test_sorting(admin, data):
    def names(query):
        return [x["Name"] for x in admin.json(query)["Entities"]["BackupJobSessions"]["BackupJobSessions"]]
    asc = admin.json("query?type=BackupJobSession&format=Entities&sortAsc=creationtime")
    times = [x["CreationTimeUTC"] for x in asc["Entities"]["BackupJobSessions"]["BackupJobSessions"]]
    assert times == sorted(times)
    desc = names("query?type=BackupJobSession&format=Entities&sortDesc=JobName&filter=JobType==Backup")
    jobnames = [n.rsplit("@", 1)[0].casefold() for n in desc]
    assert jobnames == sorted(jobnames, reverse=True)
    res = admin.json("query?type=BackupJobSession&format=Entities&sortAsc=Result")
    order = [RESULTS.index(x["Result"]) for x in res["Entities"]["BackupJobSessions"]["BackupJobSessions"]]
    assert order == sorted(order)
    end = admin.json("query?type=BackupJobSession&format=Entities&sortAsc=EndTime")
    first = end["Entities"]["BackupJobSessions"]["BackupJobSessions"][0]
    assert first["EndTimeUTC"] is None  # missing values first


def test_paging_links_and_counts(admin, emu):
    total = len(emu.app.data.sessions)
    base = emu.url + "query?type=BackupJobSession&pageSize=100&sortAsc=CreationTime"
    root = admin.xml(base + "&page=3")
    paging = find(root, "PagingInfo")
    pages = -(-total // 100)
    assert (paging.get("PageNum"), paging.get("PageSize"), paging.get("PagesCount")) == ("3", "100", str(pages))
    assert links(paging) == [
        ("First", None, base + "&page=1", None), ("Previous", None, base + "&page=2", None),
        ("Next", None, base + "&page=4", None), ("Last", None, base + "&page=%d" % pages, None)]
    # walking the Next links visits every session exactly once
    seen = []
    url = base + "&page=1"
    while url:
        body = admin.json(url)
        seen.extend(r["UID"] for r in body["Refs"]["Refs"])
        nxt = [lk["Href"] for lk in body["PagingInfo"]["Links"] if lk["Rel"] == "Next"]
        url = nxt[0] if nxt else None
    assert len(seen) == total == len(set(seen))
    last = admin.json(base + "&page=%d" % pages)
    assert [lk["Rel"] for lk in last["PagingInfo"]["Links"]] == ["First", "Previous", "Last"]
    assert len(last["Refs"]["Refs"]) == total - 100 * (pages - 1)
    beyond = admin.json(base + "&page=%d" % (pages + 5))
    assert beyond["Refs"]["Refs"] == []
    unpaged = admin.json("query?type=BackupJobSession")
    assert unpaged["PagingInfo"]["PagesCount"] == 1 and len(unpaged["Refs"]["Refs"]) == total
    assert unpaged["Entities"] is None


def test_formats(admin):
    refs = admin.xml("query?type=BackupJobSession&pageSize=2")
    assert [r.get("Type") for r in findall(refs, "Refs/Ref")] == ["BackupJobSessionReference"] * 2
    assert find(refs, "Entities") is None
    ents = admin.xml("query?type=BackupJobSession&format=entities&pageSize=2")
    assert len(findall(ents, "Entities/BackupJobSessions/BackupJobSession")) == 2
    js = admin.json("query?type=BackupTaskSession&format=Entities&pageSize=2")
    assert js["Refs"] is None and len(js["Entities"]["BackupTaskSessions"]["BackupTaskSessions"]) == 2
    empty = admin.xml("query?type=BackupJobSession&filter=UID==00000000-0000-0000-0000-000000000000")
    assert findall(empty, "Refs/Ref") == [] and find(empty, "PagingInfo").get("PagesCount") == "1"
