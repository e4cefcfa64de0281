# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The guard_candidates filter: the running sessions that break the backup_session_guard role's rules."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.backupops.veeam_em.plugins.module_utils._report import (
    format_time,
    human_duration,
    now as time_now,
    parse_duration,
    parse_time,
)
from ansible_collections.backupops.veeam_em.plugins.module_utils._sessions import STOPPABLE_STATES
from ansible_collections.backupops.veeam_em.plugins.plugin_utils._report import clock, filter_errors, tzinfo


def guard_candidates(sessions, max_runtime=None, allowed_window=None, now=None, timezone="UTC"):
    """Running sessions that break the rules: longer than ``max_runtime`` or running
    while ``now`` is outside ``allowed_window`` ({start: "20:00", end: "06:00"}, read in
    ``timezone``). Returns {now, checked, running, candidates, rules}.
    """
    limit = None if max_runtime in (None, "", 0, "0") else parse_duration(max_runtime, "max_runtime")
    now_time = time_now(now)
    zone = tzinfo(timezone)
    outside, window_text = _outside_allowed_window(allowed_window, now_time, zone, timezone)
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


def _outside_allowed_window(allowed_window, now_time, zone, timezone):
    """``(outside, "20:00-06:00 Europe/Berlin")`` for the allowed window; ``(False, None)`` without one."""
    if not allowed_window:
        return False, None
    if not isinstance(allowed_window, dict) or "start" not in allowed_window or "end" not in allowed_window:
        raise AnsibleFilterError("allowed_window must be a dict with start and end, e.g. {start: '20:00', end: '06:00'}")
    begin = clock(allowed_window["start"], "allowed_window.start")
    finish = clock(allowed_window["end"], "allowed_window.end")
    if begin == finish:
        raise AnsibleFilterError("allowed_window start and end are equal; leave it empty to allow any time")
    local = now_time.astimezone(zone)
    minute = local.hour * 60 + local.minute
    inside = begin <= minute < finish if begin < finish else (minute >= begin or minute < finish)
    return not inside, "%s-%s %s" % (allowed_window["start"], allowed_window["end"], timezone or "UTC")


class FilterModule(object):
    """The guard filter of backupops.veeam_em."""

    def filters(self):
        return {"guard_candidates": filter_errors(guard_candidates)}
