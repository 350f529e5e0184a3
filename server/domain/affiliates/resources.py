"""Program resources (the AffResource table: banners, email copy and pages offered to the affiliates of
programs) as records, written through DataService's writer so XML-RPC reads the same rows.

``ResourceType`` is free text in the table; the kinds REST v2 knows are EMAIL, BANNER and PAGE, written as
``Email``, ``Banner`` and ``Page`` (the seeded ``Text`` copy reads as EMAIL, a ``Link`` as PAGE).
``ResourceOrder`` is text in the table and a number on v2 (text that is no number reads as 0). A page's width
and height are kept beside the row (no API table shows them).
"""
from __future__ import annotations

from typing import NamedTuple

from server.domain.data import records
from server.store import schema
from server.store.session import AppSession

KINDS = {"email": "EMAIL", "text": "EMAIL", "banner": "BANNER", "page": "PAGE", "link": "PAGE"}
STORED = {"EMAIL": "Email", "BANNER": "Banner", "PAGE": "Page"}
_res = schema.aff_resource


class ResourceRecord(NamedTuple):
    id: int
    title: str | None
    type: str | None  # EMAIL | BANNER | PAGE, or None for a kind v2 does not know
    notes: str | None
    url: str | None
    order: int
    html: str | None
    program_ids: list[int]
    page_width: int | None
    page_height: int | None


def _record(row) -> ResourceRecord:
    order = (row.resource_order or "").strip()
    return ResourceRecord(row.id, row.title, KINDS.get((row.resource_type or "").strip().lower()), row.notes,
                          row.resource_href, int(order) if order.isdigit() else 0, row.resource_html,
                          [int(p) for p in (row.program_ids or "").split(",") if p.strip().isdigit()],
                          row.page_width, row.page_height)


def get(s: AppSession, resource_id: int) -> ResourceRecord | None:
    row = s.get(_res, resource_id)
    return None if row is None else _record(row)


def of_program(s: AppSession, program_id: int) -> list[ResourceRecord]:
    """The program's resources, by their order, then id."""
    found = [_record(r) for r in s.execute(s.select(_res).where(_res.c.program_ids.is_not(None)))]
    return sorted((r for r in found if program_id in r.program_ids), key=lambda r: (r.order, r.id))


def add(s: AppSession, data: dict, size: dict) -> int:
    """A new resource from AffResource values, and ``size``: its ``page_width`` and ``page_height``."""
    resource_id = records.add(s, "AffResource", data)
    if size:
        s.update(_res, _res.c.id == resource_id, **size)
    return resource_id


def update(s: AppSession, resource_id: int, data: dict, size: dict) -> None:
    if data:
        records.update(s, "AffResource", resource_id, data)
    if size:
        s.update(_res, _res.c.id == resource_id, **size)


def delete(s: AppSession, resource_id: int) -> None:
    records.delete(s, "AffResource", resource_id)
