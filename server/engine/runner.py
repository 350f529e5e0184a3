"""The sequence runner: moves enrollments along their paths, set by set.

Enrollments that stand at the same item of the same path move together: the item runs once for the whole
group (one query to load what it needs, one statement to record what it did), so a drain of 100,000 contacts
costs statements per item, not per contact. The path rules of seed 001: items with no timer between them run at
once; an unfinished (draft) item is skipped; a timer that was never configured holds everything behind it
forever; a configured timer holds the contact until it lets it through; timer after timer just adds up. A date or
field timer whose moment has passed sends the contact past every item up to the next live timer (or out of the
campaign when there is none).

Each item an enrollment runs is recorded once in ``step_run`` in the same transaction as its effects, so a
batch that fails or a process that dies mid-batch leaves nothing half done, and a replay runs nothing twice.
"""
from __future__ import annotations

import contextlib
import logging
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from server.domain.data.query import select_rows
from server.store import schema
from server.store.schema import DUE_STATES
from server.tables import REGISTRY

from . import actions, goals, published, timers
from .context import ITEM_BUDGET, EngineContext
from .enrollments import Row

log = logging.getLogger("sandbox.engine")

REPUBLISH_SKIP = "republished: more than the window ago"
DRAFT_SKIP = "draft"
PASSED_SKIP = "timer passed"


_DONE_BEFORE = sa.select(schema.step_run.c.enrollment_id).where(
    schema.step_run.c.app_id == sa.bindparam("app_id"), schema.step_run.c.item_id == sa.bindparam("item_id"),
    schema.step_run.c.enrollment_id.in_(sa.bindparam("ids", expanding=True)))


class Run:
    """One pass of the runner over a set of enrollments, inside the caller's transaction."""

    def __init__(self, ctx: EngineContext):
        self.ctx = ctx
        self.s = ctx.s
        self.now = ctx.now
        self.window = float(self.s.app.option("republish_window_days")) * 86400
        self.elapsed_days = self.s.app.option("delay_days_semantics") == "elapsed"
        self.actions = actions
        self.graphs: dict = {}
        self.zones: dict[str, ZoneInfo] = {}
        self.written: dict[int, dict] = {}  # enrollment id -> the values this run last wrote for it

    # --- the loop ------------------------------------------------------------------------------------
    def run(self, rows: list[Row]) -> int:
        ctx = self.ctx
        was_busy, ctx.busy = ctx.busy, True
        executed = 0
        touched: dict[int, Row] = {}  # written back once, at the end (a path's end writes at once)
        try:
            pending = [r for r in rows if r.state in DUE_STATES]
            while pending:
                self.graphs.update(published.published_graphs(
                    self.s, {r.campaign_id for r in pending if r.campaign_id not in self.graphs}))
                groups: dict[tuple, list[Row]] = {}
                for r in pending:
                    if r.campaign_id in self.graphs:  # an unpublished campaign's contacts wait for republish
                        groups.setdefault((r.campaign_id, r.sequence_id, r.path, r.cursor), []).append(r)
                pending = []
                for key in sorted(groups):
                    group = [r for r in groups[key] if r.id not in ctx.stopped]
                    if not group:
                        continue
                    touched.update((r.id, r) for r in group)
                    if ctx.items_run >= ITEM_BUDGET:  # the rest is due now: the next drain goes on
                        for r in group:
                            r.state, r.due_at = "active", self.now
                        continue
                    moved = self.step(self.graphs[key[0]], group)
                    executed += len(group)
                    ctx.items_run += len(group)
                    goals.handle_queued(ctx)
                    pending += [r for r in moved if r.id not in ctx.stopped and r.state == "active"]
                    pending += ctx.take_started()
            self.write(list(touched.values()))
        finally:
            ctx.busy = was_busy
        return executed

    def write(self, rows: list[Row]) -> None:
        """Write the rows' progress back, leaving out what an earlier write of this run stored already (a path's
        end writes at once, and the run's closing write would repeat it)."""
        stopped, written = self.ctx.stopped, self.written
        changed = []
        for r in rows:
            if r.id in stopped:
                continue
            values = {"id": r.id, "state": r.state, "cursor": r.cursor, "due_at": r.due_at,
                      "waiting_item_id": r.waiting_item_id, "waiting_since": r.waiting_since,
                      "replay_from": r.replay_from, "last_step_at": r.last_step_at, "ended_at": r.ended_at}
            if written.get(r.id) != values:
                written[r.id] = values
                changed.append(values)
        self.s.update_many(schema.enrollment, ("id",), changed)

    # --- one item for a group --------------------------------------------------------------------------
    def step(self, graph, group: list[Row]) -> list[Row]:
        """Run the item the group stands at; returns the rows that moved on (still active)."""
        first = group[0]
        items = graph.path_items(first.sequence_id, first.path)
        if first.cursor >= len(items):
            self.finish(graph, group)
            return []
        item = graph.items[items[first.cursor]]
        if item.is_timer:
            return self.timer(graph, item, items, group)
        if not item.ready:
            self.record(item, group, "skipped", DRAFT_SKIP)
            return self.advance(group)
        late = [r for r in group if r.replay_from is not None and self.now - r.replay_from > self.window]
        if late:
            self.record(item, late, "skipped", REPUBLISH_SKIP)
        todo = [r for r in group if r not in late]
        if todo:
            recorded = [r.id for r in todo if not getattr(r, "fresh", False)]
            done = set(self.s.execute(_DONE_BEFORE, {"app_id": self.s.app.id, "item_id": item.id,
                                                     "ids": recorded}).scalars()) if recorded else set()
            fresh = [r for r in todo if r.id not in done]  # a replayed step never runs twice
            if fresh:
                outcomes = self.actions.execute(self, graph, item, fresh)
                self.record_outcomes(item, fresh, outcomes)
        return self.advance(group)

    def advance(self, group: list[Row]) -> list[Row]:
        for r in group:
            r.cursor += 1
            r.state = "active"
            r.last_step_at = r.replay_from if r.replay_from is not None else self.now
        return group

    def record(self, item, rows: list[Row], status: str, reason: str | None) -> None:
        self.record_outcomes(item, rows, {r.id: (status, reason, None) for r in rows})

    def record_outcomes(self, item, rows: list[Row], outcomes: dict) -> None:
        runs = []
        tally = self.s.tally
        for r in rows:
            status, reason, result = outcomes.get(r.id, ("done", None, None))
            runs.append(dict(enrollment_id=r.id, item_id=item.id, status=status, reason=reason,
                             executed_at=r.replay_from if r.replay_from is not None else self.now, result=result))
            if tally is not None:
                tally.item(item.type, status)
        self.s.insert(schema.step_run, runs)

    # --- timers --------------------------------------------------------------------------------------
    def zone(self, graph) -> ZoneInfo:
        name = graph.time_zone or self.s.app.time_zone
        if name not in self.zones:
            try:
                self.zones[name] = ZoneInfo(name)
            except Exception:  # a bad zone name in a document: the app's zone
                self.zones[name] = ZoneInfo(self.s.app.time_zone)
        return self.zones[name]

    def timer(self, graph, item, items: list[int], group: list[Row]) -> list[Row]:
        moved = []
        contact_zones = self.contact_zones(group) if item.config.get("contact_time_zone") else {}
        field_values = self.field_values(item.config.get("field"), group) if item.type == "field_timer" else {}
        computed: dict[tuple, float | str] = {}  # a batch reaches a timer at one moment: one computation
        for r in group:
            if r.waiting_item_id == item.id and r.due_at is not None and r.due_at <= self.now:
                r.waiting_item_id = None  # woke up: the timer lets it through
                r.replay_from = r.due_at if r.replay_from is not None else None
                r.state, r.cursor = "active", r.cursor + 1
                moved.append(r)
                continue
            reached = r.replay_from if r.replay_from is not None else self.now
            zone = contact_zones.get(r.contact_id) or self.zone(graph)
            value = field_values.get(r.contact_id)
            key = (reached, zone.key, value)
            due = computed.get(key)
            if due is None:
                due = computed[key] = self.due(item, reached, zone, value)
            if due == timers.UNCONFIGURED:
                r.state, r.due_at, r.waiting_item_id, r.waiting_since = "waiting", None, item.id, reached
            elif due == timers.PASSED:
                if self.jump(graph, items, r, zone, reached, field_values.get(r.contact_id)):
                    r.state = "active"
                    moved.append(r)
            elif due <= self.now:
                if r.replay_from is not None:
                    r.replay_from = due
                r.state, r.cursor = "active", r.cursor + 1
                moved.append(r)
            else:
                r.state, r.due_at, r.waiting_item_id, r.waiting_since = "waiting", due, item.id, reached
                r.replay_from = None
        return moved

    def due(self, item, reached: float, zone: ZoneInfo, field_value):
        if not item.ready:
            return timers.UNCONFIGURED
        if item.type == "delay_timer":
            return timers.delay_due(item.config, reached, zone, elapsed_days=self.elapsed_days)
        if item.type == "date_timer":
            return timers.date_due(item.config, reached, zone)
        return timers.field_due(item.config, reached, zone, field_value)

    def jump(self, graph, items: list[int], r: Row, zone, reached: float, field_value) -> bool:
        """A passed date or field timer: skip ahead to the next timer that is still to come; True if the row
        moved on (to that timer), False if it fell out of the campaign."""
        skipped = []
        for index in range(r.cursor + 1, len(items)):
            nxt = graph.items[items[index]]
            if nxt.is_timer and self.due(nxt, reached, zone, field_value) != timers.PASSED:
                if skipped:
                    self.record_many(graph, skipped, r)
                r.cursor = index
                return True
            if not nxt.is_timer:
                skipped.append(nxt)
        if skipped:
            self.record_many(graph, skipped, r)
        r.state, r.due_at, r.ended_at, r.waiting_item_id = "fell_out", None, self.now, None
        return False

    def record_many(self, graph, items, r: Row) -> None:
        if self.s.tally is not None:
            for i in items:
                self.s.tally.item(i.type, "skipped")
        self.s.insert(schema.step_run, [dict(enrollment_id=r.id, item_id=i.id, status="skipped", reason=PASSED_SKIP,
                                             executed_at=self.now, result=None) for i in items])

    def contact_zones(self, group: list[Row]) -> dict[int, ZoneInfo]:
        out = {}
        for contact_id, value in self.field_values("TimeZone", group).items():
            with contextlib.suppress(Exception):  # not a zone name: the campaign's zone
                out[contact_id] = ZoneInfo(str(value))
        return out

    def field_values(self, name: str | None, group: list[Row]) -> dict:
        if not name:
            return {}
        c = schema.contact
        ids = sorted({r.contact_id for r in group})
        out = {}
        for i in range(0, len(ids), 500):
            for row in select_rows(self.s, REGISTRY.get("Contact"), ["Id", name], {},
                                   extra_where=[c.c.id.in_(ids[i:i + 500])]):
                out[row["Id"]] = row.get(name)
        return out

    # --- the end of a path ---------------------------------------------------------------------------
    def finish(self, graph, group: list[Row]) -> None:
        """The group reached the end of its path. When every path of a contact's run has ended, the sequence is
        complete: it starts what follows it, and the contact waits (queued) if a goal follows it."""
        seq = graph.sequences[group[0].sequence_id]
        for r in group:
            r.state = "queued" if seq.goal_right else "done"
            r.due_at, r.waiting_item_id = None, None
            r.ended_at = None if seq.goal_right else self.now
        self.write(group)
        if not seq.next:
            return
        e = schema.enrollment
        for r in group:
            others = self.s.execute(self.s.select(e, e.c.id).where(
                e.c.sequence_id == r.sequence_id, e.c.contact_id == r.contact_id, e.c.run_no == r.run_no,
                e.c.id != r.id, e.c.state.in_(DUE_STATES + ("paused",))).limit(1)).first()
            if others is None:
                goals.start_targets(self.ctx, graph, seq.next, r.contact_id, "sequence", seq.id,
                                    joined_since=r.entered_at, run=(seq.id, r.run_no))


# --- draining what is due ----------------------------------------------------------------------------------

_DUE = sa.select(schema.enrollment).where(
    schema.enrollment.c.app_id == sa.bindparam("app_id"), schema.DUE,
    schema.enrollment.c.due_at <= sa.bindparam("now"),
).order_by(schema.enrollment.c.due_at, schema.enrollment.c.id).limit(sa.bindparam("batch"))


def claim(ctx: EngineContext, batch: int) -> list[Row]:
    """The next due enrollments of published campaigns, oldest first. On PostgreSQL the rows are locked and
    rows another worker holds are skipped, so several workers drain one app without running anything twice."""
    s = ctx.s
    c, e = schema.campaign, schema.enrollment
    q = _DUE.where(e.c.campaign_id.in_(
        sa.select(c.c.id).where(c.c.app_id == s.app.id, c.c.status == "published").scalar_subquery()))
    if s.conn.dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True, of=e)
    return [Row.of(r) for r in s.execute(q, {"app_id": s.app.id, "now": ctx.now, "batch": batch})]
