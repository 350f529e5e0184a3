"""The control API of the REST area: the hook subscriptions and the delivery log of an app (read without side
effects), and what a person does outside the API: an invited user accepting the invitation."""
from __future__ import annotations

from typing import Literal

from flask import jsonify
from pydantic import Field

from server.domain.account import users
from server.domain.outbox import hook_deliveries
from server.store import schema
from server.store.db import transaction

from .common import ControlError, app_named, current_sandbox, paged
from .contract import ControlBlueprint, Page

bp = ControlBlueprint("sandbox_hooks", __name__)


class DeliveryFilter(Page):
    status: Literal["pending", "delivered", "failed", "dropped"] = Field(None)


@bp.get("/apps/<name>/hooks", summary="The app's REST hook subscriptions")
def list_hooks(name: str):
    record = app_named(name)
    h = schema.rest_hook
    with transaction(current_sandbox().engine, write=False) as conn:
        rows = conn.execute(h.select().where(h.c.app_id == record.id).order_by(h.c.id)).all()
    return jsonify({"hooks": [{"key": str(r.id), "eventKey": r.event_key, "hookUrl": r.hook_url,
                               "status": r.status} for r in rows]})


@bp.get("/apps/<name>/hooks/deliveries", summary="Every REST hook delivery with its attempts", query=DeliveryFilter)
def list_deliveries(name: str, query: DeliveryFilter):
    """Every delivery (pending, delivered, failed, dropped) with its body and each attempt:
    ``?status=pending&count=<n>&next=<id>``."""
    record = app_named(name)
    page = query.page()
    status = query.status
    with transaction(current_sandbox().engine, write=False) as conn:
        rows = hook_deliveries.deliveries(conn, record, status=status, limit=page.fetch, after=page.after)
    return jsonify(paged("deliveries", rows, page, lambda d: d["id"]))


@bp.post("/apps/<name>/users/<int:user_id>/accept", summary="An invited user accepts the invitation")
def accept_invitation(name: str, user_id: int):
    """A user invited with ``POST /crm/rest/v1/users`` accepts: Active from now (the ``user.activate`` hook)."""

    record = app_named(name)
    with transaction(current_sandbox().engine, write=True) as conn:
        if not users.activate(current_sandbox().env.session(conn, record), user_id):
            raise ControlError(404, f"no invited user {user_id}")
    return jsonify({"id": user_id, "status": users.ACTIVE})
