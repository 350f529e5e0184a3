"""Links between contacts (ContactService.linkContacts, unlinkContacts, listLinkedContacts)."""
from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa

from server.domain.data import listing
from server.domain.errors import MethodFailed
from server.store import schema
from server.store.session import AppSession


def _check(s: AppSession, contact_id1: int, contact_id2: int, link_type_id: int):
    c = schema.contact
    for cid in (contact_id1, contact_id2):
        if s.execute(s.select(c, c.c.id).where(c.c.id == cid)).first() is None:
            raise MethodFailed("contactId must be a valid id")
    if contact_id1 == contact_id2:
        raise MethodFailed("a contact cannot be linked to itself")
    link_type = s.get(schema.link_type, link_type_id)
    if link_type is None:
        raise MethodFailed("linkTypeId must be a valid id")
    return link_type


def _pair(contact_id1: int, contact_id2: int) -> tuple[int, int]:
    return (contact_id1, contact_id2) if contact_id1 < contact_id2 else (contact_id2, contact_id1)


def link(s: AppSession, contact_id1: int, contact_id2: int, link_type_id: int, *, check: bool = True) -> bool:
    link_type = _check(s, contact_id1, contact_id2, link_type_id) if check else None
    a, b = _pair(contact_id1, contact_id2)
    cl = schema.contact_link
    exists = s.execute(s.select(cl).where(cl.c.contact_id1 == a, cl.c.contact_id2 == b,
                                          cl.c.link_type_id == link_type_id)).first()
    if exists is not None:
        return True
    if link_type is not None and link_type.max_linked:
        for cid in (contact_id1, contact_id2):
            n = s.execute(s.select(cl, sa.func.count()).where(
                cl.c.link_type_id == link_type_id, sa.or_(cl.c.contact_id1 == cid, cl.c.contact_id2 == cid))).scalar()
            if n >= link_type.max_linked:
                raise MethodFailed(f"contact {cid} already has the maximum number of "
                                   f"'{link_type.type_name}' links ({link_type.max_linked})")
    s.insert(cl, dict(contact_id1=a, contact_id2=b, link_type_id=link_type_id, date_created=s.now_local()))
    s.emit("contact.linked", "contact", a, other_id=b, link_type_id=link_type_id)
    return True


def unlink(s: AppSession, contact_id1: int, contact_id2: int, link_type_id: int) -> bool:
    _check(s, contact_id1, contact_id2, link_type_id)
    a, b = _pair(contact_id1, contact_id2)
    cl = schema.contact_link
    if s.delete(cl, cl.c.contact_id1 == a, cl.c.contact_id2 == b, cl.c.link_type_id == link_type_id).rowcount:
        s.emit("contact.unlinked", "contact", a, other_id=b, link_type_id=link_type_id)
    return True


def linked(s: AppSession, contact_id: int) -> list[dict]:
    """Rows ``{ContactId1, ContactId2, LinkTypeId}`` (the real struct keys are unrecorded; spec §7 #12)."""
    c = schema.contact
    if s.execute(s.select(c, c.c.id).where(c.c.id == contact_id)).first() is None:
        raise MethodFailed("contactId must be a valid id")
    cl = schema.contact_link
    q = (s.select(cl).where(sa.or_(cl.c.contact_id1 == contact_id, cl.c.contact_id2 == contact_id))
         .order_by(cl.c.contact_id1, cl.c.contact_id2, cl.c.link_type_id))
    out = []
    for r in s.execute(q):
        other = r.contact_id2 if r.contact_id1 == contact_id else r.contact_id1
        out.append({"ContactId1": contact_id, "ContactId2": other, "LinkTypeId": r.link_type_id})
    return out


def add_type(s: AppSession, name: str, max_linked: int) -> int:
    type_id = s.next_id("link_type")
    s.insert(schema.link_type, dict(id=type_id, type_name=name, max_linked=max_linked))
    return type_id


# --- typed reads and the link-type writes of REST v2 --------------------------------------------------

class LinkTypeRecord(NamedTuple):
    id: int
    name: str | None
    max_links: int | None  # None or 0: no limit


class LinkRecord(NamedTuple):
    """A link seen from one of its contacts: ``contact_id`` is that one, ``other_id`` the linked contact."""

    contact_id: int
    other_id: int
    link_type_id: int
    link_type_name: str | None


_lt = schema.link_type
# no creation time is kept for a link type; ids are given in creation order, so the id stands for it
LINK_TYPE_FIELDS = listing.Fields({"id": _lt.c.id, "name": _lt.c.type_name, "max_links": _lt.c.max_linked,
                                   "create_time": _lt.c.id}, text=frozenset({"name"}))


def _type_record(row) -> LinkTypeRecord:
    return LinkTypeRecord(row.id, row.type_name, row.max_linked)


def get_type(s: AppSession, link_type_id: int) -> LinkTypeRecord | None:
    row = s.get(_lt, link_type_id)
    return None if row is None else _type_record(row)


def page_types(s: AppSession, q: listing.ListQuery) -> listing.Page[LinkTypeRecord]:
    return listing.page(s, s.select(_lt), LINK_TYPE_FIELDS, q, _type_record)


def update_type(s: AppSession, link_type_id: int, *, name: str | None = None, max_links: int | None = None) -> None:
    values = {k: v for k, v in (("type_name", name), ("max_linked", max_links)) if v is not None}
    if values:
        s.update(_lt, _lt.c.id == link_type_id, **values)


def delete_type(s: AppSession, link_type_id: int) -> None:
    """Delete a link type and the links of that type (each announced as ``contact.unlinked``)."""
    cl = schema.contact_link
    for r in s.execute(s.select(cl).where(cl.c.link_type_id == link_type_id)).all():
        s.emit("contact.unlinked", "contact", r.contact_id1, other_id=r.contact_id2, link_type_id=link_type_id)
    s.delete(cl, cl.c.link_type_id == link_type_id)
    s.delete(_lt, _lt.c.id == link_type_id)


def links_of(s: AppSession, contact_id: int) -> list[LinkRecord]:
    return links_of_contacts(s, [contact_id]).get(contact_id, [])


def links_of_contacts(s: AppSession, contact_ids: list[int]) -> dict[int, list[LinkRecord]]:
    """Each contact's links (either end), read at once for them all."""
    if not contact_ids:
        return {}
    cl = schema.contact_link
    q = (s.select(cl, cl.c.contact_id1, cl.c.contact_id2, cl.c.link_type_id, _lt.c.type_name)
         .outerjoin(_lt, s.scoped(_lt, _lt.c.id == cl.c.link_type_id))
         .where(sa.or_(cl.c.contact_id1.in_(contact_ids), cl.c.contact_id2.in_(contact_ids)))
         .order_by(cl.c.contact_id1, cl.c.contact_id2, cl.c.link_type_id))
    wanted = set(contact_ids)
    out: dict[int, list[LinkRecord]] = {}
    for r in s.execute(q):
        for mine, other in ((r.contact_id1, r.contact_id2), (r.contact_id2, r.contact_id1)):
            if mine in wanted:
                out.setdefault(mine, []).append(LinkRecord(mine, other, r.link_type_id, r.type_name))
    return out
