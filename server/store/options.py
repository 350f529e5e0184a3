"""The sandbox's per-app behaviour settings: where the real service's behaviour is unconfirmed, the
documented default, and the other choice for users who want it (listed in docs/divergences.md)."""
from __future__ import annotations

from server.clock import MAX_DURATION
from server.tables import INT_MAX

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
    # A rotated (used) refresh token presented again revokes the whole grant, every token of it (RFC 9700
    # §4.14.2's reuse detection): off, as Keap is not known to do it; on, to rehearse the failure.
    "refresh_token_reuse_detection": False,
    # The campaign engine. "eager": a goal's sequence items that are due at once run inside the API call that
    # achieved the goal (deterministic for tests); "async": they run at the next drain (the heartbeat), as
    # Keap's asynchronous engine does.
    "engine_mode": "eager",
    # Delay timers of N days: "calendar" (the vendor KB: 1 day = the next calendar date) or "elapsed" (full
    # 24-hour days, a consultant's reading).
    "delay_days_semantics": "calendar",
    # A republished campaign runs an added item now if the contact passed its place at most this many days ago,
    # and skips it if longer (Novak's description: 7 days).
    "republish_window_days": 7,
    # Campaign HTTP posts: only ports 80 and 443 (seed 001) unless this is on (local test receivers).
    "http_post_any_port": False,
    "http_post_timeout_s": 15,
    "http_post_max_attempts": 4,  # the first attempt and retries 30 s, 2 min and 10 min later (unconfirmed)
    # An Idempotency-Key header on every attempt of a post (real Keap sends none; the key makes
    # at-least-once delivery safe for receivers)
    "http_post_idempotency_header": True,
    # API goals match integration and call name exactly (spec §1.14 #4), or ignoring case.
    "api_goal_case_sensitive": True,
    # Purchase goals fire for charged orders only ("if you process manual orders, you will need to use an
    # alternative goal"); on: manual payments count too.
    "purchase_goal_counts_manual_payments": False,
    # FileService: the largest file uploadFile/replaceFile accept, in bytes (the real limit is unpublished;
    # a request body is also capped by SANDBOX_MAX_BODY_BYTES, 10 MiB, and base64 adds a third).
    "max_file_bytes": 10 * 1024 * 1024,
    # SearchService.getSavedSearchResults*: rows per page (undocumented; 1000 like DataService.query's limit).
    "saved_search_page_size": 1000,
    # Seconds of app time between a subscription's bill date (or a payment plan instalment's due date) and
    # the sandbox billing it by itself: "Subscriptions are billed automatically by Infusionsoft within six
    # hours" (vendor docs), so the default is the six hours; 0 bills on the date itself.
    "auto_billing_delay": 6 * 3600,
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
    # During a clock advance, the outbox (HTTP posts, hook deliveries) waits at most this many wall seconds for
    # each answer (at most the kind's own timeout): a slow receiver must not hold a jump. The real service has
    # no clock to jump; raise it to give a slow local receiver its full timeout in advances too.
    "delivery_timeout_in_advance_s": 5,
    # The app's API access (the Encrypted Key's "API" settings in the real app). Off, every XML-RPC call
    # to the app, whatever its credential, gets fault 1 [InvalidConfig] (spec §1.2, §7 #4).
    "api_enabled": True,
    # REST v2 lists: "url" writes next_page_token as the next page's full URL (the one captured real answer,
    # rest-oauth-throttle.md §12), "token" as the bare token (AIP-158's form); a page_token is read in either.
    "rest_v2_page_token": "url",
    # REST v2's last page of a list: "omit" leaves next_page_token out, "empty" sends "" (unrecorded either way).
    "rest_v2_last_page": "omit",
    # InvoiceService.getPluginStatus(className) ("Tells if the Ecommerce plugin is enabled", iSDK): the answer for
    # every class name (the real plugin class names are unrecorded).
    "ecommerce_plugin_enabled": True,
    # DataService.update / ContactService.update with read-only fields (Id, DateCreated, LastUpdated …), as old
    # clients send a whole loaded record back: "ignore" them (client trackers' evidence of the real service; an
    # Id other than the record's own is still refused) or "refuse" (fault 8 [NoFieldAccess]). Adds always refuse.
    "update_read_only_fields": "ignore",
    # Near-miss hints (server.journal.hints) in an X-Sandbox-Hint response header too, not only in the request
    # journal: the real service sends no such header, so it is off unless a user turns it on.
    "hints": False,
    # The API's opt-in (XML-RPC APIEmailService.optIn, REST v1 PUT /emailAddresses/{email} and opt_in_reason,
    # REST v2's opt-in) sends a double opt-in confirmation email when this is on. The real product decides it
    # by an account setting, not by the call; the sandbox's default is off (the documented API opt-in makes
    # the address Single Opt-In and nothing more). Which confirmation link's email goes: link 0, the default.
    "api_opt_in_confirmation": False,
    "api_opt_in_confirmation_link": 0,
    # Bounce triggers (seed 004: "you can set up triggers to handle bounced email scenarios"): the id of a legacy
    # action set run on each contact of an address when it soft-bounces (becomes Bounce) or hard-bounces
    # (HardBounce); 0: none.
    "bounce_action_set": 0,
    "hard_bounce_action_set": 0,
    # The unsubscribe link of a campaign email (seed 004: "by default Infusionsoft will opt your contact out of all
    # campaigns. You have the ability to set up your lists so that your contacts can opt-out of the specific
    # campaign"): off, it opts the address out of all marketing at once; on, its page lets the contact leave only
    # that campaign (its sequences, the address's status unchanged) or opt out of everything.
    "campaign_opt_out": False,
}

# integer options where 0 is a meaningful value
NON_NEGATIVE = {"auto_billing_delay", "api_opt_in_confirmation_link", "bounce_action_set", "hard_bounce_action_set"}

# the largest value of each number option (of each item of a list), by what it is: app seconds added to the clock
# stay within a century (datetime's range ends past that); ids and byte counts fit the stores' 32-bit integers;
# wall seconds waited for an answer within an hour; a page of saved-search rows, a hundred times the default
WALL_TIMEOUT = 3600
MAXIMUMS: dict[str, int] = {
    "access_token_lifetime": MAX_DURATION, "refresh_token_lifetime": MAX_DURATION,
    "auto_billing_delay": MAX_DURATION, "hook_first_delay": MAX_DURATION, "hook_group_delay": MAX_DURATION,
    "hook_retry_delays": MAX_DURATION,
    "republish_window_days": MAX_DURATION // 86400,
    "http_post_timeout_s": WALL_TIMEOUT, "hook_timeout": WALL_TIMEOUT, "delivery_timeout_in_advance_s": WALL_TIMEOUT,
    "http_post_max_attempts": 100,
    "max_file_bytes": INT_MAX,
    "saved_search_page_size": 100_000,
    "api_opt_in_confirmation_link": INT_MAX, "bounce_action_set": INT_MAX, "hard_bounce_action_set": INT_MAX,
}
MAX_LIST = 100  # items of a list option (the delays between retries)

CHOICES: dict[str, tuple] = {
    "load_missing": ("fault", "empty"),
    "update_read_only_fields": ("ignore", "refuse"),
    "engine_mode": ("eager", "async"),
    "delay_days_semantics": ("calendar", "elapsed"),
    "rest_patch_collections": ("replace", "merge"),
    "rest_sync_deleted": ("report", "omit"),
    "rest_v2_page_token": ("url", "token"),
    "rest_v2_last_page": ("omit", "empty"),
}


def validate(name: str, value) -> object:
    if name not in DEFAULTS:
        raise KeyError(name)
    choices = CHOICES.get(name)
    if choices is not None and value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(str, choices))}")
    default = DEFAULTS[name]
    if isinstance(default, list):
        if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0
                                                  for v in value):
            raise ValueError(f"{name} must be a list of positive integers")
        if len(value) > MAX_LIST or any(v > MAXIMUMS[name] for v in value):
            raise ValueError(f"{name} must be a list of at most {MAX_LIST} integers, each at most {MAXIMUMS[name]}")
        return value
    if choices is None and isinstance(default, bool):
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false")
        return value
    if choices is None and (isinstance(value, bool) or not isinstance(value, type(default))):
        raise ValueError(f"{name} must be a {type(default).__name__}")
    if isinstance(value, int) and (value < 0 if name in NON_NEGATIVE else value <= 0):
        raise ValueError(f"{name} must be {'0 or more' if name in NON_NEGATIVE else 'positive'}")
    if isinstance(value, int) and value > MAXIMUMS.get(name, INT_MAX):
        raise ValueError(f"{name} must be at most {MAXIMUMS.get(name, INT_MAX)}")
    return value
