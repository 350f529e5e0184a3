"""Per-app throttle settings: the real numbers by default, every one of them changeable for simulation
(through PATCH /sandbox/apps/<app>/throttle or ``"throttle"`` in sandbox_data/app.json)."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

from . import legacy
from .windows import DAILY, DAY, ROLLING, Limit

DEFAULTS: dict = {
    "enabled": True,
    # The legacy API key's bucket (seed 003): per app. ``refill``: "continuous" (time since the last call
    # counts in fractions: the spec's emulator algorithm) or "idle" (only whole quiet intervals between
    # calls count: the FAQ's "for every 500ms that there is not an API call", read literally).
    "legacy": {"enabled": True, "bucket_size": 10000, "refill_ms": 500, "refill": "continuous",
               "hold_step_ms": 500, "max_held": 4, "hold_timeout_s": 60},
    # The gateway's answers: "current" (Apigee, x-keap-* headers, 429) or "classic" (Mashery, X-Plan-* headers).
    "profile": "current",
    "retry_after": False,  # whether 429s carry Retry-After (unconfirmed on the real gateway: off)
    "profiles": {
        "current": {
            "oauth": {"per_second": 25, "per_minute": 1500, "per_day": 150000},
            "key": {"per_second": 10, "per_minute": 240, "per_day": 30000},
            "tenant": {"enabled": True, "per_minute": 10000, "per_day": 250000},
        },
        "classic": {
            "oauth": {"per_second": 25, "per_minute": None, "per_day": 125000},
            "key": {"per_second": 25, "per_minute": None, "per_day": 125000},
            "tenant": {"enabled": False, "per_minute": None, "per_day": None},
        },
    },
}

PROFILES = ("current", "classic")
REFILL_RULES = ("continuous", "idle")
_CHOICES = {"profile": PROFILES, "refill": REFILL_RULES}  # the settings that take one of a few words


# Call counts: a gateway window's limit (null turns it off, as documented in docs/throttling.md) and the legacy
# bucket's size and its held calls. A count is a whole number of calls, at least 1: 0 is no limit anyone can
# mean (it read as off, like null), and a fraction was cut to a whole number (0.5 to a limit of 0 that refused
# every call); a decimal that is a whole number (240.0, an integer to JSON) is that number.
COUNTS = frozenset({"per_second", "per_minute", "per_day", "bucket_size", "max_held"})
# The most a setting may be: past it a count means no limit (null says so), a refill interval or a hold step of
# more than a day, or a held call kept more than an hour, is no simulation anyone needs, and a far larger one
# overflowed the clock's dates (the state's next refill) or held a call without end.
MOST = {**dict.fromkeys(COUNTS, 10**12), "refill_ms": 86_400_000, "hold_step_ms": 86_400_000, "hold_timeout_s": 3600}


class SettingError(ValueError):
    """A throttle setting refused: ``field`` is its dotted path (``profiles.current.key.per_minute``)."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field} {problem}")
        self.field = field
        self.problem = problem


def merge(base: dict, changes: dict, path: str = "", *, checked: bool = True) -> dict:
    """``base`` updated with ``changes``; unknown keys and wrong types raise SettingError. ``checked``: False
    for settings stored before the counts were checked (read as they always were, never refused)."""
    out = copy.deepcopy(base)
    for key, value in changes.items():
        where = f"{path}{key}"
        if key not in base:
            raise SettingError(where, "is not a throttle setting")
        current = base[key]
        if isinstance(current, dict):
            if not isinstance(value, dict):
                raise SettingError(where, "must be an object")
            out[key] = merge(current, value, where + ".", checked=checked)
        elif isinstance(current, bool):
            if not isinstance(value, bool):
                raise SettingError(where, "must be true or false")
            out[key] = value
        elif key in _CHOICES:
            if value not in _CHOICES[key]:
                raise SettingError(where, f"must be one of {', '.join(_CHOICES[key])}")
            out[key] = value
        else:
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
                raise SettingError(where, "must be a non-negative number or null")
            if key in ("bucket_size", "max_held") and (value is None or value < 1):
                raise SettingError(where, "must be at least 1")
            if key in ("refill_ms", "hold_step_ms") and (value is None or value <= 0):
                raise SettingError(where, "must be positive")
            if checked and key in MOST and value is not None and value > MOST[key]:
                raise SettingError(where, f"must be at most {MOST[key]}")
            if checked and key in COUNTS and value is not None:
                if value < 1 or value != int(value):
                    raise SettingError(where, "must be a whole number of calls, at least 1" + (
                        "" if key in ("bucket_size", "max_held") else ", or null (no limit)"))
                value = int(value)
            out[key] = value
    return out


@dataclass(frozen=True)
class Settings:
    raw: dict
    # what ``limits`` and ``scoped`` answered, by regime (made once per set of settings, asked on every call)
    _limits: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _scoped: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def of(cls, options: dict) -> Settings:
        """The settings of an app, from its options; parsed once per distinct set of changes."""
        changes = options.get("throttle")
        if not changes:
            return _DEFAULT
        known = _BY_CHANGES.get(id(changes))  # an app's record (and its options) is kept while its row is the same
        if known is not None and known[0] is changes:
            return known[1]
        key = repr(changes)  # stored options come back from the database in the same order
        settings = _PARSED.get(key)
        if settings is None:
            if len(_PARSED) > 256:
                _PARSED.clear()
            settings = _PARSED[key] = Settings(merge(DEFAULTS, changes, checked=False))  # (checked when set)
        if len(_BY_CHANGES) > 256:
            _BY_CHANGES.clear()
        _BY_CHANGES[id(changes)] = (changes, settings)  # (holding ``changes``: its id is not reused meanwhile)
        return settings

    @property
    def enabled(self) -> bool:
        return self.raw["enabled"]

    @property
    def legacy_enabled(self) -> bool:
        return self.raw["enabled"] and self.raw["legacy"]["enabled"]

    @property
    def bucket(self) -> legacy.Bucket:
        cfg = self.raw["legacy"]
        return legacy.Bucket(int(cfg["bucket_size"]), cfg["refill_ms"] / 1000.0, int(cfg["max_held"]),
                             cfg["refill"] == "idle")

    @property
    def hold_step(self) -> float:
        return self.raw["legacy"]["hold_step_ms"] / 1000.0

    @property
    def hold_timeout(self) -> float:
        return float(self.raw["legacy"]["hold_timeout_s"])

    @property
    def profile(self) -> str:
        return self.raw["profile"]

    def limits(self, regime: str) -> list[Limit]:
        limits = self._limits.get(regime)
        if limits is None:
            limits = self._limits[regime] = self._make_limits(regime)
        return limits

    def scoped(self, regime: str, own: tuple[tuple[str, int], ...] = ()) -> list[tuple[str, list[Limit]]]:
        """A regime's windows by who they count: ``"credential"`` (the OAuth client, the key) or ``"app"``
        (every Keap API key of the app together). Spec rest-oauth-throttle.md §11.2: an OAuth client's
        windows are its own (across the apps it reaches); PATs' and SAKs' daily quota is counted at the
        tenant (app) level and their per-second spike per key; their per-minute window is unscoped in the
        sources and counted per key here."""
        cache = self._scoped
        key = (regime, own) if own else regime  # ``own``: a credential's limits in place of the profile's
        if key not in cache:
            limits = self._make_limits(regime, dict(own)) if own else self.limits(regime)
            if regime == "key":
                groups = [("credential", [lim for lim in limits if lim.name != "quota"]),
                          ("app", [lim for lim in limits if lim.name == "quota"])]
            else:
                groups = [("credential", limits)]
            if len(cache) > 256:
                cache.clear()
            made = cache[key] = [(scope, lims) for scope, lims in groups if lims]
            return made  # (not read back: another thread may clear the cache meanwhile)
        return cache[key]

    def _make_limits(self, regime: str, own: dict | None = None) -> list[Limit]:
        """The windows of a regime ("oauth", "key" or "tenant") in the app's profile, ``own`` limits replacing
        its; named as the headers name them: quota (daily), throttle (per minute), spike (per second)."""
        cfg = self.raw["profiles"][self.profile][regime]
        if own:
            cfg = {**cfg, **own}
        if regime == "tenant":
            if not cfg["enabled"]:
                return []
            out = []
            if cfg["per_minute"]:
                out.append(Limit("tenant-minute", ROLLING, 60.0, int(cfg["per_minute"])))
            if cfg["per_day"]:
                out.append(Limit("tenant-day", DAILY, DAY, int(cfg["per_day"])))
            return out
        out = []
        if cfg.get("per_day"):
            out.append(Limit("quota", DAILY, DAY, int(cfg["per_day"])))
        if cfg.get("per_minute"):
            out.append(Limit("throttle", ROLLING, 60.0, int(cfg["per_minute"])))
        if cfg.get("per_second"):
            out.append(Limit("spike", ROLLING, 1.0, int(cfg["per_second"])))
        return out


_DEFAULT = Settings(merge(DEFAULTS, {}))

_PARSED: dict[str, Settings] = {}
_BY_CHANGES: dict[int, tuple[dict, Settings]] = {}  # id of an options dict -> (it, its settings)
