"""The recipient's side of a captured marketing email: what a person does with it, through the links the
sandbox renders into it (server.domain.mail.messages) and serves (server.public).

- the open-tracking image: an open is recorded when the image is served (seed 000 "Open Rates": only an HTML
  reader who loads images counts); the message's ``opened_date`` and the address's ``LastOpenDate``;
- a tracked link: the click (the link-click goal listens) and where to redirect;
- the unsubscribe link: the address opts out (Manual), for every contact that shares it (seed 004);
- the feedback form of the unsubscribe page: Reported Spam, which "does not count against the threshold"
  (seed 000), so it is a status and nothing more.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from server.store import schema
from server.store.session import AppSession

from . import deliverability, email_status
from .messages import by_token, link_url


def open_(s: AppSession, token: str) -> bool:
    """The tracking image was served: records the open (the first one dates the message). False for an unknown
    token."""
    row = by_token(s, token)
    if row is None:
        return False
    now = s.now_local()
    m = schema.message
    if row.opened_date is None:
        s.update(m, m.c.id == row.id, opened_date=now)
    if row.to_address:
        es = schema.email_status
        s.update(es, es.c.email_key == email_status.key(row.to_address), last_open_date=now)
    s.emit("email.opened", "message", row.id, contact_id=row.contact_id, campaign_id=row.campaign_id,
           broadcast_id=row.broadcast_id)
    return True


class TrackedLink(NamedTuple):
    message: Any  # the message's row
    index: int
    url: str


def tracked_link(s: AppSession, token: str, index: int) -> TrackedLink | None:
    """A message's tracked link ``index`` and the URL it leads to (made safe again: a message recorded before
    link_url may hold a raw control character), or None for an unknown link. Nothing is recorded: the caller
    checks it can redirect there first, then records the click."""
    row = by_token(s, token)
    if row is None or not (0 <= index < len(row.links or [])):
        return None
    return TrackedLink(row, index, link_url(row.links[index]))


def click(s: AppSession, link: TrackedLink) -> None:
    """The tracked link was followed: records the click (the link-click goal listens)."""
    row = link.message
    m = schema.message
    if row.clicked_date is None:
        s.update(m, m.c.id == row.id, clicked_date=s.now_local())
    if row.to_address:
        es = schema.email_status
        s.update(es, es.c.email_key == email_status.key(row.to_address), last_click_date=s.now_local())
    s.emit("link.clicked", "message", row.id, contact_id=row.contact_id, campaign_id=row.campaign_id,
           item_id=row.item_id, url=link.url, index=link.index)


def unsubscribe(s: AppSession, token: str) -> str | None:
    """The unsubscribe link: the address opts out (Manual). Returns the address, or None for an unknown link."""
    row = by_token(s, token)
    if row is None or not row.to_address:
        return None
    email_status.opt_out(s, row.to_address, "Unsubscribed from an email link")
    return row.to_address


class CampaignLink(NamedTuple):
    address: str
    contact_id: int
    campaign_id: int
    campaign: str  # its name


def campaign_of(s: AppSession, token: str) -> CampaignLink | None:
    """The campaign a campaign email's unsubscribe link may let its contact leave alone, if the app allows it
    (the option ``campaign_opt_out``); None otherwise (the link opts the address out of everything)."""
    if not s.app.option("campaign_opt_out"):
        return None
    row = by_token(s, token)
    if row is None or not row.to_address or row.campaign_id is None or row.contact_id is None:
        return None
    c = schema.campaign
    name = s.execute(s.select(c, c.c.name).where(c.c.id == row.campaign_id)).scalar()
    return CampaignLink(row.to_address, row.contact_id, row.campaign_id, name) if name is not None else None


def report_spam(s: AppSession, token: str) -> str | None:
    """The unsubscribe page's feedback form: the address becomes Reported Spam (whatever opt-out it had).
    Returns the address, or None for an unknown link."""
    row = by_token(s, token)
    if row is None or not row.to_address:
        return None
    deliverability.apply(s, row.id, row.to_address, deliverability.SPAM_REPORT)
    return row.to_address
