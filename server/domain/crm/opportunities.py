"""Opportunities (the API's Lead table) and their moves through the pipeline's stages.

A change of ``StageID`` is a stage move: it records a StageMove row (from, to, when, the previous move's
date) and fires ``opportunity.stage_moved``, the event the campaign engine's "opportunity moved" goal
listens to. The engine's "Create Opportunity" process calls ``create`` and ``move`` below.
"""
from __future__ import annotations

from server.domain.commerce.invoices import require_contact
from server.domain.data import custom_fields
from server.domain.data.records import Values, Writer, check_values, stamp
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


def add_stage(s: AppSession, name: str, order: int, target_days: int) -> int:
    stage_id = s.next_id("stage")
    s.insert(schema.stage, dict(id=stage_id, stage_name=name, stage_order=order, target_num_days=target_days))
    return stage_id
