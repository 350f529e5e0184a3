"""The sandbox's per-app behaviour settings: where the real service's behaviour is unconfirmed, the
documented default, and the other choice for users who want it (listed in docs/divergences.md)."""
from __future__ import annotations

DEFAULTS: dict[str, object] = {
    # DataService.load / ContactService.load of an id that does not exist: "fault" ([RecordNotFound],
    # spec §7 #7) or "empty" (an empty struct).
    "load_missing": "fault",
    # APIEmailService.optOut with a blank reason stores this text (the API opt-in default is "API Opt In").
    "opt_out_default_reason": "API Opt Out",
    # OAuth token lifetimes in seconds of the app's clock: 24 hours and 45 days (sources disagree: 180 days
    # was once said for refresh tokens; the Mashery era issued 8-hour access tokens).
    "access_token_lifetime": 86400,
    "refresh_token_lifetime": 45 * 86400,
    # Seconds of app time between a subscription's bill date (or a payment plan instalment's due date) and
    # the sandbox billing it by itself: "Subscriptions are billed automatically by Infusionsoft within six
    # hours" (vendor docs), so the default is the six hours; 0 bills on the date itself.
    "auto_billing_delay": 6 * 3600,
}

NON_NEGATIVE = {"auto_billing_delay"}  # integer options where 0 is a meaningful value

CHOICES: dict[str, tuple] = {
    "load_missing": ("fault", "empty"),
}


def validate(name: str, value) -> object:
    if name not in DEFAULTS:
        raise KeyError(name)
    choices = CHOICES.get(name)
    if choices is not None and value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(str, choices))}")
    if choices is None and (isinstance(value, bool) or not isinstance(value, type(DEFAULTS[name]))):
        raise ValueError(f"{name} must be a {type(DEFAULTS[name]).__name__}")
    if isinstance(value, int) and (value < 0 if name in NON_NEGATIVE else value <= 0):
        raise ValueError(f"{name} must be {'0 or more' if name in NON_NEGATIVE else 'positive'}")
    return value
