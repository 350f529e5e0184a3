"""The OpenAPI 3.1 document of what is served, built from the application's REST v1 operations: the
same pydantic models that validate each request describe it here, so the document cannot drift from the
checks. Served at /crm/rest/v1/openapi.json without credentials (it is the sandbox's own document; the real
gateway answers 401 there, and publishes its document elsewhere [3p S12])."""
from __future__ import annotations

import functools
import typing

from flask import request
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from server import json_schema

from . import spec_operations
from .api import PREFIX, Operation
from .errors import json_response
from .hooks import RestHook

REF = "#/components/schemas/{model}"

# ids in paths: int64, as Keap's document has them (one past the store's 32-bit columns names no record: a 404);
# anything else is a 400 (server.rest.api._path_values)
_INT64 = {"type": "integer", "format": "int64", "minimum": -(2**63), "maximum": 2**63 - 1}
_ERROR = {"type": "object", "properties": {"message": {"type": "string"}}, "required": ["message"]}
_GATEWAY = {"type": "object", "description": "the gateway's own refusal (Apigee fault, or the 429 quota body)"}
_DESCRIPTIONS = {200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request", 401: "Unauthorized",
                 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 429: "Too Many Requests"}


def _models(operations: list[Operation]) -> list[tuple[type[BaseModel], str]]:
    seen: dict[type, str] = {}
    for op in operations:
        if op.body is not None:
            seen.setdefault(op.body, "validation")
        model = _item_model(op.response)
        if model is not None:
            seen.setdefault(model, "serialization")
    seen.setdefault(RestHook, "serialization")
    return list(seen.items())


def _item_model(response) -> type[BaseModel] | None:
    """The model of a ``Model`` or ``list[Model]`` answer."""
    if isinstance(response, type) and issubclass(response, BaseModel):
        return response
    args = typing.get_args(response)
    if typing.get_origin(response) is list and args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
        return args[0]
    return None


def _response_schema(op: Operation):
    if op.response is None:
        return None
    if isinstance(op.response, dict):
        return op.response
    ref = {"$ref": REF.format(model=_item_model(op.response).__name__)}
    return ref if isinstance(op.response, type) else {"type": "array", "items": ref}  # a bare array


def _parameters(op: Operation) -> list[dict]:
    params = [{"name": name, "in": "path", "required": True, "schema": _INT64 if kind is int else {"type": "string"}}
              for name, kind in op.path_types.items()]
    params += [{"name": name, "in": "header", "required": True, "schema": {"type": "string"}} for name in op.headers]
    if op.query is not None:
        schema = op.query.model_json_schema(ref_template=REF)
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            param = json_schema.query_parameter(name, prop, name in required)
            if param["schema"].get("type") == "array":
                param.update(style="form", explode=False)  # comma-joined (repeated keys are accepted too)
            params.append(param)
    return params


def _not_null(prop: dict) -> dict:
    """A required property's schema without its ``null`` option (a required property must have a value)."""
    options = [o for o in prop.get("anyOf", [prop]) if o.get("type") != "null"]
    return options[0] if len(options) == 1 else {"anyOf": options}


# required by the sandbox where Keap's document says so only in words [doc S1] or not at all
_ALSO_REQUIRED = {
    ("POST", "/tasks"): ["title"], ("PUT", "/tasks/{}"): ["due_date", "title"], ("PUT", "/opportunities"): ["id"],
    ("POST", "/contacts/{}/creditCards"): ["card_number", "expiration_month", "expiration_year"],
}


def _required_properties() -> dict[tuple[str, str], list[str]]:
    """``(METHOD, path shape)``: the body properties an operation requires (Keap's document's, and ours)."""
    out = spec_operations.required_properties()
    for where, names in _ALSO_REQUIRED.items():
        out[where] = sorted({*out.get(where, []), *names})
    return out


_REQUIRED = _required_properties()
# Keap's document marks the name (and an appointment's title and times) required on these PATCHes too; the sandbox
# updates what a PATCH names and refuses only an empty value (docs/divergences.md)
_PARTIAL = {("PATCH", "/companies/{}"), ("PATCH", "/products/{}"), ("PATCH", "/appointments/{}")}


def _property_names(model: type[BaseModel]) -> set[str]:
    return {info.alias or name for name, info in model.model_fields.items()}


def _operation(op: Operation) -> dict:
    out = {"operationId": op.operation_id, "summary": op.summary, "tags": [op.tag],
           "parameters": _parameters(op), "responses": {}}
    if op.deprecated:
        out["deprecated"] = True
    if op.body is not None:
        schema = {"$ref": REF.format(model=op.body.__name__)}
        own = set(op.body.model_json_schema().get("required", []))
        where = (op.method, spec_operations.shape(op.path))
        keaps = [] if where in _PARTIAL else _REQUIRED.get(where, [])
        extra = [name for name in keaps if name not in own and name in _property_names(op.body)]
        if extra:  # the model is shared (POST and PATCH); what this operation requires on top, as Keap documents it
            properties = op.body.model_json_schema(ref_template=REF)["properties"]
            present = {name: _not_null(properties[name]) for name in extra}
            schema = {"allOf": [schema, {"required": extra, "properties": present}]}
        # an empty body reads as {}: the body is required only where some property is
        out["requestBody"] = {"required": bool(own or extra), "content": {"application/json": {"schema": schema}}}
    answer = {"description": _DESCRIPTIONS.get(op.status, "OK")}
    schema = _response_schema(op)
    if schema is not None and op.status != 204:
        answer["content"] = {"application/json": {"schema": schema}}
    out["responses"][str(op.status)] = answer
    for status in sorted(set(op.errors) | {401, 429}):
        body = _GATEWAY if status in (401, 429) else {"$ref": "#/components/schemas/Error"}
        out["responses"][str(status)] = {"description": _DESCRIPTIONS.get(status, "Error"),
                                         "content": {"application/json": {"schema": body}}}
    return out


def _document_body(operations: list[Operation]) -> dict:
    _, defs = models_json_schema(_models(operations), ref_template=REF)
    schemas = dict(defs.get("$defs", {}))
    schemas["Error"] = _ERROR
    paths: dict[str, dict] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Keap REST API v1 (Infusionsoft sandbox)", "version": "1.70.0-sandbox",
                 "description": "The REST v1 resources this sandbox serves, with the real paths, shapes and "
                                "status codes. Generated from the definitions that validate requests."},
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "description": "an OAuth 2.0 access token"},
            "keapApiKey": {"type": "apiKey", "in": "header", "name": "X-Keap-API-Key",
                           "description": "a Personal Access Token or Service Account Key"},
            "accessToken": {"type": "apiKey", "in": "query", "name": "access_token"},
        }},
        "security": [{"bearer": []}, {"keapApiKey": []}, {"accessToken": []}],
    }


def view(operations: list[Operation]):
    """The view of /crm/rest/v1/openapi.json for ``operations`` (the document is built at its first request)."""
    body = functools.cache(lambda: _document_body(operations))

    def openapi_json():
        return json_response({**body(), "servers": [{"url": request.host_url.rstrip("/") + PREFIX}]})

    return openapi_json
