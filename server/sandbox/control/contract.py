"""The control API's contract: each endpoint declared once, with the pydantic models of its body and query and
the statuses it answers. The same declaration validates the request and writes the control API's OpenAPI
document (``server.sandbox.control.openapi``, served at ``GET /sandbox/openapi.json``), so what is documented is
what is checked (issue 16, last paragraph; issue 17 §2 "Fail loudly").

Declare an endpoint on a ``ControlBlueprint`` as on any Flask blueprint, with a ``summary`` and its models::

    @bp.post("/apps/<name>/clock", summary="Move the app's clock", body=ClockBody, answer=Clock)
    def set_clock(name: str, body: ClockBody): ...

A request to it goes: the admin token (``require_admin``) → the path's integers (ids are 32-bit: a larger one
names nothing, a 404) → the query (unknown or ill-typed parameters: a 400 naming them) → the body: one sent
without a Content-Type, or with a type the endpoint does not read, is a 415 naming the expected type; one that
is not JSON, or not an object, a 400; unknown or ill-typed fields, a 400 naming them; an endpoint declared
without a body model takes none (``{}`` at most) → the view, given ``body=`` and ``query=`` when its signature
names them. Every refusal has one shape, ``{"error": "<what is wrong>", "fields": [{"field": "by", "problem":
"..."}]}`` (``fields`` only when the problem lies in named fields).

A route declared without ``summary`` is served as plain Flask, unchecked; ``tests/sandbox/test_control_contract.py``
names every such route under /sandbox/, so none stays undeclared.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from server.tables import INT_MAX

from .common import PageArgs
from .endpoints import (  # noqa: F401  (declarations are made with these, imported from here)
    JSON,
    YAML,
    ControlBlueprint,
    Document,
    Endpoint,
    endpoint_of,
    refusal,
)


class Body(BaseModel):
    """A request body: unknown fields are refused, and values are taken as typed (``"5"`` is not a number,
    ``1`` is not ``true``)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Query(BaseModel):
    """Query parameters: unknown ones are refused; values arrive as text, so ``"5"`` is read as 5."""

    model_config = ConfigDict(extra="forbid")


class Answer(BaseModel):
    """An answer's shape, for the OpenAPI document only (answers are built as plain dicts); fields not listed
    may be present."""

    model_config = ConfigDict(extra="allow")


CURSOR_MAX = INT_MAX  # a row id or sequence number: the store's 32-bit integer columns


class Page(Query):
    """A listing's page: ``?count=<n>&next=<cursor>`` (the older names ``limit`` and ``after`` too)."""

    next: int | None = Field(None, ge=0, le=CURSOR_MAX, description="the cursor of the page before (its `next`)")
    after: int | None = Field(None, ge=0, le=CURSOR_MAX, description="the older name of `next`")
    count: int | None = Field(None, ge=1, le=INT_MAX, description="rows per page (at most 1000)")
    limit: int | None = Field(None, ge=1, le=INT_MAX, description="the older name of `count`")

    def page(self, default: int = 100, most: int = 1000) -> PageArgs:
        after = self.next if self.next is not None else self.after
        count = self.count if self.count is not None else self.limit
        return PageArgs(after or 0, min(count or default, most))
