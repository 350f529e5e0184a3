"""The app's public web addresses: where a web form posts, where a file downloads, an affiliate's
redirect links, the web-tracking script.

The real service puts the app in the host name (``https://APP.infusionsoft.com/app/form/process/<xid>``);
the sandbox serves every app on one host, so the 32-hex ids in these URLs (the real ones look the same)
carry the app: 16 hex of app id and record id, and 16 hex of an HMAC of them under the app's own random
secret (``app.url_secret``, made with the app and never sent anywhere). Nobody without the secret can compute
the address of a file or form from its id, and an id of a deleted app, another app, or an altered token
resolves to nothing. A file's address also signs the app's epoch, so one handed out before a reset or a
snapshot's restore (after which ids are used again) resolves to nothing, not to the file that took its id.
Records are copied between apps with their ids, so an id stored in a row could not tell the apps apart;
computing it can.
"""
from __future__ import annotations

import hashlib
import hmac
from urllib.parse import quote

from server.store.session import AppRecord, AppSession
from server.tables import INT_MAX

# Kinds whose address names data that a reset or a snapshot's restore replaces with other data under the same ids:
# their check also signs the app's epoch (drawn again then), so an old address finds nothing rather than the file
# that took its id. Web forms keep theirs across a reset (a page holding a seeded form's HTML still posts to it).
_PER_EPOCH = frozenset({"file"})


def _check(app: AppRecord, kind: str, record_id: int) -> str:
    epoch = f":{app.epoch}" if kind in _PER_EPOCH else ""
    message = f"{app.id}:{app.name}:{kind}:{record_id}{epoch}".encode()
    return hmac.new(app.url_secret, message, hashlib.sha256).hexdigest()[:16]


def token(app: AppRecord, kind: str, record_id: int) -> str:
    return _check(app, kind, record_id) + f"{app.id:08x}{record_id:08x}"


def parse(value: str) -> tuple[int, int] | None:
    """``(app_id, record_id)`` of a token, unchecked (check with ``matches`` once the app is loaded)."""
    text = (value or "").strip().lower()
    if len(text) != 32 or any(c not in "0123456789abcdef" for c in text):
        return None
    app_id, record_id = int(text[16:24], 16), int(text[24:], 16)
    if app_id > INT_MAX or record_id > INT_MAX:
        return None  # ids are 32-bit signed in the store
    return app_id, record_id


def matches(value: str, app: AppRecord, kind: str) -> bool:
    parsed = parse(value)
    return (parsed is not None and parsed[0] == app.id
            and hmac.compare_digest(value.strip().lower(), token(app, kind, parsed[1])))


# --- the addresses --------------------------------------------------------------------------------

def form_action(s: AppSession, form_id: int) -> str:
    return f"{s.base_url}/app/form/process/{token(s.app, 'webform', form_id)}"


def form_page(s: AppSession, form_id: int) -> str:
    """The form's hosted page (the real service serves it at ``/app/form/<xid>``)."""
    return f"{s.base_url}/app/form/{token(s.app, 'webform', form_id)}"


def form_thank_you(s: AppSession, form_id: int) -> str:
    return f"{s.base_url}/app/form/thankyou/{token(s.app, 'webform', form_id)}"


def download(s: AppSession, file_id: int, file_name: str) -> str:

    return f"{s.base_url}/filebox/{token(s.app, 'file', file_id)}/{quote(file_name or 'file')}"


def tracking_script(s: AppSession) -> str:
    return f"{s.base_url}/app/webTracking/getTrackingCode?trackingId={token(s.app, 'tracking', 0)}"


def redirect_link(s: AppSession, local_url_code: str, aff_code: str) -> str:
    """The real link is ``https://APP.infusionsoft.com/go/<code>/<affiliate code>``; here the app's name
    comes first, since every app shares the host."""

    return f"{s.base_url}/go/{quote(s.app.name)}/{quote(local_url_code)}/{quote(aff_code or '')}"
