"""Custom-field models through REST v2, end to end: fields, tabs and groups made through v2 are the
DataFormField, DataFormTab and DataFormGroup rows XML-RPC reads and REST v1's model lists, and the reverse;
every record type's operations come from one table, so each is exercised once over all of them."""
from __future__ import annotations

import contextlib

import pytest

from server.domain.data import custom_contents
from server.rest_v2.custom_fields import RECORD_TYPES
from server.rest_v2.errors import from_exception
from server.store import apps
from server.store.db import transaction
from tests.rest.conftest import rest_for
from tests.rest_v2.conftest import V2, checked_session

# record type -> (path, record_type)
PATHS = {"Contact": ("contacts", "CONTACT"), "Company": ("companies", "COMPANY"),
         "Note": ("notes", "TASK_NOTE_APPOINTMENT"), "Task": ("tasks", "TASK_NOTE_APPOINTMENT"),
         "Opportunity": ("opportunities", "OPPORTUNITY"), "Order": ("orders", "ORDER"),
         "Subscription": ("subscriptions", "SUBSCRIPTION"), "Affiliate": ("affiliates", "REFERRAL_PARTNER")}


@contextlib.contextmanager
def domain_session(app):
    """A read-only session on the test app, for the domain helper other families call."""
    with transaction(app.live.sandbox.engine, write=False) as conn:
        yield app.live.sandbox.env.session(conn, apps.by_name(conn, app.name))


def _created(t, answer: dict) -> dict:
    return answer["custom_field"] if t.wraps_created else answer


def test_every_record_type_fields_tabs_and_groups_seen_by_xmlrpc(v2):
    for t in RECORD_TYPES:
        path, record_type = PATHS[t.noun]
        model = f"/{path}/model"
        tab = v2.ok("POST", f"{model}/customFields/tabs", 201, json={"name": f"{t.noun} tab"})
        assert tab["record_type"] == record_type and tab["order"] >= 2  # after the seeded "Custom Fields" tab
        group = v2.ok("POST", f"{model}/customFields/groups", 201, json={"name": "Details", "tab_id": tab["id"]})
        assert group["tab_id"] == tab["id"] and group["order"] == 1
        field = _created(t, v2.ok("POST", f"{model}/customFields", 201, json={
            "label": f"{t.noun} Colour", "field_type": "DROPDOWN", "group_id": group["id"],
            "options": [{"label": "Red"}, {"label": "Blue"}]}))
        assert field["field_type"] == "DROPDOWN" and field["record_type"] == record_type
        assert field["options"] == [{"id": "Red", "label": "Red"}, {"id": "Blue", "label": "Blue"}]
        assert field["group_id"] == group["id"] and field["group_name"] == "Details"
        listed = v2.ok("GET", model)
        assert field in listed["custom_fields"] and listed["optional_properties"] == ["custom_fields"]
        assert tab in v2.ok("GET", f"{model}/customFields/tabs")["tabs"]
        assert v2.ok("GET", f"{model}/customFields/groups", params={"tab_id": tab["id"]})["groups"] == [group]

        # the same rows through XML-RPC
        [row] = v2.app.call("DataService.query", "DataFormField", 10, 0, {"Id": int(field["id"])},
                            ["Label", "GroupId", "Name", "DataType", "Values"])
        assert row == {"Label": f"{t.noun} Colour", "GroupId": int(group["id"]), "Name": field["field_name"],
                       "DataType": 21, "Values": "Red\nBlue"}
        assert v2.app.call("DataService.query", "DataFormGroup", 10, 0, {"Id": int(group["id"])},
                           ["TabId", "Name"]) == [{"TabId": int(tab["id"]), "Name": "Details"}]
        [xml_tab] = v2.app.call("DataService.query", "DataFormTab", 10, 0, {"Id": int(tab["id"])},
                                ["FormId", "TabName"])
        assert xml_tab["TabName"] == f"{t.noun} tab" and xml_tab["FormId"] == t.form_id

        if t.update_field:
            changed = v2.ok("PATCH", f"{model}/customFields/{field['id']}", params={"update_mask": "label,options"},
                            json={"label": "Hue", "group_id": group["id"], "options": [{"label": "Green"}]})
            assert changed["label"] == "Hue" and changed["options"] == [{"id": "Green", "label": "Green"}]
        renamed = v2.ok("PATCH", f"{model}/customFields/tabs/{tab['id']}", params={"update_mask": "name,order"},
                        json={"name": "Renamed", "order": 9})
        assert renamed["name"] == "Renamed" and renamed["order"] == 9
        assert v2.ok("GET", f"{model}/customFields/tabs/{tab['id']}") == renamed
        moved = v2.ok("PATCH", f"{model}/customFields/groups/{group['id']}", params={"update_mask": "name"},
                      json={"name": "More"})
        assert moved["name"] == "More" and v2.ok("GET", f"{model}/customFields/groups/{group['id']}") == moved
        second = v2.ok("POST", f"{model}/customFields/groups", 201, json={"name": "Second"})  # on the first tab
        assert second["tab_id"] != tab["id"]
        second = v2.ok("PATCH", f"{model}/customFields/groups/{second['id']}", params={"update_mask": "tab_id"},
                       json={"tab_id": tab["id"]})
        assert second["tab_id"] == tab["id"] and second["order"] == 2  # moved: last on its new tab
        assert v2.delete(f"{model}/customFields/groups/{second['id']}").status_code == 204

        # a tab with groups and a group with fields stay; emptied, they go
        assert v2.error("DELETE", f"{model}/customFields/tabs/{tab['id']}", 409)["status"] == "FAILED_PRECONDITION"
        assert v2.error("DELETE", f"{model}/customFields/groups/{group['id']}", 409)["code"] == 409
        assert v2.delete(f"{model}/customFields/{field['id']}").status_code == 204
        assert v2.delete(f"{model}/customFields/groups/{group['id']}").status_code == 204
        assert v2.delete(f"{model}/customFields/tabs/{tab['id']}").status_code == 204
        assert v2.app.call("DataService.query", "DataFormField", 10, 0, {"Id": int(field["id"])}, ["Id"]) == []
        assert v2.error("GET", f"{model}/customFields/tabs/{tab['id']}", 404)["details"] == [
            {"domain": "Custom Field Tab", "resource": tab["id"]}]


def test_a_field_made_by_xmlrpc_is_in_v2_and_a_v2_field_in_v1(v2):
    [group] = v2.app.call("DataService.query", "DataFormGroup", 1, 0, {"Name": "Program Details"}, ["Id"])
    made = v2.app.call("DataService.addCustomField", "Contact", "Favourite Day", "DayOfWeek", group["Id"])
    model = v2.ok("GET", "/contacts/model")
    [mine] = [f for f in model["custom_fields"] if f["id"] == str(made)]
    assert mine["field_type"] == "DAY_OF_WEEK" and mine["group_name"] == "Program Details"
    assert mine["field_name"] == "FavouriteDay"
    level = next(f for f in model["custom_fields"] if f["label"] == "Membership Level")
    assert [o["label"] for o in level["options"]] == ["Basic", "Plus", "Premium", "Elite"]

    # without a group_id the field goes under the form's first group; v1's model lists it
    made = v2.ok("POST", "/opportunities/model/customFields", 201, json={"label": "Close Date", "field_type": "DATE"})
    assert made["group_name"] == "Custom Fields" and made["field_type"] == "DATE"
    v1 = rest_for(v2.app).ok("GET", "/opportunities/model")
    assert {"id": int(made["id"]), "label": "Close Date", "field_type": "Date"}.items() <= next(
        f for f in v1["custom_fields"] if f["id"] == int(made["id"])).items()
    # and the reverse: v1's field, and a tab and group XML-RPC adds, are in v2
    v1_field = rest_for(v2.app).ok("POST", "/companies/model/customFields", 201, json={
        "label": "Region", "field_type": "Radio", "options": [{"label": "North"}, {"label": "South"}]})
    got = next(f for f in v2.ok("GET", "/companies/model")["custom_fields"] if f["id"] == str(v1_field["id"]))
    assert got["field_type"] == "RADIO" and [o["label"] for o in got["options"]] == ["North", "South"]
    xml_tab = v2.app.call("DataService.add", "DataFormTab", {"FormId": -6, "TabName": "Legacy"})
    xml_group = v2.app.call("DataService.add", "DataFormGroup", {"TabId": xml_tab, "Name": "Old header"})
    tabs = v2.ok("GET", "/companies/model/customFields/tabs")["tabs"]
    assert tabs[-1] == {"id": str(xml_tab), "name": "Legacy", "record_type": "COMPANY"}  # no order: listed last
    assert v2.ok("GET", f"/companies/model/customFields/groups/{xml_group}")["tab_id"] == str(xml_tab)
    # notes and tasks share one form
    assert made["id"] not in {f["id"] for f in v2.ok("GET", "/notes/model")["custom_fields"]}
    note_field = v2.ok("POST", "/notes/model/customFields", 201, json={"label": "Mood", "field_type": "TEXT"})
    assert note_field["id"] in {f["id"] for f in v2.ok("GET", "/tasks/model")["custom_fields"]}


def test_bad_requests_name_the_field(v2):
    assert v2.error("POST", "/contacts/model/customFields", 400, json={"label": " ", "field_type": "TEXT"})[
        "details"] == [{"domain": "request", "resource": "label"}]
    assert v2.error("POST", "/contacts/model/customFields", 400, json={"label": "x", "field_type": "HOLOGRAM"})[
        "code"] == 400
    assert v2.error("POST", "/contacts/model/customFields", 400, json={
        "label": "x", "field_type": "TEXT", "options": [{"label": "a"}]})["details"][0]["resource"] == "options"
    [other] = v2.ok("GET", "/companies/model/customFields/groups")["groups"][:1]
    wrong = v2.error("POST", "/contacts/model/customFields", 400, json={
        "label": "x", "field_type": "TEXT", "group_id": other["id"]})
    assert wrong["details"] == [{"domain": "request", "resource": "group_id"}]
    contact_field = v2.ok("GET", "/contacts/model")["custom_fields"][0]
    # a field of another record type's form is not found there
    assert v2.error("DELETE", f"/companies/model/customFields/{contact_field['id']}", 404)["status"] == "NOT_FOUND"
    assert v2.error("GET", "/contacts/model/customFields/tabs/abc", 400)["code"] == 400
    assert v2.error("PATCH", "/contacts/model/customFields/tabs/1", 400, json={"name": "x"})["code"] == 400  # no mask
    assert v2.error("POST", "/contacts/model/customFields/groups", 400, json={"name": "g", "tab_id": "99999"})[
        "details"] == [{"domain": "request", "resource": "tab_id"}]


def test_record_values_are_checked_by_the_shared_helper(app):
    with domain_session(app) as s:
        fields = {c.field.label: c.field for c in custom_contents.contents(s, -1, [1])[1]}
        for label, content, problem in [("Membership Level", "Gold", "options"), ("Shoe Size", "nine", "whole number"),
                                        ("Referral Code", [1], "text"), ("Signup Date", "someday", "date")]:
            with pytest.raises(custom_contents.InvalidContent) as bad:
                custom_contents.to_values(s, -1, [{"id": "1", "content": None},
                                                  {"id": str(fields[label].id), "content": content}])
            assert bad.value.field == "custom_fields.1.content" and problem in bad.value.message
        with pytest.raises(custom_contents.InvalidContent) as bad:
            custom_contents.to_values(s, -1, [{"id": "99999", "content": "x"}])
        assert bad.value.field == "custom_fields.0.id"


def test_record_values_read_and_written_through_the_shared_helper(v2):
    with domain_session(v2.app) as s:
        ids = {c.field.label: str(c.field.id) for c in custom_contents.contents(s, -1, [6])[6]}
        values = custom_contents.to_values(s, -1, [
            {"id": ids["Shoe Size"], "content": "11"}, {"id": ids["Membership Level"], "content": "Plus"},
            {"id": ids["Signup Date"], "content": "2024-03-05"}, {"id": ids["Newsletter Opt In"], "content": True}])
    v2.app.call("ContactService.update", 6, values)
    loaded = v2.app.call("ContactService.load", 6, ["_ShoeSize", "_MembershipLevel", "_NewsletterOptIn"])
    assert loaded == {"_ShoeSize": 11, "_MembershipLevel": "Plus", "_NewsletterOptIn": 1}
    with domain_session(v2.app) as s:
        read = {c["id"]: c["content"] for c in custom_contents.read(s, -1, [6])[6]}
    assert read[ids["Shoe Size"]] == 11 and read[ids["Signup Date"]] == "2024-03-05"
    assert set(read) == set(ids.values())  # every field of the form, set or not


def test_the_sdk_reads_and_writes_a_model(sdk):
    import keap_core_v2_client as k

    api = k.ContactApi(sdk)
    made = api.create_contact_custom_field(k.CreateCustomFieldRequest(label="Pet name", field_type="TEXT"))
    assert made.label == "Pet name" and made.record_type == "CONTACT"
    model = api.retrieve_contact_model()
    assert made.id in [f.id for f in model.custom_fields]
    tab = api.create_contact_custom_field_tab(k.CreateCustomFieldTabRequest(name="SDK tab"))
    assert tab.name == "SDK tab" and tab.id in [t.id for t in api.list_contact_custom_field_tabs().tabs]


def test_a_report_model_lists_the_saved_searchs_columns_with_new_custom_fields(v2):
    [search] = v2.app.call("DataService.query", "SavedFilter", 10, 0, {"FilterName": "Colorado customers"}, ["Id"])
    made = v2.ok("POST", "/contacts/model/customFields", 201, json={"label": "Belt Colour", "field_type": "TEXT"})
    fields = v2.ok("GET", f"/reporting/reports/{search['Id']}/model")["fields"]
    assert {"name": "_" + made["field_name"], "label": "Belt Colour"} in fields
    [user] = v2.app.call("DataService.query", "User", 1, 0, {}, ["Id"])
    columns = v2.app.call("SearchService.getAllReportColumns", search["Id"], user["Id"])
    assert {f["name"]: f["label"] for f in fields} == columns
    assert v2.error("GET", "/reporting/reports/99999/model", 404)["status"] == "NOT_FOUND"


def test_only_an_administrator_changes_a_form(v2):
    [coach] = v2.app.call("DataService.query", "User", 1, 0, {"Email": "devin.okafor@example.com"}, ["Id"])
    made = v2.app.live.control("POST", f"/apps/{v2.app.name}/api-keys", json={"kind": "pat", "user_id": coach["Id"]})
    coach_v2 = V2(v2.app, made.json()["key"], checked_session(v2.checker, made.json()["key"]), v2.checker)
    assert coach_v2.error("POST", "/contacts/model/customFields/tabs", 403, json={"name": "Mine"})[
        "status"] == "PERMISSION_DENIED"
    assert coach_v2.error("POST", "/contacts/model/customFields", 403, json={"label": "x", "field_type": "TEXT"})[
        "code"] == 403
    assert coach_v2.ok("GET", "/contacts/model")["custom_fields"]  # reading is anyone's


def test_a_bad_custom_field_content_is_a_400_naming_the_property():
    answer = from_exception(custom_contents.InvalidContent("custom_fields.2.content", "not a number")).body()
    assert answer == {"code": 400, "message": "Invalid value for 'custom_fields.2.content': not a number",
                      "status": "INVALID_ARGUMENT",
                      "details": [{"domain": "request", "resource": "custom_fields.2.content"}]}
