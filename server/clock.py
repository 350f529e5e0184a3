"""The sandbox clock: the only place that reads the wall clock.

Each app has its own clock. It is real time by default and can be frozen, set, moved forward, or run
at a speed factor (like Stripe's test clocks). Everything time-based reads it: DateCreated, LastUpdated,
throttle refills, token expiry, campaign timers.

A clock's state is four numbers: at wall time ``anchor_real`` the app's time was ``anchor_virtual``;
since then it has moved ``rate`` times as fast as the wall clock, or not at all when ``frozen``.
The state is stored with the app, so every worker process computes the same time.
"""
from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo


def wall() -> float:
    """Seconds since the epoch, from the machine's clock."""
    return time.time()


def monotonic() -> float:
    """A wall-time interval source for timeouts and waits that no sandbox clock governs."""
    return time.monotonic()


@dataclass(frozen=True)
class ClockState:
    anchor_real: float | None = None  # None: the clock is real time (no offset ever set)
    anchor_virtual: float = 0.0
    rate: float = 1.0
    frozen: bool = False

    @property
    def is_real(self) -> bool:
        return self.anchor_real is None

    def timestamp(self, now_wall: float | None = None) -> float:
        """The app's time, in seconds since the epoch, to the microsecond: the same number a datetime of it
        gives back, so times stored as numbers and times read as datetimes compare equal."""
        real = wall() if now_wall is None else now_wall
        if self.anchor_real is None:
            return round(real, 6)
        if self.frozen:
            return round(self.anchor_virtual, 6)
        return round(self.anchor_virtual + (real - self.anchor_real) * self.rate, 6)

    def now(self) -> datetime:
        """The app's time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.timestamp(), UTC)

    # Each operation returns a new state anchored at the current wall time.
    def set(self, when: datetime | float) -> ClockState:
        ts = when.timestamp() if isinstance(when, datetime) else float(when)
        return replace(self, anchor_real=wall(), anchor_virtual=ts)

    def advance(self, seconds: float) -> ClockState:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        return self.set(self.timestamp() + seconds)

    def freeze(self) -> ClockState:
        return replace(self.set(self.timestamp()), frozen=True)

    def unfreeze(self) -> ClockState:
        return replace(self.set(self.timestamp()), frozen=False)

    def with_rate(self, rate: float) -> ClockState:
        if rate <= 0:
            raise ValueError("rate must be positive")
        return replace(self.set(self.timestamp()), rate=float(rate))

    @classmethod
    def real(cls) -> ClockState:
        return cls()

    def wall_seconds_for(self, app_seconds: float) -> float | None:
        """How long in wall time until ``app_seconds`` of app time pass; None if the clock is frozen."""
        if self.anchor_real is None:
            return app_seconds
        if self.frozen:
            return None
        return app_seconds / self.rate


@dataclass(frozen=True)
class AppClock:
    """An app's clock together with its time zone: what the domain reads time from."""

    state: ClockState
    zone: ZoneInfo

    def now(self) -> datetime:
        return self.state.now()

    def local_now(self) -> datetime:
        """The app's local wall time, naive, to the second: how Infusionsoft stores and sends dates."""
        return self.to_local(self.state.now())

    def to_local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            return moment
        return moment.astimezone(self.zone).replace(tzinfo=None, microsecond=0)

    def to_utc(self, local: datetime) -> datetime:
        if local.tzinfo is not None:
            return local.astimezone(UTC)
        return local.replace(tzinfo=self.zone).astimezone(UTC)


_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# the longest span of app time anything is set to (a duration, a token's lifetime, a delay): a century; more is a
# typo, and would leave datetime's range
MAX_DURATION = 100 * 365 * 86400
DURATION_FORMS = "seconds (90), or numbers with a unit s, m, h, d or w (90s, 15m, 36h, 7d, 2w, 1d12h)"


_DURATION_RE = re.compile(r"^(?:\d+(?:\.\d+)?|(?:\d+(?:\.\d+)?[smhdw])+)$")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")


def parse_duration(value) -> float:
    """Seconds from a number or a string like ``90``, ``90s``, ``15m``, ``36h``, ``7d``, ``2w``, ``1d12h``;
    a ValueError that lists the accepted forms otherwise (the control API and the CLI show it as it is)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    text = value.strip().lower().replace(" ", "") if isinstance(value, str) else ""
    if not _DURATION_RE.match(text):
        raise ValueError(f"not a duration: {value!r}; use {DURATION_FORMS}")
    if text[-1].isdigit():
        return float(text)
    return sum(float(n) * _DURATION_UNITS[unit] for n, unit in _DURATION_PART.findall(text))


_DATE_RE = re.compile(
    r"^(\d{4})-?(\d{2})-?(\d{2})"
    r"(?:[T ](\d{2}):?(\d{2})(?::?(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def parse_datetime(text: str) -> datetime | None:
    """Dates in the forms clients send: ``20240131T09:30:00``, ``2024-01-31T09:30:00``, ``2024-01-31
    09:30:00``, ``2024-01-31``, with optional fraction and ``Z``/offset. Naive unless a zone is given."""
    m = _DATE_RE.match(text.strip())
    if not m:
        return None
    y, mo, d, h, mi, s, frac, zone = m.groups()
    try:
        value = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0),
                         int((frac or "0")[:6].ljust(6, "0")))
    except ValueError:
        return None
    if zone:
        if zone == "Z":
            tz = UTC
        else:
            sign = 1 if zone[0] == "+" else -1
            digits = zone[1:].replace(":", "")
            try:
                tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
            except ValueError:  # an offset of 24 hours or more: no zone has one
                return None
        value = value.replace(tzinfo=tz)
    return value
