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
                               "methods_with_v2": 1, "methods_with_v1_only": 0, "methods_without_equivalent": 1,
                               "data_tables": 0, "data_table_calls": 0, "data_tables_without_equivalent": 0}
    assert body["tables"] == [] and add["tables"] == []


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


# --- DataService calls by table ------------------------------------------------------------------------------

def _operations(mapping: dict) -> list[str]:
    """A table mapping's operations as ``createNote`` (v2) or ``v1 POST /crm/rest/v1/appointments``."""
    return [o["operation_id"] or f"v1 {o['method']} {o['path']}" for o in mapping["operations"]]


def _the_audit(app) -> None:
    """What the audit made: DataService.query on four tables, DataService.add on ContactAction."""
    for table in ("Invoice", "Job", "ContactAction", "EmailAddStatus"):
        app.call("DataService.query", table, 10, 0, {"Id": "%"}, ["Id"])
    app.call("DataService.add", "ContactAction", {"ContactId": 6, "ActionDescription": "Called back"})


def test_dataservice_calls_are_counted_per_table_with_each_tables_equivalent(app):
    _the_audit(app)
    with pytest.raises(xmlrpc.client.Fault, match="NoTableAccess"):
        app.call("DataService.add", "Invoice", {"ContactId": 6})  # XML-RPC refuses it too: counted, said so
    with pytest.raises(xmlrpc.client.Fault, match="NoTableFound"):
        app.call("DataService.query", "NoSuchTable", 10, 0, {"Id": "%"}, ["Id"])  # counted, with no table
    app.call("DataService.query", "Ticket", 10, 0, {"Id": "%"}, ["Id"])
    app.call("ContactService.load", 6, ["Id"])

    body = report(app)
    calls = by_method(body)
    query = calls[("xmlrpc", "DataService.query")]
    assert query["calls"] == 6
    assert query["mapping"]["operations"][0]["operation_id"] == "listContacts"  # the method's own entry: unchanged
    tables = {t["table"]: t for t in query["tables"]}
    assert set(tables) == {"Invoice", "Job", "ContactAction", "EmailAddStatus", "Ticket", None}
    assert query["tables"][-1]["table"] is None and query["tables"][-1]["mapping"] is None  # the unknown table
    assert all(t["calls"] == 1 for t in query["tables"])
    assert _operations(tables["Invoice"]["mapping"]) == ["listOrders"]
    assert _operations(tables["Job"]["mapping"]) == ["listOrders"]
    assert _operations(tables["EmailAddStatus"]["mapping"]) == ["listEmailAddressStatuses"]
    assert _operations(tables["ContactAction"]["mapping"]) == ["listAllNotes", "listTasks",
                                                               "v1 GET /crm/rest/v1/appointments"]
    assert "note, a task or an appointment" in tables["ContactAction"]["mapping"]["note"]
    ticket = tables["Ticket"]["mapping"]
    assert ticket["target"] == "none" and ticket["operations"] == [] and "not on REST v2" in ticket["no_equivalent"]

    add = calls[("xmlrpc", "DataService.add")]
    assert add["calls"] == 2
    added = {t["table"]: t["mapping"] for t in add["tables"]}
    assert _operations(added["ContactAction"]) == ["createNote", "createTask", "v1 POST /crm/rest/v1/appointments"]
    assert added["ContactAction"]["kind"] == "create" and added["ContactAction"]["target"] == "v2"
    assert added["Invoice"]["target"] == "none" and "NoTableAccess" in added["Invoice"]["no_equivalent"]
    assert calls[("xmlrpc", "ContactService.load")]["tables"] == []  # names no table

    by_table = {t["table"]: t for t in body["tables"]}  # the tables used, and what was called on each
    assert [t["table"] for t in body["tables"]][:2] == ["ContactAction", "Invoice"]  # two calls each, first
    assert set(by_table) == {"ContactAction", "Invoice", "Job", "EmailAddStatus", "Ticket"}
    assert [(m["method"], m["calls"]) for m in by_table["ContactAction"]["methods"]] == [
        ("DataService.add", 1), ("DataService.query", 1)]
    assert by_table["ContactAction"]["calls"] == 2
    assert _operations(by_table["Job"]["methods"][0]["mapping"]) == ["listOrders"]
    summary = body["summary"]
    assert (summary["data_tables"], summary["data_table_calls"], summary["data_tables_without_equivalent"]) == (5, 7, 1)
    assert summary["xmlrpc_methods"] == 3 and summary["xmlrpc_calls"] == 9  # the fields of before, as before


def test_tables_are_counted_at_the_gateway_endpoint_with_a_key_header(app):
    """A call at /crm/xmlrpc/v1 (a Service Account Key in X-Keap-API-Key, and as the key parameter) is counted per
    table like one at /api/xmlrpc."""
    sak = rest_for(app).key
    gateway = xmlrpc.client.ServerProxy(app.live.url + "/crm/xmlrpc/v1", headers=[("X-Keap-API-Key", sak)])
    gateway.DataService.load(sak, "Contact", 6, ["Id"])
    gateway.DataService.count(sak, "Lead", {})
    calls = by_method(report(app))
    load = calls[("xmlrpc", "DataService.load")]
    assert [(t["table"], _operations(t["mapping"])) for t in load["tables"]] == [("Contact", ["getContact"])]
    assert [c["kind"] for c in load["credentials"]] == ["sak"]
    count = calls[("xmlrpc", "DataService.count")]
    assert [(t["table"], _operations(t["mapping"])) for t in count["tables"]] == [("Lead", ["listOpportunities"])]


def test_counters_record_a_served_table_of_a_method_that_names_one(live):
    """The counter's rule: the table of a method declared with one, when DataService serves it; "" otherwise."""
    engine = live.sandbox.engine
    counter = CallCounter(engine, {"DataService.query", "DataService.getAppSetting"}, flush_seconds=0,
                          tabled=frozenset({"DataService.query"}))
    app_id = 10_000_000 + (hash(live.url + "tables") % 1000)
    counter.count(app_id, "xmlrpc", "DataService.query", _Cred, None, 100.0, ["Invoice", 10, 0, {}, []])
    counter.count(app_id, "xmlrpc", "DataService.query", _Cred, None, 150.0, ["Invoice", 10, 0, {}, []])
    counter.count(app_id, "xmlrpc", "DataService.query", _Cred, None, 200.0, ["Nonsense", 10, 0, {}, []])
    counter.count(app_id, "xmlrpc", "DataService.query", _Cred, None, 250.0)  # no overload matched: no args
    counter.count(app_id, "xmlrpc", "DataService.getAppSetting", _Cred, None, 300.0, ["Contact", "optiontypes"])
    counter.flush()
    with transaction(engine, write=False) as conn:
        rows = {(r.method, r.table_name): r.calls for r in legacy_calls.of_app(conn, app_id)}
    with transaction(engine, write=True) as conn:
        legacy_calls.clear(conn, app_id)
    assert rows == {("DataService.query", "Invoice"): 2, ("DataService.query", ""): 2,
                    ("DataService.getAppSetting", ""): 1}


def test_cli_report_shows_the_tables(app):
    from click.testing import CliRunner

    from server.cli import main
    _the_audit(app)
    assert report(app)["tables"]  # reading the report flushes the server's counts to the store
    url = app.live.sandbox.engine.url.render_as_string(hide_password=False)
    done = CliRunner().invoke(main, ["migration", "report", app.name, "--data-dir", str(app.live.data_dir),
                                     "--database-url", url])
    assert done.exit_code == 0, done.output
    out = done.output
    assert "DataService by table: 4 tables, 5 calls" in out
    assert "by table (below): ContactAction×1, EmailAddStatus×1, Invoice×1, Job×1" in out
    lines = out.splitlines()
    invoice = next(line for line in lines if line.startswith("Invoice "))
    assert "DataService.query" in invoice and "listOrders GET /crm/rest/v2/orders" in invoice
    contact_action = [line for line in lines if "DataService.add" in line and "createNote" in line]
    assert contact_action and "v1 POST /crm/rest/v1/appointments" in contact_action[0]
    assert any(line.startswith("ContactAction: a ContactAction row is a note") for line in lines)
