"""REST fixtures: a fresh seeded app, a Service Account Key for it, and a requests session that sends it."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
import requests

from tests.conftest import TestApp


@dataclass
class Rest:
    app: TestApp
    key: str
    http: requests.Session

    @property
    def base(self) -> str:
        return self.app.live.url + "/crm/rest/v1"

    def __call__(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.http.request(method, self.base + path, timeout=30, **kwargs)

    def get(self, path, **kw):
        return self("GET", path, **kw)

    def post(self, path, **kw):
        return self("POST", path, **kw)

    def put(self, path, **kw):
        return self("PUT", path, **kw)

    def patch(self, path, **kw):
        return self("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self("DELETE", path, **kw)

    def ok(self, method: str, path: str, status: int = 200, **kwargs):
        r = self(method, path, **kwargs)
        assert r.status_code == status, (r.status_code, r.text)
        return r.json() if r.content else None


def rest_for(app: TestApp, *, throttle: bool = False) -> Rest:
    made = app.live.control("POST", f"/apps/{app.name}/api-keys", json={"kind": "sak", "name": "rest tests"})
    assert made.status_code == 201, made.text
    if not throttle:  # the key's 10/s spike arrest would refuse a fast test
        assert app.live.control("PATCH", f"/apps/{app.name}/throttle", json={"enabled": False}).status_code == 200
    http = requests.Session()
    http.headers["X-Keap-API-Key"] = made.json()["key"]
    return Rest(app, made.json()["key"], http)


@pytest.fixture
def rest(app) -> Rest:
    return rest_for(app)
