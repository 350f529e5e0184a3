"""An API-goal campaign driven through FunnelService.achieveGoal, with timers fired by the clock: written as a
user of the pytest plugin writes it (``keap_app``, docs/testing.md)."""
from __future__ import annotations

import pytest

DRIP = {
    "name": "Integration welcome",
    "goals": [{"key": "signup", "type": "api_call", "integration": "myapp", "call_name": "signup"}],
    "sequences": [{"key": "welcome", "name": "Welcome", "items": [
        {"type": "email", "name": "Hello", "subject": "Welcome, ~Contact.FirstName~",
         "html": "<p>Hi ~Contact.FirstName~, see <a href=\"https://example.com/start\">this</a>.</p>"},
        {"type": "delay_timer", "wait": 2, "unit": "days", "at": "09:00"},
        {"type": "email", "name": "Day two", "subject": "Day two for ~Contact.FirstName~", "text": "Hi again"},
    ]}],
    "links": [["signup", "welcome"]],
}


def load(keap_app, doc: dict, *, publish: bool = True) -> dict:
    return keap_app.control("POST", "/campaigns", json=doc, params={"publish": "1"} if publish else None)


def contact(keap_app, email: str, **fields) -> int:
    cid = keap_app.call("ContactService.add", {"Email": email, **fields})
    keap_app.call("APIEmailService.optIn", email, "test")
    return cid


@pytest.mark.keap_app(frozen_at="2026-03-02T08:00:00")  # a Monday morning, app time
def test_achieve_goal_runs_the_sequence_and_the_clock_fires_the_timer(keap_app):
    created = load(keap_app, DRIP)
    cid = contact(keap_app, "ada@example.com", FirstName="Ada")

    [result] = keap_app.call("FunnelService.achieveGoal", "myapp", "signup", cid)
    assert result["success"] is True and result["funnelId"] == created["id"]
    assert result["goalId"] == created["ids"]["goal:signup"]
    assert result["flowStart"] == [{"success": True, "msg": "Contact started in sequence",
                                    "flowId": created["ids"]["sequence:welcome"]}]
    assert result["flowStop"] == []

    [first] = keap_app.outbox(contact_id=cid)
    assert first["subject"] == "Welcome, Ada" and first["status"] == "captured"
    assert first["to_address"] == "ada@example.com" and first["origin"] == "sequence"
    assert "/app/linkClick/" in first["html_body"] and "Unsubscribe" in first["html_body"]

    keap_app.advance("1d")
    assert len(keap_app.outbox(contact_id=cid)) == 1
    keap_app.advance("1d")  # Wednesday 08:00: the timer waits for 09:00
    assert len(keap_app.outbox(contact_id=cid)) == 1
    keap_app.advance("2h")
    messages = keap_app.outbox(contact_id=cid)
    assert [m["subject"] for m in messages] == ["Welcome, Ada", "Day two for Ada"]
    assert messages[1]["sent_date"] == "2026-03-04T09:00:00"


def test_no_published_goal_gives_the_real_failure(keap_app):
    load(keap_app, DRIP, publish=False)
    cid = contact(keap_app, "bo@example.com")
    assert keap_app.call("FunnelService.achieveGoal", "myapp", "signup", cid) == [{
        "success": False, "msg": "No Goals were configured to be achieved by this event.",
        "funnelId": 0, "goalId": 0, "flowStart": [], "flowStop": []}]
