"""ContactService through a live server, with xmlrpc.client."""
from __future__ import annotations

import xmlrpc.client
from datetime import datetime

import pytest

from tests.conftest import fault_of


def add(app, **data):
    return app.call("ContactService.add", data)


def test_add_returns_new_ids_and_load_returns_only_requested_non_null_fields(empty_app):
    first = add(empty_app, FirstName="Severus", LastName="Snape", Email="test@tester.com")
    second = add(empty_app, FirstName="Minerva")
    assert isinstance(first, int) and second == first + 1
    loaded = empty_app.call("ContactService.load", first, ["Id", "FirstName", "LastName", "Email", "Company"])
    assert loaded == {"Id": first, "FirstName": "Severus", "LastName": "Snape", "Email": "test@tester.com"}


def test_add_stamps_dates_from_the_app_clock(empty_app):
    empty_app.clock(time="2024-01-31T09:30:00", frozen=True)  # app-local (US Eastern) time
    cid = add(empty_app, FirstName="Ada", Birthday=datetime(1815, 12, 10))
    loaded = empty_app.call("ContactService.load", cid, ["DateCreated", "LastUpdated", "Birthday"])
    assert loaded["DateCreated"] == xmlrpc.client.DateTime("20240131T09:30:00")
    assert loaded["LastUpdated"] == xmlrpc.client.DateTime("20240131T09:30:00")
    assert loaded["Birthday"] == xmlrpc.client.DateTime("18151210T00:00:00")
    empty_app.clock(by="2d")
    empty_app.call("ContactService.update", cid, {"LastName": "Lovelace"})
    loaded = empty_app.call("ContactService.load", cid, ["DateCreated", "LastUpdated"])
    assert loaded["LastUpdated"] == xmlrpc.client.DateTime("20240202T09:30:00")
    assert loaded["DateCreated"] == xmlrpc.client.DateTime("20240131T09:30:00")


def test_phone_numbers_are_normalised_as_the_real_server_does(empty_app):
    cid = add(empty_app, Phone1="987-654-3211", Phone2="+44 20 7946 0958")
    loaded = empty_app.call("ContactService.load", cid, ["Phone1", "Phone2"])
    assert loaded == {"Phone1": "(987) 654-3211", "Phone2": "+44 20 7946 0958"}


def test_update_returns_the_id_and_changes_only_given_fields(empty_app):
    cid = add(empty_app, FirstName="Ada", Company="Analytical")
    assert empty_app.call("ContactService.update", cid, {"Company": "Hogwarts"}) == cid
    assert empty_app.call("ContactService.load", cid, ["FirstName", "Company"]) == {
        "FirstName": "Ada", "Company": "Hogwarts"}


def test_update_of_a_missing_contact_is_record_not_found(empty_app):
    with pytest.raises(xmlrpc.client.Fault) as exc:
        empty_app.call("ContactService.update", 48872, {"FirstName": "X"})
    assert fault_of(exc) == (5, "[RecordNotFound]Unable to perform update. Record not found for Id:48872")


def test_update_needs_at_least_one_field(empty_app):
    """Spec §4.6: "you must have at least one member of your struct", as DataService.update answers."""
    cid = add(empty_app, FirstName="Ada")
    with pytest.raises(xmlrpc.client.Fault) as exc:
        empty_app.call("ContactService.update", cid, {})
    assert fault_of(exc) == (11, "[NoFields]No fields were supplied to update")


def test_load_of_a_missing_contact(empty_app):
    with pytest.raises(xmlrpc.client.Fault) as exc:
        empty_app.call("ContactService.load", 999, ["Id"])
    assert fault_of(exc) == (5, "[RecordNotFound]Record not found for Id:999")
    r = empty_app.live.control("PATCH", f"/apps/{empty_app.name}/options", json={"load_missing": "empty"})
    assert r.status_code == 200
    assert empty_app.call("ContactService.load", 999, ["Id"]) == {}


def test_unknown_and_read_only_fields_fault(empty_app):
    with pytest.raises(xmlrpc.client.Fault) as exc:
        add(empty_app, given_name="Ada")
    assert fault_of(exc) == (10, "[NoFieldFound]No field found: Contact.given_name")
    with pytest.raises(xmlrpc.client.Fault) as exc:
        add(empty_app, Id=5)
    assert exc.value.faultCode == 8 and "[NoFieldAccess]" in exc.value.faultString
    with pytest.raises(xmlrpc.client.Fault) as exc:
        empty_app.call("ContactService.load", add(empty_app, FirstName="A"), ["Nope"])
    assert fault_of(exc) == (10, "[NoFieldFound]No field found: Contact.Nope")


def test_add_with_dup_check_email(empty_app):
    cid = add(empty_app, FirstName="Severus", LastName="Snape", Email="test@tester.com")
    again = empty_app.call("ContactService.addWithDupCheck",
                           {"FirstName": "Severus", "LastName": "Snape", "Email": "TEST@tester.com",
                            "Company": "Test Company"}, "Email")
    assert again == cid
    assert empty_app.call("ContactService.load", cid, ["Company"]) == {"Company": "Test Company"}


def test_add_with_dup_check_name_and_company_variants(empty_app):
    cid = add(empty_app, FirstName="Ada", LastName="Lovelace", Email="ada@example.com", Company="Engines")
    other_name = empty_app.call("ContactService.addWithDupCheck",
                                {"FirstName": "Augusta", "LastName": "Lovelace", "Email": "ada@example.com"},
                                "EmailAndName")
    assert other_name != cid
    same = empty_app.call("ContactService.addWithDupCheck",
                          {"FirstName": "ada", "LastName": "LOVELACE", "Email": "ada@example.com"}, "EmailAndName")
    assert same == cid
    other_company = empty_app.call("ContactService.addWithDupCheck",
                                   {"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@example.com",
                                    "Company": "Looms"}, "EmailAndNameAndCompany")
    assert other_company not in (cid, other_name)
    with pytest.raises(xmlrpc.client.Fault) as exc:
        empty_app.call("ContactService.addWithDupCheck", {"Email": "x@example.com"}, "Phone")
    assert exc.value.faultCode == 12


def test_find_by_email_searches_all_three_addresses(empty_app):
    a = add(empty_app, Email="test@tester.com")
    b = add(empty_app, Email="other@tester.com", EmailAddress2="Test@Tester.com")
    add(empty_app, Email="nobody@tester.com")
    found = empty_app.call("ContactService.findByEmail", "test@tester.com", ["Id"])
    assert found == [{"Id": a}, {"Id": b}]
    assert empty_app.call("ContactService.findByEmail", "none@tester.com", ["Id"]) == []


def test_tags_apply_and_remove_update_groups_and_assignments(empty_app):
    cid = add(empty_app, FirstName="Ada")
    t1 = empty_app.call("DataService.add", "ContactGroup", {"GroupName": "Nurture Subscriber"})
    t2 = empty_app.call("DataService.add", "ContactGroup", {"GroupName": "Customer"})
    assert empty_app.call("ContactService.addToGroup", cid, t2) is True
    assert empty_app.call("ContactService.addToGroup", cid, t1) is True
    assert empty_app.call("ContactService.addToGroup", cid, t1) is True  # applying twice is harmless
    assert empty_app.call("ContactService.load", cid, ["Groups"]) == {"Groups": f"{t1},{t2}"}
    rows = empty_app.call("DataService.query", "ContactGroupAssign", 10, 0, {"ContactId": cid},
                          ["GroupId", "ContactGroup", "ContactId", "Contact.FirstName"])
    assert rows == [{"GroupId": t1, "ContactGroup": "Nurture Subscriber", "ContactId": cid, "Contact.FirstName": "Ada"},
                    {"GroupId": t2, "ContactGroup": "Customer", "ContactId": cid, "Contact.FirstName": "Ada"}]
    assert empty_app.call("ContactService.removeFromGroup", cid, t1) is True
    assert empty_app.call("ContactService.load", cid, ["Groups"]) == {"Groups": str(t2)}
    assert empty_app.call("DataService.query", "Contact", 10, 0, {"Groups": f"%{t2}%"}, ["Id"]) == [{"Id": cid}]


def test_add_to_group_with_an_invalid_contact_is_the_real_fault(empty_app):
    tag = empty_app.call("DataService.add", "ContactGroup", {"GroupName": "T"})
    with pytest.raises(xmlrpc.client.Fault) as exc:
        empty_app.call("ContactService.addToGroup", 0, tag)
    assert fault_of(exc) == (0, "Failed to invoke method addToGroup in class "
                                "com.infusionsoft.api.xmlrpc.XmlRpcContactService: contactId must be a valid id")


def test_tags_apply_to_company_ids(empty_app):
    company = empty_app.call("DataService.add", "Company", {"Company": "Hogwarts"})
    tag = empty_app.call("DataService.add", "ContactGroup", {"GroupName": "Partner"})
    assert empty_app.call("ContactService.addToGroup", company, tag) is True
    assert empty_app.call("DataService.load", "Company", company, ["Groups", "CompanyID"]) == {
        "Groups": str(tag), "CompanyID": company}


def test_merge_moves_tags_notes_and_fills_blank_fields(empty_app):
    keep = add(empty_app, FirstName="Ada", Email="ada@example.com")
    dup = add(empty_app, FirstName="Augusta", LastName="Lovelace", Phone1="5550101234")
    tag = empty_app.call("DataService.add", "ContactGroup", {"GroupName": "Dup tag"})
    empty_app.call("ContactService.addToGroup", dup, tag)
    note = empty_app.call("DataService.add", "ContactAction", {"ContactId": dup, "ActionDescription": "Called"})
    assert empty_app.call("ContactService.merge", keep, dup) is True
    assert empty_app.call("ContactService.load", keep, ["FirstName", "LastName", "Phone1", "Groups"]) == {
        "FirstName": "Ada", "LastName": "Lovelace", "Phone1": "(555) 010-1234", "Groups": str(tag)}
    assert empty_app.call("DataService.load", "ContactAction", note, ["ContactId"]) == {"ContactId": keep}
    with pytest.raises(xmlrpc.client.Fault) as exc:
        empty_app.call("ContactService.load", dup, ["Id"])
    assert exc.value.faultCode == 5


def test_link_unlink_and_list_linked_contacts(app):
    types = app.call("DataService.query", "LinkedContactType", 10, 0, {"TypeName": "Business Partner"}, ["Id"])
    partner = types[0]["Id"]
    a, b, c = (app.call("ContactService.add", {"FirstName": n}) for n in ("A", "B", "C"))
    assert app.call("ContactService.linkContacts", a, b, partner) is True
    assert app.call("ContactService.linkContacts", a, c, partner) is True
    assert app.call("ContactService.listLinkedContacts", a) == [
        {"ContactId1": a, "ContactId2": b, "LinkTypeId": partner},
        {"ContactId1": a, "ContactId2": c, "LinkTypeId": partner}]
    assert app.call("ContactService.unlinkContacts", b, a, partner) is True
    assert app.call("ContactService.listLinkedContacts", b) == []
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("ContactService.linkContacts", a, 99999, partner)
    assert exc.value.faultCode == 0 and "contactId must be a valid id" in exc.value.faultString


def test_custom_fields_on_contacts(app):
    header = app.call("DataService.query", "DataFormGroup", 100, 0, {}, ["Id", "TabId", "Name"])[0]["Id"]
    field_id = app.call("DataService.addCustomField", "Contact", "Favourite Color", "Text", header)
    assert isinstance(field_id, int)
    field = app.call("DataService.load", "DataFormField", field_id, ["Name", "Label", "DataType", "FormId"])
    assert field == {"Name": "FavouriteColor", "Label": "Favourite Color", "DataType": 15, "FormId": -1}
    cid = app.call("ContactService.add", {"FirstName": "Ada", "_FavouriteColor": "Teal"})
    assert app.call("ContactService.load", cid, ["FirstName", "_FavouriteColor"]) == {
        "FirstName": "Ada", "_FavouriteColor": "Teal"}
    assert app.call("DataService.query", "Contact", 10, 0, {"_FavouriteColor": "teal"}, ["Id"]) == [{"Id": cid}]
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("ContactService.add", {"_NoSuchField": "x"})
    assert fault_of(exc) == (10, "[NoFieldFound]No field found: Contact._NoSuchField")
