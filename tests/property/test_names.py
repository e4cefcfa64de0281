# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Any name selects exactly the job or VM of that name, and nothing else.

Hypothesis makes up a name (1 to 300 characters of any script, every kind of
quote, commas, semicolons, parentheses, ``==``, newlines), one job or VM of the
emulator's dataset is renamed to it, and the modules are asked for it by that
name, as a string and as a one-element list.  EM compares names
case-insensitively and VBR keeps them unique ignoring case, so a made-up name
whose casefold is another job's (or VM's) is skipped; EM trims names, so the
names have no surrounding whitespace.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from hypothesis import assume, example, given, note, settings
from hypothesis import strategies as st

from em_emulator.protection import ensure, forget  # the conftest puts tests/emulator on sys.path

from ansible_collections.backupops.veeam_em.plugins.modules import (
    em_backup_session_info,
    em_backup_session_stop,
    em_backup_task_session_info,
    em_vm_restore_point_info,
)
from ansible_collections.backupops.veeam_em.plugins.module_utils._sessions import STOPPABLE_STATES
from ansible_collections.backupops.veeam_em.tests.property.em_strategies import NAMES

INDEX = st.integers(min_value=0, max_value=10 ** 6)
# The names get three times the examples of the option tests.
MORE = settings(max_examples=3 * settings.default.max_examples)
# Tried on every run, whatever Hypothesis draws: the names of the issue and the filter's own syntax.
EXAMPLES = ("Mailserver, weekly", 'SQL "Prod" Backup', "Backup \u201cProd\u201d", 'x";JobName=="y', "a==b;(c)")


def examples(flag):
    """Decorator: each of EXAMPLES as a string and (``flag`` True) as a list."""
    def decorate(test):
        for number, name in enumerate(EXAMPLES):
            test = example(name=name, index=number, **{flag: False})(test)
            test = example(name=name, index=number, **{flag: True})(test)
        return test
    return decorate


def _unique(name, others):
    folded = name.casefold()
    return all(folded != other.casefold() for other in others)


def _pick_job(em, index, name, with_running=False):
    """The job called ``name`` ignoring case (renamed to itself), else a job picked by ``index``."""
    jobs = em.data.jobs
    same = [job for job in jobs if job.name.casefold() == name.casefold()]
    if same:
        note("the job is already called so: %r" % same[0].name)
        return same[0]
    if with_running:
        running = set(s.job.id for s in em.data.sessions if s.state != "Stopped")
        jobs = [job for job in jobs if job.id in running]
    job = jobs[index % len(jobs)]
    note("renamed job: %r" % job.name)
    return job


def _ids(items):
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)), "an item is listed twice"
    return set(ids)


@MORE
@given(name=NAMES, index=INDEX, as_list=st.booleans())
@examples("as_list")
def test_job_name_selects_exactly_that_jobs_sessions(em, name, index, as_list):
    em.example()
    job = _pick_job(em, index, name)
    assume(name and _unique(name, [j.name for j in em.data.jobs if j is not job]))
    with em.renamed_job(job, name):
        expected = set(s.id for s in em.data.sessions if s.job is job)
        outcome = em.run(em_backup_session_info, em.connection(job_name=[name] if as_list else name))
    em.assert_clean(outcome)
    assert not outcome.failed, repr(outcome)
    sessions = outcome.result["backup_sessions"]
    assert _ids(sessions) == expected
    assert [s for s in sessions if s["job_name"] != name] == []


@MORE
@given(name=NAMES, index=INDEX, as_list=st.booleans())
@examples("as_list")
def test_job_name_selects_exactly_that_jobs_task_sessions(em, name, index, as_list):
    em.example()
    job = _pick_job(em, index, name)
    assume(name and _unique(name, [j.name for j in em.data.jobs if j is not job]))
    with em.renamed_job(job, name):
        expected = set(t.id for t in em.data.task_sessions if t.session.job is job)
        outcome = em.run(em_backup_task_session_info, em.connection(job_name=[name] if as_list else name))
    em.assert_clean(outcome)
    assert not outcome.failed, repr(outcome)
    tasks = outcome.result["backup_task_sessions"]
    assert _ids(tasks) == expected
    assert [t for t in tasks if t["job_name"] != name] == []


@MORE
@given(name=NAMES, index=INDEX, as_list=st.booleans())
@examples("as_list")
def test_vm_name_selects_exactly_that_vms_task_sessions(em, name, index, as_list):
    em.example()
    vms = em.vm_names()
    same = [vm for vm in vms if vm.casefold() == name.casefold()]
    old = same[0] if same else vms[index % len(vms)]
    note("renamed VM: %r" % old)
    assume(name and _unique(name, [vm for vm in vms if vm != old]))
    with em.renamed_vm(old, name) as renamed:
        expected = set(t.id for t in renamed)
        outcome = em.run(em_backup_task_session_info, em.connection(vm_name=[name] if as_list else name))
    em.assert_clean(outcome)
    assert not outcome.failed, repr(outcome)
    tasks = outcome.result["backup_task_sessions"]
    assert _ids(tasks) == expected
    assert [t for t in tasks if t["vm_name"] != name] == []


@MORE
@given(name=NAMES, index=INDEX, with_running=st.booleans())
@examples("with_running")
def test_stop_check_mode_lists_only_that_jobs_sessions(em, name, index, with_running):
    em.example()
    job = _pick_job(em, index, name, with_running)
    assume(name and _unique(name, [j.name for j in em.data.jobs if j is not job]))
    with em.renamed_job(job, name):
        mine = [s for s in em.data.sessions if s.job is job and s.state != "Stopped"]
        outcome = em.run(em_backup_session_stop, em.connection(job_name=name), check_mode=True, diff=True)
    em.assert_clean(outcome)
    assert not outcome.failed, repr(outcome)
    assert outcome.stops == 0, "check mode sent a stop"
    sessions = outcome.result["backup_sessions"]
    assert _ids(sessions) == set(s.id for s in mine)
    assert [s for s in sessions if s["job_name"] != name] == []
    assert outcome.result["changed"] == any(s.state in STOPPABLE_STATES for s in mine)


SPELLINGS = {"upper": str.upper, "lower": str.lower, "swapcase": str.swapcase, "title": str.title}


@MORE
@given(name=NAMES, index=INDEX, spelling=st.sampled_from(sorted(SPELLINGS)), latest_per_job=st.booleans())
@example(name="Mailserver, weekly", index=0, spelling="upper", latest_per_job=True)
@example(name="Stra\u00dfe \u201cNord\u201d", index=1, spelling="upper", latest_per_job=False)
def test_job_name_is_matched_ignoring_case(em, name, index, spelling, latest_per_job):
    """EM compares names ignoring case: another spelling selects the same job (and latest_per_job finds it)."""
    em.example()
    asked = SPELLINGS[spelling](name)
    assume(name and asked.casefold() == name.casefold())
    job = _pick_job(em, index, name)
    assume(_unique(name, [j.name for j in em.data.jobs if j is not job]))
    with em.renamed_job(job, name):
        mine = [s for s in em.data.sessions if s.job is job]
        outcome = em.run(em_backup_session_info, em.connection(job_name=asked, latest_per_job=latest_per_job))
    em.assert_clean(outcome)
    assert not outcome.failed, repr(outcome)
    sessions = outcome.result["backup_sessions"]
    if latest_per_job:
        newest = max(s.ctime for s in mine)
        assert len(sessions) == 1 and sessions[0]["id"] in set(s.id for s in mine if s.ctime == newest), repr(outcome)
    else:
        assert _ids(sessions) == set(s.id for s in mine)
    assert [s for s in sessions if s["job_name"] != name] == []


@MORE
@given(name=NAMES, index=INDEX, as_list=st.booleans())
@examples("as_list")
def test_vm_name_selects_exactly_that_vms_restore_points(em, name, index, as_list):
    """Any name (quotes, commas, ==, newlines, unicode) given to a VM selects exactly that VM's restore points."""
    em.example()
    with_points = sorted(set(point.vm.name for point in ensure(em.data).vm_points))
    vms = em.vm_names()
    same = [vm for vm in with_points if vm.casefold() == name.casefold()]
    old = same[0] if same else with_points[index % len(with_points)]
    note("renamed VM: %r" % old)
    assume(name and _unique(name, [vm for vm in vms if vm != old]))
    try:
        with em.renamed_vm(old, name):
            forget(em.data)  # the emulator derives its restore points again, under the new name
            expected = set(point.id for point in ensure(em.data).vm_points if point.vm.name == name)
            outcome = em.run(em_vm_restore_point_info, em.connection(vm_name=[name] if as_list else name))
    finally:
        forget(em.data)
    em.assert_clean(outcome)
    assert not outcome.failed, repr(outcome)
    points = outcome.result["vm_restore_points"]
    assert expected and _ids(points) == expected
    assert [p for p in points if p["vm_name"] != name] == []
