"""Tags, companies, notes, tasks, appointments, users, the account profile, settings and user info over a
live server: happy paths, errors, and the other protocol reading what REST wrote (and back)."""
from __future__ import annotations

import pytest


def test_tags_categories_and_tagged_contacts(rest):
    page = rest.ok("GET", "/tags", params={"limit": 2})
    assert page["count"] == 24 and page["tags"][0] == {
        "id": 1, "name": "Google Ads", "description": "Google Ads (lead source)",
        "category": {"id": 1, "name": "Lead Source", "description": "Where a contact first heard of us"}}
    assert page["next"] == rest.base + "/tags/?limit=2&offset=2"
    in_category = rest.ok("GET", "/tags", params={"category": 2})
    assert {t["category"]["id"] for t in in_category["tags"]} == {2} and "category" not in in_category["next"]
    assert rest.ok("GET", "/tags", params={"name": "vip"})["tags"][0]["name"] == "VIP"
    category = rest.ok("POST", "/tags/categories", json={"name": "API Category", "description": "made by REST"})
    tag = rest.ok("POST", "/tags", json={"name": "From REST", "description": "d", "category": {"id": category["id"]}})
    assert tag["category"] == category and rest.ok("GET", f"/tags/{tag['id']}") == tag
    assert rest.app.call("DataService.load", "ContactGroup", tag["id"], ["GroupName", "GroupCategoryId"]) == {
        "GroupName": "From REST", "GroupCategoryId": category["id"]}
    assert rest.post("/tags", json={"description": "no name"}).status_code == 400
    assert rest.post("/tags", json={"name": "x", "category": {"id": 999}}).status_code == 400
    assert rest.get("/tags/999").json() == {"message": "Unable to find this Tag"}

    applied = rest.ok("POST", f"/tags/{tag['id']}/contacts", json={"ids": [6, 7, 99999]})
    assert applied == {"6": "SUCCESS", "7": "SUCCESS", "99999": "CONTACT_NOT_FOUND"}
    assert rest.ok("POST", f"/tags/{tag['id']}/contacts", json={"ids": [6]}) == {"6": "DUPLICATE"}
    tagged = rest.ok("GET", f"/tags/{tag['id']}/contacts")
    assert tagged["count"] == 2 and tagged["contacts"][0]["contact"] == {
        "id": 6, "email": "olivia.martinez@example.org", "first_name": "Olivia", "last_name": "Martinez"}
    assert tagged["contacts"][0]["date_applied"].endswith("+0000")
    assert rest.app.call("ContactService.load", 6, ["Groups"])["Groups"].endswith(str(tag["id"]))
    assert rest.delete(f"/tags/{tag['id']}/contacts", params={"ids": "6,7"}).status_code == 204
    assert rest.ok("GET", f"/tags/{tag['id']}/contacts")["count"] == 0
    rest.app.call("ContactService.addToGroup", 8, tag["id"])
    assert rest.delete(f"/tags/{tag['id']}/contacts/8").status_code == 204
    rest.ok("POST", f"/tags/{tag['id']}/contacts", json={"ids": [1]})  # company 1 shares the contact id space
    assert rest.ok("GET", f"/tags/{tag['id']}/companies")["companies"][0]["company"]["id"] == 1
    assert rest.post("/tags/999/contacts", json={"ids": [6]}).status_code == 404


def test_companies(rest):
    page = rest.ok("GET", "/companies")
    assert page["count"] == 5 and page["companies"][0]["company_name"] == "Front Range Software"
    made = rest.ok("POST", "/companies", 201, json={
        "company_name": "Acme", "email_address": "hi@acme.example.com", "phone_number": {"number": "555-0199"},
        "address": {"line1": "1 Road", "locality": "Denver", "region": "CO", "zip_code": "80202",
                    "country_code": "USA"}, "custom_fields": [{"id": 9, "content": "Retail"}]})
    assert made["address"]["country_code"] == "USA" and made["email_status"] == "NonMarketable"
    got = rest.ok("GET", f"/companies/{made['id']}", params={"optional_properties": "custom_fields,notes"})
    assert {"id": 9, "content": "Retail"} in got["custom_fields"] and got["notes"] is None
    assert rest.app.call("DataService.load", "Company", made["id"], ["Company", "City"]) == {"Company": "Acme",
                                                                                             "City": "Denver"}
    patched = rest.ok("PATCH", f"/companies/{made['id']}", json={"website": "https://acme.example.com"})
    assert patched["website"] == "https://acme.example.com" and patched["company_name"] == "Acme"
    assert rest.ok("GET", "/companies", params={"company_name": "acme"})["count"] == 1
    assert rest.post("/companies", json={"website": "x"}).status_code == 400
    assert rest.get("/companies/6").status_code == 404  # a contact, not a company
    assert rest.ok("GET", "/companies/model")["optional_properties"] == ["notes", "fax_number", "custom_fields"]


def test_notes(rest):
    note = rest.ok("POST", "/notes", 201, json={"contact_id": 6, "title": "Called", "body": "Left a message",
                                                "type": "Call", "user_id": 2})
    assert note["last_updated_by"] == {"user_id": 1, "given_name": "Morgan", "family_name": "Reyes"}
    assert rest.app.call("DataService.load", "ContactAction", note["id"], ["ActionDescription", "ObjectType"]) == {
        "ActionDescription": "Called", "ObjectType": "Note"}
    xml_note = rest.app.call("DataService.add", "ContactAction", {"ContactId": 6, "ActionDescription": "By XML",
                                                                  "CreationNotes": "n"})
    listed = rest.ok("GET", "/notes", params={"contact_id": 6})
    assert [n["id"] for n in listed["notes"]][-2:] == [note["id"], xml_note]
    assert rest.ok("PATCH", f"/notes/{note['id']}", json={"body": "Reached her"})["title"] == "Called"
    replaced = rest.ok("PUT", f"/notes/{note['id']}", json={"contact_id": 7, "title": "Moved"})
    assert replaced["contact_id"] == 7 and replaced["body"] is None
    assert rest.post("/notes", json={"title": "no contact"}).status_code == 400
    assert rest.post("/notes", json={"contact_id": 99999, "title": "x"}).status_code == 400
    assert rest.post("/notes", json={"contact_id": 6, "title": "x", "type": "Telegram"}).status_code == 400
    assert rest.delete(f"/notes/{note['id']}").status_code == 204
    assert rest.get(f"/notes/{note['id']}").json() == {"message": "Unable to find this Note"}


def test_tasks_search_and_completion(rest):
    task = rest.ok("POST", "/tasks", json={"title": "Follow up", "description": "about pricing", "priority": 2,
                                          "due_date": "2030-03-01T15:00:00.000Z", "remind_time": 30,
                                          "contact": {"id": 6}, "user_id": 1})
    assert task["due_date"] == "2030-03-01T15:00:00.000+0000" and task["remind_time"] == 30
    assert task["contact"]["email"] == "olivia.martinez@example.org" and task["completed"] is False
    loaded = rest.app.call("DataService.load", "ContactAction", task["id"], ["ActionDate", "ObjectType"])
    assert loaded["ObjectType"] == "Task" and str(loaded["ActionDate"]) == "20300301T10:00:00"  # 15:00 UTC in New York
    listed = rest.ok("GET", "/tasks", params={"contact_id": 6})
    assert [t["id"] for t in listed["tasks"]] == [task["id"]] and listed["sync_token"]
    assert rest.ok("GET", "/tasks/search")["count"] == 1  # the key acts as the first user, who owns it
    done = rest.ok("PATCH", f"/tasks/{task['id']}", json={"completed": True})
    assert done["completed"] is True and done["completion_date"]
    assert rest.ok("GET", "/tasks", params={"completed": "false"})["count"] == 0
    assert rest.ok("PUT", f"/tasks/{task['id']}", json={"title": "Again", "due_date": "2030-04-01T00:00:00Z"})[
        "completed"] is False
    assert rest.post("/tasks", json={"title": "no due date"}).status_code == 400
    odd_reminder = {"title": "x", "due_date": "2030-01-01T00:00:00Z", "remind_time": 7}
    assert rest.post("/tasks", json=odd_reminder).status_code == 400
    assert rest.delete(f"/tasks/{task['id']}").status_code == 204
    assert rest.delete(f"/tasks/{task['id']}").status_code == 404


def test_appointments(rest):
    made = rest.ok("POST", "/appointments", 201, json={
        "title": "Consult", "description": "first session", "location": "Studio 2", "contact_id": 6, "user": 1,
        "start_date": "2030-05-01T14:00:00Z", "end_date": "2030-05-01T15:00:00Z", "remind_time": 60})
    assert made["location"] == "Studio 2" and made["remind_time"] == 60 and made["user"] == 1
    assert rest.app.call("DataService.load", "ContactAction", made["id"], ["IsAppointment", "ObjectType"]) == {
        "IsAppointment": 1, "ObjectType": "Appointment"}
    listed = rest.ok("GET", "/appointments", params={"contact_id": 6})
    assert listed["count"] == 1 and listed["sync_token"]
    moved = rest.ok("PATCH", f"/appointments/{made['id']}", json={"start_date": "2030-05-01T13:00:00Z"})
    assert moved["start_date"] == "2030-05-01T13:00:00.000+0000" and moved["location"] == "Studio 2"
    bad = rest.post("/appointments", json={"title": "x", "start_date": "2030-05-01T14:00:00Z"})
    assert bad.status_code == 400
    backwards = rest.post("/appointments", json={"title": "x", "start_date": "2030-05-01T14:00:00Z",
                                                 "end_date": "2030-05-01T13:00:00Z"})
    assert backwards.status_code == 400
    assert rest.delete(f"/appointments/{made['id']}").status_code == 204


def test_users_account_settings_userinfo(rest):
    users = rest.ok("GET", "/users")
    assert users["count"] == 2 and users["users"][0]["email_address"] == "morgan.reyes@example.com"
    profile = rest.ok("GET", "/account/profile")
    assert profile["name"] == "Summit Peak Coaching" and profile["address"]["line1"] == "1450 Larimer Street"
    assert profile["address"]["field"] == "BILLING"  # the document's ContactAddress requires it
    changed = rest.ok("PUT", "/account/profile", json={"phone": "(555) 010-0199"})
    assert changed["phone"] == "(555) 010-0199" and changed["address"] == profile["address"]
    assert rest.ok("GET", "/setting/application/enabled") == {"value": "yes"}
    assert rest.ok("GET", "/setting/contact/optionTypes")["value"].startswith("Prospect,Customer")
    info = rest.ok("GET", "/oauth/connect/userinfo")
    assert info["email"] == "morgan.reyes@example.com"
    assert info["infusionsoft_id"] == f"{rest.app.name}.infusionsoft.com"


@pytest.mark.parametrize("path, resource", [("/contacts/{}", "Contact"), ("/tags/{}", "Tag"),
                                            ("/orders/{}", "Order")])
def test_an_int64_id_no_record_can_have_is_a_404(rest, path, resource):
    """The document's ids are int64: one past the store's range names no record (a 400 "is not an integer" before);
    one that is no int64 at all stays a 400."""
    missing = rest.get(path.format(99999999999))
    assert missing.status_code == 404 and missing.json() == {"message": f"Unable to find this {resource}"}
    assert rest.get(path.format(10**19)).status_code == 400
    assert rest.get(path.format("4x")).status_code == 400
    # an integer written as a decimal is that integer, as JSON Schema has it (the fuzzer sends 398.0)
    assert rest.get(path.format("99999999999.0")).status_code == 404
    assert rest.get(path.format("4.5")).status_code == 400 and rest.get(path.format("4.")).status_code == 400

