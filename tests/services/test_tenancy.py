"""A key of app A never reads or writes app B."""
from __future__ import annotations

import xmlrpc.client

import pytest

from tests.conftest import make_app


def test_apps_are_isolated(live):
    a, b = make_app(live, seed=False), make_app(live, seed=False)
    a_contact = a.call("ContactService.add", {"FirstName": "Alice", "Email": "shared@example.com"})
    b_contact = b.call("ContactService.add", {"FirstName": "Bob", "Email": "shared@example.com"})
    assert a_contact == b_contact == 1  # each app numbers its own records

    assert a.call("DataService.query", "Contact", 10, 0, {}, ["FirstName"]) == [{"FirstName": "Alice"}]
    assert b.call("DataService.query", "Contact", 10, 0, {}, ["FirstName"]) == [{"FirstName": "Bob"}]

    # email status is per address *within* an app
    assert a.call("APIEmailService.optIn", "shared@example.com", "") is True
    assert b.call("APIEmailService.getOptStatus", "shared@example.com") == 0

    # tags, custom fields, counts
    tag = a.call("DataService.add", "ContactGroup", {"GroupName": "A only"})
    with pytest.raises(xmlrpc.client.Fault):
        b.call("ContactService.addToGroup", b_contact, tag + 1000)
    assert b.call("DataService.count", "ContactGroup", {}) == 0
    assert a.call("DataService.count", "ContactGroup", {}) == 1

    # updates and deletes through B's key cannot touch A's rows
    b.call("ContactService.update", b_contact, {"LastName": "Changed"})
    assert a.call("ContactService.load", a_contact, ["FirstName", "LastName"]) == {"FirstName": "Alice"}
    assert b.call("DataService.delete", "Contact", b_contact) is True
    assert a.call("ContactService.load", a_contact, ["FirstName"]) == {"FirstName": "Alice"}


def test_a_key_selects_exactly_one_app(live):
    a, b = make_app(live, seed=False), make_app(live, seed=False)
    a.call("ContactService.add", {"FirstName": "Alice"})
    proxy = xmlrpc.client.ServerProxy(live.url + "/api/xmlrpc")
    assert proxy.DataService.count(b.key, "Contact", {}) == 0
    assert proxy.DataService.count(a.key, "Contact", {}) == 1
    with pytest.raises(xmlrpc.client.Fault) as exc:
        proxy.DataService.count(a.key + "x", "Contact", {})
    assert exc.value.faultCode == 2
