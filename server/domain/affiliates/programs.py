"""Affiliate programs, their resources, and redirect links: what an affiliate hands out, and following one.
"""
from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

import sqlalchemy as sa

from server.domain import redirects
from server.domain.account import public_urls
from server.domain.data import custom_fields, listing, records
from server.store import schema
from server.store.session import AppSession
from server.tables import FORM_AFFILIATE, FORM_CONTACT, REGISTRY

from . import program_commissions

AFFILIATE = REGISTRY.get("Affiliate")
_HIDDEN = {"Password"}  # never shown by the program service
_CONTACT_FIELDS = ("FirstName", "LastName", "Email", "Company", "Phone1", "StreetAddress1", "StreetAddress2",
                   "City", "State", "PostalCode", "Country", "Website")


def add_program(s: AppSession, name: str, notes: str = "", priority: int = 0) -> int:
    program_id = s.next_id("affiliate_program")
    s.insert(schema.affiliate_program, dict(id=program_id, name=name, notes=notes, priority=priority))
    s.emit("affiliate_program.added", "affiliate_program", program_id, name=name)
    return program_id


def join_program(s: AppSession, affiliate_id: int, program_id: int) -> None:
    m = schema.affiliate_program_member
    if s.execute(s.select(m).where(m.c.program_id == program_id, m.c.affiliate_id == affiliate_id)).first():
        return
    s.insert(m, dict(program_id=program_id, affiliate_id=affiliate_id))
    s.emit("affiliate.program_joined", "affiliate", affiliate_id, program_id=program_id)


def _program_row(r) -> dict:
    return {"Id": r.id, "Name": r.name, "Notes": r.notes or "", "Priority": r.priority or 0}


def programs(s: AppSession) -> list[dict]:
    p = schema.affiliate_program
    return [_program_row(r) for r in s.execute(s.select(p).order_by(p.c.priority, p.c.id))]


def programs_for(s: AppSession, affiliate_id: int) -> list[dict]:
    p, m = schema.affiliate_program, schema.affiliate_program_member
    q = (s.select(p).join(m, s.scoped(m, sa.and_(m.c.program_id == p.c.id)))
         .where(m.c.affiliate_id == affiliate_id).order_by(p.c.priority, p.c.id))
    return [_program_row(r) for r in s.execute(q)]


def affiliates_of_program(s: AppSession, program_id: int) -> list[dict]:
    """The program's affiliates with their contact's data, each with its affiliate and contact custom
    fields (contact fields that an affiliate field already names are left out)."""
    m = schema.affiliate_program_member
    ids = [r.affiliate_id for r in s.execute(s.select(m, m.c.affiliate_id).where(m.c.program_id == program_id)
                                              .order_by(m.c.affiliate_id))]
    if not ids:
        return []

    aff_fields = [f for f in AFFILIATE.fields if f not in _HIDDEN]
    aff_customs = [f.api_name for f in custom_fields.definitions(s, FORM_AFFILIATE).values()]
    rows = records.query(s, "Affiliate", 1000, 0, {"Id": ids}, aff_fields + aff_customs)
    contact_ids = sorted({r["ContactId"] for r in rows if r.get("ContactId")})
    contact_customs = [f.api_name for f in custom_fields.definitions(s, FORM_CONTACT).values()]
    people = {}
    if contact_ids:
        for c in records.query(s, "Contact", 1000, 0, {"Id": contact_ids},
                               ["Id", *_CONTACT_FIELDS, *contact_customs]):
            people[c.pop("Id")] = c
    out = []
    for r in rows:
        merged = dict(r)
        for k, v in people.get(r.get("ContactId"), {}).items():
            merged.setdefault(k, v)
        out.append(merged)
    return out


def resources_of_program(s: AppSession, program_id: int) -> list[dict]:
    fields = list(REGISTRY.get("AffResource").fields)
    rows = records.query(s, "AffResource", 1000, 0, {"Id": "%"}, fields, "ResourceOrder", True)
    return [r for r in rows if str(program_id) in _id_list(r.get("ProgramIds"))]


def _id_list(text) -> list[str]:
    return [p.strip() for p in str(text or "").split(",") if p.strip()]


def add_redirect(s: AppSession, name: str, local_url_code: str, redirect_url: str, *, affiliate_id: int = 0,
                 program_ids: list[int] | None = None) -> int:
    redirect_id = s.next_id("affiliate_redirect")
    s.insert(schema.affiliate_redirect, dict(
        id=redirect_id, name=name, local_url_code=local_url_code, redirect_url=redirect_url,
        affiliate_id=affiliate_id, program_ids=",".join(map(str, program_ids or [])) or None))
    s.emit("affiliate_redirect.added", "affiliate_redirect", redirect_id, name=name)
    return redirect_id


def affiliate_row(s: AppSession, affiliate_id: int):
    return s.get(schema.affiliate, affiliate_id)


def redirect_links(s: AppSession, affiliate_id: int) -> list[dict]:
    """AffiliateService.getRedirectLinksForAffiliate: the links offered to the affiliate (its own, and
    those of every affiliate), each with the address to hand out (``AffiliateUrl``, the sandbox's)."""

    aff = affiliate_row(s, affiliate_id)
    if aff is None:
        return []
    r = schema.affiliate_redirect
    q = s.select(r).where(r.c.affiliate_id.in_([0, affiliate_id])).order_by(r.c.id)
    mine = _program_ids(s, affiliate_id)
    out = []
    for row in s.execute(q):
        if not _offered(row, affiliate_id, mine):
            continue
        out.append({"Id": row.id, "AffiliateId": affiliate_id, "Name": row.name, "LocalUrlCode": row.local_url_code,
                    "RedirectUrl": row.redirect_url, "ProgramIds": row.program_ids or "",
                    "AffiliateUrl": public_urls.redirect_link(s, row.local_url_code, aff.aff_code or "")})
    return out


def _program_ids(s: AppSession, affiliate_id: int) -> set[str]:
    return {str(p["Id"]) for p in programs_for(s, affiliate_id)}


def _offered(link, affiliate_id: int, programs: set[str]) -> bool:
    """Whether the redirect link is the affiliate's to hand out (and so to follow): one of every affiliate's or its
    own, and, when the link names programs, in one of the affiliate's ``programs``."""
    wanted = _id_list(link.program_ids)
    return link.affiliate_id in (0, affiliate_id) and (not wanted or bool(programs.intersection(wanted)))


def follow_link(s: AppSession, local_url_code: str, aff_code: str):
    """``(Location, affiliate row)`` of a redirect link (its URL as a Location header), or None when the code or
    affiliate is unknown, the link is not offered to the affiliate (redirect_links would not list it), or its URL
    cannot be a Location header."""
    r, a = schema.affiliate_redirect, schema.affiliate
    link = s.execute(s.select(r).where(sa.func.lower(r.c.local_url_code) == local_url_code.strip().lower())
                     .order_by(r.c.id).limit(1)).first()
    aff = s.execute(s.select(a).where(sa.func.lower(a.c.aff_code) == aff_code.strip().lower())
                    .order_by(a.c.id).limit(1)).first()
    if link is None or aff is None or not is_active(aff) or not _offered(link, aff.id, _program_ids(s, aff.id)):
        return None
    to = redirects.location(link.redirect_url)
    if to is None:  # a URL stored before the check (or imported) that no Location header can carry: no click
        return None
    s.emit("affiliate.link_clicked", "affiliate", aff.id, redirect_id=link.id, code=link.local_url_code)
    return to, aff


def is_active(aff) -> bool:
    return aff.status is None or aff.status != 0  # Status 0: inactive (1 active, as the app shows it)


# --- reads and writes for the protocols that page (REST v2) ------------------------------------------

class ProgramRecord(NamedTuple):
    id: int
    name: str
    notes: str
    priority: int
    affiliate_ids: list[int]


_p, _m = schema.affiliate_program, schema.affiliate_program_member
PROGRAM_FIELDS = listing.Fields({"id": _p.c.id, "name": _p.c.name, "priority": _p.c.priority},
                                text=frozenset({"name"}))


def _members(s: AppSession, program_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {i: [] for i in program_ids}
    if program_ids:
        q = s.select(_m).where(_m.c.program_id.in_(program_ids)).order_by(_m.c.affiliate_id)
        for r in s.execute(q):
            out[r.program_id].append(r.affiliate_id)
    return out


def _program_records(s: AppSession, rows) -> list[ProgramRecord]:
    members = _members(s, [r.id for r in rows])
    return [ProgramRecord(r.id, r.name, r.notes or "", r.priority or 0, members[r.id]) for r in rows]


def get_program(s: AppSession, program_id: int) -> ProgramRecord | None:
    row = s.get(_p, program_id)
    return None if row is None else _program_records(s, [row])[0]


def page_programs(s: AppSession, q: listing.ListQuery) -> listing.Page[ProgramRecord]:
    """Programs under ``q``; the condition ``affiliate_id`` keeps the programs the affiliate is in."""
    select, where = s.select(_p), []
    for c in q.where:
        if c.field == "affiliate_id":
            select = select.where(_p.c.id.in_(sa.select(_m.c.program_id).where(_m.c.app_id == s.app.id,
                                                                               _m.c.affiliate_id == c.value)))
        else:
            where.append(c)
    found = listing.page(s, select, PROGRAM_FIELDS, replace(q, where=tuple(where)), lambda r: r)
    found.items = _program_records(s, found.items)
    return found


def update_program(s: AppSession, program_id: int, values: dict) -> None:
    """Change a program's ``name``, ``notes`` or ``priority``."""
    if values:
        s.update(_p, _p.c.id == program_id, **values)
        s.emit("affiliate_program.updated", "affiliate_program", program_id, **values)


def delete_program(s: AppSession, program_id: int) -> None:
    """Delete a program with its commission rates: its members leave it, and resources and links stop naming
    it."""
    s.delete(_m, _m.c.program_id == program_id)
    rd = schema.affiliate_redirect
    for row in s.execute(s.select(rd).where(rd.c.program_ids.is_not(None))).all():
        kept = [p for p in _id_list(row.program_ids) if p != str(program_id)]
        if len(kept) != len(_id_list(row.program_ids)):
            s.update(rd, rd.c.id == row.id, program_ids=",".join(kept) or None)
    res = schema.aff_resource
    for row in s.execute(s.select(res).where(res.c.program_ids.is_not(None))).all():
        kept = [p for p in _id_list(row.program_ids) if p != str(program_id)]
        if len(kept) != len(_id_list(row.program_ids)):
            records.update(s, "AffResource", row.id, {"ProgramIds": ",".join(kept)})
    program_commissions.remove_all(s, program_id)
    s.delete(_p, _p.c.id == program_id)
    s.emit("affiliate_program.deleted", "affiliate_program", program_id)


def leave_program(s: AppSession, affiliate_id: int, program_id: int) -> bool:
    if not s.delete(_m, _m.c.program_id == program_id, _m.c.affiliate_id == affiliate_id).rowcount:
        return False
    s.emit("affiliate.program_left", "affiliate", affiliate_id, program_id=program_id)
    return True
