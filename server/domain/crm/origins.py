"""Where a contact came from: its ``origin`` (the IP address a write gave and when it was given) and its
``source_type`` (how it was created), as REST v1's FullContact and REST v2's Contact show them (Keap's
ContactOrigin schema: ``date`` and ``ip_address``; the source types are v1's enum, kept in v1's spelling).

The sandbox sets the source type where the real service would: ``API`` for a contact added through an API
(XML-RPC ContactService/DataService, REST v1, REST v2) that names none; for a public form's post ``WEBFORM``
(``LANDINGPAGE`` for a landing page's form, ``INTERNALFORM`` for an in-app one) with the visitor's IP address as
the origin; ``IMPORT`` for the contacts a seed loads (docs/divergences.md). A write that names one keeps it.
Companies have neither. The values live on the contact row (``origin_ip``, ``origin_date``, ``source_type``),
so a snapshot or an export carries them with the contact."""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from server.domain.errors import RecordNotFound
from server.store import schema
from server.store.session import AppSession

# FullContact.source_type [Keap's v1 document]
SOURCE_TYPES = ("APPOINTMENT", "FORMAPIHOSTED", "FORMAPIINTERNAL", "WEBFORM", "INTERNALFORM", "LANDINGPAGE",
                "IMPORT", "MANUAL", "API", "OTHER", "UNKNOWN")
API, WEBFORM, IMPORT = "API", "WEBFORM", "IMPORT"
MAX_IP_LENGTH = 100  # the column's width; no limit is documented


class Origin(NamedTuple):
    ip_address: str | None
    date: datetime | None  # app-local
    source_type: str | None


def check(ip_address: str | None = None, source_type: str | None = None) -> None:
    """Refuse what the store cannot keep (ValueError naming the property)."""
    if ip_address is not None and len(ip_address) > MAX_IP_LENGTH:
        raise ValueError(f"origin.ip_address is longer than {MAX_IP_LENGTH} characters")
    if source_type is not None and source_type not in SOURCE_TYPES:
        raise ValueError(f"source_type must be one of {', '.join(SOURCE_TYPES)}")


_UNSET = object()


def record(s: AppSession, contact_id: int, *, ip_address=_UNSET, source_type=_UNSET) -> None:
    """Keep what a write said about the contact's origin: an ``ip_address`` (None clears the origin) is dated
    now; a ``source_type`` replaces the one kept. What is not given stays."""
    values: dict = {}
    if ip_address is not _UNSET:
        check(ip_address=ip_address)
        values.update(origin_ip=ip_address, origin_date=s.now_local() if ip_address is not None else None)
    if source_type is not _UNSET:
        check(source_type=source_type)
        values["source_type"] = source_type
    if not values:
        return
    c = schema.contact
    if s.execute(s.select(c, c.c.id).where(c.c.id == contact_id, c.c.kind == "contact")).first() is None:
        raise RecordNotFound(f"Contact {contact_id} not found")
    s.update(c, c.c.id == contact_id, **values)


def of_contacts(s: AppSession, contact_ids: list[int]) -> dict[int, Origin]:
    """Each contact's origin and source type (contacts that have neither are left out)."""
    if not contact_ids:
        return {}
    c = schema.contact
    rows = s.execute(s.select(c, c.c.id, c.c.origin_ip, c.c.origin_date, c.c.source_type)
                     .where(c.c.id.in_(sorted(set(contact_ids))))).all()
    return {r.id: Origin(r.origin_ip, r.origin_date, r.source_type) for r in rows
            if r.origin_ip is not None or r.source_type is not None}
