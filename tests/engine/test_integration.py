"""The campaign engine fed by every other area, through the wire: a web form posted, an order charged, a note
template applied, an opportunity moved, a tag applied through REST; and a campaign's own opportunity."""
from __future__ import annotations

import re

import requests

from tests.commerce.util import COACHING, OLIVIA, OLIVIA_VISA
from tests.engine.test_goals import email
from tests.rest.conftest import rest_for


def subjects(campaigns, cid) -> list[str]:
    return [m["subject"] for m in campaigns.outbox(contact_id=cid)]


def test_a_web_form_post_starts_the_seeded_nurture(app, campaigns):
    forms = {name: int(i) for i, name in app.call("WebFormService.getMap").items()}
    html = app.call("WebFormService.getHTML", forms["Free Guide Download"])
    action = re.search(r'<form[^>]* action="([^"]+)"', html).group(1)
    r = requests.post(action, data={"inf_form_xid": action.rsplit("/", 1)[1], "inf_field_FirstName": "Gia",
                                    "inf_field_Email": "gia@example.com"}, allow_redirects=False, timeout=30)
    assert r.status_code == 302
    [contact] = app.call("ContactService.findByEmail", "gia@example.com", ["Id"])
    assert subjects(campaigns, contact["Id"]) == ["Your free training guide, Gia"]  # the seeded template


def test_a_charged_order_is_a_purchase_and_a_manual_payment_is_not(app, campaigns):
    result = app.call("OrderService.placeOrder", OLIVIA, OLIVIA_VISA, 0, [COACHING], [], False, [])
    assert result["Successful"] == "true"
    assert subjects(campaigns, OLIVIA) == ["Thank you for your order, Olivia"]  # the seeded purchase follow-up
    groups = app.call("ContactService.load", OLIVIA, ["Groups"])["Groups"]
    [active] = app.call("DataService.query", "ContactGroup", 10, 0, {"GroupName": "Active Member"}, ["Id"])
    assert str(active["Id"]) in groups.split(",")
    [liam] = app.call("DataService.query", "Contact", 10, 0, {"FirstName": "Liam"}, ["Id"])
    invoice = app.call("InvoiceService.createBlankOrder", liam["Id"], "By check", "20261201T10:00:00", 0, 0)
    app.call("InvoiceService.addOrderItem", invoice, COACHING, 4, 120.0, 1, "", "")
    assert app.call("InvoiceService.addManualPayment", invoice, 120.0, "20261201T10:00:00", "Check", "paid", False)
    assert subjects(campaigns, liam["Id"]) == []  # "if you process manual orders, you will need another goal"


def test_note_templates_opportunity_moves_and_rest_tags_fire_their_goals(app, campaigns):
    campaigns.load({
        "name": "Sales signals",
        "goals": [{"key": "note", "type": "note_applied", "template": "Discovery call notes"},
                  {"key": "moved", "type": "opportunity_moved", "to_stage": "Assessment Complete",
                   "entry_point": True},
                  {"key": "tagged", "type": "tag_applied", "tag": "VIP", "entry_point": True}],
        "sequences": [{"key": "a", "items": [email("after the note")]},
                      {"key": "b", "items": [email("after the move")]},
                      {"key": "c", "items": [email("after the REST tag")]}],
        "links": [["note", "a"], ["moved", "b"], ["tagged", "c"]]})
    cid = campaigns.contact("signals@example.com", FirstName="Ike")
    templates = app.call("ContactService.getActivityHistoryTemplateMap")
    template_id = int(next(k for k, v in templates.items() if v == "Discovery call notes"))
    app.call("ContactService.applyActivityHistoryTemplate", cid, template_id, 1)
    assert subjects(campaigns, cid) == ["after the note"]

    [stage] = app.call("DataService.query", "Stage", 10, 0, {"StageName": "Assessment Complete"}, ["Id"])
    opportunity = app.call("DataService.add", "Lead", {"OpportunityTitle": "Ike's package", "ContactID": cid,
                                                       "StageID": stage["Id"] - 1})
    app.call("DataService.update", "Lead", opportunity, {"StageID": stage["Id"]})
    assert subjects(campaigns, cid) == ["after the note", "after the move"]

    rest = rest_for(app)
    [vip] = app.call("DataService.query", "ContactGroup", 10, 0, {"GroupName": "VIP"}, ["Id"])
    r = rest.post(f"/tags/{vip['Id']}/contacts", json={"ids": [cid]})
    assert r.status_code == 200, r.text
    assert subjects(campaigns, cid) == ["after the note", "after the move", "after the REST tag"]


def test_a_campaign_creates_an_opportunity_in_a_stage(app, campaigns):
    campaigns.load({"name": "Pipeline", "goals": [{"key": "go", "type": "api_call", "call_name": "go"}],
                    "sequences": [{"key": "s", "items": [
                        {"type": "create_opportunity", "title": "Coaching for ~Contact.FirstName~",
                         "stage": "New Lead", "user": "devin.okafor@example.com"}]}],
                    "links": [["go", "s"]]})
    cid = campaigns.contact("pipeline@example.com", FirstName="Jo")
    app.call("FunnelService.achieveGoal", app.name, "go", cid)
    [stage] = app.call("DataService.query", "Stage", 10, 0, {"StageName": "New Lead"}, ["Id"])
    [opportunity] = app.call("DataService.query", "Lead", 10, 0, {"ContactID": cid},
                             ["OpportunityTitle", "StageID", "UserID"])
    assert opportunity == {"OpportunityTitle": "Coaching for Jo", "StageID": stage["Id"], "UserID": 2}
