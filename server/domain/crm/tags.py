"""Tags (the API's ContactGroup), tag categories, and tags on contacts (ContactGroupAssign).

``Contact.Groups`` is kept as the comma-joined list of the contact's tag ids, so that it can be selected and
queried (``{Groups: '%91%'}``) like any column.
"""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from server.domain.data import listing, records
from server.domain.errors import MethodFailed
from server.domain.mail.emails import contact_exists
from server.store import folding, schema
from server.store.prepared import PreparedAll
from server.store.session import AppSession

_ta = schema.tag_assignment
# the statements of applying a tag, built once (the hottest write of integrations and campaigns)
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
    _write_groups(s, tags)


def _write_groups(s: AppSession, tags: dict[int, list[int]]) -> None:
    """Contact.Groups (and LastUpdated) of each contact, from its tag ids in order."""
    now = s.now_local()
    s.update_many(schema.contact, ("id",), [{"id": contact_id, "groups": ",".join(map(str, tag_ids)) or None,
                                             "last_updated": now} for contact_id, tag_ids in tags.items()])


def _applied_to_one(s: AppSession, contact_id: int, tag_id: int) -> bool:
    """Apply a tag to one contact, reading its tags once (whether it has this one, and its Groups after);
    whether the tag is new to it."""
    tag_ids = [r.tag_id for r in s.all(_TAGS_OF, contact_id=contact_id)]
    if tag_id in tag_ids:
        return False
    s.insert(schema.tag_assignment, [dict(contact_id=contact_id, tag_id=tag_id, date_created=s.now_local())])
    _write_groups(s, {contact_id: sorted([*tag_ids, tag_id])})
    return True


def _chunks(ids: list[int], size: int = 500):
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def apply_many(s: AppSession, contact_ids: list[int], tag_id: int) -> list[int]:
    """Apply one tag to many contacts (a campaign step): the contacts that did not have it get it, and one
    ``tag.applied`` event each. Returns those contacts."""
    tag = _tag(s, tag_id)
    if tag is None:
        return []
    if len(contact_ids) == 1:  # (a goal event's tag step)
        if not _applied_to_one(s, contact_ids[0], tag_id):
            return []
        s.emit("tag.applied", "contact", contact_ids[0], tag_id=tag_id, tag_name=tag.group_name)
        return [contact_ids[0]]
    ta = schema.tag_assignment
    have: set[int] = set()
    for chunk in _chunks(sorted(set(contact_ids))):
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
    if _applied_to_one(s, contact_id, tag_id):  # (already there: no new assignment, no event)
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
    """The tag named ``name``, ignoring case (beyond ASCII too: server.store.folding)."""
    t = schema.tag
    return s.execute(s.select(t).where(folding.ignoring_case(t.c.group_name, name.strip())).order_by(t.c.id)).first()



# --- reads for the protocols that page (REST v2) ------------------------------------------------------

class TagRecord(NamedTuple):
    id: int
    name: str | None
    description: str | None
    category_id: int | None
    created: datetime | None  # the app's local wall time, as every stored time
    updated: datetime | None


class CategoryRecord(NamedTuple):
    id: int
    name: str | None
    description: str | None
    created: datetime | None
    updated: datetime | None


class TaggedRecord(NamedTuple):
    """A contact or company with a tag on it."""

    id: int
    email: str | None
    given_name: str | None
    family_name: str | None
    company_name: str | None
    applied: datetime | None


class Assignment(NamedTuple):
    contact_id: int
    tag_id: int
    applied: datetime | None


_t, _tc, _c = schema.tag, schema.tag_category, schema.contact

TAG_FIELDS = listing.Fields({"id": _t.c.id, "name": _t.c.group_name, "description": _t.c.group_description,
                             "category_id": _t.c.group_category_id, "create_time": _t.c.date_created,
                             "update_time": _t.c.last_updated}, text=frozenset({"name", "description"}))
CATEGORY_FIELDS = listing.Fields({"id": _tc.c.id, "name": _tc.c.category_name,
                                  "description": _tc.c.category_description, "create_time": _tc.c.date_created,
                                  "update_time": _tc.c.last_updated}, text=frozenset({"name", "description"}))
TAGGED_FIELDS = listing.Fields({"id": _c.c.id, "email": _c.c.email, "given_name": _c.c.first_name,
                                "family_name": _c.c.last_name, "company_name": _c.c.company,
                                "applied_time": _ta.c.date_created},
                               text=frozenset({"email", "given_name", "family_name", "company_name"}))
# an assignment's key: (contact id, tag id) folded into one number that orders like the pair
_ASSIGNMENT_KEY = sa.cast(_ta.c.contact_id, sa.BigInteger) * (2**31) + _ta.c.tag_id
ASSIGNMENT_FIELDS = listing.Fields({"key": _ASSIGNMENT_KEY, "contact_id": _ta.c.contact_id, "tag_id": _ta.c.tag_id,
                                    "applied_time": _ta.c.date_created}, key="key")


class AppliedTagRecord(NamedTuple):
    """A tag on one contact."""

    tag: TagRecord
    applied: datetime | None


CONTACT_TAG_FIELDS = listing.Fields({**TAG_FIELDS.columns, "applied_time": _ta.c.date_created},
                                    text=TAG_FIELDS.text)


def _tag_record(row) -> TagRecord:
    return TagRecord(row.id, row.group_name, row.group_description, row.group_category_id, row.date_created,
                     row.last_updated)


def _category_record(row) -> CategoryRecord:
    return CategoryRecord(row.id, row.category_name, row.category_description, row.date_created, row.last_updated)


def get_tag(s: AppSession, tag_id: int) -> TagRecord | None:
    row = s.get(schema.tag, tag_id)
    return None if row is None else _tag_record(row)


_TAGS, _CATEGORIES = listing.app_rows(_t), listing.app_rows(_tc)


def page_tags(s: AppSession, q: listing.ListQuery) -> listing.Page[TagRecord]:
    return listing.kept_page(s, "tags", _TAGS, TAG_FIELDS, q, _tag_record)


def tag_named(s: AppSession, name: str, *, besides: int | None = None) -> TagRecord | None:
    """The tag of this name (ignoring case and surrounding spaces), other than ``besides``."""
    q = s.select(_t).where(folding.ignoring_case(_t.c.group_name, name.strip()))
    if besides is not None:
        q = q.where(_t.c.id != besides)
    row = s.execute(q.limit(1)).first()
    return None if row is None else _tag_record(row)


def get_category(s: AppSession, category_id: int) -> CategoryRecord | None:
    row = s.get(schema.tag_category, category_id)
    return None if row is None else _category_record(row)


def page_categories(s: AppSession, q: listing.ListQuery) -> listing.Page[CategoryRecord]:
    return listing.kept_page(s, "tag categories", _CATEGORIES, CATEGORY_FIELDS, q, _category_record)


def category_named(s: AppSession, name: str, *, besides: int | None = None) -> CategoryRecord | None:
    q = s.select(_tc).where(folding.ignoring_case(_tc.c.category_name, name.strip()))
    if besides is not None:
        q = q.where(_tc.c.id != besides)
    row = s.execute(q.limit(1)).first()
    return None if row is None else _category_record(row)


def _tagged_select(s: AppSession, tag_id: int, kind: str) -> sa.Select:
    return (s.select(_ta, _c.c.id, _c.c.email, _c.c.first_name, _c.c.last_name, _c.c.company,
                     _ta.c.date_created)
            .join(_c, s.scoped(_c, _c.c.id == _ta.c.contact_id))
            .where(_ta.c.tag_id == tag_id, _c.c.kind == kind))


def page_tagged(s: AppSession, tag_id: int, kind: str, q: listing.ListQuery) -> listing.Page[TaggedRecord]:
    """The contacts (``kind="contact"``) or companies (``"company"``) with the tag."""
    return listing.page(s, _tagged_select(s, tag_id, kind), TAGGED_FIELDS, q,
                        lambda r: TaggedRecord(r.id, r.email, r.first_name, r.last_name, r.company, r.date_created))


def count_tagged(s: AppSession, tag_id: int, kind: str, where=()) -> int:
    return listing.count(s, _tagged_select(s, tag_id, kind), TAGGED_FIELDS, where)


def page_assignments(s: AppSession, q: listing.ListQuery) -> listing.Page[Assignment]:
    """Tags on contacts (both kinds), across tags and contacts, under ``q``'s conditions."""
    return listing.page(s, s.select(_ta), ASSIGNMENT_FIELDS, q,
                        lambda r: Assignment(r.contact_id, r.tag_id, r.date_created))


def page_contact_tags(s: AppSession, contact_id: int, q: listing.ListQuery) -> listing.Page[AppliedTagRecord]:
    """The tags on a contact, with when each was applied."""
    select = (s.select(_ta, _t, _ta.c.date_created.label("applied_at"))
              .join(_t, s.scoped(_t, _t.c.id == _ta.c.tag_id)).where(_ta.c.contact_id == contact_id))
    return listing.page(s, select, CONTACT_TAG_FIELDS, q, lambda r: AppliedTagRecord(_tag_record(r), r.applied_at))


def existing_contacts(s: AppSession, contact_ids) -> set[int]:
    """Which of ``contact_ids`` are contacts or companies of the app."""
    found: set[int] = set()
    for chunk in _chunks(sorted(set(contact_ids))):
        found.update(r.id for r in s.execute(s.select(_c, _c.c.id).where(_c.c.id.in_(chunk))))
    return found


# --- writes for REST v2 -------------------------------------------------------------------------------

def apply_results(s: AppSession, tag_id: int, contact_ids: list[int]) -> dict[int, str]:
    """Apply a tag to contacts, one result each: SUCCESS (applied now: the same ``tag.applied`` event as
    ContactService.addToGroup), DUPLICATE (it was already on) or CONTACT_NOT_FOUND."""
    exists = existing_contacts(s, contact_ids)
    applied = set(apply_many(s, [c for c in contact_ids if c in exists], tag_id))
    return {c: "SUCCESS" if c in applied else "DUPLICATE" if c in exists else "CONTACT_NOT_FOUND"
            for c in contact_ids}


def delete_tag(s: AppSession, tag_id: int) -> None:
    """Delete a tag: off every contact first (Contact.Groups follows), then the tag (``tag.deleted``)."""
    had = [r.contact_id for r in s.execute(s.select(_ta, _ta.c.contact_id).where(_ta.c.tag_id == tag_id))]
    if had:
        s.delete(_ta, _ta.c.tag_id == tag_id)
        refresh_groups(s, had)
    # DataService may not delete tags (ContactGroup's access is EAR); the domain may
    records.PLAIN.delete(s, records.table_named("ContactGroup"), tag_id)


def delete_category(s: AppSession, category_id: int) -> None:
    """Delete a tag category; its tags stay, uncategorized."""
    for row in s.execute(s.select(_t, _t.c.id).where(_t.c.group_category_id == category_id)).all():
        records.update(s, "ContactGroup", row.id, {"GroupCategoryId": None})
    records.PLAIN.delete(s, records.table_named("ContactGroupCategory"), category_id)


# --- reads and writes for REST v1 (offset pages) ------------------------------------------------------

def categories_by_id(s: AppSession, category_ids) -> dict[int, CategoryRecord]:
    ids = sorted({i for i in category_ids if i})
    if not ids:
        return {}
    return {r.id: _category_record(r) for r in s.execute(s.select(_tc).where(_tc.c.id.in_(ids)))}


def _count(s: AppSession, select: sa.Select) -> int:
    return s.execute(sa.select(sa.func.count()).select_from(select.subquery())).scalar_one()


def tags_slice(s: AppSession, *, category_id: int | None = None, name: str | None = None, limit: int,
               offset: int) -> tuple[list[TagRecord], int]:
    """Tags by id (in a category, of a name ignoring case), a page at an offset, and how many there are."""
    q = s.select(_t)
    if category_id is not None:
        q = q.where(_t.c.group_category_id == category_id)
    if name:
        q = q.where(folding.ignoring_case(_t.c.group_name, name.strip()))
    rows = s.execute(q.order_by(_t.c.id).limit(limit).offset(offset)).all()
    return [_tag_record(r) for r in rows], _count(s, q)


def applied_slice(s: AppSession, contact_id: int, *, limit: int,
                  offset: int) -> tuple[list[AppliedTagRecord], int]:
    """A contact's tags by tag id, a page at an offset, and how many there are."""
    q = (s.select(_ta, _t, _ta.c.date_created.label("applied_at"))
         .join(_t, s.scoped(_t, _t.c.id == _ta.c.tag_id)).where(_ta.c.contact_id == contact_id))
    rows = s.execute(q.order_by(_ta.c.tag_id).limit(limit).offset(offset)).all()
    return [AppliedTagRecord(_tag_record(r), r.applied_at) for r in rows], _count(s, q)


def tagged_slice(s: AppSession, tag_id: int, kind: str, *, limit: int,
                 offset: int) -> tuple[list[TaggedRecord], int]:
    """The contacts or companies with a tag by id, a page at an offset, and how many there are."""
    q = _tagged_select(s, tag_id, kind)
    rows = s.execute(q.order_by(_ta.c.contact_id).limit(limit).offset(offset)).all()
    return [TaggedRecord(r.id, r.email, r.first_name, r.last_name, r.company, r.date_created) for r in rows], \
        _count(s, q)


def apply_result(s: AppSession, contact_id: int, tag_id: int) -> str:
    """Apply one tag to one contact: SUCCESS, DUPLICATE (already on), CONTACT_NOT_FOUND or TAG_ID_NOT_FOUND."""
    if _tag(s, tag_id) is None:
        return "TAG_ID_NOT_FOUND"
    return apply_results(s, tag_id, [contact_id])[contact_id]
