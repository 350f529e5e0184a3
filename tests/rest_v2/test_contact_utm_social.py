"""A contact's UTM parameters: recorded by REST v1 (POST /contacts/{id}/utm) and by a v2 contact write
(``utm_parameters``), listed by v2's contact read with the first and last touch marked; its social accounts,
written whole by v1 or v2 and read by v2 and DataService."""
from __future__ import annotations

from tests.rest.conftest import rest_for


def test_utm_recorded_by_v1_and_v2_read_by_v2(v2):
    rest = rest_for(v2.app)
    cid = rest.ok("POST", "/contacts", 201, json={"email_addresses": [{"email": "utm1@example.com",
                                                                      "field": "EMAIL1"}]})["id"]
    first = rest.ok("POST", f"/contacts/{cid}/utm", 201, json={
        "keapSourceId": "6088383224687662", "utmSource": "google", "utmMedium": "cpc", "utmCampaign": "spring"})
    assert first == {"contactUtmId": first["contactUtmId"], "keapSourceId": "6088383224687662",
                     "utmCampaign": "spring", "utmContent": None, "utmMedium": "cpc", "utmSource": "google",
                     "utmTerm": None}
    assert rest.post(f"/contacts/{cid}/utm", json={"utmSource": "x"}).status_code == 400  # keapSourceId required
    assert rest.post("/contacts/999999/utm", json={"keapSourceId": "1"}).status_code == 404

    v2.ok("PATCH", f"/contacts/{cid}", json={"utm_parameters": {"keap_source_id": "77", "utm_source": "bing"}})
    read = v2.ok("GET", f"/contacts/{cid}", params={"fields": "utm_parameters"})
    assert [(u["keapSourceId"], u["utmSource"], u["firstTouch"], u["lastTouch"]) for u in read["utm_parameters"]] \
        == [("6088383224687662", "google", True, False), ("77", "bing", False, True)]
    made = v2.ok("POST", "/contacts", 201, json={
        "email_addresses": [{"email": "utm@example.com", "field": "EMAIL1"}],
        "utm_parameters": {"keap_source_id": "5", "utm_campaign": "fall"}})
    again = v2.ok("GET", f"/contacts/{made['id']}", params={"fields": "utm_parameters"})
    assert [(u["keapSourceId"], u["utmCampaign"]) for u in again["utm_parameters"]] == [("5", "fall")]

    rest.ok("DELETE", f"/contacts/{cid}", 204)  # a contact's UTMs go with it
    assert rest.post(f"/contacts/{cid}/utm", json={"keapSourceId": "1"}).status_code == 404


def test_social_accounts_written_by_v1_and_v2_read_by_v2_and_dataservice(v2):
    rest = rest_for(v2.app)
    cid = rest.ok("POST", "/contacts", 201, json={
        "email_addresses": [{"email": "social@example.com", "field": "EMAIL1"}],
        "social_accounts": [{"name": "@ada", "type": "Twitter"}, {"name": "ada.l", "type": "LinkedIn"}]})["id"]
    read = v2.ok("GET", f"/contacts/{cid}", params={"fields": "social_accounts"})
    assert read["social_accounts"] == [{"name": "@ada", "type": "TWITTER"}, {"name": "ada.l", "type": "LINKED_IN"}]
    rows = v2.app.call("DataService.query", "SocialAccount", 10, 0, {"ContactId": cid},
                       ["AccountName", "AccountType"])
    assert rows == [{"AccountName": "@ada", "AccountType": "Twitter"},
                    {"AccountName": "ada.l", "AccountType": "LinkedIn"}]

    v2.ok("PATCH", f"/contacts/{cid}", json={"social_accounts": [{"name": "ada_fb", "type": "FACEBOOK"}]})
    assert v2.ok("GET", f"/contacts/{cid}", params={"fields": "social_accounts"})["social_accounts"] == [
        {"name": "ada_fb", "type": "FACEBOOK"}]  # the list is replaced whole
    v2.ok("PATCH", f"/contacts/{cid}", params={"update_mask": "given_name"},
          json={"given_name": "Ada", "social_accounts": []})
    assert len(v2.ok("GET", f"/contacts/{cid}", params={"fields": "social_accounts"})["social_accounts"]) == 1
    bad = v2.error("PATCH", f"/contacts/{cid}", 400,
                   json={"social_accounts": [{"name": "x", "type": "SOCIAL_ACCOUNT_TYPE_UNSPECIFIED"}]})
    assert bad["details"][0]["resource"] == "social_accounts.0.type"
    assert rest.patch(f"/contacts/{cid}", json={"social_accounts": [{"name": "x" * 300, "type": "Twitter"}]}
                      ).status_code == 400
    assert v2.app.call("DataService.query", "SocialAccount", 10, 0, {"ContactId": cid}, ["AccountName"]) == [
        {"AccountName": "ada_fb"}]  # the refused writes changed nothing
    rest.ok("DELETE", f"/contacts/{cid}", 204)
    assert v2.app.call("DataService.query", "SocialAccount", 10, 0, {"ContactId": cid}, ["Id"]) == []
