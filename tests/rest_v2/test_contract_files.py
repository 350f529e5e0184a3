"""The contract's files and what is derived from them stay true: the JSON form of Keap's document, the SDK
overlay (the SDK's operations the document lacks), the strict request schemas, the coverage document; and
the harness that checks every v2 answer does fail on a violation."""
from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from server.rest_v2 import build, derive, families
from server.rest_v2.contract import PREFIX, Contract
from server.rest_v2.coverage import render
from server.rest_v2.validation import strict_schema
from tests.rest_v2.conftest import ContractViolation

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def contract() -> Contract:
    return Contract.load()


def test_the_json_document_is_the_yaml_one():
    assert derive.JSON_FILE.read_text() == derive.spec_json(), "run: python -m server.rest_v2.derive"


def test_the_overlay_is_derived_from_the_installed_sdk():
    assert derive.OVERLAY_FILE.read_text() == derive.overlay_json(), "run: python -m server.rest_v2.derive"


def _sdk_operations() -> set[tuple[str, str]]:
    import keap_core_v2_client.api as api

    found = set()
    for path in Path(api.__file__).parent.glob("*_api.py"):
        found |= {(m.upper(), p) for m, p in re.findall(r"method='(\w+)',\s*resource_path='([^']+)'", path.read_text())}
    return found


def test_the_contract_is_the_sdks_operations_and_the_documents(contract):
    sdk = _sdk_operations()
    assert len(sdk) == 403
    ours = {(op.method, PREFIX + op.path) for op in contract.operations.values()}
    document = json.loads(derive.JSON_FILE.read_text())
    in_document = {(m.upper(), p) for p, item in document["paths"].items() for m in item if m in derive._METHODS}
    assert len(in_document) == 399
    assert sdk <= ours  # every operation of the SDK is served or answers 501
    assert ours - sdk == {("PATCH", "/rest/v2/easy-automations/{automation_id}")}  # the one the SDK dropped
    assert {(op.method, PREFIX + op.path) for op in contract.operations.values() if op.sdk_only} == sdk - in_document
    assert len(sdk - in_document) == 5


def test_operation_ids_are_unique_and_every_one_is_bound(contract):
    api = build()
    assert len(api.bound) == len(contract.operations) == 404
    tag_ops = {op.operation_id for op in contract.by_tag["Tags"]}
    assert tag_ops <= api.served  # the pilot family serves every operation of its tag
    assert len(tag_ops) == 16


def test_every_strict_request_schema_is_valid_json_schema(contract):
    for op in contract.operations.values():
        if op.body is not None:
            Draft202012Validator.check_schema(strict_schema(op.body, contract.schemas))


def test_family_modules_declare_only_operations_of_the_contract(contract):
    for module in families():
        for name, func in inspect.getmembers(module, inspect.isfunction):
            declared = getattr(func, "__v2__", None)
            if declared is not None:
                assert declared.operation_id in contract.operations, name


def test_the_coverage_document_is_current():
    committed = (ROOT / "docs" / "api-coverage.md").read_text()
    assert render() in committed, "run: python -m server.sandbox.coverage > docs/api-coverage.md"


def test_the_harness_fails_on_violations(contract_checker):
    check = contract_checker.check
    url = "http://127.0.0.1/crm/rest/v2"
    ok_headers = {"Content-Type": "application/json"}
    check("GET", url + "/tags/1", 200, ok_headers, b'{"id": "1", "name": "x"}')  # conforming: passes
    check("GET", url + "/tags/1", 404, ok_headers,
          b'{"code": 404, "message": "m", "status": "NOT_FOUND", "details": []}')
    violations = [
        ("GET", "/tags/1", 200, ok_headers, b'{"id": 1}'),  # an integer id
        ("GET", "/tags/1", 200, ok_headers, b'{"id": "1", "create_time": "yesterday"}'),  # not a date-time
        ("GET", "/tags/1", 200, ok_headers, b'{"id": null}'),  # null where a string is declared
        ("GET", "/tags/1", 418, ok_headers, b"{}"),  # a status the operation does not declare
        ("GET", "/tags/1", 404, ok_headers, b'{"message": "gone"}'),  # not the v2 error form
        ("GET", "/tags/1", 404, ok_headers, b'{"code": 400, "message": "m", "status": "X", "details": []}'),
        ("DELETE", "/tags/1", 204, ok_headers, b'{"id": "1"}'),  # a body where none is declared
        ("GET", "/tags/1", 200, {"Content-Type": "text/plain"}, b"hi"),
        ("GET", "/no/such/path", 200, ok_headers, b"{}"),
        ("PUT", "/tags/1", 200, ok_headers, b"{}"),
        ("PUT", "/tags/1", 405, {**ok_headers, "Allow": "GET"},
         b'{"code": 405, "message": "m", "status": "METHOD_NOT_ALLOWED", "details": []}'),  # a wrong Allow
        ("GET", "/tags", 200, ok_headers, b'{"tags": [{"id": "1"}], "next_page_token": 5}'),
    ]
    for method, path, status, headers, body in violations:
        with pytest.raises(ContractViolation):
            check(method, url + path, status, headers, body)
