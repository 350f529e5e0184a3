"""The app's users and DataService.authenticateUser.

Clients send the md5 hex digest of the password (lower-case); the sandbox stores a salted PBKDF2 hash of
that digest, never the password."""
from __future__ import annotations

import hashlib

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from server.store import schema
from server.store.session import AppSession

from .errors import FailedLoginAttempt, InvalidParameter


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


INVITED, ACTIVE = "Invited", "Active"


def invite(s: AppSession, email: str, given_name: str, *, admin: bool = False, partner: bool = False) -> int:
    """REST ``POST /users``: a new user, Invited until they accept the invitation (``activate``)."""
    u = schema.user
    if s.execute(s.select(u, u.c.id).where(sa.func.lower(u.c.email) == email.strip().lower())).first():
        raise InvalidParameter(f"A user with the email address {email} already exists")
    user_id = s.next_id("user")
    s.insert(u, dict(id=user_id, email=email.strip(), first_name=given_name, is_admin=admin,
                     global_user_id=100000 + user_id, partner=1 if partner else 0, status=INVITED))
    s.emit("user.added", "user", user_id, invited=True)
    return user_id


def activate(s: AppSession, user_id: int) -> bool:
    """The invited user accepted the invitation; False when there is no invited user ``user_id``."""
    u = schema.user
    row = s.get(u, user_id, u.c.status)
    if row is None or row.status != INVITED:
        return False
    s.update(u, u.c.id == user_id, status=None)
    s.emit("user.activated", "user", user_id)
    return True


def authenticate(s: AppSession, username: str, password_hash: str) -> int:
    u = schema.user
    row = s.execute(s.select(u).where(sa.func.lower(u.c.email) == username.strip().lower())).first()
    if row is None:
        raise FailedLoginAttempt(f"username not found: {username}")
    if not row.password_hash or not check_password_hash(row.password_hash, password_hash.strip().lower()):
        raise FailedLoginAttempt("Invalid username and/or password.")
    return row.id


def _user(s: AppSession, user_id: int | None):
    u = schema.user
    q = s.select(u).order_by(u.c.id).limit(1) if user_id is None else s.select(u).where(u.c.id == user_id)
    return s.execute(q).first()


def user_info(s: AppSession) -> dict:
    """DataService.getUserInfo: who the credential acts as (keys as yail and the PHP SDK read them)."""
    row = _user(s, s.user_id)
    name = " ".join(p for p in (row.first_name, row.last_name) if p) if row else ""
    return {"globalUserId": row.global_user_id if row else 0, "localUserId": row.id if row else 0,
            "appAlias": s.app.name, "appUrl": f"https://{s.app.name}.infusionsoft.com",
            "displayName": name, "casUsername": row.email if row and row.email else ""}


def userinfo(s: AppSession, user_id: int | None) -> dict:
    """GET /oauth/connect/userinfo: v1's documented keys (global_user_id, infusionsoft_id) and v2's (id, keap_id,
    tenant_id) together, so clients of either read theirs."""
    row = _user(s, user_id)
    tenant = f"{s.app.name}.infusionsoft.com"
    if row is None:
        return {"sub": None, "infusionsoft_id": tenant, "tenant_id": tenant}
    return {"email": row.email, "sub": str(row.global_user_id), "id": row.id, "keap_id": row.global_user_id,
            "global_user_id": row.global_user_id, "infusionsoft_id": tenant,
            "family_name": row.last_name, "given_name": row.first_name, "middle_name": row.middle_name,
            "preferred_name": row.nickname, "is_admin": bool(row.is_admin), "tenant_id": tenant}
