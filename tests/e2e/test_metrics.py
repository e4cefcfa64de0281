# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Prometheus metrics against the emulator, and docs/metrics.md's examples run as written.

* docs/metrics.md's extra variables of the AWX job template (``metrics_file``, ``rpo``, ...), with the two
  directories a reader picks for their host, run playbooks/report.yml (and so the role and the module):
  the ``.prom`` file is read with prometheus_client's parser and held to the JSON report of the same run.
* An EM that refuses the logon or does not answer: the file is replaced by ``veeam_em_up 0``.
* Every query of docs/grafana-veeam-em.json and every alert rule of docs/metrics.md names metrics (and
  labels) the real file has.
"""

from __future__ import absolute_import, division, print_function

import json
import os
import re
import socket
import subprocess
import sys

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from ansible_collections.backupops.veeam_em.plugins.module_utils import _metrics
from ansible_collections.backupops.veeam_em.plugins.module_utils import _protection
from ansible_collections.backupops.veeam_em.plugins.module_utils import _sessions

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(os.path.abspath(sys.executable))
DOC = os.path.join(REPO, "docs", "metrics.md")
DASHBOARD = os.path.join(REPO, "docs", "grafana-veeam-em.json")
METRIC = re.compile(r"\bveeam_em_[a-z_]+\b")
# the unknown-size repository of the emulator's data (object storage: EM says -1)
UNKNOWN_SIZE_REPOSITORY = "Scale-out Object Storage"


def yaml_block_containing(text):
    with open(DOC, encoding="utf-8") as handle:
        found = [block for block in re.findall(r"^ *```yaml\n(.*?)^ *```", handle.read(), re.S | re.M) if text in block]
    assert len(found) == 1, "docs/metrics.md: expected one yaml block with %r, found %d" % (text, len(found))
    return yaml.safe_load(found[0])


def run_report(collection_env, em_env, extra):
    cmd = [os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local", "-e", json.dumps(extra),
           "playbooks/report.yml"]
    return subprocess.run(cmd, env=dict(collection_env, **em_env), cwd=REPO, capture_output=True, text=True,
                          timeout=600, check=False)


def read_prom(path):
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    assert text.endswith("\n")
    return dict((family.name, family) for family in text_string_to_metric_families(text))


def values(family, **match):
    return dict((tuple(sorted(s.labels.items())), s.value) for s in family.samples
                if all(s.labels.get(key) == value for key, value in match.items()))


@pytest.fixture(scope="module")
def awx_run(emulator, collection_env, tmp_path_factory):
    """docs/metrics.md's AWX extra variables, the directories on this machine: (extra vars, textfile dir, report)."""
    emulator.reset()
    extra = yaml_block_containing("metrics_file:")
    home = tmp_path_factory.mktemp("metrics")
    textfile = home / "textfile_collector"
    textfile.mkdir()
    extra.update(report_dir=str(home / "reports"), metrics_file=str(textfile / os.path.basename(extra["metrics_file"])))
    proc = run_report(collection_env, emulator.env(), extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert emulator.stats()["open_logon_sessions"] == 0
    with open(os.path.join(extra["report_dir"], "backup-session-report.json"), encoding="utf-8") as handle:
        report = json.load(handle)
    return extra, str(textfile), report


def test_the_documented_awx_run_writes_the_prom_file(awx_run):
    extra, textfile, report = awx_run
    assert (extra["em_name"], extra["rpo"], os.path.basename(extra["metrics_file"])) == ("em-emea", "24h",
                                                                                         "veeam_em.prom")
    assert os.listdir(textfile) == ["veeam_em.prom"]  # no temporary file left
    assert oct(os.stat(extra["metrics_file"]).st_mode & 0o777) == "0o644"
    families = read_prom(extra["metrics_file"])
    assert sorted(families) == sorted(name for name, _help in _metrics.FAMILIES)  # every family, with rpo
    assert set(family.type for family in families.values()) == set(["gauge"])
    assert set(s.labels["em"] for family in families.values() for s in family.samples) == set(["em-emea"])
    assert values(families["veeam_em_up"]) == {(("em", "em-emea"),): 1.0}
    assert values(families["veeam_em_report_window_seconds"]) == {(("em", "em-emea"),): 86400.0}
    assert values(families["veeam_em_vm_rpo_seconds"]) == {(("em", "em-emea"),): 86400.0}


def test_the_numbers_are_those_of_the_report(awx_run):
    """Sessions by result, each job's last result, the VMs and the repositories, as the JSON file of the run says."""
    extra, dummy, report = awx_run
    families = read_prom(extra["metrics_file"])
    assert dict((s.labels["result"], s.value) for s in families["veeam_em_sessions"].samples) == dict(
        (result, float(report["summary"]["by_result"][result])) for result in _sessions.RESULTS)
    codes = dict((result, float(index)) for index, result in enumerate(_sessions.OUTCOMES))
    expected_jobs = dict(((j["backup_server_name"], j["name"], j["job_type"]), codes[j["status_session"]["result"]])
                         for j in report["jobs"] if j["status_session"] and j["status_session"]["result"] in codes)
    assert len(expected_jobs) > 10 and set(expected_jobs.values()) == set(codes.values())  # all three results
    assert dict(((s.labels["backup_server"], s.labels["job_name"], s.labels["job_type"]), s.value)
                for s in families["veeam_em_job_last_result"].samples) == expected_jobs
    vms = report["protection"]["vms"]
    breached = dict((s.labels["vm_ref"], s.value) for s in families["veeam_em_vm_rpo_breached"].samples)
    assert breached == dict((vm["vm_ref"], 0.0 if vm["status"] == _protection.PROTECTED else 1.0) for vm in vms)
    assert sum(breached.values()) == report["protection"]["summary"]["breached"] + \
        report["protection"]["summary"]["unprotected"]
    points = families["veeam_em_vm_last_restore_point_timestamp_seconds"].samples
    assert len(points) == len([vm for vm in vms if vm["latest_restore_point_time"]])
    capacity = dict((s.labels["repository"], s.value) for s in families["veeam_em_repository_capacity_bytes"].samples)
    free = dict((s.labels["repository"], s.value) for s in families["veeam_em_repository_free_bytes"].samples)
    known = [r for r in report["repositories"]["items"] if r["capacity_bytes"] is not None]
    assert UNKNOWN_SIZE_REPOSITORY in [r["name"] for r in report["repositories"]["items"]]
    assert UNKNOWN_SIZE_REPOSITORY not in capacity and UNKNOWN_SIZE_REPOSITORY not in free  # no sample, not -1
    assert capacity == dict((r["name"], float(r["capacity_bytes"])) for r in known)
    assert free == dict((r["name"], float(r["free_bytes"])) for r in known)


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again: nothing listens there


@pytest.mark.parametrize("why", ["logon refused", "nothing answers"])
def test_an_em_that_cannot_be_read_replaces_the_file_with_up_0(awx_run, emulator, collection_env, tmp_path, why):
    extra, dummy, dummy_report = awx_run
    textfile = tmp_path / "textfile"
    textfile.mkdir()
    target = textfile / "veeam_em.prom"
    with open(extra["metrics_file"], encoding="utf-8") as handle:
        target.write_text(handle.read(), encoding="utf-8")  # the last good run's file: up 1
    env = emulator.env()
    if why == "logon refused":
        env["VEEAM_EM_PASSWORD"] = "not-the-password"
    else:
        env.update(VEEAM_EM_SERVER="127.0.0.1", VEEAM_EM_PORT=str(_closed_port()))
    proc = run_report(collection_env, env, dict(extra, report_dir=str(tmp_path / "reports"), metrics_file=str(target)))
    assert proc.returncode != 0 and "failed=1" in proc.stdout, proc.stdout + proc.stderr
    families = read_prom(str(target))
    assert sorted(families) == ["veeam_em_report_timestamp_seconds", "veeam_em_up"]
    assert values(families["veeam_em_up"]) == {(("em", "em-emea"),): 0.0}
    assert os.listdir(str(textfile)) == ["veeam_em.prom"]
    assert "not-the-password" not in proc.stdout + proc.stderr + target.read_text(encoding="utf-8")


def test_a_metrics_file_in_no_directory_fails_naming_it_before_the_logon(fresh_emulator, collection_env, tmp_path):
    missing = str(tmp_path / "no-such-dir" / "veeam_em.prom")
    extra = {"report_dir": str(tmp_path / "reports"), "metrics_file": missing}
    proc = run_report(collection_env, fresh_emulator.env(), extra)
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert "metrics_file %r: the directory %s does not exist; create it" % (missing, tmp_path / "no-such-dir") \
        in proc.stdout, proc.stdout
    assert fresh_emulator.stats()["logons"] == 0 and not os.path.exists(missing)


def _labels_of(families):
    return set(label for family in families.values() for s in family.samples for label in s.labels)


def _labels_in_expr(expr):
    """Label names a PromQL expression matches on or groups by."""
    names = set(re.findall(r"([a-z_]+)\s*=~?\s*\"", expr))
    for group in re.findall(r"\b(?:by|on|without|ignoring)\s*\(([^)]*)\)", expr):
        names.update(name.strip() for name in group.split(",") if name.strip())
    return names


def test_every_dashboard_query_names_metrics_the_file_has(awx_run):
    extra, dummy, dummy_report = awx_run
    families = read_prom(extra["metrics_file"])
    with open(DASHBOARD, encoding="utf-8") as handle:
        dashboard = json.load(handle)
    exprs = []
    for panel in dashboard["panels"]:
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert METRIC.search(target["expr"]), (panel["title"], target["expr"])
            exprs.append(target["expr"])
            legends = set(re.findall(r"\{\{\s*([a-z_]+)\s*\}\}", target.get("legendFormat", "")))
            assert legends <= _labels_of(families), (panel["title"], legends)
    exprs += [variable["definition"] for variable in dashboard["templating"]["list"]]
    titles = [panel["title"] for panel in dashboard["panels"]]
    assert titles == ["EM up", "Report age", "Failed jobs", "VMs breaching the RPO",
                      "Sessions in the report window by result", "Repository free space", "Job results",
                      "VMs breaching the RPO"]
    for expr in exprs:
        assert set(METRIC.findall(expr)) <= set(families), expr
        assert _labels_in_expr(expr) <= _labels_of(families) | set(["em"]), expr
    assert set(METRIC.findall(" ".join(exprs))) == set(families) - set(["veeam_em_report_window_seconds",
                                                                        "veeam_em_vm_rpo_seconds"])
    panel_types = set(panel["type"] for panel in dashboard["panels"])
    assert panel_types == set(r["id"] for r in dashboard["__requires"] if r["type"] == "panel")
    assert [i["pluginId"] for i in dashboard["__inputs"]] == ["prometheus"]


def test_every_alert_rule_of_the_docs_names_metrics_and_labels_the_file_has(awx_run):
    extra, dummy, dummy_report = awx_run
    families = read_prom(extra["metrics_file"])
    rules = yaml_block_containing("groups:")
    alerts = [rule for group in rules["groups"] for rule in group["rules"]]
    assert [rule["alert"] for rule in alerts] == ["VeeamEmDown", "VeeamEmReportStale", "VeeamEmReportMissing",
                                                  "VeeamJobFailed", "VeeamJobNotFinishedForTwoDays",
                                                  "VeeamVmRpoBreached", "VeeamRepositoryLow", "VeeamFailedSessions"]
    for rule in alerts:
        used = set(METRIC.findall(rule["expr"]))
        assert used and used <= set(families), rule
        labels = set(label for name in used for s in families[name].samples for label in s.labels)
        assert _labels_in_expr(rule["expr"]) <= labels, rule
        annotated = set(re.findall(r"\$labels\.([a-z_]+)", json.dumps(rule.get("annotations", {}))))
        if rule["expr"].startswith("absent("):
            assert annotated == set(), rule  # absent() has no labels of the metric
        else:
            assert annotated <= labels, rule
        assert set(rule) <= set(["alert", "expr", "for", "labels", "annotations"]), rule
