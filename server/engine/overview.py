"""What the APIs show of Campaign Builder campaigns (REST v1's ``/campaigns``, REST v2's campaigns and
automations): typed reads of a campaign with its contact counts, of its goals and of its sequences with their
items, built from the campaign rows, the compiled graphs and the engine's enrollments.

Counts, as the reporting tab shows them: a contact is *active* in a campaign while one of its enrollments is
live (on its way through a sequence, or queued at a goal), and has *completed* it when one of its runs is done
and none is live. A goal's and a sequence's history counts what happened in the last 24 hours and 30 days of
the app's clock. Campaign times are seconds on the app's clock; the records carry them as aware UTC moments.
"""
from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from server.clock import UTC
from server.domain.data import listing
from server.store import schema
from server.store.schema import LIVE_STATES
from server.store.session import AppSession

from . import categories, published, reporting
from .published import PUBLISHED

DAY = 86400.0
C, E, GA = schema.campaign, schema.enrollment, schema.goal_achievement


class CampaignSummary(NamedTuple):
    id: int
    name: str
    status: str  # draft | published | unpublished
    version: int
    time_zone: str | None
    created: datetime | None
    updated: datetime | None
    published: datetime | None
    error_message: str | None
    active: int  # contacts in the campaign now
    completed: int  # contacts who finished a run and are in none

    @property
    def is_published(self) -> bool:
        return self.status == PUBLISHED


class History(NamedTuple):
    day: int
    month: int


class GoalView(NamedTuple):
    id: int
    name: str
    type: str  # the document's goal type (tag_applied, api_call …)
    history: History  # achievements
    next_sequence_ids: list[int]  # the sequences right after it (through decision diamonds)
    previous_sequence_ids: list[int]  # the sequences linked straight into it


class ItemView(NamedTuple):
    id: int
    name: str
    type: str  # the document's item type (email, delay_timer …)


class SequenceView(NamedTuple):
    id: int
    name: str
    active: int  # contacts on their way through it
    finished: int  # contacts done with it (queued at a goal to its right, or done)
    history: History  # contacts who entered it
    paths: list[list[ItemView]]


def _moment(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def _counts(s: AppSession) -> sa.Subquery:
    """Per campaign: active and completed contacts (see the module's docstring)."""
    live = sa.func.max(sa.case((E.c.state.in_(LIVE_STATES), 1), else_=0)).label("live")
    done = sa.func.max(sa.case((E.c.state == "done", 1), else_=0)).label("done")
    per_contact = (s.select(E, E.c.campaign_id, E.c.contact_id, live, done)
                   .group_by(E.c.campaign_id, E.c.contact_id).subquery())
    return (sa.select(per_contact.c.campaign_id.label("campaign_id"),
                      sa.func.sum(per_contact.c.live).label("active"),
                      sa.func.sum(sa.case(((per_contact.c.done == 1) & (per_contact.c.live == 0), 1), else_=0))
                      .label("completed"))
            .group_by(per_contact.c.campaign_id).subquery())


def _select(s: AppSession) -> tuple[sa.Select, listing.Fields]:
    counts = _counts(s)
    active = sa.cast(sa.func.coalesce(counts.c.active, 0), sa.Integer)
    completed = sa.cast(sa.func.coalesce(counts.c.completed, 0), sa.Integer)
    select = (s.select(C, C.c.id, C.c.name, C.c.status, C.c.version, C.c.time_zone, C.c.date_created,
                       C.c.last_updated, C.c.published_date, C.c.error_message, active.label("active"),
                       completed.label("completed"))
              .outerjoin(counts, counts.c.campaign_id == C.c.id))
    fields = listing.Fields({"id": C.c.id, "name": C.c.name, "status": C.c.status,
                             "published_date": C.c.published_date, "date_created": C.c.date_created,
                             "last_updated": C.c.last_updated,
                             "active_contacts": active, "completed_contacts": completed,
                             "category": categories.first_name_of_campaign(s)},
                            text=frozenset({"name"}))
    return select, fields


def _summary(row) -> CampaignSummary:
    return CampaignSummary(row.id, row.name, row.status, row.version, row.time_zone, _moment(row.date_created),
                           _moment(row.last_updated), _moment(row.published_date), row.error_message,
                           int(row.active or 0), int(row.completed or 0))


# ``category_id`` (``in``): campaigns filed under any of the categories; not a column of the campaign rows, so
# said apart and applied by ``_filed``
CATEGORY = "category_id"


def _filed(s: AppSession, select: sa.Select, where) -> tuple[sa.Select, tuple[listing.Condition, ...]]:
    """``select`` with the ``CATEGORY`` conditions of ``where`` applied; the other conditions."""
    rest = []
    for c in where:
        if c.field == CATEGORY:
            select = select.where(C.c.id.in_(categories.filed_under(s, c.value)))
        else:
            rest.append(c)
    return select, tuple(rest)


def page_campaigns(s: AppSession, q: listing.ListQuery) -> listing.Page[CampaignSummary]:
    select, fields = _select(s)
    select, where = _filed(s, select, q.where)
    return listing.page(s, select, fields, dataclasses.replace(q, where=where), _summary)


def count_campaigns(s: AppSession, where=()) -> int:
    select, fields = _select(s)
    select, where = _filed(s, select, where)
    return listing.count(s, select, fields, where)


def campaigns(s: AppSession, *, name_contains: str | None = None) -> list[CampaignSummary]:
    """Every campaign of the app in id order (a handful per app), those whose name contains the text if given."""
    select, fields = _select(s)
    if name_contains:
        select = select.where(listing.condition(fields, listing.Condition("name", "contains", name_contains)))
    return [_summary(row) for row in s.execute(select.order_by(C.c.id))]


def get_campaign(s: AppSession, campaign_id: int) -> CampaignSummary | None:
    select, _ = _select(s)
    row = s.execute(select.where(C.c.id == campaign_id)).first()
    return None if row is None else _summary(row)


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


def _history(s: AppSession, campaign_id: int) -> tuple[dict[int, History], dict[int, History]]:
    """Goal achievements and sequence entries in the last 24 hours and 30 days of the app's clock."""
    now = s.clock.now().timestamp()
    day, month = now - DAY, now - 30 * DAY
    goals = {gid: History(d, m) for gid, d, m in s.execute(s.select(
        GA, GA.c.goal_id, sa.func.count(sa.case((GA.c.achieved_at >= day, 1))), sa.func.count())
        .where(GA.c.campaign_id == campaign_id, GA.c.achieved_at >= month).group_by(GA.c.goal_id))}
    entered = {sid: History(d, m) for sid, d, m in s.execute(s.select(
        E, E.c.sequence_id, sa.func.count(sa.distinct(sa.case((E.c.entered_at >= day, E.c.contact_id)))),
        sa.func.count(sa.distinct(E.c.contact_id)))
        .where(E.c.campaign_id == campaign_id, E.c.entered_at >= month).group_by(E.c.sequence_id))}
    return goals, entered


_NONE = History(0, 0)


def goals(s: AppSession, campaign_id: int) -> list[GoalView]:
    """The goals of the campaign's compiled graph (none before its first publish)."""
    row = s.execute(s.select(C).where(C.c.id == campaign_id)).first()
    if row is None or row.graph is None:
        return []
    achieved, _ = _history(s, campaign_id)
    after, before = _links(row)
    return [GoalView(g["id"], g["name"], g["type"], achieved.get(g["id"], _NONE),
                     [i for i in after.get(g["id"], []) if i], [i for i in before.get(g["id"], []) if i])
            for g in reporting.report(s, campaign_id)["goals"]]


def sequences(s: AppSession, campaign_id: int) -> list[SequenceView]:
    """The sequences of the campaign's compiled graph with their paths of items, and their counts."""
    row = s.execute(s.select(C).where(C.c.id == campaign_id)).first()
    if row is None or row.graph is None:
        return []
    _, entered = _history(s, campaign_id)
    graph = published.load_graph(s, campaign_id, row.version)
    out = []
    for seq in reporting.report(s, campaign_id)["sequences"]:
        paths = [[ItemView(i, graph.items[i].name, graph.items[i].type) for i in item_ids]
                 for item_ids in graph.sequences[seq["id"]].paths]
        out.append(SequenceView(seq["id"], seq["name"], seq["active"], seq["queued"] + seq["done"],
                                entered.get(seq["id"], _NONE), paths))
    return out


def published_sequence(s: AppSession, campaign_id: int, sequence_id: int) -> str | None:
    """Why a sequence cannot be started by hand: ``"campaign"`` (no such campaign, or not published),
    ``"sequence"`` (not in its published graph), or None when it can."""
    summary = s.execute(s.select(C, C.c.status, C.c.version).where(C.c.id == campaign_id)).first()
    if summary is None or summary.status != PUBLISHED:
        return "campaign"
    if sequence_id not in published.load_graph(s, campaign_id, summary.version).sequences:
        return "sequence"
    return None
