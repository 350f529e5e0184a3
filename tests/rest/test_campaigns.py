"""Campaigns over a live server: the list and the Campaign/Goal/Sequence/Item shapes with the engine's counts,
contacts added to and removed from a sequence, and an API goal achieved through REST running the campaign
exactly as FunnelService.achieveGoal does (the same emails in the outbox)."""
from __future__ import annotations

TRIAL = 1  # the seeded "Trial from the booking app": API goals sandbox/trial_started and trial_converted


def _contact(rest, email, first):
    return rest.ok("POST", "/contacts", 201, json={
        "given_name": first, "email_addresses": [{"email": email, "field": "EMAIL1"}],
        "opt_in_reason": "Booked a trial"})["id"]


def _outbox(rest, contact_id):
    r = rest.app.live.control("GET", f"/apps/{rest.app.name}/outbox", params={"contact_id": contact_id})
    return [(m["subject"], m["status"], m["origin"]) for m in r.json()["messages"]]


def test_list_and_get_with_goals_and_sequences(rest):
    page = rest.ok("GET", "/campaigns")
    assert page["count"] == 4 and page["campaigns"][0]["name"] == "Trial from the booking app"
    first = page["campaigns"][0]
    assert first["published_status"] is True and first["active_contact_count"] == 0 and "goals" not in first
    assert rest.ok("GET", "/campaigns", params={"search_text": "birthday"})["campaigns"][0]["name"] == "Birthday club"
    by_name = rest.ok("GET", "/campaigns", params={"order": "name", "order_direction": "DESCENDING"})["campaigns"]
    assert [c["name"] for c in by_name] == sorted((c["name"] for c in by_name), reverse=True)

    plain = rest.ok("GET", f"/campaigns/{TRIAL}")
    assert "goals" not in plain and "sequences" not in plain and plain["time_zone"]
    full = rest.ok("GET", f"/campaigns/{TRIAL}", params={"optional_properties": "goals,sequences"})
    goals = {g["name"]: g for g in full["goals"]}
    started = goals["Booked a trial (API)"]
    assert started["type"] == "API" and started["historical_contact_counts"] == {"24_hours": 0, "30_days": 0}
    sequences = {q["name"]: q for q in full["sequences"]}
    assert sorted(started["next_sequence_ids"]) == sorted([sequences["Corporate trial"]["id"],
                                                          sequences["Personal trial"]["id"]])  # via the diamond
    converted = goals["Converted (API)"]
    assert sorted(converted["previous_sequence_ids"]) == sorted(started["next_sequence_ids"])
    items = sequences["Personal trial"]["paths"][0]["items"]
    assert [i["type"] for i in items] == ["Tag", "Email", "DelayTimer", "Email", "DelayTimer", "Email"]
    assert items[0]["previous_item_id"] is None and items[0]["next_item_id"] == items[1]["id"]
    assert items[-1]["next_item_id"] is None
    assert rest.get(f"/campaigns/{TRIAL}", params={"optional_properties": "tags"}).status_code == 400
    assert rest.get("/campaigns/999").json() == {"message": "Unable to find this Campaign"}


def test_an_api_goal_through_rest_runs_like_funnel_service(rest):
    by_rest = _contact(rest, "rest.trial@example.com", "Rita")
    by_xml = _contact(rest, "xml.trial@example.com", "Xavier")
    results = rest.ok("POST", "/campaigns/goals/sandbox/trial_started", 201, json={"contact_id": by_rest})
    full = rest.ok("GET", f"/campaigns/{TRIAL}", params={"optional_properties": "goals"})
    goal_id = next(g["id"] for g in full["goals"] if g["name"] == "Booked a trial (API)")
    assert results == [{"campaign_id": TRIAL, "goal_id": goal_id, "message": "Goal achieved", "success": True}]
    [xml] = rest.app.call("FunnelService.achieveGoal", "sandbox", "trial_started", by_xml)
    assert xml["success"] is True and xml["goalId"] == goal_id
    assert _outbox(rest, by_rest) == [("Your 14 days trial starts now", "captured", "sequence")]
    assert [m[0] for m in _outbox(rest, by_xml)] == [m[0] for m in _outbox(rest, by_rest)]
    for contact_id in (by_rest, by_xml):
        assert "Trial Member" in [t["tag"]["name"] for t in rest.ok("GET", f"/contacts/{contact_id}/tags")["tags"]]

    counted = rest.ok("GET", f"/campaigns/{TRIAL}", params={"optional_properties": "goals,sequences"})
    assert counted["active_contact_count"] == 2
    assert next(g for g in counted["goals"] if g["id"] == goal_id)["historical_contact_counts"] == {
        "24_hours": 2, "30_days": 2}
    personal = next(q for q in counted["sequences"] if q["name"] == "Personal trial")
    assert personal["active_contact_count"] == 2 and personal["historical_contact_count"]["24_hours"] == 2

    rest.app.clock(by="4d")  # the three-day timer (at 09:00) fires for both the same way
    assert [m[0] for m in _outbox(rest, by_rest)] == ["Your 14 days trial starts now", "Three days in"]
    assert [m[0] for m in _outbox(rest, by_xml)] == ["Your 14 days trial starts now", "Three days in"]

    assert rest.ok("POST", "/campaigns/goals/sandbox/no_such_goal", 201, json={"contact_id": by_rest}) == []
    assert rest.post("/campaigns/goals/sandbox/trial_started", json={"contact_id": 999999}).status_code == 400
    assert rest.post("/campaigns/goals/sandbox/trial_started", json={}).status_code == 400


def test_adding_and_removing_contacts_to_a_sequence(rest):
    full = rest.ok("GET", f"/campaigns/{TRIAL}", params={"optional_properties": "sequences"})
    member = next(q["id"] for q in full["sequences"] if q["name"] == "Personal trial")  # it has timers
    a, b = _contact(rest, "a.seq@example.com", "Ann"), _contact(rest, "b.seq@example.com", "Ben")
    path = f"/campaigns/{TRIAL}/sequences/{member}/contacts"
    assert rest.ok("POST", path, json={"ids": [a, 999999]}) == {str(a): "SUCCESS", "999999": "CONTACT_DOES_NOT_EXIST"}
    assert rest.ok("POST", path, json={"ids": [a]}) == {str(a): "ALREADY_IN_SEQUENCE"}
    assert rest.post(f"{path}/{b}").status_code == 204
    assert [m[0] for m in _outbox(rest, b)] == ["Your 14 days trial starts now"]
    assert rest.post(f"{path}/999999").status_code == 404
    assert rest.delete(path, json={"ids": [a]}).status_code == 204
    assert rest.delete(f"{path}/{b}").status_code == 204
    assert rest.delete(f"{path}/999999").json() == {"message": "Unable to find this Contact"}  # as adding it
    assert rest.delete(path, params={"ids": str(b)}).status_code == 204  # ids in the query (a DELETE without body)
    assert rest.delete(path).status_code == 400
    enrollments = rest.app.live.control("GET", f"/apps/{rest.app.name}/enrollments",
                                        params={"contact_id": a}).json()["enrollments"]
    assert {e["state"] for e in enrollments if e["sequence_id"] == member} == {"removed"}
    assert rest.post(f"/campaigns/{TRIAL}/sequences/999/contacts", json={"ids": [a]}).status_code == 404
    assert rest.post(f"/campaigns/999/sequences/{member}/contacts", json={"ids": [a]}).status_code == 404


# the item types of Keap's document (paths./v1/campaigns/{campaignId}.get ... sequences.items.paths.items.items.type)
DOCUMENT_ITEM_TYPES = {
    "NULL", "Start", "Wait", "DelayTimer", "ContactTimer", "DateTimer", "AppointmentTimer", "Email", "BardEmail",
    "UnlayerEmail", "EmailConfirm", "Voice", "Fax", "Letter", "AutomatedSms", "Tag", "Opportunity", "Note", "Task",
    "CompleteTasks", "Appointment", "AssignOwner", "FieldValue", "Fulfillment", "CreateOrder", "Deal",
    "AddToSequence", "CancelSubscription", "MoveOpportunity", "Http", "CustomerHub", "HttpRequest",
    "IntegrationAction", "ActionSet"}


def test_every_campaign_item_type_is_one_of_the_documents(rest):
    """A strict client reads an item's type against the document's enum (RemoveTag, FieldTimer and FulfillmentList
    were not in it)."""
    from server.engine.document import ITEM_TYPES
    from server.rest.campaigns import ITEM_TYPES as WIRE

    assert {WIRE.get(kind, kind) for kind in ITEM_TYPES} <= DOCUMENT_ITEM_TYPES
    for campaign in rest.ok("GET", "/campaigns")["campaigns"]:
        full = rest.ok("GET", f"/campaigns/{campaign['id']}", params={"optional_properties": "sequences"})
        types = {i["type"] for q in full.get("sequences", []) for p in q["paths"] for i in p["items"]}
        assert types <= DOCUMENT_ITEM_TYPES, types
