"""Contract: the real PyPI package infusionsoft-client 1.5.1, unmodified, against the live sandbox
(spec clients.md §1.1: recipe A over plain HTTP, recipe B through its documented https-only front door)."""
from __future__ import annotations

import ssl
import xmlrpc.client

import pytest
from werkzeug.serving import make_server

from server.sandbox.tls import ensure_certificate
from tests.conftest import serve_in_thread

pytestmark = pytest.mark.store_agnostic  # the clients' wire shapes; tests/services runs on both stores


@pytest.fixture
def ifs(app):
    from infusionsoft.client import InfusionsoftServerProxy

    return InfusionsoftServerProxy(app.live.url + "/api/xmlrpc", default_args=[app.key], use_builtin_types=True)


def test_recipe_a_contacts_tags_and_queries(ifs, app):
    cid = ifs.ContactService.add({"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@example.com"})
    assert ifs.ContactService.load(cid, ["Id", "FirstName"]) == {"Id": cid, "FirstName": "Ada"}
    assert ifs.ContactService.update(cid, {"Company": "Engines"}) == cid
    assert ifs.ContactService.addWithDupCheck({"Email": "ada@example.com", "FirstName": "Ada"}, "Email") == cid
    assert ifs.ContactService.findByEmail("ada@example.com", ["Id"]) == [{"Id": cid}]
    tag = ifs.DataService.add("ContactGroup", {"GroupName": "Contract"})
    assert ifs.ContactService.addToGroup(cid, tag) is True
    assert ifs.ContactService.removeFromGroup(cid, tag) is True
    rows = ifs.DataService.query("Contact", 10, 0, {"Email": "ada@%"}, ["Id", "FirstName"], "Id", True)
    assert rows == [{"Id": cid, "FirstName": "Ada"}]
    assert ifs.DataService.count("Contact", {"Email": "ada@%"}) == 1
    assert ifs.DataService.findByField("ContactGroup", 10, 0, "GroupName", "Contract", ["Id"]) == [{"Id": tag}]
    company = ifs.DataService.add("Company", {"Company": "Hogwarts"})
    assert ifs.DataService.update("Company", company, {"City": "Boise"}) == company
    assert ifs.DataService.delete("Company", company) is True
    assert ifs.DataService.getAppSetting("Contact", "optiontypes").startswith("Prospect,")
    assert ifs.APIEmailService.optIn("ada@example.com", "contract test") is True
    assert ifs.APIEmailService.getOptStatus("ada@example.com") == 1
    assert ifs.APIEmailService.optOut("ada@example.com", "done") is True
    with pytest.raises(xmlrpc.client.Fault) as exc:
        ifs.ContactService.load(cid, ["given_name"])
    assert exc.value.faultCode == 10


def test_merge_links_custom_fields_and_authenticate_user(ifs, app):
    import hashlib

    keep = ifs.ContactService.add({"FirstName": "Ada", "Email": "ada@example.com"})
    dup = ifs.ContactService.add({"FirstName": "Augusta", "LastName": "Lovelace"})
    tag = ifs.DataService.add("ContactGroup", {"GroupName": "Merged"})
    ifs.ContactService.addToGroup(dup, tag)
    assert ifs.ContactService.merge(keep, dup) is True
    assert ifs.ContactService.load(keep, ["LastName", "Groups"]) == {"LastName": "Lovelace", "Groups": str(tag)}
    with pytest.raises(xmlrpc.client.Fault) as exc:
        ifs.ContactService.load(dup, ["Id"])
    assert exc.value.faultCode == 5

    partner = ifs.DataService.query("LinkedContactType", 10, 0, {"TypeName": "Business Partner"}, ["Id"])[0]["Id"]
    other = ifs.ContactService.add({"FirstName": "Charles"})
    assert ifs.ContactService.linkContacts(keep, other, partner) is True
    assert ifs.ContactService.listLinkedContacts(other) == [
        {"ContactId1": other, "ContactId2": keep, "LinkTypeId": partner}]
    assert ifs.ContactService.unlinkContacts(keep, other, partner) is True
    assert ifs.ContactService.listLinkedContacts(keep) == []

    field = ifs.DataService.addCustomField("Contact", "Engine Count", "WholeNumber", 1)
    assert ifs.DataService.updateCustomField(field, {"Label": "Engines Built"}) is True
    assert ifs.DataService.load("DataFormField", field, ["Label", "Name", "DataType"]) == {
        "Label": "Engines Built", "Name": "EngineCount", "DataType": 12}
    assert ifs.ContactService.update(keep, {"_EngineCount": 2}) == keep
    assert ifs.ContactService.load(keep, ["_EngineCount"]) == {"_EngineCount": 2}

    md5 = hashlib.md5(b"sandbox-admin-1").hexdigest()
    user = ifs.DataService.authenticateUser("morgan.reyes@example.com", md5)
    assert isinstance(user, int)
    with pytest.raises(xmlrpc.client.Fault) as exc:
        ifs.DataService.authenticateUser("morgan.reyes@example.com", "0" * 32)
    assert exc.value.faultCode == 13 and exc.value.faultString.startswith("[FailedLoginAttempt]")
    app.live.control("POST", f"/apps/{app.name}/users/{user}/password", json={"expired": True})
    with pytest.raises(xmlrpc.client.Fault) as exc:
        ifs.DataService.authenticateUser("morgan.reyes@example.com", md5)
    assert exc.value.faultCode == 15


def test_consume_pages_through_a_query(ifs, app):
    from infusionsoft.query import consume

    seeded = ifs.DataService.count("Contact", {})
    rows = list(consume(lambda page, limit: ifs.DataService.query("Contact", limit, page, {"Id": "%"}, ["Id"]),
                        limit=7))
    assert len(rows) == seeded and len({r["Id"] for r in rows}) == seeded


def test_recipe_b_the_documented_https_front_door(app, monkeypatch):
    import infusionsoft

    cert, key = ensure_certificate(app.live.data_dir)
    server = make_server("127.0.0.1", 0, app.live.app, threaded=True, ssl_context=(str(cert), str(key)))
    serve_in_thread(server)
    try:
        context = ssl.create_default_context(cafile=str(cert))
        infusionsoft.initialize(f"https://127.0.0.1:{server.server_port}/api/xmlrpc", app.key,
                                use_builtin_types=True, context=context)
        cid = infusionsoft.ContactService.add({"FirstName": "Ada", "Email": "tls@example.com"})
        assert infusionsoft.ContactService.load(cid, ["FirstName"]) == {"FirstName": "Ada"}
        assert infusionsoft.DataService.echo("over tls") == "over tls"
    finally:
        server.shutdown()
        server.server_close()
