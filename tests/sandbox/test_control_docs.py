"""The recipes of docs/control.md's "The clock" and "OAuth lifecycle" run as written against a live server
(its address and a fresh app put in for the documented http://127.0.0.1:8000 and ``sandbox``)."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.store_agnostic  # control-API validation and documented recipes


def blocks(section: str) -> list[str]:
    text = (ROOT / "docs" / "control.md").read_text()
    body = re.search(rf"^## {section}\n(.*?)(?=^## |\Z)", text, re.S | re.M).group(1)
    return re.findall(r"```python\n(.*?)```", body, re.S)


@pytest.mark.parametrize("section, count", [("The clock", 2), ("OAuth lifecycle", 1)])
def test_the_recipes_run(app, section, count):
    found = blocks(section)
    assert len(found) == count
    for block in found:
        code = (block.replace("http://127.0.0.1:8000", app.live.url).replace("/apps/sandbox", f"/apps/{app.name}")
                .replace('"app": "sandbox"', f'"app": "{app.name}"'))
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        if section == "OAuth lifecycle":
            assert "401 {'fault': {'faultstring': 'Access Token expired'" in done.stdout
            assert "200 400 {'error': 'invalid_grant'" in done.stdout
