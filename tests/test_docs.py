"""The docs that are derived from the code stay true."""
from __future__ import annotations

from pathlib import Path

from server.sandbox.coverage import render
from server.xmlrpc.catalog import DOCUMENTED, UNDOCUMENTED
from server.xmlrpc.methods import TABLE

ROOT = Path(__file__).resolve().parent.parent


def test_api_coverage_is_current():
    committed = (ROOT / "docs" / "api-coverage.md").read_text()
    assert committed == render(), "run: python -m server.sandbox.coverage > docs/api-coverage.md"


def test_every_served_method_is_in_the_real_catalogue():
    known = {f"{s}.{m}" for catalog in (DOCUMENTED, UNDOCUMENTED) for s, ms in catalog.items() for m in ms}
    assert set(TABLE.names()) <= known


def test_readme_shows_the_two_commands_and_the_endpoints():
    readme = (ROOT / "README.md").read_text()
    for text in ("make serve", "make test", "/api/xmlrpc", "/crm/xmlrpc/v1", "/sandbox/"):
        assert text in readme
