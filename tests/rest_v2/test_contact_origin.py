"""A contact's origin (IP address and date) and source type, written by REST v1 and v2 and read by both; the
source type the sandbox sets itself (API, a form's, IMPORT for a seed's contacts); ``opt_in_reason`` read from
the email status the opt-in recorded (XML-RPC APIEmailService.optIn, v1, v2, a web form)."""
from __future__ import annotations

import re

import requests

from tests.rest.conftest import rest_for

V1_ASKED = {"optional_properties": "origin,source_type,opt_in_reason"}
V2_ASKED = {"fields": "origin,source_type,email_addresses"}


def test_v1_write_read_by_v1_and_v2(v2):
    rest = rest_for(v2.app)
    v2.app.clock(action="freeze")
    made = rest.ok("POST", "/contacts", 201, json={
        "email_addresses": [{"email": "origin1@example.com", "field": "EMAIL1"}],
        "origin": {"ip_address": "203.0.113.7"}, "source_type": "LANDINGPAGE", "opt_in_reason": "Asked at the fair"})
    got = rest.ok("GET", f"/contacts/{made['id']}", params=V1_ASKED)
    assert got["origin"] == {"ip_address": "203.0.113.7", "date": made["date_created"]}
    assert got["source_type"] == "LANDINGPAGE" and got["opt_in_reason"] == "Asked at the fair"
    plain = rest.ok("GET", f"/contacts/{made['id']}")
    assert not {"origin", "source_type", "opt_in_reason"} & set(plain)  # optional properties, asked for only

    seen = v2.ok("GET", f"/contacts/{made['id']}", params=V2_ASKED)
    assert seen["origin"]["ip_address"] == "203.0.113.7" and seen["origin"]["date"].endswith("Z")
    assert seen["source_type"] == "LANDING_PAGE"  # v2's spelling of the same type
    assert seen["email_addresses"][0]["opt_in_reason"] == "Asked at the fair"

    v2.app.clock(by="2d")
    rest.ok("PATCH", f"/contacts/{made['id']}", json={"origin": {"ip_address": "2001:db8::1"}})
    later = rest.ok("GET", f"/contacts/{made['id']}", params=V1_ASKED)
    assert later["origin"]["ip_address"] == "2001:db8::1" and later["origin"]["date"] > got["origin"]["date"]
    assert later["source_type"] == "LANDINGPAGE"  # what the write did not name stays
    rest.ok("PATCH", f"/contacts/{made['id']}", params={"update_mask": "given_name"},
            json={"given_name": "Masked", "source_type": "MANUAL"})
    assert rest.ok("GET", f"/contacts/{made['id']}", params=V1_ASKED)["source_type"] == "LANDINGPAGE"
    rest.ok("PATCH", f"/contacts/{made['id']}", json={"source_type": "MANUAL", "origin": None})
    cleared = rest.ok("GET", f"/contacts/{made['id']}", params=V1_ASKED)
    assert cleared["source_type"] == "MANUAL" and cleared["origin"] is None


def test_v1_defaults_upsert_and_bad_values(v2):
    rest = rest_for(v2.app)
    made = rest.ok("POST", "/contacts", 201, json={"email_addresses": [{"email": "plain@example.com",
                                                                        "field": "EMAIL1"}]})
    got = rest.ok("GET", f"/contacts/{made['id']}", params=V1_ASKED)
    assert (got["source_type"], got["origin"], got["opt_in_reason"]) == ("API", None, None)  # not opted in
    upserted = rest.ok("PUT", "/contacts", json={
        "email_addresses": [{"email": "plain@example.com", "field": "EMAIL1"}], "duplicate_option": "Email",
        "origin": {"ip_address": "198.51.100.2"}, "source_type": "OTHER"})
    assert upserted["id"] == made["id"]
    again = rest.ok("GET", f"/contacts/{made['id']}", params=V1_ASKED)
    assert again["origin"]["ip_address"] == "198.51.100.2" and again["source_type"] == "OTHER"
    listed = rest.ok("GET", "/contacts", params={"email": "plain@example.com", **V1_ASKED})["contacts"]
    assert [(c["origin"]["ip_address"], c["source_type"]) for c in listed] == [("198.51.100.2", "OTHER")]

    for body in ({"source_type": "SPAM"}, {"origin": {"ip_address": "1" * 101}}, {"origin": "1.2.3.4"}):
        bad = rest.patch(f"/contacts/{made['id']}", json=body)
        assert bad.status_code == 400 and "message" in bad.json(), body
    assert rest.ok("GET", f"/contacts/{made['id']}", params=V1_ASKED)["source_type"] == "OTHER"  # unchanged


def test_v2_write_read_by_v2_and_v1(v2):
    rest = rest_for(v2.app)
    made = v2.ok("POST", "/contacts", 201, params=V2_ASKED, json={
        "email_addresses": [{"email": "origin2@example.com", "field": "EMAIL1", "opt_in_reason": "Form on the blog"}],
        "origin": {"ip_address": "192.0.2.44"}, "source_type": "FORM_API_HOSTED"})
    assert made["origin"]["ip_address"] == "192.0.2.44" and made["source_type"] == "FORM_API_HOSTED"
    assert made["email_addresses"][0]["opt_in_reason"] == "Form on the blog"
    v1 = rest.ok("GET", f"/contacts/{made['id']}", params=V1_ASKED)
    assert v1["origin"]["ip_address"] == "192.0.2.44" and v1["source_type"] == "FORMAPIHOSTED"
    assert v1["opt_in_reason"] == "Form on the blog"

    default = v2.ok("GET", f"/contacts/{made['id']}")
    assert "origin" not in default and "source_type" not in default  # not among the default fields
    v2.ok("PATCH", f"/contacts/{made['id']}", params={"update_mask": "source_type"}, json={"source_type": "IMPORT"})
    assert v2.ok("GET", f"/contacts/{made['id']}", params=V2_ASKED)["source_type"] == "IMPORT"
    v2.ok("PATCH", f"/contacts/{made['id']}", params={"update_mask": "origin"}, json={})  # masked, absent: cleared
    after = v2.ok("GET", f"/contacts/{made['id']}", params=V2_ASKED)
    assert "origin" not in after and after["source_type"] == "IMPORT"

    plain = v2.ok("POST", "/contacts", 201, params=V2_ASKED,
                  json={"email_addresses": [{"email": "plain2@example.com", "field": "EMAIL1"}]})
    assert plain["source_type"] == "API" and "origin" not in plain
    assert "opt_in_reason" not in plain["email_addresses"][0]  # not opted in: no reason
    bad = v2.error("PATCH", f"/contacts/{made['id']}", 400, json={"source_type": "SPAM"})
    assert bad["details"][0]["resource"] == "source_type"
    bad = v2.error("POST", "/contacts", 400, json={
        "email_addresses": [{"email": "x@example.com", "field": "EMAIL1"}], "origin": {"ip_address": "1" * 101}})
    assert bad["details"][0]["resource"] == "origin.ip_address"


def test_the_sdk_reads_origin_and_source_type(sdk, v2):
    from keap_core_v2_client import ContactApi
    from keap_core_v2_client.models import CreateUpdateContactRequest, EmailAddressRequest, OriginRequest

    api = ContactApi(sdk)
    made = api.create_contact(CreateUpdateContactRequest(
        email_addresses=[EmailAddressRequest(email="sdk-origin@v2.test", field="EMAIL1")],
        origin=OriginRequest(ip_address="198.51.100.9"), source_type="WEBFORM"))
    got = api.get_contact(made.id, fields=["origin", "source_type"])
    assert got.origin.ip_address == "198.51.100.9" and got.source_type == "WEBFORM"


def test_source_type_set_by_the_sandbox_and_opt_in_reason_from_xmlrpc(v2):
    app, rest = v2.app, rest_for(v2.app)
    xid = app.call("ContactService.add", {"FirstName": "Rpc", "Email": "rpc-origin@example.com"})
    assert app.call("APIEmailService.optIn", "rpc-origin@example.com", "Said yes on the phone") is True
    got = rest.ok("GET", f"/contacts/{xid}", params=V1_ASKED)
    assert got["source_type"] == "API" and got["origin"] is None
    assert got["opt_in_reason"] == "Said yes on the phone"
    app.call("APIEmailService.optOut", "rpc-origin@example.com", "No more")
    assert rest.ok("GET", f"/contacts/{xid}", params=V1_ASKED)["opt_in_reason"] is None  # opted out since

    seeded = app.call("ContactService.findByEmail", "noah.patel@mail.example.com", ["Id"])[0]["Id"]
    assert rest.ok("GET", f"/contacts/{seeded}", params=V1_ASKED)["source_type"] == "IMPORT"

    forms = {name: int(i) for i, name in app.call("WebFormService.getMap").items()}
    for form, source_type in (("Free Guide Download", "WEBFORM"), ("Spring Challenge Registration", "LANDINGPAGE")):
        html = app.call("WebFormService.getHTML", forms[form])
        action = re.search(r'<form[^>]* action="([^"]+)"', html).group(1)
        email = f"{source_type.lower()}@example.com"
        r = requests.post(action, data={"inf_field_FirstName": "Form", "inf_field_LastName": "Visitor",
                                        "inf_field_Email": email, "inf_field_Phone1": "555-010-1234",
                                        "inf_option_EmailConsent": "yes"},
                          allow_redirects=False, timeout=30)
        assert r.status_code == 302, r.text
        cid = app.call("ContactService.findByEmail", email, ["Id"])[0]["Id"]
        got = rest.ok("GET", f"/contacts/{cid}", params=V1_ASKED)
        assert got["source_type"] == source_type and got["origin"]["ip_address"] == "127.0.0.1"
        assert got["opt_in_reason"] == f"Web Form: {form}"


def test_snapshots_and_exports_carry_origin_and_source_type(v2):
    app, rest = v2.app, rest_for(v2.app)
    control = app.live.control
    cid = rest.ok("POST", "/contacts", 201, json={
        "email_addresses": [{"email": "kept@example.com", "field": "EMAIL1"}],
        "origin": {"ip_address": "192.0.2.1"}, "source_type": "APPOINTMENT"})["id"]
    before = rest.ok("GET", f"/contacts/{cid}", params=V1_ASKED)
    assert control("POST", f"/apps/{app.name}/snapshots", json={"name": "s1"}).status_code == 201
    rest.ok("PATCH", f"/contacts/{cid}", json={"origin": {"ip_address": "192.0.2.99"}, "source_type": "OTHER"})
    assert control("POST", f"/apps/{app.name}/snapshots/s1/restore").status_code == 200
    assert rest.ok("GET", f"/contacts/{cid}", params=V1_ASKED) == before

    exported = control("GET", f"/apps/{app.name}/export")
    assert exported.status_code == 200, exported.text
    r = control("POST", "/apps/import", params={"name": app.name + "-copy"}, data=exported.content,
                headers={"Content-Type": "application/gzip"})
    assert r.status_code == 201, r.text
    copy = rest_for(type(app)(r.json()["name"], r.json()["legacy_api_key"], app.live))
    assert copy.ok("GET", f"/contacts/{cid}", params=V1_ASKED) == before
