"""Request validation from the contract's own schemas, compiled once per operation at start-up.

- Query parameters: each declared one is coerced to its schema's type (integer with its bounds, number,
  boolean, string with its enum, array from repeated keys or comma-joined values with its items' enum and
  ``uniqueItems``); a value that does not fit is a 400 naming the parameter. Parameters the operation does
  not declare are ignored, as the real service ignores them (rest-oauth-throttle.md §12).
- JSON bodies: validated against the operation's request schema made strict (every object of it refuses
  properties it does not declare: Keap's servers reject unknown fields, issue 13), by a jsonschema validator
  built here once. The 400 names the first offending field by its path (``category.id``).
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

import jsonschema
from jsonschema import Draft202012Validator, FormatChecker

from server import json_input

from .contract import Contract, Parameter, SpecOperation
from .errors import invalid, invalid_field

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)

_formats = FormatChecker(formats=())


@_formats.checks("date-time", raises=ValueError)
def _date_time(value) -> bool:
    if isinstance(value, str):
        parse_time(value)
    return True


def parse_time(text: str) -> datetime:
    """An ISO 8601 date-time as the v2 API writes and reads it (``2024-03-15T10:30:00Z``, with or without
    fractions, ``Z`` or an offset); naive values are taken as UTC."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    return datetime.fromisoformat(value)


# --- query parameters ------------------------------------------------------------------------------

def split_values(values: list[str]) -> list[str]:
    """Repeated keys and comma-joined values alike (``update_mask=a&update_mask=b,c`` → a, b, c)."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _scalar(name: str, schema: dict) -> Callable[[str], Any]:
    kind = schema.get("type")
    enum = schema.get("enum")
    if kind == "integer":
        low, high = INT64 if schema.get("format") == "int64" else INT32
        low = max(low, schema.get("minimum", low))
        high = min(high, schema.get("maximum", high))

        def integer(text: str) -> int:
            try:
                value = int(text.strip())
            except ValueError:
                raise invalid_field(name, f"'{text}' is not an integer") from None
            if not low <= value <= high:
                raise invalid_field(name, f"{value} is not between {low} and {high}")
            return value
        return integer
    if kind == "number":
        def number(text: str) -> float:
            try:
                return float(text)
            except ValueError:
                raise invalid_field(name, f"'{text}' is not a number") from None
        return number
    if kind == "boolean":
        def boolean(text: str) -> bool:
            lowered = text.strip().lower()
            if lowered not in ("true", "false"):
                raise invalid_field(name, f"'{text}' is not true or false")
            return lowered == "true"
        return boolean

    def string(text: str) -> str:
        if enum is not None and text not in enum:
            raise invalid_field(name, f"'{text}' is not one of {', '.join(map(str, enum))}")
        if schema.get("format") == "date-time":
            try:
                parse_time(text)
            except ValueError:
                raise invalid_field(name, f"'{text}' is not an ISO 8601 date-time") from None
        return text
    return string


@dataclass(frozen=True)
class _QueryParam:
    name: str
    required: bool
    many: bool
    unique: bool
    convert: Callable[[str], Any]


def _query_param(p: Parameter) -> _QueryParam:
    if p.schema.get("type") == "array":
        return _QueryParam(p.name, p.required, True, bool(p.schema.get("uniqueItems")),
                           _scalar(p.name, p.schema.get("items", {})))
    return _QueryParam(p.name, p.required, False, False, _scalar(p.name, p.schema))


# --- bodies ----------------------------------------------------------------------------------------

def strict_schema(schema: dict, schemas: dict, _seen: tuple[str, ...] = ()) -> dict:
    """``schema`` with every ``$ref`` to a component inlined and ``additionalProperties: false`` on every
    object that declares properties and says nothing of others (a recursive reference stays open)."""
    if isinstance(schema, list):
        return [strict_schema(s, schemas, _seen) for s in schema]
    if not isinstance(schema, dict):
        return schema
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        name = ref.rsplit("/", 1)[1]
        if name in _seen:
            return {}
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        return strict_schema({**copy.deepcopy(schemas[name]), **rest}, schemas, (*_seen, name))
    out = {k: (strict_schema(v, schemas, _seen) if k in ("items", "additionalProperties", "allOf", "anyOf",
                                                          "oneOf", "not") else v)
           for k, v in schema.items() if k not in ("example", "examples")}
    if "properties" in schema:
        out["properties"] = {k: strict_schema(v, schemas, _seen) for k, v in schema["properties"].items()}
        out.setdefault("additionalProperties", False)
    return out


def _path_of(error: jsonschema.ValidationError) -> str:
    return ".".join(str(p) for p in error.absolute_path)


def body_error(error: jsonschema.ValidationError):
    """The 400 for the first problem of a body, naming the field."""
    where = _path_of(error)
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        name = ".".join(filter(None, [where, extra[0] if extra else ""]))
        return invalid_field(name, "unknown field")
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return invalid_field(".".join(filter(None, [where, missing])), "required field is missing")
    if not where:
        return invalid(f"Invalid request body: {error.message}")
    return invalid_field(where, error.message)


# --- per operation ---------------------------------------------------------------------------------

class Validator:
    """One operation's compiled checks."""

    def __init__(self, op: SpecOperation, contract: Contract):
        self.op = op
        self.query = tuple(_query_param(p) for p in op.query)
        self._contract = contract

    @cached_property
    def body(self) -> Draft202012Validator | None:
        """The body's validator, compiled at the operation's first call: most of the 400 operations are never
        called by a given client, and compiling them all took 5 MiB of every worker (issue 18 §8)."""
        if self.op.body is None:
            return None
        return Draft202012Validator(strict_schema(self.op.body, self._contract.schemas), format_checker=_formats)

    def query_values(self, args) -> dict[str, Any]:
        """The declared query parameters present in ``args`` (a MultiDict), coerced; absent ones are left out."""
        out = {}
        for p in self.query:
            raw = args.getlist(p.name)
            if not raw or (not p.many and raw[0] == ""):
                if p.required:
                    raise invalid_field(p.name, "required query parameter is missing")
                continue
            if p.many:
                values = [p.convert(v) for v in split_values(raw)]
                if p.unique:
                    values = list(dict.fromkeys(values))
                out[p.name] = values
            else:
                out[p.name] = p.convert(raw[0])
        return out

    def body_value(self, data: bytes) -> Any:
        if self.body is None:
            return None
        if not data.strip():
            if self.op.body_required:
                raise invalid("The request body is required")
            return {}
        try:
            value = json_input.loads(data)
        except json_input.BadJson as exc:
            raise (invalid_field(exc.field, exc.message) if exc.field else invalid(exc.message)) from None
        error = next(iter(sorted(self.body.iter_errors(value), key=lambda e: (len(e.absolute_path), e.path))),
                     None)
        if error is not None:
            raise body_error(error)
        return value
