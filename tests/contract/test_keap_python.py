"""Contract: the real PyPI package keap-python 1.3.0, unmodified but for its documented URL class
attributes (spec clients.md §1.2): its own OAuth flow (authorization URL, code exchange, refresh) and its
XML-RPC services over /crm/xmlrpc/v1?access_token=…"""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.store_agnostic  # the clients' wire shapes; tests/services runs on both stores


@pytest.fixture
def keap_client(app, monkeypatch, tmp_path):
    import keap
    import keap.XML
    from keap import Keap

    monkeypatch.chdir(tmp_path)  # nothing is written into the repository
    no_spike_arrest(app)
    monkeypatch.setattr(keap.XML.BaseService, "xmlrpc_url", app.live.url + "/crm/xmlrpc/v1")
    monkeypatch.setattr(Keap, "access_token_url", app.live.url + "/token")
    monkeypatch.setattr(Keap, "authorize_url", app.live.url + "/app/oauth/authorize", raising=False)
    client = Keap(config={"CLIENT_ID": "sandbox-client", "CLIENT_SECRET": "sandbox-client-secret",
                          "REDIRECT_URL": "http://127.0.0.1:9000/callback",
                          "STORAGE_CLASS": "keap.storages.InMemoryStorage"})
    return client


def no_spike_arrest(app) -> None:
    """No OAuth spike arrest (25 calls a second) for ``app``: a test of a client makes more, and the seeded
    "sandbox-client" is every app's, whose windows are its own across the apps it reaches (server.throttle
    .settings), so the calls of the tests just before on the same live server count in them too. The throttle
    has tests of its own (tests/throttle)."""
    answer = app.live.control("PATCH", f"/apps/{app.name}/throttle",
                              json={"profiles": {"current": {"oauth": {"per_second": None}}}})
    assert answer.status_code == 200, answer.text


def _code(app, client) -> str:
    url = client.get_authorization_url(state="contract")
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    approved = app.live.control("POST", "/oauth/authorize", json={
        "client_id": query["client_id"], "redirect_uri": query["redirect_uri"], "state": query["state"],
        "app": app.name}).json()
    return approved["code"]


def test_oauth_flow_and_xml_services(app, keap_client):
    token = keap_client.request_access_token(_code(app, keap_client))
    assert token.access_token and token.refresh_token
    x = keap_client.XML
    cid = x.ContactService.add({"FirstName": "Ada", "Email": "ada@example.com"})
    assert x.ContactService.load(cid, ["FirstName"]) == {"FirstName": "Ada"}
    assert x.ContactService.find_by_email("ada@example.com", ["Id"]) == [{"Id": cid}]
    assert x.DataService.query("Contact", 10, 0, {"Email": "ada@%"}, ["Id", "FirstName"], "Id", True) == [
        {"Id": cid, "FirstName": "Ada"}]
    assert x.DataService.count("Contact", {"Email": "ada@%"}) == 1
    assert x.test_connection() == "yes"
    assert x.EmailService.optin_email("ada@example.com", "keap-python") is True
    assert x.EmailService.get_optin_status("ada@example.com") == 1
    assert app.call("ContactService.load", cid, ["Email"]) == {"Email": "ada@example.com"}

    old = keap_client.token.access_token
    refreshed = keap_client.refresh_access_token()
    assert refreshed.access_token != old
    assert keap_client.XML.ContactService.load(cid, ["FirstName"]) == {"FirstName": "Ada"}


def test_faults_reach_the_client(app, keap_client):
    from keap.exceptions import KeapXMLRPCException

    keap_client.request_access_token(_code(app, keap_client))
    with pytest.raises(KeapXMLRPCException) as exc:
        keap_client.XML.ContactService.load(1, ["given_name"])
    assert "NoFieldFound" in str(exc.value.__dict__) or "NoFieldFound" in str(exc.value)


def test_merge_links_custom_fields_and_authenticate_user(app, keap_client):
    import hashlib

    from keap.exceptions import KeapXMLRPCException

    keap_client.request_access_token(_code(app, keap_client))
    x = keap_client.XML
    keep = x.ContactService.add({"FirstName": "Ada", "Email": "ada@example.com"})
    dup = x.ContactService.add({"FirstName": "Augusta", "LastName": "Lovelace"})
    assert x.ContactService.merge(keep, dup) is True
    assert x.ContactService.load(keep, ["FirstName", "LastName"]) == {"FirstName": "Ada", "LastName": "Lovelace"}

    partner = x.DataService.query("LinkedContactType", 10, 0, {"TypeName": "Business Partner"}, ["Id"],
                                  "Id", True)[0]["Id"]
    other = x.ContactService.add({"FirstName": "Charles"})
    assert x.ContactService.link_contacts(keep, other, partner) is True
    assert x.ContactService.list_linked_contacts(keep) == [
        {"ContactId1": keep, "ContactId2": other, "LinkTypeId": partner}]
    assert x.ContactService.unlink_contacts(other, keep, partner) is True
    assert x.ContactService.list_linked_contacts(other) == []

    field = x.DataService.add_custom_field("Contact", "Favourite Engine", "Text", 1)
    assert x.DataService.update_custom_field(field, {"Label": "Favourite Machine"}) is True
    assert x.DataService.load("DataFormField", field, ["Label"]) == {"Label": "Favourite Machine"}
    with pytest.raises(KeapXMLRPCException) as exc:
        x.DataService.add_custom_field("Nowhere", "Bad", "Text", 1)
    assert (exc.value.errcode, exc.value.errmsg) == (4, "[DatabaseError]Error creating custom field")

    md5 = hashlib.md5(b"sandbox-coach-2").hexdigest()
    user = x.DataService.authenticateUser("devin.okafor@example.com", md5)  # through its __getattr__
    assert isinstance(user, int)
    with pytest.raises(KeapXMLRPCException) as exc:
        x.DataService.authenticateUser("nobody@example.com", md5)
    assert (exc.value.errcode, exc.value.errmsg) == (13, "[FailedLoginAttempt]username not found: nobody@example.com")
    app.live.control("POST", f"/apps/{app.name}/users/{user}/password", json={"expired": True})
    with pytest.raises(KeapXMLRPCException) as exc:
        x.DataService.authenticateUser("devin.okafor@example.com", md5)
    assert exc.value.errcode == 15
