"""Tags (the API's ContactGroup), tag categories, and tags on contacts (ContactGroupAssign).

``Contact.Groups`` is kept as the comma-joined list of the contact's tag ids, so that it can be selected and
queried (``{Groups: '%91%'}``) like any column.
"""
from __future__ import annotations

import sqlalchemy as sa

from server.domain.errors import MethodFailed
from server.domain.mail.emails import contact_exists
from server.store import schema
from server.store.prepared import PreparedAll
from server.store.session import AppSession

_ta = schema.tag_assignment
# the statements of applying a tag, built once (the hottest write of integrations and campaigns)
_HAS = PreparedAll(sa.select(_ta.c.tag_id).where(_ta.c.app_id == sa.bindparam("app_id"),
                                                   _ta.c.contact_id == sa.bindparam("contact_id"),
                                                   _ta.c.tag_id == sa.bindparam("tag_id")))
_TAGS_OF = PreparedAll(sa.select(_ta.c.tag_id).where(_ta.c.app_id == sa.bindparam("app_id"),
                                                       _ta.c.contact_id == sa.bindparam("contact_id"))
                       .order_by(_ta.c.tag_id))


def _tag(s: AppSession, tag_id: int):
    return s.get(schema.tag, tag_id)


def refresh_groups(s: AppSession, contact_ids) -> None:
    """Rewrite Contact.Groups for ``contact_ids`` from the assignments (one statement for them all)."""
    ta = schema.tag_assignment
    ids = list(contact_ids)
    if not ids:
        return
    tags: dict[int, list[int]] = {i: [] for i in ids}
    if len(ids) == 1:
        tags[ids[0]] = [r.tag_id for r in s.all(_TAGS_OF, contact_id=ids[0])]
    for chunk in _chunks(ids) if len(ids) > 1 else ():
        q = s.select(ta, ta.c.contact_id, ta.c.tag_id).where(ta.c.contact_id.in_(chunk)).order_by(ta.c.tag_id)
        for r in s.execute(q):
            tags[r.contact_id].append(r.tag_id)
    now = s.now_local()
    s.update_many(schema.contact, ("id",), [{"id": contact_id, "groups": ",".join(map(str, tag_ids)) or None,
                                             "last_updated": now} for contact_id, tag_ids in tags.items()])


def _chunks(ids: list[int], size: int = 500):
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def apply_many(s: AppSession, contact_ids: list[int], tag_id: int) -> list[int]:
    """Apply one tag to many contacts (a campaign step): the contacts that did not have it get it, and one
    ``tag.applied`` event each. Returns those contacts."""
    tag = _tag(s, tag_id)
    if tag is None:
        return []
    ta = schema.tag_assignment
    have: set[int] = set()
    if len(contact_ids) == 1 and s.first(_HAS, contact_id=contact_ids[0], tag_id=tag_id) is not None:
        have.add(contact_ids[0])
    for chunk in _chunks(sorted(set(contact_ids))) if len(contact_ids) > 1 else ():
        have.update(r.contact_id for r in s.execute(
            s.select(ta, ta.c.contact_id).where(ta.c.tag_id == tag_id, ta.c.contact_id.in_(chunk))))
    fresh = [c for c in dict.fromkeys(contact_ids) if c not in have]
    if not fresh:
        return []
    now = s.now_local()
    s.insert(ta, [dict(contact_id=c, tag_id=tag_id, date_created=now) for c in fresh])
    refresh_groups(s, fresh)
    for contact_id in fresh:
        s.emit("tag.applied", "contact", contact_id, tag_id=tag_id, tag_name=tag.group_name)
    return fresh


def remove_many(s: AppSession, contact_ids: list[int], tag_id: int) -> list[int]:
    ta = schema.tag_assignment
    had: list[int] = []
    for chunk in _chunks(sorted(set(contact_ids))):
        had += [r.contact_id for r in s.execute(
            s.select(ta, ta.c.contact_id).where(ta.c.tag_id == tag_id, ta.c.contact_id.in_(chunk)))]
    if not had:
        return []
    for chunk in _chunks(had):
        s.delete(ta, ta.c.tag_id == tag_id, ta.c.contact_id.in_(chunk))
    refresh_groups(s, had)
    tag = _tag(s, tag_id)
    for contact_id in had:
        s.emit("tag.removed", "contact", contact_id, tag_id=tag_id, tag_name=tag.group_name if tag else None)
    return had


def apply(s: AppSession, contact_id: int, tag_id: int, *, method: str = "addToGroup") -> bool:
    if not contact_exists(s, contact_id):
        raise MethodFailed("contactId must be a valid id")
    tag = _tag(s, tag_id)
    if tag is None:
        raise MethodFailed("groupId must be a valid id")
    if s.first(_HAS, contact_id=contact_id, tag_id=tag_id) is not None:
        return True  # already there: no new assignment, no event
    s.insert(schema.tag_assignment, [dict(contact_id=contact_id, tag_id=tag_id, date_created=s.now_local())])
    refresh_groups(s, [contact_id])
    s.emit("tag.applied", "contact", contact_id, tag_id=tag_id, tag_name=tag.group_name)
    return True


def remove(s: AppSession, contact_id: int, tag_id: int) -> bool:
    if not contact_exists(s, contact_id):
        raise MethodFailed("contactId must be a valid id")
    ta = schema.tag_assignment
    removed = s.delete(ta, ta.c.contact_id == contact_id, ta.c.tag_id == tag_id).rowcount
    if removed:
        refresh_groups(s, [contact_id])
        tag = _tag(s, tag_id)
        s.emit("tag.removed", "contact", contact_id, tag_id=tag_id, tag_name=tag.group_name if tag else None)
    return True


def tag_ids_of(s: AppSession, contact_id: int) -> list[int]:
    return [r.tag_id for r in s.all(_TAGS_OF, contact_id=contact_id)]


def move_assignments(s: AppSession, from_contact: int, to_contact: int) -> None:
    """Give ``to_contact`` every tag of ``from_contact`` (merge); the old rows go with the old contact."""
    ta = schema.tag_assignment
    have = set(tag_ids_of(s, to_contact))
    q = s.select(ta).where(ta.c.contact_id == from_contact)
    moved = [r for r in s.execute(q) if r.tag_id not in have]
    s.insert(ta, [dict(contact_id=to_contact, tag_id=r.tag_id, date_created=r.date_created) for r in moved])
    if moved:
        refresh_groups(s, [to_contact])
        for r in moved:
            s.emit("tag.applied", "contact", to_contact, tag_id=r.tag_id, merged_from=from_contact)


def delete_assignments_of_contact(s: AppSession, contact_id: int) -> None:
    ta = schema.tag_assignment
    s.delete(ta, ta.c.contact_id == contact_id)


def find_tag(s: AppSession, name: str):
    t = schema.tag
    return s.execute(s.select(t).where(sa.func.lower(t.c.group_name) == name.strip().lower())).first()

