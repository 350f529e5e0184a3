"""/tags: list, get, create, categories, the contacts (and companies) a tag is on, applying and removing.
Tags are the API's ContactGroup rows; applying one goes through server.domain.crm.tags like
ContactService.addToGroup, so it fires the same ``tag.applied`` event (REST hooks: ``contactGroup.applied``)."""
from __future__ import annotations

import sqlalchemy as sa
from pydantic import Field

from server.domain.crm import tags as domain
from server.domain.data import records
from server.domain.session import AppSession
from server.store import schema

from .api import Body, Int, Paging, Request, Shape, envelope, page, route
from .contacts import Ids, require_contact
from .errors import bad_request, not_found
from .wire import out_datetime


class CategoryRef(Body):
    id: Int


class CreateTag(Body):
    name: str = Field(min_length=1)
    description: str | None = None
    category: CategoryRef | None = None


class CreateCategory(Body):
    name: str = Field(min_length=1)
    description: str | None = None


class ContactIds(Body):
    ids: list[Int] = Field(min_length=1)


class ListTags(Paging):
    category: Int | None = None
    name: str | None = None


class CategoryShape(Shape):
    id: int
    name: str | None = None
    description: str | None = None


class TagShape(Shape):
    id: int
    name: str | None = None
    description: str | None = None
    category: CategoryShape | None = None


class TagList(Shape):
    tags: list[TagShape]
    count: int
    next: str | None = None
    previous: str | None = None


class TaggedContact(Shape):
    contact: dict
    date_applied: str | None = None


class TaggedContactList(Shape):
    contacts: list[TaggedContact]
    count: int
    next: str | None = None
    previous: str | None = None


class TaggedCompanyList(Shape):
    companies: list[dict]
    count: int
    next: str | None = None
    previous: str | None = None


RESULTS = {"type": "object", "additionalProperties": {"type": "string",
                                                      "enum": ["SUCCESS", "DUPLICATE", "CONTACT_NOT_FOUND",
                                                               "TAG_ID_NOT_FOUND", "FAILURE", "NO_PERMISSION"]}}


# --- reading ------------------------------------------------------------------------------------------

def _categories(s: AppSession, ids) -> dict[int, dict]:
    ids = sorted({i for i in ids if i})
    if not ids:
        return {}
    tc = schema.tag_category
    q = s.select(tc).where(tc.c.id.in_(ids))
    return {r.id: {"id": r.id, "name": r.category_name, "description": r.category_description} for r in s.execute(q)}


def tag_json(row, categories: dict[int, dict]) -> dict:
    return {"id": row.id, "name": row.group_name, "description": row.group_description,
            "category": categories.get(row.group_category_id)}


def get_tag(s: AppSession, tag_id: int) -> dict:
    row = s.get(schema.tag, tag_id)
    if row is None:
        raise not_found("Tag")
    return tag_json(row, _categories(s, [row.group_category_id]))


def applied_to(s: AppSession, contact_id: int, limit: int, offset: int) -> tuple[list[dict], int]:
    """A contact's tags: ``{tag: {id, name, category}, date_applied}`` (category is the category's name here)."""
    ta, t, tc = schema.tag_assignment, schema.tag, schema.tag_category
    base = (s.select(ta, ta.c.tag_id, ta.c.date_created, t.c.group_name, tc.c.category_name)
            .join(t, s.scoped(t, t.c.id == ta.c.tag_id))
            .outerjoin(tc, s.scoped(tc, tc.c.id == t.c.group_category_id))
            .where(ta.c.contact_id == contact_id))
    total = s.execute(sa.select(sa.func.count()).select_from(base.subquery())).scalar_one()
    rows = s.execute(base.order_by(ta.c.tag_id).limit(limit).offset(offset)).all()
    return [{"tag": {"id": r.tag_id, "name": r.group_name, "category": r.category_name},
             "date_applied": out_datetime(r.date_created, s.clock)} for r in rows], total


def apply_one(s: AppSession, contact_id: int, tag_id: int) -> str:
    """One result of a bulk apply: SUCCESS, DUPLICATE (already on), CONTACT_NOT_FOUND or TAG_ID_NOT_FOUND."""
    if s.get(schema.tag, tag_id) is None:
        return "TAG_ID_NOT_FOUND"
    c = schema.contact
    if s.execute(s.select(c, c.c.id).where(c.c.id == contact_id)).first() is None:
        return "CONTACT_NOT_FOUND"
    if tag_id in domain.tag_ids_of(s, contact_id):
        return "DUPLICATE"
    domain.apply(s, contact_id, tag_id)
    return "SUCCESS"


def _tagged(s: AppSession, tag_id: int, kind: str, limit: int, offset: int) -> tuple[list, int]:
    ta, c = schema.tag_assignment, schema.contact
    base = (s.select(ta, ta.c.contact_id, ta.c.date_created, c.c.email, c.c.first_name, c.c.last_name, c.c.company)
            .join(c, s.scoped(c, c.c.id == ta.c.contact_id))
            .where(ta.c.tag_id == tag_id, c.c.kind == kind))
    total = s.execute(sa.select(sa.func.count()).select_from(base.subquery())).scalar_one()
    return s.execute(base.order_by(ta.c.contact_id).limit(limit).offset(offset)).all(), total


# --- routes -------------------------------------------------------------------------------------------

@route("GET", "/tags", summary="List tags", tag="Tags", query=ListTags, response=TagList)
def list_tags(r: Request):
    q: ListTags = r.query
    limit, offset = page(q)
    t = schema.tag
    where = []
    if q.category is not None:
        where.append(t.c.group_category_id == q.category)
    if q.name:
        where.append(sa.func.lower(t.c.group_name) == q.name.strip().lower())
    total = r.s.execute(r.s.select(t, sa.func.count()).where(*where)).scalar_one()
    rows = r.s.execute(r.s.select(t).where(*where).order_by(t.c.id).limit(limit).offset(offset)).all()
    categories = _categories(r.s, [row.group_category_id for row in rows])
    # the category and name filters are not carried into next/previous [wire S9]
    return envelope(r, "tags", [tag_json(row, categories) for row in rows], total, limit, offset, path="/tags")


@route("POST", "/tags", summary="Create a tag", tag="Tags", body=CreateTag, response=TagShape)
def create_tag(r: Request):
    body: CreateTag = r.body
    data = {"GroupName": body.name, "GroupDescription": body.description}
    if body.category is not None:
        if r.s.get(schema.tag_category, body.category.id) is None:
            raise bad_request(f"Invalid tag category id: {body.category.id}")
        data["GroupCategoryId"] = body.category.id
    return get_tag(r.s, records.add(r.s, "ContactGroup", data))  # 200, not 201 [doc S1]


@route("POST", "/tags/categories", summary="Create a tag category", tag="Tags", body=CreateCategory,
       response=CategoryShape)
def create_tag_category(r: Request):
    body: CreateCategory = r.body
    cat_id = records.add(r.s, "ContactGroupCategory", {"CategoryName": body.name,
                                                        "CategoryDescription": body.description})
    return _categories(r.s, [cat_id])[cat_id]


@route("GET", "/tags/{id}", summary="Get a tag", tag="Tags", response=TagShape)
def get_tag_route(r: Request, id: int):
    return get_tag(r.s, id)


@route("GET", "/tags/{tagId}/contacts", summary="Contacts with a tag", tag="Tags", query=Paging,
       response=TaggedContactList)
def list_tagged_contacts(r: Request, tagId: int):
    get_tag(r.s, tagId)
    limit, offset = page(r.query)
    rows, total = _tagged(r.s, tagId, "contact", limit, offset)
    items = [{"contact": {"id": row.contact_id, "email": row.email, "first_name": row.first_name,
                          "last_name": row.last_name},
              "date_applied": out_datetime(row.date_created, r.s.clock)} for row in rows]
    return envelope(r, "contacts", items, total, limit, offset, path=f"/tags/{tagId}/contacts", top_level=False)


@route("GET", "/tags/{tagId}/companies", summary="Companies with a tag", tag="Tags", query=Paging,
       response=TaggedCompanyList)
def list_tagged_companies(r: Request, tagId: int):
    get_tag(r.s, tagId)
    limit, offset = page(r.query)
    rows, total = _tagged(r.s, tagId, "company", limit, offset)
    items = [{"company": {"id": row.contact_id, "email": row.email, "company_name": row.company},
              "date_applied": out_datetime(row.date_created, r.s.clock)} for row in rows]
    return envelope(r, "companies", items, total, limit, offset, path=f"/tags/{tagId}/companies",
                    top_level=False)


@route("POST", "/tags/{tagId}/contacts", summary="Apply a tag to contacts", tag="Tags", body=ContactIds,
       response=RESULTS)
def apply_tag(r: Request, tagId: int):
    get_tag(r.s, tagId)
    # {"1251": "CONTACT_NOT_FOUND", "1269": "DUPLICATE", "1271": "SUCCESS"} [wire S9]
    return {str(cid): apply_one(r.s, cid, tagId) for cid in r.body.ids}


@route("DELETE", "/tags/{tagId}/contacts", summary="Remove a tag from contacts", tag="Tags", query=Ids,
       status=204)
def remove_tag(r: Request, tagId: int):
    get_tag(r.s, tagId)
    existing = {row.id for row in r.s.execute(r.s.select(schema.contact, schema.contact.c.id)
                                                 .where(schema.contact.c.id.in_(r.query.ids)))}
    for cid in r.query.ids:
        if cid in existing:
            domain.remove(r.s, cid, tagId)


@route("DELETE", "/tags/{tagId}/contacts/{contactId}", summary="Remove a tag from a contact", tag="Tags",
       status=204)
def remove_tag_from_contact(r: Request, tagId: int, contactId: int):
    get_tag(r.s, tagId)
    require_contact(r.s, contactId)
    domain.remove(r.s, contactId, tagId)
