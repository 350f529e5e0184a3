"""Opportunities and the stage pipeline over a live server: a stage change through REST records the StageMove
and fires opportunity.stage_moved exactly as DataService.update('Lead', …) does."""
from __future__ import annotations


def _events(rest, type_):
    r = rest.app.live.control("GET", f"/apps/{rest.app.name}/events", params={"after": 0, "limit": 1000})
    assert r.status_code == 200
    return [e for e in r.json()["events"] if e["type"] == type_]


def test_list_filters_and_the_captured_shape(rest):
    page = rest.ok("GET", "/opportunities")
    assert page["count"] == 2
    first = page["opportunities"][0]
    assert set(first) >= {"id", "opportunity_title", "next_action_date", "next_action_notes", "opportunity_notes",
                          "estimated_close_date", "include_in_forecast", "projected_revenue_low",
                          "projected_revenue_high", "contact", "stage", "user", "date_created", "last_updated",
                          "affiliate_id", "custom_fields"}
    assert first["contact"]["email"] == "liam.nguyen@example.com" and first["stage"]["name"] == "Proposal Sent"
    assert first["stage"]["details"]["stage_order"] == 4 and first["user"]["first_name"] == "Morgan"
    assert rest.ok("GET", "/opportunities", params={"stage_id": 2})["opportunities"][0]["id"] == 2
    assert rest.ok("GET", "/opportunities", params={"user_id": 1})["count"] == 1
    assert rest.ok("GET", "/opportunities", params={"search_term": "marathon"})["count"] == 1
    assert rest.ok("GET", "/opportunities", params={"search_term": "NGUYEN"})["count"] == 1  # the contact's name
    by_name = rest.ok("GET", "/opportunities", params={"order": "opportunity_name"})["opportunities"]
    assert [o["opportunity_title"] for o in by_name] == sorted(o["opportunity_title"] for o in by_name)
    pipeline = rest.ok("GET", "/opportunity/stage_pipeline")
    assert isinstance(pipeline, list) and pipeline[0] == {"stage_id": 1, "stage_name": "New Lead", "stage_order": 1,
                                                          "stage_count": 0, "end_stage": False, "is_default": True}
    assert [p["stage_name"] for p in pipeline if p["end_stage"]] == ["Won", "Lost"]
    assert {p["stage_id"]: p["stage_count"] for p in pipeline}[4] == 1


def test_create_move_replace_and_the_stage_move_record(rest):
    made = rest.ok("POST", "/opportunities", json={
        "opportunity_title": "Team retreat", "contact": {"id": 8}, "stage": {"id": 1}, "user": {"id": 2},
        "projected_revenue_low": 1200, "projected_revenue_high": 2000, "include_in_forecast": 1,
        "next_action_date": "2030-02-01T15:00:00.000Z", "next_action_notes": "Call HR"})  # 200, not 201
    assert made["stage"]["id"] == 1 and made["include_in_forecast"] == 1 and made["user"]["id"] == 2
    assert "custom_fields" not in made
    assert rest.app.call("DataService.load", "Lead", made["id"], ["OpportunityTitle", "StageID", "ContactID"]) == {
        "OpportunityTitle": "Team retreat", "StageID": 1, "ContactID": 8}

    moved = rest.ok("PATCH", f"/opportunities/{made['id']}", json={"stage": {"id": 3}})
    assert moved["stage"]["name"] == "Assessment Complete" and moved["opportunity_title"] == "Team retreat"
    rows = rest.app.call("DataService.query", "StageMove", 10, 0, {"OpportunityId": made["id"]},
                         ["MoveFromStage", "MoveToStage"])
    assert rows == [{"MoveFromStage": 1, "MoveToStage": 3}]
    fired = [e["payload"] for e in _events(rest, "opportunity.stage_moved")]
    assert {"contact_id": 8, "opportunity_id": made["id"], "from_stage_id": 1, "to_stage_id": 3} in fired

    # the same move through DataService records the same kind of row and fires the same event
    rest.app.call("DataService.update", "Lead", made["id"], {"StageID": 4})
    rows = rest.app.call("DataService.query", "StageMove", 10, 0, {"OpportunityId": made["id"]}, ["MoveToStage"])
    assert [r["MoveToStage"] for r in rows] == [3, 4]
    assert rest.ok("GET", f"/opportunities/{made['id']}")["stage"]["id"] == 4

    echoed = rest.ok("GET", f"/opportunities/{made['id']}")
    echoed.update(opportunity_title="Team retreat (2 days)", stage={"id": 5})
    replaced = rest.ok("PUT", "/opportunities", json=echoed)  # a GET answer sent back, changed
    assert replaced["opportunity_title"] == "Team retreat (2 days)" and replaced["stage"]["name"] == "Won"
    assert [r["MoveToStage"] for r in rest.app.call("DataService.query", "StageMove", 10, 0,
                                                     {"OpportunityId": made["id"]}, ["MoveToStage"])] == [3, 4, 5]

    field = rest.ok("POST", "/opportunities/model/customFields", 201, json={"label": "Colour", "field_type": "Text"})
    assert field["record_type"] == "OPPORTUNITY"
    rest.ok("PATCH", f"/opportunities/{made['id']}", json={"custom_fields": [{"id": field["id"], "content": "teal"}]})
    got = rest.ok("GET", f"/opportunities/{made['id']}", params={"optional_properties": "custom_fields"})
    assert {"id": field["id"], "content": "teal"} in got["custom_fields"]
    assert field["id"] in [f["id"] for f in rest.ok("GET", "/opportunities/model")["custom_fields"]]

    assert rest.post("/opportunities", json={"opportunity_title": "x", "contact": {"id": 8}}).status_code == 400
    assert rest.post("/opportunities", json={"opportunity_title": "x", "contact": {"id": 8},
                                             "stage": {"id": 99}}).status_code == 400
    assert rest.patch(f"/opportunities/{made['id']}", json={"stage": None}).status_code == 400
    assert rest.put("/opportunities", json={"opportunity_title": "x", "contact": {"id": 8},
                                            "stage": {"id": 1}}).status_code == 400  # no id
    assert rest.get("/opportunities/99999").json() == {"message": "Unable to find this Opportunity"}
    assert rest.get(f"/opportunities/{made['id']}", params={"optional_properties": "notes"}).status_code == 400


def test_the_forecast_flag_is_a_domain_write_with_its_event_and_hook(rest):
    """include_in_forecast is read-only on Lead (DataService cannot write it); REST writes it through the
    domain, which emits opportunity.updated like any other change: the change log and the opportunity.edit
    hook see it."""
    from tests.rest.test_hooks import Receiver, subscribe

    rest.app.clock(action="freeze")
    receiver = Receiver()
    try:
        subscribe(rest, receiver, "opportunity.edit")
        before = len(_events(rest, "opportunity.updated"))
        changed = rest.ok("PATCH", "/opportunities/1", json={"include_in_forecast": 1})
        assert changed["include_in_forecast"] == 1
        assert rest.app.call("DataService.load", "Lead", 1, ["IncludeInForecast"]) == {"IncludeInForecast": 1}
        [event] = _events(rest, "opportunity.updated")[before:]
        assert event["entity_id"] == 1 and event["payload"]["fields"] == ["IncludeInForecast"]
        rest.app.clock(by="2m")
        [delivery] = receiver.deliveries
        assert delivery["event_key"] == "opportunity.edit" and [k["id"] for k in delivery["object_keys"]] == [1]
    finally:
        receiver.close()
