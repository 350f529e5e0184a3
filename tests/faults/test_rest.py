"""Faults injected into REST v1 and v2 calls, seen through requests."""
from __future__ import annotations

import pytest
import requests

from tests.rest.conftest import rest_for

from .conftest import add_fault, fault

pytestmark = pytest.mark.store_agnostic  # fault rules act in the gate, before any service

QUOTA_EXCEEDED = {"code": "429", "message": "Quota Exceeded", "status": "Request Throttled", "details": None}


@pytest.fixture
def rest(app):
    return rest_for(app, throttle=True)  # the gateway's x-keap-* headers on every answer


@pytest.mark.parametrize("path", ["/crm/rest/v1/contacts", "/crm/rest/v2/contacts"])
def test_a_rest_call_gets_the_gateways_429(app, rest, path):
    add_fault(app, match={"protocol": ["rest-v1", "rest-v2"]},
              action={"type": "http", "preset": "quota_exceeded", "retry_after": 30})
    r = rest.http.get(app.live.url + path, timeout=30)
    assert r.status_code == 429
    assert r.json() == QUOTA_EXCEEDED
    assert r.headers["Retry-After"] == "30"
    assert r.headers["x-keap-tenant-id"] == f"{app.name}.infusionsoft.com"
    assert int(r.headers["x-keap-product-quota-used"]) >= 1


def test_the_503_preset_and_a_status_with_a_body(app, rest):
    add_fault(app, match={"method": "GET /crm/rest/v1/contacts*"}, first=1,
              action={"type": "http", "preset": "service_unavailable"})
    add_fault(app, match={"method": "POST /crm/rest/v2/contacts"},
              action={"type": "http", "status": 502, "body": "<html>Bad Gateway</html>",
                      "headers": {"Content-Type": "text/html"}})
    r = rest.get("/contacts")
    assert r.status_code == 503
    assert r.json()["fault"]["detail"]["errorcode"] == "messaging.adaptors.http.flow.ServiceUnavailable"
    assert rest.get("/contacts").status_code == 200  # only the first
    r = rest.http.post(app.live.url + "/crm/rest/v2/contacts", json={"given_name": "V2"}, timeout=30)
    assert (r.status_code, r.text, r.headers["Content-Type"]) == (502, "<html>Bad Gateway</html>", "text/html")


def test_apply_then_error_on_rest_v1(app, rest):
    rule = add_fault(app, match={"method": "POST /crm/rest/v1/contacts"}, apply_first=True,
                     action={"type": "http", "status": 500})
    r = rest.post("/contacts", json={"given_name": "Twice", "family_name": "Posted",
                                          "email_addresses": [{"email": "twice@example.com", "field": "EMAIL1"}]})
    assert r.status_code == 500
    app.live.control("DELETE", f"/apps/{app.name}/faults/{rule['id']}")
    found = rest.ok("GET", "/contacts", params={"given_name": "Twice"})
    assert [c["family_name"] for c in found["contacts"]] == ["Posted"]


def test_dropped_truncated_and_malformed_rest_answers(app, rest):
    add_fault(app, match={"method": "GET /crm/rest/v1/contacts"}, nth=1, action={"type": "drop"})
    with pytest.raises(requests.ConnectionError):
        rest.get("/contacts")
    app.live.control("DELETE", f"/apps/{app.name}/faults")
    add_fault(app, match={"protocol": "rest-v2"}, first=1, action={"type": "truncate", "bytes": 10})
    r = rest.http.get(app.live.url + "/crm/rest/v2/contacts", timeout=30)
    assert r.status_code == 200 and len(r.content) == 10
    with pytest.raises(requests.JSONDecodeError):
        r.json()
    add_fault(app, match={"protocol": "rest-v1"}, first=1, action={"type": "malformed"})
    with pytest.raises(requests.JSONDecodeError):
        rest.get("/contacts").json()
    assert rest.get("/contacts").json()["count"] >= 0  # each rule was for one call


def test_match_by_credential(app, rest):
    rule = add_fault(app, match={"credential_kind": "oauth"}, action={"type": "http", "status": 500})
    assert rest.get("/contacts").status_code == 200  # a service account key is not an OAuth client
    assert fault(app, rule["id"])["matched"] == 0
    add_fault(app, match={"credential_kind": "sak", "credential_id": "app:*:key:*"},
              action={"type": "http", "status": 418})
    assert rest.get("/contacts").status_code == 418
