"""The control API: health, apps, the per-app clock, reset, options, the change log, the admin token."""
from __future__ import annotations

import xmlrpc.client
from datetime import datetime

import requests

from tests.conftest import make_app, start_server


def test_health(live):
    r = live.control("GET", "/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok" and r.json()["database"] == live.backend


def test_clock_freeze_set_advance_and_back_to_real(empty_app):
    frozen = empty_app.clock(action="set", time="2024-01-31T09:30:00", frozen=True)
    assert frozen["frozen"] is True and frozen["local"] == "2024-01-31T09:30:00"
    assert empty_app.live.control("GET", f"/apps/{empty_app.name}/clock").json()["local"] == "2024-01-31T09:30:00"
    advanced = empty_app.clock(action="advance", by="90m")
    assert advanced["local"] == "2024-01-31T11:00:00"
    advanced = empty_app.clock(by=86400 * 7)
    assert advanced["local"] == "2024-02-07T11:00:00"
    real = empty_app.clock(action="real")
    assert real["real"] is True and real["frozen"] is False
    assert abs(datetime.fromisoformat(real["now"]).timestamp() - datetime.now().timestamp()) < 60


def test_clock_rate_runs_the_app_faster(empty_app):
    import time

    empty_app.clock(time="2024-01-01T00:00:00", rate=3600)
    time.sleep(0.2)
    local = datetime.fromisoformat(empty_app.live.control("GET", f"/apps/{empty_app.name}/clock").json()["local"])
    assert local >= datetime(2024, 1, 1, 0, 11)  # 0.2 s of wall time is 12 minutes at ×3600


def test_clocks_are_per_app(live):
    a, b = make_app(live, seed=False), make_app(live, seed=False)
    a.clock(time="2030-06-01T12:00:00", frozen=True)
    cid_a = a.call("ContactService.add", {"FirstName": "A"})
    cid_b = b.call("ContactService.add", {"FirstName": "B"})
    assert a.call("ContactService.load", cid_a, ["DateCreated"])["DateCreated"] == \
        xmlrpc.client.DateTime("20300601T12:00:00")
    created_b = b.call("ContactService.load", cid_b, ["DateCreated"])["DateCreated"]
    assert str(created_b).startswith(str(datetime.now().year))


def test_bad_clock_requests_get_json_errors(empty_app):
    for body in ({"action": "warp"}, {"by": "-5m"}, {"rate": 0}, {"time": "yesterday"}, {"action": "set"}):
        r = empty_app.live.control("POST", f"/apps/{empty_app.name}/clock", json=body)
        assert r.status_code == 400 and "error" in r.json(), body
    assert empty_app.live.control("GET", "/apps/nope/clock").status_code == 404


def test_reset_goes_back_to_the_seed_and_keeps_the_key(app):
    before = app.call("DataService.count", "Contact", {})
    cid = app.call("ContactService.add", {"FirstName": "Temporary"})
    first_tag = app.call("DataService.query", "ContactGroup", 1, 0, {}, ["Id"])[0]["Id"]
    app.call("ContactService.addToGroup", cid, first_tag)
    r = app.live.control("POST", f"/apps/{app.name}/reset")
    assert r.status_code == 200 and r.json()["seeded"]["contacts"] == before
    assert app.call("DataService.count", "Contact", {}) == before
    assert app.call("DataService.count", "Contact", {"FirstName": "Temporary"}) == 0
    # ids come out the same after every reset
    assert app.call("DataService.query", "Contact", 1, 0, {}, ["Id"])[0]["Id"] == \
        app.call("DataService.query", "Contact", 1, 0, {}, ["Id"], "Id", True)[0]["Id"]


def test_apps_listing_and_creation_errors(live):
    created = make_app(live, seed=False)
    names = [a["name"] for a in live.control("GET", "/apps").json()["apps"]]
    assert created.name in names
    assert live.control("POST", "/apps", json={"name": created.name}).status_code == 409
    # names are unique ignoring case, as the apps' host names are (audit-control 13: "fz" and "FZ" were two apps
    # whose one host took both apps' keys)
    alike = live.control("POST", "/apps", json={"name": created.name.upper(), "seed": False})
    assert alike.status_code == 409 and created.name in alike.json()["error"]
    assert live.control("POST", "/apps", json={"name": "bad name!"}).status_code == 400
    not_json = live.control("POST", "/apps", data="not json", headers={"Content-Type": "application/json"})
    assert not_json.status_code == 400


def test_change_log_records_every_write_in_order(empty_app):
    cid = empty_app.call("ContactService.add", {"FirstName": "Ada", "Email": "ada@example.com"})
    tag = empty_app.call("DataService.add", "ContactGroup", {"GroupName": "T"})
    empty_app.call("ContactService.addToGroup", cid, tag)
    empty_app.call("APIEmailService.optIn", "ada@example.com", "")
    events = empty_app.live.control("GET", f"/apps/{empty_app.name}/events").json()["events"]
    types = [e["type"] for e in events]
    assert types == ["contact.added", "email.status_changed", "tag.added", "tag.applied", "email.status_changed",
                     "contact.email_status_changed"]  # the opt-in changed the address: its contact shows it
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    assert events[3]["entity_id"] == cid and events[3]["payload"]["tag_id"] == tag
    later = empty_app.live.control("GET", f"/apps/{empty_app.name}/events",
                                   params={"after": events[2]["seq"]}).json()["events"]
    assert [e["type"] for e in later] == types[3:]


def test_admin_token_guards_the_control_api(tmp_path):
    server, stop = start_server(tmp_path, admin_token="s3cret")
    try:
        assert requests.get(server.url + "/sandbox/health", timeout=10).status_code == 200
        assert requests.get(server.url + "/sandbox/apps", timeout=10).status_code == 401
        wrong = requests.get(server.url + "/sandbox/apps", headers={"Authorization": "Bearer nope"}, timeout=10)
        assert wrong.status_code == 401 and "error" in wrong.json()
        ok = requests.get(server.url + "/sandbox/apps", headers={"Authorization": "Bearer s3cret"}, timeout=10)
        assert ok.status_code == 200
    finally:
        stop()


def _walk(live, path: str, key: str, **params) -> list:
    items, cursor = [], None
    for _ in range(100):
        r = live.control("GET", path, params={**params, **({"next": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["count"] == len(body[key]) <= params["count"]
        items += body[key]
        cursor = body.get("next")
        if cursor is None:
            return items
    raise AssertionError("the walk did not end")


def test_control_listings_page_with_count_and_next(empty_app):
    app = empty_app
    ids = [app.call("ContactService.add", {"FirstName": f"P{i}", "Email": f"p{i}@example.com"}) for i in range(7)]
    for contact in ids:
        app.call("APIEmailService.sendEmail", [contact], "from@example.com", "~Contact.Email~", "", "", "Text",
                 "Subject", "", "Hello")
    base = f"/apps/{app.name}"
    events = _walk(app.live, base + "/events", "events", count=3)
    assert [e["seq"] for e in events] == sorted({e["seq"] for e in events}) and len(events) >= 7
    everything = app.live.control("GET", base + "/events", params={"count": 1000}).json()
    assert "next" not in everything and [e["seq"] for e in everything["events"]] == [e["seq"] for e in events]
    messages = _walk(app.live, base + "/outbox", "messages", count=2)
    assert sorted(m["contact_id"] for m in messages) == ids
    assert len({m["id"] for m in messages}) == 7
    for path in ("/events", "/outbox", "/enrollments", "/http-posts", "/hooks/deliveries"):
        for bad, field in (({"count": "x"}, "count"), ({"count": 0}, "count"), ({"next": "-1"}, "next")):
            r = app.live.control("GET", base + path, params=bad)
            assert r.status_code == 400 and field in r.json()["error"], (path, bad, r.text)
