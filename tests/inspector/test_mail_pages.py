"""The email page through plain HTTP (issue 20): broadcasts scheduled, cancelled and read with the addresses they
skipped; the app's deliverability rules; an address opted out by an admin; a late outcome on a sent message."""
from __future__ import annotations

import re

import pytest

from tests.email.test_broadcasts import _tag
from tests.engine.test_email_service import TEMPLATE
from tests.inspector.test_pages import notice, post, ui


def _contact(app, email: str, opt_in: bool = True) -> int:
    cid = app.call("ContactService.add", {"FirstName": email.split("@")[0], "Email": email})
    if opt_in:
        app.call("APIEmailService.optIn", email, "test")
    return cid


def test_a_broadcast_scheduled_in_the_page_is_sent_at_its_time_and_reports_its_skips(live, app):
    app.clock(time="2026-07-01T08:00:00", frozen=True)
    template_id = app.call("APIEmailService.addEmailTemplate", *TEMPLATE)
    fine = _contact(app, "fine@example.com")
    never = _contact(app, "never@example.com", opt_in=False)
    tag_id = _tag(app, "Page news", [fine, never])
    r = post(live, f"/apps/{app.name}/broadcasts", {"name": "Page news", "template_id": str(template_id),
                                                    "tag_id": str(tag_id), "send_at": "2026-07-01T18:00"})
    assert "broadcast Page news scheduled" in notice(r), notice(r)
    assert "2026-07-01 18:00:00" in r.text and 'id="cancel-broadcast"' in r.text
    broadcast_url = r.url.split("?")[0]
    listing = ui(live, f"/apps/{app.name}/email")
    assert "Page news" in listing.text and "scheduled" in listing.text
    app.clock(by="1d")
    page = ui(live, broadcast_url.split("/sandbox/ui")[1])
    assert "1 sent of 2" in page.text and "non-marketable" in page.text
    skipped = page.text[page.text.index('id="skipped"'):]
    assert "never@example.com" in skipped and "fine@example.com" not in skipped
    assert 'id="cancel-broadcast"' not in page.text


def test_a_broadcast_is_cancelled_and_bad_ones_are_refused(live, app):
    app.clock(time="2026-07-01T08:00:00", frozen=True)
    template_id = app.call("APIEmailService.addEmailTemplate", *TEMPLATE)
    a = _contact(app, "a@example.com")
    r = post(live, f"/apps/{app.name}/broadcasts", {"name": "Later", "template_id": str(template_id),
                                                    "contact_ids": f"{a}", "send_at": "2026-07-09T08:00"})
    broadcast_id = int(re.search(r"/broadcasts/(\d+)", r.url).group(1))
    r = post(live, f"/apps/{app.name}/broadcasts/{broadcast_id}/cancel")
    assert "broadcast cancelled" in notice(r) and "cancelled" in r.text
    r = post(live, f"/apps/{app.name}/broadcasts/{broadcast_id}/cancel")
    assert "only a scheduled one can be cancelled" in notice(r)
    r = post(live, f"/apps/{app.name}/broadcasts", {"name": "No list", "template_id": str(template_id)})
    assert 'class="flash error"' in r.text and notice(r)
    r = post(live, f"/apps/{app.name}/broadcasts", {"name": "Bad ids", "template_id": "1", "contact_ids": "x, y"})
    assert "contact_ids must be contact ids" in notice(r)
    r = post(live, f"/apps/{app.name}/broadcasts", {"name": "Bad time", "template_id": str(template_id),
                                                    "contact_ids": f"{a}", "send_at": "tomorrow"})
    assert "send_at" in notice(r)
    assert ui(live, f"/apps/{app.name}/broadcasts/999999").status_code == 404
    assert ui(live, f"/apps/{app.name}/email", params={"status": "lost"}).status_code == 400


@pytest.mark.parametrize("path", ["/email", "/broadcasts/1"])
def test_an_unknown_app_is_a_404_on_the_email_pages(live, path):
    r = ui(live, f"/apps/no-such-app{path}")
    assert r.status_code == 404 and "no app named" in r.text


def test_deliverability_rules_are_listed_and_set(live, app):
    page = ui(live, f"/apps/{app.name}/email")
    assert page.status_code == 200 and "hardbounce@" in page.text  # the built-in test addresses
    r = post(live, f"/apps/{app.name}/email/deliverability", {"rules": "*@bounces.example.com hard_bounce\n",
                                                              "soft_bounce_limit": "2", "soft_bounce_window": "3600"})
    assert "deliverability set: 1 rules" in notice(r)
    settings = live.control("GET", f"/apps/{app.name}/email/deliverability").json()
    assert settings["rules"] == [{"pattern": "*@bounces.example.com", "outcome": "hard_bounce"}]
    assert settings["soft_bounce_limit"] == 2 and settings["soft_bounce_window"] == 3600
    r = post(live, f"/apps/{app.name}/email/deliverability", {"rules": "*@x.example.com explode"})
    assert 'class="flash error"' in r.text and "outcome" in notice(r)
    r = post(live, f"/apps/{app.name}/email/deliverability", {"rules": "hard_bounce"})
    assert "rules, line 1" in notice(r)


def test_an_admin_opts_an_address_out_and_an_opt_out_stays_unless_forced(live, app):
    _contact(app, "leave@example.com")
    r = post(live, f"/apps/{app.name}/email/address", {"email": "leave@example.com", "status": "Admin"})
    assert "leave@example.com is now Admin (Opt-Out: Admin)" in notice(r), notice(r)
    assert app.call("APIEmailService.getOptStatus", "leave@example.com") == 0
    r = post(live, f"/apps/{app.name}/email/address", {"email": "leave@example.com", "status": "SingleOptIn"})
    assert 'class="flash error"' in r.text and notice(r)  # the control API's 409
    r = post(live, f"/apps/{app.name}/email/address", {"email": "leave@example.com", "status": "SingleOptIn",
                                                       "force": "on"})
    assert "is now SingleOptIn" in notice(r)
    r = post(live, f"/apps/{app.name}/email/address", {"email": "nobody-here@example.com", "status": "Admin"})
    assert "no email address" in notice(r)


def test_a_late_bounce_on_a_sent_message(live, app):
    cid = _contact(app, "late@example.com")
    app.call("APIEmailService.sendEmail", [cid], "from@example.com", "~Contact.Email~", "", "", "Text", "Late",
             "", "hi")
    listing = ui(live, f"/apps/{app.name}/outbox", params={"q": "late@"})
    [mid] = re.findall(rf"/sandbox/ui/apps/{app.name}/outbox/(\d+)", listing.text)[:1]
    page = ui(live, f"/apps/{app.name}/outbox/{mid}")
    assert 'id="late-outcome"' in page.text
    r = post(live, f"/apps/{app.name}/outbox/{mid}/outcome", {"outcome": "hard_bounce"})
    assert "outcome hard_bounce recorded" in notice(r)
    assert live.control("GET", f"/apps/{app.name}/email/addresses/late@example.com").json()["status"] == "HardBounce"
    r = post(live, f"/apps/{app.name}/outbox/{mid}/outcome", {"outcome": "exploded"})
    assert "outcome" in notice(r) and 'class="flash error"' in r.text
    r = post(live, f"/apps/{app.name}/outbox/999999/outcome", {"outcome": "complaint"})
    assert r.status_code == 404 or 'class="flash error"' in r.text
