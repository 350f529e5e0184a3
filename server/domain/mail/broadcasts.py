"""Broadcasts (seed 000 "Broadcast Email"): one email template sent to a list (a tag, a saved contact search, or
explicit contacts) at one scheduled time on the app's clock, "the same for everyone".

A broadcast is marketing: it needs the app's business address (seed 000 "Business Details": without it "you will
not be able to send ... broadcast emails"), so one cannot be scheduled without it, and the outbox's marketing rule
skips every address that is a duplicate, invalid, opted out, bounced or non-marketable, with the reason (seed 000
"Skipped Emails"). The batch status report counts as sent only what was not skipped, so "the total sent may be
less than the number of people on the broadcast list"; it also counts what the sandbox's delivery came to
(server.domain.mail.deliverability).

The real API has no broadcast endpoint: the sandbox's control API and CLI make them. Due work on the app's
clock sends them (``next_due``/``run_due``), one write transaction a broadcast.
"""
from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server.domain.data import searches
from server.domain.errors import InvalidParameter, RecordNotFound
from server.gc_pause import paused
from server.store import apps, due, schema
from server.store.db import transaction
from server.store.session import AppRecord, AppSession
from server.tally import Tally

from . import emails, messages, templates

log = logging.getLogger(__name__)

SCHEDULED, SENT, CANCELLED, FAILED = "scheduled", "sent", "cancelled", "failed"
STATUSES = (SCHEDULED, SENT, CANCELLED, FAILED)
MAX_CONTACT_IDS = 100_000

_b = schema.broadcast


def audience_of(body: dict) -> dict:
    """The list a broadcast goes to, checked: ``{"tag_id": n}``, ``{"saved_search_id": n, "user_id": n}`` or
    ``{"contact_ids": [...]}``, exactly one."""
    kinds = [k for k in ("tag_id", "saved_search_id", "contact_ids") if body.get(k) is not None]
    if len(kinds) != 1:
        raise InvalidParameter("audience: give exactly one of tag_id, saved_search_id, contact_ids")
    kind = kinds[0]
    if kind == "contact_ids":
        ids = body["contact_ids"]
        if not isinstance(ids, list) or not ids or len(ids) > MAX_CONTACT_IDS or \
                not all(isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in ids):
            raise InvalidParameter(f"contact_ids must be a list of 1 to {MAX_CONTACT_IDS} contact ids")
        return {"contact_ids": ids}
    value = body[kind]
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidParameter(f"{kind} must be an id")
    if kind == "saved_search_id":
        user_id = body.get("user_id", 1)
        if isinstance(user_id, bool) or not isinstance(user_id, int) or user_id <= 0:
            raise InvalidParameter("user_id must be a user id")
        return {"saved_search_id": value, "user_id": user_id}
    return {"tag_id": value}


def create(s: AppSession, name: str, template_id: int, audience: dict, send_at: datetime | None) -> int:
    """Schedule a broadcast; ``send_at`` (UTC) defaults to now on the app's clock."""
    if not name or not name.strip() or len(name) > 255:
        raise InvalidParameter("name must be 1 to 255 characters")
    templates.load_row(s, template_id)
    if messages.business_address(s) is None:
        raise InvalidParameter("the app's business profile has no address: broadcasts need one (CAN-SPAM)")
    _check_audience(s, audience)
    now = s.clock.now()
    send_at = send_at or now
    broadcast_id = s.next_id("broadcast")
    s.insert(_b, dict(id=broadcast_id, name=name.strip(), template_id=template_id, audience=audience,
                      status=SCHEDULED, send_at=send_at.timestamp(), created_at=now.replace(tzinfo=None)))
    s.emit("broadcast.scheduled", "broadcast", broadcast_id, send_at=send_at.isoformat())
    return broadcast_id


def _check_audience(s: AppSession, audience: dict) -> None:
    if "tag_id" in audience and s.get(schema.tag, audience["tag_id"]) is None:
        raise RecordNotFound(f"no tag {audience['tag_id']}")
    if "saved_search_id" in audience:
        searches.contact_ids(s, audience["saved_search_id"], audience["user_id"])  # it exists and finds contacts
    if "contact_ids" in audience:
        missing = emails.missing_contacts(s, audience["contact_ids"])
        if missing:
            raise RecordNotFound(f"no contact {missing[0]}")


def recipients(s: AppSession, audience: dict) -> list[int]:
    """The contact ids of the list, as it stands now (a tag's contacts when the broadcast goes out)."""
    if "tag_id" in audience:
        ta = schema.tag_assignment
        return [r.contact_id for r in s.execute(s.select(ta, ta.c.contact_id)
                                                .where(ta.c.tag_id == audience["tag_id"]).order_by(ta.c.contact_id))]
    if "saved_search_id" in audience:
        return searches.contact_ids(s, audience["saved_search_id"], audience["user_id"])
    wanted = list(dict.fromkeys(audience["contact_ids"]))
    gone = set(emails.missing_contacts(s, wanted))  # deleted since it was scheduled
    return [i for i in wanted if i not in gone]


def get(s: AppSession, broadcast_id: int):
    row = s.get(_b, broadcast_id)
    if row is None:
        raise RecordNotFound(f"no broadcast {broadcast_id}")
    return row


def all_broadcasts(s: AppSession, status: str | None = None) -> list:
    q = s.select(_b)
    if status is not None:
        q = q.where(_b.c.status == status)
    return s.execute(q.order_by(_b.c.id)).all()


def cancel(s: AppSession, broadcast_id: int) -> None:
    row = get(s, broadcast_id)
    if row.status != SCHEDULED:
        raise InvalidParameter(f"broadcast {broadcast_id} is {row.status}: only a scheduled one can be cancelled")
    s.update(_b, _b.c.id == broadcast_id, status=CANCELLED)
    s.emit("broadcast.cancelled", "broadcast", broadcast_id)


def send(s: AppSession, broadcast_id: int) -> dict:
    """Send the broadcast now: every contact of its list gets the template, merged, or is skipped with the
    reason; returns the batch status report (also stored on the broadcast)."""
    row = get(s, broadcast_id)
    contact_ids = recipients(s, row.audience)
    draft = emails.Draft.of_template(s, row.template_id)
    with paused():  # 100,000 messages' objects: no full collections while they are made (server.gc_pause)
        results = emails.send(s, contact_ids, draft, origin="broadcast", marketing=True,
                              context={"broadcast_id": broadcast_id})
    skipped = Counter(reason for _, reason in results if reason)
    m = schema.message
    delivery = dict(s.execute(s.select(m, m.c.delivery, sa.func.count()).where(
        m.c.broadcast_id == broadcast_id, m.c.status == "captured").group_by(m.c.delivery)).all())
    report = {"recipients": len(contact_ids), "sent": len(contact_ids) - sum(skipped.values()),
              "skipped": sum(skipped.values()), "skipped_by_reason": dict(sorted(skipped.items())),
              "delivery": {k: v for k, v in sorted(delivery.items()) if k}}
    s.update(_b, _b.c.id == broadcast_id, status=SENT, report=report,
             sent_at=s.clock.now().replace(tzinfo=None))
    s.emit("broadcast.sent", "broadcast", broadcast_id, sent=report["sent"], skipped=report["skipped"])
    return report


# --- due work -----------------------------------------------------------------------------------------

def next_due(conn: Connection, app_ids: list[int] | None) -> dict[int, float]:
    """App id -> the earliest scheduled broadcast (seconds on its clock)."""
    return due.earliest(conn, _b, app_ids, status=SCHEDULED, due="send_at")


def run_due(env, app: AppRecord, now: float, tally: Tally | None = None) -> int:
    """Send the broadcasts scheduled at or before ``now``; their emails count in ``tally`` (a clock advance's
    summary)."""
    with transaction(env.engine, write=False) as conn:
        due = [r.id for r in conn.execute(sa.select(_b.c.id).where(
            _b.c.app_id == app.id, _b.c.status == SCHEDULED, _b.c.send_at <= now).order_by(_b.c.send_at, _b.c.id))]
    for broadcast_id in due:
        done = Tally()  # what this broadcast sent, counted in ``tally`` once it committed (server.tally)
        try:
            with transaction(env.engine, write=True) as conn:
                send(env.session(conn, apps.by_id(conn, app.id) or app, tally=done), broadcast_id)
            if tally is not None:
                tally.merge(done)
        except Exception:  # one bad broadcast never stops the others, nor comes due again (server.jobs would loop)
            log.exception("broadcast %s of app %s failed at %s", broadcast_id, app.name,
                          datetime.fromtimestamp(now, UTC).isoformat())
            with transaction(env.engine, write=True) as conn:
                conn.execute(sa.update(_b).where(_b.c.app_id == app.id, _b.c.id == broadcast_id)
                             .values(status=FAILED))
    return len(due)
