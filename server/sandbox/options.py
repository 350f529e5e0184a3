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
    # REST v1 PATCH of a collection property (email_addresses, phone_numbers, fax_numbers, addresses): "replace"
    # clears the slots not listed (v2's documented rule, likely for v1) or "merge" keeps them.
    "rest_patch_collections": "replace",
    # REST sync: "report" lists deleted tasks/appointments as DELETED (the status enum) or "omit" leaves them
    # out (the 2024 prose: "minus any products that have been deleted").
    "rest_sync_deleted": "report",
    # REST hook delivery, in seconds of the app's clock: the first attempt after the change (30-60 s; 5-10 min
    # for contactGroup.applied and contactGroup.delete), then the retries (30-60 s, 5 min, 30 min).
    "hook_first_delay": 30,
    "hook_group_delay": 300,
    "hook_retry_delays": [60, 300, 1800],
    # where hook deliveries' apiUrl points ("": the real host, https://api.infusionsoft.com/crm/rest/v1)
    "rest_api_base": "",
    # wall seconds a subscriber has to answer a delivery or a handshake (the real limit: 30 s)
    "hook_timeout": 30,
}

CHOICES: dict[str, tuple] = {
    "load_missing": ("fault", "empty"),
    "rest_patch_collections": ("replace", "merge"),
    "rest_sync_deleted": ("report", "omit"),
}


def validate(name: str, value) -> object:
    if name not in DEFAULTS:
        raise KeyError(name)
    choices = CHOICES.get(name)
    if choices is not None and value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(str, choices))}")
    if isinstance(DEFAULTS[name], list):
        if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0
                                                  for v in value):
            raise ValueError(f"{name} must be a list of positive integers")
        return value
    if choices is None and (isinstance(value, bool) or not isinstance(value, type(DEFAULTS[name]))):
        raise ValueError(f"{name} must be a {type(DEFAULTS[name]).__name__}")
    if isinstance(value, int) and value <= 0:
        raise ValueError(f"{name} must be positive")
    return value
