"""Republishing a campaign that has contacts in it (spec campaign-engine.md §1.10, §4.8).

Enrollments point at item ids, and ids survive edits, so each contact keeps its place:
- it goes on after the last item it passed that still exists (an item removed under it: the next one);
- a contact waiting on a timer that still exists goes on waiting, its due time computed again from when it
  reached the timer, with the timer's new settings (Keap calls editing live timers "unpredictable"; this is the
  sandbox's clean rule);
- an item added before its place runs now if the contact passed that point within the republish window (7 days
  of app time by default, the app option ``republish_window_days``), and is skipped otherwise (Novak's
  description of the real behaviour);
- a contact that had finished the path (queued, waiting for a goal) gets the items appended to its end, replayed
  from when it finished: what would have run more than the window ago is skipped, what is due later waits;
- after an unpublish, timers that came due meanwhile are replayed the same way.
"""
from __future__ import annotations

from server.store import schema
from server.store.schema import LIVE_STATES
from server.store.session import AppSession

from .context import context
from .enrollments import Row
from .graph import Graph
from .runner import REPUBLISH_SKIP, Run


def _executed(s: AppSession, enrollment_ids: list[int]) -> dict[int, dict[int, float]]:
    sr = schema.step_run
    out: dict[int, dict[int, float]] = {}
    for i in range(0, len(enrollment_ids), 500):
        q = s.select(sr, sr.c.enrollment_id, sr.c.item_id, sr.c.executed_at).where(
            sr.c.enrollment_id.in_(enrollment_ids[i:i + 500]))
        for row in s.execute(q):
            out.setdefault(row.enrollment_id, {})[row.item_id] = row.executed_at
    return out


def apply(s: AppSession, previous: Graph | None, compiled: Graph, *, unpublished_since: float | None) -> int:
    """Re-place every live enrollment of the campaign in ``compiled``; returns how many moved."""
    if previous is None:
        return 0  # first publish: nobody is in it yet
    e = schema.enrollment
    live = [Row.of(r) for r in s.execute(s.select(e).where(e.c.campaign_id == compiled.campaign_id,
                                                            e.c.state.in_(LIVE_STATES)))]
    if not live:
        return 0
    ctx = context(s)
    run = Run(ctx)
    now, window = ctx.now, run.window
    executed = _executed(s, [r.id for r in live])
    changed, to_run = [], []
    for r in live:
        before = r.values()
        seq = compiled.sequences.get(r.sequence_id)
        if seq is None or r.path >= len(seq.paths):
            r.state, r.due_at, r.ended_at = "removed", None, now  # its sequence (or path) is gone
            changed.append(r)
            continue
        new_items = seq.paths[r.path]
        old_items = previous.path_items(r.sequence_id, r.path) if r.sequence_id in previous.sequences else []
        passed = set(old_items[:r.cursor]) | set(executed.get(r.id, {}))
        waiting_on = r.waiting_item_id if r.state == "waiting" else None
        if waiting_on in new_items:
            r.cursor = new_items.index(waiting_on)
            item = compiled.items[waiting_on]
            due = run.due(item, r.waiting_since or now, run.zone(compiled), None) if item.type != "field_timer" \
                else r.due_at
            r.due_at = now if isinstance(due, str) else due  # passed or unconfigured: the runner decides now
            if isinstance(due, str):
                r.waiting_item_id = None
                r.state = "active"
        else:
            indexes = [i for i, x in enumerate(new_items) if x in passed]
            r.cursor = indexes[-1] + 1 if indexes else 0
            if waiting_on is not None:  # the timer it waited on was removed: go on from here, now
                r.state, r.due_at, r.waiting_item_id = "active", now, None
        for position, item_id in enumerate(new_items[:r.cursor]):  # added before its place
            item = compiled.items[item_id]
            if item_id in passed or item.is_timer or not item.ready:
                continue
            reference = max((executed.get(r.id, {}).get(x, r.entered_at) for x in new_items[:position] if x in passed),
                            default=r.entered_at)
            if now - reference <= window:
                outcomes = run.actions.execute(run, compiled, item, [r])
                run.record_outcomes(item, [r], outcomes)
            else:
                run.record(item, [r], "skipped", REPUBLISH_SKIP)
        if r.state == "queued" and r.cursor < len(new_items):  # new items after the end of its path
            r.state, r.due_at = "active", now
            r.replay_from = r.last_step_at or r.entered_at
            r.ended_at = None
        if unpublished_since is not None and r.state == "waiting" and r.due_at is not None and r.due_at <= now:
            r.replay_from = r.due_at  # came due while unpublished: replayed from then
        if r.values() != before:
            changed.append(r)
        if r.state == "active" or (r.state == "waiting" and r.due_at is not None and r.due_at <= now):
            to_run.append(r)
    run.write(changed)
    if to_run and ctx.eager and not ctx.busy:
        ctx.busy = True
        try:
            run.run([r for r in to_run if r.state == "active"] + [r for r in to_run if r.state == "waiting"])
        finally:
            ctx.busy = False
    return len(changed)
