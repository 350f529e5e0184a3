"""Values as REST v2 writes and reads them.

- Ids are strings of digits (``"id": "91"``, the captured list answer; the contract types every id a string).
- Times go out in UTC as RFC 3339 with ``Z`` (the contract's examples: ``2024-01-10T08:00:00Z``), with
  milliseconds only when the store has a fraction; they come in as ISO 8601 (UTC when no zone). The store
  keeps the app's local wall time, as XML-RPC reads it, so every protocol sees the same moment.
"""
from __future__ import annotations

from datetime import datetime

from server.clock import UTC, AppClock

from .errors import invalid_field
from .filters import parse_id
from .validation import parse_time


def out_id(value: int | None) -> str | None:
    return None if value is None else str(value)


def out_time(value: datetime | None, clock: AppClock) -> str | None:
    if value is None:
        return None
    moment = clock.to_utc(value) if value.tzinfo is None else value.astimezone(UTC)
    text = moment.replace(microsecond=0, tzinfo=None).isoformat()  # strftime's %Y drops the zeros of year 807
    return text + (f".{moment.microsecond // 1000:03d}Z" if moment.microsecond else "Z")


def in_time(text: str, clock: AppClock, name: str) -> datetime:
    """The app's local wall time of an ISO 8601 value from a request (a 400 naming ``name`` if it is not one)."""
    try:
        moment = parse_time(text)
    except ValueError:
        raise invalid_field(name, f"'{text}' is not an ISO 8601 date-time") from None
    if moment.year < 1000 or moment.year > 9998:  # MySQL's DATETIME, less a year a zone could carry past 9999
        raise invalid_field(name, f"'{text}' is outside the dates the store holds (years 1000 to 9998)")
    return clock.to_local(moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC))


def in_id(value, name: str) -> int:
    """A record id from a body (a string of digits; ids beyond the store's range match nothing: -1)."""
    if not isinstance(value, str):
        raise invalid_field(name, f"{value!r} is not an id")
    return parse_id(value, name)


def in_ids(values, name: str) -> list[int]:
    return [in_id(v, f"{name}.{i}") for i, v in enumerate(values)]
