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


def _doc(rest) -> dict:
    return requests.get(rest.base + "/openapi.json", timeout=10).json()


def test_every_reference_resolves(rest):
    doc = _doc(rest)
    refs = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.add(node["$ref"].rsplit("/", 1)[-1])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    assert refs and refs <= set(doc["components"]["schemas"]), refs - set(doc["components"]["schemas"])


def test_the_document_states_the_bounds_formats_and_required_properties(rest):
    doc = _doc(rest)
    get_contact = doc["paths"]["/contacts/{id}"]["get"]
    assert get_contact["parameters"][0]["schema"] == {"type": "integer", "format": "int32",
                                                      "minimum": -2147483648, "maximum": 2147483647}
    listing = {p["name"]: p["schema"] for p in doc["paths"]["/contacts"]["get"]["parameters"]}
    assert listing["limit"]["minimum"] == 0 and listing["offset"]["minimum"] == 0
    assert listing["since"]["format"] == "date-time"
    # Keap's document requires title, start_date and end_date of an appointment: ours says so too
    body = doc["paths"]["/appointments"]["post"]["requestBody"]
    assert body["required"] is True
    assert set(body["content"]["application/json"]["schema"]["allOf"][1]["required"]) == {
        "title", "start_date", "end_date"}
    task = doc["components"]["schemas"]["TaskBody"]["properties"]
    assert task["remind_time"]["enum"][:2] == [5, 10] and task["due_date"]["anyOf"][0]["format"] == "date-time"


def test_a_405_names_the_allowed_methods(rest):
    # a known path with another method; and /contacts/model, which is not /contacts/{contactId}
    wrong = rest.http.put(rest.base + "/tags/categories", json={}, timeout=10)
    assert wrong.status_code == 405 and wrong.headers["Allow"] == "OPTIONS, POST"
    model = rest.http.patch(rest.base + "/contacts/model", json={}, timeout=10)
    assert model.status_code == 405 and model.headers["Allow"] == "GET, HEAD, OPTIONS"
    trace = rest.http.request("TRACE", rest.base + "/contacts", timeout=10)
    assert trace.status_code == 405 and "GET" in trace.headers["Allow"].split(", ")
    options = requests.options(rest.base + "/tags", timeout=10)  # a browser's preflight carries no credentials
    assert options.status_code == 200 and options.headers["Allow"] == "GET, HEAD, OPTIONS, POST"


def test_a_boolean_is_not_an_integer(rest):
    answer = rest.http.post(rest.base + "/notes", json={"contact_id": True, "title": "t"}, timeout=10)
    assert answer.status_code == 400 and "contact_id" in answer.json()["message"]
