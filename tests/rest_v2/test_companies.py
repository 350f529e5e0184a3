"""Companies through REST v2, end to end on a live server: every answer is checked against Keap's contract by
the ``v2`` fixture; a company written through v2 is the row XML-RPC (DataService ``Company``) and REST v1
(``/companies``) read, and a tag applied to it through v2 is the row ContactService.addToGroup writes."""
from __future__ import annotations

from tests.rest.conftest import rest_for
from tests.rest.test_hooks import Receiver, subscribe


def test_create_read_update_delete_a_company_seen_by_every_protocol(v2):
    made = v2.ok("POST", "/companies", 201, json={
        "company_name": "Summit Outfitters", "website": "https://summit.test", "notes": "Gear partner",
        "email_address": {"email": "hello@summit.test", "field": "EMAIL1"},
        "phone_number": {"number": "555-0100", "extension": "12", "type": "Work", "field": "PHONE1"},
        "fax_number": {"number": "555-0199", "type": "Work"},
        "address": {"line1": "1 Peak Rd", "locality": "Boulder", "region_code": "US-CO", "postal_code": "80301",
                    "country_code": "USA"},
        "job_title": "Owner", "first_name": "Ada", "anniversary_date": "2015-06-20"})
    company_id = made["id"]
    assert made["company_name"] == "Summit Outfitters" and made["create_time"].endswith("Z")
    assert made["address"]["country_code"] == "USA" and made["address"]["locality"] == "Boulder"
    assert made["email_address"]["email"] == "hello@summit.test" and made["anniversary_date"] == "2015-06-20"
    assert v2.ok("GET", f"/companies/{company_id}") == made

    row = v2.app.call("DataService.load", "Company", int(company_id),
                      ["Company", "Email", "Phone1", "Phone1Ext", "City", "State", "Country", "ContactNotes"])
    assert row == {"Company": "Summit Outfitters", "Email": "hello@summit.test", "Phone1": "555-0100",
                   "Phone1Ext": "12", "City": "Boulder", "State": "Colorado", "Country": "United States",
                   "ContactNotes": "Gear partner"}
    v1 = rest_for(v2.app).ok("GET", f"/companies/{company_id}")
    assert v1["company_name"] == "Summit Outfitters" and v1["email_address"] == "hello@summit.test"

    # update_mask: only the masked properties change; a masked property absent from the body is cleared
    changed = v2.ok("PATCH", f"/companies/{company_id}", params={"update_mask": "website,notes"},
                    json={"website": "https://summit2.test", "company_name": "ignored"})
    assert changed["website"] == "https://summit2.test" and "notes" not in changed
    assert changed["company_name"] == "Summit Outfitters"
    changed = v2.ok("PATCH", f"/companies/{company_id}", json={"company_name": "Summit Co"})
    assert changed["company_name"] == "Summit Co" and changed["website"] == "https://summit2.test"
    assert v2.app.call("DataService.load", "Company", int(company_id), ["Company"]) == {"Company": "Summit Co"}
    assert "company_name" in v2.error("PATCH", f"/companies/{company_id}", 400, json={"company_name": ""})["message"]

    assert v2.delete(f"/companies/{company_id}").status_code == 204
    assert v2.error("GET", f"/companies/{company_id}", 404)["details"] == [
        {"domain": "Company", "resource": company_id}]
    assert v2.app.call("DataService.query", "Company", 10, 0, {"Id": int(company_id)}, ["Id"]) == []
    assert v2.error("GET", "/companies/6", 404)["status"] == "NOT_FOUND"  # a contact is no company


def test_list_filter_order_fields_and_paging(v2):
    made = [v2.app.call("DataService.add", "Company", {"Company": name, "Email": email, "City": city})
            for name, email, city in (("Zeta Works", "z@zeta.test", "Denver"), ("Quxa Labs", "a@alpha.test", "Aspen"),
                                      ("Quxb Gear", "g@alpine.test", "Boulder"))]
    listed = v2.ok("GET", "/companies")["companies"]
    ours = [c for c in listed if int(c["id"]) in made]
    assert [c["company_name"] for c in ours] == ["Zeta Works", "Quxa Labs", "Quxb Gear"]
    assert all("email_address" not in c and "address" not in c for c in ours)  # not by default in a list
    names = lambda page: [c["company_name"] for c in page["companies"]]  # noqa: E731
    assert names(v2.ok("GET", "/companies", params={"filter": "name==qux*"})) == ["Quxa Labs", "Quxb Gear"]
    assert names(v2.ok("GET", "/companies", params={"filter": "company_name==quxa labs"})) == ["Quxa Labs"]
    assert names(v2.ok("GET", "/companies", params={"filter": "email==z@zeta.test"})) == ["Zeta Works"]
    assert names(v2.ok("GET", "/companies", params={"filter": "city==Bou*;name==Qux*"})) == ["Quxb Gear"]
    ids = lambda text: [int(c["id"]) for c in v2.ok("GET", "/companies", params={"filter": text})["companies"]]  # noqa: E731
    zeta, quxa, quxb = made
    assert ids(f"company_id=={quxa}") == [quxa]
    assert ids(f"company_id>{zeta}") == [quxa, quxb] and ids(f"company_id>={quxa}") == [quxa, quxb]
    assert ids(f"company_id<{quxb};company_id>={zeta}") == [zeta, quxa]
    assert ids(f"company_id<={zeta}")[-1] == zeta and ids(f"company_id=={quxb};name==Qux*") == [quxb]
    assert v2.error("GET", "/companies", 400, params={"filter": "company_id==x"})["details"] == [
        {"domain": "request", "resource": "filter.company_id"}]
    ordered = names(v2.ok("GET", "/companies", params={"order_by": "name desc"}))
    assert ordered == sorted(ordered, key=str.lower, reverse=True) or ordered == sorted(ordered, reverse=True)
    with_email = v2.ok("GET", "/companies", params={"filter": "name==Zeta*", "fields": "email_address,address"})
    assert with_email["companies"][0]["email_address"]["email"] == "z@zeta.test"
    assert with_email["companies"][0]["address"]["locality"] == "Denver"
    walked = v2.walk("/companies", "companies", page_size=1)
    assert [c["id"] for c in walked] == [c["id"] for c in listed]
    assert "fields" in v2.error("GET", "/companies", 400, params={"fields": "colour"})["message"]
    assert "filter" in v2.error("GET", "/companies", 400, params={"filter": "colour==red"})["message"]
    bad = v2.error("POST", "/companies", 400, json={"company_name": "x", "address": {"region_code": "ZZ-99"}})
    assert bad["details"] == [{"domain": "request", "resource": "address.region_code"}]


def test_tags_on_a_company_and_the_company_hook(v2):
    receiver = Receiver()
    try:
        subscribe(rest_for(v2.app), receiver, "company.add")
        company = v2.ok("POST", "/companies", 201, json={"company_name": "Tagged Inc"})
        tag = v2.ok("POST", "/tags", 201, json={"name": "Supplier"})
        assert v2.post(f"/companies/{company['id']}/tags/{tag['id']}").status_code == 204
        [applied] = v2.ok("GET", f"/companies/{company['id']}/tags")["tags"]
        assert applied["tag"]["id"] == tag["id"] and applied["applied_time"].endswith("Z")
        assert v2.ok("GET", f"/companies/{company['id']}")["groups"] == tag["id"]
        assert str(tag["id"]) in v2.app.call("DataService.load", "Company", int(company["id"]), ["Groups"])["Groups"]
        assert [c["company"]["id"] for c in v2.ok("GET", f"/tags/{tag['id']}/companies")["tagged_companies"]] == [
            company["id"]]
        assert v2.ok("GET", f"/companies/{company['id']}/tags", params={"filter": "name==nope"})["tags"] == []
        assert v2.delete(f"/companies/{company['id']}/tags/{tag['id']}").status_code == 204
        assert v2.ok("GET", f"/companies/{company['id']}/tags")["tags"] == []
        assert v2.error("POST", f"/companies/{company['id']}/tags/999999", 404)["details"][0]["domain"] == "Tag"
        assert v2.error("POST", f"/companies/999999/tags/{tag['id']}", 404)["details"][0]["domain"] == "Company"
        v2.app.clock(by="6m")
        assert [d["event_key"] for d in receiver.deliveries] == ["company.add"]
        assert receiver.deliveries[0]["object_keys"][0]["id"] == int(company["id"])
    finally:
        receiver.close()


def test_the_sdk_reads_and_writes_companies(sdk):
    from keap_core_v2_client import CompanyApi
    from keap_core_v2_client.models import CreateCompanyRequest, EmailAddress, UpdateCompanyRequest

    api = CompanyApi(sdk)
    made = api.create_company(CreateCompanyRequest(company_name="SDK Co",
                                                   email_address=EmailAddress(email="sdk@co.test")))
    assert made.company_name == "SDK Co" and made.email_address.email == "sdk@co.test"
    assert api.get_company(made.id).id == made.id
    updated = api.update_company(made.id, UpdateCompanyRequest(website="https://sdk.test"), update_mask=["website"])
    assert updated.website == "https://sdk.test" and updated.company_name == "SDK Co"
    assert made.id in [c.id for c in api.list_companies(filter="name==SDK*").companies]
    assert api.list_tags_for_company(made.id).tags in (None, [])
    api.delete_company(made.id)


def custom_field(app, form: str, form_id: int, label: str) -> tuple[int, str]:
    """A Text custom field made through XML-RPC on the form's first group: its id and its ``_Name``."""
    tabs = {t["Id"] for t in app.call("DataService.query", "DataFormTab", 100, 0, {"FormId": form_id}, ["Id"])}
    groups = app.call("DataService.query", "DataFormGroup", 100, 0, {}, ["Id", "TabId"])
    header = next(g["Id"] for g in groups if g["TabId"] in tabs)
    field_id = app.call("DataService.addCustomField", form, label, "Text", header)
    [field] = app.call("DataService.query", "DataFormField", 10, 0, {"Id": field_id}, ["Name"])
    return field_id, "_" + field["Name"]


def test_company_custom_fields_through_v2_and_xmlrpc(v2):
    field_id, name = custom_field(v2.app, "Company", -6, "Industry")
    made = v2.ok("POST", "/companies", 201, json={"company_name": "Custom Co",
                                                   "custom_fields": [{"id": str(field_id), "content": "Outdoor"}]})
    assert "custom_fields" not in made
    shown = v2.ok("GET", f"/companies/{made['id']}", params={"fields": "custom_fields"})["custom_fields"]
    assert {"id": str(field_id), "content": "Outdoor"} in shown
    assert v2.app.call("DataService.load", "Company", int(made["id"]), [name]) == {name: "Outdoor"}
    listed = v2.ok("GET", "/companies", params={"filter": "name==Custom Co", "fields": "custom_fields"})
    assert {"id": str(field_id), "content": "Outdoor"} in listed["companies"][0]["custom_fields"]
    v2.ok("PATCH", f"/companies/{made['id']}", json={"custom_fields": []})  # an empty list clears them
    assert v2.app.call("DataService.load", "Company", int(made["id"]), [name]) == {}
    error = v2.error("PATCH", f"/companies/{made['id']}", 400, json={"custom_fields": [{"id": "999999",
                                                                                        "content": "x"}]})
    assert error["details"] == [{"domain": "request", "resource": "custom_fields.0.id"}]
