# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This is a virtual module that is entirely implemented as an action plugin and runs on the controller
# (plugins/action/em_estate_report.py; the merge is plugins/plugin_utils/_estate.py).

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: em_estate_report
short_description: Merge the reports of many Enterprise Managers into one (HTML, JSON, JUnit XML)
version_added: 1.1.0
description:
  - Runs on the controller. Reads the result that M(backupops.veeam_em.em_backup_session_report) registered on each
    EM host of O(ems) (one inventory host per Enterprise Manager), succeeded or failed, and merges them into one
    estate report - totals across the EMs, a table of the EMs with their status, and a section per EM.
  - An EM whose report task failed is in the report with its status, from the failure's C(error_kind)
    - V(unreachable) (no answer - a refused connection, a name that does not resolve, a timeout, TLS),
    V(logon_refused) (HTTP 401 or 403 to the logon) or V(failed) (any other error) - the failure's message as the
    reason, and how long ago it last answered where known. An EM without a registered result (the task did not run for
    it) is V(failed).
  - The gate RV(gate) fails when an EM's own gate failed (O(backupops.veeam_em.em_backup_session_report#module:fail_on),
    the protection part's O(backupops.veeam_em.em_backup_session_report#module:fail_on_protection) and
    O(backupops.veeam_em.em_backup_session_report#module:repository_free_percent_below)), and when an EM is
    V(unreachable) or V(logon_refused), unless O(allow_unreachable). An EM that V(failed) always fails it. The
    module itself does not fail on the gate; the playbook C(backupops.veeam_em.estate_report) does, after writing
    the files.
  - With O(dest), writes C(<basename>.html), C(<basename>.json) (the merged data, every EM's report with C(em) on
    each row), C(<basename>.junit.xml) (a testsuite per EM) and C(<basename>.state.json) into that directory on the
    host the task runs on, like M(ansible.builtin.copy) (check mode and diff included).
  - C(<basename>.state.json) keeps the time of each EM's last good answer; the next run reads it back (with
    M(ansible.builtin.slurp)) to say how long an EM has not answered. Without it (the first run, or another O(dest))
    that time is unknown.
  - The results are read from the hosts' variables as they were registered, without templating them, so a large
    estate's data costs no Ansible templating.
author:
  - backupops maintainers (@backupops)
options:
  ems:
    description:
      - The inventory hostnames of the EMs, in the order the report lists them, usually the group of the EMs,
        V({{ groups['veeam_em'] }}). Each becomes the C(em) of its rows.
      - Must not be empty, and must not name an EM twice.
    type: list
    elements: str
    required: true
  result_var:
    description: The variable each EM host registered the result of its em_backup_session_report task in.
    type: str
    default: veeam_em_estate_result
  allow_unreachable:
    description:
      - Let an EM that is V(unreachable) or V(logon_refused) pass the gate. It is still listed as such in every file,
        and its JUnit test case is skipped instead of erroring.
    type: bool
    default: false
  title:
    description: Title of the report.
    type: str
    default: Veeam backup estate report
  dest:
    description:
      - Directory to write the four files into, on the host the task runs on; created (mode C(0755)) when missing.
        Files are written with mode C(0644).
      - Without it no file is written and no earlier state is read (how long an EM has been down is then unknown).
    type: path
  basename:
    description: Name of the files without their suffixes (C(.html), C(.json), C(.junit.xml), C(.state.json)).
    type: str
    default: estate-report
  timeline:
    description: The timeline of each EM's section, as O(backupops.veeam_em.em_backup_session_report#module:timeline).
    type: str
    choices: [auto, session, day]
    default: auto
  collapse_success_over:
    description:
      - With more jobs than this in an EM's section, its jobs whose sessions all succeeded are folded away
        (as O(backupops.veeam_em.em_backup_session_report#module:collapse_success_over)); V(0) never folds.
    type: int
    default: 50
  metrics_file:
    description:
      - Path of a Prometheus textfile-collector file (its name ends in C(.prom)) to write the estate's metrics to,
        on the controller, atomically (a temporary name in the same directory, then renamed), not in check mode.
      - The metrics of every EM of O(ems) with its inventory hostname as the C(em) label, as
        O(backupops.veeam_em.em_backup_session_report#module:metrics_file) writes them for one EM; an EM without a
        report has C(veeam_em_up 0) and its report timestamp, nothing else. See C(docs/metrics.md).
      - Checked before anything is read - its directory must exist; the task must run on the controller (connection
        V(local)).
    type: path
attributes:
  action:
    description: Runs as an action plugin on the controller; the files are written through M(ansible.builtin.copy).
    support: full
  async:
    description: Cannot run asynchronously.
    support: none
  bypass_host_loop:
    description: Runs once per host of the play (give it one, V(localhost)).
    support: none
  check_mode:
    description: Merges as usual; the files are not written, and RV(changed) says whether they would change.
    support: full
  diff_mode:
    description: Shows the changes of the files, as M(ansible.builtin.copy) does.
    support: full
  platform:
    description: The merge runs on the controller; the files are written on the task's host.
    support: full
    platforms: all
notes:
  - Run it once, on one host (V(localhost)), after a play on the EM group ran
    M(backupops.veeam_em.em_backup_session_report) with C(register) and C(ignore_errors) (the playbook
    C(backupops.veeam_em.estate_report) does both; see the collection's docs/estate.md).
seealso:
  - module: backupops.veeam_em.em_backup_session_report
"""

EXAMPLES = r"""
- name: The report of this EM, kept also when it fails (the estate lists a failed EM as such)
  backupops.veeam_em.em_backup_session_report:
    window: 24h
    fail_on: [Failed]
  register: veeam_em_estate_result
  ignore_errors: true

- name: Merge the EMs' reports into one, with its files in the reports directory next to the playbook
  backupops.veeam_em.em_estate_report:
    ems: "{{ ansible_play_hosts_all }}"
    dest: "{{ playbook_dir }}/reports"
    allow_unreachable: true
    # every EM's metrics in one file of node_exporter's textfile directory (on the controller)
    metrics_file: "{{ textfile_dir | default(playbook_dir) }}/veeam_em_estate.prom"
  register: estate

- name: Say how the estate is doing
  ansible.builtin.debug:
    msg: "{{ estate.summary.ems_by_status.ok }} of {{ estate.summary.ems }} EMs answered; {{ estate.gate.message }}"
"""

RETURN = r"""
format_version:
  description: Version of the estate data's structure (the content of C(<basename>.json)).
  returned: always
  type: int
  sample: 1
title:
  description: O(title).
  returned: always
  type: str
generated_at:
  description: When the estate was merged, ISO 8601 UTC.
  returned: always
  type: str
  sample: "2026-01-15T06:00:09Z"
window:
  description: The window of the first EM that answered (each EM's own is in its report); null when none answered.
  returned: always
  type: dict
allow_unreachable:
  description: O(allow_unreachable).
  returned: always
  type: bool
ems:
  description:
    - One entry per EM of O(ems), in that order; C(em) (the inventory hostname), C(status) (V(ok), V(unreachable),
      V(logon_refused) or V(failed)), C(reason) (the failure's message, null when V(ok)), C(last_good_answer)
      (ISO 8601, null when unknown), C(seconds_since_last_good_answer), C(warnings) (those of its report task), and
      the C(summary) and C(gate) of its report (null without one).
    - The EMs' whole reports, with C(em) on every row, are in C(<basename>.json) (key C(report) of each entry), not
      in this result.
  returned: always
  type: list
  elements: dict
  sample: [{"em": "em-eu.example.com", "status": "ok", "reason": null, "last_good_answer": "2026-01-15T06:00:04Z",
            "seconds_since_last_good_answer": 5},
           {"em": "em-us.example.com", "status": "unreachable", "reason": "Nothing answers at https://...",
            "last_good_answer": "2026-01-14T06:00:03Z", "seconds_since_last_good_answer": 86406}]
summary:
  description:
    - Totals across the EMs that answered; C(ems), C(ems_by_status), C(total) (sessions), C(by_result), C(running),
      C(retries), C(jobs), C(jobs_in_window), C(jobs_by_status), C(problem_vms), C(failure_rows),
      C(recovered_failure_rows), C(success_rate); C(protection) (C(ems), C(rpo), C(total), C(protected),
      C(breached), C(unprotected); null without the protection part) and C(repositories) (C(total), C(low),
      C(unknown_capacity), C(capacity_bytes), C(free_bytes); null without it).
  returned: always
  type: dict
gate:
  description:
    - C(failed), C(allow_unreachable), C(ems_down) (EMs without a report that fail the gate), C(ems_allowed_down)
      (those O(allow_unreachable) lets pass), C(ems_gate_failed) (EMs whose own gate failed) and C(message).
  returned: always
  type: dict
  sample: {"failed": true, "ems_down": ["em-us.example.com"], "message": "1 of 2 EM(s) answered; em-us.example.com unreachable: ..."}
junit:
  description: Totals of the JUnit file; C(tests), C(failures), C(errors), C(skipped), C(time).
  returned: always
  type: dict
metrics_file:
  description: The path O(metrics_file) was written to (absolute), or in check mode would have been.
  returned: when O(metrics_file) is set
  type: str
  sample: /var/lib/node_exporter/textfile_collector/veeam_em_estate.prom
files:
  description: Paths of the files on the host; C(html), C(json), C(junit) and C(state).
  returned: when O(dest) is set
  type: dict
changed:
  description:
    - Whether a file was written (or, in check mode, would be); with O(metrics_file) always true, as its timestamp
      changes on every run.
  returned: always
  type: bool
"""
