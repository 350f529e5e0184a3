"""Retirement schedules on the app clock (issue 19 §1): when an app's XML-RPC endpoints answer as a switched-off
service does, and from when its legacy API key stops working.

Keap is switching XML-RPC off at the end of 2026 after brownouts of growing length, and has revoked legacy keys
(spec rest-v2.md, "The three APIs today" and "Credentials in 2026"). Per app, under ``options.retirement``:

- ``xmlrpc``: a ``sunset`` moment after which both XML-RPC endpoints (``/api/xmlrpc``, ``/crm/xmlrpc/v1``) are
  switched off, ``brownouts`` (start, duration) during which they answer the same way, a named ``preset``
  (``keap-2026``: the published calendar) whose windows are added to the user's own and whose sunset applies
  unless the user gives one, and the ``answer`` they give (``not_found``: Apigee's 404 for a route with no proxy
  behind it, the default; ``gone``: 410; ``unavailable``: Apigee's 503). The real switched-off answer is
  undocumented (docs/divergences.md).
- ``legacy_keys.retired``: the moment from which the app's legacy key (and a temporary key) is refused on every
  endpoint as a revoked key is: ``[InvalidKey]`` on XML-RPC, the gateway's 401 ``Invalid ApiKey`` on REST and in
  ``X-Keap-API-Key``. PATs, SAKs and OAuth tokens are untouched.

Everything here is pure: ``Retirement`` (server.migration.retirement_settings, pydantic, loaded by the first app
that has settings) validates the stored settings, ``Schedule`` is their parsed form and
answers for a moment of the app's clock (seconds since the epoch), ``Schedules`` keeps one parsed schedule per
app for as long as its stored settings stay the same. The gate (server.gate) asks it on every call.
"""
from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

SUNSET = "sunset"
BROWNOUT = "brownout"
LEGACY_KEY = "legacy_key"  # the journal's mark of a call refused because the legacy key is retired

ANSWERS = ("not_found", "gone", "unavailable")
PRESETS = ("keap-2026",)

# The published hour of each brownout is unknown (third parties give dates only): the preset starts them at
# 16:00 UTC, 9 am in Keap's Arizona; the sunset is the end of 31 Dec 2026 (UTC). [4spotconsulting.com/?p=41083;
# infusedwoo.com/blog/keap-xml-rpc-deprecation, via spec rest-v2.md]
KEAP_2026_BROWNOUTS = (("2026-03-10", 4), ("2026-04-09", 8), ("2026-05-11", 12), ("2026-06-17", 16),
                        ("2026-07-09", 24), ("2026-08-14", 36), ("2026-09-18", 48))
BROWNOUT_HOUR = 16
KEAP_2026_SUNSET = datetime(2027, 1, 1, tzinfo=UTC)

if TYPE_CHECKING:
    from .retirement_settings import Retirement


def preset_sunset(name: str) -> datetime:
    if name == "keap-2026":
        return KEAP_2026_SUNSET
    raise ValueError(f"unknown preset {name!r}: one of {', '.join(PRESETS)}")


@dataclass(frozen=True)
class Schedule:
    """An app's retirement settings as moments (seconds since the epoch on its clock)."""

    sunset: float | None
    starts: tuple[float, ...]  # the brownout windows, sorted by start, merged where they overlap
    ends: tuple[float, ...]
    answer: str
    legacy_retired: float | None

    @classmethod
    def of(cls, settings: Retirement) -> Schedule:
        from .retirement_settings import preset_brownouts  # noqa: PLC0415  (settings parsed: pydantic is loaded)

        x = settings.xmlrpc
        windows = list(x.brownouts) + (preset_brownouts(x.preset) if x.preset else [])
        sunset = x.sunset or (preset_sunset(x.preset) if x.preset else None)
        merged: list[list[float]] = []
        for start, end in sorted((w.start.timestamp(), (w.start + w.duration).timestamp()) for w in windows):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        retired = settings.legacy_keys.retired
        return cls(sunset.timestamp() if sunset else None, tuple(w[0] for w in merged), tuple(w[1] for w in merged),
                   x.answer, retired.timestamp() if retired else None)

    def xmlrpc_off(self, now: float) -> str | None:
        """``sunset`` or ``brownout`` if the XML-RPC endpoints are switched off at ``now``, else None."""
        if self.sunset is not None and now >= self.sunset:
            return SUNSET
        i = bisect.bisect_right(self.starts, now) - 1
        return BROWNOUT if i >= 0 and now < self.ends[i] else None

    def legacy_key_retired(self, now: float) -> bool:
        return self.legacy_retired is not None and now >= self.legacy_retired

    def windows(self) -> list[dict]:
        """The brownout windows in force (the preset's and the user's, merged), for people to read."""
        return [{"start": _iso(s), "end": _iso(e)} for s, e in zip(self.starts, self.ends)]

    def describe(self, now: float) -> dict:
        """The schedule's state at ``now``: what a call gets now and what comes next."""
        upcoming = [s for s in self.starts if s > now] + ([self.sunset] if self.sunset and self.sunset > now else [])
        return {"now": _iso(now), "xmlrpc": self.xmlrpc_off(now) or "on",
                "legacy_keys": "retired" if self.legacy_key_retired(now) else "working",
                "next_change": _iso(min(upcoming)) if upcoming else None,
                "sunset": _iso(self.sunset) if self.sunset is not None else None,
                "brownouts": self.windows()}


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat()


_NONE = Schedule(None, (), (), "not_found", None)


class Schedules:
    """One parsed Schedule per app, parsed again only when the app's stored settings change (the app's row is
    read by every call anyway, so a change made through another worker applies at the next call)."""

    def __init__(self):
        self._parsed: dict[int, tuple[dict, Schedule]] = {}
        self._lock = threading.Lock()

    def of(self, app) -> Schedule | None:
        """``app``: a server.store.session.AppRecord. None when the app has no retirement settings (the default)."""
        raw = app.options.get("retirement")
        if not raw:
            return None
        cached = self._parsed.get(app.id)
        if cached is not None and (cached[0] is raw or cached[0] == raw):
            return cached[1]
        from .retirement_settings import parse  # noqa: PLC0415  (pydantic: loaded by the first app with a schedule)

        try:
            schedule = Schedule.of(parse(raw))
        except (ValueError, OverflowError):  # every writer validates; settings stored otherwise switch nothing off
            schedule = _NONE
        with self._lock:
            if len(self._parsed) > 1024:
                self._parsed.clear()
            self._parsed[app.id] = (raw, schedule)
        return schedule


def state(app) -> dict:
    """An app's retirement settings and what they mean now on its clock (the control API's and the CLI's answer);
    ``app``: a server.store.session.AppRecord."""
    from .retirement_settings import Retirement, parse  # noqa: PLC0415

    try:
        settings = parse(app.options.get("retirement"))
        schedule = Schedule.of(settings)
    except (ValueError, OverflowError) as exc:
        # stored before the writers checked every moment (a window past the year 9999): the gate switches nothing
        # off for it (Schedules.of), and so the state says, with why; a PUT replaces it
        return {"settings": Retirement().model_dump(mode="json"), "invalid": str(exc),
                **_NONE.describe(app.clock_state.timestamp())}
    return {"settings": settings.model_dump(mode="json"), **schedule.describe(app.clock_state.timestamp())}
