"""Rules hold across gunicorn workers: set through one worker, applied by all, counted once per call in one
sequence (the store's UPDATE … RETURNING); and a dropped connection under gunicorn (its own socket)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import xmlrpc.client

import pytest
import requests

from tests.conftest import PG_URL, ROOT, _fresh_pg_database


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module", params=["sqlite"] + (["postgresql"] if PG_URL else []))
def gunicorn(request, tmp_path_factory):
    port = _free_port()
    env = dict(os.environ, SANDBOX_DATA_DIR=str(tmp_path_factory.mktemp("gunicorn")), PYTHONPATH=str(ROOT))
    env.pop("SANDBOX_REDIS_URL", None)
    drop = None
    if request.param == "postgresql":
        url, drop = _fresh_pg_database(PG_URL)
        env["DATABASE_URL"] = url
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "3", "-k", "gthread", "--threads", "8",
                             "--graceful-timeout", "5", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                             "wsgi:app"],
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
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if drop:
            drop()


def test_the_first_five_calls_across_three_workers(gunicorn):
    key = requests.post(gunicorn + "/sandbox/apps", json={"name": "faulty", "seed": False},
                        timeout=30).json()["legacy_api_key"]
    assert requests.patch(gunicorn + "/sandbox/apps/faulty/throttle", json={"enabled": False}, timeout=10).ok
    rule = requests.post(gunicorn + "/sandbox/apps/faulty/faults", timeout=10, json={
        "match": {"method": "DataService.count"}, "first": 5,
        "action": {"type": "xmlrpc_fault", "tag": "Unexpected", "message": "injected"}}).json()
    faults, answers = [], []
    lock = threading.Lock()

    def client():
        proxy = xmlrpc.client.ServerProxy(gunicorn + "/api/xmlrpc")
        for _ in range(4):
            try:
                outcome = proxy.DataService.count(key, "Contact", {})
                with lock:
                    answers.append(outcome)
            except xmlrpc.client.Fault as fault:
                with lock:
                    faults.append(fault.faultString)

    threads = [threading.Thread(target=client) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert faults == ["[Unexpected]injected"] * 5
    assert answers == [0] * 43
    counts = requests.get(gunicorn + f"/sandbox/apps/faulty/faults/{rule['id']}", timeout=10).json()
    assert (counts["matched"], counts["injected"]) == (48, 5)


def test_a_dropped_connection_under_gunicorn(gunicorn):
    key = requests.post(gunicorn + "/sandbox/apps", json={"name": "dropped", "seed": False},
                        timeout=30).json()["legacy_api_key"]
    assert requests.post(gunicorn + "/sandbox/apps/dropped/faults", timeout=10, json={
        "match": {"method": "DataService.count"}, "action": {"type": "drop"}}).status_code == 201
    body = xmlrpc.client.dumps((key, "Contact", {}), "DataService.count")
    for _ in range(3):  # every worker that answers drops it
        with pytest.raises(requests.ConnectionError):
            requests.post(gunicorn + "/api/xmlrpc", data=body, timeout=30)
    assert requests.get(gunicorn + "/sandbox/health", timeout=10).status_code == 200  # the workers live on
