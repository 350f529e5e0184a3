"""Email status: it belongs to the address, not the contact (seed 004), so every contact, company or user
sharing an address shares its status. The token set and the opt-in state machine: spec §6."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from server.domain.data import listing
from server.store import schema
from server.store.prepared import Prepared, PreparedAll
from server.store.session import AppSession


@dataclass(frozen=True)
class Status:
    token: str
    marketable: bool
    opt_status: int  # APIEmailService.getOptStatus: 0 not marketable, 1 single opt-in, 2 double opt-in


STATUSES = {s.token: s for s in (
    Status("SingleOptIn", True, 1),
    Status("DoubleOptin", True, 2),  # lower-case i, as the API spells it
    Status("Confirmed", True, 2),
    Status("UnengagedMarketable", True, 1),
    Status("UnengagedNonMarketable", False, 0),
    Status("NonMarketable", False, 0),
    Status("Manual", False, 0),
    Status("Admin", False, 0),
    Status("System", False, 0),
    Status("ListUnsubscribe", False, 0),
    Status("Bounce", False, 0),
    Status("HardBounce", False, 0),
    Status("Feedback", False, 0),
    Status("Spam", False, 0),
    Status("Invalid", False, 0),
    Status("Lockdown", False, 0),
    Status("Deactivated", False, 0),
)}

# optIn "only works the first time": from these it opts in; from any other status it is refused.
OPT_IN_FROM = {"NonMarketable", "UnengagedMarketable"}
OPT_IN_DEFAULT_REASON = "API Opt In"  # a blank reason is stored as this (2012 vendor docs)

PATTERN = r"^[^@\s]+@[^@\s]+\.[A-Za-z0-9-]{2,}$"  # what the sandbox takes for an address (REST documents it)
_VALID = re.compile(PATTERN)


def key(email: str) -> str:
    return email.strip().lower()


def is_valid(email: str) -> bool:
    return bool(_VALID.match(email.strip()))


# every write of an address reads its status first: a statement built once, run on the driver
_ROW = Prepared(sa.select(schema.email_status).where(schema.email_status.c.app_id == sa.bindparam("app_id"),
                                                     schema.email_status.c.email_key == sa.bindparam("email_key")))


def row(s: AppSession, email: str):
    return s.first(_ROW, email_key=key(email))


def status_of(s: AppSession, email: str | None) -> Status | None:
    if not email:
        return None
    found = row(s, email)
    return STATUSES.get(found.type) if found else None


_FEW = 3
_STATUSES_OF_FEW = PreparedAll(sa.select(schema.email_status.c.email_key, schema.email_status.c.type,
                                          schema.email_status.c.reason).where(
    schema.email_status.c.app_id == sa.bindparam("app_id"),
    schema.email_status.c.email_key.in_([sa.bindparam(f"k{i}") for i in range(_FEW)])))


class Reasoned(NamedTuple):
    """An address's status token and the reason recorded with it."""

    token: str
    reason: str | None

    @property
    def opt_in_reason(self) -> str | None:
        """The reason the address was opted in (REST's ``opt_in_reason``): the status's reason while it is
        marketable; an address not opted in has none."""
        status = STATUSES.get(self.token)
        return self.reason if status is not None and status.marketable else None


def reasoned_statuses_of(s: AppSession, emails) -> dict[str, Reasoned]:
    """``{lower-cased address: (status token, reason)}`` for many addresses in one query."""
    keys = sorted({key(e) for e in emails if e and e.strip()})
    if not keys:
        return {}
    if len(keys) <= _FEW:  # one contact's addresses: a statement built once (a REST read of one contact)
        padded = {f"k{i}": keys[min(i, len(keys) - 1)] for i in range(_FEW)}
        return {r.email_key: Reasoned(r.type, r.reason) for r in s.all(_STATUSES_OF_FEW, **padded)}
    es = schema.email_status
    return {r.email_key: Reasoned(r.type, r.reason)
            for r in s.execute(s.select(es, es.c.email_key, es.c.type, es.c.reason).where(es.c.email_key.in_(keys)))}


def statuses_of(s: AppSession, emails) -> dict[str, str]:
    """``{lower-cased address: status token}`` for many addresses in one query."""
    return {k: found.token for k, found in reasoned_statuses_of(s, emails).items()}


def _set(s: AppSession, email: str, token: str, reason: str | None, existing) -> None:
    es = schema.email_status
    if existing is None:
        status_id = s.next_id("email_status")
        s.insert(es, dict(id=status_id, email=email.strip(), email_key=key(email), type=token, reason=reason,
                          date_created=s.now_local()))
    else:
        status_id = existing.id
        s.update(es, es.c.id == status_id, type=token, reason=reason)
    s.emit("email.status_changed", "email_status", status_id, email=key(email), status=token,
           previous=existing.type if existing is not None else None, reason=reason)
    if existing is not None and existing.type != token:
        _announce(s, {key(email): token})


def set_many(s: AppSession, changes: dict[str, tuple[str, str | None]]) -> None:
    """Set the statuses of many addresses at once (a batch's bounces): ``{address: (token, reason)}``; the rows
    are read in one query and changed in one statement per status."""
    es = schema.email_status
    wanted = {key(e): (e, token, reason) for e, (token, reason) in changes.items()}
    existing = {}
    keys = sorted(wanted)
    for i in range(0, len(keys), 500):
        existing.update((r.email_key, r) for r in s.execute(
            s.select(es, es.c.id, es.c.email_key, es.c.type).where(es.c.email_key.in_(keys[i:i + 500]))))
    updates: dict[tuple, list[dict]] = {}
    changed = {}
    for k, (email, token, reason) in wanted.items():
        found = existing.get(k)
        if found is None:
            _set(s, email, token, reason, None)
            continue
        updates.setdefault((token, reason), []).append({"id": found.id, "type": token, "reason": reason})
        s.emit("email.status_changed", "email_status", found.id, email=k, status=token, previous=found.type,
               reason=reason)
        if found.type != token:
            changed[k] = token
    for rows in updates.values():
        s.update_many(es, ("id",), rows)
    _announce(s, changed)


def _announce(s: AppSession, changed: dict[str, str]) -> None:
    """Each contact sharing a changed address shows the change (its ``contact.edit`` REST hook)."""
    for contact_id, k in sharing_contacts(s, list(changed)):
        s.emit("contact.email_status_changed", "contact", contact_id, email=k, status=changed[k])


def sharing_contacts(s: AppSession, emails: list[str]) -> list[tuple[int, str]]:
    """``(contact id, address)`` of the contacts having one of the addresses in one of their email fields."""
    c = schema.contact
    columns = (c.c.email, c.c.email_address2, c.c.email_address3)
    keys = sorted({key(e) for e in emails})
    out = set()
    for i in range(0, len(keys), 500):
        chunk = keys[i:i + 500]
        lowered = [sa.func.lower(col) for col in columns]
        for r in s.execute(s.select(c, c.c.id, *lowered).where(sa.or_(*(col.in_(chunk) for col in lowered)))):
            out.update((r[0], k) for k in r[1:] if k in chunk)
    return sorted(out)


def _uses(email: str):
    c = schema.contact
    wanted = key(email)
    return sa.or_(*(sa.func.lower(col) == wanted for col in (c.c.email, c.c.email_address2, c.c.email_address3)))


def ensure(s: AppSession, email: str | None) -> None:
    """Give a newly used address its first status: NonMarketable (added without permission, as through the
    API), or Invalid when it is not an address at all."""
    if not email or not email.strip():
        return
    if row(s, email) is None:
        _set(s, email, "NonMarketable" if is_valid(email) else "Invalid", None, None)


def ensure_many(s: AppSession, emails: list[str]) -> None:
    """``ensure`` for many addresses (a bulk import's batch): their rows read 500 at a time, the new ones
    written in one insert, each announced as ``ensure`` announces it."""
    es = schema.email_status
    wanted: dict[str, str] = {}
    for email in emails:
        if email and email.strip():
            wanted.setdefault(key(email), email.strip())
    keys = sorted(wanted)
    for i in range(0, len(keys), 500):
        for r in s.execute(s.select(es, es.c.email_key).where(es.c.email_key.in_(keys[i:i + 500]))):
            wanted.pop(r.email_key, None)
    if not wanted:
        return
    first, now = s.next_id("email_status", len(wanted)), s.now_local()
    rows = [dict(id=first + i, email=email, email_key=k, type="NonMarketable" if is_valid(email) else "Invalid",
                 reason=None, date_created=now) for i, (k, email) in enumerate(wanted.items())]
    s.insert(es, rows)
    for row in rows:
        s.emit("email.status_changed", "email_status", row["id"], email=row["email_key"], status=row["type"],
               previous=None, reason=None)


def set_status(s: AppSession, email: str, token: str, reason: str | None = None) -> None:
    """Set any status (seeding, the control API); the API's own rules are in opt_in/opt_out."""
    if token not in STATUSES:
        raise ValueError(f"unknown email status {token!r}")
    _set(s, email, token, reason, row(s, email))


# Opt-outs: "You are not able to manually update an Opt-Out status" (seed 000); the control API can, forced.
OPTED_OUT = {"Manual", "Admin", "System", "ListUnsubscribe", "Feedback", "Spam", "Lockdown"}


class OptOutLocked(Exception):
    """A change of an opted-out address's status without ``force``."""


def set_by_admin(s: AppSession, email: str, token: str, reason: str | None, *, force: bool = False) -> None:
    """What a user does in the app (Manage Email Status; Opt-Out: Admin): any status, but an opt-out stays
    unless ``force``."""
    if token not in STATUSES:
        raise ValueError(f"unknown email status {token!r}")
    existing = row(s, email)
    if existing is not None and existing.type in OPTED_OUT and existing.type != token and not force:
        raise OptOutLocked(f"{key(email)} is opted out ({existing.type}): an opt-out cannot be undone "
                           "unless forced")
    _set(s, email, token, reason, existing)


def opt_in(s: AppSession, email: str, reason: str) -> bool:
    if not email or not is_valid(email):
        return False
    existing = row(s, email)
    if existing is not None and existing.type not in OPT_IN_FROM:
        return False  # already opted in, or opted out: the API cannot opt it back in
    _set(s, email, "SingleOptIn", reason.strip() or OPT_IN_DEFAULT_REASON, existing)
    return True


# REST v1's opt-in (``opt_in_reason`` on a contact, ``PUT /emailAddresses/{email}``): an address becomes
# marketable only from these; any other status stays as it is [doc S1]
REST_OPT_IN_FROM = {"UnengagedMarketable", "UnengagedNonMarketable", "NonMarketable", "Manual"}


def opt_in_rest(s: AppSession, email: str, reason: str) -> bool:
    if not email or not is_valid(email):
        return False
    existing = row(s, email)
    if existing is not None and existing.type not in REST_OPT_IN_FROM:
        return False
    _set(s, email, "SingleOptIn", (reason or "").strip() or OPT_IN_DEFAULT_REASON, existing)
    return True


def opt_out(s: AppSession, email: str, reason: str) -> bool:
    if not email or not email.strip():
        return False
    existing = row(s, email)
    if existing is not None and not STATUSES[existing.type].marketable and existing.type != "NonMarketable":
        return True  # already opted out (or bounced …): nothing changes
    _set(s, email, "Manual", reason.strip() or s.app.option("opt_out_default_reason"), existing)
    return True


def opt_status(s: AppSession, email: str) -> int:
    status = status_of(s, email)
    return status.opt_status if status else 0


# --- reading statuses (REST) ----------------------------------------------------------------------------

class AddressStatus(NamedTuple):
    """An address's status row: its token, when it was first recorded, and when mail last went to it, was
    opened or clicked (app-local)."""

    id: int
    email: str
    token: str
    created: datetime | None
    last_sent: datetime | None
    last_open: datetime | None
    last_click: datetime | None

    @property
    def marketable(self) -> bool:
        return STATUSES[self.token].marketable


_ES = schema.email_status
_MARKETABLE = sorted(t for t, st in STATUSES.items() if st.marketable)
STATUS_FIELDS = listing.Fields({
    "id": _ES.c.id, "email": _ES.c.email_key, "status": _ES.c.type,
    "opted_in": sa.case((_ES.c.type.in_(_MARKETABLE), "true"), else_="false"),
    "create_time": _ES.c.date_created, "last_sent_time": _ES.c.last_sent_date,
    "last_open_time": _ES.c.last_open_date, "last_click_time": _ES.c.last_click_date})
_STATUS_COLUMNS = (_ES.c.id, _ES.c.email, _ES.c.type, _ES.c.date_created, _ES.c.last_sent_date,
                   _ES.c.last_open_date, _ES.c.last_click_date)


def _address_status(r) -> AddressStatus:
    return AddressStatus(r.id, r.email, r.type, r.date_created, r.last_sent_date, r.last_open_date,
                         r.last_click_date)


def get_status(s: AppSession, email: str) -> AddressStatus | None:
    found = s.execute(s.select(_ES, *_STATUS_COLUMNS).where(_ES.c.email_key == key(email))).first()
    return None if found is None else _address_status(found)


def page_statuses(s: AppSession, q: listing.ListQuery) -> listing.Page[AddressStatus]:
    return listing.page(s, s.select(_ES, *_STATUS_COLUMNS), STATUS_FIELDS, q, _address_status)


def in_use(s: AppSession, email: str) -> bool:
    """Whether a contact has the address in one of its email fields."""
    c = schema.contact
    return s.execute(s.select(c, c.c.id).where(_uses(email)).limit(1)).first() is not None


def known(s: AppSession, email: str) -> bool:
    """Whether the app has heard of the address: it has a status, or a contact uses it."""
    return row(s, email) is not None or in_use(s, email)
