"""/campaigns: list, get with ``optional_properties=goals,sequences``, adding and removing contacts to a
sequence, and achieving an API goal. Campaigns are the engine's Campaign Builder campaigns
(server.engine.campaigns); the counts come from server.engine.reporting.report, and the goal endpoint is the REST
twin of ``FunnelService.achieveGoal`` (server.engine.achieve.achieve_goal_rest): the same goals fire, the same
sequences run, the same emails land in the outbox."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from pydantic import Field

from server.clock import UTC
from server.domain.session import AppSession
from server.engine import achieve, manual, published, reporting
from server.engine import campaigns as domain
from server.engine.errors import CampaignNotFound
from server.store import schema
from server.store.schema import LIVE_STATES

from .api import Body, Int, Paging, Query, Request, Shape, envelope, page, route
from .errors import bad_request, not_found
from .wire import out_datetime

C, E, GA = schema.campaign, schema.enrollment, schema.goal_achievement
OPTIONAL = ["goals", "sequences"]
DAY = 86400.0

# The document's goal and item types -> REST's (``API`` and ``Tag``, ``Email``, ``Task``, ``HttpRequest``,
# ``DelayTimer`` are documented [doc S1]; the rest are spelled the same way, unconfirmed)
GOAL_TYPES = {
    "api_call": "API", "tag_applied": "Tag", "note_applied": "Note", "internal_form_submitted": "InternalForm",
    "task_completed": "Task", "opportunity_moved": "Opportunity", "web_form_submitted": "WebForm",
    "landing_page_submitted": "LandingPage", "link_clicked": "LinkClick", "lead_score_reached": "LeadScore",
    "product_purchased": "Purchase", "purchase_failed": "FailedPurchase",
}
ITEM_TYPES = {
    "delay_timer": "DelayTimer", "date_timer": "DateTimer", "field_timer": "FieldTimer", "email": "Email",
    "fax": "Fax", "letter": "Letter", "voice": "VoiceBroadcast", "apply_tag": "Tag", "remove_tag": "RemoveTag",
    "note": "Note", "task": "Task", "appointment": "Appointment", "set_field": "FieldValue",
    "assign_owner": "AssignOwner", "create_opportunity": "Opportunity", "fulfillment_list": "FulfillmentList",
    "http_post": "HttpRequest", "action_set": "ActionSet", "customerhub": "CustomerHub",
}


class ListCampaigns(Paging):
    order: Literal["id", "name", "published_date", "completed_contact_count", "active_contact_count",
                   "date_created", "last_updated", "category", "status"] | None = None
    order_direction: Literal["ASCENDING", "DESCENDING"] | None = None
    search_text: str | None = None


class GetCampaign(Query):
    optional_properties: list[str] | None = None


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


class CampaignList(Shape):
    campaigns: list[CampaignShape]
    count: int
    next: str | None = None
    previous: str | None = None


class GoalEventResult(Shape):
    campaign_id: int | None = None
    goal_id: int | None = None
    message: str | None = None
    success: bool | None = None


# --- reading ------------------------------------------------------------------------------------------

def _moment(s: AppSession, seconds: float | None) -> str | None:
    return None if seconds is None else out_datetime(datetime.fromtimestamp(seconds, UTC), s.clock)


def _counts(s: AppSession, campaign_ids: list[int]) -> dict[int, tuple[int, int]]:
    """``{campaign: (active contacts, completed contacts)}``: contacts on their way through a sequence (or
    queued at a goal), and contacts who finished one and are in none."""
    if not campaign_ids:
        return {}
    live = sa.func.max(sa.case((E.c.state.in_(LIVE_STATES), 1), else_=0)).label("live")
    done = sa.func.max(sa.case((E.c.state == "done", 1), else_=0)).label("done")
    per_contact = (s.select(E, E.c.campaign_id, E.c.contact_id, live, done)
                   .where(E.c.campaign_id.in_(campaign_ids)).group_by(E.c.campaign_id, E.c.contact_id).subquery())
    q = sa.select(per_contact.c.campaign_id, sa.func.sum(per_contact.c.live),
                  sa.func.sum(sa.case(((per_contact.c.done == 1) & (per_contact.c.live == 0), 1), else_=0))
                  ).group_by(per_contact.c.campaign_id)
    return {cid: (int(active or 0), int(completed or 0)) for cid, active, completed in s.execute(q)}


def campaign_json(s: AppSession, row, counts: tuple[int, int]) -> dict:
    published = row.status == domain.PUBLISHED
    time_zone = row.time_zone or s.app.time_zone
    return {"id": row.id, "name": row.name, "locked": False, "error_message": row.error_message,
            "date_created": _moment(s, row.date_created), "created_by_global_id": None,
            "published_date": _moment(s, row.published_date), "published_status": published,
            "published_time_zone": time_zone if row.published_date is not None else None, "time_zone": time_zone,
            "active_contact_count": counts[0], "completed_contact_count": counts[1]}


def _links(row) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """From the document: the sequences right after each goal (through decisions) and right before it."""
    ids = row.ids or {}
    doc = row.document or {}
    branches = {d["key"]: [b["to"] for b in d.get("branches", [])] for d in doc.get("decisions", [])}
    goals = {g["key"] for g in doc.get("goals", [])}
    sequences = {q["key"] for q in doc.get("sequences", [])}
    after: dict[int, list[int]] = {}
    before: dict[int, list[int]] = {}
    for a, b in doc.get("links", []):
        if a in goals:
            targets = [b] if b in sequences else branches.get(b, [])
            after.setdefault(ids.get(f"goal:{a}"), []).extend(ids.get(f"sequence:{t}") for t in targets)
        if b in goals and a in sequences:
            before.setdefault(ids.get(f"goal:{b}"), []).append(ids.get(f"sequence:{a}"))
    return after, before


def _history(s: AppSession, campaign_id: int) -> tuple[dict, dict]:
    """Goal achievements and sequence entries in the last 24 hours and 30 days of the app's clock."""
    now = s.clock.now().timestamp()
    day, month = now - DAY, now - 30 * DAY
    goals = {gid: (d, m) for gid, d, m in s.execute(s.select(
        GA, GA.c.goal_id, sa.func.count(sa.case((GA.c.achieved_at >= day, 1))), sa.func.count())
        .where(GA.c.campaign_id == campaign_id, GA.c.achieved_at >= month).group_by(GA.c.goal_id))}
    entered = {sid: (d, m) for sid, d, m in s.execute(s.select(
        E, E.c.sequence_id, sa.func.count(sa.distinct(sa.case((E.c.entered_at >= day, E.c.contact_id)))),
        sa.func.count(sa.distinct(E.c.contact_id)))
        .where(E.c.campaign_id == campaign_id, E.c.entered_at >= month).group_by(E.c.sequence_id))}
    return goals, entered


def _counted(pair: tuple[int, int] | None) -> dict:
    d, m = pair or (0, 0)
    return {"24_hours": d, "30_days": m}


def details(s: AppSession, row, wanted: set[str]) -> dict:
    """``goals`` and ``sequences`` of a campaign, in the REST shapes, from its compiled graph and report."""
    out: dict = {}
    if row.graph is None:
        return {k: [] for k in wanted}
    report = reporting.report(s, row.id)
    goal_history, sequence_history = _history(s, row.id)
    if "goals" in wanted:
        after, before = _links(row)
        out["goals"] = [{"id": g["id"], "name": g["name"], "type": GOAL_TYPES.get(g["type"], g["type"]),
                         "historical_contact_counts": _counted(goal_history.get(g["id"])),
                         "next_sequence_ids": [i for i in after.get(g["id"], []) if i],
                         "previous_sequence_ids": [i for i in before.get(g["id"], []) if i]}
                        for g in report["goals"]]
    if "sequences" in wanted:
        graph = published.load_graph(s, row.id, row.version)
        sequences = []
        for seq in report["sequences"]:
            paths = []
            for index, item_ids in enumerate(graph.sequences[seq["id"]].paths):
                items = []
                for position, item_id in enumerate(item_ids):
                    item = graph.items[item_id]
                    items.append({"id": item.id, "name": item.name, "type": ITEM_TYPES.get(item.type, item.type),
                                  "previous_item_id": item_ids[position - 1] if position else None,
                                  "next_item_id": item_ids[position + 1] if position + 1 < len(item_ids) else None})
                paths.append({"id": index, "items": items})
            sequences.append({"id": seq["id"], "name": seq["name"], "active_contact_count": seq["active"],
                              "active_contact_count_completed": seq["queued"] + seq["done"],
                              "historical_contact_count": _counted(sequence_history.get(seq["id"])),
                              "paths": paths})
        out["sequences"] = sequences
    return out


def require(s: AppSession, campaign_id: int):
    row = s.execute(s.select(C).where(C.c.id == campaign_id)).first()
    if row is None:
        raise not_found("Campaign")
    return row


# --- routes -------------------------------------------------------------------------------------------

_ORDER_KEYS = {
    "id": lambda c: c["id"], "name": lambda c: (c["name"] or "").lower(),
    "published_date": lambda c: c["published_date"] or "", "date_created": lambda c: c["date_created"] or "",
    "last_updated": lambda c: c["_last_updated"], "active_contact_count": lambda c: c["active_contact_count"],
    "completed_contact_count": lambda c: c["completed_contact_count"],
    "category": lambda c: (c["name"] or "").lower(),  # campaigns have no categories here: by name
    "status": lambda c: c["published_status"],
}


@route("GET", "/campaigns", summary="List campaigns", tag="Campaign", query=ListCampaigns, response=CampaignList)
def list_campaigns(r: Request):
    q: ListCampaigns = r.query
    s = r.s
    limit, offset = page(q)
    query = s.select(C)
    if q.search_text:
        query = query.where(sa.func.lower(C.c.name).like(f"%{q.search_text.strip().lower()}%"))
    rows = s.execute(query.order_by(C.c.id)).all()  # a handful per app: counted and ordered in one pass
    counts = _counts(s, [row.id for row in rows])
    items = []
    for row in rows:
        item = campaign_json(s, row, counts.get(row.id, (0, 0)))
        item["_last_updated"] = row.last_updated
        items.append(item)
    items.sort(key=_ORDER_KEYS[q.order or "id"], reverse=q.order_direction == "DESCENDING")
    for item in items:
        del item["_last_updated"]
    carry = {"order": q.order, "order_direction": q.order_direction, "search_text": q.search_text}
    return envelope(r, "campaigns", items[offset:offset + limit], len(items), limit, offset, path="/campaigns",
                    carry=carry)


@route("GET", "/campaigns/{campaignId}", summary="Get a campaign (goals and sequences on request)",
       tag="Campaign", query=GetCampaign, response=CampaignShape)
def get_campaign(r: Request, campaignId: int):
    wanted = set(r.query.optional_properties or [])
    unknown = sorted(wanted - set(OPTIONAL))
    if unknown:
        raise bad_request(f"The following optional-properties are unrecognized: {', '.join(unknown)}")
    s = r.s
    row = require(s, campaignId)
    out = campaign_json(s, row, _counts(s, [row.id]).get(row.id, (0, 0)))
    out.update(details(s, row, wanted))
    return out


def _sequence_call(fn):
    """The engine refuses a campaign that is not published, or a sequence not in it: 404."""
    try:
        return fn()
    except CampaignNotFound:
        raise not_found("Campaign") from None


def _remove(r: Request, campaign_id: int, sequence_id: int, contact_ids: list[int]) -> None:
    require(r.s, campaign_id)
    _checked(r, campaign_id, sequence_id)
    _sequence_call(lambda: manual.remove_from_sequence(r.s, campaign_id, sequence_id, contact_ids))


def _checked(r: Request, campaign_id: int, sequence_id: int) -> None:
    row = require(r.s, campaign_id)
    if row.status != domain.PUBLISHED:
        raise not_found("Campaign")
    graph = published.load_graph(r.s, campaign_id, row.version)
    if sequence_id not in graph.sequences:
        raise not_found("Sequence")


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
    _remove(r, campaignId, sequenceId, [contactId])


@route("POST", "/campaigns/goals/{integration}/{callName}", summary="Achieve an API goal", tag="Campaign",
       body=GoalEvent, response=list[GoalEventResult], status=201, integration=str, callName=str)
def achieve_goal(r: Request, integration: str, callName: str):
    s = r.s
    c = schema.contact
    if s.execute(s.select(c, c.c.id).where(c.c.id == r.body.contact_id)).first() is None:
        raise bad_request(f"Invalid contact id: {r.body.contact_id}")
    # one result per campaign whose API goal matches; an empty array when none does [doc S1]
    return achieve.achieve_goal_rest(s, integration, callName, r.body.contact_id)
