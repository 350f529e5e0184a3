"""The clock through the control API: the summary of what an advance ran, asynchronous advances and their
status, and the rules (forward only unless forced; no rate on a frozen clock; nothing silently ignored)."""
from __future__ import annotations

import threading
import time

import pytest

from tests.commerce.util import EMMA, EMMA_DECLINING, MEMBERSHIP_PLAN, TEST_GATEWAY
from tests.engine.conftest import Campaigns
from tests.engine.receiver import Receiver
from tests.engine.test_sequences import GO


@pytest.fixture
def campaigns(app) -> Campaigns:
    return Campaigns(app)


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    if r.hold is not None:
        r.hold.set()
    r.close()


def email(subject: str) -> dict:
    return {"type": "email", "name": subject, "subject": subject, "text": "x"}


def two_day_campaign(url: str) -> dict:
    """go -> welcome, a 1-day delay, a second email, an HTTP post, a tag that is the goal of a thank-you."""
    return {"name": "Two days", "resources": {"tags": ["T clock done"]},
            "goals": [GO, {"key": "done", "type": "tag_applied", "tag": "T clock done"}],
            "sequences": [
                {"key": "s", "items": [email("welcome"), {"type": "delay_timer", "wait": 1, "unit": "days"},
                                       email("day two"), {"type": "http_post", "url": url + "/hook",
                                                          "fields": [["id", "~Contact.Id~"]]},
                                       {"type": "apply_tag", "tag": "T clock done"}]},
                {"key": "thanks", "items": [email("thanks")]}],
            "links": [["go", "s"], ["done", "thanks"]]}


def control(app, method, path="", **kwargs):
    return app.live.control(method, f"/apps/{app.name}/clock{path}", **kwargs)


def start(app, campaigns, receiver) -> None:
    app.clock(time="2026-03-02T08:00:00", frozen=True)
    assert app.live.control("PATCH", f"/apps/{app.name}/options", json={"http_post_any_port": True}).status_code == 200
    campaigns.load(two_day_campaign(receiver.url))
    for address, opted_in in (("sum-a@example.com", True), ("sum-b@example.com", False)):
        cid = campaigns.contact(address, opt_in=opted_in)
        app.call("FunnelService.achieveGoal", app.name, "go", cid)


def test_an_advance_answers_with_what_ran(app, campaigns, receiver):
    start(app, campaigns, receiver)  # "welcome" went at once, inside the API calls: not the advance's
    receiver.answers = [500]  # the first post fails and is retried 30 s later
    answer = app.clock(by="2d")
    assert answer["local"] == "2026-03-04T08:00:00" and answer["frozen"] is True  # the clock's keys are kept
    ran = answer["ran"]
    # per contact: "day two" (B is not opted in: skipped), the post, the tag, then the goal's "thanks"
    assert ran["items"] == {"email": {"done": 2, "skipped": 2}, "http_post": {"done": 2}, "apply_tag": {"done": 2}}
    assert ran["emails"] == {"sent": 2, "skipped": 2}
    assert ran["http_posts"] == {"made": 3, "failed": 1}
    assert ran["goals_fired"] == 2
    assert ran["rest_hooks"] == {"made": 0, "failed": 0} and ran["invoices_billed"] == 0
    assert len(receiver.received) == 3
    # the outbox agrees with the summary
    sent = [m for m in campaigns.outbox() if m["subject"] in ("day two", "thanks")]
    assert len([m for m in sent if m["status"] != "skipped"]) == 2
    # the advance can be read back, ready
    status = control(app, "GET", f"/advances/{answer['advance']}").json()
    assert status["status"] == "ready" and status["ran"] == ran and status["progress"] == 1
    # a change that runs nothing says so
    quiet = app.clock(action="freeze")
    assert quiet["ran"]["items"] == {} and quiet["ran"]["goals_fired"] == 0


def test_an_async_advance_reads_advancing_then_ready_and_refuses_a_second(app, campaigns, receiver):
    start(app, campaigns, receiver)
    receiver.hold = threading.Event()  # the first post waits: the advance is held half-way
    r = control(app, "POST", json={"by": "2d", "async": True})
    assert r.status_code == 202, r.text
    first = r.json()
    assert first["status"] == "advancing" and r.headers["Location"].endswith(f"/clock/advances/{first['id']}")
    assert first["from"].startswith("2026-03-02T13:00:00") and first["to"].startswith("2026-03-04T13:00:00")
    deadline = time.monotonic() + 60  # bounded: a failed advance must fail the test, not hang it
    while not receiver.received:  # the advance reached the posts
        assert time.monotonic() < deadline, control(app, "GET", f"/advances/{first['id']}").json()
        time.sleep(0.01)
    status = control(app, "GET", f"/advances/{first['id']}").json()
    assert status["status"] == "advancing"
    busy = control(app, "POST", json={"by": "1h"})
    assert busy.status_code == 409 and "being advanced" in busy.json()["error"]
    assert control(app, "POST", json={"action": "freeze"}).status_code == 409
    receiver.hold.set()
    while status["status"] == "advancing":
        assert time.monotonic() < deadline + 60, status
        time.sleep(0.02)
        status = control(app, "GET", f"/advances/{first['id']}").json()
    assert status["status"] == "ready" and status["progress"] == 1
    assert status["ran"]["goals_fired"] == 2 and status["ran"]["emails"] == {"sent": 2, "skipped": 2}
    assert control(app, "GET").json()["local"] == "2026-03-04T08:00:00"
    assert app.clock(by="1h")["local"] == "2026-03-04T09:00:00"  # free again
    assert control(app, "GET", "/advances/999999").status_code == 404


def test_the_clock_moves_back_only_when_forced(empty_app):
    app = empty_app
    app.clock(time="2026-03-02T08:00:00", frozen=True)  # a clock on real time may be set anywhere
    back = control(app, "POST", json={"time": "2026-03-01T08:00:00"})
    assert back.status_code == 409
    assert "back" in back.json()["error"] and "force" in back.json()["error"]
    assert control(app, "GET").json()["local"] == "2026-03-02T08:00:00"  # unchanged
    forced = app.clock(time="2026-03-01T08:00:00", force=True)
    assert forced["local"] == "2026-03-01T08:00:00" and forced["frozen"] is True
    assert app.clock(action="real")["real"] is True  # back to real time is always allowed


def test_a_rate_on_a_frozen_clock_unfreezes_it_or_is_refused(empty_app):
    app = empty_app
    app.clock(time="2026-03-02T08:00:00", frozen=True)
    refused = control(app, "POST", json={"rate": 60})
    assert refused.status_code == 409 and "frozen" in refused.json()["error"]
    assert control(app, "GET").json()["rate"] == 1 and control(app, "GET").json()["frozen"] is True
    assert control(app, "POST", json={"action": "freeze", "rate": 60}).status_code == 400
    running = app.clock(rate=60, frozen=False)
    assert running["frozen"] is False and running["rate"] == 60


@pytest.mark.parametrize("body, named", [
    ({}, "nothing to change"),
    ({"by": "1h", "speed": 2}, "speed"),
    ({"action": "real", "time": "2026-01-01T00:00:00"}, "real"),
    ({"frozen": "yes"}, "frozen"),
    ({"by": "7 days"}, "7d"),
    ({"action": "freeze", "frozen": False}, "contradicts"),
    ({"time": "2026-13-01"}, "time"),
    # an offset of 24 hours or more was a 500 (audit-control finding 3)
    ({"time": "2026-03-02T08:00:00+99:00"}, "time"),
    ({"time": "2026-03-02T08:00:00+2400"}, "time"),
    ({"time": "9999-12-31T23:59:59"}, "time"),
])
def test_wrong_clock_requests_are_refused_naming_the_problem(empty_app, body, named):
    r = control(empty_app, "POST", json=body)
    assert r.status_code == 400 and named in r.json()["error"], (body, r.text)


def test_billing_is_counted(app):
    app.clock(time="2027-01-10T09:00:00", frozen=True)
    app.call("InvoiceService.addRecurringOrder", EMMA, True, MEMBERSHIP_PLAN, TEST_GATEWAY, EMMA_DECLINING, 0, 0)
    ran = app.clock(by="10d")["ran"]
    # the subscription invoiced six hours after its bill date, the card declined then and at three retries
    assert ran["invoices_billed"] == 1 and ran["charges_declined"] == 4
    assert app.clock(by="10d")["ran"]["charges_declined"] == 0  # no more retries


def test_snapshots_and_resets_wait_for_a_running_advance(app, campaigns, receiver):
    """A snapshot taken between two steps of an advance saved a half-advanced app with the clock the advance froze,
    and a reset let the advance run on over the fresh seed (audit-control finding 7): while an advance runs,
    taking or restoring a snapshot and resetting the app answer 409 naming it, and change nothing."""
    from click.testing import CliRunner

    from server.cli import main

    start(app, campaigns, receiver)
    assert app.live.control("POST", f"/apps/{app.name}/snapshots", json={"name": "before"}).status_code == 201
    receiver.hold = threading.Event()  # the advance is held at its first post
    advance = control(app, "POST", json={"by": "2d", "async": True}).json()["id"]
    deadline = time.monotonic() + 60
    while not receiver.received:
        assert time.monotonic() < deadline, control(app, "GET", f"/advances/{advance}").json()
        time.sleep(0.01)
    base = f"/apps/{app.name}"
    for path, body in ((base + "/snapshots", {"name": "mid"}), (base + "/snapshots/before/restore", None),
                       (base + "/reset", None)):
        r = app.live.control("POST", path, json=body)
        assert r.status_code == 409, (path, r.text)
        assert f"advance {advance}" in r.json()["error"] and "being advanced" in r.json()["error"], r.text
    url = app.live.sandbox.engine.url.render_as_string(hide_password=False)
    done = CliRunner().invoke(main, ["reset", "--app", app.name, "--data-dir", str(app.live.data_dir),
                                     "--database-url", url])
    assert done.exit_code == 1 and f"advance {advance}" in done.output, done.output
    assert [s["name"] for s in app.live.control("GET", base + "/snapshots").json()["snapshots"]] == ["before"]
    receiver.hold.set()
    status = control(app, "GET", f"/advances/{advance}").json()
    while status["status"] == "advancing":
        assert time.monotonic() < deadline + 60, status
        time.sleep(0.02)
        status = control(app, "GET", f"/advances/{advance}").json()
    assert status["status"] == "ready"
    # the advance ran whole over the data it started with
    assert status["ran"]["goals_fired"] == 2 and control(app, "GET").json()["local"] == "2026-03-04T08:00:00"
    assert app.live.control("POST", base + "/snapshots", json={"name": "after"}).status_code == 201
    assert app.live.control("POST", base + "/snapshots/before/restore").status_code == 200
    assert app.live.control("POST", base + "/reset").status_code == 200
