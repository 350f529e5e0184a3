"""/campaigns: list, get with ``optional_properties=goals,sequences``, adding and removing contacts to a
sequence, and achieving an API goal. Campaigns are the engine's Campaign Builder campaigns
(server.engine.campaigns), read through server.engine.overview; the goal endpoint is the REST
twin of ``FunnelService.achieveGoal`` (server.engine.achieve.achieve_goal_rest): the same goals fire, the same
sequences run, the same emails land in the outbox."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from server.clock import UTC
from server.domain.mail import emails
from server.domain.session import AppSession
from server.engine import achieve, manual, overview
from server.engine.errors import CampaignNotFound

from .api import (
    Body,
    Int,
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
from .wire import out_datetime

OPTIONAL = ["goals", "sequences"]

# The document's goal and item types -> REST's (``API`` and ``Tag``, ``Email``, ``Task``, ``HttpRequest``,
# ``DelayTimer`` are documented [doc S1]; the rest are spelled the same way, unconfirmed)
GOAL_TYPES = {
    "api_call": "API", "tag_applied": "Tag", "note_applied": "Note", "internal_form_submitted": "InternalForm",
    "task_completed": "Task", "opportunity_moved": "Opportunity", "web_form_submitted": "WebForm",
    "landing_page_submitted": "LandingPage", "grosocial_form_submitted": "GroSocial",
    "twitter_lead_card_submitted": "TwitterForm", "link_clicked": "LinkClick", "lead_score_reached": "LeadScore",
    "product_purchased": "Purchase", "purchase_failed": "FailedPurchase",
}
# each item kind as the document's enum names it (a Remove Tag process is the enum's Tag, a contact field timer
# its ContactTimer, a voice broadcast its Voice, a fulfillment list its Fulfillment)
ITEM_TYPES = {
    "delay_timer": "DelayTimer", "date_timer": "DateTimer", "field_timer": "ContactTimer", "email": "Email",
    "fax": "Fax", "letter": "Letter", "voice": "Voice", "apply_tag": "Tag", "remove_tag": "Tag",
    "note": "Note", "task": "Task", "appointment": "Appointment", "set_field": "FieldValue",
    "assign_owner": "AssignOwner", "create_opportunity": "Opportunity", "fulfillment_list": "Fulfillment",
    "http_post": "HttpRequest", "action_set": "ActionSet", "customerhub": "CustomerHub", "phone_call": "Task",
}  # (a phone call is a call for a user to make: the enum has no kind of its own for it, Task the nearest)


class ListCampaigns(Paging):
    order: Literal["id", "name", "published_date", "completed_contact_count", "active_contact_count",
                   "date_created", "last_updated", "category", "status"] | None = None
    order_direction: Literal["ASCENDING", "DESCENDING"] | None = None
    search_text: str | None = None


class GetCampaign(Query):
    optional_properties: offering(OPTIONAL) | None = None


class ContactIds(Body):
    ids: list[Int] = Field(min_length=1)


class OptionalIds(Body):
    ids: list[Int] | None = None


class IdsQuery(Query):
    ids: list[Int] | None = None


class GoalEvent(Body):
    contact_id: Int


class CampaignShape(Shape):
    id: int
    name: str | None = None
    locked: bool | None = None
    error_message: str | None = None
    date_created: str | None = None
    created_by_global_id: int | None = None
    published_date: str | None = None
    published_status: bool | None = None
    published_time_zone: str | None = None
    time_zone: str | None = None
    active_contact_count: int | None = None
    completed_contact_count: int | None = None
    goals: list[dict] | None = None
    sequences: list[dict] | None = None


CampaignList = list_shape("CampaignList", "campaigns", CampaignShape)


class GoalEventResult(Shape):
    campaign_id: int | None = None
    goal_id: int | None = None
    message: str | None = None
    success: bool | None = None


# --- reading ------------------------------------------------------------------------------------------

def campaign_json(s: AppSession, c: overview.CampaignSummary) -> dict:
    time_zone = c.time_zone or s.app.time_zone
    return {"id": c.id, "name": c.name, "locked": False, "error_message": c.error_message,
            "date_created": out_datetime(c.created, s.clock), "created_by_global_id": None,
            "published_date": out_datetime(c.published, s.clock), "published_status": c.is_published,
            "published_time_zone": time_zone if c.published is not None else None, "time_zone": time_zone,
            "active_contact_count": c.active, "completed_contact_count": c.completed}


def _counted(history: overview.History) -> dict:
    return {"24_hours": history.day, "30_days": history.month}


def details(s: AppSession, campaign_id: int, wanted: set[str]) -> dict:
    """``goals`` and ``sequences`` of a campaign, in the REST shapes (server.engine.overview)."""
    out: dict = {}
    if "goals" in wanted:
        out["goals"] = [{"id": g.id, "name": g.name, "type": GOAL_TYPES.get(g.type, g.type),
                         "historical_contact_counts": _counted(g.history), "next_sequence_ids": g.next_sequence_ids,
                         "previous_sequence_ids": g.previous_sequence_ids}
                        for g in overview.goals(s, campaign_id)]
    if "sequences" in wanted:
        out["sequences"] = [{"id": q.id, "name": q.name, "active_contact_count": q.active,
                             "active_contact_count_completed": q.finished,
                             "historical_contact_count": _counted(q.history),
                             "paths": [{"id": index, "items": _items(path)} for index, path in enumerate(q.paths)]}
                            for q in overview.sequences(s, campaign_id)]
    return out


def _items(path: list[overview.ItemView]) -> list[dict]:
    return [{"id": item.id, "name": item.name, "type": ITEM_TYPES.get(item.type, item.type),
             "previous_item_id": path[i - 1].id if i else None,
             "next_item_id": path[i + 1].id if i + 1 < len(path) else None} for i, item in enumerate(path)]


def require(s: AppSession, campaign_id: int) -> overview.CampaignSummary:
    found = overview.get_campaign(s, campaign_id)
    if found is None:
        raise not_found("Campaign")
    return found


# --- routes -------------------------------------------------------------------------------------------

_ORDER_KEYS = {
    "id": lambda c: c.id, "name": lambda c: (c.name or "").lower(),
    "published_date": lambda c: c.published or _EPOCH, "date_created": lambda c: c.created or _EPOCH,
    "last_updated": lambda c: c.updated or _EPOCH, "active_contact_count": lambda c: c.active,
    "completed_contact_count": lambda c: c.completed,
    "category": lambda c: (c.name or "").lower(),  # campaigns have no categories here: by name
    "status": lambda c: c.is_published,
}
_EPOCH = datetime.fromtimestamp(0, UTC)


@route("GET", "/campaigns", summary="List campaigns", tag="Campaign", query=ListCampaigns, response=CampaignList)
def list_campaigns(r: Request):
    q: ListCampaigns = r.query
    limit, offset = page(q)
    found = overview.campaigns(r.s, name_contains=(q.search_text or "").strip() or None)
    found.sort(key=_ORDER_KEYS[q.order or "id"], reverse=q.order_direction == "DESCENDING")
    items = [campaign_json(r.s, c) for c in found[offset:offset + limit]]
    carry = {"order": q.order, "order_direction": q.order_direction, "search_text": q.search_text}
    return envelope(r, "campaigns", items, len(found), limit, offset, path="/campaigns", carry=carry)


@route("GET", "/campaigns/{campaignId}", summary="Get a campaign (goals and sequences on request)",
       tag="Campaign", query=GetCampaign, response=CampaignShape)
def get_campaign(r: Request, campaignId: int):
    wanted = asked_for(r.query.optional_properties, OPTIONAL)
    out = campaign_json(r.s, require(r.s, campaignId))
    out.update(details(r.s, campaignId, wanted))
    return out


def _sequence_call(fn):
    """The engine refuses a campaign that is not published, or a sequence not in it: 404."""
    try:
        return fn()
    except CampaignNotFound:
        raise not_found("Campaign") from None


def _remove(r: Request, campaign_id: int, sequence_id: int, contact_ids: list[int]) -> None:
    _checked(r, campaign_id, sequence_id)
    _sequence_call(lambda: manual.remove_from_sequence(r.s, campaign_id, sequence_id, contact_ids))


def _checked(r: Request, campaign_id: int, sequence_id: int) -> None:
    problem = overview.published_sequence(r.s, campaign_id, sequence_id)
    if problem is not None:
        raise not_found("Campaign" if problem == "campaign" else "Sequence")


@route("POST", "/campaigns/{campaignId}/sequences/{sequenceId}/contacts",
       summary="Add contacts to a campaign sequence", tag="Campaign", body=ContactIds,
       response={"type": "object", "additionalProperties": {"type": "string"}})
def add_contacts_to_sequence(r: Request, campaignId: int, sequenceId: int):
    _checked(r, campaignId, sequenceId)
    results = _sequence_call(lambda: manual.add_to_sequence(r.s, campaignId, sequenceId, list(r.body.ids)))
    return {str(k): v for k, v in results.items()}  # a map keyed by contact id, as the tag results [doc S1]


@route("DELETE", "/campaigns/{campaignId}/sequences/{sequenceId}/contacts",
       summary="Remove contacts from a campaign sequence", tag="Campaign", query=IdsQuery, body=OptionalIds,
       status=204)
def remove_contacts_from_sequence(r: Request, campaignId: int, sequenceId: int):
    # the ids come in the body [doc S1]; clients whose DELETE carries no body (keap-python drops it) may send
    # them as ?ids=1,2
    ids = list(r.body.ids or []) or list(r.query.ids or [])
    if not ids:
        raise bad_request("ids is required")
    _remove(r, campaignId, sequenceId, ids)


@route("POST", "/campaigns/{campaignId}/sequences/{sequenceId}/contacts/{contactId}",
       summary="Add a contact to a campaign sequence", tag="Campaign", status=204)
def add_contact_to_sequence(r: Request, campaignId: int, sequenceId: int, contactId: int):
    _checked(r, campaignId, sequenceId)
    results = _sequence_call(lambda: manual.add_to_sequence(r.s, campaignId, sequenceId, [contactId]))
    if results.get(contactId) == "CONTACT_DOES_NOT_EXIST":
        raise not_found("Contact")


@route("DELETE", "/campaigns/{campaignId}/sequences/{sequenceId}/contacts/{contactId}",
       summary="Remove a contact from a campaign sequence", tag="Campaign", status=204)
def remove_contact_from_sequence(r: Request, campaignId: int, sequenceId: int, contactId: int):
    if not emails.contact_exists(r.s, contactId):  # as adding it answers (the document lists the 404)
        _checked(r, campaignId, sequenceId)
        raise not_found("Contact")
    _remove(r, campaignId, sequenceId, [contactId])


@route("POST", "/campaigns/goals/{integration}/{callName}", summary="Achieve an API goal", tag="Campaign",
       body=GoalEvent, response=list[GoalEventResult], status=201, integration=str, callName=str)
def achieve_goal(r: Request, integration: str, callName: str):
    if not emails.contact_exists(r.s, r.body.contact_id):
        raise bad_request(f"Invalid contact id: {r.body.contact_id}")
    # one result per campaign whose API goal matches; an empty array when none does [doc S1]
    return achieve.achieve_goal_rest(r.s, integration, callName, r.body.contact_id)
