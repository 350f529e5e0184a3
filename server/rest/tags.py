"""/tags: list, get, create, categories, the contacts (and companies) a tag is on, applying and removing.
Tags are the API's ContactGroup rows; applying one goes through server.domain.crm.tags like
ContactService.addToGroup, so it fires the same ``tag.applied`` event (REST hooks: ``contactGroup.applied``)."""
from __future__ import annotations

from pydantic import Field

from server.domain.crm import tags as domain
from server.domain.data import records
from server.domain.session import AppSession

from .api import Body, Int, Paging, Request, Shape, envelope, list_shape, page, route
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


TagList = list_shape("TagList", "tags", TagShape)


class TaggedContact(Shape):
    contact: dict
    date_applied: str | None = None


TaggedContactList = list_shape("TaggedContactList", "contacts", TaggedContact)


TaggedCompanyList = list_shape("TaggedCompanyList", "companies", dict)


RESULTS = {"type": "object", "additionalProperties": {"type": "string",
                                                      "enum": ["SUCCESS", "DUPLICATE", "CONTACT_NOT_FOUND",
                                                               "TAG_ID_NOT_FOUND", "FAILURE", "NO_PERMISSION"]}}


# --- reading ------------------------------------------------------------------------------------------

def _categories(s: AppSession, ids) -> dict[int, dict]:
    return {c.id: {"id": c.id, "name": c.name, "description": c.description}
            for c in domain.categories_by_id(s, ids).values()}


def tag_json(tag: domain.TagRecord, categories: dict[int, dict]) -> dict:
    return {"id": tag.id, "name": tag.name, "description": tag.description,
            "category": categories.get(tag.category_id)}


def get_tag(s: AppSession, tag_id: int) -> dict:
    tag = domain.get_tag(s, tag_id)
    if tag is None:
        raise not_found("Tag")
    return tag_json(tag, _categories(s, [tag.category_id]))


# --- routes -------------------------------------------------------------------------------------------

@route("GET", "/tags", summary="List tags", tag="Tags", query=ListTags, response=TagList)
def list_tags(r: Request):
    q: ListTags = r.query
    limit, offset = page(q)
    rows, total = domain.tags_slice(r.s, category_id=q.category, name=q.name, limit=limit, offset=offset)
    categories = _categories(r.s, [row.category_id for row in rows])
    # the category and name filters are not carried into next/previous [wire S9]
    return envelope(r, "tags", [tag_json(row, categories) for row in rows], total, limit, offset, path="/tags")


@route("POST", "/tags", summary="Create a tag", tag="Tags", body=CreateTag, response=TagShape)
def create_tag(r: Request):
    body: CreateTag = r.body
    data = {"GroupName": body.name, "GroupDescription": body.description}
    if body.category is not None:
        if domain.get_category(r.s, body.category.id) is None:
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
    rows, total = domain.tagged_slice(r.s, tagId, "contact", limit=limit, offset=offset)
    items = [{"contact": {"id": row.id, "email": row.email, "first_name": row.given_name,
                          "last_name": row.family_name},
              "date_applied": out_datetime(row.applied, r.s.clock)} for row in rows]
    return envelope(r, "contacts", items, total, limit, offset, path=f"/tags/{tagId}/contacts", top_level=False)


@route("GET", "/tags/{tagId}/companies", summary="Companies with a tag", tag="Tags", query=Paging,
       response=TaggedCompanyList)
def list_tagged_companies(r: Request, tagId: int):
    get_tag(r.s, tagId)
    limit, offset = page(r.query)
    rows, total = domain.tagged_slice(r.s, tagId, "company", limit=limit, offset=offset)
    items = [{"company": {"id": row.id, "email": row.email, "company_name": row.company_name},
              "date_applied": out_datetime(row.applied, r.s.clock)} for row in rows]
    return envelope(r, "companies", items, total, limit, offset, path=f"/tags/{tagId}/companies",
                    top_level=False)


@route("POST", "/tags/{tagId}/contacts", summary="Apply a tag to contacts", tag="Tags", body=ContactIds,
       response=RESULTS)
def apply_tag(r: Request, tagId: int):
    get_tag(r.s, tagId)
    # {"1251": "CONTACT_NOT_FOUND", "1269": "DUPLICATE", "1271": "SUCCESS"} [wire S9]
    return {str(cid): domain.apply_result(r.s, cid, tagId) for cid in r.body.ids}


@route("DELETE", "/tags/{tagId}/contacts", summary="Remove a tag from contacts", tag="Tags", query=Ids,
       status=204)
def remove_tag(r: Request, tagId: int):
    get_tag(r.s, tagId)
    existing = domain.existing_contacts(r.s, r.query.ids)
    for cid in r.query.ids:
        if cid in existing:
            domain.remove(r.s, cid, tagId)


@route("DELETE", "/tags/{tagId}/contacts/{contactId}", summary="Remove a tag from a contact", tag="Tags",
       status=204)
def remove_tag_from_contact(r: Request, tagId: int, contactId: int):
    get_tag(r.s, tagId)
    require_contact(r.s, contactId)
    domain.remove(r.s, contactId, tagId)
