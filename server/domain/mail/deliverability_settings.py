"""The app's deliverability settings as the control API takes them (``/email/deliverability``) and
server.domain.mail.deliverability reads them: its own rules, then the soft-bounce rule's limit and window."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from server.store.session import AppSession

from .deliverability import OUTCOMES, stored


class Rule(BaseModel):
    """One of the app's own rules: a glob on the whole address (``*@bounces.example.com``), case-insensitive."""

    model_config = ConfigDict(extra="forbid", strict=True)  # values as typed, as every control body
    pattern: str = Field(min_length=1, max_length=320)
    outcome: str = Field(pattern="^(" + "|".join(OUTCOMES) + ")$")


class Settings(BaseModel):
    """The app's deliverability settings (the control API's ``/email/deliverability``)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    rules: list[Rule] = Field(default_factory=list, max_length=100)
    soft_bounce_limit: int = Field(default=3, ge=1, le=100)  # soft bounces within the window that make a hard one
    soft_bounce_window: int = Field(default=7 * 86400, ge=1, le=366 * 86400)  # seconds of the app's clock

    @classmethod
    def of(cls, s: AppSession) -> Settings:
        return cls.model_validate(stored(s) or {})
