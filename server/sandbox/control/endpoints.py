"""How the control API's endpoints are declared and checked (server.sandbox.control.contract says what a
declaration holds and what a request to one goes through): the blueprint, the declaration, and the checks of a
request's path, query and body. Without pydantic, which the models bring: the health probes
(server.sandbox.control.health), served by every process from its start, declare no model."""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Blueprint, request

from server import json_input
from server.tables import INT_MAX

from .common import ControlError, control_error, require_admin

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

    from .contract import Body, Query

JSON = "application/json"
YAML = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")

_MARK = "__control_endpoint__"


@dataclass(frozen=True)
class Document:
    """A body in a language of its own (a campaign document, JSON or YAML), described by the JSON Schema
    ``schema`` and read by the view from ``request`` itself; the contract checks only its Content-Type."""

    schema: dict
    media_types: tuple[str, ...] = (JSON, *YAML)
    streamed: bool = False  # the view reads ``request.stream`` as it arrives: the contract does not read the body


@dataclass(frozen=True)
class Endpoint:
    method: str
    rule: str  # Flask's form, without the /sandbox prefix: /apps/<name>/campaigns/<int:campaign_id>
    summary: str
    body: type[Body] | Document | None
    query: type[Query] | None
    answer: Any  # an Answer model, a JSON Schema dict, or None (no schema documented)
    status: int
    errors: tuple[int, ...]
    answer_type: str = JSON
    public: bool = False  # served without the admin token (health probes)

    @property
    def media_types(self) -> tuple[str, ...]:
        return self.body.media_types if isinstance(self.body, Document) else (JSON,)


def endpoint_of(view: Callable) -> Endpoint | None:
    """The declaration of a view function, or None for a route served as plain Flask."""
    return getattr(view, _MARK, None)


class ControlBlueprint(Blueprint):
    """A blueprint under /sandbox/: the admin token before every request, ControlError answered in the control
    API's shape, and routes that take ``summary``, ``body``, ``query``, ``answer``, ``status`` and ``errors``."""

    def __init__(self, name: str, import_name: str, *, public: bool = False):
        super().__init__(name, import_name, url_prefix="/sandbox")
        self.public = public  # health probes: no admin token asked
        if not public:
            self.before_request(require_admin)
        self.register_error_handler(ControlError, control_error)

    def route(self, rule: str, *, summary: str | None = None, body=None, query=None, answer=None,
              status: int = 200, errors: tuple[int, ...] = (), answer_type: str = JSON, **options):
        flask_route = super().route

        def declare(func):
            if summary is None:
                return flask_route(rule, **options)(func)
            methods = options.get("methods") or ["GET"]
            if len(methods) != 1:
                raise ValueError(f"{rule}: declare one endpoint per method")
            endpoint = Endpoint(method=methods[0].upper(), rule=rule, summary=summary, body=body, query=query,
                                answer=answer, status=status, errors=tuple(errors), answer_type=answer_type,
                                public=self.public)
            return flask_route(rule, **options)(_checked(endpoint, func))

        return declare


def check_path_ids(path: dict[str, Any]) -> None:
    """A 404 naming the thing for an id in the path past the store's integer columns (no row has it; the store
    could not even be asked): ``no campaign 99999999999``."""
    for name, value in path.items():
        if isinstance(value, int) and value > INT_MAX:
            raise ControlError(404, f"no {name.removesuffix('_id').replace('_', ' ')} {value}")


def _checked(endpoint: Endpoint, func: Callable) -> Callable:
    wanted = inspect.signature(func).parameters

    @functools.wraps(func)
    def view(**path):
        check_path_ids(path)
        query = _query(endpoint)
        body = _body(endpoint)
        given = {k: v for k, v in (("query", query), ("body", body)) if k in wanted}
        return func(**path, **given)

    setattr(view, _MARK, endpoint)
    return view


def refusal(what: str, error: ValidationError, model: type[BaseModel] | None = None) -> ControlError:
    """A 400 naming each field pydantic refused (``what`` is "the body" or "the query"). A model may list
    the tags of its discriminated unions in ``union_tags``: they name a member, not a field."""
    tags = set(getattr(model, "union_tags", ()))
    named: dict[str, list[str]] = {}
    for problem in error.errors():
        where = ".".join(str(p) for p in problem["loc"] if not (_union_member(p) or p in tags)) or what
        unknown = problem["type"] == "extra_forbidden"
        text = f"unknown {'field' if what == 'the body' else 'parameter'}" if unknown else problem["msg"]
        named.setdefault(where, []).append(text)
    fields = [{"field": where, "problem": " or ".join(dict.fromkeys(texts))} for where, texts in named.items()]
    detail = "; ".join(f"{f['field']}: {f['problem']}" for f in fields)
    return ControlError(400, f"{what} is not valid: {detail}", fields)


_TYPE_NAMES = {"int", "float", "str", "bool", "list", "dict", "none", "is-instance"}


def _union_member(part) -> bool:
    """pydantic names the member of a union a value failed (``rate.int``, ``rate.float``): not a field."""
    return isinstance(part, str) and (part in _TYPE_NAMES or "[" in part)


def _query(endpoint: Endpoint):
    args = request.args
    if endpoint.query is None:
        if args:
            fields = [{"field": k, "problem": "unknown parameter"} for k in args]
            raise ControlError(400, f"this endpoint takes no query parameters (got {', '.join(args)})", fields)
        return None
    from pydantic import ValidationError  # noqa: PLC0415  (loaded already: the endpoint's model is pydantic's)

    try:
        return endpoint.query.model_validate({k: args.get(k) for k in args})
    except ValidationError as exc:
        raise refusal("the query", exc, endpoint.query) from None


def _body(endpoint: Endpoint):
    if isinstance(endpoint.body, Document) and endpoint.body.streamed:
        if request.content_length:
            _check_media_type(endpoint)
        return None
    data = request.get_data(cache=True)
    if data.strip():
        _check_media_type(endpoint)
    if isinstance(endpoint.body, Document):
        return None  # the view reads it, in its own language
    raw = {}
    if data.strip():
        try:
            raw = json_input.loads(data)
        except json_input.BadJson as exc:
            raise ControlError(400, exc.message, [{"field": exc.field, "problem": exc.message}]
                               if exc.field else None) from None
        if not isinstance(raw, dict):
            raise ControlError(400, "the body must be a JSON object")
    if endpoint.body is None:
        if raw:
            fields = [{"field": k, "problem": "unknown field"} for k in raw]
            raise ControlError(400, f"this endpoint takes no body (got {', '.join(raw)})", fields)
        return None
    from pydantic import ValidationError  # noqa: PLC0415

    try:
        return endpoint.body.model_validate(raw)
    except ValidationError as exc:
        raise refusal("the body", exc, endpoint.body) from None


def _check_media_type(endpoint: Endpoint) -> None:
    accepted = endpoint.media_types
    given = request.mimetype
    if not given:
        raise ControlError(415, f"the body has no Content-Type: send it as {' or '.join(accepted)}")
    if given not in accepted and not (JSON in accepted and given.endswith("+json")):
        raise ControlError(415, f"this endpoint reads {' or '.join(accepted)}, not {given}")
