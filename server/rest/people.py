"""How a contact's (and a company's) Contact-table fields read and write as REST JSON: the collections keyed by
``field`` (EMAIL1..3, PHONE1..5, FAX1..2, BILLING/SHIPPING/OTHER) and the plain properties. One table of
names, used both ways, so a contact written through XML-RPC reads identically here and back."""
from __future__ import annotations

from typing import Literal

from pydantic import field_validator

from server.domain.crm.slots import ADDRESSES, COLLECTION_FIELDS, EMAILS, FAXES, PHONES
from server.domain.mail import confirmations, email_status
from server.domain.session import AppSession

from .api import Body, Shape
from .errors import bad_request
from .wire import country_code, country_name, is_country_code


class EmailAddress(Body):
    email: str
    field: Literal["EMAIL1", "EMAIL2", "EMAIL3"]


class PhoneNumber(Body):
    number: str
    extension: str | None = None
    type: str | None = None
    field: Literal["PHONE1", "PHONE2", "PHONE3", "PHONE4", "PHONE5"]


class FaxNumber(Body):
    number: str
    type: str | None = None
    field: Literal["FAX1", "FAX2"]


class AddressLines(Body):
    """An address as every v1 body writes it (ContactAddress; a company's, a card's, the profile's alike)."""
    line1: str | None = None
    line2: str | None = None
    locality: str | None = None
    region: str | None = None
    postal_code: str | None = None
    zip_code: str | None = None
    zip_four: str | None = None
    country_code: str | None = None


class Address(AddressLines):
    field: Literal["BILLING", "SHIPPING", "OTHER"]

    @field_validator("country_code")
    @classmethod
    def _country(cls, value):
        if value is not None and value != "" and not is_country_code(value):
            raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-3 country code")
        return value


class EmailAddressShape(Shape):
    email: str | None = None
    field: str | None = None


class PhoneShape(Shape):
    number: str | None = None
    extension: str | None = None
    type: str | None = None
    field: str | None = None


class AddressShape(Shape):
    field: str | None = None
    line1: str | None = None
    line2: str | None = None
    locality: str | None = None
    region: str | None = None
    postal_code: str | None = None
    zip_code: str | None = None
    zip_four: str | None = None
    country_code: str | None = None


# --- reading --------------------------------------------------------------------------------------------

def emails_of(row: dict) -> list[dict]:
    return [{"email": row[name], "field": key} for key, name in EMAILS.items() if row.get(name)]


def phones_of(row: dict) -> list[dict]:
    return [{"number": row[num], "extension": row.get(ext) or "", "field": key, "type": row.get(kind)}
            for key, (num, ext, kind) in PHONES.items() if row.get(num)]


def faxes_of(row: dict) -> list[dict]:
    return [{"number": row[num], "field": key, "type": row.get(kind)} for key, (num, kind) in FAXES.items()
            if row.get(num)]


def address_of(row: dict, key: str, *, with_field: bool = True) -> dict | None:
    line1, line2, city, state, postal, zip4, country = ADDRESSES[key]
    names = ADDRESSES[key]
    if not any(row.get(n) for n in names):
        return None
    out = {"field": key} if with_field else {}
    out.update({"line1": row.get(line1), "line2": row.get(line2), "locality": row.get(city),
                "region": row.get(state), "postal_code": row.get(postal), "zip_code": row.get(postal),
                "zip_four": row.get(zip4), "country_code": country_code(row.get(country)) or row.get(country)})
    return out


def addresses_of(row: dict) -> list[dict]:
    return [a for a in (address_of(row, key) for key in ADDRESSES) if a is not None]


def email_state(s: AppSession, rows: list[dict]) -> dict[str, str]:
    return email_status.statuses_of(s, [r.get("Email") for r in rows])


def opted_in(statuses: dict[str, str], email: str | None) -> tuple[bool, str]:
    """``(email_opted_in, email_status)`` of a primary address; no address reads as NonMarketable."""
    token = statuses.get(email_status.key(email)) if email else None
    status = email_status.STATUSES.get(token) if token else None
    return (bool(status and status.marketable), token or "NonMarketable")


# --- writing -------------------------------------------------------------------------------------------

def collection_fields(name: str, items: list, *, replace: bool) -> dict:
    """Contact-table fields for one collection property; with ``replace`` the slots not given are cleared."""
    out = dict.fromkeys(COLLECTION_FIELDS[name]) if replace else {}
    for item in items:
        if name == "email_addresses":
            out[EMAILS[item.field]] = item.email
        elif name == "phone_numbers":
            num, ext, kind = PHONES[item.field]
            out.update({num: item.number, ext: item.extension, kind: item.type})
        elif name == "fax_numbers":
            num, kind = FAXES[item.field]
            out.update({num: item.number, kind: item.type})
        else:
            out.update(address_fields(item, item.field))
    return out


def address_fields(item: AddressLines, key: str) -> dict:
    """The Contact-table fields of the address slot ``key`` (BILLING, SHIPPING, OTHER)."""
    return address_columns(item, ADDRESSES[key])


def address_columns(item: AddressLines, columns: tuple[str | None, ...]) -> dict:
    """An address body as the columns ``columns`` name, in ADDRESSES' order (street 1, street 2, city, state,
    postal code, zip four, country; None for one a table lacks): the one mapping of contacts', companies' and
    cards' addresses. The postal code is ``postal_code``, else ``zip_code``; the country is stored by name."""
    if item.country_code and country_name(item.country_code) is None:
        raise bad_request(f"Invalid value for address.country_code: '{item.country_code}'")
    if item.region and not item.country_code:
        # documented rule: country_code is required when region is given [doc S1]
        raise bad_request("country_code is required when region is given")
    values = (item.line1, item.line2, item.locality, item.region,
              item.postal_code if item.postal_code is not None else item.zip_code, item.zip_four,
              country_name(item.country_code) if item.country_code else None)
    return {column: value for column, value in zip(columns, values, strict=True) if column is not None}


def opt_in_addresses(s: AppSession, emails: list[str], reason: str) -> None:
    """``opt_in_reason`` makes an address marketable only from Unengaged Marketable, Unengaged Non-Marketable,
    Non-Marketable or Opt-Out: Manual; any other status stays [doc S1]."""
    for email in emails:
        confirmations.api_opt_in(s, email, reason, rest=True)
