"""APIEmailService.* (the opt-in methods; templates and sending come with the e-commerce/email issue).

The wire name is APIEmailService although SDKs call the class EmailService (spec §2.3)."""
from __future__ import annotations

from server.domain import email_status
from server.store.session import AppSession
from server.xmlrpc.methods import P, xmlrpc


@xmlrpc("APIEmailService.optIn", P.STRING, P.STRING)
def opt_in(s: AppSession, email: str, reason: str) -> bool:
    return email_status.opt_in(s, email, reason)


@xmlrpc("APIEmailService.optOut", P.STRING, P.STRING)
def opt_out(s: AppSession, email: str, reason: str) -> bool:
    return email_status.opt_out(s, email, reason)


@xmlrpc("APIEmailService.getOptStatus", P.STRING, writes=False)
def get_opt_status(s: AppSession, email: str) -> int:
    return email_status.opt_status(s, email)
