"""The email history (the outbox's rows), email records, a one-off send through /emails/queue, and opt-in and
opt-out through PUT /emailAddresses/{email}, over a live server."""
from __future__ import annotations

import base64

from server.domain.mail import email_status
from server.store import apps


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _outbox(rest, **params):
    return rest.app.live.control("GET", f"/apps/{rest.app.name}/outbox", params=params).json()["messages"]


def test_queue_sends_through_the_outbox_and_the_history_reads_it(rest):
    assert rest.post("/emails/queue", json={"contacts": [6, 7], "subject": "Hello ~Contact.FirstName~",
                                            "user_id": 1, "html_content": b64("<p>Hi ~Contact.FirstName~</p>"),
                                            "plain_content": b64("Hi")}).status_code == 202
    sent = _outbox(rest, origin="rest")
    assert [(m["contact_id"], m["subject"], m["status"]) for m in sent] == [
        (6, "Hello Olivia", "captured"), (7, "Hello Liam", "captured")]
    assert sent[0]["from_address"] == "morgan.reyes@example.com" and sent[0]["content_type"] == "Multipart"
    listed = rest.ok("GET", "/emails", params={"contact_id": 6})
    assert listed["count"] == 1 and listed["emails"][0]["subject"] == "Hello Olivia"
    assert listed["emails"][0]["original_provider"] == "INFUSIONSOFT" and "html_content" not in listed["emails"][0]
    one = rest.ok("GET", f"/emails/{listed['emails'][0]['id']}")
    assert base64.b64decode(one["html_content"]).decode() == "<p>Hi Olivia</p>"
    assert base64.b64decode(one["plain_content"]).decode() == "Hi"
    assert rest.ok("GET", "/contacts/6/emails")["emails"][0]["id"] == one["id"]  # the contact's history: the same
    assert rest.ok("GET", "/emails", params={"email": "liam.nguyen@example.com"})["count"] == 1
    assert rest.ok("GET", "/emails", params={"since_sent_date": "2000-01-01T00:00:00Z"})["count"] == 2
    assert rest.ok("GET", "/emails", params={"since_sent_date": "2099-01-01T00:00:00Z"})["count"] == 0
    assert rest.get("/emails", params={"until_sent_date": "2099-01-01T00:00:00Z"}).status_code == 400

    to_second = rest.post("/emails/queue", json={"contacts": [6], "subject": "s", "user_id": 1,
                                                 "plain_content": b64("x"), "address_field": "EmailAddress2"})
    assert to_second.status_code == 202 and _outbox(rest, origin="rest")[-1]["status"] == "skipped"  # no 2nd address
    assert rest.post("/emails/queue", json={"contacts": [6], "subject": "s", "user_id": 99,
                                            "plain_content": b64("x")}).status_code == 400
    assert rest.post("/emails/queue", json={"contacts": [99999], "subject": "s", "user_id": 1,
                                            "plain_content": b64("x")}).status_code == 400
    assert rest.post("/emails/queue", json={"contacts": [6], "subject": "s", "user_id": 1}).status_code == 400
    assert rest.post("/emails/queue", json={"contacts": [6], "subject": "s", "user_id": 1,
                                            "html_content": "not base64!"}).status_code == 400


def test_email_records_sync_unsync_and_delete(rest):
    made = rest.ok("POST", "/emails", 201, json={
        "contact_id": 6, "sent_to_address": "olivia.martinez@example.org", "subject": "From Gmail",
        "sent_from_address": "coach@example.com", "sent_date": "2026-11-02T10:00:00Z",
        "opened_date": "2026-11-02T11:00:00Z", "html_content": b64("<b>hi</b>"), "original_provider": "google",
        "original_provider_id": "g-1"})
    assert made["original_provider"] == "GOOGLE" and made["original_provider_id"] == "g-1" and made["id"]
    got = rest.ok("GET", f"/emails/{made['id']}")
    assert got["opened_date"] == "2026-11-02T11:00:00.000+0000" and got["sent_date"] == "2026-11-02T10:00:00.000+0000"
    assert base64.b64decode(got["html_content"]).decode() == "<b>hi</b>"
    assert rest.post("/emails", json={"sent_to_address": "a@example.com", "original_provider": "google",
                                      "original_provider_id": "g-1"}).status_code == 400  # taken
    assert rest.post("/emails", json={"subject": "no recipient"}).status_code == 400
    assert rest.post("/emails", json={"sent_to_address": "a@example.com", "contact_id": 99999}).status_code == 400

    synced = rest.ok("POST", "/emails/sync", 201, json={"emails": [
        {"sent_to_address": "liam.nguyen@example.com", "contact_id": 7, "subject": "one"},
        {"sent_to_address": "liam.nguyen@example.com", "contact_id": 7, "subject": "dup", "original_provider":
            "GOOGLE", "original_provider_id": "g-1"},
        {"sent_to_address": "x@example.com", "original_provider": "YAHOO"},
        {"sent_to_address": "emma.johnson@example.net", "contact_id": 8, "subject": "two"}]})
    assert [e["subject"] for e in synced["emails"]] == ["one", "two"]
    assert len(synced["errors"]) == 2 and synced["errors"][0]["email"]["subject"] == "dup"
    first = synced["emails"][0]
    assert first["original_provider"] == "UNKNOWN" and len(first["original_provider_id"]) == 32  # made up
    assert rest.ok("GET", "/contacts/7/emails")["emails"][0]["subject"] == "one"
    record = rest.ok("POST", "/contacts/8/emails", 201, json={"sent_to_address": "emma.johnson@example.net",
                                                                "subject": "three"})
    assert record["contact_id"] == 8
    assert rest.ok("POST", "/emails/unsync", json={"ids": [e["id"] for e in synced["emails"]]}) == {}
    assert rest.get(f"/emails/{synced['emails'][0]['id']}").status_code == 404
    assert rest.delete(f"/emails/{made['id']}").status_code == 204
    assert rest.delete(f"/emails/{made['id']}").status_code == 404
    assert [m["subject"] for m in _outbox(rest, contact_id=8)] == ["three"]  # the outbox shows the same rows


def test_email_addresses_opt_in_and_out_with_the_rest_rules(rest):
    out = rest.ok("PUT", "/emailAddresses/olivia.martinez@example.org", json={"opted_in": False,
                                                                               "reason": "asked by phone"})
    assert out == {"email": "olivia.martinez@example.org", "opted_in": False, "status": "Opt-Out"}
    assert rest.app.call("APIEmailService.getOptStatus", "olivia.martinez@example.org") == 0
    back = rest.ok("PUT", "/emailAddresses/olivia.martinez@example.org", json={"opted_in": True, "reason": "form"})
    assert back == {"email": "olivia.martinez@example.org", "opted_in": True, "status": "Unconfirmed"}  # from Opt-Out
    contact = rest.ok("GET", "/contacts/6")
    assert contact["email_opted_in"] is True and contact["email_status"] == "SingleOptIn"
    sandbox = rest.app.live.sandbox
    with sandbox.engine.begin() as conn:  # the address bounces (the mail system's doing)
        email_status.set_status(sandbox.env.session(conn, apps.by_name(conn, rest.app.name)),
                                "olivia.martinez@example.org", "HardBounce")
    bounced = rest.ok("PUT", "/emailAddresses/olivia.martinez@example.org", json={"opted_in": True, "reason": "x"})
    assert bounced["opted_in"] is False and bounced["status"] == "Hard Bounce"  # a bounce stays
    assert rest.put("/emailAddresses/nobody@example.com", json={"opted_in": True, "reason": "x"}).status_code == 404
    assert rest.put("/emailAddresses/not-an-address", json={"opted_in": True, "reason": "x"}).status_code == 400
    assert rest.put("/emailAddresses/olivia.martinez@example.org", json={"opted_in": True}).status_code == 400
