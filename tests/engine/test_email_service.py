"""APIEmailService templates and sending, the outbox's rules (marketable addresses, CAN-SPAM, duplicates),
merge fields, attached emails, and the links in captured emails (unsubscribe, tracked clicks)."""
from __future__ import annotations

import xmlrpc.client

import pytest
import requests

from tests.conftest import fault_of
from tests.engine.test_sequences import GO, go, one_sequence

TEMPLATE = ["Welcome", "Onboarding", "coach@example.com", "~Contact.Email~", "", "", "Hi ~Contact.FirstName~",
            "Hello ~Contact.FirstName~ ~Contact._ReferralCode~", "<p>Hello ~Contact.FirstName~</p>", "Multipart",
            "Contact"]


def test_templates_round_trip(app):
    template_id = app.call("APIEmailService.addEmailTemplate", *TEMPLATE)
    got = app.call("APIEmailService.getEmailTemplate", template_id)
    assert list(got) == ["pieceTitle", "categories", "fromAddress", "toAddress", "ccAddress", "bccAddress",
                         "subject", "textBody", "htmlBody", "contentType", "mergeContext"]
    assert got["subject"] == "Hi ~Contact.FirstName~" and got["ccAddress"] == ""
    changed = list(TEMPLATE)
    changed[6] = "New subject"
    assert app.call("APIEmailService.updateEmailTemplate", template_id, *changed) is True
    assert app.call("APIEmailService.getEmailTemplate", template_id)["subject"] == "New subject"
    [row] = app.call("DataService.query", "Template", 10, 0, {"Id": template_id}, ["PieceType", "PieceTitle",
                                                                                   "Categories"])
    assert row == {"PieceType": "Email", "PieceTitle": "Welcome", "Categories": "Onboarding"}
    with pytest.raises(xmlrpc.client.Fault) as missing:
        app.call("APIEmailService.getEmailTemplate", 999999)
    assert fault_of(missing)[0] == 5
    bad = list(TEMPLATE)
    bad[9] = "html"
    with pytest.raises(xmlrpc.client.Fault) as wrong_type:
        app.call("APIEmailService.addEmailTemplate", *bad)
    assert fault_of(wrong_type)[0] == 12


def test_send_email_from_a_template_merges_per_contact_even_to_non_marketable(app, campaigns):
    template_id = app.call("APIEmailService.addEmailTemplate", *TEMPLATE)
    a = campaigns.contact("ann@example.com", FirstName="Ann", _ReferralCode="R-1")
    b = campaigns.contact("ben@example.com", opt_in=False, FirstName="Ben")  # non-marketable: one-offs still go
    assert app.call("APIEmailService.sendEmail", [a, b], str(template_id)) is True  # Ruby sends the id as a string
    sent = {m["contact_id"]: m for m in campaigns.outbox(origin="api")}
    assert sent[a]["subject"] == "Hi Ann" and sent[a]["text_body"] == "Hello Ann R-1"
    assert sent[b]["status"] == "captured" and sent[b]["to_address"] == "ben@example.com"
    assert "Unsubscribe" not in (sent[a]["html_body"] or "")  # a one-off, not marketing
    status = app.call("DataService.query", "EmailAddStatus", 10, 0, {"Email": "ann@example.com"}, ["LastSentDate"])
    assert status[0]["LastSentDate"]


def test_send_email_ad_hoc_and_its_faults(app, campaigns):
    a = campaigns.contact("cal@example.com", FirstName="Cal")
    assert app.call("APIEmailService.sendEmail", [a], "me@example.com", "~Contact.Email~", "", "", "Text",
                    "About ~Contact.FirstName~", "", "Plain text for ~Contact.FirstName~~Contact.Nope~") is True
    [m] = campaigns.outbox(contact_id=a)  # an unknown merge field renders empty
    assert (m["subject"], m["text_body"], m["html_body"]) == ("About Cal", "Plain text for Cal", None)
    with pytest.raises(xmlrpc.client.Fault) as missing:
        app.call("APIEmailService.sendEmail", [a, 999999], "me@example.com", "~Contact.Email~", "", "", "Text",
                 "s", "", "t")
    assert fault_of(missing)[0] == 5
    assert len(campaigns.outbox(contact_id=a)) == 1  # nothing sent when one id is wrong
    for wrong in ("html", "Bogus"):  # spec §2.3: HTML, Text or Multipart, case sensitive
        with pytest.raises(xmlrpc.client.Fault) as kind:
            app.call("APIEmailService.sendEmail", [a], "me@example.com", "~Contact.Email~", "", "", wrong, "s",
                     "<p>h</p>", "t")
        assert fault_of(kind) == (12, "[InvalidParameter]contentType must be one of HTML, Text, Multipart")
    assert len(campaigns.outbox(contact_id=a)) == 1


def test_sequence_emails_skip_what_is_not_marketable_and_say_why(app, campaigns):
    campaigns.load(one_sequence({"type": "email", "name": "m", "subject": "news", "text": "x"}))
    ok = go(app, campaigns, "fine@example.com")
    never = campaigns.contact("never@example.com", opt_in=False)
    gone = campaigns.contact("gone@example.com")
    app.call("APIEmailService.optOut", "gone@example.com", "bye")
    twin = campaigns.contact("gone@example.com", opt_in=False)  # shares the opted-out address
    none = app.call("ContactService.add", {"FirstName": "No Email"})
    for cid in (never, gone, twin, none):
        app.call("FunnelService.achieveGoal", app.name, "go", cid)
    reasons = {m["contact_id"]: (m["status"], m["reason"]) for m in campaigns.outbox()}
    assert reasons[ok] == ("captured", None)
    assert reasons[never] == ("skipped", "non-marketable")
    assert reasons[gone] == reasons[twin] == ("skipped", "opted out")
    assert reasons[none] == ("skipped", "no email address")


def test_no_marketing_email_without_a_business_address(live, campaigns):
    from tests.conftest import make_app
    from tests.engine.conftest import Campaigns

    bare = make_app(live, seed=False)
    c = Campaigns(bare)
    c.load(one_sequence({"type": "email", "name": "m", "subject": "news", "text": "x"}))
    cid = go(bare, c, "canspam@example.com")
    [m] = c.outbox(contact_id=cid)
    assert (m["status"], m["reason"]) == ("skipped", "no business address (CAN-SPAM)")


def test_merge_fields_owner_date_campaign_and_available_list(app, campaigns):
    app.clock(time="2026-03-04T10:00:00", frozen=True)
    campaigns.load(one_sequence({"type": "email", "name": "m", "subject": "~Campaign.Offer~ for ~Contact.FirstName~",
                                 "text": "From ~Owner.FirstName~ on ~Date.DayOfWeek~ ~Date.Current~."},
                                merge_fields={"Offer": "A free week"}))
    cid = go(app, campaigns, "merge@example.com", FirstName="Dee", OwnerID=2)
    [m] = campaigns.outbox(contact_id=cid)
    assert m["subject"] == "A free week for Dee"
    assert m["text_body"].startswith("From Devin on Wednesday 03/04/2026.")
    fields = app.call("APIEmailService.getAvailableMergeFields", "Contact")
    assert "~Contact.FirstName~" in fields and "~Contact._ReferralCode~" in fields and "~Owner.Email~" in fields


def test_attach_email_in_both_forms(app, campaigns):
    cid = campaigns.contact("inbox@example.com")
    assert app.call("APIEmailService.attachEmail", cid, "Ann", "ann@example.com", "inbox@example.com", "", "",
                    "HTML", "Re: hello", "<p>hi</p>", "hi", "X-Mailer: test", "2015-07-25T23:02:51-07:00",
                    "2015-07-25T23:02:51-07:00") is True
    assert app.call("APIEmailService.attachEmail", cid, "Ann", "ann@example.com", "inbox@example.com", "", "",
                    "Text", "Inbound", "", "hello", "", xmlrpc.client.DateTime("20240101T09:00:00"),
                    xmlrpc.client.DateTime("20240101T09:00:00"), 0) is True
    logged = campaigns.outbox(contact_id=cid)
    assert [(m["status"], m["direction"]) for m in logged] == [("logged", "sent"), ("logged", "received")]
    assert logged[0]["sent_date"] == "2015-07-26T02:02:51"  # converted to the app's time zone


def test_unsubscribe_link_opts_the_address_out_and_link_clicks_fire_the_goal(app, campaigns):
    created = campaigns.load({
        "name": "Clicks", "goals": [GO, {"key": "clicked", "type": "link_clicked", "email": "promo"}],
        "sequences": [{"key": "s", "items": [
            {"key": "promo", "type": "email", "subject": "promo",
             "html": '<p><a href="https://example.com/offer">offer</a></p>'},
            {"type": "delay_timer", "wait": 5, "unit": "days"},
            {"type": "email", "name": "reminder", "subject": "reminder", "text": "x"}]},
            {"key": "clickers", "items": [{"type": "email", "name": "thanks", "subject": "thanks", "text": "x"}]}],
        "links": [["go", "s"], ["s", "clicked"], ["clicked", "clickers"]]})
    cid = go(app, campaigns, "clicker@example.com")
    [promo] = campaigns.outbox(contact_id=cid)
    href = promo["html_body"].split('href="')[1].split('"')[0]
    path = href[href.index("/app/linkClick/"):]
    r = requests.get(app.live.url + path, allow_redirects=False, timeout=10)
    assert r.status_code == 302 and r.headers["Location"] == "https://example.com/offer"
    app.clock(by="6d")
    assert [m["subject"] for m in campaigns.outbox(contact_id=cid)] == ["promo", "thanks"]  # the reminder was cut
    assert campaigns.report(created["id"])["goals"][1]["achieved"] == 1
    unsubscribe = promo["html_body"].split("/app/optOut/")[1].split('"')[0]
    r = requests.get(app.live.url + "/app/optOut/" + unsubscribe, timeout=10)
    assert r.status_code == 200 and "unsubscribed" in r.text
    assert app.call("APIEmailService.getOptStatus", "clicker@example.com") == 0
    assert requests.get(app.live.url + "/app/optOut/1-1-nope", timeout=10).status_code == 404


def test_a_contact_can_leave_one_campaign_when_the_app_allows_it(app, campaigns):
    """Seed 004: "by default Infusionsoft will opt your contact out of all campaigns. You have the ability to set up
    your lists so that your contacts can opt-out of the specific campaign": with the option on, a campaign email's
    unsubscribe page asks; "this campaign only" ends the contact's sequences there and leaves the address
    marketable, so another campaign's email still comes; "all" opts it out."""
    assert app.live.control("PATCH", f"/apps/{app.name}/options", json={"campaign_opt_out": True}).status_code == 200
    app.clock(time="2026-03-02T08:00:00", frozen=True)
    campaigns.load({"name": "Weekly tips", "goals": [GO], "links": [["go", "s"]], "sequences": [{"key": "s", "items": [
        {"type": "email", "name": "tip 1", "subject": "tip 1", "html": "<p>one</p>"},
        {"type": "delay_timer", "wait": 2, "unit": "days"},
        {"type": "email", "name": "tip 2", "subject": "tip 2", "html": "<p>two</p>"}]}]})
    campaigns.load({"name": "News", "goals": [{"key": "news", "type": "api_call", "call_name": "news"}],
                    "links": [["news", "n"]], "sequences": [{"key": "n", "items": [
                        {"type": "delay_timer", "wait": 3, "unit": "days"},
                        {"type": "email", "name": "news", "subject": "news", "html": "<p>news</p>"}]}]})
    cid = go(app, campaigns, "leaver@example.com")
    app.call("FunnelService.achieveGoal", app.name, "news", cid)
    [tip] = campaigns.outbox(contact_id=cid)
    token = tip["html_body"].split("/app/optOut/")[1].split('"')[0]
    page = requests.get(app.live.url + "/app/optOut/" + token, timeout=10)
    assert page.status_code == 200 and "From Weekly tips only" in page.text and "From all marketing email" in page.text
    assert app.call("APIEmailService.getOptStatus", "leaver@example.com") == 1  # asking changed nothing
    left = requests.post(app.live.url + f"/app/optOut/{token}/campaign", timeout=10)
    assert left.status_code == 200 and "no more email from Weekly tips" in left.text
    app.clock(by="4d")
    assert [m["subject"] for m in campaigns.outbox(contact_id=cid)] == ["tip 1", "news"]  # tip 2 never came
    assert app.call("APIEmailService.getOptStatus", "leaver@example.com") == 1
    everything = requests.post(app.live.url + "/app/optOut/" + token, timeout=10)
    assert everything.status_code == 200 and "is unsubscribed" in everything.text
    assert app.call("APIEmailService.getOptStatus", "leaver@example.com") == 0
    assert requests.post(app.live.url + "/app/optOut/1-1-nope/campaign", timeout=10).status_code == 404
