"""The OpenAPI document describes what is served, and a schemathesis run against the live server finds no
server error (bounded: a few examples per operation, no network beyond 127.0.0.1)."""
from __future__ import annotations

import os

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.conftest import BACKENDS, PG_URL, _fresh_pg_database, make_app, start_server
from tests.rest.conftest import rest_for

EXAMPLES = int(os.environ.get("SANDBOX_FUZZ_EXAMPLES", "3"))  # per operation; raise it for a deeper run


@pytest.fixture(scope="module", params=BACKENDS)
def fuzzed(request, tmp_path_factory):
    # schemathesis invents hook URLs: the sandbox must not call them, so this one sends nothing (its handshakes
    # get no echoed secret: every hook stays Unverified)
    url, drop = _fresh_pg_database(PG_URL) if request.param == "postgresql" else (None, None)
    live, stop = start_server(tmp_path_factory.mktemp("fuzzed"), url, senders="record")
    yield rest_for(make_app(live))
    stop()
    if drop:
        drop()


def test_no_server_errors(fuzzed):
    """Every operation, a few generated requests each (schemathesis drives hypothesis here directly: its
    pytest plugin does not run under pytest 9)."""
    schema = schemathesis.openapi.from_url(fuzzed.base + "/openapi.json")
    errors = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50
    for operation in operations:
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(operation.as_strategy())
        def run(case):
            response = case.call(headers={"X-Keap-API-Key": fuzzed.key}, timeout=30)
            if response.status_code >= 500:
                errors.append((case.method, case.formatted_path, case.query, case.body, response.text[:300]))

        run()
    assert errors == []


def test_document_lists_every_operation(rest):
    doc = requests.get(rest.base + "/openapi.json", timeout=10).json()  # no credentials needed
    assert doc["openapi"].startswith("3.")
    assert {"get", "post", "put"} <= set(doc["paths"]["/contacts"])
    assert "/tasks/sync" in doc["paths"] and "/hooks/{key}/delayedVerify" in doc["paths"]
    create = doc["paths"]["/contacts"]["post"]
    assert "201" in create["responses"] and create["requestBody"]["content"]["application/json"]
    assert doc["components"]["schemas"]["ContactBody"]["additionalProperties"] is False
