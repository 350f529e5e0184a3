"""The undocumented follow-up sequence readers: getCampaignStepOrder, getCampaignStepDetails,
getCampaigneeDetails and getCampaigneeStepDetails (shapes: docs/divergences.md)."""
from __future__ import annotations

import xmlrpc.client

import pytest

from tests.conftest import fault_of

LOADING = (6, "[Loading]Error loading follow-up sequence")
LOADING_STEP = (6, "[Loading]Error loading follow-up sequence step")


def _sequence(app) -> int:
    [seq] = app.call("DataService.query", "Campaign", 10, 0, {"Name": "Legacy 12-week series"}, ["Id"])
    return seq["Id"]


def test_a_sequence_lists_its_steps_in_order_with_their_details(app):
    seq_id = _sequence(app)
    order = app.call("ContactService.getCampaignStepOrder", seq_id)
    steps = app.call("DataService.query", "CampaignStep", 10, 0, {"CampaignId": seq_id}, ["Id", "StepTitle"])
    assert order == [s["Id"] for s in steps] and len(order) == 3
    details = app.call("ContactService.getCampaignStepDetails", order[1])
    assert details == {"Id": order[1], "CampaignId": seq_id, "TemplateId": details["TemplateId"],
                       "StepStatus": "Active", "StepTitle": "Week two", "StepOrder": 2, "DelaySeconds": 7 * 86400}
    assert details["TemplateId"] > 0  # an email step: its template
    assert app.call("ContactService.getCampaignStepDetails", order[2])["TemplateId"] == 0  # a tag step


@pytest.mark.parametrize("method, args, fault", [
    ("getCampaignStepOrder", (987654,), LOADING),
    ("getCampaignStepDetails", (987654,), LOADING_STEP),
    ("getCampaigneeDetails", (1, 987654), LOADING),
    ("getCampaigneeStepDetails", (1, 987654), LOADING_STEP),
])
def test_a_wrong_sequence_or_step_is_the_loading_fault(app, method, args, fault):
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call(f"ContactService.{method}", *args)
    assert fault_of(exc) == fault


def test_a_contact_pass_through_the_sequence_step_by_step(app, campaigns):
    app.clock(time="2026-04-06T08:00:00", frozen=True)  # no DST change in the next weeks
    seq_id = _sequence(app)
    week1, week2, graduate = app.call("ContactService.getCampaignStepOrder", seq_id)
    cid = campaigns.contact("pass@example.com", FirstName="Pat")
    assert app.call("ContactService.getCampaigneeDetails", cid, seq_id) == {}  # not in it yet
    assert app.call("ContactService.getCampaigneeStepDetails", cid, week1) == {}

    app.call("ContactService.addToCampaign", cid, seq_id)
    member = app.call("ContactService.getCampaigneeDetails", cid, seq_id)
    assert {k: v for k, v in member.items() if k not in ("Id", "DateAdded", "NextStepDate")} == {
        "CampaignId": seq_id, "Campaign": "Legacy 12-week series", "ContactId": cid, "Status": "Active",
        "StepsRun": 1, "NextStepId": week2}
    assert member["DateAdded"].value == "20260406T08:00:00" and member["NextStepDate"].value == "20260413T08:00:00"
    [row] = app.call("DataService.query", "Campaignee", 10, 0, {"ContactId": cid}, ["Id"])
    assert member["Id"] == row["Id"]

    first = app.call("ContactService.getCampaigneeStepDetails", cid, week1)
    assert first["Status"] == "Done" and first["DateRun"].value == "20260406T08:00:00"
    assert first["StepTitle"] == "Week one" and first["CampaignId"] == seq_id and first["ContactId"] == cid
    second = app.call("ContactService.getCampaigneeStepDetails", cid, week2)
    assert second["Status"] == "Scheduled" and second["ScheduledDate"].value == "20260413T08:00:00"
    assert "DateRun" not in second
    assert app.call("ContactService.getCampaigneeStepDetails", cid, graduate)["Status"] == "Pending"

    app.call("ContactService.pauseCampaign", cid, seq_id)
    assert app.call("ContactService.getCampaigneeStepDetails", cid, week2)["Status"] == "Paused"
    assert "NextStepDate" not in app.call("ContactService.getCampaigneeDetails", cid, seq_id)
    app.call("ContactService.resumeCampaignForContact", cid, seq_id)

    # rescheduling to the last step passes week two by without running it
    app.call("ContactService.rescheduleCampaignStep", [cid], graduate)
    assert app.call("ContactService.getCampaigneeStepDetails", cid, week2)["Status"] == "Skipped"
    done = app.call("ContactService.getCampaigneeDetails", cid, seq_id)
    assert done["Status"] == "Done" and done["StepsRun"] == 2 and "NextStepId" not in done

    app.clock(by="1d")
    app.call("ContactService.addToCampaign", cid, seq_id)  # a new pass forgets the old one's steps
    again = app.call("ContactService.getCampaigneeDetails", cid, seq_id)
    assert again["StepsRun"] == 1 and again["DateAdded"].value == "20260407T08:00:00"
    assert app.call("ContactService.getCampaigneeStepDetails", cid, graduate)["Status"] == "Pending"
