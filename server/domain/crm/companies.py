"""Companies read for the protocols that page (REST v2): Company rows are contact-like rows of the contact
table (``kind`` = ``company``, in the contact id space), written through the contacts writer (DataService
``Company``), so a company made anywhere is the row XML-RPC, REST v1 and v2 all read. Tags on a company are
ContactGroupAssign rows like a contact's.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from server.domain.data import custom_fields, listing
from server.store import schema
from server.store.session import AppSession
from server.tables import FORM_COMPANY

from . import tags

_c, _ta, _t = schema.contact, schema.tag_assignment, schema.tag


@dataclass(frozen=True)
class CompanyRecord:
    id: int
    company_name: str | None
    email: str | None
    website: str | None
    notes: str | None
    phone: str | None
    phone_ext: str | None
    phone_type: str | None
    fax: str | None
    fax_type: str | None
    line1: str | None
    line2: str | None
    locality: str | None
    region: str | None
    postal_code: str | None
    zip_four: str | None
    country: str | None  # the country's name, as the store keeps it
    title: str | None
    suffix: str | None
    first_name: str | None
    middle_name: str | None
    last_name: str | None
    preferred_name: str | None
    job_title: str | None
    spouse_name: str | None
    assistant_name: str | None
    assistant_phone: str | None
    billing_information: str | None
    contact_type: str | None
    referral_code: str | None
    anniversary: datetime | None
    birthday: datetime | None
    owner_id: int | None
    account_id: int | None
    created_by: int | None
    last_updated_by: int | None
    groups: str | None
    created: datetime | None  # the app's local wall time, as every stored time
    updated: datetime | None


class AppliedTag(NamedTuple):
    tag: tags.TagRecord
    applied: datetime | None


_COLUMNS = {"id": "id", "company_name": "company", "email": "email", "website": "website", "notes": "contact_notes",
            "phone": "phone1", "phone_ext": "phone1_ext", "phone_type": "phone1_type", "fax": "fax1",
            "fax_type": "fax1_type", "line1": "street_address1", "line2": "street_address2", "locality": "city",
            "region": "state", "postal_code": "postal_code", "zip_four": "zip_four1", "country": "country",
            "title": "title", "suffix": "suffix", "first_name": "first_name", "middle_name": "middle_name",
            "last_name": "last_name", "preferred_name": "nickname", "job_title": "job_title",
            "spouse_name": "spouse_name", "assistant_name": "assistant_name", "assistant_phone": "assistant_phone",
            "billing_information": "billing_information", "contact_type": "contact_type",
            "referral_code": "referral_code", "anniversary": "anniversary", "birthday": "birthday",
            "owner_id": "owner_id", "account_id": "account_id", "created_by": "created_by",
            "last_updated_by": "last_updated_by", "groups": "groups", "created": "date_created",
            "updated": "last_updated"}

COMPANY_FIELDS = listing.Fields({"id": _c.c.id, "company_name": _c.c.company, "email": _c.c.email,
                                 "city": _c.c.city, "state": _c.c.state, "country": _c.c.country,
                                 "create_time": _c.c.date_created,
                                 "update_time": _c.c.last_updated},
                                text=frozenset({"company_name", "email", "city", "state", "country"}))
APPLIED_TAG_FIELDS = listing.Fields({"id": _t.c.id, "name": _t.c.group_name, "description": _t.c.group_description,
                                     "category_id": _t.c.group_category_id, "create_time": _t.c.date_created,
                                     "update_time": _t.c.last_updated, "applied_time": _ta.c.date_created},
                                    text=frozenset({"name", "description"}))


def _record(row) -> CompanyRecord:
    return CompanyRecord(**{attr: getattr(row, column) for attr, column in _COLUMNS.items()})


def _companies(s: AppSession) -> sa.Select:
    return s.select(_c).where(_c.c.kind == "company")


def get(s: AppSession, company_id: int) -> CompanyRecord | None:
    row = s.execute(_companies(s).where(_c.c.id == company_id)).first()
    return None if row is None else _record(row)


def page(s: AppSession, q: listing.ListQuery) -> listing.Page[CompanyRecord]:
    """Companies under ``q``: COMPANY_FIELDS and the company custom fields (``_Name``)."""
    return listing.page(s, _companies(s), custom_fields.filterable(s, COMPANY_FIELDS, FORM_COMPANY, _c, q.where), q,
                        _record)


def page_tags(s: AppSession, company_id: int, q: listing.ListQuery) -> listing.Page[AppliedTag]:
    """The tags on a company, each with when it was applied."""
    select = (s.select(_ta, *_t.c, _ta.c.date_created.label("applied")).select_from(_ta)
              .join(_t, s.scoped(_t, _t.c.id == _ta.c.tag_id))
              .where(_ta.c.contact_id == company_id))
    return listing.page(s, select, APPLIED_TAG_FIELDS, q,
                        lambda r: AppliedTag(tags.TagRecord(r.id, r.group_name, r.group_description,
                                                            r.group_category_id, r.date_created, r.last_updated),
                                             r.applied))
