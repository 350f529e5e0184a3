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

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field

from server.domain.errors import InvalidParameter, RecordNotFound
from server.store import schema
from server.store.session import AppSession

from . import email_status

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


class Rule(BaseModel):
    """One of the app's own rules: a glob on the whole address (``*@bounces.example.com``), case-insensitive."""

    model_config = ConfigDict(extra="forbid")
    pattern: str = Field(min_length=1, max_length=320)
    outcome: str = Field(pattern="^(" + "|".join(OUTCOMES) + ")$")


class Settings(BaseModel):
    """The app's deliverability settings (the control API's ``/email/deliverability``)."""

    model_config = ConfigDict(extra="forbid")
    rules: list[Rule] = Field(default_factory=list, max_length=100)
    soft_bounce_limit: int = Field(default=3, ge=1, le=100)  # soft bounces within the window that make a hard one
    soft_bounce_window: int = Field(default=7 * 86400, ge=1, le=366 * 86400)  # seconds of the app's clock

    @classmethod
    def of(cls, s: AppSession) -> Settings:
        return cls.model_validate((s.app.options.get("email") or {}).get("deliverability") or {})


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


def decider(s: AppSession) -> Decider:
    return Decider(Settings.of(s).rules)


def apply(s: AppSession, message_id: int, address: str, outcome: str) -> str:
    """Record ``outcome`` on the message and change its address's status; returns the status it leaves (or
    "" when it changes none)."""
    m = schema.message
    s.update(m, m.c.id == message_id, delivery=outcome, delivery_date=s.now_local())
    s.emit("message.delivery", "message", message_id, outcome=outcome, email=email_status.key(address))
    if outcome == DELIVERED:
        return ""
    token = STATUS_OF[outcome]
    current = email_status.row(s, address)
    if outcome == SOFT_BOUNCE:
        if current is not None and current.type == "HardBounce":
            return "HardBounce"  # a soft bounce never softens a hard one
        settings = Settings.of(s)
        if _soft_bounces(s, address, settings.soft_bounce_window) >= settings.soft_bounce_limit:
            token = "HardBounce"
    if current is None or current.type != token:
        email_status.set_status(s, address, token, REASON_OF[outcome] if token == STATUS_OF[outcome]
                                else f"{Settings.of(s).soft_bounce_limit} soft bounces")
    return token


def _soft_bounces(s: AppSession, address: str, window: int) -> int:
    """The address's soft bounces whose delivery falls within the last ``window`` seconds, this one included."""
    m = schema.message
    since = s.now_local() - timedelta(seconds=window)
    return s.execute(s.select(m, sa.func.count()).where(
        sa.func.lower(m.c.to_address) == email_status.key(address), m.c.delivery == SOFT_BOUNCE,
        m.c.delivery_date >= since)).scalar_one()


def set_outcome(s: AppSession, message_id: int, outcome: str) -> dict:
    """A late bounce or complaint: ``outcome`` arrives for a message captured earlier."""
    if outcome not in OUTCOMES:
        raise InvalidParameter(f"outcome must be one of {', '.join(OUTCOMES)}")
    m = schema.message
    row = s.execute(s.select(m).where(m.c.id == message_id)).first()
    if row is None or row.kind != "email" or row.status != "captured" or not row.to_address:
        raise RecordNotFound(f"no sent email {message_id}")
    status = apply(s, message_id, row.to_address, outcome)
    found = email_status.row(s, row.to_address)
    return {"id": message_id, "to_address": row.to_address, "delivery": outcome,
            "email_status": found.type if found else status or None}
