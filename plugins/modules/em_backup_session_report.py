#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: em_backup_session_report
short_description: Report on the Veeam backup job sessions of a time window (data, HTML, JSON, JUnit XML)
version_added: 1.0.0
description:
  - Reads every backup job session that ran in a window from Veeam Backup Enterprise Manager, with the
    task sessions (VMs) of those that ended with a warning or a failure, and returns the report data,
    counts (RV(summary)), each job's status, the result of its newest finished session (RV(jobs)), the
    failure details, VM, result, reason and whether a later run fixed it (RV(failures)), a gate (RV(gate))
    and one JUnit test case per job.
  - With O(dest), also writes C(<basename>.html) (self-contained, inline SVG, no script),
    C(<basename>.json) (the report data) and C(<basename>.junit.xml) into that directory on the host the task
    runs on, like M(ansible.builtin.copy) (check mode and diff included).
  - "Requests: one logon (or none with O(session_token)), then three query-service questions: the
    sessions created in the window with their Warning and Failed task sessions, the sessions created
    before it that are still running, and those created before it that ended in it, with theirs; a fourth
    with O(latest_lookback). Each is answered in pages; no request per session."
  - The data is built where EM is read and the files are rendered on the controller with plain Jinja2,
    so the report of a 5,000-job estate takes seconds. The role P(backupops.veeam_em.backup_session_report#role)
    runs this module and adds the gate.
  - With O(rpo), the protection part adds the questions of M(backupops.veeam_em.em_protection_info) and one
    repository query.
  - With O(metrics_file), also writes the report as Prometheus metrics for node_exporter's textfile collector, on
    the host the module runs on (see C(docs/metrics.md)). When Enterprise Manager cannot be read (connection or
    logon refused, any error after the options were checked), the file is written all the same, with
    C(veeam_em_up 0) and the report timestamp, before the task fails.
  - Never changes anything on Enterprise Manager.
author:
  - backupops maintainers (@backupops)
extends_documentation_fragment:
  - backupops.veeam_em.connection
  - backupops.veeam_em.attributes
  - backupops.veeam_em.session_filters
options:
  window:
    description:
      - The window's length counted back from O(window_end) (V(30m), V(24h), V(7d), V(2w), V(1h30m)) or an
        ISO 8601 start time such as V(2026-01-10T00:00:00Z).
      - Sessions that ran in the window are reported; those created before it count when they were still
        running or ended in it.
    type: str
    default: 24h
  window_end:
    description: End of the window, ISO 8601; empty means now.
    type: str
    default: ""
  job_name:
    description:
      - Only sessions of these jobs, by whole name (case-insensitive, as EM compares); a string is one name,
        commas included.
      - A name of which EM has no session at all gives a warning.
    type: raw
  backup_server:
    description:
      - Only sessions of this backup server (name).
      - One name; an empty name, a list or a dict fails before any request.
    type: raw
  latest_lookback:
    description:
      - Also list jobs whose newest session is older than the window, looking back this far before the
        window's end (V(30d)); one more request. Empty lists only jobs with a session in the window.
    type: str
    default: ""
  fail_on:
    description:
      - Results that make the gate RV(gate) fail when a session of the window has them. The module
        itself does not fail on them; the role does, after writing the files.
      - A list of V(Success), V(Warning), V(Failed) and V(None). V([]) (ad hoc also C(fail_on=)) never fails.
    type: list
    elements: str
    default: []
  junit_warning:
    description: V(pass) keeps a job whose latest result is Warning a passed test case; V(failure) fails it.
    type: str
    choices: [pass, failure]
    default: pass
  title:
    description: Title of the report.
    type: str
    default: Veeam backup session report
  rpo:
    description:
      - Adds the protection part, for this recovery point objective (a length such as V(24h), V(36h), V(7d); a
        bare number is refused). It lists every VM the report's backup jobs include with its newest restore point
        and status, as M(backupops.veeam_em.em_protection_info) gives it, under RV(protection), and the backup
        repositories with their free space under RV(repositories). The HTML shows the VMs not protected right
        under the tiles and a capacity bar per repository; the JUnit file gets one test case per VM.
      - Empty (the default) leaves the protection part out (no request for it).
    type: str
    default: ""
  fail_on_protection:
    description:
      - VM statuses of the protection part that make the gate RV(gate) fail, V(breached) and V(unprotected).
        Needs O(rpo).
    type: list
    elements: str
    default: []
  repository_free_percent_below:
    description:
      - Make the gate fail when a repository has less free space than this share of its capacity, in percent
        (V(15)), from 0 to 100; a repository whose size EM does not know never does. Needs O(rpo).
    type: float
  dest:
    description:
      - Directory to write the three files into, on the host the task runs on; created (mode C(0755)) when
        missing. Files are written with mode C(0644).
      - Without it no file is written; the report data is returned all the same.
    type: path
  basename:
    description: Name of the files without their suffixes (C(.html), C(.json), C(.junit.xml)).
    type: str
    default: backup-session-report
  timeline:
    description:
      - The HTML page's timeline. V(session) draws one bar per session on a time axis, V(day) one cell per
        job and day (the day's worst result), V(auto) is V(session) up to 48 hours.
    type: str
    choices: [auto, session, day]
    default: auto
  collapse_success_over:
    description:
      - With more jobs than this, the HTML page folds away the jobs whose sessions all succeeded (no
        timeline row, a folded part of the jobs table); V(0) never folds. The JSON and JUnit files always
        hold every job.
    type: int
    default: 50
  metrics_file:
    description:
      - Path of a Prometheus textfile-collector file (its name ends in C(.prom)) to write the report's metrics to,
        on the host the module runs on, such as C(/var/lib/node_exporter/textfile_collector/veeam_em.prom). Its
        directory must exist; both are checked before any request.
      - The file is written to a temporary name in the same directory (C(.<name>.<random>.tmp), which the
        collector does not read) and renamed over the old one, with mode C(0644), so that a scrape never reads
        half a file.
      - The metrics (C(veeam_em_up), C(veeam_em_job_last_result), C(veeam_em_sessions), the protection part's with
        O(rpo), ...) are listed in C(docs/metrics.md). When Enterprise Manager cannot be read, the file still
        gets C(veeam_em_up 0) and C(veeam_em_report_timestamp_seconds), and nothing else, before the task fails.
      - Empty (the default) writes no metrics.
    type: path
  em_name:
    description:
      - The C(em) label of every metric in O(metrics_file), which tells one Enterprise Manager's metrics from
        another's. Needs O(metrics_file).
      - Default the O(server) option as given.
      - One name; an empty name, a list or a dict fails before any request.
    type: raw
attributes:
  check_mode:
    description: Reads EM as usual; the files (O(metrics_file) included) are not written, and RV(changed) says
      whether they would change.
    support: full
  diff_mode:
    description: Shows the changes of the files, as M(ansible.builtin.copy) does.
    support: full
seealso:
  - module: backupops.veeam_em.em_backup_session_info
"""

EXAMPLES = r"""
- name: Report on the last 24 hours, files into the reports directory next to the playbook
  backupops.veeam_em.em_backup_session_report:
    dest: "{{ playbook_dir }}/reports"
  register: report

- name: Say what the night looked like
  ansible.builtin.debug:
    msg: >-
      {{ report.summary.by_result.Failed }} failed sessions of {{ report.summary.jobs }} jobs;
      open in a browser: {{ report.files.html }}

- name: Metrics for Prometheus into the directory of node_exporter's --collector.textfile.directory on this host
  backupops.veeam_em.em_backup_session_report:
    window: 24h
    rpo: 24h
    metrics_file: "{{ textfile_dir | default(playbook_dir) }}/veeam_em.prom"
    em_name: em-emea

- name: A week of two jobs, the data only (no file written)
  backupops.veeam_em.em_backup_session_report:
    window: 7d
    job_name:
      - Fileserver Backup
      - SQL Backup
    fail_on: [Failed]
  register: weekly

- name: Fail when one of them failed
  ansible.builtin.assert:
    that: not weekly.gate.failed
    fail_msg: "{{ weekly.gate.message }}"
  ignore_errors: true
"""

RETURN = r"""
format_version:
  description:
    - Version of the report data's structure. This key and the twelve after it are the report data, the content of
      C(<basename>.json); the structure is described in the P(backupops.veeam_em.backup_session_report#role)
      role's README.
  returned: always
  type: int
  sample: 1
title:
  description: O(title).
  returned: always
  type: str
  sample: Veeam backup session report
generated_at:
  description: When the report was made, ISO 8601 UTC.
  returned: always
  type: str
  sample: "2026-01-15T06:00:04Z"
window:
  description: The window; C(spec) (as given), C(start), C(end) (ISO 8601 UTC) and C(seconds).
  returned: always
  type: dict
  sample: {"spec": "24h", "start": "2026-01-14T06:00:00Z", "end": "2026-01-15T06:00:00Z", "seconds": 86400}
filters:
  description: The filters used, C(job_name), C(job_type) (lists) and C(backup_server).
  returned: always
  type: dict
  sample: {"job_name": [], "job_type": [], "backup_server": null}
summary:
  description:
    - Counts; C(total) (sessions), C(by_result), C(by_state), C(running), C(retries), C(started_before_window),
      C(jobs), C(jobs_in_window), C(jobs_by_status), C(problem_vms), C(failure_rows), C(recovered_failure_rows),
      C(success_rate) (percent of the finished sessions, null without one).
  returned: always
  type: dict
  sample: {"total": 102, "by_result": {"Success": 70, "Warning": 5, "Failed": 15, "None": 12}, "running": 12, "jobs": 45}
jobs:
  description:
    - One entry per job, worst status first; C(name), C(job_type), C(backup_server_name), C(in_window),
      C(sessions), C(by_result), C(running), C(status) (Success, Warning, Failed, Running or None), C(severity),
      C(status_session), C(last_session), C(problem_vms), C(junit).
  returned: always
  type: list
  elements: dict
sessions:
  description:
    - The sessions that ran in the window, oldest first; C(id), C(name), C(job_name), C(job_type),
      C(backup_server_name), C(creation_time), C(end_time), C(state), C(result), C(status), C(is_retry),
      C(duration_seconds), C(duration), C(recovered_by).
  returned: always
  type: list
  elements: dict
failures:
  description:
    - The Warning/Failed task sessions of the Warning/Failed sessions, newest first; C(session_id),
      C(session_name), C(job_name), C(backup_server_name), C(creation_time), C(session_result), C(vm_name),
      C(result), C(reason), C(task_session_id), C(recovered_by). A session without such a task session gives
      one row with C(vm_name=null).
  returned: always
  type: list
  elements: dict
gate:
  description:
    - C(fail_on), C(failed), C(sessions), C(jobs) (name, sessions, by_result) and C(message).
    - With O(rpo) also C(protection), what the protection part fails on; C(fail_on) (O(fail_on_protection)),
      C(vms) (the names of the VMs it fails on), C(free_percent_below) and C(repositories) (the names of those
      below it).
  returned: always
  type: dict
  sample: {"fail_on": ["Failed"], "failed": true, "sessions": 1, "message": "1 session(s) of 1 job(s) with result Failed ..."}
junit:
  description:
    - Totals of the JUnit file; C(tests), C(failures), C(skipped), C(time), C(warning_policy) (the jobs' suite),
      C(vm_tests) and C(vm_failures) (the protection suite, one test case per VM; 0 without O(rpo)).
  returned: always
  type: dict
protection:
  description:
    - The protection part (with O(rpo); null without); C(vms), C(containers) and C(summary) as
      M(backupops.veeam_em.em_protection_info) returns them, and C(rpo) as given.
  returned: always
  type: dict
  sample: {"rpo": "24h", "summary": {"total": 44, "protected": 41, "breached": 2, "unprotected": 1, "rpo_seconds": 86400}}
repositories:
  description:
    - The backup repositories (with O(rpo); null without); C(items) as M(backupops.veeam_em.em_repository_info)
      returns them, each with C(low) (below O(repository_free_percent_below)), C(summary) and C(free_percent_below).
  returned: always
  type: dict
files:
  description: Paths of the files on the host; C(html), C(json) and C(junit).
  returned: when O(dest) is set
  type: dict
  sample: {"html": "/srv/reports/backup-session-report.html", "json": "/srv/reports/backup-session-report.json",
           "junit": "/srv/reports/backup-session-report.junit.xml"}
metrics_file:
  description:
    - The path O(metrics_file) was written to (absolute), or in check mode would have been. It is written on every
      run, also when the task fails because Enterprise Manager could not be read (then with C(veeam_em_up 0)).
  returned: when O(metrics_file) is set
  type: str
  sample: /var/lib/node_exporter/textfile_collector/veeam_em.prom
changed:
  description:
    - Whether a file was written (or, in check mode, would be); the report data changes on every run.
    - With O(metrics_file) always true, in check mode too, because its content changes on every run
      (C(veeam_em_report_timestamp_seconds)).
  returned: always
  type: bool
error_kind:
  description:
    - The kind of failure, V(unreachable) (no answer from EM), V(logon_refused) (HTTP 401 or 403 to the logon) or
      V(failed) (any other error); the playbook C(backupops.veeam_em.estate_report) reads it to say which EM could not
      be reached.
  returned: when the module failed
  type: str
  sample: unreachable
"""

from ansible_collections.backupops.veeam_em.plugins.module_utils import _metrics
from ansible_collections.backupops.veeam_em.plugins.module_utils import _report
from ansible_collections.backupops.veeam_em.plugins.module_utils import _sessions
from ansible_collections.backupops.veeam_em.plugins.module_utils import _verify
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError
from ansible_collections.backupops.veeam_em.plugins.module_utils._module import build_module, run_module

ARGUMENT_SPEC = dict(
    window=dict(type="str", default="24h"),
    window_end=dict(type="str", default=""),
    job_name=dict(type="raw"),
    job_type=dict(type="list", elements="str", choices=list(_sessions.JOB_TYPES)),
    backup_server=dict(type="raw"),
    latest_lookback=dict(type="str", default=""),
    fail_on=dict(type="list", elements="str", default=[]),
    junit_warning=dict(type="str", choices=list(_report.JUNIT_WARNING), default="pass"),
    title=dict(type="str", default="Veeam backup session report"),
    rpo=dict(type="str", default=""),
    fail_on_protection=dict(type="list", elements="str", default=[]),
    repository_free_percent_below=dict(type="float"),
    metrics_file=dict(type="path"),
    em_name=dict(type="raw"),
    **_report.FILES_ARGUMENT_SPEC
)


def run(module, client):
    """The report data; the action plugin of the same name renders and writes the files.

    With metrics_file the module writes the metrics itself, on its host: ``veeam_em_up 0`` when EM
    could not be read after the options were checked, and then fails as it would without them.
    """
    _report.check_files_options(module.params)
    metrics = metrics_options(module.params)
    checked = _report.checked_options(module.params)
    if metrics is None:
        return dict(_report.report_from_em(client, module.params, checked), changed=False)
    try:
        report = _report.report_from_em(client, module.params, checked)
    except Exception as exc:  # anything that kept EM from being read: the file must not go on saying up=1
        _write_down(module, client, metrics, exc)
        raise
    path, em = metrics
    if not module.check_mode:
        data = dict((key, report[key]) for key in _report.REPORT_KEYS)
        _metrics.write_textfile(path, _metrics.metrics_text([{"em": em, "up": True, "report": data}]))
    return dict(report, metrics_file=path, changed=True)


def metrics_options(params):
    """(metrics_file made absolute, the em label) checked before any request, or None without metrics_file."""
    if not params["metrics_file"]:
        if params["em_name"] is not None:
            raise VeeamEmError("em_name is the em label of the metrics in metrics_file: set metrics_file too, "
                               "or leave em_name out")
        return None
    path = _metrics.check_path(params["metrics_file"], "metrics_file")
    em = _verify.name(params["em_name"], "em_name")
    return path, em if em is not None else params["server"].strip()


def _write_down(module, client, metrics, exc):
    """The metrics of an EM that could not be read (up 0); the failure then says where they went."""
    if module.check_mode:
        return
    path, em = metrics
    try:
        _metrics.write_textfile(path, _metrics.metrics_text([{"em": em, "up": False, "report": None}]))
    except VeeamEmError as failed:
        client.warnings.append("%s (veeam_em_up 0 could not be written either)" % failed)
        return
    if isinstance(exc, VeeamEmError):
        exc.result.update(metrics_file=path, changed=True)


def main():
    run_module(build_module(ARGUMENT_SPEC, supports_check_mode=True), run)


if __name__ == "__main__":
    main()
