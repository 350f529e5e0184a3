"""The OAuth lifecycle through the control API, for rehearsing the failures clients meet in production: an
access token or a refresh token expired on demand, a grant revoked, and refresh-token reuse detection (a used
refresh token presented again revokes the grant). Driven by requests-oauthlib and plain requests against a live
server; the token endpoint and the gateway answer with the real errors."""
from __future__ import annotations

import xmlrpc.client

import pytest
import requests
from oauthlib.oauth2.rfc6749.errors import InvalidGrantError

from tests.auth.test_oauth import basic, consent, exchange, result, xmlrpc_call

pytestmark = pytest.mark.store_agnostic  # credentials are checked in the gate

EXPIRED = {"fault": {"faultstring": "Access Token expired",
                     "detail": {"errorcode": "keymanagement.service.access_token_expired"}}}
INVALID = {"fault": {"faultstring": "Invalid Access Token",
                     "detail": {"errorcode": "keymanagement.service.invalid_access_token"}}}
INVALID_GRANT = {"error": "invalid_grant", "error_description": "Invalid refresh token"}


def tokens(live, client, app) -> dict:
    r = exchange(live, client, consent(live, client, app)["code"])
    assert r.status_code == 200, r.text
    return r.json()


def refresh(live, client, refresh_token):
    return requests.post(live.url + "/token", data={"grant_type": "refresh_token", "refresh_token": refresh_token},
                         headers={"Authorization": basic(client)}, timeout=10)


def echo(live, token):
    return xmlrpc_call(live, "DataService.echo", "", "x", token=token)


def expire(live, token, which=None):
    body = {"token": token} if which is None else {"token": token, "which": which}
    return live.control("POST", "/oauth/tokens/expire", json=body)


@pytest.fixture
def oauth_session(live, app, monkeypatch):
    """requests-oauthlib's session through the authorization-code dance, on the seeded client."""
    from requests_oauthlib import OAuth2Session

    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    monkeypatch.setenv("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")
    seeded = next(c for c in live.control("GET", "/oauth/clients").json()["clients"]
                  if c["client_id"] == "sandbox-client")
    session = OAuth2Session(seeded["client_id"], redirect_uri=seeded["redirect_uris"][0], scope=["full"])
    _, state = session.authorization_url(live.url + "/app/oauth/authorize")
    approved = live.control("POST", "/oauth/authorize", json={
        "client_id": seeded["client_id"], "redirect_uri": seeded["redirect_uris"][0], "state": state,
        "app": app.name}).json()
    session.fetch_token(live.url + "/token", authorization_response=approved["redirect_to"],
                        client_secret=seeded["client_secret"], include_client_id=True)
    session.auth_pair = (seeded["client_id"], seeded["client_secret"])
    return session


def test_an_access_token_expired_on_demand_gets_the_gateways_401_and_refreshing_recovers(live, oauth_session):
    session = oauth_session
    assert result(session.post(live.url + "/crm/xmlrpc/v1", data=xmlrpc.client.dumps(("", "hi"), "DataService.echo"),
                               headers={"Content-Type": "text/xml"})) == "hi"
    r = expire(live, session.token["access_token"])
    assert r.status_code == 200 and r.json()["expired"] == ["access"]
    refused = echo(live, session.token["access_token"])
    assert refused.status_code == 401 and refused.json() == EXPIRED
    session.refresh_token(live.url + "/token", auth=session.auth_pair)  # what a client does on that 401
    assert result(echo(live, session.token["access_token"])) == "x"


def test_an_expired_refresh_token_gets_invalid_grant(live, oauth_session):
    session = oauth_session
    assert expire(live, session.token["refresh_token"], "refresh").json()["expired"] == ["refresh"]
    assert result(echo(live, session.token["access_token"])) == "x"  # the access token still works
    with pytest.raises(InvalidGrantError):
        session.refresh_token(live.url + "/token", auth=session.auth_pair)
    r = requests.post(live.url + "/token", data={"grant_type": "refresh_token",
                                                 "refresh_token": session.token["refresh_token"]},
                      auth=session.auth_pair, timeout=10)
    assert (r.status_code, r.json()) == (400, INVALID_GRANT)
    both = expire(live, session.token["access_token"], "both")
    assert both.json()["expired"] == ["access", "refresh"]
    assert echo(live, session.token["access_token"]).json() == EXPIRED


def test_revoking_a_grant_stops_every_token_of_it(live, client, app):
    first = tokens(live, client, app)
    second = refresh(live, client, first["refresh_token"]).json()
    other = tokens(live, client, app)  # the same user's consent again: another grant (another install)
    assert live.control("POST", "/oauth/revoke", json={"token": second["access_token"]}).json()["revoked"] == 2
    for token in (first["access_token"], second["access_token"]):
        assert echo(live, token).json() == INVALID
    for token in (first["refresh_token"], second["refresh_token"]):
        assert (refresh(live, client, token).status_code, refresh(live, client, token).json()) == (400, INVALID_GRANT)
    assert expire(live, second["access_token"]).status_code == 409  # nothing left to expire
    assert result(echo(live, other["access_token"])) == "x"  # the other grant is not this one
    assert refresh(live, client, other["refresh_token"]).status_code == 200


def test_reuse_detection_revokes_the_grant_when_on(live, client, app):
    r = live.control("PATCH", f"/apps/{app.name}/options", json={"refresh_token_reuse_detection": True})
    assert r.status_code == 200 and r.json()["refresh_token_reuse_detection"] is True
    first = tokens(live, client, app)
    second = refresh(live, client, first["refresh_token"]).json()
    assert result(echo(live, second["access_token"])) == "x"
    reused = refresh(live, client, first["refresh_token"])  # a second process refreshing with the old token
    assert (reused.status_code, reused.json()) == (400, INVALID_GRANT)
    assert echo(live, second["access_token"]).json() == INVALID  # the whole grant went with it
    assert refresh(live, client, second["refresh_token"]).json() == INVALID_GRANT


def test_reuse_detection_revokes_the_reused_grant_only(live, client, app):
    """RFC 9700 §4.14.2 ends the grant whose refresh token was reused (its rotation chain), not the other
    grants the same user gave the client for the app (two installs of the integration, say)."""
    assert live.control("PATCH", f"/apps/{app.name}/options", json={"refresh_token_reuse_detection": True}
                        ).status_code == 200
    a, b = tokens(live, client, app), tokens(live, client, app)
    a2 = refresh(live, client, a["refresh_token"]).json()
    b2 = refresh(live, client, b["refresh_token"]).json()
    assert refresh(live, client, a["refresh_token"]).json() == INVALID_GRANT  # a reuse on chain a
    assert echo(live, a2["access_token"]).json() == INVALID
    assert result(echo(live, b2["access_token"])) == "x"
    assert refresh(live, client, b2["refresh_token"]).status_code == 200
    [listed] = live.control("GET", f"/apps/{app.name}/integrations").json()["integrations"]
    assert listed["client_id"] == client["client_id"] and listed["active_access_token"] is True


def test_without_reuse_detection_a_reused_refresh_token_fails_alone(live, client, app):
    first = tokens(live, client, app)
    second = refresh(live, client, first["refresh_token"]).json()
    assert refresh(live, client, first["refresh_token"]).json() == INVALID_GRANT
    assert result(echo(live, second["access_token"])) == "x"
    assert refresh(live, client, second["refresh_token"]).status_code == 200


def test_bad_expire_requests_are_refused(live):
    assert expire(live, "no-such-token").status_code == 404
    r = live.control("POST", "/oauth/tokens/expire", json={"token": "t", "which": "soon"})
    assert r.status_code == 400 and "which" in r.json()["error"]
    r = live.control("POST", "/oauth/tokens/expire", json={"token": "t", "when": "now"})
    assert r.status_code == 400 and "when: unknown field" in r.json()["error"]
    assert live.control("POST", "/oauth/tokens/expire", json={}).status_code == 400


def test_the_account_owner_sees_and_revokes_an_integration(live, client):
    """Seed 003: OAuth lets "customers view/revoke access for specific apps/integrations": the account lists the
    clients that hold access to it, and revoking one ends every token it holds there, not on other accounts."""
    from tests.conftest import make_app

    mine, theirs = make_app(live, seed=False), make_app(live, seed=False)
    assert live.control("GET", f"/apps/{mine.name}/integrations").json() == {"integrations": []}
    held = tokens(live, client, mine)
    elsewhere = tokens(live, client, theirs)
    [listed] = live.control("GET", f"/apps/{mine.name}/integrations").json()["integrations"]
    assert listed["client_id"] == client["client_id"] and listed["name"] == "Test Integration"
    assert listed["active_access_token"] is True and listed["scopes"] == ["full"] and listed["authorized_at"]

    revoked = live.control("DELETE", f"/apps/{mine.name}/integrations/{client['client_id']}")
    assert revoked.status_code == 200 and revoked.json() == {"revoked": 1}
    assert echo(live, held["access_token"]).json() == INVALID
    assert refresh(live, client, held["refresh_token"]).json() == INVALID_GRANT
    assert result(echo(live, elsewhere["access_token"])) == "x"  # the integration's other account keeps it
    assert live.control("GET", f"/apps/{mine.name}/integrations").json() == {"integrations": []}
    again = live.control("DELETE", f"/apps/{mine.name}/integrations/{client['client_id']}")
    assert again.status_code == 404 and "holds no access" in again.json()["error"]
    assert live.control("GET", "/apps/no-such-app/integrations").status_code == 404
    assert result(echo(live, tokens(live, client, mine)["access_token"])) == "x"  # authorized again, it works
