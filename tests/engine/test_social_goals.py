"""Seed 002's other goals and communication: "GroSocial Form is Submitted", "Twitter Lead Gen Card is
Submitted" (forms of their own kind, created through the control API and posted to the sandbox's public form
page) and the "Phone Call" item, which lands in the outbox as a call for a user to make."""
from __future__ import annotations

import requests


def social_campaign(form_name: str, goal_type: str) -> dict:
    return {
        "name": f"{goal_type} follow-up",
        "goals": [{"key": "g", "type": goal_type, "form": form_name}],
        "sequences": [{"key": "s", "items": [
            {"type": "phone_call", "name": "Call the new lead", "body": "Ask ~Contact.FirstName~ about the giveaway"},
        ]}],
        "links": [["g", "s"]],
    }


def form(campaigns, name: str, kind: str) -> dict:
    r = campaigns.control("POST", "/webforms", json={
        "name": name, "kind": kind, "fields": [{"name": "FirstName", "label": "First Name", "required": True},
                                               {"name": "Email", "label": "Email", "type": "email"},
                                               {"name": "Phone1", "label": "Phone", "type": "tel"}]})
    assert r.status_code == 201, r.text
    return r.json()


def test_grosocial_and_twitter_forms_fire_their_goals_and_the_phone_call_reaches_the_outbox(app, campaigns):
    grosocial = form(campaigns, "Instagram giveaway", "grosocial")
    twitter = form(campaigns, "Spring lead card", "twitter")
    campaigns.load(social_campaign("Instagram giveaway", "grosocial_form_submitted"))
    campaigns.load(social_campaign("Spring lead card", "twitter_lead_card_submitted"))
    for made, first in ((grosocial, "Gro"), (twitter, "Tweet")):
        r = requests.post(made["action"], data={"inf_field_FirstName": first, "inf_field_Phone1": "303-555-0101",
                                                "inf_field_Email": f"{first.lower()}@example.com"},
                          timeout=30, allow_redirects=False)
        assert r.status_code in (302, 303), r.text
    calls = campaigns.outbox(kind="phone_call")
    assert sorted(m["text_body"] for m in calls) == ["Ask Gro about the giveaway", "Ask Tweet about the giveaway"]
    assert {m["to_address"] for m in calls} == {"(303) 555-0101"}
    # one goal per kind: the GroSocial post did not fire the Twitter campaign, nor a web-form goal
    assert len(calls) == 2
    assert set(app.call("WebFormService.getMap").values()) == {"Free Guide Download", "Spring Challenge Registration"}


def test_a_phone_call_goes_to_the_contacts_owner_and_is_skipped_without_a_number(app, campaigns):
    owner = app.call("DataService.query", "User", 1, 0, {}, ["Id"])[0]["Id"]
    campaigns.load({"name": "Call", "goals": [{"key": "g", "type": "api_call", "call_name": "call"}],
                    "sequences": [{"key": "s", "items": [{"type": "phone_call", "name": "Call", "body": "Hi"}]}],
                    "links": [["g", "s"]]})
    with_phone = app.call("ContactService.add", {"FirstName": "P", "Phone1": "3035550102", "OwnerID": owner})
    without = app.call("ContactService.add", {"FirstName": "N"})
    for contact in (with_phone, without):
        app.call("FunnelService.achieveGoal", app.name, "call", contact)
    calls = {m["contact_id"]: m for m in campaigns.outbox(kind="phone_call")}
    assert calls[with_phone]["status"] != "skipped" and calls[with_phone]["user_id"] == owner
    assert calls[without]["status"] == "skipped" and calls[without]["reason"] == "no Phone1"


def test_a_form_of_an_unknown_kind_is_refused(campaigns):
    r = campaigns.control("POST", "/webforms", json={"name": "X", "kind": "myspace", "fields": [{"name": "Email"}]})
    assert r.status_code == 400 and "kind" in r.json()["error"]
    r = campaigns.control("POST", "/webforms", json={"name": "X", "fields": []})
    assert r.status_code == 400 and "fields" in r.json()["error"]
