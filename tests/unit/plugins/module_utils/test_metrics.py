# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_metrics: the exact samples of a report, read back with prometheus_client's text parser; escaping;
unknown sizes; the atomic write of the textfile collector's file; the path checks."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import os
import stat

import pytest
from prometheus_client.parser import text_string_to_metric_families

from ansible_collections.backupops.veeam_em.plugins.module_utils import _metrics
from ansible_collections.backupops.veeam_em.plugins.module_utils import _report
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 1, 15, 6, 0, 5, tzinfo=UTC)  # 1768456805
WINDOW = {"spec": "24h", "start": "2026-01-14T06:00:00Z", "end": "2026-01-15T06:00:00Z", "seconds": 86400}
AWKWARD = u'Fin "Ledger" \\ share\nline two \u2013 S\u00e9rie \u65e5\u672c'
REF = "urn:VMware:Vm:7f6b6270-1f3b-4dc6-872f-2d1dfc519c00.vm-%d"


def session(sid, job, created, end=None, state="Stopped", result="Success", job_type="Backup", server="vbr01"):
    return {"id": sid, "name": "%s@%s" % (job, created), "job_name": job, "job_type": job_type,
            "backup_server_name": server, "creation_time": created, "end_time": end, "state": state, "result": result,
            "is_retry": False}


def vm(name, number, status, point=None, jobs=("Finance Backup",), server="vbr01"):
    return {"vm_name": name, "vm_ref": REF % number, "backup_server_name": server, "job_names": list(jobs),
            "status": status, "latest_restore_point_time": point, "latest_restore_point_id": "p" if point else None,
            "age_seconds": None, "last_result": None, "last_reason": None}


def repo(name, capacity, free, server="vbr01"):
    return {"id": name, "name": name, "kind": "WindowsLocal", "capacity_bytes": capacity, "free_bytes": free,
            "backup_server_name": server, "low": False}


def a_report():
    """Five jobs: the newest finished session decides (SQL recovered), a running one and one without a result
    have no last result; three VMs (protected, breached, unprotected); a repository of unknown size."""
    sessions = [
        session("a1", "SQL", "2026-01-14T22:00:00Z", "2026-01-14T22:30:00Z", result="Failed"),
        session("a2", "SQL", "2026-01-14T22:40:00Z", "2026-01-14T23:10:00Z", result="Success"),
        session("f1", "Files", "2026-01-15T01:00:00Z", "2026-01-15T01:20:00Z", result="Warning"),
        session("m1", "Mail", "2026-01-14T10:00:00Z", "2026-01-14T10:05:00Z", result="Failed",
                job_type="BackupCopy", server="vbr02"),
        session("r1", "Night", "2026-01-15T05:00:00Z", state="Working", result="None"),
        session("n1", "Odd", "2026-01-15T02:00:00Z", "2026-01-15T03:00:00Z", result="None"),
    ]
    protection = {
        "protection": {"rpo": "24h", "containers": [],
                       "vms": [vm("fin-app01", 1, "protected", "2026-01-14T21:00:00Z"),
                               vm("fin-db01", 2, "breached", "2026-01-10T21:00:00Z", jobs=("Finance Backup", "SQL")),
                               vm("fin-new01", 3, "unprotected")],
                       "summary": {"total": 3, "protected": 1, "breached": 1, "unprotected": 1, "rpo_seconds": 86400}},
        "fail_on": [], "free_percent_below": None,
        "repositories": {"items": [repo("Default Backup Repository", 1000, 250), repo("Cloud", None, None),
                                   repo("Half known", 2000, None, server="vbr02")],
                         "summary": {}, "free_percent_below": None}}
    data = _report.session_report(sessions, window=WINDOW, generated_at="2026-01-15T06:00:04Z", protection=protection)
    return dict((key, data[key]) for key in _report.REPORT_KEYS)


def samples(text):
    """(name, labels, value) of every sample, as prometheus_client's parser reads the text."""
    return set((s.name, tuple(sorted(s.labels.items())), s.value)
               for family in text_string_to_metric_families(text) for s in family.samples)


def labels(**kwargs):
    return tuple(sorted(kwargs.items()))


def job(name, server, job_type):
    return dict(em="em1", backup_server=server, job_name=name, job_type=job_type)


def vm_labels(name, number, jobs):
    return dict(em="em1", backup_server="vbr01", vm_name=name, vm_ref=REF % number, job_name=jobs)


EXPECTED = set([
    ("veeam_em_up", labels(em="em1"), 1.0),
    ("veeam_em_report_timestamp_seconds", labels(em="em1"), 1768456805.0),
    ("veeam_em_report_window_seconds", labels(em="em1"), 86400.0),
    ("veeam_em_sessions", labels(em="em1", result="Success"), 1.0),
    ("veeam_em_sessions", labels(em="em1", result="Warning"), 1.0),
    ("veeam_em_sessions", labels(em="em1", result="Failed"), 2.0),
    ("veeam_em_sessions", labels(em="em1", result="None"), 2.0),
    ("veeam_em_job_last_result", labels(**job("SQL", "vbr01", "Backup")), 0.0),
    ("veeam_em_job_last_result", labels(**job("Files", "vbr01", "Backup")), 1.0),
    ("veeam_em_job_last_result", labels(**job("Mail", "vbr02", "BackupCopy")), 2.0),
    ("veeam_em_job_last_end_timestamp_seconds", labels(**job("SQL", "vbr01", "Backup")), 1768432200.0),
    ("veeam_em_job_last_end_timestamp_seconds", labels(**job("Files", "vbr01", "Backup")), 1768440000.0),
    ("veeam_em_job_last_end_timestamp_seconds", labels(**job("Mail", "vbr02", "BackupCopy")), 1768385100.0),
    # Odd ended without a result: its end, no result; Night is running: nothing
    ("veeam_em_job_last_end_timestamp_seconds", labels(**job("Odd", "vbr01", "Backup")), 1768446000.0),
    ("veeam_em_vm_rpo_seconds", labels(em="em1"), 86400.0),
    ("veeam_em_vm_last_restore_point_timestamp_seconds", labels(**vm_labels("fin-app01", 1, "Finance Backup")),
     1768424400.0),
    ("veeam_em_vm_last_restore_point_timestamp_seconds", labels(**vm_labels("fin-db01", 2, "Finance Backup, SQL")),
     1768078800.0),
    ("veeam_em_vm_rpo_breached", labels(**vm_labels("fin-app01", 1, "Finance Backup")), 0.0),
    ("veeam_em_vm_rpo_breached", labels(**vm_labels("fin-db01", 2, "Finance Backup, SQL")), 1.0),
    ("veeam_em_vm_rpo_breached", labels(**vm_labels("fin-new01", 3, "Finance Backup")), 1.0),
    ("veeam_em_repository_capacity_bytes", labels(em="em1", backup_server="vbr01",
                                                  repository="Default Backup Repository"), 1000.0),
    ("veeam_em_repository_free_bytes", labels(em="em1", backup_server="vbr01",
                                              repository="Default Backup Repository"), 250.0),
    ("veeam_em_repository_capacity_bytes", labels(em="em1", backup_server="vbr02", repository="Half known"), 2000.0),
])


def test_the_exact_samples_of_a_report():
    text = _metrics.metrics_text([{"em": "em1", "up": True, "report": a_report()}], now=NOW)
    assert samples(text) == EXPECTED
    assert text.endswith('repository="Default Backup Repository"} 250\n')


def test_help_and_type_once_per_family_its_samples_together_a_line_feed_at_the_end():
    report = a_report()
    text = _metrics.metrics_text([{"em": "em1", "up": True, "report": report},
                                  {"em": "em2", "up": False, "report": None},
                                  {"em": "em3", "up": True, "report": report}], now=NOW)
    assert text.endswith("\n") and not text.endswith("\n\n")
    lines = text.splitlines()
    names = [line.split("{")[0] for line in lines if not line.startswith("#")]
    families = [line.split()[2] for line in lines if line.startswith("# TYPE")]
    assert [line.split()[3] for line in lines if line.startswith("# TYPE")] == ["gauge"] * len(families)
    assert families == [line.split()[2] for line in lines if line.startswith("# HELP")]
    assert len(families) == len(set(families)) == 11
    # grouped: a family's samples follow its TYPE line, and no family comes back later
    assert [name for index, name in enumerate(names) if index == 0 or names[index - 1] != name] == families
    assert lines[:5] == [
        "# HELP veeam_em_up " + dict(_metrics.FAMILIES)["veeam_em_up"], "# TYPE veeam_em_up gauge",
        'veeam_em_up{em="em1"} 1', 'veeam_em_up{em="em2"} 0', 'veeam_em_up{em="em3"} 1']
    parsed = dict((family.name, family) for family in text_string_to_metric_families(text))
    assert sorted(parsed) == sorted(families)
    assert set(family.type for family in parsed.values()) == set(["gauge"])


def test_an_em_that_is_down_has_up_0_and_its_timestamp_only():
    text = _metrics.metrics_text([{"em": "em-emea", "up": False, "report": None}], now=NOW)
    assert text == (
        "# HELP veeam_em_up %s\n# TYPE veeam_em_up gauge\nveeam_em_up{em=\"em-emea\"} 0\n"
        "# HELP veeam_em_report_timestamp_seconds %s\n# TYPE veeam_em_report_timestamp_seconds gauge\n"
        "veeam_em_report_timestamp_seconds{em=\"em-emea\"} 1768456805\n"
        % (dict(_metrics.FAMILIES)["veeam_em_up"], dict(_metrics.FAMILIES)["veeam_em_report_timestamp_seconds"]))
    assert samples(text) == set([("veeam_em_up", labels(em="em-emea"), 0.0),
                                 ("veeam_em_report_timestamp_seconds", labels(em="em-emea"), 1768456805.0)])


def test_without_the_protection_part_no_vm_and_no_repository_family():
    data = _report.session_report([session("a1", "SQL", "2026-01-14T22:00:00Z", "2026-01-14T22:30:00Z")],
                                  window=WINDOW)
    text = _metrics.metrics_text([{"em": "em1", "up": True, "report": data}], now=NOW)
    assert [family.name for family in text_string_to_metric_families(text)] == [
        "veeam_em_up", "veeam_em_report_timestamp_seconds", "veeam_em_report_window_seconds", "veeam_em_sessions",
        "veeam_em_job_last_result", "veeam_em_job_last_end_timestamp_seconds"]


def test_awkward_names_are_escaped_and_read_back_as_they_were():
    data = _report.session_report([session("a1", AWKWARD, "2026-01-14T22:00:00Z", "2026-01-14T22:30:00Z",
                                           result="Failed", server=u'vbr "\u00e9"\\')], window=WINDOW)
    em = u'em\\"1"\n\u00fc'
    text = _metrics.metrics_text([{"em": em, "up": True, "report": data}], now=NOW)
    assert (u'veeam_em_job_last_result{em="em\\\\\\"1\\"\\n\u00fc",backup_server="vbr \\"\u00e9\\"\\\\",'
            u'job_name="Fin \\"Ledger\\" \\\\ share\\nline two \u2013 S\u00e9rie \u65e5\u672c",job_type="Backup"} 2'
            in text.splitlines())
    parsed = [s for family in text_string_to_metric_families(text) for s in family.samples
              if s.name == "veeam_em_job_last_result"]
    assert [(s.labels, s.value) for s in parsed] == [
        ({"em": em, "backup_server": u'vbr "\u00e9"\\', "job_name": AWKWARD, "job_type": "Backup"}, 2.0)]
    assert _metrics.escape('a\\b"c\nd') == 'a\\\\b\\"c\\nd'


def test_no_sample_where_em_does_not_know_a_size():
    repositories = {"items": [repo("Unknown", None, None), repo("Free unknown", 500, None),
                              repo("Capacity unknown", None, 100)], "summary": {}, "free_percent_below": None}
    data = dict(a_report(), repositories=repositories)
    found = [s for s in samples(_metrics.metrics_text([{"em": "em1", "up": True, "report": data}], now=NOW))
             if s[0].startswith("veeam_em_repository_")]
    assert sorted(found) == [
        ("veeam_em_repository_capacity_bytes", labels(em="em1", backup_server="vbr01", repository="Free unknown"),
         500.0),
        ("veeam_em_repository_free_bytes", labels(em="em1", backup_server="vbr01", repository="Capacity unknown"),
         100.0)]


def test_the_results_and_their_values_come_from_ems_vocabulary():
    assert _metrics.JOB_RESULT_VALUES == {"Success": 0, "Warning": 1, "Failed": 2}


def test_now_must_be_aware_and_em_a_name():
    with pytest.raises(VeeamEmError, match="aware"):
        _metrics.metrics_text([], now=datetime.datetime(2026, 1, 15))
    with pytest.raises(VeeamEmError, match="em of a metrics entry"):
        _metrics.metrics_text([{"em": "", "up": False, "report": None}], now=NOW)


# -- the file ------------------------------------------------------------------------------------------------

def test_write_textfile_replaces_the_file_at_once(tmp_path, monkeypatch):
    target = tmp_path / "veeam_em.prom"
    target.write_text("veeam_em_up{em=\"em1\"} 1\n")
    seen = []
    replace = os.replace

    def watching_replace(source, destination):
        # at the rename: the old file is whole, the new text is complete under a name the collector skips
        seen.append((os.path.basename(source), target.read_text(), open(source).read(),
                     stat.S_IMODE(os.stat(source).st_mode), os.path.dirname(source) == str(tmp_path), destination))
        replace(source, destination)

    monkeypatch.setattr(os, "replace", watching_replace)
    _metrics.write_textfile(str(target), "veeam_em_up{em=\"em1\"} 0\n")
    assert len(seen) == 1
    name, old, new, mode, same_directory, destination = seen[0]
    assert name.startswith(".veeam_em.prom.") and name.endswith(".tmp") and not name.endswith(".prom")
    assert (old, new, mode, same_directory, destination) == (
        "veeam_em_up{em=\"em1\"} 1\n", "veeam_em_up{em=\"em1\"} 0\n", 0o644, True, str(target))
    assert target.read_text() == "veeam_em_up{em=\"em1\"} 0\n"
    assert sorted(os.listdir(str(tmp_path))) == ["veeam_em.prom"]  # no temporary file left
    assert stat.S_IMODE(os.stat(str(target)).st_mode) == 0o644


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path, monkeypatch):
    target = tmp_path / "veeam_em.prom"
    target.write_text("old\n")

    def failing_replace(source, destination):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(VeeamEmError) as failed:
        _metrics.write_textfile(str(target), "new\n")
    assert failed.value.msg == "could not write the metrics file %s: [Errno 28] No space left on device" % target
    assert target.read_text() == "old\n"
    assert os.listdir(str(tmp_path)) == ["veeam_em.prom"]


def test_write_textfile_into_a_directory_that_is_not_there_says_so(tmp_path):
    with pytest.raises(VeeamEmError, match="could not write the metrics file .*/gone/x.prom: "):
        _metrics.write_textfile(str(tmp_path / "gone" / "x.prom"), "x\n")


def test_check_path(tmp_path):
    assert _metrics.check_path(str(tmp_path / "veeam_em.prom")) == str(tmp_path / "veeam_em.prom")
    (tmp_path / "dir.prom").mkdir()
    bad = [
        (str(tmp_path / "veeam_em.txt"), "metrics_file %r must name a file ending in .prom (node_exporter's textfile "
                                         "collector reads only those), such as veeam_em.prom"
         % str(tmp_path / "veeam_em.txt")),
        (str(tmp_path / "none" / "veeam_em.prom"), "metrics_file %r: the directory %s does not exist; create it (the "
                                                   "directory node_exporter's --collector.textfile.directory reads) or "
                                                   "give another path"
         % (str(tmp_path / "none" / "veeam_em.prom"), tmp_path / "none")),
        (str(tmp_path / "dir.prom"), "metrics_file %r is a directory: give the path of a file in it, such as %s"
         % (str(tmp_path / "dir.prom"), tmp_path / "dir.prom" / "veeam_em.prom")),
        (str(tmp_path / ".prom"), "metrics_file %r must name a file ending in .prom" % str(tmp_path / ".prom")),
        ("", "metrics_file must be the path of a file ending in .prom"),
    ]
    for path, message in bad:
        with pytest.raises(VeeamEmError) as failed:
            _metrics.check_path(path)
        assert failed.value.msg.startswith(message), (path, failed.value.msg)
