"""The domain: the CRM operations every protocol shares, grouped by area (crm, mail, commerce, affiliates,
account, and the DataService machinery in data), and the events they emit.

``install`` registers what the domain wires in (server.registry): the DataService table writers, the listeners
of domain events (subscribed by event type), the change-log listener that queues REST hook deliveries, and the
billing and the recurring lead source expenses that fall due on an app's clock.
"""
from __future__ import annotations

from server.registry import Registry

from .account import hooks
from .affiliates import commissions
from .commerce import auto_billing, cards, orders, subscriptions
from .crm import activities, contacts, lead_sources, opportunities, recurring_expenses, remote_links, surveys
from .data import contact_records
from .mail import broadcasts

WRITERS = (contacts.WRITER, opportunities.WRITER, lead_sources.WRITER, recurring_expenses.WRITER, activities.WRITER,
           contact_records.WRITER, cards.WRITER, orders.WRITER, subscriptions.WRITER, subscriptions.PLAN_WRITER)


def install(registry: Registry, config) -> None:
    for writer in WRITERS:
        registry.add_writer(writer)
    registry.subscribe("contact.merged", remote_links.follow_merge)
    registry.subscribe("contact.merged", surveys.follow_merge)
    registry.subscribe("invoice.paid", subscriptions.on_invoice_paid)
    registry.subscribe("invoice.paid", commissions.on_paid)
    registry.subscribe(("invoice.deleted", "invoice.refunded"), commissions.on_undone)
    registry.on_logged(hooks.queue_deliveries)
    registry.add_due_work("billing", auto_billing.next_due, auto_billing.run_due)
    registry.add_due_work("recurring lead source expenses", recurring_expenses.next_due, recurring_expenses.run_due)
    registry.add_due_work("broadcasts", broadcasts.next_due, broadcasts.run_due)
