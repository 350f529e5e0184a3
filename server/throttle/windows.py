"""Counting windows for the gateway's quotas: rolling windows (a call made at t is available again at t +
the window, as Keap's worked example for the 1,500-a-minute limit shows) and daily quotas that reset at
00:00 UTC. A refused call is not counted (in that example 100 of 1,600 calls fail and 1,500 are used).
Times are the app's clock in seconds since the epoch.

Every counted call is tagged with the app it was made to (its ``owner``): an OAuth client's windows count
its calls to every app it is connected to, and resetting one app's throttle takes back that app's calls
only (``forget``), leaving the other apps' calls counted."""
from __future__ import annotations

import bisect
import uuid
from dataclasses import dataclass, field
from typing import NamedTuple

ROLLING, DAILY = "rolling", "daily"
DAY = 86400.0


@dataclass(frozen=True)
class Limit:
    name: str  # e.g. "quota" (daily), "throttle" (per minute), "spike" (per second), "tenant-minute"
    kind: str  # ROLLING or DAILY
    seconds: float  # the rolling window's length (DAY for daily)
    limit: int


class Usage(NamedTuple):  # (a tuple: made several times a call, and a frozen dataclass is slow to make)
    limit: Limit
    used: int
    resets_at: float  # when a slot next frees (rolling) or the quota resets (daily)

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

    def _trim(self, now: float, longest: float) -> None:
        cut = bisect.bisect_right(self.times, now - longest)
        if cut:
            del self.times[:cut]
            del self.owners[:cut]

    def forget(self, owner: int) -> None:
        """Take back the calls made to app ``owner``."""
        kept = [(t, o) for t, o in zip(self.times, self.owners) if o != owner]
        self.times = [t for t, _ in kept]
        self.owners = [o for _, o in kept]
        self.day_count -= self.day_by_owner.pop(owner, 0)

    def usage(self, now: float, limits: list[Limit]) -> list[Usage]:
        out = []
        for lim in limits:
            if lim.kind == DAILY:
                used = self.day_count if self.day == day_start(now) else 0
                out.append(Usage(lim, used, day_start(now) + DAY))
            else:
                first = bisect.bisect_right(self.times, now - lim.seconds)
                used = len(self.times) - first
                oldest = self.times[first] if used else now
                out.append(Usage(lim, used, oldest + lim.seconds))
        return out

    def check(self, now: float, limits: list[Limit]) -> list[Usage]:
        rolling = [lim.seconds for lim in limits if lim.kind == ROLLING]
        if rolling:
            self._trim(now, max(rolling))
        return self.usage(now, limits)

    def record(self, now: float, usage: list[Usage], owner: int | None = None) -> list[Usage]:
        """Count one call made to app ``owner``; returns the usage after it (computed, not recounted)."""
        at = bisect.bisect_right(self.times, now)
        self.times.insert(at, now)
        self.owners.insert(at, owner)
        if self.day != day_start(now):
            self.day, self.day_count, self.day_by_owner = day_start(now), 0, {}
        self.day_count += 1
        self.day_by_owner[owner] = self.day_by_owner.get(owner, 0) + 1
        return [Usage(u.limit, u.used + 1, u.resets_at if u.used or u.limit.kind == DAILY else now + u.limit.seconds)
                for u in usage]


def violated(usage: list[Usage]) -> Usage | None:
    return next((u for u in usage if u.used >= u.limit.limit), None)


# --- Redis: the same, atomically, over several keys at once (a credential's windows and its app's): a
# call is counted in all of them or in none. Rolling windows are a sorted set of call times per key (members
# "<time>:<owner>:<unique>"); the daily count a hash field, with each owner's share beside it ("o:<owner>").
# ARGV: now, day, member, owner, key count, then per key: limit count, then per limit kind ('r'|'d'),
# seconds, limit. The answer: 'allowed'|'refused', the refused key and limit indexes, then per key and
# limit: used, resets_at.

LUA_HIT = """
local now = tonumber(ARGV[1])
local day = tonumber(ARGV[2])
local member = ARGV[3]
local owner = 'o:' .. ARGV[4]
local nkeys = tonumber(ARGV[5])
local pos = 6
local groups = {}
for k = 1, nkeys do
  local n = tonumber(ARGV[pos]); pos = pos + 1
  local limits = {}
  for i = 1, n do
    table.insert(limits, {ARGV[pos], tonumber(ARGV[pos + 1]), tonumber(ARGV[pos + 2])}); pos = pos + 3
  end
  groups[k] = limits
end
local out = {}
local refused_key, refused_limit = -1, -1
for k = 1, nkeys do
  local zkey, hkey = KEYS[k] .. ':t', KEYS[k] .. ':d'
  local longest = 0
  for _, lim in ipairs(groups[k]) do
    if lim[1] == 'r' and lim[2] > longest then longest = lim[2] end
  end
  if longest > 0 then redis.call('ZREMRANGEBYSCORE', zkey, '-inf', '(' .. tostring(now - longest)) end
  for i, lim in ipairs(groups[k]) do
    local used, resets
    if lim[1] == 'd' then
      local stored = redis.call('HMGET', hkey, 'day', 'count')
      used = 0
      if tonumber(stored[1]) == day then used = tonumber(stored[2]) end
      resets = day + 86400
    else
      local low = '(' .. tostring(now - lim[2])
      used = redis.call('ZCOUNT', zkey, low, '+inf')
      resets = now + lim[2]
      if used > 0 then
        resets = tonumber(redis.call('ZRANGEBYSCORE', zkey, low, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)[2]) + lim[2]
      end
    end
    if refused_key < 0 and used >= lim[3] then refused_key, refused_limit = k - 1, i - 1 end
    table.insert(out, {used, resets})
  end
end
local flat = {}
if refused_key >= 0 then
  table.insert(flat, 'refused'); table.insert(flat, tostring(refused_key)); table.insert(flat, tostring(refused_limit))
  for _, u in ipairs(out) do table.insert(flat, tostring(u[1])); table.insert(flat, tostring(u[2])) end
  return flat
end
local j = 1
for k = 1, nkeys do
  local zkey, hkey = KEYS[k] .. ':t', KEYS[k] .. ':d'
  redis.call('ZADD', zkey, now, member)
  local stored = redis.call('HMGET', hkey, 'day', 'count')
  if tonumber(stored[1]) == day then
    redis.call('HINCRBY', hkey, 'count', 1)
    redis.call('HINCRBY', hkey, owner, 1)
  else
    redis.call('DEL', hkey)
    redis.call('HSET', hkey, 'day', tostring(day), 'count', 1, owner, 1)
  end
  redis.call('EXPIRE', zkey, 90000)
  redis.call('EXPIRE', hkey, 90000)
  for _ in ipairs(groups[k]) do
    out[j][1] = out[j][1] + 1
    j = j + 1
  end
end
table.insert(flat, 'allowed'); table.insert(flat, '-1'); table.insert(flat, '-1')
for _, u in ipairs(out) do table.insert(flat, tostring(u[1])); table.insert(flat, tostring(u[2])) end
return flat
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


def lua_args(now: float, groups: list[list[Limit]], owner: int | None = None) -> list:
    tag = "-" if owner is None else str(owner)
    args = [repr(now), repr(day_start(now)), f"{now!r}:{tag}:{uuid.uuid4().hex}", tag, len(groups)]
    for limits in groups:
        args.append(len(limits))
        for lim in limits:
            args += ["d" if lim.kind == DAILY else "r", repr(lim.seconds), lim.limit]
    return args


def verdicts_from_lua(raw: list, groups: list[list[Limit]]) -> list[Verdict]:
    status, refused_key, refused_limit = raw[0].decode(), int(raw[1]), int(raw[2])
    values = [float(x) for x in raw[3:]]
    verdicts, i = [], 0
    for k, limits in enumerate(groups):
        usage = []
        for lim in limits:
            usage.append(Usage(lim, int(values[2 * i]), values[2 * i + 1]))
            i += 1
        bad = usage[refused_limit] if status == "refused" and k == refused_key else None
        verdicts.append(Verdict(status == "allowed", usage, bad))
    return verdicts
