"""What notes, tasks and appointments share on REST: they are ContactAction rows (server.domain.crm.activities),
read here with the app's scope and written through the same writer as DataService.add('ContactAction')."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from server.domain.session import AppSession
from server.store import schema

from . import sync
from .api import Request
from .errors import bad_request
from .wire import in_datetime

CA = schema.contact_action


def select(s: AppSession, kind: str, where=(), *, limit: int, offset: int, order=None) -> tuple[list, int]:
    base = s.select(CA).where(CA.c.object_type == kind, *where)
    total = s.execute(sa.select(sa.func.count()).select_from(base.subquery())).scalar_one()
    rows = s.execute(base.order_by(*(order or []), CA.c.id).limit(limit).offset(offset)).all()
    return rows, total


def by_ids(s: AppSession, kind: str, ids: list[int]) -> dict[int, object]:
    if not ids:
        return {}
    return {r.id: r for r in s.execute(s.select(CA).where(CA.c.object_type == kind, CA.c.id.in_(ids)))}


def contacts_of(s: AppSession, rows) -> dict[int, dict]:
    ids = sorted({r.contact_id for r in rows if r.contact_id})
    if not ids:
        return {}
    c = schema.contact
    q = s.select(c, c.c.id, c.c.email, c.c.first_name, c.c.last_name).where(c.c.id.in_(ids))
    return {r.id: {"id": r.id, "email": r.email, "first_name": r.first_name, "last_name": r.last_name}
            for r in s.execute(q)}


def users_of(s: AppSession, ids) -> dict[int, dict]:
    ids = sorted({i for i in ids if i})
    if not ids:
        return {}
    u = schema.user
    q = s.select(u, u.c.id, u.c.first_name, u.c.last_name).where(u.c.id.in_(ids))
    return {r.id: {"user_id": r.id, "given_name": r.first_name, "family_name": r.last_name} for r in s.execute(q)}


def require_contact(s: AppSession, contact_id: int | None) -> None:
    if contact_id is None:
        return
    c = schema.contact
    if s.execute(s.select(c, c.c.id).where(c.c.id == contact_id)).first() is None:
        raise bad_request(f"Invalid contact id: {contact_id}")


def require_user(s: AppSession, user_id: int | None) -> None:
    if user_id is not None and s.get(schema.user, user_id) is None:
        raise bad_request(f"Invalid user id: {user_id}")


def local(s: AppSession, text: str | None) -> datetime | None:
    """An incoming REST date-time as the app's local wall time (how the store keeps dates)."""
    moment = in_datetime(text)
    return None if moment is None else s.clock.to_local(moment)


def since_until(s: AppSession, since: str | None, until: str | None) -> list:
    """``since``/``until`` filter on the record's last change (LastUpdated; the real column is unconfirmed)."""
    where = []
    if since:
        where.append(CA.c.last_updated >= local(s, since))
    if until:
        where.append(CA.c.last_updated < local(s, until) + timedelta(seconds=1))
    return where


def remind_minutes(due: datetime | None, popup: datetime | None) -> int | None:
    if due is None or popup is None:
        return None
    return max(0, int((due - popup).total_seconds() // 60))


def sync_answer(r: Request, *, kind: str, key: str, item_key: str, path: str, render) -> dict:
    """``GET /tasks/sync``, ``/appointments/sync``: the change log's ``<kind>.*`` events of ContactAction rows."""
    def load(ids):
        rows = by_ids(r.s, kind, ids)
        return dict(zip(rows, render(r.s, list(rows.values())))) if rows else {}

    return sync.answer(r, entity="contact_action", kind=kind.lower(), key=key, item_key=item_key, path=path,
                       load=load)
