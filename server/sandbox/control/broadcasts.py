"""The control API of broadcasts (server.domain.mail.broadcasts): schedule, read, cancel, and the batch status
report. The real API has no broadcast endpoint; these are the sandbox's own, under /sandbox/."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, jsonify, request

from server import jobs
from server.clock import UTC, parse_datetime
from server.domain.errors import InvalidParameter, RecordNotFound
from server.domain.mail import broadcasts

from .common import ControlError, app_named, control_error, current_sandbox, json_body, require_admin
from .email import app_session

bp = Blueprint("sandbox_broadcasts", __name__, url_prefix="/sandbox")
bp.before_request(require_admin)
bp.register_error_handler(ControlError, control_error)


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


@bp.post("/apps/<name>/broadcasts")
def create(name: str):
    """Body: ``name``, ``template_id``, one of ``tag_id`` / ``saved_search_id`` (+ ``user_id``) /
    ``contact_ids``, and ``send_at`` (ISO 8601; no zone: the app's local time; absent: now). Sending happens
    when the app's clock reaches ``send_at`` (advance it, or ``POST …/engine/run``)."""
    record = app_named(name)
    body = json_body()
    title, template_id = body.get("name"), body.get("template_id")
    if not isinstance(title, str):
        raise ControlError(400, "name must be a string")
    if isinstance(template_id, bool) or not isinstance(template_id, int):
        raise ControlError(400, "template_id must be a template id")
    send_at = None
    if body.get("send_at") is not None:
        moment = parse_datetime(body["send_at"]) if isinstance(body["send_at"], str) else None
        if moment is None:
            raise ControlError(400, "send_at must be an ISO 8601 date-time")
        send_at = (moment if moment.tzinfo else record.clock.to_utc(moment)).astimezone(UTC)
    with app_session(name, write=True) as s:
        broadcast_id = broadcasts.create(s, title, template_id, broadcasts.audience_of(body), send_at)
    env = current_sandbox().env
    with jobs.lock_for(env.engine, record.id):
        jobs.run_due(env, app_named(name))  # one due now goes now, as the heartbeat would send it
    with app_session(name, write=False) as s:
        return jsonify(_json(broadcasts.get(s, broadcast_id))), 201


@bp.get("/apps/<name>/broadcasts")
def list_broadcasts(name: str):
    status = request.args.get("status")
    if status not in (None, *broadcasts.STATUSES):
        raise ControlError(400, f"status must be one of {', '.join(broadcasts.STATUSES)}")
    with app_session(name, write=False) as s:
        return jsonify({"broadcasts": [_json(r) for r in broadcasts.all_broadcasts(s, status)]})


@bp.get("/apps/<name>/broadcasts/<int:broadcast_id>")
def get(name: str, broadcast_id: int):
    with app_session(name, write=False) as s:
        return jsonify(_json(broadcasts.get(s, broadcast_id)))


@bp.post("/apps/<name>/broadcasts/<int:broadcast_id>/cancel")
def cancel(name: str, broadcast_id: int):
    with app_session(name, write=True) as s:
        broadcasts.cancel(s, broadcast_id)
        return jsonify(_json(broadcasts.get(s, broadcast_id)))
