"""Opportunities, pipeline stages and stage moves through REST v2 on a live server (every answer checked against
the contract by the ``v2`` fixture): writes read back through v2, REST v1 and XML-RPC (the same Lead row); a
stage changed through v2 records the StageMove and runs the campaign's opportunity-moved goal as one changed
through DataService does."""
from __future__ import annotations

from tests.engine.conftest import Campaigns
from tests.rest.conftest import rest_for

NEW_LEAD, DISCOVERY, PROPOSAL, WON = "1", "2", "4", "5"  # the seeded pipeline


def _events(v2, type_):
    r = v2.app.live.control("GET", f"/apps/{v2.app.name}/events", params={"after": 0, "limit": 1000})
    return [e for e in r.json()["events"] if e["type"] == type_]


def test_every_declared_filter_and_order_is_a_field_of_the_read():
    from server.domain.crm import opportunities as domain
    from server.rest_v2 import opportunities as family

    for listing, fields in ((family.OPPORTUNITIES, domain.OPPORTUNITY_FIELDS), (family.STAGES, domain.STAGE_FIELDS),
                            (family.STAGE_MOVES, domain.STAGE_MOVE_FIELDS)):
        for name, kind in listing.filters.items():
            fields.column(kind.field or name)
        for name in listing.order_by.values():
            fields.column(name)


def test_create_read_update_delete_an_opportunity_seen_by_every_protocol(v2):
    made = v2.ok("POST", "/opportunities", 201, params={"fields": "created_by,custom_fields"}, json={
        "opportunity_title": "Team retreat", "contact_id": "8", "stage_id": NEW_LEAD, "user_id": "2",
        "projected_revenue_low": 1200, "projected_revenue_high": 2000.5, "include_in_forecast": True,
        "next_action_time": "2030-02-01T15:00:00Z", "next_action_notes": "Call HR"})
    assert made["opportunity_title"] == "Team retreat" and made["contact"]["id"] == "8"
    assert made["stage"]["id"] == NEW_LEAD and made["stage"]["name"] == "New Lead"
    assert made["user"]["id"] == "2" and made["include_in_forecast"] is True
    assert made["next_action_time"] == "2030-02-01T15:00:00Z" and made["created_by"].isdigit()
    assert isinstance(made["custom_fields"], list)
    oid = made["id"]
    assert v2.ok("GET", f"/opportunities/{oid}") == {k: v for k, v in made.items()
                                                    if k not in ("created_by", "custom_fields")}

    # the same row through XML-RPC and v1
    row = v2.app.call("DataService.load", "Lead", int(oid), ["OpportunityTitle", "ContactID", "StageID",
                                                             "IncludeInForecast", "ProjectedRevenueHigh"])
    assert row == {"OpportunityTitle": "Team retreat", "ContactID": 8, "StageID": 1, "IncludeInForecast": 1,
                   "ProjectedRevenueHigh": 2000.5}
    v1 = rest_for(v2.app).ok("GET", f"/opportunities/{oid}")
    assert v1["opportunity_title"] == "Team retreat" and v1["next_action_date"].startswith("2030-02-01T15:00:00")

    # update_mask: a masked property missing from the body is cleared; moving the stage is a stage move
    changed = v2.ok("PATCH", f"/opportunities/{oid}", params={"update_mask": "stage_id,next_action_notes"},
                    json={"stage_id": DISCOVERY, "opportunity_title": "ignored"})
    assert changed["stage"]["id"] == DISCOVERY and "next_action_notes" not in changed
    assert changed["opportunity_title"] == "Team retreat"
    changed = v2.ok("PATCH", f"/opportunities/{oid}", json={"include_in_forecast": False, "opportunity_notes": "x"})
    assert changed["include_in_forecast"] is False and changed["opportunity_notes"] == "x"
    [move] = v2.ok("GET", "/opportunities/stageMoves", params={"filter": f"opportunity_id=={oid}"})["stage_moves"]
    assert (move["move_from_stage_id"], move["move_to_stage_id"]) == (NEW_LEAD, DISCOVERY)
    assert v2.ok("GET", f"/opportunities/stageMoves/{move['id']}") == move
    assert v2.app.call("DataService.query", "StageMove", 10, 0, {"OpportunityId": int(oid)}, ["MoveToStage"]) == [
        {"MoveToStage": 2}]
    moved = [e for e in _events(v2, "opportunity.stage_moved") if e["entity_id"] == int(oid)]
    assert [e["payload"]["to_stage_id"] for e in moved] == [2]

    assert v2.delete(f"/opportunities/{oid}").status_code == 204
    assert v2.error("GET", f"/opportunities/{oid}", 404)["details"] == [{"domain": "Opportunity", "resource": oid}]
    assert rest_for(v2.app).get(f"/opportunities/{oid}").status_code == 404


def test_list_filters_orders_and_optional_fields(v2):
    everything = v2.ok("GET", "/opportunities")["opportunities"]
    assert [o["id"] for o in everything] == ["1", "2"]
    liam = everything[0]
    assert liam["contact"]["email"] == "liam.nguyen@example.com" and liam["stage"]["name"] == "Proposal Sent"
    assert liam["stage"]["details"]["stage_order"] == 4 and liam["user"]["first_name"] == "Morgan"
    ids = lambda **params: [o["id"] for o in v2.ok("GET", "/opportunities", params=params)["opportunities"]]  # noqa
    assert ids(filter=f"stage_id=={PROPOSAL}") == ["1"]
    assert ids(filter=f"contact_id=={liam['contact']['id']}") == ["1"]
    assert ids(filter="opportunity_title==marathon*") == ["2"]
    assert ids(filter="opportunity_id>1") == ["2"] and ids(filter="ids==2,1") == ["1", "2"]
    assert ids(filter="projected_revenue_high>=1000") == ["1"]
    assert ids(filter="opportunity_title==corporate*;projected_revenue_low<=100") == []
    assert ids(order_by="opportunity_title desc") == ["2", "1"] and ids(order_by="created_time desc") == ["2", "1"]
    assert v2.walk("/opportunities", "opportunities", page_size=1, order_by="contact_name") == \
        v2.ok("GET", "/opportunities", params={"order_by": "contact_name"})["opportunities"]
    legacy = v2.ok("GET", "/opportunities/1", params={"fields": "objection,stage_entrance_time,status_id"})
    assert legacy["objection"] == "Waiting on budget approval" and legacy["stage_entrance_time"].endswith("Z")
    for params, field in (({"filter": "opportunity_id==1;ids==1"}, "filter"), ({"filter": "cf_x==1"}, "filter"),
                          ({"filter": "stage_id>1"}, "filter.stage_id"), ({"order_by": "colour"}, "order_by"),
                          ({"fields": "colour"}, "fields")):
        assert v2.error("GET", "/opportunities", 400, params=params)["details"][0]["resource"] == field, params


def test_bad_writes_name_the_field(v2):
    cases = [
        ({"opportunity_title": "x", "contact_id": "8"}, "stage_id"),
        ({"opportunity_title": "", "contact_id": "8", "stage_id": "1"}, "opportunity_title"),
        ({"opportunity_title": "x", "contact_id": "999999", "stage_id": "1"}, "contact_id"),
        ({"opportunity_title": "x", "contact_id": "8", "stage_id": "999"}, "stage_id"),
        ({"opportunity_title": "x", "contact_id": "8", "stage_id": "1", "user_id": "999"}, "user_id"),
        ({"opportunity_title": "x", "contact_id": "8", "stage_id": "1", "next_action_time": "soon"},
         "next_action_time"),
        ({"opportunity_title": "x", "contact_id": "8", "stage_id": "1", "custom_fields": [{"id": "999999",
                                                                                         "content": 1}]},
         "custom_fields.0.id"),
        ({"opportunity_title": "x", "contact_id": 8, "stage_id": "1"}, "contact_id"),
    ]
    for body, field in cases:
        error = v2.error("POST", "/opportunities", 400, json=body)
        assert error["details"] == [{"domain": "request", "resource": field}], (body, error)
    assert v2.error("PATCH", "/opportunities/1", 400, params={"update_mask": "contact_id"}, json={})["details"][0][
        "resource"] == "contact_id"
    assert v2.error("PATCH", "/opportunities/999999", 404, json={"opportunity_notes": "x"})["code"] == 404


def test_pipeline_stages_crud(v2):
    stages = v2.ok("GET", "/opportunities/stages")["stages"]
    assert [s["name"] for s in stages][:2] == ["New Lead", "Discovery Call Scheduled"]
    made = v2.ok("POST", "/opportunities/stages", 201, json={
        "name": "Negotiation", "order": 5, "target_number_days": 3, "probability": 60,
        "checklist_items": [{"description": "Send terms", "required": True, "order": 2},
                            {"description": "Book call", "required": False, "order": 1}]})
    assert made["probability"] == 60 and made["target_number_days"] == 3 and made["created_time"].endswith("Z")
    assert [i["description"] for i in made["checklist_items"]] == ["Book call", "Send terms"]
    assert v2.ok("GET", f"/opportunities/stages/{made['id']}") == made
    assert v2.app.call("DataService.load", "Stage", int(made["id"]), ["StageName", "TargetNumDays"]) == {
        "StageName": "Negotiation", "TargetNumDays": 3}
    kept = made["checklist_items"][0]
    changed = v2.ok("PATCH", f"/opportunities/stages/{made['id']}",
                    params={"update_mask": "probability,checklist_items"},
                    json={"probability": 75, "name": "ignored", "checklist_items": [dict(kept, order=9)]})
    assert changed["probability"] == 75 and changed["name"] == "Negotiation"
    assert changed["checklist_items"] == [dict(kept, order=9)]
    found = v2.ok("GET", "/opportunities/stages", params={"filter": "opportunity_stage_name==nego*"})["stages"]
    assert [s["id"] for s in found] == [made["id"]]
    ordered = v2.ok("GET", "/opportunities/stages", params={"order_by": "stage_order desc"})["stages"]
    assert [s["order"] for s in ordered] == sorted((s["order"] for s in ordered), reverse=True)
    assert v2.error("PATCH", f"/opportunities/stages/{made['id']}", 400, json={"probability": 101})["details"][0][
        "resource"] == "probability"
    assert v2.error("POST", "/opportunities/stages", 400, json={"name": "x", "order": 1, "target_number_days": 1,
                                                                "probability": 200})["code"] == 400
    assert v2.error("POST", "/opportunities/stages", 400, json={"name": "x", "order": 2**40, "target_number_days": 1,
                                                                "probability": 2})["details"][0]["resource"] == "order"

    # a stage with an opportunity in it stays; an empty one goes
    opportunity = v2.ok("POST", "/opportunities", 201, json={"opportunity_title": "In negotiation",
                                                             "contact_id": "8", "stage_id": made["id"]})
    assert v2.error("DELETE", f"/opportunities/stages/{made['id']}", 409)["status"] == "FAILED_PRECONDITION"
    v2.ok("PATCH", f"/opportunities/{opportunity['id']}", json={"stage_id": WON})
    assert v2.delete(f"/opportunities/stages/{made['id']}").status_code == 204
    assert v2.error("GET", f"/opportunities/stages/{made['id']}", 404)["status"] == "NOT_FOUND"


def test_a_stage_moved_through_v2_runs_the_opportunity_goal(v2):
    v2.app.clock(action="freeze")
    campaigns = Campaigns(v2.app)
    campaigns.load({"name": "Won deals", "goals": [{"key": "won", "type": "opportunity_moved", "to_stage": int(WON)}],
                    "sequences": [{"key": "thanks", "items": [{"type": "email", "name": "Thanks",
                                                               "subject": "Welcome aboard", "text": "x"}]}],
                    "links": [["won", "thanks"]]})
    v2.app.call("APIEmailService.optIn", "liam.nguyen@example.com", "test")
    moved = v2.ok("PATCH", "/opportunities/1", json={"stage_id": WON})
    assert [m["subject"] for m in campaigns.outbox(contact_id=int(moved["contact"]["id"]))] == ["Welcome aboard"]


def test_the_sdk_reads_and_writes_opportunities(sdk, v2):
    from keap_core_v2_client import OpportunityApi
    from keap_core_v2_client.models import (
        CreateOpportunityRequest,
        CreateOpportunityStageRequest,
        UpdateOpportunityRequestV2,
    )

    api = OpportunityApi(sdk)
    made = api.create_opportunity(CreateOpportunityRequest(opportunity_title="SDK deal", contact_id="7",
                                                           stage_id=NEW_LEAD, projected_revenue_high=99.5))
    assert made.contact.id == "7" and made.stage.name == "New Lead" and made.projected_revenue_high == 99.5
    assert api.get_opportunity(made.id).opportunity_title == "SDK deal"
    updated = api.update_opportunity(made.id, UpdateOpportunityRequestV2(stage_id=PROPOSAL),
                                     update_mask=["stage_id"])
    assert updated.stage.id == PROPOSAL
    assert [o.id for o in api.list_opportunities(filter="opportunity_title==SDK*").opportunities] == [made.id]
    moves = api.list_opportunity_stage_moves(filter=f"opportunity_id=={made.id}").stage_moves
    assert [m.move_to_stage_id for m in moves] == [PROPOSAL]
    stage = api.create_opportunity_stage(CreateOpportunityStageRequest(name="SDK stage", order=9,
                                                                       target_number_days=1, probability=10))
    assert api.get_opportunity_stage(stage.id).probability == 10
    assert stage.id in [s.id for s in api.list_opportunity_stages().stages]
    api.delete_opportunity(made.id)
    api.delete_opportunity_stage(stage.id)
