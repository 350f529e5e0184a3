"""The outbox under a clock jump (issue 12 point 3): HTTP posts due during an advance are sent after its in-app
work, concurrently, with a short per-attempt timeout, each recorded at the time it fell due; and the retry
policy as a pure rule."""
from __future__ import annotations

import threading

import pytest

from server.domain.outbox.queue import RetryPolicy
from tests.engine.receiver import Gathering, Receiver
from tests.engine.test_http_post import post_campaign
from tests.engine.test_sequences import go

START = "2026-03-02T08:00:00"


def allow_local_receivers(app, **options) -> None:
    r = app.live.control("PATCH", f"/apps/{app.name}/options", json={"http_post_any_port": True, **options})
    assert r.status_code == 200, r.text


def posts(campaigns) -> list[dict]:
    return campaigns.control("GET", "/http-posts").json()["http_posts"]


def test_posts_due_in_a_jump_are_sent_concurrently(app, campaigns):
    receiver = Gathering(expected=6)
    try:
        app.clock(time=START, frozen=True)
        allow_local_receivers(app, delivery_timeout_in_advance_s=10)
        campaigns.load(post_campaign(receiver.url))
        for i in range(6):
            go(app, campaigns, f"slow{i}@example.com")
        ran = app.clock(by="2d")["ran"]
        assert receiver.most == 6 and receiver.answered == 6  # six in flight at once: none waited for another
        assert ran["http_posts"] == {"made": 6, "failed": 0}
        assert [p["status"] for p in posts(campaigns)] == ["delivered"] * 6
    finally:
        receiver.close()


def test_a_slow_receiver_gets_the_short_timeout_of_a_jump(app, campaigns):
    receiver = Receiver(hold=threading.Event())  # holds every request until the test lets it go
    try:
        app.clock(time=START, frozen=True)
        allow_local_receivers(app, delivery_timeout_in_advance_s=1)  # http_post_timeout_s stays 15
        campaigns.load(post_campaign(receiver.url))
        go(app, campaigns)
        app.clock(by="10s")  # the attempt at START; its retry (30 s later) is outside the jump
        assert not receiver.hold.is_set() and len(receiver.received) == 1  # the jump is over, the request held
        [post] = posts(campaigns)
        assert post["status"] == "pending" and post["attempts"] == 1 and post["last_status"] is None
        assert post["last_error"] == "no answer within 1 s"
        assert post["log"][0]["at"] == post["created_at"]  # recorded at the time it fell due
        assert post["next_attempt_at"] == pytest.approx(post["created_at"] + 30)
    finally:
        receiver.hold.set()
        receiver.close()


def test_retries_inside_one_jump_keep_their_schedule(app, campaigns):
    receiver = Receiver(answers=[500, 503])
    try:
        app.clock(time=START, frozen=True)
        allow_local_receivers(app)
        campaigns.load(post_campaign(receiver.url))
        go(app, campaigns)
        ran = app.clock(by="1h")["ran"]
        [post] = posts(campaigns)
        t0 = post["created_at"]
        assert post["status"] == "delivered" and [e["status"] for e in post["log"]] == [500, 503, 200]
        # each attempt recorded at the time it fell due: START, 30 s later, then 2 min after that
        assert [e["at"] for e in post["log"]] == pytest.approx([t0, t0 + 30, t0 + 150])
        assert post["delivered_at"] == pytest.approx(t0 + 150)
        assert ran["http_posts"] == {"made": 3, "failed": 2} and len(receiver.received) == 3
    finally:
        receiver.close()


def test_the_retry_policy():
    hooks = RetryPolicy((60, 300, 1800), 4, success=lambda s: s is not None and 200 <= s < 400,
                        give_up=lambda s: s == 410)
    assert [hooks.outcome(1, s) for s in (200, 302, 500, None, 410)] == \
        ["delivered", "delivered", "pending", "pending", "failed"]
    assert hooks.outcome(4, 500) == "failed" and hooks.outcome(3, 500) == "pending"
    assert [hooks.delay(n) for n in (1, 2, 3, 4, 9)] == [60, 300, 1800, 1800, 1800]
    posts_ = RetryPolicy((30, 120, 600), 2)
    assert posts_.outcome(1, 302) == "pending" and posts_.outcome(2, 302) == "failed"
    assert RetryPolicy((), 3).delay(1) == 60.0
