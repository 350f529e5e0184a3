"""The migration report (GET /sandbox/apps/<app>/migration) against a live server: XML-RPC and legacy-key REST
calls counted per method and credential, joined with the mapping, outliving the journal's ring; and the
counter itself: counts of several processes add up in the store."""
from __future__ import annotations

import json
import xmlrpc.client

import pytest
import requests

from server.migration.counter import CallCounter, rest_shape
from server.store import apps, legacy_calls
from server.store.db import transaction
from tests.rest.conftest import rest_for


def report(app) -> dict:
    r = app.live.control("GET", f"/apps/{app.name}/migration")
    assert r.status_code == 200, r.text
    return r.json()


def by_method(body: dict) -> dict:
    return {(i["protocol"], i["method"]): i for i in body["calls"]}


def test_report_counts_old_api_calls_with_their_mapping(app):
    app.call("ContactService.add", {"FirstName": "Old", "Email": "old@report.test"})
    app.call("ContactService.add", {"FirstName": "Older"})
    app.call("DataService.echo", "hi")
    with pytest.raises(xmlrpc.client.Fault):
        app.call("ContactService.nosuch", 1)  # not served: not counted
    legacy = requests.get(app.live.url + "/crm/rest/v1/contacts/6", headers={"X-Keap-API-Key": app.key}, timeout=30)
    assert legacy.status_code == 200, legacy.text
    rest_for(app).ok("GET", "/contacts/6")  # a Service Account Key: not an old-API call

    body = report(app)
    calls = by_method(body)
    add = calls[("xmlrpc", "ContactService.add")]
    assert add["calls"] == 2
    assert [c["kind"] for c in add["credentials"]] == ["legacy_key"] and add["credentials"][0]["calls"] == 2
    assert add["first_seen"] <= add["last_seen"]
    assert add["mapping"]["operations"][0]["operation_id"] == "createContact"
    assert add["journal_entry"] is not None
    assert calls[("xmlrpc", "DataService.echo")]["mapping"]["target"] == "none"
    assert ("xmlrpc", "ContactService.nosuch") not in calls
    rest = calls[("rest_v1", "GET /crm/rest/v1/contacts/{id}")]
    assert rest["calls"] == 1 and rest["legacy_key"] and rest["mapping"] is None and rest["note"]
    assert len(calls) == 3
    assert body["summary"] == {"xmlrpc_methods": 2, "xmlrpc_calls": 3, "legacy_key_calls": 4,
                               "methods_with_v2": 1, "methods_with_v1_only": 0, "methods_without_equivalent": 1}


def test_counts_outlive_the_journal_and_are_stored(app):
    app.call("ContactService.load", 6, ["FirstName"])
    assert by_method(report(app))[("xmlrpc", "ContactService.load")]["calls"] == 1
    assert app.live.control("DELETE", f"/apps/{app.name}/journal").status_code == 204
    app.call("ContactService.load", 6, ["FirstName"])
    item = by_method(report(app))[("xmlrpc", "ContactService.load")]
    assert item["calls"] == 2  # the first call is gone from the ring, not from the count
    with transaction(app.live.sandbox.engine, write=False) as conn:  # in the store, not only in memory
        stored = legacy_calls.of_app(conn, apps.by_name(conn, app.name).id)
    assert [(r.method, r.calls) for r in stored] == [("ContactService.load", 2)]
    assert app.live.control("DELETE", f"/apps/{app.name}/migration").status_code == 204
    assert report(app)["calls"] == []


def test_unknown_app_is_404(live):
    r = live.control("GET", "/apps/no-such-app/migration")
    assert r.status_code == 404 and "no-such-app" in r.json()["error"]


def test_mapping_endpoint_lists_every_method(live):
    r = live.control("GET", "/migration/mapping")
    assert r.status_code == 200
    methods = {m["method"]: m for m in r.json()["methods"]}
    assert set(methods) == set(live.sandbox.methods.names())


class _Cred:
    kind, identity = "legacy_key", "app:1:legacy"


def test_counters_of_two_processes_add_up(live):
    """Two counters (as two workers) flushing into one store: counts add, first and last seen widen."""
    engine = live.sandbox.engine
    one = CallCounter(engine, {"ContactService.add"}, flush_seconds=0)
    two = CallCounter(engine, {"ContactService.add"}, flush_seconds=0)
    app_id = 10_000_000 + (hash(live.url) % 1000)
    one.count(app_id, "xmlrpc", "ContactService.add", _Cred, None, 100.0)
    one.count(app_id, "xmlrpc", "ContactService.add", _Cred, None, 200.0)
    two.count(app_id, "xmlrpc", "ContactService.add", _Cred, None, 50.0)
    two.count(app_id, "xmlrpc", "ContactService.other", _Cred, None, 50.0)  # not served: not counted
    two.count(app_id, "rest_v2", "GET /crm/rest/v2/contacts/7", _Cred, 200, 300.0)
    one.tick()  # the heartbeat's call: flush_seconds=0, so it flushes now
    two.flush()
    with transaction(engine, write=False) as conn:
        rows = {(r.protocol, r.method): r for r in legacy_calls.of_app(conn, app_id)}
    with transaction(engine, write=True) as conn:
        legacy_calls.clear(conn, app_id)
    add = rows[("xmlrpc", "ContactService.add")]
    assert (add.calls, add.first_seen, add.last_seen) == (3, 50.0, 200.0)
    assert rows[("rest_v2", "GET /crm/rest/v2/contacts/{id}")].calls == 1
    assert len(rows) == 2


def test_rest_shape():
    assert rest_shape("GET /crm/rest/v1/contacts/12/tags/3") == "GET /crm/rest/v1/contacts/{id}/tags/{id}"
    assert rest_shape("POST /crm/rest/v2/tags/5/contacts:applyTags") == "POST /crm/rest/v2/tags/{id}/contacts:applyTags"
    uuid = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
    assert rest_shape(f"GET /crm/rest/v2/files/{uuid}") == "GET /crm/rest/v2/files/{id}"
    assert rest_shape(f"GET /crm/rest/v2/files/{uuid[:-1]}x/12a/²") == f"GET /crm/rest/v2/files/{uuid[:-1]}x/12a/²"


def test_cli_report_table_and_json(app):
    from click.testing import CliRunner

    from server.cli import main
    app.call("ContactService.findByEmail", "nobody@cli.test", ["Id"])
    assert report(app)["calls"]  # reading the report flushes the server's counts to the store
    url = app.live.sandbox.engine.url.render_as_string(hide_password=False)
    common = ["--data-dir", str(app.live.data_dir), "--database-url", url]
    done = CliRunner().invoke(main, ["migration", "report", app.name, *common])
    assert done.exit_code == 0, done.output
    assert "ContactService.findByEmail" in done.output and "listContacts GET /crm/rest/v2/contacts" in done.output
    done = CliRunner().invoke(main, ["migration", "report", app.name, "--json", *common])
    assert done.exit_code == 0, done.output
    body = json.loads(done.output)
    assert [(i["method"], i["calls"]) for i in body["calls"]] == [("ContactService.findByEmail", 1)]
    done = CliRunner().invoke(main, ["migration", "report", "no-such-app", *common])
    assert done.exit_code != 0 and "no-such-app" in done.output
