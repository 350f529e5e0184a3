"""The Campaign Builder engine: campaigns as documents, goals, sequences, timers, processes and emails,
driven by the app's clock (spec campaign-engine.md; seeds 001 and 002).

Importing the package wires it in: the domain-event listener (server.engine.context) and the due work of the
drain, HTTP post deliveries, legacy follow-up sequences and queued fulfillment lists (server.jobs)."""
from server import jobs
from server.store.session import on_event

from . import delivery, drain, followups, fulfillment
from .context import on_event as _on_event

on_event(_on_event)
jobs.due_work("campaign timers", drain.next_due, drain.run_due)
jobs.due_work("follow-up sequences", followups._next_due, followups._run_due)
jobs.due_work("http posts", delivery._next_due, delivery._run_due)
jobs.due_work("fulfillment lists", fulfillment._next_due, fulfillment._run_due)
