"""Legacy follow-up sequences (ContactService.*Campaign*), their DataService tables, and action sets."""
from __future__ import annotations

import xmlrpc.client

import pytest

from tests.conftest import fault_of

LOADING = (6, "[Loading]Error loading follow-up sequence")


def _sequence(app) -> tuple[int, list[dict]]:
    [seq] = app.call("DataService.query", "Campaign", 10, 0, {"Name": "Legacy 12-week series"},
                     ["Id", "Name", "Status"])
    steps = app.call("DataService.query", "CampaignStep", 10, 0, {"CampaignId": seq["Id"]},
                     ["Id", "CampaignId", "TemplateId", "StepStatus", "StepTitle"])
    return seq["Id"], steps


def test_follow_up_sequence_runs_its_steps_on_the_clock(app, campaigns):
    app.clock(time="2026-03-02T08:00:00", frozen=True)
    seq_id, steps = _sequence(app)
    assert [s["StepTitle"] for s in steps] == ["Week one", "Week two", "Tag graduates"]
    cid = campaigns.contact("legacy@example.com", FirstName="Lee")
    assert app.call("ContactService.addToCampaign", cid, seq_id) is True
    assert [m["subject"] for m in campaigns.outbox(contact_id=cid)] == ["Week one: set your baseline"]
    assert app.call("ContactService.getNextCampaignStep", cid, seq_id) == steps[1]["Id"]
    [member] = app.call("DataService.query", "Campaignee", 10, 0, {"ContactId": cid},
                        ["CampaignId", "Campaign", "Status", "ContactId", "Id"])
    assert member["Campaign"] == "Legacy 12-week series" and member["Status"] == "Active"
    app.clock(by="7d")
    assert len(campaigns.outbox(contact_id=cid)) == 2
    app.clock(by="7d")
    assert "Newsletter" in str(app.call("ContactService.load", cid, ["Groups"])) or \
        app.call("DataService.query", "ContactGroupAssign", 10, 0, {"ContactId": cid}, ["ContactGroup"])
    assert app.call("ContactService.getNextCampaignStep", cid, seq_id) == 0


def test_pause_keeps_the_remaining_delay_and_resume_counts_from_there(app, campaigns):
    app.clock(time="2026-03-02T08:00:00", frozen=True)
    seq_id, _ = _sequence(app)
    cid = campaigns.contact("pause-legacy@example.com")
    app.call("ContactService.addToCampaign", cid, seq_id)
    app.clock(by="3d")
    assert app.call("ContactService.pauseCampaign", cid, seq_id) is True
    app.clock(by="30d")
    assert len(campaigns.outbox(contact_id=cid)) == 1
    assert app.call("ContactService.resumeCampaignForContact", cid, seq_id) is True
    app.clock(by="3d23h")
    assert len(campaigns.outbox(contact_id=cid)) == 1
    app.clock(by="1h")
    assert len(campaigns.outbox(contact_id=cid)) == 2  # 4 days were left when it was paused


def test_reschedule_runs_a_step_now_and_remove_takes_the_contact_out(app, campaigns):
    seq_id, steps = _sequence(app)
    a = campaigns.contact("r1@example.com")
    b = campaigns.contact("r2@example.com")
    assert app.call("ContactService.rescheduleCampaignStep", [a, b], steps[1]["Id"]) == 2
    assert [m["subject"] for m in campaigns.outbox(contact_id=a)] == ["Week two: build the habit"]
    assert app.call("ContactService.removeFromCampaign", a, seq_id) is True
    assert app.call("DataService.query", "Campaignee", 10, 0, {"ContactId": a}, ["Id"]) == []
    report = app.live.control("GET", f"/apps/{app.name}/followups/{seq_id}/report").json()
    assert report["active"] == 1 and report["steps"][2]["queued"] == 1


def test_reschedule_on_a_frozen_clock_runs_the_step_each_time_it_is_asked(app, campaigns):
    """Performed twice in one app second (a frozen clock, or two calls at once), the step runs twice: the second
    email was a duplicate key and the call an [Unexpected] fault."""
    app.clock(time="2026-12-05T10:00:00", frozen=True)
    seq_id, steps = _sequence(app)
    cid = campaigns.contact("twice@example.com")
    assert app.call("ContactService.addToCampaign", cid, seq_id) is True
    for _ in range(2):
        assert app.call("ContactService.rescheduleCampaignStep", [cid], steps[0]["Id"]) == 1
    subjects = [m["subject"] for m in campaigns.outbox(contact_id=cid)]
    assert subjects == [subjects[0]] * 3  # entering ran the first step, and each reschedule again


@pytest.mark.parametrize("method", ["addToCampaign", "removeFromCampaign", "pauseCampaign",
                                    "resumeCampaignForContact", "getNextCampaignStep"])
def test_a_wrong_sequence_id_is_the_real_loading_fault(app, method):
    cid = app.call("ContactService.add", {"FirstName": "X"})
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call(f"ContactService.{method}", cid, 987654)
    assert fault_of(exc) == LOADING


def test_campaign_builder_sequence_ids_are_not_follow_up_sequences(app, campaigns):
    created = campaigns.load({"name": "CB", "goals": [{"key": "g", "type": "api_call", "call_name": "x"}],
                              "sequences": [{"key": "s", "items": []}], "links": [["g", "s"]]})
    cid = app.call("ContactService.add", {"FirstName": "X"})
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("ContactService.addToCampaign", cid, created["ids"]["sequence:s"] + 1000)
    assert fault_of(exc) == LOADING


def test_run_action_sequence_answers_one_struct_per_action(app, campaigns):
    [nurture] = app.call("DataService.query", "ActionSequence", 10, 0, {"TemplateName": "Nurture signup"},
                         ["Id", "TemplateName", "VisibleToTheseUsers"])
    cid = campaigns.contact("actions@example.com")
    assert app.call("ContactService.runActionSequence", cid, nurture["Id"]) == [
        {"Action": "Apply/Remove Tag", "Message": "tags applied to Contact: Nurture Subscriber", "IsError": False},
        {"Action": "Create Task", "Message": "Call new subscriber (Task) sent successfully", "IsError": False}]
    tasks = app.call("DataService.query", "ContactAction", 10, 0, {"ContactId": cid, "ObjectType": "Task"},
                     ["ActionDescription"])
    assert tasks == [{"ActionDescription": "Call new subscriber"}]
    with pytest.raises(xmlrpc.client.Fault) as missing_set:
        app.call("ContactService.runActionSequence", cid, 424242)
    assert fault_of(missing_set)[0] == 6
    with pytest.raises(xmlrpc.client.Fault) as missing_contact:
        app.call("ContactService.runActionSequence", 424242, nurture["Id"])
    assert "contactId must be a valid id" in fault_of(missing_contact)[1]


def _action_set(app, name: str, actions: list[dict]) -> int:
    from server.store import apps, schema

    sandbox = app.live.sandbox
    with sandbox.engine.begin() as conn:
        s = sandbox.env.session(conn, apps.by_name(conn, app.name))
        action_set_id = s.next_id("action_set")
        s.insert(schema.action_set, dict(id=action_set_id, template_name=name, visible_to_these_users="Everyone",
                                         actions=actions))
    return action_set_id


def test_action_sets_create_orders_and_cancel_subscriptions(app, campaigns):
    """Seed 001: "The most common uses are create order and cancel subscription"."""
    coaching = "1:1 Coaching Session (60 min)"
    [plan] = app.call("DataService.query", "SubscriptionPlan", 1, 0, {"Id": "%"}, ["Id", "ProductId"])
    upgrade = _action_set(app, "Upgrade", [
        {"type": "create_order", "products": [coaching], "quantity": 2, "title": "Coaching pack"},
        {"type": "cancel_subscription", "product": plan["ProductId"], "reason": "Upgraded"}])
    cid = campaigns.contact("upgrade@example.com")
    kept = app.call("InvoiceService.addRecurringOrder", cid, True, plan["Id"], 0, 0, 0, 0)
    elsewhere = _action_set(app, "Cancel coaching", [{"type": "cancel_subscription", "products": [coaching]}])
    assert app.call("ContactService.runActionSequence", cid, elsewhere)[0]["Message"] == \
        "No active subscription to cancel"  # another product's subscription stays
    [order, cancelled] = app.call("ContactService.runActionSequence", cid, upgrade)
    assert order["Action"] == "Create an Order" and order["IsError"] is False
    [job] = app.call("DataService.query", "Job", 10, 0, {"ContactId": cid}, ["Id", "JobTitle"])
    assert order["Message"] == f"Order {job['Id']} created" and job["JobTitle"] == "Coaching pack"
    [invoice] = app.call("DataService.query", "Invoice", 10, 0, {"JobId": job["Id"]}, ["InvoiceTotal", "PayStatus"])
    assert invoice == {"InvoiceTotal": 240.0, "PayStatus": 0}  # two at 120.00, unpaid
    assert cancelled == {"Action": "Cancel a Subscription", "Message": f"Subscription {kept} cancelled",
                         "IsError": False}
    rows = {r["Id"]: r for r in app.call("DataService.query", "RecurringOrder", 10, 0, {"ContactId": cid},
                                         ["Id", "Status", "ReasonStopped"])}
    assert rows == {kept: {"Id": kept, "Status": "Inactive", "ReasonStopped": "Upgraded"}}

    again = app.call("ContactService.runActionSequence", cid, upgrade)[1]
    assert again["Message"] == "No active subscription to cancel" and again["IsError"] is False
    wrong = _action_set(app, "Wrong", [{"type": "create_order", "products": ["No such product"]},
                                       {"type": "create_order"}])
    assert app.call("ContactService.runActionSequence", cid, wrong) == [
        {"Action": "Create an Order", "Message": "no product 'No such product'", "IsError": True},
        {"Action": "Create an Order", "Message": "create_order needs products", "IsError": True}]


def test_a_seeded_action_set_with_an_unknown_action_is_refused(tmp_path):
    import json
    import shutil

    from server.app import create_app
    from server.config import from_env
    from tests.conftest import SEED_DIR

    seed = tmp_path / "seed"
    shutil.copytree(SEED_DIR, seed)
    (seed / "action_sets.json").write_text(json.dumps([{"TemplateName": "Odd", "actions": [{"type": "levitate"}]}]))
    with pytest.raises(ValueError, match="action_sets.json: 'Odd' has an unknown action type 'levitate'"):
        create_app(from_env(data_dir=str(tmp_path / "data"), seed_dir=str(seed)))


def test_a_bounce_trigger_runs_its_action_set_on_the_contact(app, campaigns):
    """Seed 004: "you can set up triggers to handle bounced email scenarios": the app's bounce and hard-bounce
    triggers name an action set, run on each contact of the address when it bounces."""
    [nurture] = app.call("DataService.query", "ActionSequence", 10, 0, {"TemplateName": "Nurture signup"}, ["Id"])
    flag = _action_set(app, "Flag the bounce", [{"type": "create_note", "title": "Email bounced"}])
    options = {"bounce_action_set": flag, "hard_bounce_action_set": nurture["Id"]}
    assert app.live.control("PATCH", f"/apps/{app.name}/options", json=options).status_code == 200
    soft = campaigns.contact("soft@example.com")
    hard = campaigns.contact("hard@example.com")
    calm = campaigns.contact("calm@example.com")
    for address, status in (("soft@example.com", "Bounce"), ("hard@example.com", "HardBounce"),
                            ("calm@example.com", "UnengagedMarketable")):
        r = app.live.control("PUT", f"/apps/{app.name}/email/addresses/{address}", json={"status": status})
        assert r.status_code == 200, r.text

    def notes(cid):
        return [a["ActionDescription"] for a in app.call("DataService.query", "ContactAction", 10, 0,
                                                          {"ContactId": cid}, ["ActionDescription"])]

    assert notes(soft) == ["Email bounced"]
    assert notes(hard) == ["Call new subscriber"]  # the nurture set's task
    assert app.call("ContactService.load", hard, ["Groups"])["Groups"]  # and its tag
    assert notes(calm) == []
    bad = app.live.control("PATCH", f"/apps/{app.name}/options", json={"bounce_action_set": -1})
    assert bad.status_code == 400
    # an action set that cannot run (no such set) is logged, and the bounce stands (docs/email.md)
    assert app.live.control("PATCH", f"/apps/{app.name}/options",
                            json={"bounce_action_set": 999_999}).status_code == 200
    lost = campaigns.contact("lost@example.com")
    r = app.live.control("PUT", f"/apps/{app.name}/email/addresses/lost@example.com", json={"status": "Bounce"})
    assert r.status_code == 200, r.text
    assert app.live.control("GET", f"/apps/{app.name}/email/addresses/lost@example.com").json()["status"] == "Bounce"
    assert notes(lost) == []
