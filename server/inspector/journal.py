"""The request journal, live: the newest calls first, new ones appearing without a reload (the page asks for
its rows again every few seconds), filtered by protocol, method and outcome; one call opened with its
parameters, outcome, throttle decision and near-miss hint."""
from __future__ import annotations

from flask import request

from server.sandbox.control import journal as control_journal

from .apps import context
from .web import PAGE, Refused, bp, call, model, render

FILTERS = ("protocol", "method", "outcome")


def _entries(name: str | None) -> dict:
    """A page of the app's journal, or of the calls that named no known app (``name`` None)."""
    args = request.args
    query = model(control_journal.JournalFilter, {**{k: args.get(k) for k in FILTERS}, "next": args.get("next"),
                                                  "count": PAGE})
    if name is None:
        return call(control_journal.unmatched_journal, query=query)
    return call(control_journal.app_journal, name=name, query=query)


@bp.route("/apps/<name>/journal")
def journal(name: str):
    ctx = context(name)
    answer = _entries(name)
    live = not request.args.get("next")  # the first page follows new calls; older pages stay as they are
    return render("journal.html", tab="journal", entries=answer["entries"], following=answer.get("next"),
                  live=live, filters={k: request.args.get(k, "") for k in FILTERS}, **ctx)


@bp.route("/apps/<name>/journal/rows")
def journal_rows(name: str):
    """The first page's rows alone, for the live page to swap in."""
    ctx = context(name)
    return render("journal_rows.html", entries=_entries(name)["entries"], **ctx)


@bp.route("/apps/<name>/journal/<int:entry_id>")
def journal_entry(name: str, entry_id: int):
    ctx = context(name)
    try:
        entry = call(control_journal.app_journal_entry, name=name, entry_id=entry_id)
    except Refused as exc:
        raise Refused(404, exc.message) from None
    return render("journal_entry.html", tab="journal", entry=entry, **ctx)


# --- calls that named no known app (a wrong key, an unknown token): where a first mistake shows ----------------

@bp.route("/journal/unmatched")
def unmatched():
    answer = _entries(None)
    live = not request.args.get("next")
    return render("journal.html", app=None, entries=answer["entries"], following=answer.get("next"), live=live,
                  filters={k: request.args.get(k, "") for k in FILTERS})


@bp.route("/journal/unmatched/rows")
def unmatched_rows():
    return render("journal_rows.html", app=None, entries=_entries(None)["entries"])


@bp.route("/journal/unmatched/<int:entry_id>")
def unmatched_entry(entry_id: int):
    try:
        entry = call(control_journal.unmatched_journal_entry, entry_id=entry_id)
    except Refused as exc:
        raise Refused(404, exc.message) from None
    return render("journal_entry.html", app=None, entry=entry)
