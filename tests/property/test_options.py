# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Any value of any option either works or fails with a message naming the option, before any request.

For every option of every module (its own and the connection options), Hypothesis
draws fitting and unfitting values (see em_strategies.py) and the module runs
against the in-process emulator.  No run may end in a traceback; a value that
must be refused is refused before EM sees a request; a failure names the option.
Then the values the issue reported as defects, one by one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import atexit
import os
import shutil
import tempfile

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from ansible_collections.backupops.veeam_em.plugins.module_utils import _sessions
from ansible_collections.backupops.veeam_em.plugins.module_utils._connection import connection_argument_spec
from ansible_collections.backupops.veeam_em.plugins.module_utils._sessions import STOPPABLE_STATES
from ansible_collections.backupops.veeam_em.plugins.modules import (
    em_backup_job,
    em_backup_job_info,
    em_backup_session_info,
    em_backup_session_report,
    em_backup_session_stop,
    em_backup_task_session_info,
    em_logon_session,
    em_protection_info,
    em_repository_info,
    em_vm_restore_point_info,
)
from ansible_collections.backupops.veeam_em.tests.property import em_strategies as es

MODULES = {
    "em_backup_job": em_backup_job,
    "em_backup_job_info": em_backup_job_info,
    "em_backup_session_info": em_backup_session_info,
    "em_backup_session_report": em_backup_session_report,
    "em_backup_task_session_info": em_backup_task_session_info,
    "em_backup_session_stop": em_backup_session_stop,
    "em_logon_session": em_logon_session,
    "em_protection_info": em_protection_info,
    "em_repository_info": em_repository_info,
    "em_vm_restore_point_info": em_vm_restore_point_info,
}
CONNECTION_SPEC = connection_argument_spec()
EXISTING_FILE = os.path.abspath(__file__)
# em_backup_session_report's metrics_file is written here (removed at the end of the run)
METRICS_DIR = tempfile.mkdtemp(prefix="veeam-em-metrics-")
atexit.register(shutil.rmtree, METRICS_DIR, True)


def _cases():
    for name in sorted(MODULES):
        spec = dict(CONNECTION_SPEC)
        spec.update(MODULES[name].ARGUMENT_SPEC)
        for option in sorted(spec):
            yield pytest.param(name, option, id="%s-%s" % (name, option))


def _spec(module_name, option):
    spec = dict(CONNECTION_SPEC)
    spec.update(MODULES[module_name].ARGUMENT_SPEC)
    return spec[option]


def _job_session_ids(em, running=None):
    sessions = [s for s in em.data.sessions if running is None or (s.state != "Stopped") == running]
    return [s.id for s in sessions[:: max(1, len(sessions) // 20)]]


def _job_names(em):
    """Names of the job resources (the types EM lists as jobs) that no other job has, in any case."""
    names = [job.name for job in em.data.jobs if job.job_type in _sessions.JOB_ENTITY_TYPES]
    folded = [name.casefold() for name in names]
    return sorted(name for name in names if folded.count(name.casefold()) == 1)


def _job_ids(em):
    return [job.id for job in em.data.jobs if job.job_type in _sessions.JOB_ENTITY_TYPES]


def _values(em, module_name, option, token):
    """The strategy of (value, expect) for one option of one module."""
    spec = _spec(module_name, option)
    if option == "server":
        return es.server_values(em.port)
    if option == "port":
        return es.int_values(1, 65535, es.BAD, only=em.port)
    if option == "protocol":
        return es.choice_values(spec["choices"], ok=["http"])
    if option == "user":
        return es.user_values()
    if option == "password":
        return es.password_values()
    if option == "session_token":
        return es.token_values(token)
    if option == "ca_path":
        return es.path_values(EXISTING_FILE)
    # Plainly valid values must work; much larger ones may be refused (naming the option).
    if option == "timeout":
        return es.int_values(1, 3600, es.ANY)
    if option == "rpo":  # a length from a minute to a year; a bare number may mean hours: refused
        return es.length_values(60, 366 * 86400, es.BAD, bare_seconds=False)
    if option in ("fail_on_protection", "repository_free_percent_below"):
        # alone (without rpo) any of them either means nothing or fails naming the option and rpo
        return es.tagged(st.one_of(es.list_choice_values(["breached", "unprotected"]).map(lambda pair: pair[0]),
                                   es.percent_values().map(lambda pair: pair[0])), es.ANY)
    if option == "free_percent_below":
        return es.percent_values()
    if option == "wait_timeout":  # the time grammar; a bare number counts seconds
        return es.length_values(1, 86400, es.ANY)
    if option == "poll_interval":
        return es.length_values(1, 600, es.ANY)
    if option == "limit":
        return es.int_values(1, 10 ** 6, es.ANY)
    if option == "collapse_success_over":  # 0 never folds
        return es.int_values(0, 10 ** 6, es.ANY)
    if option in ("created_after", "created_before"):
        return es.time_values()
    if option in ("window", "latest_lookback"):  # a length or an ISO 8601 start
        return es.tagged(st.one_of(es.time_values().map(lambda tagged: tagged[0]), es.ANY_TEXT), es.ANY)
    if option == "job_name" and module_name == "em_backup_session_stop":
        # a name no job has may be refused (nothing to stop is suspicious), the name of a job must work
        return es.name_values(allow_list=False, unknown=es.ANY, known=[job.name for job in em.data.jobs])
    if option == "name" and module_name == "em_backup_job":
        # a name of no job fails naming it (nothing to act on), the name of a job must work
        return es.name_values(allow_list=False, unknown=es.ANY, known=_job_names(em))
    if option == "id" and module_name == "em_backup_job":
        return es.id_values(_job_ids(em), "Job", "jobs", es.ANY, "BackupJobSession")
    if option == "name" and module_name in ("em_backup_job_info", "em_repository_info"):
        return es.name_values(allow_list=True)
    if option in ("job_name", "vm_name"):
        return es.name_values(allow_list=True)  # job_name, vm_name: one name or a list
    if option == "backup_server":
        return es.single_name_values(("srv02.tech.local", "SRV02.TECH.LOCAL"))
    if option == "metrics_file":
        return es.metrics_file_values(METRICS_DIR)
    if option == "em_name":  # the em label of metrics_file (_base gives one): any name, quotes and newlines too
        return es.single_name_values(("em-emea",))
    if option == "id" and module_name == "em_backup_task_session_info":
        known = [t.id for t in em.data.task_sessions[::50]]
        return es.id_values(known, "BackupTaskSession", "backupTaskSessions", es.OK, "BackupJobSession")
    if option == "id" and module_name == "em_backup_session_stop":
        return es.id_values(_job_session_ids(em), "BackupJobSession", "backupSessions", es.ANY, "BackupTaskSession")
    if option in ("id", "job_session_id"):
        return es.id_values(_job_session_ids(em), "BackupJobSession", "backupSessions", es.OK, "BackupTaskSession")
    if option == "fail_on":  # the words are checked by the collection: [] and [""] (fail_on= ad hoc) never fail
        words = _sessions.PROBLEM_RESULTS if module_name == "em_backup_job" else _sessions.RESULTS
        return es.list_choice_values(list(words), empty_is_none=True)
    if option == "state" and module_name == "em_logon_session":
        return es.choice_values(spec["choices"], ok=["present"])
    if "choices" in spec:
        if spec.get("type") == "list":
            return es.list_choice_values(spec["choices"])
        return es.choice_values(spec["choices"])
    kind = spec.get("type", "str")
    if kind == "bool":
        return es.bool_values()
    if kind == "int":
        return es.int_values(1, 3600, es.ANY)
    return es.tagged(es.ANY_TEXT, es.ANY)  # an option this test does not know yet: no traceback, at least


def _base(em, module_name, option, token):
    """(module args without the option, check mode) of one run."""
    if module_name == "em_backup_session_stop":
        args = em.connection(id=_job_session_ids(em, running=False)[0])
        if option == "job_name":
            del args["id"]
        return args, True
    if module_name == "em_backup_job":  # in check mode: nothing is sent
        args = em.connection(name=_job_names(em)[0], state="started")
        if option == "id":
            del args["name"]
        return args, True
    if module_name == "em_backup_session_report" and option == "em_name":
        return em.connection(metrics_file=os.path.join(METRICS_DIR, "em_name.prom")), False
    if module_name in ("em_backup_job_info", "em_backup_session_report", "em_repository_info"):
        return em.connection(), False
    if module_name == "em_protection_info":  # one job's VMs: the whole estate takes longer than the options
        return em.connection(job_name="Finance Backup"), False
    if module_name == "em_logon_session":
        if option == "logon_session_id":
            return em.connection(state="absent", session_token=token), False
        return em.connection(state="present"), False
    if option == "task_session_result":  # it filters what include_task_sessions attaches
        return em.connection(limit=2, include_task_sessions=True), False
    return em.connection(limit=2), False


def _names(option, value=None):
    """Words of which a failure message caused by ``option`` must contain one.

    Ansible masks every occurrence of a no_log value in the output: a password or token such as ``_``
    turns ``session_token`` into ``session********token``, which still counts.
    """
    names = {option}
    names.update(CONNECTION_SPEC.get(option, {}).get("aliases", ()))
    if option == "server":
        names.add("port")  # a port written into server may be reported as the port
    if option == "state":
        names.add("session_token")  # state=absent needs a token
    if option in ("fail_on_protection", "repository_free_percent_below"):
        names.add("rpo")  # they gate on the protection part, which rpo adds
    if CONNECTION_SPEC.get(option, {}).get("no_log") and isinstance(value, str) and value:
        names.update([name.replace(value, "********") for name in names])
    return names


def _secrets(option, value, token):
    found = [token]
    if option in ("password", "session_token") and isinstance(value, str) and es.SECRET_MARK in value:
        found += [value, value.strip()]
    return found


def check(em, outcome, option, value, expect, secrets=()):
    """The contract of one run."""
    em.assert_clean(outcome)
    for secret in secrets:
        assert secret not in outcome.out, "a secret is in the result of option %s" % option
    msg = outcome.msg
    names = _names(option, value)
    if expect == es.OK:
        assert not outcome.failed, repr(outcome)
    elif expect == es.BAD:
        assert outcome.failed, "%s=%r must be refused: %r" % (option, value, outcome)
        assert outcome.requests == 0, "%s=%r must be refused before any request: %r" % (option, value, outcome)
        assert any(name in msg for name in names), "the message does not name %s: %r" % (option, msg)
    elif outcome.failed:
        if outcome.requests == 0:
            assert any(name in msg for name in names), "the message does not name %s: %r" % (option, msg)
        else:
            shown = value.strip() if isinstance(value, str) else None
            assert any(name in msg for name in names) or (shown and shown in msg), \
                "a failure after %d requests that names neither %s nor its value: %r" % (outcome.requests, option, msg)


@pytest.mark.parametrize("module_name, option", list(_cases()))
@given(data=st.data())
def test_any_value_works_or_fails_naming_the_option(em, module_name, option, data):
    em.example()
    token = em.shared_token()
    if option == "logon_session_id":
        token, logon_id = em.logon_token()  # this run may log it off
        values = st.one_of(st.just((logon_id, es.OK)), es.tagged(es.id_forms(es.UNKNOWN_UUID, "LogonSession", "logonSessions"), es.OK),
                           es.tagged(es.other_em_hrefs(logon_id, "logonSessions"), es.BAD),
                           es.tagged(st.sampled_from(es.HOSTILE_IDS).map(lambda text: text.format(uuid=logon_id)), es.BAD),
                           es.tagged(es.ANY_TEXT, es.ANY))
    else:
        values = _values(em, module_name, option, token)
    value, expect = data.draw(values, label=option)
    args, check_mode = _base(em, module_name, option, token)
    args[option] = value
    note("expect %s; args %r" % (expect, dict((k, v) for k, v in args.items() if k not in ("password", "session_token"))))
    outcome = em.run(MODULES[module_name], args, check_mode=check_mode)
    check(em, outcome, option, value, expect, _secrets(option, value, token))
    if module_name != "em_logon_session":
        assert outcome.open_delta == 0, "the module left a logon session open: %r" % outcome
    if module_name == "em_backup_session_stop":
        assert outcome.stops == 0, "check mode sent a stop"


# -- the defects of the issue, one by one ----------------------------------------
# Each value with the outcome the option's documentation promises, stated before the run:
# REFUSED(text): the run fails before any request, with a message that contains ``text`` (which names the option);
# WORKS(check): the run succeeds, and ``check`` (a description and a test of the result) holds.
def REFUSED(text):
    return ("refused", text)


def WORKS(what, test):
    return ("works", (what, test))


TIME_RANGE = "is out of range: in UTC it falls outside the years 1 to 9999"
BEFORE_YEAR_1 = "reaches back before the year 1"  # then the advice: a shorter length or an ISO 8601 time
DEFECT_VALUES = [
    ("em_backup_session_info", "created_after", "9999999d", REFUSED("created_after '9999999d' " + BEFORE_YEAR_1)),
    ("em_backup_session_info", "created_after", "9999-12-31T23:30:00-01:00",
     REFUSED("created_after '9999-12-31T23:30:00-01:00' " + TIME_RANGE)),
    ("em_backup_session_info", "created_after", "0001-01-01T00:30:00+01:00",
     REFUSED("created_after '0001-01-01T00:30:00+01:00' " + TIME_RANGE)),
    ("em_backup_task_session_info", "created_before", "9999999d", REFUSED("created_before '9999999d' " + BEFORE_YEAR_1)),
    ("em_backup_task_session_info", "created_before", "9999-12-31T23:30:00-01:00",
     REFUSED("created_before '9999-12-31T23:30:00-01:00' " + TIME_RANGE)),
    ("em_backup_task_session_info", "created_before", "0001-01-01T00:30:00+01:00",
     REFUSED("created_before '0001-01-01T00:30:00+01:00' " + TIME_RANGE)),
    ("em_backup_session_info", "limit", 10 ** 20, REFUSED("limit must be from 1 to 1000000000; got 10" + "0" * 19)),
    ("em_backup_task_session_info", "limit", 10 ** 20, REFUSED("limit must be from 1 to 1000000000; got 1" + "0" * 20)),
    # the connection fragment: "Timeout in seconds of each HTTP request, from 1 to 86400"
    ("em_backup_session_info", "timeout", 10 ** 12, REFUSED("timeout must be a number of seconds from 1 to 86400; "
                                                            "got 1000000000000")),
    ("em_backup_session_stop", "timeout", 10 ** 12, REFUSED("timeout must be a number of seconds from 1 to 86400; "
                                                            "got 1000000000000")),
    # a port written into server is used (the emulator's own port, so the run reaches it)
    ("em_backup_session_info", "server", "127.0.0.1:{port}",
     WORKS("limit=2: two sessions, nothing changed", lambda r: len(r["backup_sessions"]) == 2 and r["changed"] is False)),
    ("em_logon_session", "server", "127.0.0.1:{port}",
     WORKS("a new logon session with its token", lambda r: r["changed"] is True and bool(r["session_token"])
           and bool(r["logon_session_id"]))),
    # em_backup_session_stop: "wait_timeout ... from 1 to 604800 (a week)"; poll_interval from 1 to 3600
    ("em_backup_session_stop", "wait_timeout", 10 ** 12, REFUSED("wait_timeout must be from 1 to 604800 seconds; "
                                                                 "got 1000000000000")),
    ("em_backup_session_stop", "poll_interval", 10 ** 11, REFUSED("poll_interval must be from 1 to 3600 seconds; "
                                                                  "got 100000000000")),
]


@pytest.mark.parametrize("module_name, option, value, expected", DEFECT_VALUES,
                         ids=["%s-%s-%s" % (m, o, str(v)[:30]) for m, o, v, dummy in DEFECT_VALUES])
def test_issue_defect_values(em, module_name, option, value, expected):
    """Each value gives the outcome stated for it: refused naming the option before any request, or the stated result."""
    token = em.shared_token()
    if isinstance(value, str):
        value = value.format(port=em.port)
    args, check_mode = _base(em, module_name, option, token)
    args[option] = value
    outcome = em.run(MODULES[module_name], args, check_mode=check_mode)
    kind, detail = expected
    if kind == "refused":
        check(em, outcome, option, value, es.BAD, [token])
        assert detail in outcome.msg, "expected %r in the message: %r" % (detail, outcome)
    else:
        what, test = detail
        check(em, outcome, option, value, es.OK, [token])
        assert test(outcome.result), "expected %s: %r" % (what, outcome)
        if module_name == "em_logon_session":  # the run opened a logon session: close it (not the test's subject)
            em.run(em_logon_session, em.connection(state="absent", session_token=outcome.result["session_token"],
                                                   logon_session_id=outcome.result["logon_session_id"]))


def test_empty_port_variable(em):
    """VEEAM_EM_PORT='' (an AWX credential with an empty port field) counts as unset: the port in server is used.

    The connection fragment: port "If not set, the value of VEEAM_EM_PORT ..., else the port given in server".
    """
    args = em.connection(server="127.0.0.1:%d" % em.port)
    del args["port"]
    outcome = em.run(em_backup_session_info, dict(args, limit=1), env={"VEEAM_EM_PORT": ""})
    check(em, outcome, "port", "", es.OK)
    assert len(outcome.result["backup_sessions"]) == 1, repr(outcome)
    outcome = em.run(em_backup_session_info, dict(em.connection(), limit=1), env={"VEEAM_EM_PORT": ""})
    check(em, outcome, "port", "", es.OK)  # the option wins over the empty variable
    assert len(outcome.result["backup_sessions"]) == 1, repr(outcome)


def test_stop_waiting_with_huge_timeout_and_interval(em):
    """wait_timeout=10^12 poll_interval=10^11 on a running session: refused naming wait_timeout, before any request
    (the documentation: wait_timeout from 1 to 604800, poll_interval from 1 to 3600); nothing is stopped."""
    em.reset()
    running = [s for s in em.data.sessions if s.state in STOPPABLE_STATES]
    try:
        outcome = em.run(em_backup_session_stop, em.connection(id=running[0].id, wait_timeout=10 ** 12,
                                                               poll_interval=10 ** 11))
        em.assert_clean(outcome)
        assert outcome.failed and outcome.requests == 0 and outcome.stops == 0, repr(outcome)
        assert "wait_timeout must be from 1 to 604800 seconds; got 1000000000000" in outcome.msg, repr(outcome)
    finally:
        em.reset()


@pytest.mark.parametrize("module_name, option", [
    ("em_backup_session_info", "limit"), ("em_backup_session_info", "port"), ("em_backup_session_info", "timeout"),
    ("em_backup_task_session_info", "limit"),
])
@pytest.mark.parametrize("value", ["inf", "-Infinity", " Infinity "])
@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "ansible-core's check_type_int (2.19) converts through decimal.Decimal and catches TypeError and ValueError, "
    "but int(Decimal('Infinity')) raises OverflowError: AnsibleModule fails with a traceback before any code of "
    "the collection runs, for every int option of every module. A callable type would fail sanity's "
    "doc-type-does-not-match-spec. strict: this starts failing the day ansible-core catches it."))
def test_int_options_refuse_infinity(em, module_name, option, value):
    """ansible-core's int converter raises OverflowError (not TypeError) for these: the module must still fail cleanly."""
    token = em.shared_token()
    args, check_mode = _base(em, module_name, option, token)
    args[option] = value
    outcome = em.run(MODULES[module_name], args, check_mode=check_mode)
    check(em, outcome, option, value, es.BAD)


@pytest.mark.parametrize("module_name", ["em_backup_session_info", "em_backup_task_session_info", "em_backup_session_stop"])
@pytest.mark.parametrize("before, after", [("", "\n"), ("", "\r\n"), (" ", ""), ("\t", " \n"), ("", "  ")])
def test_valid_token_with_surrounding_whitespace(em, module_name, before, after):
    """A token is used stripped of surrounding whitespace (an AWX credential field or a file often ends in a newline)."""
    token = em.shared_token()
    args, check_mode = _base(em, module_name, "session_token", token)
    args["session_token"] = before + token + after
    outcome = em.run(MODULES[module_name], args, check_mode=check_mode)
    check(em, outcome, "session_token", args["session_token"], es.OK, [token])
    assert outcome.open_delta == 0, "the module logged on instead of using the token: %r" % outcome
