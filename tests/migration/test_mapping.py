"""The XML-RPC → REST mapping (server/migration/mapping.yaml) against what is served: every XML-RPC method the
sandbox serves has an entry, every named v2 operation id is in Keap's contract and served, every named v1 route
is served, and a malformed entry is refused."""
from __future__ import annotations

import pytest

from server import rest_v2
from server.config import from_env
from server.migration import mapping
from server.rest_v2.contract import Contract
from server.wiring import build_registry
from server.xmlrpc.methods import MethodTable


@pytest.fixture(scope="module")
def registry():
    return build_registry(from_env())


def test_every_served_method_has_one_entry(registry):
    served = set(MethodTable(registry.methods).names())
    assert set(mapping.load().entries) == served


def test_every_v2_operation_is_in_the_contract_and_served(registry):
    api = rest_v2.build(registry.families)
    named = {o.operation_id for e in mapping.load().entries.values() for o in e.operations if o.version == "v2"}
    assert named
    assert named <= set(api.contract.operations)
    unserved = {op for op in named if api.bound[op].declared is None}
    assert not unserved


def test_every_v1_route_is_served(registry):
    routes = {(op.method, op.path) for op in registry.operations}
    named = {(o.method, o.path) for e in mapping.load().entries.values() for o in e.operations if o.version == "v1"}
    assert named
    assert named <= routes


def test_paths_come_from_the_contract():
    found = mapping.load().describe("ContactService.addToGroup")
    assert found["target"] == "v2"
    assert found["operations"] == [{"version": "v2", "operation_id": "applyTags", "method": "POST",
                                    "path": "/crm/rest/v2/tags/{tag_id}/contacts:applyTags"}]
    assert {d["key"] for d in found["differences"]} == {"ids", "batch"}
    assert mapping.load().describe("ServiceCallService.addMoveNotes")["target"] == "none"
    assert mapping.load().describe("DataService.getAppointmentICal")["target"] == "v1"


@pytest.mark.parametrize(("raw", "message"), [
    ({"v2": ["noSuchOperation"]}, "no REST v2 operation"),
    ({}, "either operations"),
    ({"v2": ["getContact"], "none": "both"}, "either operations"),
    ({"v2": ["getContact"], "bites": ["nonsense"]}, "unknown differences"),
    ({"v2": ["getContact"], "typo": 1}, "unknown keys"),
])
def test_malformed_entries_are_refused(raw, message):
    with pytest.raises(ValueError, match=message):
        mapping.parse({"differences": {"ids": "x"}, "methods": {"ContactService.load": raw}}, Contract.load())
