"""Rules hold across gunicorn workers: set through one worker, applied by all, counted once per call in one
sequence (the store's UPDATE … RETURNING, or with Redis its HINCRBY); and a dropped connection under gunicorn (its
own socket)."""
from __future__ import annotations

import threading
import xmlrpc.client

import pytest
import requests

from tests.conftest import PG_URL
from tests.serving import REDIS_URL, needs_redis
from tests.serving import gunicorn as serving


@pytest.fixture(scope="module", params=["sqlite"] + (["postgresql"] if PG_URL else []))
def gunicorn(request, tmp_path_factory):
    with serving(tmp_path_factory.mktemp("gunicorn"), 3, postgresql=request.param == "postgresql") as server:
        yield server.base


def _count_calls(base: str, key: str, clients: int, calls: int) -> tuple[list[str], list[int]]:
    """``clients`` threads making ``calls`` DataService.count calls each: the faults and the answers."""
    faults, answers = [], []
    lock = threading.Lock()

    def client():
        proxy = xmlrpc.client.ServerProxy(base + "/api/xmlrpc")
        for _ in range(calls):
            try:
                outcome = proxy.DataService.count(key, "Contact", {})
                with lock:
                    answers.append(outcome)
            except xmlrpc.client.Fault as fault:
                with lock:
                    faults.append(fault.faultString)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return faults, answers


@needs_redis("counting fault rules in Redis")
def test_two_workers_count_in_redis(tmp_path):
    import redis

    with serving(tmp_path, 2, redis=True) as server:
        base, app = server.base, server.base + "/sandbox/apps/counted"
        key = requests.post(base + "/sandbox/apps", json={"name": "counted", "seed": False},
                            timeout=30).json()["legacy_api_key"]
        assert requests.patch(app + "/throttle", json={"enabled": False}, timeout=10).ok
        first = requests.post(app + "/faults", timeout=10, json={
            "match": {"method": "DataService.count"}, "first": 5,
            "action": {"type": "xmlrpc_fault", "tag": "Unexpected", "message": "first five"}}).json()
        faults, answers = _count_calls(base, key, 8, 4)
        assert faults == ["[Unexpected]first five"] * 5 and answers == [0] * 27
        client = redis.Redis.from_url(REDIS_URL)
        assert list(client.scan_iter(match=server.redis_prefix + "faults:*"))  # counted there, not in the store
        got = requests.get(app + f"/faults/{first['id']}", timeout=10).json()
        assert (got["matched"], got["injected"]) == (32, 5)
        # a change of the rules (a new one, then a snapshot) folds the counts into the store: none lost
        nth = requests.post(app + "/faults", timeout=10, json={
            "match": {"method": "DataService.count"}, "nth": 40,
            "action": {"type": "xmlrpc_fault", "tag": "Unexpected", "message": "the 40th"}}).json()
        assert requests.post(app + "/snapshots", json={"name": "counted"}, timeout=30).status_code == 201
        faults, answers = _count_calls(base, key, 4, 10)
        assert faults == ["[Unexpected]the 40th"] and len(answers) == 39
        listed = {r["id"]: (r["matched"], r["injected"]) for r in
                  requests.get(app + "/faults", timeout=10).json()["faults"]}
        assert listed == {first["id"]: (72, 5), nth["id"]: (40, 1)}
        # the snapshot kept the counts of its moment; a restore puts them back
        assert requests.post(app + "/snapshots/counted/restore", timeout=30).ok
        listed = {r["id"]: (r["matched"], r["injected"]) for r in
                  requests.get(app + "/faults", timeout=10).json()["faults"]}
        assert listed == {first["id"]: (32, 5), nth["id"]: (0, 0)}
        client.close()


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
