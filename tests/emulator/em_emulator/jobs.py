# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Jobs: GET /jobs, /jobs/{ID}, /jobs/{ID}/backupSessions, query type=Job, and the actions start,
sync, stop, retry and toggleScheduleEnabled (jobs, jobs_id, get_jobs, get_jobs_id, get_query_job,
post_jobs_id_action*). docs/emulator.md ("Jobs") lists every choice made where the pages are silent.

A started (or synced backup copy) job gets a new BackupJobSession (one BackupTaskSession per VM):
Starting, then Working after a fifth of ``--job-duration`` (the action's task is OperationFinished after a
tenth, Finished then), then Stopped with the job's next outcome (``--job-outcome``, the data file's
``settings.outcomes``, else Success) after the whole duration. A task that ``--task-failure`` makes
fail starts, stops or changes nothing.
"""

import bisect
import calendar
import time
import uuid

from .auth import PORTAL_ADMINISTRATOR
from .dataset import FAILURE_REASONS, WARNING_REASONS, JobSession, TaskSession
from .render import NS, Renderer, j_collection, jbool, json_links, jstr, x_collection, xa, xml_doc, xml_links, xt
from .tasks import failure_message, new_task
from .timeutil import iso

# GET /jobs: "returns jobs of the Backup, Replication, BackupCopy and ImmediateBackupCopy types only"
LISTED_TYPES = frozenset(("Backup", "BackupCopy", "ImmediateBackupCopy", "Replica"))
COPY_TYPES = frozenset(("BackupCopy", "ImmediateBackupCopy"))
OUTCOMES = ("Success", "Warning", "Failed")
PLATFORMS = ("VMware", "HyperV", "vCloud", "CustomPlatform")
# Actions the pages document that the emulator does not perform (501).
NOT_EMULATED_ACTIONS = ("clone", "edit")
# Fixed settings of the documentation jobs: platform, description, schedule (UTC HH:MM or None), enabled.
DOC_JOB_SETTINGS = {
    "4856ab37-2235-45e8-affe-d515878b01a9": ("VMware", "Backup of the file servers", "22:00", True),
    "b41fdf6f-9adc-473d-8086-6fc6e17117d0": ("vCloud", "Backup of vApp 01", "21:30", True),
    "da4a15c2-04e7-4135-b876-577249d3d720": ("VMware", "Backup of the Oracle servers", "23:00", True),
    "62638c60-74b6-4d6d-8d13-4cd32039f522": ("VMware", "NetApp storage snapshots", "01:00", False),
    "568c42ce-eb11-4140-92cf-39ab36712bf5": ("VMware", "Backup of Microsoft Exchange", "20:00", True),
    "2851cb88-37b6-46ea-b2c8-47b55270169d": ("VMware", "Backup of the CRM application", "02:30", True),
    # the values of the get_jobs_id page's "DB Backup" example (18:00 at UTC+1 is 17:00Z)
    "dce85686-59c8-42c4-8766-f1c00a5b8067": ("HyperV", "Backup of MS SQL Server DB", "17:00", True),
}
DOC_UNSCHEDULED = "exch"


class JobError(Exception):
    """An error answer (the server turns it into an Error body)."""

    def __init__(self, status, message, headers=None):
        Exception.__init__(self, message)
        self.status = status
        self.message = message
        self.headers = headers or []


class JobState(object):
    """What the Job resource shows beyond the dataset's Job, and the job's run-time state."""

    __slots__ = ("platform", "description", "schedule_configured", "schedule_enabled", "schedule_minute",
                 "outcomes", "runs", "initial_enabled", "clock")

    def __init__(self, platform, description, schedule_minute, enabled, outcomes, clock, configured=None):
        self.platform = platform
        self.description = description
        self.schedule_configured = schedule_minute is not None if configured is None else configured
        self.schedule_enabled = bool(enabled)
        self.initial_enabled = self.schedule_enabled
        self.schedule_minute = schedule_minute
        self.outcomes = list(outcomes or ())
        self.runs = 0
        self.clock = clock

    def next_run(self):
        """The next daily run after the emulated clock (epoch seconds), None when not scheduled."""
        if not (self.schedule_configured and self.schedule_enabled) or self.schedule_minute is None:
            return None
        now = self.clock()
        t = time.gmtime(now)
        midnight = calendar.timegm((t.tm_year, t.tm_mon, t.tm_mday, 0, 0, 0, 0, 0, 0))
        run = midnight + self.schedule_minute * 60
        return run if run > now else run + 86400

    def next_outcome(self):
        outcome = self.outcomes[min(self.runs, len(self.outcomes) - 1)] if self.outcomes else "Success"
        self.runs += 1
        return outcome


def _minute(text, what):
    try:
        hh, mm = text.split(":")
        value = int(hh) * 60 + int(mm)
    except (AttributeError, ValueError):
        value = -1
    if not 0 <= value < 1440 or len(text.split(":")[1]) != 2:
        raise ValueError("invalid %s %r: expected HH:MM (UTC)" % (what, text))
    return value


def _outcomes(values, what):
    out = []
    for v in values:
        match = [o for o in OUTCOMES if o.lower() == str(v).strip().lower()]
        if not match:
            raise ValueError("invalid %s %r: possible values %s" % (what, v, ", ".join(OUTCOMES)))
        out.append(match[0])
    return out


def default_state(job, clock):
    """Deterministic settings of a job without a data file "settings" object."""
    doc = DOC_JOB_SETTINGS.get(job.id)
    if doc is not None:
        platform, description, at, enabled = doc
        return JobState(platform, description, _minute(at, "schedule"), enabled, (), clock)
    h = int(job.id.replace("-", "")[:8], 16)
    if job.job_type in COPY_TYPES:
        # the copy job examples of get_jobs_id: CustomPlatform, continuous schedule (no NextRun)
        return JobState("CustomPlatform", "Created by .\\veeamadmin", None, True, (), clock, configured=True)
    platform = "HyperV" if h % 4 == 1 else "VMware"
    if job.name == DOC_UNSCHEDULED:
        return JobState(platform, "Created by .\\veeamadmin", None, False, (), clock)
    minute = (18 * 60 + (h % 144) * 5) % 1440  # 18:00 .. 05:55
    configured = h % 9 != 0
    return JobState(platform, "Created by .\\veeamadmin", minute if configured else None,
                    configured and h % 7 != 0, (), clock)


def state_from_settings(job, settings, clock):
    """Settings of a data file's job; missing keys take the default values."""
    base = default_state(job, clock)
    if not isinstance(settings, dict):
        raise ValueError("job %s: settings must be an object" % job.name)
    unknown = set(settings) - {"platform", "description", "schedule_time", "schedule_enabled", "outcomes"}
    if unknown:
        raise ValueError("job %s: unknown settings %s" % (job.name, ", ".join(sorted(unknown))))
    platform = settings.get("platform", base.platform)
    if platform not in PLATFORMS:
        raise ValueError("job %s: invalid platform %r: possible values %s" % (job.name, platform, ", ".join(PLATFORMS)))
    minute = base.schedule_minute
    if "schedule_time" in settings:
        at = settings["schedule_time"]
        minute = None if at is None else _minute(at, "schedule_time of job %s" % job.name)
    enabled = settings.get("schedule_enabled", base.schedule_enabled)
    return JobState(platform, settings.get("description", base.description), minute, bool(enabled),
                    _outcomes(settings.get("outcomes", ()), "outcome of job %s" % job.name), clock,
                    configured=True if job.job_type in COPY_TYPES else None)


def parse_job_outcomes(specs, jobs):
    """``--job-outcome "NAME=RESULT[,RESULT...]"`` (NAME or job ID) -> {job id: [results]}."""
    out = {}
    for spec in specs or ():
        name, sep, results = spec.rpartition("=")
        if not sep or not name.strip():
            raise ValueError("invalid --job-outcome %r: expected NAME=RESULT[,RESULT...]" % spec)
        key = name.strip().casefold()
        found = [j for j in jobs if j.name.casefold() == key or j.id == key]
        if not found:
            raise ValueError("--job-outcome %r: no job named %r" % (spec, name.strip()))
        for job in found:
            out[job.id] = _outcomes(results.split(","), "--job-outcome result")
    return out


# --------------------------------------------------------------------------- representations
def _ref_links(b, job):
    href = b + "jobs/" + job.id
    srv = job.server
    return (
        ("Up", b + "backupServers/" + srv.id, "BackupServerReference", srv.name),
        ("Alternate", href + "?format=Entity", "Job", job.name),
        ("Down", href + "/backupSessions", "BackupJobSessionReferenceList", None),
    )


def _entity_links(b, job):
    """The Links of the pages' examples: a backup job (example 1), a backup copy job (examples 2, 3)."""
    href = b + "jobs/" + job.id
    srv = job.server
    up = ("Up", b + "backupServers/" + srv.id, "BackupServerReference", srv.name)
    alternate = ("Alternate", href, "JobReference", job.name)
    clone = ("Clone", href + "?action=clone", None, None)
    toggle = ("ToggleScheduleEnabled", href + "?action=toggleScheduleEnabled", None, None)
    sessions = ("Down", href + "/backupSessions", "BackupJobSessionReferenceList", None)
    if job.job_type in COPY_TYPES:
        return (up, alternate, clone, toggle, sessions, ("Sync", href + "?action=sync", None, None),
                ("Down", href + "/linkedJobs", "LinkedJobObjectList", None),
                ("Down", href + "/linkedBackupRepositories", "LinkedBackupRepositoryObjectList", None),
                ("Create", href + "/linkedJobs", "LinkedJobObject", None),
                ("Create", href + "/linkedBackupRepositories", "LinkedBackupRepositoryObject", None))
    return (up, alternate, ("Edit", href, "JobReference", job.name), clone, toggle,
            ("Down", href + "/includes", "ObjectInJobList", None), sessions,
            ("Create", href + "/includes", "ObjectInJob", None),
            ("Start", href + "?action=start", None, None), ("Stop", href + "?action=stop", None, None),
            ("Retry", href + "?action=retry", None, None))


def x_job_ref(b, job, tag="Ref", ns=""):
    return ('<%s%s Type="JobReference" Href="%sjobs/%s" Name="%s" UID="urn:veeam:Job:%s">%s</%s>'
            % (tag, ns, b, job.id, xa(job.name), job.id, xml_links(_ref_links(b, job)), tag))


def j_job_ref(b, job):
    return ('{"Links":%s,"UID":"urn:veeam:Job:%s","Name":%s,"Href":"%sjobs/%s","Type":"JobReference"}'
            % (json_links(_ref_links(b, job)), job.id, jstr(job.name), b, job.id))


def x_job(b, job, ns=""):
    st = job.state
    nxt = st.next_run()
    return ('<Job%s Type="Job" Href="%sjobs/%s?format=Entity" Name="%s" UID="urn:veeam:Job:%s">%s'
            '<JobType>%s</JobType><Platform>%s</Platform><Description>%s</Description>'
            '<ScheduleConfigured>%s</ScheduleConfigured><ScheduleEnabled>%s</ScheduleEnabled>%s</Job>'
            % (ns, b, job.id, xa(job.name), job.id, xml_links(_entity_links(b, job)), job.job_type, st.platform,
               xt(st.description), jbool(st.schedule_configured), jbool(st.schedule_enabled),
               "<NextRun>%s</NextRun>" % iso(nxt) if nxt is not None else ""))


def j_job(b, job):
    st = job.state
    nxt = st.next_run()
    return ('{"JobType":"%s","Platform":"%s","Description":%s,"ScheduleConfigured":%s,"ScheduleEnabled":%s,'
            '"NextRun":%s,"Name":%s,"UID":"urn:veeam:Job:%s","Links":%s,"Href":"%sjobs/%s?format=Entity",'
            '"Type":"Job"}'
            % (job.job_type, st.platform, jstr(st.description), jbool(st.schedule_configured),
               jbool(st.schedule_enabled), '"%s"' % iso(nxt) if nxt is not None else "null", jstr(job.name), job.id,
               json_links(_entity_links(b, job)), b, job.id))


# --------------------------------------------------------------------------- the service
class JobService(object):
    """Job resources and actions of one application (``app``: server.EmulatorApp)."""

    def __init__(self, app, duration, outcome_specs=()):
        if duration < 0:
            raise ValueError("--job-duration must not be negative")
        self.app = app
        self.duration = float(duration)
        data = app.data
        for job in data.jobs:
            job.state = (default_state(job, app.clock) if job.settings is None
                         else state_from_settings(job, job.settings, app.clock))
        for job_id, outcomes in parse_job_outcomes(outcome_specs, data.jobs).items():
            data.job_by_id[job_id].state.outcomes = outcomes
        self.added = []
        self.by_job = {}
        self._index()

    def _index(self):
        self.by_job = {}
        for s in self.app.data.sessions:
            self.by_job.setdefault(s.job.id, []).append(s)

    def reset(self):
        """Back to the initial dataset: started sessions removed, schedules and outcome counters restored."""
        app = self.app
        with app.data_lock:
            app.data.remove_sessions(self.added)
            self.added = []
            app.session_ctimes = [s.ctime for s in app.data.sessions]
            app.task_ctimes = [t.ctime for t in app.data.task_sessions]
            for job in app.data.jobs:
                job.state.schedule_enabled = job.state.initial_enabled
                job.state.runs = 0
            self._index()
            app.bump()

    # ------------------------------------------------------------------ reading
    def listed(self):
        return [j for j in self.app.data.jobs if j.job_type in LISTED_TYPES]

    def check_role(self, req, doing="read jobs"):
        user = req.logon.user
        if user.role != PORTAL_ADMINISTRATOR:
            raise JobError(403, "Access denied. The user %s (%s) is not allowed to %s: jobs are available to "
                                "the Portal Administrator role only." % (user.name, user.role, doing))

    def job(self, ident):
        job = self.app.data.job_by_id.get(ident)
        if job is None or job.job_type not in LISTED_TYPES:
            raise JobError(404, 'Job with ID "%s" was not found.' % ident)
        return job

    def query_parts(self, req, entity):
        """(source, x_one, j_one, entities tag) of a query of type Job."""
        self.check_role(req)
        b = req.base
        if entity:
            return self.listed(), lambda j: x_job(b, j), lambda j: j_job(b, j), "Jobs"
        return self.listed(), lambda j: x_job_ref(b, j), lambda j: j_job_ref(b, j), None

    def r_jobs(self, req, entity):
        self.check_role(req)
        b = req.base
        with self.app.data_lock:
            items = self.listed()
            if entity:
                return self.app.ok(req, lambda: x_collection("Jobs", [x_job(b, j) for j in items]),
                                   lambda: j_collection("Jobs", [j_job(b, j) for j in items]))
            return self.app.ok(req, lambda: x_collection("EntityReferences", [x_job_ref(b, j) for j in items]),
                               lambda: j_collection("Refs", [j_job_ref(b, j) for j in items]))

    def r_job(self, req, ident, entity):
        job = self.job(ident)
        if req.method == "POST":
            return self.r_action(req, job)
        self.check_role(req)
        b = req.base
        with self.app.data_lock:
            if entity:
                return self.app.ok(req, lambda: xml_doc(x_job(b, job, NS)), lambda: j_job(b, job))
            return self.app.ok(req, lambda: xml_doc(x_job_ref(b, job, "EntityRef", NS)), lambda: j_job_ref(b, job))

    def r_job_sessions(self, req, ident, entity, renderer, cutoff):
        """GET /jobs/{ID}/backupSessions: the job's sessions, newest first, within the list window."""
        job = self.job(ident)
        self.check_role(req)
        r = renderer
        with self.app.data_lock:
            items = [s for s in self.by_job.get(job.id, ()) if cutoff is None or s.ctime >= cutoff]
            items.reverse()
            if entity:
                return self.app.ok(req, lambda: x_collection("BackupJobSessions", [r.x_session(s) for s in items]),
                                   lambda: j_collection("BackupJobSessions", [r.j_session(s) for s in items]))
            return self.app.ok(req, lambda: x_collection("EntityReferences", [r.x_session_ref(s) for s in items]),
                               lambda: j_collection("Refs", [r.j_session_ref(s) for s in items]))

    # ------------------------------------------------------------------ actions
    def r_action(self, req, job):
        action = req.params.get("action")
        if action is None:
            raise JobError(405, "The HTTP method POST is not allowed for the resource %s without an action."
                           % req.path, [("Allow", "GET, POST")])
        low = action.lower()
        handlers = {"start": self.start, "retry": self.retry, "stop": self.stop, "sync": self.sync,
                    "togglescheduleenabled": self.toggle}
        if low in NOT_EMULATED_ACTIONS:
            raise JobError(501, "The action %s is not emulated." % action)
        if low not in handlers:
            raise JobError(400, "Unknown action '%s' for a job. Possible actions: start, stop, retry, "
                                "toggleScheduleEnabled, clone, sync." % action)
        self.check_role(req, "%s jobs" % ("change" if low == "togglescheduleenabled" else low))
        if low in ("start", "stop", "retry") and job.job_type in COPY_TYPES:
            raise JobError(400, 'The action %s is not available for the %s job "%s". To start a backup copy '
                                'job, use action=sync.' % (action, job.job_type, job.name))
        if low == "sync" and job.job_type not in COPY_TYPES:
            raise JobError(400, 'The action sync is not available for the %s job "%s": it starts backup copy '
                                'jobs only. To start this job, use action=start.' % (job.job_type, job.name))
        with self.app.data_lock:
            task = handlers[low](req.logon, job)
        self.app.stats.job_action(low)
        r = Renderer(req.base)
        with self.app.data_lock:
            return self.app.ok(req, lambda: xml_doc(r.x_em_task(task, NS)), lambda: r.j_em_task(task), 202)

    def running(self, job):
        return [s for s in self.by_job.get(job.id, ()) if s.state != "Stopped"]

    def _refuse_running(self, job):
        busy = self.running(job)
        if busy:
            raise JobError(400, 'Job "%s" is already running (session "%s" is %s).'
                           % (job.name, busy[-1].name, busy[-1].state))

    def start(self, ls, job):
        self._refuse_running(job)
        return self._run(ls, job, "StartJob", False, job.vms, 'Job "%s" triggered to start.' % job.name)

    def sync(self, ls, job):
        """post_jobs_id_actionsync: starts a backup copy job (Operation StartJobSync, as the page's example)."""
        self._refuse_running(job)
        return self._run(ls, job, "StartJobSync", False, job.vms, 'Job "%s" triggered to sync.' % job.name)

    def retry(self, ls, job):
        self._refuse_running(job)
        sessions = self.by_job.get(job.id)
        last = sessions[-1] if sessions else None
        if last is None or last.result != "Failed":
            raise JobError(400, 'Cannot retry job "%s": the retry action can be performed only for jobs that have '
                                'been finished with the Failed status (last session result: %s).'
                           % (job.name, last.result if last is not None else "no session"))
        vms = [t.vm for t in last.tasks if t.result == "Failed"] or list(job.vms)
        return self._run(ls, job, "RetryJob", True, vms, 'Job "%s" triggered to retry.' % job.name)

    def stop(self, ls, job):
        task = new_task(ls, "StopJob")
        self.app.stops.stop_sessions(self.running(job), task, 'Job "%s" triggered to stop.' % job.name,
                                     failure_message("StopJob", job.name, job.server))
        return task

    def toggle(self, ls, job):
        task = new_task(ls, "UpdateJob")

        def flip():
            job.state.schedule_enabled = not job.state.schedule_enabled
            self.app.bump()
        self.app.tasks.follow(task, self.duration / 5.0, "Ok", failure_message("UpdateJob", job.name, job.server),
                              on_finished=flip)
        return task

    def _run(self, ls, job, operation, is_retry, vms, message):
        """The task of a start, retry or sync: a new session of the job unless the task fails."""
        task = new_task(ls, operation)
        self.app.tasks.follow(task, self.duration / 5.0, message, failure_message(operation, job.name, job.server),
                              act=lambda: self._launch(job, is_retry, vms))
        return task

    def _launch(self, job, is_retry, vms):
        app = self.app
        sessions = self.by_job.setdefault(job.id, [])
        ctime = int(app.clock())
        if sessions:
            ctime = max(ctime, sessions[-1].ctime + 1)  # the newest session of a job sorts last
        s = JobSession(str(uuid.uuid4()), job, ctime, None, "Starting", "None", 0, is_retry)
        for vm in vms:
            s.tasks.append(TaskSession(str(uuid.uuid4()), s, vm, ctime, None, "Pending", "None", "", 0))
        app.data.add_session(s)
        bisect.insort(app.session_ctimes, s.ctime)
        for t in s.tasks:
            bisect.insort(app.task_ctimes, t.ctime)
        sessions.append(s)
        self.added.append(s)
        outcome = job.state.next_outcome()
        app.bump()

        def working():
            with app.data_lock:
                if s.state == "Starting":
                    app.remember(s)  # every change of a session's values goes through remember
                    s.state = "Working"
                    s.progress = 10
                    for t in s.tasks:
                        app.remember(t)
                        t.state = "InProgress"
                    app.bump()

        def finished():
            with app.data_lock:
                if s.state in ("Stopping", "Stopped"):
                    return  # stopped by a user: the stop sets the result
                end = max(int(app.clock()), s.ctime)
                app.remember(s)
                for i, t in enumerate(s.tasks):
                    app.remember(t)
                    result = outcome if i == 0 else "Success"
                    t.state, t.result, t.etime = "Completed", result, end
                    t.reason = {"Failed": FAILURE_REASONS[0], "Warning": WARNING_REASONS[0]}.get(result, "")
                    t.total_size = 0 if result == "Failed" else (1 << 30) * (3 + len(t.vm))
                    t.vrp_id = None if result == "Failed" else True
                s.state, s.result, s.progress, s.etime = "Stopped", outcome, 100, end
                s.rp_id = None if outcome == "Failed" else True
                app.bump()
        app.tasks.at(self.duration / 5.0, working)
        app.tasks.at(self.duration, finished)
