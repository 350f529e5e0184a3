"""The email history of contacts (what REST ``GET /contacts/{id}/emails`` and ``GET /emails`` list).

Sent emails are recorded by the outbox that the campaign engine and APIEmailService.sendEmail write (the
lead's work): until it exists there is no history, and these functions answer an empty list.
"""
from __future__ import annotations

from server.store.session import AppSession


def sent_to_contact(s: AppSession, contact_id: int, *, email: str | None = None, limit: int = 1000,
                    offset: int = 0) -> tuple[list[dict], int]:
    """``(records, total)``: the emails sent to ``contact_id`` (to ``email`` only, when given), newest first,
    each a dict of the REST ``EmailSentQueryResult`` shape (``id, contact_id, subject, headers,
    sent_from_address, sent_from_reply_address, sent_to_address, sent_to_cc_addresses,
    sent_to_bcc_addresses, sent_date, received_date, opened_date, clicked_date, original_provider,
    original_provider_id``)."""
    return [], 0
