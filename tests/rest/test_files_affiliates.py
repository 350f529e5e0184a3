"""Files, affiliates, merchants, locales and the application configuration over a live server, with the
XML-RPC services reading what REST wrote (and back)."""
from __future__ import annotations

import base64
import xmlrpc.client


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_files_upload_get_replace_list_delete(rest):
    made = rest.ok("POST", "/files", json={"file_name": "intake.txt", "file_data": b64(b"first"),
                                           "file_association": "CONTACT", "contact_id": 6, "is_public": False})
    info = made["file_descriptor"]
    assert made["file_data"] is None and info["file_name"] == "intake.txt" and info["file_size"] == 5
    assert info["contact_id"] == 6 and info["public"] is False and info["file_box_type"] == "Contact"
    assert base64.b64decode(rest.app.call("FileService.getFile", info["id"])) == b"first"
    got = rest.ok("GET", f"/files/{info['id']}", params={"optional_properties": "file_data"})
    assert base64.b64decode(got["file_data"]) == b"first"
    assert rest.ok("GET", f"/files/{info['id']}")["file_data"] is None

    xml_id = rest.app.call("FileService.uploadFile", 0, "logo.png", b64(b"\x89PNG"))
    company = rest.ok("POST", "/files", json={"file_name": "terms.pdf", "file_data": b64(b"%PDF"),
                                              "file_association": "COMPANY", "is_public": True})
    user = rest.ok("POST", "/files", json={"file_name": "notes.txt", "file_data": b64(b"mine"),
                                           "file_association": "USER"})
    assert rest.ok("GET", "/files")["count"] == 4
    assert [f["id"] for f in rest.ok("GET", "/files", params={"contact_id": 6})["files"]] == [info["id"]]
    assert [f["file_name"] for f in rest.ok("GET", "/files", params={"name": "*.png"})["files"]] == ["logo.png"]
    assert rest.ok("GET", "/files", params={"name": "logo.png"})["count"] == 1
    assert rest.ok("GET", "/files", params={"viewable": "PUBLIC"})["count"] == 1
    assert [f["file_name"] for f in rest.ok("GET", "/files", params={"permission": "USER"})["files"]] == ["notes.txt"]
    assert rest.ok("GET", "/files", params={"type": "Application"})["count"] == 3
    assert rest.get("/files", params={"type": "bad"}).status_code == 400  # the document's enum, as order's
    assert company["file_descriptor"]["category"] == "Documents" and user["file_descriptor"]["contact_id"] is None
    assert rest.ok("GET", f"/files/{xml_id}")["file_descriptor"]["category"] == "Images"

    replaced = rest.ok("PUT", f"/files/{info['id']}", json={"file_name": "intake-v2.txt", "file_data": b64(b"second"),
                                                            "is_public": True})
    assert replaced["file_descriptor"]["file_name"] == "intake-v2.txt" and replaced["file_descriptor"]["public"] is True
    assert base64.b64decode(rest.app.call("FileService.getFile", info["id"])) == b"second"
    assert rest.delete(f"/files/{info['id']}").status_code == 204
    assert rest.get(f"/files/{info['id']}").json() == {"message": "Unable to find this File"}

    assert rest.post("/files", json={"file_name": "x.txt", "file_data": b64(b"x"),
                                     "file_association": "CONTACT"}).status_code == 400
    assert rest.post("/files", json={"file_name": "x.txt", "file_data": b64(b"x"), "file_association": "CONTACT",
                                     "contact_id": 99999}).status_code == 400
    assert rest.post("/files", json={"file_name": "x.txt", "file_data": "%%%"}).status_code == 400
    assert rest.get(f"/files/{xml_id}", params={"optional_properties": "thumbnail"}).status_code == 400


def test_affiliates_and_their_money(rest):
    page = rest.ok("GET", "/affiliates")
    assert page["count"] == 4 and page["affiliates"][0] == {
        "id": 1, "code": "SAMALLEN", "contact_id": 35, "name": "Samuel Allen", "notify_on_lead": True,
        "notify_on_sale": True, "parent_id": 0, "status": "Active", "track_leads_for": 30}
    assert rest.ok("GET", "/affiliates", params={"status": "inactive"})["affiliates"][0]["code"] == "OLIVIAM"
    assert rest.ok("GET", "/affiliates", params={"code": "ezrachen"})["affiliates"][0]["id"] == 2
    assert rest.ok("GET", "/affiliates", params={"program_id": 1})["count"] >= 1
    made = rest.ok("POST", "/affiliates", 201, json={"code": "NEWPAL", "contact_id": 7, "password": "s3cret",
                                                     "notify_on_sale": True, "track_leads_for": 60})
    assert made["name"] == "Liam Nguyen" and made["track_leads_for"] == 60 and made["status"] == "Active"
    assert rest.app.call("DataService.load", "Affiliate", made["id"], ["AffCode", "ContactId"]) == {
        "AffCode": "NEWPAL", "ContactId": 7}
    assert rest.ok("GET", f"/affiliates/{made['id']}") == made
    assert rest.post("/affiliates", json={"code": "NEWPAL", "contact_id": 8, "password": "x"}).status_code == 400
    assert rest.post("/affiliates", json={"code": "X", "contact_id": 8}).status_code == 400
    assert rest.get("/affiliates/999").status_code == 404

    commissions = rest.ok("GET", "/affiliates/commissions", params={"affiliate_id": 1})
    assert commissions["count"] >= 2 and {"Noah"} == {c["contact_first_name"] for c in commissions["commissions"]}
    assert 19.9 in [c["amount_earned"] for c in commissions["commissions"]]
    assert rest.ok("GET", "/affiliates/commissions", params={"affiliateId": 1})["count"] == commissions["count"]
    assert rest.ok("GET", "/affiliates/commissions", params={"since": "2099-01-01T00:00:00Z"})["count"] == 0
    programs = rest.ok("GET", "/affiliates/programs")
    assert programs["programs"][0]["name"] == "Member Referral Program"
    assert rest.ok("GET", "/affiliates/programs", params={"affiliate_id": 1})["programs"][0]["affiliate_id"] == 1
    redirects = rest.ok("GET", "/affiliates/redirectlinks")
    assert {r["local_url_code"] for r in redirects["redirects"]} == {"spring", "plans", "corporate"}
    summaries = rest.ok("GET", "/affiliates/summaries", params={"affiliate_ids": "1,2"})
    assert [s["affiliate_id"] for s in summaries["summaries"]] == [1, 2] and summaries["count"] == 2
    totals = rest.app.call("APIAffiliateService.affRunningTotals", [1])[0]
    assert summaries["summaries"][0]["amount_earned"] == totals["AmountEarned"]
    assert summaries["summaries"][0]["balance"] == totals["RunningBalance"]
    every = (xmlrpc.client.DateTime("20000101T00:00:00"), xmlrpc.client.DateTime("20991231T00:00:00"))
    clawbacks = rest.ok("GET", "/affiliates/1/clawbacks")
    assert clawbacks["count"] == len(clawbacks["clawbacks"]) == len(
        rest.app.call("APIAffiliateService.affClawbacks", 1, *every))
    payments = rest.ok("GET", "/affiliates/1/payments")
    assert len(payments["payments"]) == len(rest.app.call("APIAffiliateService.affPayouts", 1, *every))
    assert rest.ok("GET", "/affiliates/model")["optional_properties"] == []


def test_merchants_locales_and_configuration(rest):
    merchants = rest.ok("GET", "/merchants")
    assert merchants["default_merchant_account"] == 1 and merchants["merchant_accounts"][0] == {
        "id": 1, "account_name": "Summit Peak Sandbox Gateway", "type": "Sandbox", "is_test": True}
    countries = rest.ok("GET", "/locales/countries")["countries"]
    assert countries["USA"] == "United States" and countries["DEU"] == "Germany"
    provinces = rest.ok("GET", "/locales/countries/USA/provinces")["provinces"]
    assert provinces["US-CO"] == "Colorado" and len(provinces) >= 50
    assert rest.ok("GET", "/locales/countries/CA/provinces")["provinces"]["CA-ON"] == "Ontario"
    assert rest.get("/locales/countries/XYZ/provinces").status_code == 404
    options = rest.ok("GET", "/locales/defaultOptions")
    assert options["contact_types"][:2] == ["Prospect", "Customer"] and "Mobile" in options["phone_types"]
    config = rest.ok("GET", "/setting/application/configuration")
    assert set(config) == {"affiliate", "application", "appointment", "contact", "ecommerce", "email", "forms",
                           "fulfillment", "invoice", "note", "opportunity", "task", "template"}
    assert config["application"]["company"]["name"] == "Summit Peak Coaching"
    assert config["ecommerce"]["default_merchant"] == "1" and config["opportunity"]["default_stage"] == "New Lead"
    assert config["opportunity"]["states"]["win"]["stage"] == "Won"


def test_moving_a_file_to_another_box_is_a_domain_write_in_the_change_log(rest):
    made = rest.ok("POST", "/files", json={"file_name": "moved.txt", "file_data": b64(b"m"),
                                           "file_association": "COMPANY"})["file_descriptor"]
    moved = rest.ok("PUT", f"/files/{made['id']}", json={"file_name": "moved.txt", "file_data": b64(b"m"),
                                                         "file_association": "CONTACT", "contact_id": 7})
    assert moved["file_descriptor"]["contact_id"] == 7 and moved["file_descriptor"]["file_box_type"] == "Contact"
    assert rest.app.call("DataService.load", "FileBox", made["id"], ["ContactId"]) == {"ContactId": 7}
    events = rest.app.live.control("GET", f"/apps/{rest.app.name}/events", params={"limit": 1000}).json()["events"]
    updates = [e["payload"] for e in events if e["type"] == "file.updated" and e["entity_id"] == made["id"]]
    assert updates == [{"contact_id": 7, "association": "CONTACT"}]
    # the same box again changes nothing and logs nothing
    rest.ok("PUT", f"/files/{made['id']}", json={"file_name": "moved.txt", "file_data": b64(b"m"), "contact_id": 7})
    events = rest.app.live.control("GET", f"/apps/{rest.app.name}/events", params={"limit": 1000}).json()["events"]
    assert len([e for e in events if e["type"] == "file.updated" and e["entity_id"] == made["id"]]) == 1
