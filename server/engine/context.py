"""The engine's state inside one transaction: the queue of domain events to handle, the enrollments started
and not yet run, the budgets, the moment it runs at. One per session (``context``); server.engine.events drives
it.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from server.store.session import AppSession

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

    def take_started(self) -> list:
        started, self.started = self.started, []
        return started


def context(s: AppSession) -> EngineContext:
    ctx = getattr(s, "engine", None)
    if ctx is None:
        ctx = EngineContext(s, now=s.clock.now().timestamp())
        s.engine = ctx
    return ctx
