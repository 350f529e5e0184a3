"""A contact's UTM parameters: one row per visit a form or the API recorded (REST v1 ``POST
/contacts/{id}/utm``, REST v2's ``utm_parameters`` on a contact write). The oldest is the contact's first
touch, the newest its last."""
from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from server.domain.errors import RecordNotFound
from server.store import schema
from server.store.session import AppSession

FIELDS = ("utm_source", "utm_medium", "utm_term", "utm_campaign", "utm_content")
MAX_LENGTH = 255


class Utm(NamedTuple):
    id: int
    contact_id: int
    keap_source_id: str
    utm_source: str | None
    utm_medium: str | None
    utm_term: str | None
    utm_campaign: str | None
    utm_content: str | None
    first_touch: bool = False
    last_touch: bool = False


def add(s: AppSession, contact_id: int, keap_source_id: str, values: dict[str, str | None]) -> Utm:
    """Record a visit's UTM parameters on the contact. ``values`` may name only ``FIELDS``; longer values than
    the store keeps are refused (ValueError naming the field), never cut."""
    for name, value in [("keap_source_id", keap_source_id), *values.items()]:
        if name != "keap_source_id" and name not in FIELDS:
            raise ValueError(f"{name} is not a UTM parameter")
        if value is not None and len(value) > MAX_LENGTH:
            raise ValueError(f"{name} is longer than {MAX_LENGTH} characters")
    c = schema.contact
    if s.execute(s.select(c, c.c.id).where(c.c.id == contact_id, c.c.kind == "contact")).first() is None:
        raise RecordNotFound(f"Contact {contact_id} not found")
    utm_id = s.next_id("contact_utm")
    row = {"id": utm_id, "contact_id": contact_id, "keap_source_id": keap_source_id,
           **{name: values.get(name) for name in FIELDS}, "date_created": s.now_local()}
    s.insert(schema.contact_utm, row)
    s.emit("contact.utm_added", "contact", contact_id, utm_id=utm_id)
    return Utm(utm_id, contact_id, keap_source_id, *(values.get(name) for name in FIELDS))


def of_contacts(s: AppSession, contact_ids: list[int]) -> dict[int, list[Utm]]:
    """Each contact's UTM rows, oldest first, the first and last marked."""
    if not contact_ids:
        return {}
    u = schema.contact_utm
    rows = s.execute(s.select(u).where(u.c.contact_id.in_(contact_ids)).order_by(u.c.contact_id, u.c.id)).all()
    grouped: dict[int, list] = defaultdict(list)
    for r in rows:
        grouped[r.contact_id].append(r)
    out = {}
    for contact_id, group in grouped.items():
        last = len(group) - 1
        out[contact_id] = [Utm(r.id, r.contact_id, r.keap_source_id, *(getattr(r, n) for n in FIELDS),
                               first_touch=i == 0, last_touch=i == last) for i, r in enumerate(group)]
    return out


def delete_of_contact(s: AppSession, contact_id: int) -> None:
    u = schema.contact_utm
    s.delete(u, u.c.contact_id == contact_id)
