# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/estate_report.yml against three emulators, one of them stopped (issue 24, part 1).

Two emulators answer (different seeds, so different data), a third was started and stopped (nothing
answers on its port), and a fourth inventory host points at a running emulator with a wrong password.
Every emulator has its own admin password, given per EM in the inventory's host variables. The data has
a fixed 'now' (``--now``) and the window a fixed end, so what each EM holds is known: it is asked for
directly, with the collection's own modules run against each emulator alone, before the estate runs.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import subprocess
import sys

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from ansible_collections.backupops.veeam_em.plugins.module_utils._sessions import OUTCOMES

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(os.path.abspath(sys.executable))
NOW = "2026-01-15T06:00:00Z"
PASSWORDS = {"em-a": "Estate-A-SECRET-1!", "em-b": "Estate-B-SECRET-2!", "em-down": "Estate-Down-SECRET-3!",
             "em-refused": "Estate-Refused-SECRET-4!"}


class Estate(object):
    """The emulators of the estate and the inventory that names them."""

    def __init__(self, start_emulator):
        self.up = {}
        for name, seed in (("em-a", "7"), ("em-b", "8")):
            emu = start_emulator("--seed", seed, "--now", NOW, "--sessions", "600",
                                 "--admin-password", PASSWORDS[name])
            emu.admin_password = PASSWORDS[name]
            self.up[name] = emu
        self.down = start_emulator("--seed", "9", "--now", NOW, "--sessions", "100",
                                   "--admin-password", PASSWORDS["em-down"])
        self.down.stop()  # its port now refuses connections

    def host(self, emu, password):
        return {"veeam_em_server": emu.host, "veeam_em_port": emu.port, "veeam_em_protocol": emu.protocol,
                "veeam_em_user": emu.admin_user, "veeam_em_password": password, "veeam_em_ca_path": emu.ca_path}

    def inventory(self, path, names=("em-a", "em-b", "em-down"), group="veeam_em"):
        hosts = {}
        for name in names:
            if name in self.up:
                hosts[name] = self.host(self.up[name], PASSWORDS[name])
            elif name == "em-down":
                hosts[name] = self.host(self.down, PASSWORDS[name])
            elif name == "em-refused":  # em-a's emulator with a password it does not know
                hosts[name] = self.host(self.up["em-a"], PASSWORDS["em-refused"])
        data = {"all": {"vars": {"ansible_python_interpreter": sys.executable},
                        "children": {group: {"hosts": hosts}}}}
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        return str(path)


@pytest.fixture(scope="module")
def estate(start_emulator):
    return Estate(start_emulator)


def _adhoc(collection_env, emu, module, args):
    """The result of ``ansible localhost -m MODULE -a ARGS`` against ``emu`` alone."""
    env = dict(collection_env, **emu.env(user=(emu.admin_user, emu.admin_password)))
    proc = subprocess.run([os.path.join(BIN, "ansible"), "localhost", "-i", "localhost,", "-c", "local",
                           "-m", "backupops.veeam_em." + module, "-a", args],
                          env=env, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    found = re.search(r"^localhost \| [A-Z]+ => ", proc.stdout, re.MULTILINE)
    return json.JSONDecoder().raw_decode(proc.stdout[found.end():])[0]


def _estate_run(collection_env, tmp_path, inventory, extra_vars, args=()):
    out = tmp_path / "reports"
    extra = dict({"report_dir": str(out), "window": "24h", "window_end": NOW}, **extra_vars)
    proc = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", inventory, "-f", "5", "-e", json.dumps(extra)]
                          + list(args) + [os.path.join(REPO, "playbooks", "estate_report.yml")],
                          env=collection_env, capture_output=True, text=True, timeout=900, check=False)
    data = None
    if (out / "estate-report.json").exists():
        data = json.loads((out / "estate-report.json").read_text(encoding="utf-8"))
    return proc, data, out


def _by_em(data):
    return dict((entry["em"], entry) for entry in data["ems"])


def test_two_ems_answer_one_is_stopped(estate, collection_env, tmp_path):
    """Both reachable EMs' sessions are in the merged JSON with their em; the stopped one is unreachable; gate fails."""
    expected = dict((name, _adhoc(collection_env, emu, "em_backup_session_report", "window=24h window_end=%s" % NOW))
                    for name, emu in estate.up.items())
    assert expected["em-a"]["summary"]["total"] > 0 and expected["em-b"]["summary"]["total"] > 0
    inventory = estate.inventory(tmp_path / "ems.yml")
    metrics = tmp_path / "textfile" / "veeam_em_estate.prom"
    metrics.parent.mkdir()
    proc, data, out = _estate_run(collection_env, tmp_path, inventory, {"metrics_file": str(metrics)})
    assert proc.returncode == 2, proc.stdout + proc.stderr  # the gate fails the play: em-down did not answer
    assert "Estate gate failed: 2 of 3 EM(s) answered; em-down unreachable: Nothing answers at" in proc.stdout
    ems = _by_em(data)
    assert [entry["em"] for entry in data["ems"]] == ["em-a", "em-b", "em-down"]
    for name in ("em-a", "em-b"):
        entry = ems[name]
        assert (entry["status"], entry["reason"], entry["seconds_since_last_good_answer"]) == ("ok", None, 0)
        sessions = entry["report"]["sessions"]
        assert sorted(s["id"] for s in sessions) == sorted(s["id"] for s in expected[name]["sessions"])
        assert len(sessions) == expected[name]["summary"]["total"]
        for key in ("jobs", "sessions", "failures"):
            assert set(row["em"] for row in entry["report"][key]) == {name}, key
    down = ems["em-down"]
    assert down["status"] == "unreachable" and down["report"] is None
    assert down["reason"].startswith("Nothing answers at https://127.0.0.1:%d/api/sessionMngr/ (connection refused)"
                                     % estate.down.port)
    assert down["last_good_answer"] is None and down["seconds_since_last_good_answer"] is None  # first run: unknown
    assert data["summary"]["total"] == expected["em-a"]["summary"]["total"] + expected["em-b"]["summary"]["total"]
    assert data["summary"]["ems_by_status"] == {"ok": 2, "unreachable": 1, "logon_refused": 0, "failed": 0}
    assert data["gate"]["failed"] is True and data["gate"]["ems_down"] == ["em-down"]
    assert sorted(os.listdir(str(out))) == ["estate-report.html", "estate-report.json", "estate-report.junit.xml",
                                            "estate-report.state.json"]
    junit = (out / "estate-report.junit.xml").read_text(encoding="utf-8")
    assert '<testsuite name="em-down" tests="1" failures="0" errors="1" skipped="0"' in junit
    assert '<error type="unreachable" message="Nothing answers at' in junit
    html = (out / "estate-report.html").read_text(encoding="utf-8")
    assert '<span class="badge unreachable">unreachable</span>' in html and "Gate FAILED" in html
    # the estate's metrics: one file, each EM by its inventory name, up 0 and nothing else for the stopped one
    assert os.listdir(str(metrics.parent)) == ["veeam_em_estate.prom"]
    samples = [s for family in text_string_to_metric_families(metrics.read_text(encoding="utf-8"))
               for s in family.samples]
    assert sorted((s.labels["em"], s.value) for s in samples if s.name == "veeam_em_up") == [
        ("em-a", 1), ("em-b", 1), ("em-down", 0)]
    assert sorted(s.name for s in samples if s.labels["em"] == "em-down") == [
        "veeam_em_report_timestamp_seconds", "veeam_em_up"]
    for name in ("em-a", "em-b"):
        assert sum(s.value for s in samples if s.name == "veeam_em_sessions" and s.labels["em"] == name) == \
            expected[name]["summary"]["total"]
        assert sorted(s.labels["job_name"] for s in samples
                      if s.name == "veeam_em_job_last_result" and s.labels["em"] == name) == sorted(
            job["name"] for job in expected[name]["jobs"]
            if (job.get("status_session") or {}).get("result") in OUTCOMES)

    # allowed: the same estate passes; the state file of the first run says when em-down was last seen (never)
    proc, data, out = _estate_run(collection_env, tmp_path, inventory, {"allow_unreachable": True})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert data["gate"]["failed"] is False and data["gate"]["ems_allowed_down"] == ["em-down"]
    assert "em-down unreachable (allowed by allow_unreachable)" in data["gate"]["message"]
    assert _by_em(data)["em-down"]["status"] == "unreachable"
    junit = (out / "estate-report.junit.xml").read_text(encoding="utf-8")
    assert '<testsuite name="em-down" tests="1" failures="0" errors="0" skipped="1"' in junit


def test_time_since_the_last_good_answer_comes_from_the_state_file(estate, collection_env, tmp_path):
    """em-down answered at a time the state file of an earlier run holds: the report says how long ago."""
    inventory = estate.inventory(tmp_path / "ems.yml")
    out = tmp_path / "reports"
    out.mkdir()
    (out / "estate-report.state.json").write_text(json.dumps({"format_version": 1, "ems": {
        "em-down": {"status": "ok", "last_good_answer": "2026-01-01T00:00:00Z"}}}), encoding="utf-8")
    proc, data, out = _estate_run(collection_env, tmp_path, inventory, {"allow_unreachable": True})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    down = _by_em(data)["em-down"]
    assert down["last_good_answer"] == "2026-01-01T00:00:00Z" and down["seconds_since_last_good_answer"] > 86400
    state = json.loads((out / "estate-report.state.json").read_text(encoding="utf-8"))
    assert state["ems"]["em-down"] == {"status": "unreachable", "last_good_answer": "2026-01-01T00:00:00Z"}
    assert state["ems"]["em-a"]["status"] == "ok" and state["ems"]["em-a"]["last_good_answer"] is not None


def test_a_wrong_password_reads_logon_refused(estate, collection_env, tmp_path):
    inventory = estate.inventory(tmp_path / "ems.yml", names=("em-a", "em-refused"), group="my_ems")
    variables = {"veeam_em_group": "my_ems", "job_name": "Oracle Bakup"}
    proc, data, dummy = _estate_run(collection_env, tmp_path, inventory, variables)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    # a misspelt job name: the warning is em-a's, in the data and on the console with its EM
    warning = "job_name 'Oracle Bakup': Enterprise Manager has no session of a job of that name at all"
    assert [w[:len(warning)] for w in _by_em(data)["em-a"]["warnings"]] == [warning]
    assert "em-a: ok; warnings: " + warning in proc.stdout
    refused = _by_em(data)["em-refused"]
    assert refused["status"] == "logon_refused" and refused["report"] is None
    assert "user name or password rejected (HTTP 401)" in refused["reason"]
    assert _by_em(data)["em-a"]["status"] == "ok"
    assert data["gate"]["ems_down"] == ["em-refused"]
    assert estate.up["em-a"].stats()["open_logon_sessions"] == 0


@pytest.mark.parametrize("extra, message", [
    ({"metrics_file": "/nonexistent-dir/veeam_em.prom"},
     "metrics_file /nonexistent-dir/veeam_em.prom must name a file ending in .prom in a directory that exists"),
    ({"metrics_file": "{tmp}/veeam_em.txt"}, "must name a file ending in .prom"),
    ({"report_dir": ""}, "Set report_dir (extra var or survey)"),
])
def test_bad_variables_fail_before_any_em_is_read(estate, collection_env, tmp_path, extra, message):
    inventory = estate.inventory(tmp_path / "ems.yml", names=("em-a",))
    before = estate.up["em-a"].stats()["logons"]
    extra = dict((key, value.replace("{tmp}", str(tmp_path))) for key, value in extra.items())
    proc, data, out = _estate_run(collection_env, tmp_path, inventory, extra)
    assert proc.returncode == 2 and message in proc.stdout, proc.stdout + proc.stderr
    assert estate.up["em-a"].stats()["logons"] == before and data is None


def test_with_rpo_the_vms_of_both_ems_are_listed_with_their_em(estate, collection_env, tmp_path):
    expected = dict((name, _adhoc(collection_env, emu, "em_protection_info", "rpo=24h"))
                    for name, emu in estate.up.items())
    assert expected["em-a"]["summary"]["total"] > 0 and expected["em-b"]["summary"]["total"] > 0
    inventory = estate.inventory(tmp_path / "ems.yml", names=("em-a", "em-b"))
    proc, data, dummy = _estate_run(collection_env, tmp_path, inventory, {
        "rpo": "24h", "fail_on_protection": ["breached", "unprotected"]})
    ems = _by_em(data)
    for name in ("em-a", "em-b"):
        vms = ems[name]["report"]["protection"]["vms"]
        assert sorted((vm["vm_name"], vm["backup_server_name"]) for vm in vms) == sorted(
            (vm["vm_name"], vm["backup_server_name"]) for vm in expected[name]["vms"])
        assert set(vm["em"] for vm in vms) == {name}
        assert set(r["em"] for r in ems[name]["report"]["repositories"]["items"]) == {name}
    total = expected["em-a"]["summary"]["total"] + expected["em-b"]["summary"]["total"]
    assert data["summary"]["protection"]["total"] == total
    # the data's 'now' is in the past: every VM's newest point is older than 24 h, so the gate fails on both EMs
    not_protected = sum(expected[n]["summary"]["breached"] + expected[n]["summary"]["unprotected"] for n in expected)
    assert not_protected > 0
    assert data["gate"]["failed"] is True and data["gate"]["ems_gate_failed"] == ["em-a", "em-b"]
    assert proc.returncode == 2, proc.stdout + proc.stderr


# -- docs/estate.md: its inventory, its command and its AWX credential type, run as written ------------------
DOC = os.path.join(REPO, "docs", "estate.md")


def _doc_block(language, first_line):
    with open(DOC, encoding="utf-8") as handle:
        blocks = re.findall(r"^```%s\n(.*?)^```" % language, handle.read(), re.S | re.M)
    found = [block for block in blocks if block.splitlines()[0].strip() == first_line]
    assert len(found) == 1, "docs/estate.md: one ```%s block starting %r" % (language, first_line)
    return found[0]


def _own_connection(hosts, emulators):
    """What a reader changes in the doc's inventory: each host's EM (server, port, protocol, CA) and account name."""
    for (name, host), emu in zip(sorted(hosts.items()), emulators):
        host = host if host is not None else {}
        host.update(veeam_em_server=emu.host, veeam_em_port=emu.port, veeam_em_protocol=emu.protocol,
                    veeam_em_ca_path=emu.ca_path, veeam_em_user=emu.admin_user)
        hosts[name] = host
    return hosts


def test_docs_inventory_and_command_run_as_written(estate, collection_env, tmp_path):
    """docs/estate.md's ems.yml with the vault variables in group_vars/veeam_em/vault.yml, and its command."""
    inventory = yaml.safe_load(_doc_block("yaml", "# ems.yml"))
    hosts = inventory["all"]["children"]["veeam_em"]["hosts"]
    assert sorted(hosts) == ["em-apac", "em-eu.example.com", "em-us.example.com"]
    # em-apac and em-eu read em-a's emulator, em-us em-b's
    _own_connection(hosts, [estate.up["em-a"], estate.up["em-a"], estate.up["em-b"]])
    (tmp_path / "ems.yml").write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")
    (tmp_path / "group_vars" / "veeam_em").mkdir(parents=True)
    (tmp_path / "group_vars" / "veeam_em" / "vault.yml").write_text(yaml.safe_dump({
        "vault_em_eu_password": PASSWORDS["em-a"], "vault_em_us_password": PASSWORDS["em-b"],
        "vault_em_apac_password": PASSWORDS["em-a"]}), encoding="utf-8")
    commands = [line for line in _doc_block("bash", "ansible-playbook -i ems.yml backupops.veeam_em.estate_report "
                                            "-e report_dir=/srv/reports -f 10").splitlines() if line.strip()]
    args = [arg.replace("/srv/reports", str(tmp_path / "reports")) for arg in commands[0].split()]
    proc = subprocess.run([os.path.join(BIN, args[0])] + args[1:], env=collection_env, cwd=str(tmp_path),
                          capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads((tmp_path / "reports" / "estate-report.json").read_text(encoding="utf-8"))
    assert [(entry["em"], entry["status"]) for entry in data["ems"]] == [
        ("em-eu.example.com", "ok"), ("em-us.example.com", "ok"), ("em-apac", "ok")]
    for secret in PASSWORDS.values():
        assert secret not in proc.stdout + proc.stderr


def test_docs_awx_credential_type_gives_each_em_its_account(estate, collection_env, tmp_path):
    """The custom credential type's injector, rendered as AWX renders it, feeds the group_vars of docs/estate.md."""
    import jinja2
    credential_type = yaml.safe_load(_doc_block("yaml", "# Input configuration"))
    assert [field["id"] for field in credential_type["fields"]] == ["accounts"]
    accounts_text = _doc_block("yaml", "# accounts")
    accounts = yaml.safe_load(accounts_text)
    assert sorted(accounts) == ["em-eu.example.com", "em-us.example.com"]
    accounts_text = (accounts_text.replace("the-password-of-em-eu", json.dumps(PASSWORDS["em-a"]))
                     .replace("the-password-of-em-us", json.dumps(PASSWORDS["em-b"]))
                     .replace("svc-backup-report", "Administrator").replace("US\\svc-report", "Administrator"))
    extra_vars = dict((key, jinja2.Template(value).render(accounts=accounts_text))
                      for key, value in credential_type["extra_vars"].items())
    group_vars = _doc_block("yaml", "# group_vars/veeam_em/accounts.yml")
    (tmp_path / "group_vars" / "veeam_em").mkdir(parents=True)
    (tmp_path / "group_vars" / "veeam_em" / "accounts.yml").write_text(group_vars, encoding="utf-8")
    hosts = {"em-eu.example.com": {}, "em-us.example.com": {}}
    for name, host in _own_connection(hosts, [estate.up["em-a"], estate.up["em-b"]]).items():
        del host["veeam_em_user"]  # from the accounts
    (tmp_path / "ems.yml").write_text(yaml.safe_dump({"all": {"vars": {"ansible_python_interpreter": sys.executable},
                                                              "children": {"veeam_em": {"hosts": hosts}}}}),
                                      encoding="utf-8")
    extra = dict(extra_vars, report_dir=str(tmp_path / "reports"))
    proc = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", "ems.yml", "-e", json.dumps(extra),
                           os.path.join(REPO, "playbooks", "estate_report.yml")], env=collection_env,
                          cwd=str(tmp_path), capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads((tmp_path / "reports" / "estate-report.json").read_text(encoding="utf-8"))
    assert [(entry["em"], entry["status"]) for entry in data["ems"]] == [("em-eu.example.com", "ok"),
                                                                         ("em-us.example.com", "ok")]
    assert PASSWORDS["em-a"] not in proc.stdout + proc.stderr and PASSWORDS["em-b"] not in proc.stdout + proc.stderr
