"""The OpenAPI document describes what is served, and schemathesis, every check on, finds the live server true to
it (bounded: a few examples per operation, no network beyond 127.0.0.1)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.conftest import BACKENDS, PG_URL, _fresh_pg_database, make_app, start_server
from tests.rest.conftest import rest_for

EXAMPLES = int(os.environ.get("SANDBOX_FUZZ_EXAMPLES", "2"))  # per operation; raise it for a deeper run
PHASES = os.environ.get("SANDBOX_FUZZ_PHASES", "examples,fuzzing")  # make fuzz adds the coverage phase
CONFIG = Path(__file__).resolve().parent / "schemathesis.toml"


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


def test_every_check_passes(fuzzed):
    """schemathesis's CLI with every check on (schemathesis 4 runs all of them unless told otherwise): no server
    error, every status, header, media type and answer as documented, schema-valid requests accepted and invalid
    ones refused, 405 with Allow for an undocumented method. tests/rest/schemathesis.toml switches off, per
    operation and with the reason, only the checks that meet a rule a schema cannot state. Bounded: a few
    examples per operation, derandomized (``make fuzz`` runs more, with the coverage phase)."""
    command = [str(Path(sys.executable).parent / "schemathesis"), "--config-file", str(CONFIG), "run",
               fuzzed.base + "/openapi.json", "-H", f"Authorization: Bearer {fuzzed.key}",
               "--max-examples", str(EXAMPLES), "--seed", "1", "--phases", PHASES, "--no-color",
               "--request-timeout", "30"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "146 passed" in run.stdout or "Tested: 146" in run.stdout, run.stdout[-2000:]


def test_document_lists_every_operation(rest):
    doc = requests.get(rest.base + "/openapi.json", timeout=60).json()  # no credentials needed
    assert doc["openapi"].startswith("3.")
    assert {"get", "post", "put"} <= set(doc["paths"]["/contacts"])
    assert "/tasks/sync" in doc["paths"] and "/hooks/{key}/delayedVerify" in doc["paths"]
    create = doc["paths"]["/contacts"]["post"]
    assert "201" in create["responses"] and create["requestBody"]["content"]["application/json"]
    assert doc["components"]["schemas"]["ContactBody"]["additionalProperties"] is False


def _doc(rest) -> dict:
    return requests.get(rest.base + "/openapi.json", timeout=60).json()


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
    # Keap's int64 ids (one past the store's 32-bit columns names no record: a 404, not a 400)
    assert get_contact["parameters"][0]["schema"] == {"type": "integer", "format": "int64",
                                                      "minimum": -(2**63), "maximum": 2**63 - 1}
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
