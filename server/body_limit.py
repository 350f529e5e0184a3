"""One limit on request bodies for every endpoint (``SANDBOX_MAX_BODY_BYTES``, 10 MiB by default).

A body larger than the limit is refused before anything reads it, with 413 in the error form of the protocol
its path belongs to: REST v1's ``{"message"}``, REST v2's ``{"code", "message", "status", "details"}``, the
control API's ``{"error"}``, OAuth's ``{"error", "error_description"}``. XML-RPC keeps its own answer, a
fault (the transport reads the body itself, with the same limit: server.xmlrpc.transport).

A chunked body (no ``Content-Length``; the server marks its input ``wsgi.input_terminated``) is read here, up to
one byte past the limit, and handed on as a body of known length: Werkzeug's own ``max_content_length`` would
cut it at the limit without a word.
"""
from __future__ import annotations

import io
import json

from werkzeug.wrappers import Response

from server.rest_v2.errors import too_large
from server.xmlrpc.transport import ENDPOINTS as XMLRPC_ENDPOINTS

REST_V2 = "/crm/rest/v2"


def answer(path: str, limit: int) -> Response:
    """The 413 of the protocol that serves ``path``."""
    text = f"The request body is larger than the limit of {limit} bytes"
    if path == REST_V2 or path.startswith(REST_V2 + "/"):
        body = too_large(limit).body()
    elif path.startswith("/sandbox/"):
        body = {"error": text}
    elif path.startswith("/oauth/"):
        body = {"error": "invalid_request", "error_description": text}
    else:
        body = {"message": text}
    return Response(json.dumps(body), status=413, content_type="application/json")


class BodyLimit:
    """The outermost WSGI layer: refuses a body over the limit, declared or chunked, before any layer reads it."""

    def __init__(self, app, limit: int):
        self.app = app
        self.limit = limit

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path not in XMLRPC_ENDPOINTS:
            declared = environ.get("CONTENT_LENGTH")
            if declared:
                if _length(declared) > self.limit:
                    return answer(path, self.limit)(environ, start_response)
            elif environ.get("wsgi.input_terminated"):  # chunked: read it here, up to one byte past the limit
                body = _read(environ["wsgi.input"], self.limit + 1)
                if len(body) > self.limit:
                    return answer(path, self.limit)(environ, start_response)
                environ["wsgi.input"] = io.BytesIO(body)
                environ["CONTENT_LENGTH"] = str(len(body))
                del environ["wsgi.input_terminated"]
        return self.app(environ, start_response)


def _length(declared: str) -> int:
    try:
        return int(declared)
    except ValueError:
        return 0


def _read(stream, most: int) -> bytes:
    chunks, size = [], 0
    while size < most:
        chunk = stream.read(min(65536, most - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
