"""Sync tokens: what changed since a token, deletions included, in order, across both protocols; paging within
one window; and catch-up under concurrent writers whose commits land out of order (the case an
autoincrement sequence gets wrong on PostgreSQL)."""
from __future__ import annotations

import random
import threading
import time

from server.store import session
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
    assert [(e["status"], e["task"]["id"]) for e in sync(rest, "tasks", after)["task_statuses"]] == [("DELETED", t["id"])]


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

    second = requests.get(first["next"].replace("offset=1000", "offset=2"), headers=rest.http.headers, timeout=10).json()
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


def test_catch_up_under_concurrent_writers(rest):
    """Writers commit in an order unrelated to the order of their changes (each sleeps a random while inside
    its transaction); a reader that keeps sending back the token it got sees every task exactly once."""
    rng = random.Random(7)

    def stall(s, event):
        if event.type == "task.added" and s.app.id == app_id:
            time.sleep(rng.random() * 0.03)

    with rest.app.live.sandbox.engine.connect() as conn:
        from server.store import apps

        app_id = apps.by_name(conn, rest.app.name).id
    session.on_event(stall)
    created: list[int] = []
    seen: list[int] = []
    token = rest.ok("GET", "/tasks")["sync_token"]
    done = threading.Event()

    def writer(n):
        for i in range(8):
            r = rest.post("/tasks", json={"title": f"w{n}-{i}", "due_date": "2030-01-01T10:00:00Z"})
            assert r.status_code == 200, r.text
            created.append(r.json()["id"])

    def reader():
        nonlocal token
        while True:
            finished = done.is_set()
            page = sync(rest, "tasks", token, limit=5)
            seen.extend(e["task"]["id"] for e in page["task_statuses"])
            token = page["sync_token"]
            if finished and not page["task_statuses"]:
                return

    try:
        threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
        read = threading.Thread(target=reader)
        read.start()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        done.set()
        read.join(timeout=60)
    finally:
        session._listeners.remove(stall)
    assert sorted(seen) == sorted(created) and len(seen) == len(set(seen)) == 32
