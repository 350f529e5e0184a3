"""The gate: who is calling, for which app, and may they call now.

A chain of small handlers around the dispatcher, so that no service ever checks a key. ``admit`` runs the
HTTP-level handlers (the gateway's credentials and quotas, before the body is even parsed, as the real
gateway does); calling the gate runs the handlers around one parsed XML-RPC call (the legacy key, its
token bucket), ending in the method itself. A call runs in one transaction, opened by the first handler
that reads the store (the legacy key's lookup) and used by the method; a throttled call commits it before it
is held and the method gets a new one, so a held call never blocks anyone else.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from server.auth import gateway, hosts
from server.auth.gateway import GatewayRejection
from server.clock import monotonic
from server.domain.errors import InvalidConfig, InvalidKey, ThrottledError
from server.environment import Environment
from server.faults.actions import Injection
from server.faults.injector import Injector
from server.faults.names import XMLRPC_GATEWAY, XMLRPC_LEGACY
from server.migration.retirement import LEGACY_KEY, Schedules
from server.store import apps, vendor_keys
from server.store.db import Transaction, transaction
from server.store.session import AppRecord
from server.throttle.throttle import Throttle

PASSED = {"decision": "passed"}  # the journal's record of a call the throttle let through at once
LEGACY = "legacy"  # APPNAME.infusionsoft.com/api/xmlrpc: the key is the first parameter
GATEWAY = "gateway"  # api.infusionsoft.com/crm/xmlrpc/v1: the credential travels in the request
PATHS = {LEGACY: "/api/xmlrpc", GATEWAY: "/crm/xmlrpc/v1"}  # what a switched-off endpoint's answer names


class Target(Protocol):
    """What the gate needs of the method a call names (server.xmlrpc.methods.Method is one)."""

    @property
    def name(self) -> str:
        """``Service.method``."""

    @property
    def func(self) -> Callable[..., Any]:
        """The service function: ``func(session, *args)``."""

    @property
    def key(self) -> bool:
        """Takes the API key as its first parameter."""

    @property
    def writes(self) -> bool:
        """Needs a write transaction."""

    @property
    def app_from(self) -> Callable[..., Any] | None:
        """For a keyless method whose own arguments select the app: ``(conn, args) -> app``."""


@dataclass
class Call:
    endpoint: str
    headers: Mapping[str, str]
    query: Mapping[str, str]
    method: Target | None = None
    args: list = field(default_factory=list)
    params: list = field(default_factory=list)
    app: AppRecord | None = None
    credential: gateway.Credential | None = None
    base_url: str | None = None  # scheme and host the client called, for the public URLs answers carry
    response_headers: dict[str, str] = field(default_factory=dict)
    tx: Transaction | None = None  # the call's transaction, opened on first use
    injected: dict | None = None  # the fault injected into the call, if any (server.faults): rule id, action
    injection: Injection | None = None  # that fault itself, for the transport to apply to the answer
    started: float = field(default_factory=monotonic)  # for the journal's duration
    throttle: dict | None = None  # the throttle's decision, for the journal: passed, held (ms), refused (window)
    journal: dict | None = None  # the call's journal entry, once written (server.journal)
    failure: BaseException | None = None  # what a failed call raised, for the journal's near-miss hints
    retired: str | None = None  # refused by the app's retirement schedule: "sunset", "brownout" or "legacy_key"


Handler = Callable[[Call, Callable[[Call], Any]], Any]


class Gate:
    def __init__(self, env: Environment, throttle: Throttle, faults: Injector | None = None):
        self.env = env
        self.engine = env.engine
        self.throttle = throttle
        self.admitters: list[Callable[[Call], None]] = [self.authenticate_gateway, self.throttle_gateway]
        self.faults = faults if faults is not None else Injector(env.engine)
        self.retirement = Schedules()
        self.handlers: list[Handler] = [self.authenticate_legacy, self.legacy_host, self.retire_xmlrpc,
                                        self.require_api_enabled, self.throttle_legacy, self.inject_fault]
        self._chain: tuple[tuple, Callable[[Call], Any]] = ((), self.invoke)

    # --- HTTP-level -----------------------------------------------------------------------------
    def admit(self, call: Call) -> None:
        for admitter in self.admitters:
            admitter(call)

    def authenticate_gateway(self, call: Call) -> None:
        if call.endpoint == GATEWAY:
            call.app, call.credential = gateway.authenticate(self.engine, call.headers, call.query, call.tx)
            if call.credential.kind == "legacy_key" and self._legacy_key_retired(call.app):
                call.retired = LEGACY_KEY
                raise gateway.invalid_api_key()  # a revoked key, on REST as on the gateway's XML-RPC

    def _legacy_key_retired(self, app: AppRecord) -> bool:
        schedule = self.retirement.of(app)
        return schedule is not None and schedule.legacy_key_retired(app.clock_state.timestamp())

    def throttle_gateway(self, call: Call) -> None:
        if call.endpoint == GATEWAY:
            try:
                headers = self.throttle.gateway(call.app, call.credential, f"{call.app.name}.infusionsoft.com")
            except GatewayRejection as rejection:
                call.throttle = {"decision": "refused", "window": rejection.window}
                raise
            call.throttle = PASSED
            call.response_headers.update(headers)

    # --- around one call ------------------------------------------------------------------------
    def __call__(self, call: Call) -> Any:
        reader = call.tx  # the transaction the gateway's credential check read in, if any: a read goes on in it
        if reader is not None and call.method.writes:
            reader.end()
            reader = None
        call.tx = reader if reader is not None else self.env.transaction(write=call.method.writes)
        try:
            result = self._chained()(call)
        except BaseException:
            call.tx.end(commit=False)
            raise
        call.tx.end()
        return result

    def _chained(self) -> Callable[[Call], Any]:
        """The handlers around ``invoke``, composed once (again only if the list of handlers changes)."""
        handlers = tuple(self.handlers)
        if self._chain[0] != handlers:
            chain = self.invoke
            for handler in reversed(handlers):
                chain = (lambda h, rest: lambda c: h(c, rest))(handler, chain)
            self._chain = (handlers, chain)
        return self._chain[1]

    def authenticate_legacy(self, call: Call, proceed: Callable[[Call], Any]) -> Any:
        if call.app is None and call.method.key:
            user_id = None
            call.app = apps.by_legacy_key(call.tx, call.params[0])
            if call.app is None:  # a temporary key (DataService.getTemporaryKey), for its hour
                found = vendor_keys.by_temporary_key(call.tx.conn(), call.params[0])
                if found is not None:
                    call.app, user_id = found
            if call.app is None:
                raise InvalidKey()
            call.credential = gateway.Credential("legacy_key", f"app:{call.app.id}:legacy", user_id)
        elif call.app is None and call.method.app_from is not None:
            call.app = call.method.app_from(call.tx.conn(), call.args)  # a keyless call that names its app
            if call.app is None:
                raise InvalidKey()
        return proceed(call)

    @staticmethod
    def legacy_host(call: Call, proceed: Callable[[Call], Any]) -> Any:
        """On an app's own host (``acme.infusionsoft.com/api/xmlrpc``, server.auth.hosts) the legacy endpoint is
        that app's: another app's key is an invalid key there, as on the real service."""
        if call.endpoint == LEGACY and call.app is not None:
            named = hosts.app_of_host(call.headers.get("Host", ""))
            if named is not None and named != call.app.name.lower():
                raise InvalidKey()
        return proceed(call)

    def retire_xmlrpc(self, call: Call, proceed: Callable[[Call], Any]) -> Any:
        """The app's retirement schedule (server.migration.retirement), on its clock: after the sunset and in a
        brownout both XML-RPC endpoints answer as a switched-off route does, whatever the credential; once
        legacy keys are retired, the legacy key (and a temporary key) is an invalid key."""
        schedule = self.retirement.of(call.app) if call.app is not None else None
        if schedule is None:
            return proceed(call)
        rejection = self.switched_off(call)
        if rejection is not None:
            raise rejection
        if call.credential is not None and call.credential.kind == "legacy_key" \
                and schedule.legacy_key_retired(call.app.clock_state.timestamp()):
            call.retired = LEGACY_KEY
            raise InvalidKey()
        return proceed(call)

    @staticmethod
    def require_api_enabled(call: Call, proceed: Callable[[Call], Any]) -> Any:
        """An app whose API access is off answers every call with [InvalidConfig] (the gateway in front has
        counted it already; the legacy bucket does not)."""
        if call.app is not None and not call.app.option("api_enabled"):
            raise InvalidConfig()
        return proceed(call)

    def throttle_legacy(self, call: Call, proceed: Callable[[Call], Any]) -> Any:
        if call.endpoint == LEGACY and call.app is not None:
            try:
                held = self.throttle.legacy(call.app, lambda: self._clock_of(call.app), before_hold=call.tx.release)
            except ThrottledError:
                call.throttle = {"decision": "refused", "window": "legacy bucket"}
                raise
            call.throttle = {"decision": "held", "ms": round(held * 1000)} if held else PASSED
        return proceed(call)

    def inject_fault(self, call: Call, proceed: Callable[[Call], Any]) -> Any:
        """An XML-RPC call an app's fault rule breaks (server.faults); the transport spoils its answer's bytes."""
        if call.app is None or not call.app.faults_version:
            return proceed(call)
        injection = self.faults.decide(call.app, XMLRPC_LEGACY if call.endpoint == LEGACY else XMLRPC_GATEWAY,
                                       call.method.name, call.credential, call.response_headers,
                                       release=call.tx.release)  # (a rule's counter has its own transaction)
        if injection is None:
            return proceed(call)
        call.injected = injection.description
        call.injection = injection
        injection.before(release=call.tx.release)
        result = proceed(call)
        if injection.rule.apply_first:
            call.tx.release()  # committed: the error the client gets next does not undo the write
        injection.after()
        return result

    def switched_off(self, call: Call) -> GatewayRejection | None:
        """The answer of a switched-off XML-RPC endpoint if the app's schedule has it off now (the call marked
        for the journal), else None; also for a call that failed before the gate (an unknown method, a body
        that is not XML-RPC), as a switched-off service answers anything."""
        schedule = self.retirement.of(call.app) if call.app is not None else None
        off = schedule.xmlrpc_off(call.app.clock_state.timestamp()) if schedule is not None else None
        if off is None:
            return None
        call.retired = off
        return gateway.switched_off(schedule.answer, PATHS[call.endpoint])

    def identify(self, call: Call) -> None:
        """For the journal of a call that failed before its key was checked (an unknown method, a wrong
        arity): the app its first parameter is the legacy key of, if it is one."""
        if call.app is None and call.endpoint == LEGACY and call.params and type(call.params[0]) is str:
            with transaction(self.engine, write=False) as conn:
                call.app = apps.by_legacy_key(conn, call.params[0])
            if call.app is not None:
                call.credential = gateway.Credential("legacy_key", f"app:{call.app.id}:legacy")

    def _clock_of(self, app: AppRecord):
        with transaction(self.engine, write=False) as conn:
            return apps.clock_state(conn, app.id)

    def invoke(self, call: Call) -> Any:
        if call.app is None:
            return call.method.func(None, *call.args)  # a method that needs no app (DataService.echo(text))
        user_id = call.credential.user_id if call.credential else None
        return call.method.func(self.env.session(call.tx, call.app, user_id, base_url=call.base_url), *call.args)
