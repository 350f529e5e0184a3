"""docs/migration.md stays true: its mapping table is the one the data renders, and its worked example (the
XML-RPC integration and its REST v2 port) runs against a live server."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.migration import table
from tests.rest.conftest import rest_for

DOC = Path(__file__).resolve().parents[2] / "docs" / "migration.md"


def test_the_mapping_table_is_current():
    text = DOC.read_text()
    committed = text[text.index(table.START):text.index(table.END) + len(table.END)] + "\n"
    assert committed == table.render(), "paste the output of python -m server.migration.table into docs/migration.md"


def _example_blocks() -> list[str]:
    text = DOC.read_text()
    section = text[text.index("## Worked example"):]
    section = section[:section.index("\n## ", 1)]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_example_has_a_before_and_an_after():
    before, after = _example_blocks()
    assert "xmlrpc.client" in before and "/crm/rest/v2" in after


@pytest.mark.parametrize("which", ["before", "after"])
def test_the_worked_example_runs(app, which):
    block = dict(zip(("before", "after"), _example_blocks()))[which]
    sak = rest_for(app).http.headers["X-Keap-API-Key"]
    scope = {"URL": app.live.url, "KEY": app.key, "SAK": sak}
    exec(compile(block, f"docs/migration.md ({which})", "exec"), scope)  # noqa: S102  (our own doc's example)
    assert scope["goal"]  # the goal answered (no campaign listens: a failure result, on both protocols)
