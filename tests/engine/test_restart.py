"""Crash and restart mid-sequence: nothing lost, nothing run twice.

A real server process is killed (SIGKILL) while contacts wait on timers; a new process on the same store
carries on. A batch that fails halfway rolls back whole and runs again in full."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time

import requests

import server.engine.actions as engine_actions
from tests.conftest import ROOT
from tests.engine.receiver import Receiver
from tests.engine.test_sequences import go, one_sequence


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(data_dir, port: int) -> subprocess.Popen:
    env = dict(os.environ, SANDBOX_DATA_DIR=str(data_dir), SANDBOX_PORT=str(port), SANDBOX_HOST="127.0.0.1",
               SANDBOX_SEED_ON_START="0", SANDBOX_TICK_SECONDS="0.2", SANDBOX_SEED_DIR=str(ROOT / "sandbox_data"))
    env.pop("DATABASE_URL", None)
    # its own process group: `sandbox serve` is gunicorn's master and a worker, and a crash takes both
    proc = subprocess.Popen([sys.executable, "-c", "from server.cli import main; main()", "serve"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=str(ROOT),
                            start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/sandbox/health", timeout=1).ok:
                return proc
        except requests.RequestException:
            time.sleep(0.05)
    _kill(proc)
    raise AssertionError("the sandbox did not start")


def _kill(proc: subprocess.Popen) -> None:
    """SIGKILL to the server's whole process group (master and workers), as a crash of the machine would."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def test_a_killed_process_loses_nothing_and_doubles_nothing(tmp_path):
    receiver = Receiver()
    port = _free_port()
    base = f"http://127.0.0.1:{port}/sandbox/apps/crash"
    proc = _start(tmp_path, port)
    try:
        assert requests.post(f"http://127.0.0.1:{port}/sandbox/apps", json={"name": "crash"}, timeout=30).ok
        key = requests.get(base, timeout=5).json()["legacy_api_key"]
        requests.post(f"{base}/clock", json={"time": "2026-03-02T08:00:00", "frozen": True}, timeout=5)
        requests.patch(f"{base}/options", json={"http_post_any_port": True}, timeout=5)
        doc = one_sequence(
            {"type": "email", "name": "one", "subject": "one", "text": "x"},
            {"type": "delay_timer", "wait": 1, "unit": "days"},
            {"type": "email", "name": "two", "subject": "two", "text": "x"},
            {"type": "http_post", "url": receiver.url + "/h", "fields": [["id", "~Contact.Id~"]]},
            {"type": "delay_timer", "wait": 1, "unit": "days"},
            {"type": "email", "name": "three", "subject": "three", "text": "x"})
        assert requests.post(f"{base}/campaigns", params={"publish": "1"}, json=doc, timeout=10).status_code == 201
        import xmlrpc.client

        proxy = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/api/xmlrpc")
        ids = []
        for i in range(3):
            cid = proxy.ContactService.add(key, {"Email": f"c{i}@example.com"})
            proxy.APIEmailService.optIn(key, f"c{i}@example.com", "test")
            proxy.FunnelService.achieveGoal(key, "crash", "go", cid)  # the integration defaults to the app name
            ids.append(cid)
        _kill(proc)  # mid-sequence: everyone waits on the first timer

        proc = _start(tmp_path, port)
        requests.post(f"{base}/clock", json={"by": "3d"}, timeout=60)
        deadline = time.monotonic() + 10
        while len(receiver.received) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        messages = requests.get(f"{base}/outbox", timeout=5).json()["messages"]
        for cid in ids:
            assert [m["subject"] for m in messages if m["contact_id"] == cid] == ["one", "two", "three"]
        assert sorted(int(r.form[0][1]) for r in receiver.received) == sorted(ids)  # each post once
    finally:
        _kill(proc)
        receiver.close()


def test_a_batch_that_fails_halfway_rolls_back_and_runs_again_whole(app, campaigns, monkeypatch):
    app.clock(time="2026-03-02T08:00:00", frozen=True)
    campaigns.load(one_sequence({"type": "delay_timer", "wait": 1, "unit": "hours"},
                                {"type": "email", "name": "before", "subject": "before", "text": "x"},
                                {"type": "note", "title": "the step that breaks"},
                                {"type": "email", "name": "after", "subject": "after", "text": "x"}))
    contacts = [go(app, campaigns, f"batch{i}@example.com") for i in range(3)]
    real_note = engine_actions.EXECUTORS["note"]

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setitem(engine_actions.EXECUTORS, "note", broken)
    r = app.live.control("POST", f"/apps/{app.name}/clock", json={"by": "2h"})
    assert r.status_code == 500 and r.headers["Content-Type"].startswith("application/json")
    assert campaigns.outbox() == []  # the whole batch rolled back: no "before" either
    monkeypatch.setitem(engine_actions.EXECUTORS, "note", real_note)
    assert campaigns.run() == 3
    for cid in contacts:
        assert [m["subject"] for m in campaigns.outbox(contact_id=cid)] == ["before", "after"]
    notes = app.call("DataService.query", "ContactAction", 100, 0, {"ContactId": contacts[0], "ObjectType": "Note"},
                     ["Id"])
    assert len(notes) == 1
