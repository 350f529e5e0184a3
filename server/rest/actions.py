"""What notes, tasks and appointments share on REST: they are ContactAction rows (server.domain.crm.activities),
read through the domain's typed reads and written through the same writer as DataService.add('ContactAction')."""
from __future__ import annotations

from datetime import datetime

from server.domain.account import users
from server.domain.crm import activities
from server.domain.crm import tags as tag_domain
from server.domain.crm.contacts import names_of
from server.domain.session import AppSession

from . import sync
from .api import Request
from .errors import bad_request
from .wire import in_datetime


def contacts_of(s: AppSession, rows) -> dict[int, dict]:
    return {c.id: {"id": c.id, "email": c.email, "first_name": c.first_name, "last_name": c.last_name}
            for c in names_of(s, [r.contact_id for r in rows]).values()}


def users_of(s: AppSession, ids) -> dict[int, dict]:
    return {u.id: {"user_id": u.id, "given_name": u.first_name, "family_name": u.last_name}
            for u in users.names_of(s, ids).values()}


def require_contact(s: AppSession, contact_id: int | None) -> None:
    if contact_id is not None and not tag_domain.existing_contacts(s, [contact_id]):
        raise bad_request(f"Invalid contact id: {contact_id}")


def require_user(s: AppSession, user_id: int | None) -> None:
    if user_id is not None and not users.exists(s, user_id):
        raise bad_request(f"Invalid user id: {user_id}")


def local(s: AppSession, text: str | None) -> datetime | None:
    """An incoming REST date-time as the app's local wall time (how the store keeps dates)."""
    moment = in_datetime(text)
    return None if moment is None else s.clock.to_local(moment)


def since_until(s: AppSession, since: str | None, until: str | None) -> dict:
    """``since``/``until`` filter on the record's last change (LastUpdated; the real column is unconfirmed):
    the ActionFilter arguments."""
    return {"since": local(s, since) if since else None, "until": local(s, until) if until else None}


def remind_minutes(due: datetime | None, popup: datetime | None) -> int | None:
    if due is None or popup is None:
        return None
    return max(0, int((due - popup).total_seconds() // 60))


def sync_answer(r: Request, *, kind: str, key: str, item_key: str, path: str, render) -> dict:
    """``GET /tasks/sync``, ``/appointments/sync``: the change log's ``<kind>.*`` events of ContactAction rows."""
    def load(ids):
        rows = activities.by_ids(r.s, kind, ids)
        return dict(zip(rows, render(r.s, list(rows.values())))) if rows else {}

    return sync.answer(r, entity="contact_action", kind=kind.lower(), key=key, item_key=item_key, path=path,
                       load=load)
