"""What a worker builds at its first use instead of at start-up, once per process (issue 18 §8, docs/performance.md
"Memory of the server"): REST v1 (server.rest.front), REST v2 (server.rest_v2.front) and the control plane
(server.sandbox.front) take a third of a worker's memory, which an idle server that has served XML-RPC alone never
needed.

``Once`` builds its value at the first ``get``; the threads of a worker that ask at the same time wait on one lock
for the one that builds it, and every later ``get`` is one attribute read. ``Mounted`` serves the paths it is given
with a WSGI application built that way, in front of another that serves every other path.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Once(Generic[T]):
    def __init__(self, build: Callable[[], T]):
        self._build = build
        self._value: T | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._value is not None

    def get(self) -> T:
        value = self._value
        if value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._build()
                value = self._value
        return value


class Mounted:
    """``build()``'s WSGI application for the paths ``serves(path)`` accepts, ``fallback`` for the others."""

    def __init__(self, serves: Callable[[str], bool], build: Callable[[], Callable], fallback: Callable):
        self.serves = serves
        self.app = Once(build)
        self.fallback = fallback

    def __call__(self, environ, start_response):
        if self.serves(environ.get("PATH_INFO", "")):
            return self.app.get()(environ, start_response)
        return self.fallback(environ, start_response)
