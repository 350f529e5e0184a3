"""/contacts: list, create, create-or-update, get, patch, delete, the model and custom fields, a contact's
tags and emails. Every write goes through server.domain.crm.contacts (the code behind ContactService.add /
update and DataService), so both protocols store, read and announce a contact the same way."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from server.domain.crm import contacts as domain
from server.domain.crm import links, origins, social_accounts
from server.domain.crm import tags as tag_domain
from server.domain.data import records
from server.domain.data.query import select_rows
from server.domain.mail import email_status, messages
from server.domain.session import AppSession
from server.tables import FORM_CONTACT

from . import custom, emails, people
from .api import (
    Body,
    Int,
    Paging,
    Query,
    Request,
    Shape,
    asked_for,
    envelope,
    list_shape,
    offering,
    page,
    route,
)
from .errors import bad_request, not_found
from .wire import DateText, DateTimeText, TimeZoneText, in_date, in_datetime, millis, out_date, out_datetime

CONTACT = domain.CONTACT
FORM = FORM_CONTACT

OPTIONAL = ["birthday", "opt_in_reason", "preferred_locale", "website", "notes", "custom_fields", "prefix",
            "origin", "source_type", "time_zone", "suffix", "lead_source_id", "social_accounts", "fax_numbers",
            "relationships", "spouse_name", "contact_type", "company_name", "job_title", "anniversary",
            "preferred_name"]  # GET /contacts/model, 2022 capture [wire S9]

# plain properties <-> Contact fields
PLAIN = {"given_name": "FirstName", "middle_name": "MiddleName", "family_name": "LastName",
         "preferred_name": "Nickname", "prefix": "Title", "suffix": "Suffix", "job_title": "JobTitle",
         "spouse_name": "SpouseName", "website": "Website", "contact_type": "ContactType",
         "time_zone": "TimeZone", "preferred_locale": "Language", "owner_id": "OwnerID",
         "lead_source_id": "LeadSourceId", "notes": "ContactNotes", "company_name": "Company"}
DATES = {"birthday": "Birthday", "anniversary": "Anniversary"}

FIELDS = ["Id", "FirstName", "MiddleName", "LastName", "Nickname", "Title", "Suffix", "JobTitle", "SpouseName",
          "Website", "ContactType", "TimeZone", "Language", "OwnerID", "LeadSourceId", "ContactNotes", "Company",
          "CompanyID", "Birthday", "Anniversary", "Groups", "DateCreated", "LastUpdated",
          *people.COLLECTION_FIELDS["email_addresses"], *people.COLLECTION_FIELDS["phone_numbers"],
          *people.COLLECTION_FIELDS["fax_numbers"], *people.COLLECTION_FIELDS["addresses"]]

ORDERS = {"id": "Id", "date_created": "DateCreated", "last_updated": "LastUpdated", "name": "LastName",
          "firstName": "FirstName", "email": "Email"}


# --- shapes -------------------------------------------------------------------------------------------

class CompanyRef(Body):
    id: Int


class Origin(Body):
    ip_address: str | None = Field(default=None, max_length=origins.MAX_IP_LENGTH)


class SocialAccount(Body):
    name: str = Field(max_length=social_accounts.MAX_NAME)
    type: Literal["Facebook", "Twitter", "LinkedIn", "Instagram", "Snapchat", "YouTube", "Pinterest"]


class Relationship(Body):
    id: Int | None = None
    linked_contact_id: Int
    relationship_type_id: Int


SourceType = Literal[origins.SOURCE_TYPES]


class ContactBody(Body):
    """CreateOrPatchContact [doc S1]."""

    given_name: str | None = None
    middle_name: str | None = None
    family_name: str | None = None
    preferred_name: str | None = None
    prefix: str | None = None
    suffix: str | None = None
    job_title: str | None = None
    spouse_name: str | None = None
    website: str | None = None
    contact_type: str | None = None
    time_zone: TimeZoneText | None = None
    preferred_locale: str | None = None
    notes: str | None = None
    company_name: str | None = None
    owner_id: Int | None = None
    lead_source_id: Int | None = None
    birthday: DateText | None = None
    anniversary: DateText | None = None
    email_addresses: list[people.EmailAddress] | None = None
    phone_numbers: list[people.PhoneNumber] | None = None
    fax_numbers: list[people.FaxNumber] | None = None
    addresses: list[people.Address] | None = None
    company: CompanyRef | Int | None = None  # keap-python sends the bare id (clients.md: the client wins)
    custom_fields: list[custom.CustomFieldValue] | None = None
    opt_in_reason: str | None = None
    source_type: SourceType | None = None
    origin: Origin | None = None
    social_accounts: list[SocialAccount] | None = None
    relationships: list[Relationship] | None = None


class UpsertContactBody(ContactBody):
    duplicate_option: Literal["Email", "EmailAndName"] = "Email"


class CompanyReference(Shape):
    id: int | None = None
    company_name: str | None = None


class ContactShape(Shape):
    id: int
    given_name: str | None = None
    family_name: str | None = None
    middle_name: str | None = None
    email_addresses: list[people.EmailAddressShape] = []
    phone_numbers: list[people.PhoneShape] = []
    addresses: list[people.AddressShape] = []
    tag_ids: list[int] = []
    company: CompanyReference | None = None
    owner_id: int | None = None
    email_opted_in: bool | None = None
    email_status: str | None = None
    ScoreValue: str | None = None
    date_created: str | None = None
    last_updated: str | None = None
    last_updated_utc_millis: int | None = None


ContactList = list_shape("ContactList", "contacts", ContactShape)


class ListContacts(Paging):
    email: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    optional_properties: offering(OPTIONAL) | None = None
    order: Literal["id", "date_created", "last_updated", "name", "firstName", "email"] | None = None
    order_direction: Literal["ASCENDING", "DESCENDING"] | None = None
    since: DateTimeText | None = None
    until: DateTimeText | None = None


class GetContact(Query):
    optional_properties: offering(OPTIONAL) | None = None


class PatchContact(Query):
    update_mask: list[str] | None = None


class TagIds(Body):
    tagIds: list[Int] = Field(min_length=1)  # camelCase on the wire [doc S1]


class Ids(Query):
    ids: list[Int] = Field(min_length=1)


class AppliedTag(Shape):
    tag: dict
    date_applied: str | None = None


ContactTagList = list_shape("ContactTagList", "tags", AppliedTag)


class ListEmails(Paging):
    email: str | None = None


# --- reading ------------------------------------------------------------------------------------------

def contact_json(s: AppSession, row: dict, statuses: dict, optional: set[str], customs: dict,
                 scores: dict[int, int], linked: dict[int, list] | None = None,
                 came_from: dict[int, origins.Origin] | None = None,
                 reasons: dict[str, email_status.Reasoned] | None = None) -> dict:
    clock = s.clock
    opted, status = people.opted_in(statuses, row.get("Email"))
    company = ({"id": row["CompanyID"], "company_name": row.get("Company")}
               if row.get("CompanyID") and row.get("CompanyID") != row["Id"] else None)
    out = {
        "id": row["Id"],
        "given_name": row.get("FirstName"),
        "family_name": row.get("LastName"),
        "middle_name": row.get("MiddleName"),
        "email_addresses": people.emails_of(row),
        "phone_numbers": people.phones_of(row),
        "addresses": people.addresses_of(row),
        "tag_ids": [int(t) for t in (row.get("Groups") or "").split(",") if t.strip()],
        "company": company,
        "owner_id": row.get("OwnerID"),
        "email_opted_in": opted,
        "email_status": status,
        "ScoreValue": str(scores.get(row["Id"], 0)),  # the capture shows "0" for a new contact [wire S9]
        "date_created": out_datetime(row.get("DateCreated"), clock),
        "last_updated": out_datetime(row.get("LastUpdated"), clock),
        "last_updated_utc_millis": millis(row.get("LastUpdated"), clock),
    }
    for prop in OPTIONAL:
        if prop not in optional:
            continue
        if prop in PLAIN:
            out[prop] = row.get(PLAIN[prop])
        elif prop in DATES:
            out[prop] = out_date(row.get(DATES[prop]))
        elif prop == "fax_numbers":
            out[prop] = people.faxes_of(row)
        elif prop == "custom_fields":
            out[prop] = customs.get(row["Id"], [])
        elif prop == "relationships":  # the contact's links (ContactService.linkContacts)
            out[prop] = [{"linked_contact_id": link.other_id, "relationship_type_id": link.link_type_id}
                         for link in (linked or {}).get(row["Id"], [])]
        elif prop == "social_accounts":
            out[prop] = []  # kept (v2 and DataService read them), but v1 does not return them [doc S1]
        elif prop == "origin":  # ContactOrigin: both properties required [doc S1]
            found = (came_from or {}).get(row["Id"])
            out[prop] = ({"ip_address": found.ip_address, "date": out_datetime(found.date, clock)}
                         if found and found.ip_address is not None else None)
        elif prop == "source_type":
            found = (came_from or {}).get(row["Id"])
            out[prop] = found.source_type if found else None
        elif prop == "opt_in_reason":  # the primary address's, while it is opted in
            found = (reasons or {}).get(email_status.key(row["Email"])) if row.get("Email") else None
            out[prop] = found.opt_in_reason if found else None
    return out


def render(s: AppSession, rows: list[dict], optional: set[str]) -> list[dict]:
    reasons = {}
    if "opt_in_reason" in optional:  # the statuses with their reasons, in the one query
        reasons = email_status.reasoned_statuses_of(s, [r.get("Email") for r in rows])
        statuses = {k: found.token for k, found in reasons.items()}
    else:
        statuses = people.email_state(s, rows)
    ids = [r["Id"] for r in rows]
    customs = custom.read(s, FORM, ids) if "custom_fields" in optional else {}
    scores = domain.lead_scores(s, ids)
    linked = links.links_of_contacts(s, ids) if "relationships" in optional else {}
    came_from = origins.of_contacts(s, ids) if optional & {"origin", "source_type"} else {}
    return [contact_json(s, row, statuses, optional, customs, scores, linked, came_from, reasons) for row in rows]


def load(s: AppSession, contact_id: int, optional: set[str] = frozenset()) -> dict:
    rows = select_rows(s, CONTACT, FIELDS, {"Id": contact_id})
    if not rows:
        raise not_found("Contact")
    return render(s, rows, set(optional))[0]


# --- writing ------------------------------------------------------------------------------------------

def to_fields(s: AppSession, body: ContactBody, names: set[str], *, replace: bool) -> dict:
    """Contact fields for the properties ``names`` of ``body``."""
    data: dict[str, Any] = {}
    for prop in names:
        value = getattr(body, prop)
        if prop in PLAIN:
            data[PLAIN[prop]] = value
        elif prop in DATES:
            data[DATES[prop]] = in_date(value)
        elif prop in people.COLLECTION_FIELDS:
            data.update(people.collection_fields(prop, value or [], replace=replace))
        elif prop == "company":
            company_id = value if isinstance(value, int) or value is None else value.id
            data["CompanyID"] = company_id
            if company_id is not None:
                if not domain.is_company(s, company_id):
                    raise bad_request(f"Invalid company id: {company_id}")
                if "company_name" not in names:
                    data["Company"] = domain.company_name(s, company_id)
        elif prop == "custom_fields":
            data.update(custom.to_fields(s, FORM, value or []))
    return data


def _supplied(body: ContactBody, mask: list[str] | None = None) -> set[str]:
    names = set(body.model_fields_set) - {"duplicate_option", "opt_in_reason", "source_type", "origin",
                                          "social_accounts", "relationships"}
    if mask is not None:
        unknown = sorted(set(mask) - set(ContactBody.model_fields))
        if unknown:
            raise bad_request(f"Invalid update_mask: {', '.join(unknown)}")
        names &= set(mask)
    return names


def _require_reachable(body: ContactBody) -> None:
    if not any(e.email for e in body.email_addresses or []) and not any(p.number for p in body.phone_numbers or []):
        raise bad_request("Contact must contain an e-mail address or phone number")  # captured [wire S2]


def _after_write(s: AppSession, contact_id: int, body: ContactBody, mask: list[str] | None = None) -> None:
    if body.opt_in_reason and body.email_addresses:
        people.opt_in_addresses(s, [e.email for e in body.email_addresses], body.opt_in_reason)
    given = {name for name in ("origin", "source_type") if name in body.model_fields_set
             and (mask is None or name in mask)}
    came_from = {}
    if "origin" in given:
        came_from["ip_address"] = body.origin.ip_address if body.origin else None
    if "source_type" in given and body.source_type is not None:  # null leaves the kept one
        came_from["source_type"] = body.source_type
    origins.record(s, contact_id, **came_from)
    if "social_accounts" in body.model_fields_set and (mask is None or "social_accounts" in mask):
        social_accounts.replace(s, contact_id, [social_accounts.SocialAccount(a.name, a.type)
                                                for a in body.social_accounts or []])


def create(s: AppSession, body: ContactBody) -> int:
    _require_reachable(body)
    contact_id = domain.add(s, to_fields(s, body, _supplied(body), replace=False))
    _after_write(s, contact_id, body)
    return contact_id


def _replace_collections(s: AppSession) -> bool:
    return s.app.option("rest_patch_collections") == "replace"


# --- routes -------------------------------------------------------------------------------------------

@route("GET", "/contacts", summary="List contacts", tag="Contact", query=ListContacts, response=ContactList)
def list_contacts(r: Request):
    q: ListContacts = r.query
    optional = asked_for(q.optional_properties, OPTIONAL)
    limit, offset = page(q)
    criteria = {k: v for k, v in (("Email", q.email), ("FirstName", q.given_name), ("LastName", q.family_name))
                if v is not None}
    clock = r.s.clock
    rows, total = domain.rows_updated_between(
        r.s, FIELDS, criteria, since=clock.to_local(in_datetime(q.since)) if q.since else None,
        until=clock.to_local(in_datetime(q.until)) if q.until else None, limit=limit, offset=offset,
        order_by=ORDERS[q.order or "id"], ascending=q.order_direction != "DESCENDING")
    carry = {"email": q.email, "given_name": q.given_name, "family_name": q.family_name, "since": q.since,
             "until": q.until, "order": q.order or "id", "order_direction": q.order_direction}
    return envelope(r, "contacts", render(r.s, rows, optional), total, limit, offset, path="/contacts",
                    carry=carry)


@route("POST", "/contacts", summary="Create a contact", tag="Contact", body=ContactBody, response=ContactShape,
       status=201)
def create_contact(r: Request):
    return load(r.s, create(r.s, r.body))


@route("PUT", "/contacts", summary="Create or update a contact", tag="Contact", body=UpsertContactBody,
       response=ContactShape)
def upsert_contact(r: Request):
    body: UpsertContactBody = r.body
    first = next((e.email for e in body.email_addresses or [] if e.email), None)
    match = None
    if first:
        match = domain.find_duplicate(r.s, {"Email": first, "FirstName": body.given_name,
                                            "LastName": body.family_name}, body.duplicate_option)
    if match is None:
        return load(r.s, create(r.s, body))  # 200 either way [doc S1]
    domain.update(r.s, match, to_fields(r.s, body, _supplied(body), replace=False))
    _after_write(r.s, match, body)
    return load(r.s, match)


@route("GET", "/contacts/model", summary="The contact model: custom fields and optional properties",
       tag="Contact", response=custom.ObjectModel)
def contact_model(r: Request):
    return custom.model(r.s, FORM, OPTIONAL)


@route("POST", "/contacts/model/customFields", summary="Create a contact custom field", tag="Contact",
       body=custom.CreateCustomField, response=custom.CustomFieldMeta, status=201)
def create_contact_custom_field(r: Request):
    return custom.create(r.s, FORM, r.body)


@route("GET", "/contacts/{id}", summary="Get a contact", tag="Contact", query=GetContact, response=ContactShape)
def get_contact(r: Request, id: int):
    return load(r.s, id, asked_for(r.query.optional_properties, OPTIONAL))


@route("PATCH", "/contacts/{contactId}", summary="Update a contact", tag="Contact", query=PatchContact,
       body=ContactBody, response=ContactShape)
def patch_contact(r: Request, contactId: int):
    if not records.exists(r.s, CONTACT, contactId):
        raise not_found("Contact")
    body: ContactBody = r.body
    data = to_fields(r.s, body, _supplied(body, r.query.update_mask), replace=_replace_collections(r.s))
    if data:
        domain.update(r.s, contactId, data)
    _after_write(r.s, contactId, body, r.query.update_mask)
    return load(r.s, contactId)


@route("DELETE", "/contacts/{contactId}", summary="Delete a contact", tag="Contact", status=204)
def delete_contact(r: Request, contactId: int):
    if not records.delete(r.s, "Contact", contactId):
        raise not_found("Contact")  # captured: 404 {"message": "Unable to find this Contact"} [wire S2]


# --- a contact's tags -----------------------------------------------------------------------------------

def require_contact(s: AppSession, contact_id: int) -> None:
    if not records.exists(s, CONTACT, contact_id):
        raise not_found("Contact")


@route("GET", "/contacts/{contactId}/tags", summary="A contact's tags", tag="Contact", query=Paging,
       response=ContactTagList)
def list_contact_tags(r: Request, contactId: int):
    require_contact(r.s, contactId)
    limit, offset = page(r.query)
    applied, total = tag_domain.applied_slice(r.s, contactId, limit=limit, offset=offset)
    categories = tag_domain.categories_by_id(r.s, [a.tag.category_id for a in applied])
    items = [{"tag": {"id": a.tag.id, "name": a.tag.name,
                      "category": categories[a.tag.category_id].name if a.tag.category_id in categories else None},
              "date_applied": out_datetime(a.applied, r.s.clock)} for a in applied]
    return envelope(r, "tags", items, total, limit, offset, path=f"/contacts/{contactId}/tags", top_level=False)


@route("POST", "/contacts/{contactId}/tags", summary="Apply tags to a contact", tag="Contact", body=TagIds,
       response={"type": "object", "additionalProperties": {"type": "string"}})
def apply_contact_tags(r: Request, contactId: int):
    require_contact(r.s, contactId)
    return {str(t): tag_domain.apply_result(r.s, contactId, t) for t in r.body.tagIds}  # {"1304": "SUCCESS"} [wire S9]


@route("DELETE", "/contacts/{contactId}/tags", summary="Remove tags from a contact", tag="Contact", query=Ids,
       status=204)
def remove_contact_tags(r: Request, contactId: int):
    require_contact(r.s, contactId)
    for tag_id in r.query.ids:
        tag_domain.remove(r.s, contactId, tag_id)


@route("DELETE", "/contacts/{contactId}/tags/{tagId}", summary="Remove a tag from a contact", tag="Contact",
       status=204)
def remove_contact_tag(r: Request, contactId: int, tagId: int):
    require_contact(r.s, contactId)
    tag_domain.remove(r.s, contactId, tagId)


# --- a contact's emails (the history of server.rest.emails, for one contact) -------------------------------

@route("GET", "/contacts/{contactId}/emails", summary="Emails sent to a contact", tag="Contact", query=ListEmails,
       response=emails.EmailList)
def list_contact_emails(r: Request, contactId: int):
    require_contact(r.s, contactId)
    return emails.history_page(r, contact_id=contactId, email=r.query.email, path=f"/contacts/{contactId}/emails",
                               top_level=False, carry={"email": r.query.email})


@route("POST", "/contacts/{contactId}/emails", summary="Record an email sent to a contact", tag="Contact",
       body=emails.EmailRecord, response=emails.EmailShape, status=201)
def create_contact_email(r: Request, contactId: int):
    require_contact(r.s, contactId)
    record = r.body.model_copy(update={"contact_id": contactId})
    message_id = messages.record_history(r.s, [emails.entry_of(r.s, record)])[0]
    return emails.created_json(r.s, message_id, record)
