"""The Throttle: what the gate and the control API call. ``legacy`` lets a legacy-key call through, holds it
or refuses it; ``gateway`` counts a call against the gateway's quotas; ``state`` and ``reset`` serve the control
API. The keys of the store it uses are built here (per app: the legacy bucket, the tenant windows, the shared
windows of the app's Keap API keys)."""
from __future__ import annotations

import time
from collections.abc import Callable

from server.auth.gateway import Credential
from server.call_slot import released
from server.clock import ClockState, monotonic
from server.domain.errors import ThrottledError
from server.store.session import AppRecord

from . import answers, legacy, windows
from .settings import Settings
from .store import ThrottleStore, make_store

POLL = 0.05  # wall seconds between looks at the app's clock while a call is held


def legacy_key(app: AppRecord) -> str:
    return f"app:{app.id}:legacy"


def tenant_key(app: AppRecord) -> str:
    return f"app:{app.id}:tenant"


def app_keys_key(app: AppRecord) -> str:
    """The windows every Keap API key of the app counts in together (their daily quota)."""
    return f"app:{app.id}:keys"


class Throttle:
    def __init__(self, store: ThrottleStore):
        self.store = store

    @classmethod
    def from_url(cls, redis_url: str | None, prefix: str = "sandbox:throttle:") -> Throttle:
        return cls(make_store(redis_url, prefix))

    # --- the legacy key's bucket ---------------------------------------------------------------------
    def legacy(self, app: AppRecord, reload_clock: Callable[[], ClockState],
               before_hold: Callable[[], None] | None = None) -> float:
        """Let a legacy-key call through, hold it until its token arrives, or refuse it (fault 500);
        ``before_hold`` runs before a call is held (the gate ends the call's transaction there). Answers the
        seconds of app time the call was held (0: let through at once)."""
        settings = Settings.of(app.options)
        if not settings.legacy_enabled:
            return 0.0
        key = legacy_key(app)
        now = app.clock_state.timestamp()
        decision = self.store.legacy_decide(key, now, settings.bucket)
        if decision.outcome == legacy.PROCEED:
            return 0.0
        if decision.outcome == legacy.REJECT:
            raise ThrottledError(legacy.THROTTLE_FAULT)
        release = now + decision.wait * (settings.hold_step / settings.bucket.interval)
        if before_hold is not None:
            before_hold()
        self.store.held(key, +1)
        try:
            self._hold_until(release, app.clock_state, reload_clock, settings.hold_timeout)
        finally:
            self.store.held(key, -1)
        return release - now

    @staticmethod
    def _hold_until(release: float, state: ClockState, reload_clock, timeout: float) -> None:
        """Wait until the app's clock reaches ``release``: on a clock running at ×60 a 2 s hold takes 33 ms;
        on a frozen clock the call waits for the clock to be moved, at most ``timeout`` wall seconds."""
        deadline = monotonic() + timeout
        while True:
            remaining = release - state.timestamp()
            if remaining <= 0:
                return
            if monotonic() >= deadline:
                raise ThrottledError(legacy.THROTTLE_FAULT)
            wall = state.wall_seconds_for(remaining)
            with released():  # (server.call_slot: other calls run while this one waits)
                time.sleep(POLL if wall is None else min(wall, POLL))
            state = reload_clock()

    # --- the gateway's quotas ------------------------------------------------------------------------
    def gateway(self, app: AppRecord, credential: Credential, tenant_host: str) -> dict[str, str]:
        """Count a gateway call; return the profile's headers, or raise its over-limit GatewayRejection."""
        settings = Settings.of(app.options)
        if not settings.enabled:
            return {}
        now = app.clock_state.timestamp()
        scoped = settings.scoped(credential.regime, credential.limits)
        items = [(credential.identity if scope == "credential" else app_keys_key(app), limits)
                 for scope, limits in scoped]
        tenant_limits = settings.limits("tenant") if settings.profile == "current" else []
        if tenant_limits:
            items.append((tenant_key(app), tenant_limits))
        verdicts = self.store.windows_hit(items, now, app.id)  # counted in every window or in none
        verdict = verdicts[0] if len(scoped) == 1 else _merged(verdicts[:len(scoped)])
        tenant = verdicts[-1] if tenant_limits else None
        if settings.profile == "classic":
            headers = answers.classic_headers(verdict)
            if not verdict.allowed:
                violated = verdict.violated or tenant.violated
                rejection = answers.classic_refusal(violated, now, headers)
                rejection.window = violated.limit.name
                raise rejection
            return headers
        refused = verdict.violated or (tenant.violated if tenant else None)
        if refused is not None:
            rejection = answers.current_refusal(refused, now, settings.raw["retry_after"])
            rejection.window = refused.limit.name
            raise rejection
        return answers.current_headers(verdict, tenant, tenant_host)

    # --- the control API -----------------------------------------------------------------------------
    def state(self, app: AppRecord, callers: dict[str, Credential] | None = None) -> dict:
        """The live state: tokens, held calls, next refill; quota used and left per window: the app's tenant
        windows, its Keap API keys' shared daily quota, and each caller's own windows (``callers``: the
        credentials that can reach the app, by the name to show them under)."""
        settings = Settings.of(app.options)
        now = app.clock_state.timestamp()
        bucket = settings.bucket
        tokens, last = self.store.legacy_bucket(legacy_key(app))
        level = legacy.level_at(tokens, last, now, bucket)
        out = {
            "enabled": settings.enabled,
            "profile": settings.profile,
            "settings": settings.raw,
            "legacy": {
                "enabled": settings.legacy_enabled,
                "refill": settings.raw["legacy"]["refill"],
                "tokens": max(0, int(level)),
                "level": round(level, 3),
                "held_calls": self.store.held(legacy_key(app), 0),
                "bucket_size": bucket.size,
                "next_refill": legacy.next_refill(tokens, last, now, bucket),
                "throttled": level < 1 - bucket.max_held,
            },
            "gateway": {},
        }
        tenant_limits = settings.limits("tenant")
        if tenant_limits:
            out["gateway"]["tenant"] = _usage(self.store.windows_peek(tenant_key(app), now, tenant_limits))
        for scope, limits in settings.scoped("key"):
            if scope == "app":
                out["gateway"]["api_keys"] = _usage(self.store.windows_peek(app_keys_key(app), now, limits))
        for name, credential in (callers or {}).items():
            own = [lim for scope, limits in settings.scoped(credential.regime, credential.limits)
                   if scope == "credential" for lim in limits]
            out["gateway"][name] = _usage(self.store.windows_peek(credential.identity, now, own))
        return out

    def reset(self, app: AppRecord, shared: list[Credential] = ()) -> None:
        """Refill the app's bucket and clear its windows. ``shared``: credentials whose windows count across
        apps (OAuth clients): only the calls they made to this app are taken back."""
        self.store.reset(f"app:{app.id}:")
        for credential in shared:
            self.store.forget(credential.identity, app.id)

    # --- snapshots (server.sandbox.snapshots) ----------------------------------------------------------
    def saved(self, app: AppRecord) -> dict:
        """The app's bucket and windows (its legacy key's, its tenant's, its Keap API keys'), as JSON values.
        An OAuth client's windows count its calls to every app it is connected to: they are not the app's."""
        return self.store.dump(f"app:{app.id}:")

    def put_back(self, app: AppRecord, saved: dict | None) -> None:
        """The state ``saved`` returned, in place of the app's (none: a full bucket and empty windows)."""
        self.store.load(f"app:{app.id}:", saved or {})


def _merged(verdicts: list) -> windows.Verdict:
    """One credential's verdict from its windows kept in several places (a key's own and its app's)."""
    return windows.Verdict(all(v.allowed for v in verdicts), [u for v in verdicts for u in v.usage],
                           next((v.violated for v in verdicts if v.violated), None))


def _usage(usage) -> dict:
    return {u.limit.name: {"limit": u.limit.limit, "used": u.used, "available": u.available,
                           "resets_at": u.resets_at} for u in usage}
