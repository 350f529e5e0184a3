"""REST v1 under /crm/rest/v1: one module per resource, declared through server.rest.api (validation and the
OpenAPI document from the same definitions).

``install`` adds the operations the modules of ``MODULES`` declare (``@route``) to the registry, and the REST
hook deliveries (server.domain.outbox.hook_deliveries) to its due work, as outside requests; ``blueprint``
makes an application's Flask routes from the registry's operations."""
from __future__ import annotations

from flask import Blueprint

from server.domain.outbox import hook_deliveries
from server.registry import Registry

from . import (
    account,
    affiliates,
    api,
    appointments,
    campaigns,
    companies,
    contact_cards,
    contacts,
    emails,
    files,
    hooks,
    locales,
    merchants,
    notes,
    openapi,
    opportunities,
    orders,
    products,
    subscriptions,
    tags,
    tasks,
    transactions,
    users,
)
from .api import Operation, declared

MODULES = (account, affiliates, appointments, campaigns, companies, contacts, contact_cards, emails, files, hooks,
           locales, merchants, notes, opportunities, orders, products, subscriptions, tags, tasks, transactions, users)


def install(registry: Registry, config) -> None:
    for module in MODULES:
        registry.add_operations(declared(module))
    registry.add_due_work("rest_hooks", hook_deliveries.next_due, hook_deliveries.run_due, outside=True)


def blueprint(operations: list[Operation]) -> Blueprint:
    bp = api.blueprint(operations)
    bp.add_url_rule("/openapi.json", endpoint="openapi_json", view_func=openapi.view(operations), methods=["GET"])
    return bp
