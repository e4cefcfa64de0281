# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Time the stages of an em_backup_session_info run in one process, no profiler.

    python tests/bench/stages.py [--sizes 10000,50000]

Fetches every page of the full list from the emulator once (XML, the
module's page size), then times, on those bytes, what the module does after
the network: parsing (the collection's ``_xml.parse``), normalising
(``_sessions.job_session``), AnsibleModule's no_log scrub of the result
(``remove_values``, run by ``exit_json`` on every result), the JSON
encoding of the result, and what the controller then does with that answer
(decode it, copy it for ``register``, convert it for the callbacks).
Alternatives are timed next to them: xmltodict (the parser the modules used
before ElementTree, and the one script (c) uses), the same pages asked for in
JSON and decoded with json.loads, and a result with ``links``
(``include_links``).
Each figure is the best of 3 (these are CPU-bound; the best is the least
disturbed by other processes).
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

import requests
import xmltodict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import run_bench  # noqa: E402  pylint: disable=wrong-import-position


def best_of(func, repeat=3):
    best, value = None, None
    for _round in range(repeat):
        start = time.perf_counter()
        value = func()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None or elapsed < best else best
    return best, value


def fetch_pages(emu, page_size, accept="application/xml"):
    http = requests.Session()
    verify = emu.ca_path or True
    logon = http.post(emu.url + "sessionMngr/", params={"v": "latest"},
                      auth=(run_bench.ADMIN_USER, run_bench.ADMIN_PASSWORD), verify=verify)
    http.headers["X-RestSvcSessionId"] = logon.headers["X-RestSvcSessionId"]
    http.headers["Accept"] = accept
    pages, page, count = [], 1, 1
    while page <= count:
        resp = http.get(emu.url + "query", verify=verify, params={
            "type": "BackupJobSession", "format": "Entities", "sortDesc": "CreationTime",
            "pageSize": page_size, "page": page})
        pages.append(resp.content)
        if accept == "application/json":
            count = int(json.loads(resp.content)["PagingInfo"]["PagesCount"])
        else:
            info = xmltodict.parse(resp.content, disable_entities=True)["QueryResult"]["PagingInfo"]
            count = int(info["@PagesCount"])
        page += 1
    session_id = xmltodict.parse(logon.content)["LogonSession"]["SessionId"]
    http.delete(emu.url + "logonSessions/" + session_id, verify=verify)
    return pages


def stage_figures(pages, json_pages, modules):
    _xml, _sessions, parameters, encoder, controller = modules
    rows = []

    def parse_all():
        return [_xml.parse(body) for body in pages]

    elapsed, docs = best_of(parse_all)
    rows.append(("parse: _xml.parse (ElementTree, whole page)", elapsed))

    def normalise():
        out = []
        for doc in docs:
            out.extend(_sessions.job_session(node) for node in _xml.entities(doc, "BackupJobSession"))
        return out

    elapsed, sessions = best_of(normalise)
    rows.append(("normalise: _sessions.job_session", elapsed))

    def xmltodict_parse():
        return [xmltodict.parse(body, disable_entities=True) for body in pages]

    elapsed, dummy = best_of(xmltodict_parse)
    rows.append(("alternative: xmltodict.parse, whole page (the parser before; script (c) uses it)", elapsed))

    def json_parse():
        out = []
        for body in json_pages:
            out.extend(json.loads(body)["Entities"]["BackupJobSessions"]["BackupJobSessions"])
        return out

    elapsed, from_json = best_of(json_parse)
    rows.append(("alternative: JSON answers (Accept: application/json), json.loads", elapsed))
    if len(from_json) != len(sessions):
        raise RuntimeError("JSON pages hold %d sessions, XML pages %d" % (len(from_json), len(sessions)))

    result = {"changed": False, "backup_sessions": sessions,
              "summary": _sessions.summary(sessions, _sessions.SESSION_STATES)}
    secrets = ["Emulator-Admin-1!"]
    elapsed, scrubbed = best_of(lambda: parameters.remove_values(result, secrets))
    rows.append(("exit_json: remove_values (no_log scrub, copies the result)", elapsed))
    elapsed, text = best_of(lambda: json.dumps(scrubbed, cls=encoder))
    rows.append(("exit_json: json.dumps with the module encoder", elapsed))
    rows.extend(controller_figures(text, controller))

    linked = []
    for doc in docs:
        linked.extend(_sessions.job_session(node, links=True) for node in _xml.entities(doc, "BackupJobSession"))
    full = dict(result, backup_sessions=linked)
    elapsed, full_scrubbed = best_of(lambda: parameters.remove_values(full, secrets))
    rows.append(("alternative: remove_values, include_links=true", elapsed))
    elapsed, full_text = best_of(lambda: json.dumps(full_scrubbed, cls=encoder))
    rows.append(("alternative: json.dumps, include_links=true", elapsed))
    sizes = "result JSON %.1f MB (%.1f MB with links), XML received %.1f MB" % (
        len(text) / 1e6, len(full_text) / 1e6, sum(len(p) for p in pages) / 1e6)
    return rows, len(sessions), sizes


def controller_figures(text, controller):
    """What the controller does with the module's answer before the next task (ansible-core 2.19)."""
    decoder, response_copy, strip_internal_keys, to_native = controller
    rows = []
    elapsed, data = best_of(lambda: json.loads(text, cls=decoder))
    rows.append(("controller: JSON decode of the answer (module result decoder)", elapsed))
    elapsed, dummy = best_of(lambda: strip_internal_keys(response_copy(data)))
    rows.append(("controller: register (module_response_deepcopy + strip_internal_keys)", elapsed))
    elapsed, dummy = best_of(lambda: to_native(data))
    rows.append(("controller: result for the callbacks (transform_to_native_types)", elapsed))
    return rows


def load_modules(collections_root):
    sys.path.insert(0, collections_root)
    from ansible.module_utils.common import parameters
    from ansible.module_utils.common.json import Direction, get_module_decoder, get_module_encoder
    from ansible.utils.vars import transform_to_native_types
    from ansible.vars.clean import module_response_deepcopy, strip_internal_keys
    from ansible_collections.backupops.veeam_em.plugins.module_utils import _sessions, _xml
    controller = (get_module_decoder("legacy", Direction.MODULE_TO_CONTROLLER), module_response_deepcopy,
                  strip_internal_keys, transform_to_native_types)
    return _xml, _sessions, parameters, get_module_encoder("legacy", Direction.MODULE_TO_CONTROLLER), controller


def main(argv=None):
    parser = argparse.ArgumentParser(description="Time the stages of the module's work.")
    parser.add_argument("--sizes", type=run_bench.size_list, default="10000,50000")
    args = parser.parse_args(argv)
    page_size = run_bench.module_page_size() or 1000
    workdir = tempfile.mkdtemp(prefix="em-stages-")
    try:
        run_bench.base_env(workdir)
        modules = load_modules(os.path.join(workdir, "collections"))
        for size in args.sizes:
            emu_dir = os.path.join(workdir, "emulator-%d" % size)
            os.makedirs(emu_dir)
            emu = run_bench.start_emulator(size, emu_dir)
            try:
                start = time.perf_counter()
                pages = fetch_pages(emu, page_size)
                fetched = time.perf_counter() - start
                json_pages = fetch_pages(emu, page_size, "application/json")
            finally:
                emu.stop()
            rows, count, sizes = stage_figures(pages, json_pages, modules)
            print("=== %d sessions: %d pages of %d fetched in %.2f s; %s"
                  % (count, len(pages), page_size, fetched, sizes))
            for label, elapsed in rows:
                print("  %7.2f s  %s" % (elapsed, label))
            sys.stdout.flush()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
