"""Helpers of the fault-injection tests: setting rules through the control API."""
from __future__ import annotations

import pytest


def add_fault(app, **rule) -> dict:
    r = app.live.control("POST", f"/apps/{app.name}/faults", json=rule)
    assert r.status_code == 201, r.text
    return r.json()


def fault(app, rule_id: int) -> dict:
    r = app.live.control("GET", f"/apps/{app.name}/faults/{rule_id}")
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
def legacy(app):
    """The app, without the legacy key's throttle (a fast test must never be held)."""
    r = app.live.control("PATCH", f"/apps/{app.name}/throttle", json={"legacy": {"enabled": False}})
    assert r.status_code == 200, r.text
    return app
