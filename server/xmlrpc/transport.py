"""The XML-RPC endpoints: bytes in, bytes out. Faults travel with HTTP 200, as the real server sends them;
only the gateway's own refusals (before the XML-RPC layer) have another status.

A plain WSGI application in front of Flask (``mount``): the endpoints need no routing, no request context
and no response object, and they are the hottest paths of the sandbox (a ContactService.load must cost no
more than a no-op stdlib XML-RPC server). Everything else goes on to Flask.
"""
from __future__ import annotations

import gzip
import io
import json
from email.utils import formatdate
from http import HTTPStatus
from urllib.parse import parse_qsl

from werkzeug.datastructures import EnvironHeaders
from werkzeug.wsgi import get_input_stream

from server.auth.gateway import GatewayRejection
from server.clock import wall
from server.domain.errors import ProtocolError
from server.faults.actions import DropConnection, drop
from server.gate import GATEWAY, LEGACY, Call
from server.host_url import host_url
from server.journal import entry
from server.journal.entry import presented_secret
from server.xmlrpc import codec
from server.xmlrpc.faults import fault_for

# The real service's paths: APPNAME.infusionsoft.com/api/xmlrpc, and api.infusionsoft.com's three spellings.
ENDPOINTS = {"/api/xmlrpc": LEGACY, "/crm/xmlrpc/v1": GATEWAY, "/crm/xmlrpc": GATEWAY, "/crm/xmlrpc/": GATEWAY}

# the real server's headers (recorded responses, spec xmlrpc-api.md §1.3)
_XML_HEADERS = [("Content-Type", "text/xml;charset=UTF-8"), ("Pragma", "no-cache"),
                ("Cache-Control", "no-cache, no-store")]
_GZIP_MIN = 16 * 1024
_EXPIRES_AFTER = 12 * 3600  # the recorded Expires: about 12 hours after Date
_expires: list = [0, ""]  # (the second it was made for, the header): made once a second, not once a call


def _expires_header() -> str:
    now = int(wall())
    if _expires[0] != now:
        _expires[:] = [now, formatdate(now + _EXPIRES_AFTER, usegmt=True)]
    return _expires[1]


class Transport:
    """The WSGI application of the XML-RPC endpoints, passing every other request to ``fallback``."""

    def __init__(self, sandbox, fallback):
        self.sandbox = sandbox
        self.fallback = fallback

    def __call__(self, environ, start_response):
        endpoint = ENDPOINTS.get(environ.get("PATH_INFO", ""))
        if endpoint is None:
            return self.fallback(environ, start_response)
        with self.sandbox.slot.for_request(environ, self.sandbox.config.max_body_bytes):  # (server.call_slot)
            if environ.get("REQUEST_METHOD") != "POST":
                status, headers, body = self.not_allowed(endpoint, environ)
            else:
                status, headers, body = self.serve(endpoint, environ)
        headers.append(("Content-Length", str(len(body))))
        start_response(status, headers)
        return [body]

    def not_allowed(self, endpoint: str, environ) -> tuple[str, list, bytes]:
        """Another method than POST: 405. On api.infusionsoft.com's paths the gateway answers first, as it does
        before routing any request (spec rest-oauth-throttle.md §1.2): no credential or a refused one is its
        401, an exhausted quota its 429, and the 405 carries its headers."""
        headers = [("Content-Type", "application/json"), ("Allow", "POST")]
        if endpoint == GATEWAY:
            call = Call(endpoint=endpoint, headers=EnvironHeaders(environ), query=_Query(environ))
            try:
                self.sandbox.gate.admit(call)
            except GatewayRejection as rejection:
                return gateway_answer(rejection)
            headers.extend(call.response_headers.items())
        return "405 METHOD NOT ALLOWED", headers, json.dumps({"message": "XML-RPC calls are made with POST"}).encode()

    def serve(self, endpoint: str, environ) -> tuple[str, list, bytes]:
        sandbox = self.sandbox
        call = Call(endpoint=endpoint, headers=EnvironHeaders(environ), query=_Query(environ),
                    base_url=sandbox.config.public_url or host_url(environ))
        method_name = raw = None
        if endpoint == GATEWAY:  # the credential check reads in the call's transaction, which a read goes on in
            call.tx = sandbox.env.transaction(write=False)
        try:
            sandbox.gate.admit(call)
            raw = _body(environ, sandbox.config.max_body_bytes)
            method_name, call.params = codec.loads_call(raw)
            call.method, call.args = sandbox.methods.resolve(method_name, call.params)
            result = sandbox.gate(call)
            answer, outcome = _xml(environ, codec.dumps_response(result), call.response_headers), entry.ok(result)
            if call.injection is not None and call.injection.reshapes:  # an injected fault spoils it
                answer = answer[0], answer[1], call.injection.reshape(answer[2])
        except GatewayRejection as rejection:
            answer, outcome = gateway_answer(rejection), entry.http(rejection.status, rejection.body)
        except DropConnection:  # an injected fault: no answer at all
            drop(environ)
            answer, outcome = ("200 OK", [], b""), {"kind": "dropped"}
        except Exception as exc:  # every failure of a call is a fault, formed in one place
            code, message = fault_for(exc, method_name)
            call.failure = exc
            sandbox.gate.identify(call)
            off = sandbox.gate.switched_off(call) if call.retired is None else None
            if off is not None:  # a call that failed before the gate, on an endpoint switched off for its app
                answer, outcome = gateway_answer(off), entry.http(off.status, off.body)
            else:
                answer, outcome = _xml(environ, codec.dumps_fault(code, message), call.response_headers), \
                    entry.fault(code, message)
        finally:
            if call.tx is not None:  # (ended by the gate unless the call failed before it)
                call.tx.end(commit=False)
        hint = journal(sandbox, call, environ["PATH_INFO"], method_name, raw, outcome)
        if hint is not None:
            answer[1].append(("X-Sandbox-Hint", hint))
        return answer


def journal(sandbox, call: Call, path: str, method_name: str | None, raw: bytes | None, outcome: dict) -> str | None:
    """Record the call in the app's journal (the key redacted), with a hint if it failed on a name; answer the
    hint for an X-Sandbox-Hint header when the app's ``hints`` option is on. The journal keeps a small body as
    it came (parsed only if read: nothing to do on the hot path), a large one's parameters cut to size."""
    if not sandbox.journal.active:
        return None
    params = call.params
    keyed = call.method.key if call.method is not None else True
    presented = params[0] if keyed and params and type(params[0]) is str else None
    if call.endpoint == GATEWAY:
        presented = presented_secret(call.headers, call.query)
    failure = call.failure
    hint = sandbox.journal.hinter.xmlrpc(failure, method_name, params, call.app) if failure is not None else None
    request = raw if raw is not None and len(raw) <= entry.MAX_BODY else entry.xmlrpc_params(method_name, params, keyed)
    sandbox.journal.record(call, "xmlrpc", path, method_name, request, outcome, hint, presented, keyed)
    return sandbox.journal.hint_header(call) if hint else None


def mount(app, sandbox) -> None:
    """Serve the XML-RPC endpoints of the Flask ``app`` in front of it."""
    app.wsgi_app = Transport(sandbox, app.wsgi_app)


class _Query:
    """The query string, parsed only if read (the gateway's ``access_token``)."""

    __slots__ = ("_environ", "_values")

    def __init__(self, environ):
        self._environ = environ
        self._values = None

    def get(self, name: str, default=None):
        if self._values is None:
            self._values = dict(parse_qsl(self._environ.get("QUERY_STRING", ""), keep_blank_values=True))
        return self._values.get(name, default)


def _xml(environ, body: bytes, extra: dict[str, str]) -> tuple[str, list, bytes]:
    headers = [*_XML_HEADERS, ("Expires", _expires_header())]
    if len(body) >= _GZIP_MIN and "gzip" in environ.get("HTTP_ACCEPT_ENCODING", ""):
        body = gzip.compress(body, compresslevel=5)
        headers.append(("Content-Encoding", "gzip"))
    headers.extend(extra.items())
    return "200 OK", headers, body


def _body(environ, limit: int) -> bytes:
    """The request body, gunzipped if need be; a ProtocolError fault if it is larger than ``limit``."""
    too_large = ProtocolError(f"Failed to parse XML-RPC request: the request body exceeds {limit} bytes")
    declared = environ.get("CONTENT_LENGTH")
    if declared:
        try:
            length = int(declared)
        except ValueError:
            length = 0
        if length > limit:
            raise too_large
        raw = environ["wsgi.input"].read(length) if length > 0 else b""
    else:
        # no Content-Length: a chunked body, which the server ends (werkzeug's rule: else no body)
        raw = get_input_stream(environ, max_content_length=None).read(limit + 1)
        if len(raw) > limit:
            raise too_large
    if environ.get("HTTP_CONTENT_ENCODING", "").lower() == "gzip":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as f:
                raw = f.read(limit + 1)
        except (OSError, EOFError):
            raise ProtocolError("Failed to parse XML-RPC request: bad gzip body") from None
        if len(raw) > limit:
            raise too_large
    return raw


def gateway_answer(rejection: GatewayRejection) -> tuple[str, list, bytes]:
    """The gateway's own answer (JSON, or a Mashery-era HTML body), never an XML-RPC fault."""

    status = f"{rejection.status} {HTTPStatus(rejection.status).phrase.upper()}"
    if isinstance(rejection.body, str):
        headers = {"Content-Type": "text/html", **rejection.headers}
        return status, list(headers.items()), rejection.body.encode("utf-8")
    headers = {"Content-Type": "application/json", **rejection.headers}
    return status, list(headers.items()), json.dumps(rejection.body).encode("utf-8")
