"""The Campaign Builder engine: campaigns as documents, goals, sequences, timers, processes and emails,
driven by the app's clock (spec campaign-engine.md; seeds 001 and 002).

``install`` wires it in (server.registry): the listener of the domain events that can achieve a goal
(server.engine.events), and the due work of the drain, HTTP post deliveries (server.domain.outbox), legacy
follow-up sequences and queued fulfillment lists (server.jobs)."""
from __future__ import annotations

from server.domain.outbox import http_posts
from server.registry import Registry

from . import drain, events, fulfillment, goals, legacy


def install(registry: Registry, config) -> None:
    registry.subscribe(goals.EVENT_TYPES, events.on_event)
    registry.subscribe(("contact.email_status_changed",), legacy.on_bounce)
    registry.add_due_work("campaign timers", drain.next_due, drain.run_due)
    registry.add_due_work("follow-up sequences", legacy.next_due, legacy.run_due)
    registry.add_due_work("http posts", http_posts.next_due, http_posts.run_due, outside=True)
    registry.add_due_work("fulfillment lists", fulfillment.next_due, fulfillment.run_due)
