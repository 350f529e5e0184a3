"""Sync tokens: what changed since a token, deletions included, in order, across both protocols; paging within
one window; and catch-up under concurrent writers whose commits land out of order (the case an
autoincrement sequence gets wrong on PostgreSQL)."""
from __future__ import annotations

import random
import threading
import time

import pytest

from tests.conftest import make_app
from tests.rest.conftest import rest_for


def sync(rest, resource, token, **params):
    return rest.ok("GET", f"/{resource}/sync", params={"sync_token": token, **params})


def test_task_changes_since_a_token_from_both_protocols(rest):
    token = rest.ok("GET", "/tasks")["sync_token"]
    empty = sync(rest, "tasks", token)
    assert empty["task_statuses"] == [] and empty["count"] == 0 and empty["sync_token"] == token
    a = rest.ok("POST", "/tasks", json={"title": "A", "due_date": "2030-01-01T10:00:00Z"})["id"]
    b = rest.app.call("DataService.add", "ContactAction", {"ActionDescription": "B", "ContactId": 6,
                                                           "ActionDate": "20300102T10:00:00"})
    rest.ok("POST", "/notes", 201, json={"contact_id": 6, "title": "not a task"})
    changed = sync(rest, "tasks", token)
    assert [(e["status"], e["task"]["id"]) for e in changed["task_statuses"]] == [("CREATED", a), ("CREATED", b)]
    assert changed["task_statuses"][1]["task"]["title"] == "B" and changed["count"] == 2
    second = changed["sync_token"]
    assert sync(rest, "tasks", second)["task_statuses"] == []

    rest.app.call("DataService.update", "ContactAction", a, {"CompletionDate": "20300101T11:00:00"})
    assert rest.delete(f"/tasks/{b}").status_code == 204
    c = rest.ok("POST", "/tasks", json={"title": "C", "due_date": "2030-01-03T10:00:00Z"})["id"]
    changed = sync(rest, "tasks", second)
    assert [(e["status"], e["task"]["id"]) for e in changed["task_statuses"]] == [
        ("UPDATED", a), ("DELETED", b), ("CREATED", c)]
    assert changed["task_statuses"][0]["task"]["completed"] is True
    assert changed["task_statuses"][1]["task"] == {"id": b}

    rest.app.live.control("PATCH", f"/apps/{rest.app.name}/options", json={"rest_sync_deleted": "omit"})
    assert [e["task"]["id"] for e in sync(rest, "tasks", second)["task_statuses"]] == [a, c]


def test_a_deleted_contact_takes_its_tasks_with_it(rest):
    token = rest.ok("GET", "/tasks")["sync_token"]
    t = rest.ok("POST", "/tasks", json={"title": "T", "due_date": "2030-01-01T10:00:00Z", "contact": {"id": 7}})
    after = sync(rest, "tasks", token)["sync_token"]
    assert rest.delete("/contacts/7").status_code == 204
    statuses = sync(rest, "tasks", after)["task_statuses"]
    assert [(e["status"], e["task"]["id"]) for e in statuses] == [("DELETED", t["id"])]


def test_appointment_sync_and_paging_within_one_window(rest):
    token = rest.ok("GET", "/appointments")["sync_token"]
    made = [rest.ok("POST", "/appointments", 201, json={
        "title": f"M{i}", "start_date": f"2030-01-0{i + 1}T10:00:00Z", "end_date": f"2030-01-0{i + 1}T11:00:00Z"})["id"]
        for i in range(5)]
    first = sync(rest, "appointments", token, limit=2)
    assert first["count"] == 5 and [e["appointment"]["id"] for e in first["appointment_statuses"]] == made[:2]
    # a write between two pages does not move the window the next/previous links name
    rest.ok("PATCH", f"/appointments/{made[0]}", json={"title": "moved"})
    import requests

    second = requests.get(first["next"].replace("offset=1000", "offset=2"), headers=rest.http.headers,
                          timeout=10).json()
    assert [e["appointment"]["id"] for e in second["appointment_statuses"]] == made[2:4]
    # following each page's own token instead misses nothing either
    seen, tok = [], token
    for _ in range(10):
        page = sync(rest, "appointments", tok, limit=2)
        seen += [e["appointment"]["id"] for e in page["appointment_statuses"]]
        if not page["appointment_statuses"]:
            break
        tok = page["sync_token"]
    assert seen == made[1:] + [made[0]]  # made[0] last: its latest change is the patch


def test_bad_tokens(rest):
    assert rest.get("/tasks/sync", params={"sync_token": "not-a-token"}).status_code == 400
    other = rest_for(make_app(rest.app.live))
    foreign = other.ok("GET", "/tasks")["sync_token"]
    r = rest.get("/tasks/sync", params={"sync_token": foreign})
    assert r.status_code == 400 and r.json() == {"message": "Invalid sync_token"}
    everything = rest.ok("GET", "/tasks/sync")  # no token: every task there is, as CREATED
    assert everything["task_statuses"] == [] or {e["status"] for e in everything["task_statuses"]} == {"CREATED"}


def test_a_change_committed_late_is_not_skipped(rest):
    """A writer that changed its task first commits last: a reader that synced in between (and so already
    saw the later writer's change) still gets the late one next time."""
    if rest.app.live.backend == "sqlite":
        pytest.skip("SQLite runs one writer at a time: commits cannot land out of order there")
    first = rest.ok("POST", "/tasks", json={"title": "slow", "due_date": "2030-01-01T10:00:00Z"})["id"]
    second = rest.ok("POST", "/tasks", json={"title": "fast", "due_date": "2030-01-01T10:00:00Z"})["id"]
    token = rest.ok("GET", "/tasks")["sync_token"]
    inside, release = threading.Event(), threading.Event()

    def hold(s, event):
        if event.type == "task.updated" and event.entity_id == first:
            inside.set()
            release.wait(10)  # the slow writer's transaction stays open, its change made

    registry = rest.app.live.sandbox.registry
    registry.subscribe("task.updated", hold)
    try:
        slow = threading.Thread(target=rest.patch, args=(f"/tasks/{first}",), kwargs={"json": {"title": "slow 2"}})
        slow.start()
        assert inside.wait(10)
        assert rest.patch(f"/tasks/{second}", json={"title": "fast 2"}).status_code == 200
        page = sync(rest, "tasks", token)
        assert [e["task"]["id"] for e in page["task_statuses"]] == [second]
        release.set()
        slow.join(10)
    finally:
        release.set()
        registry.unsubscribe("task.updated", hold)
    late = sync(rest, "tasks", page["sync_token"])
    assert [(e["status"], e["task"]["id"], e["task"]["title"]) for e in late["task_statuses"]] == [
        ("UPDATED", first, "slow 2")]


def test_catch_up_under_concurrent_writers(rest):
    """Writers change different tasks at once (no lock in common) and commit in an order unrelated to the order
    of their changes (each sleeps a random while inside its transaction, after its change); a reader that keeps
    sending back the token it got sees every change exactly once."""
    rng = random.Random(7)
    tasks = [rest.ok("POST", "/tasks", json={"title": f"t{i}", "due_date": "2030-01-01T10:00:00Z"})["id"]
             for i in range(24)]
    with rest.app.live.sandbox.engine.connect() as conn:
        from server.store import apps

        app_id = apps.by_name(conn, rest.app.name).id

    def stall(s, event):
        if event.type == "task.updated" and s.app.id == app_id:
            time.sleep(rng.random() * 0.06)

    seen: list[int] = []
    token = rest.ok("GET", "/tasks")["sync_token"]
    done = threading.Event()
    failures = []

    def writer(mine):
        for task_id in mine:
            r = rest.patch(f"/tasks/{task_id}", json={"title": f"changed {task_id}"})
            if r.status_code != 200:
                failures.append(r.text)

    def reader():
        nonlocal token
        while True:
            finished = done.is_set()
            page = sync(rest, "tasks", token, limit=3)
            seen.extend(e["task"]["id"] for e in page["task_statuses"])
            token = page["sync_token"]
            if finished and not page["task_statuses"]:
                return

    registry = rest.app.live.sandbox.registry
    registry.subscribe("task.updated", stall)
    try:
        writers = [threading.Thread(target=writer, args=(tasks[n::4],)) for n in range(4)]
        read = threading.Thread(target=reader)
        read.start()
        for t in writers:
            t.start()
        for t in writers:
            t.join()
        done.set()
        read.join(timeout=60)
    finally:
        registry.unsubscribe("task.updated", stall)
    assert failures == []
    assert sorted(seen) == sorted(tasks) and len(seen) == len(set(seen))
