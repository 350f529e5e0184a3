"""Near-miss hints (issue 16 §1): a call that fails on a name gets the real fault or error, unchanged; its journal
entry says what was probably meant, and so does an X-Sandbox-Hint header when the app's ``hints`` option is on."""
from __future__ import annotations

import xmlrpc.client

import pytest
import requests

from tests.conftest import fault_of, post_raw
from tests.journal.test_journal import entries
from tests.rest.conftest import rest_for

pytestmark = pytest.mark.store_agnostic  # the journal is in memory or Redis, not in the store


def last_hint(app) -> list[str]:
    return entries(app, count=1)[0]["hint"]


def hints_on(app) -> None:
    r = app.live.control("PATCH", f"/apps/{app.name}/options", json={"hints": True})
    assert r.status_code == 200 and r.json()["hints"] is True


def test_an_unknown_method(app):
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("ContactService.ad", {"FirstName": "Ada"})
    assert fault_of(exc) == (0, "No such handler: ContactService.ad")  # the real fault, unchanged
    assert "ContactService.add" in last_hint(app)[0]
    with pytest.raises(xmlrpc.client.Fault):
        app.call("contactservice.load", 1, ["Id"])
    assert "did you mean ContactService.load" in last_hint(app)[0]
    with pytest.raises(xmlrpc.client.Fault):
        app.call("ContactService.query", "Contact", 10, 0, {}, ["Id"])  # the right method, the wrong service
    assert "DataService.query" in last_hint(app)[0]


def test_a_wrong_arity_lists_the_signatures(app):
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("ContactService.load", 1)
    assert fault_of(exc)[1].startswith("No method matching arguments")
    assert last_hint(app) == ["ContactService.load takes: ContactService.load(key, int, array)"]


def test_an_unknown_table_field_or_custom_field(app):
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("DataService.query", "Contacts", 10, 0, {}, ["Id"])
    assert fault_of(exc) == (9, "[NoTableFound]No table found: Contacts")
    assert "did you mean Contact" in last_hint(app)[0]
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("ContactService.add", {"Firstname": "Ada"})
    assert fault_of(exc)[1] == "[NoFieldFound]No field found: Contact.Firstname"
    assert last_hint(app) == ["no field Contact.Firstname: did you mean FirstName?"]
    header = app.call("DataService.query", "DataFormGroup", 100, 0, {}, ["Id"])[0]["Id"]
    app.call("DataService.addCustomField", "Contact", "Shoe Size", "Text", header)
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("ContactService.add", {"FirstName": "Ada", "_shoesize": "9"})
    assert "_shoesize" in fault_of(exc)[1]
    assert last_hint(app) == ["no field Contact._shoesize: did you mean _ShoeSize?"]


def test_the_hint_header_only_when_the_app_turns_it_on(app):
    body = xmlrpc.client.dumps((app.key, {"FirstName": "Ada"}), "ContactService.ad")
    off = post_raw(app.live, body)
    assert "X-Sandbox-Hint" not in off.headers
    hints_on(app)
    on = post_raw(app.live, body)
    assert on.content == off.content  # the same fault
    assert "ContactService.add" in on.headers["X-Sandbox-Hint"]
    ok = post_raw(app.live, xmlrpc.client.dumps((app.key, "x"), "DataService.echo"))
    assert "X-Sandbox-Hint" not in ok.headers and entries(app, count=1)[0]["hint"] is None


def test_rest_paths_close_to_real_ones_and_the_other_version(app):
    rest = rest_for(app)
    hints_on(app)
    r = rest("GET", "/contact")
    assert r.status_code == 404
    assert "did you mean /contacts" in last_hint(app)[0] and "/contacts" in r.headers["X-Sandbox-Hint"]
    r = rest("GET", "/automationCategory")
    assert r.status_code == 404
    assert last_hint(app) == ["/automationCategory is a REST v2 path: /crm/rest/v2/automationCategory"]
    v2 = requests.get(app.live.url + "/crm/rest/v2/contacts/1/emails", headers={"X-Keap-API-Key": rest.key},
                      timeout=10)
    assert v2.status_code == 404
    assert last_hint(app) == ["/contacts/1/emails is a REST v1 path: /crm/rest/v1/contacts/{contactId}/emails"]
    v2 = requests.get(app.live.url + "/crm/rest/v2/contactz", headers={"X-Keap-API-Key": rest.key}, timeout=10)
    assert v2.status_code == 404 and "did you mean /contacts" in last_hint(app)[0]


def test_unknown_rest_properties(app):
    rest = rest_for(app)
    r = rest("POST", "/contacts", json={"given_nme": "Ada"})
    assert r.status_code == 400
    assert last_hint(app) == ["unknown property given_nme: did you mean given_name?"]
    r = requests.post(app.live.url + "/crm/rest/v2/contacts", json={"given_nme": "Ada"},
                      headers={"X-Keap-API-Key": rest.key}, timeout=10)
    assert r.status_code == 400
    assert last_hint(app) == ["unknown property given_nme: did you mean given_name?"]
