"""The log of a live `sandbox serve` (server/logs.py): one line per API call on every protocol, with the app, the
protocol, the method or `VERB /path`, the credential's kind, the outcome and the duration; JSON lines on request;
no werkzeug access line beside ours and no ANSI colour in a file; a bad level or format is a one-line error."""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import xmlrpc.client
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT

SANDBOX = Path(sys.executable).parent / "sandbox"
TIMING = r"\d+\.\dms"  # the duration's form, never its value


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve_and_call(tmp_path: Path, *flags: str, **env_vars: str) -> tuple[str, str]:
    """Start `sandbox serve` with stderr (the log) and stdout (the banner) in files, make one call of each kind,
    stop it: (log, banner)."""
    port = _port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_") and k != "DATABASE_URL"}
    env.update(PYTHONPATH=str(ROOT), SANDBOX_TICK_SECONDS="0", **env_vars)
    log, out = tmp_path / "sandbox.log", tmp_path / "banner.txt"
    with log.open("w") as err_file, out.open("w") as out_file:
        proc = subprocess.Popen([str(SANDBOX), "serve", "--port", str(port), "--data-dir", str(tmp_path / "data"),
                                 *flags], stdout=out_file, stderr=err_file, env=env, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # a bound on start-up, not a speed check
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if requests.get(base + "/sandbox/readyz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.05)
        assert proc.poll() is None, log.read_text()
        key = (tmp_path / "data" / "api_key").read_text().strip()
        proxy = xmlrpc.client.ServerProxy(base + "/api/xmlrpc")
        assert proxy.DataService.echo(key, "hello") == "hello"
        with pytest.raises(xmlrpc.client.Fault):
            proxy.ContactService.load(key, 999999, ["Id"])
        pat = requests.post(base + "/sandbox/apps/sandbox/api-keys", json={"kind": "pat"}, timeout=10).json()["key"]
        assert requests.get(base + "/crm/rest/v1/contacts", headers={"X-Keap-API-Key": pat}, timeout=10).ok
        assert requests.get(base + "/crm/rest/v2/tags", timeout=10).status_code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return log.read_text(), out.read_text()


def _access(log: str) -> list[str]:
    return [line for line in log.splitlines() if "sandbox.access" in line]


def test_one_text_line_per_call_with_its_fields(tmp_path):
    log, banner = _serve_and_call(tmp_path)
    assert "Infusionsoft sandbox on" in banner and "Infusionsoft sandbox on" not in log  # the banner on stdout
    lines = _access(log)
    assert len(lines) == 4, log
    echo, load, rest_v1, rest_v2 = lines
    assert re.search(rf"INFO sandbox\.access: sandbox xmlrpc DataService\.echo credential=legacy_key -> ok {TIMING}$",
                     echo), echo
    assert re.search(rf"sandbox xmlrpc ContactService\.load credential=legacy_key -> fault 5 {TIMING}$", load), load
    assert re.search(rf"sandbox rest_v1 GET /crm/rest/v1/contacts credential=pat -> 200 {TIMING}$", rest_v1), rest_v1
    assert re.search(rf"- rest_v2 GET /crm/rest/v2/tags credential=- -> 401 {TIMING}$", rest_v2), rest_v2
    assert "HTTP/1.1" not in log  # werkzeug's own access line is quieted: a call is one line
    assert "alembic" not in log  # libraries' chatter only at debug
    assert "\x1b[" not in log and "\x1b[" not in banner  # no colour in a file


def test_json_lines_parse_and_carry_the_fields_with_the_journal_off(tmp_path):
    log, _ = _serve_and_call(tmp_path, "--log-format", "json", SANDBOX_JOURNAL_SIZE="0")  # logged all the same
    records = [json.loads(line) for line in log.splitlines() if line.strip()]  # every line is JSON
    calls = [r for r in records if r["logger"] == "sandbox.access"]
    assert [(c["app"], c["protocol"], c["method"], c["credential"], c["outcome"]) for c in calls] == [
        ("sandbox", "xmlrpc", "DataService.echo", "legacy_key", "ok"),
        ("sandbox", "xmlrpc", "ContactService.load", "legacy_key", "fault 5"),
        ("sandbox", "rest_v1", "GET /crm/rest/v1/contacts", "pat", "200"),
        (None, "rest_v2", "GET /crm/rest/v2/tags", None, "401")]
    for c in calls:
        assert c["level"] == "info" and isinstance(c["duration_ms"], float) and c["time"].endswith("+00:00")
    assert any(r["message"] == "created and seeded app sandbox" for r in records)


def test_warning_level_from_the_environment_keeps_calls_out(tmp_path):
    log, _ = _serve_and_call(tmp_path, SANDBOX_LOG_LEVEL="WARNING", SANDBOX_LOG_FORMAT="json")
    assert _access(log) == [] and "created and seeded" not in log


@pytest.mark.parametrize("flags, env_vars, says", [
    ((), {"SANDBOX_LOG_LEVEL": "loud"}, "SANDBOX_LOG_LEVEL='loud' is not a log level (debug, info, warning, error)"),
    ((), {"SANDBOX_LOG_FORMAT": "xml"}, "SANDBOX_LOG_FORMAT='xml' is not a log format (text, json)"),
    (("--log-format", "xml"), {}, "Invalid value for '--log-format'"),
])
def test_a_bad_level_or_format_is_one_line(tmp_path, flags, env_vars, says):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_") and k != "DATABASE_URL"}
    env.update(PYTHONPATH=str(ROOT), **env_vars)
    done = subprocess.run([str(SANDBOX), "serve", "--port", str(_port()), "--data-dir", str(tmp_path), *flags],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert done.returncode != 0 and says in done.stderr and "Traceback" not in done.stderr, done.stderr
