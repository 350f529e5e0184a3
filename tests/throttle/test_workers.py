"""Scale-out: gunicorn with 4 workers sharing throttle state in Redis (and the store in PostgreSQL when
SANDBOX_TEST_DATABASE_URL is set): with 16 concurrent clients exactly the configured number of calls pass."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
import xmlrpc.client

import pytest
import requests

from tests.conftest import PG_URL, ROOT, _fresh_pg_database

REDIS_URL = os.environ.get("SANDBOX_TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="SANDBOX_TEST_REDIS_URL is not set: the multi-worker "
                                                      "throttle test needs Redis")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path):
    port = _free_port()
    prefix = f"sandbox-test:{uuid.uuid4().hex}:"
    env = dict(os.environ, SANDBOX_DATA_DIR=str(tmp_path), SANDBOX_REDIS_URL=REDIS_URL, SANDBOX_REDIS_PREFIX=prefix,
               PYTHONPATH=str(ROOT))
    drop = None
    if PG_URL:
        url, drop = _fresh_pg_database(PG_URL)
        env["DATABASE_URL"] = url
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "4", "-k", "gthread", "--threads", "8",
                             "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(base + "/sandbox/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start: " + proc.stderr.read().decode()[-2000:])
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(20)
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        for name in client.scan_iter(match=prefix + "*"):
            client.delete(name)
        if drop:
            drop()


def test_exactly_the_bucket_passes_across_four_workers(gunicorn):
    created = requests.post(gunicorn + "/sandbox/apps", json={"name": "scaleout", "seed": False}, timeout=30).json()
    key = created["legacy_api_key"]
    assert requests.post(gunicorn + "/sandbox/apps/scaleout/clock", json={"action": "freeze"}, timeout=10).ok
    r = requests.patch(gunicorn + "/sandbox/apps/scaleout/throttle",
                       json={"legacy": {"bucket_size": 50, "max_held": 1, "hold_timeout_s": 0.5}}, timeout=10)
    assert r.ok, r.text
    outcomes: list = []
    lock = threading.Lock()

    def client():
        proxy = xmlrpc.client.ServerProxy(gunicorn + "/api/xmlrpc")
        for _ in range(10):
            try:
                proxy.ContactService.add(key, {"FirstName": "Load"})
                result = "ok"
            except xmlrpc.client.Fault as f:
                result = f.faultCode
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=client) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(outcomes) == 160
    assert outcomes.count("ok") == 50
    assert outcomes.count(500) == 110
    state = requests.get(gunicorn + "/sandbox/apps/scaleout/throttle", timeout=10).json()["legacy"]
    assert state["tokens"] == 0 and state["held_calls"] == 0
    count = xmlrpc.client.ServerProxy(gunicorn + "/api/xmlrpc")
    requests.post(gunicorn + "/sandbox/apps/scaleout/throttle/reset", timeout=10)
    assert count.DataService.count(key, "Contact", {}) == 50
