"""/opportunities and /opportunity/stage_pipeline. Opportunities are Lead rows read and written through
server.domain.crm.opportunities (the Lead writer DataService uses), so a stage change made here records the
StageMove and fires ``opportunity.stage_moved`` (the campaign goal and the ``opportunity.stage_move`` hook)
exactly as ``DataService.update('Lead', …)`` does, and ``include_in_forecast`` (read-only on Lead) is written
in the same domain write, with the same ``opportunity.updated`` event (the ``opportunity.edit`` hook)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from server.domain.crm import opportunities
from server.domain.session import AppSession
from server.tables import FORM_OPPORTUNITY

from . import custom
from .api import (
    Body,
    Int,
    Number,
    Paging,
    Query,
    Request,
    Shape,
    asked_for,
    envelope,
    list_shape,
    offering,
    page,
    route,
)
from .errors import bad_request, not_found
from .wire import DateTimeText, in_datetime, out_datetime

FORM = FORM_OPPORTUNITY
OPTIONAL = ["custom_fields"]


class Ref(BaseModel):
    """A reference to a record by id: the rest of an echoed object (a GET answer sent back) is ignored."""

    model_config = ConfigDict(extra="ignore")
    id: Int



class OpportunityBody(Body):
    """Opportunity [doc S1]: create and replace need ``contact``, ``opportunity_title`` and ``stage``."""

    id: Int | None = None
    opportunity_title: str | None = Field(default=None, json_schema_extra={"type": "string", "minLength": 1})
    contact: Ref | None = None
    stage: Ref | None = None
    user: Ref | None = None
    affiliate_id: Int | None = None
    estimated_close_date: DateTimeText | None = None
    next_action_date: DateTimeText | None = None
    next_action_notes: str | None = None
    opportunity_notes: str | None = None
    include_in_forecast: Int | None = None
    projected_revenue_low: Number | None = None
    projected_revenue_high: Number | None = None
    custom_fields: list[custom.CustomFieldValue] | None = None
    date_created: str | None = None  # read-only: accepted in an echoed object, not written
    last_updated: str | None = None


class StageShape(Shape):
    id: int
    name: str | None = None
    details: dict | None = None
    reasons: list[str] = []


class OpportunityShape(Shape):
    id: int
    opportunity_title: str | None = None
    contact: dict | None = None
    stage: StageShape | None = None
    user: dict | None = None
    next_action_date: str | None = None
    next_action_notes: str | None = None
    opportunity_notes: str | None = None
    estimated_close_date: str | None = None
    include_in_forecast: int | None = None
    projected_revenue_low: float | None = None
    projected_revenue_high: float | None = None
    date_created: str | None = None
    last_updated: str | None = None
    affiliate_id: int | None = None


OpportunityList = list_shape("OpportunityList", "opportunities", OpportunityShape)


class SalesPipeline(Shape):
    stage_id: int
    stage_name: str | None = None
    stage_order: int | None = None
    stage_count: int | None = None
    end_stage: bool | None = None
    is_default: bool | None = None


class ListOpportunities(Paging):
    user_id: Int | None = None
    stage_id: Int | None = None
    search_term: str | None = None
    order: Literal["next_action", "opportunity_name", "contact_name", "date_created"] | None = None


class GetOpportunity(Query):
    optional_properties: offering(OPTIONAL) | None = None


# --- reading ------------------------------------------------------------------------------------------

def render(s: AppSession, records: list[opportunities.OpportunityRecord], *, custom_fields: bool) -> list[dict]:
    contacts = opportunities.contacts_brief(s, (o.contact_id for o in records))
    users = opportunities.users_brief(s, (o.user_id for o in records))
    stages = {st.id: st for st in opportunities.stages(s)}
    customs = custom.read(s, FORM, [o.id for o in records]) if custom_fields else {}
    clock = s.clock
    out = []
    for o in records:
        stage, contact, user = stages.get(o.stage_id), contacts.get(o.contact_id), users.get(o.user_id)
        item = {
            "id": o.id, "opportunity_title": o.title,
            "next_action_date": out_datetime(o.next_action_date, clock),
            "next_action_notes": o.next_action_notes or "", "opportunity_notes": o.notes or "",
            "estimated_close_date": out_datetime(o.estimated_close_date, clock),
            "include_in_forecast": o.include_in_forecast or 0,
            "projected_revenue_low": float(o.projected_revenue_low or 0.0),
            "projected_revenue_high": float(o.projected_revenue_high or 0.0),
            "contact": {"id": contact.id, "email": contact.email, "first_name": contact.first_name,
                        "last_name": contact.last_name, "company_name": contact.company or "",
                        "job_title": contact.job_title, "phone_number": contact.phone or ""} if contact else None,
            "stage": {"id": stage.id, "name": stage.name,
                      "details": {"probability": 0, "stage_order": stage.order,
                                  "target_num_days": stage.target_days, "check_list_items": []},
                      "reasons": []} if stage is not None else None,
            "user": {"id": user.id, "first_name": user.first_name, "last_name": user.last_name} if user else None,
            "date_created": out_datetime(o.created, clock), "last_updated": out_datetime(o.updated, clock),
            "affiliate_id": o.affiliate_id or 0,
        }
        if custom_fields:
            item["custom_fields"] = customs.get(o.id, [])
        out.append(item)
    return out


def load(s: AppSession, opportunity_id: int, *, custom_fields: bool = False) -> dict:
    found = opportunities.get(s, opportunity_id)
    if found is None:
        raise not_found("Opportunity")
    return render(s, [found], custom_fields=custom_fields)[0]


# --- writing ------------------------------------------------------------------------------------------

_PLAIN = {"opportunity_title": "OpportunityTitle", "affiliate_id": "AffiliateId",
          "next_action_notes": "NextActionNotes", "opportunity_notes": "OpportunityNotes",
          "projected_revenue_low": "ProjectedRevenueLow", "projected_revenue_high": "ProjectedRevenueHigh"}
_DATES = {"estimated_close_date": "EstimatedCloseDate", "next_action_date": "NextActionDate"}
_WRITABLE = set(_PLAIN) | set(_DATES) | {"contact", "stage", "user", "custom_fields", "include_in_forecast"}


def to_fields(s: AppSession, body: OpportunityBody, names: set[str]) -> dict:
    data = {}
    for prop in names:
        value = getattr(body, prop)
        if prop in _PLAIN:
            data[_PLAIN[prop]] = value
        elif prop in _DATES:
            data[_DATES[prop]] = s.clock.to_local(in_datetime(value)) if value else None
        elif prop == "contact":
            if value is None or not opportunities.is_person(s, value.id):
                raise bad_request(f"Invalid contact id: {value.id if value else None}")
            data["ContactID"] = value.id
        elif prop == "stage":
            if value is None or opportunities.get_stage(s, value.id) is None:
                raise bad_request(f"Invalid stage id: {value.id if value else None}")
            data["StageID"] = value.id
        elif prop == "user":
            if value is not None and not opportunities.user_exists(s, value.id):
                raise bad_request(f"Invalid user id: {value.id}")
            data["UserID"] = value.id if value else None
        elif prop == "custom_fields":
            data.update(custom.to_fields(s, FORM, value or []))
    return data


def _require_full(body: OpportunityBody) -> None:
    if not body.opportunity_title or body.contact is None or body.stage is None:
        raise bad_request("contact, opportunity_title and stage are required")  # [doc S1]


def _forecast(body: OpportunityBody) -> bool | None:
    """The include-in-forecast flag the body sets (read-only through DataService; written by the domain)."""
    return bool(body.include_in_forecast) if "include_in_forecast" in body.model_fields_set else None


def _write(s: AppSession, opportunity_id: int, body: OpportunityBody, names: set[str]) -> dict:
    opportunities.write(s, opportunity_id, to_fields(s, body, names & _WRITABLE), forecast=_forecast(body))
    return load(s, opportunity_id, custom_fields="custom_fields" in names)


# --- routes -------------------------------------------------------------------------------------------

@route("GET", "/opportunities", summary="List opportunities", tag="Opportunity", query=ListOpportunities,
       response=OpportunityList)
def list_opportunities(r: Request):
    q: ListOpportunities = r.query
    limit, offset = page(q)
    # the contact's given, family and company names, EMAIL1, and the title [doc S1]
    total, found = opportunities.search(r.s, user_id=q.user_id, stage_id=q.stage_id, text=q.search_term,
                                        order=q.order, limit=limit, offset=offset)
    carry = {"user_id": q.user_id, "stage_id": q.stage_id, "search_term": q.search_term, "order": q.order}
    # the captured list items carry custom_fields [wire S2 read/opportunities/v1.json]
    return envelope(r, "opportunities", render(r.s, found, custom_fields=True), total, limit, offset,
                    path="/opportunities", carry=carry)


@route("POST", "/opportunities", summary="Create an opportunity", tag="Opportunity", body=OpportunityBody,
       response=OpportunityShape)
def create_opportunity(r: Request):
    body: OpportunityBody = r.body
    _require_full(body)
    names = set(body.model_fields_set) & _WRITABLE
    data = to_fields(r.s, body, names)
    if body.user is None:
        data.setdefault("UserID", r.s.user_id)
    opportunity_id = opportunities.write(r.s, None, data, forecast=_forecast(body))
    return load(r.s, opportunity_id, custom_fields="custom_fields" in names)  # 200, not 201 [doc S1]


@route("PUT", "/opportunities", summary="Replace an opportunity (its id in the body)", tag="Opportunity",
       body=OpportunityBody, response=OpportunityShape)
def replace_opportunity(r: Request):
    body: OpportunityBody = r.body
    if body.id is None:
        raise bad_request("id is required")
    if opportunities.get(r.s, body.id) is None:
        raise not_found("Opportunity")
    _require_full(body)
    # a full replace: every writable property, those not given cleared
    names = (_WRITABLE - {"custom_fields"}) | (set(body.model_fields_set) & {"custom_fields"})
    return _write(r.s, body.id, body, names)


@route("GET", "/opportunities/model", summary="The opportunity model", tag="Opportunity",
       response=custom.ObjectModel)
def opportunity_model(r: Request):
    return custom.model(r.s, FORM, OPTIONAL)


@route("POST", "/opportunities/model/customFields", summary="Create an opportunity custom field",
       tag="Opportunity", body=custom.CreateCustomField, response=custom.CustomFieldMeta, status=201)
def create_opportunity_custom_field(r: Request):
    return custom.create(r.s, FORM, r.body)


@route("GET", "/opportunities/{opportunityId}", summary="Get an opportunity", tag="Opportunity",
       query=GetOpportunity, response=OpportunityShape)
def get_opportunity(r: Request, opportunityId: int):
    wanted = asked_for(r.query.optional_properties, OPTIONAL)
    return load(r.s, opportunityId, custom_fields="custom_fields" in wanted)


@route("PATCH", "/opportunities/{opportunityId}", summary="Update an opportunity", tag="Opportunity",
       body=OpportunityBody, response=OpportunityShape)
def patch_opportunity(r: Request, opportunityId: int):
    if opportunities.get(r.s, opportunityId) is None:
        raise not_found("Opportunity")
    body: OpportunityBody = r.body
    names = set(body.model_fields_set)
    if "opportunity_title" in names and not body.opportunity_title:
        raise bad_request("opportunity_title must not be empty")
    for required in ("contact", "stage"):
        if required in names and getattr(body, required) is None:
            raise bad_request(f"{required} must not be null")
    return _write(r.s, opportunityId, body, names)


@route("GET", "/opportunity/stage_pipeline", summary="The sales pipeline's stages", tag="Opportunity",
       response=list[SalesPipeline])
def stage_pipeline(r: Request):
    counts = opportunities.stage_counts(r.s)
    stages = opportunities.stages(r.s)
    # a stage with no target days is where opportunities end (the seeded Won and Lost); the first one is
    # where new opportunities start (the real rules are app settings the API does not show)
    return [{"stage_id": st.id, "stage_name": st.name, "stage_order": st.order,
             "stage_count": counts.get(st.id, 0), "end_stage": not st.target_days,
             "is_default": i == 0} for i, st in enumerate(stages)]  # a bare array [doc S1]
