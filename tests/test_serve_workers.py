"""Several workers: `sandbox serve --workers N` and the documented `gunicorn wsgi:app` print the banner of
`sandbox serve`, warn when the workers' throttle state is not shared, and serve."""
from __future__ import annotations

import xmlrpc.client
from pathlib import Path

import pytest
from click.testing import CliRunner

from server.cli import main
from tests.serving import REDIS_URL, SANDBOX, clean_env, free_port, gunicorn_command, redis_prefix, start


def _run(command: list[str], tmp_path: Path, port: int, **env_vars) -> tuple[str, list[int]]:
    """Start ``command``, call it, stop it: what it printed and its worker processes."""
    server = start(command, port, clean_env(SANDBOX_DATA_DIR=str(tmp_path), **env_vars),
                   tmp_path.parent / f"{tmp_path.name}.log", ready="/sandbox/readyz")
    try:
        key = (tmp_path / "api_key").read_text().strip()
        proxy = xmlrpc.client.ServerProxy(server.base + "/api/xmlrpc")
        assert [proxy.DataService.echo(key, f"call {n}") for n in range(8)] == [f"call {n}" for n in range(8)]
        workers = server.workers()
    finally:
        out = server.stop()
    return out, workers


def _banner_checks(out: str, port: int, key: str) -> None:
    assert f"Infusionsoft sandbox on http://127.0.0.1:{port}  (store: sqlite)" in out
    for text in ("/api/xmlrpc", "/crm/xmlrpc/v1", "/sandbox/health", f"app 'sandbox' legacy API key: {key}"):
        assert text in out
    assert out.count("Infusionsoft sandbox on") == 1  # once, by the master, not once per worker


@pytest.mark.parametrize("runner", ["sandbox", "gunicorn"])
def test_two_workers_print_the_banner_and_warn_without_redis(tmp_path, runner):
    port = free_port()
    if runner == "sandbox":
        command = [str(SANDBOX), "serve", "--workers", "2", "--port", str(port)]
    else:  # the command wsgi.py documents; gunicorn.conf.py beside it prints the banner
        command = gunicorn_command(port, 2, 4)
    out, workers = _run(command, tmp_path, port)
    assert len(workers) == 2
    _banner_checks(out, port, (tmp_path / "api_key").read_text().strip())
    assert "2 workers without SANDBOX_REDIS_URL: each worker throttles on its own" in out
    # each worker logs its calls (server/logs.py), one line a call
    assert out.count("sandbox.access: sandbox xmlrpc DataService.echo credential=legacy_key -> ok ") == 8, out


@pytest.mark.skipif(not REDIS_URL, reason="SANDBOX_TEST_REDIS_URL is not set")
def test_workers_sharing_redis_are_not_warned_about(tmp_path):
    port = free_port()
    with redis_prefix() as prefix:
        out, workers = _run([str(SANDBOX), "serve", "--workers", "2", "--port", str(port)], tmp_path, port,
                            SANDBOX_REDIS_URL=REDIS_URL, SANDBOX_REDIS_PREFIX=prefix)
    assert len(workers) == 2
    assert "Infusionsoft sandbox on" in out and "without SANDBOX_REDIS_URL" not in out


def test_one_worker_is_not_warned_about_and_bad_worker_counts_are_refused(tmp_path):
    port = free_port()
    out, workers = _run([str(SANDBOX), "serve", "--workers", "1", "--port", str(port)], tmp_path, port)
    assert len(workers) == 1 and "warning" not in out
    runner = CliRunner()
    for args, message in ((["--workers", "0"], "0 is not in the range x>=1"),
                          (["--tls", "--port", str(port), "--tls-port", str(port)], f"ports are both {port}")):
        result = runner.invoke(main, ["serve", "--data-dir", str(tmp_path), *args])
        assert result.exit_code != 0 and message in result.output, result.output


def test_a_port_in_use_is_one_line(tmp_path):
    import socket as sockets

    with sockets.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--data-dir", str(tmp_path), "--port", str(port)])
    assert result.exit_code == 1 and f"cannot listen on 127.0.0.1:{port}: Address already in use" in result.output
    assert not list(tmp_path.iterdir())  # it stopped before opening the store
