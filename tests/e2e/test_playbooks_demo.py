# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/demo.yml against the emulator, and its HTML report rendered by headless Chromium.

The browser test needs Debian's ``chromium`` package (``apt-get install chromium``); without
it the test fails and says so, it is not skipped.
"""

from __future__ import absolute_import, division, print_function

import json
import os
import re
import shutil
import struct
import subprocess
import zlib

import pytest

from test_roles_emapi import EmApi

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--disable-extensions",
]
WIDTH, HEIGHT = 1200, 900
# colours of the report (see plugins/plugin_utils/_report.py STATUS_COLOURS and the page header)
HEADER = (0x14, 0x21, 0x3D)
SUCCESS = (0x2F, 0x9E, 0x44)
FAILED = (0xD9, 0x36, 0x3E)


def chromium():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Chromium is required to check the HTML report: install the Debian package "
                    "'chromium' (apt-get install -y chromium)")
    return path


def read_png(path):
    """(width, height, rows of RGB tuples) of an 8-bit RGB/RGBA, non-interlaced PNG."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    pos = 8
    idat = []
    width = height = None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _c, _f, interlace = struct.unpack(">IIBBBBB", chunk)
            assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat.append(chunk)
        elif kind == b"IEND":
            break
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows = []
    prev = bytearray(stride)
    offset = 0
    for _y in range(height):
        ftype = raw[offset]
        line = bytearray(raw[offset + 1:offset + 1 + stride])
        offset += 1 + stride
        if ftype == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 0xFF
        elif ftype == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev))
        elif ftype == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif ftype == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b = prev[i]
                c = prev[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if (pa <= pb and pa <= pc) else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, channels)])
        prev = line
    return width, height, rows


def near(pixel, colour, tolerance=3):
    return all(abs(p - c) <= tolerance for p, c in zip(pixel, colour))


def test_demo_playbook_explains_missing_connection(ansible_playbook, tmp_path):
    proc = ansible_playbook("playbooks/demo.yml", extra_vars={"report_dir": str(tmp_path / "r")}, env={})
    assert proc.returncode == 2
    assert "VEEAM_EM_SERVER is not set" in proc.stdout
    assert not (tmp_path / "r").exists()


def test_demo_report_renders_in_headless_chromium(fresh_emulator, ansible_playbook, tmp_path):
    browser = chromium()
    report_dir = tmp_path / "demo-report"
    proc = ansible_playbook("playbooks/demo.yml", extra_vars={"report_dir": str(report_dir)},
                            env=fresh_emulator.env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    page = report_dir / "backup-session-report.html"
    assert "Report written to %s" % page in proc.stdout
    with open(str(report_dir / "backup-session-report.json"), encoding="utf-8") as f:
        report = json.load(f)
    with EmApi(fresh_emulator) as api:
        sessions = api.window_sessions(report["window"]["start"], report["window"]["end"])
    assert report["summary"]["total"] == len(sessions)
    # the demo's guard play runs in check mode: it names sessions but stops none
    assert "would stop (check mode)" in proc.stdout
    stats = fresh_emulator.stats()
    assert stats["stop_requests"] == 0 and stats["open_logon_sessions"] == 0
    assert fresh_emulator.admin_password not in proc.stdout + proc.stderr

    url = "file://" + str(page)
    profile = tmp_path / "chromium-profile"
    shot = tmp_path / "report.png"

    run = subprocess.run(
        [browser] + CHROMIUM_FLAGS + ["--user-data-dir=%s" % profile, "--enable-logging=stderr", "--v=0",
                                      "--window-size=%d,%d" % (WIDTH, HEIGHT), "--screenshot=%s" % shot, url],
        capture_output=True, text=True, timeout=180, check=False)
    assert run.returncode == 0, run.stderr
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line
               or "Failed to load resource" in line]
    assert console == [], console

    dom = subprocess.run(
        [browser] + CHROMIUM_FLAGS + ["--user-data-dir=%s" % profile, "--dump-dom", url],
        capture_output=True, text=True, timeout=180, check=False)
    assert dom.returncode == 0, dom.stderr
    rendered = dom.stdout
    assert len(re.findall(r"<svg[^>]*class=\"timeline\"", rendered)) == 1
    rows = rendered.count('<g class="row">')
    assert rows == len(report["jobs"]) > 0
    titled = len(re.findall(r"<rect [^>]*rx=\"2\" fill=\"#[0-9a-f]{6}\"[^>]*><title>", rendered))
    assert titled == rows + len(report["sessions"])  # a status mark per row, a bar per session
    assert 'class="gate' not in rendered  # the demo sets no gate
    # the answer first: which VMs failed and why, right under the tiles, before the timeline and the jobs
    assert rendered.index('id="fail-heading"') < rendered.index('id="tl-heading"') < rendered.index('id="jobs-heading"')
    assert report["summary"]["recovered_failure_rows"] == rendered.count('<span class="badge Success">fixed</span>')
    assert "<script" not in rendered

    width, height, pixels = read_png(str(shot))
    assert (width, height) == (WIDTH, HEIGHT)
    colours = set()
    for row in pixels[::3]:
        colours.update(row[::3])
    assert len(colours) > 100, "the screenshot is nearly blank"
    assert any(near(p, HEADER) for p in colours), "page header not drawn"
    assert any(near(p, SUCCESS) for p in colours), "no Success bar in the picture"
    assert any(near(p, FAILED) for p in colours), "no Failed bar or gate in the picture"
    assert os.path.getsize(str(shot)) > 20000
