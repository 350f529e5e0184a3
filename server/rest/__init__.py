"""REST v1 under /crm/rest/v1: one module per resource, declared through server.rest.api (validation and the
OpenAPI document from the same definitions).

``install`` adds the operations the modules of ``MODULE_NAMES`` declare (``@route``) to the registry, and the REST
hook deliveries (server.domain.outbox.hook_deliveries) to its due work, as outside requests; ``blueprint``
makes an application's Flask routes from the registry's operations. A server does both at the first REST v1
call (server.rest.front): the modules, with their pydantic models, are imported by the first read of the
registry's ``operations``, so an idle server that serves only XML-RPC never holds them (issue 18 §8,
docs/performance.md "Memory of the server").
"""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING

from server.domain.outbox import hook_deliveries
from server.registry import Registry

if TYPE_CHECKING:
    from flask import Blueprint

    from .api import Operation

MODULE_NAMES = ("account", "affiliates", "appointments", "campaigns", "companies", "contacts", "contact_cards",
                "emails", "files", "hooks", "locales", "merchants", "notes", "opportunities", "orders", "products",
                "subscriptions", "tags", "tasks", "transactions", "users")


def install(registry: Registry, config) -> None:
    registry.add_operations(operations)
    registry.add_due_work("rest_hooks", hook_deliveries.next_due, hook_deliveries.run_due, outside=True)


def modules() -> tuple[ModuleType, ...]:
    """The resource modules of ``MODULE_NAMES``, imported."""
    return tuple(importlib.import_module(f"{__name__}.{name}") for name in MODULE_NAMES)


def operations() -> list[Operation]:
    """The operations the resource modules declare, in their order."""
    from .api import declared  # noqa: PLC0415 (REST v1 is loaded by its first use, see above)

    return [op for module in modules() for op in declared(module)]


def blueprint(operations: list[Operation]) -> Blueprint:
    from . import api, openapi  # noqa: PLC0415 (REST v1 is loaded by its first use, see above)

    bp = api.blueprint(operations)
    bp.add_url_rule("/openapi.json", endpoint="openapi_json", view_func=openapi.view(operations), methods=["GET"])
    return bp
