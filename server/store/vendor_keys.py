"""Vendor keys and the temporary API keys they buy (DataService.getTemporaryKey), looked up across apps:
a credential is what selects the app. Only SHA-256 hashes of keys are kept."""
from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server.clock import UTC, wall

from . import apps, schema
from .credentials import hash_key
from .session import AppRecord

TEMPORARY_KEY_SECONDS = 3600  # "valid for one hour" (spec §1.2), on the app's clock


def add_vendor_key(conn: Connection, app_id: int, name: str) -> tuple[int, str]:
    key = secrets.token_hex(16)
    result = conn.execute(sa.insert(schema.vendor_key).values(
        app_id=app_id, name=name, key_hash=hash_key(key), hint=f"{key[:4]}…{key[-4:]}",
        created_at=datetime.fromtimestamp(wall(), UTC).replace(tzinfo=None), revoked=False))
    return result.inserted_primary_key[0], key


def vendor_keys_of_app(conn: Connection, app_id: int) -> list:
    v = schema.vendor_key
    return conn.execute(sa.select(v).where(v.c.app_id == app_id).order_by(v.c.id)).all()


def revoke_vendor_key(conn: Connection, app_id: int, key_id: int) -> bool:
    v = schema.vendor_key
    return bool(conn.execute(sa.update(v).where(v.c.app_id == app_id, v.c.id == key_id, v.c.revoked.is_(False))
                             .values(revoked=True)).rowcount)


def vendor_key(conn: Connection, key: str):
    v = schema.vendor_key
    if not isinstance(key, str) or not key.strip():
        return None
    return conn.execute(sa.select(v).where(v.c.key_hash == hash_key(key.strip()), v.c.revoked.is_(False))).first()


def app_of_vendor_key(conn: Connection, key: str) -> AppRecord | None:
    row = vendor_key(conn, key)
    return apps.by_id(conn, row.app_id) if row is not None else None


def add_temporary_key(conn: Connection, app: AppRecord, user_id: int, vendor_key_id: int) -> str:
    key = secrets.token_hex(16)  # 32 hex characters, like an API key
    now = app.clock_state.timestamp()
    t = schema.temporary_key
    conn.execute(sa.delete(t).where(t.c.app_id == app.id, t.c.expires_at < now))  # expired ones go
    conn.execute(sa.insert(t).values(key_hash=hash_key(key), app_id=app.id, user_id=user_id,
                                     vendor_key_id=vendor_key_id, expires_at=now + TEMPORARY_KEY_SECONDS))
    return key


_BY_TEMPORARY = sa.select(schema.temporary_key).where(schema.temporary_key.c.key_hash == sa.bindparam("h"))


def by_temporary_key(conn: Connection, key: str) -> tuple[AppRecord, int] | None:
    """``(app, user id)`` of an unexpired temporary key (expiry on the app's clock)."""
    if not key:
        return None
    row = conn.execute(_BY_TEMPORARY, {"h": hash_key(key)}).first()
    if row is None:
        return None
    app = apps.by_id(conn, row.app_id)
    if app is None or app.clock_state.timestamp() >= row.expires_at:
        return None
    return app, row.user_id
