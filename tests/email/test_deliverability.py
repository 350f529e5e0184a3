"""Deliverability by address (issue 20 §1): the built-in test addresses and the app's own rules decide what a
captured email comes to; the status changes on the address, for every contact sharing it; a late outcome."""
from __future__ import annotations

import pytest

from tests.engine.test_sequences import go, one_sequence
from tests.rest.test_hooks import receiver, subscribe  # noqa: F401  (fixture)


@pytest.mark.parametrize("address, delivery, status", [
    ("hardbounce@example.com", "hard_bounce", "HardBounce"),
    ("softbounce@example.com", "soft_bounce", "Bounce"),
    ("complaint+1@example.com", "complaint", "Feedback"),
    ("spamreport@example.org", "spam_report", "Spam"),
    ("invalid@example.com", "invalid", "Invalid"),
    ("ordinary@example.com", "delivered", "SingleOptIn"),
])
def test_the_test_addresses(app, mail, address, delivery, status):
    cid = mail.contact(address)
    [m] = mail.send([cid])
    assert m["status"] == "captured" and m["delivery"] == delivery and m["delivery_date"]
    assert mail.status(address)["status"] == status
    assert app.call("APIEmailService.getOptStatus", address) == (1 if delivery == "delivered" else 0)


def test_the_status_belongs_to_the_address_and_bounced_addresses_leave_campaigns(app, mail):
    mail.load(one_sequence({"type": "email", "name": "a", "subject": "first", "text": "x"},
                           {"type": "delay_timer", "wait": 1, "unit": "days"},
                           {"type": "email", "name": "b", "subject": "second", "text": "x"}))
    cid = go(app, mail, "HardBounce@example.com")
    twin = mail.contact("hardbounce@example.com", opt_in=False)
    [first] = mail.outbox(contact_id=cid)
    assert first["delivery"] == "hard_bounce"
    rows = app.call("DataService.query", "EmailAddStatus", 10, 0, {"Email": "hardbounce@example.com"}, ["Type"])
    assert rows == [{"Type": "HardBounce"}]
    app.clock(by="2d")
    second = mail.outbox(contact_id=cid)[1]
    assert (second["status"], second["reason"]) == ("skipped", "bounced")  # the campaign skips a bounced address
    mail.send([twin])  # a one-off still goes (and bounces again)
    assert mail.status("hardbounce@example.com")["status"] == "HardBounce"


def test_soft_bounces_within_the_window_become_a_hard_bounce(app, mail):
    app.clock(time="2026-05-01T09:00:00", frozen=True)
    got = mail.settings(soft_bounce_limit=3, soft_bounce_window=86400)
    assert got["soft_bounce_limit"] == 3 and got["patterns"]["softbounce"] == "soft_bounce"
    cid = mail.contact("softbounce@example.com")
    mail.send([cid])
    app.clock(by="2d")  # the first falls out of the window
    mail.send([cid])
    mail.send([cid])
    assert mail.status("softbounce@example.com")["status"] == "Bounce"
    mail.send([cid])  # the third within one day
    status = mail.status("softbounce@example.com")
    assert status["status"] == "HardBounce" and status["reason"] == "3 soft bounces"


def test_the_apps_own_rules_come_first(app, mail):
    mail.settings(rules=[{"pattern": "*@bounces.example.net", "outcome": "hard_bounce"},
                         {"pattern": "hardbounce@*", "outcome": "delivered"}])
    a, b = mail.contact("x@bounces.example.net"), mail.contact("hardbounce@example.com")
    sent = {m["contact_id"]: m["delivery"] for m in mail.send([a, b])}
    assert sent == {a: "hard_bounce", b: "delivered"}
    assert mail.status("hardbounce@example.com")["status"] == "SingleOptIn"


@pytest.mark.parametrize("body, field", [
    ({"rules": [{"pattern": "x@*", "outcome": "exploded"}]}, "rules.0.outcome"),
    ({"rules": [{"pattern": ""}]}, "rules.0.pattern"),
    ({"soft_bounce_limit": 0}, "soft_bounce_limit"),
    ({"soft_bounce_window": "a week"}, "soft_bounce_window"),
    ({"soft_bounce_limit": "5"}, "soft_bounce_limit"),  # values as typed (audit-control finding 8)
    ({"soft_bounce_window": 86400.0}, "soft_bounce_window"),
    ({"colour": "red"}, "colour"),
])
def test_bad_settings_are_a_400_naming_the_field(mail, body, field):
    before = mail.control("GET", "/email/deliverability").json()
    r = mail.control("PATCH", "/email/deliverability", json=body)
    assert r.status_code == 400 and [f["field"] for f in r.json()["fields"]][:1] == [field], r.text
    assert mail.control("GET", "/email/deliverability").json() == before


def test_a_late_bounce_or_complaint_fires_the_contact_edit_hook(app, mail, rest, receiver):  # noqa: F811
    app.clock(action="freeze")
    cid = mail.contact("late@example.com")
    twin = mail.contact("late@example.com", opt_in=False)
    [m] = mail.send([cid])
    assert m["delivery"] == "delivered"
    subscribe(rest, receiver, "contact.edit")
    r = mail.control("POST", f"/outbox/{m['id']}/outcome", json={"outcome": "complaint"})
    assert r.status_code == 200, r.text
    assert r.json()["email_status"] == "Feedback"
    assert [x["delivery"] for x in mail.outbox(contact_id=cid)] == ["complaint"]
    assert rest.ok("GET", f"/contacts/{twin}")["email_status"] == "Feedback"
    app.clock(by="2m")
    edited = {k["id"] for d in receiver.deliveries if d["event_key"] == "contact.edit" for k in d["object_keys"]}
    assert edited == {cid, twin}
    events = mail.app.live.control("GET", f"/apps/{app.name}/events", params={"count": 1000}).json()["events"]
    assert any(e["type"] == "email.status_changed" and e["payload"]["status"] == "Feedback" for e in events)


@pytest.mark.parametrize("path, body, status", [
    ("/outbox/999999/outcome", {"outcome": "hard_bounce"}, 404),
    ("/outbox/1/outcome", {"outcome": "lost"}, 400),
    ("/outbox/1/outcome", {}, 400),
])
def test_bad_late_outcomes(mail, path, body, status):
    r = mail.control("POST", path, json=body)
    assert r.status_code == status and r.json()["error"]
