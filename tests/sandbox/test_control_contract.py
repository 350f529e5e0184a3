"""The control API's OpenAPI document is generated from its routes: every route under /sandbox/ is declared and
documented, and a schemathesis run against a live server finds no server error and no answer outside what the
document declares (bounded: a few examples per operation, derandomized, no network beyond 127.0.0.1)."""
from __future__ import annotations

import os
from collections import Counter

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

from server.sandbox.control.openapi import openapi_path, routes
from tests.conftest import BACKENDS, PG_URL, _fresh_pg_database, make_app, start_server

EXAMPLES = int(os.environ.get("SANDBOX_FUZZ_EXAMPLES", "3"))  # per operation; raise it for a deeper run
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


def test_every_sandbox_route_is_declared_and_in_the_document(live):
    found = routes(live.app.extensions["control_plane"].app.get())  # its own application (server.sandbox.front)
    undeclared = [f"{method} {rule}" for method, rule, endpoint in found if endpoint is None]
    assert undeclared == [], "declare these with summary= and their models (server/sandbox/control/contract.py)"
    doc = live.control("GET", "/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    documented = {(method.upper(), path) for path, ops in doc["paths"].items() for method in ops}
    assert {(method, openapi_path(rule)) for method, rule, _ in found} == documented
    assert len(documented) > 40


def test_the_document_carries_the_models(live):
    doc = live.control("GET", "/openapi.json").json()
    clock = doc["paths"]["/sandbox/apps/{name}/clock"]["post"]
    assert clock["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ClockChange")
    assert {"200", "400", "404", "415"} <= set(clock["responses"])
    schemas = doc["components"]["schemas"]
    assert schemas["ClockChange"]["additionalProperties"] is False
    assert set(schemas["ClockChange"]["properties"]) == {"action", "time", "by", "rate", "frozen", "force", "async"}
    outbox = doc["paths"]["/sandbox/apps/{name}/outbox"]["get"]
    assert {"kind", "status", "contact_id", "count", "next"} <= {p["name"] for p in outbox["parameters"]}
    campaign = doc["paths"]["/sandbox/apps/{name}/campaigns"]["post"]["requestBody"]["content"]
    assert set(campaign) >= {"application/json", "application/yaml"}
    assert campaign["application/yaml"]["schema"]["title"] == "Campaign Builder campaign"


@pytest.fixture(scope="module", params=BACKENDS)
def fuzzed(request, tmp_path_factory):
    # a server of its own: schemathesis makes apps, clients and keys; nothing it invents may be called out to
    url, drop = _fresh_pg_database(PG_URL) if request.param == "postgresql" else (None, None)
    live, stop = start_server(tmp_path_factory.mktemp("control-fuzzed"), url, senders="record")
    yield live
    stop()
    if drop:
        drop()


def test_no_server_error_and_answers_as_documented(fuzzed):
    """Every operation, a few generated requests each; half of them aimed at a real (empty) app, so that bodies
    reach the code behind the validation, not only the 404 of an unknown app (never to DELETE /sandbox/apps/{name},
    which would remove it for the operations after)."""
    app = make_app(fuzzed, seed=False)
    schema = schemathesis.openapi.from_url(fuzzed.url + "/sandbox/openapi.json")
    failures, statuses = [], Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    for operation in operations:
        @settings(max_examples=EXAMPLES * 2, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(), real=st.booleans())
        def run(case, real: bool):
            if real and "name" in (case.path_parameters or {}) and \
                    not (case.method == "DELETE" and case.path == "/sandbox/apps/{name}"):
                case.path_parameters["name"] = app.name  # noqa: B023 (run() is called in this iteration)
            response = case.call(base_url=fuzzed.url, timeout=60)
            statuses[response.status_code // 100 * 100] += 1
            try:
                case.validate_response(response, checks=CHECKS)
            except Exception as exc:  # schemathesis's FailureGroup
                failures.append(f"{case.method} {case.formatted_path} {case.query or ''} {str(case.body)[:150]} -> "
                                f"{response.status_code} {response.text[:200]}: {exc!r}"[:800])

        run()
    assert failures == [], "\n".join(failures[:20])
    assert statuses[200] > len(operations) // 2 and statuses[400] > 0, statuses  # the runs reached the endpoints
    assert requests.get(fuzzed.url + "/sandbox/health", timeout=10).status_code == 200
