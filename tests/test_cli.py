"""The `sandbox` command: apps, seed, reset, and `serve` as a real process."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import xmlrpc.client
from pathlib import Path

import requests
from click.testing import CliRunner

from server.cli import main
from tests.conftest import ROOT, start_server

SANDBOX = Path(sys.executable).parent / "sandbox"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_apps_seed_and_reset(tmp_path):
    runner = CliRunner()
    args = ["--data-dir", str(tmp_path)]
    made = runner.invoke(main, ["apps", "create", "acme", "--api-key", "acme-key-123", "--no-seed", *args])
    assert made.exit_code == 0 and "acme-key-123" in made.output
    seeded = runner.invoke(main, ["seed", *args])
    assert seeded.exit_code == 0 and "seeded app sandbox" in seeded.output
    assert runner.invoke(main, ["seed", *args]).exit_code != 0  # once
    listing = runner.invoke(main, ["apps", "list", *args]).output
    assert "acme\tlegacy API key acme-key-123" in listing and "sandbox" in listing
    key = (tmp_path / "api_key").read_text().strip()
    assert key in listing

    server, stop = start_server(tmp_path)  # the same data dir: the seeded app and its remembered key
    try:
        proxy = xmlrpc.client.ServerProxy(server.url + "/api/xmlrpc")
        before = proxy.DataService.count(key, "Contact", {})
        proxy.ContactService.add(key, {"FirstName": "Temporary"})
        assert proxy.DataService.count(key, "Contact", {}) == before + 1
        reset = runner.invoke(main, ["reset", "--app", "sandbox", *args])
        assert reset.exit_code == 0 and f"{before} contacts" in reset.output
        assert proxy.DataService.count(key, "Contact", {}) == before
    finally:
        stop()
    assert runner.invoke(main, ["reset", "--app", "nope", *args]).exit_code != 0


def _serve(tmp_path, *extra):
    port = _port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([str(SANDBOX), "serve", "--port", str(port), "--data-dir", str(tmp_path), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(base + "/sandbox/health", timeout=1).status_code == 200:
                return proc, base
        except requests.RequestException:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("sandbox serve did not start: " + proc.stdout.read())


def _banner(proc) -> str:
    proc.terminate()
    out, _ = proc.communicate(timeout=20)
    return out


def test_serve_prints_the_endpoints_and_the_key(tmp_path):
    proc, base = _serve(tmp_path, "--api-key", "testkey123")
    try:
        assert xmlrpc.client.ServerProxy(base + "/api/xmlrpc").DataService.echo("testkey123", "up") == "up"
    finally:
        out = _banner(proc)
    for text in ("/api/xmlrpc", "/crm/xmlrpc/v1", "/sandbox/health", "legacy API key: testkey123"):
        assert text in out
    assert (tmp_path / "api_key").read_text().strip() == "testkey123"


def test_serve_with_tls_prints_the_certificate(tmp_path):
    tls_port = _port()
    proc, base = _serve(tmp_path, "--tls", "--tls-port", str(tls_port))
    try:
        cert = tmp_path / "tls" / "sandbox-cert.pem"
        assert requests.get(f"https://127.0.0.1:{tls_port}/sandbox/health", verify=str(cert), timeout=10).ok
        assert requests.get(f"https://localhost:{tls_port}/sandbox/health", verify=str(cert), timeout=10).ok
    finally:
        out = _banner(proc)
    assert f"export SSL_CERT_FILE={cert}" in out
