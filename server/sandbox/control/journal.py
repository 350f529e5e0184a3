"""The control API of the request journal (server.journal): read an app's journal, newest first, filtered and
paged; read one entry; clear it. Calls that named no known app (a wrong key, an unknown token) have a journal of
their own at /sandbox/journal/unmatched, read and cleared the same way."""
from __future__ import annotations

from datetime import UTC

from flask import Blueprint, jsonify, request

from server.clock import parse_datetime
from server.journal.journal import UNMATCHED, filters_from, ring_of

from .common import ControlError, app_named, control_error, current_sandbox, page_args, paged, require_admin

bp = Blueprint("sandbox_journal", __name__, url_prefix="/sandbox")
bp.before_request(require_admin)
bp.register_error_handler(ControlError, control_error)


def _since(text: str) -> float:
    """``since``: an ISO 8601 date and time (UTC unless it names a zone), or seconds since the epoch."""
    try:
        return float(text)
    except ValueError:
        pass
    moment = parse_datetime(text)
    if moment is None:
        raise ValueError(f"since must be an ISO 8601 date and time or seconds since the epoch, not {text!r}")
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _listing(ring: str):
    try:
        match = filters_from(request.args, _since)
    except ValueError as exc:
        raise ControlError(400, str(exc)) from None
    args = page_args()
    rows = current_sandbox().journal.read(ring, match, before=args.after or None, count=args.fetch)
    return jsonify(paged("entries", rows, args, lambda e: e["id"]))


def _entry(ring: str, entry_id: int):
    found = current_sandbox().journal.get(ring, entry_id)
    if found is None:
        raise ControlError(404, f"no journal entry {entry_id}")
    return jsonify(found)


def _clear(ring: str):
    current_sandbox().journal.clear(ring)
    return "", 204


@bp.get("/apps/<name>/journal")
def app_journal(name: str):
    return _listing(ring_of(app_named(name)))


@bp.get("/apps/<name>/journal/<int:entry_id>")
def app_journal_entry(name: str, entry_id: int):
    return _entry(ring_of(app_named(name)), entry_id)


@bp.delete("/apps/<name>/journal")
def clear_app_journal(name: str):
    return _clear(ring_of(app_named(name)))


@bp.get("/journal/unmatched")
def unmatched_journal():
    return _listing(UNMATCHED)


@bp.get("/journal/unmatched/<int:entry_id>")
def unmatched_journal_entry(entry_id: int):
    return _entry(UNMATCHED, entry_id)


@bp.delete("/journal/unmatched")
def clear_unmatched_journal():
    return _clear(UNMATCHED)
