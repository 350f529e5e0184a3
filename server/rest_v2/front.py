"""REST v2's place in front of Flask, loaded by its first call.

The contract (its parsed 1.4 MB OpenAPI document), the family modules, their route table and validators take some
10 MiB of a worker (issue 18 §8, docs/performance.md "Memory of the server"), which a server that serves only
XML-RPC or REST v1 never needs. ``Front`` passes every other path to Flask and, at the first request under
``/crm/rest/v2`` (or the first use of ``api``: the migration compare, a journal hint), builds the API and its
transport (server.rest_v2.transport), once per process (server.lazy). From then on a call costs what it did when
the API was built at start-up, and one attribute read.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from server.lazy import Once

from . import build

if TYPE_CHECKING:
    from .api import Api
    from .transport import Transport

ROOT = "/crm/rest/v2"


class Front:
    def __init__(self, sandbox, families: Iterable[str], fallback: Callable):
        self.sandbox = sandbox
        self.families = tuple(families)
        self.fallback = fallback
        self.transport: Once[Transport] = Once(self._load)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not (path == ROOT or path.startswith(ROOT + "/")):
            return self.fallback(environ, start_response)
        return self.transport.get()(environ, start_response)

    def api(self) -> Api:
        return self.transport.get().api

    def routes(self) -> list[tuple[str, str]]:
        """``(METHOD, path)`` of every operation of the contract, the path relative to ``ROOT``."""
        return [(b.spec.method, b.spec.path) for b in self.api().bound.values()]

    def _load(self) -> Transport:
        from . import transport  # noqa: PLC0415 (the point of this module: loaded by the first call)

        return transport.Transport(self.sandbox, build(self.families))
