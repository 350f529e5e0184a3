"""Opportunities: the Lead table, pipeline stages, and stage moves (StageMove rows and the
opportunity.stage_moved event the campaign engine listens to)."""
from __future__ import annotations

import xmlrpc.client

import pytest

from tests.commerce.util import events, last_seq, row, rows
from tests.conftest import fault_of

LIAM, NOAH = 7, 9
NEW_LEAD, DISCOVERY, ASSESSMENT, PROPOSAL, WON = 1, 2, 3, 4, 5


def test_seeded_pipeline(app):
    stages = rows(app, "Stage", {}, ["Id", "StageName", "StageOrder", "TargetNumDays"])
    assert [s["StageName"] for s in stages] == ["New Lead", "Discovery Call Scheduled", "Assessment Complete",
                                                "Proposal Sent", "Won", "Lost"]
    assert row(app, "Lead", 1, ["OpportunityTitle", "ContactID", "StageID", "UserID", "ProjectedRevenueHigh"]) == {
        "OpportunityTitle": "Corporate wellness program - Alpine Health Partners", "ContactID": LIAM,
        "StageID": PROPOSAL, "UserID": 1, "ProjectedRevenueHigh": 7500.0}
    moves = rows(app, "StageMove", {"OpportunityId": 1}, ["MoveFromStage", "MoveToStage"])
    assert moves == [{"MoveFromStage": NEW_LEAD, "MoveToStage": DISCOVERY},
                     {"MoveFromStage": DISCOVERY, "MoveToStage": PROPOSAL}]
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("DataService.add", "Stage", {"StageName": "Nope"})
    assert fault_of(exc)[0] == 7


def test_a_stage_move_is_recorded_and_announced(app):
    app.clock(time="2027-02-01T10:00:00", frozen=True)
    seq = last_seq(app)
    opp = app.call("DataService.add", "Lead", {"OpportunityTitle": "Team challenge", "ContactID": NOAH,
                                               "StageID": NEW_LEAD, "ProjectedRevenueLow": 300.0})
    created = row(app, "Lead", opp, ["DateCreated", "DateInStage", "StageID"])
    assert created["DateCreated"] == created["DateInStage"] == xmlrpc.client.DateTime("20270201T10:00:00")
    app.clock(action="advance", by="2d")
    assert app.call("DataService.update", "Lead", opp, {"StageID": ASSESSMENT, "NextActionNotes": "Send plan"}) == opp
    app.clock(action="advance", by="1d")
    assert app.call("DataService.update", "Lead", opp, {"StageID": ASSESSMENT}) == opp  # not a move
    assert app.call("DataService.update", "Lead", opp, {"StageID": WON}) == opp
    moves = rows(app, "StageMove", {"OpportunityId": opp}, ["MoveFromStage", "MoveToStage", "MoveDate",
                                                           "PrevStageMoveDate", "UserId"])
    assert [(m["MoveFromStage"], m["MoveToStage"]) for m in moves] == [(NEW_LEAD, ASSESSMENT), (ASSESSMENT, WON)]
    assert moves[0]["MoveDate"].value == "20270203T10:00:00"
    assert moves[0]["PrevStageMoveDate"].value == "20270201T10:00:00"  # from its creation
    assert moves[1]["PrevStageMoveDate"] == moves[0]["MoveDate"]
    assert row(app, "Lead", opp, ["DateInStage"])["DateInStage"].value == "20270204T10:00:00"
    moved = events(app, seq, ("opportunity.stage_moved",))
    assert [e["payload"] for e in moved] == [
        {"contact_id": NOAH, "opportunity_id": opp, "from_stage_id": NEW_LEAD, "to_stage_id": ASSESSMENT},
        {"contact_id": NOAH, "opportunity_id": opp, "from_stage_id": ASSESSMENT, "to_stage_id": WON}]
    assert all(e["entity"] == "opportunity" and e["entity_id"] == opp for e in moved)
    assert [e["type"] for e in events(app, seq) if e["type"] in ("opportunity.added", "opportunity.deleted")] == [
        "opportunity.added"]

    assert app.call("DataService.delete", "Lead", opp) is True
    assert app.call("DataService.count", "StageMove", {"OpportunityId": opp}) == 0
    assert events(app, seq, ("opportunity.deleted",))[0]["payload"]["contact_id"] == NOAH


def test_opportunity_faults_and_custom_fields(app):
    tab = rows(app, "DataFormTab", {"FormId": -4}, ["Id"])[0]["Id"]
    header = rows(app, "DataFormGroup", {"TabId": tab}, ["Id"])[0]["Id"]
    app.call("DataService.addCustomField", "Opportunity", "Program Interest", "Text", header)
    opp = app.call("DataService.add", "Lead", {"OpportunityTitle": "Nutrition", "ContactID": LIAM,
                                               "_ProgramInterest": "Reset plan"})
    assert row(app, "Lead", opp, ["_ProgramInterest", "StageID"]) == {"_ProgramInterest": "Reset plan"}
    for data, code in (({"StageID": 99}, 12), ({"ContactID": 999}, 5), ({"Stage": 1}, 10)):
        with pytest.raises(xmlrpc.client.Fault) as exc:
            app.call("DataService.update", "Lead", opp, data)
        assert fault_of(exc)[0] == code, data
    # a read-only field is ignored on update (app option update_read_only_fields, "ignore" by default) …
    assert app.call("DataService.update", "Lead", opp, {"DateInStage": "2027-01-01"}) == opp
    assert "DateInStage" not in row(app, "Lead", opp, ["DateInStage"])
    # … and refused with "refuse"
    assert app.live.control("PATCH", f"/apps/{app.name}/options",
                            json={"update_read_only_fields": "refuse"}).status_code == 200
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("DataService.update", "Lead", opp, {"DateInStage": "2027-01-01"})
    assert fault_of(exc)[0] == 8
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("DataService.update", "StageMove", 1, {"MoveToStage": 2})
    assert fault_of(exc)[0] == 7
