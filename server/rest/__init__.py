"""REST v1 under /crm/rest/v1: one module per resource, declared through server.rest.api (validation and the
OpenAPI document from the same definitions). Importing this package registers every route."""
from __future__ import annotations

from . import (  # noqa: F401
    account,
    affiliates,
    appointments,
    campaigns,
    companies,
    contacts,
    delivery,
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
from .api import bp

__all__ = ["bp"]
