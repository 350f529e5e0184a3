"""Goals: which published goals an event achieves, and what achieving one does (spec campaign-engine.md §1.3).

Achieving a goal stops every live sequence of its campaign upstream of it for that contact (directly or not),
except those set to run until completed, and starts what follows it: sequences, or a decision diamond that
routes the contact into the sequences whose rules it meets. The first goal of a campaign is always an entry
point; another goal can be made one, otherwise it counts only for contacts already in the campaign. A contact
is in at most one live run of a sequence at a time: starting it again while it is live does nothing
("already in sequence"); once that run has ended, it starts anew.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from server.domain.crm import tags as tag_domain
from server.domain.data.query import select_rows
from server.store import schema
from server.store.prepared import PreparedAll
from server.store.schema import LIVE_STATES
from server.store.session import Event
from server.tables import REGISTRY

from . import published
from .context import EVENT_BUDGET, EngineContext
from .enrollments import Row
from .graph import Goal, Graph, api_trigger, wordpress_trigger

ALREADY_IN_SEQUENCE = "Contact is already in this sequence"
STARTED = "Contact started in sequence"
STOPPED = "Contact stopped in sequence"

_FORM_GOALS = {"web": "web_form_submitted", "landing": "landing_page_submitted", "internal": "internal_form_submitted",
               "grosocial": "grosocial_form_submitted", "twitter": "twitter_lead_card_submitted"}


@dataclass
class Flow:
    sequence_id: int
    success: bool
    message: str


@dataclass
class GoalResult:
    campaign_id: int
    goal_id: int
    flow_start: list[Flow] = field(default_factory=list)
    flow_stop: list[Flow] = field(default_factory=list)


# --- from events to triggers ----------------------------------------------------------------------------

# The domain events the engine listens to (server.engine ``install`` subscribes to these): those that can
# achieve a goal (``triggers_for``), and a deleted contact or company, which leaves its sequences.
EVENT_TYPES = ("tag.applied", "note.template_applied", "webform.submitted", "task.completed",
               "opportunity.stage_moved", "link.clicked", "lead_score.changed", "invoice.paid",
               "invoice.payment_failed", "contact.deleted", "company.deleted")

def _contact_of(event: Event) -> int | None:
    contact_id = event.payload.get("contact_id")
    if contact_id is None and event.entity == "contact":
        contact_id = event.entity_id
    return contact_id


def triggers_for(ctx: EngineContext, event: Event) -> list[str]:
    p, kind = event.payload, event.type
    if kind == "tag.applied":
        return [f"tag_applied:{p['tag_id']}"]
    if kind == "note.template_applied":
        out = [f"note_applied:{p.get('template_id')}", "note_applied:any"]
        if p.get("template_name"):
            out.append(f"note_applied:name:{str(p['template_name']).lower()}")
        return out
    if kind == "webform.submitted":
        goal_type = _FORM_GOALS.get(p.get("form_kind", "web"), "web_form_submitted")
        out = [f"{goal_type}:{p.get('form_id')}", f"{goal_type}:any"]
        if p.get("form_name"):
            out.append(f"{goal_type}:name:{str(p['form_name']).lower()}")
        return out
    if kind == "task.completed":
        ct = schema.campaign_task
        item_id = ctx.s.execute(ctx.s.select(ct, ct.c.item_id).where(ct.c.action_id == p.get("action_id"))).scalar()
        return ([f"task_completed:{item_id}"] if item_id is not None else []) + ["task_completed:any"]
    if kind == "opportunity.stage_moved":
        return [f"opportunity_moved:{p.get('to_stage_id')}", "opportunity_moved:any"]
    if kind == "link.clicked":
        return ([f"link_clicked:{p['item_id']}"] if p.get("item_id") else []) + ["link_clicked:any"]
    if kind == "lead_score.changed":
        return ["lead_score_reached"]
    if kind in ("invoice.paid", "invoice.payment_failed"):
        if kind == "invoice.paid" and p.get("payment_type") == "manual" and \
                not ctx.s.app.option("purchase_goal_counts_manual_payments"):
            return []  # "If you process manual orders, you will need to use an alternative goal"
        goal_type = "product_purchased" if kind == "invoice.paid" else "purchase_failed"
        out = [f"{goal_type}:product:{i}" for i in p.get("product_ids") or []]
        out += [f"{goal_type}:category:{i}" for i in p.get("category_ids") or []]
        return out + [f"{goal_type}:any"]
    return []


def _filters_pass(compiled: Graph, goal: Goal, event: Event) -> bool:
    c, p = goal.config, event.payload
    if goal.type == "opportunity_moved" and c.get("from_stage") is not None:
        return p.get("from_stage_id") == c["from_stage"]
    if goal.type == "link_clicked":
        # "a tracked link in this campaign's email" (docs/campaigns.md; spec §1.2 "in a sequence email"): without
        # ``email`` the goal listens to every click, so a click in another campaign's email, a broadcast or a
        # sendEmail message must not achieve it
        return p.get("campaign_id") == compiled.campaign_id and (not c.get("url") or p.get("url") == c["url"])
    if goal.type == "lead_score_reached":
        old, new, score = p.get("old_score", 0), p.get("score", 0), c.get("score", 0)
        return old > score >= new if c.get("direction") == "down" else old < score <= new
    return True


_gt = schema.goal_trigger
_TRIGGER = PreparedAll(sa.select(_gt.c.campaign_id, _gt.c.goal_id).where(
    _gt.c.app_id == sa.bindparam("app_id"), _gt.c.trigger == sa.bindparam("trigger")))


def matching_goals(ctx: EngineContext, triggers: list[str]) -> list[tuple[Graph, Goal]]:
    if not triggers:
        return []
    pairs = sorted({(r.campaign_id, r.goal_id) for t in triggers for r in ctx.s.all(_TRIGGER, trigger=t)})
    if not pairs:
        return []
    graphs = published.published_graphs(ctx.s, [c for c, _ in pairs])
    return [(graphs[c], graphs[c].goals[g]) for c, g in pairs if c in graphs and g in graphs[c].goals]


def handle_queued(ctx: EngineContext) -> None:
    """Achieve the goals of every event queued in the transaction (without running items)."""
    while ctx.queue and ctx.events_handled < EVENT_BUDGET:
        event = ctx.queue.popleft()
        ctx.events_handled += 1
        handle(ctx, event)
    ctx.queue.clear()  # over budget: drop the rest (their goals are missed, as a runaway loop deserves)


def handle(ctx: EngineContext, event: Event) -> list[GoalResult]:
    """Side effects of the engine's own (a deleted contact leaves its sequences), then the goals."""
    if event.type in ("contact.deleted", "company.deleted"):
        _end_all(ctx, event.entity_id, "removed")
        return []
    triggers = triggers_for(ctx, event)
    contact_id = _contact_of(event)
    if not triggers or contact_id is None:
        return []
    results = []
    for compiled, goal in matching_goals(ctx, triggers):
        if _filters_pass(compiled, goal, event):
            result = achieve(ctx, compiled, goal, contact_id)
            if result is not None:
                results.append(result)
    return results


def achieve_api_goal(ctx: EngineContext, integration: str, call_name: str, contact_id: int) -> list[GoalResult]:
    """FunnelService.achieveGoal / REST POST /campaigns/goals/{integration}/{callName}."""
    return achieve_triggered(ctx, [api_trigger(ctx.s, integration, call_name)], contact_id)


def achieve_wordpress_goal(ctx: EngineContext, contact_id: int, optin: str | None) -> list[GoalResult]:
    """FunnelService.achieveWordPressGoal: the goals of that opt-in, and those of any opt-in."""
    triggers = ([wordpress_trigger(optin)] if optin else []) + [wordpress_trigger(None)]
    return achieve_triggered(ctx, triggers, contact_id)


def achieve_triggered(ctx: EngineContext, triggers: list[str], contact_id: int) -> list[GoalResult]:
    """Achieve every published goal listening to one of ``triggers`` (a call, not an event, achieves them)."""
    results = []
    for compiled, goal in matching_goals(ctx, triggers):
        result = achieve(ctx, compiled, goal, contact_id)
        if result is not None:
            results.append(result)
    return results


# --- achieving ------------------------------------------------------------------------------------------

def in_campaign(ctx: EngineContext, contact_id: int, campaign_id: int) -> bool:
    e = schema.enrollment
    q = ctx.s.select(e, e.c.id).where(e.c.contact_id == contact_id, e.c.campaign_id == campaign_id,
                                      e.c.state.in_(LIVE_STATES)).limit(1)
    return ctx.s.execute(q).first() is not None


def achieve(ctx: EngineContext, compiled: Graph, goal: Goal, contact_id: int) -> GoalResult | None:
    if not goal.entry_point and not in_campaign(ctx, contact_id, compiled.campaign_id):
        return None  # "Contacts in campaign": the goal counts only for contacts already in it
    s = ctx.s
    s.insert(schema.goal_achievement, dict(campaign_id=compiled.campaign_id, goal_id=goal.id,
                                           contact_id=contact_id, achieved_at=ctx.now))
    result = GoalResult(compiled.campaign_id, goal.id)
    stoppable = [q for q in goal.upstream if not compiled.sequences[q].runs_until_completed]
    for sequence_id in _stop(ctx, contact_id, compiled.campaign_id, stoppable):
        result.flow_stop.append(Flow(sequence_id, True, STOPPED))
    result.flow_start = start_targets(ctx, compiled, goal.targets, contact_id, "goal", goal.id)
    if s.tally is not None:
        s.tally.goals_fired += 1
    s.emit("goal.achieved", "campaign", compiled.campaign_id, contact_id=contact_id, goal_id=goal.id,
           started=[f.sequence_id for f in result.flow_start if f.success],
           stopped=[f.sequence_id for f in result.flow_stop])
    return result


def _stop(ctx: EngineContext, contact_id: int, campaign_id: int, sequence_ids: list[int]) -> list[int]:
    if not sequence_ids:
        return []
    e = schema.enrollment
    rows = ctx.s.execute(ctx.s.select(e, e.c.id, e.c.sequence_id).where(
        e.c.contact_id == contact_id, e.c.campaign_id == campaign_id, e.c.sequence_id.in_(sequence_ids),
        e.c.state.in_(LIVE_STATES))).all()
    if not rows:
        return []
    ids = [r.id for r in rows]
    ctx.s.update(e, e.c.id.in_(ids), state="stopped", due_at=None, ended_at=ctx.now)
    ctx.stopped.update(ids)
    return sorted({r.sequence_id for r in rows})


def _end_all(ctx: EngineContext, contact_id: int, state: str) -> None:
    e = schema.enrollment
    ids = [r.id for r in ctx.s.execute(ctx.s.select(e, e.c.id).where(
        e.c.contact_id == contact_id, e.c.state.in_(LIVE_STATES)))]
    if ids:
        ctx.s.update(e, e.c.id.in_(ids), state=state, due_at=None, ended_at=ctx.now)
        ctx.stopped.update(ids)


def start_targets(ctx: EngineContext, compiled: Graph, targets, contact_id: int, source: str,
                  source_id: int | None, seen: set | None = None, *, joined_since: float | None = None,
                  run: tuple[int, int] | None = None) -> list[Flow]:
    """Start what a goal or a completed sequence leads to. ``joined_since`` (when the completed run began): a
    target the contact entered since then (other than that run itself, ``run`` = (sequence, run_no)) is not
    started again, so parallel flows that join run the sequence they join into once."""
    flows: list[Flow] = []
    seen = set() if seen is None else seen
    for kind, node_id in targets:
        if kind == "sequence":
            flows += start_sequence(ctx, compiled, node_id, contact_id, source, source_id, seen,
                                    joined_since=joined_since, run=run)
        elif kind == "decision":
            for sequence_id in decide(ctx, compiled, node_id, contact_id):
                flows += start_sequence(ctx, compiled, sequence_id, contact_id, "decision", node_id, seen,
                                        joined_since=joined_since, run=run)
    return flows


_e = schema.enrollment
_RUNS = PreparedAll(sa.select(_e.c.run_no, _e.c.state).where(
    _e.c.app_id == sa.bindparam("app_id"), _e.c.sequence_id == sa.bindparam("sequence_id"),
    _e.c.contact_id == sa.bindparam("contact_id")))


def start_sequence(ctx: EngineContext, compiled: Graph, sequence_id: int, contact_id: int, source: str,
                   source_id: int | None, seen: set | None = None, *, joined_since: float | None = None,
                   run: tuple[int, int] | None = None) -> list[Flow]:
    """Put the contact at the start of every path of the sequence; a sequence with nothing in it completes at
    once and starts what follows it."""
    seen = set() if seen is None else seen
    if sequence_id in seen:
        return []
    seen.add(sequence_id)
    s, e = ctx.s, schema.enrollment
    seq = compiled.sequences[sequence_id]
    if joined_since is not None:
        q = s.select(e, e.c.id).where(e.c.sequence_id == sequence_id, e.c.contact_id == contact_id,
                                      e.c.entered_at >= joined_since)
        if run is not None and run[0] == sequence_id:
            q = q.where(e.c.run_no != run[1])
        if s.execute(q.limit(1)).first() is not None:
            return []  # joined: another flow brought the contact here already
    runs = s.all(_RUNS, sequence_id=sequence_id, contact_id=contact_id)
    if any(r.state in LIVE_STATES for r in runs):
        return [Flow(sequence_id, False, ALREADY_IN_SEQUENCE)]
    run_no = max((r.run_no for r in runs), default=0) + 1
    paths = [i for i, items in enumerate(seq.paths) if items] or [0]
    empty = not any(seq.paths)
    first = s.next_id("enrollment", len(paths))
    rows = []
    for offset, path in enumerate(paths):
        state = ("queued" if seq.goal_right else "done") if empty else "active"
        row = Row(id=first + offset, campaign_id=compiled.campaign_id, sequence_id=sequence_id, path=path,
                  contact_id=contact_id, run_no=run_no, state=state, cursor=0,
                  due_at=None if empty else ctx.now, waiting_item_id=None, waiting_since=None, replay_from=None,
                  entered_at=ctx.now, last_step_at=None, ended_at=ctx.now if empty and state == "done" else None,
                  source=source, source_id=source_id, paused_remaining=None)
        rows.append(row)
    s.insert(e, [r.values() for r in rows])
    flows = [Flow(sequence_id, True, STARTED)]
    if empty:
        flows += start_targets(ctx, compiled, seq.next, contact_id, "sequence", sequence_id, seen,
                               joined_since=ctx.now, run=(sequence_id, run_no))
    else:
        for r in rows:
            r.fresh = True  # made in this transaction: it has run nothing yet
        ctx.started.extend(rows)
    return flows


# --- decision diamonds ----------------------------------------------------------------------------------

def decide(ctx: EngineContext, compiled: Graph, decision_id: int, contact_id: int) -> list[int]:
    """The sequences a contact enters at a decision diamond: every branch whose rules it meets; the branches
    without rules take the contacts that meet no other (spec campaign-engine.md §1.8)."""
    decision = compiled.decisions[decision_id]
    facts = _Facts(ctx, contact_id)
    matched = [b["sequence"] for b in decision.branches if b["rules"] and facts.meets(b)]
    if matched:
        return matched
    return [b["sequence"] for b in decision.branches if not b["rules"]]


class _Facts:
    """A contact's tags and fields, loaded when a rule first asks."""

    def __init__(self, ctx: EngineContext, contact_id: int):
        self.ctx, self.contact_id = ctx, contact_id
        self._tags: set[int] | None = None
        self._fields: dict = {}

    def tags(self) -> set[int]:
        if self._tags is None:
            self._tags = set(tag_domain.tag_ids_of(self.ctx.s, self.contact_id))
        return self._tags

    def field(self, name: str):
        if name not in self._fields:
            c = schema.contact
            rows = select_rows(self.ctx.s, REGISTRY.get("Contact"), [name], {},
                               extra_where=[c.c.id == self.contact_id])
            self._fields[name] = rows[0].get(name) if rows else None
        return self._fields[name]

    def meets(self, branch: dict) -> bool:
        results = [self.rule(r) for r in branch["rules"]]
        return any(results) if branch.get("match") == "any" else all(results)

    def rule(self, rule: dict) -> bool:
        if "tag_id" in rule:
            return (rule["tag_id"] in self.tags()) == rule.get("has", True)
        value, wanted, op = self.field(rule["field"]), rule.get("value"), rule.get("op", "equals")
        text = "" if value is None else str(value).strip().lower()
        target = "" if wanted is None else str(wanted).strip().lower()
        if op == "empty":
            return text == ""
        if op == "not_empty":
            return text != ""
        if op == "equals":
            return text == target
        if op == "not_equals":
            return text != target
        if op == "contains":
            return target in text
        if op == "not_contains":
            return target not in text
        if op == "starts_with":
            return text.startswith(target)
        try:
            number, limit = float(value), float(wanted)
        except (TypeError, ValueError):
            return False
        return number > limit if op == "greater_than" else number < limit
