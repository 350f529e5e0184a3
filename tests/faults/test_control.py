"""The fault rules' control API: create, list, read with counts, delete, cleared by reset; bad bodies are 400s
naming the field; a window on the app's clock."""
from __future__ import annotations

import xmlrpc.client

import pytest

from .conftest import add_fault, fault

pytestmark = pytest.mark.store_agnostic  # fault rules act in the gate, before any service


def test_create_list_get_delete(legacy):
    live, name = legacy.live, legacy.name
    made = add_fault(legacy, name="flaky adds", match={"protocol": "xmlrpc-legacy", "method": "ContactService.add"},
                     first=2, action={"type": "xmlrpc_fault", "code": 3, "string": "[Unexpected]boom"})
    assert made == {"id": made["id"], "name": "flaky adds",
                    "match": {"protocol": ["xmlrpc-legacy"], "method": "ContactService.add"},
                    "action": {"type": "xmlrpc_fault", "code": 3, "string": "[Unexpected]boom",
                               "message": "An unexpected error occurred"},
                    "apply_first": False, "seed": 0, "first": 2, "matched": 0, "injected": 0}
    other = add_fault(legacy, action={"type": "latency", "min_ms": 1, "max_ms": 2})
    listed = live.control("GET", f"/apps/{name}/faults").json()["faults"]
    assert [r["id"] for r in listed] == [made["id"], other["id"]]
    assert live.control("DELETE", f"/apps/{name}/faults/{other['id']}").status_code == 204
    assert live.control("GET", f"/apps/{name}/faults/{other['id']}").status_code == 404
    assert live.control("DELETE", f"/apps/{name}/faults/{other['id']}").status_code == 404
    outcomes = []
    for _ in range(3):
        try:
            outcomes.append(legacy.call("ContactService.add", {"FirstName": "X"}) > 0)
        except xmlrpc.client.Fault:
            outcomes.append("fault")
    assert outcomes == ["fault", "fault", True]
    got = fault(legacy, made["id"])
    assert (got["matched"], got["injected"]) == (3, 2)
    assert live.control("DELETE", f"/apps/{name}/faults").status_code == 204
    assert live.control("GET", f"/apps/{name}/faults").json() == {"faults": []}
    assert live.control("GET", "/apps/no-such-app/faults").status_code == 404


def test_reset_clears_the_rules(legacy):
    add_fault(legacy, action={"type": "xmlrpc_fault", "tag": "InvalidConfig", "message": "off"})
    with pytest.raises(xmlrpc.client.Fault):
        legacy.call("DataService.count", "Contact", {})
    assert legacy.live.control("POST", f"/apps/{legacy.name}/reset").status_code == 200
    assert legacy.live.control("GET", f"/apps/{legacy.name}/faults").json() == {"faults": []}
    assert legacy.call("DataService.count", "Contact", {}) >= 0


@pytest.mark.parametrize(("body", "field"), [
    ({}, "action"),
    ({"action": {"type": "explode"}}, "action"),
    ({"action": {"type": "http"}}, "action"),
    # values as typed: "500" is not a status, 1 is not true, "3" is not a number (audit-control finding 8)
    ({"action": {"type": "http", "status": "500"}}, "action.status"),
    ({"action": {"type": "drop"}, "apply_first": 1}, "apply_first"),
    ({"action": {"type": "drop"}, "nth": "3"}, "nth"),
    ({"action": {"type": "drop"}, "probability": "0.5"}, "probability"),
    ({"action": {"type": "http", "status": 700}}, "action.status"),
    ({"action": {"type": "http", "status": 500, "preset": "quota_exceeded"}}, "action"),
    ({"action": {"type": "http", "preset": "teapot"}}, "action.preset"),
    ({"action": {"type": "latency", "ms": -1}}, "action.ms"),
    ({"action": {"type": "latency", "min_ms": 5, "max_ms": 1}}, "action"),
    ({"action": {"type": "xmlrpc_fault", "tag": "NoSuchTag"}}, "action"),
    ({"action": {"type": "xmlrpc_fault", "code": 3}}, "action"),
    ({"action": {"type": "xmlrpc_fault", "code": "three", "string": "x"}}, "action.code"),
    # what cannot be sent as the rule says (audit-control finding 9): a code past XML-RPC's 32-bit <int>, a header
    # gunicorn refuses (the client got a 400) or cannot encode (a dropped connection), one the server writes
    ({"action": {"type": "xmlrpc_fault", "code": 10**30, "string": "x"}}, "action.code"),
    ({"action": {"type": "xmlrpc_fault", "code": 2**31, "string": "x"}}, "action.code"),
    ({"action": {"type": "http", "status": 500, "headers": {"X-A": "a\r\nSet-Cookie: evil=1"}}}, "action.headers"),
    ({"action": {"type": "http", "status": 500, "headers": {"Bad Name:": "x"}}}, "action.headers"),
    ({"action": {"type": "http", "status": 500, "headers": {"X-U": "é中"}}}, "action.headers"),
    ({"action": {"type": "http", "status": 500, "headers": {"X-N": "a\x01b"}}}, "action.headers"),
    ({"action": {"type": "http", "status": 500, "headers": {"Transfer-Encoding": "chunked"}}}, "action.headers"),
    ({"action": {"type": "drop", "when": "now"}}, "action.when"),
    ({"action": {"type": "drop"}, "colour": "red"}, "colour"),
    ({"action": {"type": "drop"}, "match": {"protocol": "smtp"}}, "match.protocol.0"),
    ({"action": {"type": "drop"}, "match": {"credential_kind": "password"}}, "match.credential_kind"),
    ({"action": {"type": "drop"}, "match": {"verb": "GET"}}, "match.verb"),
    ({"action": {"type": "drop"}, "probability": 1.5}, "probability"),
    ({"action": {"type": "drop"}, "probability": 0.5, "first": 2}, None),
    ({"action": {"type": "drop"}, "nth": 0}, "nth"),
    ({"action": {"type": "drop"}, "from": "yesterday"}, "from"),
    ({"action": {"type": "drop"}, "from": "2030-01-02T00:00:00Z", "until": "2030-01-01T00:00:00Z"}, None),
    ({"action": {"type": "drop"}, "apply_first": "sometimes"}, "apply_first"),
    ({"action": {"type": "xmlrpc_fault", "tag": "Unexpected"}, "match": {"protocol": "rest-v1"}}, None),
])
def test_a_body_that_is_not_a_rule_is_a_400(app, body, field):
    r = app.live.control("POST", f"/apps/{app.name}/faults", json=body)
    assert r.status_code == 400, r.text
    assert [f["field"] for f in r.json()["fields"]] == [field or "the body"], r.json()
    assert r.json()["error"]
    assert app.live.control("GET", f"/apps/{app.name}/faults").json() == {"faults": []}


def test_sendable_headers_and_codes_are_taken(app):
    for action in ({"type": "http", "status": 500, "headers": {"X-Caf\u00e9": "x"}},):
        assert app.live.control("POST", f"/apps/{app.name}/faults", json={"action": action}).status_code == 400
    for action in ({"type": "http", "status": 500, "headers": {"X-Why": "caf\u00e9\tclosed", "Retry-After": "5"}},
                   {"type": "xmlrpc_fault", "code": -2**31, "string": "x"},
                   {"type": "xmlrpc_fault", "code": 2**31 - 1, "string": "x"}):
        r = app.live.control("POST", f"/apps/{app.name}/faults", json={"action": action})
        assert r.status_code == 201, r.text


def test_a_body_that_is_not_json_is_a_400(app):
    r = app.live.control("POST", f"/apps/{app.name}/faults", data="{not json",
                         headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    r = app.live.control("POST", f"/apps/{app.name}/faults", json=[1, 2])
    assert r.status_code == 400


def test_a_window_on_the_app_clock(legacy):
    """A brownout: every XML-RPC call fails between from and until on the app's clock, and only then."""
    legacy.clock(time="2030-03-01T00:00:00Z", frozen=True)
    add_fault(legacy, match={"protocol": ["xmlrpc-legacy", "xmlrpc-gateway"]},
              **{"from": "2030-03-02T00:00:00Z", "until": "2030-03-04T00:00:00Z"},
              action={"type": "http", "preset": "service_unavailable"})
    assert legacy.call("DataService.count", "Contact", {}) >= 0  # before
    legacy.clock(time="2030-03-02T00:00:00Z")
    with pytest.raises(xmlrpc.client.ProtocolError) as err:
        legacy.call("DataService.count", "Contact", {})  # inside, from its first instant
    assert err.value.errcode == 503
    legacy.clock(by="47h")
    with pytest.raises(xmlrpc.client.ProtocolError):
        legacy.call("DataService.count", "Contact", {})
    legacy.clock(by="1h")
    assert legacy.call("DataService.count", "Contact", {}) >= 0  # after: until is outside the window
