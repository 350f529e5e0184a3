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

from pydantic import BaseModel, ConfigDict, Field

from server.domain.errors import InvalidParameter, RecordNotFound
from server.store import schema
from server.store.session import AppSession

from . import email_status, messages

CONFIRMED = "DoubleOptin"
# the statuses a confirmation click confirms; an opt-out, a bounce or an invalid address stays as it is
CONFIRMS_FROM = {"SingleOptIn", "UnengagedMarketable", "UnengagedNonMarketable", "NonMarketable"}
LINK_PLACEHOLDER = "~Confirmation.Link~"


class ConfirmationLink(BaseModel):
    """One double opt-in link: the email that carries it, where a click leads, the forms that send it."""

    model_config = ConfigDict(extra="forbid")
    id: int = 0
    name: str = Field(default="Email confirmation", min_length=1, max_length=200)
    subject: str = Field(default="Please confirm your subscription", min_length=1, max_length=500)
    text: str = Field(default=f"Please confirm your email address: {LINK_PLACEHOLDER}", max_length=20000)
    redirect_url: str | None = Field(default=None, pattern=r"^https?://\S+$", max_length=2000)
    webform_ids: list[int] = Field(default_factory=list, max_length=1000)


DEFAULT = ConfirmationLink()


def _stored(s: AppSession) -> list[ConfirmationLink]:
    return [ConfirmationLink.model_validate(x)
            for x in (s.app.options.get("email") or {}).get("confirmation_links") or []]


def links(s: AppSession) -> list[ConfirmationLink]:
    return [DEFAULT, *_stored(s)]


def link(s: AppSession, link_id: int) -> ConfirmationLink:
    found = next((x for x in links(s) if x.id == link_id), None)
    if found is None:
        raise RecordNotFound(f"no confirmation link {link_id}")
    return found


def with_link(stored: list[dict], new: ConfirmationLink) -> tuple[list[dict], ConfirmationLink]:
    """The app's stored links with ``new`` added under the next id."""
    new = new.model_copy(update={"id": max([x.get("id", 0) for x in stored] + [0]) + 1})
    return [*stored, new.model_dump()], new


def request(s: AppSession, email: str, link_id: int = 0, *, contact_id: int | None = None) -> int:
    """Send the confirmation email of link ``link_id`` to ``email`` (a one-off: it goes to a non-marketable
    address, which is what it is for); returns the message id."""
    chosen = link(s, link_id)
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
        if all(x.id != link_id for x in links(s)):
            raise InvalidParameter(f"the app's option api_opt_in_confirmation_link names no confirmation link "
                                   f"({link_id})")
        sharing = email_status.sharing_contacts(s, [email])
        request(s, email, link_id, contact_id=sharing[0][0] if sharing else None)
    return done


def _html(text: str) -> str:
    """The text as HTML, its confirmation link a link."""
    return "<p>" + messages.CONFIRMATION_LINK.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>',
                                                  html_lib.escape(text)) + "</p>"


def for_webform(s: AppSession, form_id: int) -> ConfirmationLink | None:
    """The confirmation link a web form asks for, if any."""
    return next((x for x in _stored(s) if form_id in x.webform_ids), None)


class Confirmation(BaseModel):
    email: str
    confirmed: bool  # False: the address is opted out, bounced or invalid, and stays so
    status: str
    redirect_url: str | None


def confirm(s: AppSession, token: str, link_id: int = 0) -> Confirmation | None:
    """The confirmation link was followed; None for an unknown link."""
    row = messages.by_token(s, token)
    if row is None or not row.to_address or f"/app/confirm/{token}" not in (row.html_body or "") + (
            row.text_body or ""):  # only an email that carries a confirmation link
        return None
    try:
        chosen = link(s, link_id)
    except RecordNotFound:
        chosen = DEFAULT
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
