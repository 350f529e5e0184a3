"""The side-by-side compare (POST /sandbox/apps/<app>/migration/compare) against a live server: both calls run,
their answers and differences come back, and nothing persists; bad bodies are a 400 naming the field."""
from __future__ import annotations

import pytest


def compare(app, body: dict, status: int = 200) -> dict:
    r = app.live.control("POST", f"/apps/{app.name}/migration/compare", json=body)
    assert r.status_code == status, r.text
    return r.json()


def test_load_agrees_but_for_the_id_type(app):
    found = compare(app, {"method": "ContactService.load", "params": [6, ["Id", "FirstName", "LastName"]]})
    x, v = found["xmlrpc"], found["v2"]
    assert x["ok"] and v["ok"] and v["status"] == 200 and v["path"] == "/crm/rest/v2/contacts/6"
    assert x["result"]["FirstName"] == v["answer"]["given_name"]
    assert found["differences"] == [{"what": "Id", "xmlrpc": 6, "v2": "6",
                                     "note": "same value, different type (v2 ids are strings)"}]
    assert found["rolled_back"] and found["mapping"]["operations"][0]["operation_id"] == "getContact"


def test_a_write_runs_on_both_sides_and_nothing_persists(app):
    email = "compare@side.test"
    found = compare(app, {"method": "ContactService.add",
                          "params": [{"FirstName": "Side", "LastName": "By", "Email": email}]})
    assert found["xmlrpc"]["ok"] and isinstance(found["xmlrpc"]["result"], int)
    assert found["v2"]["status"] == 201 and found["v2"]["answer"]["given_name"] == "Side"
    assert {d["what"] for d in found["differences"]} == {"answer"}
    assert app.call("ContactService.findByEmail", email, ["Id"]) == []  # rolled back


def test_the_v2_side_sees_the_xmlrpc_side_and_failures_show(app):
    found = compare(app, {"method": "ContactService.load", "params": [999999, ["FirstName"]]})
    assert not found["xmlrpc"]["ok"] and "RecordNotFound" in found["xmlrpc"]["fault_string"]
    assert found["v2"]["status"] == 404 and found["v2"]["answer"]["code"] == 404
    assert found["differences"] == []  # both failed
    optin = compare(app, {"method": "APIEmailService.optIn", "params": ["nobody@compare.test", "asked"]})
    assert optin["v2"]["operation_id"] == "updateEmailAddressOptStatus"


@pytest.mark.parametrize(("body", "field"), [
    ({"method": "ContactService.load", "params": [6, []], "extra": 1}, "extra"),
    ({"params": []}, "method"),
    ({"method": "ContactService.load", "params": "6"}, "params"),
    ({"method": "ShippingService.getUpsShippingOption", "params": [1]}, "method"),
    ({"method": "ContactService.load", "params": ["x", []]}, "params"),
    ({"method": "ContactService.add", "params": [{"Phone1": "1"}]}, "params"),
    ({"method": "ContactService.addToCampaign", "params": [6, 1]}, "method"),  # follow-up sequences: no v2
])
def test_bad_bodies_are_400_naming_the_field(app, body, field):
    assert field in compare(app, body, 400)["error"]


def test_unknown_app_is_404(live):
    r = live.control("POST", "/apps/no-such-app/migration/compare", json={"method": "ContactService.load"})
    assert r.status_code == 404


def test_data_service_contact_calls_compare_and_others_are_refused(app):
    found = compare(app, {"method": "DataService.findByField",
                          "params": ["Contact", 5, 0, "Id", 6, ["Id", "FirstName"]]})
    assert found["v2"]["query"] == {"filter": "contact_id==6", "page_size": "5"}
    assert found["xmlrpc"]["result"][0]["Id"] == 6 and found["v2"]["answer"]["contacts"][0]["id"] == "6"
    assert [d["what"] for d in found["differences"]] == ["Id"]  # the id's type only
    deleted = compare(app, {"method": "DataService.delete", "params": ["Contact", 6]})
    assert deleted["xmlrpc"]["result"] is True and deleted["v2"]["status"] == 404  # the v2 side sees the delete
    assert app.call("ContactService.load", 6, ["Id"]) == {"Id": 6}  # rolled back
    merged = compare(app, {"method": "ContactService.merge", "params": [6, 8]})
    assert merged["v2"]["body"] == {"contact_id": "6", "duplicate_contact_id": "8"}
    assert app.call("ContactService.load", 8, ["Id"]) == {"Id": 8}
    refused = compare(app, {"method": "DataService.load", "params": ["Job", 1, ["Id"]]}, 400)
    assert refused["fields"] == [{"field": "params", "problem": "params[0] (table): the compare tool translates "
                                  "DataService calls on Contact, Company, ContactGroup, Product, Lead, not Job"}]
    refused = compare(app, {"method": "DataService.update", "params": ["Contact", "six", {}]}, 400)
    assert "params[1] (contactId) must be an integer" in refused["error"]
    refused = compare(app, {"method": "ContactService.addWithDupCheck", "params": [{"FirstName": "A"}, "Name"]}, 400)
    assert "dupCheckType" in refused["error"]


def test_other_tables_and_services_compare_and_nothing_persists(app):
    company = compare(app, {"method": "DataService.load", "params": ["Company", 1, ["Id", "Company", "Email"]]})
    assert company["v2"]["path"] == "/crm/rest/v2/companies/1"
    assert company["xmlrpc"]["result"]["Company"] == company["v2"]["answer"]["company_name"]
    assert [d["what"] for d in company["differences"]] == ["Id"]  # the company's name and email agree

    tag = compare(app, {"method": "DataService.add", "params": ["ContactGroup", {"GroupName": "Compared"}]})
    assert tag["v2"]["body"] == {"name": "Compared"} and tag["v2"]["status"] == 409  # the XML-RPC side made it
    assert app.call("DataService.findByField", "ContactGroup", 10, 0, "GroupName", "Compared", ["Id"]) == []

    product = app.call("DataService.add", "Product", {"ProductName": "Compared"})
    moved = compare(app, {"method": "ProductService.increaseInventory", "params": [product, 4]})
    assert moved["xmlrpc"]["result"] is True and moved["v2"]["answer"]["inventory"]["inventory_count"] == 8
    assert app.call("ProductService.getInventory", product) == 0  # rolled back

    form = compare(app, {"method": "WebFormService.getHTML", "params": [1]})  # v2 answers text/html
    assert form["xmlrpc"]["result"] == form["v2"]["answer"] and form["differences"] == []
    deal = compare(app, {"method": "DataService.update", "params": ["Lead", 1, {"StageID": 2}]})
    assert deal["v2"]["query"] == {"update_mask": "stage_id"} and deal["v2"]["answer"]["stage"]["id"] == "2"
    assert app.call("DataService.load", "Lead", 1, ["StageID"]) == {"StageID": 4}  # rolled back

    shipping = compare(app, {"method": "ShippingService.getAllShippingOptions", "params": []})
    assert [d["what"] for d in shipping["differences"]] == []  # the first option's id and name agree
    params = ["Company", 5, 0, {"Company": "Front Range Software"}, ["Id", "Company"]]
    queried = compare(app, {"method": "DataService.query", "params": params})
    assert queried["v2"]["query"] == {"filter": "company_name==Front Range Software", "page_size": "5"}
    assert [d["what"] for d in queried["differences"]] == ["Id"]
    refused = compare(app, {"method": "DataService.query", "params": ["Contact", 5, 0, {"Email": "%@x.test"}, []]},
                      400)
    assert "no % wildcard" in refused["error"]
    refused = compare(app, {"method": "ProductService.incrementInventory", "params": ["x"]}, 400)
    assert "params[0] (productId) must be an integer" in refused["error"]
    refused = compare(app, {"method": "DataService.add", "params": ["Product", {"ProductPrice": 1, "Weight": 2}]}, 400)
    assert "Product fields" in refused["error"] and "Weight" in refused["error"]


@pytest.mark.parametrize(("method", "params", "problem"), [
    ("DataService.getAppSetting", ["Contact", "nosuch"], "not Contact.nosuch"),
    ("DataService.getUserInfo", ["key"], "takes no parameters"),
    ("DataService.queryWithOrderBy", ["Contact", 10, 0, {}, ["Id"], "Phone1", True], "params[5] (orderBy)"),
    ("DataService.queryWithOrderBy", ["Contact", 10, 0, {}, ["Id"], "Id", "yes"], "params[6] (ascending)"),
    ("DataService.count", ["Contact", {"FirstName": "A", "LastName": "B"}], "params[1] (queryData)"),
    ("DataService.addCustomField", ["Invoice", "Label", "Text", 1], "params[0] (context)"),
    ("DataService.addCustomField", ["Contact", "Label", "Hologram", 1], "params[2] (dataType)"),
    ("APIEmailService.sendEmail", [[6], "one"], "params[1] (templateId) must be an integer"),
    ("APIEmailService.sendEmail", [[6], "a@b.test", "x@y.test", "", "", "HTML", "S", "<p>h</p>", ""],
     "params[2] (toAddress)"),
    ("APIEmailService.attachEmail", [6, "N", "a@b.test", "c@d.test", "", "", "HTML", "S", "h", "", "",
                                     "yesterday", "2026-03-01T10:00:00"], "params[11] (receivedDate)"),
    ("FileService.uploadFile", [6, "a.txt", "not base64!"], "params[2] (base64Data)"),
    ("SearchService.getSavedSearchResults", [1, 1, 2, ["Id"]], "params[2] (pageNumber)"),
    ("SearchService.quickSearch", ["FindTask", 1, "call", 0, 10], "params[0] (quickSearchType)"),
    ("ContactService.applyActivityHistoryTemplate", [6, 1, 0], "params[2] (userId): v2 requires the note's user"),
    ("APIEmailService.sendEmailWithStatus", ["a@b.test", " ", "", "", "S", "t", ""], "params[1] (toAddresses)"),
    ("APIEmailService.sendEmailWithStatus", ["a@b.test", "c@d.test", "e@f.test", "", "S", "t", ""],
     "params[2], params[3] (cc, bcc)"),
    ("APIEmailService.sendTemplateWithStatus", [[], 1], "params[0] (contactList)"),
])
def test_crm_calls_that_do_not_translate_are_400_naming_the_parameter(app, method, params, problem):
    assert problem in compare(app, {"method": method, "params": params}, 400)["error"]


def test_a_file_upload_compares_with_its_parts_and_nothing_persists(app):
    found = compare(app, {"method": "FileService.uploadFile", "params": ["app-file.txt", "aGVsbG8="]})
    assert found["xmlrpc"]["ok"] and found["v2"]["status"] == 201 and found["v2"]["answer"]["file_size"] == 5
    assert found["v2"]["body"]["file_association"] == "USER" and found["v2"]["files"] == {
        "file": {"file_name": "app-file.txt", "size": 5}}
    assert app.call("DataService.count", "FileBox", {"FileName": "app-file.txt"}) == 0
