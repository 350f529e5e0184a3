"""The app's users and DataService.authenticateUser.

Clients send the md5 hex digest of the password (lower-case); the sandbox stores a salted PBKDF2 hash of
that digest, never the password. Its cost is kept low (``HASH_METHOD``): a sandbox's users are test fixtures, and
werkzeug's default (scrypt, 0.1 s of CPU) was paid by every ``DataService.authenticateUser`` call and by every
seeded app (its two users). Hashes stored with another method still check."""
from __future__ import annotations

import hashlib
from typing import NamedTuple

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from server.domain.data import listing
from server.domain.errors import (
    FailedLoginAttempt,
    FailedLoginAttemptPasswordExpired,
    InvalidParameter,
    NoAccess,
    RecordNotFound,
)
from server.store import schema
from server.store.session import AppSession

HASH_METHOD = "pbkdf2:sha256:1000"


def md5_hex(password: str) -> str:
    return hashlib.md5(password.encode("utf-8")).hexdigest()


def add_user(s: AppSession, data: dict, *, password: str | None = None, admin: bool = False) -> int:
    user_id = s.next_id("user")
    row = {k: v for k, v in data.items() if k in schema.user.c}
    row.update(id=user_id, is_admin=admin, global_user_id=100000 + user_id, partner=0,
               password_hash=generate_password_hash(md5_hex(password), HASH_METHOD) if password else None)
    s.insert(schema.user, row)
    s.emit("user.added", "user", user_id)
    return user_id


INVITED, ACTIVE = "Invited", "Active"


class UserRecord(NamedTuple):
    """A user as the REST APIs show one (the User row's columns; ``status`` None is Active)."""

    id: int
    email: str | None
    email_address2: str | None
    email_address3: str | None
    first_name: str | None
    middle_name: str | None
    last_name: str | None
    nickname: str | None
    spouse_name: str | None
    suffix: str | None
    title: str | None
    phone1: str | None
    phone1_ext: str | None
    phone1_type: str | None
    phone2: str | None
    phone2_ext: str | None
    phone2_type: str | None
    street_address1: str | None
    street_address2: str | None
    city: str | None
    state: str | None
    postal_code: str | None
    zip_four1: str | None
    html_signature: str | None
    global_user_id: int | None
    partner: int | None
    is_admin: bool
    status: str | None


_U = schema.user
_USER_COLUMNS = [getattr(_U.c, name) for name in UserRecord._fields]


def _user_record(row) -> UserRecord:
    return UserRecord(*(getattr(row, name) for name in UserRecord._fields))


def get(s: AppSession, user_id: int) -> UserRecord | None:
    row = s.execute(s.select(_U, *_USER_COLUMNS).where(_U.c.id == user_id)).first()
    return None if row is None else _user_record(row)


def by_email(s: AppSession, email: str) -> UserRecord | None:
    """The user with ``email`` as one of their addresses (ignoring case), or None."""
    wanted = email.strip().lower()
    match = sa.or_(*(sa.func.lower(col) == wanted for col in (_U.c.email, _U.c.email_address2, _U.c.email_address3)))
    row = s.execute(s.select(_U, *_USER_COLUMNS).where(match).order_by(_U.c.id).limit(1)).first()
    return None if row is None else _user_record(row)


USER_FIELDS = listing.Fields({
    "id": _U.c.id, "email": _U.c.email, "given_name": _U.c.first_name, "family_name": _U.c.last_name,
    # users keep no creation time; ids grow with it
    "create_time": _U.c.id,
    "inactive": sa.case((_U.c.status == "Inactive", "true"), else_="false"),
    "partner": sa.case((_U.c.partner == 1, "true"), else_="false")}, text=frozenset({"email", "given_name"}))


def page_users(s: AppSession, q: listing.ListQuery) -> listing.Page[UserRecord]:
    return listing.page(s, s.select(_U, *_USER_COLUMNS), USER_FIELDS, q, _user_record)


# the User columns a REST update may write
EDITABLE = frozenset({"first_name", "last_name", "email", "title", "phone1", "phone1_ext", "phone1_type", "phone2",
                      "phone2_ext", "phone2_type", "street_address1", "street_address2", "city", "state",
                      "postal_code", "zip_four1", "email_address2", "email_address3"})


def update(s: AppSession, user_id: int, values: dict) -> UserRecord:
    """Change a user's profile (REST v2 ``PATCH /users/{id}``); ``values`` are User columns of ``EDITABLE``.
    An email address another user has is refused."""
    if get(s, user_id) is None:
        raise RecordNotFound(f"Record not found for Id:{user_id}")
    unknown = sorted(set(values) - EDITABLE)
    if unknown:
        raise InvalidParameter(f"User columns that cannot be written: {', '.join(unknown)}")
    if values.get("email"):
        other = by_email(s, values["email"])
        if other is not None and other.id != user_id:
            raise InvalidParameter(f"A user with the email address {values['email']} already exists")
    if values:
        s.update(_U, _U.c.id == user_id, **values)
        s.emit("user.updated", "user", user_id, fields=sorted(values))
    return get(s, user_id)


class UserGroupRecord(NamedTuple):
    id: int
    name: str | None
    owner_id: int | None


_G = schema.user_group


def get_group(s: AppSession, group_id: int) -> UserGroupRecord | None:
    row = s.execute(s.select(_G, _G.c.id, _G.c.name, _G.c.owner_id).where(_G.c.id == group_id)).first()
    return None if row is None else UserGroupRecord(row.id, row.name, row.owner_id)


def all_groups(s: AppSession) -> list[UserGroupRecord]:
    rows = s.execute(s.select(_G, _G.c.id, _G.c.name, _G.c.owner_id).order_by(_G.c.id))
    return [UserGroupRecord(r.id, r.name, r.owner_id) for r in rows]


def find(s: AppSession, *, include_partners: bool = True, include_inactive: bool = True, limit: int,
         offset: int) -> tuple[list[UserRecord], int]:
    """REST v1's ``GET /users``: a page by offset in id order, and the total."""
    where = []
    if not include_partners:
        where.append(_U.c.partner == 0)
    if not include_inactive:
        where.append(sa.func.coalesce(_U.c.status, ACTIVE) != "Inactive")
    total = s.execute(s.select(_U, sa.func.count()).where(*where)).scalar_one()
    rows = s.execute(s.select(_U, *_USER_COLUMNS).where(*where).order_by(_U.c.id).limit(limit).offset(offset))
    return [_user_record(r) for r in rows], total


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
    """The user's id; fault 13 for an unknown user or a wrong password, fault 15 for the right password of a
    user whose password has expired (on the app's clock): they must change it before they can log in."""
    u = schema.user
    row = s.execute(s.select(u).where(sa.func.lower(u.c.email) == username.strip().lower())).first()
    if row is None:
        raise FailedLoginAttempt(f"username not found: {username}")
    if not row.password_hash or not check_password_hash(row.password_hash, password_hash.strip().lower()):
        raise FailedLoginAttempt("Invalid username and/or password.")
    if _expired(s, row.password_expires_at):
        raise FailedLoginAttemptPasswordExpired(f"Password expired for user: {username}")  # invented wording
    return row.id


_UNSET = object()


def set_password(s: AppSession, user_id: int, *, password: str | None = None, expires_at=_UNSET) -> dict:
    """Change a user's password and/or when it expires (seconds on the app's clock, or None for never). A new
    password clears an expiry unless one is given with it."""
    u = schema.user
    row = s.get(u, user_id)
    if row is None:
        raise RecordNotFound(f"Record not found for Id:{user_id}")
    values = {}
    if password is not None:
        values["password_hash"] = generate_password_hash(md5_hex(password), HASH_METHOD)
        values["password_expires_at"] = None
    if expires_at is not _UNSET:
        values["password_expires_at"] = expires_at
    if values:
        s.update(u, u.c.id == user_id, **values)
        s.emit("user.updated", "user", user_id, fields=sorted(values))
    return describe(s, s.get(u, user_id))


def describe(s: AppSession, row) -> dict:
    expires = row.password_expires_at
    return {"id": row.id, "email": row.email, "first_name": row.first_name, "last_name": row.last_name,
            "admin": bool(row.is_admin), "password_expires_at": expires,
            "password_expired": _expired(s, expires)}


def _expired(s: AppSession, expires_at: float | None) -> bool:
    # to the millisecond: a clock moved by exactly the expiry's duration reaches it (float sums may not)
    return expires_at is not None and s.clock.now().timestamp() >= expires_at - 1e-3


def all_users(s: AppSession) -> list[dict]:
    u = schema.user
    return [describe(s, r) for r in s.execute(s.select(u).order_by(u.c.id))]


def is_admin(s: AppSession, user_id: int | None) -> bool:
    """Whether ``user_id`` is an administrator of the app; None (the legacy key, a Service Account Key: the
    app itself) is."""
    if user_id is None:
        return True
    u = schema.user
    row = s.execute(s.select(u, u.c.is_admin).where(u.c.id == user_id)).first()
    return bool(row and row.is_admin)


def require_admin(s: AppSession, what: str) -> None:
    """Fault 14 [NoAccess] when the credential acts as a user who is not an administrator (a Personal Access
    Token or an OAuth grant of a non-admin user): managing custom fields is an admin's right in the app."""
    if not is_admin(s, s.user_id):
        raise NoAccess(f"Access denied: {what} requires an administrator")  # invented wording


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


class UserName(NamedTuple):
    id: int
    first_name: str | None
    last_name: str | None


def names_of(s: AppSession, user_ids) -> dict[int, UserName]:
    """The names of these users (those that exist), by id."""
    ids = sorted({i for i in user_ids if i})
    if not ids:
        return {}
    u = schema.user
    q = s.select(u, u.c.id, u.c.first_name, u.c.last_name).where(u.c.id.in_(ids))
    return {r.id: UserName(r.id, r.first_name, r.last_name) for r in s.execute(q)}


def exists(s: AppSession, user_id: int) -> bool:
    return s.get(schema.user, user_id) is not None
