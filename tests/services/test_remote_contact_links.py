"""ContactService.linkContact, locateContactLink and markLinkUpdated: the map from other apps' contacts to this
app's (undocumented; shapes in docs/divergences.md)."""
from __future__ import annotations

import xmlrpc.client

import pytest

from tests.conftest import fault_of


def _events(app, kind: str) -> list[dict]:
    events = app.live.control("GET", f"/apps/{app.name}/events", params={"limit": 1000}).json()["events"]
    return [e for e in events if e["type"] == kind]


def test_link_locate_and_mark_updated(app):
    a = app.call("ContactService.add", {"FirstName": "Remote", "LastName": "One"})
    b = app.call("ContactService.add", {"FirstName": "Remote", "LastName": "Two"})
    link_id = app.call("ContactService.linkContact", "ab123", 4471, a)
    assert isinstance(link_id, int) and link_id > 0
    assert app.call("ContactService.locateContactLink", link_id) == a
    other = app.call("ContactService.linkContact", "ab123", "4472", b)  # ids as numeric strings, as clients send
    assert other != link_id and app.call("ContactService.locateContactLink", other) == b
    # the same remote contact again (app names ignore case): the link now points at b, and keeps its id
    assert app.call("ContactService.linkContact", "AB123", 4471, b) == link_id
    assert app.call("ContactService.locateContactLink", link_id) == b
    assert app.call("ContactService.markLinkUpdated", link_id) is True
    [added, *_] = _events(app, "contact_locate_map.linked")
    assert added["entity_id"] == link_id and added["payload"] == {"contact_id": a, "remote_app": "ab123",
                                                                   "remote_id": 4471}
    [updated] = _events(app, "contact_locate_map.updated")
    assert updated["payload"]["contact_id"] == b


def test_no_such_link_answers_zero_and_false(app):
    assert app.call("ContactService.locateContactLink", 987654) == 0
    assert app.call("ContactService.markLinkUpdated", 987654) is False


@pytest.mark.parametrize("args, fault", [
    (("ab123", 10, 987654), (0, "Failed to invoke method linkContact in class "
                                "com.infusionsoft.api.xmlrpc.XmlRpcContactService: localId must be a valid id")),
    (("  ", 10, None), (12, "[InvalidParameter]remoteApp must name an application")),
    (("ab123", 0, None), (12, "[InvalidParameter]remoteId must be a contact id of the remote application")),
])
def test_link_contact_faults(app, args, fault):
    local = args[2] if args[2] is not None else app.call("ContactService.add", {"FirstName": "L"})
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("ContactService.linkContact", args[0], args[1], local)
    assert fault_of(exc) == fault


def test_links_are_the_app_own(live, app):
    from tests.conftest import make_app

    other = make_app(live)
    cid = app.call("ContactService.add", {"FirstName": "Mine"})
    link_id = app.call("ContactService.linkContact", other.name, 1, cid)
    assert other.call("ContactService.locateContactLink", link_id) == 0


def test_a_merge_moves_links_and_a_delete_drops_them(app):
    keep = app.call("ContactService.add", {"FirstName": "Keep", "Email": "keep@example.com"})
    dup = app.call("ContactService.add", {"FirstName": "Dup", "Email": "dup@example.com"})
    link_id = app.call("ContactService.linkContact", "ab123", 77, dup)
    assert app.call("ContactService.merge", keep, dup) is True
    assert app.call("ContactService.locateContactLink", link_id) == keep
    assert app.call("DataService.delete", "Contact", keep) is True
    assert app.call("ContactService.locateContactLink", link_id) == 0
