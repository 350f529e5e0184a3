"""The token endpoint's answers beyond the dance itself (spec rest-oauth-throttle.md §9.3): its headers on
success, malformed client credentials answered as bad ones, and the redirect URI a code is bound to."""
from __future__ import annotations

import pytest
import requests

from tests.auth.test_oauth import REDIRECT, consent, exchange

pytestmark = pytest.mark.store_agnostic  # the endpoint's answers, not what the stores keep

BAD_CLIENT = {"error": "invalid_grant", "error_description": "Unable to authenticate username and password"}
BAD_CODE = {"error": "invalid_grant", "error_description": "Authorization code is invalid"}


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


def test_a_code_authorized_without_redirect_uri_is_bound_to_the_uri_it_went_to(live, client, app):
    """The consent page without ``redirect_uri`` sends the code to the client's first registered URI; the
    exchange must name that URI (spec §9.3: ``redirect_uri`` "must match"), not any other."""
    approved = requests.post(live.url + "/app/oauth/authorize", data={
        "client_id": client["client_id"], "response_type": "code", "app": app.name, "decision": "approve"},
        allow_redirects=False, timeout=10)
    assert approved.status_code == 302 and approved.headers["Location"].startswith(REDIRECT + "?code=")
    code = approved.headers["Location"].split("code=", 1)[1].split("&", 1)[0]
    for elsewhere in ("http://anything.example/whatever", "http://localhost:9000/callback"):
        r = exchange(live, client, code, redirect_uri=elsewhere)
        assert (r.status_code, r.json()) == (400, BAD_CODE), elsewhere
    assert exchange(live, client, code).status_code == 200  # REDIRECT, where the code went
