"""What the sandbox accepts as an app name, a legacy key, a time zone, a duration, a clock rate and a moment of app
time: one rule each, applied the same by the CLI (click) and the control API (pydantic, through
server.sandbox.input_fields), so that a value one of them takes the other takes too (issue 17 §2). Each raises
InvalidInput (a ValueError) with a message a person can act on, naming the accepted forms.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from server.clock import DURATION_FORMS, MAX_DURATION, parse_duration

APP_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
APP_NAME_RULE = "letters, digits and dashes, 1 to 63 of them, not starting or ending with a dash (the app's URL prefix)"

# a legacy key travels in an X-Keap-API-Key header and in XML-RPC text: visible ASCII only, no spaces or line breaks
LEGACY_KEY_LENGTH = (8, 200)
LEGACY_KEY_PATTERN = r"^[!-~]+$"  # (the OpenAPI document's; Python's $ would take a final line break)
_LEGACY_KEY = re.compile(r"[!-~]+")
LEGACY_KEY_RULE = "8 to 200 visible ASCII characters, without spaces (it is sent in an X-Keap-API-Key header)"

MAX_RATE = 1_000_000  # a year of app time in about 30 wall seconds
# the moments an app's time may name: datetime ends at 9999, and a clock running fast, or a window a century long
# starting at the last moment, must not reach it
FIRST_YEAR, LAST_YEAR = 1970, 9000
LATEST = datetime(LAST_YEAR, 1, 1, tzinfo=UTC).timestamp()


SHOWN = 80  # the most of a refused value a message echoes: a 100 KB value is not sent back whole


class InvalidInput(ValueError):
    pass


def shown(value) -> str:
    """``value`` as a refusal echoes it: its repr, a text cut to its first SHOWN characters."""
    if isinstance(value, str) and len(value) > SHOWN:
        return repr(value[:SHOWN]) + f"… ({len(value)} characters)"
    return repr(value)


def app_name(value: str) -> str:
    if not isinstance(value, str) or not APP_NAME.fullmatch(value):
        raise InvalidInput(f"an app name is {APP_NAME_RULE}, not {shown(value)}")
    return value


def legacy_key(value: str) -> str:
    low, high = LEGACY_KEY_LENGTH
    if not isinstance(value, str) or not low <= len(value) <= high or not _LEGACY_KEY.fullmatch(value):
        raise InvalidInput(f"a legacy key is {LEGACY_KEY_RULE}, not {shown(value)}")
    return value


def time_zone(value: str) -> str:
    """An IANA time zone name the machine knows (America/New_York, Europe/Paris, UTC)."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError, TypeError):
        raise InvalidInput(f"unknown time zone {shown(value)}: use an IANA name such as America/New_York "
                           "or UTC") from None
    return value


def duration(value: str | int | float) -> float:
    """Seconds, from a number or a text with units; between 0 and a century."""
    try:
        seconds = parse_duration(value)
    except ValueError:
        raise InvalidInput(f"not a duration: {shown(value)}; use {DURATION_FORMS}") from None
    if not 0 <= seconds <= MAX_DURATION:
        raise InvalidInput(f"a duration is between 0 and {MAX_DURATION} seconds (a century), not {shown(value)}")
    return seconds


def rate(value: float) -> float:
    if not 0 < value <= MAX_RATE:
        raise InvalidInput(f"rate must be above 0 and at most {MAX_RATE} (app seconds per wall second)")
    return value


def moment(value: datetime) -> datetime:
    """A moment of app time, from 1970 up to (not including) the year 9000."""
    if not FIRST_YEAR <= value.year < LAST_YEAR:
        raise InvalidInput(f"{value.isoformat()} is not between the years {FIRST_YEAR} and {LAST_YEAR}")
    return value
