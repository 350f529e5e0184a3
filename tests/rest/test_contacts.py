"""/contacts over a live server: shapes, envelopes, filters, create / upsert / patch / delete, the model and
custom fields, a contact's tags and emails; and XML-RPC and REST reading each other's writes."""
from __future__ import annotations

import requests


def ada(**extra):
    return {"given_name": "Ada", "family_name": "Lovelace",
            "email_addresses": [{"email": "ada@example.com", "field": "EMAIL1"}], **extra}


def test_list_envelope_paging_and_default_shape(rest):
    page = rest.ok("GET", "/contacts", params={"limit": 2, "offset": 2})
    assert set(page) == {"contacts", "count", "next", "previous"} and len(page["contacts"]) == 2
    assert page["count"] == 60  # the total, not the page
    assert page["next"] == rest.base + "/contacts/?limit=2&offset=4&order=id"
    assert page["previous"] == rest.base + "/contacts/?limit=2&offset=0&order=id"
    contact = page["contacts"][0]
    assert list(contact) == ["id", "given_name", "family_name", "middle_name", "email_addresses", "phone_numbers",
                             "addresses", "tag_ids", "company", "owner_id", "email_opted_in", "email_status",
                             "ScoreValue", "date_created", "last_updated", "last_updated_utc_millis"]
    assert contact["date_created"].endswith(".000+0000")
    default = rest.ok("GET", "/contacts")
    assert len(default["contacts"]) == 60 and default["previous"].endswith("?limit=1000&offset=0&order=id")
    empty = rest.ok("GET", "/contacts", params={"offset": 100})
    assert empty["contacts"] == [] and empty["count"] == 60


def test_filters_ordering_and_since(rest):
    one = rest.ok("GET", "/contacts", params={"email": "LIAM.NGUYEN@example.com"})
    assert one["count"] == 1 and one["contacts"][0]["given_name"] == "Liam"
    assert "email=LIAM.NGUYEN%40example.com" in one["next"]
    by_name = rest.ok("GET", "/contacts", params={"given_name": "Olivia", "family_name": "Martinez"})
    assert [c["id"] for c in by_name["contacts"]] == [6]
    down = rest.ok("GET", "/contacts", params={"order": "id", "order_direction": "DESCENDING", "limit": 3})
    assert [c["id"] for c in down["contacts"]] == sorted((c["id"] for c in down["contacts"]), reverse=True)
    rest.app.clock(by="1h")
    made = rest.ok("POST", "/contacts", 201, json=ada())
    later = rest.ok("GET", "/contacts", params={"since": made["last_updated"], "order": "last_updated"})
    assert [c["id"] for c in later["contacts"]] == [made["id"]]
    before = rest.ok("GET", "/contacts", params={"until": "2000-01-01T00:00:00.000Z"})
    assert before["count"] == 0
    assert rest.get("/contacts", params={"order": "shoe_size"}).status_code == 400
    assert rest.get("/contacts", params={"since": "yesterday"}).status_code == 400
    assert rest.get("/contacts", params={"unknown_param": "ignored"}).status_code == 200


def test_create_get_with_optional_properties_and_errors(rest):
    made = rest.ok("POST", "/contacts", 201, json=ada(
        phone_numbers=[{"number": "987-654-3211", "field": "PHONE1", "type": "Mobile"}],
        addresses=[{"field": "BILLING", "line1": "1 Main St", "locality": "Denver", "region": "CO",
                    "postal_code": "80202", "country_code": "USA"}],
        birthday="1815-12-10", job_title="Analyst", company={"id": 1},
        custom_fields=[{"id": 1, "content": 9}, {"id": 5, "content": "SPC-9"}], opt_in_reason="Signed up"))
    assert made["phone_numbers"][0]["number"] == "(987) 654-3211"  # stored as the real server does
    assert made["addresses"][0]["country_code"] == "USA" and made["company"]["id"] == 1
    assert made["email_opted_in"] is True and made["email_status"] == "SingleOptIn"
    got = rest.ok("GET", f"/contacts/{made['id']}", params={"optional_properties": "custom_fields,birthday,job_title"})
    assert got["birthday"].startswith("1815-12-10") and got["job_title"] == "Analyst"
    assert {"id": 1, "content": 9} in got["custom_fields"] and {"id": 5, "content": "SPC-9"} in got["custom_fields"]
    bad = rest.get(f"/contacts/{made['id']}", params={"optional_properties": "shoe_size"})
    assert bad.status_code == 400 and bad.json()["message"].startswith("The following optional-properties")
    nobody = rest.post("/contacts", json={"given_name": "Nobody"})
    assert nobody.status_code == 400
    assert nobody.json() == {"message": "Contact must contain an e-mail address or phone number"}
    assert rest.post("/contacts", json=ada(shoe_size=9)).status_code == 400  # unknown property
    assert rest.post("/contacts", json=ada(owner_id="me")).status_code == 400  # bad value
    assert rest.post("/contacts", json=ada(addresses=[{"field": "BILLING", "region": "CO"}])).status_code == 400
    assert rest.post("/contacts", json=ada(custom_fields=[{"id": 999, "content": 1}])).status_code == 400
    assert rest.post("/contacts", data="{not json", headers={"Content-Type": "application/json"}).status_code == 400
    missing = rest.get("/contacts/99999")
    assert missing.status_code == 404 and missing.json() == {"message": "Unable to find this Contact"}


def test_upsert_with_duplicate_option(rest):
    first = rest.ok("PUT", "/contacts", json=ada(duplicate_option="Email"))
    again = rest.ok("PUT", "/contacts", json={"email_addresses": [{"email": "ADA@example.com", "field": "EMAIL1"}],
                                              "job_title": "Countess", "duplicate_option": "Email"})
    assert again["id"] == first["id"] and again["given_name"] == "Ada"
    other_name = rest.ok("PUT", "/contacts", json=ada(given_name="Augusta", duplicate_option="EmailAndName"))
    assert other_name["id"] != first["id"]
    assert rest.put("/contacts", json=ada(duplicate_option="Phone")).status_code == 400


def test_patch_update_mask_collections_and_delete(rest):
    made = rest.ok("POST", "/contacts", 201, json=ada(phone_numbers=[{"number": "555-0100", "field": "PHONE2"}]))
    cid = made["id"]
    patched = rest.ok("PATCH", f"/contacts/{cid}", params={"update_mask": "family_name"},
                      json={"given_name": "Not me", "family_name": "King"})
    assert patched["given_name"] == "Ada" and patched["family_name"] == "King"  # the mask wins [wire S9]
    both = rest.ok("PATCH", f"/contacts/{cid}", params=[("update_mask", "given_name"), ("update_mask", "middle_name")],
                   json={"given_name": "Augusta", "middle_name": "Ada"})
    assert (both["given_name"], both["middle_name"]) == ("Augusta", "Ada")
    replaced = rest.ok("PATCH", f"/contacts/{cid}", json={"email_addresses": [{"email": "a2@example.com",
                                                                                 "field": "EMAIL2"}]})
    assert replaced["email_addresses"] == [{"email": "a2@example.com", "field": "EMAIL2"}]  # replace (option)
    assert replaced["phone_numbers"][0]["field"] == "PHONE2"  # other collections untouched
    rest.app.live.control("PATCH", f"/apps/{rest.app.name}/options", json={"rest_patch_collections": "merge"})
    merged = rest.ok("PATCH", f"/contacts/{cid}", json={"email_addresses": [{"email": "a1@example.com",
                                                                               "field": "EMAIL1"}]})
    assert [e["field"] for e in merged["email_addresses"]] == ["EMAIL1", "EMAIL2"]
    assert rest.patch(f"/contacts/{cid}", params={"update_mask": "shoe"}, json={}).status_code == 400
    assert rest.patch("/contacts/99999", json={"given_name": "x"}).status_code == 404
    assert rest.delete(f"/contacts/{cid}").status_code == 204
    gone = rest.delete(f"/contacts/{cid}")
    assert gone.status_code == 404 and gone.json() == {"message": "Unable to find this Contact"}


def test_both_protocols_read_each_others_writes(rest):
    made = rest.ok("POST", "/contacts", 201, json=ada(
        phone_numbers=[{"number": "555-0101", "field": "PHONE1", "type": "Work", "extension": "12"}],
        addresses=[{"field": "SHIPPING", "line1": "2 Side St", "locality": "Boulder", "country_code": "CAN"}],
        custom_fields=[{"id": 2, "content": "Plus"}]))
    loaded = rest.app.call("ContactService.load", made["id"], ["FirstName", "LastName", "Email", "Phone1",
                                                               "Phone1Ext", "Address2Street1", "City2", "Country2",
                                                               "_MembershipLevel"])
    assert loaded == {"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@example.com",
                      "Phone1": "555-0101", "Phone1Ext": "12", "Address2Street1": "2 Side St",
                      "City2": "Boulder", "Country2": "Canada", "_MembershipLevel": "Plus"}
    xml_id = rest.app.call("ContactService.add", {"FirstName": "Grace", "Email": "grace@example.com",
                                                  "Phone1": "5550102", "City": "Arlington", "Country": "United States",
                                                  "_ShoeSize": 8})
    rest.app.call("ContactService.addToGroup", xml_id, 3)
    got = rest.ok("GET", f"/contacts/{xml_id}", params={"optional_properties": "custom_fields"})
    assert got["given_name"] == "Grace"
    assert got["email_addresses"] == [{"email": "grace@example.com", "field": "EMAIL1"}]
    assert got["addresses"][0]["locality"] == "Arlington" and got["addresses"][0]["country_code"] == "USA"
    assert got["tag_ids"] == [3] and {"id": 1, "content": 8} in got["custom_fields"]
    rest.ok("PATCH", f"/contacts/{xml_id}", json={"family_name": "Hopper"})
    assert rest.app.call("ContactService.load", xml_id, ["LastName"]) == {"LastName": "Hopper"}


def test_model_and_custom_field_creation(rest):
    model = rest.ok("GET", "/contacts/model")
    assert "custom_fields" in model["optional_properties"]
    level = next(f for f in model["custom_fields"] if f["label"] == "Membership Level")
    assert level["field_type"] == "Dropdown" and level["record_type"] == "CONTACT"
    assert [o["label"] for o in level["options"]] == ["Basic", "Plus", "Premium", "Elite"]
    made = rest.ok("POST", "/contacts/model/customFields", 201, json={
        "label": "Favourite Colour", "field_type": "Radio", "options": [{"label": "Red"}, {"label": "Blue"}]})
    assert made["field_name"] == "FavouriteColour" and made["field_type"] == "Radio"
    cid = rest.app.call("ContactService.add", {"FirstName": "C", "_FavouriteColour": "Blue"})
    got = rest.ok("GET", f"/contacts/{cid}", params={"optional_properties": "custom_fields"})
    assert {"id": made["id"], "content": "Blue"} in got["custom_fields"]
    assert rest.post("/contacts/model/customFields", json={"label": "x", "field_type": "Hologram"}).status_code == 400


def test_a_contacts_tags_and_emails(rest):
    cid = rest.ok("POST", "/contacts", 201, json=ada())["id"]
    assert rest.ok("POST", f"/contacts/{cid}/tags", json={"tagIds": [1, 2, 999]}) == {
        "1": "SUCCESS", "2": "SUCCESS", "999": "TAG_ID_NOT_FOUND"}
    assert rest.ok("POST", f"/contacts/{cid}/tags", json={"tagIds": [1]}) == {"1": "DUPLICATE"}
    listed = rest.ok("GET", f"/contacts/{cid}/tags")
    assert listed["count"] == 2
    assert listed["tags"][0]["tag"] == {"id": 1, "name": "Google Ads", "category": "Lead Source"}
    assert listed["next"].startswith(rest.base + f"/contacts/{cid}/tags?")  # a sub-collection: no slash
    assert rest.app.call("ContactService.load", cid, ["Groups"]) == {"Groups": "1,2"}
    assert rest.delete(f"/contacts/{cid}/tags", params={"ids": "1,2"}).status_code == 204
    assert rest.ok("GET", f"/contacts/{cid}/tags")["count"] == 0
    rest.ok("POST", f"/contacts/{cid}/tags", json={"tagIds": [4]})
    assert rest.delete(f"/contacts/{cid}/tags/4").status_code == 204
    assert rest.post("/contacts/99999/tags", json={"tagIds": [1]}).status_code == 404
    assert rest.post(f"/contacts/{cid}/tags", json={"tagIds": []}).status_code == 400
    emails = rest.ok("GET", f"/contacts/{cid}/emails")
    assert emails["emails"] == [] and emails["count"] == 0


def test_gateway_answers_before_routing(rest):
    url = rest.base + "/contacts"
    none = requests.get(url, timeout=10)
    assert none.status_code == 401 and none.json()["fault"]["detail"]["errorcode"] == "oauth.v2.InvalidAccessToken"
    assert requests.get(rest.base + "/no/such/thing", timeout=10).status_code == 401  # auth before routing
    bad = requests.get(url, headers={"Authorization": "Bearer nope"}, timeout=10)
    assert bad.json()["fault"]["detail"]["errorcode"] == "keymanagement.service.invalid_access_token"
    unknown = rest.get("/no/such/thing")
    assert unknown.status_code == 404 and "Page Not Found" in unknown.text and "html" in unknown.headers["Content-Type"]
    assert rest.patch("/tags").status_code == 405
    with_body = rest.http.request("GET", url, data=b'{"a": 1}', timeout=10)
    assert with_body.status_code == 400 and "malformed or illegal request" in with_body.text
    by_query = requests.get(url, params={"access_token": "nope"}, timeout=10)
    assert by_query.status_code == 401


def test_throttle_headers_on_rest(app):
    from tests.rest.conftest import rest_for

    rest = rest_for(app, throttle=True)
    r = rest.get("/contacts", params={"limit": 1})
    assert r.status_code == 200
    assert r.headers["x-keap-product-throttle-limit"] == "240" and r.headers["x-keap-tenant-id"].startswith(app.name)


def test_score_value_and_relationships_come_from_the_store(rest):
    """Issue 15 #12: ScoreValue is the contact's lead score (set through the control API) and relationships
    are its links (ContactService.linkContacts), not constants."""
    app = rest.app
    a = app.call("ContactService.add", {"FirstName": "Scored", "Email": "scored@example.com"})
    b = app.call("ContactService.add", {"FirstName": "Linked"})
    assert rest.ok("GET", f"/contacts/{a}")["ScoreValue"] == "0"
    r = app.live.control("POST", f"/apps/{app.name}/contacts/{a}/lead-score", json={"score": 42})
    assert r.status_code == 200, r.text
    assert rest.ok("GET", f"/contacts/{a}")["ScoreValue"] == "42"
    listed = rest.ok("GET", "/contacts", params={"email": "scored@example.com"})["contacts"]
    assert [c["ScoreValue"] for c in listed] == ["42"]
    link_type = app.call("DataService.query", "LinkedContactType", 10, 0, {"TypeName": "Business Partner"},
                         ["Id"])[0]["Id"]  # seeded
    assert app.call("ContactService.linkContacts", a, b, link_type) is True
    shown = rest.ok("GET", f"/contacts/{a}", params={"optional_properties": "relationships"})
    assert shown["relationships"] == [{"linked_contact_id": b, "relationship_type_id": link_type}]
