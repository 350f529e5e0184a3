"""FunnelService.achieveWordPressGoal and the campaign engine's WordPress opt-in goal (wordpress_optin)."""
from __future__ import annotations

NO_GOALS = [{"success": False, "msg": "No Goals were configured to be achieved by this event.",
             "funnelId": 0, "goalId": 0, "flowStart": [], "flowStop": []}]

DOC = {
    "name": "WordPress opt-ins",
    "resources": {"tags": ["WordPress subscriber"]},
    "goals": [{"key": "guide", "type": "wordpress_optin", "optin": "5f3a9c2e1b7d4"},
              {"key": "anyoptin", "type": "wordpress_optin", "entry_point": True}],
    "sequences": [{"key": "deliver", "items": [{"type": "email", "subject": "Your guide, ~Contact.FirstName~",
                                                "text": "Here it is."}]},
                  {"key": "welcome", "items": [{"type": "apply_tag", "tag": "WordPress subscriber"}]}],
    "links": [["guide", "deliver"], ["anyoptin", "welcome"]],
}


def test_the_opt_in_goal_of_that_opt_in_and_the_any_opt_in_goal_fire(app, campaigns):
    created = campaigns.load(DOC)
    cid = campaigns.contact("wp@example.com", FirstName="Wren")
    results = app.call("FunnelService.achieveWordPressGoal", cid, "5f3a9c2e1b7d4")
    assert sorted(r["goalId"] for r in results) == sorted([created["ids"]["goal:guide"],
                                                            created["ids"]["goal:anyoptin"]])
    assert all(r["success"] and r["funnelId"] == created["id"] for r in results)
    [sent] = campaigns.outbox(contact_id=cid)
    assert sent["subject"] == "Your guide, Wren"
    tags = app.call("DataService.query", "ContactGroupAssign", 10, 0, {"ContactId": cid}, ["ContactGroup"])
    assert [t["ContactGroup"] for t in tags] == ["WordPress subscriber"]


def test_another_opt_in_or_none_fires_only_the_any_goal(app, campaigns):
    created = campaigns.load(DOC)
    cid = campaigns.contact("wp2@example.com")
    [other] = app.call("FunnelService.achieveWordPressGoal", cid, "0000other")
    [bare] = app.call("FunnelService.achieveWordPressGoal", cid)  # yail's optional opt-in id
    assert other["goalId"] == bare["goalId"] == created["ids"]["goal:anyoptin"]
    assert campaigns.outbox(contact_id=cid) == []


def test_failures_are_the_achieve_goal_failure_structs(app, campaigns):
    cid = campaigns.contact("wp3@example.com")
    assert app.call("FunnelService.achieveWordPressGoal", cid, "5f3a9c2e1b7d4") == NO_GOALS  # nothing published
    missing = app.call("FunnelService.achieveWordPressGoal", 987654, "5f3a9c2e1b7d4")
    assert missing == [dict(NO_GOALS[0], msg="Contact Id:987654 does not exist")]


def test_an_opt_in_key_is_alphanumeric(app, campaigns):
    doc = dict(DOC, goals=[{"key": "g", "type": "wordpress_optin", "optin": "5f3a.9c2e"}])
    r = campaigns.control("POST", "/campaigns", json=doc)
    assert r.status_code == 400 and "goals[0].optin" in r.text
