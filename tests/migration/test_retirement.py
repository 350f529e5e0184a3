"""Retirement schedules on the app clock (issue 19 §1), against a live server: a brownout seen by xmlrpc.client as
the clock moves through it (failing, then recovering) on both XML-RPC endpoints, the sunset, the legacy key
refused after its retirement on every endpoint while a PAT goes on, the journal's mark, the control API's
validation, the CLI; and the schedule's arithmetic itself."""
from __future__ import annotations

import json
import xmlrpc.client
from datetime import UTC, datetime

import pytest
import requests

from server.migration.retirement import BROWNOUT, SUNSET, Schedule
from server.migration.retirement_settings import parse
from tests.conftest import fault_of

T0 = "2026-06-01T12:00:00+00:00"


def put(app, body: dict, status: int = 200) -> dict:
    r = app.live.control("PUT", f"/apps/{app.name}/retirement", json=body)
    assert r.status_code == status, r.text
    return r.json()


def pat_of(app) -> str:
    made = app.live.control("POST", f"/apps/{app.name}/api-keys", json={"kind": "pat", "name": "retire"})
    assert made.status_code == 201, made.text
    assert app.live.control("PATCH", f"/apps/{app.name}/throttle", json={"enabled": False}).status_code == 200
    return made.json()["key"]


def gateway_proxy(app, key: str) -> xmlrpc.client.ServerProxy:
    return xmlrpc.client.ServerProxy(app.live.url + "/crm/xmlrpc/v1", headers=[("X-Keap-API-Key", key)])


def journal(app, **query) -> list[dict]:
    r = app.live.control("GET", f"/apps/{app.name}/journal", params=query)
    assert r.status_code == 200, r.text
    return r.json()["entries"]


def test_off_by_default(app):
    body = app.live.control("GET", f"/apps/{app.name}/retirement").json()
    assert body["xmlrpc"] == "on" and body["legacy_keys"] == "working" and body["next_change"] is None
    assert body["settings"]["xmlrpc"] == {"preset": None, "sunset": None, "brownouts": [], "answer": "not_found"}
    assert app.call("DataService.echo", "hi") == "hi"


def test_a_brownout_fails_the_client_then_it_recovers(app):
    app.clock(time=T0, frozen=True)
    pat = pat_of(app)
    state = put(app, {"xmlrpc": {"brownouts": [{"start": "2026-06-01T14:00:00Z", "duration": "PT4H"}]}})
    assert state["xmlrpc"] == "on" and state["next_change"] == "2026-06-01T14:00:00+00:00"
    legacy, gateway = app.proxy(), gateway_proxy(app, pat)
    assert legacy.ContactService.load(app.key, 6, ["Id"]) == {"Id": 6}
    assert gateway.ContactService.load("placeholder", 6, ["Id"]) == {"Id": 6}

    app.clock(action="advance", by="2h30m")  # 14:30, inside the window
    for proxy, key in ((legacy, app.key), (gateway, "placeholder")):
        with pytest.raises(xmlrpc.client.ProtocolError) as failed:
            proxy.ContactService.load(key, 6, ["Id"])
        assert failed.value.errcode == 404
    for path, headers in (("/api/xmlrpc", {}), ("/crm/xmlrpc/v1", {"Authorization": f"Bearer {pat}"})):
        raw = requests.post(app.live.url + path, data=xmlrpc.client.dumps((app.key, "x"), "DataService.echo"),
                            headers={"Content-Type": "text/xml", **headers}, timeout=30)
        assert raw.status_code == 404 and raw.json() == {"fault": {
            "faultstring": f"Unable to identify proxy for host: default and url: {path}",
            "detail": {"errorcode": "messaging.adaptors.http.flow.ApplicationNotFound"}}}
    with pytest.raises(xmlrpc.client.ProtocolError) as failed:  # switched off: even an unknown method is a 404
        legacy.ContactService.nosuch(app.key)
    assert failed.value.errcode == 404
    refused = journal(app, retired="any")
    assert len(refused) == 5 and {e["retired"] for e in refused} == {BROWNOUT}
    assert journal(app, retired="brownout") == refused and journal(app, retired="sunset") == []
    assert app.live.control("GET", f"/apps/{app.name}/journal", params={"retired": "yes"}).status_code == 400
    assert {e["outcome"]["status"] for e in refused} == {404}
    # REST is not XML-RPC: untouched by the brownout
    assert requests.get(app.live.url + "/crm/rest/v1/contacts/6", headers={"X-Keap-API-Key": pat},
                        timeout=30).status_code == 200

    app.clock(action="advance", by="4h")  # 18:30, the window closed at 18:00
    assert legacy.ContactService.load(app.key, 6, ["Id"]) == {"Id": 6}
    assert gateway.ContactService.load("placeholder", 6, ["Id"]) == {"Id": 6}
    assert journal(app, protocol="xmlrpc", count=1)[0]["retired"] is None


def test_the_sunset_switches_both_endpoints_off_with_the_chosen_answer(app):
    app.clock(time=T0, frozen=True)
    pat = pat_of(app)
    put(app, {"xmlrpc": {"sunset": "2026-06-02T00:00:00Z", "answer": "gone"}})
    assert app.call("DataService.echo", "before") == "before"
    app.clock(action="advance", by="1d")
    with pytest.raises(xmlrpc.client.ProtocolError) as failed:
        app.call("DataService.echo", "after")
    assert failed.value.errcode == 410
    with pytest.raises(xmlrpc.client.ProtocolError) as failed:
        gateway_proxy(app, pat).DataService.echo("x", "after")
    assert failed.value.errcode == 410
    assert journal(app, count=1)[0]["retired"] == SUNSET
    counted = app.live.control("GET", f"/apps/{app.name}/migration").json()["calls"]
    assert [(c["method"], c["calls"]) for c in counted] == [("DataService.echo", 3)]  # refused calls count too
    state = app.live.control("GET", f"/apps/{app.name}/retirement").json()
    assert state["xmlrpc"] == SUNSET and state["next_change"] is None
    put(app, {})  # off again
    assert app.call("DataService.echo", "back") == "back"


def test_a_retired_legacy_key_is_refused_everywhere_while_a_pat_works(app):
    app.clock(time=T0, frozen=True)
    pat = pat_of(app)
    put(app, {"legacy_keys": {"retired": "2026-06-01T13:00:00Z"}})
    v1, v2 = app.live.url + "/crm/rest/v1/contacts/6", app.live.url + "/crm/rest/v2/contacts/6"
    legacy_header = {"X-Keap-API-Key": app.key}
    assert app.call("ContactService.load", 6, ["Id"]) == {"Id": 6}
    assert requests.get(v1, headers=legacy_header, timeout=30).status_code == 200

    app.clock(action="advance", by="1h")
    with pytest.raises(xmlrpc.client.Fault) as refused:
        app.call("ContactService.load", 6, ["Id"])
    assert fault_of(refused) == (2, "[InvalidKey]Invalid Key")
    for url in (v1, v2, app.live.url + "/crm/xmlrpc/v1"):
        r = requests.request("POST" if "xmlrpc" in url else "GET", url, headers=legacy_header, timeout=30,
                             data=xmlrpc.client.dumps(("x", 6, ["Id"]), "ContactService.load") if "xmlrpc" in url
                             else None)
        assert r.status_code == 401, (url, r.text)
        assert r.json() == {"fault": {"faultstring": "Invalid ApiKey",
                                      "detail": {"errorcode": "oauth.v2.InvalidApiKey"}}}
    entries = journal(app, credential="legacy_key")
    assert [e["retired"] for e in entries[:4]] == ["legacy_key"] * 4

    for headers in ({"X-Keap-API-Key": pat}, {"Authorization": f"Bearer {pat}"}):
        assert requests.get(v1, headers=headers, timeout=30).json()["id"] == 6
        assert requests.get(v2, headers=headers, timeout=30).json()["id"] == "6"
    assert gateway_proxy(app, pat).ContactService.load("placeholder", 6, ["Id"]) == {"Id": 6}


def test_the_keap_2026_preset(app):
    state = put(app, {"xmlrpc": {"preset": "keap-2026",
                                 "brownouts": [{"start": "2026-03-10T19:00:00Z", "duration": 7200}]}})
    assert state["sunset"] == "2027-01-01T00:00:00+00:00"
    first = state["brownouts"][0]  # the user's window overlapping the preset's first is merged into it
    assert first == {"start": "2026-03-10T16:00:00+00:00", "end": "2026-03-10T21:00:00+00:00"}
    assert len(state["brownouts"]) == 7 and state["brownouts"][-1]["start"].startswith("2026-09-18")
    app.clock(time="2026-09-19T15:00:00+00:00", frozen=True)  # 23 hours into the 48-hour brownout
    with pytest.raises(xmlrpc.client.ProtocolError):
        app.call("DataService.echo", "x")
    app.clock(time="2026-12-31T23:00:00+00:00", frozen=True)
    assert app.call("DataService.echo", "last hour") == "last hour"
    app.clock(action="advance", by="1h")
    with pytest.raises(xmlrpc.client.ProtocolError):
        app.call("DataService.echo", "x")


@pytest.mark.parametrize("body, field", [
    ({"xmlrpc": {"preset": "keap-2027"}}, "xmlrpc.preset"),
    ({"xmlrpc": {"brownouts": [{"start": "2026-03-10T16:00:00Z", "duration": 0}]}}, "xmlrpc.brownouts.0.duration"),
    ({"xmlrpc": {"brownouts": [{"start": "soon", "duration": 60}]}}, "xmlrpc.brownouts.0.start"),
    ({"xmlrpc": {"answer": "teapot"}}, "xmlrpc.answer"),
    ({"legacy_keys": {"retired": "2026-02-30"}}, "legacy_keys.retired"),
    ({"legacy": {}}, "legacy"),
    # windows past datetime's end were stored, then every call to the app was a 500 (audit-control finding 1)
    ({"xmlrpc": {"brownouts": [{"start": "2026-01-01T00:00:00Z", "duration": "P999999999D"}]}},
     "xmlrpc.brownouts.0.duration"),
    ({"xmlrpc": {"brownouts": [{"start": "9999-12-31T00:00:00Z", "duration": "P30D"}]}}, "xmlrpc.brownouts.0.start"),
    ({"xmlrpc": {"sunset": "9999-12-31T23:59:59Z"}}, "xmlrpc.sunset"),
    ({"legacy_keys": {"retired": "0001-01-01T00:00:00+01:00"}}, "legacy_keys.retired"),
])
def test_bad_settings_are_a_400_naming_the_field(app, body, field):
    r = app.live.control("PUT", f"/apps/{app.name}/retirement", json=body)
    assert r.status_code == 400, r.text
    assert field in [f["field"] for f in r.json()["fields"]]
    assert app.live.control("GET", f"/apps/{app.name}/retirement").json()["settings"]["xmlrpc"]["preset"] is None


def test_a_refused_schedule_leaves_the_app_working(app):
    put(app, {"xmlrpc": {"brownouts": [{"start": "2026-01-01T00:00:00Z", "duration": "P999999999D"}]}}, status=400)
    assert "retirement" not in app.live.control("GET", f"/apps/{app.name}").json()["options"]
    assert app.call("DataService.echo", "still on") == "still on"
    assert app.live.control("GET", f"/apps/{app.name}/retirement").status_code == 200


def test_a_schedule_stored_unchecked_switches_nothing_off_and_reads_back(app):
    """A schedule stored before the writers checked every moment: the gate, the control API and the CLI read it
    without failing, and say it is not valid."""
    from click.testing import CliRunner

    from server.cli import main
    from server.store import apps
    from server.store.db import transaction

    engine = app.live.sandbox.engine
    with transaction(engine, write=True) as conn:
        record = apps.by_name(conn, app.name)
        apps.update(conn, record.id, options={**record.options, "retirement": {"xmlrpc": {"brownouts": [
            {"start": "2026-01-01T00:00:00Z", "duration": "P999999999D"}]}}})
    assert app.call("DataService.echo", "on") == "on"
    state = app.live.control("GET", f"/apps/{app.name}/retirement").json()
    assert state["xmlrpc"] == "on" and "xmlrpc.brownouts.0.duration" in state["invalid"]
    common = ["--data-dir", str(app.live.data_dir), "--database-url",
              engine.url.render_as_string(hide_password=False)]
    shown = CliRunner().invoke(main, ["migration", "schedule", app.name, *common])
    assert shown.exit_code == 0 and "not valid" in shown.output, shown.output
    changed = CliRunner().invoke(main, ["migration", "schedule", app.name, "--answer", "gone", *common])
    assert changed.exit_code == 0, changed.output
    assert "invalid" not in app.live.control("GET", f"/apps/{app.name}/retirement").json()


def test_cli_refuses_a_window_past_datetime(app):
    from click.testing import CliRunner

    from server.cli import main
    url = app.live.sandbox.engine.url.render_as_string(hide_password=False)
    done = CliRunner().invoke(main, ["migration", "schedule", app.name, "--brownout",
                                     "2026-01-01T00:00Z/P999999999D", "--data-dir", str(app.live.data_dir),
                                     "--database-url", url])
    assert done.exit_code == 1 and "xmlrpc.brownouts.0.duration" in done.output, done.output
    assert done.exception is None or isinstance(done.exception, SystemExit)
    assert "retirement" not in app.live.control("GET", f"/apps/{app.name}").json()["options"]


def test_unknown_app_is_404(live):
    assert live.control("GET", "/apps/no-such-app/retirement").status_code == 404
    assert live.control("PUT", "/apps/no-such-app/retirement", json={}).status_code == 404


def test_cli_schedule(app):
    from click.testing import CliRunner

    from server.cli import main
    url = app.live.sandbox.engine.url.render_as_string(hide_password=False)
    common = ["--data-dir", str(app.live.data_dir), "--database-url", url]
    done = CliRunner().invoke(main, ["migration", "schedule", app.name, "--preset", "keap-2026",
                                     "--brownout", "2026-12-01T00:00:00Z/PT1H", "--legacy-keys-retired",
                                     "2025-03-31T00:00:00Z", *common])
    assert done.exit_code == 0, done.output
    assert "preset keap-2026" in done.output and "brownout 2026-12-01T00:00:00+00:00 to 2026-12-01T01:00:00" \
        in done.output
    state = app.live.control("GET", f"/apps/{app.name}/retirement").json()
    assert state["settings"]["xmlrpc"]["preset"] == "keap-2026" and len(state["brownouts"]) == 8
    done = CliRunner().invoke(main, ["migration", "schedule", app.name, "--sunset", "none", "--json", *common])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["settings"]["legacy_keys"]["retired"] == "2025-03-31T00:00:00Z"
    done = CliRunner().invoke(main, ["migration", "schedule", app.name, "--brownout", "tomorrow", *common])
    assert done.exit_code != 0 and "START/DURATION" in done.output
    done = CliRunner().invoke(main, ["migration", "schedule", app.name, "--off", *common])
    assert done.exit_code == 0 and "XML-RPC on, legacy keys working" in done.output
    assert "retirement" not in app.live.control("GET", f"/apps/{app.name}").json()["options"]


def test_schedule_arithmetic():
    s = Schedule.of(parse({"xmlrpc": {"preset": "keap-2026", "brownouts": [
        {"start": "2026-05-01T00:00:00-07:00", "duration": "PT1H"}]}, "legacy_keys": {"retired": "2025-03-31"}}))
    at = lambda text: datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()  # noqa: E731
    assert s.xmlrpc_off(at("2026-03-10T15:59:59")) is None
    assert s.xmlrpc_off(at("2026-03-10T16:00:00")) == BROWNOUT
    assert s.xmlrpc_off(at("2026-03-10T19:59:59")) == BROWNOUT
    assert s.xmlrpc_off(at("2026-03-10T20:00:00")) is None
    assert s.xmlrpc_off(at("2026-05-01T07:30:00")) == BROWNOUT  # the user's window, given in -07:00
    assert s.xmlrpc_off(at("2026-12-31T23:59:59")) is None
    assert s.xmlrpc_off(at("2027-01-01T00:00:00")) == SUNSET
    assert not s.legacy_key_retired(at("2025-03-30T23:59:59")) and s.legacy_key_retired(at("2025-03-31T00:00:00"))
    assert Schedule.of(parse({})).xmlrpc_off(at("2030-01-01T00:00:00")) is None


def test_the_documented_rehearsal_runs(app):
    import re
    import subprocess
    import sys

    from tests.migration.test_docs_example import DOC
    text = DOC.read_text()
    section = text[text.index("## Rehearse the retirement"):]
    (block,) = re.findall(r"```python\n(.*?)```", section[:section.index("\n## ", 1)], re.S)
    code = (block.replace("http://127.0.0.1:8000", app.live.url).replace("/apps/sandbox", f"/apps/{app.name}")
            .replace("<the app's legacy key>", app.key))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["before", "404", "after"]


def test_app_json_options_give_new_apps_a_schedule(live, tmp_path):
    import uuid

    from server.sandbox.seeding import bootstrap
    (tmp_path / "app.json").write_text(json.dumps({"options": {"retirement": {
        "xmlrpc": {"sunset": "2026-06-01T00:00:00Z"}, "legacy_keys": {"retired": "2026-07-01T00:00:00Z"}}}}))
    record = bootstrap.create_app_record(live.sandbox.env, f"json{uuid.uuid4().hex[:8]}", seed_dir=tmp_path)
    state = live.control("GET", f"/apps/{record.name}/retirement").json()
    assert state["sunset"] == "2026-06-01T00:00:00+00:00"
    assert state["settings"]["legacy_keys"]["retired"] == "2026-07-01T00:00:00Z"
    assert live.control("POST", f"/apps/{record.name}/clock", json={"time": T0, "frozen": True}).status_code == 200
    with pytest.raises(xmlrpc.client.ProtocolError):
        xmlrpc.client.ServerProxy(live.url + "/api/xmlrpc").DataService.echo(record.legacy_key, "x")

    (tmp_path / "app.json").write_text(json.dumps({"options": {"retirement": {"xmlrpc": {"sunset": "later"}}}}))
    with pytest.raises(ValueError, match="retirement.xmlrpc.sunset"):
        bootstrap.create_app_record(live.sandbox.env, f"json{uuid.uuid4().hex[:8]}", seed_dir=tmp_path)


def test_sak_and_oauth_go_on_after_the_legacy_key_is_retired(live, app):
    from tests.auth.test_oauth import REDIRECT
    from tests.auth.test_oauth_lifecycle import tokens
    client = live.control("POST", "/oauth/clients", json={"name": "Retire", "redirect_uris": [REDIRECT]}).json()
    app.clock(time=T0, frozen=True)
    pat_of(app)  # (turns the throttle off)
    sak = live.control("POST", f"/apps/{app.name}/api-keys", json={"kind": "sak", "name": "retire"}).json()["key"]
    access = tokens(live, client, app)["access_token"]
    put(app, {"legacy_keys": {"retired": T0}})
    with pytest.raises(xmlrpc.client.Fault):
        app.call("DataService.echo", "x")
    for headers in ({"X-Keap-API-Key": sak}, {"Authorization": f"Bearer {sak}"}, {"Authorization": f"Bearer {access}"}):
        assert requests.get(live.url + "/crm/rest/v1/contacts/6", headers=headers, timeout=30).status_code == 200
        assert requests.get(live.url + "/crm/rest/v2/contacts/6", headers=headers, timeout=30).status_code == 200
        proxy = xmlrpc.client.ServerProxy(live.url + "/crm/xmlrpc/v1", headers=list(headers.items()))
        assert proxy.DataService.echo("placeholder", "on") == "on"
