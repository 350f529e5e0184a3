"""Sync tokens over the change log (``domain_event``, numbered per app in commit order).

A token names a point of the app's log: "everything up to change N". A list call (``GET /tasks``,
``/appointments``) answers the point it read at; ``GET /<resource>/sync?sync_token=T`` answers the records
changed after T, one entry per record, ordered by its last change, each ``CREATED`` (made after T),
``UPDATED`` or ``DELETED``, with the token to send next time. Because a reader that sees change N sees every
change before it, a client that sends back the token it was given gets exactly what changed since, in
order, nothing missed and nothing repeated, whatever writes run meanwhile. Pages of one answer are a fixed
window (``next``/``previous`` carry a token naming both ends); each page's own ``sync_token`` is the last
change it covered, so a client that always sends back the latest token misses nothing either. The token
is opaque (base64 of the app, the point, and the window's end); it does not expire, and does not survive a
reset of the app (the log starts again). See docs/rest.md.
"""
from __future__ import annotations

import base64
import binascii

from server.domain.change_log import Change, Window, changes, head
from server.domain.session import AppSession

from .api import envelope, page
from .errors import bad_request

__all__ = ["Change", "Window", "answer", "encode", "head", "next_token", "window"]


def encode(s: AppSession, after: int, upto: int | None = None) -> str:
    text = f"{s.app.id}.{after}" + (f".{upto}" if upto is not None else "")
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def window(s: AppSession, token: str | None) -> Window:
    """The window a sync call reads: from the token's point to its end, or to the log's head now."""
    now = head(s)
    if not token:
        return Window(0, now)  # no token: everything, as CREATED
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        parts = [int(p) for p in text.split(".")]
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise bad_request("Invalid sync_token") from None
    if len(parts) not in (2, 3) or parts[0] != s.app.id or parts[1] < 0 or parts[1] > now:
        raise bad_request("Invalid sync_token")
    upto = parts[2] if len(parts) == 3 else now
    if upto < parts[1] or upto > now:
        raise bad_request("Invalid sync_token")
    return Window(parts[1], upto)


def next_token(s: AppSession, w: Window, page: list[Change], offset: int, total: int) -> str:
    """The token a page hands out: the window's end on its last page, else the last change it covered."""
    if offset + len(page) >= total or not page:
        return encode(s, w.upto)
    return encode(s, page[-1].seq)


def answer(r, *, entity: str, kind: str, key: str, item_key: str, path: str, load) -> dict:
    """``GET /<resource>/sync``: ``{<key>: [{status, <item_key>: {...}}], count, next, previous, sync_token}``.
    ``load(ids)`` renders the records that still exist, ``{id: json}``."""

    s = r.s
    w = window(s, r.query.sync_token)
    limit, offset = page(r.query)
    report = s.app.option("rest_sync_deleted") == "report"
    found, total = changes(s, entity, kind, w, limit=limit, offset=offset, report_deleted=report)
    rendered = load([c.id for c in found if c.status != "DELETED"])
    items = []
    for change in found:
        obj = rendered.get(change.id)
        if obj is None:  # deleted since the window's end: it is gone
            if not report:
                continue
            items.append({"status": "DELETED", item_key: {"id": change.id}})
        else:
            items.append({"status": change.status, item_key: obj})
    return envelope(r, key, items, total, limit, offset, path=path, top_level=False,
                    carry={"sync_token": encode(s, w.after, w.upto)},
                    sync_token=next_token(s, w, found, offset, total))
