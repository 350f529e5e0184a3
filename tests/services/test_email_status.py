"""APIEmailService opt-in methods and the status model: status belongs to the address (seed 004). Most tests take
the pytest plugin's ``keap_app``, empty (docs/testing.md)."""
from __future__ import annotations

import pytest

from server.domain.mail import email_status
from server.store import apps
from server.store.db import transaction

pytestmark = pytest.mark.keap_app(seed=False)  # for keap_app: an app with nothing in it


def status_row(app, email):
    rows = app.call("DataService.query", "EmailAddStatus", 10, 0, {"Email": email}, ["Email", "Type"])
    return rows[0]["Type"] if rows else None


def test_a_contact_added_through_the_api_is_non_marketable(keap_app):
    keap_app.call("ContactService.add", {"Email": "new@example.com"})
    assert status_row(keap_app, "new@example.com") == "NonMarketable"
    assert keap_app.call("APIEmailService.getOptStatus", "new@example.com") == 0


def test_opt_in_once_then_refused(keap_app):
    keap_app.call("ContactService.add", {"Email": "ada@example.com"})
    assert keap_app.call("APIEmailService.optIn", "ada@example.com", "Signed up at the desk") is True
    assert keap_app.call("APIEmailService.getOptStatus", "ADA@example.com") == 1
    assert keap_app.call("APIEmailService.optIn", "ada@example.com", "again") is False  # no-op returns false
    assert status_row(keap_app, "ada@example.com") == "SingleOptIn"


def test_opt_out_cannot_be_undone_through_the_api(keap_app):
    assert keap_app.call("APIEmailService.optIn", "bob@example.com", "") is True
    assert keap_app.call("APIEmailService.optOut", "bob@example.com", "asked us to stop") is True
    assert keap_app.call("APIEmailService.getOptStatus", "bob@example.com") == 0
    assert status_row(keap_app, "bob@example.com") == "Manual"
    assert keap_app.call("APIEmailService.optIn", "bob@example.com", "please") is False
    assert keap_app.call("APIEmailService.optOut", "bob@example.com", "") is True  # repeating is harmless
    assert status_row(keap_app, "bob@example.com") == "Manual"


def test_blank_opt_in_reason_is_stored_as_the_real_default(live, empty_app):
    empty_app.call("APIEmailService.optIn", "reason@example.com", "  ")
    with transaction(live.sandbox.engine, write=False) as conn:
        s = live.sandbox.env.session(conn, apps.by_name(conn, empty_app.name))
        assert email_status.row(s, "reason@example.com").reason == "API Opt In"


def test_two_contacts_sharing_an_address_share_its_status(keap_app):
    a = keap_app.call("ContactService.add", {"FirstName": "Pat", "Email": "family@example.com"})
    b = keap_app.call("ContactService.add", {"FirstName": "Sam", "EmailAddress2": "Family@Example.com"})
    assert keap_app.call("APIEmailService.optIn", "family@example.com", "both") is True
    assert keap_app.call("APIEmailService.getOptStatus", "family@example.com") == 1
    assert keap_app.call("APIEmailService.optOut", "FAMILY@example.com", "one of them") is True
    assert keap_app.call("APIEmailService.getOptStatus", "family@example.com") == 0
    found = keap_app.call("ContactService.findByEmail", "family@example.com", ["Id"])
    assert found == [{"Id": a}, {"Id": b}]
    assert keap_app.call("DataService.count", "EmailAddStatus", {"Email": "family@example.com"}) == 1


def test_unknown_and_invalid_addresses(keap_app):
    assert keap_app.call("APIEmailService.getOptStatus", "nobody@example.com") == 0
    assert keap_app.call("APIEmailService.optIn", "not-an-address", "x") is False
    keap_app.call("ContactService.add", {"Email": "broken@"})
    assert status_row(keap_app, "broken@") == "Invalid"


def test_seeded_statuses(app):
    """The seed gives addresses their statuses; shared addresses have one status."""
    rows = app.call("DataService.query", "EmailAddStatus", 1000, 0, {}, ["Email", "Type"])
    emails = [r["Email"].lower() for r in rows]
    assert len(emails) == len(set(emails))
    assert {r["Type"] for r in rows} >= {"SingleOptIn", "NonMarketable"}
