# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The report's domain: its window, its data (counts, each job's status, failure details, the gate,
the JUnit cases), status severities, and the time and duration helpers they share. How the report
looks (colours, labels, the HTML) lives on the controller, in ``plugin_utils/_report.py``.

One home for the em_backup_session_report module (which builds the data where it reads EM), the
report filters and the guard filter. Times and lengths are read by ``_times`` (the collection's one
time grammar), so a time means the same to a module and to a filter. Errors are :class:`VeeamEmError`; the filters turn
them into ``AnsibleFilterError``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import functools
import re

from ansible_collections.backupops.veeam_em.plugins.module_utils import _protection
from ansible_collections.backupops.veeam_em.plugins.module_utils import _sessions
from ansible_collections.backupops.veeam_em.plugins.module_utils import _times
from ansible_collections.backupops.veeam_em.plugins.module_utils import _verify
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError
from ansible_collections.backupops.veeam_em.plugins.module_utils._sessions import (
    ACTIVE_STATES,
    PROBLEM_RESULTS,
    RESULTS,
    SESSION_STATES,
)

# Status of a job or of a timeline cell, worst first.
STATUS_SEVERITY = {"Failed": 4, "Warning": 3, "Running": 2, "None": 1, "Success": 0}

UTC = datetime.timezone.utc


def parse_time(value, what="time"):
    """ISO 8601 text (or a datetime) -> aware UTC datetime; None stays None (parsing: module_utils._times)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    return _times.iso(value, what)


def format_time(stamp):
    """Aware datetime -> ``YYYY-MM-DDTHH:MM:SSZ`` (whole seconds, UTC)."""
    if stamp is None:
        return None
    return _times.text(stamp.replace(microsecond=0))


def parse_duration(value, what="duration"):
    """A length (``90s``, ``30m``, ``8h``, ``7d``, ``2w``, ``1h30m``) -> seconds; a bare number is refused."""
    return _times.length(value, what)


def human_duration(seconds):
    """Seconds -> short text: ``45s``, ``12m``, ``3h 05m``, ``2d 4h``."""
    if seconds is None:
        return ""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return "%ds" % seconds
    minutes, _sec = divmod(seconds, 60)
    if minutes < 60:
        return "%dm" % minutes
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return "%dh %02dm" % (hours, minutes)
    days, hours = divmod(hours, 24)
    return "%dd %dh" % (days, hours)


def now(value=None, what="now"):
    if value is None or value == "":
        return datetime.datetime.now(UTC).replace(microsecond=0)
    return parse_time(value, what)


def sort_key_time(item):
    return (item.get("creation_time") or "", item.get("id") or "")


def counts(items, key, names):
    counts = dict((name, 0) for name in names)
    for item in items:
        value = item.get(key)
        counts[value] = counts.get(value, 0) + 1
    return counts


# ---------------------------------------------------------------- report window

REPORT_FORMAT_VERSION = 1
# the keys of the report data (session_report's answer, the JSON file, em_backup_session_report's result)
REPORT_KEYS = ("format_version", "title", "generated_at", "window", "filters", "summary", "jobs", "sessions", "failures",
               "gate", "junit", "protection", "repositories")
# The VM statuses of the protection part a gate can fail on (em_protection_info's, but protected).
PROTECTION_PROBLEMS = tuple(status for status in _protection.PROTECTION_STATUSES if status != _protection.PROTECTED)
TIMELINE_MODES = ("auto", "session", "day")
JUNIT_WARNING = ("pass", "failure")

# The options of em_backup_session_report that say how and where its files are written: the action
# plugin checks them before the module reads EM, and writes the files with them.
FILES_ARGUMENT_SPEC = dict(
    dest=dict(type="path"),
    basename=dict(type="str", default="backup-session-report"),
    timeline=dict(type="str", default="auto", choices=list(TIMELINE_MODES)),
    collapse_success_over=dict(type="int", default=50),
)


def check_files_options(params):
    """The file options' values that their types do not rule out (fails before any request)."""
    if params["collapse_success_over"] < 0:
        raise VeeamEmError("collapse_success_over must be 0 (never fold) or more, not %d"
                           % params["collapse_success_over"])
    basename = params["basename"]
    if not isinstance(basename, str) or not basename or basename.strip() != basename or "/" in basename \
            or "\\" in basename or basename in (".", "..") or re.search(r"[\x00-\x1f\x7f]", basename):
        raise VeeamEmError("basename %r must be a file name without a directory, a line break or another control "
                           "character, such as backup-session-report (the directory is dest)" % (basename,))


def report_window(spec="24h", end=None, what="window", end_what="window_end"):
    """The report's time window.

    ``spec`` is a relative duration counted back from ``end`` (``24h``, ``7d``...) or an
    ISO 8601 start; ``end`` is an ISO 8601 end, empty for now. ``what`` and ``end_what`` name
    the options in errors.
    """
    end_time = now(end, end_what)
    if spec is None or str(spec).strip() == "":
        spec = "24h"
    text = str(spec).strip()
    start_time = _times.moment(text, what, now=end_time, allow_zero=False)
    start_time = start_time.replace(microsecond=0)
    end_time = end_time.replace(microsecond=0)
    if start_time >= end_time:
        raise VeeamEmError("the %s start %s is not before its end %s"
                           % (what, format_time(start_time), format_time(end_time)))
    return {
        "spec": text,
        "start": format_time(start_time),
        "end": format_time(end_time),
        "seconds": int((end_time - start_time).total_seconds()),
    }


# ---------------------------------------------------------------- report data

def _whole(stamp):
    return stamp.replace(microsecond=0) if stamp is not None else None


def _session_status(session):
    state = session.get("state")
    result = session.get("result")
    if state in ACTIVE_STATES:
        return "Running"
    if result in RESULTS and result != "None":
        return result
    return "None"


def _is_finished(session):
    return session.get("state") not in ACTIVE_STATES


def _compact_session(session, window_end):
    created = _whole(parse_time(session.get("creation_time"), "creation_time"))
    ended = _whole(parse_time(session.get("end_time"), "end_time"))
    duration = None
    if created is not None:
        duration = int(((ended or window_end) - created).total_seconds())
    result = session.get("result")
    return {
        "id": session.get("id"),
        "name": session.get("name"),
        "job_name": session.get("job_name") or "",
        "job_type": session.get("job_type"),
        "backup_server_name": session.get("backup_server_name"),
        "creation_time": format_time(created),
        "end_time": format_time(ended),
        "state": session.get("state"),
        "result": result if result in RESULTS else "None",
        "status": _session_status(session),
        "is_retry": bool(session.get("is_retry")),
        "duration_seconds": duration,
        "duration": human_duration(duration),
    }


def session_report(sessions, detail_sessions=None, window=None, latest_sessions=None, fail_on=None,
                   filters=None, junit_warning="pass", generated_at=None, title=None, protection=None):
    """Build the report data (what the JSON file holds and the HTML/JUnit files show).

    ``sessions``: em_backup_session_info's backup_sessions that ran in the window: created in
    it, and created before it but still running or ended in it (a session given twice counts once).
    ``detail_sessions``: the Warning/Failed sessions of the window with task_sessions.
    ``window``: report_window's answer. ``latest_sessions``: each job's newest session
    (latest_per_job) so jobs without a session in the window still get a status.
    ``fail_on``: results that make the gate fail. ``junit_warning``: pass or failure.
    ``protection``: the protection part (``protection_part``), or None without one.
    """
    window = window if window is not None else report_window()
    fail_on = _checked_arguments(window, fail_on, junit_warning)
    window_end = parse_time(window["end"])
    unique = dict((s.get("id"), s) for s in (sessions or []))  # a session may come from two queries
    rows = sorted((_compact_session(s, window_end) for s in unique.values()), key=sort_key_time)
    latest_rows = [_compact_session(s, window_end) for s in (latest_sessions or [])]
    failures = _failure_rows(detail_sessions, set(row["id"] for row in rows))
    _mark_recovered(rows, failures)
    job_list = _job_entries(rows, latest_rows, failures, junit_warning)
    gate = _gate(rows, fail_on, window)
    if protection is not None:
        _protection_gate(gate, protection)
    return {
        "format_version": REPORT_FORMAT_VERSION,
        "title": title or "Veeam backup session report",
        "generated_at": format_time(now(generated_at)),
        "window": dict(window),
        "filters": _clean_filters(filters),
        "summary": _summary(rows, job_list, failures, format_time(parse_time(window["start"]))),
        "jobs": job_list,
        "sessions": rows,
        "failures": failures,
        "gate": gate,
        "junit": _junit_totals(job_list, junit_warning, protection),
        "protection": protection["protection"] if protection else None,
        "repositories": protection["repositories"] if protection else None,
    }


def protection_options(params):
    """The protection part's options checked (before any request): (rpo seconds or None, fail_on_protection,
    repository_free_percent_below)."""
    rpo = _protection.rpo_seconds(params["rpo"]) if params["rpo"] else None
    fail_on = _verify.words(params["fail_on_protection"], "fail_on_protection", PROTECTION_PROBLEMS)
    below = _protection.percent(params["repository_free_percent_below"], "repository_free_percent_below")
    if rpo is None and (fail_on or below is not None):
        raise VeeamEmError("fail_on_protection and repository_free_percent_below gate on the protection part: set "
                           "rpo (such as 24h) to add it, or leave them out")
    return rpo, fail_on, below


def protection_part(client, rpo, fail_on, below, job_names=None, backup_server=None, rpo_text=None, warned=()):
    """The report's protection part: em_protection_info's answer for the report's jobs, the repositories,
    and what its gate fails on. ``warned``: job names the report already warned about."""
    view = _protection.protection(client, rpo, job_names=job_names, backup_server=backup_server, warned=warned)
    repositories = _protection.REPOSITORIES.ask(backup_server=backup_server).items(client)
    for repo in repositories:
        repo["low"] = below is not None and _protection.free_below(repo, below)
    return {"protection": dict(view, rpo=rpo_text or "%ds" % rpo), "fail_on": fail_on, "free_percent_below": below,
            "repositories": {"items": repositories, "summary": _protection.repository_summary(repositories),
                             "free_percent_below": below}}


def _protection_gate(gate, part):
    """Add the protection part's hits to the gate: VMs of the statuses in its fail_on, repositories below."""
    vms = [vm for vm in part["protection"]["vms"] if vm["status"] in part["fail_on"]]
    repositories = [r for r in part["repositories"]["items"] if r["low"]]
    gate["protection"] = {"fail_on": part["fail_on"], "vms": [vm["vm_name"] for vm in vms],
                          "free_percent_below": part["free_percent_below"],
                          "repositories": [r["name"] for r in repositories]}
    messages = [gate["message"]] if gate["fail_on"] else []
    if vms:
        messages.append("%d VM(s) %s for an RPO of %s: %s" % (
            len(vms), " or ".join(part["fail_on"]), part["protection"]["rpo"],
            ", ".join("%s (%s)" % (vm["vm_name"], vm["status"]) for vm in vms)))
    elif part["fail_on"]:
        messages.append("no VM %s for an RPO of %s" % (" or ".join(part["fail_on"]), part["protection"]["rpo"]))
    if repositories:
        messages.append("%d repository(ies) with less than %s%% free: %s" % (
            len(repositories), part["free_percent_below"], ", ".join(
                "%s (%s%%)" % (r["name"], r["free_percent"]) for r in repositories)))
    elif part["free_percent_below"] is not None:
        messages.append("no repository with less than %s%% free" % part["free_percent_below"])
    gate["failed"] = gate["failed"] or bool(vms or repositories)
    gate["message"] = "; ".join(messages) or gate["message"]


def checked_options(params):
    """Every option of em_backup_session_report that report_from_em reads, checked before any request: what
    it asks EM with (window, lookback, filters, the protection part's rpo, fail_on_protection and below)."""
    window = report_window(params["window"], params["window_end"])
    lookback = report_window(params["latest_lookback"], window["end"], "latest_lookback") \
        if params["latest_lookback"] else None
    _checked_arguments(window, params["fail_on"], params["junit_warning"])
    rpo, fail_on_protection, below = protection_options(params)
    filters = dict(job_name=_verify.names(params["job_name"], "job_name"), job_type=params["job_type"] or None,
                   backup_server=_verify.name(params["backup_server"], "backup_server"))
    return dict(window=window, lookback=lookback, rpo=rpo, fail_on_protection=fail_on_protection, below=below,
                filters=filters)


def report_from_em(client, params, checked=None):
    """The report data of em_backup_session_report's options ``params``, read from EM.

    Three questions cover every session that ran in the window, each answered by the query service
    in pages: those created in it (with their Warning/Failed task sessions), those created before it
    and still running, and those created before it that ended in it (with theirs). With
    ``latest_lookback`` (a duration, e.g. 30d) a fourth asks for each job's newest session of that
    period before the window's end. Job names of which EM has no session at all are warned about once.
    Every option is checked before the first request (``checked``: checked_options' answer, when the
    caller checked them already).
    """
    checked = checked or checked_options(params)
    window, lookback, filters = checked["window"], checked["lookback"], checked["filters"]
    job_names = filters["job_name"]
    problems = dict(include_task_sessions=True, task_session_result=list(PROBLEM_RESULTS))
    find = functools.partial(_sessions.find_job_sessions, client, warn_unknown=False)
    created = find(dict(filters, created_after=window["start"], created_before=window["end"], sort="oldest_first",
                        **problems))
    running = find(dict(filters, created_before=window["start"], state=list(ACTIVE_STATES), sort="oldest_first"))
    ended = find(dict(filters, created_before=window["start"], ended_after=window["start"], sort="oldest_first",
                      **problems))
    latest = find(dict(filters, latest_per_job=True, created_after=lookback["start"],
                       created_before=window["end"])) if lookback else []
    warned = _sessions.warn_unknown_job_names(client, job_names, running + ended + created + latest)
    protection = protection_part(client, checked["rpo"], checked["fail_on_protection"], checked["below"], job_names,
                                 filters["backup_server"], str(params["rpo"]).strip(),
                                 warned=warned) if checked["rpo"] else None
    return session_report(running + ended + created, detail_sessions=created + ended, window=window,
                          latest_sessions=latest, fail_on=params["fail_on"], filters=filters,
                          junit_warning=params["junit_warning"], title=params["title"], protection=protection)


def _checked_arguments(window, fail_on, junit_warning):
    """The arguments of session_report checked; returns fail_on as a list."""
    if not isinstance(window, dict) or "start" not in window or "end" not in window:
        raise VeeamEmError("window must be the answer of backupops.veeam_em.report_window")
    if junit_warning not in JUNIT_WARNING:
        raise VeeamEmError("junit_warning must be pass or failure, not %r" % (junit_warning,))
    return _verify.words(fail_on, "fail_on", RESULTS)


def _failure_rows(detail_sessions, seen_ids):
    """Every Warning/Failed task session of the window's Warning/Failed sessions, newest first.

    A problem session without such a task session gets one row without a VM.
    """
    failures = []
    for session in detail_sessions or []:
        if session.get("id") not in seen_ids or session.get("result") not in PROBLEM_RESULTS:
            continue
        base = {
            "session_id": session.get("id"),
            "session_name": session.get("name"),
            "job_name": session.get("job_name") or "",
            "backup_server_name": session.get("backup_server_name"),
            "creation_time": format_time(parse_time(session.get("creation_time"))),
            "session_result": session.get("result"),
        }
        tasks = [t for t in (session.get("task_sessions") or []) if t.get("result") in PROBLEM_RESULTS]
        if not tasks:
            failures.append(dict(base, vm_name=None, result=session.get("result"), reason=None, task_session_id=None))
        for task in sorted(tasks, key=lambda t: (t.get("vm_name") or "", t.get("id") or "")):
            failures.append(dict(base, vm_name=task.get("vm_name"), result=task.get("result"),
                                 reason=task.get("reason") or None, task_session_id=task.get("id")))
    failures.sort(key=lambda f: (f["creation_time"] or "", f["job_name"], f["vm_name"] or ""), reverse=True)
    return failures


def _job_entries(rows, latest_rows, failures, junit_warning):
    """One entry per job (of the window, or newest of the lookback), worst status first."""
    jobs = {}
    for row in rows:
        jobs.setdefault(row["job_name"], []).append(row)
    latest_by_job = {}
    for row in latest_rows:
        current = latest_by_job.get(row["job_name"])
        if current is None or sort_key_time(row) > sort_key_time(current):
            latest_by_job[row["job_name"]] = row
    for name in latest_by_job:
        jobs.setdefault(name, [])
    job_list = [_job_entry(name, in_window, latest_by_job.get(name), failures, junit_warning)
                for name, in_window in jobs.items()]
    job_list.sort(key=lambda j: (-j["severity"], j["name"].casefold(), j["name"]))
    return job_list


def _job_entry(name, in_window, latest, failures, junit_warning):
    """A job's status is the result of its newest finished session in the window (else of ``latest``)."""
    last = in_window[-1] if in_window else latest
    finished = [s for s in in_window if _is_finished(s)]
    if finished:
        decisive = finished[-1]
    elif not in_window and latest is not None and _is_finished(latest):
        decisive = latest
    else:
        decisive = None
    if decisive is not None:
        status = decisive["status"]
    elif last is not None and last["status"] == "Running":
        status = "Running"
    else:
        status = "None"
    entry = {
        "name": name,
        "job_type": (last or {}).get("job_type"),
        "backup_server_name": (last or {}).get("backup_server_name"),
        "in_window": bool(in_window),
        "sessions": len(in_window),
        "by_result": counts(in_window, "result", RESULTS),
        "running": sum(1 for s in in_window if s["status"] == "Running"),
        "status": status,
        "severity": STATUS_SEVERITY[status],
        "status_session": decisive,
        "last_session": last,
        "problem_vms": sorted(set(f["vm_name"] for f in failures if f["job_name"] == name and f["vm_name"])),
    }
    entry["junit"] = _junit_case(entry, junit_warning)
    return entry


def _summary(rows, job_list, failures, window_start):
    """The report's counts (the tiles of the HTML page)."""
    summary = {
        "total": len(rows),
        "by_result": counts(rows, "result", RESULTS),
        "by_state": counts(rows, "state", SESSION_STATES),
        "running": sum(1 for r in rows if r["status"] == "Running"),
        "retries": sum(1 for r in rows if r["is_retry"]),
        # sessions that ran in the window but started before it (still running, or ended in the window)
        "started_before_window": sum(1 for r in rows if (r["creation_time"] or "") < window_start),
        "jobs": len(job_list),
        "jobs_in_window": sum(1 for j in job_list if j["in_window"]),
        "jobs_by_status": counts(job_list, "status", ("Failed", "Warning", "Running", "None", "Success")),
        "problem_vms": len(set((f["job_name"], f["vm_name"]) for f in failures if f["vm_name"])),
        "failure_rows": len(failures),
        "recovered_failure_rows": sum(1 for f in failures if f["recovered_by"]),
    }
    summary["success_rate"] = success_rate(summary)
    return summary


def success_rate(summary):
    """Percent of the finished sessions of a summary ({total, running, by_result}) that succeeded; None without one."""
    finished = summary["total"] - summary["running"]
    return round(100.0 * summary["by_result"]["Success"] / finished, 1) if finished else None


def _junit_totals(job_list, junit_warning, protection=None):
    """The JUnit counts: the jobs' suite, and with protection one test case per VM (a VM not protected fails)."""
    vms = protection["protection"]["vms"] if protection else []
    return {
        "tests": len(job_list),
        "failures": sum(1 for j in job_list if j["junit"]["status"] == "failure"),
        "skipped": sum(1 for j in job_list if j["junit"]["status"] == "skipped"),
        "time": round(sum(j["junit"]["time"] for j in job_list), 3),
        "warning_policy": junit_warning,
        "vm_tests": len(vms),
        "vm_failures": sum(1 for vm in vms if vm["status"] != _protection.PROTECTED),
    }


def _mark_recovered(rows, failures):
    """Say, for each Warning/Failed session and failure row, whether a later session of its job succeeded.

    ``recovered_by`` is that session (its id, start and whether EM ran it as a retry), or None: the
    answer to "did the retry fix it?" that a reader of the failures looks for first.
    """
    successes = {}
    for row in rows:  # oldest first
        if row["status"] == "Success":
            successes.setdefault(row["job_name"], []).append(row)
    by_id = {}
    for row in rows:
        later = [s for s in successes.get(row["job_name"], ()) if sort_key_time(s) > sort_key_time(row)]
        row["recovered_by"] = ({"session_id": later[0]["id"], "creation_time": later[0]["creation_time"],
                                "is_retry": later[0]["is_retry"]}
                               if later and row["status"] in PROBLEM_RESULTS else None)
        by_id[row["id"]] = row
    for failure in failures:
        session = by_id.get(failure["session_id"])
        failure["recovered_by"] = session["recovered_by"] if session else None


def _clean_filters(filters):
    filters = dict(filters or {})
    return {
        "job_name": list(filters.get("job_name") or []),
        "job_type": list(filters.get("job_type") or []),
        "backup_server": filters.get("backup_server") or None,
    }


def _junit_case(job, junit_warning):
    decisive = job["status_session"]
    time_taken = float(decisive["duration_seconds"] or 0) if decisive else 0.0
    counts = job["by_result"]
    lines = ["sessions in window: %d (Success %d, Warning %d, Failed %d, running %d)"
             % (job["sessions"], counts["Success"], counts["Warning"], counts["Failed"], job["running"])]
    if decisive is not None:
        lines.append("latest finished session: %s %s (%s, %s)" % (
            decisive["name"] or decisive["id"], decisive["result"], decisive["creation_time"], decisive["duration"]))
    if job["problem_vms"]:
        lines.append("VMs with problems: " + ", ".join(job["problem_vms"]))
    status = job["status"]
    if status == "Failed" or (status == "Warning" and junit_warning == "failure"):
        kind = "failure"
        message = "latest finished session %s at %s" % (status, decisive["creation_time"])
    elif status in ("Running", "None"):
        kind = "skipped"
        message = ("no finished session yet: running" if status == "Running"
                   else "no finished session with a result")
    else:
        kind = "passed"
        message = "latest finished session %s at %s" % (status, decisive["creation_time"])
    return {"status": kind, "type": status, "message": message, "time": time_taken, "output": "\n".join(lines)}


def _gate(rows, fail_on, window):
    hits = [r for r in rows if r["result"] in fail_on and (r["result"] != "None" or _is_finished(r))]
    per_job = {}
    for row in hits:
        job = per_job.setdefault(row["job_name"], {"name": row["job_name"], "sessions": 0,
                                                   "by_result": dict((r, 0) for r in fail_on)})
        job["sessions"] += 1
        job["by_result"][row["result"]] += 1
    jobs = sorted(per_job.values(), key=lambda j: (-j["sessions"], j["name"].casefold(), j["name"]))
    if jobs:
        parts = []
        for job in jobs:
            detail = ", ".join("%d %s" % (n, r) for r, n in job["by_result"].items() if n)
            parts.append("%s (%s)" % (job["name"], detail))
        message = ("%d session(s) of %d job(s) with result %s between %s and %s: %s" % (
            len(hits), len(jobs), " or ".join(fail_on), window["start"], window["end"], "; ".join(parts)))
    elif fail_on:
        message = "no session with result %s between %s and %s" % (" or ".join(fail_on), window["start"], window["end"])
    else:
        message = "gate disabled"
    return {"fail_on": fail_on, "failed": bool(jobs), "sessions": len(hits), "jobs": jobs, "message": message}
