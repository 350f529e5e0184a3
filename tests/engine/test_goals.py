"""Goals: entry points, stopping upstream sequences, runs-until-completed, re-entry, decision diamonds,
parallel paths and joins, one campaign's action firing another's goal, nothing retroactive."""
from __future__ import annotations

import requests


def _tag(app, name: str) -> int:
    return app.call("DataService.add", "ContactGroup", {"GroupName": name})


def _subjects(campaigns, cid) -> list[str]:
    return [m["subject"] for m in campaigns.outbox(contact_id=cid)]


def email(subject: str) -> dict:
    return {"type": "email", "name": subject, "subject": subject, "text": "x"}


def cutoff_campaign(*, runs_until_completed: bool = False) -> dict:
    return {
        "name": "Lead to customer",
        "resources": {"tags": ["T lead", "T customer"]},
        "goals": [{"key": "lead", "type": "tag_applied", "tag": "T lead"},
                  {"key": "customer", "type": "tag_applied", "tag": "T customer"}],
        "sequences": [
            {"key": "nurture", "runs_until_completed": runs_until_completed,
             "items": [email("n1"), {"type": "delay_timer", "wait": 3, "unit": "days"}, email("n2")]},
            {"key": "onboard", "items": [email("o1")]},
        ],
        "links": [["lead", "nurture"], ["nurture", "customer"], ["customer", "onboard"]],
    }


def test_a_goal_stops_the_sequence_before_it_and_starts_the_next(app, campaigns):
    app.clock(time="2026-03-02T08:00:00", frozen=True)
    campaigns.load(cutoff_campaign())
    lead = app.call("DataService.query", "ContactGroup", 10, 0, {"GroupName": "T lead"}, ["Id"])[0]["Id"]
    customer = app.call("DataService.query", "ContactGroup", 10, 0, {"GroupName": "T customer"}, ["Id"])[0]["Id"]
    cid = campaigns.contact("cut@example.com")
    app.call("ContactService.addToGroup", cid, lead)
    assert _subjects(campaigns, cid) == ["n1"]
    app.call("ContactService.addToGroup", cid, customer)  # the goal to the right of the nurture
    assert _subjects(campaigns, cid) == ["n1", "o1"]
    app.clock(by="4d")
    assert _subjects(campaigns, cid) == ["n1", "o1"]  # n2 never comes: the nurture was stopped
    states = {(e["sequence_id"], e["state"]) for e in campaigns.enrollments(contact_id=cid)}
    assert {s for _, s in states} == {"stopped", "done"}


def test_runs_until_completed_keeps_going_after_the_goal(app, campaigns):
    app.clock(time="2026-03-02T08:00:00", frozen=True)
    campaigns.load(cutoff_campaign(runs_until_completed=True))
    [lead] = app.call("DataService.query", "ContactGroup", 10, 0, {"GroupName": "T lead"}, ["Id"])
    [customer] = app.call("DataService.query", "ContactGroup", 10, 0, {"GroupName": "T customer"}, ["Id"])
    cid = campaigns.contact("ruc@example.com")
    app.call("ContactService.addToGroup", cid, lead["Id"])
    app.call("ContactService.addToGroup", cid, customer["Id"])
    app.clock(by="4d")
    assert _subjects(campaigns, cid) == ["n1", "o1", "n2"]


def test_a_later_goal_counts_only_for_contacts_in_the_campaign_unless_it_is_an_entry_point(app, campaigns):
    doc = cutoff_campaign()
    campaigns.load(doc)
    [customer] = app.call("DataService.query", "ContactGroup", 10, 0, {"GroupName": "T customer"}, ["Id"])
    outsider = campaigns.contact("outsider@example.com")
    app.call("ContactService.addToGroup", outsider, customer["Id"])
    assert _subjects(campaigns, outsider) == []
    doc["goals"][1]["entry_point"] = True
    doc["name"] = "Open goal"
    campaigns.load(doc)
    other = campaigns.contact("walk-in@example.com")
    app.call("ContactService.addToGroup", other, customer["Id"])
    assert _subjects(campaigns, other) == ["o1"]


def test_reentry_only_after_the_run_ended(app, campaigns):
    created = campaigns.load({"name": "Ping", "goals": [{"key": "g", "type": "api_call", "call_name": "ping"}],
                              "sequences": [{"key": "s", "items": [email("hello"),
                                                                   {"type": "delay_timer", "wait": 1, "unit": "hours"},
                                                                   email("bye")]}],
                              "links": [["g", "s"]]})
    cid = campaigns.contact("again@example.com")
    [first] = app.call("FunnelService.achieveGoal", app.name, "ping", cid)
    assert first["flowStart"][0]["success"] is True
    [second] = app.call("FunnelService.achieveGoal", app.name, "ping", cid)
    assert second["flowStart"] == [{"success": False, "msg": "Contact is already in this sequence",
                                    "flowId": created["ids"]["sequence:s"]}]
    app.clock(by="2h")
    [third] = app.call("FunnelService.achieveGoal", app.name, "ping", cid)
    assert third["flowStart"][0]["success"] is True
    assert _subjects(campaigns, cid) == ["hello", "bye", "hello"]


def test_decision_diamond_routes_by_tags_and_fields_with_a_catch_all(app, campaigns):
    campaigns.load({
        "name": "Router",
        "resources": {"tags": ["T vip"]},
        "goals": [{"key": "g", "type": "api_call", "call_name": "route"}],
        "decisions": [{"key": "d", "branches": [
            {"to": "vip", "rules": [{"tag": "T vip"}]},
            {"to": "denver", "rules": [{"field": "City", "op": "equals", "value": "denver"}]},
            {"to": "rest"}]}],
        "sequences": [{"key": "vip", "items": [email("vip")]}, {"key": "denver", "items": [email("denver")]},
                      {"key": "rest", "items": [email("rest")]}],
        "links": [["g", "d"]],
    })
    [vip_tag] = app.call("DataService.query", "ContactGroup", 10, 0, {"GroupName": "T vip"}, ["Id"])
    both = campaigns.contact("both@example.com", City="Denver")
    app.call("ContactService.addToGroup", both, vip_tag["Id"])
    plain = campaigns.contact("plain@example.com", City="Austin")
    for cid in (both, plain):
        app.call("FunnelService.achieveGoal", app.name, "route", cid)
    assert sorted(_subjects(campaigns, both)) == ["denver", "vip"]  # every matching branch
    assert _subjects(campaigns, plain) == ["rest"]  # the branch without rules catches the others


def test_parallel_paths_then_a_join_starts_the_next_sequence_once(app, campaigns):
    campaigns.load({
        "name": "Parallel",
        "goals": [{"key": "g", "type": "api_call", "call_name": "fork"}],
        "sequences": [
            {"key": "fork", "paths": [[email("a1"), {"type": "delay_timer", "wait": 1, "unit": "days"}, email("a2")],
                                      [email("b1")]]},
            {"key": "left", "items": [email("left")]},
            {"key": "right", "items": [{"type": "delay_timer", "wait": 2, "unit": "days"}, email("right")]},
            {"key": "joined", "items": [email("joined")]},
        ],
        "links": [["g", "fork"], ["g", "left"], ["g", "right"], ["left", "joined"], ["right", "joined"]],
    })
    cid = campaigns.contact("fork@example.com")
    app.call("FunnelService.achieveGoal", app.name, "fork", cid)
    assert sorted(_subjects(campaigns, cid)) == ["a1", "b1", "joined", "left"]
    app.clock(by="3d")
    subjects = _subjects(campaigns, cid)
    assert sorted(subjects) == ["a1", "a2", "b1", "joined", "left", "right"]  # "joined" ran once


def test_one_campaigns_action_fires_another_campaigns_goal(app, campaigns):
    campaigns.load({"name": "First", "resources": {"tags": ["T handoff"]},
                    "goals": [{"key": "g", "type": "api_call", "call_name": "first"}],
                    "sequences": [{"key": "s", "items": [{"type": "apply_tag", "tag": "T handoff"}]}],
                    "links": [["g", "s"]]})
    campaigns.load({"name": "Second", "goals": [{"key": "g", "type": "tag_applied", "tag": "T handoff"}],
                    "sequences": [{"key": "s", "items": [email("from the second campaign")]}],
                    "links": [["g", "s"]]})
    cid = campaigns.contact("chain@example.com")
    app.call("FunnelService.achieveGoal", app.name, "first", cid)
    assert _subjects(campaigns, cid) == ["from the second campaign"]


def test_goals_never_fire_for_what_happened_before_publishing(app, campaigns):
    tag = _tag(app, "T before")
    cid = campaigns.contact("early@example.com")
    app.call("ContactService.addToGroup", cid, tag)
    campaigns.load({"name": "Late", "goals": [{"key": "g", "type": "tag_applied", "tag": tag}],
                    "sequences": [{"key": "s", "items": [email("late")]}], "links": [["g", "s"]]})
    assert _subjects(campaigns, cid) == []
    app.call("ContactService.removeFromGroup", cid, tag)
    app.call("ContactService.addToGroup", cid, tag)  # applied again after publishing: now it counts
    assert _subjects(campaigns, cid) == ["late"]


def test_unpublished_campaigns_do_not_listen_and_their_contacts_wait(app, campaigns):
    created = campaigns.load({"name": "Pausable", "goals": [{"key": "g", "type": "api_call", "call_name": "p"}],
                              "sequences": [{"key": "s", "items": [
                                  email("one"), {"type": "delay_timer", "wait": 1, "unit": "days"}, email("two")]}],
                              "links": [["g", "s"]]})
    cid = campaigns.contact("pause@example.com")
    app.call("FunnelService.achieveGoal", app.name, "p", cid)
    assert campaigns.control("POST", f"/campaigns/{created['id']}/unpublish").status_code == 200
    app.clock(by="2d")
    assert _subjects(campaigns, cid) == ["one"]
    other = campaigns.contact("late-comer@example.com")
    assert app.call("FunnelService.achieveGoal", app.name, "p", other)[0]["success"] is False
    assert campaigns.control("POST", f"/campaigns/{created['id']}/publish").status_code == 200
    assert _subjects(campaigns, cid) == ["one", "two"]  # came due while unpublished: within 7 days, runs now


def test_a_link_click_goal_without_an_email_listens_only_to_its_own_campaigns_emails(app, campaigns):
    """docs/campaigns.md: ``link_clicked`` fires when "a tracked link in this campaign's email is clicked" (spec
    campaign-engine.md §1.2: "click on a tracked link in a sequence email"); with no ``email`` named, any of its
    own emails, and never another campaign's (nor a broadcast's, which has no campaign)."""
    def click(message: dict) -> None:
        html = message["html_body"]
        path = html[html.index("/app/linkClick/"):].split('"')[0]
        r = requests.get(app.live.url + path, allow_redirects=False, timeout=10)
        assert r.status_code == 302, r.text

    link = '<p><a href="https://example.com/offer">offer</a></p>'
    clicker = campaigns.load({
        "name": "Clicker",
        "goals": [{"key": "clicked", "type": "link_clicked"},
                  {"key": "start", "type": "api_call", "call_name": "start_clicker", "entry_point": True}],
        "sequences": [{"key": "mail", "items": [{"type": "email", "name": "own", "subject": "own", "html": link}]},
                      {"key": "after", "items": [email("thanks")]}],
        "links": [["start", "mail"], ["clicked", "after"]]})
    campaigns.load({"name": "Mailer", "goals": [{"key": "go", "type": "api_call", "call_name": "go"}],
                    "sequences": [{"key": "s", "items": [
                        {"type": "email", "name": "other", "subject": "other", "html": link}]}],
                    "links": [["go", "s"]]})
    cid = campaigns.contact("clicks@example.com")
    app.call("FunnelService.achieveGoal", app.name, "go", cid)
    click(campaigns.outbox(contact_id=cid)[-1])  # another campaign's email
    assert _subjects(campaigns, cid) == ["other"]
    assert campaigns.report(clicker["id"])["goals"][0]["achieved"] == 0

    app.call("FunnelService.achieveGoal", app.name, "start_clicker", cid)
    click(campaigns.outbox(contact_id=cid)[-1])  # its own email
    assert _subjects(campaigns, cid) == ["other", "own", "thanks"]
    assert campaigns.report(clicker["id"])["goals"][0]["achieved"] == 1
