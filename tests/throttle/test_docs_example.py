"""The worked simulation in docs/throttling.md runs as written against a live server."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.store_agnostic  # the throttle keeps its state in memory or Redis


def test_the_worked_simulation_runs(app):
    text = (ROOT / "docs" / "throttling.md").read_text()
    block = re.search(r"## A worked simulation.*?```python\n(.*?)```", text, re.S).group(1)
    env = dict(os.environ, SANDBOX_URL=app.live.url, SANDBOX_APP=app.name, SANDBOX_KEY=app.key)
    done = subprocess.run([sys.executable, "-c", block], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    first = done.stdout.splitlines()[0]
    stats = dict(re.findall(r"'(\w+)': (\d+)", first))
    assert stats["ok"] == "80" and stats["failed"] == "0"
    assert "after 90 quiet minutes: 20 tokens" in done.stdout
