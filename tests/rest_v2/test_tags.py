"""Tags through REST v2, end to end on a live server: every answer is checked against Keap's contract by the
``v2`` fixture; writes are read back through v2, REST v1 and XML-RPC; a tag applied through v2 fires the same
goal, REST hook and change-log entry as one applied through XML-RPC."""
from __future__ import annotations

from tests.engine.conftest import Campaigns
from tests.rest.conftest import rest_for
from tests.rest.test_hooks import Receiver, subscribe


def _tag(v2, name: str, **body) -> dict:
    return v2.ok("POST", "/tags", 201, json={"name": name, **body})


def test_create_read_update_delete_a_tag_seen_by_every_protocol(v2):
    category = v2.ok("POST", "/tags/categories", 201, json={"name": "Segments", "description": "who they are"})
    assert category["id"].isdigit() and category["name"] == "Segments" and category["create_time"].endswith("Z")
    tag = _tag(v2, "Big spender", description="High value", category={"id": category["id"]})
    assert tag["name"] == "Big spender" and tag["category"] == {"id": category["id"]} and tag["id"].isdigit()
    assert v2.ok("GET", f"/tags/{tag['id']}") == tag

    # the same row, read by the older protocols
    [row] = v2.app.call("DataService.query", "ContactGroup", 10, 0, {"Id": int(tag["id"])},
                        ["GroupName", "GroupDescription", "GroupCategoryId"])
    assert row == {"GroupName": "Big spender", "GroupDescription": "High value", "GroupCategoryId": int(category["id"])}
    v1 = rest_for(v2.app).ok("GET", f"/tags/{tag['id']}")
    assert v1["name"] == "Big spender" and v1["category"]["id"] == int(category["id"])

    # PATCH with update_mask changes only the masked properties
    changed = v2.ok("PATCH", f"/tags/{tag['id']}", params={"update_mask": "description"},
                    json={"name": "ignored", "description": "Top customers"})
    assert changed["name"] == "Big spender" and changed["description"] == "Top customers"
    # comma-joined and repeated masks; a masked property absent from the body is cleared
    changed = v2.ok("PATCH", f"/tags/{tag['id']}?update_mask=name,description&update_mask=category",
                    json={"name": "VIP+"})
    assert changed["name"] == "VIP+" and changed["description"] == "" and "category" not in changed
    # without a mask, the properties the body carries
    changed = v2.ok("PATCH", f"/tags/{tag['id']}", json={"category": {"id": category["id"]}})
    assert changed["name"] == "VIP+" and changed["category"] == {"id": category["id"]}
    assert v2.app.call("DataService.load", "ContactGroup", int(tag["id"]), ["GroupName"]) == {"GroupName": "VIP+"}

    v2.ok("POST", f"/tags/{tag['id']}/contacts:applyTags", json={"contact_ids": ["6"]})
    assert v2.delete(f"/tags/{tag['id']}").status_code == 204
    assert v2.error("GET", f"/tags/{tag['id']}", 404)["status"] == "NOT_FOUND"
    assert str(tag["id"]) not in (v2.app.call("ContactService.load", 6, ["Groups"]).get("Groups") or "").split(",")
    assert v2.app.call("DataService.query", "ContactGroup", 10, 0, {"Id": int(tag["id"])}, ["Id"]) == []


def test_a_tag_made_by_xmlrpc_is_listed_and_filtered_by_v2(v2):
    tag_id = v2.app.call("DataService.add", "ContactGroup", {"GroupName": "From XML-RPC"})
    found = v2.ok("GET", "/tags", params={"filter": "name==from xml-rpc"})["tags"]
    assert [t["id"] for t in found] == [str(tag_id)]
    assert found[0]["description"] == ""  # the captured answer's form for a tag without one


def test_categories_crud_and_uniqueness(v2):
    made = v2.ok("POST", "/tags/categories", 201, json={"name": "Temp"})
    assert v2.ok("GET", f"/tags/categories/{made['id']}") == made
    dup = v2.error("POST", "/tags/categories", 409, json={"name": " temp "})
    assert dup["status"] == "ALREADY_EXISTS" and "temp" in dup["message"]
    renamed = v2.ok("PATCH", f"/tags/categories/{made['id']}", json={"name": "Temporary"})
    assert renamed["name"] == "Temporary"
    tag = _tag(v2, "In temp", category={"id": made["id"]})
    assert v2.delete(f"/tags/categories/{made['id']}").status_code == 204
    assert v2.error("GET", f"/tags/categories/{made['id']}", 404)["details"] == [
        {"domain": "Tag Category", "resource": made["id"]}]
    assert "category" not in v2.ok("GET", f"/tags/{tag['id']}")  # the tag stays, uncategorized
    listed = v2.ok("GET", "/tags/categories", params={"filter": "name==Lead*"})["tag_categories"]
    assert [c["name"] for c in listed] == ["Lead Source"]
    assert v2.error("POST", "/tags", 409, json={"name": "in TEMP"})["code"] == 409
    assert "name" in v2.error("POST", "/tags", 400, json={"description": "no name"})["message"]


def test_apply_and_remove_through_v2_read_by_v2_v1_and_xmlrpc(v2):
    tag = _tag(v2, "Applied by v2")
    results = v2.ok("POST", f"/tags/{tag['id']}/contacts:applyTags", json={"contact_ids": ["6", "7", "999999"]})
    assert results == {"results": {"6": "SUCCESS", "7": "SUCCESS", "999999": "CONTACT_NOT_FOUND"}}
    again = v2.ok("POST", f"/tags/{tag['id']}/contacts:applyTags", json={"contact_ids": ["6"]})
    assert again == {"results": {"6": "DUPLICATE"}}

    tagged = v2.ok("GET", f"/tags/{tag['id']}/contacts")["contacts"]
    assert [c["id"] for c in tagged] == ["6", "7"] and all(c["applied_time"].endswith("Z") for c in tagged)
    assert v2.ok("GET", f"/tags/{tag['id']}/contacts/count") == {"count": 2}
    assert str(tag["id"]) in v2.app.call("ContactService.load", 6, ["Groups"])["Groups"].split(",")
    v1 = rest_for(v2.app).ok("GET", f"/tags/{tag['id']}/contacts")
    assert [c["contact"]["id"] for c in v1["contacts"]] == [6, 7]
    across = v2.ok("GET", "/tags/-/contacts", params={"filter": f"tag_ids=={tag['id']}"})["contacts"]
    assert [(a["contact_id"], a["tag_id"]) for a in across] == [("6", tag["id"]), ("7", tag["id"])]

    assert v2.post(f"/tags/{tag['id']}/contacts:removeTags", json={"contact_ids": ["6", "999999"]}).status_code == 204
    assert [c["id"] for c in v2.ok("GET", f"/tags/{tag['id']}/contacts")["contacts"]] == ["7"]
    assert str(tag["id"]) not in (v2.app.call("ContactService.load", 6, ["Groups"]).get("Groups") or "").split(",")
    v2.app.call("ContactService.addToGroup", 8, int(tag["id"]))  # XML-RPC's write, seen by v2
    assert [c["id"] for c in v2.ok("GET", f"/tags/{tag['id']}/contacts")["contacts"]] == ["7", "8"]


def test_tagged_contacts_filters_and_order(v2):
    tag = _tag(v2, "Filtered")
    v2.ok("POST", f"/tags/{tag['id']}/contacts:applyTags", json={"contact_ids": ["6", "7", "8"]})
    people = {c["id"]: c for c in v2.ok("GET", f"/tags/{tag['id']}/contacts")["contacts"]}
    first = people["7"]
    by_email = v2.ok("GET", f"/tags/{tag['id']}/contacts", params={"filter": f"email=={first['email'].upper()}"})
    assert [c["id"] for c in by_email["contacts"]] == ["7"]
    prefix = first["given_name"][:2] + "*"
    assert "7" in [c["id"] for c in v2.ok("GET", f"/tags/{tag['id']}/contacts",
                                          params={"filter": f"given_name=={prefix}"})["contacts"]]
    ordered = v2.ok("GET", f"/tags/{tag['id']}/contacts", params={"order_by": "family_name desc"})["contacts"]
    names = [c.get("family_name", "") for c in ordered]
    assert names == sorted(names, reverse=True) and len(ordered) == 3
    later = v2.ok("GET", f"/tags/{tag['id']}/contacts", params={"filter": "since_applied_time==2999-01-01T00:00:00Z"})
    assert later["contacts"] == []
    both = v2.ok("GET", f"/tags/{tag['id']}/contacts/count",
                 params={"filter": "since_applied_time==2000-01-01T00:00:00Z;until_applied_time==2999-01-01T00:00:00Z"})
    assert both == {"count": 3}


def test_tagged_companies(v2):
    company_id = v2.app.call("DataService.add", "Company", {"Company": "Acme Tagged", "Email": "ops@acme.test"})
    tag = _tag(v2, "Partner")
    assert v2.ok("POST", f"/tags/{tag['id']}/contacts:applyTags",
                 json={"contact_ids": [str(company_id)]})["results"] == {str(company_id): "SUCCESS"}
    [entry] = v2.ok("GET", f"/tags/{tag['id']}/companies")["tagged_companies"]
    assert entry["company"]["id"] == str(company_id) and entry["company"]["company_name"] == "Acme Tagged"
    assert entry["company"]["email_address"]["email"] == "ops@acme.test"
    assert v2.ok("GET", f"/tags/{tag['id']}/companies", params={"filter": "company_name==nope"}) == {
        "tagged_companies": []}


def test_tag_filters_on_the_list(v2):
    category = v2.ok("POST", "/tags/categories", 201, json={"name": "Filter cat"})
    a = _tag(v2, "Alpha filter", category={"id": category["id"]})
    b = _tag(v2, "Beta filter")
    ids = lambda page: [t["id"] for t in page["tags"]]  # noqa: E731
    assert ids(v2.ok("GET", "/tags", params={"filter": f"category_id=={category['id']}"})) == [a["id"]]
    uncategorized = ids(v2.ok("GET", "/tags", params={"filter": "category_id==NONE"}))
    assert b["id"] in uncategorized and a["id"] not in uncategorized
    assert ids(v2.ok("GET", "/tags", params={"filter": f"tag_ids=={a['id']},{b['id']}"})) == [a["id"], b["id"]]
    assert ids(v2.ok("GET", "/tags", params={"filter": f"tag_ids=={a['id']},{b['id']};name==beta*"})) == [b["id"]]
    # "," between clauses where what follows is a field and an operator
    assert ids(v2.ok("GET", "/tags", params={"filter": f"tag_ids=={a['id']},{b['id']},name==alpha*"})) == [a["id"]]
    assert ids(v2.ok("GET", "/tags", params={"filter": "since_create_time==2999-01-01T00:00:00Z"})) == []
    assert b["id"] in ids(v2.ok("GET", "/tags", params={"filter": "description==NONE"}))
    assert v2.ok("GET", "/tags", params={"filter": "name==Alpha filter", "unknown_param": "ignored"})["tags"] == [a]


def test_bad_requests_name_the_field(v2):
    tag = _tag(v2, "Strict")
    cases = [
        ("GET", "/tags", {"params": {"filter": "colour==red"}}, "filter"),
        ("GET", "/tags", {"params": {"filter": "name>x"}}, "filter.name"),
        ("GET", "/tags", {"params": {"filter": "tag_ids==1,x"}}, "filter.tag_ids"),
        ("GET", "/tags", {"params": {"filter": "since_create_time==yesterday"}}, "filter.since_create_time"),
        ("GET", "/tags", {"params": {"filter": "just words"}}, "filter"),
        ("GET", "/tags", {"params": {"order_by": "colour"}}, "order_by"),
        ("GET", "/tags", {"params": {"order_by": "name sideways"}}, "order_by"),
        ("GET", "/tags", {"params": {"page_size": "-1"}}, "page_size"),
        ("GET", "/tags", {"params": {"page_size": "1001"}}, "page_size"),
        ("GET", "/tags", {"params": {"page_size": "ten"}}, "page_size"),
        ("GET", "/tags", {"params": {"page_token": "%%%"}}, "page_token"),
        ("GET", "/tags/abc", {}, "tag_id"),
        ("POST", "/tags", {"json": {"name": "x", "colour": "red"}}, "colour"),
        ("POST", "/tags", {"json": {"name": 5}}, "name"),
        ("POST", "/tags", {"json": {"name": "x", "category": {"id": 5}}}, "category.id"),
        ("POST", "/tags", {"json": {"name": "x", "category": {}}}, "category.id"),
        ("POST", "/tags", {"json": {"name": "x", "category": {"id": "999999"}}}, "category.id"),
        ("PATCH", f"/tags/{tag['id']}", {"params": {"update_mask": "colour"}, "json": {}}, "update_mask"),
        ("POST", f"/tags/{tag['id']}/contacts:applyTags", {"json": {}}, "contact_ids"),
        ("POST", f"/tags/{tag['id']}/contacts:applyTags", {"json": {"contact_ids": ["a"]}}, "contact_ids.0"),
        ("POST", f"/tags/{tag['id']}/contacts:applyTags", {"json": {"contact_ids": [6]}}, "contact_ids.0"),
    ]
    for method, path, kwargs, field in cases:
        error = v2.error(method, path, 400, **kwargs)
        assert error["status"] == "INVALID_ARGUMENT" and f"'{field}'" in error["message"], (path, kwargs, error)
        assert error["details"] == [{"domain": "request", "resource": field}], error
    for body in (b"{not json", b"[1, 2]"):
        error = v2.error("POST", "/tags", 400, data=body, headers={"Content-Type": "application/json"})
        assert error["code"] == 400
    assert v2.error("POST", "/tags/999999/contacts:applyTags", 404, json={"contact_ids": ["6"]})["status"] == \
        "NOT_FOUND"
    assert v2.error("GET", "/tags/99999999999", 404)["code"] == 404


def test_v2_apply_fires_the_same_goal_hook_and_change_log_as_xmlrpc(v2):
    v2.app.clock(action="freeze")
    tag = _tag(v2, "Goal tag v2")
    campaigns = Campaigns(v2.app)
    campaigns.load({"name": "Tag goal v2", "goals": [{"key": "g", "type": "tag_applied", "tag": "Goal tag v2"}],
                    "sequences": [{"key": "s", "items": [{"type": "email", "name": "hi", "subject": "Welcome v2",
                                                          "text": "x"}]}],
                    "links": [["g", "s"]]})
    receiver = Receiver()
    try:
        rest = rest_for(v2.app)
        subscribe(rest, receiver, "contactGroup.applied")
        v2.ok("POST", f"/tags/{tag['id']}/contacts:applyTags", json={"contact_ids": ["6"]})
        v2.app.call("ContactService.addToGroup", 7, int(tag["id"]))
        # the goal: the sequence's email, for the v2 contact as for the XML-RPC one
        assert [m["subject"] for m in campaigns.outbox(contact_id=6)] == ["Welcome v2"]
        assert [m["subject"] for m in campaigns.outbox(contact_id=7)] == ["Welcome v2"]
        # the change log: the same event, with the same payload keys
        events = v2.app.live.control("GET", f"/apps/{v2.app.name}/events", params={"limit": 1000}).json()["events"]
        applied = [e for e in events if e["type"] == "tag.applied" and e["payload"].get("tag_id") == int(tag["id"])]
        assert [e["entity_id"] for e in applied] == [6, 7]
        assert set(applied[0]["payload"]) == set(applied[1]["payload"])
        # the REST hook: one contactGroup.applied delivery naming both contacts
        v2.app.clock(by="6m")
        assert len(receiver.deliveries) == 1 and receiver.deliveries[0]["event_key"] == "contactGroup.applied"
        keys = receiver.deliveries[0]["object_keys"]
        assert [k["contact_details"][0]["id"] for k in keys] == [6, 7]
    finally:
        receiver.close()


def test_the_sdk_reads_and_writes_tags(sdk, v2):
    """keap-core-v2-sdk, unmodified but for its host, against the sandbox: its strict models accept every
    answer (and the ``sdk`` fixture checked each against the contract)."""
    from keap_core_v2_client import ApiException, TagsApi
    from keap_core_v2_client.models import (
        ApplyRemoveTagRequest,
        CategoryReference,
        CreateUpdateTagCategoryRequest,
        CreateUpdateTagRequest,
    )

    api = TagsApi(sdk)
    category = api.create_tag_category(CreateUpdateTagCategoryRequest(name="SDK category"))
    tag = api.create_tag(CreateUpdateTagRequest(name="SDK tag", description="from the SDK",
                                                category=CategoryReference(id=category.id)))
    assert tag.name == "SDK tag" and tag.category.id == category.id and tag.create_time is not None
    assert api.get_tag(tag.id) == tag
    assert api.get_category(category.id).name == "SDK category"
    updated = api.update_tag(tag.id, CreateUpdateTagRequest(description="changed"), update_mask=["description"])
    assert updated.description == "changed" and updated.name == "SDK tag"
    applied = api.apply_tags(tag.id, ApplyRemoveTagRequest(contact_ids=["6", "7"]))
    assert applied.results == {"6": "SUCCESS", "7": "SUCCESS"}
    contacts = api.list_contacts_with_tag_id(tag.id, page_size=1)
    assert [c.id for c in contacts.contacts] == ["6"] and contacts.next_page_token
    rest = api.list_contacts_with_tag_id(tag.id, page_size=1, page_token=contacts.next_page_token)
    assert [c.id for c in rest.contacts] == ["7"] and not rest.next_page_token
    assert api.count_contacts_for_tag(tag.id).count == 2
    across = api.list_contacts_across_tags(filter=f"tag_ids=={tag.id}")
    assert [(a.contact_id, a.tag_id) for a in across.contacts] == [("6", tag.id), ("7", tag.id)]
    listed = api.list_tags(filter="name==SDK*")
    assert [t.id for t in listed.tags] == [tag.id]
    assert [c.id for c in api.list_tag_categories(filter="name==SDK category").tag_categories] == [category.id]
    assert api.list_companies_for_tag_id(tag.id).tagged_companies == []
    api.remove_tags(tag.id, ApplyRemoveTagRequest(contact_ids=["6"]))
    assert api.count_contacts_for_tag(tag.id).count == 1
    api.update_tag_category(category.id, CreateUpdateTagCategoryRequest(name="SDK renamed"))
    api.delete_tag(tag.id)
    api.delete_tag_category(category.id)
    try:
        api.get_tag(tag.id)
    except ApiException as exc:
        assert exc.status == 404 and '"NOT_FOUND"' in exc.body
    else:
        raise AssertionError("the deleted tag was found")


def test_names_beyond_ascii_are_unique_ignoring_case_on_every_store(v2):
    """SQLite's lower() folds ASCII only: "élève" was a new tag beside "Élève" there, and a category twice."""
    made = v2.ok("POST", "/tags", 201, json={"name": "Élève"})
    for twin in ("Élève", "élève", " ÉLÈVE "):
        assert v2.error("POST", "/tags", 409, json={"name": twin})["code"] == 409, twin
    assert v2.ok("POST", "/tags/categories", 201, json={"name": "Écoles"})
    assert v2.error("POST", "/tags/categories", 409, json={"name": "écoles"})["code"] == 409
    listed = v2.ok("GET", "/tags", params={"filter": "name==élève"})["tags"]
    assert [t["id"] for t in listed] == [made["id"]]
