# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An AWX-style run of the report playbook through ansible-runner.

AWX runs a job template by writing a private data directory and handing it to
ansible-runner: the project checkout in ``project/``, the inventory in
``inventory/``, a custom credential type's injected values in
``env/envvars`` and the survey answers in ``env/extravars``.  This test does
the same against the emulator, with the credentials only in ``env/envvars``
(nothing in the process environment, the playbook or the inventory), and
checks the outcome the way AWX shows it: the run's status, the job events,
the ``set_stats`` artifacts and the files the playbook wrote.

ansible-runner keeps the job's environment, secrets included, in its
artifacts folder (AWX deletes it after the job); the test deletes it too.
"""

from __future__ import absolute_import, division, print_function

import glob
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import yaml

from ansible_collections.backupops.veeam_em.plugins.module_utils._report import REPORT_KEYS

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(os.path.abspath(sys.executable))
IDENT = "awx-job-1"


def _write_yaml(path, data):
    with open(path, "w", encoding="utf-8") as f:
        yaml.safe_dump(data, f, default_flow_style=False)


def _private_data_dir(base, emulator, collections_path, report_dir):
    """Lay out a private data directory as AWX does for a job template run."""
    pdd = base / "pdd"
    shutil.copytree(os.path.join(REPO, "playbooks"), str(pdd / "project"))
    (pdd / "inventory").mkdir()
    (pdd / "inventory" / "hosts").write_text(
        "localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable,
        encoding="utf-8",
    )
    (pdd / "env").mkdir()
    # the "Veeam Enterprise Manager" custom credential's injectors, plus the
    # collection path AWX would set for an execution environment
    envvars = dict(emulator.env())
    envvars["ANSIBLE_COLLECTIONS_PATH"] = collections_path
    _write_yaml(str(pdd / "env" / "envvars"), envvars)
    # the job template's survey answers
    _write_yaml(str(pdd / "env" / "extravars"), {"report_dir": str(report_dir), "window": "7d"})
    return pdd


def _job_events(artifacts):
    events = []
    for path in sorted(glob.glob(os.path.join(artifacts, "job_events", "*.json"))):
        with open(path, encoding="utf-8") as f:
            events.append(json.load(f))
    return events


def test_report_playbook_runs_like_an_awx_job(fresh_emulator, collection_env, tmp_path):
    emulator = fresh_emulator
    report_dir = tmp_path / "report"
    pdd = _private_data_dir(tmp_path, emulator, collection_env["ANSIBLE_COLLECTIONS_PATH"], report_dir)
    artifacts = str(pdd / "artifacts" / IDENT)

    # the runner's own environment holds no credential and no collection path
    env = {k: v for k, v in collection_env.items() if k != "ANSIBLE_COLLECTIONS_PATH"}
    assert not [k for k in env if k.startswith("VEEAM_EM_")]

    try:
        proc = subprocess.run(
            [os.path.join(BIN, "ansible-runner"), "run", str(pdd), "-p", "report.yml", "--ident", IDENT],
            env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=600, check=False,
        )
        with open(os.path.join(artifacts, "status"), encoding="utf-8") as f:
            status = f.read().strip()
        with open(os.path.join(artifacts, "rc"), encoding="utf-8") as f:
            rc = int(f.read().strip())
        with open(os.path.join(artifacts, "stdout"), encoding="utf-8") as f:
            job_output = f.read()
        events = _job_events(artifacts)
    finally:
        # ansible-runner wrote the job's environment, password included, here
        shutil.rmtree(str(pdd / "artifacts"), ignore_errors=True)

    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert status == "successful", job_output
    assert rc == 0

    # what AWX would show: no secret in the job output or in any job event
    password = emulator.admin_password
    assert password not in job_output
    assert password not in proc.stdout + proc.stderr
    assert not [e["uuid"] for e in events if password in json.dumps(e)]

    # the play ran on localhost without failures or unreachable hosts
    stats = [e for e in events if e.get("event") == "playbook_on_stats"]
    assert len(stats) == 1
    data = stats[0]["event_data"]
    assert data["failures"] == {} and data["dark"] == {}
    assert data["ok"].get("localhost", 0) > 0

    # set_stats artifacts (what AWX passes on in workflows) name the files written
    artifact_data = data["artifact_data"]
    files = artifact_data["backup_session_report_files"]
    assert sorted(files) == ["html", "json", "junit"]
    for path in files.values():
        assert os.path.dirname(path) == str(report_dir)
        assert os.path.getsize(path) > 0
        with open(path, encoding="utf-8") as f:
            assert password not in f.read()
    with open(files["json"], encoding="utf-8") as f:
        report = json.load(f)
    assert sorted(report) == sorted(REPORT_KEYS)  # the report data
    assert report["summary"] == artifact_data["backup_session_report_summary"]
    junit = ET.parse(files["junit"]).getroot()
    assert junit.tag == "testsuites" and [suite.tag for suite in junit] == ["testsuite"]
    with open(files["html"], encoding="utf-8") as f:
        assert "<svg" in f.read()

    # the gate was not asked for, so it passed; the summary counted sessions
    assert artifact_data["backup_session_report_summary"]["total"] > 0

    # every logon session the job opened on EM was closed again
    em_stats = emulator.stats()
    assert em_stats["logons"] >= 1
    assert em_stats["logouts"] == em_stats["logons"]
    assert em_stats["open_logon_sessions"] == 0


def _run_job(pdd, playbook, env, cwd):
    """``ansible-runner run`` as AWX starts a job: (process, status, job output); the artifacts are deleted
    afterwards (ansible-runner writes the job's environment, password included, into them)."""
    try:
        proc = subprocess.run([os.path.join(BIN, "ansible-runner"), "run", str(pdd), "-p", playbook, "--ident", IDENT],
                              env=env, cwd=str(cwd), capture_output=True, text=True, timeout=600, check=False)
        with open(os.path.join(str(pdd), "artifacts", IDENT, "status"), encoding="utf-8") as f:
            status = f.read().strip()
        with open(os.path.join(str(pdd), "artifacts", IDENT, "stdout"), encoding="utf-8") as f:
            job_output = f.read()
    finally:
        shutil.rmtree(str(pdd / "artifacts"), ignore_errors=True)
    return proc, status, job_output


def test_this_repository_as_the_awx_project(fresh_emulator, collection_env, tmp_path):
    """A job template on this repository: the project update installs the collection from the checkout."""
    emulator = fresh_emulator
    pdd = tmp_path / "pdd"
    project = pdd / "project"
    project.mkdir(parents=True)
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, capture_output=True, text=True,
                           check=True).stdout.split()
    for name in files:
        if os.path.isfile(os.path.join(REPO, name)) and not name.startswith((".ansible/", "build/")):
            os.makedirs(os.path.dirname(str(project / name)) or ".", exist_ok=True)
            shutil.copy2(os.path.join(REPO, name), str(project / name))
    env = {k: v for k, v in collection_env.items() if k != "ANSIBLE_COLLECTIONS_PATH"}
    # AWX's project update, in the project's root
    installed = pdd / "requirements_collections"
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "-r", "collections/requirements.yml",
                    "-p", str(installed)], cwd=str(project), env=env, check=True, capture_output=True, timeout=300)
    (pdd / "inventory").mkdir()
    (pdd / "inventory" / "hosts").write_text(
        "localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable, encoding="utf-8")
    (pdd / "env").mkdir()
    envvars = dict(emulator.env(), ANSIBLE_COLLECTIONS_PATH=str(installed))
    _write_yaml(str(pdd / "env" / "envvars"), envvars)
    _write_yaml(str(pdd / "env" / "extravars"), {"report_dir": str(tmp_path / "report"), "window": "24h"})
    proc, status, job_output = _run_job(pdd, "playbooks/report.yml", env, tmp_path)
    assert proc.returncode == 0 and status == "successful", job_output
    assert "was not found" not in job_output
    assert (tmp_path / "report" / "backup-session-report.html").is_file()
    assert emulator.stats()["open_logon_sessions"] == 0


def _awx_md_blocks():
    """The YAML blocks of docs/awx.md: the credential type's inputs and injectors among them."""
    import re
    with open(os.path.join(REPO, "docs", "awx.md"), encoding="utf-8") as f:
        return [yaml.safe_load(b) for b in re.findall(r"^```yaml\n(.*?)^```", f.read(), re.S | re.M)]


def test_the_credential_type_of_docs_awx_md_works(fresh_emulator, collection_env, tmp_path):
    """docs/awx.md's credential type, filled in and injected as AWX does, runs the report playbook."""
    import jinja2
    blocks = _awx_md_blocks()
    inputs = [b for b in blocks if isinstance(b, dict) and "fields" in b][0]
    injectors = [b for b in blocks if isinstance(b, dict) and "env" in b][0]
    emulator = fresh_emulator
    with open(emulator.ca_path, encoding="utf-8") as f:
        answers = {"server": emulator.host, "port": str(emulator.port), "protocol": emulator.protocol,
                   "username": emulator.admin_user, "password": emulator.admin_password, "validate_certs": True,
                   "ca_cert": f.read(), "timeout": "30"}
    assert sorted(f["id"] for f in inputs["fields"]) == sorted(answers)
    # AWX writes each injected file and names its path as tower.filename.<id>
    ca_file = tmp_path / "ca_cert.pem"
    ca_file.write_text(jinja2.Template(injectors["file"]["template.ca_cert"]).render(**answers), encoding="utf-8")
    context = dict(answers, tower={"filename": {"ca_cert": str(ca_file)}})
    envvars = dict((k, jinja2.Template(v).render(**context)) for k, v in injectors["env"].items())
    assert not [k for k in envvars if k.startswith("ANSIBLE_")]  # AWX would not inject those

    pdd = _private_data_dir(tmp_path, emulator, collection_env["ANSIBLE_COLLECTIONS_PATH"], tmp_path / "report")
    _write_yaml(str(pdd / "env" / "envvars"), dict(envvars, ANSIBLE_COLLECTIONS_PATH=collection_env["ANSIBLE_COLLECTIONS_PATH"]))
    env = {k: v for k, v in collection_env.items() if k != "ANSIBLE_COLLECTIONS_PATH"}
    proc, status, job_output = _run_job(pdd, "report.yml", env, tmp_path)
    assert proc.returncode == 0 and status == "successful", job_output
    assert emulator.admin_password not in job_output
    assert emulator.stats()["open_logon_sessions"] == 0 and emulator.stats()["logons"] >= 1


def test_the_local_runner_recipe_of_docs_awx_md(fresh_emulator, collection_env, tmp_path):
    """docs/awx.md "Trying it locally like AWX does", run as written from a clone: the collection installed next to
    the playbooks, the inventory choosing the Python, the report written; the only changes are the reader's own:
    the emulator's connection in env/envvars and the folders under this test's temporary directory."""
    import re
    import shlex
    with open(os.path.join(REPO, "docs", "awx.md"), encoding="utf-8") as f:
        section = f.read().split("## Trying it locally like AWX does", 1)[1]
    script = re.search(r"^```shell\n(.*?)^```", section, re.S | re.M).group(1)
    assert "ansible-galaxy collection install" in script and "ansible-runner run" in script, script
    emulator = fresh_emulator
    job, report = tmp_path / "veeam-em-job", tmp_path / "veeam-em-report"
    own = "".join("%s: %s\n" % (key, json.dumps(value)) for key, value in sorted(emulator.env().items()))
    connection = re.search(r"^VEEAM_EM_SERVER: .*?(?=^EOF$)", script, re.S | re.M)
    assert connection, script
    script = script.replace(connection.group(0), own)
    script = script.replace("/tmp/veeam-em-job", shlex.quote(str(job))).replace("/tmp/veeam-em-report", str(report))
    clone = tmp_path / "clone"
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, capture_output=True, text=True,
                           check=True).stdout.split()
    for name in files:
        if os.path.isfile(os.path.join(REPO, name)) and not name.startswith((".ansible/", "build/")):
            os.makedirs(os.path.dirname(str(clone / name)) or ".", exist_ok=True)
            shutil.copy2(os.path.join(REPO, name), str(clone / name))
    # the venv's commands on PATH, nothing of the test's own: no collections path, no interpreter, no credentials
    the_tests_own = ("ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_PYTHON_INTERPRETER")
    env = dict((k, v) for k, v in collection_env.items() if k not in the_tests_own)
    assert not [k for k in env if k.startswith("VEEAM_EM_")]
    try:
        proc = subprocess.run(["bash", "-euc", script], env=env, cwd=str(clone), capture_output=True, text=True,
                              timeout=600, check=False)
    finally:
        shutil.rmtree(str(job / "artifacts"), ignore_errors=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "was not found" not in proc.stdout and "Failed to import" not in proc.stdout, proc.stdout
    assert os.path.isdir(str(job / "project" / "collections" / "ansible_collections" / "backupops" / "veeam_em"))
    assert not (job / "artifacts").exists(), "the recipe deletes the artifacts (they hold the password)"
    assert sorted(os.listdir(str(report))) == ["backup-session-report.html", "backup-session-report.json",
                                               "backup-session-report.junit.xml"]
    assert emulator.admin_password not in proc.stdout + proc.stderr
    stats = emulator.stats()
    assert stats["logons"] == 1 and stats["open_logon_sessions"] == 0, stats
