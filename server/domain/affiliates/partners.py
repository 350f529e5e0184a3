"""Affiliates themselves (the Affiliate table, "referral partners"): typed reads that page, and the writes a
protocol makes, through DataService's writer so that the same events fire and XML-RPC reads the same rows.

An affiliate's status is ``Affiliate.Status``: 0 inactive, anything else (or nothing) active, as
``programs.is_active`` reads it. Its custom fields are the Affiliate form's (FormId -3), addressed by the
DataFormField id. Deleting an affiliate takes it out of its programs and its own redirect links go with it;
its ledger and referrals stay (history, as the real app keeps commissions of a deleted partner).
"""
from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

import sqlalchemy as sa

from server.domain.data import custom_fields, listing, records
from server.store import schema
from server.store.session import AppSession
from server.tables import FORM_AFFILIATE

_a, _ref = schema.affiliate, schema.referral
ACTIVE, INACTIVE = "ACTIVE", "INACTIVE"
_STATUS = sa.case((sa.func.coalesce(_a.c.status, 1) == 0, INACTIVE), else_=ACTIVE)


class AffiliateRecord(NamedTuple):
    id: int
    code: str | None
    name: str | None
    status: str  # ACTIVE | INACTIVE
    contact_id: int | None
    parent_id: int | None
    notify_lead: bool
    notify_sale: bool
    track_leads_days: int
    custom: dict[int, object]  # DataFormField id -> value, for the fields that have one


FIELDS = listing.Fields({"id": _a.c.id, "name": _a.c.aff_name, "code": _a.c.aff_code, "contact_id": _a.c.contact_id,
                         "parent_id": _a.c.parent_id, "status": _STATUS}, text=frozenset({"name", "code"}))


def _record(row, custom: dict[int, object]) -> AffiliateRecord:
    return AffiliateRecord(row.id, row.aff_code, row.aff_name, row.status_word, row.contact_id, row.parent_id or None,
                           bool(row.notify_lead), bool(row.notify_sale), row.lead_cookie_for or 0, custom)


def _customs(s: AppSession, ids: list[int]) -> dict[int, dict[int, object]]:
    fields = list(custom_fields.definitions(s, FORM_AFFILIATE).values())
    by_name = {f.api_name: f.id for f in fields}
    values = custom_fields.read_values(s, ids, fields)
    return {record_id: {by_name[name]: v for name, v in found.items() if v is not None}
            for record_id, found in values.items()}


def _select(s: AppSession) -> sa.Select:
    return s.select(_a).add_columns(_STATUS.label("status_word"))


def get(s: AppSession, affiliate_id: int) -> AffiliateRecord | None:
    row = s.execute(_select(s).where(_a.c.id == affiliate_id)).first()
    return None if row is None else _record(row, _customs(s, [row.id]).get(row.id, {}))


def page(s: AppSession, q: listing.ListQuery) -> listing.Page[AffiliateRecord]:
    """Affiliates under ``q``, whose fields are FIELDS and the Affiliate custom fields (``_Name``); the condition
    ``referral_contact_id`` keeps those that referred that contact."""
    select = _select(s)
    where = []
    for c in q.where:
        if c.field == "referral_contact_id":
            select = select.where(_a.c.id.in_(sa.select(_ref.c.affiliate_id).where(
                _ref.c.app_id == s.app.id, _ref.c.contact_id == c.value)))
        else:
            where.append(c)
    fields = custom_fields.filterable(s, FIELDS, FORM_AFFILIATE, _a, where)
    found = listing.page(s, select, fields, replace(q, where=tuple(where)), lambda r: r)
    customs = _customs(s, [r.id for r in found.items])
    found.items = [_record(r, customs.get(r.id, {})) for r in found.items]
    return found


def code_taken(s: AppSession, code: str, *, besides: int | None = None) -> bool:
    q = s.select(_a, _a.c.id).where(sa.func.lower(_a.c.aff_code) == code.strip().lower())
    if besides is not None:
        q = q.where(_a.c.id != besides)
    return s.execute(q.limit(1)).first() is not None


def custom_names(s: AppSession) -> dict[int, str]:
    """The Affiliate form's custom fields: DataFormField id -> the name DataService writes (``_Name``)."""
    return {f.id: f.api_name for f in custom_fields.definitions(s, FORM_AFFILIATE).values()}


def add(s: AppSession, values: dict) -> int:
    """A new affiliate from DataService values (``AffCode``, ``ContactId`` …, custom fields as ``_Name``)."""
    return records.add(s, "Affiliate", values)


def update(s: AppSession, affiliate_id: int, values: dict) -> None:
    if values:
        records.update(s, "Affiliate", affiliate_id, values)


def delete(s: AppSession, affiliate_id: int) -> None:
    m, rd = schema.affiliate_program_member, schema.affiliate_redirect
    s.delete(m, m.c.affiliate_id == affiliate_id)
    s.delete(rd, rd.c.affiliate_id == affiliate_id)
    records.delete(s, "Affiliate", affiliate_id)


def person_name(s: AppSession, contact_id: int) -> str | None:
    """The name of contact ``contact_id`` ("" when it has none), or None when it is no contact (a company is
    not one: an affiliate is a person)."""
    c = schema.contact
    row = s.execute(s.select(c, c.c.first_name, c.c.last_name).where(c.c.id == contact_id, c.c.kind == "contact")
                    ).first()
    return None if row is None else " ".join(p for p in (row.first_name, row.last_name) if p)


def window(s: AppSession, where: tuple[listing.Condition, ...], order: str, descending: bool, limit: int,
           offset: int) -> tuple[list[AffiliateRecord], int]:
    """``(affiliates, total)``: a window of the affiliates under ``where`` by offset (REST v1's paging), in
    ``order`` (a field of FIELDS) then id. Besides FIELDS, the condition ``program_id`` (members of that
    program) applies."""
    select, kept = _select(s), []
    for c in where:
        if c.field == "program_id":
            m = schema.affiliate_program_member
            select = select.where(_a.c.id.in_(sa.select(m.c.affiliate_id).where(m.c.app_id == s.app.id,
                                                                                m.c.program_id == c.value)))
        else:
            kept.append(c)
    select = select.where(*(listing.condition(FIELDS, c) for c in kept))
    total = s.execute(sa.select(sa.func.count()).select_from(select.subquery())).scalar_one()
    column = FIELDS.sort_expression(order)
    ordering = (column.desc(), _a.c.id.desc()) if descending else (column, _a.c.id)
    rows = s.execute(select.order_by(*ordering).limit(limit).offset(offset)).all()
    customs = _customs(s, [r.id for r in rows])
    return [_record(r, customs.get(r.id, {})) for r in rows], total


def existing(s: AppSession, affiliate_ids: list[int] | None = None) -> list[int]:
    """The ids of the affiliates among ``affiliate_ids`` (all of them when None), in id order."""
    q = s.select(_a, _a.c.id).order_by(_a.c.id)
    if affiliate_ids is not None:
        q = q.where(_a.c.id.in_(affiliate_ids))
    return [r.id for r in s.execute(q)]
