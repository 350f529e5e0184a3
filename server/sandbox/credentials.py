"""The control API for credentials: OAuth clients (developer apps), approving consent on a user's behalf,
revoking grants, Keap API keys (Personal Access Tokens, Service Account Keys), and the legacy key."""
from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

from flask import Blueprint, current_app, jsonify

from server.store import apps, credentials
from server.store.db import transaction

from .control import ControlError, _app, _control_error, _json, _require_admin, _sandbox

bp = Blueprint("sandbox_credentials", __name__, url_prefix="/sandbox")
bp.before_request(_require_admin)
bp.register_error_handler(ControlError, _control_error)


def _client_json(row) -> dict:
    return {"client_id": row["client_id"] if isinstance(row, dict) else row.client_id,
            "client_secret": row["client_secret"] if isinstance(row, dict) else row.client_secret,
            "name": row["name"] if isinstance(row, dict) else row.name,
            "redirect_uris": list(row["redirect_uris"] if isinstance(row, dict) else row.redirect_uris)}


@bp.post("/oauth/clients")
def create_client():
    body = _json()
    name, uris = body.get("name"), body.get("redirect_uris")
    if not isinstance(name, str) or not name.strip():
        raise ControlError(400, "name is required")
    if not isinstance(uris, list) or not uris or not all(isinstance(u, str) and "://" in u for u in uris):
        raise ControlError(400, "redirect_uris must be a non-empty list of absolute URLs")
    with transaction(_sandbox().engine, write=True) as conn:
        if body.get("client_id") and credentials.client(conn, body["client_id"]) is not None:
            raise ControlError(409, f"a client {body['client_id']!r} exists")
        row = credentials.add_client(conn, name, uris, client_id=body.get("client_id"),
                                     client_secret=body.get("client_secret"))
    return jsonify(_client_json(row)), 201


@bp.get("/oauth/clients")
def list_clients():
    with transaction(_sandbox().engine, write=False) as conn:
        return jsonify({"clients": [_client_json(r) for r in credentials.clients(conn)]})


@bp.delete("/oauth/clients/<client_id>")
def delete_client(client_id: str):
    with transaction(_sandbox().engine, write=True) as conn:
        if not credentials.delete_client(conn, client_id):
            raise ControlError(404, f"no client {client_id!r}")
    return jsonify({"deleted": client_id})


@bp.post("/oauth/authorize")
def approve():
    """Approve (or deny) consent on a user's behalf, without a browser: the body carries what the consent
    page would (``client_id``, ``redirect_uri``, ``app``, optional ``scope``, ``state``, ``approve``);
    the answer has the redirect and, when approved, the code."""
    from server.auth.routes import authorize

    body = _json()
    missing = [k for k in ("client_id", "redirect_uri") if not body.get(k)]
    if missing:
        raise ControlError(400, f"missing {', '.join(missing)}")
    query = {"client_id": body["client_id"], "redirect_uri": body["redirect_uri"], "response_type": "code",
             "scope": body.get("scope", "full")}
    if body.get("state") is not None:
        query["state"] = body["state"]
    with current_app.test_request_context("/app/oauth/authorize?" + urlencode(query), method="GET"):
        response = authorize(body.get("app") or current_app.extensions["sandbox"].config.default_app,
                             bool(body.get("approve", True)))
    location = response.headers.get("Location")
    if not location:
        raise ControlError(400, response.get_data(as_text=True))
    params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    return jsonify({"redirect_to": location, **params})


@bp.post("/oauth/revoke")
def revoke():
    """Revoke the grant an access or refresh token belongs to (as a user does in the Keap app)."""
    token = _json().get("token")
    if not isinstance(token, str) or not token:
        raise ControlError(400, "token is required")
    with transaction(_sandbox().engine, write=True) as conn:
        count = credentials.revoke_token(conn, token)
    if not count:
        raise ControlError(404, "no such token")
    return jsonify({"revoked": count})


@bp.post("/apps/<name>/api-keys")
def create_api_key(name: str):
    """Make a Personal Access Token (``"kind": "pat"``) or Service Account Key (``"sak"``); the key is in
    this answer only, as in the real app."""
    record = _app(name)
    body = _json()
    kind = body.get("kind", "pat")
    if kind not in credentials.KEY_PREFIXES:
        raise ControlError(400, "kind must be pat or sak")
    with transaction(_sandbox().engine, write=True) as conn:
        key_id, key = credentials.add_key(conn, record.id, kind, str(body.get("name") or kind.upper()),
                                          body.get("user_id"))
    return jsonify({"id": key_id, "kind": kind, "key": key, "name": body.get("name") or kind.upper()}), 201


@bp.get("/apps/<name>/api-keys")
def list_api_keys(name: str):
    record = _app(name)
    with transaction(_sandbox().engine, write=False) as conn:
        rows = credentials.keys_of_app(conn, record.id)
    return jsonify({"keys": [{"id": r.id, "kind": r.kind, "name": r.name, "hint": r.hint, "revoked": r.revoked,
                              "created_at": r.created_at.isoformat()} for r in rows]})


@bp.delete("/apps/<name>/api-keys/<int:key_id>")
def revoke_api_key(name: str, key_id: int):
    record = _app(name)
    with transaction(_sandbox().engine, write=True) as conn:
        if not credentials.revoke_key(conn, record.id, key_id):
            raise ControlError(404, f"no active key {key_id}")
    return jsonify({"revoked": key_id})


@bp.post("/apps/<name>/legacy-key")
def rotate_legacy_key(name: str):
    """Rotate the app's legacy API key (``{"key": "…"}`` to choose it); the old key stops working at once."""
    record = _app(name)
    wanted = _json().get("key")
    if wanted is not None and (not isinstance(wanted, str) or len(wanted) < 8):
        raise ControlError(400, "key must be a string of at least 8 characters")
    with transaction(_sandbox().engine, write=True) as conn:
        if wanted and apps.by_legacy_key(conn, wanted) is not None:
            raise ControlError(409, "that key is in use")
        key = apps.rotate_legacy_key(conn, record.id, wanted)
    config = _sandbox().config
    if name == config.default_app:
        from .bootstrap import remember_key

        remember_key(config, key)  # the data dir's key file follows the default app's key
    return jsonify({"app": name, "legacy_api_key": key})
