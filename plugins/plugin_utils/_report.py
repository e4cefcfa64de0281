# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The controller's half of the report and the guard: the timeline's geometry, the three report files
rendered from the report data, time zones and times of day, and the filters' error type.

The data itself (window, counts, statuses, gate) is built by module_utils._report, where the
em_backup_session_report module reads EM; this file turns it into text on the controller with plain
Jinja2 (no Ansible templating of tens of thousands of values) and Python's json.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import functools
import json
import math
import os
import re

import jinja2

from ansible.errors import AnsibleFilterError

from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError
from ansible_collections.backupops.veeam_em.plugins.module_utils._times import EPOCH
from ansible_collections.backupops.veeam_em.plugins.module_utils._report import (
    STATUS_SEVERITY,
    UTC,
    counts,
    human_duration,
    parse_time,
)
from ansible_collections.backupops.veeam_em.plugins.module_utils._sessions import PROBLEM_RESULTS

try:
    from zoneinfo import ZoneInfo  # Python 3.9+
except ImportError:  # pragma: no cover - Python 3.8 controllers
    ZoneInfo = None

# How a status looks in the HTML report (the controller side; the data keeps only the status).
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

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "report_templates")
FILE_KINDS = (("html", ".html"), ("json", ".json"), ("junit", ".junit.xml"))
_CLOCK_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
_OFFSET_RE = re.compile(r"^\s*(?:UTC|GMT)?\s*([+-])(\d{1,2}):?(\d{2})?\s*$", re.IGNORECASE)


def filter_errors(function):
    """A filter that raises the collection's VeeamEmError as the AnsibleFilterError Ansible reports."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except VeeamEmError as exc:
            raise AnsibleFilterError(exc.msg)
    return wrapper


# ---------------------------------------------------------------- time zones and times of day (the guard)

def tzinfo(name):
    """``UTC``, ``+02:00``/``-0530``, or an IANA name such as ``Europe/Berlin``."""
    text = str(name or "UTC").strip()
    if text.upper() in ("UTC", "Z", "GMT"):
        return UTC
    match = _OFFSET_RE.match(text)
    if match:
        sign = 1 if match.group(1) == "+" else -1
        delta = datetime.timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))
        return datetime.timezone(sign * delta)
    if ZoneInfo is None:
        raise VeeamEmError("time zone %r needs Python 3.9+ (zoneinfo); use an offset like +02:00" % text)
    try:
        return ZoneInfo(text)
    except Exception:  # zoneinfo raises several types for bad keys  pylint: disable=broad-except
        raise VeeamEmError("unknown time zone %r; use an IANA name such as Europe/Berlin or an offset like +02:00" % text)


def clock(value, what):
    match = _CLOCK_RE.match(str(value))
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise VeeamEmError("%s %r is not a time of day such as 20:00" % (what, value))
    return int(match.group(1)) * 60 + int(match.group(2))


# ---------------------------------------------------------------- the timeline

EMPTY_COLOUR = "#eef1f5"  # a day without a session


def _truncate(text, limit):
    text = text or ""
    return text if len(text) <= limit else text[:limit - 1] + u"\u2026"


def _tick_step(seconds):
    for step in (3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800):
        if seconds / step <= 12:
            return step
    return 604800 * int(math.ceil(seconds / (604800.0 * 12)))


def all_good(job):
    """A job whose sessions of the window all succeeded and none runs (what a large report folds away)."""
    by_result = job.get("by_result") or {}
    return job["status"] == "Success" and not by_result.get("Warning") and not by_result.get("Failed") \
        and not job.get("running")


def session_timeline(report, mode="auto", width=1100, row_height=24, label_width=250, max_label=34,
                     collapse_success_over=0):
    """Geometry of the report's SVG: one row per job, one cell per session or per day.

    ``mode`` is ``session`` (bars placed on a time axis), ``day`` (one cell per job and
    day, coloured by the day's worst result) or ``auto`` (session up to 48 hours).
    ``collapse_success_over``: with more jobs than this (0: never), jobs whose sessions all
    succeeded get no row; ``folded`` names them (name: true), ``collapsed`` counts them.
    """
    if mode not in ("auto", "session", "day"):
        raise VeeamEmError("timeline mode must be auto, session or day, not %r" % (mode,))
    plot = _Plot(report["window"], width, row_height, label_width)
    if mode == "auto":
        mode = "session" if plot.span <= 48 * 3600 else "day"
    jobs, folded = report["jobs"], {}
    if 0 < int(collapse_success_over) < len(jobs):
        folded = dict((job["name"], True) for job in jobs if all_good(job))
        jobs = [job for job in jobs if job["name"] not in folded]
    height = plot.top + max(1, len(jobs)) * row_height + 10
    if mode == "session":
        ticks, columns = _session_ticks(plot), []
    else:
        ticks, columns = _day_columns(plot)
    sessions_by_job = {}
    for session in report["sessions"]:
        sessions_by_job.setdefault(session["job_name"], []).append(session)
    rows = []
    for index, job in enumerate(jobs):
        y = plot.top + index * row_height
        job_sessions = sessions_by_job.get(job["name"], [])
        cells = (_session_cells(plot, job, job_sessions, y) if mode == "session"
                 else _day_cells(plot, job, job_sessions, columns, y))
        rows.append({
            "index": index, "y": y, "text_y": y + row_height / 2.0 + 4, "name": job["name"],
            "label": _truncate(job["name"], max_label), "status": job["status"],
            "colour": STATUS_COLOURS[job["status"]], "cells": cells,
        })
    legend = [{"status": s, "label": STATUS_LABELS[s], "colour": STATUS_COLOURS[s]}
              for s in ("Success", "Warning", "Failed", "Running", "None")]
    if mode == "day":
        legend.append({"status": "Empty", "label": "No session", "colour": EMPTY_COLOUR})
    return {
        "mode": mode, "width": width, "height": height, "top": plot.top, "plot_x": plot.x, "plot_w": plot.w,
        "row_height": row_height, "ticks": ticks, "rows": rows, "legend": legend,
        "colours": dict(STATUS_COLOURS), "collapsed": len(folded),
        "folded": folded,
    }


class _Plot(object):
    """The window on the x axis: where a time is drawn."""

    top = 34

    def __init__(self, window, width, row_height, label_width):
        self.start = parse_time(window["start"])
        self.end = parse_time(window["end"])
        self.span = max(1.0, (self.end - self.start).total_seconds())
        self.x = label_width
        self.w = width - label_width - 12
        self.row_height = row_height

    def xpos(self, stamp):
        return self.x + self.w * min(1.0, max(0.0, (stamp - self.start).total_seconds() / self.span))


def _session_ticks(plot):
    """Hour or day ticks on the time axis."""
    ticks = []
    step = _tick_step(plot.span)
    stamp = EPOCH + datetime.timedelta(seconds=math.ceil((plot.start - EPOCH).total_seconds() / step) * step)
    previous_day = None
    while stamp <= plot.end:
        day = stamp.strftime("%b %d")
        label = stamp.strftime("%H:%M") if step < 86400 else day
        if step < 86400 and day != previous_day:
            label = "%s %s" % (day, stamp.strftime("%H:%M"))
        previous_day = day
        ticks.append({"x": round(plot.xpos(stamp), 1), "label": label})
        stamp += datetime.timedelta(seconds=step)
    return ticks


def _day_columns(plot):
    """One column per UTC day of the window, and a tick on every one of them (or fewer, for long windows)."""
    day = datetime.datetime(plot.start.year, plot.start.month, plot.start.day, tzinfo=UTC)
    days = []
    while day < plot.end:
        days.append(day)
        day += datetime.timedelta(days=1)
    cell_w = plot.w / float(len(days))
    every = max(1, int(math.ceil(len(days) / 14.0)))
    ticks, columns = [], []
    for index, day in enumerate(days):
        columns.append({"x": round(plot.x + index * cell_w, 1), "width": round(cell_w, 1),
                        "date": day.strftime("%Y-%m-%d")})
        if index % every == 0:
            ticks.append({"x": round(plot.x + (index + 0.5) * cell_w, 1), "label": day.strftime("%b %d")})
    return ticks, columns


def _session_cells(plot, job, job_sessions, y):
    """One bar per session, from its start to its end (or the window's end while it runs)."""
    cells = []
    for session in job_sessions:
        x1 = plot.xpos(parse_time(session["creation_time"]))
        x2 = max(x1 + 5.0, plot.xpos(parse_time(session["end_time"]) or plot.end))
        x2 = min(x2, plot.x + plot.w + 0.5) if x1 < plot.x + plot.w - 5 else x1 + 5.0
        status = session["status"]
        cells.append({
            "x": round(x1, 1), "y": y + 5, "width": round(x2 - x1, 1), "height": plot.row_height - 10,
            "status": status, "colour": STATUS_COLOURS[status],
            "title": "%s \u2014 %s UTC, %s%s, %s%s" % (
                job["name"], session["creation_time"].replace("T", " ").rstrip("Z"),
                STATUS_LABELS[status], " (retry)" if session["is_retry"] else "",
                ("running for " if status == "Running" else "took ") + session["duration"],
                "; a later session succeeded" if session.get("recovered_by") else ""),
            "recovered": bool(session.get("recovered_by")),
        })
    return cells


def _day_cells(plot, job, job_sessions, columns, y):
    """One cell per day, coloured by the day's worst session."""
    per_day = {}
    for session in job_sessions:
        per_day.setdefault(session["creation_time"][:10], []).append(session)
    cells = []
    for column in columns:
        day_sessions = per_day.get(column["date"], [])
        status, colour, recovered = "Empty", EMPTY_COLOUR, False
        title = "%s \u2014 %s: no session" % (job["name"], column["date"])
        if day_sessions:
            status = max((s["status"] for s in day_sessions), key=lambda st: STATUS_SEVERITY[st])
            colour = STATUS_COLOURS[status]
            # the day's worst session was followed by a success (that day or later)
            recovered = status in PROBLEM_RESULTS and all(
                s.get("recovered_by") for s in day_sessions if s["status"] == status)
            day_counts = counts(day_sessions, "status", ("Success", "Warning", "Failed", "Running", "None"))
            detail = ", ".join("%d %s" % (n, STATUS_LABELS[s]) for s, n in day_counts.items() if n)
            title = "%s \u2014 %s: %d session(s): %s%s" % (
                job["name"], column["date"], len(day_sessions), detail, "; a later session succeeded" if recovered else "")
        cells.append({
            "x": round(column["x"] + 1, 1), "y": y + 3, "width": round(max(1.0, column["width"] - 2), 1),
            "height": plot.row_height - 6, "status": status, "colour": colour, "title": title,
            "sessions": len(day_sessions), "recovered": recovered,
        })
    return cells


# ---------------------------------------------------------------- the files

def _finalize(value):
    """None renders as nothing, as in Ansible's templates."""
    return "" if value is None else value


def human_bytes(size):
    """Bytes -> ``1.6 TiB``; None (EM does not know) -> ``unknown``."""
    if size is None:
        return "unknown"
    value, unit = float(size), "B"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if value < 1024 or unit == "PiB":
            break
        value /= 1024
    return ("%d %s" if unit == "B" else "%.1f %s") % (value, unit)


def environment():
    """Jinja2 set up as Ansible's template action sets it up (trim_blocks, the file's last newline kept)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), trim_blocks=True, keep_trailing_newline=True,
                             autoescape=False, undefined=jinja2.StrictUndefined, finalize=_finalize)
    env.filters.update(human_bytes=human_bytes, human_duration=human_duration)
    return env


def file_names(directory, basename):
    """The report files' paths in ``directory`` (names alone with ""): {html, json, junit} -> path."""
    return dict((kind, os.path.join(directory, basename + suffix)) for kind, suffix in FILE_KINDS)


def failures_by_job(report):
    """The failure rows of each job, in the report's order (a lookup instead of a scan per job)."""
    by_job = dict((job["name"], []) for job in report["jobs"])
    for row in report["failures"]:
        by_job.setdefault(row["job_name"], []).append(row)
    return by_job


def render_files(report, timeline="auto", collapse_success_over=50):
    """The three report files' text from the report data: {html, json, junit} -> str."""
    env = environment()
    geometry = session_timeline(report, mode=timeline, collapse_success_over=collapse_success_over)
    return {
        "html": env.get_template("report.html.j2").render(report=report, timeline=geometry),
        # as ansible.builtin.to_nice_json(indent=2) writes it: sorted keys, ASCII with \u escapes
        "json": json.dumps(report, indent=2, sort_keys=True, separators=(",", ": ")) + "\n",
        "junit": env.get_template("report.junit.xml.j2").render(report=report, failures_by_job=failures_by_job(report)),
    }
