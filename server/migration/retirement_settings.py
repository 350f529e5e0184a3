"""An app's retirement settings (``options.retirement``) as pydantic describes and validates them: read and written
by the control API, ``sandbox migration schedule`` and ``sandbox_data/app.json``; server.migration.retirement
turns them into the schedule the gate asks on every call, and loads this module for the first app that has
settings."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from server.sandbox import inputs

from .retirement import ANSWERS, BROWNOUT_HOUR, KEAP_2026_BROWNOUTS, PRESETS


class _Model(BaseModel):
    # values as typed, as the control API's bodies take them; moments and durations are text (ISO 8601), read by
    # the lax rules of datetime and timedelta (``Field(strict=False)``)
    model_config = ConfigDict(extra="forbid", strict=True)


def _utc(value: datetime) -> datetime:
    """A moment without a zone is UTC; it must lie where an app's clock can be (1970 to the year 9000), so that
    every window computed from it fits in datetime's range."""
    try:
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:  # 0001-01-01 east of UTC
        raise ValueError(f"{value.isoformat()} is not a moment in datetime's range") from None
    return inputs.moment(value)


class Brownout(_Model):
    start: datetime = Field(strict=False, description="when the window opens, on the app clock (ISO 8601; UTC "
                                                      "unless zoned)")
    duration: timedelta = Field(strict=False, description="how long it lasts: ISO 8601 (PT4H) or seconds")

    @field_validator("start")
    @classmethod
    def _zoned(cls, value: datetime) -> datetime:
        return _utc(value)

    @field_validator("duration")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("a brownout's duration must be positive")
        if value.total_seconds() > inputs.MAX_DURATION:
            raise ValueError(f"a brownout lasts at most {inputs.MAX_DURATION} seconds (a century)")
        return value


class XmlrpcRetirement(_Model):
    preset: Literal[PRESETS] | None = Field(None, description="a named calendar: keap-2026")
    sunset: datetime | None = Field(None, strict=False, description="switched off from this moment on (ISO 8601; "
                                                                    "UTC unless zoned); the preset's when not given")
    brownouts: list[Brownout] = Field(default_factory=list, max_length=500,
                                      description="windows of switched-off service, besides the preset's")
    answer: Literal[ANSWERS] = Field("not_found", description="what a switched-off endpoint answers: not_found "
                                     "(404), gone (410) or unavailable (503), each with the gateway's JSON fault")

    @field_validator("sunset")
    @classmethod
    def _zoned(cls, value: datetime | None) -> datetime | None:
        return _utc(value) if value is not None else None


class LegacyKeysRetirement(_Model):
    retired: datetime | None = Field(None, strict=False,
                                     description="the app's legacy key is refused from this moment on")

    @field_validator("retired")
    @classmethod
    def _zoned(cls, value: datetime | None) -> datetime | None:
        return _utc(value) if value is not None else None


class Retirement(_Model):
    """An app's retirement settings, as stored in ``options.retirement`` and read and written by the control API
    (``/sandbox/apps/<app>/retirement``), ``sandbox migration schedule`` and ``sandbox_data/app.json``."""

    xmlrpc: XmlrpcRetirement = Field(default_factory=XmlrpcRetirement)
    legacy_keys: LegacyKeysRetirement = Field(default_factory=LegacyKeysRetirement)


def preset_brownouts(name: str) -> list[Brownout]:
    if name == "keap-2026":
        return [Brownout(start=datetime.fromisoformat(day).replace(hour=BROWNOUT_HOUR, tzinfo=UTC),
                         duration=timedelta(hours=hours)) for day, hours in KEAP_2026_BROWNOUTS]
    raise ValueError(f"unknown preset {name!r}: one of {', '.join(PRESETS)}")


def parse(raw) -> Retirement:
    """Stored or given settings, validated; a ValueError naming the field if they are not valid."""
    try:
        return Retirement.model_validate(raw or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "retirement"
        raise ValueError(f"retirement.{where}: {first['msg']}") from None


def stored(settings: Retirement) -> dict:
    """What goes in ``options.retirement``: only what differs from the defaults (an empty dict: nothing set)."""
    return settings.model_dump(mode="json", exclude_defaults=True)


def with_settings(options: dict, settings: Retirement) -> dict:
    """An app's options with ``settings`` as its retirement schedule (none stored when all are defaults)."""
    out = {k: v for k, v in options.items() if k != "retirement"}
    kept = stored(settings)
    if kept:
        out["retirement"] = kept
    return out
