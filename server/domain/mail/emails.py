"""Sending email to contacts: merge fields rendered per contact, recorded in the outbox (server.domain.mail.messages).

APIEmailService.sendEmail is a one-off send by a user or an integration (allowed to non-marketable addresses,
spec §6.5); campaign, follow-up and action-set emails are marketing sends (the engine calls ``send`` with
``marketing=True``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from server.domain.data import listing
from server.domain.errors import RecordNotFound
from server.store import schema
from server.store.prepared import PreparedAll
from server.store.session import AppSession

from . import merge_fields, messages, templates

CONTACT_EMAIL = "~Contact.Email~"


@dataclass(frozen=True)
class Draft:
    """An email before merging: what a template or a sendEmail call gives."""

    subject: str
    html_body: str = ""
    text_body: str = ""
    content_type: str = "HTML"
    from_address: str = ""
    to_address: str = CONTACT_EMAIL
    cc: str = ""
    bcc: str = ""
    from_name: str = ""
    template_id: int | None = None

    @classmethod
    def of_template(cls, s: AppSession, template_id: int) -> Draft:
        t = templates.get(s, template_id)
        return cls(subject=t["subject"], html_body=t["htmlBody"], text_body=t["textBody"],
                   content_type=t["contentType"] or "HTML", from_address=t["fromAddress"],
                   to_address=t["toAddress"] or CONTACT_EMAIL, cc=t["ccAddress"], bcc=t["bccAddress"],
                   template_id=template_id)


def missing_contacts(s: AppSession, contact_ids: list[int]) -> list[int]:
    """The ids of ``contact_ids`` that name no contact, in order."""
    c = schema.contact
    ids = sorted(set(contact_ids))
    found = set()
    for i in range(0, len(ids), 500):
        found.update(r.id for r in s.execute(s.select(c, c.c.id).where(c.c.id.in_(ids[i:i + 500]))))
    return [i for i in dict.fromkeys(contact_ids) if i not in found]


def require_contacts(s: AppSession, contact_ids: list[int]) -> None:
    missing = missing_contacts(s, contact_ids)
    if missing:
        raise RecordNotFound(f"Record not found for Id:{missing[0]}")


def send(s: AppSession, contact_ids: list[int], draft: Draft, *, origin: str, marketing: bool,
         campaign_fields: dict | None = None, keys: list[str | None] | None = None,
         context: dict | None = None) -> list[tuple[int, str | None]]:
    """Render ``draft`` for each contact and record it; returns ``(message id, skip reason)`` per contact.
    ``context`` adds columns to every message (campaign_id, sequence_id, item_id); ``keys`` are their
    idempotency keys, so a replayed step records nothing twice."""
    parts = (draft.subject, draft.html_body, draft.text_body, draft.to_address, draft.from_address, draft.cc,
             draft.bcc, draft.from_name)
    used = merge_fields.tokens(*parts)
    ctxs = merge_fields.contexts(s, contact_ids, used, campaign_fields=campaign_fields, user_id=s.user_id)
    merged = [(i, merge_fields.Compiled(p, html=i == 1))  # parts[1]: the HTML body, its values escaped
              for i, p in enumerate(parts) if p and "~" in p]  # the others: the same for everyone
    rendered = []
    for contact_id in contact_ids:
        ctx = ctxs[contact_id]
        values = list(parts)
        for i, compiled in merged:
            values[i] = compiled.render(ctx)
        rendered.append(values)
    reasons = messages.verdicts(s, [r[3].split(",")[0].strip() if r[3] else None for r in rendered],
                                marketing=marketing)
    out = [messages.Outgoing(
        kind="email", origin=origin, contact_id=contact_id, to_address=r[3], subject=r[0],
        html_body=r[1] if draft.content_type in ("HTML", "Multipart") else None,
        text_body=r[2] if draft.content_type in ("Text", "Multipart") else None,
        content_type=draft.content_type, from_address=r[4], cc=r[5], bcc=r[6], from_name=r[7], reason=reason,
        template_id=draft.template_id, user_id=s.user_id, marketing=marketing,
        idempotency_key=keys[i] if keys else None, **(context or {}))
        for i, (contact_id, r, reason) in enumerate(zip(contact_ids, rendered, reasons))]
    ids = messages.record(s, out)  # a replayed step never gets here twice (its step run is recorded)
    by_contact = {m.contact_id: (i, m.reason) for i, m in zip(ids, out)}
    return [by_contact.get(c, (0, None)) for c in contact_ids]


def send_to_addresses(s: AppSession, addresses: list[str], draft: Draft) -> list[tuple[str, str | None]]:
    """sendEmailWithStatus (yail): one-off emails to plain addresses, no contact to merge."""
    used = merge_fields.tokens(draft.subject, draft.html_body, draft.text_body)
    ctx = merge_fields.context(s, None, used, user_id=s.user_id)
    reasons = messages.verdicts(s, addresses, marketing=False)
    out = [messages.Outgoing(kind="email", origin="api", contact_id=None, to_address=a,
                             subject=merge_fields.render(draft.subject, ctx),
                             html_body=merge_fields.render(draft.html_body, ctx, html=True) or None,
                             text_body=merge_fields.render(draft.text_body, ctx) or None,
                             content_type=draft.content_type, from_address=draft.from_address, cc=draft.cc,
                             bcc=draft.bcc, reason=reason, user_id=s.user_id)
           for a, reason in zip(addresses, reasons)]
    messages.record(s, out)
    return [(a, r) for a, r in zip(addresses, reasons)]


_CONTACT = PreparedAll(sa.select(schema.contact.c.id).where(schema.contact.c.app_id == sa.bindparam("app_id"),
                                                            schema.contact.c.id == sa.bindparam("id")))


def contact_exists(s: AppSession, contact_id: int) -> bool:
    return s.first(_CONTACT, id=contact_id) is not None


def history_count(s: AppSession, contact_id: int) -> int:
    m = schema.message
    return s.execute(s.select(m, sa.func.count()).where(m.c.contact_id == contact_id)).scalar_one()


class HistoryEmail(NamedTuple):
    """An email of a contact's history (sent, captured, logged or recorded), as the REST APIs show it; times
    are app-local."""

    id: int
    contact_id: int | None
    subject: str | None
    headers: str | None
    from_address: str | None
    reply_to: str | None
    to_address: str | None
    cc: str | None
    bcc: str | None
    sent_date: datetime | None
    received_date: datetime | None
    opened_date: datetime | None
    clicked_date: datetime | None
    original_provider: str | None
    original_provider_id: str | None
    provider_source_id: str | None
    origin: str
    html_body: str | None
    text_body: str | None

    @property
    def provider(self) -> str:
        """What the sandbox sent is Infusionsoft's; what was logged from elsewhere says where from."""
        return self.original_provider or ("UNKNOWN" if self.origin == "attached" else "INFUSIONSOFT")


_M = schema.message
_HISTORY = [_M.c.kind == "email", _M.c.status != "skipped"]
_HISTORY_COLUMNS = [getattr(_M.c, name) for name in HistoryEmail._fields]
HISTORY_FIELDS = listing.Fields({"id": _M.c.id, "contact_id": _M.c.contact_id, "email": _M.c.to_address,
                                 "sent_time": _M.c.sent_date}, text=frozenset({"email"}))


def _history_email(row) -> HistoryEmail:
    return HistoryEmail(*(getattr(row, name) for name in HistoryEmail._fields))


def history(s: AppSession, *, contact_id: int | None = None, email: str | None = None, since=None, until=None,
            ordered: bool = True, limit: int = 1000, offset: int = 0) -> tuple[list[HistoryEmail], int]:
    """``(emails, total)``: the email history (emails sent, captured by the outbox, logged by attachEmail or
    recorded through REST; not the skipped ones), newest first unless ``ordered`` is off (then by id).
    ``since``/``until`` bound the sent date (app-local)."""
    m = _M
    where = list(_HISTORY)
    if contact_id is not None:
        where.append(m.c.contact_id == contact_id)
    if email:
        where.append(sa.func.lower(m.c.to_address) == email.strip().lower())
    if since is not None:
        where.append(m.c.sent_date >= since)
    if until is not None:
        where.append(m.c.sent_date <= until)
    total = s.execute(s.select(m, sa.func.count()).where(*where)).scalar_one()
    order = m.c.id.desc() if ordered else m.c.id
    rows = s.execute(s.select(m, *_HISTORY_COLUMNS).where(*where).order_by(order).limit(limit).offset(offset)).all()
    return [_history_email(r) for r in rows], total


def page_history(s: AppSession, q: listing.ListQuery) -> listing.Page[HistoryEmail]:
    """A page of the email history under ``q`` (REST v2 lists)."""
    return listing.page(s, s.select(_M, *_HISTORY_COLUMNS).where(*_HISTORY), HISTORY_FIELDS, q, _history_email)


def history_entry(s: AppSession, message_id: int) -> HistoryEmail | None:
    """One email of the history, or None."""
    row = s.execute(s.select(_M, *_HISTORY_COLUMNS).where(_M.c.id == message_id, *_HISTORY)).first()
    return None if row is None else _history_email(row)
