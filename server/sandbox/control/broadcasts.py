"""The control API of broadcasts (server.domain.mail.broadcasts): schedule, read, cancel, and the batch status
report. The real API has no broadcast endpoint; these are the sandbox's own, under /sandbox/."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import jsonify
from pydantic import Field

from server import jobs
from server.clock import UTC, parse_datetime
from server.domain.errors import InvalidParameter, RecordNotFound
from server.domain.mail import broadcasts
from server.sandbox import inputs
from server.tables import INT_MAX

from .common import ControlError, app_named, app_session, current_sandbox
from .contract import Body, ControlBlueprint, Query

bp = ControlBlueprint("sandbox_broadcasts", __name__)

Id = Field(None, ge=1, le=INT_MAX)


class NewBroadcast(Body):
    """One of ``tag_id``, ``saved_search_id`` (with ``user_id``) or ``contact_ids`` is the audience."""

    name: str = Field(max_length=500)
    template_id: int = Field(ge=0, le=INT_MAX)
    tag_id: int | None = Id
    saved_search_id: int | None = Id
    user_id: int | None = Id
    contact_ids: list[int] | None = Field(None, max_length=broadcasts.MAX_CONTACT_IDS)
    send_at: str | None = Field(None, description="ISO 8601; no zone: the app's local time; absent: now")


class BroadcastFilter(Query):
    status: Literal[broadcasts.STATUSES] | None = None


@bp.errorhandler(InvalidParameter)
def _invalid(exc: InvalidParameter):
    return jsonify({"error": exc.message}), 400


@bp.errorhandler(RecordNotFound)
def _not_found(exc: RecordNotFound):
    return jsonify({"error": exc.message}), 404


def _json(row) -> dict:
    return {"id": row.id, "name": row.name, "template_id": row.template_id, "audience": row.audience,
            "status": row.status, "send_at": _iso(row.send_at), "created_at": row.created_at.replace(
                tzinfo=UTC).isoformat(), "sent_at": row.sent_at.replace(tzinfo=UTC).isoformat() if row.sent_at
            else None, "report": row.report}


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat()


@bp.post("/apps/<name>/broadcasts", summary="Schedule a broadcast", body=NewBroadcast, status=201, errors=(404,))
def create(name: str, body: NewBroadcast):
    """Body: ``name``, ``template_id``, one of ``tag_id`` / ``saved_search_id`` (+ ``user_id``) /
    ``contact_ids``, and ``send_at`` (ISO 8601; no zone: the app's local time; absent: now). Sending happens
    when the app's clock reaches ``send_at`` (advance it, or ``POST …/engine/run``)."""
    record = app_named(name)
    title, template_id = body.name, body.template_id
    send_at = None
    if body.send_at is not None:
        moment = parse_datetime(body.send_at)
        if moment is None:
            raise ControlError(400, "send_at must be an ISO 8601 date-time",
                               [{"field": "send_at", "problem": "not an ISO 8601 date-time"}])
        try:
            inputs.moment(moment)
        except inputs.InvalidInput as exc:
            raise ControlError(400, f"send_at: {exc}", [{"field": "send_at", "problem": str(exc)}]) from None
        send_at = (moment if moment.tzinfo else record.clock.to_utc(moment)).astimezone(UTC)
    audience = broadcasts.audience_of(body.model_dump(exclude_none=True))
    with app_session(name, write=True) as s:
        broadcast_id = broadcasts.create(s, title, template_id, audience, send_at)
    env = current_sandbox().env
    with jobs.lock_for(env.engine, record.id):
        jobs.run_due(env, app_named(name))  # one due now goes now, as the heartbeat would send it
    with app_session(name, write=False) as s:
        return jsonify(_json(broadcasts.get(s, broadcast_id))), 201


@bp.get("/apps/<name>/broadcasts", summary="The app's broadcasts, by status", query=BroadcastFilter, errors=(404,))
def list_broadcasts(name: str, query: BroadcastFilter):
    status = query.status
    with app_session(name, write=False) as s:
        return jsonify({"broadcasts": [_json(r) for r in broadcasts.all_broadcasts(s, status)]})


@bp.get("/apps/<name>/broadcasts/<int:broadcast_id>", summary="One broadcast and its batch report", errors=(404,))
def get(name: str, broadcast_id: int):
    with app_session(name, write=False) as s:
        return jsonify(_json(broadcasts.get(s, broadcast_id)))


@bp.post("/apps/<name>/broadcasts/<int:broadcast_id>/cancel", summary="Cancel a broadcast not sent yet",
         errors=(404,))
def cancel(name: str, broadcast_id: int):
    with app_session(name, write=True) as s:
        broadcasts.cancel(s, broadcast_id)
        return jsonify(_json(broadcasts.get(s, broadcast_id)))
