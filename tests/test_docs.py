"""The docs that are derived from the code stay true."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from server.config import from_env
from server.rest import spec_operations
from server.sandbox.coverage import render
from server.wiring import build_registry
from server.xmlrpc import catalog

ROOT = Path(__file__).resolve().parent.parent


def test_api_coverage_is_current():
    committed = (ROOT / "docs" / "api-coverage.md").read_text()
    assert committed == render(), "run: python -m server.sandbox.coverage > docs/api-coverage.md"


SHARED_SPEC = ROOT.parent / "shared" / "spec"


def test_every_served_method_is_one_the_spec_lists():
    """What is served comes from the spec's own method tables (plus the aliases its notes ask for), and every
    documented method of the spec is served."""
    served = {m.name for m in build_registry(from_env()).methods}
    listed = catalog.names()
    assert len(listed) > 140 and "ContactService.add" in listed and "APIAffiliateService.affPayouts" in listed
    assert served - listed == set(catalog.ALIASES)
    documented = {f"{s}.{m}" for s, ms in catalog.DOCUMENTED.items() for m in ms}
    assert documented - served == set()
    assert set(catalog.NOT_EXPOSED) <= listed and not set(catalog.NOT_EXPOSED) & served


def test_keaps_v1_operations_are_served_but_for_the_known_gaps():
    served = {(op.method, spec_operations.shape(op.path)) for op in build_registry(from_env()).operations}
    keap = {(o["method"], spec_operations.shape(o["path"])) for o in spec_operations.load()}
    assert len(keap) == 141
    assert keap - served <= {("GET", "/contacts/{}/creditCards"), ("POST", "/contacts/{}/creditCards"),
                             ("POST", "/contacts/{}/utm")}


@pytest.mark.skipif(not SHARED_SPEC.is_dir(), reason="../shared/spec is not beside the checkout")
def test_the_spec_copies_are_current():
    assert (ROOT / "server/xmlrpc/spec/xmlrpc-api.md").read_text() == (SHARED_SPEC / "xmlrpc-api.md").read_text()
    document = json.loads((SHARED_SPEC / "keap-rest-v1.openapi.json").read_text())
    assert spec_operations.load() == spec_operations.derive(document), \
        "run: python -m server.rest.spec_operations ../shared/spec/keap-rest-v1.openapi.json"


def test_readme_shows_the_two_commands_and_the_endpoints():
    readme = (ROOT / "README.md").read_text()
    for text in ("make serve", "make test", "/api/xmlrpc", "/crm/xmlrpc/v1", "/sandbox/"):
        assert text in readme


def test_the_campaign_schema_file_is_current():
    import json

    from server.engine.document import SCHEMA

    committed = json.loads((ROOT / "docs" / "campaign.schema.json").read_text())
    assert committed == SCHEMA, "run: python -m server.engine.document > docs/campaign.schema.json"


def test_every_example_campaign_is_valid_and_publishes(app):
    """sandbox_data/campaigns/ is seeded into every app, published: each one is there."""
    names = {json.loads(p.read_text())["name"] for p in (ROOT / "sandbox_data" / "campaigns").glob("*.json")}
    listed = app.live.control("GET", f"/apps/{app.name}/campaigns").json()["campaigns"]
    assert {c["name"] for c in listed if c["status"] == "published"} >= names
