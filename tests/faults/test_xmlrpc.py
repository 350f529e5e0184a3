"""Faults injected into XML-RPC calls, seen through xmlrpc.client."""
from __future__ import annotations

import http.client
import time
import xml.parsers.expat
import xmlrpc.client

import pytest
import requests

from tests.conftest import fault_of

from .conftest import add_fault, fault

pytestmark = pytest.mark.store_agnostic  # fault rules act in the gate, before any service


def _add(app, first: str) -> int:
    return app.call("ContactService.add", {"FirstName": first, "LastName": "Faulty"})


def _count(app, first: str) -> int:
    return len(app.call("DataService.findByField", "Contact", 100, 0, "FirstName", first, ["Id"]))


def test_the_third_contact_add_fails_with_a_500(legacy):
    rule = add_fault(legacy, match={"method": "ContactService.add"}, nth=3,
                     action={"type": "http", "status": 500})
    assert rule["id"] and rule["matched"] == 0 and rule["injected"] == 0
    one = _add(legacy, "One")
    assert _add(legacy, "Two")
    legacy.call("ContactService.load", one, ["Id"])  # another method: not counted
    with pytest.raises(xmlrpc.client.ProtocolError) as err:
        _add(legacy, "Three")
    assert err.value.errcode == 500
    assert _add(legacy, "Four")
    assert _count(legacy, "Three") == 0  # refused before it ran
    counts = fault(legacy, rule["id"])
    assert (counts["matched"], counts["injected"]) == (4, 1)


def test_a_real_fault_by_its_tag_and_a_fault_by_code(legacy):
    add_fault(legacy, match={"method": "ContactService.*"}, first=1,
              action={"type": "xmlrpc_fault", "tag": "DatabaseError", "message": "Error updating"})
    with pytest.raises(xmlrpc.client.Fault) as err:
        _add(legacy, "A")
    assert fault_of(err) == (4, "[DatabaseError]Error updating")
    add_fault(legacy, match={"method": "DataService.count", "protocol": "xmlrpc-legacy"},
              action={"type": "xmlrpc_fault", "code": 8, "string": "[InvalidParameter]made up"})
    with pytest.raises(xmlrpc.client.Fault) as err:
        legacy.call("DataService.count", "Contact", {})
    assert fault_of(err) == (8, "[InvalidParameter]made up")
    assert _add(legacy, "B")  # the first rule was for one call only


def test_apply_then_error_leaves_the_write_in_place(legacy):
    add_fault(legacy, match={"method": "ContactService.add"}, apply_first=True,
              action={"type": "xmlrpc_fault", "tag": "Unexpected", "message": "Read timed out"})
    with pytest.raises(xmlrpc.client.Fault) as err:
        _add(legacy, "Retried")
    assert fault_of(err) == (3, "[Unexpected]Read timed out")
    assert _count(legacy, "Retried") == 1  # the client that retries now makes a duplicate


def test_latency_is_added(legacy):
    contact = _add(legacy, "Slow")
    add_fault(legacy, match={"method": "ContactService.load"}, action={"type": "latency", "ms": 300})
    started = time.monotonic()
    assert legacy.call("ContactService.load", contact, ["Id"]) == {"Id": contact}
    assert time.monotonic() - started >= 0.3


def test_a_dropped_connection_gives_the_client_no_answer(legacy):
    contact = _add(legacy, "Gone")
    add_fault(legacy, match={"method": "ContactService.load"}, action={"type": "drop"})
    with pytest.raises((ConnectionError, http.client.RemoteDisconnected)):
        legacy.call("ContactService.load", contact, ["Id"])
    body = xmlrpc.client.dumps((legacy.key, contact, ["Id"]), "ContactService.load")
    with pytest.raises(requests.ConnectionError):
        requests.post(legacy.live.url + "/api/xmlrpc", data=body, timeout=30)


def test_a_dropped_connection_after_the_write(legacy):
    add_fault(legacy, match={"method": "ContactService.add"}, apply_first=True, first=2, action={"type": "drop"})
    # xmlrpc.client sends a call again once when the connection closes without an answer: two adds
    with pytest.raises((ConnectionError, http.client.RemoteDisconnected)):
        _add(legacy, "Dropped")
    assert _count(legacy, "Dropped") == 2


def test_truncated_and_malformed_answers_fail_to_parse(legacy):
    contact = _add(legacy, "Garbled")
    rule = add_fault(legacy, match={"method": "ContactService.load"}, action={"type": "truncate"})
    with pytest.raises(xml.parsers.expat.ExpatError):
        legacy.call("ContactService.load", contact, ["Id", "FirstName"])
    legacy.live.control("DELETE", f"/apps/{legacy.name}/faults/{rule['id']}")
    add_fault(legacy, match={"method": "ContactService.load"}, action={"type": "malformed"})
    with pytest.raises(xml.parsers.expat.ExpatError):
        legacy.call("ContactService.load", contact, ["Id", "FirstName"])


def test_probability_with_a_seed_gives_the_same_sequence_twice(legacy):
    def sequence() -> list[bool]:
        rule = add_fault(legacy, match={"method": "DataService.count"}, probability=0.5, seed=7,
                         action={"type": "xmlrpc_fault", "tag": "Unexpected", "message": "flaky"})
        out = []
        for _ in range(16):
            try:
                legacy.call("DataService.count", "Contact", {})
                out.append(False)
            except xmlrpc.client.Fault:
                out.append(True)
        assert fault(legacy, rule["id"])["injected"] == sum(out)
        legacy.live.control("DELETE", f"/apps/{legacy.name}/faults")
        return out

    first = sequence()
    assert 0 < sum(first) < 16
    assert sequence() == first


def test_the_gateway_endpoint_gets_the_gateways_429(legacy):
    add_fault(legacy, match={"protocol": "xmlrpc-gateway"}, action={"type": "http", "preset": "quota_exceeded"})
    assert _add(legacy, "Legacy")  # the legacy endpoint is another protocol
    body = xmlrpc.client.dumps(("Gateway",), "DataService.echo")
    r = requests.post(legacy.live.url + "/crm/xmlrpc/v1", data=body, timeout=30,
                      headers={"X-Keap-API-Key": legacy.key})
    assert r.status_code == 429
    assert r.json() == {"code": "429", "message": "Quota Exceeded", "status": "Request Throttled", "details": None}
    assert r.headers["x-keap-tenant-id"] == f"{legacy.name}.infusionsoft.com"
