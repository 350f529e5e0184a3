"""ServiceCallService.* (the deprecated ticket system; ☆: seen only in the iSDK and the Ruby gem).

``notifyIds`` is an int in one client and a string of ids in another (spec §2.13): both are taken."""
from __future__ import annotations

from server.domain.crm import tickets
from server.domain.session import AppSession
from server.xmlrpc.methods import P, xmlrpc


@xmlrpc("ServiceCallService.addMoveNotes", P.ARRAY, P.STRING, P.INT, P.ANY)
def add_move_notes(s: AppSession, ticket_ids: list, notes: str, stage_id: int, notify_ids) -> bool:
    return tickets.move(s, ticket_ids, stage_id, notes, notify_ids)


@xmlrpc("ServiceCallService.addMoveNotes", P.ARRAY, P.STRING, P.INT, P.ARRAY)
def add_move_notes_list(s: AppSession, ticket_ids: list, notes: str, stage_id: int, notify_ids: list) -> bool:
    return tickets.move(s, ticket_ids, stage_id, notes, notify_ids)


@xmlrpc("ServiceCallService.moveTicketStage", P.INT, P.INT, P.STRING, P.ANY)
def move_ticket_stage(s: AppSession, ticket_id: int, stage_id: int, notes: str, notify_ids) -> bool:
    return tickets.move(s, [ticket_id], stage_id, notes, notify_ids)


@xmlrpc("ServiceCallService.moveTicketStage", P.INT, P.INT, P.STRING, P.ARRAY)
def move_ticket_stage_list(s: AppSession, ticket_id: int, stage_id: int, notes: str, notify_ids: list) -> bool:
    return tickets.move(s, [ticket_id], stage_id, notes, notify_ids)
