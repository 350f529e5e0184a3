"""An injected fault around one HTTP call whose answer is a werkzeug Response (REST v1, REST v2, /token)."""
from __future__ import annotations

import json
from collections.abc import Callable

from werkzeug.wrappers import Response

from server.auth.gateway import GatewayRejection

from .actions import DropConnection, Injection, drop


def around(injection: Injection | None, environ, serve: Callable[[], Response],
           gateway_answer: Callable[[GatewayRejection], Response] | None = None) -> Response:
    """``serve()``'s answer, broken as ``injection`` says (``serve`` runs and commits the call)."""
    if injection is None:
        return serve()
    try:
        injection.before()
        response = serve()
        injection.after()
    except GatewayRejection as rejection:
        return (gateway_answer or rejected)(rejection)
    except DropConnection:
        drop(environ)
        return Response(status=200)  # written to a closed socket: the client reads no answer
    if injection.reshapes:
        response.set_data(injection.reshape(response.get_data()))  # (Content-Length follows)
    return response


def rejected(rejection: GatewayRejection) -> Response:
    """An injected HTTP answer where no protocol has its own form (the token endpoint): its body as JSON, or
    as given if it is text."""
    if isinstance(rejection.body, str):
        return Response(rejection.body, status=rejection.status, headers={"Content-Type": "text/html",
                                                                          **rejection.headers})
    return Response(json.dumps(rejection.body), status=rejection.status,
                    headers={"Content-Type": "application/json", **rejection.headers})
