"""Double opt-in (seed 000 "Confirmation Email", "Double Opt-In"): a confirmation email, captured in the outbox,
carries a link the sandbox serves (``/app/confirm/<token>``); following it moves the address from Single
Opt-In (or Unengaged, or Non-Marketable: the click is explicit consent) to Double Opt-In, for every contact
sharing it (seed 004), visible as ``getOptStatus`` 2 and REST's ``DoubleOptin``.

Any email may carry one: ``~Confirmation.Link~`` (or ``~Confirmation.Link<N>~`` for the app's link N) in a
template, a campaign email or a sendEmail becomes the message's own confirmation link when the outbox records it.

An app has several confirmation links (seed 004: "you can create multiple Double Opt-In links"), each with its
own email and where it leads after the click, and the web forms that ask for it (``webform_ids``). They live in
the app's options (``email.confirmation_links``); link 0, the default, needs no setting up.

The API's opt-in (XML-RPC ``APIEmailService.optIn``, REST v1 ``PUT /emailAddresses/{email}`` and
``opt_in_reason``, REST v2's opt-in) sends one too when the app's option ``api_opt_in_confirmation`` is on (the
real product decides it by an account setting, not by the call): the email of link
``api_opt_in_confirmation_link``, to an address the call opted in (``api_opt_in``).
"""
from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from server.domain.errors import InvalidParameter, RecordNotFound
from server.store import schema
from server.store.session import AppSession

from . import email_status, messages

if TYPE_CHECKING:
    from .confirmation_links import ConfirmationLink

CONFIRMED = "DoubleOptin"
# the statuses a confirmation click confirms; an opt-out, a bounce or an invalid address stays as it is
CONFIRMS_FROM = {"SingleOptIn", "UnengagedMarketable", "UnengagedNonMarketable", "NonMarketable"}
LINK_PLACEHOLDER = "~Confirmation.Link~"


def request(s: AppSession, email: str, link_id: int = 0, *, contact_id: int | None = None) -> int:
    """Send the confirmation email of link ``link_id`` to ``email`` (a one-off: it goes to a non-marketable
    address, which is what it is for); returns the message id."""
    from . import confirmation_links  # noqa: PLC0415  (pydantic's description of the links: by first use)

    chosen = confirmation_links.link(s, link_id)
    if not email_status.is_valid(email):
        raise InvalidParameter(f"{email} is not a valid email address")
    email_status.ensure(s, email)
    profile = s.app.profile or {}
    text = chosen.text.replace(LINK_PLACEHOLDER, f"~Confirmation.Link{chosen.id or ''}~")
    [message_id] = messages.record(s, [messages.Outgoing(
        kind="email", origin="confirmation", contact_id=contact_id, to_address=email.strip(),
        subject=chosen.subject, text_body=text, html_body=_html(text), content_type="Multipart",
        from_address=profile.get("email"), from_name=profile.get("name"),
        reason=messages.verdicts(s, [email], marketing=False)[0])])
    s.emit("email.confirmation_requested", "message", message_id, email=email_status.key(email),
           link_id=chosen.id, contact_id=contact_id)
    return message_id


def api_opt_in(s: AppSession, email: str, reason: str, *, rest: bool = False) -> bool:
    """The API's opt-in of ``email`` under XML-RPC's rule (``rest``: REST's); when it opted the address in and the
    app asks for confirmation (option ``api_opt_in_confirmation``), the confirmation email goes out."""
    done = (email_status.opt_in_rest if rest else email_status.opt_in)(s, email, reason)
    if done and s.app.option("api_opt_in_confirmation"):
        link_id = s.app.option("api_opt_in_confirmation_link")
        from . import confirmation_links  # noqa: PLC0415

        if all(x.id != link_id for x in confirmation_links.links(s)):
            raise InvalidParameter(f"the app's option api_opt_in_confirmation_link names no confirmation link "
                                   f"({link_id})")
        sharing = email_status.sharing_contacts(s, [email])
        request(s, email, link_id, contact_id=sharing[0][0] if sharing else None)
    return done


def _html(text: str) -> str:
    """The text as HTML, its confirmation link a link."""
    return "<p>" + messages.CONFIRMATION_LINK.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>',
                                                  html_lib.escape(text)) + "</p>"


def stored_links(s: AppSession) -> list[dict]:
    """The app's own links as stored (its ``email.confirmation_links`` option)."""
    return (s.app.options.get("email") or {}).get("confirmation_links") or []


def for_webform(s: AppSession, form_id: int) -> ConfirmationLink | None:
    """The confirmation link a web form asks for, if any."""
    if not stored_links(s):
        return None  # (the app has none: pydantic's description of them not loaded)
    from . import confirmation_links  # noqa: PLC0415  (pydantic's description of the links: by first use)

    return next((x for x in confirmation_links.stored(s) if form_id in x.webform_ids), None)


@dataclass(frozen=True)
class Confirmation:
    email: str
    confirmed: bool  # False: the address is opted out, bounced or invalid, and stays so
    status: str
    redirect_url: str | None


def confirm(s: AppSession, token: str, link_id: int | None = None) -> Confirmation | None:
    """The confirmation link ``link_id`` of the message ``token`` was followed (None: the first one it carries);
    None for an unknown link: a message that carries no confirmation link, or not that one (the number is the
    email's, not the visitor's to choose), or a link deleted since."""
    row = messages.by_token(s, token)
    if row is None or not row.to_address:
        return None
    carried = [int(n) for n in re.findall(rf"/app/confirm/{re.escape(token)}\?link=([0-9]+)",
                                           (row.html_body or "") + (row.text_body or ""))]
    if link_id is None and carried:
        link_id = carried[0]
    if link_id not in carried:
        return None
    from . import confirmation_links  # noqa: PLC0415

    try:
        chosen = confirmation_links.link(s, link_id)
    except RecordNotFound:
        return None
    current = email_status.row(s, row.to_address)
    token_now = current.type if current is not None else "NonMarketable"
    if token_now in CONFIRMS_FROM:
        email_status.set_status(s, row.to_address, CONFIRMED, f"Confirmed: {chosen.name}")
        token_now = CONFIRMED
    m = schema.message
    if row.clicked_date is None:
        s.update(m, m.c.id == row.id, clicked_date=s.now_local())
    return Confirmation(email=row.to_address, confirmed=token_now == CONFIRMED, status=token_now,
                        redirect_url=chosen.redirect_url)
