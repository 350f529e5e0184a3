"""The deprecated ticket system (ServiceCallService; tables Ticket, TicketStage, TicketType): moving
tickets between stages with move notes."""
from __future__ import annotations

from server.domain.errors import InvalidParameter, RecordNotFound
from server.store import schema
from server.store.session import AppSession


def _notify(notify_ids) -> str:
    if isinstance(notify_ids, list):
        return ",".join(str(i) for i in notify_ids)
    return "" if notify_ids is None else str(notify_ids)


def move(s: AppSession, ticket_ids: list, stage_id: int, notes: str, notify_ids) -> bool:
    if not ticket_ids:
        raise InvalidParameter("ticketIds must name at least one ticket")
    if s.get(schema.ticket_stage, stage_id) is None:
        raise RecordNotFound(f"Record not found for Id:{stage_id}")
    tickets = []
    for raw in ticket_ids:
        if isinstance(raw, bool) or not str(raw).strip().lstrip("-").isdigit():
            raise InvalidParameter("ticketIds must be ticket ids")
        row = s.get(schema.ticket, int(raw))
        if row is None:
            raise RecordNotFound(f"Record not found for Id:{raw}")
        tickets.append(row)
    now = s.now_local()
    for row in tickets:
        move_id = s.next_id("ticket_move")
        s.insert(schema.ticket_move, dict(id=move_id, ticket_id=row.id, from_stage=row.stage, to_stage=stage_id,
                                          notes=notes, notify_ids=_notify(notify_ids), moved_at=now))
        changes = dict(last_updated=now, last_updated_by=s.user_id)
        if row.stage != stage_id:
            changes.update(stage=stage_id, date_in_stage=now)
        s.update(schema.ticket, schema.ticket.c.id == row.id, **changes)
        s.emit("ticket.stage_moved", "ticket", row.id, contact_id=row.contact_id, from_stage_id=row.stage,
               to_stage_id=stage_id, notes=notes)
    return True
