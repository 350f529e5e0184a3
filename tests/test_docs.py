"""The docs that are derived from the code stay true."""
from __future__ import annotations

import json
from pathlib import Path

from server.config import from_env
from server.sandbox.coverage import render
from server.wiring import build_registry
from server.xmlrpc.catalog import DOCUMENTED, UNDOCUMENTED

ROOT = Path(__file__).resolve().parent.parent


def test_api_coverage_is_current():
    committed = (ROOT / "docs" / "api-coverage.md").read_text()
    assert committed == render(), "run: python -m server.sandbox.coverage > docs/api-coverage.md"


def test_every_served_method_is_in_the_real_catalogue():
    known = {f"{s}.{m}" for catalog in (DOCUMENTED, UNDOCUMENTED) for s, ms in catalog.items() for m in ms}
    served = {m.name for m in build_registry(from_env()).methods}
    assert served and served <= known


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
