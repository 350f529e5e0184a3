"""DataService through a live server: reads, writes, access rights, the query language, custom fields."""
from __future__ import annotations

import hashlib
import json
import xmlrpc.client

import pytest
import sqlalchemy as sa

from server.store import apps, schema
from server.store.db import transaction
from tests.conftest import SEED_DIR, fault_of


def _contacts(app, *rows):
    return [app.call("ContactService.add", r) for r in rows]


def test_add_load_update_delete_on_company(empty_app):
    cid = empty_app.call("DataService.add", "Company", {
        "Company": "Hogwarts of America", "Phone1": "987-654-3211", "Website": "https://www.example.com",
        "StreetAddress1": "1 Main St", "City": "Boise", "State": "ID", "PostalCode": "83702", "Country": "USA"})
    assert empty_app.call("DataService.update", "Company", cid, {"Phone1": "987-654-3211"}) == cid
    assert empty_app.call("DataService.load", "Company", cid, ["Phone1", "Company"]) == {
        "Phone1": "(987) 654-3211", "Company": "Hogwarts of America"}
    assert empty_app.call("DataService.delete", "Company", cid) is True
    assert empty_app.call("DataService.delete", "Company", cid) is False
    with pytest.raises(xmlrpc.client.Fault) as exc:
        empty_app.call("DataService.update", "Company", cid, {"Company": "x"})
    assert fault_of(exc) == (5, f"[RecordNotFound]Unable to perform update. Record not found for Id:{cid}")


def test_companies_and_contacts_are_separate_tables_sharing_ids(empty_app):
    contact = empty_app.call("ContactService.add", {"FirstName": "Ada"})
    company = empty_app.call("DataService.add", "Company", {"Company": "Hogwarts"})
    assert company == contact + 1
    assert empty_app.call("DataService.query", "Company", 10, 0, {"Id": "%"}, ["Id"]) == [{"Id": company}]
    assert empty_app.call("DataService.query", "Contact", 10, 0, {"Id": "%"}, ["Id"]) == [{"Id": contact}]


def test_query_pages_are_zero_based_and_ordered(empty_app):
    ids = _contacts(empty_app, *({"FirstName": f"P{i}", "Email": f"p{i}@example.com"} for i in range(7)))
    page0 = empty_app.call("DataService.query", "Contact", 3, 0, {"Id": "%"}, ["Id"])
    page2 = empty_app.call("DataService.query", "Contact", 3, 2, {"Id": "%"}, ["Id"])
    assert [r["Id"] for r in page0] == ids[:3]
    assert [r["Id"] for r in page2] == ids[6:]
    assert empty_app.call("DataService.query", "Contact", 3, 5, {"Id": "%"}, ["Id"]) == []
    desc = empty_app.call("DataService.query", "Contact", 3, 0, {"Id": "%"}, ["Id"], "Id", False)
    assert [r["Id"] for r in desc] == ids[::-1][:3]
    by_name = empty_app.call("DataService.query", "Contact", 10, 0, {}, ["FirstName"], "FirstName", True)
    assert [r["FirstName"] for r in by_name] == sorted(f"P{i}" for i in range(7))
    assert empty_app.call("DataService.query", "Contact", 0, 0, {}, ["Id"]) == []
    assert len(empty_app.call("DataService.query", "Contact", 5000, 0, {}, ["Id"])) == 7  # clamped to 1000


def test_query_language_operators(empty_app):
    a, b, c, d = _contacts(
        empty_app,
        {"FirstName": "Ada", "LastName": "Smith", "Email": "Ada@Example.com", "OwnerID": 5},
        {"FirstName": "Bob", "LastName": "Smithers", "Email": "bob@gmail.com", "OwnerID": 7},
        {"FirstName": "Cy", "LastName": "Jones", "OwnerID": 9},
        {"FirstName": "", "LastName": "Empty"},
    )

    def ids(criteria):
        return [r["Id"] for r in empty_app.call("DataService.query", "Contact", 100, 0, criteria, ["Id"])]

    assert ids({"Email": "ada@example.com"}) == [a]  # case-insensitive equality
    assert ids({"LastName": "smi%"}) == [a, b]
    assert ids({"Email": "%@gmail.com"}) == [b]
    assert ids({"Email": "%"}) == [a, b]  # % alone: any non-null value
    assert ids({"Email": "~null~"}) == [c, d]
    assert ids({"FirstName": ""}) == [d]  # empty string is not null
    assert ids({"Id": f"~<>~{a}"}) == [b, c, d]
    assert ids({"OwnerID": "~>~5"}) == [b, c]
    assert ids({"OwnerID": "~>=~ 7"}) == [b, c]
    assert ids({"OwnerID": "~<~7"}) == [a]
    assert ids({"OwnerID": "~<=~7"}) == [a, b]
    assert ids({"OwnerID": 7}) == [b]
    assert ids({"Id": [a, c, 424242]}) == [a, c]
    assert ids({"LastName": "Smith%", "OwnerID": "~>~5"}) == [b]  # criteria are AND-ed
    assert ids({"Email": "~<>~null"}) == [a, b]
    assert empty_app.call("DataService.count", "Contact", {"LastName": "Smi%"}) == 2
    assert empty_app.call("DataService.count", "Contact", {}) == 4
    assert empty_app.call("DataService.findByField", "Contact", 10, 0, "LastName", "smithers", ["Id"]) == [{"Id": b}]
    assert empty_app.call("DataService.findByField", "Contact", 10, 0, "OwnerID", 9, ["Id"]) == [{"Id": c}]


def test_query_dates_compare_in_app_local_time(empty_app):
    empty_app.clock(time="2024-03-05T10:00:00", frozen=True)
    early = empty_app.call("ContactService.add", {"FirstName": "Early", "Birthday": "1990-03-15"})
    empty_app.clock(time="2024-04-01T23:30:00", frozen=True)
    late = empty_app.call("ContactService.add", {"FirstName": "Late"})

    def ids(criteria):
        return [r["Id"] for r in empty_app.call("DataService.query", "Contact", 100, 0, criteria, ["Id"])]

    assert ids({"DateCreated": "2024-03-%"}) == [early]
    assert ids({"DateCreated": "2024-04-01"}) == [late]  # a date matches its whole day
    assert ids({"DateCreated": "~>=~ 2024-03-06 00:00:00"}) == [late]
    assert ids({"LastUpdated": "~<~ 2024-04-01 23:30:00"}) == [early]
    assert ids({"LastUpdated": xmlrpc.client.DateTime("20240401T23:30:00")}) == [late]
    assert ids({"Birthday": "1990-03-15"}) == [early]
    assert ids({"Birthday": {"since": "1990-01-01", "before": "1991-01-01"}}) == [early]


def test_table_and_field_faults(empty_app):
    with pytest.raises(xmlrpc.client.Fault) as exc:
        empty_app.call("DataService.query", "NoSuchTable", 10, 0, {}, ["Id"])
    assert fault_of(exc) == (9, "[NoTableFound]No table found: NoSuchTable")
    with pytest.raises(xmlrpc.client.Fault) as exc:
        empty_app.call("DataService.query", "Contact", 10, 0, {"given_name": "x"}, ["Id"])
    assert fault_of(exc) == (10, "[NoFieldFound]No field found: Contact.given_name")
    with pytest.raises(xmlrpc.client.Fault) as exc:
        empty_app.call("DataService.add", "ContactGroupAssign", {"GroupId": 1, "ContactId": 1})
    assert fault_of(exc) == (7, "[NoTableAccess]No add access to table: ContactGroupAssign")
    with pytest.raises(xmlrpc.client.Fault) as exc:
        empty_app.call("DataService.delete", "ContactGroup", 1)
    assert exc.value.faultCode == 7
    with pytest.raises(xmlrpc.client.Fault) as exc:
        empty_app.call("DataService.update", "Contact", empty_app.call("ContactService.add", {"FirstName": "A"}),
                       {"DateCreated": "2020-01-01", "Id": 999})  # another record's Id is refused whatever the option
    assert fault_of(exc) == (8, "[NoFieldAccess]No edit access to field: Contact.Id")
    with pytest.raises(xmlrpc.client.Fault) as exc:
        empty_app.call("DataService.query", "Contact", 10, 0, {}, [])
    assert exc.value.faultCode == 11
    with pytest.raises(xmlrpc.client.Fault) as exc:
        empty_app.call("DataService.add", "Contact", {"Birthday": "not a date"})
    assert exc.value.faultCode == 12
    with pytest.raises(xmlrpc.client.Fault) as exc:
        empty_app.call("DataService.query", "User", 10, 0, {}, ["Password"])
    assert fault_of(exc) == (10, "[NoFieldFound]No field found: User.Password")


def test_tags_and_categories_through_data_service(empty_app):
    cat = empty_app.call("DataService.add", "ContactGroupCategory", {"CategoryName": "Interests"})
    tag = empty_app.call("DataService.add", "ContactGroup", {"GroupName": "Yoga", "GroupCategoryId": cat,
                                                             "GroupDescription": "Likes yoga"})
    assert empty_app.call("DataService.update", "ContactGroup", tag, {"GroupName": "Hot Yoga"}) == tag
    found = empty_app.call("DataService.findByField", "ContactGroup", 1000, 0, "GroupName", "%", ["Id", "GroupName"])
    assert found == [{"Id": tag, "GroupName": "Hot Yoga"}]
    assert empty_app.call("DataService.load", "ContactGroupCategory", cat, ["CategoryName"]) == {
        "CategoryName": "Interests"}


def test_contact_actions_notes_and_tasks(empty_app):
    cid = empty_app.call("ContactService.add", {"FirstName": "Ada"})
    note = empty_app.call("DataService.add", "ContactAction", {
        "ContactId": cid, "ActionDescription": "Called", "CreationNotes": "Left a message"})
    task = empty_app.call("DataService.add", "ContactAction", {
        "ContactId": cid, "ActionDescription": "Call back", "ActionDate": "2024-05-01 09:00:00"})
    rows = empty_app.call("DataService.query", "ContactAction", 10, 0, {"ContactId": cid},
                          ["Id", "ObjectType", "ActionDescription"])
    assert rows == [{"Id": note, "ObjectType": "Note", "ActionDescription": "Called"},
                    {"Id": task, "ObjectType": "Task", "ActionDescription": "Call back"}]
    assert empty_app.call("DataService.delete", "Contact", cid) is True
    assert empty_app.call("DataService.count", "ContactAction", {"ContactId": cid}) == 0  # deleted with it


def test_custom_field_management(app):
    groups = app.call("DataService.query", "DataFormGroup", 100, 0, {}, ["Id", "TabId", "Name"])
    tabs = {t["Id"]: t for t in app.call("DataService.query", "DataFormTab", 100, 0, {}, ["Id", "FormId", "TabName"])}
    company_header = next(g["Id"] for g in groups if tabs[g["TabId"]]["FormId"] == -6)
    field_id = app.call("DataService.addCustomField", "Company", "Awesomeness Level", "Text", company_header)
    again = app.call("DataService.addCustomField", "Company", "Awesomeness Level", "Text", company_header)
    names = {r["Id"]: r["Name"] for r in app.call("DataService.query", "DataFormField", 100, 0, {"FormId": -6},
                                                  ["Id", "Name"])}
    assert names[field_id] == "AwesomenessLevel" and names[again] == "AwesomenessLevel0"
    assert app.call("DataService.updateCustomField", field_id, {"Label": "Stuff"}) is True
    assert app.call("DataService.load", "DataFormField", field_id, ["Label"]) == {"Label": "Stuff"}
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("DataService.addCustomField", "Company", "Bad Header", "Text", 999999)
    assert fault_of(exc) == (4, "[DatabaseError]Error creating custom field")
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("DataService.addCustomField", "Company", "Bad Type", "Hologram", company_header)
    assert exc.value.faultCode == 4
    company = app.call("DataService.add", "Company", {"Company": "Acme", "_AwesomenessLevel": "high"})
    assert app.call("DataService.load", "Company", company, ["_AwesomenessLevel"]) == {"_AwesomenessLevel": "high"}
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("ContactService.add", {"_AwesomenessLevel": "x"})  # a Company field is not on Contact
    assert exc.value.faultCode == 10


def test_typed_custom_fields_round_trip(app):
    header = app.call("DataService.query", "DataFormGroup", 1, 0, {}, ["Id"])[0]["Id"]
    for label, kind in (("Visits", "Number"), ("Spend", "Currency"), ("Joined", "Date"), ("Vip", "YesNo")):
        app.call("DataService.addCustomField", "Contact", label, kind, header)
    cid = app.call("ContactService.add", {"_Visits": "12", "_Spend": 19.5, "_Joined": "2024-02-29", "_Vip": 1})
    loaded = app.call("ContactService.load", cid, ["_Visits", "_Spend", "_Joined", "_Vip"])
    assert loaded == {"_Visits": 12, "_Spend": 19.5, "_Joined": xmlrpc.client.DateTime("20240229T00:00:00"),
                      "_Vip": 1}
    assert [r["Id"] for r in app.call("DataService.query", "Contact", 10, 0, {"_Visits": "~>~10"}, ["Id"])] == [cid]
    assert app.call("DataService.query", "Contact", 10, 0, {"_Spend": "~<~10"}, ["Id"]) == []


def test_get_app_setting(app):
    assert app.call("DataService.getAppSetting", "Contact", "optiontypes") == \
        "Prospect,Customer,Partner,Personal Contact,Vendor"
    assert app.call("DataService.getAppSetting", "Application", "enabled") == "yes"
    assert app.call("DataService.getAppSetting", "Nope", "nothing") == ""


def test_authenticate_user(app):
    users = app.call("DataService.query", "User", 10, 0, {}, ["Id", "Email", "FirstName"])
    assert len(users) == 2


    seeded = json.loads((SEED_DIR / "users.json").read_text())[0]
    digest = hashlib.md5(seeded["password"].encode()).hexdigest()
    assert app.call("DataService.authenticateUser", seeded["Email"], digest) == users[0]["Id"]
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("DataService.authenticateUser", seeded["Email"], "bad_pass")
    assert fault_of(exc) == (13, "[FailedLoginAttempt]Invalid username and/or password.")
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("DataService.authenticateUser", "test@test.com", digest)
    assert fault_of(exc) == (13, "[FailedLoginAttempt]username not found: test@test.com")


def test_echo(app):
    assert app.call("DataService.echo", "hello") == "hello"
    assert app.proxy().DataService.echo("no key") == "no key"


def test_paging_through_ten_thousand_contacts(live, empty_app):
    """A client idiom: page DataService.query until a page comes back short."""
    engine = live.sandbox.engine
    with transaction(engine, write=True) as conn:  # the rows as contacts.add stores them, written in bulk
        s = live.sandbox.env.session(conn, apps.by_name(conn, empty_app.name))
        first = s.next_id("contact", 10_000)
        now = s.now_local()
        s.insert(schema.contact, [dict(id=first + i, kind="contact", first_name=f"F{i}", email=f"c{i}@example.com",
                                       date_created=now, last_updated=now) for i in range(10_000)])
    seen, page = [], 0
    while True:
        rows = empty_app.call("DataService.query", "Contact", 1000, page, {"Id": "%"}, ["Id", "Email"])
        seen.extend(r["Id"] for r in rows)
        if len(rows) < 1000:
            break
        page += 1
    assert len(seen) == len(set(seen)) == 10_000 and seen == sorted(seen)
    assert page == 10  # pages 0..9 are full, page 10 is empty
    assert empty_app.call("DataService.count", "Contact", {"Email": "c99%"}) == 111


def test_query_with_order_by(app):
    """DataService.queryWithOrderBy: the client-side name (iSDK dsQueryOrderBy, Novak) of the 7-argument query."""
    for name in ("Zed", "Amy", "Mia"):
        app.call("ContactService.add", {"FirstName": name, "LastName": "Ordered"})
    fields = ["Id", "FirstName"]
    by_name = app.call("DataService.queryWithOrderBy", "Contact", 10, 0, {"LastName": "Ordered"}, fields,
                       "FirstName", True)
    assert [r["FirstName"] for r in by_name] == ["Amy", "Mia", "Zed"]
    backwards = app.call("DataService.queryWithOrderBy", "Contact", 2, 0, {"LastName": "Ordered"}, fields,
                         "FirstName", False)
    assert [r["FirstName"] for r in backwards] == ["Zed", "Mia"]
    assert backwards == app.call("DataService.query", "Contact", 2, 0, {"LastName": "Ordered"}, fields,
                                 "FirstName", False)
    assert app.call("DataService.queryWithOrderBy", "Contact", 2, 1, {"LastName": "Ordered"}, fields,
                    "FirstName", False) == [by_name[0]]
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("DataService.queryWithOrderBy", "Contact", 2, 0, {}, fields, "Nope", True)
    assert exc.value.faultCode == 10
    with pytest.raises(xmlrpc.client.Fault) as exc:  # only the 7-argument form exists under this name
        app.call("DataService.queryWithOrderBy", "Contact", 2, 0, {}, fields)
    assert exc.value.faultCode == 0 and exc.value.faultString.startswith("No method matching arguments")


def test_deleting_a_contact_removes_what_hangs_off_it(live, app):


    cid = app.call("ContactService.add", {"FirstName": "Gone", "Email": "gone@example.com", "_ShoeSize": 9})
    other = app.call("ContactService.add", {"FirstName": "Stays"})
    tag = app.call("DataService.add", "ContactGroup", {"GroupName": "Cascade"})
    app.call("ContactService.addToGroup", cid, tag)
    app.call("ContactService.addToGroup", other, tag)
    partner = app.call("DataService.query", "LinkedContactType", 1, 0, {}, ["Id"])[0]["Id"]
    app.call("ContactService.linkContacts", cid, other, partner)
    app.call("DataService.add", "ContactAction", {"ContactId": cid, "ActionDescription": "A note"})
    app.call("APIEmailService.optIn", "gone@example.com", "before the delete")
    assert app.call("DataService.count", "ContactGroupAssign", {"ContactId": cid}) == 1

    assert app.call("DataService.delete", "Contact", cid) is True
    assert app.call("DataService.count", "ContactGroupAssign", {"ContactId": cid}) == 0  # its tags
    assert app.call("DataService.count", "ContactGroupAssign", {"GroupId": tag}) == 1  # the tag and others stay
    assert app.call("ContactService.listLinkedContacts", other) == []  # its links
    assert app.call("DataService.count", "ContactAction", {"ContactId": cid}) == 0  # its notes and tasks
    with live.sandbox.engine.connect() as conn:  # its custom values (no API shows an orphan row)
        cv = schema.custom_value
        app_id = conn.execute(sa.select(schema.app.c.id).where(schema.app.c.name == app.name)).scalar()
        left = conn.execute(sa.select(sa.func.count()).select_from(cv).where(
            cv.c.app_id == app_id, cv.c.record_id == cid)).scalar()
    assert left == 0
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("ContactService.load", cid, ["Id"])
    assert exc.value.faultCode == 5
    # the email status belongs to the address, not the contact (seed 004): it outlives the contact
    assert app.call("APIEmailService.getOptStatus", "gone@example.com") == 1
    assert app.call("DataService.delete", "Contact", cid) is False
    events = live.control("GET", f"/apps/{app.name}/events", params={"limit": 1000}).json()["events"]
    assert any(e["type"] == "contact.deleted" and e["entity_id"] == cid for e in events)


def test_a_whole_loaded_record_can_be_saved_back(empty_app):
    """Old clients load a record, change a field and send all of it back: read-only fields are ignored on
    update (app option update_read_only_fields: "ignore", the default), refused with "refuse", and on add."""
    app = empty_app
    contact = app.call("ContactService.add", {"FirstName": "Ada", "LastName": "Lovelace"})
    record = app.call("ContactService.load", contact, ["Id", "FirstName", "LastName", "DateCreated", "LastUpdated",
                                                      "CreatedBy", "LastUpdatedBy"])
    before = dict(record)
    record["FirstName"] = "Augusta"
    assert app.call("ContactService.update", contact, record) == contact
    assert app.call("DataService.update", "Contact", contact, record) == contact
    after = app.call("ContactService.load", contact, ["FirstName", "DateCreated", "Id"])
    assert after == {"Id": contact, "FirstName": "Augusta", "DateCreated": before["DateCreated"]}
    events = app.live.control("GET", f"/apps/{app.name}/events", params={"count": 1000}).json()["events"]
    edits = [e for e in events if e["type"] == "contact.updated" and e["entity_id"] == contact]
    assert edits and all("DateCreated" not in e["payload"].get("fields", []) for e in edits)
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("ContactService.add", {"FirstName": "B", "DateCreated": before["DateCreated"]})
    assert fault_of(exc) == (8, "[NoFieldAccess]No add access to field: Contact.DateCreated")
    r = app.live.control("PATCH", f"/apps/{app.name}/options", json={"update_read_only_fields": "refuse"})
    assert r.status_code == 200, r.text
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("ContactService.update", contact, record)
    assert exc.value.faultCode == 8
