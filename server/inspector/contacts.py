"""Contacts: browse and search by name and email; one contact's fields, custom fields, tags, each address's
email status, notes and tasks, orders, the campaigns and sequences it is in and what is due for it next, and the
messages sent to it. Reads go through the domain (DataService's records, the email statuses) in an app session
of the control API (server.sandbox.control.common.app_session)."""
from __future__ import annotations

from flask import request

from server.domain.crm import contacts as domain_contacts
from server.domain.data import records, searches
from server.domain.errors import SandboxError
from server.domain.mail import email_status, messages
from server.sandbox.control import campaigns as control_campaigns
from server.sandbox.control.common import ControlError, app_session

from .apps import context
from .web import PAGE, Refused, bp, call, model, page_number, render

LISTED = ["Id", "FirstName", "LastName", "Email", "Company", "DateCreated"]
SHOWN = ["Id", "FirstName", "MiddleName", "LastName", "Nickname", "Title", "Suffix", "Email", "EmailAddress2",
         "EmailAddress3", "Phone1", "Phone2", "Company", "JobTitle", "StreetAddress1", "StreetAddress2", "City",
         "State", "PostalCode", "Country", "Birthday", "Anniversary", "ContactType", "LeadSourceId", "OwnerID",
         "ReferralCode", "DateCreated", "LastUpdated"]


def _session(name: str):
    try:
        return app_session(name, write=False)
    except ControlError as exc:
        raise Refused(exc.status, exc.message) from None


@bp.route("/apps/<name>/contacts")
def contacts(name: str):
    ctx = context(name)
    search = request.args.get("q", "").strip()
    number = page_number()
    with _session(name) as s:
        if search:  # any of the names, the email or the company containing the text, by id
            rows = searches.people_containing(s, search, LISTED, limit=PAGE + 1, offset=number * PAGE)
            more = len(rows) > PAGE
            rows = rows[:PAGE]
        else:
            rows = records.query(s, "Contact", PAGE, number, {}, LISTED, "Id")
            more = len(rows) == PAGE
    return render("contacts.html", tab="contacts", contacts=rows, search=search, number=number, more=more, **ctx)


@bp.route("/apps/<name>/contacts/<int:contact_id>")
def contact(name: str, contact_id: int):
    ctx = context(name)
    with _session(name) as s:
        if not domain_contacts.is_contact(s, contact_id):
            raise Refused(404, f"app {name!r} has no contact {contact_id}")
        known = [f for f in SHOWN if f in records.table_named("Contact").fields]
        fields = records.load(s, "Contact", contact_id, known)
        custom_names = sorted(domain_contacts.custom_field_names(s).values())
        custom_fields = [n if n.startswith("_") else f"_{n}" for n in custom_names]
        custom = records.load(s, "Contact", contact_id, custom_fields) if custom_fields else {}
        by_id = {"ContactId": contact_id}
        tags = records.query(s, "ContactGroupAssign", 1000, 0, by_id, ["GroupId", "ContactGroup", "DateCreated"])
        notes = records.query(s, "ContactAction", PAGE + 1, 0, by_id, ["Id", "ActionType", "ActionDescription",
                                                                   "CreationNotes", "ActionDate", "CompletionDate",
                                                                   "ObjectType"], "Id", False)
        orders = records.query(s, "Job", PAGE + 1, 0, by_id, ["Id", "JobTitle", "DateCreated", "OrderStatus",
                                                           "OrderType"], "Id", False)
        sent = messages.list_messages(s, contact_id=contact_id, limit=PAGE + 1, newest=True)
        statuses = []
        for field in ("Email", "EmailAddress2", "EmailAddress3"):
            address = fields.get(field)
            if address:
                try:
                    found = email_status.get_status(s, address)
                except SandboxError:
                    found = None
                statuses.append({"field": field, "email": address, "status": found.token if found else "unknown",
                                 "marketable": found.marketable if found else False})
    query = model(control_campaigns.EnrollmentFilter, {"contact_id": contact_id, "count": PAGE})
    enrolled = call(control_campaigns.enrollments, name=name, query=query)
    campaign_names = {c["id"]: c["name"] for c in call(control_campaigns.list_campaigns, name=name)["campaigns"]}
    # each list its newest PAGE rows (the messages: newest first), and whether there are more
    return render("contact.html", tab="contacts", contact=fields, custom=custom, tags=tags, notes=notes[:PAGE],
                  more_notes=len(notes) > PAGE, orders=orders[:PAGE], more_orders=len(orders) > PAGE,
                  statuses=statuses, enrollments=enrolled["enrollments"], enrollments_next=enrolled.get("next"),
                  campaign_names=campaign_names, messages=sent[:PAGE], more_messages=len(sent) > PAGE,
                  page_size=PAGE, **ctx)
