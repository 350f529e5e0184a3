"""WebFormService and WebTrackingService through a live server, and the form's post to the sandbox: it
creates or updates the contact, opts the address in, applies the form's tags, shows webform.submitted in
the app's events and redirects to the thank-you page."""
from __future__ import annotations

import re
import xmlrpc.client

import pytest
import requests

from tests.conftest import fault_of


def _forms(app) -> dict[str, int]:
    return {name: int(form_id) for form_id, name in app.call("WebFormService.getMap").items()}


def _action(html: str) -> str:
    return re.search(r'<form[^>]* action="([^"]+)"', html).group(1)


def _events(app, type_):
    events = app.live.control("GET", f"/apps/{app.name}/events?limit=1000").json()["events"]
    return [e for e in events if e["type"] == type_]


def test_get_map_lists_the_web_forms(app):
    forms = _forms(app)
    assert set(forms) == {"Free Guide Download", "Spring Challenge Registration"}  # the internal form is not listed


def test_get_html_is_a_page_that_posts_to_the_sandbox(app):
    form_id = _forms(app)["Spring Challenge Registration"]
    html = app.call("WebFormService.getHTML", form_id)
    assert html.startswith("<!DOCTYPE html>")
    xid = re.search(r'name="inf_form_xid" type="hidden" value="([0-9a-f]{32})"', html).group(1)
    assert _action(html) == f"{app.live.url}/app/form/process/{xid}"
    assert 'name="inf_form_name" type="hidden" value="Spring Challenge Registration"' in html
    assert 'name="infusionsoft_version"' in html
    for name in ("inf_field_FirstName", "inf_field_LastName", "inf_field_Email", "inf_field_Phone1",
                 "inf_custom_MembershipLevel", "inf_field_Leadsource"):
        assert f'name="{name}"' in html
    assert "/app/webTracking/getTrackingCode?trackingId=" in html
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("WebFormService.getHTML", 999)
    assert fault_of(exc) == (5, "[RecordNotFound]Record not found for Id:999")


def test_a_post_creates_the_contact_and_fires_the_web_form_goal(app):
    form_id = _forms(app)["Spring Challenge Registration"]
    action = _action(app.call("WebFormService.getHTML", form_id))
    r = requests.post(action, data={"inf_form_xid": action.rsplit("/", 1)[1], "inf_field_FirstName": "Rosa",
                                    "inf_field_LastName": "Parks", "inf_field_Email": "rosa@example.com",
                                    "inf_field_Phone1": "555-010-9999", "inf_custom_MembershipLevel": "Plus",
                                    "inf_field_Leadsource": "Spring Challenge page"},
                      allow_redirects=False, timeout=30)
    assert r.status_code == 302
    thanks = requests.get(r.headers["Location"], timeout=30)
    assert thanks.status_code == 200 and "Thank you" in thanks.text
    [contact] = app.call("ContactService.findByEmail", "rosa@example.com",
                         ["Id", "FirstName", "LastName", "Phone1", "_MembershipLevel", "Leadsource", "Groups"])
    assert contact["Phone1"] == "(555) 010-9999" and contact["_MembershipLevel"] == "Plus"
    tag = app.call("DataService.query", "ContactGroup", 1, 0, {"GroupName": "Spring Challenge 2026"}, ["Id"])[0]["Id"]
    assert str(tag) in contact["Groups"].split(",")
    assert app.call("APIEmailService.getOptStatus", "rosa@example.com") == 1
    [event] = _events(app, "webform.submitted")
    assert event["entity_id"] == contact["Id"]
    assert {k: event["payload"][k] for k in ("contact_id", "form_id", "form_name", "form_kind")} == {
        "contact_id": contact["Id"], "form_id": form_id, "form_name": "Spring Challenge Registration",
        "form_kind": "landing"}


def test_a_second_post_updates_the_contact_found_by_email(app):
    forms = _forms(app)
    action = _action(app.call("WebFormService.getHTML", forms["Free Guide Download"]))
    r = requests.post(action, data={"inf_field_FirstName": "Noah", "inf_field_Email": "NOAH.PATEL@mail.example.com",
                                    "inf_option_EmailConsent": "yes"}, allow_redirects=False, timeout=30)
    assert r.status_code == 302 and r.headers["Location"] == "https://www.example.com/thank-you/free-guide"
    assert len(app.call("ContactService.findByEmail", "noah.patel@mail.example.com", ["Id"])) == 1
    [event] = _events(app, "webform.submitted")
    assert event["payload"]["created"] is False and event["payload"]["form_kind"] == "web"


def test_without_consent_the_address_is_not_opted_in(app):
    action = _action(app.call("WebFormService.getHTML", _forms(app)["Free Guide Download"]))
    requests.post(action, data={"inf_field_FirstName": "Ann", "inf_field_Email": "ann@example.com"}, timeout=30,
                  allow_redirects=False)
    assert app.call("APIEmailService.getOptStatus", "ann@example.com") == 0
    assert app.call("ContactService.findByEmail", "ann@example.com", ["FirstName"]) == [{"FirstName": "Ann"}]


def test_invalid_posts(app):
    action = _action(app.call("WebFormService.getHTML", _forms(app)["Free Guide Download"]))
    r = requests.post(action, data={"inf_field_Email": "not-an-address"}, timeout=30)
    assert r.status_code == 400 and "First Name is required" in r.text and "not a valid email" in r.text
    xid = action.rsplit("/", 1)[1]
    forged = action[:-32] + ("0" if xid[0] != "0" else "1") + xid[1:]
    assert requests.post(forged, data={}, timeout=30).status_code == 404
    assert _events(app, "webform.submitted") == []


def test_web_tracking_script(app):
    tag = app.call("WebTrackingService.getWebTrackingScriptTag")
    url = app.call("WebTrackingService.getWebTrackingScriptUrl")
    assert tag == f'<script type="text/javascript" src="{url}"></script>'
    assert url.startswith(f"{app.live.url}/app/webTracking/getTrackingCode?trackingId=")
    r = requests.get(url, timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/javascript")
    head, token = url.split("trackingId=")
    forged = ("0" if token[0] != "0" else "1") + token[1:]
    assert requests.get(head + "trackingId=" + forged, timeout=30).status_code == 404
