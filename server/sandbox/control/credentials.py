"""The control API for credentials: OAuth clients (developer apps), approving consent on a user's behalf,
revoking grants and expiring tokens, Keap API keys (Personal Access Tokens, Service Account Keys), and the
legacy key."""
from __future__ import annotations

from datetime import datetime
from typing import Literal
from urllib.parse import parse_qs, urlencode, urlsplit

from flask import Blueprint, current_app, jsonify
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from server.auth.routes import authorize
from server.clock import UTC, parse_duration
from server.domain.account import users
from server.domain.errors import RecordNotFound
from server.sandbox.seeding.bootstrap import remember_key
from server.store import apps, credentials
from server.store.db import transaction

from .common import ControlError, app_named, control_error, current_sandbox, json_body, parsed, require_admin

bp = Blueprint("sandbox_credentials", __name__, url_prefix="/sandbox")
bp.before_request(require_admin)
bp.register_error_handler(ControlError, control_error)


def _client_json(row) -> dict:
    return {"client_id": row["client_id"] if isinstance(row, dict) else row.client_id,
            "client_secret": row["client_secret"] if isinstance(row, dict) else row.client_secret,
            "name": row["name"] if isinstance(row, dict) else row.name,
            "redirect_uris": list(row["redirect_uris"] if isinstance(row, dict) else row.redirect_uris)}


@bp.post("/oauth/clients")
def create_client():
    body = json_body()
    name, uris = body.get("name"), body.get("redirect_uris")
    if not isinstance(name, str) or not name.strip():
        raise ControlError(400, "name is required")
    if not isinstance(uris, list) or not uris or not all(isinstance(u, str) and "://" in u for u in uris):
        raise ControlError(400, "redirect_uris must be a non-empty list of absolute URLs")
    with transaction(current_sandbox().engine, write=True) as conn:
        if body.get("client_id") and credentials.client(conn, body["client_id"]) is not None:
            raise ControlError(409, f"a client {body['client_id']!r} exists")
        row = credentials.add_client(conn, name, uris, client_id=body.get("client_id"),
                                     client_secret=body.get("client_secret"))
    return jsonify(_client_json(row)), 201


@bp.get("/oauth/clients")
def list_clients():
    with transaction(current_sandbox().engine, write=False) as conn:
        return jsonify({"clients": [_client_json(r) for r in credentials.clients(conn)]})


@bp.delete("/oauth/clients/<client_id>")
def delete_client(client_id: str):
    with transaction(current_sandbox().engine, write=True) as conn:
        if not credentials.delete_client(conn, client_id):
            raise ControlError(404, f"no client {client_id!r}")
    return jsonify({"deleted": client_id})


@bp.post("/oauth/authorize")
def approve():
    """Approve (or deny) consent on a user's behalf, without a browser: the body carries what the consent
    page would (``client_id``, ``redirect_uri``, ``app``, optional ``scope``, ``state``, ``approve``);
    the answer has the redirect and, when approved, the code."""

    body = json_body()
    missing = [k for k in ("client_id", "redirect_uri") if not body.get(k)]
    if missing:
        raise ControlError(400, f"missing {', '.join(missing)}")
    query = {"client_id": body["client_id"], "redirect_uri": body["redirect_uri"], "response_type": "code",
             "scope": body.get("scope", "full")}
    if body.get("state") is not None:
        query["state"] = body["state"]
    app_name = body.get("app") or current_app.extensions["sandbox"].config.default_app
    user_id = body.get("user_id")
    if user_id is not None:
        _user_of(app_named(app_name), user_id)  # the user who approves (the account's first user by default)
    with current_app.test_request_context("/app/oauth/authorize?" + urlencode(query), method="GET"):
        response = authorize(app_name, bool(body.get("approve", True)), user_id)
    location = response.headers.get("Location")
    if not location:
        raise ControlError(400, response.get_data(as_text=True))
    params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    return jsonify({"redirect_to": location, **params})


@bp.post("/oauth/revoke")
def revoke():
    """Revoke the grant an access or refresh token belongs to (as a user does in the Keap app): every token of
    it, access and refresh, current and rotated, stops working."""
    token = json_body().get("token")
    if not isinstance(token, str) or not token:
        raise ControlError(400, "token is required")
    with transaction(current_sandbox().engine, write=True) as conn:
        count = credentials.revoke_token(conn, token)
    if not count:
        raise ControlError(404, "no such token")
    return jsonify({"revoked": count})


class ExpireToken(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: StrictStr = Field(min_length=1)  # an access or a refresh token of the grant
    which: Literal["access", "refresh", "both"] = "access"


@bp.post("/oauth/tokens/expire")
def expire_token():
    """Expire a token now, on its app's clock, as if its lifetime had run out: ``{"token": ..., "which":
    "access" | "refresh" | "both"}`` (``token`` is the access or the refresh token of the pair)."""
    body = parsed(ExpireToken, json_body())
    with transaction(current_sandbox().engine, write=True) as conn:
        row = credentials.by_access_token(conn, body.token) or credentials.by_refresh_token(conn, body.token)
        if row is None:
            raise ControlError(404, "no such token")
        if row.revoked or row.rotated:
            raise ControlError(409, "that token no longer works: its grant was revoked" if row.revoked else
                               "that token no longer works: its refresh token was used (rotated)")
        now = apps.by_id(conn, row.app_id).clock_state.timestamp()
        if body.which in ("access", "both"):
            credentials.expire_access(conn, row.id, now)
        if body.which in ("refresh", "both"):
            credentials.expire_refresh(conn, row.id, now)
    expired = ["access", "refresh"] if body.which == "both" else [body.which]
    return jsonify({"expired": expired, "at": datetime.fromtimestamp(now, UTC).isoformat()})


@bp.post("/apps/<name>/api-keys")
def create_api_key(name: str):
    """Make a Personal Access Token (``"kind": "pat"``) or Service Account Key (``"sak"``); the key is in
    this answer only, as in the real app."""
    record = app_named(name)
    body = json_body()
    kind = body.get("kind", "pat")
    if kind not in credentials.KEY_PREFIXES:
        raise ControlError(400, "kind must be pat or sak")
    user_id = body.get("user_id")
    # a PAT acts as the user who made it; only an administrator can make a SAK (spec rest-oauth §10.1)
    if user_id is not None and not _user_of(record, user_id)["admin"] and kind == "sak":
        raise ControlError(400, "a Service Account Key can only be made by an administrator")
    with transaction(current_sandbox().engine, write=True) as conn:
        key_id, key = credentials.add_key(conn, record.id, kind, str(body.get("name") or kind.upper()), user_id)
    return jsonify({"id": key_id, "kind": kind, "key": key, "name": body.get("name") or kind.upper()}), 201


@bp.get("/apps/<name>/api-keys")
def list_api_keys(name: str):
    record = app_named(name)
    with transaction(current_sandbox().engine, write=False) as conn:
        rows = credentials.keys_of_app(conn, record.id)
    return jsonify({"keys": [{"id": r.id, "kind": r.kind, "name": r.name, "hint": r.hint, "revoked": r.revoked,
                              "created_at": r.created_at.isoformat()} for r in rows]})


@bp.delete("/apps/<name>/api-keys/<int:key_id>")
def revoke_api_key(name: str, key_id: int):
    record = app_named(name)
    with transaction(current_sandbox().engine, write=True) as conn:
        if not credentials.revoke_key(conn, record.id, key_id):
            raise ControlError(404, f"no active key {key_id}")
    return jsonify({"revoked": key_id})


@bp.post("/apps/<name>/legacy-key")
def rotate_legacy_key(name: str):
    """Rotate the app's legacy API key (``{"key": "…"}`` to choose it); the old key stops working at once."""
    record = app_named(name)
    wanted = json_body().get("key")
    if wanted is not None and (not isinstance(wanted, str) or len(wanted) < 8):
        raise ControlError(400, "key must be a string of at least 8 characters")
    with transaction(current_sandbox().engine, write=True) as conn:
        if wanted and apps.by_legacy_key(conn, wanted) is not None:
            raise ControlError(409, "that key is in use")
        key = apps.rotate_legacy_key(conn, record.id, wanted)
    config = current_sandbox().config
    if name == config.default_app:

        remember_key(config, key)  # the data dir's key file follows the default app's key
    return jsonify({"app": name, "legacy_api_key": key})


# --- users: who PATs and OAuth grants act as, and their passwords --------------------------------------

def _user_of(record, user_id) -> dict:

    if isinstance(user_id, bool) or not isinstance(user_id, int):
        raise ControlError(400, "user_id must be a user's id")
    with transaction(current_sandbox().engine, write=False) as conn:
        for user in users.all_users(current_sandbox().env.session(conn, record)):
            if user["id"] == user_id:
                return user
    raise ControlError(404, f"no user {user_id} in app {record.name!r}")


def _user_json(user: dict) -> dict:
    expires = user["password_expires_at"]
    return {**user, "password_expires_at": None if expires is None else
            datetime.fromtimestamp(expires, UTC).isoformat()}


@bp.get("/apps/<name>/users")
def list_users(name: str):

    record = app_named(name)
    with transaction(current_sandbox().engine, write=False) as conn:
        return jsonify({"users": [_user_json(u) for u in users.all_users(current_sandbox().env.session(conn, record))]})


@bp.post("/apps/<name>/users/<int:user_id>/password")
def set_password(name: str, user_id: int):
    """A user's password and its expiry, for DataService.authenticateUser: ``{"password": "…"}`` sets a new
    one (and clears an expiry), ``{"expired": true}`` expires it now (authenticateUser then gives fault 15),
    ``{"expires_in": "90d"}`` later on the app's clock, ``{"expires_in": null}`` or ``{"expired": false}``
    never."""

    record = app_named(name)
    body = json_body()
    password = body.get("password")
    if password is not None and (not isinstance(password, str) or not password):
        raise ControlError(400, "password must be a non-empty string")
    changes: dict = {}
    now = record.clock_state.timestamp()
    if "expired" in body:
        if not isinstance(body["expired"], bool):
            raise ControlError(400, "expired must be true or false")
        changes["expires_at"] = now if body["expired"] else None
    if "expires_in" in body:
        if body["expires_in"] is None:
            changes["expires_at"] = None
        else:
            try:
                changes["expires_at"] = now + parse_duration(body["expires_in"])
            except ValueError as exc:
                raise ControlError(400, f"expires_in: {exc}") from None
    env = current_sandbox().env
    with transaction(env.engine, write=True) as conn:
        try:
            user = users.set_password(env.session(conn, record), user_id, password=password, **changes)
        except RecordNotFound:
            raise ControlError(404, f"no user {user_id} in app {name!r}") from None
    return jsonify(_user_json(user))
