# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Profile one em_backup_session_info run exactly as Ansible executes it.

    python tests/bench/profile_module.py [--sizes 10000,50000] [--query full] [--top 25]

For each size: start the emulator, run tests/bench/playbooks/info.yml once
with ANSIBLE_KEEP_REMOTE_FILES=1 to obtain the real AnsiballZ payload (module,
module_utils and arguments in one file), then run that payload directly:

1. ``python -X importtime AnsiballZ_...py`` (fastest of 3, and the same for
   ansible.builtin.ping's payload as the baseline): start-up imports, the
   largest first (cumulative and self time);
2. the payload under cProfile: where the module's run spends its
   time (top functions by cumulative and by own time);
3. plain wall time of the payload, of ping's payload, of the script (c) of
   run_bench.py making the same query, and of ``python -c pass``.

The emulator is reset before each run so every run does the same work.
"""

from __future__ import absolute_import, division, print_function

import argparse
import glob
import io
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import run_bench  # noqa: E402  pylint: disable=wrong-import-position

# Runs the payload under cProfile as its own __main__ (``python -m cProfile``
# would make cProfile.py __main__, and AnsiballZ then drops the stdlib
# directory from sys.path as "the script's directory").
PROFILE_DRIVER = """
import cProfile, runpy, sys
path, out = sys.argv[1], sys.argv[2]
sys.argv = [path]
prof = cProfile.Profile()
try:
    prof.runcall(runpy.run_path, path, run_name="__main__")
except SystemExit:
    pass
finally:
    prof.dump_stats(out)
"""
IMPORT_RE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


def parse_importtime(text):
    """[(module, self_us, cumulative_us, depth)] from -X importtime output."""
    rows = []
    for line in text.splitlines():
        found = IMPORT_RE.match(line)
        if found:
            depth = (len(found.group(3)) - 1) // 2
            rows.append((found.group(4), int(found.group(1)), int(found.group(2)), depth))
    return rows


def summarise_imports(rows, top):
    """Text: total import time, top-level imports and heaviest packages."""
    lines = []
    total = sum(r[2] for r in rows if r[3] == 0)
    lines.append("imports: %d modules, %.0f ms in total (sum of top-level cumulative)"
                 % (len(rows), total / 1000.0))
    lines.append("largest top-level imports (cumulative ms):")
    for name, _self_us, cum, _depth in sorted((r for r in rows if r[3] == 0),
                                              key=lambda r: -r[2])[:top]:
        lines.append("  %8.1f  %s" % (cum / 1000.0, name))
    groups = {}
    for name, self_us, _cum, _depth in rows:
        parts = name.split(".")
        key = ".".join(parts[:3]) if parts[0] in ("ansible", "ansible_collections") else parts[0]
        groups[key] = groups.get(key, 0) + self_us
    lines.append("own import time by package (ms):")
    for key, value in sorted(groups.items(), key=lambda kv: -kv[1])[:top]:
        lines.append("  %8.1f  %s" % (value / 1000.0, key))
    return "\n".join(lines)


def summarise_profile(path, top):
    out = io.StringIO()
    stats = pstats.Stats(path, stream=out)
    stats.strip_dirs()
    out.write("--- by cumulative time\n")
    stats.sort_stats("cumulative").print_stats(top)
    out.write("--- by own time\n")
    stats.sort_stats("tottime").print_stats(top)
    text = out.getvalue()
    return "\n".join(line for line in text.splitlines() if line.strip())


def timed(cmd, env, runs, reset=None):
    walls = []
    for _run in range(runs):
        if reset:
            reset()
        start = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=True, cwd=HERE)
        walls.append(time.perf_counter() - start)
    return statistics.median(walls)


def kept_payload(env, workdir, playbook, module, extra=None, extra_env=None):
    """Run a playbook once keeping the remote files; path of the module's AnsiballZ payload."""
    keep_env = dict(env)
    keep_env.update(extra_env or {})
    keep_env["ANSIBLE_KEEP_REMOTE_FILES"] = "1"
    res = run_bench.run_measured(run_bench.playbook_cmd(playbook, extra), keep_env, workdir,
                                 "profile-keep")
    if res.rc != 0:
        raise RuntimeError("playbook failed:\n" + res.stdout[-3000:] + res.stderr[-3000:])
    found = glob.glob(os.path.join(env["ANSIBLE_REMOTE_TEMP"], "ansible-tmp-*", "AnsiballZ_%s.py" % module))
    if not found:
        raise RuntimeError("no AnsiballZ payload kept under " + env["ANSIBLE_REMOTE_TEMP"])
    return max(found, key=os.path.getmtime), res.count


def payload_for(emu, env, workdir, query):
    """The em_backup_session_info payload of info.yml for this query, and the count it found."""
    module_result = run_bench.QUERIES[query][0]
    extra = {"bench_result": module_result} if module_result else None
    emu.reset()
    return kept_payload(env, workdir, "info.yml", run_bench.MODULE, extra, emu.env())


def import_total_ms(py, payload, env, repeat=3):
    """-X importtime of the payload: (rows, total ms) of the fastest of ``repeat`` runs."""
    best = None
    for _round in range(repeat):
        proc = subprocess.run([py, "-X", "importtime", payload], env=env, cwd=HERE,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              universal_newlines=True, check=True)
        rows = parse_importtime(proc.stderr)
        total = sum(r[2] for r in rows if r[3] == 0) / 1000.0
        if best is None or total < best[1]:
            best = (rows, total)
    return best


def profile_size(size, query, top, workdir, env):
    emu_dir = os.path.join(workdir, "emulator-%d" % size)
    os.makedirs(emu_dir)
    emu = run_bench.start_emulator(size, emu_dir)
    sections = []
    try:
        payload, count = payload_for(emu, env, workdir, query)
        py = sys.executable
        run_env = dict(env)
        run_env.pop("BENCH_RSS_LOG", None)
        run_env["PYTHONPATH"] = ""
        run_env.update(emu.env())  # the module reads its connection from VEEAM_EM_*
        sections.append("=== %d sessions, %s query (%s sessions returned)" % (size, query, count))

        emu.reset()
        rows, total = import_total_ms(py, payload, run_env)
        ping_payload = kept_payload(env, workdir, "ping.yml", "ping")[0]
        dummy, ping_total = import_total_ms(py, ping_payload, run_env)
        sections.append(summarise_imports(rows, top))
        sections.append("imports beyond ansible.builtin.ping's (its payload imports in %.0f ms): %.0f ms"
                        % (ping_total, total - ping_total))

        prof_path = os.path.join(workdir, "module-%d.prof" % size)
        emu.reset()
        subprocess.run([py, "-c", PROFILE_DRIVER, payload, prof_path], env=run_env, cwd=HERE,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        sections.append(summarise_profile(prof_path, top))

        floor_env = dict(run_env, BENCH_EM_PASSWORD=run_bench.ADMIN_PASSWORD)
        floor = [py, run_bench.FLOOR, "--url", emu.url, "--user", run_bench.ADMIN_USER,
                 "--filter", run_bench.QUERIES[query][1]] + (["--ca-path", emu.ca_path] if emu.ca_path else [])
        sections.append("wall time, median of 3: payload %.3f s; ping payload %.3f s; script (c) %.3f s; "
                        "python -c pass %.3f s"
                        % (timed([py, payload], run_env, 3, emu.reset), timed([py, ping_payload], run_env, 3),
                           timed(floor, floor_env, 3, emu.reset), timed([py, "-c", "pass"], run_env, 3)))
    finally:
        emu.stop()
    return "\n\n".join(sections)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Profile em_backup_session_info (imports, cProfile).")
    parser.add_argument("--sizes", type=run_bench.size_list, default="10000,50000")
    parser.add_argument("--query", choices=sorted(run_bench.QUERIES), default="full")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    workdir = tempfile.mkdtemp(prefix="em-profile-")
    try:
        env = run_bench.base_env(workdir)
        for size in args.sizes:
            print(profile_size(size, args.query, args.top, workdir, env))
            print("")
            sys.stdout.flush()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
