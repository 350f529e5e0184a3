"""REST v2 under /crm/rest/v2 (Keap's current API): the contract (Keap's OpenAPI document and the SDK's
newer operations), one module per family of operations, served in front of Flask (server.rest_v2.transport).
docs/rest-v2.md tells how to add an operation.

``FAMILY_NAMES`` lists the family modules whose declared operations are served; ``install`` adds them to the
registry by name, and ``build`` imports them, reads the contract and binds the families to it. A server does that
once, at the first REST v2 call (server.rest_v2.front): an idle server that serves only XML-RPC never holds the
parsed contract nor the families' modules (issue 18 §8, docs/performance.md "Memory of the server").
"""
from __future__ import annotations

import importlib
from collections.abc import Iterable
from types import ModuleType
from typing import TYPE_CHECKING

from server.registry import Registry

if TYPE_CHECKING:
    from .api import Api

FAMILY_NAMES = (
    "affiliate_programs",
    "affiliates",
    "automations",
    "campaigns",
    "companies",
    "contact_links",
    "contacts",
    "custom_fields",
    "discounts",
    "emails",
    "files",
    "interest_bundles",
    "lead_sources",
    "notes",
    "opportunities",
    "orders",
    "payments",
    "product_categories",
    "products",
    "program_commissions",
    "referrals",
    "reporting",
    "settings",
    "subscriptions",
    "tags",
    "tasks",
    "users",
    "webforms",
)


def install(registry: Registry, config) -> None:
    for name in FAMILY_NAMES:
        registry.add_family(f"{__name__}.{name}")


def families(names: Iterable[str | ModuleType] | None = None) -> tuple[ModuleType, ...]:
    """The family modules (every one of ``FAMILY_NAMES`` when None), imported; a module is taken as it is."""
    names = [f"{__name__}.{name}" for name in FAMILY_NAMES] if names is None else names
    return tuple(importlib.import_module(n) if isinstance(n, str) else n for n in names)


def build(family_modules: Iterable[str | ModuleType] | None = None) -> Api:
    """The contract read and bound to the families (modules or their names; every family when None)."""
    from .api import Api  # noqa: PLC0415 (the contract and its validators: loaded by the first use, see above)
    from .contract import Contract  # noqa: PLC0415

    return Api(Contract.load(), families(family_modules))
