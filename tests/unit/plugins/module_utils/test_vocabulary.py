# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shape checks of plugins/: EM's vocabulary has one home (module_utils/_sessions.py), functions stay short.

A copy is a list, tuple or set of two or more of EM's values (session and task states, results,
job types) written out in the code of plugins/ or in the tasks of roles/ and playbooks/; module
documentation, which must spell its choices out, is not code and is not looked at.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import os

import yaml

from ansible_collections.backupops.veeam_em.plugins.module_utils import _sessions

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
HOME = os.path.join("plugins", "module_utils", "_sessions.py")
EDA_PLUGINS = os.path.join("extensions", "eda", "plugins")  # the event source is plugin code too
VALUES = set(_sessions.SESSION_STATES + _sessions.TASK_STATES + _sessions.RESULTS + _sessions.JOB_TYPES
             + _sessions.JOB_ENTITY_TYPES)


def _files(top, endings):
    for root, dirs, files in os.walk(os.path.join(REPO, top)):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            if name.endswith(endings):
                yield os.path.join(root, name)


def _is_copy(values):
    return len(values) >= 2 and all(isinstance(v, str) and v in VALUES for v in values)


def python_copies(path):
    found = []
    for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            values = [getattr(e, "value", None) for e in node.elts if isinstance(e, ast.Constant)]
            if len(values) == len(node.elts) and _is_copy(values):
                found.append("%s:%d %r" % (os.path.relpath(path, REPO), node.lineno, values))
    return found


def yaml_copies(path):
    found = []

    def walk(value):
        if isinstance(value, list):
            if _is_copy(value):
                found.append("%s %r" % (os.path.relpath(path, REPO), value))
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
    try:
        walk(yaml.safe_load(open(path, encoding="utf-8")))
    except yaml.YAMLError:
        pass
    return found


def concept_copies(path):
    """Copies in test code that name a concept: a module-level constant, or what ``in`` tests against.

    Tests give single values and lists of them as input (``result: [Failed, Warning]``); those are
    not copies. The EM emulator is left out: it is a model of EM built from the reference pages, and
    tests/unit/plugins/module_utils/test_sessions.py holds the client's vocabulary to it.
    """
    found = []
    for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
        if isinstance(node, ast.Compare) and isinstance(node.ops[0], (ast.In, ast.NotIn)):
            candidates = node.comparators[:1]
        elif isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) and t.id.isupper() for t in node.targets):
            candidates = [node.value]
        else:
            continue
        for value in candidates:
            if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
                values = [getattr(e, "value", None) for e in value.elts if isinstance(e, ast.Constant)]
                if len(values) == len(value.elts) and _is_copy(values):
                    found.append("%s:%d %r" % (os.path.relpath(path, REPO), node.lineno, values))
    return found


def test_tests_import_the_vocabulary():
    copies = []
    for top in ("tests/e2e", "tests/property", "tests/soak", "tests/bench", "extensions"):
        for path in _files(top, (".py",)):
            copies += concept_copies(path)
    assert copies == [], "import _sessions instead of: %s" % copies


def test_the_vocabulary_is_written_once():
    copies = []
    for path in list(_files("plugins", (".py",))) + list(_files(EDA_PLUGINS, (".py",))):
        if not path.endswith(HOME):
            copies += python_copies(path)
    for top in ("roles", "playbooks"):
        for path in _files(top, (".yml", ".yaml")):
            if os.sep + "meta" + os.sep not in path:  # argument specs document choices, like module docs
                copies += yaml_copies(path)
    assert copies == [], "use _sessions (Python) or the em_vocabulary filter (YAML) instead of: %s" % copies


def test_the_check_finds_a_copy(tmp_path):
    code = tmp_path / "x.py"
    code.write_text('RUNNING = ("Starting", "Working")\nOTHER = ("Starting", "Running")\n')
    tasks = tmp_path / "x.yml"
    tasks.write_text("- name: x\n  m:\n    state: [Working, Pausing]\n")
    assert len(python_copies(str(code))) == 1 and len(yaml_copies(str(tasks))) == 1


def test_no_function_in_plugins_is_longer_than_about_fifty_lines():
    """Each function reads at once: a longer one is split into named steps."""
    long_ones = []
    for path in list(_files("plugins", (".py",))) + list(_files(EDA_PLUGINS, (".py",))):
        for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno >= 55:
                long_ones.append("%s:%d %s (%d lines)" % (os.path.relpath(path, REPO), node.lineno, node.name,
                                                          node.end_lineno - node.lineno + 1))
    assert long_ones == []
