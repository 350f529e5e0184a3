"""Rules hold across gunicorn workers: set through one worker, applied by all, counted once per call in one
sequence (the store's UPDATE … RETURNING); and a dropped connection under gunicorn (its own socket)."""
from __future__ import annotations

import threading
import xmlrpc.client

import pytest
import requests

from tests.conftest import PG_URL
from tests.serving import gunicorn as serving


@pytest.fixture(scope="module", params=["sqlite"] + (["postgresql"] if PG_URL else []))
def gunicorn(request, tmp_path_factory):
    with serving(tmp_path_factory.mktemp("gunicorn"), 3, postgresql=request.param == "postgresql") as server:
        yield server.base


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
