"""Unit tests of the legacy bucket's arithmetic (server/throttle/legacy.py), without a server or a store: the
level, holds and their waits, the thread-throttle refusal that forfeits the refill, both refill rules, and when
the next token comes back."""
from __future__ import annotations

import pytest

from server.throttle.legacy import HOLD, PROCEED, REJECT, Bucket, decide, gained, level_at, next_refill

BUCKET = Bucket(size=3, interval=0.5, max_held=4)
IDLE = Bucket(size=3, interval=0.5, max_held=4, idle=True)


def run(bucket: Bucket, times: list[float]) -> list:
    tokens = last = None
    out = []
    for now in times:
        decision, tokens, last = decide(tokens, last, now, bucket)
        out.append((decision.outcome, decision.wait, round(decision.tokens, 6)))
    return out


def test_a_new_bucket_is_full_and_a_call_takes_one_token():
    assert level_at(None, None, 0.0, BUCKET) == 3
    assert run(BUCKET, [0.0, 0.0, 0.0]) == [(PROCEED, 0.0, 2), (PROCEED, 0.0, 1), (PROCEED, 0.0, 0)]


def test_an_empty_bucket_holds_four_calls_then_refuses():
    outcomes = run(BUCKET, [0.0] * 8)
    assert [o for o, _, _ in outcomes] == [PROCEED] * 3 + [HOLD] * 4 + [REJECT]
    assert [w for o, w, _ in outcomes if o == HOLD] == [0.5, 1.0, 1.5, 2.0]
    assert outcomes[-1] == (REJECT, 0.0, -4)


def test_a_refused_call_forfeits_the_refill_it_would_have_seen():
    tokens = last = None
    for now in [0.0] * 7:
        _, tokens, last = decide(tokens, last, now, BUCKET)
    decision, tokens, last = decide(tokens, last, 0.4, BUCKET)  # 0.8 of a token would have come back
    assert decision.outcome == REJECT and tokens == -4 and last == 0.4
    decision, tokens, last = decide(tokens, last, 0.9, BUCKET)  # one whole interval since the refusal
    assert decision.outcome == HOLD and decision.wait == pytest.approx(2.0)


def test_the_continuous_rule_counts_fractions_and_the_idle_rule_only_whole_quiet_intervals():
    assert gained(0.0, 0.25, BUCKET) == 0.5
    assert gained(0.0, 0.25, IDLE) == 0
    assert gained(0.0, 1.0, IDLE) == 2
    assert gained(0.0, 0.5, IDLE) == 1  # exactly one interval of float time counts as one
    assert level_at(0.0, 0.0, 100.0, BUCKET) == 3  # never above the cap


def test_calls_every_499_ms_get_nothing_back_under_the_idle_rule():
    times = [i * 0.499 for i in range(5)]
    assert [o for o, _, _ in run(IDLE, times)] == [PROCEED] * 3 + [HOLD] * 2
    assert [o for o, _, _ in run(BUCKET, times)] == [PROCEED] * 5


def test_when_the_next_token_comes_back():
    assert next_refill(None, None, 0.0, BUCKET) is None  # full
    assert next_refill(0.0, 0.0, 0.0, BUCKET) == pytest.approx(0.5)
    assert next_refill(0.0, 0.0, 0.2, BUCKET) == pytest.approx(0.5)
    assert next_refill(-2.0, 0.0, 0.0, BUCKET) == pytest.approx(0.5)
    assert next_refill(0.0, 0.0, 0.7, IDLE) == pytest.approx(1.0)


def test_a_clock_moved_back_gives_nothing_back():
    assert level_at(1.0, 10.0, 5.0, BUCKET) == 1.0
