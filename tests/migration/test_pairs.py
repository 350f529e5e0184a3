"""Mapped pairs performed on one app with real clients: each XML-RPC call (xmlrpc.client) and its REST v2
equivalent (requests with a Service Account Key, every answer checked against Keap's contract), translated
from the same parameters by server.migration.translate (which follows mapping.yaml), agree on the data: what
one writes the other reads back identically, modulo the documented shape differences (ids as strings, v2
property names), and where a pair truly differs the test asserts the difference mapping.yaml documents.

Each test declares the methods it performs (``covers``); the fixture checks it performed each on both sides
and nothing else, and that the compare tool answers the same calls (200, the same v2 operation, rolled back).
The union of the declarations equals the compare tool's translations, so the two cannot drift.
tests/rest_v2/test_migration_recipe.py covers ten pairs through REST v1 as well."""
from __future__ import annotations

import base64
import importlib
import xmlrpc.client
from datetime import datetime
from pathlib import Path

import pytest
import requests

from server.migration import mapping
from server.migration.translate import TRANSLATORS, contact_pairs
from server.migration.v2call import record_pairs
from tests.engine.conftest import Campaigns
from tests.migration.conftest import covers


def test_the_pairs_cover_exactly_the_translated_methods():
    """The compare tool translates a method if and only if a pair test (of any test_pairs*.py) performs it on
    both sides."""
    covered: set[str] = set()
    for module in sorted(Path(__file__).parent.glob("test_pairs*.py")):
        tests = vars(importlib.import_module(f"tests.migration.{module.stem}")).values()
        covered.update(*(getattr(t, "covers", ()) for t in tests if callable(t)))
    assert covered == set(TRANSLATORS), (sorted(set(TRANSLATORS) - covered), sorted(covered - set(TRANSLATORS)))


def test_every_translated_method_is_a_v2_pair_of_the_mapping():
    for method in TRANSLATORS:
        assert mapping.load().get(method).target == "v2", method


def test_every_v2_pair_of_the_mapping_is_translated():
    """Issue 19: each method the mapping sends to v2 is translated (and so performed as a pair)."""
    to_v2 = {name for name, entry in mapping.load().entries.items() if entry.target == "v2"}
    assert to_v2 - set(TRANSLATORS) == set()


@covers("ContactService.add")
def test_add_then_read_on_the_other_side(pair):
    data = {"FirstName": "Pair", "LastName": "Add", "Email": "pair-x@add.test", "JobTitle": "Porter"}
    pair.same_contact(pair.call("ContactService.add", data))
    made = pair.v2_call("ContactService.add", [{**data, "Email": "pair-v@add.test"}], 201)
    pair.same_contact(made["id"])
    assert pair.call("ContactService.load", int(made["id"]), ["Email"])["Email"] == "pair-v@add.test"


@covers("ContactService.load", "ContactService.findByEmail")
def test_load_and_find_by_email_agree(pair):
    x = pair.call("ContactService.load", 6, ["Id", "FirstName", "LastName", "Email"])
    v = pair.v2_call("ContactService.load", [6, ["Id", "FirstName", "LastName", "Email"]])
    assert all(str(a) == str(b) for _, a, b in contact_pairs(x, v))
    found_x = pair.call("ContactService.findByEmail", x["Email"], ["Id", "FirstName", "Email"])
    found_v = pair.v2_call("ContactService.findByEmail", [x["Email"], ["Id"]])
    assert [str(c["Id"]) for c in found_x] == [c["id"] for c in found_v["contacts"]]


@covers("ContactService.update")
def test_update_on_one_side_reads_on_the_other(pair):
    pair.call("ContactService.update", 6, {"LastName": "ByXml", "JobTitle": "Old"})
    pair.same_contact(6)
    pair.v2_call("ContactService.update", [6, {"LastName": "ByV2"}])
    pair.same_contact(6)
    x, _ = pair.contact(6)
    assert (x["LastName"], x["JobTitle"]) == ("ByV2", "Old")  # the mask kept the other field


@covers("ContactService.addToGroup", "ContactService.removeFromGroup")
def test_tags_applied_and_removed_on_either_side(pair):
    tag_id = pair.call("DataService.add", "ContactGroup", {"GroupName": "Paired"})

    def tags():
        x = {int(t) for t in (pair.call("ContactService.load", 6, ["Groups"]).get("Groups") or "").split(",") if t}
        v = {int(t["tag"]["id"]) for t in pair.v2.ok("GET", "/contacts/6/tags")["tags"]}
        assert x == v
        return tag_id in x

    assert pair.call("ContactService.addToGroup", 6, tag_id) is True and tags()
    pair.v2_call("ContactService.removeFromGroup", [6, tag_id], 204)
    assert not tags()
    pair.v2_call("ContactService.addToGroup", [6, tag_id])
    assert tags()
    assert pair.call("ContactService.removeFromGroup", 6, tag_id) is True and not tags()


@covers("APIEmailService.optIn", "APIEmailService.optOut", "APIEmailService.getOptStatus")
def test_opt_in_and_out_on_either_side(pair):
    email = pair.call("ContactService.load", 6, ["Email"])["Email"]
    assert pair.call("APIEmailService.optOut", email, "pair test") is True
    assert pair.call("APIEmailService.getOptStatus", email) == 0
    assert pair.v2_call("APIEmailService.getOptStatus", [email])["opted_in"] is False
    pair.v2_call("APIEmailService.optIn", [email, "pair test"])
    assert pair.call("APIEmailService.getOptStatus", email) == 1
    assert pair.v2_call("APIEmailService.getOptStatus", [email])["opted_in"] is True
    pair.v2_call("APIEmailService.optOut", [email, "pair test"])
    assert pair.call("APIEmailService.getOptStatus", email) == 0
    # the documented difference (mapping.yaml): XML-RPC cannot opt an opted-out address back in; v2 can
    assert pair.call("APIEmailService.optIn", email, "pair test") is False
    assert pair.v2_call("APIEmailService.getOptStatus", [email])["opted_in"] is False
    fresh = pair.v2.app.call("ContactService.add", {"FirstName": "Opt", "Email": "opt-fresh@pairs.test"})
    assert fresh and pair.call("APIEmailService.optIn", "opt-fresh@pairs.test", "pair test") is True
    assert pair.v2_call("APIEmailService.getOptStatus", ["opt-fresh@pairs.test"])["opted_in"] is True


@covers("FunnelService.achieveGoal")
def test_achieve_goal_answers_alike(pair):
    x = pair.call("FunnelService.achieveGoal", "pairs", "nothing", 6)
    v = pair.v2_call("FunnelService.achieveGoal", ["pairs", "nothing", 6])
    assert [(r["success"], r["msg"]) for r in x] == [(r["success"], r["message"]) for r in v["results"]]


@covers("DataService.add", "DataService.update", "DataService.load", "DataService.findByField", "DataService.query",
        "DataService.delete")
def test_data_service_on_the_contact_table_pairs(pair):
    cid = pair.call("DataService.add", "Contact", {"FirstName": "Data", "Email": "data-x@pairs.test"})
    pair.same_contact(cid)
    made = pair.v2_call("DataService.add", ["Contact", {"FirstName": "DataV", "Email": "data-v@pairs.test"}], 201)
    pair.same_contact(made["id"])
    assert pair.call("DataService.update", "Contact", cid, {"LastName": "ByXml"}) == cid
    pair.v2_call("DataService.update", ["Contact", cid, {"JobTitle": "ByV2"}])
    pair.same_contact(cid)
    fields = ["Id", "FirstName", "LastName", "JobTitle"]
    x, v = pair.call("DataService.load", "Contact", cid, fields), pair.v2_call("DataService.load",
                                                                                 ["Contact", cid, fields])
    assert (x["LastName"], x["JobTitle"]) == ("ByXml", "ByV2")
    assert {n for n, _, _ in contact_pairs(x, v)} == set(fields) and all(str(a) == str(b)
                                                                         for _, a, b in contact_pairs(x, v))
    search = ["Contact", 10, 0, "Email", "data-x@pairs.test", ["Id"]]
    assert [str(c["Id"]) for c in pair.call("DataService.findByField", *search)] == \
        [c["id"] for c in pair.v2_call("DataService.findByField", search)["contacts"]] == [str(cid)]
    query = ["Contact", 10, 0, {"Email": "data-x@pairs.test"}, ["Id", "FirstName", "Email"]]
    x, v = pair.call("DataService.query", *query), pair.v2_call("DataService.query", query)
    assert len(x) == len(v["contacts"]) == 1
    assert {n for n, _, _ in contact_pairs(x, v)} == {"Id", "FirstName", "Email"}
    assert all(str(a) == str(b) for _, a, b in contact_pairs(x, v))

    pair.v2_call("DataService.delete", ["Contact", int(made["id"])], 204)
    assert pair.call("DataService.findByField", "Contact", 10, 0, "Email", "data-v@pairs.test", ["Id"]) == []
    assert pair.call("DataService.delete", "Contact", cid) is True
    assert pair.v2.get(f"/contacts/{cid}").status_code == 404


@covers("ContactService.add", "ContactService.addWithDupCheck", "ContactService.merge")
def test_dup_check_and_merge_on_either_side(pair):
    data = {"FirstName": "Dup", "LastName": "Check", "Email": "dup@pairs.test"}
    first = pair.call("ContactService.add", data)
    assert pair.call("ContactService.addWithDupCheck", {**data, "JobTitle": "ByXml"}, "Email") == first
    assert pair.v2_call("ContactService.addWithDupCheck", [{**data, "JobTitle": "ByV2"}, "Email"])["id"] == str(first)
    pair.same_contact(first)
    assert pair.call("ContactService.load", first, ["JobTitle"])["JobTitle"] == "ByV2"

    other = pair.call("ContactService.add", {"FirstName": "Other", "Email": "other@pairs.test"})
    assert pair.v2_call("ContactService.merge", [first, other])["id"] == str(first)
    assert pair.call("ContactService.findByEmail", "other@pairs.test", ["Id"]) == []
    third = pair.v2_call("ContactService.add", [{"FirstName": "Third", "Email": "third@pairs.test"}], 201)["id"]
    assert pair.call("ContactService.merge", first, int(third)) is True
    assert pair.v2.get(f"/contacts/{third}").status_code == 404
    pair.same_contact(first)


def _same_record(method: str, params: list, x, v) -> None:
    """The record both sides answer agrees on every field the translation compares (ids as text)."""
    translated = TRANSLATORS[method](params)
    pairs = record_pairs(translated.fields, x, v, translated.items)
    assert "Id" in {n for n, _, _ in pairs} and all(str(a) == str(b) for _, a, b in pairs), pairs


@pytest.mark.parametrize(("table", "first", "second", "search"), [
    ("Company", {"Company": "Pair Co", "Website": "https://pair.test", "Email": "co@pairs.test"},
     {"Company": "Pair V2 Co", "Email": "co-v@pairs.test"}, "Email"),
    ("ContactGroup", {"GroupName": "Pair tag", "GroupDescription": "made by XML-RPC"},
     {"GroupName": "Pair tag v2", "GroupDescription": "made by v2"}, "GroupName"),
    ("Product", {"ProductName": "Pair widget", "Sku": "PW-1", "ShortDescription": "short"},
     {"ProductName": "Pair widget v2", "Sku": "PW-2", "Description": "long", "ProductPrice": 12.5}, "Sku"),
    ("Lead", {"OpportunityTitle": "Pair deal", "OpportunityNotes": "by XML-RPC", "ContactID": 6, "StageID": 1},
     {"OpportunityTitle": "Pair deal v2", "ContactID": 7, "StageID": 2, "NextActionNotes": "call"},
     "OpportunityTitle"),
])
@covers("DataService.add", "DataService.update", "DataService.load", "DataService.findByField",
        "DataService.query", "DataService.delete")
def test_data_service_on_other_tables_pairs(pair, table, first, second, search):
    fields = ["Id", *first]
    made_x = pair.call("DataService.add", table, first)
    made_v = int(pair.v2_call("DataService.add", [table, second], 201)["id"])
    for record_id in (made_x, made_v):
        load = [table, record_id, fields]
        _same_record("DataService.load", load, pair.call("DataService.load", *load),
                     pair.v2_call("DataService.load", load))
    if "ProductPrice" in second:  # v2 prices are in the smallest unit (mapping.yaml)
        assert pair.call("DataService.load", table, made_v, ["ProductPrice"])["ProductPrice"] == 12.5
        assert pair.v2.ok("GET", f"/products/{made_v}")["price"]["amount"] == 1250
    (name, value), = [(k, v) for k, v in first.items() if k != search][:1]
    changed = {name: f"{value} (by v2)"}
    pair.v2_call("DataService.update", [table, made_x, changed])
    assert pair.call("DataService.load", table, made_x, fields)[name] == changed[name]
    assert pair.call("DataService.update", table, made_v, {name: "by XML-RPC"}) == made_v
    load = [table, made_v, ["Id", name]]
    v = pair.v2_call("DataService.load", load)
    _same_record("DataService.load", load, pair.call("DataService.load", *load), v)

    for record_id, data in ((made_x, first), (made_v, second)):
        query = [table, 10, 0, search, data[search], ["Id"]]
        found_x = pair.call("DataService.findByField", *query)
        found_v = pair.v2_call("DataService.findByField", query)[TRANSLATORS["DataService.findByField"](query).items]
        assert [str(r["Id"]) for r in found_x] == [r["id"] for r in found_v] == [str(record_id)]
        query = [table, 10, 0, {search: data[search]}, fields]
        found_x = pair.call("DataService.query", *query)
        found_v = pair.v2_call("DataService.query", query)
        _same_record("DataService.query", query, found_x, found_v)
        assert len(found_x) == len(found_v[TRANSLATORS["DataService.query"](query).items]) == 1

    pair.v2_call("DataService.delete", [table, made_x], 204)
    assert pair.call("DataService.findByField", table, 10, 0, search, first[search], ["Id"]) == []
    if table in ("ContactGroup", "Product"):  # the documented difference: XML-RPC may not delete these, v2 may
        with pytest.raises(xmlrpc.client.Fault, match="NoTableAccess"):
            pair.call("DataService.delete", table, made_v)
        pair.v2_call("DataService.delete", [table, made_v], 204)
    else:
        assert pair.call("DataService.delete", table, made_v) is True
    assert pair.v2_call("DataService.load", [table, made_v, ["Id"]], 404, raw=True).json()["code"] == 404


@covers("ContactService.linkContacts", "ContactService.unlinkContacts", "ContactService.listLinkedContacts")
def test_contact_links_on_either_side(pair):
    kind = pair.v2.app.call("DataService.query", "LinkedContactType", 10, 0, {"TypeName": "Business Partner"},
                            ["Id"])[0]["Id"]
    a, b, c = (pair.v2.app.call("ContactService.add", {"FirstName": n}) for n in ("LinkA", "LinkB", "LinkC"))

    def same(contact_id) -> list:
        x, v = pair.call("ContactService.listLinkedContacts", contact_id), \
            pair.v2_call("ContactService.listLinkedContacts", [contact_id])
        assert [(str(r["ContactId1"]), str(r["ContactId2"]), str(r["LinkTypeId"])) for r in x] == \
            [(r["contact1_id"], r["contact2_id"], r["link_type_id"]) for r in v["links"]]
        return [r["ContactId2"] for r in x]

    assert pair.call("ContactService.linkContacts", a, b, kind) is True
    made = pair.v2_call("ContactService.linkContacts", [a, c, kind], 201)
    assert (made["contact1_id"], made["contact2_id"]) == (str(a), str(c))
    assert same(a) == [b, c] and same(c) == [a]
    pair.v2_call("ContactService.unlinkContacts", [a, b, kind], 204, raw=True)
    assert same(a) == [c]
    assert pair.call("ContactService.unlinkContacts", a, c, kind) is True
    assert same(a) == [] and same(c) == []


@covers("ProductService.getInventory", "ProductService.increaseInventory", "ProductService.incrementInventory",
        "ProductService.decreaseInventory", "ProductService.decrementInventory")
def test_inventory_moves_alike_on_either_side(pair):
    product = pair.v2.app.call("DataService.add", "Product", {"ProductName": "Stocked", "InventoryLimit": 0})

    def count() -> int:
        x = pair.call("ProductService.getInventory", product)
        assert pair.v2_call("ProductService.getInventory", [product])["inventory"]["inventory_count"] == x
        return x

    start = count()
    assert pair.call("ProductService.increaseInventory", product, 5) is True and count() == start + 5
    assert pair.v2_call("ProductService.increaseInventory", [product, 3])["inventory"]["inventory_count"] == \
        start + 8 == count()
    assert pair.call("ProductService.incrementInventory", product) is True and count() == start + 9
    pair.v2_call("ProductService.incrementInventory", [product])
    assert count() == start + 10
    assert pair.call("ProductService.decreaseInventory", product, 4) is True and count() == start + 6
    pair.v2_call("ProductService.decreaseInventory", [product, 2])
    assert count() == start + 4
    assert pair.call("ProductService.decrementInventory", product) is True and count() == start + 3
    pair.v2_call("ProductService.decrementInventory", [product])
    assert count() == start + 2


@covers("ShippingService.getAllShippingOptions", "InvoiceService.getAllShippingOptions")
def test_shipping_options_list_alike(pair):
    for method in ("ShippingService.getAllShippingOptions", "InvoiceService.getAllShippingOptions"):
        x, v = pair.call(method), pair.v2_call(method, [])["shipping_methods"]
        assert x, "the seed has shipping options"
        assert [(str(o["id"]), o["name"]) for o in x] == [(o["id"], o["name"]) for o in v]


@covers("WebFormService.getMap", "WebFormService.getHTML")
def test_web_forms_list_and_render_alike(pair):
    forms = pair.call("WebFormService.getMap")
    listed = pair.v2.walk("/webforms", "webforms")
    # the documented difference: getMap maps web and landing-page forms only, v2 lists every kind
    assert forms and forms == {f["id"]: f["name"] for f in listed if f["webform_type"] in ("LEGACY", "LANDING_PAGE")}
    pair.v2_call("WebFormService.getMap", [])
    form_id = int(next(iter(forms)))
    html = pair.v2_call("WebFormService.getHTML", [form_id], raw=True)
    assert html.headers["Content-Type"].startswith("text/html") and html.text == pair.call("WebFormService.getHTML",
                                                                                            form_id)


@covers("ContactService.getActivityHistoryTemplateMap")
def test_note_templates_list_alike(pair):
    templates = pair.call("ContactService.getActivityHistoryTemplateMap")
    listed = {t["id"]: t["title"] for t in pair.v2.walk("/notes/templates", "note_templates")}
    pair.v2_call("ContactService.getActivityHistoryTemplateMap", [])
    # the documented difference: XML-RPC maps every activity template, v2 lists the note templates only
    assert listed and listed.items() <= templates.items()


@covers("DiscountService.getFreeTrial", "DiscountService.getOrderTotalDiscount", "DiscountService.getCategoryDiscount",
        "DiscountService.getProductTotalDiscount", "DiscountService.getShippingTotalDiscount",
        "DiscountService.addFreeTrial", "DiscountService.addOrderTotalDiscount",
        "DiscountService.addProductTotalDiscount", "DiscountService.addShippingTotalDiscount")
def test_discounts_read_alike_whichever_side_made_them(pair):
    plan = pair.v2.app.call("DataService.query", "SubscriptionPlan", 1, 0, {}, ["Id"])[0]["Id"]
    product = pair.v2.app.call("DataService.add", "Product", {"ProductName": "Discounted"})
    category = pair.v2.app.call("DataService.query", "ProductCategory", 1, 0, {}, ["Id"])[0]["Id"]
    adds = {
        "DiscountService.getFreeTrial": ("DiscountService.addFreeTrial", ["Trial", "paired", 14, 1, plan]),
        "DiscountService.getOrderTotalDiscount": ("DiscountService.addOrderTotalDiscount",
                                                  ["Total", "paired", 1, 1, 10.0, "Net"]),
        "DiscountService.getProductTotalDiscount": ("DiscountService.addProductTotalDiscount",
                                                    ["Product", "paired", 0, product, 0, 5.5]),
        "DiscountService.getShippingTotalDiscount": ("DiscountService.addShippingTotalDiscount",
                                                     ["Shipping", "paired", 0, 1, 3.0]),
    }
    made = {}
    for get, (add, params) in adds.items():
        made_x = pair.call(add, *params)
        made_v = int(pair.v2_call(add, params, 201)["id"])
        # every value of the get struct agrees: the translation carried each parameter
        assert pair.v2.app.call(get, made_x) == pair.v2.app.call(get, made_v), add
        made[get] = [made_x, made_v]
    # v2 requires the categories a category discount covers; XML-RPC adds them afterwards (not translated)
    made["DiscountService.getCategoryDiscount"] = [
        pair.v2.app.call("DiscountService.addCategoryDiscount", "Category", "paired", 0, 5.0),
        int(pair.v2.ok("POST", "/discounts/productCategories", 201, json={
            "name": "Category v2", "description": "by v2", "discount_percent": 5, "apply_to_commissions": False,
            "product_category_ids": [str(category)]})["id"])]
    for method, ids in made.items():
        for discount_id in ids:
            x, v = pair.call(method, discount_id), pair.v2_call(method, [discount_id])
            translated = TRANSLATORS[method]([discount_id])
            pairs = record_pairs(translated.fields, x, v, translated.items)
            assert {n for n, _, _ in pairs} == set(translated.fields), (method, x, v)
            assert all(str(a) == str(b) for _, a, b in pairs), (method, pairs)


@covers("FileService.getFile", "FileService.getDownloadUrl")
def test_files_read_alike_whichever_side_uploaded_them(pair):
    encoded = base64.b64encode(b"made by XML-RPC").decode()
    by_xmlrpc = pair.v2.app.call("FileService.uploadFile", 6, "pair-x.txt", encoded)
    made = pair.v2.post("/files", files={"file": ("pair-v.txt", b"made by v2")},
                        data={"file_name": "pair-v.txt", "file_association": "CONTACT", "contact_id": "6",
                              "is_public": "false"})
    assert made.status_code == 201, made.text
    for file_id, content in ((by_xmlrpc, b"made by XML-RPC"), (int(made.json()["id"]), b"made by v2")):
        x = pair.call("FileService.getFile", file_id)
        assert x == pair.v2_call("FileService.getFile", [file_id]) and base64.b64decode(x) == content
        url = pair.call("FileService.getDownloadUrl", file_id)
        fetched = requests.get(url, timeout=30)
        assert fetched.status_code == 200 and fetched.content == content  # the link XML-RPC hands out
        assert base64.b64decode(pair.v2_call("FileService.getDownloadUrl", [file_id])) == content


@covers("APIEmailService.getEmailTemplate")
def test_email_templates_read_alike(pair):
    made = pair.v2.app.call("APIEmailService.addEmailTemplate", "Pair template", "", "me@pairs.test",
                            "~Contact.Email~", "", "", "Hello ~Contact.FirstName~", "text body", "<p>html</p>",
                            "HTML", "Contact")
    listed = pair.v2.walk("/emails/templates", "email_templates")
    assert str(made) in {str(t["id"]) for t in listed}
    for template_id in {made, int(listed[0]["id"])}:
        x, v = pair.call("APIEmailService.getEmailTemplate", template_id), \
            pair.v2_call("APIEmailService.getEmailTemplate", [template_id])
        pairs = record_pairs(TRANSLATORS["APIEmailService.getEmailTemplate"]([template_id]).fields, x, v)
        assert {n for n, _, _ in pairs} >= {"pieceTitle", "subject"}, (x, v)
        assert all(str(a) == str(b) for _, a, b in pairs), pairs


@covers("AffiliateProgramService.getAffiliatePrograms", "AffiliateProgramService.getProgramsForAffiliate")
def test_affiliate_programs_list_alike(pair):
    made = pair.v2.ok("POST", "/affiliates/commissionPrograms", 201,
                      json={"name": "Pair Partners", "notes": "by v2", "priority": 3})
    assert pair.v2.ok("POST", "/affiliates/1:assignToProgram", json={"affiliate_program_id": made["id"]}) is None

    def same(x: list, v: dict) -> set:
        by_id = {p["id"]: p for p in v["commission_programs"]}
        assert sorted(str(p["Id"]) for p in x) == sorted(by_id)  # XML-RPC orders by priority, v2 by creation
        for program in x:
            pairs = record_pairs(TRANSLATORS["AffiliateProgramService.getAffiliatePrograms"]([]).fields, program,
                                 by_id[str(program["Id"])])
            assert len(pairs) == 4 and all(str(a) == str(b) for _, a, b in pairs), pairs
        return set(by_id)

    assert made["id"] in same(pair.call("AffiliateProgramService.getAffiliatePrograms"),
                              pair.v2_call("AffiliateProgramService.getAffiliatePrograms", []))
    for affiliate_id in (1, 2):
        mine = same(pair.call("AffiliateProgramService.getProgramsForAffiliate", affiliate_id),
                    pair.v2_call("AffiliateProgramService.getProgramsForAffiliate", [affiliate_id]))
        assert (made["id"] in mine) == (affiliate_id == 1)


@covers("InvoiceService.getInvoiceId")
def test_an_orders_invoice_alike_whichever_side_made_it(pair):
    invoice = pair.v2.app.call("InvoiceService.createBlankOrder", 6, "Pair order", datetime(2026, 3, 1, 10), 0, 0)
    by_xmlrpc = pair.v2.app.call("DataService.load", "Invoice", invoice, ["JobId"])["JobId"]
    by_v2 = pair.v2.ok("POST", "/orders", 201, json={"contact_id": "6", "order_title": "Pair order v2",
                                                      "order_time": "2026-03-01T15:00:00Z", "order_type": "OFFLINE"})
    for order_id in (by_xmlrpc, int(by_v2["id"])):
        assert str(pair.call("InvoiceService.getInvoiceId", order_id)) == \
            pair.v2_call("InvoiceService.getInvoiceId", [order_id])["invoice_id"]
    assert pair.call("InvoiceService.getInvoiceId", by_xmlrpc) == invoice


@covers("FunnelService.achieveWordPressGoal")
def test_wordpress_goal_fires_alike(pair):
    Campaigns(pair.v2.app).load({
        "name": "Pair opt-in", "resources": {"tags": ["Pair opt-in"]},
        "goals": [{"key": "optin", "type": "wordpress_optin", "optin": "pairs"}],
        "sequences": [{"key": "welcome", "items": [{"type": "apply_tag", "tag": "Pair opt-in"}]}],
        "links": [["optin", "welcome"]]})
    pair.v2.ok("POST", "/integrations/wordpress/options", 201, json={"key": "pairs", "name": "Pair opt-in"})
    pair.v2.ok("POST", "/integrations/wordpress/options", 201, json={"key": "idle", "name": "No goal"})
    for key, fires in (("pairs", True), ("idle", False)):
        a, b = (pair.v2.app.call("ContactService.add", {"FirstName": n}) for n in ("WpX", "WpV"))
        assert any(r["success"] for r in pair.call("FunnelService.achieveWordPressGoal", a, key)) is fires
        assert pair.v2_call("FunnelService.achieveWordPressGoal", [b, key], 202) == {"successful": fires}


@covers("InvoiceService.createBlankOrder", "InvoiceService.getOrderId")
def test_blank_orders_read_alike_whichever_side_made_them(pair):
    when = datetime(2026, 3, 1, 10)
    invoice = pair.call("InvoiceService.createBlankOrder", 6, "Blank by XML-RPC", when, 0, 0)
    made = pair.v2_call("InvoiceService.createBlankOrder", [7, "Blank by v2", when, 0, 0], 201)
    by_v2 = pair.v2.app.call("InvoiceService.getInvoiceId", int(made["id"]))
    assert str(by_v2) == made["invoice_id"]
    for invoice_id, contact_id, title in ((invoice, 6, "Blank by XML-RPC"), (by_v2, 7, "Blank by v2")):
        order_id = pair.call("InvoiceService.getOrderId", invoice_id)
        [order] = pair.v2_call("InvoiceService.getOrderId", [invoice_id])["orders"]
        assert order["id"] == str(order_id) and order["invoice_id"] == str(invoice_id)
        assert (order["title"], order["contact"]["id"]) == (title, str(contact_id))
        job = pair.v2.app.call("DataService.load", "Job", order_id, ["JobTitle", "ContactId"])
        assert (job["JobTitle"], job["ContactId"]) == (title, contact_id)
