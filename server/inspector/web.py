"""What every inspector page shares: the blueprint (``/sandbox/ui``), the admin-token gate (a cookie set by the
login form or by ``?token=``), calling the control API's own functions, and showing times in the app's zone.

A state-changing request from another origin is refused (``refuse_cross_origin``): the pages' forms are plain
form posts, which any web page open in the same browser could otherwise send (cross-site request forgery).

The inspector changes nothing itself: every read and every action is the control API's function for it
(``call``), given its validated body or query as the control API would, so the pages and the JSON endpoints
cannot disagree."""
from __future__ import annotations

import hmac
import re
import sys
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from markupsafe import Markup, escape
from pydantic import BaseModel, ValidationError

from server.sandbox.control.common import ControlError, app_named
from server.sandbox.control.contract import refusal
from server.sandbox.control.endpoints import check_path_ids
from server.tables import INT_MAX, stored_id

bp = Blueprint("inspector", __name__, url_prefix="/sandbox/ui", template_folder="templates",
               static_folder="static", static_url_path="/static")
COOKIE = "sandbox_admin"
PAGE = 50  # rows per page of every list
LAST_PAGE = INT_MAX // PAGE  # a page's first row is an offset in the store's integers


class Refused(Exception):
    """A control function's refusal (a ControlError), shown on the page instead of an error body."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def call(view, *, document: tuple[str, str] | None = None, **kwargs):
    """The control API's view ``view`` run as its route runs it once the request is checked (``body=`` and
    ``query=`` already validated; ``document``: the (text, media type) of a view that reads its body itself): its
    JSON answer, or Refused with the control API's message. The errors its blueprint answers (a campaign
    document's problems, a domain error) are answered the same way."""
    owner = sys.modules[view.__module__].bp
    try:
        if document is None:
            answer = current_app.make_response(view.__wrapped__(**kwargs))
        else:
            text, media_type = document
            with current_app.test_request_context(request.path, method="POST", data=text.encode(),
                                                  content_type=media_type, base_url=request.host_url):
                answer = current_app.make_response(view.__wrapped__(**kwargs))
    except Exception as exc:
        handler = _handler(owner, exc)
        if handler is None:
            raise
        answer = current_app.make_response(handler(exc))
    if answer.status_code >= 400:
        error = answer.get_json(silent=True) or {}
        problems = error.get("problems") or []
        message = error.get("error", answer.status) + "".join(f"; {p}" for p in problems)
        raise Refused(answer.status_code, message)
    return answer.get_json(silent=True) if answer.is_json else answer


def _handler(owner: Blueprint, exc: Exception):
    """The error handler ``owner`` (a control blueprint) has for ``exc``, if any."""
    handlers = owner.error_handler_spec.get(None, {}).get(None, {})
    for kind in type(exc).__mro__:
        if kind in handlers:
            return handlers[kind]
    return None


def model(kind: type[BaseModel], values: dict):
    """``values`` (from a form) as the control API's model ``kind``, or Refused naming the fields."""
    try:
        return kind.model_validate({k: v for k, v in values.items() if v not in (None, "")})
    except ValidationError as exc:
        raise Refused(400, refusal("the form", exc, kind).message) from None


def whole_number(form, field: str, *, optional: bool = False) -> int | None:
    """A form's field as a whole number (the control API's bodies take no numbers as text), or Refused naming
    it; None for an empty optional one."""
    text = (form.get(field) or "").strip()
    if optional and not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise Refused(400, f"{field} must be a whole number, not {text!r}") from None


def back(endpoint: str, notice: str | None = None, error: str | None = None, **values):
    """After an action: back to a page, with what happened on it."""
    target = url_for(endpoint, **values)
    shown = {k: v for k, v in (("notice", notice), ("error", error)) if v}
    return redirect(target + ("?" + urlencode(shown) if shown else ""), code=303)


def act(endpoint: str, work: Callable[[], object], *, notice: str | None = None, name: str | None = None,
        **values):
    """What every action answers: the app ``name`` checked (the 404 page when there is none), ``work`` run (the
    control API's calls), then back to the page ``endpoint`` (of ``name``, with ``values``) with ``notice``, or
    the notice ``work`` answers, or with the control API's refusal as the error. Instead of a notice ``work`` may
    answer a whole answer of its own (another page)."""
    if name is not None:
        record_or_404(name)
        values["name"] = name
    try:
        done = work()
    except Refused as exc:
        return back(endpoint, error=exc.message, **values)
    if notice is not None or isinstance(done, str):
        return back(endpoint, notice=notice if notice is not None else done, **values)
    return done


def record_or_404(name: str):
    try:
        return app_named(name)
    except ControlError as exc:
        raise Refused(404, exc.message) from None


# --- the admin token -------------------------------------------------------------------------------------

def _token() -> str | None:
    return current_app.extensions["sandbox"].config.admin_token


def _given(text: str | None) -> bool:
    token = _token()
    return bool(text) and hmac.compare_digest(text.encode(), token.encode())


# --- cross-origin requests -------------------------------------------------------------------------------

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@bp.before_request
def refuse_cross_origin():
    """A form post (any unsafe method) that a browser says comes from another origin is refused: the check of
    Go's ``net/http.CrossOriginProtection`` (Fetch Metadata, then Origin). ``Sec-Fetch-Site`` must be
    ``same-origin`` (or ``none``, the user's own navigation); a browser without it must send an ``Origin`` whose
    host is this request's. A request with neither header is not a browser's cross-site form (``requests``,
    ``curl``): it passes, as the control API's JSON endpoints let it. Same-*site* is not enough: a page on
    another port of 127.0.0.1 is the same site, and cookies (the admin token's, SameSite=Strict) are sent to it."""
    if request.method in SAFE_METHODS:
        return None
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        if fetch_site in ("same-origin", "none"):
            return None
        raise Refused(403, f"refused: a {request.method} from another origin ({fetch_site}); "
                           "use the inspector's own pages")
    origin = request.headers.get("Origin")
    if origin is None:
        return None
    if urlsplit(origin).netloc.lower() == request.host.lower():
        return None
    raise Refused(403, f"refused: a {request.method} from another origin ({origin}); use the inspector's own pages")


@bp.after_request
def frame_only_here(response):
    """The pages are framed by no other origin (a framed page's buttons could be clicked for the user)."""
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    return response


@bp.before_request
def require_login():
    if _token() is None or request.endpoint in ("inspector.static", "inspector.login"):
        return None
    scheme, _, bearer = request.headers.get("Authorization", "").partition(" ")
    if _given(request.cookies.get(COOKIE)) or (scheme.lower() == "bearer" and _given(bearer.strip())):
        return None
    if _given(request.args.get("token")):  # a link with ?token=: remember it, and drop it from the address
        args = {k: v for k, v in request.args.items() if k != "token"}
        response = redirect(request.path + ("?" + urlencode(args) if args else ""), code=303)
        return _remember(response)
    return render("login.html", 401, next=request.full_path, failed=False)


def check_ids_given(ids: dict[str, int]) -> None:
    """Ids past the store's integers (in an address or a form) are the 404 page, as the control API answers them:
    its check, which ``call`` skips by running the view itself."""
    try:
        check_path_ids(ids)
    except ControlError as exc:
        raise Refused(exc.status, exc.message) from None


@bp.before_request
def check_ids():
    check_ids_given(request.view_args or {})


def _remember(response):
    response.set_cookie(COOKIE, _token(), httponly=True, samesite="Strict", path="/")
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    target = inspector_path(request.values.get("next")) or url_for("inspector.apps")
    if _token() is None:
        return redirect(target, code=303)
    if request.method == "POST" and _given(request.form.get("token")):
        return _remember(redirect(target, code=303))
    failed = request.method == "POST"
    return render("login.html", 401 if failed else 200, next=target, failed=failed)


def inspector_path(text: str | None) -> str | None:
    """``text`` if it is a path of this server's inspector (``/``, or under ``/sandbox/ui/``), else None: where a
    sign-in may lead (``?next=``). Browsers drop tabs and newlines from a URL and read a backslash as a slash, so
    a slash, a tab and a slash, or a slash and a backslash, would start another host's address: text with any
    whitespace, control character or backslash is refused."""
    if not text or any(c.isspace() or ord(c) < 32 or c == "\\" for c in text):
        return None
    parts = urlsplit(text)
    if parts.scheme or parts.netloc or not (parts.path == "/" or parts.path.startswith("/sandbox/ui/")):
        return None
    return text


@bp.errorhandler(Refused)
def refused(exc: Refused):
    return render("error.html", exc.status, status=exc.status, message=exc.message)


@bp.route("/<path:unknown>", methods=["GET", "POST"])
def unknown_page(unknown: str):
    """Any other address under /sandbox/ui/: a 404 page in the inspector's layout (rules with fewer variable
    parts match first, so every page above is found before this)."""
    raise Refused(404, f"no inspector page at {request.path}")


# --- times in the app's zone ----------------------------------------------------------------------------

@bp.app_template_filter("local")
def local(value, zone: str | None = None) -> str:
    """An ISO 8601 time (or a datetime) in the app's zone, ``2026-03-09 08:00:00``; a time without a zone is
    already app-local (as the outbox's dates are)."""
    if value in (None, ""):
        return ""
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)  # not a time this reads: shown as it is
    if moment.tzinfo is not None and zone:
        moment = moment.astimezone(ZoneInfo(zone))
    return moment.strftime("%Y-%m-%d %H:%M:%S")


@bp.app_template_filter("own_links")
def own_links(text: str) -> Markup:
    """``text`` escaped, with each address on this server made a link (a notice names the page a new web form got):
    only this server's, since a notice comes in the page's address, where anyone may write one."""
    own = re.escape(request.host_url)
    escaped = str(escape(text))
    return Markup(re.sub(rf'{own}[^\s<>"&]*', lambda m: f'<a href="{m.group()}">{m.group()}</a>', escaped))


@bp.app_template_filter("epoch_local")
def epoch_local(value, zone: str) -> str:
    if value in (None, ""):
        return ""
    return datetime.fromtimestamp(float(value), ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S")


def page_number() -> int:
    """The page of a paged list this request asks for (``?page=``, from 0)."""
    text = request.args.get("page", "0")
    number = stored_id(text)
    if number is None or number > LAST_PAGE:
        raise Refused(400, f"page must be a whole number from 0 to {LAST_PAGE}, not {text!r}")
    return number


def paged(rows: list, number: int) -> dict:
    """Page ``number`` of ``rows`` and whether there are more, for a template that includes ``numbered_pager.html``."""
    return {"rows": rows[number * PAGE:(number + 1) * PAGE], "number": number, "more": len(rows) > (number + 1) * PAGE}


def page_url(**changes) -> str:
    """This page's address with some query parameters changed (None drops one)."""
    args = {k: v for k, v in request.args.items() if k not in ("notice", "error")}
    args.update(changes)
    args = {k: v for k, v in args.items() if v not in (None, "")}
    return request.path + ("?" + urlencode(args) if args else "")


def render(template: str, code: int = 200, **context):
    """A page, with what the last action did (``?notice=`` / ``?error=``) and ``page_url`` for its links."""
    context.setdefault("notice", request.args.get("notice"))
    context.setdefault("error", request.args.get("error"))
    return render_template(template, page_url=page_url, **context), code
