"""The token endpoint's answers beyond the dance itself (spec rest-oauth-throttle.md §9.3): its headers on
success, and malformed client credentials answered as bad ones."""
from __future__ import annotations

import pytest
import requests

from tests.auth.test_oauth import REDIRECT, consent, exchange

pytestmark = pytest.mark.store_agnostic  # the endpoint's answers, not what the stores keep

BAD_CLIENT = {"error": "invalid_grant", "error_description": "Unable to authenticate username and password"}


@pytest.fixture
def client(live):
    r = live.control("POST", "/oauth/clients", json={"name": "Token endpoint", "redirect_uris": [
        REDIRECT, "http://localhost:9000/callback"]})
    assert r.status_code == 201
    return r.json()


def test_a_success_is_json_in_utf_8_and_not_cached(live, client, app):
    r = exchange(live, client, consent(live, client, app)["code"])
    assert r.status_code == 200
    assert (r.headers["Content-Type"], r.headers["Cache-Control"], r.headers["Pragma"]) == (
        "application/json;charset=UTF-8", "no-store", "no-cache")


@pytest.mark.parametrize("credentials", ["/w==", "//79", "w6k6w6k=\udcff", "\u00ff\u00fe"])
def test_basic_credentials_that_are_not_utf_8_are_bad_credentials(live, credentials):
    """``/w==`` is the byte 0xff, ``//79`` 0xff 0xfe 0xfd: base64 of no UTF-8 text; a header byte beyond ASCII
    is no base64 at all. Each is a client credential the endpoint cannot read: Keap's 401, never a 500."""
    header = credentials.encode("utf-8", "surrogateescape").decode("latin-1")
    r = requests.post(live.url + "/token", headers={"Authorization": "Basic " + header},
                      data={"grant_type": "refresh_token", "refresh_token": "x"}, timeout=10)
    assert (r.status_code, r.json()) == (401, BAD_CLIENT)
    assert r.headers["Content-Type"] == "application/json;charset=UTF-8"

