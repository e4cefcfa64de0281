# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The estate: the reports of many Enterprise Managers merged into one (the controller side of em_estate_report).

Each EM's entry is made from the result its em_backup_session_report task registered: its report when
the task succeeded, else its status from the failure's ``error_kind`` (``unreachable``, ``logon_refused``,
``failed``) with the failure's message as the reason. Every row of an EM's report (jobs, sessions,
failures, protection VMs and containers, repositories) gets ``em``, the EM's inventory hostname. The
totals add up the EMs that answered; the gate fails on an EM's own gate, and on an EM that did not answer
or refused the logon unless ``allow_unreachable`` (an EM that ``failed`` always fails it): an EM that is
missing never reads as "no failures".

How long an EM has been down comes from a small state file next to the report files
(``<basename>.state.json``): the time of each EM's last good answer, written on every run.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.backupops.veeam_em.plugins.module_utils._report import (
    REPORT_KEYS,
    STATUS_SEVERITY,
    counts,
    success_rate,
    format_time,
    now,
    parse_time,
)
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import ERROR_KINDS, FAILED, LOGON_REFUSED, UNREACHABLE
from ansible_collections.backupops.veeam_em.plugins.module_utils._protection import PROTECTION_STATUSES
from ansible_collections.backupops.veeam_em.plugins.module_utils._sessions import RESULTS
from ansible_collections.backupops.veeam_em.plugins.plugin_utils._report import FILE_KINDS as REPORT_FILE_KINDS
from ansible_collections.backupops.veeam_em.plugins.plugin_utils._report import (
    STATUS_COLOURS,
    environment,
    failures_by_job,
    session_timeline,
)

ESTATE_FORMAT_VERSION = 1
# an EM's status: ok, or the kind of the error its report task failed with
OK = "ok"
EM_STATUSES = (OK,) + ERROR_KINDS
# statuses of an EM that allow_unreachable lets pass the gate (an EM that failed otherwise never does)
MAY_BE_ALLOWED = (UNREACHABLE, LOGON_REFUSED)
# a job's status (the report's words), the most severe first
JOB_STATUSES = tuple(sorted(STATUS_SEVERITY, key=STATUS_SEVERITY.get, reverse=True))
# the counts of each EM's report summary that the estate adds up
SUMMED = ("total", "running", "retries", "jobs", "jobs_in_window", "problem_vms", "failure_rows", "recovered_failure_rows")
# the single report's files, and the state of the last good answers
FILE_KINDS = REPORT_FILE_KINDS + (("state", ".state.json"),)
NO_RESULT = ("no result from the report task for this EM: it did not run for it (a --limit without it, or the play "
             "ended for it before)")


def file_names(basename):
    """The estate's files: {html, json, junit, state} -> file name."""
    return dict((kind, basename + suffix) for kind, suffix in FILE_KINDS)


# ---------------------------------------------------------------- one EM

def em_entry(name, result, last_good=None, at=None):
    """The entry of EM ``name`` from the result its report task registered (None: no result).

    ``last_good``: the time of its last good answer known from the state file (ISO 8601 or None);
    ``at``: the estate's time (aware datetime). Returns {em, status, reason, last_good_answer,
    seconds_since_last_good_answer, warnings, report}; ``report`` is the report data with ``em`` on every
    row, or None when the EM gave none; ``warnings`` the warnings of its report task (a misspelt job name
    of this EM: Ansible shows each warning once and without its host).
    """
    at = at or now()
    entry = {"em": name, "status": FAILED, "reason": None, "last_good_answer": last_good,
             "seconds_since_last_good_answer": None, "warnings": [], "report": None}
    if isinstance(result, dict) and isinstance(result.get("warnings"), list):
        entry["warnings"] = [_warning_text(warning) for warning in result["warnings"]]
    if not isinstance(result, dict):
        entry["reason"] = NO_RESULT
    elif result.get("failed"):
        kind = result.get("error_kind")
        entry["status"] = kind if kind in (UNREACHABLE, LOGON_REFUSED) else FAILED
        entry["reason"] = str(result.get("msg") or "the report task failed without a message")
    elif result.get("skipped"):
        entry["reason"] = "the report task was skipped for this EM (%s)" % (result.get("skip_reason") or "no reason given")
    elif any(key not in result for key in REPORT_KEYS):
        entry["reason"] = "the report task's result holds no report data (is it em_backup_session_report's?)"
    else:
        entry.update(status=OK, report=tagged(name, result), last_good_answer=result["generated_at"])
    if entry["status"] == OK:  # it answered in this run
        entry["seconds_since_last_good_answer"] = 0
    elif entry["last_good_answer"]:
        seconds = (at - parse_time(entry["last_good_answer"])).total_seconds()
        entry["seconds_since_last_good_answer"] = max(0, int(seconds))
    return entry


def _warning_text(warning):
    """A registered warning's text: a string up to ansible-core 2.18; from 2.19 on, as registered (hostvars read
    raw), an object whose ``event.msg`` is the text."""
    text = getattr(getattr(warning, "event", None), "msg", None)
    return text if isinstance(text, str) else str(warning)


def _rows(name, rows):
    return [dict(row, em=name) for row in rows or []]


def tagged(name, result):
    """The report data of ``result`` with ``em`` = ``name`` on every row (copies; the result stays as it is)."""
    report = dict((key, result[key]) for key in REPORT_KEYS)
    for key in ("jobs", "sessions", "failures"):
        report[key] = _rows(name, report[key])
    if report["protection"]:
        report["protection"] = dict(report["protection"], vms=_rows(name, report["protection"]["vms"]),
                                    containers=_rows(name, report["protection"].get("containers")))
    if report["repositories"]:
        report["repositories"] = dict(report["repositories"], items=_rows(name, report["repositories"]["items"]))
    return report


# ---------------------------------------------------------------- the estate

def estate(entries, allow_unreachable=False, title=None, generated_at=None):
    """The estate data (the JSON file): its EMs (in the given order), their totals and the gate."""
    reports = [entry["report"] for entry in entries if entry["report"]]
    first = reports[0] if reports else None
    return {
        "format_version": ESTATE_FORMAT_VERSION,
        "title": title or "Veeam backup estate report",
        "generated_at": format_time(now(generated_at)),
        "window": dict(first["window"]) if first else None,
        "allow_unreachable": bool(allow_unreachable),
        "ems": entries,
        "summary": summary(entries),
        "gate": gate(entries, allow_unreachable),
        "junit": junit_totals(entries, allow_unreachable),
    }


def _add(total, part, keys):
    for key in keys:
        total[key] = total.get(key, 0) + (part.get(key) or 0)


def summary(entries):
    """Totals across the EMs that answered, and the EMs by status."""
    reports = [entry["report"] for entry in entries if entry["report"]]
    total = dict.fromkeys(SUMMED, 0)
    total.update(ems=len(entries), ems_by_status=counts(entries, "status", EM_STATUSES),
                 by_result=dict.fromkeys(RESULTS, 0), jobs_by_status=dict.fromkeys(JOB_STATUSES, 0))
    for report in reports:
        part = report["summary"]
        _add(total, part, SUMMED)
        _add(total["by_result"], part["by_result"], RESULTS)
        _add(total["jobs_by_status"], part["jobs_by_status"], JOB_STATUSES)
    total["success_rate"] = success_rate(total)
    total["protection"] = _protection_totals(reports)
    total["repositories"] = _repository_totals(reports)
    return total


def _protection_totals(reports):
    parts = [report["protection"] for report in reports if report["protection"]]
    if not parts:
        return None
    total = {"ems": len(parts), "rpo": sorted(set(part["rpo"] for part in parts))}
    for part in parts:
        _add(total, part["summary"], ("total",) + PROTECTION_STATUSES)
    return total


def _repository_totals(reports):
    parts = [report["repositories"] for report in reports if report["repositories"]]
    if not parts:
        return None
    total = {"low": sum(1 for part in parts for repo in part["items"] if repo.get("low"))}
    for part in parts:
        _add(total, part["summary"], ("total", "unknown_capacity", "capacity_bytes", "free_bytes"))
    return total


def allowed(entry, allow_unreachable):
    """Whether an EM that gave no report passes the gate (allow_unreachable, and it did not answer or refused)."""
    return bool(allow_unreachable) and entry["status"] in MAY_BE_ALLOWED


def gate(entries, allow_unreachable=False):
    """The estate's gate: failed when an EM's own gate failed, or an EM gave no report (unless allowed)."""
    down = [entry for entry in entries if entry["status"] != OK]
    failing = [entry for entry in down if not allowed(entry, allow_unreachable)]
    gated = [entry for entry in entries if entry["report"] and entry["report"]["gate"]["failed"]]
    parts = ["%s %s: %s" % (entry["em"], entry["status"], entry["reason"]) for entry in failing]
    parts += ["%s: %s" % (entry["em"], entry["report"]["gate"]["message"]) for entry in gated]
    parts += ["%s %s (allowed by allow_unreachable): %s" % (entry["em"], entry["status"], entry["reason"])
              for entry in down if allowed(entry, allow_unreachable)]
    answered = len(entries) - len(down)
    head = "%d of %d EM(s) answered" % (answered, len(entries))
    return {
        "failed": bool(failing or gated),
        "allow_unreachable": bool(allow_unreachable),
        "ems_down": [entry["em"] for entry in failing],
        "ems_allowed_down": [entry["em"] for entry in down if allowed(entry, allow_unreachable)],
        "ems_gate_failed": [entry["em"] for entry in gated],
        "message": "; ".join([head] + parts) if parts else head + "; no EM's gate failed",
    }


def junit_totals(entries, allow_unreachable=False):
    """The JUnit file's totals: each EM's cases, and one erroring (or, allowed, skipped) case per EM without a report."""
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0, "time": 0.0}
    for entry in entries:
        if entry["report"]:
            junit = entry["report"]["junit"]
            totals["tests"] += junit["tests"] + junit["vm_tests"]
            totals["failures"] += junit["failures"] + junit["vm_failures"]
            totals["skipped"] += junit["skipped"]
            totals["time"] += junit["time"]
        else:
            totals["tests"] += 1
            totals["skipped" if allowed(entry, allow_unreachable) else "errors"] += 1
    totals["time"] = round(totals["time"], 3)
    return totals


def outline(data):
    """The estate without the EMs' reports (the task's result): each EM's status, its summary and gate."""
    ems = []
    for entry in data["ems"]:
        brief = dict((key, value) for key, value in entry.items() if key != "report")
        report = entry["report"]
        brief["summary"] = report["summary"] if report else None
        brief["gate"] = report["gate"] if report else None
        ems.append(brief)
    return dict(data, ems=ems)


# ---------------------------------------------------------------- the state of the last good answers

def state_of(data):
    """The state file's data: the time of each EM's last good answer, as far as known."""
    return {"format_version": ESTATE_FORMAT_VERSION, "generated_at": data["generated_at"],
            "ems": dict((entry["em"], {"status": entry["status"], "last_good_answer": entry["last_good_answer"]})
                        for entry in data["ems"])}


def last_good_answers(text):
    """{em: last good answer} of a state file's text; {} for no file, or one that cannot be read."""
    try:
        data = json.loads(text) if text else {}
        ems = data.get("ems") or {}
        found = dict((str(name), value.get("last_good_answer")) for name, value in ems.items())
        for value in found.values():
            parse_time(value)
        return found
    except Exception:  # pylint: disable=broad-except  # a broken state only loses how long an EM is down
        return {}


# ---------------------------------------------------------------- the files

def render_files(data, timeline="auto", collapse_success_over=50):
    """The estate's files' text: {html, json, junit, state} -> str."""
    env = environment()
    views = []
    for index, entry in enumerate(data["ems"]):
        view = {"entry": entry, "idp": "em%d-" % (index + 1), "allowed": allowed(entry, data["allow_unreachable"])}
        if entry["report"]:
            view["timeline"] = session_timeline(entry["report"], mode=timeline,
                                                collapse_success_over=collapse_success_over)
            view["failures_by_job"] = failures_by_job(entry["report"])
        views.append(view)
    return {
        "html": env.get_template("estate.html.j2").render(estate=data, views=views, colours=STATUS_COLOURS),
        # compact, unlike the single report's: indenting 15,000 sessions took 0.75 s of the merge, compact 0.14 s
        "json": json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n",
        "junit": env.get_template("estate.junit.xml.j2").render(estate=data, views=views),
        "state": json.dumps(state_of(data), indent=2, sort_keys=True, separators=(",", ": ")) + "\n",
    }
