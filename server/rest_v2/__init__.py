"""REST v2 under /crm/rest/v2 (Keap's current API): the contract (Keap's OpenAPI document and the SDK's
newer operations), one module per family of operations, served in front of Flask (server.rest_v2.transport).
docs/rest-v2.md tells how to add an operation.

``FAMILIES`` lists the family modules whose declared operations are served; ``install`` adds them to the
registry, and ``build`` reads the contract and binds the registry's families to it, once, at start-up.
"""
from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType

from server.registry import Registry

from . import (
    affiliate_programs,
    affiliates,
    automations,
    campaigns,
    companies,
    contact_links,
    contacts,
    custom_fields,
    discounts,
    emails,
    files,
    interest_bundles,
    lead_sources,
    notes,
    opportunities,
    orders,
    payments,
    product_categories,
    products,
    program_commissions,
    referrals,
    reporting,
    settings,
    subscriptions,
    tags,
    tasks,
    users,
    webforms,
)
from .api import Api
from .contract import Contract

FAMILIES = (
    affiliate_programs,
    affiliates,
    automations,
    campaigns,
    companies,
    contact_links,
    contacts,
    custom_fields,
    discounts,
    emails,
    files,
    interest_bundles,
    lead_sources,
    notes,
    opportunities,
    orders,
    payments,
    product_categories,
    products,
    program_commissions,
    referrals,
    reporting,
    settings,
    subscriptions,
    tags,
    tasks,
    users,
    webforms,
)


def install(registry: Registry, config) -> None:
    for module in FAMILIES:
        registry.add_family(module)


def build(families: Iterable[ModuleType] = FAMILIES) -> Api:
    return Api(Contract.load(), tuple(families))
