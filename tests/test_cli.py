"""The `sandbox` command: apps, seed, reset, and `serve` as a real process."""
from __future__ import annotations

import os
import sys
import xmlrpc.client
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from server.cli import main
from tests.conftest import ROOT, start_server
from tests.serving import free_port, serve

SANDBOX = Path(sys.executable).parent / "sandbox"


def test_apps_seed_and_reset(tmp_path):
    runner = CliRunner()
    args = ["--data-dir", str(tmp_path)]
    made = runner.invoke(main, ["apps", "create", "acme", "--api-key", "acme-key-123", "--no-seed", *args])
    assert made.exit_code == 0 and "acme-key-123" in made.output
    seeded = runner.invoke(main, ["seed", *args])
    assert seeded.exit_code == 0 and seeded.stdout.startswith("seeded app sandbox")
    assert [line for line in seeded.stderr.splitlines() if line.startswith("seeding app sandbox: ")] == [
        f"seeding app sandbox: {stage}" for stage in ("users", "tags and custom fields", "companies", "contacts",
                                                       "services and commerce", "automation and campaigns")]
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
        assert reset.exit_code == 0 and f"{before} contacts" in reset.stdout
        assert "resetting app sandbox: contacts" in reset.stderr
        assert proxy.DataService.count(key, "Contact", {}) == before
    finally:
        stop()
    assert runner.invoke(main, ["reset", "--app", "nope", *args]).exit_code != 0


_SETTINGS = ("SANDBOX_HOST", "SANDBOX_PORT", "SANDBOX_TLS_PORT", "SANDBOX_TLS", "SANDBOX_DATA_DIR", "DATABASE_URL",
             "SANDBOX_API_KEY", "SANDBOX_ADMIN_TOKEN", "SANDBOX_REDIS_URL", "SANDBOX_REDIS_PREFIX",
             "SANDBOX_MAX_BODY_BYTES", "SANDBOX_SEED_ON_START", "SANDBOX_TICK_SECONDS", "SANDBOX_SEED_DIR",
             "SANDBOX_SENDERS", "SANDBOX_LOG_LEVEL", "SANDBOX_LOG_FORMAT")


def test_serve_prints_the_endpoints_and_the_key(tmp_path):
    server = serve(tmp_path, "--api-key", "testkey123")
    base = server.base
    try:
        assert xmlrpc.client.ServerProxy(base + "/api/xmlrpc").DataService.echo("testkey123", "up") == "up"
    finally:
        out = server.stop()
    for text in ("/api/xmlrpc", "/crm/xmlrpc/v1", "/sandbox/health", "legacy API key: testkey123"):
        assert text in out
    assert (tmp_path / "api_key").read_text().strip() == "testkey123"


def test_serve_with_tls_prints_the_certificate(tmp_path):
    tls_port = free_port()
    server = serve(tmp_path, "--tls", "--tls-port", str(tls_port))
    try:
        cert = tmp_path / "tls" / "sandbox-cert.pem"
        assert requests.get(f"https://127.0.0.1:{tls_port}/sandbox/health", verify=str(cert), timeout=10).ok
        assert requests.get(f"https://localhost:{tls_port}/sandbox/health", verify=str(cert), timeout=10).ok
    finally:
        out = server.stop()
    for setting in (f"export SSL_CERT_FILE={cert}", f"export REQUESTS_CA_BUNDLE={cert}",
                    f"export NODE_EXTRA_CA_CERTS={cert}", f"curl --cacert {cert}"):  # what each common client needs
        assert setting in out, out


def test_every_setting_comes_from_the_environment(monkeypatch, tmp_path):
    from server.config import from_env

    values = {"SANDBOX_HOST": "127.0.0.1", "SANDBOX_PORT": "8123", "SANDBOX_TLS_PORT": "8444", "SANDBOX_TLS": "yes",
              "SANDBOX_DATA_DIR": str(tmp_path / "d"), "DATABASE_URL": "postgres://u@db/x", "SANDBOX_API_KEY": "k1",
              "SANDBOX_ADMIN_TOKEN": "t1", "SANDBOX_REDIS_URL": "redis://r/1", "SANDBOX_REDIS_PREFIX": "p:",
              "SANDBOX_MAX_BODY_BYTES": "2048", "SANDBOX_SEED_ON_START": "0", "SANDBOX_TICK_SECONDS": "0",
              "SANDBOX_SEED_DIR": str(tmp_path / "seed"), "SANDBOX_SENDERS": "record", "SANDBOX_LOG_LEVEL": "Debug",
              "SANDBOX_LOG_FORMAT": "JSON"}
    assert set(values) == set(_SETTINGS)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    c = from_env()
    assert (c.host, c.port, c.tls_port, c.tls) == ("127.0.0.1", 8123, 8444, True)
    assert c.data_dir == tmp_path / "d" and c.seed_dir == tmp_path / "seed"
    assert c.sqlalchemy_url == "postgresql+psycopg://u@db/x" and c.api_key == "k1" and c.admin_token == "t1"
    assert (c.redis_url, c.redis_prefix, c.max_body_bytes) == ("redis://r/1", "p:", 2048)
    assert c.seed_on_start is False and c.tick_seconds == 0.0 and c.senders == "record"
    assert (c.log_level, c.log_format) == ("debug", "json")
    flags = from_env(host="127.0.0.1", port=9000, data_dir=str(tmp_path), database_url="sqlite:///x.db",
                     api_key="flag-key")  # what `sandbox serve` passes for its flags: they win
    assert (flags.port, flags.data_dir, flags.database_url, flags.api_key) == (9000, tmp_path, "sqlite:///x.db",
                                                                               "flag-key")


def _seed_dir_with_two_contacts(tmp_path) -> Path:
    import json
    import shutil

    seed_dir = tmp_path / "seed"
    seed_dir.mkdir()
    for name in ("app.json", "users.json", "tags.json", "custom_fields.json", "oauth_clients.json"):
        shutil.copy(ROOT / "sandbox_data" / name, seed_dir / name)  # the files that name no contact
    contacts = json.loads((ROOT / "sandbox_data" / "contacts.json").read_text())
    (seed_dir / "contacts.json").write_text(json.dumps(contacts[:2]))
    return seed_dir


def test_serve_from_the_environment(tmp_path, store_url):
    """Every `sandbox serve` setting from its environment variable, end to end, with no flag."""
    import uuid

    redis_url = os.environ.get("SANDBOX_TEST_REDIS_URL")
    port, tls_port = free_port(), free_port()
    data_dir, other = tmp_path / "data", tmp_path / "elsewhere"
    other.mkdir()
    database_url = store_url or f"sqlite:///{other / 'from-env.db'}"
    prefix = f"sandbox-test-env:{uuid.uuid4().hex}:"
    env = {"SANDBOX_HOST": "127.0.0.1", "SANDBOX_PORT": str(port), "SANDBOX_DATA_DIR": str(data_dir),
           "DATABASE_URL": database_url, "SANDBOX_API_KEY": "env-key-123", "SANDBOX_TLS": "1",
           "SANDBOX_TLS_PORT": str(tls_port), "SANDBOX_ADMIN_TOKEN": "admin-secret", "SANDBOX_MAX_BODY_BYTES": "4096",
           "SANDBOX_SEED_ON_START": "1", "SANDBOX_TICK_SECONDS": "0.5",
           "SANDBOX_SEED_DIR": str(_seed_dir_with_two_contacts(tmp_path))}
    if redis_url:
        env.update(SANDBOX_REDIS_URL=redis_url, SANDBOX_REDIS_PREFIX=prefix)
    admin = {"Authorization": "Bearer admin-secret"}
    server = serve(tmp_path, env_vars=env, port=port)
    base = server.base
    try:
        proxy = xmlrpc.client.ServerProxy(base + "/api/xmlrpc")
        assert proxy.DataService.count("env-key-123", "Contact", {}) == 2  # SANDBOX_SEED_DIR, SANDBOX_API_KEY
        assert requests.get(base + "/sandbox/apps", timeout=10).status_code == 401  # SANDBOX_ADMIN_TOKEN
        assert requests.get(base + "/sandbox/apps", headers=admin, timeout=10).status_code == 200
        assert requests.get(base + "/sandbox/health", timeout=10).json()["database"] == (
            "postgresql" if store_url else "sqlite")
        big = xmlrpc.client.dumps(("env-key-123", "x" * 5000), "DataService.echo")
        with pytest.raises(xmlrpc.client.Fault) as exc:  # SANDBOX_MAX_BODY_BYTES
            xmlrpc.client.loads(requests.post(base + "/api/xmlrpc", data=big, timeout=10).content)
        assert "exceeds 4096 bytes" in exc.value.faultString
        cert = data_dir / "tls" / "sandbox-cert.pem"  # SANDBOX_TLS, SANDBOX_TLS_PORT, in SANDBOX_DATA_DIR
        assert requests.get(f"https://127.0.0.1:{tls_port}/sandbox/health", verify=str(cert), timeout=10).ok
        if redis_url:  # SANDBOX_REDIS_URL, SANDBOX_REDIS_PREFIX: the bucket lives in Redis under the prefix
            import redis

            client = redis.Redis.from_url(redis_url)
            try:
                assert any(True for _ in client.scan_iter(match=prefix + "*"))
            finally:
                for name in client.scan_iter(match=prefix + "*"):
                    client.delete(name)
    finally:
        out = server.stop()
    assert f"on http://127.0.0.1:{port}" in out and "legacy API key: env-key-123" in out  # SANDBOX_HOST, _PORT
    assert (data_dir / "api_key").read_text().strip() == "env-key-123"
    if not store_url:  # DATABASE_URL, not a file in the data dir
        assert (other / "from-env.db").exists() and not (data_dir / "sandbox.db").exists()


def test_serve_without_seeding(tmp_path):
    port = free_port()
    server = serve(tmp_path, env_vars={"SANDBOX_PORT": str(port), "SANDBOX_DATA_DIR": str(tmp_path),
                                            "SANDBOX_SEED_ON_START": "0"}, port=port)
    base = server.base
    try:
        assert requests.get(base + "/sandbox/apps", timeout=10).json()["apps"] == []
    finally:
        out = server.stop()
    assert "legacy API key" not in out and not (tmp_path / "api_key").exists()


def test_flags_win_over_the_environment(tmp_path, store_url):
    """--host, --port, --data-dir, --database-url and --api-key, each over an environment value that would
    fail or differ."""
    port = free_port()
    data_dir = tmp_path / "flag-data"
    database_url = store_url or f"sqlite:///{tmp_path / 'flag.db'}"
    env = {"SANDBOX_HOST": "host.invalid", "SANDBOX_PORT": "1", "SANDBOX_DATA_DIR": str(tmp_path / "env-data"),
           "DATABASE_URL": "sqlite:////nonexistent-dir/never.db", "SANDBOX_API_KEY": "env-key-456"}
    server = serve(tmp_path, "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data_dir),
                        "--database-url", database_url, "--api-key", "flag-key-789", env_vars=env, port=port)
    base = server.base
    try:
        proxy = xmlrpc.client.ServerProxy(base + "/api/xmlrpc")
        assert proxy.DataService.echo("flag-key-789", "up") == "up"
        with pytest.raises(xmlrpc.client.Fault):
            proxy.DataService.echo("env-key-456", "up")
    finally:
        out = server.stop()
    assert "legacy API key: flag-key-789" in out
    assert (data_dir / "api_key").read_text().strip() == "flag-key-789" and not (tmp_path / "env-data").exists()
    if not store_url:
        assert (tmp_path / "flag.db").exists() and not (data_dir / "sandbox.db").exists()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "sandbox.example.com"])
def test_serve_refuses_an_open_control_api_off_loopback(tmp_path, monkeypatch, host):
    from click.testing import CliRunner

    from server.cli import main

    monkeypatch.delenv("SANDBOX_ADMIN_TOKEN", raising=False)
    result = CliRunner().invoke(main, ["serve", "--host", host, "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert f"refusing to listen on {host} without SANDBOX_ADMIN_TOKEN" in result.output
    assert "--insecure-control" in result.output
    assert not list(tmp_path.iterdir())  # nothing was created: it stopped before opening the store


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("127.8.0.1", True), ("::1", True),
                                            ("[::1]", True), ("localhost", True), ("0.0.0.0", False),
                                            ("10.0.0.1", False)])
def test_which_hosts_are_loopback(host, loopback):
    from server.cli import _loopback

    assert _loopback(host) is loopback
