"""Tags: tags, tag categories, the contacts and companies a tag is on, applying and removing (the contract's
``Tags`` operations, with the SDK's ``countContactsForTag`` and ``listContactsAcrossTags``).

Tags are the API's ContactGroup rows, written through server.domain (records and tags) like DataService and
ContactService do: a tag applied here is the row ``ContactService.addToGroup`` writes, with the same
``tag.applied`` event, so the same campaign goal, REST hook (``contactGroup.applied``) and change-log entry.
v2 wire rules of this family: a tag's or category's name is required and unique (ignoring case; the
contract: "The unique name of this tag", "must be unique"), 409 otherwise; names keep their first 255
characters ("up to 255 characters will be saved"); a tag with no description shows ``"description": ""``
(the captured list answer, rest-oauth-throttle.md §12).
"""
from __future__ import annotations

from server.domain.crm import tags as domain
from server.domain.data import records
from server.domain.session import AppSession

from .api import Request, operation
from .errors import conflict, existing, invalid_field
from .filters import Id, Ids, Since, Text, Until
from .paging import Listing
from .wire import in_id, in_ids, out_id, out_time

NAME_LENGTH = 255

TAGS = Listing(
    filters={"name": Text(), "description": Text(none=True), "category_id": Id(none=True),
             "tag_ids": Ids("id"), "since_create_time": Since("create_time"),
             "until_create_time": Until("create_time"), "since_update_time": Since("update_time"),
             "until_update_time": Until("update_time")},
    order_by={"name": "name", "create_time": "create_time", "update_time": "update_time"},
)
CATEGORIES = Listing(
    filters={"name": Text(none=True), "description": Text(none=True), "since_create_time": Since("create_time"),
             "until_create_time": Until("create_time"), "since_update_time": Since("update_time"),
             "until_update_time": Until("update_time")},
    order_by={"name": "name", "create_time": "create_time", "update_time": "update_time"},
)
_APPLIED = {"since_applied_time": Since("applied_time"), "until_applied_time": Until("applied_time")}
TAGGED_CONTACTS = Listing(
    filters={"given_name": Text(none=True), "family_name": Text(none=True), "email": Text(none=True), **_APPLIED},
    order_by={"given_name": "given_name", "family_name": "family_name", "email": "email",
              "applied_time": "applied_time"},
)
TAGGED_COMPANIES = Listing(
    filters={"company_name": Text(), "email": Text(none=True), **_APPLIED},
    order_by={"company_name": "company_name", "email": "email", "applied_time": "applied_time"},
)
ACROSS_TAGS = Listing(filters={"tag_ids": Ids("tag_id", most=100), **_APPLIED},
                      order_by={"applied_time": "applied_time"}, default_order=("key", False), key="key")


# --- answers ------------------------------------------------------------------------------------------

def tag_json(s: AppSession, t: domain.TagRecord) -> dict:
    return {"id": out_id(t.id), "name": t.name, "description": t.description or "",
            "category": {"id": out_id(t.category_id)} if t.category_id else None,
            "create_time": out_time(t.created, s.clock), "update_time": out_time(t.updated, s.clock)}


def category_json(s: AppSession, c: domain.CategoryRecord) -> dict:
    return {"id": out_id(c.id), "name": c.name, "description": c.description or "",
            "create_time": out_time(c.created, s.clock), "update_time": out_time(c.updated, s.clock)}


def _tag(s: AppSession, tag_id: int) -> domain.TagRecord:
    return existing(domain.get_tag(s, tag_id), "Tag", tag_id)


def _category(s: AppSession, category_id: int) -> domain.CategoryRecord:
    return existing(domain.get_category(s, category_id), "Tag Category", category_id)


# --- the request's values -----------------------------------------------------------------------------

def _name(body: dict) -> str:
    name = (body.get("name") or "").strip()
    if not name:
        raise invalid_field("name", "a name is required")
    return name[:NAME_LENGTH]


def _tag_values(r: Request, changed: set[str], besides: int | None = None) -> dict:
    """DataService values (ContactGroup) for the tag properties ``changed``."""
    body, values = r.body, {}
    if "name" in changed:
        name = _name(body)
        if domain.tag_named(r.s, name, besides=besides) is not None:
            raise conflict(f"A tag named '{name}' already exists")
        values["GroupName"] = name
    if "description" in changed:
        values["GroupDescription"] = body.get("description") or None
    if "category" in changed:
        ref = body.get("category")
        category_id = in_id(ref["id"], "category.id") if ref else None
        if category_id is not None and domain.get_category(r.s, category_id) is None:
            raise invalid_field("category.id", f"no tag category has the id {ref['id']}")
        values["GroupCategoryId"] = category_id
    return values


def _category_values(r: Request, changed: set[str], besides: int | None = None) -> dict:
    body, values = r.body, {}
    if "name" in changed:
        name = _name(body)
        if domain.category_named(r.s, name, besides=besides) is not None:
            raise conflict(f"A tag category named '{name}' already exists")
        values["CategoryName"] = name
    if "description" in changed:
        values["CategoryDescription"] = body.get("description") or None
    return values


# --- tags ---------------------------------------------------------------------------------------------

@operation("listTags")
def list_tags(r: Request) -> dict:
    page = domain.page_tags(r.s, r.list_query(TAGS))
    return r.page("tags", [tag_json(r.s, t) for t in page.items], page)


@operation("createTag")
def create_tag(r: Request) -> dict:
    tag_id = records.add(r.s, "ContactGroup", _tag_values(r, {"name", "description", "category"}))
    return tag_json(r.s, _tag(r.s, tag_id))


@operation("getTag")
def get_tag(r: Request, tag_id: int) -> dict:
    return tag_json(r.s, _tag(r.s, tag_id))


@operation("updateTag")
def update_tag(r: Request, tag_id: int) -> dict:
    _tag(r.s, tag_id)
    values = _tag_values(r, r.changed(("name", "description", "category")), besides=tag_id)
    if values:
        records.update(r.s, "ContactGroup", tag_id, values)
    return tag_json(r.s, _tag(r.s, tag_id))


@operation("deleteTag")
def delete_tag(r: Request, tag_id: int) -> None:
    _tag(r.s, tag_id)
    domain.delete_tag(r.s, tag_id)


# --- categories ---------------------------------------------------------------------------------------

@operation("listTagCategories")
def list_tag_categories(r: Request) -> dict:
    page = domain.page_categories(r.s, r.list_query(CATEGORIES))
    return r.page("tag_categories", [category_json(r.s, c) for c in page.items], page)


@operation("createTagCategory")
def create_tag_category(r: Request) -> dict:
    category_id = records.add(r.s, "ContactGroupCategory", _category_values(r, {"name", "description"}))
    return category_json(r.s, _category(r.s, category_id))


@operation("getCategory")
def get_category(r: Request, tag_category_id: int) -> dict:
    return category_json(r.s, _category(r.s, tag_category_id))


@operation("updateTagCategory")
def update_tag_category(r: Request, tag_category_id: int) -> dict:
    _category(r.s, tag_category_id)
    values = _category_values(r, r.changed(("name", "description")), besides=tag_category_id)
    if values:
        records.update(r.s, "ContactGroupCategory", tag_category_id, values)
    return category_json(r.s, _category(r.s, tag_category_id))


@operation("deleteTagCategory")
def delete_tag_category(r: Request, tag_category_id: int) -> None:
    _category(r.s, tag_category_id)
    domain.delete_category(r.s, tag_category_id)


# --- tags on contacts and companies -------------------------------------------------------------------

@operation("applyTags")
def apply_tags(r: Request, tag_id: int) -> dict:
    _tag(r.s, tag_id)
    given = r.body["contact_ids"]
    contact_ids = in_ids(given, "contact_ids")
    results = domain.apply_results(r.s, tag_id, contact_ids)
    return {"results": {text: results[c] for text, c in zip(given, contact_ids)}}


@operation("removeTags")
def remove_tags(r: Request, tag_id: int) -> None:
    _tag(r.s, tag_id)
    domain.remove_many(r.s, in_ids(r.body["contact_ids"], "contact_ids"), tag_id)


@operation("listContactsWithTagId")
def list_contacts_with_tag(r: Request, tag_id: int) -> dict:
    _tag(r.s, tag_id)
    page = domain.page_tagged(r.s, tag_id, "contact", r.list_query(TAGGED_CONTACTS))
    items = [{"id": out_id(c.id), "email": c.email, "given_name": c.given_name, "family_name": c.family_name,
              "applied_time": out_time(c.applied, r.s.clock)} for c in page.items]
    return r.page("contacts", items, page)


@operation("listCompaniesForTagId")
def list_companies_with_tag(r: Request, tag_id: int) -> dict:
    _tag(r.s, tag_id)
    page = domain.page_tagged(r.s, tag_id, "company", r.list_query(TAGGED_COMPANIES))
    items = [{"company": {"id": out_id(c.id), "company_name": c.company_name,
                          "email_address": {"email": c.email, "field": "EMAIL1"} if c.email else None},
              "applied_time": out_time(c.applied, r.s.clock)} for c in page.items]
    return r.page("tagged_companies", items, page)


@operation("countContactsForTag")
def count_contacts_for_tag(r: Request, tag_id: int) -> dict:
    _tag(r.s, tag_id)
    where = r.list_query(Listing(filters=TAGGED_CONTACTS.filters)).where
    return {"count": domain.count_tagged(r.s, tag_id, "contact", where)}


@operation("listContactsAcrossTags")
def list_contacts_across_tags(r: Request) -> dict:
    q = r.list_query(ACROSS_TAGS)
    if not any(c.field == "tag_id" for c in q.where):
        raise invalid_field("filter", "tag_ids is required (tag_ids==1,2,3)")
    page = domain.page_assignments(r.s, q)
    items = [{"contact_id": out_id(a.contact_id), "tag_id": out_id(a.tag_id),
              "applied_at": out_time(a.applied, r.s.clock)} for a in page.items]
    return r.page("contacts", items, page)
