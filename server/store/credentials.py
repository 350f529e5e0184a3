"""OAuth clients, authorization codes, tokens and Keap API keys: stored credentials, looked up across apps
(a credential is what selects the app)."""
from __future__ import annotations

import functools
import hashlib
import math
import secrets
from collections import namedtuple
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server.clock import UTC, wall

from . import apps, schema
from .prepared import Prepared
from .session import AppRecord


def _utc_now() -> datetime:
    return datetime.fromtimestamp(wall(), UTC).replace(tzinfo=None)


def new_secret(nbytes: int = 24) -> str:
    return secrets.token_urlsafe(nbytes)


# --- OAuth clients ------------------------------------------------------------------------------------

def add_client(conn: Connection, name: str, redirect_uris: list[str], *, client_id: str | None = None,
               client_secret: str | None = None) -> dict:
    row = {"client_id": client_id or new_secret(18), "client_secret": client_secret or new_secret(24),
           "name": name, "redirect_uris": list(redirect_uris), "created_at": _utc_now()}
    conn.execute(sa.insert(schema.oauth_client).values(**row))
    return row


def client(conn: Connection, client_id: str):
    return conn.execute(sa.select(schema.oauth_client).where(schema.oauth_client.c.client_id == client_id)).first()


def set_client_throttle(conn: Connection, client_id: str, throttle: dict | None) -> bool:
    c = schema.oauth_client
    return bool(conn.execute(sa.update(c).where(c.c.client_id == client_id).values(throttle=throttle)).rowcount)


def clients(conn: Connection) -> list:
    return conn.execute(sa.select(schema.oauth_client).order_by(schema.oauth_client.c.created_at)).all()


def delete_client(conn: Connection, client_id: str) -> bool:
    t = schema.oauth_token
    conn.execute(sa.update(t).where(t.c.client_id == client_id).values(revoked=True))
    c = schema.oauth_client
    return bool(conn.execute(sa.delete(c).where(c.c.client_id == client_id)).rowcount)


# --- authorization codes ------------------------------------------------------------------------------

def add_code(conn: Connection, **values) -> None:
    conn.execute(sa.insert(schema.oauth_code).values(used=False, **values))


def code(conn: Connection, value: str, client_id: str):
    c = schema.oauth_code
    return conn.execute(sa.select(c).where(c.c.code == value, c.c.client_id == client_id)).first()


def use_code(conn: Connection, value: str) -> bool:
    """Mark the code used, if it is not yet: a compare-and-set, so that of requests exchanging one code
    together exactly one is told True (the one that may issue tokens, in this transaction)."""
    c = schema.oauth_code
    return conn.execute(sa.update(c).where(c.c.code == value, c.c.used.is_(False)).values(used=True)).rowcount == 1


# --- tokens -------------------------------------------------------------------------------------------

def add_token(conn: Connection, **values) -> None:
    conn.execute(sa.insert(schema.oauth_token).values(revoked=False, rotated=False, **values))


# the token, and its client's own throttle (``client_throttle``) for the gateway's windows
_BY_ACCESS = (sa.select(schema.oauth_token, schema.oauth_client.c.throttle.label("client_throttle"))
              .outerjoin(schema.oauth_client, schema.oauth_client.c.client_id == schema.oauth_token.c.client_id)
              .where(schema.oauth_token.c.access_token == sa.bindparam("token")))


def by_access_token(conn: Connection, token: str):
    return conn.execute(_BY_ACCESS, {"token": token}).first()


def by_refresh_token(conn: Connection, token: str):
    t = schema.oauth_token
    return conn.execute(sa.select(t).where(t.c.refresh_token == token)).first()


def rotate(conn: Connection, token_id: int, grant_id: str) -> bool:
    """Mark the token's refresh token used (rotated), if it is still live: a compare-and-set, so that of
    requests refreshing with one token together exactly one is told True (the one that may issue the new pair,
    in this transaction). ``grant_id``: its grant's, recorded on it if it had none (issued before grants were)."""
    t = schema.oauth_token
    return conn.execute(sa.update(t).where(t.c.id == token_id, t.c.rotated.is_(False), t.c.revoked.is_(False))
                        .values(rotated=True, grant_id=sa.func.coalesce(t.c.grant_id, grant_id))).rowcount == 1


def revoke_token(conn: Connection, token: str) -> int:
    """Revoke the grant an access or refresh token belongs to; returns how many tokens were revoked."""
    row = by_access_token(conn, token) or by_refresh_token(conn, token)
    return 0 if row is None else revoke_grant(conn, row)


def revoke_grant(conn: Connection, row) -> int:
    """Revoke every token of the grant ``row`` (a token row) is part of: the pair of one code exchange and
    every pair refreshed from it, those rotated before ``row`` and those refreshed after it; not the client's
    other grants (RFC 9700 §4.14.2 ends the compromised grant; revoke_client_access ends them all). A token
    issued before grants were recorded has none: every token one user's consent gave the client for the app
    goes with it. Returns how many."""
    t = schema.oauth_token
    if row.grant_id is not None:
        which = t.c.grant_id == row.grant_id
    else:
        user = t.c.user_id.is_(None) if row.user_id is None else t.c.user_id == row.user_id
        which = sa.and_(t.c.app_id == row.app_id, t.c.client_id == row.client_id, user)
    return conn.execute(sa.update(t).where(which).values(revoked=True)).rowcount


def expire_access(conn: Connection, token_id: int, now: float) -> None:
    """Make the access token of ``token_id`` expired at ``now`` (seconds on its app's clock)."""
    t = schema.oauth_token
    row = conn.execute(sa.select(t.c.issued_at).where(t.c.id == token_id)).first()
    conn.execute(sa.update(t).where(t.c.id == token_id).values(expires_in=math.floor(now - row.issued_at)))


def expire_refresh(conn: Connection, token_id: int, now: float) -> None:
    t = schema.oauth_token
    conn.execute(sa.update(t).where(t.c.id == token_id).values(refresh_expires_at=now))


def grant_of(conn: Connection, *, code: str | None = None, refresh_token: str | None = None):
    """``(app_id, client_id)`` of the grant a token request names (its code or refresh token), or None."""
    if code:
        c = schema.oauth_code
        return conn.execute(sa.select(c.c.app_id, c.c.client_id).where(c.c.code == code)).first()
    if refresh_token:
        t = schema.oauth_token
        return conn.execute(sa.select(t.c.app_id, t.c.client_id).where(t.c.refresh_token == refresh_token)).first()
    return None


def clients_of_app(conn: Connection, app_id: int) -> list:
    """``(client_id, throttle)`` of every client with a grant for the app."""
    t, c = schema.oauth_token, schema.oauth_client
    ids = sa.select(t.c.client_id).where(t.c.app_id == app_id).distinct().subquery()
    return conn.execute(sa.select(ids.c.client_id, c.c.throttle).outerjoin(c, c.c.client_id == ids.c.client_id)
                        .order_by(ids.c.client_id)).all()


def integrations(conn: Connection, app_id: int, now: float) -> list[dict]:
    """The OAuth clients that hold access to the app (a grant with a token not revoked), as the account's owner
    sees them: when first authorized, by which users, with what scopes, whether an access token is live now."""
    t, c = schema.oauth_token, schema.oauth_client
    rows = conn.execute(sa.select(t.c.client_id, t.c.user_id, t.c.scope, t.c.issued_at, t.c.expires_in, t.c.rotated,
                                  c.c.name).join(c, c.c.client_id == t.c.client_id, isouter=True)
                        .where(t.c.app_id == app_id, t.c.revoked.is_(False)).order_by(t.c.client_id, t.c.id)).all()
    out: dict[str, dict] = {}
    for r in rows:
        entry = out.setdefault(r.client_id, {"client_id": r.client_id, "name": r.name, "authorized_at": r.issued_at,
                                             "user_ids": [], "scopes": [], "active_access_token": False})
        if r.user_id is not None and r.user_id not in entry["user_ids"]:
            entry["user_ids"].append(r.user_id)
        for scope in r.scope.split():
            if scope not in entry["scopes"]:
                entry["scopes"].append(scope)
        if not r.rotated and r.issued_at + r.expires_in > now:
            entry["active_access_token"] = True
    return list(out.values())


def revoke_client_access(conn: Connection, app_id: int, client_id: str) -> int:
    """Revoke every grant the client holds on the app (the account's owner removing the integration's access):
    all its tokens, of every user; returns how many were revoked."""
    t = schema.oauth_token
    return conn.execute(sa.update(t).where(t.c.app_id == app_id, t.c.client_id == client_id,
                                           t.c.revoked.is_(False)).values(revoked=True)).rowcount


# --- Keap API keys ------------------------------------------------------------------------------------

KEY_PREFIXES = {"sak": "KeapAK-", "pat": "KeapPAT-"}  # SAKs start KeapAK- (clients branch on it)


@functools.lru_cache(maxsize=1024)  # every gateway call with a key hashes it: the same few keys, call after call
def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def add_key(conn: Connection, app_id: int, kind: str, name: str, user_id: int | None) -> tuple[int, str]:
    key = KEY_PREFIXES[kind] + secrets.token_hex(25)  # KeapAK- + 50 hex characters, as real SAKs
    result = conn.execute(sa.insert(schema.keap_key).values(
        app_id=app_id, kind=kind, name=name, key_hash=hash_key(key), hint=f"{key[:10]}…{key[-4:]}",
        user_id=user_id, created_at=_utc_now(), revoked=False))
    return result.inserted_primary_key[0], key


_k = schema.keap_key
_KEY_COLUMNS = (_k.c.id, _k.c.kind, _k.c.user_id, _k.c.revoked)  # what a gateway credential needs of its key
_APP_COLUMNS = tuple(schema.app.c)
_KeyRow = namedtuple("KeyRow", [c.key for c in _KEY_COLUMNS])
_AppRow = namedtuple("AppRow", [c.key for c in _APP_COLUMNS])
_APP_PART = slice(len(_KEY_COLUMNS), len(_KEY_COLUMNS) + len(_APP_COLUMNS))
# the key, its app and the app's first user in one statement: every gateway call with a key starts here
_KEY_WITH_APP = Prepared(
    sa.select(*_KEY_COLUMNS, *_APP_COLUMNS,
              sa.select(sa.func.min(schema.user.c.id)).where(schema.user.c.app_id == schema.app.c.id)
              .scalar_subquery().label("first_user_id"))
    .join_from(_k, schema.app, schema.app.c.id == _k.c.app_id)
    .where(_k.c.key_hash == sa.bindparam("key_hash")))


def key_with_app(conn, key: str) -> tuple[Any, AppRecord, int | None] | None:
    """The Keap API key of ``key`` (its id, kind, user_id, revoked), its app's record and the app's first user
    (apps.first_user_id), or None; ``conn``: a Connection or a call's Transaction. Built once, run on the
    driver; the app's columns are converted only when its record is not known yet (apps.cached_record)."""
    found = _KEY_WITH_APP.first_raw(conn, {"key_hash": hash_key(key)})
    if found is None:
        return None
    raw = found[0]
    key_part = _KEY_WITH_APP.values(conn, found, slice(0, len(_KEY_COLUMNS)))
    app = apps.cached_record(tuple(raw[_APP_PART]),
                             lambda: _AppRow(*_KEY_WITH_APP.values(conn, found, _APP_PART)))
    return _KeyRow(*key_part), app, raw[-1]


def keys_of_app(conn: Connection, app_id: int) -> list:
    k = schema.keap_key
    return conn.execute(sa.select(k).where(k.c.app_id == app_id).order_by(k.c.id)).all()


def revoke_key(conn: Connection, app_id: int, key_id: int) -> bool:
    k = schema.keap_key
    return bool(conn.execute(sa.update(k).where(k.c.app_id == app_id, k.c.id == key_id, k.c.revoked.is_(False))
                             .values(revoked=True)).rowcount)
