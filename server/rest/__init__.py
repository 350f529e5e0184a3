"""REST v1 under /crm/rest/v1: one module per resource, declared through server.rest.api (validation and the
OpenAPI document from the same definitions). Importing this package registers every route."""
from __future__ import annotations

from . import (account, appointments, companies, contacts, delivery, hooks, notes, openapi,  # noqa: F401
               tags, tasks, users)
from .api import bp

__all__ = ["bp"]
