"""Fulfillment lists: a spreadsheet (CSV) of contacts delivered to a user's dashboard or to an email address,
at once or queued until enough rows are ready or the oldest has waited long enough (seed 001)."""
from __future__ import annotations

import base64
import csv
import io

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server.domain.mail import messages
from server.environment import Environment
from server.store import apps, due, schema
from server.store.db import transaction
from server.store.session import WITHOUT_EVENTS, AppRecord, AppSession
from server.tally import Tally

from . import published


def deliver_if_ready(s: AppSession, campaign_id: int, item, now: float, *, force: bool = False) -> int | None:
    fr = schema.fulfillment_row
    queue = item.config.get("queue") or {}
    pending = s.execute(s.select(fr).where(fr.c.item_id == item.id, fr.c.job_id.is_(None)).order_by(fr.c.id)).all()
    if not pending:
        return None
    ready = force or not queue
    if queue.get("min_rows") and len(pending) >= queue["min_rows"]:
        ready = True
    if queue.get("max_days") is not None and now - pending[0].created_at >= queue["max_days"] * 86400:
        ready = True
    if not ready:
        return None
    return _deliver(s, campaign_id, item, pending, now)


def _deliver(s: AppSession, campaign_id: int, item, pending, now: float) -> int:
    fields = item.config.get("fields") or ["Id", "FirstName", "LastName", "Email"]
    text = csv_text(fields, [r.values for r in pending])
    job_id = s.next_id("fulfillment_job")
    deliver = item.config.get("deliver_to") or {}
    name = item.name or "Fulfillment list"
    s.insert(schema.fulfillment_job, dict(id=job_id, item_id=item.id, campaign_id=campaign_id, name=name,
                                          status="delivered", csv=text, row_count=len(pending),
                                          user_id=item.config.get("user_id"), email=deliver.get("email"),
                                          created_at=now))
    fr = schema.fulfillment_row
    s.update(fr, fr.c.id.in_([r.id for r in pending]), job_id=job_id)
    if deliver.get("email"):
        messages.record(s, [messages.Outgoing(
            kind="email", origin="sequence", contact_id=None, to_address=deliver["email"],
            subject=f"Fulfillment list: {name} ({len(pending)} rows)", content_type="Text",
            text_body=f"The fulfillment list {name!r} is attached as {name}.csv ({len(pending)} rows).",
            campaign_id=campaign_id, item_id=item.id,
            # seed 001: "The fulfillment is automatically attached to the email (.csv file type)"
            attachments=[{"file_name": f"{name}.csv", "content_type": "text/csv",
                          "content": base64.b64encode(text.encode("utf-8")).decode("ascii")}])])
    s.emit("fulfillment.delivered", "fulfillment_job", job_id, item_id=item.id, rows=len(pending))
    return job_id


def csv_text(field_names: list[str], rows: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(field_names)
    for row in rows:
        writer.writerow(["" if row.get(f) is None else row.get(f) for f in field_names])
    return buf.getvalue()


# --- queued lists that have waited long enough ---------------------------------------------------------

def next_due(conn: Connection, app_ids: list[int] | None) -> dict[int, float]:
    """Oldest waiting row per app, for items whose queue has a max_days (checked in run_due)."""
    fr = schema.fulfillment_row
    out = {}
    for app_id in due.earliest(conn, fr, app_ids, status=None, due="created_at", where=fr.c.job_id.is_(None)):
        at = _due_for_app(conn, app_id)
        if at is not None:
            out[app_id] = at
    return out


def _due_for_app(conn: Connection, app_id: int) -> float | None:
    fr = schema.fulfillment_row
    rows = conn.execute(sa.select(fr.c.item_id, sa.func.min(fr.c.created_at)).where(
        fr.c.app_id == app_id, fr.c.job_id.is_(None)).group_by(fr.c.item_id)).all()
    if not rows:
        return None
    s = AppSession(conn, apps.by_id(conn, app_id), env=WITHOUT_EVENTS)
    times = []
    for item_id, oldest in rows:
        item = _item(s, item_id)
        if item is not None and (item.config.get("queue") or {}).get("max_days") is not None:
            times.append(oldest + item.config["queue"]["max_days"] * 86400)
    return min(times) if times else None


def _item(s: AppSession, item_id: int):
    for compiled in published.all_published(s).values():
        if item_id in compiled.items:
            return compiled.items[item_id]
    return None


def run_due(env: Environment, app: AppRecord, now: float, tally: Tally | None = None) -> int:
    delivered = 0
    with transaction(env.engine, write=True) as conn:
        s = env.session(conn, app, tally=tally)
        fr = schema.fulfillment_row
        item_ids = [r.item_id for r in s.execute(s.select(fr, fr.c.item_id).where(fr.c.job_id.is_(None))
                                                  .distinct())]
        for campaign_id, compiled in published.all_published(s).items():
            for item_id in item_ids:
                if item_id in compiled.items and deliver_if_ready(s, campaign_id, compiled.items[item_id], now):
                    delivered += 1
    return delivered


def list_jobs(s: AppSession, *, newest: int | None = None) -> list:
    """The jobs without their CSVs, oldest first (the ``newest`` of them if given)."""
    fj = schema.fulfillment_job
    q = s.select(fj, *(c for c in fj.c if c.name not in ("csv", "app_id")))
    if newest is None:
        return s.execute(q.order_by(fj.c.id)).all()
    return sorted(s.execute(q.order_by(fj.c.id.desc()).limit(newest)).all(), key=lambda r: r.id)


def job(s: AppSession, job_id: int):
    return s.get(schema.fulfillment_job, job_id)


def complete(s: AppSession, job_id: int) -> bool:
    fj = schema.fulfillment_job
    return bool(s.update(fj, fj.c.id == job_id, status="completed").rowcount)
