"""The XML-RPC → REST mapping (server/migration/mapping.yaml) against what is served: every XML-RPC method the
sandbox serves has an entry, and so has every DataService table; every named v2 operation id is in Keap's contract
and served, every named v1 route is served, and a malformed entry is refused."""
from __future__ import annotations

import pytest

from server import rest_v2
from server.config import from_env
from server.migration import mapping
from server.rest_v2.contract import Contract
from server.tables import REGISTRY
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


# --- DataService by table --------------------------------------------------------------------------------------

def test_every_dataservice_table_has_one_entry():
    assert set(mapping.load().tables) == set(REGISTRY.tables)


def test_the_methods_that_name_a_table_are_the_ones_mapped_by_table(registry):
    declared = {m.name for m in registry.methods if m.table}
    by_table = {name for name, e in mapping.load().entries.items() if e.by_table}
    assert declared == by_table == {"DataService.query", "DataService.queryWithOrderBy", "DataService.findByField",
                                    "DataService.count", "DataService.load", "DataService.add",
                                    "DataService.update", "DataService.delete"}


def test_every_tables_operation_is_keaps_and_served(registry):
    api = rest_v2.build(registry.families)
    ops = [o for t in mapping.load().tables.values() for kind in t.operations.values() for o in kind]
    v2 = {o.operation_id for o in ops if o.version == "v2"}
    assert v2 and v2 <= set(api.contract.operations)
    assert not {op for op in v2 if api.contract.operations[op].sdk_only}  # Keap's document, not only the SDK
    assert not {op for op in v2 if api.bound[op].declared is None}
    routes = {(op.method, op.path) for op in registry.operations}
    v1 = {(o.method, o.path) for o in ops if o.version == "v1"}
    assert v1 and v1 <= routes


def test_a_tables_kinds_follow_its_access():
    m = mapping.load()
    assert m.describe_table("DataService.query", "ContactAction")["kind"] == "list"
    assert m.describe_table("DataService.update", "Job")["operations"][0]["operation_id"] == "updateOrder"
    refused = m.describe_table("DataService.delete", "Invoice")
    assert refused["target"] == "none" and refused["no_equivalent"] == (
        "DataService cannot delete Invoice rows either ([NoTableAccess])")
    assert "payment form" in m.describe_table("DataService.add", "CreditCard")["no_equivalent"]
    assert m.describe_table("DataService.echo", "Contact") is None  # names no table
    assert m.describe_table("DataService.query", "NoSuchTable") is None


@pytest.mark.parametrize(("raw", "message"), [
    ({"NoSuchTable": {"none": "x"}}, "not a DataService table"),
    ({"Invoice": {"list": ["noSuchOperation"], "get": ["getOrder"]}}, "no REST v2 operation"),
    ({"Invoice": {"list": ["listOrders"]}}, "give operations or a reason for get"),
    ({"Invoice": {"none": "x", "list": ["listOrders"]}}, "either operations"),
    ({"Invoice": {"list": ["listOrders"], "get": ["getOrder"], "typo": 1}}, "unknown keys"),
])
def test_malformed_table_entries_are_refused(raw, message):
    with pytest.raises(ValueError, match=message):
        mapping.parse({"differences": {}, "methods": {}, "tables": raw}, Contract.load())


def test_a_by_table_kind_must_be_known():
    with pytest.raises(ValueError, match="by_table must be one of"):
        mapping.parse({"differences": {}, "methods": {"DataService.query": {"v2": ["listContacts"],
                                                                            "by_table": "scan"}}}, Contract.load())
