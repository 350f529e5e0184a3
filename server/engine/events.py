"""The domain-event listener that drives the engine (server.engine ``install`` subscribes ``on_event`` to the
event types a goal can listen to, goals.EVENT_TYPES).

Events are handled in order, breadth first, through the transaction's queue (server.engine.context), never by
recursion: an event achieves goals (stopping upstream sequences, starting the ones after), and in the eager mode
(the default) the contacts' due items run at once, in the same transaction, so the API call that caused them
returns after their effects, as the sandbox's tests and users expect. Items that emit events (apply tag, set
field …) feed the same queue, so one campaign's action can fire another's goal. A budget per transaction bounds
runaway loops: what is left over is due now and the next drain runs it.
"""
from __future__ import annotations

from server.store.session import AppSession, Event

from . import goals
from .context import EngineContext, context
from .runner import Run


def on_event(s: AppSession, event: Event) -> None:
    ctx = context(s)
    ctx.queue.append(event)
    if ctx.busy:
        return
    ctx.busy = True
    try:
        settle(ctx)
    finally:
        ctx.busy = False


def settle(ctx: EngineContext) -> None:
    """Handle what is queued and, in the eager mode, run what it started (and what that causes)."""
    goals.handle_queued(ctx)
    if ctx.eager and ctx.started:
        Run(ctx).run(ctx.take_started())
