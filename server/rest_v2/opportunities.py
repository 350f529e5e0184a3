"""Opportunities, pipeline stages and stage moves (the contract's ``Opportunity`` operations but the custom
field model's ``.../model...`` ones, served by server.rest_v2.custom_fields).

Opportunities are the API's Lead rows, read and written through server.domain.crm.opportunities, the writer
DataService and REST v1 use: a stage changed here records the StageMove and fires ``opportunity.stage_moved``
(the campaign goal, the ``opportunity.stage_move`` hook), any change fires ``opportunity.updated`` (the
``opportunity.edit`` hook), and ``include_in_forecast`` is written in the same write.

Wire rules of this family: a create needs ``opportunity_title``, ``contact_id`` (a contact, not a company)
and ``stage_id``; a PATCH that clears one of them is a 400; a reference to a record that does not exist
(contact, stage, user, custom field) is a 400 naming the property. ``fields`` adds the optional properties:
``custom_fields``, ``created_by``, ``last_updated_by``, ``status_id``, and the legacy ones (``monthly_revenue``,
``order_revenue``, ``objection``, ``status``, ``stage_entrance_time``), always available here. Custom fields
are not filterable (``cf_...`` filters are a 400). A stage's checklist is replaced whole by an update; an item
that carries the id of one the stage has keeps that id. A stage that still holds opportunities cannot be
deleted (409 ``FAILED_PRECONDITION``).
"""
from __future__ import annotations

from server.domain.crm import opportunities as domain
from server.domain.data import custom_contents
from server.domain.session import AppSession
from server.tables import FORM_OPPORTUNITY

from .api import Request, operation
from .custom_filters import with_custom_fields
from .errors import conflict, existing, invalid_field, not_found
from .filters import Id, Ids, Number, Text
from .paging import Listing
from .wire import in_id, in_time, out_id, out_time

OPPORTUNITIES = Listing(
    filters={"stage_id": Id(), "user_id": Id(), "contact_id": Id(), "opportunity_title": Text(),
             "lead_source_name": Text(), "affiliate_id": Id(), "opportunity_id": Number("id"),
             "ids": Ids("id", most=100), "contact_phone": Text(), "contact_city": Text(), "contact_state": Text(),
             "projected_revenue_high": Number(), "projected_revenue_low": Number()},
    order_by={"next_action_time": "next_action_time", "contact_name": "contact_name",
              "opportunity_title": "opportunity_title", "created_time": "created_time", "update_time": "update_time"},
)
STAGES = Listing(filters={"opportunity_stage_name": Text("name"), "opportunity_stage_id": Number("id")},
                 order_by={"stage_order": "stage_order"}, default_order=("stage_order", False))
STAGE_MOVES = Listing(filters={"opportunity_id": Id(), "user_id": Id()},
                      order_by={"move_date": "move_date", "id": "id"})

# body property -> Lead field, for the plain values
_PLAIN = {"opportunity_title": "OpportunityTitle", "next_action_notes": "NextActionNotes",
          "opportunity_notes": "OpportunityNotes", "projected_revenue_low": "ProjectedRevenueLow",
          "projected_revenue_high": "ProjectedRevenueHigh"}
_TIMES = {"next_action_time": "NextActionDate", "estimated_close_time": "EstimatedCloseDate"}
_REFERENCES = {"contact_id": "ContactID", "stage_id": "StageID", "user_id": "UserID", "affiliate_id": "AffiliateId"}
_REQUIRED = ("opportunity_title", "contact_id", "stage_id")
_WRITABLE = (*_PLAIN, *_TIMES, *_REFERENCES, "include_in_forecast", "custom_fields")
_STAGE_WRITABLE = ("name", "order", "target_number_days", "probability", "checklist_items")


# --- answers ------------------------------------------------------------------------------------------

class _Context:
    """What answering a page of opportunities reads once: contacts, users, stages, statuses, custom values."""

    def __init__(self, s: AppSession, found: list[domain.OpportunityRecord], fields: frozenset[str]):
        self.contacts = domain.contacts_brief(s, (o.contact_id for o in found))
        self.users = domain.users_brief(s, (o.user_id for o in found))
        self.stages = {st.id: st for st in domain.stages(s)}
        self.statuses = domain.status_names(s) if "status" in fields else {}
        self.custom = custom_contents.read(s, FORM_OPPORTUNITY, [o.id for o in found]) \
            if "custom_fields" in fields else {}


def opportunity_json(s: AppSession, o: domain.OpportunityRecord, ctx: _Context, fields: frozenset[str]) -> dict:
    contact, user, stage = ctx.contacts.get(o.contact_id), ctx.users.get(o.user_id), ctx.stages.get(o.stage_id)
    out = {
        "id": out_id(o.id), "opportunity_title": o.title or "",
        "contact": {"id": out_id(contact.id), "email": contact.email, "first_name": contact.first_name,
                    "last_name": contact.last_name, "company_name": contact.company, "job_title": contact.job_title,
                    "phone_number": contact.phone, "city": contact.city, "state": contact.state}
        if contact else {"id": out_id(o.contact_id or 0)},
        "stage": {"id": out_id(stage.id), "name": stage.name, "reasons": [], "details": {
            "probability": stage.probability, "stage_order": stage.order, "target_num_days": stage.target_days,
            "checklist_items": [{"id": i["id"], "description": i["description"], "required": i["required"],
                                 "item_order": i["order"]} for i in stage.checklist]}}
        if stage else {"id": out_id(o.stage_id or 0)},
        "user": {"id": out_id(user.id), "first_name": user.first_name, "last_name": user.last_name} if user else None,
        "next_action_time": out_time(o.next_action_date, s.clock), "next_action_notes": o.next_action_notes,
        "opportunity_notes": o.notes, "estimated_close_time": out_time(o.estimated_close_date, s.clock),
        "include_in_forecast": bool(o.include_in_forecast), "projected_revenue_low": o.projected_revenue_low,
        "projected_revenue_high": o.projected_revenue_high, "created_time": out_time(o.created, s.clock),
        "last_updated_time": out_time(o.updated, s.clock), "affiliate_id": out_id(o.affiliate_id or None),
        "lead_source": o.lead_source,
    }
    optional = {
        "created_by": lambda: out_id(o.created_by), "last_updated_by": lambda: out_id(o.updated_by),
        "status_id": lambda: out_id(o.status_id or None), "monthly_revenue": lambda: o.monthly_revenue,
        "order_revenue": lambda: o.order_revenue, "objection": lambda: o.objection,
        "status": lambda: ctx.statuses.get(o.status_id), "stage_entrance_time": lambda: out_time(o.in_stage_since,
                                                                                               s.clock),
        "custom_fields": lambda: ctx.custom.get(o.id, []),
    }
    out.update({name: optional[name]() for name in fields if name in optional})
    return out


def _answer(r: Request, opportunity_id: int) -> dict:
    found = _opportunity(r.s, opportunity_id)
    return opportunity_json(r.s, found, _Context(r.s, [found], r.fields()), r.fields())


def stage_json(s: AppSession, st: domain.StageRecord) -> dict:
    return {"id": out_id(st.id), "name": st.name, "order": st.order, "target_number_days": st.target_days,
            "probability": st.probability, "created_time": out_time(st.created, s.clock),
            "updated_time": out_time(st.updated, s.clock),
            "checklist_items": [{"id": out_id(i["id"]), "description": i["description"], "required": i["required"],
                                 "order": i["order"]} for i in st.checklist]}


def stage_move_json(s: AppSession, m: domain.StageMoveRecord) -> dict:
    return {"id": out_id(m.id), "opportunity_id": out_id(m.opportunity_id), "move_time": out_time(m.moved, s.clock),
            "move_from_stage_id": out_id(m.from_stage_id or 0), "move_to_stage_id": out_id(m.to_stage_id or 0),
            "prev_stage_move_time": out_time(m.previous_move, s.clock), "user_id": out_id(m.user_id),
            "created_by": out_id(m.created_by), "create_time": out_time(m.created, s.clock)}


def _opportunity(s: AppSession, opportunity_id: int) -> domain.OpportunityRecord:
    return existing(domain.get(s, opportunity_id), "Opportunity", opportunity_id)


def _stage(s: AppSession, stage_id: int) -> domain.StageRecord:
    return existing(domain.get_stage(s, stage_id), "Opportunity Stage", stage_id)


# --- the request's values -----------------------------------------------------------------------------

def _reference(s: AppSession, name: str, text: str) -> int:
    value = in_id(text, name)
    exists = {"contact_id": lambda: domain.is_person(s, value), "stage_id": lambda: domain.get_stage(s, value),
              "user_id": lambda: domain.user_exists(s, value), "affiliate_id": lambda: True}[name]()
    if not exists:
        raise invalid_field(name, f"no {name[:-3]} has the id {text}")
    return value


def _lead_values(r: Request, changed: set[str]) -> tuple[dict, bool | None]:
    """Lead field values (by their API names) for the properties ``changed``, and the forecast flag."""
    body, data = r.body, {}
    for name in changed:
        value = body.get(name)
        if name in _REQUIRED and value in (None, ""):
            raise invalid_field(name, f"{name} is required")
        if name in _PLAIN:
            data[_PLAIN[name]] = value
        elif name in _TIMES:
            data[_TIMES[name]] = in_time(value, r.s.clock, name) if value else None
        elif name in _REFERENCES:
            data[_REFERENCES[name]] = _reference(r.s, name, value) if value else None
        elif name == "custom_fields":
            data.update(custom_contents.to_values(r.s, FORM_OPPORTUNITY, value or []))
    forecast = bool(body.get("include_in_forecast")) if "include_in_forecast" in changed else None
    return data, forecast


def _stage_values(r: Request, changed: set[str]) -> dict:
    """Keyword arguments of the domain's stage writes for the properties ``changed``."""
    body, out = r.body, {}
    if "name" in changed:
        name = (body.get("name") or "").strip()
        if not name:
            raise invalid_field("name", "a name is required")
        out["name"] = name
    if "order" in changed:
        out["order"] = _int32(body, "order")
    if "target_number_days" in changed:
        out["target_days"] = _int32(body, "target_number_days", low=0)
    if "probability" in changed:
        out["probability"] = _int32(body, "probability", low=0, high=100)
    if "checklist_items" in changed:
        items = body.get("checklist_items") or []
        out["checklist"] = [dict(item, id=_item_id(item.get("id"), f"checklist_items.{i}.id"))
                            for i, item in enumerate(items)]
    return out


def _int32(body: dict, name: str, *, low: int = -(2**31), high: int = 2**31 - 1) -> int:
    """An int32 of the body (the contract's format, which the store's columns hold), 0 when missing."""
    value = body.get(name) or 0
    if not low <= value <= high:
        raise invalid_field(name, f"must be an integer between {low} and {high}")
    return value


def _item_id(text, name: str) -> int | None:
    return None if text is None else in_id(text, name)


# --- opportunities ------------------------------------------------------------------------------------

@operation("listOpportunities")
def list_opportunities(r: Request) -> dict:
    q = r.list_query(with_custom_fields(r, OPPORTUNITIES, FORM_OPPORTUNITY))
    by_id = {c.op == "in" for c in q.where if c.field == "id"}
    if len(by_id) > 1:  # the contract: "opportunity_id and ids cannot be used together"
        raise invalid_field("filter", "opportunity_id and ids cannot be used together")
    page = domain.page_opportunities(r.s, q)
    fields = r.fields()
    ctx = _Context(r.s, page.items, fields)
    return r.page("opportunities", [opportunity_json(r.s, o, ctx, fields) for o in page.items], page)


@operation("createOpportunity")
def create_opportunity(r: Request) -> dict:
    data, forecast = _lead_values(r, set(_WRITABLE) & set(r.body) | set(_REQUIRED))
    data.setdefault("UserID", r.s.user_id)
    return _answer(r, domain.write(r.s, None, data, forecast=forecast))


@operation("getOpportunity")
def get_opportunity(r: Request, opportunity_id: int) -> dict:
    return _answer(r, opportunity_id)


@operation("updateOpportunity")
def update_opportunity(r: Request, opportunity_id: int) -> dict:
    _opportunity(r.s, opportunity_id)
    data, forecast = _lead_values(r, r.changed(_WRITABLE))
    domain.write(r.s, opportunity_id, data, forecast=forecast)
    return _answer(r, opportunity_id)


@operation("deleteOpportunity")
def delete_opportunity(r: Request, opportunity_id: int) -> None:
    _opportunity(r.s, opportunity_id)
    domain.delete(r.s, opportunity_id)


# --- stages -------------------------------------------------------------------------------------------

@operation("listOpportunityStages")
def list_opportunity_stages(r: Request) -> dict:
    page = domain.page_stages(r.s, r.list_query(STAGES))
    return r.page("stages", [stage_json(r.s, st) for st in page.items], page)


@operation("createOpportunityStage")
def create_opportunity_stage(r: Request) -> dict:
    values = _stage_values(r, set(_STAGE_WRITABLE))
    stage_id = domain.add_stage(r.s, values.pop("name"), values.pop("order"), values.pop("target_days"), **values)
    return stage_json(r.s, _stage(r.s, stage_id))


@operation("getOpportunityStage")
def get_opportunity_stage(r: Request, stage_id: int) -> dict:
    return stage_json(r.s, _stage(r.s, stage_id))


@operation("updateOpportunityStage")
def update_opportunity_stage(r: Request, stage_id: int) -> dict:
    _stage(r.s, stage_id)
    domain.update_stage(r.s, stage_id, **_stage_values(r, r.changed(_STAGE_WRITABLE)))
    return stage_json(r.s, _stage(r.s, stage_id))


@operation("deleteOpportunityStage")
def delete_opportunity_stage(r: Request, stage_id: int) -> None:
    _stage(r.s, stage_id)
    held = domain.stage_counts(r.s).get(stage_id, 0)
    if held:
        raise conflict(f"The stage holds {held} opportunities; move them to another stage first",
                       status="FAILED_PRECONDITION")
    domain.delete_stage(r.s, stage_id)


# --- stage moves --------------------------------------------------------------------------------------

@operation("listOpportunityStageMoves")
def list_opportunity_stage_moves(r: Request) -> dict:
    page = domain.page_stage_moves(r.s, r.list_query(STAGE_MOVES))
    return r.page("stage_moves", [stage_move_json(r.s, m) for m in page.items], page)


@operation("getOpportunityStageMove")
def get_opportunity_stage_move(r: Request, stage_move_id: int) -> dict:
    found = domain.get_stage_move(r.s, stage_move_id)
    if found is None:
        raise not_found("Opportunity Stage Move", stage_move_id)
    return stage_move_json(r.s, found)
