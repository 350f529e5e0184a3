"""One harness for the tests that run the sandbox as its own process: ``sandbox serve`` (server/cli/serving.py)
or a plain ``gunicorn wsgi:app`` with N workers, on a free loopback port, with a fresh PostgreSQL database and a
Redis key prefix of its own when asked. Start-up waits are bounded (a loaded machine is slow: the bound is for a
broken build, not a speed check); the process's output goes to a file, read when it stops.
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.conftest import PG_URL, ROOT, _fresh_pg_database

SANDBOX = Path(sys.executable).parent / "sandbox"
REDIS_URL = os.environ.get("SANDBOX_TEST_REDIS_URL")
START_BOUND = 180  # seconds: `sandbox serve` loads the application twice (the command, then its worker after the fork)


def needs_redis(what: str):
    """Skip, saying why, without SANDBOX_TEST_REDIS_URL."""
    return pytest.mark.skipif(not REDIS_URL, reason=f"SANDBOX_TEST_REDIS_URL is not set: {what} needs Redis")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    """The processes ``pid`` started (gunicorn's workers under its master)."""
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def clean_env(**env_vars: str) -> dict:
    """This process's environment without the sandbox's settings (so only ``env_vars`` configure it)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_") and k != "DATABASE_URL"}
    env.update(PYTHONPATH=str(ROOT), **env_vars)
    return env


@dataclass
class Server:
    proc: subprocess.Popen
    base: str
    log: Path
    redis_prefix: str | None = None  # its keys' prefix in SANDBOX_TEST_REDIS_URL, if it shares state there

    @property
    def port(self) -> int:
        return int(self.base.rsplit(":", 1)[1])

    def workers(self) -> list[int]:
        return children(self.proc.pid)

    def all_workers_answer(self, count: int) -> set[int]:
        """Wait until the ``count`` workers have answered a call (the master forks them one after another, and
        each boots its application on its own after the fork: a worker still booting takes no connection), on a
        new connection each time: their process ids."""
        workers, seen = set(), set()
        deadline = time.monotonic() + START_BOUND
        while (len(workers) != count or not workers <= seen) and time.monotonic() < deadline:
            workers = set(self.workers())  # (read anew: a worker the master had not yet forked answers too)
            seen.add(requests.get(self.base + "/sandbox/livez", timeout=10).json()["process"])
        assert len(workers) == count and workers <= seen, \
            f"workers {sorted(workers)} (of {count}) but only {sorted(seen)} answered"
        return seen & workers

    def stop(self) -> str:
        """Stop it (gracefully, then for good): everything it printed."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(30)
        return self.log.read_text(errors="replace")


def start(command: list[str], port: int, env: dict, log: Path, *, cwd: Path = ROOT, ready: str = "/sandbox/health",
          headers: dict | None = None) -> Server:
    """Run ``command`` and wait until ``ready`` answers 200 on ``port``."""
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(proc, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + START_BOUND
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if requests.get(server.base + ready, timeout=2, headers=headers).status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.05)
    raise AssertionError(f"{command[0]} did not start: " + server.stop()[-3000:])


def gunicorn_command(port: int, workers: int, threads: int = 8, *extra: str) -> list[str]:
    """The command wsgi.py documents (gunicorn.conf.py beside it prints the banner)."""
    return [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", "gthread", "--threads", str(threads),
            "--graceful-timeout", "5", "-b", f"127.0.0.1:{port}", *extra, "wsgi:app"]


@contextlib.contextmanager
def redis_prefix() -> Iterator[str]:
    """A key prefix of the test's own in SANDBOX_TEST_REDIS_URL, its keys deleted afterwards."""
    import redis  # noqa: PLC0415  (only the tests that use Redis load the client)

    prefix = f"sandbox-test:{uuid.uuid4().hex}:"
    try:
        yield prefix
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        for name in client.scan_iter(match=prefix + "*"):
            client.delete(name)
        client.close()


@contextlib.contextmanager
def store(postgresql: bool) -> Iterator[dict]:
    """The settings of a store: a fresh PostgreSQL database (dropped afterwards), or none (SQLite in the data
    directory)."""
    if not postgresql:
        yield {}
        return
    url, drop = _fresh_pg_database(PG_URL)
    try:
        yield {"DATABASE_URL": url}
    finally:
        drop()


@contextlib.contextmanager
def gunicorn(data_dir: Path, workers: int, *, threads: int = 8, redis: bool = False,
             postgresql: bool = bool(PG_URL), extra: tuple[str, ...] = ()) -> Iterator[Server]:
    """``gunicorn wsgi:app`` with ``workers`` workers on a free port: the store in ``data_dir`` (or in a fresh
    PostgreSQL database), the shared state in Redis under a prefix of its own when ``redis``."""
    port = free_port()
    with contextlib.ExitStack() as stack:
        env_vars = dict(stack.enter_context(store(postgresql)), SANDBOX_DATA_DIR=str(data_dir))
        prefix = stack.enter_context(redis_prefix()) if redis else None
        if redis:
            env_vars.update(SANDBOX_REDIS_URL=REDIS_URL, SANDBOX_REDIS_PREFIX=prefix)
        server = start(gunicorn_command(port, workers, threads, "--log-level", "warning", *extra), port,
                       clean_env(**env_vars), data_dir / "gunicorn.log")
        server.redis_prefix = prefix
        try:
            server.all_workers_answer(workers)
            yield server
        finally:
            server.stop()


def serve(tmp_path: Path, *extra: str, env_vars: dict | None = None, port: int | None = None,
          health_headers: dict | None = None) -> Server:
    """``sandbox serve`` as a process; with ``env_vars`` the settings come from them (and ``port`` is the port they
    name), otherwise from --port and --data-dir."""
    if env_vars is None:
        port = free_port()
        extra = ("--port", str(port), "--data-dir", str(tmp_path), *extra)
    log = tmp_path.parent / f"{tmp_path.name}-serve-{uuid.uuid4().hex[:6]}.log"  # beside the data directory
    return start([str(SANDBOX), "serve", *extra], port, clean_env(**(env_vars or {})), log, cwd=tmp_path,
                 headers=health_headers)
