"""Helpers for the email lifecycle: the control API's email endpoints, the outbox, the public pages."""
from __future__ import annotations

import pytest
import requests

from tests.engine.conftest import Campaigns
from tests.rest.conftest import rest_for


class Mail(Campaigns):
    def status(self, email: str) -> dict:
        r = self.control("GET", f"/email/addresses/{email}")
        assert r.status_code == 200, r.text
        return r.json()

    def settings(self, **body) -> dict:
        r = self.control("PATCH", "/email/deliverability", json=body)
        assert r.status_code == 200, r.text
        return r.json()

    def send(self, contact_ids: list[int], subject: str = "Hello", html: str = "<p>Hi</p>") -> list[dict]:
        """A one-off email through APIEmailService.sendEmail; returns the messages it captured."""
        before = {m["id"] for m in self.outbox(kind="email")}
        assert self.app.call("APIEmailService.sendEmail", contact_ids, "me@example.com", "~Contact.Email~", "", "",
                             "HTML", subject, html, "") is True
        return [m for m in self.outbox(kind="email") if m["id"] not in before]

    def get(self, url: str, **kw) -> requests.Response:
        return requests.get(url if url.startswith("http") else self.app.live.url + url, timeout=10, **kw)

    def post(self, url: str, **kw) -> requests.Response:
        return requests.post(url if url.startswith("http") else self.app.live.url + url, timeout=10, **kw)


@pytest.fixture
def mail(app) -> Mail:
    return Mail(app)


@pytest.fixture
def rest(app):
    return rest_for(app)


def link(html: str, marker: str) -> str:
    """The path of the first link in ``html`` containing ``marker`` (``/app/optOut/``, ``/app/open/`` …)."""
    start = html.index(marker)
    end = min(i for i in (html.find('"', start), len(html)) if i >= 0)
    return html[start:end]
