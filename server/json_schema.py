"""What the sandbox's own OpenAPI documents (REST v1's, server.rest.openapi; the control API's,
server.sandbox.control.openapi) do alike to the JSON schemas pydantic writes."""
from __future__ import annotations


def query_parameter(name: str, prop: dict, required: bool) -> dict:
    """The OpenAPI parameter of the query model's property ``name`` (its JSON schema ``prop``)."""
    return {"name": name, "in": "query", "required": required, "schema": _absent_or_value(prop)}


def _absent_or_value(prop: dict) -> dict:
    """A query parameter is absent or has a value, so ``X | None`` is documented as X (and pydantic's
    ``default`` and ``title`` are dropped)."""
    prop = {k: v for k, v in prop.items() if k not in ("default", "title")}
    options = prop.pop("anyOf", None)
    if options:
        kept = [o for o in options if o.get("type") != "null"]
        prop.update(kept[0] if len(kept) == 1 else {"anyOf": kept})
    return prop
