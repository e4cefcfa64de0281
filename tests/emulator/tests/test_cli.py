# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The command line contract: ready line, CA file, HTTPS with verification, stats/reset, SIGTERM, data files."""

import json
import os
import signal
import ssl
import subprocess
import sys
import urllib.request

from emutest import EMULATOR_DIR

RUN = os.path.join(EMULATOR_DIR, "run_emulator.py")


def _start(args):
    proc = subprocess.Popen([sys.executable, RUN, "--port", "0"] + args, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if "ready at " in line:
            break
    return proc, lines


def _stop(proc):
    proc.send_signal(signal.SIGTERM)
    out = proc.communicate(timeout=15)[0]
    return proc.returncode, out


def test_https_cli_contract(tmp_path):
    proc, lines = _start(["--cert-dir", str(tmp_path), "--sessions", "100", "--stop-delay", "1"])
    try:
        ready = [ln for ln in lines if "ready at " in ln]
        assert len(ready) == 1, lines
        url = ready[0].split("ready at ", 1)[1].strip()
        assert url.startswith("https://127.0.0.1:") and url.endswith("/api/")
        ca_lines = [ln for ln in lines if ln.startswith("CA certificate written to ")]
        ca = ca_lines[0].split(" to ", 1)[1].strip()
        assert ca == str(tmp_path / "ca.pem") and os.path.isabs(ca)
        ctx = ssl.create_default_context(cafile=ca)  # verification ON
        for host in ("127.0.0.1", "localhost"):
            with urllib.request.urlopen(url.replace("127.0.0.1", host), context=ctx, timeout=10) as resp:
                assert resp.status == 200 and b"EnterpriseManager" in resp.read()
        root = url[:-len("/api/")]
        stats = json.loads(urllib.request.urlopen(root + "/_emulator/stats", context=ctx, timeout=10).read())
        assert stats["requests_total"] == 2 and stats["requests"] == {"GET /api/": 2}
        assert set(stats) >= {"requests_total", "requests", "logons", "logouts", "open_logon_sessions",
                              "stop_requests"}
        req = urllib.request.Request(root + "/_emulator/reset", data=b"", method="POST")
        zero = json.loads(urllib.request.urlopen(req, context=ctx, timeout=10).read())
        assert zero["requests_total"] == 0
    finally:
        code, out = _stop(proc)
    assert code == 0
    assert "stopped" in out


def test_http_and_data_file(tmp_path):
    path = tmp_path / "data.json"
    dump = subprocess.run([sys.executable, RUN, "--sessions", "50", "--seed", "3", "--now", "2026-01-01T00:00:00Z",
                           "--dump-data", str(path)], capture_output=True, text=True, timeout=60, check=False)
    assert dump.returncode == 0, dump.stderr
    data = json.loads(path.read_text(encoding="utf-8"))
    first = data["sessions"][-1]["id"]
    proc, lines = _start(["--http", "--data", str(path)])
    try:
        url = [ln for ln in lines if "ready at " in ln][0].split("ready at ", 1)[1].strip()
        assert url.startswith("http://")
        assert not any(ln.startswith("CA certificate") for ln in lines)
        import base64
        req = urllib.request.Request(url + "sessionMngr/?v=latest", data=b"", method="POST", headers={
            "Authorization": "Basic " + base64.b64encode(b"RestoreOperator:Emulator-Read-1!").decode()})
        with urllib.request.urlopen(req, timeout=10) as resp:
            token = resp.headers["X-RestSvcSessionId"]
        req = urllib.request.Request(url + "backupSessions/%s?format=Entity" % first,
                                     headers={"X-RestSvcSessionId": token, "Accept": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert json.loads(resp.read())["UID"].endswith(first)
    finally:
        code, _out = _stop(proc)
    assert code == 0


def test_bad_option_exits_nonzero():
    r = subprocess.run([sys.executable, RUN, "--port", "0", "--http", "--drop-rate", "2"], capture_output=True,
                       text=True, timeout=60, check=False)
    assert r.returncode == 2 and "drop-rate" in r.stderr


def test_cert_dir_is_created_and_its_ca_reused_across_starts(tmp_path):
    cert_dir = tmp_path / "not" / "there" / "yet"
    cas = []
    for dummy in range(2):
        proc, lines = _start(["--cert-dir", str(cert_dir), "--sessions", "20"])
        try:
            assert any("ready at " in ln for ln in lines), lines
            ca = (cert_dir / "ca.pem").read_bytes()
            url = [ln for ln in lines if "ready at " in ln][0].split("ready at ", 1)[1].strip()
            ctx = ssl.create_default_context(cafile=str(cert_dir / "ca.pem"))
            with urllib.request.urlopen(url, context=ctx, timeout=30) as resp:
                assert resp.status == 200
            cas.append(ca)
        finally:
            _stop(proc)
    assert cas[0] == cas[1]  # trusted once, trusted at the next start


def test_task_failure_through_the_command_line_and_emulator_process(tmp_path):
    """What e2e tests use: the flag passed to the process, and EmulatorProcess.task_failure at run time."""
    from emulator_process import EmulatorProcess
    emu = EmulatorProcess(["--sessions", "20", "--task-failure", "finished:StartJob,RetryJob"], str(tmp_path))

    def rules():
        ctx = ssl.create_default_context(cafile=emu.ca_path)
        with urllib.request.urlopen(emu.root + "/_emulator/task-failure", context=ctx, timeout=30) as resp:
            return json.loads(resp.read())["task_failure"]
    try:
        assert rules() == {"StartJob": "finished", "RetryJob": "finished"}
        assert emu.task_failure("operation-finished:StopJobSession") == {"StopJobSession": "operation-finished"}
        assert rules() == {"StopJobSession": "operation-finished"}
        assert emu.task_failure() == {}
        emu.reset()
        assert rules() == {"StartJob": "finished", "RetryJob": "finished"}
    finally:
        emu.stop()
    r = subprocess.run([sys.executable, RUN, "--port", "0", "--http", "--task-failure", "sometimes"],
                       capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 2 and "--task-failure" in r.stderr
