"""The gate: who is calling, for which app, and may they call now.

A chain of small handlers around the dispatcher, so that no service ever checks a key. ``admit`` runs the
HTTP-level handlers (the gateway's credentials, before the body is even parsed, as the real gateway does);
calling the gate runs the handlers around one parsed XML-RPC call, ending in the method itself.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from sqlalchemy.engine import Connection, Engine

from server.auth import gateway
from server.domain.errors import InvalidKey
from server.store import apps
from server.store.db import transaction
from server.store.session import AppRecord, AppSession
from server.xmlrpc.methods import Method

LEGACY = "legacy"  # APPNAME.infusionsoft.com/api/xmlrpc: the key is the first parameter
GATEWAY = "gateway"  # api.infusionsoft.com/crm/xmlrpc/v1: the credential travels in the request


@dataclass
class Call:
    endpoint: str
    headers: Mapping[str, str]
    query: Mapping[str, str]
    method: Method | None = None
    args: list = field(default_factory=list)
    params: list = field(default_factory=list)
    app: AppRecord | None = None
    credential: gateway.Credential | None = None
    conn: Connection | None = None  # the call's transaction, open while the handlers run


Handler = Callable[[Call, Callable[[Call], Any]], Any]


class Gate:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.admitters: list[Callable[[Call], None]] = [self.authenticate_gateway]
        self.handlers: list[Handler] = [self.authenticate_legacy]

    # --- HTTP-level -----------------------------------------------------------------------------
    def admit(self, call: Call) -> None:
        for admitter in self.admitters:
            admitter(call)

    def authenticate_gateway(self, call: Call) -> None:
        if call.endpoint == GATEWAY:
            call.app, call.credential = gateway.authenticate(self.engine, call.headers, call.query)

    # --- around one call ------------------------------------------------------------------------
    def __call__(self, call: Call) -> Any:
        """Run the handlers and the method in one transaction (one connection, one commit per call)."""

        def step(index: int) -> Callable[[Call], Any]:
            if index == len(self.handlers):
                return self.invoke
            handler = self.handlers[index]
            return lambda c: handler(c, step(index + 1))

        with transaction(self.engine, write=call.method.writes) as conn:
            call.conn = conn
            try:
                return step(0)(call)
            finally:
                call.conn = None

    def authenticate_legacy(self, call: Call, proceed: Callable[[Call], Any]) -> Any:
        if call.app is None and call.method.key:
            call.app = apps.by_legacy_key(call.conn, call.params[0])
            if call.app is None:
                raise InvalidKey()
            call.credential = gateway.Credential("legacy_key", f"app:{call.app.id}")
        return proceed(call)

    def invoke(self, call: Call) -> Any:
        if call.app is None:
            return call.method.func(None, *call.args)  # a method that needs no app (DataService.echo(text))
        return call.method.func(AppSession(call.conn, call.app), *call.args)
