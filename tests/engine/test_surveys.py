"""ContactService.submitSurveyAndApplyActionSets: a survey result (seeded, or added through the control API)
submitted, and legacy action sets run on its contact."""
from __future__ import annotations

import xmlrpc.client

import pytest

from tests.conftest import fault_of


def _results(app, **params) -> list[dict]:
    r = app.live.control("GET", f"/apps/{app.name}/survey-results", params=params)
    assert r.status_code == 200, r.text
    return r.json()["survey_results"]


def _action_set(app, name: str) -> int:
    [row] = app.call("DataService.query", "ActionSequence", 10, 0, {"TemplateName": name}, ["Id"])
    return row["Id"]


def test_submitting_a_seeded_result_runs_the_action_sets_on_its_contact(app):
    app.clock(time="2026-04-06T10:00:00", frozen=True)
    [liam] = app.call("ContactService.findByEmail", "liam.nguyen@example.com", ["Id"])
    [result] = _results(app, contact_id=liam["Id"])
    assert result["survey"] == "Customer satisfaction (Q1)" and result["date_submitted"] is None
    nurture = _action_set(app, "Nurture signup")
    assert app.call("ContactService.submitSurveyAndApplyActionSets", result["id"], [nurture]) is True
    [after] = _results(app, contact_id=liam["Id"])
    assert after["date_submitted"] == "2026-04-06T10:00:00"
    tags = app.call("DataService.query", "ContactGroupAssign", 100, 0, {"ContactId": liam["Id"]}, ["ContactGroup"])
    assert "Nurture Subscriber" in {t["ContactGroup"] for t in tags}
    tasks = app.call("DataService.query", "ContactAction", 100, 0, {"ContactId": liam["Id"]}, ["ActionDescription"])
    assert "Call new subscriber" in {t["ActionDescription"] for t in tasks}
    events = app.live.control("GET", f"/apps/{app.name}/events", params={"limit": 1000}).json()["events"]
    [submitted] = [e for e in events if e["type"] == "survey_result.submitted"]
    assert submitted["entity_id"] == result["id"] and submitted["payload"]["contact_id"] == liam["Id"]


def test_a_result_added_through_the_control_api_submits_with_no_action_sets(app):
    cid = app.call("ContactService.add", {"FirstName": "Sam"})
    r = app.live.control("POST", f"/apps/{app.name}/survey-results",
                         json={"contact_id": cid, "survey": "Exit poll", "answers": {"Why?": "Price"}})
    assert r.status_code == 201, r.text
    assert app.call("ContactService.submitSurveyAndApplyActionSets", r.json()["id"], []) is True
    [row] = _results(app, contact_id=cid)
    assert row["answers"] == {"Why?": "Price"} and row["date_submitted"] is not None
    bad = app.live.control("POST", f"/apps/{app.name}/survey-results", json={"contact_id": 987654, "survey": "X"})
    assert bad.status_code == 400


@pytest.mark.parametrize("case, fault", [
    ("no result", (6, "[Loading]Error loading survey result")),
    ("no action set", (6, "[Loading]Error loading action set")),
    ("not ids", (12, "[InvalidParameter]actionSetIds must be action set ids")),
])
def test_faults_change_nothing(app, case, fault):
    [liam] = app.call("ContactService.findByEmail", "liam.nguyen@example.com", ["Id"])
    [result] = _results(app, contact_id=liam["Id"])
    nurture = _action_set(app, "Nurture signup")
    args = {"no result": (987654, [nurture]), "no action set": (result["id"], [nurture, 987654]),
            "not ids": (result["id"], ["nurture"])}[case]
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("ContactService.submitSurveyAndApplyActionSets", *args)
    assert fault_of(exc) == fault
    assert _results(app, contact_id=liam["Id"])[0]["date_submitted"] is None
    tags = app.call("DataService.query", "ContactGroupAssign", 100, 0, {"ContactId": liam["Id"]}, ["ContactGroup"])
    assert "Nurture Subscriber" not in {t["ContactGroup"] for t in tags}
