"""The control API fails loudly: unknown or ill-typed body fields and query parameters are a 400 naming them, a
body that is not JSON a 400, a JSON body without a JSON Content-Type a 415 naming the type, and nothing is
stored by a refused request (issue 16, last paragraph; issue 17 §2)."""
from __future__ import annotations

import pytest
import requests

pytestmark = pytest.mark.store_agnostic  # control-API validation and documented recipes


def _fields(r) -> list[str]:
    return [f["field"] for f in r.json().get("fields", [])]


def test_an_unknown_body_field_is_a_400_naming_it_and_changes_nothing(empty_app):
    live, name = empty_app.live, empty_app.name
    before = live.control("GET", f"/apps/{name}/clock").json()
    r = live.control("POST", f"/apps/{name}/clock", json={"action": "freeze", "colour": "red"})
    assert r.status_code == 400 and _fields(r) == ["colour"] and "colour" in r.json()["error"], r.text
    assert r.json()["fields"][0]["problem"] == "unknown field"
    assert live.control("GET", f"/apps/{name}/clock").json()["frozen"] == before["frozen"] is False


@pytest.mark.parametrize("path, body, field", [
    ("/clock", {"rate": "fast"}, "rate"),
    ("/clock", {"frozen": "yes"}, "frozen"),
    ("/clock", {"by": True}, "by"),
    ("/clock", {"action": "warp"}, "action"),
    ("/options", {"engine_mode": 3}, "engine_mode"),
    ("/options", {"engine_mode": "sometimes"}, "engine_mode"),
    ("/options", {"no_such_option": 1}, "no_such_option"),
    ("/throttle", {"legacy": {"bucket_size": "big"}}, "legacy.bucket_size"),
    ("/throttle", {"legacy": {"bucket": 5}}, "legacy.bucket"),
    ("/api-keys", {"kind": "pat", "user_id": "1"}, "user_id"),
    ("/api-keys", {"kind": "admin"}, "kind"),
    ("/legacy-key", {"key": 12345678}, "key"),
    ("/vendor-keys", {"name": ["v"]}, "name"),
    ("/contacts/1/lead-score", {"score": 2.5}, "score"),
    ("/survey-results", {"contact_id": 1, "survey": "S", "answers": []}, "answers"),
    ("/webforms", {"name": "F", "fields": [{"name": "Email", "colour": 1}]}, "fields.0.colour"),
    ("/users/1/password", {"expires_in": "soon"}, "expires_in"),
])
def test_wrong_fields_are_named(empty_app, path, body, field):
    method = "PATCH" if path in ("/options", "/throttle") else "POST"
    r = empty_app.live.control(method, f"/apps/{empty_app.name}{path}", json=body)
    assert r.status_code == 400, r.text
    assert field in _fields(r) and field in r.json()["error"], r.text


def test_every_number_option_has_an_upper_bound(empty_app):
    """Options were taken at 10**30, then broke what read them: /token answered 500 (a token lifetime past
    datetime's range), SearchService a fault 3 (a page size past SQLite's integers) (audit-control finding 4)."""
    from server.store import options

    url = f"/apps/{empty_app.name}/options"
    before = empty_app.live.control("GET", url).json()
    for name, most in options.MAXIMUMS.items():
        for value in (most + 1, 10**30):
            body = {name: [value] if isinstance(options.DEFAULTS[name], list) else value}
            r = empty_app.live.control("PATCH", url, json=body)
            assert r.status_code == 400 and any(f.startswith(name) for f in _fields(r)), (name, r.text)
    r = empty_app.live.control("PATCH", url, json={"hook_retry_delays": [60] * (options.MAX_LIST + 1)})
    assert r.status_code == 400 and _fields(r) == ["hook_retry_delays"], r.text
    assert empty_app.live.control("GET", url).json() == before
    most = {name: [most] if isinstance(options.DEFAULTS[name], list) else most
            for name, most in options.MAXIMUMS.items()}
    r = empty_app.live.control("PATCH", url, json=most)
    assert r.status_code == 200 and all(r.json()[k] == v for k, v in most.items()), r.text


def test_the_longest_token_lifetime_still_gives_a_token(empty_app):
    from server.store import options

    live = empty_app.live
    r = live.control("PATCH", f"/apps/{empty_app.name}/options", json={
        "access_token_lifetime": options.MAXIMUMS["access_token_lifetime"],
        "refresh_token_lifetime": options.MAXIMUMS["refresh_token_lifetime"]})
    assert r.status_code == 200, r.text
    redirect = "http://127.0.0.1:9000/callback"
    code = live.control("POST", "/oauth/authorize", json={"client_id": "sandbox-client", "redirect_uri": redirect,
                                                          "app": empty_app.name}).json()["code"]
    import requests

    token = requests.post(live.url + "/token", timeout=30, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect, "client_id": "sandbox-client",
        "client_secret": "sandbox-client-secret"})
    assert token.status_code == 200 and token.json()["expires_in"] == options.MAXIMUMS["access_token_lifetime"]


def test_a_password_change_that_changes_nothing_is_refused(app):
    """``{}`` answered 200 and changed nothing (audit-control finding 14), as ``POST …/clock {}`` does not."""
    url = f"/apps/{app.name}/users/1/password"
    before = app.live.control("GET", f"/apps/{app.name}/users").json()
    r = app.live.control("POST", url, json={})
    assert r.status_code == 400 and "nothing to change" in r.json()["error"], r.text
    assert app.live.control("GET", f"/apps/{app.name}/users").json() == before
    assert app.live.control("POST", url, json={"expired": False}).status_code == 200


def test_a_missing_required_field_is_named(live):
    r = live.control("POST", "/oauth/clients", json={"name": "No URIs"})
    assert r.status_code == 400 and _fields(r) == ["redirect_uris"], r.text
    r = live.control("POST", "/apps", json={})
    assert r.status_code == 400 and _fields(r) == ["name"], r.text


def test_an_endpoint_without_a_body_refuses_one(empty_app):
    r = empty_app.live.control("POST", f"/apps/{empty_app.name}/engine/run", json={"now": True})
    assert r.status_code == 400 and _fields(r) == ["now"], r.text
    ok = empty_app.live.control("POST", f"/apps/{empty_app.name}/engine/run", json={})
    assert ok.status_code == 200 and "ran" in ok.json()


def test_unknown_and_ill_typed_query_parameters_are_named(empty_app):
    base = f"/apps/{empty_app.name}"
    r = empty_app.live.control("GET", base + "/outbox", params={"kind": "email", "recipient": "x"})
    assert r.status_code == 400 and _fields(r) == ["recipient"], r.text
    r = empty_app.live.control("GET", base + "/enrollments", params={"contact_id": "seven"})
    assert r.status_code == 400 and _fields(r) == ["contact_id"], r.text
    r = empty_app.live.control("GET", base + "/clock", params={"zone": "UTC"})
    assert r.status_code == 400 and _fields(r) == ["zone"], r.text
    assert empty_app.live.control("GET", base + "/outbox", params={"kind": "email", "count": 5}).status_code == 200


def test_a_body_that_is_not_json_or_not_an_object_is_a_400(empty_app):
    url = f"/apps/{empty_app.name}/clock"
    headers = {"Content-Type": "application/json"}
    r = empty_app.live.control("POST", url, data="{by: 5}", headers=headers)
    assert r.status_code == 400 and "not valid JSON" in r.json()["error"], r.text
    r = empty_app.live.control("POST", url, data="[1, 2]", headers=headers)
    assert r.status_code == 400 and "JSON object" in r.json()["error"], r.text


def test_json_without_a_json_content_type_is_a_415_naming_the_type(empty_app):
    url = f"/apps/{empty_app.name}/clock"
    body = b'{"action": "freeze"}'
    for headers in ({"Content-Type": "text/plain"}, {"Content-Type": "application/x-www-form-urlencoded"}, {}):
        r = empty_app.live.control("POST", url, data=body, headers=headers)
        if not headers:  # requests sends no Content-Type for raw bytes
            assert "Content-Type" not in r.request.headers
        assert r.status_code == 415 and "application/json" in r.json()["error"], (headers, r.text)
    assert empty_app.live.control("GET", url).json()["frozen"] is False
    vendor = empty_app.live.control("POST", url, data=body, headers={"Content-Type": "application/merge-patch+json"})
    assert vendor.status_code == 200 and vendor.json()["frozen"] is True


def test_a_campaign_document_takes_json_or_yaml_and_nothing_else(empty_app):
    url = f"/apps/{empty_app.name}/campaigns"
    r = empty_app.live.control("POST", url, data="name: X", headers={"Content-Type": "text/csv"})
    assert r.status_code == 415 and "application/yaml" in r.json()["error"], r.text
    r = empty_app.live.control("POST", url, data="name: X")
    assert r.status_code == 415, r.text
    r = empty_app.live.control("POST", url, json={"name": "X"}, params={"publish": "maybe"})
    assert r.status_code == 400 and _fields(r) == ["publish"], r.text
    assert empty_app.live.control("GET", url).json()["campaigns"] == []


def test_a_path_id_beyond_32_bits_is_a_404_not_a_server_error(empty_app):
    r = empty_app.live.control("GET", f"/apps/{empty_app.name}/campaigns/99999999999999999999")
    assert r.status_code == 404 and "99999999999999999999" in r.json()["error"], r.text


def test_the_app_name_time_zone_and_duration_rules(live, empty_app):
    for body, field in (({"name": "-dash"}, "name"), ({"name": "a" * 64}, "name"), ({"name": "café"}, "name"),
                        ({"name": "tzcheck", "time_zone": "Mars/Olympus"}, "time_zone"),
                        ({"name": "tzcheck", "legacy_api_key": "short"}, "legacy_api_key")):
        r = live.control("POST", "/apps", json=body)
        assert r.status_code == 400 and _fields(r) == [field], (body, r.text)
    assert live.control("GET", "/apps/tzcheck").status_code == 404
    r = empty_app.live.control("POST", f"/apps/{empty_app.name}/clock", json={"by": "5 fortnights"})
    assert r.status_code == 400 and "7d" in r.json()["error"], r.text  # the accepted forms are listed
    r = empty_app.live.control("POST", f"/apps/{empty_app.name}/clock", json={"by": 10**12})
    assert r.status_code == 400 and _fields(r) == ["by"], r.text


def test_a_clock_set_out_of_range_is_a_400(empty_app):
    url = f"/apps/{empty_app.name}/clock"
    for body in ({"time": "9999-12-31T23:00:00"}, {"time": "0001-01-01T00:00:00"}):
        r = empty_app.live.control("POST", url, json=body)
        assert r.status_code == 400, (body, r.text)
    empty_app.clock(time="8999-12-01T00:00:00", frozen=True)
    r = empty_app.live.control("POST", url, json={"by": "90d"})
    assert r.status_code == 400 and "9000" in r.json()["error"], r.text


def test_unknown_routes_and_wrong_methods_answer_in_the_control_shape(empty_app):
    live, key = empty_app.live, {"X-Keap-API-Key": empty_app.key}
    r = live.control("GET", "/no-such-thing")
    assert r.status_code == 404 and set(r.json()) == {"error"} and "/sandbox/no-such-thing" in r.json()["error"]
    r = live.control("DELETE", "/openapi.json")
    assert r.status_code == 405 and set(r.json()) == {"error"}, r.text
    assert "GET" in r.headers["Allow"] and "GET" in r.json()["error"]
    r = requests.post(live.url + "/sandbox/livez", timeout=30)  # a health probe: served by the main application
    assert r.status_code == 405 and set(r.json()) == {"error"} and "GET" in r.headers["Allow"], r.text
    # REST v1's and v2's own refusals, and the inspector's pages, keep their shapes
    for version in ("v1", "v2"):
        r = requests.get(f"{live.url}/crm/rest/{version}/no-such-thing", headers=key, timeout=30)
        assert r.status_code == 404 and "no control API endpoint" not in r.text, (version, r.text)
    page = live.control("GET", "/ui/no-such-page")
    assert page.status_code == 404 and page.headers["Content-Type"].startswith("text/html")


def test_a_refusal_echoes_a_long_value_cut_short(empty_app):
    live, name, big = empty_app.live, empty_app.name, "x" * 100_000
    for path, body in ((f"/apps/{name}/clock", {"time": big}), (f"/apps/{name}/clock", {"by": big}),
                       ("/apps", {"name": big}), ("/apps", {"name": "tz-cut", "time_zone": big})):
        r = live.control("POST", path, json=body)
        assert r.status_code == 400 and len(r.text) < 2000, (path, body.keys(), r.text[:300])
        assert "x" * 80 in r.text and "(100000 characters)" in r.json()["error"], r.text[:300]
    r = live.control("GET", f"/apps/{name}/journal", params={"since": "y" * 5000})
    assert r.status_code == 400 and len(r.text) < 2000 and "since" in r.text, r.text[:300]
    r = live.control("GET", "/" + "z" * 5000)
    assert r.status_code == 404 and len(r.text) < 1000, r.text[:300]
