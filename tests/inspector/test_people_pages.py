"""Users on the app's Overview page and OAuth grants and tokens on the app list, through plain HTTP: each action is
the control API's, its refusals shown on the page (issue 17: the pieces the control API has)."""
from __future__ import annotations

import hashlib
import re

import requests

from tests.auth.test_oauth import REDIRECT, exchange, result
from tests.auth.test_oauth_lifecycle import EXPIRED, echo
from tests.inspector.test_pages import notice, post, ui


def test_users_are_listed_and_their_passwords_set_expired_and_kept(live, app):
    page = ui(live, f"/apps/{app.name}")
    assert 'id="users"' in page.text
    [user] = live.control("GET", f"/apps/{app.name}/users").json()["users"][:1]
    assert user["email"] in page.text
    r = post(live, f"/apps/{app.name}/users/{user['id']}/password", {"action": "set", "password": "n3w-Secret"})
    assert f"user {user['id']} ({user['email']}) has a new password" in notice(r)
    digest = hashlib.md5(b"n3w-Secret").hexdigest()  # noqa: S324 (what the API takes)
    assert app.call("DataService.authenticateUser", user["email"], digest) == user["id"]
    r = post(live, f"/apps/{app.name}/users/{user['id']}/password", {"action": "expire"})
    assert "has an expired password" in notice(r) and "expired</span>" in r.text
    r = post(live, f"/apps/{app.name}/users/{user['id']}/password", {"action": "never"})
    assert "never expires" in notice(r)
    r = post(live, f"/apps/{app.name}/users/{user['id']}/password", {"action": "set", "password": ""})
    assert 'class="flash error"' in r.text and "password" in notice(r)
    r = post(live, f"/apps/{app.name}/users/999999/password", {"action": "expire"})
    assert "no user 999999" in notice(r)
    assert "must be set, expire or never" in notice(post(live, f"/apps/{app.name}/users/{user['id']}/password",
                                                         {"action": "forget"}))
    assert "no invited user" in notice(post(live, f"/apps/{app.name}/users/accept", {"user_id": str(user["id"])}))
    assert "must be an invited user" in notice(post(live, f"/apps/{app.name}/users/accept", {"user_id": "x"}))
    assert post(live, "/apps/no-such-app/users/accept", {"user_id": "1"}).status_code == 404


def test_consent_is_approved_and_a_tokens_lifetime_run_out_and_its_grant_revoked(live, app):
    made = live.control("POST", "/oauth/clients", json={"name": "Page client", "redirect_uris": [REDIRECT]}).json()
    r = post(live, "/oauth/consent", {"client_id": made["client_id"], "redirect_uri": REDIRECT, "app": app.name,
                                      "scope": "full"}, allow_redirects=False)
    assert r.status_code == 200 and "consent approved; the code: " in notice(r)  # on the answer, not in an address
    code = notice(r).rsplit(" ", 1)[1]
    tokens = exchange(live, made, code).json()
    assert result(echo(live, tokens["access_token"])) == "x"
    r = post(live, "/oauth/token", {"token": tokens["access_token"], "action": "access"})
    assert "expired now" in notice(r) and "access" in notice(r)
    assert echo(live, tokens["access_token"]).json() == EXPIRED
    r = post(live, "/oauth/token", {"token": tokens["refresh_token"], "action": "revoke"})
    assert re.search(r"grant revoked: \d+ tokens stop working", notice(r))
    assert "no longer works" in notice(post(live, "/oauth/token", {"token": tokens["refresh_token"],
                                                                   "action": "refresh"}))
    assert "no such token" in notice(post(live, "/oauth/token", {"token": "nope", "action": "revoke"}))
    r = post(live, "/oauth/consent", {"client_id": made["client_id"], "redirect_uri": "http://elsewhere.example/cb"})
    assert 'class="flash error"' in r.text


def test_a_web_form_is_made_from_the_campaigns_page_and_its_public_page_serves_it(live, app):
    r = post(live, f"/apps/{app.name}/webforms", {"name": "Newsletter", "kind": "web",
                                                  "fields": "FirstName\nEmail email required", "opt_in": "on"})
    assert "web form" in notice(r) and "made: its page is " in notice(r), notice(r)
    # the new form's page is a link (audit-ui §14); a notice's other addresses are text (anyone writes ?notice=)
    address = re.search(r'class="flash notice"[^>]*>[^<]*<a href="([^"]+)">\1</a>', r.text).group(1)
    assert address.startswith(live.url + "/")
    page = requests.get(address, timeout=30)
    assert page.status_code == 200 and "inf_field_Email" in page.text and "Newsletter" in page.text
    forged = ui(live, f"/apps/{app.name}/campaigns", params={"notice": "see https://evil.example/x <b>now</b>"})
    assert "https://evil.example/x &lt;b&gt;now&lt;/b&gt;" in forged.text and "evil.example/x\"" not in forged.text
    r = post(live, f"/apps/{app.name}/webforms", {"name": "Bad", "fields": "Email telepathy"})
    assert 'class="flash error"' in r.text and "type" in notice(r)
    assert "tag_ids must be tag ids" in notice(post(live, f"/apps/{app.name}/webforms",
                                                    {"name": "Bad", "fields": "Email", "tag_ids": "x"}))
    assert post(live, "/apps/no-such-app/webforms", {"name": "x"}).status_code == 404
