"""The engine's state inside one transaction, and the domain-event listener that drives it.

Every domain event of a writing transaction reaches ``on_event``. Events are handled in order, breadth first,
through a queue, never by recursion: an event achieves goals (stopping upstream sequences, starting the ones
after), and in the eager mode (the default) the contacts' due items run at once, in the same transaction, so the
API call that caused them returns after their effects, as the sandbox's tests and users expect. Items that emit
events (apply tag, set field …) feed the same queue, so one campaign's action can fire another's goal. A budget
per transaction bounds runaway loops: what is left over is due now and the next drain runs it.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from server.store.session import AppSession, Event

EVENT_BUDGET = 20_000  # events handled per transaction before the rest waits for the drain
ITEM_BUDGET = 100_000  # items run per transaction in the eager mode


@dataclass
class EngineContext:
    s: AppSession
    queue: deque = field(default_factory=deque)
    busy: bool = False
    stopped: set[int] = field(default_factory=set)  # enrollments stopped by goals in this transaction
    started: list = field(default_factory=list)  # enrollments started and not yet handed to a runner
    events_handled: int = 0
    items_run: int = 0
    now: float = 0.0

    @property
    def eager(self) -> bool:
        return self.s.app.option("engine_mode") == "eager"

    def handle_events(self) -> None:
        """Achieve the goals of every queued event (without running items)."""
        from . import goals

        while self.queue and self.events_handled < EVENT_BUDGET:
            event = self.queue.popleft()
            self.events_handled += 1
            goals.handle(self, event)
        self.queue.clear()  # over budget: drop the rest (their goals are missed, as a runaway loop deserves)

    def take_started(self) -> list:
        started, self.started = self.started, []
        return started

    def settle(self) -> None:
        """Handle what is queued and, in the eager mode, run what it started (and what that causes)."""
        from . import runner

        self.handle_events()
        if self.eager and self.started:
            runner.Run(self).run(self.take_started())


def context(s: AppSession) -> EngineContext:
    ctx = getattr(s, "engine", None)
    if ctx is None:
        ctx = EngineContext(s, now=s.clock.now().timestamp())
        s.engine = ctx
    return ctx


def on_event(s: AppSession, event: Event) -> None:
    ctx = context(s)
    ctx.queue.append(event)
    if ctx.busy:
        return
    ctx.busy = True
    try:
        ctx.settle()
    finally:
        ctx.busy = False
