"""Counting windows for the gateway's quotas: rolling windows (a call made at t is available again at t +
the window, as Keap's worked example for the 1,500-a-minute limit shows) and daily quotas that reset at
00:00 UTC. A refused call is not counted (in that example 100 of 1,600 calls fail and 1,500 are used).
Times are the app's clock in seconds since the epoch."""
from __future__ import annotations

import bisect
import uuid
from dataclasses import dataclass, field

ROLLING, DAILY = "rolling", "daily"
DAY = 86400.0


@dataclass(frozen=True)
class Limit:
    name: str  # e.g. "quota" (daily), "throttle" (per minute), "spike" (per second), "tenant-minute"
    kind: str  # ROLLING or DAILY
    seconds: float  # the rolling window's length (DAY for daily)
    limit: int


@dataclass(frozen=True)
class Usage:
    limit: Limit
    used: int
    resets_at: float  # when a slot next frees (rolling) or the quota resets (daily)

    @property
    def available(self) -> int:
        return max(0, self.limit.limit - self.used)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    usage: list[Usage]
    violated: Usage | None = None

    def retry_after(self, now: float) -> float:
        return max(0.0, self.violated.resets_at - now) if self.violated else 0.0


def day_start(now: float) -> float:
    return (now // DAY) * DAY


@dataclass
class Log:
    """One key's recent calls (for rolling windows) and its daily count."""

    times: list[float] = field(default_factory=list)
    day: float = -1.0
    day_count: int = 0

    def _trim(self, now: float, longest: float) -> None:
        cut = bisect.bisect_right(self.times, now - longest)
        if cut:
            del self.times[:cut]

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

    def hit(self, now: float, limits: list[Limit]) -> Verdict:
        rolling = [lim.seconds for lim in limits if lim.kind == ROLLING]
        if rolling:
            self._trim(now, max(rolling))
        usage = self.usage(now, limits)
        for u in usage:
            if u.used >= u.limit.limit:
                return Verdict(False, usage, u)
        bisect.insort(self.times, now)
        if self.day != day_start(now):
            self.day, self.day_count = day_start(now), 0
        self.day_count += 1
        return Verdict(True, self.usage(now, limits))


# --- Redis: the same, atomically. Rolling windows are a sorted set of call times; the daily count a field.

LUA_COMMON = """
local now = tonumber(ARGV[1])
local day = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local zkey = KEYS[1] .. ':t'
local hkey = KEYS[1] .. ':d'
local longest = 0
for i = 0, n - 1 do
  local kind = ARGV[5 + i * 3]
  local secs = tonumber(ARGV[6 + i * 3])
  if kind == 'r' and secs > longest then longest = secs end
end
if longest > 0 then redis.call('ZREMRANGEBYSCORE', zkey, '-inf', '(' .. tostring(now - longest)) end
local function usage()
  local out = {}
  for i = 0, n - 1 do
    local kind = ARGV[5 + i * 3]
    local secs = tonumber(ARGV[6 + i * 3])
    if kind == 'd' then
      local stored = redis.call('HMGET', hkey, 'day', 'count')
      local used = 0
      if tonumber(stored[1]) == day then used = tonumber(stored[2]) end
      table.insert(out, tostring(used)); table.insert(out, tostring(day + 86400))
    else
      local low = '(' .. tostring(now - secs)
      local used = redis.call('ZCOUNT', zkey, low, '+inf')
      local oldest = now
      if used > 0 then
        oldest = tonumber(redis.call('ZRANGEBYSCORE', zkey, low, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)[2])
      end
      table.insert(out, tostring(used)); table.insert(out, tostring(oldest + secs))
    end
  end
  return out
end
"""

LUA_HIT = LUA_COMMON + """
local before = usage()
for i = 0, n - 1 do
  if tonumber(before[1 + i * 2]) >= tonumber(ARGV[7 + i * 3]) then
    table.insert(before, 1, tostring(i))
    table.insert(before, 1, 'refused')
    return before
  end
end
redis.call('ZADD', zkey, now, ARGV[4])
local stored = redis.call('HMGET', hkey, 'day', 'count')
if tonumber(stored[1]) == day then
  redis.call('HINCRBY', hkey, 'count', 1)
else
  redis.call('HSET', hkey, 'day', tostring(day), 'count', 1)
end
redis.call('EXPIRE', zkey, 90000)
redis.call('EXPIRE', hkey, 90000)
local after = {}
for i = 0, n - 1 do
  local used = tonumber(before[1 + i * 2])
  local resets = before[2 + i * 2]
  if used == 0 and ARGV[5 + i * 3] == 'r' then resets = tostring(now + tonumber(ARGV[6 + i * 3])) end
  table.insert(after, tostring(used + 1)); table.insert(after, resets)
end
table.insert(after, 1, '-1')
table.insert(after, 1, 'allowed')
return after
"""

LUA_PEEK = LUA_COMMON + """
return usage()
"""


def lua_args(now: float, limits: list[Limit]) -> list:
    args = [repr(now), repr(day_start(now)), len(limits), f"{now!r}:{uuid.uuid4().hex}"]
    for lim in limits:
        args += ["d" if lim.kind == DAILY else "r", repr(lim.seconds), lim.limit]
    return args


def usage_from_lua(raw: list, limits: list[Limit], now: float) -> list[Usage]:
    values = [float(x) for x in raw]
    return [Usage(lim, int(values[2 * i]), values[2 * i + 1]) for i, lim in enumerate(limits)]


def verdict_from_lua(raw: list, limits: list[Limit], now: float) -> Verdict:
    status, index = raw[0].decode(), int(raw[1])
    usage = usage_from_lua(raw[2:], limits, now)
    if status == "allowed":
        return Verdict(True, usage)
    return Verdict(False, usage, usage[index])
