"""Keap API keys (Personal Access Tokens, Service Account Keys) and the legacy key's rotation."""
from __future__ import annotations

import xmlrpc.client

import pytest
from click.testing import CliRunner

from tests.auth.test_oauth import result, xmlrpc_call
from tests.conftest import make_app

pytestmark = pytest.mark.store_agnostic  # credentials are checked in the gate


def new_key(app, kind):
    r = app.live.control("POST", f"/apps/{app.name}/api-keys", json={"kind": kind, "name": f"my {kind}"})
    assert r.status_code == 201
    return r.json()


def test_service_account_and_personal_keys(live, app):
    sak, pat = new_key(app, "sak"), new_key(app, "pat")
    assert sak["key"].startswith("KeapAK-") and len(sak["key"]) == 57
    for key in (sak["key"], pat["key"]):
        cid = result(xmlrpc_call(live, "ContactService.add", "backwards-compatability", {"FirstName": "K"},
                                 headers={"X-Keap-Api-Key": key}))
        assert app.call("ContactService.load", cid, ["FirstName"]) == {"FirstName": "K"}
    as_bearer = xmlrpc_call(live, "DataService.echo", "", "b", token=sak["key"])  # third-party clients do this
    assert result(as_bearer) == "b" and as_bearer.headers["x-keap-product-quota-limit"] == "30000"
    listing = live.control("GET", f"/apps/{app.name}/api-keys").json()["keys"]
    assert [k["kind"] for k in listing] == ["sak", "pat"] and all(sak["key"] not in str(k) for k in listing)
    assert live.control("DELETE", f"/apps/{app.name}/api-keys/{sak['id']}").status_code == 200
    refused = xmlrpc_call(live, "DataService.echo", "", "x", headers={"X-Keap-API-Key": sak["key"]})
    assert refused.status_code == 401 and refused.json()["fault"]["detail"]["errorcode"] == "oauth.v2.InvalidApiKey"
    assert live.control("DELETE", f"/apps/{app.name}/api-keys/{sak['id']}").status_code == 404


def test_a_key_is_bound_to_one_app(live):
    a, b = make_app(live), make_app(live)
    key = new_key(a, "pat")["key"]
    info = result(xmlrpc_call(live, "DataService.getUserInfo", headers={"X-Keap-API-Key": key}))
    assert info["appAlias"] == a.name
    assert b.name not in str(info)


def test_keys_have_their_own_quota_windows(live, app):
    app.clock(action="freeze")
    one, two = new_key(app, "pat")["key"], new_key(app, "sak")["key"]
    xmlrpc_call(live, "DataService.echo", "", "x", headers={"X-Keap-API-Key": one})
    h = xmlrpc_call(live, "DataService.echo", "", "x", headers={"X-Keap-API-Key": two}).headers
    assert h["x-keap-product-throttle-used"] == "1" and h["x-keap-tenant-throttle-used"] == "2|2"


def test_rotating_the_legacy_key_invalidates_the_old_one_at_once(live, app):
    old = app.key
    r = live.control("POST", f"/apps/{app.name}/legacy-key", json={})
    new = r.json()["legacy_api_key"]
    assert r.status_code == 200 and new != old
    with pytest.raises(xmlrpc.client.Fault) as exc:
        xmlrpc.client.ServerProxy(live.url + "/api/xmlrpc").DataService.echo(old, "x")
    assert exc.value.faultCode == 2
    assert xmlrpc.client.ServerProxy(live.url + "/api/xmlrpc").DataService.echo(new, "x") == "x"
    chosen = live.control("POST", f"/apps/{app.name}/legacy-key", json={"key": "my-chosen-key-123"}).json()
    assert chosen["legacy_api_key"] == "my-chosen-key-123"
    assert live.control("POST", f"/apps/{app.name}/legacy-key", json={"key": "short"}).status_code == 400


def _default_key(server) -> str:
    return server.control("GET", "/apps/sandbox").json()["legacy_api_key"]


def test_a_rotated_default_key_survives_a_restart(tmp_path, store_url):
    from tests.conftest import start_server

    server, stop = start_server(tmp_path, store_url)
    try:
        first = _default_key(server)
        assert (tmp_path / "api_key").read_text().strip() == first
        rotated = server.control("POST", "/apps/sandbox/legacy-key", json={}).json()["legacy_api_key"]
        assert (tmp_path / "api_key").read_text().strip() == rotated  # the file follows at once
    finally:
        stop()
    (tmp_path / "api_key").write_text(first + "\n")  # a stale file does not win over the stored key either
    server, stop = start_server(tmp_path, store_url)
    try:
        assert _default_key(server) == rotated
        assert xmlrpc.client.ServerProxy(server.url + "/api/xmlrpc").DataService.echo(rotated, "x") == "x"
    finally:
        stop()
    assert (tmp_path / "api_key").read_text().strip() == rotated
    server, stop = start_server(tmp_path, store_url, api_key="explicit-key-42")  # only an explicit key sets it
    try:
        assert _default_key(server) == "explicit-key-42"
    finally:
        stop()
    assert (tmp_path / "api_key").read_text().strip() == "explicit-key-42"


def test_cli_rotate_key_survives_serve(tmp_path):
    from server.cli import main
    from tests.conftest import start_server

    runner = CliRunner()
    args = ["--data-dir", str(tmp_path)]
    assert runner.invoke(main, ["seed", *args]).exit_code == 0
    assert runner.invoke(main, ["apps", "rotate-key", "sandbox", "--api-key", "cli-rotated-1", *args]).exit_code == 0
    assert (tmp_path / "api_key").read_text().strip() == "cli-rotated-1"
    created = runner.invoke(main, ["apps", "create", "other", "--api-key", "other-key-1", "--no-seed", *args])
    assert created.exit_code == 0
    taken = runner.invoke(main, ["apps", "rotate-key", "sandbox", "--api-key", "other-key-1", *args])
    assert taken.exit_code != 0 and "another app" in taken.output
    server, stop = start_server(tmp_path)
    try:
        assert _default_key(server) == "cli-rotated-1"
    finally:
        stop()


def test_cli_keys_and_clients(tmp_path):
    from server.cli import main

    runner = CliRunner()
    args = ["--data-dir", str(tmp_path)]
    assert runner.invoke(main, ["seed", *args]).exit_code == 0
    made = runner.invoke(main, ["keys", "create", "--kind", "sak", *args])
    assert made.exit_code == 0 and "KeapAK-" in made.output
    listed = runner.invoke(main, ["keys", "list", *args])
    assert "sak" in listed.output and "active" in listed.output
    assert runner.invoke(main, ["keys", "revoke", "1", *args]).exit_code == 0
    assert "revoked" in runner.invoke(main, ["keys", "list", *args]).output
    assert runner.invoke(main, ["keys", "revoke", "1", *args]).exit_code != 0
    created = runner.invoke(main, ["apps", "oauth-clients", "create", "Mine", "--redirect-uri", "http://x/cb", *args])
    assert created.exit_code == 0 and "client_secret" in created.output
    clients = runner.invoke(main, ["apps", "oauth-clients", "list", *args]).output
    assert "sandbox-client" in clients and "Mine" in clients
    rotated = runner.invoke(main, ["apps", "rotate-key", "sandbox", "--api-key", "rotated-key-1", *args])
    assert rotated.exit_code == 0 and "rotated-key-1" in rotated.output


BAD_LEGACY_KEYS = ("short", "has spaces and\nnewline", "xxxxxxxxé", "k" * 201, "abcdefgh\n")


def test_the_cli_and_the_control_api_apply_one_legacy_key_rule(live, tmp_path):
    """8 to 200 visible ASCII characters, without spaces: the CLI refused what the API did not, and neither
    refused a key no X-Keap-API-Key header can carry."""
    from server.cli import main

    runner, args = CliRunner(), ["--data-dir", str(tmp_path)]
    assert runner.invoke(main, ["seed", *args]).exit_code == 0
    app = make_app(live, seed=False)
    for key in BAD_LEGACY_KEYS:
        created = runner.invoke(main, ["apps", "create", "bad-key", "--api-key", key, "--no-seed", *args])
        assert created.exit_code == 2 and "visible ASCII" in created.output, (key, created.output)
        rotated = runner.invoke(main, ["apps", "rotate-key", "sandbox", "--api-key", key, *args])
        assert rotated.exit_code == 2 and "visible ASCII" in rotated.output, (key, rotated.output)
        r = live.control("POST", "/apps", json={"name": "bad-key", "seed": False, "legacy_api_key": key})
        assert r.status_code == 400 and [f["field"] for f in r.json()["fields"]] == ["legacy_api_key"], (key, r.text)
        assert "visible ASCII" in r.json()["error"]
        r = live.control("POST", f"/apps/{app.name}/legacy-key", json={"key": key})
        assert r.status_code == 400 and [f["field"] for f in r.json()["fields"]] == ["key"], (key, r.text)
    good = "Good-key_~!123"
    assert runner.invoke(main, ["apps", "rotate-key", "sandbox", "--api-key", good, *args]).exit_code == 0
    r = live.control("POST", f"/apps/{app.name}/legacy-key", json={"key": good})
    assert r.status_code == 200 and r.json()["legacy_api_key"] == good, r.text
    schema = live.control("GET", "/openapi.json").json()["components"]["schemas"]["LegacyKey"]["properties"]["key"]
    assert "maxLength" in str(schema) and "pattern" in str(schema), schema
