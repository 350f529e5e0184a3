"""Companies (the contract's ``Company`` operations but the custom-field model ones): list, get, create, update,
delete, and tags on a company.

A company is the row DataService's ``Company`` table and REST v1's ``/companies`` read (server.domain.crm.companies),
written through the same DataService writer (``company.added`` / ``company.updated`` / ``company.deleted``:
the REST hooks ``company.add`` …). Wire rules of this family:
- ``company_name`` is required to create a company and cannot be cleared (as on v1).
- A list shows a company's name, ids and plain properties; ``address``, ``email_address``, ``phone_number``,
  ``fax_number``, ``notes``, ``create_time``, ``update_time`` and ``custom_fields`` only when ``fields`` asks
  for them (the contract: they "aren't included, by default"). A single company shows every property but
  ``custom_fields``, which ``fields=custom_fields`` adds.
- The address is the BILLING one (Contact's first address), the phone PHONE1, the fax FAX1, the email EMAIL1:
  a company has one of each on every protocol. ``country_code`` is ISO 3166-1 alpha-3 in and out and
  ``region_code`` ISO 3166-2 in (``US-CO``; the store keeps the names, as XML-RPC shows them), as for contacts.
- A tag applied to a company is the ContactGroupAssign row ContactService.addToGroup writes for it.
"""
from __future__ import annotations

import re
from datetime import datetime

from server.domain.crm import companies as domain
from server.domain.crm import countries, tags
from server.domain.data import records
from server.domain.mail import confirmations, email_status
from server.domain.session import AppSession
from server.tables import FORM_COMPANY

from . import custom_values
from .api import Request, operation
from .custom_filters import with_custom_fields
from .errors import existing, invalid_field, not_found
from .filters import Id, Number, Region, Since, Text, Until
from .paging import Listing
from .tags import tag_json
from .wire import in_id, out_id, out_time

COMPANIES = Listing(
    filters={"company_name": Text(), "name": Text("company_name"), "email": Text(), "city": Text(),
             "state": Region(country="country"), "since_time": Since("update_time"), "until_time": Until("update_time"),
             "company_id": Number("id")},
    order_by={"id": "id", "create_time": "create_time", "name": "company_name", "email": "email"},
)
COMPANY_TAGS = Listing(
    filters={"name": Text(), "description": Text(none=True), "category_id": Id(none=True),
             "since_applied_time": Since("applied_time"), "until_applied_time": Until("applied_time"),
             "since_create_time": Since("create_time"), "until_create_time": Until("create_time"),
             "since_update_time": Since("update_time"), "until_update_time": Until("update_time")},
    order_by={"name": "name", "create_time": "create_time", "update_time": "update_time",
              "applied_time": "applied_time", "category_id": "category_id"},
)
LISTED_ONLY_ON_REQUEST = frozenset({"address", "email_address", "phone_number", "fax_number", "notes", "create_time",
                                    "update_time", "custom_fields"})

# body property -> DataService Company field, for the plain text properties
_TEXT = {"company_name": "Company", "notes": "ContactNotes", "website": "Website", "suffix": "Suffix",
         "title": "Title", "first_name": "FirstName", "middle_name": "MiddleName", "last_name": "LastName",
         "preferred_name": "Nickname", "job_title": "JobTitle", "spouse_name": "SpouseName",
         "assistant_name": "AssistantName", "assistant_phone": "AssistantPhone",
         "billing_information": "BillingInformation", "contact_type": "ContactType", "referral_code": "ReferralCode"}
_DATES = {"anniversary_date": "Anniversary", "birth_date": "Birthday"}
_PROPERTIES = (*_TEXT, *_DATES, "owner_id", "email_address", "phone_number", "fax_number", "address", "custom_fields")


# --- answers ------------------------------------------------------------------------------------------

def opt_status(token: str | None) -> str | None:
    """The v2 enum of an email status token (``SingleOptIn`` -> ``SINGLE_OPT_IN``; ``DoubleOptin`` as the API
    spells it)."""
    if not token:
        return None
    return re.sub(r"(?<!^)(?=[A-Z])", "_", token.replace("Optin", "OptIn")).upper()


def company_json(s: AppSession, c: domain.CompanyRecord, include: frozenset[str] | None = None,
                 statuses: dict | None = None, customs: dict | None = None) -> dict:
    """The contract's ``Company``; ``include`` limits the optional properties (None: all but custom fields)."""
    def shown(name: str) -> bool:
        return name in include if include is not None else name != "custom_fields"

    if statuses is None:
        statuses = email_status.statuses_of(s, [c.email])
    token = statuses.get(email_status.key(c.email)) if c.email else None
    status = email_status.STATUSES.get(token) if token else None
    out = {"id": out_id(c.id), "company_name": c.company_name, "website": c.website, "title": c.title,
           "suffix": c.suffix, "first_name": c.first_name, "middle_name": c.middle_name, "last_name": c.last_name,
           "preferred_name": c.preferred_name, "job_title": c.job_title, "spouse_name": c.spouse_name,
           "assistant_name": c.assistant_name, "assistant_phone": c.assistant_phone,
           "billing_information": c.billing_information, "contact_type": c.contact_type,
           "referral_code": c.referral_code, "anniversary_date": _date(c.anniversary),
           "birth_date": _date(c.birthday), "owner_id": out_id(c.owner_id or None),
           "account_id": out_id(c.account_id or None), "created_by": out_id(c.created_by or None),
           "last_updated_by": out_id(c.last_updated_by or None), "groups": c.groups or None}
    optional = {
        "notes": c.notes,
        "email_address": {"email": c.email, "field": "EMAIL1", "is_opt_in": bool(status and status.marketable),
                          "email_opt_status": opt_status(token)} if c.email else None,
        "phone_number": {"number": c.phone, "extension": c.phone_ext, "type": c.phone_type,
                         "field": "PHONE1"} if c.phone else None,
        "fax_number": {"number": c.fax, "type": c.fax_type, "field": "FAX1"} if c.fax else None,
        "address": _address(c),
        "create_time": out_time(c.created, s.clock),
        "update_time": out_time(c.updated, s.clock),
    }
    out.update({k: v for k, v in optional.items() if shown(k)})
    if shown("custom_fields"):
        out["custom_fields"] = (customs if customs is not None else
                                custom_values.read(s, FORM_COMPANY, [c.id]))[c.id]
    return out


def _date(value) -> str | None:
    return value.strftime("%Y-%m-%d") if value is not None else None


def _address(c: domain.CompanyRecord) -> dict | None:
    parts = (c.line1, c.line2, c.locality, c.region, c.postal_code, c.zip_four, c.country)
    if not any(parts):
        return None
    return {"line1": c.line1, "line2": c.line2, "locality": c.locality, **countries.region_fields(c.region, c.country),
            "postal_code": c.postal_code, "zip_code": c.postal_code, "zip_four": c.zip_four,
            "country_code": countries.country_code(c.country), "country": c.country, "field": "BILLING"}


def _company(s: AppSession, company_id: int) -> domain.CompanyRecord:
    return existing(domain.get(s, company_id), "Company", company_id)


# --- the request's values -----------------------------------------------------------------------------

def _values(r: Request, changed: set[str]) -> dict:
    """DataService Company fields for the body properties ``changed`` (a masked property absent from the body
    is cleared)."""
    body, values = r.body, {}
    for prop in changed & set(_TEXT):
        values[_TEXT[prop]] = body.get(prop) or None
    if "company_name" in changed and not values["Company"]:
        raise invalid_field("company_name", "a company name is required")
    for prop in changed & set(_DATES):
        values[_DATES[prop]] = _in_date(body[prop], prop) if body.get(prop) else None
    if "owner_id" in changed:
        values["OwnerID"] = in_id(body["owner_id"], "owner_id") if body.get("owner_id") else None
    if "email_address" in changed:
        values["Email"] = (body.get("email_address") or {}).get("email") or None
    if "phone_number" in changed:
        phone = body.get("phone_number") or {}
        values.update(Phone1=phone.get("number"), Phone1Ext=phone.get("extension"), Phone1Type=phone.get("type"))
    if "fax_number" in changed:
        fax = body.get("fax_number") or {}
        values.update(Fax1=fax.get("number"), Fax1Type=fax.get("type"))
    if "address" in changed:
        values.update(_address_values(body.get("address") or {}))
    if "custom_fields" in changed:
        values.update(custom_values.to_fields(r.s, FORM_COMPANY, body.get("custom_fields") or []))
    return values


def _in_date(text: str, name: str) -> datetime:
    """A calendar date (``2015-06-20``; a date-time keeps its date): no time zone moves it."""
    try:
        return datetime.strptime(text[:10], "%Y-%m-%d")
    except ValueError:
        raise invalid_field(name, f"'{text}' is not a date (YYYY-MM-DD)") from None


def _address_values(a: dict) -> dict:
    code, region = a.get("country_code"), a.get("region_code")
    country = countries.country_name(code) if code else a.get("country")
    if code and country is None:
        raise invalid_field("address.country_code", f"'{code}' is not an ISO 3166-1 alpha-3 country code")
    state = countries.region_name(region) if region else a.get("region")
    if region and state is None:
        raise invalid_field("address.region_code", f"'{region}' is not an ISO 3166-2 region code")
    return {"StreetAddress1": a.get("line1"), "StreetAddress2": a.get("line2"), "City": a.get("locality"),
            "State": state, "PostalCode": a.get("postal_code") or a.get("zip_code"), "ZipFour1": a.get("zip_four"),
            "Country": country}


def _opt_in(r: Request) -> None:
    """An ``opt_in_reason`` with the email opts the address in, as on v1 (only from a status that allows it)."""
    email = r.body.get("email_address") or {}
    if email.get("email") and email.get("opt_in_reason"):
        confirmations.api_opt_in(r.s, email["email"], email["opt_in_reason"], rest=True)


# --- companies ----------------------------------------------------------------------------------------

@operation("listCompanies")
def list_companies(r: Request) -> dict:
    include = r.fields()
    unknown = include - LISTED_ONLY_ON_REQUEST - {"website", *_TEXT, *_DATES, "owner_id"}
    if unknown:
        raise invalid_field("fields", f"unknown Company properties: {', '.join(sorted(unknown))}")
    page = domain.page(r.s, r.list_query(with_custom_fields(r, COMPANIES, FORM_COMPANY)))
    statuses = email_status.statuses_of(r.s, [c.email for c in page.items])
    customs = (custom_values.read(r.s, FORM_COMPANY, [c.id for c in page.items])
               if "custom_fields" in include else None)
    return r.page("companies", [company_json(r.s, c, include, statuses, customs) for c in page.items], page)


@operation("createCompany")
def create_company(r: Request) -> dict:
    if not r.body.get("company_name"):
        raise invalid_field("company_name", "a company name is required")
    company_id = records.add(r.s, "Company", _values(r, {p for p in _PROPERTIES if p in r.body}))
    _opt_in(r)
    return company_json(r.s, _company(r.s, company_id))


@operation("getCompany")
def get_company(r: Request, company_id: int) -> dict:
    include = r.fields()
    company = _company(r.s, company_id)
    return company_json(r.s, company, (LISTED_ONLY_ON_REQUEST - {"custom_fields"}) | include)


@operation("updateCompany")
def update_company(r: Request, company_id: int) -> dict:
    _company(r.s, company_id)
    values = _values(r, r.changed(_PROPERTIES, known_only=True))
    if values:
        records.update(r.s, "Company", company_id, values)
    _opt_in(r)
    return company_json(r.s, _company(r.s, company_id))


@operation("deleteCompany")
def delete_company(r: Request, company_id: int) -> None:
    _company(r.s, company_id)
    records.delete(r.s, "Company", company_id)


# --- tags on a company --------------------------------------------------------------------------------

def _tag(s: AppSession, tag_id: int) -> None:
    if tags.get_tag(s, tag_id) is None:
        raise not_found("Tag", tag_id)


@operation("addTagToCompany")
def add_tag_to_company(r: Request, company_id: int, tag_id: int) -> None:
    _company(r.s, company_id)
    _tag(r.s, tag_id)
    tags.apply(r.s, company_id, tag_id)


@operation("removeTagFromCompany")
def remove_tag_from_company(r: Request, company_id: int, tag_id: int) -> None:
    _company(r.s, company_id)
    _tag(r.s, tag_id)
    tags.remove(r.s, company_id, tag_id)


@operation("listTagsForCompany")
def list_tags_for_company(r: Request, company_id: int) -> dict:
    _company(r.s, company_id)
    page = domain.page_tags(r.s, company_id, r.list_query(COMPANY_TAGS))
    items = [{"tag": tag_json(r.s, a.tag), "applied_time": out_time(a.applied, r.s.clock)} for a in page.items]
    return r.page("tags", items, page)
