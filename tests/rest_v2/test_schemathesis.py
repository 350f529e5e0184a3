"""schemathesis against Keap's OpenAPI document itself (server/rest_v2/spec/keap-rest-v2.swagger.yml, not a
document of ours), on a live server: every operation gets generated requests; no answer may be a server
error, break the operation's declared statuses, media types or response schema (schemathesis's checks), or
break the contract as the v2 harness reads it. Operations no family serves yet must answer a well-formed 501.

Bounded: a few examples per served operation, one or two per unserved one, derandomized, no network beyond
127.0.0.1. On PostgreSQL half as many: the answers' shapes are the same code's on both stores, and what the
store adds (its types' limits, a NUL in text) is met by the first examples of each operation. ``make fuzz``
runs 50 an operation on both (SANDBOX_FUZZ_EXAMPLES).
"""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from requests.structures import CaseInsensitiveDict
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from server.rest_v2 import build
from server.rest_v2.derive import YAML_FILE
from tests.conftest import make_app
from tests.rest_v2.conftest import v2_for

EXAMPLES = int(os.environ.get("SANDBOX_FUZZ_EXAMPLES", "8"))  # per served operation
UNSERVED_EXAMPLES = 2
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def fuzzed(live, contract_checker):
    return v2_for(make_app(live), contract_checker)


def test_keaps_document_finds_no_server_error_and_no_schema_violation(fuzzed):
    schema = schemathesis.openapi.from_path(str(YAML_FILE))
    served = build().served
    base_url = fuzzed.app.live.url + "/crm"
    headers = {"X-Keap-API-Key": fuzzed.key}
    failures, unserved_answers, calls = [], set(), 0
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 399
    examples = EXAMPLES if fuzzed.app.live.backend == "sqlite" or "SANDBOX_FUZZ_EXAMPLES" in os.environ \
        else max(2, EXAMPLES // 2)
    for operation in operations:
        is_served = operation.definition.raw.get("operationId") in served

        @settings(max_examples=examples if is_served else UNSERVED_EXAMPLES, deadline=None, derandomize=True,
                  database=None, suppress_health_check=list(HealthCheck))
        @given(operation.as_strategy())
        def run(case):
            nonlocal calls
            response = case.call(base_url=base_url, headers=headers, timeout=30)
            calls += 1
            where = f"{case.method} {case.formatted_path} {case.query or ''} {str(case.body)[:120]}"
            # a served operation: no 5xx at all; an unserved one: its 501, checked below
            checks = [*CHECKS, not_a_server_error] if is_served else CHECKS  # noqa: B023 (run() is called in this iteration)
            try:
                case.validate_response(response, checks=checks, headers=headers)
                answer_headers = CaseInsensitiveDict({k: v[0] if isinstance(v, list) else v
                                                      for k, v in response.headers.items()})
                fuzzed.checker.check(case.method, response.request.url, response.status_code, answer_headers,
                                     response.content)
            except Exception as exc:  # schemathesis's FailureGroup, or the harness's ContractViolation
                failures.append(f"{where} -> {response.status_code} {response.text[:200]}: {exc!r}")
            if not is_served:  # noqa: B023
                unserved_answers.add((response.status_code, response.json().get("status")))

        run()
    assert failures == [], "\n".join(failures[:20])
    # an unserved operation (if any is left) answers 501; a generated path parameter holding "/" or nothing leaves
    # the contract's paths altogether, and that is the v2 404
    unserved = [op for op in operations if op.definition.raw.get("operationId") not in served]
    assert not unserved or (501, "UNIMPLEMENTED") in unserved_answers
    assert unserved_answers <= {(501, "UNIMPLEMENTED"), (404, "NOT_FOUND")}
    assert calls > len(operations)
