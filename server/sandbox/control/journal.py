"""The control API of the request journal (server.journal): read an app's journal, newest first, filtered and
paged; read one entry; clear it. Calls that named no known app (a wrong key, an unknown token) have a journal of
their own at /sandbox/journal/unmatched, read and cleared the same way."""
from __future__ import annotations

import math
import os
from datetime import UTC

from flask import jsonify, request
from pydantic import Field

from server.clock import parse_datetime
from server.journal.journal import UNMATCHED, BadFilter, filters_from, ring_of
from server.sandbox.inputs import shown

from .common import ControlError, app_named, current_sandbox, paged
from .contract import ControlBlueprint, Page

bp = ControlBlueprint("sandbox_journal", __name__)


class JournalFilter(Page):
    """The filters of a journal listing, newest first, and its page."""

    protocol: str | None = Field(None, max_length=50, description="xmlrpc, rest-v1, rest-v2, oauth …")
    method: str | None = Field(None, max_length=500, description="the XML-RPC method or the REST operation")
    outcome: str | None = Field(None, max_length=50, description="ok, fault, error … or an HTTP status")
    since: str | None = Field(None, max_length=100, description="ISO 8601 (UTC unless it names a zone), or seconds")
    credential: str | None = Field(None, max_length=500, description="the kind of credential used")
    retired: str | None = Field(None, max_length=50, description="refused by the app's retirement schedule: any, "
                                "brownout, sunset or legacy_key")


def _since(text: str) -> float:
    """``since``: an ISO 8601 date and time (UTC unless it names a zone), or seconds since the epoch."""
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if not math.isfinite(seconds):
            raise ValueError(f"since must be an ISO 8601 date and time or seconds since the epoch, not {shown(text)}")
        return seconds
    moment = parse_datetime(text)
    if moment is None:
        raise ValueError(f"since must be an ISO 8601 date and time or seconds since the epoch, not {shown(text)}")
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _listing(ring: str, query: JournalFilter):
    try:
        match = filters_from(request.args, _since)
    except BadFilter as exc:
        raise ControlError(400, str(exc), [{"field": exc.field, "problem": str(exc)}]) from None
    args = query.page()
    journal = current_sandbox().journal
    rows = journal.read(ring, match, before=args.after or None, count=args.fetch)
    answer = jsonify(paged("entries", rows, args, lambda e: e["id"]))
    if not journal.rings.shared:  # kept in this process: under several workers, only the calls it served
        answer.headers["X-Sandbox-Journal-Process"] = str(os.getpid())
    return answer


def _entry(ring: str, entry_id: int):
    found = current_sandbox().journal.get(ring, entry_id)
    if found is None:
        raise ControlError(404, f"no journal entry {entry_id}")
    return jsonify(found)


def _clear(ring: str):
    current_sandbox().journal.clear(ring)
    return "", 204


@bp.get("/apps/<name>/journal", summary="The app's request journal, newest first", query=JournalFilter,
        errors=(404,))
def app_journal(name: str, query: JournalFilter):
    return _listing(ring_of(app_named(name)), query)


@bp.get("/apps/<name>/journal/<int:entry_id>", summary="One journal entry", errors=(404,))
def app_journal_entry(name: str, entry_id: int):
    return _entry(ring_of(app_named(name)), entry_id)


@bp.delete("/apps/<name>/journal", summary="Clear the app's journal", status=204, errors=(404,))
def clear_app_journal(name: str):
    return _clear(ring_of(app_named(name)))


@bp.get("/journal/unmatched", summary="The journal of calls that named no known app", query=JournalFilter)
def unmatched_journal(query: JournalFilter):
    return _listing(UNMATCHED, query)


@bp.get("/journal/unmatched/<int:entry_id>", summary="One entry of the unmatched journal", errors=(404,))
def unmatched_journal_entry(entry_id: int):
    return _entry(UNMATCHED, entry_id)


@bp.delete("/journal/unmatched", summary="Clear the unmatched journal", status=204)
def clear_unmatched_journal():
    return _clear(UNMATCHED)
