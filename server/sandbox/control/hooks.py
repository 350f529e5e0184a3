"""The control API of the REST area: the hook subscriptions and the delivery log of an app (read without side
effects), and what a person does outside the API: an invited user accepting the invitation."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from server.domain.account import users
from server.rest import delivery
from server.store import schema
from server.store.db import transaction

from .common import ControlError, app_named, control_error, current_sandbox, page_args, paged, require_admin

bp = Blueprint("sandbox_hooks", __name__, url_prefix="/sandbox")
bp.before_request(require_admin)
bp.register_error_handler(ControlError, control_error)


@bp.get("/apps/<name>/hooks")
def list_hooks(name: str):
    record = app_named(name)
    h = schema.rest_hook
    with transaction(current_sandbox().engine, write=False) as conn:
        rows = conn.execute(h.select().where(h.c.app_id == record.id).order_by(h.c.id)).all()
    return jsonify({"hooks": [{"key": str(r.id), "eventKey": r.event_key, "hookUrl": r.hook_url,
                               "status": r.status} for r in rows]})


@bp.get("/apps/<name>/hooks/deliveries")
def list_deliveries(name: str):
    """Every delivery (pending, delivered, failed, dropped) with its body and each attempt:
    ``?status=pending&count=<n>&next=<id>``."""
    record = app_named(name)
    page = page_args()
    status = request.args.get("status")
    if status not in (None, "pending", "delivered", "failed", "dropped"):
        raise ControlError(400, "status must be pending, delivered, failed or dropped")
    with transaction(current_sandbox().engine, write=False) as conn:
        rows = delivery.deliveries(conn, record, status=status, limit=page.fetch, after=page.after)
    return jsonify(paged("deliveries", rows, page, lambda d: d["id"]))


@bp.post("/apps/<name>/users/<int:user_id>/accept")
def accept_invitation(name: str, user_id: int):
    """A user invited with ``POST /crm/rest/v1/users`` accepts: Active from now (the ``user.activate`` hook)."""

    record = app_named(name)
    with transaction(current_sandbox().engine, write=True) as conn:
        if not users.activate(current_sandbox().env.session(conn, record), user_id):
            raise ControlError(404, f"no invited user {user_id}")
    return jsonify({"id": user_id, "status": users.ACTIVE})
