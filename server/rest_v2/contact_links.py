"""Links between contacts and their types (the contract's ``contacts:link``, ``contacts:unlink``,
``/contacts/{id}/links`` and ``/contacts/links/types`` operations): the rows of ``ContactService.linkContacts``,
``unlinkContacts`` and ``listLinkedContacts`` (server.domain.crm.links), which fire ``contact.linked`` /
``contact.unlinked``. A contact that does not exist is a 404; a link type that does not exist, in a body, a 400
naming ``link_type_id``. A link type's ``max_links`` must be above 0 (the contract); none is kept as no limit.
"""
from __future__ import annotations

from server.domain.crm import contacts as domain
from server.domain.crm import links
from server.domain.session import AppSession

from .api import Request, operation
from .errors import existing, invalid_field, not_found
from .filters import Text
from .paging import Listing
from .wire import in_id, out_id

LINK_TYPES = Listing(filters={"name": Text()},
                     order_by={"name": "name", "max_links": "max_links", "create_time": "create_time"})


def link_json(link: links.LinkRecord) -> dict:
    return {"contact1_id": out_id(link.contact_id), "contact2_id": out_id(link.other_id),
            "link_type_id": out_id(link.link_type_id), "link_type_name": link.link_type_name}


def _link_request(r: Request) -> tuple[int, int, int]:
    body = r.body
    for name in ("contact1_id", "contact2_id", "link_type_id"):
        if not body.get(name):
            raise invalid_field(name, "is required")
    first, second = in_id(body["contact1_id"], "contact1_id"), in_id(body["contact2_id"], "contact2_id")
    for contact_id in (first, second):
        if not domain.is_contact(r.s, contact_id):
            raise not_found("Contact", contact_id)
    if first == second:
        raise invalid_field("contact2_id", "a contact cannot be linked to itself")
    link_type_id = in_id(body["link_type_id"], "link_type_id")
    if links.get_type(r.s, link_type_id) is None:
        raise invalid_field("link_type_id", f"no link type has the id {body['link_type_id']}")
    return first, second, link_type_id


@operation("linkContacts")
def link_contacts(r: Request) -> dict:
    first, second, link_type_id = _link_request(r)
    links.link(r.s, first, second, link_type_id)
    return link_json(links.LinkRecord(first, second, link_type_id, links.get_type(r.s, link_type_id).name))


@operation("unlinkContacts")
def unlink_contacts(r: Request) -> None:
    links.unlink(r.s, *_link_request(r))


@operation("listContactLinks")
def list_contact_links(r: Request, contact_id: int) -> dict:
    if not domain.is_contact(r.s, contact_id):
        raise not_found("Contact", contact_id)
    return {"links": [link_json(k) for k in links.links_of(r.s, contact_id)]}


def link_type_json(t: links.LinkTypeRecord) -> dict:
    return {"id": out_id(t.id), "name": t.name, "max_links": t.max_links or None}


def _link_type(s: AppSession, link_type_id: int) -> links.LinkTypeRecord:
    return existing(links.get_type(s, link_type_id), "Contact Link Type", link_type_id)


def _link_type_values(body: dict, changed: set[str]) -> dict:
    out = {}
    if "name" in changed:
        name = (body.get("name") or "").strip()
        if not name:
            raise invalid_field("name", "a name is required")
        out["name"] = name
    if "max_links" in changed:
        max_links = body.get("max_links")
        if not isinstance(max_links, int) or max_links <= 0:
            raise invalid_field("max_links", "must be greater than 0")
        out["max_links"] = max_links
    return out


@operation("listContactLinkTypes")
def list_contact_link_types(r: Request) -> dict:
    page = links.page_types(r.s, r.list_query(LINK_TYPES))
    return r.page("contact_link_types", [link_type_json(t) for t in page.items], page)


@operation("createContactLinkType")
def create_contact_link_type(r: Request) -> dict:
    values = _link_type_values(r.body, {"name", "max_links"})
    return link_type_json(_link_type(r.s, links.add_type(r.s, values["name"], values["max_links"])))


@operation("updateContactLinkType")
def update_contact_link_type(r: Request, link_type_id: int) -> dict:
    _link_type(r.s, link_type_id)
    links.update_type(r.s, link_type_id, **_link_type_values(r.body, r.changed()))
    return link_type_json(_link_type(r.s, link_type_id))


@operation("deleteContactLinkType")
def delete_contact_link_type(r: Request, link_type_id: int) -> None:
    _link_type(r.s, link_type_id)
    links.delete_type(r.s, link_type_id)
