"""Affiliate commission programs, their resources, and redirect links (the contract's ``Affiliate``
operations on ``/affiliates/commissionPrograms`` and ``/affiliates/redirects``).

Programs are the rows AffiliateProgramService lists (server.domain.affiliates.programs); resources are
AffResource rows, written through DataService's writer (server.domain.affiliates.resources); redirect links
are the links ``AffiliateService.getRedirectLinksForAffiliate`` hands out and the sandbox's ``/go/`` pages
follow (server.domain.affiliates.links). v2 wire rules of this family: a program's name is required (the
first 255 characters are kept), its ``priority`` is a number in writes' answers and text in reads' (the
contract's two schemas); a link's code is unique ignoring case (409); ``date_created`` orders by id (the
store keeps no creation time of programs and links; ids are given in creation order).
"""
from __future__ import annotations

from server.domain import redirects
from server.domain.affiliates import links, partners, program_commissions, programs, resources
from server.domain.session import AppSession

from .api import Request, operation
from .errors import conflict, existing, invalid_field
from .filters import Id, Text
from .paging import Listing
from .wire import in_id, in_ids, out_id

NAME_LENGTH = 255
PROGRAMS = Listing(filters={"name": Text(), "affiliate_id": Id()},
                   order_by={"name": "name", "date_created": "id"})
LINKS = Listing(filters={"name": Text(), "affiliate_id": Id()}, order_by={"name": "name", "date_created": "id"})
# v2 resource property -> (AffResource field, the value stored for the wire's)
_RESOURCE = {
    "title": ("Title", lambda v: v or ""),
    "type": ("ResourceType", lambda v: resources.STORED.get(v, "")),
    "notes": ("Notes", lambda v: v or ""),
    "url": ("ResourceHREF", lambda v: v or ""),
    "order": ("ResourceOrder", lambda v: str(v or 0)),
    "content_html": ("ResourceHTML", lambda v: v or ""),
}
RESOURCE_PROPERTIES = (*_RESOURCE, "commission_program_ids", "page_width", "page_height")


# --- answers ------------------------------------------------------------------------------------------

def program_json(p: programs.ProgramRecord) -> dict:
    """AffiliateProgramV2: ``priority`` as text."""
    return {"id": out_id(p.id), "name": p.name, "priority": str(p.priority), "notes": p.notes,
            "affiliate_ids": [out_id(i) for i in p.affiliate_ids]}


def _setting_json(x: program_commissions.Setting) -> dict:
    """DefaultCommission / ProductCommission / SubscriptionCommission's rates; ``percentage`` and
    ``dollar_amount`` are level 1's sale rates (the contract: "set for the Sale", deprecated for level_1)."""
    level_1 = x.rates.get("level_1", {})
    return {"payout_type": x.payout_type, "percentage": level_1.get("sale_percent"),
            "dollar_amount": level_1.get("sale_amount"), **{level: x.rates[level] for level in x.rates}}


def program_detail_json(s: AppSession, p: programs.ProgramRecord) -> dict:
    """GetRestCommissionProgram: the program with its commission rates."""
    settings = program_commissions.of_program(s, p.id)
    default = next((x for x in settings if x.kind == program_commissions.DEFAULT), None)
    return {**program_json(p), "default_commission": _setting_json(default) if default else None,
            "product_commissions": [{**_setting_json(x), "product_id": out_id(x.product_id), "product_name": x.name,
                                     "product_price": x.price}
                                    for x in settings if x.kind == program_commissions.PRODUCT],
            "subscription_commissions": [{**_setting_json(x), "subscription_id": out_id(x.plan_id), "name": x.name,
                                          "plan_price": x.price}
                                         for x in settings if x.kind == program_commissions.SUBSCRIPTION]}


def program_written_json(p: programs.ProgramRecord) -> dict:
    """AffiliateCommissionProgramResponse (create, update): ``priority`` as a number."""
    return {"id": out_id(p.id), "name": p.name, "notes": p.notes, "priority": p.priority}


def link_json(link: links.LinkRecord) -> dict:
    return {"id": out_id(link.id), "name": link.name, "code": link.code, "affiliate_id": out_id(link.affiliate_id),
            "local_url_code": link.code, "redirect_url": link.redirect_url, "website_address": link.redirect_url,
            "program_ids": [out_id(i) for i in link.program_ids]}


def resource_json(x: resources.ResourceRecord) -> dict:
    return {"id": out_id(x.id), "title": x.title or "", "type": x.type, "notes": x.notes or "", "url": x.url or "",
            "order": x.order, "content_html": x.html or "", "page_width": x.page_width, "page_height": x.page_height,
            "commission_programs": [{"commission_program_id": out_id(i)} for i in x.program_ids]}


def require_program(s: AppSession, program_id: int) -> programs.ProgramRecord:
    return existing(programs.get_program(s, program_id), "Commission Program", program_id)


def _link(s: AppSession, link_id: int) -> links.LinkRecord:
    return existing(links.get(s, link_id), "Affiliate Link", link_id)


def _resource(s: AppSession, resource_id: int) -> resources.ResourceRecord:
    return existing(resources.get(s, resource_id), "Program Resource", resource_id)


# --- the request's values -----------------------------------------------------------------------------

def _text(body: dict, name: str) -> str:
    value = (body.get(name) or "").strip()
    if not value:
        raise invalid_field(name, f"a {name.replace('_', ' ')} is required")
    return value


def _program_ids(r: Request, name: str) -> list[int]:
    ids = in_ids(r.body.get(name) or [], name)
    for i, program_id in enumerate(ids):
        if programs.get_program(r.s, program_id) is None:
            raise invalid_field(f"{name}.{i}", f"no commission program has the id {r.body[name][i]}")
    return list(dict.fromkeys(ids))


def _program_values(r: Request, changed: set[str]) -> dict:
    values = {}
    if "name" in changed:
        values["name"] = _text(r.body, "name")[:NAME_LENGTH]
    if "notes" in changed:
        values["notes"] = r.body.get("notes") or ""
    if "priority" in changed:
        values["priority"] = r.body.get("priority") or 0
    return values


def _link_values(r: Request, besides: int | None = None) -> dict:
    body = r.body
    code = _text(body, "code")
    if links.code_taken(r.s, code, besides=besides):
        raise conflict(f"A redirect link with the code '{code}' already exists")
    affiliate = body.get("affiliate_id")
    affiliate_id = in_id(affiliate, "affiliate_id") if affiliate else 0
    if affiliate_id and partners.get(r.s, affiliate_id) is None:
        raise invalid_field("affiliate_id", f"no affiliate has the id {affiliate}")
    url = _text(body, "website_address")
    if (problem := redirects.problem(url)) is not None:
        raise invalid_field("website_address", problem)
    return {"name": _text(body, "name"), "code": code, "redirect_url": url,
            "affiliate_id": affiliate_id, "program_ids": _program_ids(r, "program_ids")}


def _resource_values(r: Request, changed: set[str]) -> tuple[dict, dict]:
    """AffResource values for the properties ``changed``, and the page size among them."""
    if "title" in changed:
        _text(r.body, "title")
    for prop in ("order", "page_width", "page_height"):
        if prop in changed and (r.body.get(prop) or 0) < 0:
            raise invalid_field(prop, "must be 0 or more")
    values = {field: convert(r.body.get(prop)) for prop, (field, convert) in _RESOURCE.items() if prop in changed}
    if "commission_program_ids" in changed:
        values["ProgramIds"] = ",".join(map(str, _program_ids(r, "commission_program_ids")))
    return values, {prop: r.body.get(prop) or 0 for prop in ("page_width", "page_height") if prop in changed}


# --- programs -----------------------------------------------------------------------------------------

@operation("listAffiliateCommissionPrograms")
def list_commission_programs(r: Request) -> dict:
    page = programs.page_programs(r.s, r.list_query(PROGRAMS))
    return r.page("commission_programs", [program_json(p) for p in page.items], page)


@operation("addCommissionProgram")
def add_commission_program(r: Request) -> dict:
    values = _program_values(r, {"name", "notes", "priority"})
    program_id = programs.add_program(r.s, values["name"], values["notes"], values["priority"])
    return program_written_json(require_program(r.s, program_id))


@operation("getCommissionProgram")
def get_commission_program(r: Request, commission_program_id: int) -> dict:
    return program_detail_json(r.s, require_program(r.s, commission_program_id))


@operation("updateCommissionProgram")
def update_commission_program(r: Request, commission_program_id: int) -> dict:
    require_program(r.s, commission_program_id)
    programs.update_program(r.s, commission_program_id, _program_values(r, r.changed(("name", "notes", "priority"))))
    return program_written_json(require_program(r.s, commission_program_id))


@operation("deleteAffiliateCommissionProgram")
def delete_commission_program(r: Request, commission_program_id: int) -> None:
    require_program(r.s, commission_program_id)
    programs.delete_program(r.s, commission_program_id)


# --- resources ----------------------------------------------------------------------------------------

@operation("listCommissionProgramResources")
def list_program_resources(r: Request, commission_program_id: int) -> dict:
    require_program(r.s, commission_program_id)
    return {"resources": [resource_json(x) for x in resources.of_program(r.s, commission_program_id)]}


@operation("addCommissionProgramResource")
def add_program_resource(r: Request) -> dict:
    values, size = _resource_values(r, set(RESOURCE_PROPERTIES))
    return resource_json(_resource(r.s, resources.add(r.s, values, size)))


@operation("updateCommissionProgramResource")
def update_program_resource(r: Request, resource_id: int) -> dict:
    _resource(r.s, resource_id)
    resources.update(r.s, resource_id, *_resource_values(r, r.changed(RESOURCE_PROPERTIES)))
    return resource_json(_resource(r.s, resource_id))


@operation("deleteCommissionProgramResource")
def delete_program_resource(r: Request, resource_id: int) -> None:
    _resource(r.s, resource_id)
    resources.delete(r.s, resource_id)


# --- redirect links -----------------------------------------------------------------------------------

@operation("listAffiliateLinks")
def list_affiliate_links(r: Request) -> dict:
    page = links.page(r.s, r.list_query(LINKS))
    return r.page("affiliate_links", [link_json(x) for x in page.items], page)


@operation("createRedirectLink")
def create_redirect_link(r: Request) -> dict:
    v = _link_values(r)
    link_id = programs.add_redirect(r.s, v["name"], v["code"], v["redirect_url"], affiliate_id=v["affiliate_id"],
                                    program_ids=v["program_ids"])
    return link_json(_link(r.s, link_id))


@operation("getRedirectLink")
def get_redirect_link(r: Request, redirect_id: int) -> dict:
    return link_json(_link(r.s, redirect_id))


@operation("updateRedirectLink")
def update_redirect_link(r: Request, redirect_id: int) -> dict:
    _link(r.s, redirect_id)
    links.update(r.s, redirect_id, **_link_values(r, besides=redirect_id))
    return link_json(_link(r.s, redirect_id))


@operation("deleteRedirectLink")
def delete_redirect_link(r: Request, redirect_id: int) -> None:
    _link(r.s, redirect_id)
    links.delete(r.s, redirect_id)
