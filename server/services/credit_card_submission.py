"""CreditCardSubmissionService.*: the PCI-friendly card flow. A token opens the card-entry page
(``/app/creditCardSubmission/addCreditCard``, served by server.sandbox.card_entry); the card posted there
is read back, without its number, with the token."""
from __future__ import annotations

from server.domain.commerce import cards
from server.domain.session import AppSession
from server.xmlrpc.methods import P, xmlrpc


@xmlrpc("CreditCardSubmissionService.requestSubmissionToken", P.INT, P.STRING, P.STRING)
def request_submission_token(s: AppSession, contact_id: int, success_url: str, failure_url: str) -> str:
    return cards.request_token(s, contact_id, success_url, failure_url)


@xmlrpc("CreditCardSubmissionService.requestCreditCardId", P.STRING, writes=False)
def request_credit_card_id(s: AppSession, token: str) -> dict:
    return cards.card_for_token(s, token)
