"""How a family module declares a v2 operation, and how a request reaches it.

A family module (``server/rest_v2/tags.py``) holds one decorated function per operation of the contract,
named by its ``operationId``; the function's parameters after the request are the path parameters, an
``int`` annotation making one a record id (digits, else a 400; beyond the store's ids, a 404)::

    @operation("getTag")
    def get_tag(r: Request, tag_id: int) -> dict:
        return tag_json(r.s, tags.get(r.s, tag_id))

Everything else comes from the contract: the path and method, the success status (201 for a create, 204
for no content), the query parameters (validated and coerced into ``r.query``) and the JSON body (validated
into ``r.body``). The function calls the domain through ``r.s`` (an AppSession in one transaction, committed
when it returns, rolled back when it raises) and returns the answer's JSON (``None`` values are left out:
the contract's properties are never null), a ``Reply`` for another status or media type, or ``None`` for no
content. Errors are raised: ``server.rest_v2.errors`` (``not_found``, ``invalid_field`` …) or the domain's.

``build`` collects the operations of the listed family modules at start-up and checks each against the
contract; an operation of the contract that no module serves answers 501 in the error form.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from server.domain.data.listing import ListQuery, Page
from server.domain.session import AppSession
from server.gate import Call

from . import paging
from .contract import Contract, SpecOperation
from .errors import ApiError, invalid_field
from .filters import ID_RANGE
from .routing import Router
from .validation import Validator


@dataclass
class Reply:
    body: Any = None
    status: int | None = None
    media_type: str = "application/json"


@dataclass(frozen=True)
class Declared:
    operation_id: str
    func: Callable
    ids: frozenset[str]  # path parameters that are record ids
    writes: bool | None  # None: from the method (GET reads, the rest write)


def operation(operation_id: str, *, writes: bool | None = None):
    """Declare ``func`` as the contract's operation ``operation_id``."""

    def declare(func: Callable) -> Callable:
        params = list(inspect.signature(func).parameters.values())[1:]
        ids = frozenset(p.name for p in params if p.annotation in (int, "int"))
        func.__v2__ = Declared(operation_id, func, ids, writes)
        return func

    return declare


@dataclass
class Bound:
    """One operation of the contract, ready to serve: its spec, its compiled checks, its function (or None)."""

    spec: SpecOperation
    validator: Validator
    declared: Declared | None

    @property
    def writes(self) -> bool:
        if self.declared is not None and self.declared.writes is not None:
            return self.declared.writes
        return self.spec.method != "GET"


@dataclass
class Request:
    """What an operation gets."""

    call: Call
    op: SpecOperation
    http: Any  # the werkzeug Request
    base_url: str  # scheme and host the client called
    query: dict
    body: Any
    s: AppSession | None = None
    sandbox: Any = None

    @property
    def api_url(self) -> str:
        return self.base_url + "/crm/rest/v2"

    def list_query(self, listing: paging.Listing) -> ListQuery:
        """The domain's query for this list request: its ``filter``, ``order_by``, ``page_size`` and
        ``page_token`` under the operation's declared fields."""
        return paging.list_query(listing, self.query, self.s.clock)

    def page(self, key: str, items: list, page: Page, **extra) -> dict:
        """``{key: items, "next_page_token": …}``: the URL form, or the bare token with the app option
        ``rest_v2_page_token: "token"``; on the last page nothing, or ``""`` with ``rest_v2_last_page:
        "empty"``."""
        body = {key: items, **extra}
        token = paging.encode(page)
        if token is not None:
            if self.s.app.option("rest_v2_page_token") == "url":
                size = paging.page_size(self.query.get("page_size"))
                token = paging.next_page_url(self.api_url, self.http.path[len("/crm/rest/v2"):], self.http.args,
                                             {p.name for p in self.op.query}, token, size)
            body["next_page_token"] = token
        elif self.s.app.option("rest_v2_last_page") == "empty":
            body["next_page_token"] = ""
        return body

    def fields(self) -> frozenset[str]:
        """The optional properties the request asks to include (``fields=custom_fields,created_by``, repeated
        or comma-joined, already checked against the operation's enum where it has one)."""
        return frozenset(self.query.get("fields") or ())

    def changed(self, properties=None, *, known_only: bool = False) -> set[str]:
        """The properties a PATCH changes: those of ``update_mask`` (a masked property missing from the body is
        cleared), else those of ``properties`` the body carries (every one it carries when None); with
        ``known_only`` a masked name outside ``properties`` is left out."""
        mask = self.update_mask()
        if mask is None:
            return set(self.body) if properties is None else {p for p in properties if p in self.body}
        return set(mask) & set(properties) if known_only else set(mask)

    def update_mask(self) -> list[str] | None:
        """The ``update_mask`` query parameter (repeated or comma-joined), or None when absent: then every
        property the body carries is updated."""
        return self.query.get("update_mask")


class Api:
    """The contract's operations, routed, each bound to its checks and, where one is declared, its function."""

    def __init__(self, contract: Contract, families: tuple[ModuleType, ...]):
        self.contract = contract
        declared: dict[str, Declared] = {}
        for module in families:
            # a family's decorated functions, and those it builds from a table (``OPERATIONS``)
            for value in (*vars(module).values(), *getattr(module, "OPERATIONS", ())):
                d = getattr(value, "__v2__", None)
                if not isinstance(d, Declared):
                    continue
                if d.operation_id not in contract.operations:
                    raise LookupError(f"{module.__name__}.{d.func.__name__}: no operation {d.operation_id!r} "
                                      f"in the REST v2 contract")
                if d.operation_id in declared and declared[d.operation_id].func is not d.func:
                    raise LookupError(f"operation {d.operation_id!r} is declared twice")
                spec = contract.operations[d.operation_id]
                path_names = {p.name for p in spec.parameters if p.where == "path"}
                params = set(list(inspect.signature(d.func).parameters)[1:])
                if params != path_names:
                    raise TypeError(f"{d.func.__qualname__} takes {sorted(params)}; {d.operation_id} has the "
                                    f"path parameters {sorted(path_names)}")
                declared[d.operation_id] = d
        self.router = Router()
        self.bound: dict[str, Bound] = {}
        for op_id, spec in contract.operations.items():
            bound = Bound(spec, Validator(spec, contract), declared.get(op_id))
            self.bound[op_id] = bound
            self.router.add(spec.method, spec.path, bound)

    @property
    def served(self) -> set[str]:
        return {op_id for op_id, b in self.bound.items() if b.declared is not None}


def path_values(bound: Bound, params: dict[str, str]) -> dict:
    """The operation's path parameters, record ids as integers."""
    ids = bound.declared.ids
    out = {}
    for name, value in params.items():
        if name in ids:
            text = value.strip()
            if not (text.isascii() and text.isdigit()):
                raise invalid_field(name, f"'{value}' is not an id")
            number = int(text)
            if not ID_RANGE[0] <= number <= ID_RANGE[1]:
                raise ApiError(404, f"No record with {name} {value}", domain=name, resource=value)
            out[name] = number
        else:
            out[name] = value
    return out


def without_nulls(value):
    """The answer with every ``None`` property left out (the contract types no property as nullable)."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value
