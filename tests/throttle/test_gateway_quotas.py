"""The gateway's quotas (api.infusionsoft.com): headers on every call, and the over-limit answers of each
profile, on /crm/xmlrpc/v1. Keap API keys count in the "key" regime (10/s, 240/min, 30,000/day)."""
from __future__ import annotations

import xmlrpc.client

import pytest
import requests

from tests.throttle.test_legacy_bucket import throttle

pytestmark = pytest.mark.store_agnostic  # the throttle keeps its state in memory or Redis


def gateway_call(app, method="DataService.echo", *args):
    body = xmlrpc.client.dumps(("backwards-compatability", *(args or ("x",))), method)
    return requests.post(app.live.url + "/crm/xmlrpc/v1", data=body,
                         headers={"X-Keap-API-Key": app.key, "Content-Type": "text/xml"}, timeout=10)


def test_current_profile_headers_count_down(empty_app):
    empty_app.clock(time="2024-03-10T12:00:00", frozen=True)
    first = gateway_call(empty_app)
    second = gateway_call(empty_app)
    assert first.status_code == second.status_code == 200
    h = second.headers
    assert h["x-keap-product-quota-limit"] == "30000"
    assert h["x-keap-product-quota-time-unit"] == "day" and h["x-keap-product-quota-interval"] == "1"
    assert h["x-keap-product-quota-used"] == "2" and h["x-keap-product-quota-available"] == "29998"
    assert first.headers["x-keap-product-quota-available"] == "29999"
    # the daily quota resets at 00:00 UTC: epoch milliseconds of 2024-03-11T00:00:00Z
    assert h["x-keap-product-quota-expiry-time"] == "1710115200000"
    assert h["x-keap-product-throttle-limit"] == "240" and h["x-keap-product-throttle-time-unit"] == "minute"
    assert h["x-keap-product-throttle-used"] == "2" and h["x-keap-product-throttle-available"] == "238"
    assert h["x-keap-tenant-id"] == f"{empty_app.name}.infusionsoft.com"
    assert h["x-keap-tenant-throttle-limit"] == "10000|250000"
    assert h["x-keap-tenant-throttle-time-unit"] == "minute|day"
    assert h["x-keap-tenant-throttle-used"] == "2|2"


def test_the_minute_window_rolls(empty_app):
    empty_app.clock(time="2024-03-10T12:00:00", frozen=True)
    throttle(empty_app, profiles={"current": {"key": {"per_minute": 3, "per_second": None}}})
    for _ in range(3):
        assert gateway_call(empty_app).status_code == 200
    refused = gateway_call(empty_app)
    assert refused.status_code == 429
    assert refused.json() == {"code": "429", "message": "Quota Exceeded", "status": "Request Throttled",
                              "details": None}
    assert "Retry-After" not in refused.headers
    empty_app.clock(by=59)
    assert gateway_call(empty_app).status_code == 429
    empty_app.clock(by=1)  # calls made at t are available again at t + 60 s
    ok = gateway_call(empty_app)
    assert ok.status_code == 200 and ok.headers["x-keap-product-throttle-available"] == "2"


def test_the_spike_arrest_and_retry_after(empty_app):
    empty_app.clock(time="2024-03-10T12:00:00", frozen=True)
    throttle(empty_app, retry_after=True)
    for _ in range(10):
        assert gateway_call(empty_app).status_code == 200
    refused = gateway_call(empty_app)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert refused.json()["fault"]["detail"]["errorcode"] == "policies.ratelimit.SpikeArrestViolation"
    assert "messagesPerPeriod=10" in refused.json()["fault"]["faultstring"]
    empty_app.clock(by=1.01)
    assert gateway_call(empty_app).status_code == 200


def test_the_daily_quota_resets_at_midnight_utc(empty_app):
    empty_app.clock(time="2024-03-10T23:59:00+00:00", frozen=True)
    throttle(empty_app, profiles={"current": {"key": {"per_day": 2, "per_second": None, "per_minute": None}}})
    assert gateway_call(empty_app).status_code == 200
    assert gateway_call(empty_app).status_code == 200
    assert gateway_call(empty_app).status_code == 429
    empty_app.clock(by=61)
    fresh = gateway_call(empty_app)
    assert fresh.status_code == 200 and fresh.headers["x-keap-product-quota-used"] == "1"


def test_the_tenant_ceiling(empty_app):
    empty_app.clock(action="freeze")
    throttle(empty_app, profiles={"current": {"tenant": {"per_minute": 2}}})
    assert gateway_call(empty_app).status_code == 200
    assert gateway_call(empty_app).status_code == 200
    refused = gateway_call(empty_app)
    assert refused.status_code == 429
    state = empty_app.live.control("GET", f"/apps/{empty_app.name}/throttle").json()["gateway"]
    assert state["tenant"]["tenant-minute"]["used"] == 2
    assert state["legacy_key_header"]["throttle"]["used"] == 2  # a refused call counts in no window


def test_classic_profile_speaks_mashery(empty_app):
    empty_app.clock(time="2024-03-10T12:00:00", frozen=True)
    throttle(empty_app, profile="classic")
    ok = gateway_call(empty_app)
    assert ok.status_code == 200
    assert ok.headers["X-Plan-QPS-Allotted"] == "25" and ok.headers["X-Plan-QPS-Current"] == "1"
    assert ok.headers["X-Plan-Quota-Allotted"] == "125000" and ok.headers["X-Plan-Quota-Current"] == "1"
    assert ok.headers["X-Plan-Quota-Reset"] == "Monday, March 11, 2024 12:00:00 AM GMT"
    assert "x-keap-product-quota-limit" not in ok.headers
    for _ in range(24):
        gateway_call(empty_app)
    refused = gateway_call(empty_app)
    assert refused.status_code == 403
    assert refused.headers["X-Mashery-Error-Code"] == "ERR_403_DEVELOPER_OVER_QPS"
    assert refused.text == "<h1>Developer Over Qps</h1>"


def test_gateway_calls_are_not_counted_when_throttling_is_off(empty_app):
    throttle(empty_app, enabled=False)
    r = gateway_call(empty_app)
    assert r.status_code == 200 and "x-keap-product-quota-used" not in r.headers


def test_quotas_are_per_app(live):
    from tests.conftest import make_app

    a, b = make_app(live, seed=False), make_app(live, seed=False)
    for app in (a, b):
        app.clock(action="freeze")
        throttle(app, profiles={"current": {"key": {"per_minute": 1, "per_second": None}}})
    assert gateway_call(a).status_code == 200
    assert gateway_call(a).status_code == 429
    assert gateway_call(b).status_code == 200


def test_a_throttled_xmlrpc_call_is_an_http_429_not_a_fault(empty_app):
    empty_app.clock(action="freeze")
    throttle(empty_app, profiles={"current": {"key": {"per_minute": 1, "per_second": None}}})
    gateway_call(empty_app, "ContactService.add", {"FirstName": "Ada"})
    refused = gateway_call(empty_app, "ContactService.add", {"FirstName": "Bob"})
    assert refused.status_code == 429 and refused.headers["Content-Type"] == "application/json"
    assert empty_app.call("DataService.count", "Contact", {}) == 1  # the refused call changed nothing


def _key(app, kind="pat"):
    r = app.live.control("POST", f"/apps/{app.name}/api-keys", json={"kind": kind})
    assert r.status_code == 201
    return r.json()


def _with_key(app, key):
    body = xmlrpc.client.dumps(("backwards-compatability", "x"), "DataService.echo")
    return requests.post(app.live.url + "/crm/xmlrpc/v1", data=body, timeout=10,
                         headers={"X-Keap-API-Key": key, "Content-Type": "text/xml"})


def test_keap_keys_share_the_apps_daily_quota_and_keep_their_own_minute(live):
    from tests.conftest import make_app

    app, other = make_app(live, seed=False), make_app(live, seed=False)
    for a in (app, other):
        a.clock(time="2024-03-10T12:00:00", frozen=True)
        throttle(a, profiles={"current": {"key": {"per_day": 3, "per_second": None}}})
    pat, sak = _key(app)["key"], _key(app, "sak")["key"]
    _with_key(app, pat)
    second = _with_key(app, pat)
    third = _with_key(app, sak)
    assert third.status_code == 200
    assert third.headers["x-keap-product-quota-used"] == "3"  # the app's keys count together for the day
    assert third.headers["x-keap-product-throttle-used"] == "1"  # ... and each its own minute
    assert second.headers["x-keap-product-throttle-used"] == "2"
    assert _with_key(app, sak).status_code == 429
    assert _with_key(app, app.key).status_code == 429  # the legacy key in the header is one of the app's keys
    assert _with_key(other, _key(other)["key"]).status_code == 200  # another app's keys have their own day


def _oauth_token(live, client, app):
    from tests.auth.test_oauth import REDIRECT, exchange

    approved = live.control("POST", "/oauth/authorize", json={
        "client_id": client["client_id"], "redirect_uri": REDIRECT, "app": app.name}).json()
    return exchange(live, client, approved["code"]).json()["access_token"]


def _with_token(app, token):
    body = xmlrpc.client.dumps(("", "x"), "DataService.echo")
    return requests.post(app.live.url + "/crm/xmlrpc/v1", data=body, timeout=10,
                         headers={"Authorization": f"Bearer {token}", "Content-Type": "text/xml"})


def test_the_throttle_state_shows_every_caller_and_reset_clears_this_apps_share(live):
    from tests.auth.test_oauth import REDIRECT
    from tests.conftest import make_app

    a, b = make_app(live, seed=False), make_app(live, seed=False)
    for app in (a, b):
        app.clock(time="2024-03-10T12:00:00", frozen=True)
        throttle(app, profiles={"current": {"oauth": {"per_second": None}}})
    client = live.control("POST", "/oauth/clients", json={"name": "Shared", "redirect_uris": [REDIRECT]}).json()
    token_a, token_b = _oauth_token(live, client, a), _oauth_token(live, client, b)
    pat = _key(a)
    for _ in range(2):
        assert _with_token(a, token_a).status_code == 200
    for _ in range(3):
        assert _with_token(b, token_b).status_code == 200
    assert _with_key(a, pat["key"]).status_code == 200
    name = f"oauth_client:{client['client_id']}"
    state = live.control("GET", f"/apps/{a.name}/throttle").json()["gateway"]
    assert state[name]["quota"]["used"] == 5 and state[name]["throttle"]["used"] == 5  # counted across apps
    assert state[f"pat:{pat['id']}"]["throttle"]["used"] == 1 and "quota" not in state[f"pat:{pat['id']}"]
    assert state["api_keys"]["quota"]["used"] == 1 and state["tenant"]["tenant-minute"]["used"] == 3
    assert live.control("GET", f"/apps/{b.name}/throttle").json()["gateway"][name]["quota"]["used"] == 5
    reset = live.control("POST", f"/apps/{a.name}/throttle/reset").json()["gateway"]
    assert reset[name]["quota"]["used"] == 3 and reset[name]["throttle"]["used"] == 3  # b's calls still count
    assert reset[f"pat:{pat['id']}"]["throttle"]["used"] == 0 and reset["api_keys"]["quota"]["used"] == 0
    assert reset["tenant"]["tenant-minute"]["used"] == 0
    after = live.control("GET", f"/apps/{b.name}/throttle").json()["gateway"]
    assert after[name]["quota"]["used"] == 3 and after["tenant"]["tenant-minute"]["used"] == 3
    assert _with_token(b, token_b).headers["x-keap-product-quota-used"] == "4"


def test_a_developer_apps_own_throttle(live):
    """Seed 003: OAuth apps are "throttled at the application level and we are able to modify this throttle on a
    per app or per developer basis": a client's own limits replace every app profile's, across its apps."""
    from tests.auth.test_oauth import REDIRECT
    from tests.conftest import make_app

    a, b = make_app(live, seed=False), make_app(live, seed=False)
    for app in (a, b):
        app.clock(time="2024-03-10T12:00:00", frozen=True)
    client = live.control("POST", "/oauth/clients", json={"name": "Tight", "redirect_uris": [REDIRECT]}).json()
    assert client["throttle"] is None
    changed = live.control("PATCH", f"/oauth/clients/{client['client_id']}",
                           json={"throttle": {"per_minute": 3, "per_second": None}})
    assert changed.status_code == 200 and changed.json()["throttle"] == {"per_minute": 3}
    token_a, token_b = _oauth_token(live, client, a), _oauth_token(live, client, b)
    first = _with_token(a, token_a)
    assert first.status_code == 200 and first.headers["x-keap-product-throttle-limit"] == "3"
    assert _with_token(b, token_b).status_code == 200
    assert _with_token(a, token_a).status_code == 200
    assert _with_token(b, token_b).status_code == 429  # its 3 a minute, over both apps
    name = f"oauth_client:{client['client_id']}"
    window = live.control("GET", f"/apps/{a.name}/throttle").json()["gateway"][name]["throttle"]
    assert (window["limit"], window["used"]) == (3, 3)
    other = live.control("POST", "/oauth/clients", json={"name": "Loose", "redirect_uris": [REDIRECT]}).json()
    assert _with_token(a, _oauth_token(live, other, a)).status_code == 200  # another client: the profile's 1,500

    cleared = live.control("PATCH", f"/oauth/clients/{client['client_id']}", json={"throttle": None})
    assert cleared.json()["throttle"] is None
    assert _with_token(a, token_a).headers["x-keap-product-throttle-limit"] == "1500"
    for bad in ({"throttle": {"per_minute": 0}}, {"throttle": {"per_hour": 5}}, {}, {"throttle": {"per_day": "5"}}):
        assert live.control("PATCH", f"/oauth/clients/{client['client_id']}", json=bad).status_code == 400, bad
    assert live.control("PATCH", "/oauth/clients/nobody", json={"throttle": None}).status_code == 404


def test_a_limit_is_a_whole_number_of_calls_or_null(empty_app):
    """docs/throttling.md: a limit set to null is off. 0 read as off too, silently, and 0.5 was cut to a limit
    of 0 that refused every call: both are refused with a 400 naming the field, and the settings stay as they
    were. A decimal that is a whole number is that number."""
    live, path = empty_app.live, f"/apps/{empty_app.name}/throttle"
    for field, value in (("per_minute", 0), ("per_second", 0.5), ("per_day", 1.5), ("per_second", -1)):
        r = live.control("PATCH", path, json={"profiles": {"current": {"key": {field: value}}}})
        where = f"profiles.current.key.{field}"
        assert r.status_code == 400 and r.json()["error"].startswith(where), (field, value, r.text)
        assert [f["field"] for f in r.json()["fields"]] == [where]
    for body, where in (
            ({"profiles": {"current": {"tenant": {"per_minute": 0}}}}, "profiles.current.tenant.per_minute"),
            ({"profiles": {"classic": {"oauth": {"per_day": 0.25}}}}, "profiles.classic.oauth.per_day"),
            ({"legacy": {"bucket_size": 2.5}}, "legacy.bucket_size"),
            ({"legacy": {"max_held": 0.5}}, "legacy.max_held"),
            # past what any simulation needs: the refill's next date overflowed GET …/throttle (audit-control 5)
            ({"legacy": {"refill_ms": 1e308}}, "legacy.refill_ms"),
            ({"legacy": {"hold_timeout_s": 1e308}}, "legacy.hold_timeout_s"),
            ({"legacy": {"bucket_size": 1e308}}, "legacy.bucket_size"),
            ({"profiles": {"current": {"oauth": {"per_second": 1e308}}}}, "profiles.current.oauth.per_second")):
        r = live.control("PATCH", path, json=body)
        assert r.status_code == 400 and r.json()["fields"][0]["field"] == where, r.text
    settings = live.control("GET", path).json()["settings"]["profiles"]["current"]["key"]
    assert settings == {"per_second": 10, "per_minute": 240, "per_day": 30000}

    r = live.control("PATCH", path, json={"profiles": {"current": {"key": {"per_minute": 3.0, "per_second": None}}}})
    assert r.status_code == 200 and r.json()["settings"]["profiles"]["current"]["key"]["per_minute"] == 3
    answers = [gateway_call(empty_app) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].headers["x-keap-product-throttle-limit"] == "3"
