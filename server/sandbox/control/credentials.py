"""The control API for credentials: OAuth clients (developer apps), approving consent on a user's behalf,
revoking grants and expiring tokens, Keap API keys (Personal Access Tokens, Service Account Keys), and the
legacy key."""
from __future__ import annotations

from datetime import datetime
from typing import Literal
from urllib.parse import parse_qs, urlencode, urlsplit

from flask import current_app, jsonify
from pydantic import Field

from server.auth.routes import ConsentError, authorize
from server.clock import UTC
from server.domain.account import users
from server.domain.errors import RecordNotFound
from server.sandbox.input_fields import AppName, Duration, LegacyApiKey
from server.sandbox.seeding.bootstrap import remember_key
from server.store import apps, credentials
from server.store.db import transaction
from server.tables import INT_MAX

from .common import ControlError, app_named, current_sandbox
from .contract import Body, ControlBlueprint

bp = ControlBlueprint("sandbox_credentials", __name__)

UserId = Field(None, ge=1, le=INT_MAX, description="the user who acts (the account's first user by default)")


class NewClient(Body):
    name: str = Field(min_length=1, max_length=200, pattern=r"\S")
    redirect_uris: list[str] = Field(min_length=1, max_length=50, description="absolute URLs")
    client_id: str = Field(None, min_length=1, max_length=200)
    client_secret: str = Field(None, min_length=1, max_length=200)


class Consent(Body):
    client_id: str = Field(min_length=1, max_length=200)
    redirect_uri: str = Field(min_length=1, max_length=2000)
    app: AppName = Field(None, description="the app granted (the default app if absent)")
    scope: str = Field("full", max_length=200)
    state: str = Field(None, max_length=2000)
    approve: bool = True
    user_id: int = UserId


class Token(Body):
    token: str = Field(min_length=1, max_length=2000, description="an access or refresh token")


class NewApiKey(Body):
    kind: Literal["pat", "sak"] = "pat"
    name: str = Field(None, max_length=200)
    user_id: int = UserId


class LegacyKey(Body):
    key: LegacyApiKey = Field(None, description="the new key (a random one if absent)")


class PasswordChange(Body):
    password: str = Field(None, min_length=1, max_length=200)
    expired: bool = Field(None, description="true: expired now; false: never expires")
    expires_in: Duration | None = Field(None, description="expires this long from now on the app's clock; null: never")


def _client_json(row) -> dict:
    values = row if isinstance(row, dict) else row._mapping
    return {"client_id": values["client_id"], "client_secret": values["client_secret"], "name": values["name"],
            "redirect_uris": list(values["redirect_uris"]), "throttle": values.get("throttle")}


class ClientThrottle(Body):
    per_second: int | None = Field(None, ge=1, le=10**9)
    per_minute: int | None = Field(None, ge=1, le=10**9)
    per_day: int | None = Field(None, ge=1, le=10**9)


class ClientChanges(Body):
    throttle: ClientThrottle | None = Field(description="the client's own gateway limits (each null: the app "
                                                        "profile's); null: the profile's for all")


@bp.post("/oauth/clients", summary="Register an OAuth client (a developer app)", body=NewClient, status=201,
         errors=(409,))
def create_client(body: NewClient):
    uris = body.redirect_uris
    if not all("://" in u for u in uris):
        raise ControlError(400, "redirect_uris must be a non-empty list of absolute URLs",
                           [{"field": "redirect_uris", "problem": "not an absolute URL"}])
    with transaction(current_sandbox().engine, write=True) as conn:
        if body.client_id and credentials.client(conn, body.client_id) is not None:
            raise ControlError(409, f"a client {body.client_id!r} exists")
        row = credentials.add_client(conn, body.name, uris, client_id=body.client_id,
                                     client_secret=body.client_secret)
    return jsonify(_client_json(row)), 201


@bp.get("/oauth/clients", summary="Every OAuth client")
def list_clients():
    with transaction(current_sandbox().engine, write=False) as conn:
        return jsonify({"clients": [_client_json(r) for r in credentials.clients(conn)]})


@bp.patch("/oauth/clients/<client_id>", summary="Set an OAuth client's own throttle (per developer app)",
           body=ClientChanges, errors=(404,))
def change_client(client_id: str, body: ClientChanges):
    """Seed 003: OAuth apps are "throttled at the application level and we are able to modify this throttle on a
    per app or per developer basis": the client's windows (they count its calls to every app it reaches) use
    these limits in place of each app profile's OAuth limits."""
    throttle = body.throttle.model_dump(exclude_none=True) if body.throttle is not None else None
    with transaction(current_sandbox().engine, write=True) as conn:
        if not credentials.set_client_throttle(conn, client_id, throttle or None):
            raise ControlError(404, f"no client {client_id!r}")
        return jsonify(_client_json(credentials.client(conn, client_id)))


@bp.delete("/oauth/clients/<client_id>", summary="Delete an OAuth client and its grants")
def delete_client(client_id: str):
    with transaction(current_sandbox().engine, write=True) as conn:
        if not credentials.delete_client(conn, client_id):
            raise ControlError(404, f"no client {client_id!r}")
    return jsonify({"deleted": client_id})


@bp.post("/oauth/authorize", summary="Approve (or deny) OAuth consent on a user's behalf; answers with the code",
         body=Consent, errors=(404,))
def approve(body: Consent):
    """Approve (or deny) consent on a user's behalf, without a browser: the body carries what the consent
    page would (``client_id``, ``redirect_uri``, ``app``, optional ``scope``, ``state``, ``approve``);
    the answer has the redirect and, when approved, the code."""

    query = {"client_id": body.client_id, "redirect_uri": body.redirect_uri, "response_type": "code",
             "scope": body.scope}
    if body.state is not None:
        query["state"] = body.state
    app_name = body.app or current_app.extensions["sandbox"].config.default_app
    user_id = body.user_id
    if user_id is not None:
        _user_of(app_named(app_name), user_id)  # the user who approves (the account's first user by default)
    with current_app.test_request_context("/app/oauth/authorize?" + urlencode(query), method="GET"):
        try:
            response = authorize(app_name, body.approve, user_id)
        except ConsentError as refused:
            raise ControlError(400, str(refused), refused.field and [
                {"field": refused.field, "problem": refused.description}]) from None
    location = response.headers["Location"]
    params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    return jsonify({"redirect_to": location, **params})


@bp.post("/oauth/revoke", summary="Revoke the grant a token belongs to", body=Token, errors=(404,))
def revoke(body: Token):
    """Revoke the grant an access or refresh token belongs to (as a user does in the Keap app): every token of
    it (the pair of its code exchange and every pair refreshed from it), access and refresh, current and
    rotated, stops working; the client's other grants do not."""
    token = body.token
    with transaction(current_sandbox().engine, write=True) as conn:
        count = credentials.revoke_token(conn, token)
    if not count:
        raise ControlError(404, "no such token")
    return jsonify({"revoked": count})


@bp.get("/apps/<name>/integrations", summary="The OAuth clients (integrations) that hold access to the app")
def list_integrations(name: str):
    """What the account's owner sees of the integrations authorized on the account (seed 003: OAuth lets
    "customers view/revoke access for specific apps/integrations")."""
    record = app_named(name)
    with transaction(current_sandbox().engine, write=False) as conn:
        found = credentials.integrations(conn, record.id, record.clock_state.timestamp())
    for entry in found:
        entry["authorized_at"] = datetime.fromtimestamp(entry["authorized_at"], UTC).isoformat()
    return jsonify({"integrations": found})


@bp.delete("/apps/<name>/integrations/<client_id>", summary="Revoke an integration's access to the app",
           errors=(404,))
def revoke_integration(name: str, client_id: str):
    """The account's owner revoking one integration: every token the client holds on the app, of every user,
    stops working (its other accounts keep theirs); it must be authorized again."""
    record = app_named(name)
    with transaction(current_sandbox().engine, write=True) as conn:
        count = credentials.revoke_client_access(conn, record.id, client_id)
    if not count:
        raise ControlError(404, f"the client {client_id!r} holds no access to app {record.name!r}")
    return jsonify({"revoked": count})


class ExpireToken(Body):
    token: str = Field(min_length=1, max_length=2000, description="an access or a refresh token of the grant")
    which: Literal["access", "refresh", "both"] = "access"


@bp.post("/oauth/tokens/expire", summary="Expire a token now, as if its lifetime had run out", body=ExpireToken,
         errors=(404, 409))
def expire_token(body: ExpireToken):
    """Expire a token now, on its app's clock, as if its lifetime had run out: ``{"token": ..., "which":
    "access" | "refresh" | "both"}`` (``token`` is the access or the refresh token of the pair)."""
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


@bp.post("/apps/<name>/api-keys", summary="Make a Personal Access Token or Service Account Key (shown once)",
         body=NewApiKey, status=201)
def create_api_key(name: str, body: NewApiKey):
    """Make a Personal Access Token (``"kind": "pat"``) or Service Account Key (``"sak"``); the key is in
    this answer only, as in the real app."""
    record = app_named(name)
    kind = body.kind
    user_id = body.user_id
    # a PAT acts as the user who made it; only an administrator can make a SAK (spec rest-oauth §10.1)
    if user_id is not None and not _user_of(record, user_id)["admin"] and kind == "sak":
        raise ControlError(400, "a Service Account Key can only be made by an administrator")
    with transaction(current_sandbox().engine, write=True) as conn:
        key_id, key = credentials.add_key(conn, record.id, kind, body.name or kind.upper(), user_id)
    return jsonify({"id": key_id, "kind": kind, "key": key, "name": body.name or kind.upper()}), 201


@bp.get("/apps/<name>/api-keys", summary="The app's API keys (hints only)")
def list_api_keys(name: str):
    record = app_named(name)
    with transaction(current_sandbox().engine, write=False) as conn:
        rows = credentials.keys_of_app(conn, record.id)
    return jsonify({"keys": [{"id": r.id, "kind": r.kind, "name": r.name, "hint": r.hint, "revoked": r.revoked,
                              "created_at": r.created_at.isoformat()} for r in rows]})


@bp.delete("/apps/<name>/api-keys/<int:key_id>", summary="Revoke an API key")
def revoke_api_key(name: str, key_id: int):
    record = app_named(name)
    with transaction(current_sandbox().engine, write=True) as conn:
        if not credentials.revoke_key(conn, record.id, key_id):
            raise ControlError(404, f"no active key {key_id}")
    return jsonify({"revoked": key_id})


@bp.post("/apps/<name>/legacy-key", summary="Rotate the app's legacy API key", body=LegacyKey, errors=(409,))
def rotate_legacy_key(name: str, body: LegacyKey):
    """Rotate the app's legacy API key (``{"key": "…"}`` to choose it); the old key stops working at once."""
    record = app_named(name)
    wanted = body.key
    with transaction(current_sandbox().engine, write=True) as conn:
        if wanted and apps.by_legacy_key(conn, wanted) is not None:
            raise ControlError(409, "that key is in use")
        key = apps.rotate_legacy_key(conn, record.id, wanted)
    config = current_sandbox().config
    if name == config.default_app:

        remember_key(config, key)  # the data dir's key file follows the default app's key
    return jsonify({"app": name, "legacy_api_key": key})


# --- users: who PATs and OAuth grants act as, and their passwords --------------------------------------

def _user_of(record, user_id: int) -> dict:
    with transaction(current_sandbox().engine, write=False) as conn:
        for user in users.all_users(current_sandbox().env.session(conn, record)):
            if user["id"] == user_id:
                return user
    raise ControlError(404, f"no user {user_id} in app {record.name!r}")


def _user_json(user: dict) -> dict:
    expires = user["password_expires_at"]
    return {**user, "password_expires_at": None if expires is None else
            datetime.fromtimestamp(expires, UTC).isoformat()}


@bp.get("/apps/<name>/users", summary="The app's users")
def list_users(name: str):

    record = app_named(name)
    with transaction(current_sandbox().engine, write=False) as conn:
        return jsonify({"users": [_user_json(u) for u in users.all_users(current_sandbox().env.session(conn, record))]})


@bp.post("/apps/<name>/users/<int:user_id>/password", summary="Set a user's password or its expiry",
         body=PasswordChange)
def set_password(name: str, user_id: int, body: PasswordChange):
    """A user's password and its expiry, for DataService.authenticateUser: ``{"password": "…"}`` sets a new
    one (and clears an expiry), ``{"expired": true}`` expires it now (authenticateUser then gives fault 15),
    ``{"expires_in": "90d"}`` later on the app's clock, ``{"expires_in": null}`` or ``{"expired": false}``
    never."""

    record = app_named(name)
    if not body.model_fields_set:
        raise ControlError(400, "nothing to change: give password, expired or expires_in")
    password = body.password
    changes: dict = {}
    now = record.clock_state.timestamp()
    if body.expired is not None:
        changes["expires_at"] = now if body.expired else None
    if "expires_in" in body.model_fields_set:
        changes["expires_at"] = None if body.expires_in is None else now + body.expires_in
    env = current_sandbox().env
    with transaction(env.engine, write=True) as conn:
        try:
            user = users.set_password(env.session(conn, record), user_id, password=password, **changes)
        except RecordNotFound:
            raise ControlError(404, f"no user {user_id} in app {name!r}") from None
    return jsonify(_user_json(user))
