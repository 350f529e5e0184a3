"""Broadcasts (issue 20 §4): one template to a tag, a saved search or explicit contacts at a scheduled time on
the app's clock; skips with a reason per skip; the business address is required; the batch report's sent count
excludes the skipped. Through the control API and the CLI."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from server.cli import main
from tests.engine.test_email_service import TEMPLATE


def _tag(app, name: str, contact_ids: list[int]) -> int:
    tag_id = app.call("DataService.add", "ContactGroup", {"GroupName": name})
    for cid in contact_ids:
        app.call("ContactService.addToGroup", cid, tag_id)
    return tag_id


def _broadcast(mail, status: int = 201, **body):
    r = mail.control("POST", "/broadcasts", json=body)
    assert r.status_code == status, r.text
    return r.json()


def test_a_tag_broadcast_at_its_time_skips_with_reasons_and_reports(app, mail):
    app.clock(time="2026-07-01T08:00:00", frozen=True)
    template_id = app.call("APIEmailService.addEmailTemplate", *TEMPLATE)
    fine = mail.contact("fine@example.com", FirstName="Fay")
    twin = mail.contact("FINE@example.com", opt_in=False, FirstName="Twin")  # the same address: a duplicate
    never = mail.contact("never@example.com", opt_in=False)
    gone = mail.contact("gone@example.com")
    app.call("APIEmailService.optOut", "gone@example.com", "bye")
    bounced = mail.contact("bounced@example.com")
    mail.control("PUT", "/email/addresses/bounced@example.com", json={"status": "HardBounce", "force": True})
    soon_bounced = mail.contact("hardbounce@example.com")
    no_address = app.call("ContactService.add", {"FirstName": "Nobody"})
    everyone = [fine, twin, never, gone, bounced, soon_bounced, no_address]
    tag_id = _tag(app, "Newsletter July", everyone)

    made = _broadcast(mail, name="July news", template_id=template_id, tag_id=tag_id, send_at="2026-07-01T18:00:00")
    assert made["status"] == "scheduled" and made["report"] is None
    zone = ZoneInfo(app.live.control("GET", f"/apps/{app.name}").json()["time_zone"])
    local = datetime(2026, 7, 1, 18, 0, tzinfo=zone)
    assert made["send_at"] == local.astimezone(UTC).isoformat()  # no zone given: the app's local time
    app.clock(by="9h")
    assert mail.control("GET", f"/broadcasts/{made['id']}").json()["status"] == "scheduled"  # not yet
    assert not [m for m in mail.outbox() if m["origin"] == "broadcast"]
    app.clock(by="1d")
    got = mail.control("GET", f"/broadcasts/{made['id']}").json()
    assert got["status"] == "sent"
    report = got["report"]
    assert report["recipients"] == 7 and report["sent"] == 2 and report["skipped"] == 5
    assert report["skipped_by_reason"] == {"bounced": 1, "duplicate": 1, "no email address": 1,
                                           "non-marketable": 1, "opted out": 1}
    assert report["delivery"] == {"delivered": 1, "hard_bounce": 1}
    sent = {m["contact_id"]: m for m in mail.outbox() if m["origin"] == "broadcast"}
    assert len(sent) == 7
    assert sent[fine]["status"] == "captured" and sent[fine]["subject"] == "Hi Fay"
    assert "/app/optOut/" in sent[fine]["html_body"] and "/app/open/" in sent[fine]["html_body"]
    assert sent[fine]["sent_date"] == "2026-07-01T18:00:00"  # at its time on the app's clock, for everyone
    assert (sent[twin]["status"], sent[twin]["reason"]) == ("skipped", "duplicate")
    assert sent[gone]["reason"] == "opted out" and sent[bounced]["reason"] == "bounced"
    assert mail.status("hardbounce@example.com")["status"] == "HardBounce"
    app.clock(by="2d")
    assert len([m for m in mail.outbox() if m["origin"] == "broadcast"]) == 7  # sent once


def test_explicit_contacts_saved_searches_and_cancelling(app, mail):
    app.clock(time="2026-07-01T08:00:00", frozen=True)
    template_id = app.call("APIEmailService.addEmailTemplate", *TEMPLATE)
    a, b = mail.contact("a@example.com"), mail.contact("b@example.com")
    now = _broadcast(mail, name="Now", template_id=template_id, contact_ids=[a, b, a])
    assert now["status"] == "sent" and now["report"]["recipients"] == 2 and now["report"]["sent"] == 2
    [search] = app.call("DataService.query", "SavedFilter", 10, 0, {"FilterName": "Colorado customers"}, ["Id"])
    expected = app.call("DataService.query", "Contact", 1000, 0, {"State": "CO", "ContactType": "Customer"}, ["Id"])
    searched = _broadcast(mail, name="CO", template_id=template_id, saved_search_id=search["Id"], user_id=1)
    assert searched["report"]["recipients"] == len(expected) > 0
    later = _broadcast(mail, name="Later", template_id=template_id, contact_ids=[a], send_at="2026-07-05T08:00:00")
    r = mail.control("POST", f"/broadcasts/{later['id']}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert mail.control("POST", f"/broadcasts/{later['id']}/cancel").status_code == 400  # only a scheduled one
    app.clock(by="7d")
    assert mail.control("GET", f"/broadcasts/{later['id']}").json()["report"] is None
    listed = mail.control("GET", "/broadcasts", params={"status": "sent"}).json()["broadcasts"]
    assert [x["name"] for x in listed] == ["Now", "CO"]


def test_a_broadcast_needs_the_business_address(live):
    from tests.conftest import make_app
    from tests.email.conftest import Mail

    bare = make_app(live, seed=False)
    m = Mail(bare)
    template_id = bare.call("APIEmailService.addEmailTemplate", *TEMPLATE)
    cid = m.contact("canspam@example.com")
    r = m.control("POST", "/broadcasts", json={"name": "x", "template_id": template_id, "contact_ids": [cid]})
    assert r.status_code == 400 and "business" in r.json()["error"]
    assert m.control("GET", "/broadcasts").json()["broadcasts"] == []


@pytest.mark.parametrize("body, status, word", [
    ({"template_id": 1, "contact_ids": [1]}, 400, "name"),
    ({"name": "x", "contact_ids": [1]}, 400, "template_id"),
    ({"name": "x", "template_id": 999999, "contact_ids": [1]}, 404, "999999"),
    ({"name": "x", "template_id": "T", "contact_ids": [1]}, 400, "template_id"),
    ({"name": "x", "template_id": 0}, 400, "audience"),
    ({"name": "x", "template_id": 0, "tag_id": 1, "contact_ids": [1]}, 400, "audience"),
    ({"name": "x", "template_id": 0, "contact_ids": []}, 400, "contact_ids"),
    ({"name": "x", "template_id": 0, "contact_ids": ["1"]}, 400, "contact_ids"),
    ({"name": "x", "template_id": 0, "contact_ids": [999999]}, 404, "999999"),
    ({"name": "x", "template_id": 0, "tag_id": 999999}, 404, "999999"),
    ({"name": "x", "template_id": 0, "saved_search_id": 999999}, 404, "999999"),
    ({"name": "x", "template_id": 0, "contact_ids": [1], "send_at": "tomorrow"}, 400, "send_at"),
    # an offset of 24 hours or more, or a moment near datetime's end, was a 500 (audit-control finding 3)
    ({"name": "x", "template_id": 0, "contact_ids": [1], "send_at": "2026-03-02T08:00:00+99:00"}, 400, "send_at"),
    ({"name": "x", "template_id": 0, "contact_ids": [1], "send_at": "9999-12-31T23:59:59"}, 400, "send_at"),
])
def test_bad_broadcasts(app, mail, body, status, word):
    template_id = app.call("APIEmailService.addEmailTemplate", *TEMPLATE)
    if body.get("template_id") == 0:
        body = {**body, "template_id": template_id}
    r = mail.control("POST", "/broadcasts", json=body)
    assert r.status_code == status and word in r.json()["error"], r.text
    assert mail.control("GET", "/broadcasts").json()["broadcasts"] == []
    assert mail.control("GET", "/broadcasts/999999").status_code == 404
    assert mail.control("GET", "/broadcasts", params={"status": "odd"}).status_code == 400


def test_the_cli(tmp_path):
    runner = CliRunner()
    args = ["--data-dir", str(tmp_path)]
    assert runner.invoke(main, ["seed", *args]).exit_code == 0
    from server.cli.common import environment, named_app, settings
    from server.store import schema
    from server.store.db import transaction

    env = environment(settings(data_dir=str(tmp_path)))
    record = named_app(env, "sandbox")
    with transaction(env.engine, write=False) as conn:
        s = env.session(conn, record)
        template_id = s.execute(s.select(schema.template, schema.template.c.id)).first().id
        tag_id = s.execute(s.select(schema.tag_assignment, schema.tag_assignment.c.tag_id)).first().tag_id
    env.close()
    made = runner.invoke(main, ["broadcasts", "create", "--name", "CLI news", "--template", str(template_id),
                                "--tag", str(tag_id), "--at", "2099-01-01T09:00:00", *args])
    assert made.exit_code == 0, made.output
    broadcast = json.loads(made.output)
    assert broadcast["status"] == "scheduled" and broadcast["audience"] == {"tag_id": tag_id}
    listed = runner.invoke(main, ["broadcasts", "list", *args])
    assert listed.output.strip() == f"{broadcast['id']}\tscheduled\tCLI news"
    assert runner.invoke(main, ["broadcasts", "run", *args]).output.strip() == "ran 0"  # not due
    assert runner.invoke(main, ["broadcasts", "cancel", str(broadcast["id"]), *args]).exit_code == 0
    shown = json.loads(runner.invoke(main, ["broadcasts", "show", str(broadcast["id"]), *args]).output)
    assert shown["status"] == "cancelled"
    now = runner.invoke(main, ["broadcasts", "create", "--name", "Now", "--template", str(template_id),
                               "--tag", str(tag_id), *args])
    assert now.exit_code == 0, now.output
    assert runner.invoke(main, ["broadcasts", "run", *args]).output.strip().startswith("ran ")
    report = json.loads(runner.invoke(main, ["broadcasts", "show", str(json.loads(now.output)["id"]), *args])
                        .output)["report"]
    assert report["recipients"] >= 1 and report["sent"] + report["skipped"] == report["recipients"]
    bad = runner.invoke(main, ["broadcasts", "create", "--name", "x", "--template", "999999", "--tag",
                               str(tag_id), *args])
    assert bad.exit_code == 1 and "999999" in bad.output and "Traceback" not in bad.output
    assert runner.invoke(main, ["broadcasts", "show", "424242", *args]).exit_code == 1
    for at in ("2026-03-02T08:00:00+99:00", "9999-12-31T23:59:59"):  # tracebacks (audit-control finding 3)
        refused = runner.invoke(main, ["broadcasts", "create", "--name", "x", "--template", str(template_id),
                                       "--tag", str(tag_id), "--at", at, *args])
        assert refused.exit_code == 2 and "--at" in refused.output and refused.exception is not None \
            and isinstance(refused.exception, SystemExit), refused.output
