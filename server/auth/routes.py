"""OAuth's HTTP endpoints at the real paths: the consent page (GET/POST /app/oauth/authorize), the token
endpoint (POST /token). Who-am-I (GET /crm/rest/v1/oauth/connect/userinfo) is a REST route (server.rest.account)."""
from __future__ import annotations

import html
from urllib.parse import urlencode

from authlib.oauth2.rfc6749.errors import OAuth2Error
from flask import Blueprint, Response, current_app, request

from server.auth.gateway import oauth_client_credential
from server.faults import http as faults
from server.faults.names import OAUTH_TOKEN
from server.gate import Call
from server.journal import entry
from server.store import apps
from server.store.db import transaction

from .oauth import Grantee, basic_username, scope_for

bp = Blueprint("oauth", __name__)


def _oauth():
    return current_app.extensions["sandbox"].oauth.get()


def _engine():
    return current_app.extensions["sandbox"].engine


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Allow access - Infusionsoft sandbox</title></head>
<body>
<h1 id="title">Allow <span id="client-name">{client}</span> to access your account?</h1>
<p id="explanation">It will be able to read and change all the data of the account you pick (scope: full).</p>
<form id="consent" method="post" action="/app/oauth/authorize">
{hidden}
<label for="app">Account</label>
<select id="app" name="app">{options}</select>
<button id="approve" type="submit" name="decision" value="approve">Allow</button>
<button id="deny" type="submit" name="decision" value="deny">Deny</button>
</form>
</body></html>
"""

_ERROR_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Authorization error</title></head>
<body><h1 id="error">{error}</h1><p id="error-description">{description}</p></body></html>
"""

_PASSED = ("client_id", "redirect_uri", "response_type", "scope", "state")


def _error_page(error: str, description: str, status: int = 400) -> Response:
    return Response(_ERROR_PAGE.format(error=html.escape(error), description=html.escape(description)),
                    status=status, content_type="text/html; charset=utf-8")


class ConsentError(Exception):
    """A consent request answered without a redirect (an unknown client, a redirect URI not registered, an
    unknown account, another scope): OAuth's ``error`` and ``description``, and ``field``, the request's
    parameter at fault (None if no one is)."""

    def __init__(self, error: str, description: str, field: str | None):
        super().__init__(f"{error}: {description}")
        self.error, self.description, self.field = error, description, field

    def page(self) -> Response:
        return _error_page(self.error, self.description)


# the request parameter behind each of authlib's errors at the authorization endpoint
_FIELDS = {"invalid_client": "client_id", "unauthorized_client": "client_id", "invalid_scope": "scope",
           "unsupported_response_type": "response_type"}


def _refused(exc: OAuth2Error) -> ConsentError:
    error = getattr(exc, "error", None) or "invalid_request"
    description = getattr(exc, "description", None) or str(exc)
    field = _FIELDS.get(error) or ("redirect_uri" if "redirect" in description.lower() else None)
    return ConsentError(error, description, field)


@bp.get("/app/oauth/authorize")
def authorize_page():
    oauth = _oauth()
    try:
        grant = oauth.server.get_consent_grant()
    except OAuth2Error as exc:  # an invalid client or redirect URI: say so on the page (never redirect there)
        return _refused(exc).page()
    with transaction(_engine(), write=False) as conn:
        records = apps.all_apps(conn)
    hidden = "\n".join(f'<input type="hidden" name="{k}" value="{html.escape(request.args[k], quote=True)}">'
                       for k in _PASSED if k in request.args)
    options = "".join(
        f'<option value="{html.escape(a.name, quote=True)}">{html.escape(a.name)}.infusionsoft.com</option>'
        for a in records)
    return Response(_PAGE.format(client=html.escape(grant.client.row.name), hidden=hidden, options=options),
                    content_type="text/html; charset=utf-8")


@bp.post("/app/oauth/authorize")
def authorize_decision():
    try:
        return authorize(request.form.get("app"), request.form.get("decision") == "approve")
    except ConsentError as refused:
        return refused.page()


def authorize(app_name: str | None, approve: bool, user_id: int | None = None) -> Response:
    """The answer to a consent decision in the current request: a redirect with a code (and Keap's scope
    with the account) or with ``error=access_denied``; a ConsentError if there is nowhere to redirect (or no
    such account). The grant acts as ``user_id`` (the account's first user, its admin, unless the control API
    names another)."""
    oauth = _oauth()
    grantee = None
    if approve:
        if not app_name:
            raise ConsentError("invalid_request", "no account chosen (the app field is missing)", "app")
        with transaction(_engine(), write=False) as conn:
            record = apps.by_name(conn, app_name)
            if record is not None and user_id is None:
                user_id = apps.first_user_id(conn, record.id)
        if record is None:
            raise ConsentError("invalid_request", f"no account named {app_name!r}", "app")
        grantee = Grantee(record, user_id)
    try:
        grant = oauth.server.get_consent_grant(end_user=grantee)
    except OAuth2Error as exc:
        raise _refused(exc) from None
    response = oauth.server.create_authorization_response(grant_user=grantee, grant=grant)
    location = response.headers.get("Location")
    if grantee is not None and location and "code=" in location:
        # Keap's redirect also carries the scope with the account: ?code=…&scope=full%7Capp.infusionsoft.com
        response.headers["Location"] = location + ("&" if "?" in location else "?") + urlencode(
            {"scope": scope_for(grantee.app)})
    return response


@bp.post("/token")
def token():
    call = Call(endpoint="oauth", headers=request.headers, query=request.args)
    form = request.form.to_dict()
    app, client = _oauth().grant_of(form)  # for a fault rule of the app (server.faults)
    injection = current_app.extensions["sandbox"].gate.faults.decide(app, OAUTH_TOKEN, "POST /token", client)
    response = faults.around(injection, request.environ,
                             lambda: _oauth().token_response(form, request.content_type or "",
                                                              request.headers.get("Authorization", "")))
    if injection is not None:
        call.injected = injection.description
    _journal(call, form, response)
    return response


def _journal(call: Call, form: dict, response: Response) -> None:
    """Record a token request (server.journal): in the journal of the app a token was issued for (named in
    the answer's scope, ``full|APP.infusionsoft.com``), else in the journal of calls that name no app."""
    journal = current_app.extensions["sandbox"].journal
    if not journal.active:
        return
    status = response.status_code
    body = response.get_json(silent=True) or {}
    try:
        client_id = form.get("client_id") or basic_username(request.headers.get("Authorization", ""))
    except ValueError:  # credentials that cannot be read (answered as bad ones)
        client_id = None
    if client_id:
        call.credential = oauth_client_credential(client_id)
    scope = body.get("scope") if status == 200 else None
    if isinstance(scope, str) and "|" in scope:
        with transaction(_engine(), write=False) as conn:
            call.app = apps.by_name(conn, scope.split("|", 1)[1].removesuffix(".infusionsoft.com"))
    journal.record(
        call, "oauth", "/token", "POST /token", {"body": entry.bounded(
            {k: entry.redact(v) if k == "code" else v for k, v in form.items()})}, entry.http(status, body))


# GET /crm/rest/v1/oauth/connect/userinfo is served by server.rest.account, through the gateway like every
# REST call.
