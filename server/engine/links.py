"""The links in captured emails, served at paths of the sandbox's own: a tracked link click (the link-click
goal listens) and the unsubscribe link every marketing email carries (seed 004: an opt-out belongs to the
address, so it reaches every contact that shares it)."""
from __future__ import annotations

import html

from flask import Blueprint, Response, current_app, redirect

from server.domain import messages
from server.store import apps
from server.store.db import transaction
from server.store.session import AppSession

bp = Blueprint("email_links", __name__)


def _app_of(token: str):
    head = token.split("-", 1)[0]
    if not head.isdigit():
        return None
    with transaction(current_app.extensions["sandbox"].engine, write=False) as conn:
        return apps.by_id(conn, int(head))


def _page(text: str, status: int = 200) -> Response:
    body = f"<!doctype html><html><body><p id=\"message\">{html.escape(text)}</p></body></html>"
    return Response(body, status=status, content_type="text/html; charset=utf-8")


@bp.get("/app/linkClick/<token>/<int:index>")
def link_click(token: str, index: int):
    record = _app_of(token)
    if record is None:
        return _page("This link is not valid.", 404)
    with transaction(current_app.extensions["sandbox"].engine, write=True) as conn:
        url = messages.click(AppSession(conn, record), token, index)
    if url is None:
        return _page("This link is not valid.", 404)
    return redirect(url, code=302)


@bp.get("/app/optOut/<token>")
def opt_out(token: str):
    record = _app_of(token)
    if record is None:
        return _page("This link is not valid.", 404)
    with transaction(current_app.extensions["sandbox"].engine, write=True) as conn:
        address = messages.unsubscribe(AppSession(conn, record), token)
    if address is None:
        return _page("This link is not valid.", 404)
    return _page(f"{address} is unsubscribed.")
