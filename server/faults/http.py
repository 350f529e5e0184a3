"""An injected fault around one HTTP call whose answer is a werkzeug Response (REST v1, REST v2, /token)."""
from __future__ import annotations

from collections.abc import Callable

from werkzeug.wrappers import Response

from server.auth.gateway import GatewayRejection

from .actions import DropConnection, Injection, drop


def around(injection: Injection | None, environ, serve: Callable[[], Response],
           gateway_answer: Callable[[GatewayRejection], Response]) -> Response:
    """``serve()``'s answer, broken as ``injection`` says (``serve`` runs and commits the call)."""
    if injection is None:
        return serve()
    try:
        injection.before()
        response = serve()
        injection.after()
    except GatewayRejection as rejection:
        return gateway_answer(rejection)
    except DropConnection:
        drop(environ)
        return Response(status=200)  # written to a closed socket: the client reads no answer
    if injection.reshapes:
        response.set_data(injection.reshape(response.get_data()))  # (Content-Length follows)
    return response
