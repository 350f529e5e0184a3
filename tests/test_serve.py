"""`sandbox serve` is a production server (gunicorn's threaded workers, server/cli/serving.py): it keeps
connections alive, serves TLS on its second port beside plain HTTP, beats its heartbeat in its worker, and does
all of that with several workers too."""
from __future__ import annotations

import http.client
import socket
import ssl
import time
import xmlrpc.client
from pathlib import Path

import pytest
import requests

from tests.engine.test_sequences import GO, one_sequence
from tests.serving import free_port, serve

KEY = "serve-key-123"


def _two_calls_on_one_socket(conn: http.client.HTTPConnection) -> list[str]:
    """Two XML-RPC calls on ``conn``; asserts that the second went over the socket of the first."""
    answers, sockets = [], []
    for n in range(2):
        conn.request("POST", "/api/xmlrpc", xmlrpc.client.dumps((KEY, f"call {n}"), "DataService.echo"),
                     {"Content-Type": "text/xml"})
        reply = conn.getresponse()
        assert reply.status == 200 and reply.version == 11
        assert reply.getheader("Connection", "").lower() != "close"
        answers.append(xmlrpc.client.loads(reply.read())[0][0])
        sockets.append(conn.sock)
    assert sockets[0] is not None and sockets[1] is sockets[0]  # http.client drops a socket the server closed
    return answers


def _pipelined(port: int, n: int) -> bytes:
    """``n`` requests sent at once on one socket (the server reads ahead of the first): all the answers."""
    request = b"GET /sandbox/livez HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request * n)
        deadline = time.monotonic() + 30  # a bound on the wait, not a speed check
        while received.count(b'"alive"') < n and time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    return received


def test_serve_keeps_the_connection_alive(tmp_path):
    server = serve(tmp_path, "--api-key", KEY)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        try:
            assert _two_calls_on_one_socket(conn) == ["call 0", "call 1"]
        finally:
            conn.close()
        assert _pipelined(server.port, 3).count(b"HTTP/1.1 200 OK") == 3
        workers = server.workers()
        # a client's kept-alive connection, idle, and another whose client has just gone: SIGTERM stops the
        # server at once, not at the end of gunicorn's 30 s grace period (which kept both open until then)
        idle = requests.Session()
        assert idle.get(server.base + "/sandbox/health", timeout=10).ok
        gone = requests.Session()
        assert gone.get(server.base + "/crm/rest/v1/contacts", timeout=10).status_code == 401
        gone.close()
        server.proc.terminate()
        server.proc.wait(15)  # (raises TimeoutExpired if it is still waiting for those connections)
        idle.close()
    finally:
        out = server.stop()
    assert len(workers) == 1  # one worker by default, under gunicorn's master
    assert out.count("Infusionsoft sandbox on") == 1 and "workers               1 (gunicorn" in out


def _tls_checks(base: str, tls_port: int, cert: Path) -> None:
    context = ssl.create_default_context(cafile=str(cert))
    conn = http.client.HTTPSConnection("127.0.0.1", tls_port, context=context, timeout=30)
    try:
        assert _two_calls_on_one_socket(conn) == ["call 0", "call 1"]
    finally:
        conn.close()
    proxy = xmlrpc.client.ServerProxy(f"https://localhost:{tls_port}/api/xmlrpc", context=context)
    assert proxy.DataService.echo(KEY, "over TLS") == "over TLS"
    assert requests.get(base + "/sandbox/health", timeout=10).ok  # the plain port stays plain
    with requests.Session() as plain_on_tls, pytest.raises(requests.ConnectionError):
        plain_on_tls.get(f"http://127.0.0.1:{tls_port}/sandbox/health", timeout=10)


def test_serve_tls_listener_beside_plain_http(tmp_path):
    tls_port = free_port()
    server = serve(tmp_path, "--api-key", KEY, "--tls", "--tls-port", str(tls_port))
    base = server.base
    try:
        _tls_checks(base, tls_port, tmp_path / "tls" / "sandbox-cert.pem")
    finally:
        server.stop()


def test_two_workers_serve_tls(tmp_path):
    tls_port = free_port()
    server = serve(tmp_path, "--api-key", KEY, "--workers", "2", "--tls", "--tls-port", str(tls_port))
    base = server.base
    try:
        _tls_checks(base, tls_port, tmp_path / "tls" / "sandbox-cert.pem")
        workers = server.workers()
    finally:
        out = server.stop()
    assert len(workers) == 2
    assert f"HTTPS                 https://127.0.0.1:{tls_port}/api/xmlrpc" in out
    assert out.count("Infusionsoft sandbox on") == 1


def test_the_heartbeat_runs_due_work_under_serve(tmp_path):
    """An async campaign: the goal enrolls the contact, and only the heartbeat runs its due email."""
    port = free_port()
    server = serve(tmp_path, env_vars={"SANDBOX_PORT": str(port), "SANDBOX_DATA_DIR": str(tmp_path),
                                            "SANDBOX_API_KEY": KEY, "SANDBOX_TICK_SECONDS": "0.2"}, port=port)
    base = server.base
    app = base + "/sandbox/apps/sandbox"
    try:
        proxy = xmlrpc.client.ServerProxy(base + "/api/xmlrpc")
        assert requests.post(app + "/clock", json={"action": "freeze"}, timeout=30).ok
        assert requests.patch(app + "/options", json={"engine_mode": "async"}, timeout=30).ok
        doc = one_sequence({"type": "email", "name": "hello", "subject": "Hello from the heartbeat", "text": "x"})
        assert requests.post(app + "/campaigns", json=doc, params={"publish": "1"}, timeout=30).status_code == 201
        cid = proxy.ContactService.add(KEY, {"Email": "beat@example.com"})
        proxy.APIEmailService.optIn(KEY, "beat@example.com", "test")
        proxy.FunnelService.achieveGoal(KEY, "sandbox", GO["call_name"], cid)
        subjects: list[str] = []
        deadline = time.monotonic() + 60  # a bound on the wait, not a speed check
        while not subjects and time.monotonic() < deadline:
            messages = requests.get(app + "/outbox", params={"contact_id": cid}, timeout=30).json()["messages"]
            subjects = [m["subject"] for m in messages]
            time.sleep(0.2)
    finally:
        server.stop()
    assert subjects == ["Hello from the heartbeat"]


def test_a_workers_settings_are_read_once_and_kept():
    """server.master._KeptSettings: gunicorn's Config looks a setting up at every read; the worker's copy keeps
    each value after its first read (the parser reads some forty a request)."""
    from gunicorn.config import Config as GunicornConfig

    from server.master import _KeptSettings

    cfg = GunicornConfig()
    cfg.set("limit_request_line", 1234)
    reads = []
    real = GunicornConfig.__getattr__

    def counted(self, name):
        reads.append(name)
        return real(self, name)

    kept = _KeptSettings(cfg)
    GunicornConfig.__getattr__ = counted
    try:
        assert kept.limit_request_line == 1234 and kept.limit_request_line == 1234
        assert not kept.is_ssl and not kept.is_ssl  # (a property of Config, which reads two settings)
    finally:
        GunicornConfig.__getattr__ = real
    assert sorted(reads) == ["certfile", "keyfile", "limit_request_line"]  # each once
