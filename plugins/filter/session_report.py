# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Data shaping for the backup_session_report and backup_session_guard roles.

The roles collect sessions with the collection's modules; everything that
turns those lists into a report (counts, each job's status, failure details,
the gate, the SVG timeline geometry) or into a list of sessions to stop lives
here, in plain Python that unit tests can reach, instead of in long Jinja.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import math
import re

from ansible.errors import AnsibleFilterError

from ansible_collections.backupops.veeam_em.plugins.module_utils import _query
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError
from ansible_collections.backupops.veeam_em.plugins.module_utils._sessions import (
    ACTIVE_STATES,
    PROBLEM_RESULTS,
    RESULTS,
    SESSION_STATES,
    STOPPABLE_STATES,
    VOCABULARY,
)

try:
    from zoneinfo import ZoneInfo  # Python 3.9+
except ImportError:  # pragma: no cover - Python 3.8 controllers
    ZoneInfo = None

REPORT_FORMAT_VERSION = 1

# Status of a job or of a timeline cell, worst first.
STATUS_SEVERITY = {"Failed": 4, "Warning": 3, "Running": 2, "None": 1, "Success": 0}
STATUS_COLOURS = {
    "Success": "#2f9e44",
    "Warning": "#e8a100",
    "Failed": "#d9363e",
    "Running": "#2f74d0",
    "None": "#98a2b3",
}
STATUS_LABELS = {
    "Success": "Success",
    "Warning": "Warning",
    "Failed": "Failed",
    "Running": "Running",
    "None": "No result",
}

_UTC = datetime.timezone.utc
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=_UTC)
_DURATION_RE = re.compile(r"(\d+)\s*([smhdw])", re.IGNORECASE)
_DURATION_FULL_RE = re.compile(r"^\s*(?:\d+\s*[smhdw]\s*)+$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_CLOCK_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
_OFFSET_RE = re.compile(r"^\s*(?:UTC|GMT)?\s*([+-])(\d{1,2}):?(\d{2})?\s*$", re.IGNORECASE)


# ---------------------------------------------------------------- time helpers

def parse_time(value, what="time"):
    """ISO 8601 text (or a datetime) -> aware UTC datetime; None stays None (parsing: module_utils._query)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=_UTC)
        return value.astimezone(_UTC)
    try:
        return _query.parse_iso_time(value, what)
    except VeeamEmError as exc:
        raise AnsibleFilterError(exc.msg)


def format_time(stamp):
    """Aware datetime -> ``YYYY-MM-DDTHH:MM:SSZ`` (whole seconds, UTC)."""
    if stamp is None:
        return None
    return _query.format_time(stamp.replace(microsecond=0))


def parse_duration(value, what="duration"):
    """``90s``, ``30m``, ``8h``, ``7d``, ``2w``, ``1h30m`` or a number of seconds -> seconds."""
    if isinstance(value, bool):
        raise AnsibleFilterError("%s %r is not a duration" % (what, value))
    if isinstance(value, (int, float)):
        seconds = int(value)
    else:
        text = str(value).strip()
        if text.isdigit():
            seconds = int(text)
        elif _DURATION_FULL_RE.match(text):
            seconds = sum(int(num) * _UNIT_SECONDS[unit.lower()] for num, unit in _DURATION_RE.findall(text))
        else:
            raise AnsibleFilterError(
                "%s %r is not a duration such as 30m, 8h, 7d, 2w or 1h30m" % (what, value))
    if seconds <= 0:
        raise AnsibleFilterError("%s %r must be longer than zero" % (what, value))
    return seconds


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


def _now(value=None):
    if value is None or value == "":
        return datetime.datetime.now(_UTC).replace(microsecond=0)
    return parse_time(value, "now")


def _tzinfo(name):
    """``UTC``, ``+02:00``/``-0530``, or an IANA name such as ``Europe/Berlin``."""
    text = str(name or "UTC").strip()
    if text.upper() in ("UTC", "Z", "GMT"):
        return _UTC
    match = _OFFSET_RE.match(text)
    if match:
        sign = 1 if match.group(1) == "+" else -1
        delta = datetime.timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))
        return datetime.timezone(sign * delta)
    if ZoneInfo is None:
        raise AnsibleFilterError("time zone %r needs Python 3.9+ (zoneinfo); use an offset like +02:00" % text)
    try:
        return ZoneInfo(text)
    except Exception:  # zoneinfo raises several types for bad keys  pylint: disable=broad-except
        raise AnsibleFilterError("unknown time zone %r; use an IANA name such as Europe/Berlin or an offset like +02:00" % text)


def _clock(value, what):
    match = _CLOCK_RE.match(str(value))
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise AnsibleFilterError("%s %r is not a time of day such as 20:00" % (what, value))
    return int(match.group(1)) * 60 + int(match.group(2))


# ---------------------------------------------------------------- report window

def report_window(spec="24h", end=None):
    """The report's time window.

    ``spec`` is a relative duration counted back from ``end`` (``24h``, ``7d``...) or an
    ISO 8601 start; ``end`` is an ISO 8601 end, empty for now.
    """
    end_time = _now(end)
    if spec is None or str(spec).strip() == "":
        spec = "24h"
    text = str(spec).strip()
    if _DURATION_FULL_RE.match(text) or text.isdigit():
        start_time = end_time - datetime.timedelta(seconds=parse_duration(text, "window"))
    else:
        start_time = parse_time(text, "window start")
    start_time = start_time.replace(microsecond=0)
    end_time = end_time.replace(microsecond=0)
    if start_time >= end_time:
        raise AnsibleFilterError("the window start %s is not before its end %s"
                                 % (format_time(start_time), format_time(end_time)))
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


def _sort_key_time(item):
    return (item.get("creation_time") or "", item.get("id") or "")


def _counts(items, key, names):
    counts = dict((name, 0) for name in names)
    for item in items:
        value = item.get(key)
        counts[value] = counts.get(value, 0) + 1
    return counts


def session_report(sessions, detail_sessions=None, window=None, latest_sessions=None, fail_on=None,
                   filters=None, junit_warning="pass", generated_at=None, title=None):
    """Build the report data (what the JSON file holds and the HTML/JUnit files show).

    ``sessions``: em_backup_session_info's backup_sessions that ran in the window: created in
    it, and created before it but still running or ended in it (a session given twice counts once).
    ``detail_sessions``: the Warning/Failed sessions of the window with task_sessions.
    ``window``: report_window's answer. ``latest_sessions``: each job's newest session
    (latest_per_job) so jobs without a session in the window still get a status.
    ``fail_on``: results that make the gate fail. ``junit_warning``: pass or failure.
    """
    if window is None:
        window = report_window()
    if not isinstance(window, dict) or "start" not in window or "end" not in window:
        raise AnsibleFilterError("window must be the answer of backupops.veeam_em.report_window")
    if junit_warning not in ("pass", "failure"):
        raise AnsibleFilterError("junit_warning must be pass or failure, not %r" % (junit_warning,))
    fail_on = list(fail_on or [])
    for result in fail_on:
        if result not in RESULTS:
            raise AnsibleFilterError("fail_on value %r is not one of %s" % (result, ", ".join(RESULTS)))
    window_end = parse_time(window["end"])

    window_start = format_time(parse_time(window["start"]))
    unique = dict((s.get("id"), s) for s in (sessions or []))  # a session may come from two queries
    rows = sorted((_compact_session(s, window_end) for s in unique.values()), key=_sort_key_time)
    seen_ids = set(row["id"] for row in rows)
    latest_rows = [_compact_session(s, window_end) for s in (latest_sessions or [])]

    # Failure details: every Warning/Failed task of the Warning/Failed sessions.
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
            row = dict(base)
            row.update({"vm_name": None, "result": session.get("result"), "reason": None, "task_session_id": None})
            failures.append(row)
        for task in sorted(tasks, key=lambda t: (t.get("vm_name") or "", t.get("id") or "")):
            row = dict(base)
            row.update({
                "vm_name": task.get("vm_name"),
                "result": task.get("result"),
                "reason": task.get("reason") or None,
                "task_session_id": task.get("id"),
            })
            failures.append(row)
    failures.sort(key=lambda f: (f["creation_time"] or "", f["job_name"], f["vm_name"] or ""), reverse=True)
    _mark_recovered(rows, failures)

    # One entry per job.
    jobs = {}
    for row in rows:
        job = jobs.setdefault(row["job_name"], {"name": row["job_name"], "sessions": []})
        job["sessions"].append(row)
    latest_by_job = {}
    for row in latest_rows:
        current = latest_by_job.get(row["job_name"])
        if current is None or _sort_key_time(row) > _sort_key_time(current):
            latest_by_job[row["job_name"]] = row
    for name in latest_by_job:
        jobs.setdefault(name, {"name": name, "sessions": []})

    job_list = []
    for name, job in jobs.items():
        in_window = job["sessions"]
        latest = latest_by_job.get(name)
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
        vms = sorted(set(f["vm_name"] for f in failures if f["job_name"] == name and f["vm_name"]))
        entry = {
            "name": name,
            "job_type": (last or {}).get("job_type"),
            "backup_server_name": (last or {}).get("backup_server_name"),
            "in_window": bool(in_window),
            "sessions": len(in_window),
            "by_result": _counts(in_window, "result", RESULTS),
            "running": sum(1 for s in in_window if s["status"] == "Running"),
            "status": status,
            "severity": STATUS_SEVERITY[status],
            "status_session": decisive,
            "last_session": last,
            "problem_vms": vms,
        }
        entry["junit"] = _junit_case(entry, junit_warning)
        job_list.append(entry)
    job_list.sort(key=lambda j: (-j["severity"], j["name"].casefold(), j["name"]))

    summary = {
        "total": len(rows),
        "by_result": _counts(rows, "result", RESULTS),
        "by_state": _counts(rows, "state", SESSION_STATES),
        "running": sum(1 for r in rows if r["status"] == "Running"),
        "retries": sum(1 for r in rows if r["is_retry"]),
        # sessions that ran in the window but started before it (still running, or ended in the window)
        "started_before_window": sum(1 for r in rows if (r["creation_time"] or "") < window_start),
        "jobs": len(job_list),
        "jobs_in_window": sum(1 for j in job_list if j["in_window"]),
        "jobs_by_status": _counts(job_list, "status", ("Failed", "Warning", "Running", "None", "Success")),
        "problem_vms": len(set((f["job_name"], f["vm_name"]) for f in failures if f["vm_name"])),
        "failure_rows": len(failures),
        "recovered_failure_rows": sum(1 for f in failures if f["recovered_by"]),
    }
    finished_count = summary["total"] - summary["running"]
    summary["success_rate"] = (
        round(100.0 * summary["by_result"]["Success"] / finished_count, 1) if finished_count else None)

    junit = {
        "tests": len(job_list),
        "failures": sum(1 for j in job_list if j["junit"]["status"] == "failure"),
        "skipped": sum(1 for j in job_list if j["junit"]["status"] == "skipped"),
        "time": round(sum(j["junit"]["time"] for j in job_list), 3),
        "warning_policy": junit_warning,
    }

    return {
        "format_version": REPORT_FORMAT_VERSION,
        "title": title or "Veeam backup session report",
        "generated_at": format_time(_now(generated_at)),
        "window": dict(window),
        "filters": _clean_filters(filters),
        "summary": summary,
        "jobs": job_list,
        "sessions": rows,
        "failures": failures,
        "gate": _gate(rows, fail_on, window),
        "junit": junit,
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
        later = [s for s in successes.get(row["job_name"], ()) if _sort_key_time(s) > _sort_key_time(row)]
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


# ---------------------------------------------------------------- SVG timeline

def _truncate(text, limit):
    text = text or ""
    return text if len(text) <= limit else text[:limit - 1] + u"\u2026"


def _tick_step(seconds):
    for step in (3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800):
        if seconds / step <= 12:
            return step
    return 604800 * int(math.ceil(seconds / (604800.0 * 12)))


def session_timeline(report, mode="auto", width=1100, row_height=24, label_width=250, max_label=34):
    """Geometry of the report's SVG: one row per job, one cell per session or per day.

    ``mode`` is ``session`` (bars placed on a time axis), ``day`` (one cell per job and
    day, coloured by the day's worst result) or ``auto`` (session up to 48 hours).
    """
    if mode not in ("auto", "session", "day"):
        raise AnsibleFilterError("timeline mode must be auto, session or day, not %r" % (mode,))
    window = report["window"]
    start = parse_time(window["start"])
    end = parse_time(window["end"])
    span = max(1.0, (end - start).total_seconds())
    if mode == "auto":
        mode = "session" if span <= 48 * 3600 else "day"
    top = 34
    plot_x = label_width
    plot_w = width - label_width - 12
    jobs = report["jobs"]
    height = top + max(1, len(jobs)) * row_height + 10

    def xpos(stamp):
        return plot_x + plot_w * min(1.0, max(0.0, (stamp - start).total_seconds() / span))

    ticks = []
    columns = []
    if mode == "session":
        step = _tick_step(span)
        first = _EPOCH + datetime.timedelta(seconds=math.ceil((start - _EPOCH).total_seconds() / step) * step)
        stamp = first
        previous_day = None
        while stamp <= end:
            day = stamp.strftime("%b %d")
            label = stamp.strftime("%H:%M") if step < 86400 else day
            if step < 86400 and day != previous_day:
                label = "%s %s" % (day, stamp.strftime("%H:%M"))
            previous_day = day
            ticks.append({"x": round(xpos(stamp), 1), "label": label})
            stamp += datetime.timedelta(seconds=step)
    else:
        day = datetime.datetime(start.year, start.month, start.day, tzinfo=_UTC)
        days = []
        while day < end:
            days.append(day)
            day += datetime.timedelta(days=1)
        cell_w = plot_w / float(len(days))
        every = max(1, int(math.ceil(len(days) / 14.0)))
        for index, day in enumerate(days):
            columns.append({"x": round(plot_x + index * cell_w, 1), "width": round(cell_w, 1),
                            "date": day.strftime("%Y-%m-%d")})
            if index % every == 0:
                ticks.append({"x": round(plot_x + (index + 0.5) * cell_w, 1), "label": day.strftime("%b %d")})

    rows = []
    sessions_by_job = {}
    for session in report["sessions"]:
        sessions_by_job.setdefault(session["job_name"], []).append(session)
    for index, job in enumerate(jobs):
        y = top + index * row_height
        cells = []
        job_sessions = sessions_by_job.get(job["name"], [])
        if mode == "session":
            for session in job_sessions:
                created = parse_time(session["creation_time"])
                finish = parse_time(session["end_time"]) or end
                x1 = xpos(created)
                x2 = max(x1 + 5.0, xpos(finish))
                x2 = min(x2, plot_x + plot_w + 0.5) if x1 < plot_x + plot_w - 5 else x1 + 5.0
                status = session["status"]
                cells.append({
                    "x": round(x1, 1), "y": y + 5, "width": round(x2 - x1, 1), "height": row_height - 10,
                    "status": status, "colour": STATUS_COLOURS[status],
                    "title": "%s \u2014 %s UTC, %s%s, %s%s" % (
                        job["name"], session["creation_time"].replace("T", " ").rstrip("Z"),
                        STATUS_LABELS[status], " (retry)" if session["is_retry"] else "",
                        ("running for " if status == "Running" else "took ") + session["duration"],
                        "; a later session succeeded" if session.get("recovered_by") else ""),
                    "recovered": bool(session.get("recovered_by")),
                })
        else:
            per_day = {}
            for session in job_sessions:
                per_day.setdefault(session["creation_time"][:10], []).append(session)
            for column in columns:
                day_sessions = per_day.get(column["date"], [])
                if day_sessions:
                    status = max((s["status"] for s in day_sessions), key=lambda st: STATUS_SEVERITY[st])
                    # the day's worst session was followed by a success (that day or later)
                    recovered = all(s.get("recovered_by") for s in day_sessions if s["status"] == status)
                    counts = _counts(day_sessions, "status", ("Success", "Warning", "Failed", "Running", "None"))
                    detail = ", ".join("%d %s" % (n, STATUS_LABELS[s]) for s, n in counts.items() if n)
                    title = "%s \u2014 %s: %d session(s): %s" % (job["name"], column["date"], len(day_sessions), detail)
                    colour = STATUS_COLOURS[status]
                    if recovered and status in PROBLEM_RESULTS:
                        title += "; a later session succeeded"
                else:
                    status = "Empty"
                    title = "%s \u2014 %s: no session" % (job["name"], column["date"])
                    colour = "#eef1f5"
                    recovered = False
                cells.append({
                    "x": round(column["x"] + 1, 1), "y": y + 3, "width": round(max(1.0, column["width"] - 2), 1),
                    "height": row_height - 6, "status": status, "colour": colour, "title": title,
                    "sessions": len(day_sessions), "recovered": recovered and status in PROBLEM_RESULTS,
                })
        rows.append({
            "index": index, "y": y, "text_y": y + row_height / 2.0 + 4, "name": job["name"],
            "label": _truncate(job["name"], max_label), "status": job["status"],
            "colour": STATUS_COLOURS[job["status"]], "cells": cells,
        })
    legend = [{"status": s, "label": STATUS_LABELS[s], "colour": STATUS_COLOURS[s]}
              for s in ("Success", "Warning", "Failed", "Running", "None")]
    if mode == "day":
        legend.append({"status": "Empty", "label": "No session", "colour": "#eef1f5"})
    return {
        "mode": mode, "width": width, "height": height, "top": top, "plot_x": plot_x, "plot_w": plot_w,
        "row_height": row_height, "ticks": ticks, "rows": rows, "legend": legend,
        "colours": dict(STATUS_COLOURS),
    }


# ---------------------------------------------------------------- guard

def guard_candidates(sessions, max_runtime=None, allowed_window=None, now=None, timezone="UTC"):
    """Running sessions that break the rules: longer than ``max_runtime`` or running
    while ``now`` is outside ``allowed_window`` ({start: "20:00", end: "06:00"}, read in
    ``timezone``). Returns {now, checked, running, candidates, rules}.
    """
    limit = None if max_runtime in (None, "", 0, "0") else parse_duration(max_runtime, "max_runtime")
    now_time = _now(now)
    zone = _tzinfo(timezone)
    window_text = None
    outside = False
    if allowed_window:
        if not isinstance(allowed_window, dict) or "start" not in allowed_window or "end" not in allowed_window:
            raise AnsibleFilterError("allowed_window must be a dict with start and end, e.g. {start: '20:00', end: '06:00'}")
        begin = _clock(allowed_window["start"], "allowed_window.start")
        finish = _clock(allowed_window["end"], "allowed_window.end")
        if begin == finish:
            raise AnsibleFilterError("allowed_window start and end are equal; leave it empty to allow any time")
        local = now_time.astimezone(zone)
        minute = local.hour * 60 + local.minute
        inside = begin <= minute < finish if begin < finish else (minute >= begin or minute < finish)
        outside = not inside
        window_text = "%s-%s %s" % (allowed_window["start"], allowed_window["end"], timezone or "UTC")
    if limit is None and not allowed_window:
        raise AnsibleFilterError("set max_runtime, allowed_window or both: without a rule nothing can be judged")

    running = []
    candidates = []
    for session in sessions or []:
        if session.get("state") not in STOPPABLE_STATES:
            continue
        created = parse_time(session.get("creation_time"), "creation_time")
        runtime = int((now_time - created).total_seconds())
        running.append(session)
        reasons = []
        if limit is not None and runtime > limit:
            reasons.append("running for %s, longer than %s" % (human_duration(runtime), human_duration(limit)))
        if outside:
            reasons.append("still running at %s, outside the allowed window %s"
                           % (now_time.astimezone(zone).strftime("%H:%M"), window_text))
        if reasons:
            candidates.append({
                "id": session.get("id"),
                "name": session.get("name"),
                "job_name": session.get("job_name"),
                "job_type": session.get("job_type"),
                "backup_server_name": session.get("backup_server_name"),
                "creation_time": format_time(created),
                "state": session.get("state"),
                "runtime_seconds": runtime,
                "runtime": human_duration(runtime),
                "reasons": reasons,
                "summary": "%s (%s), started %s: %s" % (
                    session.get("job_name"), session.get("id"), format_time(created), "; ".join(reasons)),
            })
    candidates.sort(key=lambda c: (c["creation_time"], c["id"] or ""))
    return {
        "now": format_time(now_time),
        "running": len(running),
        "candidates": candidates,
        "rules": {
            "max_runtime_seconds": limit,
            "allowed_window": window_text,
            "outside_allowed_window": outside,
        },
    }


def em_vocabulary(name):
    """One list of EM's vocabulary (``stoppable_states``, ``active_states``, ``results``, ...), for the roles."""
    if name not in VOCABULARY:
        raise AnsibleFilterError("em_vocabulary knows %s, not %r" % (", ".join(sorted(VOCABULARY)), name))
    return list(VOCABULARY[name])


class FilterModule(object):
    """Report and guard helpers of backupops.veeam_em."""

    def filters(self):
        return {
            "em_vocabulary": em_vocabulary,
            "report_window": report_window,
            "session_report": session_report,
            "session_timeline": session_timeline,
            "guard_candidates": guard_candidates,
        }
