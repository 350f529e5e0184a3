"""Turning wire values into stored values of a field's type, and back.

Dates travel without a zone in the app's local time (spec §1.4); they are stored as the app's local wall
time, to the second, so that the query language's date strings and ``%`` patterns compare as the real
(MySQL) backend does. An aware datetime (a client that sent ``Z`` or an offset) is converted to local time.
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta

from server.clock import AppClock, parse_datetime
from server.domain.errors import InvalidParameter, OutOfRange
from server.tables import DATE_ONLY, INT_MAX, INT_MIN, MAX_LENGTHS, TEXT_MAX, FieldType

_WHOLE = re.compile(r"[+-]?[0-9]+")
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")  # NUL (PostgreSQL refuses it) and unpaired surrogates

_PHONE_CHARS = re.compile(r"^[\d\s().+-]+$")


def normalize_phone(value: str) -> str:
    """The real server stores ``987-654-3211`` as ``(987) 654-3211`` (recorded, spec §1.4); other
    numbers are kept as typed."""
    if not _PHONE_CHARS.match(value):
        return value
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        return value
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def to_local(value, clock: AppClock) -> datetime | None:
    """A datetime in the app's local wall time, or None when ``value`` is not a date."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        moment = parse_datetime(value)
        if moment is None:
            return None
    else:
        return None
    try:
        return clock.to_local(moment).replace(microsecond=0)
    except OverflowError:  # 0001-01-01T00:00:00Z is in year 0 west of Greenwich
        return None


def coerce_field(value, table: str, name: str, ftype: FieldType, clock: AppClock):
    """``value`` as stored in the field ``table.name``: ``coerce``, then the field's own rules (the longest
    text it holds; a date-only field keeps the date it was given, whatever the zone)."""
    where = f"{table}.{name}"
    if ftype is FieldType.DATETIME and (table, name) in DATE_ONLY:
        moment = parse_datetime(value) if isinstance(value, str) else value
        if isinstance(moment, datetime):
            value = moment.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    stored = coerce(value, ftype, clock, where)
    if ftype is FieldType.STRING and stored is not None:
        limit = MAX_LENGTHS.get((table, name), TEXT_MAX)
        if len(stored) > limit:
            raise InvalidParameter(f"Invalid value for {where}: longer than {limit} characters")
    return stored


def coerce(value, ftype: FieldType, clock: AppClock, where: str):
    """``value`` as stored for a field of type ``ftype``; ``where`` names the field for errors."""
    if value is None:
        return None
    if ftype is FieldType.STRING:
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%d %H:%M:%S")
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, (list, dict)):
            raise InvalidParameter(f"Invalid value for {where}")
        text = str(value)
        if _BAD_TEXT.search(text):
            raise InvalidParameter(f"Invalid value for {where}: not text (a NUL character or an unpaired surrogate)")
        return text
    if ftype is FieldType.INT:
        number = _whole(value)
        if number is None:
            if isinstance(value, str) and value.strip() == "":
                return None
            raise InvalidParameter(f"Invalid value for {where}: {value!r} is not a whole number")
        if not INT_MIN <= number <= INT_MAX:
            raise OutOfRange(f"Invalid value for {where}: {value!r} is out of range "
                             f"(a whole number from {INT_MIN} to {INT_MAX})", 1 if number > 0 else -1)
        return number
    if ftype is FieldType.DOUBLE:
        if isinstance(value, bool):
            return float(value)
        if isinstance(value, (int, float)):
            return _finite(float(value), value, where)
        if isinstance(value, str):
            text = value.strip()
            if text == "":
                return None
            try:
                return _finite(float(text), value, where)
            except ValueError:
                pass
        raise InvalidParameter(f"Invalid value for {where}: {value!r} is not a number")
    if ftype is FieldType.DATETIME:
        if isinstance(value, str) and value.strip() == "":
            return None
        moment = to_local(value, clock)
        if moment is None:
            raise InvalidParameter(f"Invalid value for {where}: {value!r} is not a date")
        return moment
    if ftype is FieldType.BOOLEAN:
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in ("1", "true", "yes", "0", "false", "no"):
            return value.strip().lower() in ("1", "true", "yes")
        raise InvalidParameter(f"Invalid value for {where}: {value!r} is not a boolean")
    if ftype is FieldType.BLOB:
        if isinstance(value, bytes):
            return value
        if isinstance(value, str):
            return value.encode("utf-8")
        raise InvalidParameter(f"Invalid value for {where}")
    raise AssertionError(ftype)


def _finite(number: float, value, where: str) -> float:
    if not math.isfinite(number):
        raise InvalidParameter(f"Invalid value for {where}: {value!r} is not a finite number")
    return number


def _whole(value) -> int | None:
    """``value`` as a whole number (any size), or None: ints, booleans, whole doubles, numeric strings."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None  # inf and nan are not whole
    if isinstance(value, str):
        text = value.strip()
        if _WHOLE.fullmatch(text):
            return int(text)
        try:
            number = float(text)
        except ValueError:
            return None
        return int(number) if number.is_integer() else None
    return None


def day_range(moment: datetime) -> tuple[datetime, datetime]:
    start = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def _second(value):
    return value.replace(microsecond=0) if isinstance(value, datetime) and value.microsecond else value


# ``outgoing`` for each type as one function, None where the stored value already is the wire's (text): a
# 1000-row answer converts 8,000 values, so the type is looked up once per column, not once per value
_CONVERTERS = {FieldType.INT: int, FieldType.DOUBLE: float, FieldType.DATETIME: _second, FieldType.BOOLEAN: bool}


def outgoing_converter(ftype: FieldType):
    """The function ``outgoing`` applies to a non-null value of type ``ftype``, or None for none."""
    return _CONVERTERS.get(ftype)


def outgoing(value, ftype: FieldType):
    """A stored value as the wire's Python type (the codec writes ints as <i4>, floats as <double>)."""
    if value is None:
        return None
    if ftype is FieldType.INT:
        return int(value)
    if ftype is FieldType.DOUBLE:
        return float(value)
    if ftype is FieldType.DATETIME:
        return value.replace(microsecond=0) if isinstance(value, datetime) else value
    if ftype is FieldType.BOOLEAN:
        return bool(value)
    return value
