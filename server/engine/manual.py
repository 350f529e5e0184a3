"""By hand: a user starts or stops contacts in a published campaign's sequence (the control API and REST)."""
from __future__ import annotations

from server.domain.errors import RecordNotFound
from server.domain.mail import emails
from server.store import schema
from server.store.schema import LIVE_STATES
from server.store.session import AppSession

from . import campaigns, goals, published
from .context import context
from .events import settle


def add_to_sequence(s: AppSession, campaign_id: int, sequence_id: int, contact_ids: list[int]) -> dict[int, str]:
    """``SUCCESS``, ``ALREADY_IN_SEQUENCE``, ``CONTACT_DOES_NOT_EXIST`` per contact (REST v2's enum). Starting
    by hand begins at the very start; a contact already in the sequence is not reset (vendor KB)."""
    compiled, _ = _sequence(s, campaign_id, sequence_id)
    ctx = context(s)
    out = {}
    was_busy, ctx.busy = ctx.busy, True
    try:
        for contact_id in contact_ids:
            if not emails.contact_exists(s, contact_id):
                out[contact_id] = "CONTACT_DOES_NOT_EXIST"
                continue
            flows = goals.start_sequence(ctx, compiled, sequence_id, contact_id, "manual", None)
            out[contact_id] = "SUCCESS" if flows and flows[0].success else "ALREADY_IN_SEQUENCE"
        settle(ctx)
    finally:
        ctx.busy = was_busy
    return out


def remove_from_sequence(s: AppSession, campaign_id: int, sequence_id: int, contact_ids: list[int]) -> int:
    _sequence(s, campaign_id, sequence_id)
    e = schema.enrollment
    now = s.clock.now().timestamp()
    return s.update(e, e.c.sequence_id == sequence_id, e.c.contact_id.in_(contact_ids), e.c.state.in_(LIVE_STATES),
                    state="removed", due_at=None, ended_at=now).rowcount


def leave_campaign(s: AppSession, campaign_id: int, contact_id: int) -> int:
    """The contact leaves every sequence of the campaign it is in (``removed``, as when stopped by hand): an
    unsubscribe from that campaign only (server.domain.mail.recipients.campaign_of). Returns how many it left."""
    e = schema.enrollment
    left = s.update(e, e.c.campaign_id == campaign_id, e.c.contact_id == contact_id, e.c.state.in_(LIVE_STATES),
                    state="removed", due_at=None, ended_at=s.clock.now().timestamp()).rowcount
    s.emit("campaign.left", "contact", contact_id, campaign_id=campaign_id, sequences=left)
    return left


def remove_results(s: AppSession, campaign_id: int, sequence_id: int, contact_ids: list[int]) -> dict[int, str]:
    """``SUCCESS`` (no longer in the sequence) or ``CONTACT_DOES_NOT_EXIST`` per contact (REST v2's enum)."""
    exists = {c for c in contact_ids if emails.contact_exists(s, c)}
    remove_from_sequence(s, campaign_id, sequence_id, sorted(exists))
    return {c: "SUCCESS" if c in exists else "CONTACT_DOES_NOT_EXIST" for c in contact_ids}


def _sequence(s: AppSession, campaign_id: int, sequence_id: int):
    row = campaigns.get(s, campaign_id)
    if row.status != campaigns.PUBLISHED:
        raise campaigns.CampaignNotFound(campaign_id)
    compiled = published.load_graph(s, campaign_id, row.version)
    if sequence_id not in compiled.sequences:
        raise RecordNotFound(f"Record not found for Id:{sequence_id}")
    return compiled, compiled.sequences[sequence_id]
