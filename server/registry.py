"""The registry: everything one sandbox serves and runs, filled explicitly when the application is built.

``create_app`` makes one ``Registry`` and hands it to each package's ``install(registry, config)``, in the
manner of Warehouse's ``includeme``: ``server.domain`` (DataService table writers, domain-event listeners,
change-log listeners, due work), ``server.engine`` (its event listener and due work), ``server.services``
(XML-RPC methods), ``server.rest`` (REST v1 operations and the REST hook deliveries), ``server.rest_v2`` (the
v2 families). Nothing is registered by importing a module: a decorator (``@xmlrpc``, ``@route``,
``@operation``) only marks its function, and the package's ``install`` collects the marks of the modules it
lists. Two applications built in one process have a registry each; neither sees the other's.

The registry is plain data, read by the code that serves and runs things: the XML-RPC transport builds its
method table from ``methods``, REST v1 its blueprint from ``operations``, REST v2 its router from
``families``; a session looks up its event's listeners in ``listeners``, DataService a table's writer in
``writers``; ``server.jobs`` asks every ``due_work`` source what is due. It imports nothing of the sandbox,
so any layer may be handed one.

REST v1 and v2 are loaded by their first use (issue 18 §8: an idle server that serves XML-RPC does not hold
them): ``families`` holds the v2 family modules by name, and ``operations`` may be given as a function that
declares them, called at the first read of ``operations``.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DueWork:
    """One kind of work that falls due on an app's clock (server.jobs)."""

    name: str
    # app id -> the earliest time (seconds since the epoch, on that app's clock) at which it has work, for
    # the apps in ``app_ids`` (every app when None) that have any: one grouped query, not one per app
    next_due: Callable[[Any, list[int] | None], dict[int, float]]  # (Connection, app_ids)
    # run everything of the app due at or before ``now`` (app time), counting what it did in the tally (a
    # server.tally.Tally, or None: its sessions get it); returns how many units ran
    run_due: Callable[[Any, Any, float, Any], int]  # (Environment, AppRecord, now, tally)
    # requests to the outside world (the outbox, server.domain.outbox): a clock advance runs them after its
    # in-app work, ``run_due(env, app, end, tally, since=start)``, instead of at each due time (server.jobs)
    outside: bool = False


class Registry:
    def __init__(self) -> None:
        self.methods: list = []  # XML-RPC overloads (server.xmlrpc.methods.Method), in declaration order
        self._operations: list = []  # REST v1 operations (server.rest.api.Operation), or functions declaring them
        self._operations_lock = threading.Lock()
        self.families: list[str] = []  # REST v2 family modules (server.rest_v2), by name
        self.writers: dict[str, Any] = {}  # DataService table name -> its Writer (server.domain.data.records)
        # domain-event type -> its listeners, in order of subscription; each ``fn(session, event)`` runs
        # inside the writing transaction, when the event is emitted (a tuple: replaced, never changed in place)
        self.listeners: dict[str, tuple[Callable, ...]] = {}
        # run when a transaction's events got their change-log numbers, inside it: ``fn(conn, app, logged)``
        self.log_listeners: list[Callable] = []
        self.due_work: list[DueWork] = []

    def add_methods(self, methods: Iterable) -> None:
        self.methods.extend(methods)

    def add_operations(self, operations: Iterable | Callable[[], Iterable]) -> None:
        """REST v1 operations, or a function that declares them (called at the first read of ``operations``)."""
        self._operations.append(operations if callable(operations) else list(operations))

    @property
    def operations(self) -> list:
        """The REST v1 operations (server.rest.api.Operation), in the order they were added."""
        if any(callable(part) for part in self._operations):
            with self._operations_lock:  # (several threads of a worker may serve REST v1's first calls)
                self._operations = [list(part()) if callable(part) else part for part in self._operations]
        return [op for part in self._operations for op in part]

    def add_family(self, module: str) -> None:
        """A REST v2 family module, by name (imported with the contract, server.rest_v2.build)."""
        self.families.append(module)

    def add_writer(self, writer) -> None:
        """Write the DataService tables ``writer.tables`` through ``writer`` (one writer per table)."""
        for name in writer.tables:
            if name in self.writers:
                raise ValueError(f"two writers for the table {name}")
            self.writers[name] = writer

    def subscribe(self, event_types: str | Iterable[str], listener: Callable) -> None:
        """Call ``listener(session, event)`` for every domain event of these types."""
        for event_type in [event_types] if isinstance(event_types, str) else event_types:
            self.listeners[event_type] = (*self.listeners.get(event_type, ()), listener)

    def unsubscribe(self, event_types: str | Iterable[str], listener: Callable) -> None:
        for event_type in [event_types] if isinstance(event_types, str) else event_types:
            kept = tuple(f for f in self.listeners.get(event_type, ()) if f is not listener)
            if kept:
                self.listeners[event_type] = kept
            else:
                self.listeners.pop(event_type, None)

    def on_logged(self, listener: Callable) -> None:
        """Call ``listener(conn, app, [(seq, event, occurred_at), ...])`` once a transaction's events are
        numbered in the change log, still inside that transaction (REST hooks queue their deliveries there)."""
        self.log_listeners.append(listener)

    def add_due_work(self, name: str, next_due: Callable, run_due: Callable, *, outside: bool = False) -> None:
        if any(w.name == name for w in self.due_work):
            raise ValueError(f"due work {name!r} registered twice")
        self.due_work.append(DueWork(name, next_due, run_due, outside))
