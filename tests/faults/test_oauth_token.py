"""Faults injected into OAuth's token endpoint: the refresh that fails, and the rotation whose answer is lost."""
from __future__ import annotations

import pytest
import requests

from tests.auth.test_oauth import REDIRECT, basic, consent, exchange
from tests.conftest import make_app

from .conftest import add_fault

pytestmark = pytest.mark.store_agnostic  # fault rules act in the gate, before any service


@pytest.fixture
def client(live):
    r = live.control("POST", "/oauth/clients", json={"name": "Faulty Integration", "redirect_uris": [REDIRECT]})
    assert r.status_code == 201
    return r.json()


def _refresh(live, client, refresh_token):
    return requests.post(live.url + "/token", data={"grant_type": "refresh_token", "refresh_token": refresh_token},
                         headers={"Authorization": basic(client)}, timeout=30)


def test_a_refresh_answered_with_a_503_then_one_whose_answer_is_lost(live, client, app):
    token = exchange(live, client, consent(live, client, app)["code"]).json()
    add_fault(app, match={"protocol": "oauth-token", "credential_kind": "oauth"}, first=1,
              action={"type": "http", "preset": "service_unavailable"})
    r = _refresh(live, client, token["refresh_token"])
    assert r.status_code == 503 and r.json()["fault"]["faultstring"] == "The Service is temporarily unavailable"
    # the refresh token was not used: the next try rotates it, but its answer never arrives
    add_fault(app, match={"protocol": "oauth-token"}, apply_first=True, first=1, action={"type": "drop"})
    with pytest.raises(requests.ConnectionError):
        _refresh(live, client, token["refresh_token"])
    # the rotation happened: the client's refresh token is spent, as in production after a lost answer
    r = _refresh(live, client, token["refresh_token"])
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_a_token_request_for_another_app_is_untouched(live, client, app):
    other = make_app(live)
    add_fault(other, match={"protocol": "oauth-token"}, action={"type": "http", "status": 500})
    token = exchange(live, client, consent(live, client, app)["code"])
    assert token.status_code == 200
    assert _refresh(live, client, token.json()["refresh_token"]).status_code == 200
