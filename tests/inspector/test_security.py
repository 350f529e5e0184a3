"""The inspector against a page of another origin and against crafted addresses (audit-ui §1-3): a form posted from
elsewhere is refused, a sign-in leads only to the inspector, and an id past the store's integers is a 404 page."""
from __future__ import annotations

import pytest

from tests.inspector.test_pages import notice, post, ui


def _legacy_key(live, app) -> str:
    return live.control("GET", f"/apps/{app.name}").json()["legacy_api_key"]


@pytest.mark.store_agnostic
@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"},
    {"Sec-Fetch-Site": "same-site", "Origin": "http://127.0.0.1:1"},  # another port of the same host
    {"Origin": "http://evil.example"},  # a browser without Fetch Metadata
    {"Origin": "null"},  # a sandboxed frame's
])
def test_a_form_posted_from_another_origin_changes_nothing(live, app, headers):
    before = _legacy_key(live, app)
    r = post(live, f"/apps/{app.name}/legacy-key", {"key": "attacker-chosen-key-123"}, headers=headers,
             allow_redirects=False)
    assert r.status_code == 403 and "another origin" in r.text
    assert _legacy_key(live, app) == before


@pytest.mark.store_agnostic
@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "same-origin"},
    {},  # not a browser: requests, curl
])
def test_a_form_posted_from_the_inspector_itself_works(live, app, headers):
    given = {**headers, "Origin": live.url} if headers else {}
    r = post(live, f"/apps/{app.name}/legacy-key", {"key": f"own-key-{app.name}"}, headers=given)
    assert r.status_code == 200 and "the legacy key is now own-key" in r.text
    assert _legacy_key(live, app).startswith("own-key")
    assert r.headers["X-Frame-Options"] == "SAMEORIGIN"  # and no other origin frames the page


@pytest.mark.store_agnostic
@pytest.mark.parametrize("next_", ["/\t/evil.example/phish", "/\n/evil.example", "/\\evil.example", "//evil.example",
                                   "http://evil.example/", "https:evil.example", " //evil.example", "/crm/rest/v1"])
def test_a_sign_in_leads_only_to_an_inspector_page(live, next_):
    r = ui(live, "/login", params={"next": next_}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/sandbox/ui/"


@pytest.mark.store_agnostic
def test_a_sign_in_leads_to_the_inspector_page_it_names(live, app):
    wanted = f"/sandbox/ui/apps/{app.name}/outbox?kind=email"
    r = ui(live, "/login", params={"next": wanted}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == wanted


BEYOND = 99999999999999999999  # past int64 as well as the store's 32-bit columns


@pytest.mark.parametrize("path", [f"/contacts/{BEYOND}", f"/campaigns/{BEYOND}", f"/broadcasts/{BEYOND}",
                                  f"/clock/advances/{BEYOND}", f"/fulfillment/{BEYOND}.csv",
                                  "/broadcasts/9223372036854775808", f"/outbox/{BEYOND}", f"/outbox/{BEYOND}/html",
                                  f"/journal/{BEYOND}", "/contacts/2147483648"])
def test_a_page_for_an_id_past_the_stores_integers_is_a_404_page(live, app, path):
    r = ui(live, f"/apps/{app.name}{path}")
    assert r.status_code == 404 and "<html" in r.text, r.text[:300]


@pytest.mark.parametrize("path", ["/outbox/{}/outcome", "/fulfillment/{}/complete", "/broadcasts/{}/cancel",
                                  "/campaigns/{}/publish", "/api-keys/{}/revoke", "/users/{}/password",
                                  "/faults/{}/delete"])
def test_an_action_on_an_id_past_the_stores_integers_is_a_404_page(live, app, path):
    r = post(live, f"/apps/{app.name}{path.format(BEYOND)}", {"outcome": "delivered", "action": "expire"})
    assert r.status_code == 404 and "<html" in r.text, r.text[:300]


def test_an_invitation_accepted_for_a_user_id_past_the_stores_integers_is_refused(live, app):
    r = post(live, f"/apps/{app.name}/users/accept", {"user_id": str(BEYOND)})
    assert r.status_code == 200 and notice(r) == f"no user {BEYOND}"  # the control API's refusal, on the page


def test_a_contacts_page_past_the_stores_integers_is_refused(live, app):
    r = ui(live, f"/apps/{app.name}/contacts", params={"page": str(BEYOND)})
    assert r.status_code == 400 and "page must be a whole number from 0 to" in r.text
    assert ui(live, f"/apps/{app.name}/contacts", params={"page": "3"}).status_code == 200
