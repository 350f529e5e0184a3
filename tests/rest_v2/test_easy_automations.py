"""REST v2 renameAutomationV2 (PATCH /easy-automations/{automation_id}): the sandbox's automations are its
Campaign Builder campaigns, so the id names one of those; the new name is what every protocol reads."""
from __future__ import annotations

from tests.rest.conftest import rest_for


def test_rename_an_automation_everywhere(v2):
    campaign = v2.ok("GET", "/campaigns")["campaigns"][0]
    r = v2("PATCH", f"/easy-automations/{campaign['id']}", json={"name": "Welcome new customer (Fall 26)"})
    assert r.status_code == 204 and not r.content
    assert v2.ok("GET", f"/campaigns/{campaign['id']}")["name"] == "Welcome new customer (Fall 26)"
    assert rest_for(v2.app).ok("GET", f"/campaigns/{campaign['id']}")["name"] == "Welcome new customer (Fall 26)"
    exported = v2.app.live.control("GET", f"/apps/{v2.app.name}/campaigns/{campaign['id']}/export").json()
    assert exported["name"] == "Welcome new customer (Fall 26)"
    events = v2.app.live.control("GET", f"/apps/{v2.app.name}/events", params={"count": 1000}).json()["events"]
    assert any(e["type"] == "campaign.updated" and e["entity_id"] == int(campaign["id"]) for e in events)


def test_rename_errors(v2):
    campaign = v2.ok("GET", "/campaigns")["campaigns"][0]
    assert v2.error("PATCH", "/easy-automations/HWv0fbDNDbWg6cFKY027", 404, json={"name": "x"})["code"] == 404
    assert v2.error("PATCH", "/easy-automations/999999", 404, json={"name": "x"})["code"] == 404
    assert v2.error("PATCH", f"/easy-automations/{campaign['id']}", 400, json={"name": "   "})["details"] == [
        {"domain": "request", "resource": "name"}]
    assert v2.error("PATCH", f"/easy-automations/{campaign['id']}", 400, json={})["code"] == 400
