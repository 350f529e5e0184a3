"""APIEmailService opt-in methods and the status model: status belongs to the address (seed 004)."""
from __future__ import annotations

from server.domain.mail import email_status
from server.store import apps
from server.store.db import transaction


def status_row(app, email):
    rows = app.call("DataService.query", "EmailAddStatus", 10, 0, {"Email": email}, ["Email", "Type"])
    return rows[0]["Type"] if rows else None


def test_a_contact_added_through_the_api_is_non_marketable(empty_app):
    empty_app.call("ContactService.add", {"Email": "new@example.com"})
    assert status_row(empty_app, "new@example.com") == "NonMarketable"
    assert empty_app.call("APIEmailService.getOptStatus", "new@example.com") == 0


def test_opt_in_once_then_refused(empty_app):
    empty_app.call("ContactService.add", {"Email": "ada@example.com"})
    assert empty_app.call("APIEmailService.optIn", "ada@example.com", "Signed up at the desk") is True
    assert empty_app.call("APIEmailService.getOptStatus", "ADA@example.com") == 1
    assert empty_app.call("APIEmailService.optIn", "ada@example.com", "again") is False  # no-op returns false
    assert status_row(empty_app, "ada@example.com") == "SingleOptIn"


def test_opt_out_cannot_be_undone_through_the_api(empty_app):
    assert empty_app.call("APIEmailService.optIn", "bob@example.com", "") is True
    assert empty_app.call("APIEmailService.optOut", "bob@example.com", "asked us to stop") is True
    assert empty_app.call("APIEmailService.getOptStatus", "bob@example.com") == 0
    assert status_row(empty_app, "bob@example.com") == "Manual"
    assert empty_app.call("APIEmailService.optIn", "bob@example.com", "please") is False
    assert empty_app.call("APIEmailService.optOut", "bob@example.com", "") is True  # repeating is harmless
    assert status_row(empty_app, "bob@example.com") == "Manual"


def test_blank_opt_in_reason_is_stored_as_the_real_default(live, empty_app):
    empty_app.call("APIEmailService.optIn", "reason@example.com", "  ")
    with transaction(live.sandbox.engine, write=False) as conn:
        s = live.sandbox.env.session(conn, apps.by_name(conn, empty_app.name))
        assert email_status.row(s, "reason@example.com").reason == "API Opt In"


def test_two_contacts_sharing_an_address_share_its_status(empty_app):
    a = empty_app.call("ContactService.add", {"FirstName": "Pat", "Email": "family@example.com"})
    b = empty_app.call("ContactService.add", {"FirstName": "Sam", "EmailAddress2": "Family@Example.com"})
    assert empty_app.call("APIEmailService.optIn", "family@example.com", "both") is True
    assert empty_app.call("APIEmailService.getOptStatus", "family@example.com") == 1
    assert empty_app.call("APIEmailService.optOut", "FAMILY@example.com", "one of them") is True
    assert empty_app.call("APIEmailService.getOptStatus", "family@example.com") == 0
    found = empty_app.call("ContactService.findByEmail", "family@example.com", ["Id"])
    assert found == [{"Id": a}, {"Id": b}]
    assert empty_app.call("DataService.count", "EmailAddStatus", {"Email": "family@example.com"}) == 1


def test_unknown_and_invalid_addresses(empty_app):
    assert empty_app.call("APIEmailService.getOptStatus", "nobody@example.com") == 0
    assert empty_app.call("APIEmailService.optIn", "not-an-address", "x") is False
    empty_app.call("ContactService.add", {"Email": "broken@"})
    assert status_row(empty_app, "broken@") == "Invalid"


def test_seeded_statuses(app):
    """The seed gives addresses their statuses; shared addresses have one status."""
    rows = app.call("DataService.query", "EmailAddStatus", 1000, 0, {}, ["Email", "Type"])
    emails = [r["Email"].lower() for r in rows]
    assert len(emails) == len(set(emails))
    assert {r["Type"] for r in rows} >= {"SingleOptIn", "NonMarketable"}
