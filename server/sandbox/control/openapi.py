"""The control API's OpenAPI 3.1 document, generated from the application's routes under /sandbox/ and their
declarations (server.sandbox.control.contract): path, method, the JSON Schema of the body, query and answer
models, the statuses. Served at ``GET /sandbox/openapi.json``; built once per application, on first request
(when every blueprint is registered), never kept by hand.
"""
from __future__ import annotations

import re

from flask import Flask, current_app, jsonify
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from server import json_schema
from server.sandbox.inputs import APP_NAME
from server.tables import INT_MAX

from .contract import JSON, Answer, ControlBlueprint, Document, Endpoint, endpoint_of

PREFIX = "/sandbox"
PAGES = "/sandbox/ui/"  # the inspector's HTML pages (server.inspector): not the control API
REF = "#/components/schemas/{model}"
_PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")

ERROR = {"type": "object", "required": ["error"], "properties": {
    "error": {"type": "string"},
    "fields": {"type": "array", "items": {"type": "object", "required": ["field", "problem"], "properties": {
        "field": {"type": "string"}, "problem": {"type": "string"}}}}}}
_DESCRIPTIONS = {200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 400: "Bad Request",
                 401: "Unauthorized", 404: "Not Found", 409: "Conflict", 415: "Unsupported Media Type",
                 503: "Service Unavailable"}

bp = ControlBlueprint("sandbox_openapi", __name__)


@bp.get("/openapi.json", summary="This document: the control API's OpenAPI 3.1 description")
def openapi_json():
    app = current_app._get_current_object()
    return jsonify(app.extensions.setdefault("sandbox_openapi", document(app)))


def routes(app: Flask) -> list[tuple[str, str, Endpoint | None]]:
    """Every (method, Flask rule, declaration) under /sandbox/; the declaration is None for a route served
    as plain Flask."""
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/") or rule.rule.startswith(PAGES):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            out.append((method, rule.rule, endpoint_of(app.view_functions[rule.endpoint])))
    return out


def document(app: Flask) -> dict:
    declared = [(rule, ep) for _, rule, ep in routes(app) if ep is not None]
    _, defs = models_json_schema(_models([ep for _, ep in declared]), ref_template=REF)
    schemas = {**defs.get("$defs", {}), "Error": ERROR}
    paths: dict[str, dict] = {}
    for rule, ep in declared:
        paths.setdefault(openapi_path(rule), {})[ep.method.lower()] = _operation(rule, ep)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Infusionsoft sandbox control API", "version": "1",
                 "description": "The sandbox's own endpoints under /sandbox/ (apps, clocks, credentials, campaigns, "
                                "the outbox …). Generated from the declarations that validate each request; see "
                                "docs/control.md."},
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {
            "admin": {"type": "http", "scheme": "bearer",
                      "description": "SANDBOX_ADMIN_TOKEN, when the sandbox was started with one"}}},
    }


def openapi_path(rule: str) -> str:
    """/sandbox/apps/<name>/campaigns/<int:campaign_id> → /sandbox/apps/{name}/campaigns/{campaign_id}"""
    return _PARAM.sub(lambda m: "{" + m.group(2) + "}", rule)


def _models(endpoints: list[Endpoint]) -> list[tuple[type[BaseModel], str]]:
    seen: dict[type, str] = {}
    for ep in endpoints:
        if isinstance(ep.body, type):
            seen.setdefault(ep.body, "validation")
        if isinstance(ep.answer, type) and issubclass(ep.answer, Answer):
            seen.setdefault(ep.answer, "serialization")
    return list(seen.items())


def _path_parameters(rule: str) -> list[dict]:
    params = []
    for converter, name in _PARAM.findall(rule):
        if converter == "int":
            schema = {"type": "integer", "minimum": 0, "maximum": INT_MAX}
        elif name == "name":
            schema = {"type": "string", "pattern": "^" + APP_NAME.pattern + "$"}
        else:
            schema = {"type": "string", "minLength": 1, "pattern": "^[A-Za-z0-9_-]+$"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def _query_parameters(ep: Endpoint) -> list[dict]:
    if ep.query is None:
        return []
    schema = ep.query.model_json_schema(ref_template=REF)
    required = set(schema.get("required", []))
    return [json_schema.query_parameter(name, prop, name in required)
            for name, prop in schema.get("properties", {}).items()]


def _request_body(ep: Endpoint) -> dict | None:
    if isinstance(ep.body, Document):
        return {"required": True, "content": {t: {"schema": ep.body.schema} for t in ep.body.media_types}}
    if ep.body is None:
        return None
    required = any(f.is_required() for f in ep.body.model_fields.values())
    return {"required": required, "content": {JSON: {"schema": {"$ref": REF.format(model=ep.body.__name__)}}}}


def _answer(ep: Endpoint) -> dict:
    answer = {"description": _DESCRIPTIONS.get(ep.status, "OK")}
    if ep.status == 204:
        return answer
    schema = {"$ref": REF.format(model=ep.answer.__name__)} if isinstance(ep.answer, type) else ep.answer or {}
    answer["content"] = {ep.answer_type: {"schema": schema}}
    return answer


def _operation(rule: str, ep: Endpoint) -> dict:
    out = {"operationId": _operation_id(rule, ep), "summary": ep.summary,
           "tags": [_tag(rule)], "parameters": _path_parameters(rule) + _query_parameters(ep),
           "responses": {str(ep.status): _answer(ep)}}
    body = _request_body(ep)
    if body is not None:
        out["requestBody"] = body
    statuses = {400, 415, *ep.errors}  # any endpoint refuses unknown parameters and a body it cannot read
    if _PARAM.search(rule):
        statuses.add(404)
    if not ep.public:
        statuses.add(401)
        out["security"] = [{}, {"admin": []}]
    for status in sorted(statuses):
        if status < 300:  # another success (a 202 of an asynchronous request): its shape is not documented
            out["responses"][str(status)] = {"description": _DESCRIPTIONS.get(status, "OK")}
            continue
        out["responses"][str(status)] = {"description": _DESCRIPTIONS.get(status, "Error"),
                                         "content": {JSON: {"schema": {"$ref": REF.format(model="Error")}}}}
    return out


def _operation_id(rule: str, ep: Endpoint) -> str:
    words = re.findall(r"[a-z0-9]+", openapi_path(rule.removeprefix(PREFIX)).replace("{", " by ").lower())
    return ep.method.lower() + "_" + "_".join(words)


def _tag(rule: str) -> str:
    parts = [p for p in rule.removeprefix(PREFIX + "/").split("/") if not p.startswith("<")]
    if parts[:1] == ["apps"] and len(parts) > 1:
        return parts[1].split(".")[0]
    return parts[0]
