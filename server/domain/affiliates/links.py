"""Redirect links as records (REST v2): read a page at a time, changed and deleted. Making one and following
one are ``programs.add_redirect`` and ``programs.follow_link``.

A link is offered to one affiliate (``affiliate_id``) or, with 0, to every affiliate, limited to the members
of its programs when it names some. Its code is what the link's address carries
(``/go/<app>/<code>/<affiliate code>``), so two links may not share one (ignoring case).
"""
from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa

from server.domain.data import listing
from server.store import schema
from server.store.session import AppSession

_rd = schema.affiliate_redirect


class LinkRecord(NamedTuple):
    id: int
    name: str
    code: str
    affiliate_id: int | None  # None: offered to every affiliate
    redirect_url: str
    program_ids: list[int]


FIELDS = listing.Fields({"id": _rd.c.id, "name": _rd.c.name, "affiliate_id": _rd.c.affiliate_id},
                        text=frozenset({"name"}))


def _record(row) -> LinkRecord:
    ids = [int(p) for p in (row.program_ids or "").split(",") if p.strip().isdigit()]
    return LinkRecord(row.id, row.name, row.local_url_code, row.affiliate_id or None, row.redirect_url, ids)


def get(s: AppSession, link_id: int) -> LinkRecord | None:
    row = s.get(_rd, link_id)
    return None if row is None else _record(row)


def page(s: AppSession, q: listing.ListQuery) -> listing.Page[LinkRecord]:
    return listing.page(s, s.select(_rd), FIELDS, q, _record)


def code_taken(s: AppSession, code: str, *, besides: int | None = None) -> bool:
    q = s.select(_rd, _rd.c.id).where(sa.func.lower(_rd.c.local_url_code) == code.strip().lower())
    if besides is not None:
        q = q.where(_rd.c.id != besides)
    return s.execute(q.limit(1)).first() is not None


def update(s: AppSession, link_id: int, *, name: str, code: str, redirect_url: str, affiliate_id: int,
           program_ids: list[int]) -> None:
    s.update(_rd, _rd.c.id == link_id, name=name, local_url_code=code, redirect_url=redirect_url,
             affiliate_id=affiliate_id, program_ids=",".join(map(str, program_ids)) or None)
    s.emit("affiliate_redirect.updated", "affiliate_redirect", link_id, name=name)


def delete(s: AppSession, link_id: int) -> None:
    s.delete(_rd, _rd.c.id == link_id)
    s.emit("affiliate_redirect.deleted", "affiliate_redirect", link_id)


def every(s: AppSession) -> list[LinkRecord]:
    """Every redirect link of the app, in id order."""
    return [_record(r) for r in s.execute(s.select(_rd).order_by(_rd.c.id))]
