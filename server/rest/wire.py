"""Values as REST v1 writes and reads them: dates, list-valued query parameters, country codes.

Dates go out in UTC like ``2024-11-12T21:45:54.000+0000`` (milliseconds, offset without a colon) [wire S2,
S9]; they come in as ISO 8601 (``2017-01-01T22:17:59.039Z``); one without a zone is taken as UTC. The store
keeps the app's local wall time (as XML-RPC does), so both protocols read the same moment.
"""
from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

from server.clock import UTC, AppClock, parse_datetime
from server.domain.account import locales
from server.domain.crm.countries import (  # noqa: F401  (v1 modules import them from here)
    country_code,
    country_name,
    country_names,
    is_country_code,
)
from server.domain.mail import email_status


def out_datetime(value: datetime | None, clock: AppClock) -> str | None:
    if value is None:
        return None
    moment = clock.to_utc(value) if value.tzinfo is None else value.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def out_date(value: datetime | None) -> str | None:
    """A calendar date (birthday, anniversary) in the date-time form, at midnight with no zone shift."""
    return None if value is None else value.strftime("%Y-%m-%dT00:00:00.000+0000")


def millis(value: datetime | None, clock: AppClock) -> int | None:
    if value is None:
        return None
    moment = clock.to_utc(value) if value.tzinfo is None else value
    return int(moment.timestamp() * 1000)


def in_datetime(text: str | None) -> datetime | None:
    """An aware datetime from an ISO 8601 string (UTC when no zone), or None for None; ValueError else."""
    if text is None:
        return None
    moment = parse_datetime(text) if isinstance(text, str) else None
    if moment is None:
        raise ValueError(f"'{text}' is not an ISO 8601 date-time")
    if moment.year < 1000 or moment.year > 9998:  # MySQL's DATETIME, less a year a zone could carry past 9999
        raise ValueError(f"'{text}' is outside the dates the store holds (years 1000 to 9998)")
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def in_date(text: str | None) -> datetime | None:
    """A calendar date: ``1815-12-10`` or a date-time whose date part is kept as written."""
    if text is None:
        return None
    moment = parse_datetime(text) if isinstance(text, str) else None
    if moment is None:
        raise ValueError(f"'{text}' is not a date")
    return datetime(moment.year, moment.month, moment.day)



def _checked(parse):
    def check(value: str) -> str:
        parse(value)  # ValueError: the 400 names the field
        return value

    return check


# Request date-times and dates: validated by the parsers above, documented with their format (and, for
# date-times, the years the store holds: 1000 to 9998), so what the OpenAPI document promises is what is accepted.
_STORED_YEARS = "^(1[0-9]{3}|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-"
DateTimeText = Annotated[str, AfterValidator(_checked(in_datetime)),
                         WithJsonSchema({"type": "string", "format": "date-time", "pattern": _STORED_YEARS})]
DateText = Annotated[str, AfterValidator(_checked(in_date)), WithJsonSchema({"type": "string", "format": "date"})]


def _time_zone(value: str) -> str:
    if not locales.is_time_zone(value):
        raise ValueError(f"'{value}' is not a supported time zone (an IANA name, such as America/New_York)")
    return value


TimeZoneText = Annotated[str, AfterValidator(_time_zone)]


def not_a_boolean(value):
    """For a number in a request: pydantic's lax mode reads true as 1; Jackson, behind the real API, refuses it."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not a boolean")
    return value


# base64 content (checked where it is decoded: from_base64), an email address (email_status.is_valid), a decimal
# amount that the spec types as a string and clients send as a number too
Base64Text = Annotated[str, WithJsonSchema({"type": "string", "format": "byte"})]
EmailText = Annotated[str, WithJsonSchema({"type": "string", "pattern": email_status.PATTERN})]
_DecimalText = Annotated[str, WithJsonSchema({"type": "string", "pattern": "^-?[0-9]{1,12}(\\.[0-9]{1,6})?$"})]
Amount = Annotated[float | _DecimalText, BeforeValidator(not_a_boolean)]


def split_list(value) -> list[str] | None:
    """A list-valued query parameter: repeated keys and comma-joined values both (``ids=1%2C2``, ``ids=1&ids=2``)."""
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        out.extend(p.strip() for p in str(item).split(",") if p.strip())
    return out


# --- countries: ISO 3166-1 alpha-3 on REST (``USA``), a name in the Contact table ("United States") ------

# (the table lives in the domain, shared with REST v2; these names stay for v1's modules)


def from_base64(text: str | None, where: str) -> bytes:
    """Base64 content of a request (clients wrap it in lines); ValueError when it is not base64."""

    if text is None:
        return b""
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{where} is not valid base64") from None


def to_base64(data: bytes | str | None) -> str | None:

    if data is None:
        return None
    return base64.b64encode(data.encode("utf-8") if isinstance(data, str) else data).decode("ascii")
