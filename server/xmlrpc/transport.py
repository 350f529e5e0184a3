"""The XML-RPC endpoints: bytes in, bytes out. Faults travel with HTTP 200, as the real server sends them;
only the gateway's own refusals (before the XML-RPC layer) have another status."""
from __future__ import annotations

import gzip
import io
import json

from flask import Blueprint, Response, current_app, request

from server.auth.gateway import GatewayRejection
from server.gate import GATEWAY, LEGACY, Call
from server.xmlrpc import codec
from server.xmlrpc.faults import fault_for
from server.xmlrpc.methods import TABLE

bp = Blueprint("xmlrpc", __name__)

_XML_HEADERS = {"Content-Type": "text/xml;charset=UTF-8", "Pragma": "no-cache",
                "Cache-Control": "no-cache, no-store"}
_GZIP_MIN = 16 * 1024


def _xml(body: bytes, extra: dict[str, str]) -> Response:
    headers = {**_XML_HEADERS, **extra}
    if len(body) >= _GZIP_MIN and "gzip" in request.headers.get("Accept-Encoding", ""):
        body = gzip.compress(body, compresslevel=5)
        headers["Content-Encoding"] = "gzip"
    return Response(body, status=200, headers=headers)


def _body(limit: int) -> bytes:
    """The request body, gunzipped if need be; a ProtocolError fault if it is larger than ``limit``."""
    from server.domain.errors import ProtocolError

    too_large = ProtocolError(f"Failed to parse XML-RPC request: the request body exceeds {limit} bytes")
    if (request.content_length or 0) > limit:
        raise too_large
    raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        raise too_large
    if request.headers.get("Content-Encoding", "").lower() == "gzip":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as f:
                raw = f.read(limit + 1)
        except (OSError, EOFError):
            raise ProtocolError("Failed to parse XML-RPC request: bad gzip body") from None
        if len(raw) > limit:
            raise too_large
    return raw


def _serve(endpoint: str) -> Response:
    sandbox = current_app.extensions["sandbox"]
    call = Call(endpoint=endpoint, headers=request.headers, query=request.args,
                base_url=sandbox.config.public_url or request.host_url)
    try:
        sandbox.gate.admit(call)
    except GatewayRejection as rejection:
        return gateway_answer(rejection)
    method_name = None
    try:
        method_name, call.params = codec.loads_call(_body(sandbox.config.max_body_bytes))
        call.method, call.args = TABLE.resolve(method_name, call.params)
        result = sandbox.gate(call)
        return _xml(codec.dumps_response(result), call.response_headers)
    except Exception as exc:  # every failure of a call is a fault, formed in one place
        code, message = fault_for(exc, method_name)
        return _xml(codec.dumps_fault(code, message), call.response_headers)


def gateway_answer(rejection: GatewayRejection) -> Response:
    """The gateway's own answer (JSON, or a Mashery-era HTML body), never an XML-RPC fault."""
    if isinstance(rejection.body, str):
        return Response(rejection.body, status=rejection.status,
                        headers={"Content-Type": "text/html", **rejection.headers})
    return Response(json.dumps(rejection.body), status=rejection.status,
                    headers={"Content-Type": "application/json", **rejection.headers})


@bp.post("/api/xmlrpc")
def legacy():
    return _serve(LEGACY)


@bp.post("/crm/xmlrpc/v1")
@bp.post("/crm/xmlrpc")
@bp.post("/crm/xmlrpc/")
def gateway():
    return _serve(GATEWAY)
