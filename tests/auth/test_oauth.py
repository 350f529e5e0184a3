"""OAuth 2.0 end to end against a live server: consent, code, token, calls, expiry on the app's clock,
refresh with rotation, revocation; with `requests` and with requests-oauthlib as an independent client."""
from __future__ import annotations

import base64
import re
import xmlrpc.client
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.conftest import make_app

pytestmark = pytest.mark.store_agnostic  # credentials are checked in the gate

REDIRECT = "http://127.0.0.1:9000/callback"


def xmlrpc_call(live, method, *params, token=None, query_token=None, headers=None):
    url = live.url + "/crm/xmlrpc/v1" + (f"?access_token={query_token}" if query_token else "")
    hdrs = {"Content-Type": "text/xml", **(headers or {})}
    if token:
        hdrs["Authorization"] = f"Bearer {token}"
    return requests.post(url, data=xmlrpc.client.dumps(params, method), headers=hdrs, timeout=10)


def result(response):
    assert response.status_code == 200, response.text
    return xmlrpc.client.loads(response.content)[0][0]


def consent(live, client, app, *, approve=True, state="st4te"):
    """What a person does in a browser: open the consent page, pick the account, press a button."""
    page = requests.get(live.url + "/app/oauth/authorize", params={
        "client_id": client["client_id"], "redirect_uri": REDIRECT, "response_type": "code", "scope": "full",
        "state": state}, timeout=10)
    assert page.status_code == 200 and 'id="approve"' in page.text and 'id="deny"' in page.text
    assert f'<option value="{app.name}">' in page.text
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.text))
    form = {**fields, "app": app.name, "decision": "approve" if approve else "deny"}
    answer = requests.post(live.url + "/app/oauth/authorize", data=form, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def exchange(live, client, code, **extra):
    return requests.post(live.url + "/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
        "client_id": client["client_id"], "client_secret": client["client_secret"], **extra}, timeout=10)


def basic(client):
    return "Basic " + base64.b64encode(f"{client['client_id']}:{client['client_secret']}".encode()).decode()


def test_the_whole_dance(live, client, app):
    app.clock(time="2024-05-01T09:00:00", frozen=True)
    redirect = consent(live, client, app)
    assert redirect["state"] == "st4te" and redirect["scope"] == f"full|{app.name}.infusionsoft.com"
    r = exchange(live, client, redirect["code"])
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    token = r.json()
    assert list(token) == ["access_token", "token_type", "expires_in", "refresh_token", "scope"]
    assert token["token_type"] == "bearer" and token["expires_in"] == 86400
    assert token["scope"] == f"full|{app.name}.infusionsoft.com"

    # calls: header and query parameter; the first parameter is ignored on this endpoint
    cid = result(xmlrpc_call(live, "ContactService.add", "ignored", {"FirstName": "Ada"}, token=token["access_token"]))
    assert result(xmlrpc_call(live, "ContactService.load", token["access_token"], cid, ["FirstName"],
                              query_token=token["access_token"])) == {"FirstName": "Ada"}
    assert app.call("ContactService.load", cid, ["FirstName"]) == {"FirstName": "Ada"}  # the same app
    info = result(xmlrpc_call(live, "DataService.getUserInfo", token=token["access_token"]))
    assert info["appAlias"] == app.name and info["localUserId"] == 1
    headers = xmlrpc_call(live, "DataService.echo", "", "x", token=token["access_token"]).headers
    assert headers["x-keap-product-quota-limit"] == "150000" and headers["x-keap-product-throttle-limit"] == "1500"

    # expiry on the app's clock
    app.clock(by="23h59m")
    assert xmlrpc_call(live, "DataService.echo", "", "x", token=token["access_token"]).status_code == 200
    app.clock(by="1m")
    expired = xmlrpc_call(live, "DataService.echo", "", "x", token=token["access_token"])
    assert expired.status_code == 401
    assert expired.json() == {"fault": {"faultstring": "Access Token expired",
                                        "detail": {"errorcode": "keymanagement.service.access_token_expired"}}}

    # refresh (client credentials in HTTP Basic, as Keap documents), rotation
    refreshed = requests.post(live.url + "/token", data={"grant_type": "refresh_token",
                                                         "refresh_token": token["refresh_token"]},
                              headers={"Authorization": basic(client)}, timeout=10)
    assert refreshed.status_code == 200
    new = refreshed.json()
    assert new["refresh_token"] != token["refresh_token"] and new["access_token"] != token["access_token"]
    again = requests.post(live.url + "/token", data={"grant_type": "refresh_token",
                                                     "refresh_token": token["refresh_token"]},
                          headers={"Authorization": basic(client)}, timeout=10)
    assert again.status_code == 400
    assert again.json() == {"error": "invalid_grant", "error_description": "Invalid refresh token"}
    assert result(xmlrpc_call(live, "DataService.echo", "", "y", token=new["access_token"])) == "y"

    # revocation
    assert live.control("POST", "/oauth/revoke", json={"token": new["refresh_token"]}).json()["revoked"] >= 1
    revoked = xmlrpc_call(live, "DataService.echo", "", "x", token=new["access_token"])
    assert revoked.status_code == 401
    assert revoked.json()["fault"]["detail"]["errorcode"] == "keymanagement.service.invalid_access_token"
    denied = requests.post(live.url + "/token", data={"grant_type": "refresh_token",
                                                      "refresh_token": new["refresh_token"],
                                                      "client_id": client["client_id"],
                                                      "client_secret": client["client_secret"]}, timeout=10)
    assert denied.status_code == 400


def test_refresh_tokens_live_45_days_on_the_app_clock(live, client, app):
    app.clock(time="2024-05-01T09:00:00", frozen=True)
    token = exchange(live, client, consent(live, client, app)["code"]).json()
    app.clock(by="45d")
    r = requests.post(live.url + "/token",
                      data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
                      headers={"Authorization": basic(client)}, timeout=10)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_lifetimes_are_per_app_settings(live, client, app):
    r = live.control("PATCH", f"/apps/{app.name}/options", json={"access_token_lifetime": 28800})
    assert r.status_code == 200
    token = exchange(live, client, consent(live, client, app)["code"]).json()
    assert token["expires_in"] == 28800


def test_deny_redirects_with_access_denied(live, client, app):
    redirect = consent(live, client, app, approve=False, state="s9")
    assert redirect["error"] == "access_denied" and redirect["state"] == "s9" and "code" not in redirect


def test_token_endpoint_errors(live, client, app):
    code = consent(live, client, app)["code"]
    r = requests.post(live.url + "/token", data={"grant_type": "authorization_code", "code": code,
                                                 "client_id": client["client_id"],
                                                 "client_secret": client["client_secret"]}, timeout=10)
    assert (r.status_code, r.json()) == (400, {"error": "invalid_request", "error_description": "Missing redirect_uri"})
    r = exchange(live, client, code, client_secret="wrong")
    assert r.status_code == 401 and r.json() == {"error": "invalid_grant",
                                                 "error_description": "Unable to authenticate username and password"}
    assert exchange(live, client, code).status_code == 200
    r = exchange(live, client, code)  # a code works once
    assert (r.status_code, r.json()) == (400, {"error": "invalid_grant",
                                               "error_description": "Authorization code is invalid"})
    r = requests.post(live.url + "/token", json={"grant_type": "authorization_code"}, timeout=10)
    assert r.status_code == 400 and r.json()["error_description"] == "response_type or grant_type is required"
    r = requests.post(live.url + "/token", data={"grant_type": "password"}, timeout=10)
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"


def test_codes_expire_and_bad_authorize_requests_stay_on_the_page(live, client, app):
    app.clock(time="2024-05-01T09:00:00", frozen=True)
    code = consent(live, client, app)["code"]
    app.clock(by="11m")
    assert exchange(live, client, code).status_code == 400
    page = requests.get(live.url + "/app/oauth/authorize", params={"client_id": "nobody", "redirect_uri": REDIRECT,
                                                                   "response_type": "code"}, timeout=10)
    assert page.status_code == 400 and 'id="error"' in page.text
    evil = requests.get(live.url + "/app/oauth/authorize", params={
        "client_id": client["client_id"], "redirect_uri": "http://evil.example.com/cb", "response_type": "code"},
        allow_redirects=False, timeout=10)
    assert evil.status_code == 400 and "Location" not in evil.headers


def test_tokens_are_not_legacy_keys(live, client, app):
    token = exchange(live, client, consent(live, client, app)["code"]).json()
    with pytest.raises(xmlrpc.client.Fault) as exc:
        xmlrpc.client.ServerProxy(live.url + "/api/xmlrpc").DataService.echo(token["access_token"], "x")
    assert exc.value.faultCode == 2
    with pytest.raises(xmlrpc.client.Fault) as exc:
        xmlrpc.client.ServerProxy(live.url + "/api/xmlrpc").DataService.getUserInfo()
    assert exc.value.faultCode == 2


def test_a_token_reaches_only_its_own_app(live, client):
    a, b = make_app(live), make_app(live)
    token_a = exchange(live, client, consent(live, client, a)["code"]).json()["access_token"]
    b.call("ContactService.add", {"FirstName": "OnlyInB"})
    rows = result(xmlrpc_call(live, "DataService.query", "", "Contact", 10, 0, {"FirstName": "OnlyInB"}, ["Id"],
                              token=token_a))
    assert rows == []


def test_the_oauth_client_quota_counts_across_apps(live, client):
    a, b = make_app(live), make_app(live)
    for app in (a, b):
        app.clock(time="2024-05-01T09:00:00", frozen=True)
    ta = exchange(live, client, consent(live, client, a)["code"]).json()["access_token"]
    tb = exchange(live, client, consent(live, client, b)["code"]).json()["access_token"]
    first = xmlrpc_call(live, "DataService.echo", "", "x", token=ta).headers
    second = xmlrpc_call(live, "DataService.echo", "", "x", token=tb).headers
    assert first["x-keap-product-throttle-used"] == "1" and second["x-keap-product-throttle-used"] == "2"
    assert second["x-keap-tenant-throttle-used"] == "1|1"  # but each app has its own tenant windows


def test_requests_oauthlib_as_an_independent_client(live, app, monkeypatch):
    from requests_oauthlib import OAuth2Session

    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the sandbox listens on plain http here
    # Keap answers scope "full|<app>.infusionsoft.com" to a request for "full": oauthlib needs telling, as
    # against the real service
    monkeypatch.setenv("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")
    seeded = next(c for c in live.control("GET", "/oauth/clients").json()["clients"]
                  if c["client_id"] == "sandbox-client")
    session = OAuth2Session(seeded["client_id"], redirect_uri=seeded["redirect_uris"][0], scope=["full"])
    url, state = session.authorization_url(live.url + "/app/oauth/authorize")
    assert "response_type=code" in url
    approved = live.control("POST", "/oauth/authorize", json={
        "client_id": seeded["client_id"], "redirect_uri": seeded["redirect_uris"][0], "state": state,
        "app": app.name}).json()
    token = session.fetch_token(live.url + "/token", authorization_response=approved["redirect_to"],
                                client_secret=seeded["client_secret"], include_client_id=True)
    assert token["scope"] in (["full|" + f"{app.name}.infusionsoft.com"], f"full|{app.name}.infusionsoft.com")
    r = session.post(live.url + "/crm/xmlrpc/v1", data=xmlrpc.client.dumps(("", "hi"), "DataService.echo"),
                     headers={"Content-Type": "text/xml"})
    assert result(r) == "hi"
    refreshed = session.refresh_token(live.url + "/token", auth=(seeded["client_id"], seeded["client_secret"]))
    assert refreshed["access_token"] != token["access_token"]
    info = session.get(live.url + "/crm/rest/v1/oauth/connect/userinfo").json()
    assert info["tenant_id"] == f"{app.name}.infusionsoft.com" and info["is_admin"] is True


def test_headless_consent_refusals_are_one_line_naming_the_field(live, client, app):
    """POST /sandbox/oauth/authorize answers in the control API's error form, not with the consent page's HTML."""
    good = {"client_id": client["client_id"], "redirect_uri": REDIRECT, "app": app.name, "approve": True}
    cases = [({"client_id": "nope"}, "invalid_client: ", "client_id"),
             ({"redirect_uri": "http://evil.example.com/cb"}, "invalid_request: Redirect URI", "redirect_uri"),
             ({"app": "nope"}, "invalid_request: no account named 'nope'", "app"),
             ({"scope": "openid"}, "invalid_scope: ", "scope")]
    for change, message, field in cases:
        r = live.control("POST", "/oauth/authorize", json={**good, **change})
        assert r.status_code == 400, change
        body = r.json()
        assert body["error"].startswith(message) and "<" not in body["error"] and "\n" not in body["error"], body
        assert [f["field"] for f in body["fields"]] == [field], body
    assert live.control("POST", "/oauth/authorize", json=good).json()["code"]


def test_the_consent_page_without_an_account_says_so(live, client):
    r = requests.post(live.url + "/app/oauth/authorize", data={
        "client_id": client["client_id"], "redirect_uri": REDIRECT, "response_type": "code", "decision": "approve"},
        allow_redirects=False, timeout=10)
    assert r.status_code == 400 and "Location" not in r.headers
    assert "no account chosen" in r.text and "None" not in r.text
