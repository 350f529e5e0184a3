"""DataService.getTemporaryKey: the deprecated vendor flow (spec §1.2). A vendor's key, the user's name
and the md5 of their password buy an API key valid for one hour of the app's clock.

In the real service the app is the host called (APPNAME.infusionsoft.com) and a vendor key is a partner's,
valid for any app; the sandbox serves every app on one host, so a vendor key belongs to one app (made with
the control API, ``POST /sandbox/apps/<app>/vendor-keys``) and selects it.
"""
from __future__ import annotations

from sqlalchemy.engine import Connection

from server.domain.errors import InvalidKey
from server.store import vendor_keys
from server.store.session import AppRecord, AppSession

from . import users


def app_of_vendor_key(conn: Connection, vendor_key: str) -> AppRecord | None:
    """The app a vendor key belongs to (a keyless call's own argument selects its app), or None."""
    return vendor_keys.app_of_vendor_key(conn, vendor_key)


def issue(s: AppSession, vendor_key: str, username: str, password_hash: str) -> str:
    row = vendor_keys.vendor_key(s.conn, vendor_key)
    if row is None or row.app_id != s.app.id:
        raise InvalidKey()
    user_id = users.authenticate(s, username, password_hash)
    key = vendor_keys.add_temporary_key(s.conn, s.app, user_id, row.id)
    s.emit("temporary_key.issued", "user", user_id, vendor_key_id=row.id)
    return key
