"""The legacy API key's token bucket and thread throttle (seed 003; spec rest-oauth-throttle.md §11.5).

Every app has a bucket of 10,000 tokens; a call takes one; a token comes back every 500 ms, up to the cap.
With the bucket empty a call is held, not refused: with several waiting at once the first waits 500 ms, the
next 1 s, then 1.5 s and 2 s, each going through when its token arrives. With 4 calls held, a further call
gets the thread-throttle fault at once, and calling again while throttled keeps the bucket where it is: the
only way out is to stop calling.

The arithmetic is a bucket whose level may go negative: -n means n calls are waiting for tokens already
promised to them, ceil(-L) calls are held. A call at level L >= 1 proceeds (L-1); while fewer than
max_held calls are held it is held too (L-1) and waits (1-L) refill intervals; otherwise it is refused and
the refill since the last update is forfeited. All
times are the app's clock, in seconds; the same function runs in memory and, as a Lua script, in Redis.

Two refill rules (the app's ``refill`` setting). ``continuous`` (the default, the spec's emulator algorithm,
"the common interpretation"): time since the last call counts in fractions, so a client calling every 250 ms
gets half a token back per call. ``idle`` (the FAQ's words read literally, "for every 500ms that there is not
an API call, you get one token back"): only whole quiet intervals between two calls count, and what is left
of an interval is lost when a call comes, so calls every 499 ms get nothing back.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

PROCEED, HOLD, REJECT = "proceed", "hold", "reject"

THROTTLE_FAULT = ("Server encountered exception: com.infusionsoft.throttle.ThrottlingException: "
                  "Maximum number of threads throttled")


@dataclass(frozen=True)
class Bucket:
    size: int
    interval: float  # seconds of app time per token
    max_held: int
    idle: bool = False  # the "idle" refill rule: only whole quiet intervals count


_EPSILON = 1e-9  # so that exactly one interval of float time counts as one


def gained(last: float, now: float, bucket: Bucket) -> float:
    """The tokens that come back between a call at ``last`` and ``now``."""
    intervals = (now - last) / bucket.interval
    return math.floor(intervals + _EPSILON) if bucket.idle else intervals


@dataclass(frozen=True)
class Decision:
    outcome: str
    wait: float  # app seconds to hold, for HOLD
    tokens: float  # the level after this call


def refill(tokens: float, last: float, now: float, bucket: Bucket) -> float:
    if now <= last:
        return tokens
    return min(float(bucket.size), tokens + gained(last, now, bucket))


def next_refill(tokens: float | None, last: float | None, now: float, bucket: Bucket) -> float | None:
    """When the next token comes back if no call is made, or None with the bucket full."""
    level = level_at(tokens, last, now, bucket)
    if level >= bucket.size:
        return None
    if bucket.idle:
        since = max(0.0, now - last)
        return last + (math.floor(since / bucket.interval + _EPSILON) + 1) * bucket.interval
    return now + (math.floor(level) + 1 - level) * bucket.interval


def decide(tokens: float | None, last: float | None, now: float, bucket: Bucket) -> tuple[Decision, float, float]:
    """The decision for one call, and the bucket's new ``(tokens, last)``."""
    if tokens is None or last is None:
        tokens, last = float(bucket.size), now
    level = refill(tokens, last, now, bucket)
    if level >= 1:
        return Decision(PROCEED, 0.0, level - 1), level - 1, max(now, last)
    if level >= 1 - bucket.max_held:  # fewer than max_held calls are waiting: ceil(-level) < max_held
        return Decision(HOLD, (1 - level) * bucket.interval, level - 1), level - 1, max(now, last)
    # Throttled: the call is refused and the refill it would have seen is forfeited.
    return Decision(REJECT, 0.0, tokens), tokens, max(now, last)


def level_at(tokens: float | None, last: float | None, now: float, bucket: Bucket) -> float:
    if tokens is None or last is None:
        return float(bucket.size)
    return refill(tokens, last, now, bucket)


# The same arithmetic for Redis, run atomically by the server (KEYS[1] is the bucket's hash).
LUA_DECIDE = """
local size = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local max_held = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
local idle = ARGV[5] == '1'
local state = redis.call('HMGET', KEYS[1], 'tokens', 'last')
local tokens = tonumber(state[1])
local last = tonumber(state[2])
if tokens == nil or last == nil then
  tokens = size
  last = now
end
local level = tokens
if now > last then
  local gained = (now - last) / interval
  if idle then gained = math.floor(gained + 1e-9) end
  level = math.min(size, tokens + gained)
end
local newlast = last
if now > last then newlast = now end
local outcome, wait, newtokens
if level >= 1 then
  outcome = 'proceed'; wait = 0; newtokens = level - 1
elseif level >= 1 - max_held then
  outcome = 'hold'; wait = (1 - level) * interval; newtokens = level - 1
else
  outcome = 'reject'; wait = 0; newtokens = tokens
end
redis.call('HSET', KEYS[1], 'tokens', tostring(newtokens), 'last', tostring(newlast))
return {outcome, tostring(wait), tostring(newtokens)}
"""
