"""Campaign HTTP posts delivered for real to a local receiver: merged name/value pairs in order, retries on
the app's clock, the response codes recorded, the idempotency key, the port rule."""
from __future__ import annotations

import time

import pytest

from tests.engine.receiver import Receiver
from tests.engine.test_sequences import GO, go, subjects


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def post_campaign(url: str) -> dict:
    return {"name": "Notify", "goals": [GO], "sequences": [{"key": "s", "items": [
        {"type": "http_post", "url": url + "/hook",
         "fields": [["contactId", "~Contact.Id~"], ["email", "~Contact.Email~"],
                    ["first_name", "~Contact.FirstName~"]]},
        {"type": "email", "name": "after the post", "subject": "after the post", "text": "x"}]}],
            "links": [["go", "s"]]}


def test_posted_for_real_with_retries_and_the_codes_recorded(app, campaigns, receiver):
    app.clock(time="2026-03-02T08:00:00", frozen=True)
    assert app.live.control("PATCH", f"/apps/{app.name}/options", json={"http_post_any_port": True}).status_code == 200
    receiver.answers = [500, 503]
    campaigns.load(post_campaign(receiver.url))
    cid = go(app, campaigns, "poster@example.com", FirstName="Ida")
    assert [m["subject"] for m in campaigns.outbox(contact_id=cid)] == ["after the post"]  # it does not wait
    assert campaigns.run() >= 1  # the first attempt: 500
    [post] = campaigns.control("GET", "/http-posts").json()["http_posts"]
    assert post["status"] == "pending" and post["last_status"] == 500 and post["attempts"] == 1
    app.clock(by="30s")  # the first retry: 503
    app.clock(by="2m")  # the second retry: 200
    [post] = campaigns.control("GET", "/http-posts").json()["http_posts"]
    assert post["status"] == "delivered" and post["attempts"] == 3
    assert [entry["status"] for entry in post["log"]] == [500, 503, 200]
    assert len(receiver.received) == 3
    first = receiver.received[0]
    assert first.path == "/hook" and first.form == [("contactId", str(cid)), ("email", "poster@example.com"),
                                                    ("first_name", "Ida")]
    assert first.headers["Content-Type"] == "application/x-www-form-urlencoded"
    keys = {r.headers["Idempotency-Key"] for r in receiver.received}
    assert len(keys) == 1  # the same key on every attempt


def test_a_post_that_never_succeeds_fails_after_the_last_attempt(app, campaigns, receiver, caplog):
    caplog.set_level("WARNING", logger="sandbox.outbox")
    app.clock(time="2026-03-02T08:00:00", frozen=True)
    app.live.control("PATCH", f"/apps/{app.name}/options", json={"http_post_any_port": True,
                                                                 "http_post_max_attempts": 2})
    receiver.answers = [500, 500, 500]
    campaigns.load(post_campaign(receiver.url))
    go(app, campaigns)
    app.clock(by="1h")
    [post] = campaigns.control("GET", "/http-posts").json()["http_posts"]
    assert post["status"] == "failed" and post["attempts"] == 2 and len(receiver.received) == 2
    [gave_up] = [r for r in caplog.records if r.name == "sandbox.outbox" and r.levelname == "WARNING"]
    assert f"post {post['id']} of app {app.name} to {receiver.url}/hook gave up after attempt 2 (500)" in \
        gave_up.getMessage()


def test_only_standard_ports_unless_the_app_allows_others(app, campaigns, receiver):
    r = campaigns.control("POST", "/campaigns", json=post_campaign(receiver.url), params={"publish": "1"})
    assert r.status_code == 400 and "ports 80 and 443" in " ".join(r.json()["problems"])
    for url in ("http://127.0.0.1:99999", "http://127.0.0.1:port"):  # no port at all: a problem, not a crash
        r = campaigns.control("POST", "/campaigns", json=post_campaign(url), params={"publish": "1"})
        assert r.status_code == 400 and "is not an http(s) URL" in " ".join(r.json()["problems"]), r.text


def test_the_heartbeat_delivers_without_anyone_asking(tmp_path, receiver):
    """The real clock and the per-process heartbeat (every second by default, here a fifth) deliver the post."""

    from tests.conftest import make_app, start_server
    from tests.engine.conftest import Campaigns

    live, stop = start_server(tmp_path, tick_seconds=0.2)
    try:
        app = make_app(live)
        campaigns = Campaigns(app)
        app.live.control("PATCH", f"/apps/{app.name}/options", json={"http_post_any_port": True})
        campaigns.load(post_campaign(receiver.url))
        go(app, campaigns)
        deadline = time.monotonic() + 15
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(receiver.received) == 1
    finally:
        stop()


def test_a_worker_leaves_alone_an_app_whose_clock_another_is_moving(app, campaigns, receiver):
    """The heartbeat of one worker process does not run the due work of an app whose clock another is moving
    (a running advance in the store): that move sends its posts and waits for them. Sent by another worker, a
    held post let the move finish while the post was still out (tests/sandbox/test_clock_workers.py, now and
    then under load)."""
    from server.jobs import Heartbeat
    from server.store import advances, apps
    from server.store.db import transaction

    app.clock(time="2026-03-02T08:00:00", frozen=True)
    assert app.live.control("PATCH", f"/apps/{app.name}/options", json={"http_post_any_port": True}).status_code == 200
    campaigns.load(post_campaign(receiver.url))
    go(app, campaigns)  # the post is due now
    env = app.live.sandbox.env
    with transaction(env.engine, write=False) as conn:
        record = apps.by_name(conn, app.name)
    now = record.clock_state.timestamp()
    moving = advances.claim(env.engine, record.id, now, now + 60)  # as another worker's move would
    try:
        Heartbeat(env, 0).beat()
        assert receiver.received == []
    finally:
        advances.finish(env.engine, moving, now, {})
    Heartbeat(env, 0).beat()
    assert len(receiver.received) == 1


def test_a_move_whose_process_died_holds_the_app_back_no_longer(app, campaigns, receiver):
    """A running advance that nobody renews (its process died) stops holding its app once its lease runs out:
    the heartbeat runs the app's due work again."""
    import sqlalchemy as sa

    from server.jobs import Heartbeat
    from server.store import advances, apps, schema
    from server.store.db import transaction

    app.clock(time="2026-03-02T08:00:00", frozen=True)
    assert app.live.control("PATCH", f"/apps/{app.name}/options", json={"http_post_any_port": True}).status_code == 200
    campaigns.load(post_campaign(receiver.url))
    go(app, campaigns)
    env = app.live.sandbox.env
    with transaction(env.engine, write=False) as conn:
        record = apps.by_name(conn, app.name)
    now = record.clock_state.timestamp()
    dead = advances.claim(env.engine, record.id, now, now + 60)
    with transaction(env.engine, write=True) as conn:  # its last renewal a lease ago
        conn.execute(sa.update(schema.clock_advance).where(schema.clock_advance.c.id == dead).values(
            lease_until=time.time() - 1))
    Heartbeat(env, 0).beat()
    assert len(receiver.received) == 1
    moving = advances.claim(env.engine, record.id, now, now + 60)  # and the clock may move again
    advances.finish(env.engine, moving, now, {})
    with transaction(env.engine, write=False) as conn:
        assert advances.get(conn, record.id, dead).status == "failed"


def test_a_running_move_keeps_its_claim_however_long_a_step_takes(app, campaigns, monkeypatch):
    """The process running an advance renews its lease while the advance runs, not only between its steps: held
    in one post for several leases, the advance still holds its app."""
    import threading

    from server.store import advances, apps
    from server.store.db import transaction

    monkeypatch.setattr(advances, "LEASE", 0.6)
    monkeypatch.setattr(advances, "RENEW_EVERY", 0.1)
    receiver = Receiver(hold=threading.Event())
    try:
        app.clock(time="2026-03-02T08:00:00", frozen=True)
        options = {"http_post_any_port": True, "http_post_timeout_s": 60, "delivery_timeout_in_advance_s": 60}
        assert app.live.control("PATCH", f"/apps/{app.name}/options", json=options).status_code == 200
        campaigns.load(post_campaign(receiver.url))
        go(app, campaigns)
        started = app.live.control("POST", f"/apps/{app.name}/clock", json={"by": "1h", "async": True})
        assert started.status_code == 202, started.text
        deadline = time.monotonic() + 30  # a bound for a broken build, not a measurement
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(1.5)  # two and a half leases, held in one step
        env = app.live.sandbox.env
        with transaction(env.engine, write=False) as conn:
            record = apps.by_name(conn, app.name)
            assert advances.running_apps(conn, [record.id]) == {record.id}
        assert app.live.control("POST", f"/apps/{app.name}/clock", json={"by": "1m"}).status_code == 409
    finally:
        receiver.hold.set()
        receiver.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with transaction(env.engine, write=False) as conn:
            if not advances.running_apps(conn, [record.id]):
                break
        time.sleep(0.05)
    status = app.live.control("GET", started.headers["Location"].split("/sandbox", 1)[1]).json()
    assert status["status"] == "ready"


def test_the_test_button_posts_once_and_answers_what_came_back(app, campaigns, receiver):
    """Seed 001: "click on the Test button to verify the post is working as expected": the item's pairs merged
    for the contact chosen, posted once now; "200" validates it, "409" and others need a look. Nothing is
    recorded, and a draft can be tested."""
    assert app.live.control("PATCH", f"/apps/{app.name}/options", json={"http_post_any_port": True}).status_code == 200
    made = campaigns.load(post_campaign(receiver.url), publish=False)
    ids = campaigns.control("GET", f"/campaigns/{made['id']}").json()["ids"]
    [post_id] = [v for k, v in ids.items() if k.startswith("item:") and "http_post" in k]
    [email_id] = [v for k, v in ids.items() if k.startswith("item:") and "email" in k]
    cid = campaigns.contact("tess@example.com", FirstName="Tess")
    url = f"/campaigns/{made['id']}/items/{post_id}/test"

    tested = campaigns.control("POST", url, json={"contact_id": cid})
    assert tested.status_code == 200, tested.text
    assert tested.json() == {"url": receiver.url + "/hook", "status": 200, "error": None, "ok": True, "fields": [
        ["contactId", str(cid)], ["email", "tess@example.com"], ["first_name", "Tess"]]}
    assert [r.form for r in receiver.received] == [
        [("contactId", str(cid)), ("email", "tess@example.com"), ("first_name", "Tess")]]
    assert campaigns.control("GET", "/http-posts").json()["http_posts"] == []  # nothing recorded

    receiver.answers.append(409)  # "the user you selected already has a member record in CustomerHub"
    refused = campaigns.control("POST", url, json={}).json()  # no contact: the merge fields are blank
    assert (refused["status"], refused["ok"], refused["fields"][0]) == (409, False, ["contactId", ""])

    assert campaigns.control("POST", f"/campaigns/{made['id']}/items/{email_id}/test", json={}).status_code == 400
    missing = campaigns.control("POST", f"/campaigns/{made['id']}/items/999999/test", json={})
    assert missing.status_code == 404 and "no item 999999" in missing.json()["error"]
    assert campaigns.control("POST", f"/campaigns/999999/items/{post_id}/test", json={}).status_code == 404
    assert campaigns.control("POST", url, json={"contact_id": 999999}).status_code == 400
    assert campaigns.control("POST", url, json={"contact_id": "x"}).status_code == 400
    assert app.live.control("PATCH", f"/apps/{app.name}/options", json={"http_post_any_port": False}).ok
    ports = campaigns.control("POST", url, json={})
    assert ports.status_code == 400 and "only ports 80 and 443" in ports.json()["error"]
    assert len(receiver.received) == 2


def test_a_url_no_request_can_be_made_to_is_a_failed_attempt_not_a_crash(app, campaigns):
    """A host label over 63 characters passes the publish rules (an http URL on port 80) but no request can be
    made to it (urllib3 cannot parse it): each attempt is a failure with the reason, recorded like a refused
    connection, and neither the drain, the clock advance that runs it nor the Test button answers a 500."""
    app.clock(time="2026-03-02T08:00:00", frozen=True)
    app.live.control("PATCH", f"/apps/{app.name}/options", json={"http_post_max_attempts": 2})
    url = "http://" + "a" * 70 + ".example"
    made = campaigns.load(post_campaign(url))
    cid = go(app, campaigns, "label@example.com")
    assert campaigns.run() >= 1  # the first attempt, run by the engine's drain (POST …/engine/run)
    [post] = campaigns.control("GET", "/http-posts").json()["http_posts"]
    assert post["status"] == "pending" and post["attempts"] == 1 and post["last_status"] is None
    assert "label empty or too long" in post["last_error"]
    ran = app.clock(by="1h")["ran"]  # the retry, inside a clock advance
    assert ran["http_posts"] == {"made": 1, "failed": 1}
    [post] = campaigns.control("GET", "/http-posts").json()["http_posts"]
    assert post["status"] == "failed" and [entry["status"] for entry in post["log"]] == [None, None]
    assert subjects(campaigns, cid) == ["after the post"]  # the sequence went on
    ids = campaigns.control("GET", f"/campaigns/{made['id']}").json()["ids"]
    [post_id] = [v for k, v in ids.items() if k.startswith("item:") and "http_post" in k]
    tested = campaigns.control("POST", f"/campaigns/{made['id']}/items/{post_id}/test", json={"contact_id": cid})
    assert tested.status_code == 200, tested.text
    assert tested.json()["status"] is None and tested.json()["ok"] is False
    assert "label empty or too long" in tested.json()["error"]


def test_an_advance_writing_batch_after_batch_keeps_its_claim(app, monkeypatch):
    """On SQLite one connection writes at a time: the keeper's thread cannot renew while the advance writes batch
    after batch, so the advance renews between its batches (``keep_alive``; the drain calls it)."""
    from server.store import advances, apps
    from server.store.db import transaction

    monkeypatch.setattr(advances, "LEASE", 1.0)
    monkeypatch.setattr(advances, "RENEW_EVERY", 0.2)
    env = app.live.sandbox.env
    with transaction(env.engine, write=False) as conn:
        record = apps.by_name(conn, app.name)
    now = record.clock_state.timestamp()
    moving = advances.claim(env.engine, record.id, now, now + 60)
    try:
        with advances.kept(env.engine, moving):
            deadline = time.monotonic() + 2.5  # two and a half leases of back-to-back writes
            while time.monotonic() < deadline:
                with transaction(env.engine, write=True) as conn:
                    apps.by_id(conn, record.id)
                    time.sleep(0.01)
                advances.keep_alive()
            with transaction(env.engine, write=False) as conn:
                assert advances.running_apps(conn, [record.id]) == {record.id}
        advances.keep_alive()  # outside an advance: nothing to renew
    finally:
        advances.finish(env.engine, moving, now, {})


def test_the_test_button_takes_fields_as_an_object_too(app, campaigns, receiver):
    assert app.live.control("PATCH", f"/apps/{app.name}/options", json={"http_post_any_port": True}).status_code == 200
    doc = post_campaign(receiver.url)
    doc["sequences"][0]["items"][0]["fields"] = {"email": "~Contact.Email~", "source": "sandbox"}
    made = campaigns.load(doc, publish=False)
    ids = campaigns.control("GET", f"/campaigns/{made['id']}").json()["ids"]
    [post_id] = [v for k, v in ids.items() if k.startswith("item:") and "http_post" in k]
    cid = campaigns.contact("object@example.com")
    tested = campaigns.control("POST", f"/campaigns/{made['id']}/items/{post_id}/test", json={"contact_id": cid})
    assert tested.status_code == 200, tested.text
    assert tested.json()["fields"] == [["email", "object@example.com"], ["source", "sandbox"]]
    doc["sequences"][0]["items"][0]["fields"] = ["not a pair"]
    refused = campaigns.control("POST", "/campaigns", json=doc, params={"publish": "1"})
    assert refused.status_code == 400 and "[name, value] pairs" in " ".join(refused.json()["problems"]), refused.text
