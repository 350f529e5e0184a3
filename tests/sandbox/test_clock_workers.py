"""Asynchronous clock advances under gunicorn with four worker processes: the advance runs in one of them, and
every worker answers for it from the store (its status, and a 409 to a second advance) until it is ready."""
from __future__ import annotations

import threading
import time
import xmlrpc.client

import pytest
import requests

from tests.engine.receiver import Receiver
from tests.engine.test_sequences import GO
from tests.serving import gunicorn as serving


@pytest.fixture
def gunicorn(tmp_path):
    with serving(tmp_path, 4, threads=4) as server:
        yield server.base


def test_every_worker_answers_for_an_advance_running_in_one(gunicorn):
    receiver = Receiver(hold=threading.Event())
    try:
        assert requests.post(gunicorn + "/sandbox/apps", json={"name": "clocks", "seed": False}, timeout=30).ok
        control = gunicorn + "/sandbox/apps/clocks"
        assert requests.post(control + "/clock", json={"time": "2026-03-02T08:00:00", "frozen": True}, timeout=60).ok
        # the held post keeps the advance running: a minute before it times out (an advance waits 5 s by default)
        options = {"http_post_any_port": True, "http_post_timeout_s": 60, "delivery_timeout_in_advance_s": 60}
        assert requests.patch(control + "/options", json=options, timeout=60).ok
        doc = {"name": "Held", "goals": [GO], "links": [["go", "s"]], "sequences": [{"key": "s", "items": [
            {"type": "delay_timer", "wait": 1, "unit": "days"},
            {"type": "http_post", "url": receiver.url + "/hook", "fields": [["id", "~Contact.Id~"]]}]}]}
        assert requests.post(control + "/campaigns", json=doc, params={"publish": "1"}, timeout=30).status_code == 201
        key = requests.get(control, timeout=60).json()["legacy_api_key"]
        proxy = xmlrpc.client.ServerProxy(gunicorn + "/api/xmlrpc")
        cid = proxy.ContactService.add(key, {"Email": "held@example.com"})
        proxy.FunnelService.achieveGoal(key, "clocks", "go", cid)

        started = requests.post(control + "/clock", json={"by": "2d", "async": True}, timeout=60)
        assert started.status_code == 202, started.text
        status_url = gunicorn + started.headers["Location"]
        deadline = time.monotonic() + 60  # a bound for a broken build, not a measurement
        while not receiver.received and time.monotonic() < deadline:  # the advance is held in the post
            time.sleep(0.02)
        for _ in range(12):  # a new connection each time: the workers take turns
            assert requests.get(status_url, timeout=60).json()["status"] == "advancing"
            busy = requests.post(control + "/clock", json={"by": "1h"}, timeout=60)
            assert busy.status_code == 409, busy.text
        receiver.hold.set()
        deadline = time.monotonic() + 60
        status = requests.get(status_url, timeout=60).json()
        while status["status"] == "advancing" and time.monotonic() < deadline:
            time.sleep(0.05)
            status = requests.get(status_url, timeout=60).json()
        assert status["status"] == "ready" and status["ran"]["http_posts"] == {"made": 1, "failed": 0}
        assert requests.get(control + "/clock", timeout=60).json()["local"] == "2026-03-04T08:00:00"
    finally:
        receiver.hold.set()
        receiver.close()
