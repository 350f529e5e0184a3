"""The rules docs/control.md shows are rules the sandbox takes, and its 400 example is what it answers."""
from __future__ import annotations

import json
import re

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.store_agnostic  # fault rules act in the gate, before any service

DOC = (ROOT / "docs" / "control.md").read_text()
SECTION = DOC[DOC.index("## Fault injection"):]


def _bodies() -> list[dict]:
    found = re.findall(r"/faults -H 'Content-Type: application/json' \\\n  -d '(.*?)'\n", SECTION, re.S)
    bodies = [json.loads(b) for b in found if '"\'"$' not in b]  # (not the one built with shell variables)
    block = re.search(r"### A rule\n\n(?:<!--.*?-->\n)?```json\n(.*?)```", SECTION, re.S).group(1)
    return [*bodies, json.loads(block)]


def test_the_documented_rules_are_taken(app):
    bodies = _bodies()
    assert len(bodies) == 4
    for body in bodies:
        r = app.live.control("POST", f"/apps/{app.name}/faults", json=body)
        assert r.status_code == 201, (body, r.text)


def test_the_documented_400(app):
    shown = json.loads(re.search(r"refused with a 400 naming the field: `(\{.*?\})`", SECTION, re.S).group(1))
    r = app.live.control("POST", f"/apps/{app.name}/faults", json={"action": {"type": "drop"}, "nth": 0})
    assert (r.status_code, r.json()) == (400, shown)
