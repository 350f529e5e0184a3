"""Scale-out: gunicorn with 4 workers sharing throttle state in Redis (and the store in PostgreSQL when
SANDBOX_TEST_DATABASE_URL is set): with 16 concurrent clients exactly the configured number of calls pass."""
from __future__ import annotations

import threading
import xmlrpc.client

import pytest
import requests

from tests.serving import gunicorn as serving
from tests.serving import needs_redis

pytestmark = needs_redis("the multi-worker throttle test")


@pytest.fixture
def gunicorn(tmp_path):
    with serving(tmp_path, 4, redis=True) as server:
        yield server.base


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
