"""Campaigns and automations through REST v2 on a live server (every answer checked against the contract by the
``v2`` fixture): the seeded Campaign Builder campaigns read as v1 and the control API read them, goals achieved
through v2 running the same sequences as XML-RPC's FunnelService.achieveGoal (the same emails in the outbox),
contacts started in and removed from sequences, unpublishing and deleting."""
from __future__ import annotations

from server.engine import document
from server.rest_v2.campaigns import GOAL_TYPES, ITEM_TYPES
from server.rest_v2.contract import Contract
from tests.engine.conftest import Campaigns
from tests.rest.conftest import rest_for

TRIAL = "1"  # the seeded "Trial from the booking app": API goals sandbox/trial_started and trial_converted
DRIP = {
    "name": "V2 drip",
    "resources": {"tags": ["V2 drip tag"]},
    "goals": [{"key": "signup", "type": "api_call", "integration": "v2app", "call_name": "signup"},
              {"key": "tagged", "type": "tag_applied", "tag": "V2 drip tag"}],
    "sequences": [{"key": "welcome", "name": "Welcome", "items": [
        {"type": "email", "name": "Hello", "subject": "Hello from v2", "text": "Hi"},
        {"type": "delay_timer", "wait": 2, "unit": "days"},
        {"type": "email", "name": "Later", "subject": "Later from v2", "text": "Again"}]}],
    "links": [["signup", "welcome"], ["tagged", "welcome"]],
}


def _contact(v2, email: str) -> int:
    cid = v2.app.call("ContactService.add", {"Email": email, "FirstName": "Vee"})
    v2.app.call("APIEmailService.optIn", email, "test")
    return cid


def _subjects(campaigns: Campaigns, contact_id: int) -> list[str]:
    return [m["subject"] for m in campaigns.outbox(contact_id=contact_id)]


def test_every_document_type_has_a_contract_type():
    schemas = Contract.load().document["components"]["schemas"]
    assert set(GOAL_TYPES) == set(document.GOAL_TYPES) and set(ITEM_TYPES) == set(document.ITEM_TYPES)
    assert set(GOAL_TYPES.values()) <= set(schemas["Goal"]["properties"]["type"]["enum"])
    assert set(ITEM_TYPES.values()) <= set(schemas["Item"]["properties"]["type"]["enum"])


def test_campaigns_goals_and_sequences_read_like_v1(v2):
    listed = v2.ok("GET", "/campaigns")["campaigns"]
    v1 = rest_for(v2.app).ok("GET", "/campaigns")["campaigns"]
    assert [c["id"] for c in listed] == [str(c["id"]) for c in v1] and len(listed) == 4
    assert [c["name"] for c in listed] == [c["name"] for c in v1]
    trial = v2.ok("GET", f"/campaigns/{TRIAL}")
    assert trial == listed[0] and trial["published_status"] is True and trial["published_date"].endswith("Z")
    assert [c["name"] for c in v2.ok("GET", "/campaigns", params={"filter": "name==BIRTHDAY"})["campaigns"]] == [
        "Birthday club"]
    assert v2.ok("GET", "/campaigns", params={"filter": "name==irthday*"})["campaigns"] == []
    by_name = v2.ok("GET", "/campaigns", params={"order_by": "name desc"})["campaigns"]
    assert [c["name"] for c in by_name] == sorted((c["name"] for c in listed), key=str.lower, reverse=True)
    walked = v2.walk("/campaigns", "campaigns", page_size=1, order_by="activeContacts")
    assert sorted(c["id"] for c in walked) == sorted(c["id"] for c in listed)

    goals = {g["name"]: g for g in v2.ok("GET", f"/campaigns/{TRIAL}/goals")["goals"]}
    v1_full = rest_for(v2.app).ok("GET", f"/campaigns/{TRIAL}", params={"optional_properties": "goals,sequences"})
    assert {g["name"]: g["id"] for g in v1_full["goals"]} == {n: int(g["id"]) for n, g in goals.items()}
    started = goals["Booked a trial (API)"]
    assert started["type"] == "API" and started["historical_contact_counts"] == {"24_hours": 0, "30_days": 0}
    sequences = v2.ok("GET", f"/campaigns/{TRIAL}/sequences")
    assert sequences["campaign_id"] == TRIAL
    by_name = {q["name"]: q for q in sequences["sequences"]}
    assert sorted(started["next_sequence_ids"]) == sorted([by_name["Corporate trial"]["id"],
                                                          by_name["Personal trial"]["id"]])
    items = by_name["Personal trial"]["paths"][0]["items"]
    assert [i["type"] for i in items] == ["Tag", "Email", "DelayTimer", "Email", "DelayTimer", "Email"]
    assert "previous_item_id" not in items[0] and items[0]["next_item_id"] == items[1]["id"]
    assert items[1]["previous_item_id"] == items[0]["id"] and "next_item_id" not in items[-1]

    assert v2.error("GET", "/campaigns/999", 404)["details"] == [{"domain": "Campaign", "resource": "999"}]
    assert v2.error("GET", "/campaigns/999/goals", 404)["status"] == "NOT_FOUND"
    assert "filter.name" in v2.error("GET", "/campaigns", 400, params={"filter": "name!=x"})["message"]


def test_a_goal_achieved_through_v2_runs_the_same_sequence_as_xmlrpc(v2):
    v2.app.clock(action="freeze")
    campaigns = Campaigns(v2.app)
    made = campaigns.load(DRIP)
    by_v2, by_xml, by_id = (_contact(v2, f"{who}@drip.test") for who in ("v2", "xml", "byid"))

    answer = v2.ok("POST", "/automations/goals/achieve",
                   json={"integration": "v2app", "call_name": "signup", "contact_id": by_v2})
    [xml] = v2.app.call("FunnelService.achieveGoal", "v2app", "signup", by_xml)
    [result] = answer["results"]
    assert result == {"success": True, "message": "Goal achieved", "automation_id": made["id"],
                      "goal_id": xml["goalId"], "flow_start_results": [
                          {"success": True, "message": "Contact started in sequence",
                           "flow_id": made["ids"]["sequence:welcome"]}], "flow_stop_results": []}
    assert _subjects(campaigns, by_v2) == _subjects(campaigns, by_xml) == ["Hello from v2"]

    # by the automation's and goal's ids; a goal that is not an entry point counts for contacts in the campaign
    by_ids = lambda key: v2.ok("POST", "/automations/goals/achieve", json={  # noqa: E731
        "automation_id": made["id"], "goal_id": made["ids"][f"goal:{key}"], "contact_id": by_id})["results"]
    assert by_ids("tagged")[0]["success"] is False and _subjects(campaigns, by_id) == []
    assert by_ids("signup")[0]["goal_id"] == xml["goalId"] and _subjects(campaigns, by_id) == ["Hello from v2"]
    [again] = by_ids("tagged")
    assert again["goal_id"] == made["ids"]["goal:tagged"]
    assert again["flow_start_results"][0]["message"] == "Contact is already in this sequence"
    v2.app.clock(by="2d")
    assert _subjects(campaigns, by_v2) == ["Hello from v2", "Later from v2"]

    # read back: v1 and v2 count the same goal achievements and active contacts
    goals = {g["id"]: g for g in v2.ok("GET", f"/campaigns/{made['id']}/goals")["goals"]}
    assert goals[str(xml["goalId"])]["historical_contact_counts"] == {"24_hours": 0, "30_days": 3}  # two days ago
    v1 = rest_for(v2.app).ok("GET", f"/campaigns/{made['id']}", params={"optional_properties": "goals"})
    assert {g["id"]: g["historical_contact_counts"] for g in v1["goals"]} == {
        int(k): g["historical_contact_counts"] for k, g in goals.items()}
    assert v2.ok("GET", f"/automations/{made['id']}")["active_contacts"] == v1["active_contact_count"]

    nobody = v2.ok("POST", "/automations/goals/achieve",
                   json={"integration": "v2app", "call_name": "nothing", "contact_id": by_v2})
    assert nobody == {"results": [{"success": False,
                                   "message": "No Goals were configured to be achieved by this event."}]}
    bad = [({"contact_id": by_v2}, "automation_id"), ({"integration": "v2app", "contact_id": by_v2}, "call_name"),
           ({"integration": "a", "call_name": "b", "goal_id": 1, "contact_id": by_v2}, "integration"),
           ({"integration": "v2app", "call_name": "signup", "contact_id": 999999}, "contact_id"),
           ({"integration": "v2app", "call_name": "signup", "contact_id": 2**40}, "contact_id"),
           ({"integration": "v2app", "call_name": "signup", "contact_id": "7"}, "contact_id")]
    for body, field in bad:
        assert v2.error("POST", "/automations/goals/achieve", 400, json=body)["details"] == [
            {"domain": "request", "resource": field}], body
    for automation_id, goal_id in ((made["id"], 999999), (2**40, 1)):
        assert v2.error("POST", "/automations/goals/achieve", 404, json={
            "automation_id": automation_id, "goal_id": goal_id, "contact_id": by_v2})["code"] == 404


def test_contacts_started_in_and_removed_from_a_sequence(v2):
    campaigns = Campaigns(v2.app)
    made = campaigns.load(DRIP)
    sequence = made["ids"]["sequence:welcome"]
    one, two = _contact(v2, "one@seq.test"), _contact(v2, "two@seq.test")
    path = f"/campaigns/{made['id']}/sequences/{sequence}"
    added = v2.ok("POST", f"{path}:addContacts", json={"contact_ids": [str(one), "999999"]})
    assert added == {"add_to_sequence_results": {str(one): "SUCCESS", "999999": "CONTACT_DOES_NOT_EXIST"}}
    via_automation = v2.ok("POST", f"/automations/{made['id']}/sequences/{sequence}:addContacts",
                           json={"contact_ids": [str(one), str(two)]})
    assert via_automation == {"add_to_automation_sequence_results": {str(one): "ALREADY_IN_SEQUENCE",
                                                                     str(two): "SUCCESS"}}
    assert _subjects(campaigns, one) == _subjects(campaigns, two) == ["Hello from v2"]
    [sequence_read] = v2.ok("GET", f"/campaigns/{made['id']}/sequences")["sequences"]
    assert sequence_read["active_contact_count"] == 2

    removed = v2.ok("POST", f"{path}:removeContacts", json={"contact_ids": [str(one), "999999"]})
    assert removed == {"remove_from_sequence_results": {str(one): "SUCCESS", "999999": "CONTACT_DOES_NOT_EXIST"}}
    live = {(e["contact_id"], e["state"]) for e in campaigns.enrollments(campaign_id=made["id"])}
    assert (one, "removed") in live and (two, "waiting") in live
    v2.app.clock(by="3d")
    assert _subjects(campaigns, one) == ["Hello from v2"]
    assert _subjects(campaigns, two) == ["Hello from v2", "Later from v2"]

    assert v2.error("POST", f"/campaigns/{made['id']}/sequences/999999:addContacts", 404,
                    json={"contact_ids": [str(one)]})["details"][0]["domain"] == "Sequence"
    assert v2.error("POST", f"/campaigns/999999/sequences/{sequence}:removeContacts", 404,
                    json={"contact_ids": [str(one)]})["status"] == "NOT_FOUND"
    assert v2.error("POST", f"{path}:addContacts", 400, json={"contact_ids": [1]})["details"][0]["resource"] == \
        "contact_ids.0"


def test_automations_list_unpublish_and_delete(v2):
    campaigns = Campaigns(v2.app)
    made = campaigns.load(dict(DRIP, name="Spring automation"))
    draft = campaigns.load(dict(DRIP, name="Spring draft"), publish=False)
    page = v2.ok("GET", "/automations", params={"filter": "name==spring"})
    assert [a["title"] for a in page["automations"]] == ["Spring automation", "Spring draft"]
    assert page["automation_count"] == 2
    first = page["automations"][0]
    assert first["status"] == "PUBLISHED" and first["categories"] == [] and first["locked"] is False
    assert page["automations"][1]["status"] == "DRAFT" and "published_date" not in page["automations"][1]
    assert v2.ok("GET", f"/automations/{made['id']}") == first
    everything = v2.ok("GET", "/automations")
    assert len(everything["automations"]) == everything["automation_count"] == 6
    ids = v2.ok("GET", "/automations/ids", params={"filter": f"id>{made['id']}"})
    assert ids == {"automation_ids": [str(draft["id"])], "locked_automation_ids": []}
    walked = v2.walk("/automations/ids", "automation_ids", page_size=4, order_by="name")
    assert len(walked) == 6 and len(set(walked)) == 6
    assert "page_size" in v2.error("GET", "/automations", 400, params={"page_size": 26})["message"]

    assert v2.put(f"/automations/{made['id']}/unpublish", json={}).status_code == 200
    assert v2.ok("GET", f"/automations/{made['id']}")["status"] == "DRAFT"
    assert rest_for(v2.app).ok("GET", f"/campaigns/{made['id']}")["published_status"] is False
    contact = _contact(v2, "late@seq.test")
    assert v2.ok("POST", "/automations/goals/achieve", json={"integration": "v2app", "call_name": "signup",
                                                           "contact_id": contact})["results"][0]["success"] is False
    assert v2.post("/automations/batch-unpublish", json={"automation_ids": ["1", "2"]}).status_code == 200
    assert [v2.ok("GET", f"/automations/{i}")["status"] for i in (1, 2)] == ["DRAFT", "DRAFT"]
    assert v2.error("POST", "/automations/batch-unpublish", 404, json={"automation_ids": ["999999"]})["code"] == 404

    assert v2.delete("/automations", params={"automation_ids": [made["id"], draft["id"]]}).status_code == 204
    assert v2.error("GET", f"/automations/{made['id']}", 404)["details"][0]["domain"] == "Automation"
    assert rest_for(v2.app).get(f"/campaigns/{draft['id']}").status_code == 404
    for missing in ("999999", str(2**40)):
        assert v2.error("DELETE", "/automations", 404, params={"automation_ids": missing})["code"] == 404


def test_the_sdk_reads_campaigns_and_achieves_a_goal(sdk, v2):
    from keap_core_v2_client import AutomationApi, CampaignApi
    from keap_core_v2_client.models import AchieveGoalRequest, AddContactsToSequenceRequest

    campaigns = Campaigns(v2.app)
    made = campaigns.load(DRIP)
    api, automations = CampaignApi(sdk), AutomationApi(sdk)
    assert [c.name for c in api.list_campaigns(filter="name==V2 drip").campaigns] == ["V2 drip"]
    assert api.get_campaign(str(made["id"])).published_status is True
    assert {g.type for g in api.get_campaign_goals(str(made["id"])).goals} == {"API", "Tag"}
    [sequence] = api.get_campaign_sequences(str(made["id"])).sequences
    assert [i.type for i in sequence.paths[0].items] == ["Email", "DelayTimer", "Email"]
    contact = _contact(v2, "sdk@drip.test")
    added = api.add_contacts_to_campaign_sequence(str(made["id"]), sequence.id,
                                                  AddContactsToSequenceRequest(contact_ids=[str(contact)]))
    assert added.add_to_sequence_results == {str(contact): "SUCCESS"}
    other = _contact(v2, "sdk2@drip.test")
    achieved = automations.achieve_goal(AchieveGoalRequest(integration="v2app", call_name="signup",
                                                           contact_id=other))
    assert achieved.results[0].automation_id == made["id"] and achieved.results[0].success
    assert _subjects(campaigns, other) == ["Hello from v2"]
    assert automations.get_automation(str(made["id"])).title == "V2 drip"
    assert str(made["id"]) in automations.list_all_automation_ids().automation_ids
    assert automations.list_automations(filter="name==V2*").automation_count == 1


def test_automation_categories_and_batch_assignment(v2):
    made = v2.ok("POST", "/automationCategory", 201, json={"name": "Nurture"})
    assert made == {"id": made["id"], "name": "Nurture", "automation_count": 0}
    other = v2.ok("POST", "/automationCategory", 201, json={"name": "Alpha"})
    assert v2.error("POST", "/automationCategory", 409, json={"name": " nurture "})["status"] == "ALREADY_EXISTS"
    assert v2.error("PATCH", f"/automationCategory/{made['id']}", 400, json={"name": ""})["code"] == 400

    assert v2.post("/automations/categories/batchAssign", json={
        "category_ids": [made["id"], other["id"]], "automation_ids": ["1", "2"], "apply_category": True}
    ).status_code == 200
    assert v2.ok("GET", "/automations/1")["categories"] == sorted([made["id"], other["id"]], key=int)
    listed = {c["id"]: c for c in v2.ok("GET", "/automationCategory")["automation_categories"]}
    assert listed[made["id"]]["automation_count"] == 2
    v2.post("/automations/categories/batchAssign", json={"category_ids": [other["id"]], "automation_ids": ["1"],
                                                          "apply_category": False})
    assert v2.ok("GET", "/automations/1")["categories"] == [made["id"]]
    v2.post("/automations/categories/batchAssign", json={"category_ids": [other["id"]], "automation_ids": ["0"]})
    everything = v2.ok("GET", "/automations")
    assert all(other["id"] in a["categories"] for a in everything["automations"])
    # ordered by the first category name: "Alpha" (all) is everyone's first
    by_category = v2.ok("GET", "/automations", params={"order_by": "category desc"})["automations"]
    assert len(by_category) == everything["automation_count"]

    renamed = v2.ok("PATCH", f"/automationCategory/{made['id']}", json={"name": "Nurturing"})
    assert renamed["name"] == "Nurturing" and renamed["automation_count"] == 2
    assert v2.delete("/automationCategory", params={"ids": [made["id"]]}).status_code == 204
    assert v2.ok("GET", "/automations/1")["categories"] == [other["id"]]
    for missing in (made["id"], str(2**40)):
        assert v2.error("DELETE", "/automationCategory", 404, params={"ids": [missing]})["code"] == 404
    assert v2.error("POST", "/automations/categories/batchAssign", 404, json={
        "category_ids": ["999999"], "automation_ids": ["1"]})["code"] == 404


def test_wordpress_opt_in_options_and_their_goal(v2):
    campaigns = Campaigns(v2.app)
    made = campaigns.load({"name": "WP guide", "goals": [{"key": "guide", "type": "wordpress_optin",
                                                          "optin": "guide2026"}],
                           "sequences": [{"key": "send", "items": [{"type": "email", "name": "Guide",
                                                                    "subject": "Your guide", "text": "x"}]}],
                           "links": [["guide", "send"]]})
    option = v2.ok("POST", "/integrations/wordpress/options", 201, json={"key": "guide2026", "name": "Free guide"})
    assert option == {"key": "guide2026", "name": "Free guide"}
    v2.ok("POST", "/integrations/wordpress/options", 201, json={"key": "other", "name": "Other"})
    assert v2.ok("GET", "/integrations/wordpress/options") == {"wordpress_opt_in_options": [
        option, {"key": "other", "name": "Other"}]}
    assert v2.error("POST", "/integrations/wordpress/options", 409, json={"key": "other", "name": "x"})["code"] == 409
    assert v2.error("POST", "/integrations/wordpress/options", 400, json={"key": "a.b", "name": "x"})["details"] == [
        {"domain": "request", "resource": "key"}]

    contact = _contact(v2, "wp@guide.test")
    assert v2.ok("POST", "/integrations/wordpress/options/guide2026:achieve", 202,
                 json={"contact_id": str(contact)}) == {"successful": True}
    assert _subjects(campaigns, contact) == ["Your guide"]
    assert campaigns.report(made["id"])["goals"][0]["achieved"] == 1
    assert v2.ok("POST", "/integrations/wordpress/options/other:achieve", 202,
                 json={"contact_id": str(contact)}) == {"successful": False}
    assert v2.error("POST", "/integrations/wordpress/options/guide2026:achieve", 400,
                    json={"contact_id": "999999"})["details"][0]["resource"] == "contact_id"
    assert v2.delete("/integrations/wordpress/options/other").status_code == 204
    assert v2.error("POST", "/integrations/wordpress/options/other:achieve", 404,
                    json={"contact_id": str(contact)})["code"] == 404


def test_automations_filtered_by_status_and_categories(v2):
    campaigns = Campaigns(v2.app)
    published = str(campaigns.load(dict(DRIP, name="Status published"))["id"])
    draft = str(campaigns.load(dict(DRIP, name="Status draft"), publish=False)["id"])
    unpublished = str(campaigns.load(dict(DRIP, name="Status unpublished"))["id"])
    assert v2.put(f"/automations/{unpublished}/unpublish", json={}).status_code == 200
    status = {a["id"]: a["status"] for a in v2.ok("GET", "/automations")["automations"]}
    assert status[published] == "PUBLISHED" and status[draft] == status[unpublished] == "DRAFT"

    for value, expected in (("published", "PUBLISHED"), ("draft", "DRAFT"), ("DRAFT", "DRAFT")):
        page = v2.ok("GET", "/automations", params={"filter": f"status=={value}"})
        wanted = [i for i, s in status.items() if s == expected]
        assert [a["id"] for a in page["automations"]] == wanted and page["automation_count"] == len(wanted)
        assert v2.ok("GET", "/automations/ids", params={"filter": f"status=={value}"})["automation_ids"] == wanted
    drafts = v2.ok("GET", "/automations", params={"filter": "name==Status*;status==draft"})["automations"]
    assert [a["title"] for a in drafts] == ["Status draft", "Status unpublished"]
    for path in ("/automations", "/automations/ids"):
        refused = v2.error("GET", path, 400, params={"filter": "status==archived"})
        assert refused["details"] == [{"domain": "request", "resource": "filter.status"}]

    one, two, three = (v2.ok("POST", "/automationCategory", 201, json={"name": n})["id"] for n in ("1", "2", "3"))
    for category_ids, automation_id in (([one], published), ([one, two], draft), ([three], unpublished)):
        assert v2.post("/automations/categories/batchAssign", json={
            "category_ids": category_ids, "automation_ids": [automation_id]}).status_code == 200

    def by(text: str) -> list[str]:
        page = v2.ok("GET", "/automations", params={"filter": text})
        assert page["automation_count"] == len(page["automations"])
        ids = v2.ok("GET", "/automations/ids", params={"filter": text})["automation_ids"]
        assert ids == [a["id"] for a in page["automations"]]
        return ids

    assert by(f"categories=={one}") == [published, draft]
    assert by(f"categories=={two}") == [draft]
    assert by(f"categories=={two},{three}") == [draft, unpublished]
    assert by(f"categories=={one},{two},{three}") == [published, draft, unpublished]
    assert by(f"categories=={one},{three};status==draft") == [draft, unpublished]
    assert by(f"status==published;categories=={one},{three}") == [published]
    assert by("categories==999999") == []
    assert v2.error("GET", "/automations", 400, params={"filter": "categories==x"})["details"] == [
        {"domain": "request", "resource": "filter.categories"}]
