"""REST v2 under /crm/rest/v2 (Keap's current API): the contract (Keap's OpenAPI document and the SDK's
newer operations), one module per family of operations, served in front of Flask (server.rest_v2.transport).
docs/rest-v2.md tells how to add an operation.

``FAMILIES`` lists the family modules whose declared operations are served; ``build`` reads the contract and
binds them, once, at start-up.
"""
from __future__ import annotations

from . import tags
from .api import Api
from .contract import Contract

FAMILIES = (tags,)


def build() -> Api:
    return Api(Contract.load(), FAMILIES)
