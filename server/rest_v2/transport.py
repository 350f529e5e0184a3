"""REST v2 on the wire: ``/crm/rest/v2/...`` (the contract's ``/rest/v2/...`` under its server
``https://api.keap.com/crm``), a plain WSGI application in front of Flask like the XML-RPC endpoints, so a
v2 read pays for no Flask routing or request context (issue 13: a v2 ``GET`` costs at most 1.2x an XML-RPC
``ContactService.load``).

A request goes: the Google front end's rule (no body on a GET, its HTML 400, as on v1) → the gateway
(``Gate.admit``: the same credentials, quotas, ``x-keap-*`` headers and 401/429 bodies as v1 and the
gateway XML-RPC endpoint; it authenticates before routing, so an unknown path without a credential is a
401) → the route (an unknown path a 404, a known path with another method a 405 with ``Allow``, an
operation no module serves yet a 501) → query and body validation → one transaction on the app → the
operation → its JSON with the gateway's headers. Every error after the gateway is the v2 error body
(server.rest_v2.errors).
"""
from __future__ import annotations

import json

from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Request as HttpRequest
from werkzeug.wrappers import Response

from server.auth.gateway import GatewayRejection
from server.faults import http as faults
from server.faults.names import REST_V2
from server.gate import GATEWAY, Call
from server.host_url import host_url
from server.journal import entry
from server.journal.journal import QueryOnly
from server.rest.errors import gateway_answer, malformed_request

from .api import Api, Reply, Request, path_values, without_nulls
from .errors import ApiError, from_exception, method_not_allowed, unimplemented, unknown_path
from .front import ROOT

_JSON = "application/json;charset=UTF-8"


class Transport:
    def __init__(self, sandbox, api: Api):
        self.sandbox = sandbox
        self.api = api

    def __call__(self, environ, start_response):
        """A request under ``ROOT`` (server.rest_v2.front passes every other path to Flask)."""
        with self.sandbox.slot.for_request(environ, self.sandbox.config.max_body_bytes):  # (server.call_slot)
            http = HttpRequest(environ)
            call = Call(endpoint=GATEWAY, headers=http.headers, query=http.args)
            response = self.serve(http, call)
            self.journal(http, call, response)
        return response(environ, start_response)

    def journal(self, http: HttpRequest, call: Call, response: Response | JsonAnswer) -> None:
        """Record the request in its app's journal (server.journal), with a hint for an unknown path or body
        property (also in X-Sandbox-Hint when the app's ``hints`` option is on)."""
        journal = self.sandbox.journal
        if not journal.active:
            return
        status = response.status_code
        relative = http.path[len(ROOT):] or "/"
        hint = None
        if status == 404 and self.api.router.match(http.method, relative) is None:
            hint = journal.hinter.rest_path("v2", http.method, relative)
        elif status == 400 and isinstance(call.failure, ApiError):
            hint = self._property_hint(http.method, relative, call.failure)
        body = response.get_data() if status >= 400 else None
        outcome = entry.http(status, json.loads(body) if body and body[:1] == b"{" else None)
        if http.method == "GET" and not _body_length(http):  # (most reads: no body to read)
            request_part = QueryOnly(http.environ.get("QUERY_STRING", ""))
        else:
            request_part = {"query": entry.bounded(http.args.to_dict()) or None if http.args else None,
                            "body": entry.http_body(http.get_data(cache=True), http.content_type)}
        journal.record(call, "rest_v2", ROOT, f"{http.method} {http.path}", request_part, outcome, hint,
                       entry.presented_secret(http.headers, http.args))
        if hint and (header := journal.hint_header(call)):
            response.headers["X-Sandbox-Hint"] = header

    def _property_hint(self, method: str, relative: str, failure: ApiError) -> list[str] | None:
        """An unknown top-level body property (``Invalid value for 'x': unknown field``): the close ones the
        operation's body declares."""
        name = failure.details[0].get("resource") if failure.details else None
        match = self.api.router.match(method, relative)
        if not name or "." in name or not failure.message.endswith("unknown field") or match is None \
                or match.target is None or match.target.validator.body is None:
            return None
        known = match.target.validator.body.schema.get("properties", {})
        return self.sandbox.journal.hinter.rest_property(name, known)

    def serve(self, http: HttpRequest, call: Call) -> Response | JsonAnswer:
        if http.method == "GET" and (_body_length(http) or 0) > 0:
            return malformed_request()
        sandbox = self.sandbox
        # the gateway's credential check reads in the call's transaction, which a read operation goes on using
        call.tx = sandbox.env.transaction(write=False)
        try:
            try:
                sandbox.gate.admit(call)
            except GatewayRejection as rejection:
                return gateway_answer(rejection)
            call.injection = sandbox.gate.faults.decide(call.app, REST_V2, f"{http.method} {http.path}",
                                                        call.credential, call.response_headers)
            if call.injection is None:
                return self.served(http, call)
            call.tx.end()  # (an injected delay holds no connection)
            call.tx = None
            call.injected = call.injection.description
            return faults.around(call.injection, http.environ, lambda: self.served(http, call), gateway_answer)
        finally:
            if call.tx is not None:
                call.tx.end(commit=False)
                call.tx = None

    def served(self, http: HttpRequest, call: Call) -> Response | JsonAnswer:
        sandbox = self.sandbox
        headers = call.response_headers
        tx, call.tx = call.tx, None  # the reader the gateway used, if any: this call ends it
        try:
            relative = http.path[len(ROOT):]
            match = self.api.router.match(http.method, relative)
            if match is None:
                raise unknown_path(http.path)
            if match.target is None:
                raise method_not_allowed(http.method, match.allowed)
            bound = match.target
            if bound.declared is None:
                raise unimplemented(bound.spec.operation_id)
            r = Request(call=call, op=bound.spec, http=http,
                        base_url=(sandbox.config.public_url or host_url(http.environ)).rstrip("/"),
                        query=bound.validator.query_values(http.args),
                        body=bound.validator.body_value(http.get_data(cache=True))
                        if bound.validator.body is not None else None,
                        sandbox=sandbox)
            params = path_values(bound, match.params)
            if tx is None or bound.writes:
                if tx is not None:
                    tx.end()
                tx = sandbox.env.transaction(write=bound.writes)
            user_id = call.credential.user_id if call.credential else None
            r.s = sandbox.env.session(tx, call.app, user_id, base_url=r.base_url)
            result = bound.declared.func(r, **params)
            tx.end(commit=True)
            tx = None
        except Exception as exc:  # ApiError, domain errors: their answer; anything else a logged 500
            call.failure = exc
            if tx is not None:
                tx.end(commit=False)
            error = from_exception(exc)
            return _json(error.body(), error.code, {**headers, **error.headers})
        if not isinstance(result, Reply):
            result = Reply(result)
        status = result.status or bound.spec.success
        if status == 204 or result.body is None:
            return Response(status=status, headers=headers)
        if result.media_type != "application/json":
            return Response(result.body, status=status, headers=headers, content_type=result.media_type)
        return _json(without_nulls(result.body), status, headers)


def _body_length(http: HttpRequest) -> int | None:
    """``http.content_length``, without its two header lookups for a request that declares no body (most)."""
    environ = http.environ
    if not environ.get("CONTENT_LENGTH") and "HTTP_TRANSFER_ENCODING" not in environ:
        return None
    return http.content_length


def _json(body, status: int, headers: dict) -> JsonAnswer:
    return JsonAnswer(_ENCODE(body).encode(), status, headers)


_ENCODE = json.JSONEncoder(separators=(",", ":")).encode  # (json.dumps with any option makes an encoder a call)


class JsonAnswer:
    """A JSON answer, written to the wire as it is: werkzeug's Response would copy and check the gateway's
    twenty headers one by one, which cost a v2 read more than its JSON. It offers what the journal and the
    fault injector use of a Response (``status_code``, ``headers``, ``get_data``, ``set_data``)."""

    __slots__ = ("body", "status_code", "headers")

    def __init__(self, body: bytes, status: int, headers: dict[str, str]):
        self.body = body
        self.status_code = status
        self.headers = {**headers, "Content-Type": _JSON}

    def get_data(self) -> bytes:
        return self.body

    def set_data(self, body: bytes) -> None:
        self.body = body

    def __call__(self, environ, start_response):
        start_response(_STATUS_LINES.get(self.status_code) or f"{self.status_code} UNKNOWN",
                       [*self.headers.items(), ("Content-Length", str(len(self.body)))])
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [self.body]


_STATUS_LINES = {code: f"{code} {reason.upper()}" for code, reason in HTTP_STATUS_CODES.items()}
