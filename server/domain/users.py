"""The app's users and DataService.authenticateUser.

Clients send the md5 hex digest of the password (lower-case); the sandbox stores a salted PBKDF2 hash of
that digest, never the password."""
from __future__ import annotations

import hashlib

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from server.store import schema
from server.store.session import AppSession

from .errors import FailedLoginAttempt


def md5_hex(password: str) -> str:
    return hashlib.md5(password.encode("utf-8")).hexdigest()


def add_user(s: AppSession, data: dict, *, password: str | None = None, admin: bool = False) -> int:
    user_id = s.next_id("user")
    row = {k: v for k, v in data.items() if k in schema.user.c}
    row.update(id=user_id, is_admin=admin, global_user_id=100000 + user_id, partner=0,
               password_hash=generate_password_hash(md5_hex(password)) if password else None)
    s.insert(schema.user, row)
    s.emit("user.added", "user", user_id)
    return user_id


def authenticate(s: AppSession, username: str, password_hash: str) -> int:
    u = schema.user
    row = s.execute(s.select(u).where(sa.func.lower(u.c.email) == username.strip().lower())).first()
    if row is None:
        raise FailedLoginAttempt(f"username not found: {username}")
    if not row.password_hash or not check_password_hash(row.password_hash, password_hash.strip().lower()):
        raise FailedLoginAttempt("Invalid username and/or password.")
    return row.id
