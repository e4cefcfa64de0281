# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The report as Prometheus metrics: the text exposition format, and the textfile collector's file.

:func:`metrics_text` turns the report data of one or more Enterprise Managers (what
em_backup_session_report returns, the keys of ``_report.REPORT_KEYS``) into the text exposition
format: every family a gauge, its HELP and TYPE once, its samples together, label values escaped
(backslash, double quote, line feed), a line feed at the end. An EM that could not be read has
``veeam_em_up 0`` and its report timestamp, nothing else: no number of it is stale.
:func:`write_textfile` writes such a text for node_exporter's textfile collector: to a temporary
name in the same directory that does not end in ``.prom`` (the collector reads ``*.prom`` only),
then renamed over the file, so that a scrape reads the old file or the new one, never half of one.

EM's words (results, VM statuses) come from ``_sessions`` and ``_protection``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import tempfile

from ansible_collections.backupops.veeam_em.plugins.module_utils import _protection
from ansible_collections.backupops.veeam_em.plugins.module_utils import _sessions
from ansible_collections.backupops.veeam_em.plugins.module_utils import _times
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError

SUFFIX = ".prom"
# veeam_em_job_last_result: 0 Success, 1 Warning, 2 Failed (the order of EM's outcomes)
JOB_RESULT_VALUES = dict((result, index) for index, result in enumerate(_sessions.OUTCOMES))

# Every family, in the order of the file, with its HELP text. All are gauges.
FAMILIES = (
    ("veeam_em_up", "1 when the report read Enterprise Manager, 0 when it could not (connection, logon or any other "
                    "error); an EM that is down has no other sample but its report timestamp."),
    ("veeam_em_report_timestamp_seconds", "When these metrics were made, Unix time."),
    ("veeam_em_report_window_seconds", "Length of the report's window; veeam_em_sessions counts the sessions of it."),
    ("veeam_em_sessions", "Backup job sessions that ran in the report's window, by result (None: running, or "
                          "ended without one); every result has a sample, 0 included."),
    ("veeam_em_job_last_result", "Result of the job's newest finished session: 0 Success, 1 Warning, 2 Failed; no "
                                 "sample for a job without a finished session with a result."),
    ("veeam_em_job_last_end_timestamp_seconds", "End of the job's newest finished session, Unix time."),
    ("veeam_em_vm_rpo_seconds", "The recovery point objective the VMs were checked against (the report's rpo)."),
    ("veeam_em_vm_last_restore_point_timestamp_seconds", "Creation time of the VM's newest restore point, Unix time; "
                                                         "no sample for a VM without one."),
    ("veeam_em_vm_rpo_breached", "1 when the VM has no restore point younger than the RPO (breached, or unprotected: "
                                 "none at all), 0 when it has."),
    ("veeam_em_repository_capacity_bytes", "Capacity of the backup repository; no sample where EM does not know it."),
    ("veeam_em_repository_free_bytes", "Free space of the backup repository; no sample where EM does not know it."),
)


def escape(value):
    """A label value as the text exposition format writes it: backslash, double quote and line feed escaped."""
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value):
    if isinstance(value, bool) or isinstance(value, int):
        return "%d" % value
    return repr(float(value))


def _sample(name, labels, value):
    return "%s{%s} %s" % (name, ",".join('%s="%s"' % (key, escape(item)) for key, item in labels), _number(value))


def _unix(text, what):
    """An ISO 8601 time of the report -> whole seconds since the epoch."""
    return _times.unix(_times.iso(text, what))


def metrics_text(ems, now=None):
    """The text exposition of ``ems``: a list of ``{"em": name, "up": bool, "report": report data or None}``.

    ``now`` (an aware datetime; default now) is ``veeam_em_report_timestamp_seconds``. A family without
    a sample is left out; the text ends with a line feed.
    """
    stamp = now if now is not None else _times.utcnow()
    if stamp.tzinfo is None:
        raise VeeamEmError("now must be an aware datetime (with a time zone), not %r" % (stamp,))
    samples = dict((name, []) for name, _help in FAMILIES)
    for item in ems:
        _em_samples(samples, item, _times.unix(stamp))
    lines = []
    for name, text in FAMILIES:
        if samples[name]:
            lines.extend(["# HELP %s %s" % (name, text), "# TYPE %s gauge" % name])
            lines.extend(samples[name])
    return "\n".join(lines) + "\n"


def _em_samples(samples, item, stamp):
    em = item["em"]
    if not isinstance(em, str) or not em:
        raise VeeamEmError("the em of a metrics entry must be a name, not %r" % (em,))
    report = item.get("report") if item.get("up") else None
    samples["veeam_em_up"].append(_sample("veeam_em_up", [("em", em)], 1 if report is not None else 0))
    samples["veeam_em_report_timestamp_seconds"].append(
        _sample("veeam_em_report_timestamp_seconds", [("em", em)], stamp))
    if report is None:
        return
    samples["veeam_em_report_window_seconds"].append(
        _sample("veeam_em_report_window_seconds", [("em", em)], report["window"]["seconds"]))
    for result in _sessions.RESULTS:
        samples["veeam_em_sessions"].append(_sample(
            "veeam_em_sessions", [("em", em), ("result", result)], report["summary"]["by_result"].get(result, 0)))
    for job in report["jobs"]:
        _job_samples(samples, em, job)
    if report.get("protection"):
        _protection_samples(samples, em, report["protection"])
    for repo in (report.get("repositories") or {}).get("items") or ():
        _repository_samples(samples, em, repo)


def _job_samples(samples, em, job):
    """The job's newest finished session (the report's ``status_session``): its result and end."""
    session = job.get("status_session")
    if session is None:
        return
    labels = [("em", em), ("backup_server", job.get("backup_server_name")), ("job_name", job["name"]),
              ("job_type", job.get("job_type"))]
    if session.get("result") in JOB_RESULT_VALUES:
        samples["veeam_em_job_last_result"].append(
            _sample("veeam_em_job_last_result", labels, JOB_RESULT_VALUES[session["result"]]))
    if session.get("end_time"):
        samples["veeam_em_job_last_end_timestamp_seconds"].append(_sample(
            "veeam_em_job_last_end_timestamp_seconds", labels, _unix(session["end_time"], "end_time")))


def _protection_samples(samples, em, protection):
    """Each VM of the RPO view, named as EM identifies it (its HierarchyObjRef, on its backup server)."""
    samples["veeam_em_vm_rpo_seconds"].append(
        _sample("veeam_em_vm_rpo_seconds", [("em", em)], protection["summary"]["rpo_seconds"]))
    for vm in protection["vms"]:
        labels = [("em", em), ("backup_server", vm.get("backup_server_name")), ("vm_name", vm["vm_name"]),
                  ("vm_ref", vm.get("vm_ref")), ("job_name", ", ".join(vm.get("job_names") or ()))]
        if vm.get("latest_restore_point_time"):
            samples["veeam_em_vm_last_restore_point_timestamp_seconds"].append(_sample(
                "veeam_em_vm_last_restore_point_timestamp_seconds", labels,
                _unix(vm["latest_restore_point_time"], "latest_restore_point_time")))
        samples["veeam_em_vm_rpo_breached"].append(
            _sample("veeam_em_vm_rpo_breached", labels, 0 if vm["status"] == _protection.PROTECTED else 1))


def _repository_samples(samples, em, repo):
    """A repository's sizes; EM's unknown (-1, null in the report) gives no sample, never a 0 or a -1."""
    labels = [("em", em), ("backup_server", repo.get("backup_server_name")), ("repository", repo.get("name"))]
    for name, key in (("veeam_em_repository_capacity_bytes", "capacity_bytes"),
                      ("veeam_em_repository_free_bytes", "free_bytes")):
        value = repo.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            samples[name].append(_sample(name, labels, value))


def check_path(path, option="metrics_file"):
    """``path`` checked before any request: a ``.prom`` file in a directory that exists. Returns it absolute."""
    if not isinstance(path, str) or not path.strip():
        raise VeeamEmError("%s must be the path of a file ending in %s, such as "
                           "/var/lib/node_exporter/textfile_collector/veeam_em.prom" % (option, SUFFIX))
    if "\x00" in path:
        raise VeeamEmError("%s %r must not contain a NUL character" % (option, path))
    full = os.path.abspath(os.path.expanduser(path))
    name = os.path.basename(full)
    if not name.endswith(SUFFIX) or name == SUFFIX or name.startswith("."):
        raise VeeamEmError("%s %r must name a file ending in %s (node_exporter's textfile collector reads only "
                           "those), such as veeam_em.prom" % (option, path, SUFFIX))
    directory = os.path.dirname(full)
    if not os.path.isdir(directory):
        raise VeeamEmError("%s %r: the directory %s does not exist; create it (the directory node_exporter's "
                           "--collector.textfile.directory reads) or give another path" % (option, path, directory))
    if os.path.isdir(full):
        raise VeeamEmError("%s %r is a directory: give the path of a file in it, such as %s"
                           % (option, path, os.path.join(path, "veeam_em.prom")))
    return full


def write_textfile(path, text):
    """Write ``text`` to ``path`` atomically: a temporary file ``.<name>.<random>.tmp`` in the same directory
    (mode 0644, flushed to disk), then renamed over ``path``. The old file stays as it was until the rename;
    on an error the temporary file is removed and VeeamEmError says what failed."""
    directory, name = os.path.split(os.path.abspath(path))
    try:
        handle, temporary = tempfile.mkstemp(prefix="." + name + ".", suffix=".tmp", dir=directory)
    except (IOError, OSError) as exc:
        raise VeeamEmError("could not write the metrics file %s: %s" % (path, exc))
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(text.encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except (IOError, OSError) as exc:
        _remove(temporary)
        raise VeeamEmError("could not write the metrics file %s: %s" % (path, exc))
    except BaseException:
        _remove(temporary)
        raise


def _remove(path):
    try:
        os.unlink(path)
    except OSError:
        pass
