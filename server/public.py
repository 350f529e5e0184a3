"""The app's public web pages, at the real service's paths: where web forms are hosted and post (``/app/form/<xid>``,
``/app/form/process/<xid>``), file downloads (``/filebox/<token>/<name>``, a CDN address in the real service),
affiliate redirect links (``/go/<app>/<code>/<affiliate code>``) and the web-tracking script
(``/app/webTracking/getTrackingCode``), and the tracked and unsubscribe links of captured emails
(``/app/linkClick/<token>/<n>``, ``/app/optOut/<token>``, its spam-report form, the open-tracking image
``/app/open/<token>.gif``) and the double opt-in confirmation link (``/app/confirm/<token>``). No key: the ids in
the addresses select the app (server.domain.account.public_urls). Nothing here answers with a stack trace or an
XML-RPC fault."""
from __future__ import annotations

import html
import json
from urllib.parse import quote

from flask import Blueprint, Response, current_app, redirect, request

from server.domain import redirects
from server.domain.account import public_urls
from server.domain.affiliates import programs
from server.domain.crm import files, webforms
from server.domain.errors import SandboxError
from server.domain.mail import confirmations, recipients
from server.engine import manual
from server.store import apps
from server.store.db import transaction
from server.store.session import AppRecord, AppSession
from server.tables import stored_id

bp = Blueprint("public", __name__)

AFFILIATE_COOKIE = "inf_aff_{app}"  # the visitor's referring affiliate, set by a redirect link


def _sandbox():
    return current_app.extensions["sandbox"]


def _base_url() -> str:
    return _sandbox().config.public_url or request.host_url


def _session(conn, app: AppRecord) -> AppSession:
    return _sandbox().env.session(conn, app, base_url=_base_url())


def _app_of(token: str, kind: str) -> tuple[AppRecord, int] | None:
    parsed = public_urls.parse(token)
    if parsed is None:
        return None
    with transaction(_sandbox().engine, write=False) as conn:
        app = apps.by_id(conn, parsed[0])
    if app is None or app.name.startswith(apps.INTERNAL_PREFIX) or not public_urls.matches(token, app, kind):
        return None
    return app, parsed[1]


def _page(status: int, title: str, body: str) -> Response:
    return Response(f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
                    f"</head><body>{body}</body></html>\n", status=status, content_type="text/html; charset=utf-8")


def _not_found() -> Response:
    return _page(404, "Not found", "<h1 id=\"error\">Not found</h1>")


# --- web forms ---------------------------------------------------------------------------------------

@bp.post("/app/form/process/<xid>")
def process_form(xid: str):
    found = _app_of(xid, "webform")
    if found is None:
        return _not_found()
    app, form_id = found
    affiliate_id = stored_id(request.cookies.get(AFFILIATE_COOKIE.format(app=app.id)))
    referral = None if affiliate_id is None else (affiliate_id, request.remote_addr)  # a bad cookie: no referral
    try:
        with transaction(_sandbox().engine, write=True) as conn:
            done = webforms.submit(_session(conn, app), form_id, request.form.to_dict(), referral=referral,
                                   ip=request.remote_addr)
    except webforms.InvalidSubmission as exc:
        items = "".join(f"<li>{html.escape(p)}</li>" for p in exc.problems)
        return _page(400, "Please correct the form",
                     f"<h1 id=\"error\">Please correct the form</h1><ul id=\"problems\">{items}</ul>")
    except SandboxError:
        return _not_found()
    return redirect(done.redirect_to, code=302)


@bp.get("/app/form/<xid>")
def form_page(xid: str):
    """The form's hosted page: its HTML (WebFormService.getHTML's), posting back here."""
    return _form_page(xid, webforms.form_html)


@bp.get("/app/form/thankyou/<xid>")
def thank_you(xid: str):
    return _form_page(xid, webforms.thank_you_page)


def _form_page(xid: str, render) -> Response:
    """The page ``render`` makes of the form ``xid`` names (read-only); an unknown form is not found."""
    found = _app_of(xid, "webform")
    if found is None:
        return _not_found()
    app, form_id = found
    try:
        with transaction(_sandbox().engine, write=False) as conn:
            page = render(_session(conn, app), form_id)
    except SandboxError:
        return _not_found()
    return Response(page, content_type="text/html; charset=utf-8")


# --- files -------------------------------------------------------------------------------------------

@bp.get("/filebox/<token>/<path:name>")
@bp.get("/filebox/<token>")
def download(token: str, name: str | None = None):
    found = _app_of(token, "file")
    if found is None:
        return _not_found()
    app, file_id = found
    with transaction(_sandbox().engine, write=False) as conn:
        got = files.for_download(_session(conn, app), file_id)
    if got is None:
        return _not_found()
    row, data = got
    return Response(data, content_type=row.content_type or "application/octet-stream", headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.file_name)}",
        "Cache-Control": "private, max-age=0"})


# --- affiliate redirect links ------------------------------------------------------------------------

@bp.get("/go/<app_name>/<code>/<aff_code>")
@bp.get("/go/<app_name>/<code>/<aff_code>/")
def follow(app_name: str, code: str, aff_code: str):
    if "\x00" in app_name + code + aff_code:
        return _not_found()  # no name holds one, and PostgreSQL refuses it in a query's text
    with transaction(_sandbox().engine, write=False) as conn:
        app = apps.by_name(conn, app_name)
    if app is None:
        return _not_found()
    with transaction(_sandbox().engine, write=True) as conn:
        found = programs.follow_link(_session(conn, app), code, aff_code)
    if found is None:
        return _not_found()
    target, aff = found  # a Location header already (programs.follow_link)
    response = redirect(target, code=302)
    days = aff.lead_cookie_for or 0
    response.set_cookie(AFFILIATE_COOKIE.format(app=app.id), str(aff.id), max_age=days * 86400 if days > 0 else None,
                        httponly=True, samesite="Lax")
    return response


# --- web tracking ------------------------------------------------------------------------------------

_TRACKING_JS = """/* Infusionsoft sandbox web tracking for {app}: records nothing. */
(function () {{ window.infusionsoftSandboxTracking = {config}; }})();
"""


@bp.get("/app/webTracking/getTrackingCode")
def tracking_code():
    found = _app_of(request.args.get("trackingId", ""), "tracking")
    if found is None:
        return _not_found()
    app, _ = found
    return Response(_TRACKING_JS.format(app=app.name, config=json.dumps({"app": app.name})),
                    content_type="application/javascript; charset=utf-8")


# --- the links in captured emails ------------------------------------------------------------------------
# A marketing email's tracked links (the link-click goal listens) and its unsubscribe link (seed 004: an opt-out
# belongs to the address, so it reaches every contact that shares it). The token names the app and the message.

def _message_app(token: str) -> AppRecord | None:
    app_id = stored_id(token.split("-", 1)[0])
    if app_id is None:
        return None
    with transaction(_sandbox().engine, write=False) as conn:
        app = apps.by_id(conn, app_id)
    return None if app is None or app.name.startswith(apps.INTERNAL_PREFIX) else app


def _on_message(token: str, act):
    """What ``act`` answers, given a session on the app ``token`` names, in one write transaction; None when the
    token names no app."""
    app = _message_app(token)
    if app is None:
        return None
    with transaction(_sandbox().engine, write=True) as conn:
        return act(_session(conn, app))


@bp.get("/app/linkClick/<token>/<int:index>")
def link_click(token: str, index: int):
    """Redirects to the link's URL and records the click; a URL that cannot be a Location header (a host name
    IDNA cannot encode, a bad port) is not found, and no click is recorded, as nobody could follow it."""
    def follow(s):
        link = recipients.tracked_link(s, token, index)
        response = None if link is None else _redirect(link.url)
        if response is not None:
            recipients.click(s, link)
        return response

    response = _on_message(token, follow)
    return _not_found() if response is None else response


def _redirect(url: str) -> Response | None:
    """A 302 to ``url`` with the Location header as it is sent (server.domain.redirects.location), or None when
    it cannot be one."""
    to = redirects.location(url)
    return None if to is None else redirect(to, code=302)


@bp.get("/app/optOut/<token>")
def opt_out(token: str):
    """Unsubscribes, and offers the feedback form that reports the email as spam (seed 000 "Reported SPAM"). When
    the app lets contacts leave one campaign (option ``campaign_opt_out``), a campaign email's link first asks
    which: that campaign only, or all marketing email."""
    # one transaction: the choice to offer, or else the unsubscribe itself
    found = _on_message(token, lambda s: recipients.campaign_of(s, token) or recipients.unsubscribe(s, token))
    if isinstance(found, recipients.CampaignLink):
        action = f"/app/optOut/{html.escape(token)}"
        return _page(200, "Unsubscribe", f"<p id=\"message\">Unsubscribe {html.escape(found.address)}:</p>"
                     f"<form id=\"campaign\" method=\"POST\" action=\"{action}/campaign\"><button type=\"submit\">"
                     f"From {html.escape(found.campaign)} only</button></form>"
                     f"<form id=\"all\" method=\"POST\" action=\"{action}\"><button type=\"submit\">"
                     "From all marketing email</button></form>")
    return _unsubscribed(token, found)


@bp.post("/app/optOut/<token>")
def opt_out_of_all(token: str):
    return _unsubscribed(token, _on_message(token, lambda s: recipients.unsubscribe(s, token)))


def _unsubscribed(token: str, address: str | None):
    if address is None:
        return _not_found()
    return _page(200, "Unsubscribed", f"<p id=\"message\">{html.escape(address)} is unsubscribed.</p>"
                 f"<form id=\"feedback\" method=\"POST\" action=\"/app/optOut/{html.escape(token)}/feedback\">"
                 "<p>Did you ask to receive this email?</p>"
                 "<button type=\"submit\" name=\"spam\" value=\"1\">Report this email as spam</button></form>")


@bp.post("/app/optOut/<token>/campaign")
def opt_out_of_campaign(token: str):
    def leave(s):
        choice = recipients.campaign_of(s, token)
        if choice is not None:
            manual.leave_campaign(s, choice.campaign_id, choice.contact_id)
        return choice

    left = _on_message(token, leave)
    if left is None:
        return _not_found()
    return _page(200, "Unsubscribed", f"<p id=\"message\">{html.escape(left.address)} gets no more email from "
                 f"{html.escape(left.campaign)}.</p>")


@bp.post("/app/optOut/<token>/feedback")
def report_spam(token: str):
    address = _on_message(token, lambda s: recipients.report_spam(s, token))
    if address is None:
        return _not_found()
    return _page(200, "Thank you", f"<p id=\"message\">{html.escape(address)} reported this email as spam.</p>")


# a transparent 1x1 GIF, the open-tracking image
_PIXEL = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")


@bp.get("/app/open/<token>.gif")
def open_image(token: str):
    if not _on_message(token, lambda s: recipients.open_(s, token)):
        return _not_found()
    return Response(_PIXEL, content_type="image/gif", headers={"Cache-Control": "no-store"})


@bp.get("/app/confirm/<token>")
def confirm(token: str):
    """A confirmation email's link: the address becomes Double Opt-In, then the link's page or a thank-you."""
    given = request.args.get("link")
    link_id = None if given is None else stored_id(given)
    done = None if given is not None and link_id is None else \
        _on_message(token, lambda s: confirmations.confirm(s, token, link_id))
    if done is None:
        return _not_found()
    if not done.confirmed:
        return _page(409, "Not confirmed", f"<p id=\"message\">{html.escape(done.email)} cannot be confirmed: its "
                     f"status is {html.escape(done.status)}.</p>")
    response = _redirect(done.redirect_url) if done.redirect_url else None
    if response is not None:
        return response  # a URL no Location header can carry (stored before the check): the page below
    return _page(200, "Confirmed", f"<p id=\"message\">{html.escape(done.email)} is confirmed.</p>")
