"""The request journal (issue 16 §1), end to end: real clients call a live server on every protocol, and the
control API shows what they sent and got back, filtered and paged, secrets redacted."""
from __future__ import annotations

import json
import threading
import time
import xmlrpc.client
from datetime import UTC, datetime

import pytest
import requests

from tests.conftest import fault_of, make_app
from tests.rest.conftest import rest_for

pytestmark = pytest.mark.store_agnostic  # the journal is in memory or Redis, not in the store


def journal(app, **params) -> dict:
    r = app.live.control("GET", f"/apps/{app.name}/journal", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def entries(app, **params) -> list[dict]:
    return journal(app, **params)["entries"]


def test_an_xmlrpc_call_is_journaled_with_its_key_redacted(app):
    cid = app.call("ContactService.add", {"FirstName": "Ada", "Password": "hunter2-secret"})
    app.call("ContactService.load", cid, ["FirstName"])
    newest, older = entries(app)[:2]
    assert newest["protocol"] == "xmlrpc" and newest["endpoint"] == "/api/xmlrpc"
    assert newest["method"] == "ContactService.load" and newest["app"] == app.name
    assert newest["request"][1:] == [cid, ["FirstName"]]
    assert newest["outcome"] == {"kind": "ok", "summary": "struct of 1 fields"}
    assert newest["credential"]["kind"] == "legacy_key" and newest["credential"]["secret"].endswith("…")
    assert newest["throttle"] == {"decision": "passed"}
    assert newest["duration_ms"] >= 0 and newest["injected"] is None
    assert datetime.fromisoformat(newest["time"]) and datetime.fromisoformat(newest["wall_time"])
    assert older["method"] == "ContactService.add" and older["outcome"]["summary"] == repr(cid)
    text = json.dumps(journal(app))
    assert app.key not in text and "hunter2-secret" not in text


def test_a_fault_is_journaled_with_its_code_and_string(app):
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("ContactService.load", 999999, ["Id"])
    code, message = fault_of(exc)
    entry = entries(app, count=1)[0]
    assert entry["outcome"] == {"kind": "fault", "fault_code": code, "fault_string": message}


def test_the_gateway_endpoint_is_journaled_with_the_credential(app):
    key = app.live.control("POST", f"/apps/{app.name}/api-keys", json={"kind": "pat", "name": "j"}).json()["key"]
    proxy = xmlrpc.client.ServerProxy(app.live.url + "/crm/xmlrpc/v1",
                                      transport=_HeaderTransport({"X-Keap-API-Key": key}))
    assert proxy.DataService.echo("placeholder", "hello") == "hello"
    entry = entries(app, count=1)[0]
    assert entry["endpoint"] == "/crm/xmlrpc/v1" and entry["method"] == "DataService.echo"
    assert entry["credential"]["kind"] == "pat" and entry["credential"]["id"].startswith("app:")
    assert key not in json.dumps(entry)


class _HeaderTransport(xmlrpc.client.Transport):
    def __init__(self, headers):
        super().__init__()
        self.extra = headers

    def send_headers(self, connection, headers):
        for name, value in self.extra.items():
            connection.putheader(name, value)
        super().send_headers(connection, headers)


def test_a_wrong_key_goes_to_the_unmatched_journal(live):
    live.control("DELETE", "/journal/unmatched")
    proxy = xmlrpc.client.ServerProxy(live.url + "/api/xmlrpc")
    wrong = "wrong-key-0123456789abcdef"
    with pytest.raises(xmlrpc.client.Fault) as exc:
        proxy.ContactService.load(wrong, 1, ["Id"])
    assert fault_of(exc) == (2, "[InvalidKey]Invalid Key")
    r = requests.get(live.url + "/crm/rest/v1/contacts", headers={"Authorization": "Bearer nope-token-123456"},
                     timeout=10)
    assert r.status_code == 401
    found = live.control("GET", "/journal/unmatched").json()["entries"]
    rest, xml = found[0], found[1]
    assert xml["app"] is None and xml["method"] == "ContactService.load"
    assert xml["outcome"]["fault_string"] == "[InvalidKey]Invalid Key"
    assert xml["credential"]["secret"] == "wron…"
    assert rest["protocol"] == "rest_v1" and rest["outcome"]["status"] == 401
    assert rest["credential"]["secret"] == "nope…"
    text = live.control("GET", "/journal/unmatched").text
    assert wrong not in text and "nope-token-123456" not in text
    # the credential filter takes the key itself and matches it on its recorded prefix
    mine = live.control("GET", "/journal/unmatched", params={"credential": wrong}).json()["entries"]
    assert [e["id"] for e in mine] == [xml["id"]]
    one = live.control("GET", f"/journal/unmatched/{xml['id']}")
    assert one.status_code == 200 and one.json()["id"] == xml["id"]
    assert live.control("DELETE", "/journal/unmatched").status_code == 204
    assert live.control("GET", f"/journal/unmatched/{xml['id']}").status_code == 404


def test_rest_v1_requests_are_journaled(app):
    rest = rest_for(app)
    made = rest.ok("POST", "/contacts", status=201, json={"given_name": "Ada", "email_addresses": [
        {"email": "ada@example.com", "field": "EMAIL1"}]})
    rest.ok("GET", f"/contacts/{made['id']}")
    bad = rest("POST", "/contacts", json={"given_name": "Bob", "birth_day": "x"})
    assert bad.status_code == 400
    newest, get, post = entries(app, protocol="rest_v1")[:3]
    assert newest["method"] == "POST /crm/rest/v1/contacts" and newest["outcome"]["status"] == 400
    assert newest["outcome"]["kind"] == "error" and newest["outcome"]["body"] == bad.json()
    assert get["method"] == f"GET /crm/rest/v1/contacts/{made['id']}" and get["outcome"]["status"] == 200
    assert post["request"]["body"]["given_name"] == "Ada" and post["credential"]["kind"] == "sak"
    assert rest.key not in json.dumps(entries(app))


def test_rest_v2_requests_are_journaled(app):
    rest = rest_for(app)
    r = requests.get(app.live.url + "/crm/rest/v2/contacts", params={"page_size": 1},
                     headers={"X-Keap-API-Key": rest.key}, timeout=10)
    assert r.status_code == 200
    entry = entries(app, protocol="rest_v2")[0]
    assert entry["method"] == "GET /crm/rest/v2/contacts" and entry["endpoint"] == "/crm/rest/v2"
    assert entry["request"]["query"] == {"page_size": "1"} and entry["outcome"]["status"] == 200
    assert entry["request"]["body"] is None
    # a read's query is kept as it came and read when the entry is: UTF-8, a repeat's first value, secrets redacted
    r = requests.get(app.live.url + "/crm/rest/v2/contacts?filter=given_name%3D%3DZo%C3%AB&page_size=2&page_size=3"
                                    f"&access_token={rest.key}", headers={"X-Keap-API-Key": rest.key}, timeout=10)
    assert r.status_code == 200
    query = entries(app, protocol="rest_v2")[0]["request"]["query"]
    assert query["filter"] == "given_name==Zoë" and query["page_size"] == "2"
    assert query["access_token"] != rest.key and query["access_token"].endswith("…")
    assert requests.get(app.live.url + "/crm/rest/v2/contacts", headers={"X-Keap-API-Key": rest.key},
                        timeout=10).status_code == 200
    assert entries(app, protocol="rest_v2")[0]["request"] == {"query": None, "body": None}
    missing = requests.get(app.live.url + "/crm/rest/v2/contacts/99999999", headers={"X-Keap-API-Key": rest.key},
                           timeout=10)
    assert missing.status_code == 404
    assert entries(app, protocol="rest_v2", outcome="404")[0]["outcome"]["body"] == missing.json()


def test_the_oauth_token_endpoint_is_journaled_without_its_secrets(live, app):
    from tests.auth.test_oauth import consent, exchange

    client = live.control("POST", "/oauth/clients", json={"name": "J", "redirect_uris": [
        "http://127.0.0.1:9000/callback"]}).json()
    code = consent(live, client, app)["code"]
    tokens = exchange(live, client, code).json()
    refused = requests.post(live.url + "/token", data={"grant_type": "refresh_token", "refresh_token": "bogus-rt",
                                                       "client_id": client["client_id"],
                                                       "client_secret": client["client_secret"]}, timeout=10)
    assert refused.status_code == 400
    entry = entries(app, protocol="oauth")[0]
    assert entry["method"] == "POST /token" and entry["outcome"]["status"] == 200
    assert entry["credential"] == {"kind": "oauth", "id": f"client:{client['client_id']}", "secret": None}
    assert entry["request"]["body"]["grant_type"] == "authorization_code"
    unmatched = live.control("GET", "/journal/unmatched", params={"protocol": "oauth"}).json()["entries"][0]
    assert unmatched["outcome"]["body"]["error"] == "invalid_grant"
    text = json.dumps(entries(app)) + json.dumps(unmatched)
    for secret in (client["client_secret"], code, tokens["access_token"], tokens["refresh_token"], "bogus-rt"):
        assert secret not in text


def test_filters_and_paging(app):
    start = time.time()
    for i in range(5):
        app.call("DataService.echo", f"m{i}")
    with pytest.raises(xmlrpc.client.Fault):
        app.call("ContactService.load", 999999, ["Id"])
    assert [e["request"][1] for e in entries(app, method="DataService.echo")] == [f"m{i}" for i in range(4, -1, -1)]
    assert [e["method"] for e in entries(app, outcome="fault")] == ["ContactService.load"]
    assert len(entries(app, method="*.echo", outcome="ok")) == 5
    assert entries(app, protocol="rest_v2") == []
    assert len(entries(app, since=datetime.fromtimestamp(start - 1, UTC).isoformat())) >= 6
    assert entries(app, since=str(time.time() + 3600)) == []
    assert len(entries(app, credential="legacy_key")) >= 6
    first = journal(app, method="DataService.echo", count=2)
    assert [e["request"][1] for e in first["entries"]] == ["m4", "m3"] and first["count"] == 2
    second = journal(app, method="DataService.echo", count=2, next=first["next"])
    assert [e["request"][1] for e in second["entries"]] == ["m2", "m1"]
    last = journal(app, method="DataService.echo", count=2, next=second["next"])
    assert [e["request"][1] for e in last["entries"]] == ["m0"] and "next" not in last
    for bad in ({"protocol": "soap"}, {"outcome": "meh"}, {"since": "yesterday"}, {"count": "x"},
                {"since": "2026-03-02T08:00:00+99:00"}, {"retired": "maybe"},
                {"since": "nan"}, {"since": "inf"}, {"since": "-inf"}):  # nan was every entry (audit finding 14)
        r = app.live.control("GET", f"/apps/{app.name}/journal", params=bad)
        assert r.status_code == 400 and next(iter(bad)) in r.json()["error"]
        assert [f["field"] for f in r.json()["fields"]] == [next(iter(bad))], r.text  # the one shape of refusals


def test_one_entry_clear_and_reset(app):
    app.call("DataService.echo", "x")
    entry = entries(app, count=1)[0]
    one = app.live.control("GET", f"/apps/{app.name}/journal/{entry['id']}")
    assert one.status_code == 200 and one.json() == entry
    assert app.live.control("GET", f"/apps/{app.name}/journal/0").status_code == 404
    assert app.live.control("DELETE", f"/apps/{app.name}/journal").status_code == 204
    assert entries(app) == []
    app.call("DataService.echo", "y")
    assert app.live.control("POST", f"/apps/{app.name}/reset").status_code == 200
    assert entries(app) == []
    assert app.live.control("GET", "/apps/no-such-app/journal").status_code == 404


def test_apps_have_journals_of_their_own(live):
    a, b = make_app(live, seed=False), make_app(live, seed=False)
    a.call("DataService.echo", "for a")
    assert [e["request"][1] for e in entries(a)] == ["for a"]
    assert entries(b) == []


def test_large_parameters_are_bounded(app):
    app.call("DataService.echo", "z" * 100_000)
    recorded = entries(app, count=1)[0]["request"][1]
    assert recorded.startswith("zzz") and len(recorded) < 1000 and "chars" in recorded


def test_the_ring_keeps_the_last_n_calls(tmp_path):
    from tests.conftest import start_server

    live, stop = start_server(tmp_path, journal_size=3)
    try:
        app = make_app(live, seed=False)
        for i in range(5):
            app.call("DataService.echo", str(i))
        assert [e["request"][1] for e in entries(app)] == ["4", "3", "2"]
    finally:
        stop()


def test_the_throttle_decision_is_journaled(empty_app):
    app = empty_app
    app.clock(time="2024-01-01T00:00:00", frozen=True)
    r = app.live.control("PATCH", f"/apps/{app.name}/throttle", json={"legacy": {"bucket_size": 1, "max_held": 1}})
    assert r.status_code == 200, r.text
    app.call("DataService.echo", "passes")
    held = threading.Thread(target=app.call, args=("DataService.echo", "held"))
    held.start()
    deadline = time.monotonic() + 10
    while app.live.control("GET", f"/apps/{app.name}/throttle").json()["legacy"]["held_calls"] != 1:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    app.clock(by=0.5)
    held.join(10)
    by_param = {e["request"][1]: e["throttle"] for e in entries(app)}
    assert by_param == {"passes": {"decision": "passed"}, "held": {"decision": "held", "ms": 500}}
    held = threading.Thread(target=app.call, args=("DataService.echo", "held again"))
    held.start()
    while app.live.control("GET", f"/apps/{app.name}/throttle").json()["legacy"]["held_calls"] != 1:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    with pytest.raises(xmlrpc.client.Fault):  # a call beyond the bucket's holding room: refused at once
        app.call("DataService.echo", "refused")
    app.clock(by=5)
    held.join(10)
    refused = entries(app, outcome="fault")[0]
    assert refused["throttle"] == {"decision": "refused", "window": "legacy bucket"}


def test_a_gateway_refusal_names_its_window(app):
    rest = rest_for(app, throttle=True)  # a service account key: 10 calls a second (its spike arrest)
    app.clock(time="2024-01-01T00:00:00", frozen=True)
    statuses = [rest("GET", "/contacts", params={"limit": 1}).status_code for _ in range(12)]
    assert 429 in statuses
    refused = entries(app, outcome="429")[0]
    assert refused["throttle"]["decision"] == "refused" and refused["throttle"]["window"]
    assert entries(app, outcome="ok")[0]["throttle"] == {"decision": "passed"}
