"""The v2 layer itself, over a live server: the same gateway as v1 (credentials, quotas, headers, 401 and 429
bodies), routing (custom verbs, literal segments before parameters), 404/405/501 in the error form, and
validation that ignores unknown query parameters."""
from __future__ import annotations

import contextlib

import pytest
import requests

from tests.rest.conftest import rest_for
from tests.rest_v2.conftest import checked_session, service_key

pytestmark = pytest.mark.store_agnostic  # the v2 gateway, routing and error forms


def test_credentials_are_v1s(v2, contract_checker):
    base = v2.base + "/tags"
    # no credential, a bad one: the gateway's 401, the same body as v1's
    for headers in ({}, {"X-Keap-API-Key": "nope"}, {"Authorization": "Bearer nope"}):
        v2_answer = requests.get(base, headers=headers, timeout=10)
        v1_answer = requests.get(v2.app.live.url + "/crm/rest/v1/tags", headers=headers, timeout=10)
        assert v2_answer.status_code == v1_answer.status_code == 401
        assert v2_answer.json() == v1_answer.json() and "fault" in v2_answer.json()
    # without a credential even an unknown path is a 401 (the gateway authenticates before routing)
    assert requests.get(v2.base + "/no/such/path", timeout=10).status_code == 401
    # the key as a bearer token, the app's legacy key in X-Keap-API-Key, an OAuth access token
    assert requests.get(base, headers={"Authorization": f"Bearer {v2.key}"}, timeout=10).status_code == 200
    assert requests.get(base, headers={"X-Keap-API-Key": v2.app.key}, timeout=10).status_code == 200
    pat = v2.app.live.control("POST", f"/apps/{v2.app.name}/api-keys", json={"kind": "pat", "name": "p"}).json()
    session = checked_session(contract_checker, pat["key"])
    assert session.get(base, timeout=10).status_code == 200


def test_gateway_headers_and_quota(app, contract_checker):
    from tests.rest_v2.conftest import V2

    key = service_key(app, throttle=True)
    v2 = V2(app, key, checked_session(contract_checker, key), contract_checker)
    first = v2.get("/tags")
    assert first.status_code == 200
    assert first.headers["x-keap-product-throttle-limit"] == "240"
    assert "x-keap-product-quota-available" in first.headers and "x-keap-tenant-id" in first.headers
    statuses = [v2.get("/tags/categories").status_code for _ in range(12)]
    assert 429 in statuses  # the key's 10 a second spike arrest, shared with v1 and XML-RPC
    refused = v2.get("/tags")
    v1 = requests.get(app.live.url + "/crm/rest/v1/tags", headers={"X-Keap-API-Key": key}, timeout=10)
    assert refused.status_code == v1.status_code == 429 and refused.json() == v1.json()


@contextlib.contextmanager
def unserved(v2, operation_id: str):
    """The live server answers ``operation_id`` as one no family serves, for the duration (the 501 path)."""
    front = v2.app.live.app.wsgi_app.app  # BodyLimit -> REST v2 (server.rest_v2.front)
    bound = front.api().bound[operation_id]
    declared, bound.declared = bound.declared, None
    try:
        yield
    finally:
        bound.declared = declared


def test_routing_errors_in_the_v2_form(v2):
    missing = v2.error("GET", "/no/such/thing", 404)
    assert missing["status"] == "NOT_FOUND" and missing["details"][0]["domain"] == "path"
    assert v2.error("GET", "/tags/1/nope", 404)["code"] == 404
    wrong = v2("PUT", "/tags/1")
    assert wrong.status_code == 405 and set(wrong.headers["Allow"].split(", ")) == {"GET", "PATCH", "DELETE"}
    assert wrong.json()["status"] == "METHOD_NOT_ALLOWED"
    assert v2("DELETE", "/tags/-/contacts").headers["Allow"] == "GET"
    # an operation of the contract that no family serves (getContact, unbound for the moment on this server)
    with unserved(v2, "getContact"):
        answer = v2.error("GET", "/contacts/1", 501)
    assert answer["status"] == "UNIMPLEMENTED" and answer["details"] == [{"domain": "operation",
                                                                           "resource": "getContact"}]
    # custom verbs: /files/{id}:data is not /files/{id} (as getFile, "7:data" would be a 400: not an id)
    assert v2.error("GET", "/files/7:data", 404)["details"] == [{"domain": "File", "resource": "7"}]
    with unserved(v2, "mergeContacts"):
        assert v2.error("POST", "/contacts:merge", 501)["details"][0]["resource"] == "mergeContacts"
    assert v2("GET", "/contacts:merge").status_code == 405
    # literal segments before parameters: /tags/categories is the category list, not the tag "categories"
    assert "tag_categories" in v2.ok("GET", "/tags/categories")
    assert v2.ok("GET", "/tags/").keys() >= {"tags"}  # a trailing slash, as next-page URLs carry


def test_a_get_with_a_body_is_the_front_ends_400(v2):
    r = requests.get(v2.base + "/tags", data=b'{"x": 1}', headers={"X-Keap-API-Key": v2.key}, timeout=10)
    assert r.status_code == 400 and r.headers["Content-Type"].startswith("text/html")


def test_unknown_query_parameters_are_ignored(v2):
    plain = v2.ok("GET", "/tags", params={"page_size": 3})
    assert v2.ok("GET", "/tags", params={"page_size": 3, "limit": "x", "offset": "y", "foo": "bar"}) == plain


def test_v1_and_v2_see_the_same_tags(v2):
    v1 = rest_for(v2.app).ok("GET", "/tags")
    assert sorted(str(t["id"]) for t in v1["tags"]) == sorted(t["id"] for t in v2.walk("/tags", "tags"))
