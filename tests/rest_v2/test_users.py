"""Users, user groups and the userinfo through REST v2 on a live server (every answer checked against Keap's
contract by the ``v2`` fixture); a user changed through v2 is the User row XML-RPC and v1 read."""
from __future__ import annotations

from tests.rest.conftest import rest_for


def test_users_read_updated_and_seen_by_every_protocol(v2):
    morgan = v2.ok("GET", "/users/1")
    assert morgan["given_name"] == "Morgan" and morgan["status"] == "ACTIVE" and morgan["admin"] is True
    assert morgan["email_addresses"] == [{"email": "morgan.reyes@example.com", "field": "EMAIL1"}]
    assert morgan["address"]["locality"] == "Denver" and morgan["phone_numbers"][0]["field"] == "PHONE1"

    changed = v2.ok("PATCH", "/users/2", json={
        "given_name": "Dev", "title": "Lead Coach", "email_address": {"email": "dev@example.com", "field": "EMAIL1"},
        "phone_numbers": [{"number": "(555) 010-0999", "type": "Mobile", "field": "PHONE2"}],
        "address": {"line1": "1 Main St", "locality": "Aspen", "region_code": "CO", "postal_code": "81611",
                    "country_code": "US"}})
    assert changed["given_name"] == "Dev" and changed["family_name"] == "Okafor" and changed["title"] == "Lead Coach"
    assert changed["phone_numbers"] == [{"number": "(555) 010-0999", "type": "Mobile", "field": "PHONE2"}]
    assert v2.ok("GET", "/users/2") == changed
    row = v2.app.call("DataService.load", "User", 2, ["FirstName", "Email", "City", "Phone1", "Phone2", "Title"])
    assert row == {"FirstName": "Dev", "Email": "dev@example.com", "City": "Aspen", "Phone2": "(555) 010-0999",
                   "Title": "Lead Coach"}  # Phone1 cleared: the phone numbers are replaced whole
    v1 = rest_for(v2.app).ok("GET", "/users")["users"]
    assert [u["given_name"] for u in v1 if u["id"] == 2] == ["Dev"]

    # update_mask: only the masked properties
    masked = v2.ok("PATCH", "/users/2", params={"update_mask": "family_name"},
                   json={"given_name": "ignored", "family_name": "O."})
    assert masked["given_name"] == "Dev" and masked["family_name"] == "O."

    def refused(body: dict, **params) -> str:
        return v2.error("PATCH", "/users/2", 400, json=body, params=params)["details"][0]["resource"]

    assert refused({"website": "https://example.com"}) == "website"
    assert refused({"email_address": {"email": "morgan.reyes@example.com"}}) == "email_address.email"
    assert refused({"email_address": {"email": "not an address"}}) == "email_address.email"
    assert refused({}, update_mask="email_address") == "email_address.email"
    assert v2.error("PATCH", "/users/999999", 404, json={"given_name": "x"})["status"] == "NOT_FOUND"
    assert v2.ok("GET", "/users/1/signature") == "<p><strong>Morgan Reyes</strong><br>Founder, Summit Peak Coaching</p>"
    assert v2.error("GET", "/users/999999/signature", 404)["details"] == [{"domain": "User", "resource": "999999"}]


def test_users_listed_filtered_and_ordered(v2):
    invited = rest_for(v2.app).ok("POST", "/users", 201, json={"email": "new.coach@example.com", "given_name": "Ari",
                                                                "partner": True})
    users = v2.ok("GET", "/users")["users"]
    assert [u["id"] for u in users] == ["1", "2", str(invited["id"])] and users[2]["status"] == "INVITED"

    def ids(filter_: str, **params) -> list[str]:
        return [u["id"] for u in v2.ok("GET", "/users", params={"filter": filter_, **params})["users"]]

    assert ids("given_name==MOR*") == ["1"] and ids("email==devin.okafor@example.com") == ["2"]
    assert ids("user_ids==1,2;include_partners==false") == ["1", "2"]
    assert ids("include_partners==false") == ["1", "2"] and len(ids("include_partners==true")) == 3
    assert ids("include_inactive==false", order_by="name desc") == ["1", "2", str(invited["id"])]
    assert [u["id"] for u in v2.walk("/users", "users", page_size=1, order_by="email")] == [
        "2", "1", str(invited["id"])]
    assert v2.error("GET", "/users", 400, params={"filter": "include_partners==maybe"})["details"][0][
        "resource"] == "filter.include_partners"


def test_user_groups_and_userinfo(v2):
    groups = v2.ok("GET", "/userGroups")["user_groups"]
    assert [g["name"] for g in groups] == ["Coaches", "Front Desk"]
    assert v2.ok("GET", f"/userGroups/{groups[0]['id']}") == groups[0]
    assert v2.error("GET", "/userGroups/999999", 404)["status"] == "NOT_FOUND"
    info = v2.ok("GET", "/oauth/connect/userinfo")  # a Service Account Key acts as the app: its first user
    assert info["id"] == "1" and info["email"] == "morgan.reyes@example.com" and info["is_admin"] is True
    assert info["sub"] == info["keap_id"] and info["tenant_id"].startswith(v2.app.name)


def test_the_sdk_reads_and_updates_users(sdk, v2):
    from keap_core_v2_client import UserGroupsApi, UsersApi
    from keap_core_v2_client.models import UpdateUserRequest

    api = UsersApi(sdk)
    assert api.get_user_by_id("1").given_name == "Morgan"
    updated = api.update_user("2", UpdateUserRequest(family_name="Okafor-Reyes"), update_mask=["family_name"])
    assert updated.family_name == "Okafor-Reyes"
    listed = api.list_paginated_users(page_size=1)
    assert [u.id for u in listed.users] == ["1"] and listed.next_page_token
    assert api.get_user_signature("2").startswith("<p>")
    assert api.get_user_info().email == "morgan.reyes@example.com"
    groups = UserGroupsApi(sdk).list_user_groups().user_groups
    assert UserGroupsApi(sdk).get_user_group(groups[1].id).name == "Front Desk"
