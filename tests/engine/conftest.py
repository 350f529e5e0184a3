"""Helpers for driving campaigns through the control API and the wire."""
from __future__ import annotations

import pytest

from tests.conftest import TestApp


class Campaigns:
    def __init__(self, app: TestApp):
        self.app = app

    def control(self, method: str, path: str, **kwargs):
        return self.app.live.control(method, f"/apps/{self.app.name}{path}", **kwargs)

    def load(self, doc: dict, *, publish: bool = True) -> dict:
        r = self.control("POST", "/campaigns", json=doc, params={"publish": "1"} if publish else None)
        assert r.status_code == 201, r.text
        return r.json()

    def outbox(self, **params) -> list[dict]:
        r = self.control("GET", "/outbox", params=params)
        assert r.status_code == 200, r.text
        return r.json()["messages"]

    def report(self, campaign_id: int) -> dict:
        r = self.control("GET", f"/campaigns/{campaign_id}/report")
        assert r.status_code == 200, r.text
        return r.json()

    def enrollments(self, **params) -> list[dict]:
        return self.control("GET", "/enrollments", params=params).json()["enrollments"]

    def run(self) -> int:
        return self.control("POST", "/engine/run").json()["ran"]

    def contact(self, email: str, *, opt_in: bool = True, **fields) -> int:
        cid = self.app.call("ContactService.add", {"Email": email, **fields})
        if opt_in:
            self.app.call("APIEmailService.optIn", email, "test")
        return cid


@pytest.fixture
def campaigns(app) -> Campaigns:
    return Campaigns(app)
