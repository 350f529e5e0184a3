"""Deliverability by address, like a payment sandbox's test cards: what happens when the sandbox "delivers" a
captured email is decided by its recipient, so every bounce and complaint can be made to happen on purpose.

The outcome of an address is the first match of the app's own rules (glob patterns on the whole address, set
through the control API), then of the built-in table ``PATTERNS`` (the local part, before any ``+tag``), and
else ``delivered``. An outcome other than delivered changes the address's status (seed 004: the status belongs
to the address, so every contact sharing it sees it), is recorded on the outbox message (``delivery``) and
fires what a status change fires (the change log, each sharing contact's ``contact.edit`` REST hook). A late
bounce or complaint (``set_outcome``) does the same for a message sent earlier.

Transitions (docs/email.md): soft bounce -> Bounce, and the address's ``soft_bounce_limit``-th soft bounce
within ``soft_bounce_window`` seconds -> HardBounce (seed 000 "Hard bounce": "it soft bounced too many
times"); hard bounce -> HardBounce; complaint -> Feedback (Provided Feedback: an ISP's report); spam report ->
Spam (Reported Spam: the unsubscribe page's feedback form); invalid -> Invalid.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa

from server.domain.errors import InvalidParameter, RecordNotFound
from server.store import schema
from server.store.session import AppSession

from . import email_status

if TYPE_CHECKING:
    from .deliverability_settings import Rule, Settings

DELIVERED = "delivered"
SOFT_BOUNCE = "soft_bounce"
HARD_BOUNCE = "hard_bounce"
COMPLAINT = "complaint"
SPAM_REPORT = "spam_report"
INVALID = "invalid"
OUTCOMES = (DELIVERED, SOFT_BOUNCE, HARD_BOUNCE, COMPLAINT, SPAM_REPORT, INVALID)

# the status each outcome gives the address (a soft bounce may become a hard one: see ``_apply``)
STATUS_OF = {SOFT_BOUNCE: "Bounce", HARD_BOUNCE: "HardBounce", COMPLAINT: "Feedback", SPAM_REPORT: "Spam",
             INVALID: "Invalid"}
REASON_OF = {SOFT_BOUNCE: "Soft bounce (mailbox full)", HARD_BOUNCE: "Hard bounce (no such mailbox)",
             COMPLAINT: "ISP feedback loop: marked as spam", SPAM_REPORT: "Reported spam from the unsubscribe page",
             INVALID: "Rejected as invalid"}

# The built-in test addresses: the local part (before "@" and any "+tag") decides, on any domain.
PATTERNS = {
    "softbounce": SOFT_BOUNCE,
    "hardbounce": HARD_BOUNCE,
    "complaint": COMPLAINT,
    "spamreport": SPAM_REPORT,
    "invalid": INVALID,
}


@dataclass
class Decider:
    """Outcomes for many addresses with the settings read once (a broadcast decides 100,000)."""

    rules: list[Rule] = field(default_factory=list)

    def outcome(self, address: str | None) -> str:
        if not address:
            return DELIVERED
        lowered = address.strip().lower()
        for rule in self.rules:
            if fnmatch.fnmatchcase(lowered, rule.pattern.lower()):
                return rule.outcome
        local = lowered.split("@", 1)[0].split("+", 1)[0]
        return PATTERNS.get(local, DELIVERED)


def settings_of(s: AppSession) -> Settings:
    """The app's settings (pydantic's model of them, server.domain.mail.deliverability_settings, is loaded by
    the first outcome other than delivered, the first app with rules, or the control API's first look)."""
    from .deliverability_settings import Settings  # noqa: PLC0415

    return Settings.of(s)


def stored(s: AppSession) -> dict | None:
    """The app's settings as stored (its ``email.deliverability`` option), if any."""
    return (s.app.options.get("email") or {}).get("deliverability")


def decider(s: AppSession) -> Decider:
    if not stored(s):
        return Decider()  # no rules of the app's own: the built-in test addresses alone
    return Decider(settings_of(s).rules)


def apply(s: AppSession, message_id: int, address: str, outcome: str) -> None:
    """Record ``outcome`` on one message and change its address's status."""
    apply_many(s, [(message_id, address, outcome)])


def apply_many(s: AppSession, outcomes: list[tuple[int, str, str]]) -> None:
    """Record each ``(message id, address, outcome)`` on its message and change the addresses' statuses, with a
    few statements for the whole batch (a broadcast's bounces)."""
    if not outcomes:
        return
    now = s.now_local()
    s.update_many(schema.message, ("id",), [{"id": i, "delivery": o, "delivery_date": now} for i, _, o in outcomes])
    by_outcome: dict[str, list[int]] = {}
    for message_id, _, outcome in outcomes:
        by_outcome.setdefault(outcome, []).append(message_id)
    for outcome, ids in by_outcome.items():
        s.emit("message.delivery", "message", ids[0], outcome=outcome, message_ids=ids)
    wanted = {email_status.key(a): (a, o) for _, a, o in outcomes if o != DELIVERED}
    if not wanted:
        return
    current = email_status.statuses_of(s, list(wanted))
    settings = settings_of(s)
    soft = [k for k, (_, o) in wanted.items() if o == SOFT_BOUNCE]
    counts = _soft_bounces(s, soft, settings.soft_bounce_window) if soft else {}
    changes = {}
    for k, (address, outcome) in wanted.items():
        token, reason = STATUS_OF[outcome], REASON_OF[outcome]
        if outcome == SOFT_BOUNCE:
            if current.get(k) == "HardBounce":
                continue  # a soft bounce never softens a hard one
            if counts.get(k, 0) >= settings.soft_bounce_limit:
                token, reason = "HardBounce", f"{settings.soft_bounce_limit} soft bounces"
        if current.get(k) != token:
            changes[address] = (token, reason)
    email_status.set_many(s, changes)


def _soft_bounces(s: AppSession, keys: list[str], window: int) -> dict[str, int]:
    """Each address's soft bounces whose delivery falls within the last ``window`` seconds, this one included."""
    m = schema.message
    since = s.now_local() - timedelta(seconds=window)
    lowered = sa.func.lower(m.c.to_address)
    counts: dict[str, int] = {}
    for i in range(0, len(keys), 500):
        counts.update(s.execute(s.select(m, lowered, sa.func.count()).where(
            lowered.in_(keys[i:i + 500]), m.c.delivery == SOFT_BOUNCE, m.c.delivery_date >= since)
            .group_by(lowered)).all())
    return counts


def set_outcome(s: AppSession, message_id: int, outcome: str) -> dict:
    """A late bounce or complaint: ``outcome`` arrives for a message captured earlier."""
    if outcome not in OUTCOMES:
        raise InvalidParameter(f"outcome must be one of {', '.join(OUTCOMES)}")
    m = schema.message
    row = s.execute(s.select(m).where(m.c.id == message_id)).first()
    if row is None or row.kind != "email" or row.status != "captured" or not row.to_address:
        raise RecordNotFound(f"no sent email {message_id}")
    apply(s, message_id, row.to_address, outcome)
    found = email_status.row(s, row.to_address)
    return {"id": message_id, "to_address": row.to_address, "delivery": outcome,
            "email_status": found.type if found else None}
