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
    # The app's API access (the Encrypted Key's "API" settings in the real app). Off, every XML-RPC call
    # to the app, whatever its credential, gets fault 1 [InvalidConfig] (spec §1.2, §7 #4).
    "api_enabled": True,
}

CHOICES: dict[str, tuple] = {
    "load_missing": ("fault", "empty"),
}


def validate(name: str, value) -> object:
    if name not in DEFAULTS:
        raise KeyError(name)
    choices = CHOICES.get(name)
    if choices is not None and value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(str, choices))}")
    if isinstance(DEFAULTS[name], bool):
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false")
        return value
    if choices is None and (isinstance(value, bool) or not isinstance(value, type(DEFAULTS[name]))):
        raise ValueError(f"{name} must be a {type(DEFAULTS[name]).__name__}")
    if isinstance(value, int) and value <= 0:
        raise ValueError(f"{name} must be positive")
    return value
