"""An API-goal campaign driven through FunnelService.achieveGoal, with timers fired by the clock."""
from __future__ import annotations

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


def test_achieve_goal_runs_the_sequence_and_the_clock_fires_the_timer(app, campaigns):
    app.clock(time="2026-03-02T08:00:00", frozen=True)  # a Monday morning, app time
    created = campaigns.load(DRIP)
    cid = campaigns.contact("ada@example.com", FirstName="Ada")

    [result] = app.call("FunnelService.achieveGoal", "myapp", "signup", cid)
    assert result["success"] is True and result["funnelId"] == created["id"]
    assert result["goalId"] == created["ids"]["goal:signup"]
    assert result["flowStart"] == [{"success": True, "msg": "Contact started in sequence",
                                    "flowId": created["ids"]["sequence:welcome"]}]
    assert result["flowStop"] == []

    [first] = campaigns.outbox(contact_id=cid)
    assert first["subject"] == "Welcome, Ada" and first["status"] == "captured"
    assert first["to_address"] == "ada@example.com" and first["origin"] == "sequence"
    assert "/app/linkClick/" in first["html_body"] and "Unsubscribe" in first["html_body"]

    app.clock(by="1d")
    assert len(campaigns.outbox(contact_id=cid)) == 1
    app.clock(by="1d")  # Wednesday 08:00: the timer waits for 09:00
    assert len(campaigns.outbox(contact_id=cid)) == 1
    app.clock(by="2h")
    messages = campaigns.outbox(contact_id=cid)
    assert [m["subject"] for m in messages] == ["Welcome, Ada", "Day two for Ada"]
    assert messages[1]["sent_date"] == "2026-03-04T09:00:00"


def test_no_published_goal_gives_the_real_failure(app, campaigns):
    campaigns.load(DRIP, publish=False)
    cid = campaigns.contact("bo@example.com")
    assert app.call("FunnelService.achieveGoal", "myapp", "signup", cid) == [{
        "success": False, "msg": "No Goals were configured to be achieved by this event.",
        "funnelId": 0, "goalId": 0, "flowStart": [], "flowStop": []}]
