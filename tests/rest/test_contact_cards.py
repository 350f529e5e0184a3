"""A contact's credit cards through REST v1, over a live server: cards written here are the CreditCard rows
DataService reads (number masked, security code never kept)."""
from __future__ import annotations

import xmlrpc.client

VISA = "4111111111111111"


def _contact(rest) -> int:
    return rest.ok("POST", "/contacts", 201, json={"email_addresses": [{"email": "cards@example.com",
                                                                        "field": "EMAIL1"}]})["id"]


def test_create_and_list_credit_cards(rest):
    cid = _contact(rest)
    assert rest.ok("GET", f"/contacts/{cid}/creditCards") == []
    made = rest.ok("POST", f"/contacts/{cid}/creditCards", 201, json={
        "card_number": VISA, "expiration_month": "12", "expiration_year": "2031", "verification_code": "123",
        "name_on_card": "Ada Lovelace", "email_address": "cards@example.com",
        "address": {"field": "BILLING", "line1": "1 Main St", "locality": "Phoenix", "zip_code": "85001",
                    "country_code": "USA"}})
    assert made["contact_id"] == cid and made["card_type"] == "Visa" and made["validation_status"] == "Valid"
    assert made["validation_message"] == "Card is valid" and made["address"]["line1"] == "1 Main St"
    assert "card_number" not in made and "verification_code" not in made
    bad = rest.ok("POST", f"/contacts/{cid}/creditCards", 201, json={
        "card_number": "4111111111111112", "expiration_month": "01", "expiration_year": "2031"})
    assert bad["validation_status"] == "Invalid" and bad["validation_message"] == "Card number is invalid"
    listed = rest.ok("GET", f"/contacts/{cid}/creditCards")
    assert [(c["id"], c["card_number"], c["validation_status"]) for c in listed] == [
        (made["id"], "************1111", "Valid"), (bad["id"], "************1112", "Invalid")]
    junk = rest.ok("POST", f"/contacts/{cid}/creditCards", 201, json={
        "card_number": "12", "expiration_month": "01", "expiration_year": "2031"})
    assert junk["validation_status"] == "Invalid" and "card_type" not in junk and "address" not in junk
    unknown_type = rest.ok("GET", f"/contacts/{cid}/creditCards")[-1]  # no issuer's number: no type, not null
    assert unknown_type["id"] == junk["id"] and "card_type" not in unknown_type

    # the row DataService reads: billing address, masked number, no security code
    server = xmlrpc.client.ServerProxy(rest.app.live.url + "/api/xmlrpc")
    row = server.DataService.load(rest.app.key, "CreditCard", made["id"],
                                  ["ContactId", "Last4", "BillAddress1", "BillCity", "BillZip", "NameOnCard"])
    assert row == {"ContactId": cid, "Last4": "1111", "BillAddress1": "1 Main St", "BillCity": "Phoenix",
                   "BillZip": "85001", "NameOnCard": "Ada Lovelace"}


def test_credit_card_refusals(rest):
    cid = _contact(rest)
    missing = rest.post(f"/contacts/{cid}/creditCards", json={"card_number": VISA})
    assert missing.status_code == 400 and "expiration_month" in missing.json()["message"]
    unknown = rest.post(f"/contacts/{cid}/creditCards", json={"card_number": VISA, "colour": "red"})
    assert unknown.status_code == 400
    nobody = rest.post("/contacts/999999/creditCards", json={"card_number": VISA, "expiration_month": "1",
                                                             "expiration_year": "2031"})
    assert nobody.status_code == 404
    assert rest.get("/contacts/999999/creditCards").status_code == 404
    assert rest.ok("GET", f"/contacts/{cid}/creditCards") == []  # nothing was written by the refusals


def test_a_card_address_maps_as_a_contact_address_does(rest):
    """people.address_columns: the country stored by name, an unknown country code or a region without one refused."""
    cid = _contact(rest)
    made = rest.ok("POST", f"/contacts/{cid}/creditCards", 201, json={
        "card_number": VISA, "expiration_month": "12", "expiration_year": "2031",
        "address": {"field": "SHIPPING", "line1": "2 Side St", "postal_code": "10001", "country_code": "USA"}})
    server = xmlrpc.client.ServerProxy(rest.app.live.url + "/api/xmlrpc")
    row = server.DataService.load(rest.app.key, "CreditCard", made["id"], ["ShipAddress1", "ShipZip", "ShipCountry"])
    assert row == {"ShipAddress1": "2 Side St", "ShipZip": "10001", "ShipCountry": "United States"}
    for address in ({"field": "BILLING", "country_code": "ZZZ"}, {"field": "BILLING", "region": "AZ"}):
        refused = rest.post(f"/contacts/{cid}/creditCards", json={
            "card_number": VISA, "expiration_month": "12", "expiration_year": "2031", "address": address})
        assert refused.status_code == 400 and "country_code" in refused.json()["message"]
    assert len(rest.ok("GET", f"/contacts/{cid}/creditCards")) == 1
