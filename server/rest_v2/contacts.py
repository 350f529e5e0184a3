"""Contacts (the contract's ``Contact`` operations but the custom-field model, links and link types: those are
server.rest_v2.contact_links), the SDK's cross-contact tag read and lead scores.

A contact here is the Contact row ``ContactService.add`` writes and ``ContactService.load`` reads: writes go
through server.domain.crm.contacts (the code behind ContactService and DataService), so the same
``contact.added`` / ``contact.updated`` / ``contact.deleted`` events fire (REST hooks ``contact.add`` …, goals,
the change log). The wire's names map onto the Contact table's DataService fields in the tables below, once.
Wire rules of this family (docs/rest-v2.md, "Contacts"):

- Without ``fields`` an answer carries ``DEFAULT_FIELDS``; with it, exactly the properties asked for (and ``id``).
- Collections (``email_addresses``, ``phone_numbers``, ``fax_numbers``, ``addresses``, ``custom_fields``) are
  replaced whole by a write that carries them (the contract: "Any item not listed here will be removed").
- A new contact needs an email address or a phone number (v1's captured rule).
- ``utm_parameters`` on a write records one visit's UTM parameters (server.domain.crm.utms, the rows REST v1's
  ``POST /contacts/{id}/utm`` writes); a read lists them all, the first and last marked as touches.
- ``social_accounts`` are the contact's SocialAccount rows (server.domain.crm.social_accounts), replaced whole
  by a write that carries them.
- ``origin`` (the IP address a write gives, dated when given) and ``source_type`` are the contact's
  (server.domain.crm.origins, the values REST v1 reads); a contact added without a source type is ``API``'s.
  The source type is kept in v1's spelling (``LANDINGPAGE``) and shown in v2's (``LANDING_PAGE``).
- An email address's ``opt_in_reason`` is the reason its status was recorded with, while it is opted in
  (the email status, not a copy).
- ``notes`` is the contact's ``ContactNotes`` (v1's ``notes``), answered when ``fields`` names it: the contract's
  ``fields`` lists it though its ``Contact`` schema has no such property. Its request body declares no
  ``notes`` either, so v2 does not write them and ``update_mask=notes`` changes nothing (docs/divergences.md).
"""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from server.domain.account import locales
from server.domain.crm import contacts as domain
from server.domain.crm import countries, links, origins, social_accounts, utms
from server.domain.crm import tags as tag_domain
from server.domain.crm.slots import ADDRESSES, COLLECTION_FIELDS, EMAILS, FAXES, PHONES
from server.domain.data import records
from server.domain.data.listing import Condition
from server.domain.mail import confirmations, email_status
from server.domain.session import AppSession

from . import contact_filters
from .api import Reply, Request, operation
from .errors import existing, invalid_field
from .filters import Id, Ids, Kind, Number, Region, Since, Text, Until
from .paging import Listing
from .tags import ACROSS_TAGS, tag_json
from .wire import in_id, out_id, out_time

# --- the wire's names for the Contact fields ------------------------------------------------------------

TEXT = {"given_name": "FirstName", "middle_name": "MiddleName", "family_name": "LastName",
        "preferred_name": "Nickname", "prefix": "Title", "suffix": "Suffix", "job_title": "JobTitle",
        "spouse_name": "SpouseName", "website": "Website", "contact_type": "ContactType", "time_zone": "TimeZone",
        "preferred_locale": "Language", "referral_code": "ReferralCode", "assistant_name": "AssistantName",
        "assistant_phone": "AssistantPhone", "billing_information": "BillingInformation", "groups": "Groups",
        "notes": "ContactNotes"}
IDS = {"owner_id": "OwnerID", "leadsource_id": "LeadSourceId", "account_id": "AccountId", "created_by": "CreatedBy",
       "last_updated_by": "LastUpdatedBy"}
DATES = {"birth_date": "Birthday", "anniversary_date": "Anniversary"}
TIMES = {"create_time": "DateCreated", "update_time": "LastUpdated"}
WRITABLE = frozenset(TEXT) - {"groups", "notes"} | {"owner_id", "leadsource_id", *DATES, "company", "email_addresses",
                                          "phone_numbers", "fax_numbers", "addresses", "custom_fields"}

# every property the contract's ``fields`` parameter names, and those an answer has without it
AVAILABLE = frozenset({*TEXT, *IDS, *DATES, *TIMES, "id", "addresses", "company", "custom_fields",
                       "email_addresses", "fax_numbers", "links", "origin", "phone_numbers", "score_value",
                       "social_accounts", "source_type", "tag_ids", "utm_parameters"})
DEFAULT_FIELDS = frozenset({"id", "given_name", "middle_name", "family_name", "preferred_name", "prefix", "suffix",
                            "email_addresses", "phone_numbers", "fax_numbers", "addresses", "company", "owner_id",
                            "contact_type", "tag_ids", "create_time", "update_time"})


class CountryCode(Kind):
    """An ISO 3166-1 alpha-3 code (``USA``) matched against the country name the Contact table keeps."""

    def parse(self, name, target, clause, clock):
        country = countries.country_name(clause.value)
        if country is None:
            raise invalid_field(f"filter.{name}", f"'{clause.value}' is not an ISO 3166-1 alpha-3 country code")
        return [Condition(target, "eq", country)]


def _address_filters() -> dict[str, Kind]:
    out: dict[str, Kind] = {}
    for wire, key in (("billing", "BILLING"), ("shipping", "SHIPPING"), ("other", "OTHER")):
        line1, _, locality, region, postal, _, country = ADDRESSES[key]
        out.update({f"{wire}_address_line1": Text(line1), f"{wire}_address_locality": Text(locality),
                    f"{wire}_address_region": Region(region, country=country),
                    f"{wire}_address_postal_code": Text(postal), f"{wire}_address_country_code": CountryCode(country)})
    return out


CONTACTS = Listing(
    filters={"email": Text("Email"), "given_name": Text("FirstName"), "family_name": Text("LastName"),
             "middle_name": Text("MiddleName"), "company_id": Id("CompanyID"), "contact_ids": Ids("Id"),
             "ids": Ids("Id"), "contact_id": Number("Id"), "start_update_time": Since("LastUpdated"),
             "end_update_time": Until("LastUpdated"), "city": Text("City"), "state": Region("State", country="Country"),
             "website": Text("Website"), **_address_filters()},
    order_by={"id": "Id", "create_time": "DateCreated", "email": "Email", "update_time": "LastUpdated"},
    default_order=("Id", False), key="Id",
)
_TIMES = {f"{edge}_{name}": kind(name) for name in ("create_time", "update_time", "applied_time")
          for edge, kind in (("since", Since), ("until", Until))}
CONTACT_TAGS = Listing(
    filters={"name": Text(), "description": Text(none=True), "category_id": Id(none=True), **_TIMES},
    order_by={"name": "name", "create_time": "create_time", "update_time": "update_time",
              "applied_time": "applied_time", "category_id": "category_id"},
)
ACROSS_CONTACTS = Listing(filters={"contact_ids": Ids("contact_id", most=100), **{
    k: v for k, v in ACROSS_TAGS.filters.items() if k != "tag_ids"}}, order_by=ACROSS_TAGS.order_by,
    default_order=ACROSS_TAGS.default_order, key=ACROSS_TAGS.key)
# --- answers ------------------------------------------------------------------------------------------

def _day(value) -> str | None:
    return value.strftime("%Y-%m-%d") if isinstance(value, (date, datetime)) else None


def _v2_status(token: str) -> str:
    """An email status token (``UnengagedMarketable``) as v2 spells it (``UNENGAGED_MARKETABLE``)."""
    return "".join("_" + ch if ch.isupper() else ch for ch in token).lstrip("_").upper()


# every status token in v2's spelling; the two whose case the words do not follow, as the contract names them
OPT_STATUSES = {**{token: _v2_status(token) for token in email_status.STATUSES},
                "DoubleOptin": "DOUBLE_OPT_IN", "SingleOptIn": "SINGLE_OPT_IN"}


def opt_status(token: str | None) -> str:
    return OPT_STATUSES.get(token or "NonMarketable") or _v2_status(token)


def _emails(v: dict, statuses: dict[str, email_status.Reasoned]) -> list[dict]:
    out = []
    for slot, name in EMAILS.items():
        if v.get(name):
            found = statuses.get(email_status.key(v[name]))
            token = found.token if found else None
            status = email_status.STATUSES.get(token) if token else None
            out.append({"email": v[name], "field": slot, "is_opt_in": bool(status and status.marketable),
                        "email_opt_status": opt_status(token),
                        "opt_in_reason": found.opt_in_reason if found else None})
    return out


def _phones(v: dict) -> list[dict]:
    return [{"number": v[num], "extension": v.get(ext) or None, "type": v.get(kind) or None, "field": slot}
            for slot, (num, ext, kind) in PHONES.items() if v.get(num)]


def _faxes(v: dict) -> list[dict]:
    return [{"number": v[num], "type": v.get(kind) or None, "field": slot} for slot, (num, kind) in FAXES.items()
            if v.get(num)]


def _addresses(v: dict) -> list[dict]:
    out = []
    for slot, names in ADDRESSES.items():
        if not any(v.get(n) for n in names):
            continue
        line1, line2, locality, region, postal, zip4, country = (v.get(n) for n in names)
        out.append({"field": slot, "line1": line1, "line2": line2, "locality": locality,
                    **countries.region_fields(region, country), "postal_code": postal, "zip_code": postal,
                    "zip_four": zip4, "country": country, "country_code": countries.country_code(country)})
    return out


def _custom_json(clock, values) -> list[dict]:
    out = []
    for field, value in values:
        if isinstance(value, datetime):
            value = _day(value) if field.data_type == 13 else out_time(value, clock)  # 13: Date, 14: DateTime
        out.append({"id": out_id(field.id), "content": value})
    return out


def contacts_json(s: AppSession, found: list[domain.ContactRecord], wanted: frozenset[str],
                  statuses: dict[str, email_status.Reasoned] | None = None) -> list[dict]:
    """The answers for ``found``, with what the ``wanted`` properties need read once for them all (the
    addresses' ``statuses`` unless given)."""
    ids = [c.id for c in found]
    if statuses is None:
        statuses = (email_status.reasoned_statuses_of(s, [c.values.get(n) for c in found for n in EMAILS.values()])
                    if "email_addresses" in wanted else {})
    customs = domain.custom_values(s, ids) if "custom_fields" in wanted else {}
    scores = domain.lead_scores(s, ids) if "score_value" in wanted else {}
    visits = utms.of_contacts(s, ids) if "utm_parameters" in wanted else {}
    social = social_accounts.of_contacts(s, ids) if "social_accounts" in wanted else {}
    linked = links.links_of_contacts(s, ids) if "links" in wanted else {}
    came_from = origins.of_contacts(s, ids) if not wanted.isdisjoint(_ORIGIN) else {}
    scalars, clock = _scalars(wanted), s.clock
    return [_contact_json(c, wanted, scalars, clock, statuses, customs, scores, visits, social, linked, came_from)
            for c in found]


_ORIGIN = frozenset({"origin", "source_type"})


@lru_cache(maxsize=64)
def _scalars(wanted: frozenset[str]) -> tuple[tuple[str, dict, str], ...]:
    """The ``wanted`` properties of one field each: (property, its table, the field), in the properties' order."""
    return tuple((prop, table, table[prop]) for prop in sorted(wanted) for table in (TEXT, IDS, DATES, TIMES)
                 if prop in table)


def _utm_json(u: utms.Utm) -> dict:
    return {"id": u.id, "keapSourceId": u.keap_source_id, "utmSource": u.utm_source, "utmMedium": u.utm_medium,
            "utmTerm": u.utm_term, "utmCampaign": u.utm_campaign, "utmContent": u.utm_content,
            "firstTouch": u.first_touch, "lastTouch": u.last_touch}


def _contact_json(c: domain.ContactRecord, wanted, scalars, clock, statuses, customs, scores, visits,
                  social, linked, came_from) -> dict:
    v = c.values
    out: dict = {"id": out_id(c.id)}
    for prop, table, name in scalars:
        if table is TEXT:
            out[prop] = v.get(name) or None
        elif table is IDS:
            out[prop] = out_id(v.get(name) or None)
        elif table is DATES:
            out[prop] = _day(v.get(name))
        else:
            out[prop] = out_time(v.get(name), clock)
    if "email_addresses" in wanted:
        out["email_addresses"] = _emails(v, statuses)
    if "phone_numbers" in wanted:
        out["phone_numbers"] = _phones(v)
    if "fax_numbers" in wanted:
        out["fax_numbers"] = _faxes(v)
    if "addresses" in wanted:
        out["addresses"] = _addresses(v)
    if "company" in wanted and (v.get("CompanyID") or v.get("Company")):
        out["company"] = {"id": out_id(v.get("CompanyID") or None), "company_name": v.get("Company") or None}
    if "tag_ids" in wanted:
        out["tag_ids"] = [out_id(t) for t in c.tag_ids]
    if "custom_fields" in wanted:
        out["custom_fields"] = _custom_json(clock, customs.get(c.id, []))
    if "score_value" in wanted:
        out["score_value"] = str(scores.get(c.id, 0))
    if "links" in wanted:
        out["links"] = [{"linked_contact_id": out_id(k.other_id), "link_type_id": out_id(k.link_type_id),
                         "link_type_name": k.link_type_name} for k in linked.get(c.id, [])]
    if "social_accounts" in wanted:
        out["social_accounts"] = [{"name": a.name, "type": SOCIAL_TYPES_OUT.get(a.type, UNSPECIFIED)}
                                  for a in social.get(c.id, [])]
    if "utm_parameters" in wanted:
        out["utm_parameters"] = [_utm_json(u) for u in visits.get(c.id, [])]
    origin = came_from.get(c.id)
    if origin is not None:
        if "origin" in wanted and origin.ip_address is not None:
            out["origin"] = {"ip_address": origin.ip_address, "date": out_time(origin.date, clock)}
        if "source_type" in wanted and origin.source_type is not None:
            out["source_type"] = SOURCE_TYPES_OUT.get(origin.source_type, origin.source_type)
    return out


# the kept source type (v1's spelling) <-> v2's, where they differ
SOURCE_TYPES_OUT = {"FORMAPIHOSTED": "FORM_API_HOSTED", "FORMAPIINTERNAL": "FORM_API_INTERNAL",
                    "INTERNALFORM": "INTERNAL_FORM", "LANDINGPAGE": "LANDING_PAGE"}
SOURCE_TYPES_IN = {**{t: t for t in origins.SOURCE_TYPES}, **{v2: v1 for v1, v2 in SOURCE_TYPES_OUT.items()},
                   "SOURCE_TYPE_UNSPECIFIED": None}


def _wanted(r: Request) -> frozenset[str]:
    asked = r.fields()
    if not asked:
        return DEFAULT_FIELDS
    unknown = sorted(asked - AVAILABLE)
    if unknown:
        raise invalid_field("fields", f"unknown properties: {', '.join(unknown)}")
    return asked | {"id"}


_COLLECTIONS = {**COLLECTION_FIELDS, "company": ("CompanyID", "Company"), "tag_ids": ("Groups",)}


@lru_cache(maxsize=64)
def fields_for(wanted: frozenset[str]) -> tuple[str, ...]:
    """The Contact fields the ``wanted`` properties are made of."""
    names = ["Id"]
    for prop in sorted(wanted):
        for table in (TEXT, IDS, DATES, TIMES):
            if prop in table:
                names.append(table[prop])
        names.extend(_COLLECTIONS.get(prop, ()))
    return tuple(dict.fromkeys(names))


def _contact(s: AppSession, contact_id: int, wanted: frozenset[str] = frozenset()) -> domain.ContactRecord:
    return existing(domain.get_contact(s, contact_id, fields_for(wanted)), "Contact", contact_id)


def _answer(r: Request, contact_id: int) -> dict:
    wanted = _wanted(r)
    if "email_addresses" not in wanted:
        return contacts_json(r.s, [_contact(r.s, contact_id, wanted)], wanted)[0]
    found, statuses = domain.get_contact_with_statuses(r.s, contact_id, fields_for(wanted))
    return contacts_json(r.s, [existing(found, "Contact", contact_id)], wanted, statuses)[0]


# --- the request's values -----------------------------------------------------------------------------

def _slot(items: list[dict], slots, name: str) -> list[tuple[str, dict]]:
    """Each item with its slot: its ``field``, or (unspecified) the first slot no other item names."""
    named = {i.get("field") for i in items}
    free = [slot for slot in slots if slot not in named]
    out = []
    for n, item in enumerate(items):
        slot = item.get("field")
        if slot not in slots:
            if not free:
                raise invalid_field(f"{name}.{n}.field", f"at most {len(slots)} items may be given")
            slot = free.pop(0)
        out.append((slot, item))
    if len({slot for slot, _ in out}) != len(out):
        raise invalid_field(name, "two items name the same field")
    return out


def _collection(prop: str, items: list[dict]) -> dict:
    """Contact fields for a collection property, replaced whole: the slots it does not list are cleared."""
    data: dict = {}
    if prop == "email_addresses":
        data = dict.fromkeys(EMAILS.values())
        for slot, item in _slot(items, EMAILS, prop):
            data[EMAILS[slot]] = item.get("email") or None
    elif prop == "phone_numbers":
        data = dict.fromkeys(f for fs in PHONES.values() for f in fs)
        for slot, item in _slot(items, PHONES, prop):
            num, ext, kind = PHONES[slot]
            data.update({num: item.get("number"), ext: item.get("extension"), kind: item.get("type")})
    elif prop == "fax_numbers":
        data = dict.fromkeys(f for fs in FAXES.values() for f in fs)
        for slot, item in _slot(items, FAXES, prop):
            num, kind = FAXES[slot]
            data.update({num: item.get("number"), kind: item.get("type")})
    elif prop == "addresses":
        data = dict.fromkeys(f for fs in ADDRESSES.values() for f in fs)
        for n, (slot, item) in enumerate(_slot(items, ADDRESSES, prop)):
            line1, line2, locality, region, postal, zip4, country = ADDRESSES[slot]
            data.update({line1: item.get("line1"), line2: item.get("line2"), locality: item.get("locality"),
                         region: _region(item, f"{prop}.{n}"), postal: item.get("postal_code") or item.get("zip_code"),
                         zip4: item.get("zip_four"), country: _country(item, f"{prop}.{n}")})
    return data


def _region(item: dict, where: str) -> str | None:
    if item.get("region_code"):
        name = countries.region_name(item["region_code"])
        if name is None:
            raise invalid_field(f"{where}.region_code", f"'{item['region_code']}' is not an ISO 3166-2 region code")
        return name
    return item.get("region")


def _country(item: dict, where: str) -> str | None:
    code = item.get("country_code")
    if code:
        name = countries.country_name(code)
        if name is None:
            raise invalid_field(f"{where}.country_code", f"'{code}' is not an ISO 3166-1 alpha-3 country code")
        return name
    return item.get("country")


def _day_in(text: str | None, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise invalid_field(name, f"'{text}' is not a date (YYYY-MM-DD)") from None


def _company(s: AppSession, ref: dict | None) -> dict:
    if not ref:
        return {"CompanyID": None, "Company": None}
    if ref.get("id"):
        company_id = in_id(ref["id"], "company.id")
        if not domain.is_company(s, company_id):
            raise invalid_field("company.id", f"no company has the id {ref['id']}")
        return {"CompanyID": company_id, "Company": domain.company_name(s, company_id)}
    return {"CompanyID": None, "Company": ref.get("company_name")}


def _customs(s: AppSession, items: list[dict]) -> dict:
    """``{_Name: content}`` for every contact custom field: those listed get their content, the rest are
    cleared (the collection is replaced whole)."""
    names = domain.custom_field_names(s)
    data: dict = dict.fromkeys(names.values())
    for n, item in enumerate(items):
        field_id = in_id(item.get("id"), f"custom_fields.{n}.id") if "id" in item else None
        if field_id not in names:
            raise invalid_field(f"custom_fields.{n}.id", f"no contact custom field has the id {item.get('id')}")
        content = item.get("content")
        if isinstance(content, (dict, list)):
            raise invalid_field(f"custom_fields.{n}.content", "a custom field's content is a single value")
        data[names[field_id]] = content
    return data


def _values(r: Request, changed: set[str]) -> dict:
    """The DataService data (Contact fields) for the properties ``changed``."""
    body, data = r.body, {}
    for prop in sorted(changed & WRITABLE):
        value = body.get(prop)
        if prop in TEXT:
            if prop == "time_zone" and value and not locales.is_time_zone(value):
                raise invalid_field("time_zone", f"'{value}' is not a supported time zone (an IANA name, such as "
                                                 "America/New_York)")
            data[TEXT[prop]] = value
        elif prop in IDS:
            data[IDS[prop]] = in_id(value, prop) if value else None
        elif prop in DATES:
            data[DATES[prop]] = _day_in(value, prop)
        elif prop == "company":
            data.update(_company(r.s, value))
        elif prop == "custom_fields":
            data.update(_customs(r.s, value or []))
        else:
            data.update(_collection(prop, value or []))
    return data


def _opt_in(s: AppSession, body: dict) -> None:
    """``opt_in_reason`` on an address opts it in, under v1's rule (only from an unengaged or non-marketable
    status; email_status.opt_in_rest)."""
    for item in body.get("email_addresses") or []:
        if item.get("opt_in_reason") and item.get("email"):
            confirmations.api_opt_in(s, item["email"], item["opt_in_reason"], rest=True)


# SocialAccount.AccountType <-> the contract's enum
SOCIAL_TYPES_OUT = {t: t.upper() for t in social_accounts.TYPES} | {"LinkedIn": "LINKED_IN"}
UNSPECIFIED = "SOCIAL_ACCOUNT_TYPE_UNSPECIFIED"
SOCIAL_TYPES_IN = {wire: stored for stored, wire in SOCIAL_TYPES_OUT.items()}


def _set_social_accounts(s: AppSession, contact_id: int, items: list[dict] | None) -> None:
    accounts = []
    for n, item in enumerate(items or []):
        stored = SOCIAL_TYPES_IN.get(item.get("type"))
        if stored is None:
            raise invalid_field(f"social_accounts.{n}.type", f"name one of {', '.join(SOCIAL_TYPES_IN)}")
        name = item.get("name") or ""
        if len(name) > social_accounts.MAX_NAME:
            raise invalid_field(f"social_accounts.{n}.name", f"at most {social_accounts.MAX_NAME} characters")
        accounts.append(social_accounts.SocialAccount(name, stored))
    social_accounts.replace(s, contact_id, accounts)


def _record_origin(s: AppSession, contact_id: int, body: dict, changed) -> None:
    """A write's ``origin`` (its IP address, dated now; absent or empty: cleared) and ``source_type``
    (``SOURCE_TYPE_UNSPECIFIED`` or absent: cleared)."""
    given: dict = {}
    if "origin" in changed:
        origin = body.get("origin") or {}
        if not isinstance(origin, dict):
            raise invalid_field("origin", "an object with ip_address")
        ip = origin.get("ip_address") or None
        if ip is not None and (not isinstance(ip, str) or len(ip) > origins.MAX_IP_LENGTH):
            raise invalid_field("origin.ip_address", f"a string of at most {origins.MAX_IP_LENGTH} characters")
        given["ip_address"] = ip
    if "source_type" in changed:
        given["source_type"] = _source_type(body)
    origins.record(s, contact_id, **given)


def _source_type(body: dict) -> str | None:
    """The body's ``source_type`` as kept (v1's spelling); None when absent or unspecified."""
    value = body.get("source_type") or "SOURCE_TYPE_UNSPECIFIED"
    if not isinstance(value, str) or value not in SOURCE_TYPES_IN:
        raise invalid_field("source_type", f"name one of {', '.join(SOURCE_TYPES_IN)}")
    return SOURCE_TYPES_IN[value]


def _record_utm(s: AppSession, contact_id: int, body: dict) -> None:
    """A write's ``utm_parameters``: one visit recorded on the contact."""
    given = body.get("utm_parameters")
    if not given:
        return
    source = given.get("keap_source_id")
    if not source:
        raise invalid_field("utm_parameters.keap_source_id", "is required")
    try:
        utms.add(s, contact_id, str(source), {name: given.get(name) for name in utms.FIELDS})
    except ValueError as exc:
        raise invalid_field("utm_parameters", str(exc)) from None


# --- contacts -----------------------------------------------------------------------------------------

@operation("listContacts")
def list_contacts(r: Request) -> dict:
    wanted = _wanted(r)
    query = contact_filters.combined(r.list_query(contact_filters.listing_for(r, CONTACTS)))
    page = domain.page_contacts(r.s, query)
    return r.page("contacts", contacts_json(r.s, page.items, wanted), page)


@operation("getContact")
def get_contact(r: Request, contact_id: int) -> dict:
    return _answer(r, contact_id)


@operation("createContact")
def create_contact(r: Request):
    body = r.body
    data = _values(r, set(body))
    if not data.get("Email") and not any(data.get(num) for num, _, _ in PHONES.values()):
        raise invalid_field("email_addresses", "a contact needs an email address or a phone number")
    option = r.query.get("duplicate_option")
    match = None
    if option:
        match = domain.find_duplicate(r.s, {"Email": data.get("Email"), "FirstName": data.get("FirstName"),
                                            "LastName": data.get("LastName"), "Company": data.get("Company")}, option)
    if match is not None:
        domain.update(r.s, match, data)
        _record_origin(r.s, match, body, body)
        _opt_in(r.s, body)
        _record_utm(r.s, match, body)
        if "social_accounts" in body:
            _set_social_accounts(r.s, match, body["social_accounts"])
        return Reply(_answer(r, match), status=200)
    contact_id = domain.add(r.s, data, _source_type(body) or origins.API)
    if "origin" in body:
        _record_origin(r.s, contact_id, body, {"origin"})
    _opt_in(r.s, body)
    _record_utm(r.s, contact_id, body)
    if "social_accounts" in body:
        _set_social_accounts(r.s, contact_id, body["social_accounts"])
    return _answer(r, contact_id)


@operation("updateContact")
def update_contact(r: Request, contact_id: int) -> dict:
    _contact(r.s, contact_id)
    changed = r.changed()
    data = _values(r, changed)
    if data:
        domain.update(r.s, contact_id, data)
    _record_origin(r.s, contact_id, r.body, changed)
    _opt_in(r.s, r.body)
    if "utm_parameters" in changed:
        _record_utm(r.s, contact_id, r.body)
    if "social_accounts" in changed:
        _set_social_accounts(r.s, contact_id, r.body.get("social_accounts"))
    return _answer(r, contact_id)


@operation("deleteContact")
def delete_contact(r: Request, contact_id: int) -> None:
    _contact(r.s, contact_id)
    records.delete(r.s, "Contact", contact_id)


@operation("mergeContacts")
def merge_contacts(r: Request) -> dict:
    keep = in_id(r.body["contact_id"], "contact_id")
    duplicate = in_id(r.body["duplicate_contact_id"], "duplicate_contact_id")
    if keep == duplicate:
        raise invalid_field("duplicate_contact_id", "a contact cannot be merged with itself")
    _contact(r.s, keep)
    _contact(r.s, duplicate)
    domain.merge(r.s, keep, duplicate)
    return _answer(r, keep)


@operation("getLeadScoreDetails")
def get_lead_score(r: Request, contact_id: int) -> dict:
    _contact(r.s, contact_id)
    return {"score": str(domain.lead_scores(r.s, [contact_id]).get(contact_id, 0))}


# --- a contact's tags ---------------------------------------------------------------------------------

@operation("listTagsForContact")
def list_tags_for_contact(r: Request, contact_id: int) -> dict:
    _contact(r.s, contact_id)
    page = tag_domain.page_contact_tags(r.s, contact_id, r.list_query(CONTACT_TAGS))
    items = [{"tag": tag_json(r.s, a.tag), "applied_time": out_time(a.applied, r.s.clock)} for a in page.items]
    return r.page("tags", items, page)


@operation("listTagsAcrossContacts")
def list_tags_across_contacts(r: Request) -> dict:
    q = r.list_query(ACROSS_CONTACTS)
    if not any(c.field == "contact_id" for c in q.where):
        raise invalid_field("filter", "contact_ids is required (contact_ids==1,2,3)")
    page = tag_domain.page_assignments(r.s, q)
    items = [{"contact_id": out_id(a.contact_id), "tag_id": out_id(a.tag_id),
              "applied_at": out_time(a.applied, r.s.clock)} for a in page.items]
    return r.page("tags", items, page)
