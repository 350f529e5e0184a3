"""Opportunities (the API's Lead table) and their moves through the pipeline's stages.

A change of ``StageID`` is a stage move: it records a StageMove row (from, to, when, the previous move's
date) and fires ``opportunity.stage_moved``, the event the campaign engine's "opportunity moved" goal
listens to. The engine's "Create Opportunity" process calls ``create`` and ``move`` below.
"""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from server.domain.commerce.invoices import require_contact
from server.domain.data import custom_fields, listing
from server.domain.data.records import Values, Writer, check_values, require_table, stamp
from server.domain.errors import InvalidParameter, not_found
from server.store import schema
from server.store.session import AppSession
from server.tables import REGISTRY

LEAD = REGISTRY.get("Lead")


def _check_stage(s: AppSession, stage_id) -> None:
    if stage_id and s.get(schema.stage, stage_id, schema.stage.c.id) is None:
        raise InvalidParameter(f"Invalid StageID: no stage has Id {stage_id}")


def _add(s: AppSession, table, values: Values) -> int:
    row = dict(values.columns)
    if row.get("contact_id"):
        require_contact(s, row["contact_id"])
    _check_stage(s, row.get("stage_id"))
    opportunity_id = s.next_id("opportunity")
    row["id"] = opportunity_id
    stamp(s, schema.opportunity, row, created=True)
    if row.get("created_by") is None:
        row["created_by"] = s.user_id or 0
    row.setdefault("last_updated_by", row["created_by"])
    if row.get("stage_id"):
        row["date_in_stage"] = s.now_local()
    s.insert(schema.opportunity, row)
    if values.customs:
        custom_fields.write_values(s, opportunity_id, values.customs)
    s.emit("opportunity.added", "opportunity", opportunity_id, contact_id=row.get("contact_id"),
           stage_id=row.get("stage_id"), fields=values.names)
    return opportunity_id


def _update(s: AppSession, table, opportunity_id: int, values: Values) -> None:
    before = s.get(schema.opportunity, opportunity_id)
    row = dict(values.columns)
    if row.get("contact_id"):
        require_contact(s, row["contact_id"])
    new_stage = row.get("stage_id")
    _check_stage(s, new_stage)
    stamp(s, schema.opportunity, row, created=False)
    if "last_updated_by" not in row:
        row["last_updated_by"] = s.user_id or 0
    s.update(schema.opportunity, schema.opportunity.c.id == opportunity_id, **row)
    if values.customs:
        custom_fields.write_values(s, opportunity_id, values.customs)
    contact_id = row.get("contact_id") or before.contact_id
    s.emit("opportunity.updated", "opportunity", opportunity_id, contact_id=contact_id, fields=values.names)
    if "stage_id" in row and new_stage != before.stage_id:
        _record_move(s, opportunity_id, contact_id, before.stage_id, new_stage, before.date_created)


def _delete(s: AppSession, table, opportunity_id: int) -> None:
    row = s.get(schema.opportunity, opportunity_id)
    sm, pi = schema.stage_move, schema.product_interest
    s.delete(sm, sm.c.opportunity_id == opportunity_id)
    s.delete(pi, pi.c.object_id == opportunity_id, pi.c.obj_type == "Opportunity")
    custom_fields.delete_values(s, opportunity_id, LEAD.custom_form)
    s.delete(schema.opportunity, schema.opportunity.c.id == opportunity_id)
    s.emit("opportunity.deleted", "opportunity", opportunity_id, contact_id=row.contact_id)


WRITER = Writer(("Lead",), _add, _update, _delete)


def _record_move(s: AppSession, opportunity_id: int, contact_id, from_stage, to_stage, created) -> int:
    sm = schema.stage_move
    now = s.now_local()
    previous = s.execute(s.select(sm, sm.c.move_date).where(sm.c.opportunity_id == opportunity_id)
                         .order_by(sm.c.id.desc()).limit(1)).first()
    move_id = s.next_id("stage_move")
    user = s.user_id or 0
    s.insert(sm, dict(id=move_id, opportunity_id=opportunity_id, move_date=now, move_to_stage=to_stage or 0,
                      move_from_stage=from_stage or 0,
                      prev_stage_move_date=previous.move_date if previous else created,
                      created_by=user, date_created=now, user_id=user))
    s.update(schema.opportunity, schema.opportunity.c.id == opportunity_id, date_in_stage=now)
    s.emit("opportunity.stage_moved", "opportunity", opportunity_id, contact_id=contact_id,
           opportunity_id=opportunity_id, from_stage_id=from_stage or 0, to_stage_id=to_stage or 0)
    return move_id


# --- for the campaign engine and the seed -----------------------------------------------------------------

def create(s: AppSession, contact_id: int, title: str, *, stage_id: int | None = None, user_id: int | None = None,
           **fields) -> int:
    """A new opportunity; ``fields`` are further Lead fields by their API names."""
    data = dict(fields, ContactID=contact_id, OpportunityTitle=title)
    if stage_id is not None:
        data["StageID"] = stage_id
    if user_id is not None:
        data["UserID"] = user_id
    return _add(s, LEAD, check_values(s, LEAD, data, "A"))


def move(s: AppSession, opportunity_id: int, stage_id: int) -> bool:
    """Move an opportunity to ``stage_id`` (as a user dragging it in the pipeline does)."""
    if s.get(schema.opportunity, opportunity_id, schema.opportunity.c.id) is None:
        raise not_found("Lead", opportunity_id)
    _update(s, LEAD, opportunity_id, check_values(s, LEAD, {"StageID": stage_id}, "E"))
    return True


def add_stage(s: AppSession, name: str, order: int, target_days: int, *, probability: int | None = None,
              checklist: list[dict] | None = None) -> int:
    """A new pipeline stage (``stage.added``); ``checklist`` items are ``{description, required, order}``."""
    stage_id = s.next_id("stage")
    now = s.now_local()
    s.insert(schema.stage, dict(id=stage_id, stage_name=name, stage_order=order, target_num_days=target_days,
                                probability=probability, checklist=_checklist(s, checklist or []),
                                date_created=now, last_updated=now))
    s.emit("stage.added", "stage", stage_id, name=name)
    return stage_id


def update_stage(s: AppSession, stage_id: int, *, checklist: list[dict] | None = None, **values) -> None:
    """Change a stage's ``name``, ``order``, ``target_days``, ``probability`` and/or its ``checklist`` (replaced
    whole; an item that names the ``id`` of one the stage has keeps it) (``stage.updated``)."""
    columns = {_STAGE_COLUMNS[k]: v for k, v in values.items()}
    if checklist is not None:
        columns["checklist"] = _checklist(s, checklist, keep=(get_stage(s, stage_id) or _NO_STAGE).checklist)
    columns["last_updated"] = s.now_local()
    s.update(schema.stage, schema.stage.c.id == stage_id, **columns)
    s.emit("stage.updated", "stage", stage_id, fields=sorted(values) + (["checklist"] if checklist is not None
                                                                       else []))


def delete_stage(s: AppSession, stage_id: int) -> None:
    """Delete a stage no opportunity is in (``stage.deleted``); refused while one is."""
    held = stage_counts(s).get(stage_id, 0)
    if held:
        raise InvalidParameter(f"Stage {stage_id} holds {held} opportunities; move them first")
    s.delete(schema.stage, schema.stage.c.id == stage_id)
    s.emit("stage.deleted", "stage", stage_id)


_STAGE_COLUMNS = {"name": "stage_name", "order": "stage_order", "target_days": "target_num_days",
                  "probability": "probability"}


def _checklist(s: AppSession, items: list[dict], keep: tuple[dict, ...] = ()) -> list[dict]:
    known = {item["id"] for item in keep}
    out = []
    for item in items:
        item_id = item.get("id") if item.get("id") in known else s.next_id("stage_checklist_item")
        out.append({"id": item_id, "description": item["description"], "required": bool(item["required"]),
                    "order": item["order"]})
    return sorted(out, key=lambda i: (i["order"], i["id"]))


# --- writes for REST (v1 and v2) ------------------------------------------------------------------------

def write(s: AppSession, opportunity_id: int | None, data: dict, *, forecast: bool | None = None) -> int:
    """Create (``opportunity_id`` None) or update an opportunity from Lead values by their API names, with its
    include-in-forecast flag, which the Lead table shows read-only (added after 2014) but REST writes: one
    write, one ``opportunity.added`` / ``opportunity.updated`` event naming every field written (the
    ``opportunity.edit`` REST hook, the change log). A new stage is a stage move, as through DataService."""
    letter = "A" if opportunity_id is None else "E"
    require_table(LEAD, letter, s)
    values = check_values(s, LEAD, data, letter)
    if forecast is not None:
        values.columns["include_in_forecast"] = int(forecast)
        values.names.append("IncludeInForecast")
    if opportunity_id is None:
        return _add(s, LEAD, values)
    if get(s, opportunity_id) is None:
        raise not_found("Lead", opportunity_id)
    if values.columns or values.customs:
        _update(s, LEAD, opportunity_id, values)
    return opportunity_id


def delete(s: AppSession, opportunity_id: int) -> None:
    """Delete an opportunity with its stage moves, product interests and custom values (``opportunity.deleted``)."""
    if get(s, opportunity_id) is None:
        raise not_found("Lead", opportunity_id)
    _delete(s, LEAD, opportunity_id)


# --- reads for the protocols ----------------------------------------------------------------------------

class OpportunityRecord(NamedTuple):
    id: int
    title: str | None
    contact_id: int | None
    user_id: int | None
    stage_id: int | None
    affiliate_id: int | None
    lead_source: str | None
    objection: str | None
    status_id: int | None
    projected_revenue_low: float | None
    projected_revenue_high: float | None
    notes: str | None
    next_action_date: datetime | None  # the app's local wall time, as every stored time
    next_action_notes: str | None
    estimated_close_date: datetime | None
    include_in_forecast: int | None
    monthly_revenue: float | None
    order_revenue: float | None
    created: datetime | None
    updated: datetime | None
    created_by: int | None
    updated_by: int | None
    in_stage_since: datetime | None


class StageRecord(NamedTuple):
    id: int
    name: str | None
    order: int | None
    target_days: int | None
    probability: int | None
    checklist: tuple[dict, ...]  # {"id", "description", "required", "order"}, in order
    created: datetime | None
    updated: datetime | None


class ContactBrief(NamedTuple):
    """What an opportunity shows of its contact."""

    id: int
    email: str | None
    first_name: str | None
    last_name: str | None
    company: str | None
    job_title: str | None
    phone: str | None
    city: str | None
    state: str | None


class UserBrief(NamedTuple):
    id: int
    first_name: str | None
    last_name: str | None


class StageMoveRecord(NamedTuple):
    id: int
    opportunity_id: int
    moved: datetime | None
    from_stage_id: int | None
    to_stage_id: int | None
    previous_move: datetime | None
    user_id: int | None
    created_by: int | None
    created: datetime | None


_o, _st, _sm, _c = schema.opportunity, schema.stage, schema.stage_move, schema.contact

OPPORTUNITY_FIELDS = listing.Fields(
    {"id": _o.c.id, "opportunity_title": _o.c.opportunity_title, "contact_id": _o.c.contact_id,
     "user_id": _o.c.user_id, "stage_id": _o.c.stage_id, "affiliate_id": _o.c.affiliate_id,
     "lead_source_name": _o.c.leadsource, "next_action_time": _o.c.next_action_date,
     "created_time": _o.c.date_created, "update_time": _o.c.last_updated,
     "contact_name": sa.func.lower(sa.func.coalesce(_c.c.last_name, "") + " " + sa.func.coalesce(_c.c.first_name, "")),
     "contact_phone": _c.c.phone1, "contact_email": _c.c.email, "contact_city": _c.c.city,
     "contact_state": _c.c.state, "projected_revenue_low": _o.c.projected_revenue_low,
     "projected_revenue_high": _o.c.projected_revenue_high},
    text=frozenset({"opportunity_title", "lead_source_name", "contact_email", "contact_city", "contact_state"}))
STAGE_FIELDS = listing.Fields({"id": _st.c.id, "name": _st.c.stage_name, "stage_order": _st.c.stage_order},
                              text=frozenset({"name"}))
_STATUS = schema.opportunity_status
STAGE_MOVE_FIELDS = listing.Fields({"id": _sm.c.id, "opportunity_id": _sm.c.opportunity_id,
                                    "user_id": _sm.c.user_id, "move_date": _sm.c.move_date})


def _record(r) -> OpportunityRecord:
    return OpportunityRecord(
        r.id, r.opportunity_title, r.contact_id, r.user_id, r.stage_id, r.affiliate_id, r.leadsource, r.objection,
        r.status_id, r.projected_revenue_low, r.projected_revenue_high, r.opportunity_notes, r.next_action_date,
        r.next_action_notes, r.estimated_close_date, r.include_in_forecast, r.monthly_revenue, r.order_revenue,
        r.date_created, r.last_updated, r.created_by, r.last_updated_by, r.date_in_stage)


def _stage(r) -> StageRecord:
    return StageRecord(r.id, r.stage_name, r.stage_order, r.target_num_days, r.probability,
                       tuple(r.checklist or ()), r.date_created, r.last_updated)


_NO_STAGE = StageRecord(0, None, None, None, None, (), None, None)


def _move(r) -> StageMoveRecord:
    return StageMoveRecord(r.id, r.opportunity_id, r.move_date, r.move_from_stage, r.move_to_stage,
                           r.prev_stage_move_date, r.user_id, r.created_by, r.date_created)


def get(s: AppSession, opportunity_id: int) -> OpportunityRecord | None:
    row = s.get(_o, opportunity_id)
    return None if row is None else _record(row)


def _with_contact(s: AppSession) -> sa.Select:
    return s.select(_o, _o).outerjoin(_c, s.scoped(_c, _c.c.id == _o.c.contact_id))


def page_opportunities(s: AppSession, q: listing.ListQuery) -> listing.Page[OpportunityRecord]:
    fields = custom_fields.filterable(s, OPPORTUNITY_FIELDS, LEAD.custom_form, _o, q.where)
    return listing.page(s, _with_contact(s), fields, q, _record)


_SEARCH_ORDERS = {"next_action": (_o.c.next_action_date,), "opportunity_name": (_o.c.opportunity_title,),
                  "date_created": (_o.c.date_created,), "contact_name": (_c.c.last_name, _c.c.first_name)}


def search(s: AppSession, *, user_id: int | None = None, stage_id: int | None = None, text: str | None = None,
           order: str | None = None, limit: int, offset: int) -> tuple[int, list[OpportunityRecord]]:
    """REST v1's list: the total and one page by offset; ``text`` is searched for in the contact's given,
    family and company names, its email and the title; ``order`` one of next_action, opportunity_name,
    date_created, contact_name (then by id)."""
    q = _with_contact(s)
    if user_id is not None:
        q = q.where(_o.c.user_id == user_id)
    if stage_id is not None:
        q = q.where(_o.c.stage_id == stage_id)
    if text:
        like = f"%{text.strip().lower()}%"
        q = q.where(sa.or_(*(sa.func.lower(col).like(like) for col in (
            _c.c.first_name, _c.c.last_name, _c.c.company, _c.c.email, _o.c.opportunity_title))))
    total = s.execute(sa.select(sa.func.count()).select_from(q.subquery())).scalar_one()
    rows = s.execute(q.order_by(*_SEARCH_ORDERS.get(order, ()), _o.c.id).limit(limit).offset(offset))
    return total, [_record(r) for r in rows]


def contacts_brief(s: AppSession, contact_ids) -> dict[int, ContactBrief]:
    ids = sorted({i for i in contact_ids if i})
    if not ids:
        return {}
    q = s.select(_c, _c.c.id, _c.c.email, _c.c.first_name, _c.c.last_name, _c.c.company, _c.c.job_title,
                 _c.c.phone1, _c.c.city, _c.c.state).where(_c.c.id.in_(ids))
    return {r.id: ContactBrief(r.id, r.email, r.first_name, r.last_name, r.company, r.job_title, r.phone1, r.city,
                               r.state) for r in s.execute(q)}


def is_person(s: AppSession, contact_id: int) -> bool:
    """Whether the id is a contact's (not a company's): an opportunity is about a person."""
    row = s.get(_c, contact_id, _c.c.kind)
    return row is not None and row.kind == "contact"


def users_brief(s: AppSession, user_ids) -> dict[int, UserBrief]:
    ids = sorted({i for i in user_ids if i})
    if not ids:
        return {}
    u = schema.user
    q = s.select(u, u.c.id, u.c.first_name, u.c.last_name).where(u.c.id.in_(ids))
    return {r.id: UserBrief(r.id, r.first_name, r.last_name) for r in s.execute(q)}


def status_names(s: AppSession) -> dict[int, str]:
    """The legacy opportunity statuses' names by id."""
    return {r.id: r.status_name for r in s.execute(s.select(_STATUS, _STATUS.c.id, _STATUS.c.status_name))}


def user_exists(s: AppSession, user_id: int) -> bool:
    return s.get(schema.user, user_id, schema.user.c.id) is not None


def stages(s: AppSession) -> list[StageRecord]:
    """The pipeline's stages in their order."""
    return [_stage(r) for r in s.execute(s.select(_st).order_by(_st.c.stage_order, _st.c.id))]


def get_stage(s: AppSession, stage_id: int) -> StageRecord | None:
    row = s.get(_st, stage_id)
    return None if row is None else _stage(row)


def page_stages(s: AppSession, q: listing.ListQuery) -> listing.Page[StageRecord]:
    return listing.page(s, s.select(_st), STAGE_FIELDS, q, _stage)


def stage_counts(s: AppSession) -> dict[int, int]:
    """How many opportunities are in each stage."""
    return dict(s.execute(s.select(_o, _o.c.stage_id, sa.func.count()).group_by(_o.c.stage_id)).all())


def get_stage_move(s: AppSession, move_id: int) -> StageMoveRecord | None:
    row = s.get(_sm, move_id)
    return None if row is None else _move(row)


def page_stage_moves(s: AppSession, q: listing.ListQuery) -> listing.Page[StageMoveRecord]:
    return listing.page(s, s.select(_sm), STAGE_MOVE_FIELDS, q, _move)
