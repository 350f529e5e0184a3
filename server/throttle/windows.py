"""Counting windows for the gateway's quotas: rolling windows (a call made at t is available again at t +
the window, as Keap's worked example for the 1,500-a-minute limit shows) and daily quotas that reset at
00:00 UTC. A refused call is not counted (in that example 100 of 1,600 calls fail and 1,500 are used).
Times are the app's clock in seconds since the epoch.

Every counted call is tagged with the app it was made to (its ``owner``): an OAuth client's windows count
its calls to every app it is connected to, and resetting one app's throttle takes back that app's calls
only (``forget``), leaving the other apps' calls counted."""
from __future__ import annotations

import os
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

ROLLING, DAILY = "rolling", "daily"
DAY = 86400.0
TRIM_BATCH = 64  # expired calls dropped from a log at once (one list shift, not one per call)


@dataclass(frozen=True)
class Limit:
    name: str  # e.g. "quota" (daily), "throttle" (per minute), "spike" (per second), "tenant-minute"
    kind: str  # ROLLING or DAILY
    seconds: float  # the rolling window's length (DAY for daily)
    limit: int
    text: str = field(init=False, repr=False, compare=False)  # ``limit`` written out, as headers give it

    def __post_init__(self):
        object.__setattr__(self, "text", str(self.limit))


class Usage(NamedTuple):  # (a tuple: made several times a call, and a frozen dataclass is slow to make)
    limit: Limit
    used: int
    resets_at: float  # when a slot next frees (rolling) or the quota resets (daily); a rolling window's of an
    # allowed call in Redis is not looked up: a window's length from now (the latest it can be; see LUA_HIT)

    @property
    def available(self) -> int:
        return max(0, self.limit.limit - self.used)


class Verdict(NamedTuple):
    allowed: bool
    usage: list[Usage]
    violated: Usage | None = None

    def retry_after(self, now: float) -> float:
        return max(0.0, self.violated.resets_at - now) if self.violated else 0.0


def day_start(now: float) -> float:
    return (now // DAY) * DAY


@dataclass
class Log:
    """One key's recent calls (for rolling windows) with the app each was made to, and its daily count."""

    times: list[float] = field(default_factory=list)
    owners: list[int | None] = field(default_factory=list)  # parallel to ``times``
    day: float = -1.0
    day_count: int = 0
    day_by_owner: dict = field(default_factory=dict)
    # where each rolling window (by its length) began at the last look: the next look starts from there, and
    # moves over the few calls that left the window since (a search of the whole log instead read a dozen
    # scattered entries of a busy key's thousands a window, per call)
    starts: dict = field(default_factory=dict, repr=False, compare=False)

    def forget(self, owner: int) -> None:
        """Take back the calls made to app ``owner``."""
        kept = [(t, o) for t, o in zip(self.times, self.owners) if o != owner]
        self.times = [t for t, _ in kept]
        self.owners = [o for _, o in kept]
        self.starts = {}
        self.day_count -= self.day_by_owner.pop(owner, 0)

    stale = 0  # how many of ``times`` are older than every rolling window, as of the last check

    def usage(self, now: float, limits: list[Limit]) -> list[Usage]:
        """Each window's calls before a call at ``now``."""
        return self._look(now, limits)[0]

    def check(self, now: float, limits: list[Limit]) -> list[Usage]:
        """The usage a call at ``now`` would leave: each window's calls with this one counted (a window it
        would overflow has more calls than its limit). ``record`` may follow, to count the call."""
        out, self.stale = self._look(now, limits, 1)
        return out

    def _look(self, now: float, limits: list[Limit], plus: int = 0) -> tuple[list[Usage], int]:
        """(The gateway's hot path: one pass over the limits.) ``plus``: the calls to add to each count."""
        times, today = self.times, day_start(now)
        out, stale = [], len(times)
        for lim in limits:
            if lim.kind == DAILY:
                out.append(_usage((lim, (self.day_count if self.day == today else 0) + plus, today + DAY)))
            else:
                first = self._first_in(now - lim.seconds, lim.seconds)
                used = len(times) - first
                # an empty rolling window's slot frees a window's length after this call
                out.append(_usage((lim, used + plus, (times[first] if used else now) + lim.seconds)))
                if first < stale:
                    stale = first
        return out, stale

    def _first_in(self, low: float, seconds: float) -> int:
        """The index of the first call after ``low`` (``bisect_right``), from where this window began last."""
        times, n = self.times, len(self.times)
        i = self.starts.get(seconds, 0)
        if i > n or (i > 0 and times[i - 1] > low):  # the clock was set back (or the log cut): search it all
            i = bisect_right(times, low)
        else:
            steps = 0
            while i < n and times[i] <= low:
                i += 1
                steps += 1
                if steps == 8:  # (a jump of the clock: search the rest)
                    i = bisect_right(times, low, i)
                    break
        self.starts[seconds] = i
        return i

    def record(self, now: float, owner: int | None = None) -> None:
        """Count one call made to app ``owner`` at ``now``, after ``check``: ``check`` answered the usage it
        leaves. Calls older than every rolling window are dropped here, a batch at a time."""
        times, owners = self.times, self.owners
        if self.stale >= TRIM_BATCH:
            stale = self.stale
            del times[:stale], owners[:stale]
            self.starts = {seconds: max(0, i - stale) for seconds, i in self.starts.items()}
            self.stale = 0
        if not times or times[-1] <= now:
            times.append(now)
            owners.append(owner)
        else:  # the app's clock was set back
            at = bisect_right(times, now)
            times.insert(at, now)
            owners.insert(at, owner)
            self.starts = {}
        today = day_start(now)
        if self.day != today:
            self.day, self.day_count, self.day_by_owner = today, 0, {}
        self.day_count += 1
        self.day_by_owner[owner] = self.day_by_owner.get(owner, 0) + 1


def _usage(values: tuple) -> Usage:  # a Usage without the NamedTuple's Python-level __new__ (made 5 times a call)
    return tuple.__new__(Usage, values)


def violated(usage: list[Usage]) -> Usage | None:
    for u in usage:
        if u.used >= u.limit.limit:
            return u
    return None


# --- Redis: the same, atomically, over several keys at once (a credential's windows and its app's): a
# call is counted in all of them or in none, in one round trip (EVALSHA of a script registered once per
# configuration of limits).
# Rolling windows are a sorted set of call times per key (members "<time>:<owner>:<unique>"); the daily
# count a hash field, with each owner's share beside it ("o:<owner>"). The script computes every bound as
# now minus a window's length, the same IEEE subtraction as the in-process store's, written with 17
# significant digits (which read back as the same double), so both count the same calls.
# ARGV: now, day, member, owner. The limits are written into the script itself, one script per
# configuration (``lua_hit``, registered once each): a table of words, key count, then per key: limit
# count, the length of its longest rolling window ('-' if none), then per limit: kind ('r'|'d'), length
# ('-' for a daily quota), limit. (Passed as arguments, the client's encoding of each cost more than the
# script's reading of it; passed as one string, splitting it took Redis 6 µs a call.) The answer, one
# string: 'allowed'|'refused', the refused key and limit indexes, then per key and limit the calls counted
# before this one and, for a rolling window, the time of its oldest call ('-' if none), looked up only for
# a refusal (what Retry-After and a peek read): the caller adds the window's length for when it frees. An
# allowed call's rolling windows say '-', read as "frees a window's length from now", the latest it can be
# (no header of an allowed call shows it).
# Each redis.call costs a few microseconds inside the script: one HMGET and one count per rolling window,
# then ZADD and one HSET per key (a DEL and two EXPIREs more on a key's first call of a day, and a trim of
# the calls older than every window with an EXPIRE one call in sixteen).

LUA_HIT = """
local now, day, member, owner = ARGV[1], tonumber(ARGV[2]), ARGV[3], 'o:' .. ARGV[4]
local t = tonumber(now)
local spec = {SPEC}
local function since(seconds) return '(' .. string.format('%.17g', t - tonumber(seconds)) end
local nkeys = tonumber(spec[1])
local pos = 2
local trim = string.sub(member, -1) == '0'
local out, days, oldest = {}, {}, {}
local refused_key, refused_limit = -1, -1
for k = 1, nkeys do
  local zkey = KEYS[k] .. ':t'
  local nlimits, longest = tonumber(spec[pos]), spec[pos + 1]
  pos = pos + 2
  local stored = redis.call('HMGET', KEYS[k] .. ':d', 'day', 'count', owner)
  local count, mine = 0, 0
  local today = tonumber(stored[1]) == day
  if today then count, mine = tonumber(stored[2]) or 0, tonumber(stored[3]) or 0 end
  days[k] = {today, count, mine, longest}
  -- calls older than every window are dropped one call in sixteen (the member's last hex digit), when the
  -- set's life is renewed too: a count is by score whatever lies below it, so the set is only kept bounded
  if trim then
    if longest ~= '-' then redis.call('ZREMRANGEBYSCORE', zkey, '-inf', since(longest)) end
    redis.call('EXPIRE', zkey, 90000)
  end
  for i = 1, nlimits do
    local used
    if spec[pos] == 'd' then
      used = count
      out[#out + 1] = used
    else
      local low = since(spec[pos + 1])
      used = redis.call('ZCOUNT', zkey, low, '+inf')
      out[#out + 1] = used
      out[#out + 1] = '-'
      if used > 0 then oldest[#oldest + 1] = {#out, zkey, low} end
    end
    if refused_key < 0 and used >= tonumber(spec[pos + 2]) then refused_key, refused_limit = k - 1, i - 1 end
    pos = pos + 3
  end
end
if refused_key >= 0 then
  for _, o in ipairs(oldest) do
    out[o[1]] = redis.call('ZRANGEBYSCORE', o[2], o[3], '+inf', 'WITHSCORES', 'LIMIT', 0, 1)[2]
  end
  return 'refused ' .. refused_key .. ' ' .. refused_limit .. ' ' .. table.concat(out, ' ')
end
for k = 1, nkeys do
  local zkey, hkey = KEYS[k] .. ':t', KEYS[k] .. ':d'
  local d = days[k]
  if d[4] ~= '-' then redis.call('ZADD', zkey, now, member) end  -- (a key of daily quotas alone keeps no times)
  if d[1] then
    redis.call('HSET', hkey, 'count', d[2] + 1, owner, d[3] + 1)
  else  -- the key's first call of the day: both keys live 25 hours from it, the set longer if it is trimmed
    redis.call('DEL', hkey)
    redis.call('HSET', hkey, 'day', ARGV[2], 'count', 1, owner, 1)
    redis.call('EXPIRE', hkey, 90000)
    redis.call('EXPIRE', zkey, 90000)
  end
end
return 'allowed -1 -1 ' .. table.concat(out, ' ')
"""


# Take back one owner's calls from a key's windows (KEYS[1] the key, ARGV[1] the owner).
LUA_FORGET = """
local zkey, hkey = KEYS[1] .. ':t', KEYS[1] .. ':d'
local tag = ':' .. ARGV[1] .. ':'
for _, m in ipairs(redis.call('ZRANGE', zkey, 0, -1)) do
  if string.find(m, tag, 1, true) then redis.call('ZREM', zkey, m) end
end
local n = tonumber(redis.call('HGET', hkey, 'o:' .. ARGV[1]) or '0')
if n > 0 then redis.call('HINCRBY', hkey, 'count', -n) end
redis.call('HDEL', hkey, 'o:' .. ARGV[1])
return n
"""


def lua_args(now: float, owner: int | None = None) -> list[str]:
    tag = "-" if owner is None else str(owner)
    return [repr(now), repr(day_start(now)), f"{now!r}:{tag}:{os.urandom(8).hex()}", tag]


@lru_cache(maxsize=256)
def lua_hit(groups: tuple[tuple[Limit, ...], ...]) -> str:
    """LUA_HIT with the limits of ``groups`` (one tuple of limits per key) written in, made once per
    configuration."""
    words = [str(len(groups))]
    for limits in groups:
        longest = max((lim.seconds for lim in limits if lim.kind == ROLLING), default=None)
        words += [str(len(limits)), "-" if longest is None else repr(longest)]
        for lim in limits:
            words += ["d", "-", str(lim.limit)] if lim.kind == DAILY else ["r", repr(lim.seconds), str(lim.limit)]
    return LUA_HIT.replace("{SPEC}", "{" + ", ".join(f"'{w}'" for w in words) + "}")


def verdicts_from_lua(raw: bytes, now: float, groups: list[list[Limit]]) -> list[Verdict]:
    """The script's answer as each key's verdict, with the usage after the call when it was counted."""
    parts = raw.split()
    allowed, refused_key, refused_limit = parts[0] == b"allowed", int(parts[1]), int(parts[2])
    after = 1 if allowed else 0
    resets_daily = day_start(now) + DAY
    verdicts, i = [], 3
    for k, limits in enumerate(groups):
        usage = []
        for lim in limits:
            used = int(parts[i])
            if lim.kind == DAILY:
                usage.append(_usage((lim, used + after, resets_daily)))
                i += 1
            else:
                oldest = parts[i + 1]
                usage.append(_usage((lim, used + after, (now if oldest == b"-" else float(oldest)) + lim.seconds)))
                i += 2
        bad = usage[refused_limit] if k == refused_key else None
        verdicts.append(Verdict(allowed, usage, bad))
    return verdicts
