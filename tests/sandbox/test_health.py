"""Health for orchestrators: /sandbox/livez, /sandbox/readyz and /sandbox/health, open even with the admin
token; `sandbox serve` refusing to start on a store it cannot reach."""
from __future__ import annotations

import os

import pytest
import requests
from click.testing import CliRunner

from server import __version__
from server.cli import main
from tests.conftest import PG_URL, _fresh_pg_database, start_server


def _get(server, path: str) -> requests.Response:
    return requests.get(server.url + "/sandbox" + path, timeout=10)


def test_the_probes_answer_without_the_admin_token(tmp_path, store_url):
    server, stop = start_server(tmp_path, store_url, admin_token="s3cret")
    try:
        assert _get(server, "/apps").status_code == 401  # the token still guards the rest
        live = _get(server, "/livez")
        assert live.status_code == 200 and live.json() == {"status": "alive", "version": __version__,
                                                       "process": os.getpid()}  # the server's thread is ours
        ready = _get(server, "/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"store": "ok", "migrations": "ok", "seed": "ok"}
        health = _get(server, "/health").json()
        assert health["status"] == "ok" and health["version"] == __version__
        assert health["database"] == server.backend and health["apps"] >= 1
    finally:
        stop()


def test_readyz_names_what_is_not_ready(tmp_path):
    server, stop = start_server(tmp_path)
    engine = server.sandbox.engine
    try:
        with engine.begin() as conn:
            (revision,) = conn.exec_driver_sql("SELECT version_num FROM alembic_version").one()
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
            conn.exec_driver_sql("UPDATE app SET name = 'renamed' WHERE name = 'sandbox'")
        r = _get(server, "/readyz")
        assert r.status_code == 503
        assert r.json()["status"] == "not ready"
        assert r.json()["checks"] == {"store": "ok", "migrations": "the schema is not at the newest migration",
                                      "seed": "app 'sandbox' is not seeded"}
        assert _get(server, "/livez").status_code == 200  # the process is alive all the same
        with engine.begin() as conn:
            conn.exec_driver_sql(f"UPDATE alembic_version SET version_num = '{revision}'")
            conn.exec_driver_sql("UPDATE app SET name = 'sandbox' WHERE name = 'renamed'")
        assert _get(server, "/readyz").status_code == 200
    finally:
        stop()


@pytest.mark.skipif(not PG_URL, reason="SANDBOX_TEST_DATABASE_URL is not set (a SQLite file cannot go away under "
                                       "an open connection)")
def test_readyz_when_the_store_goes_away(tmp_path):
    url, drop = _fresh_pg_database(PG_URL)
    server, stop = start_server(tmp_path, url)
    try:
        assert _get(server, "/readyz").status_code == 200
        drop()  # the database, and every connection to it
        r = _get(server, "/readyz")
        assert r.status_code == 503 and r.json()["checks"]["store"].startswith("unreachable: ")
        assert _get(server, "/livez").status_code == 200
    finally:
        stop()


def test_serve_exits_with_one_line_when_the_store_is_unreachable(tmp_path):
    runner = CliRunner()
    for url, reason in (("postgresql://nobody:secret@127.0.0.1:1/x", "refused"),
                        (f"sqlite:///{tmp_path}/no/such/dir/x.db", "unable to open database file")):
        result = runner.invoke(main, ["serve", "--port", "0", "--data-dir", str(tmp_path), "--database-url", url])
        assert result.exit_code == 1
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: cannot reach the store at "), result.output
        assert reason in lines[0] and "secret" not in lines[0]


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"sandbox, version {__version__}"
