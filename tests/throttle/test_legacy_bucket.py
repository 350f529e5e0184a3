"""The legacy API key's token bucket and thread throttle, driven through a live server on the app's clock."""
from __future__ import annotations

import threading
import time
import xmlrpc.client
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import make_app

pytestmark = pytest.mark.store_agnostic  # the throttle keeps its state in memory or Redis

FAULT = ("Server encountered exception: com.infusionsoft.throttle.ThrottlingException: "
         "Maximum number of threads throttled")


def throttle(app, **settings):
    r = app.live.control("PATCH", f"/apps/{app.name}/throttle", json=settings)
    assert r.status_code == 200, r.text
    return r.json()


def state(app):
    return app.live.control("GET", f"/apps/{app.name}/throttle").json()["legacy"]


def echo(app):
    return app.call("DataService.echo", "x")


def test_defaults_are_the_real_numbers(empty_app):
    s = empty_app.live.control("GET", f"/apps/{empty_app.name}/throttle").json()
    assert s["settings"]["legacy"] == {"enabled": True, "bucket_size": 10000, "refill_ms": 500,
                                       "refill": "continuous", "hold_step_ms": 500, "max_held": 4,
                                       "hold_timeout_s": 60}
    assert s["legacy"]["tokens"] == 10000 and s["legacy"]["held_calls"] == 0


def test_each_call_takes_a_token_and_tokens_come_back_on_the_app_clock(empty_app):
    empty_app.clock(time="2024-01-01T09:00:00", frozen=True)
    for _ in range(100):
        echo(empty_app)
    assert state(empty_app)["tokens"] == 9900
    empty_app.clock(by=10)  # 10 s: 20 tokens
    assert state(empty_app)["tokens"] == 9920
    empty_app.clock(by="90m")  # a full refill takes about 1.4 hours of quiet
    assert state(empty_app)["tokens"] == 10000
    for _ in range(3):
        echo(empty_app)
    assert state(empty_app)["tokens"] == 9997


@pytest.mark.parametrize("rule,levels", [("continuous", [6, 7.5, 6.5, 7.1, 6.1]), ("idle", [6, 7, 6, 6, 5])])
def test_the_refill_rule(empty_app, rule, levels):
    """continuous: time since the last call counts in fractions; idle: only whole quiet 500 ms intervals
    between calls count, and a call loses what is left of one."""
    empty_app.clock(time="2024-01-01T09:00:00", frozen=True)
    assert throttle(empty_app, legacy={"bucket_size": 10, "refill": rule})["legacy"]["refill"] == rule
    seen = []
    for _ in range(4):
        echo(empty_app)
    seen.append(state(empty_app)["level"])
    empty_app.clock(by=0.75)
    seen.append(state(empty_app)["level"])
    echo(empty_app)
    seen.append(state(empty_app)["level"])
    empty_app.clock(by=0.3)
    seen.append(state(empty_app)["level"])
    echo(empty_app)
    seen.append(state(empty_app)["level"])
    assert seen == pytest.approx(levels)
    r = empty_app.live.control("PATCH", f"/apps/{empty_app.name}/throttle", json={"legacy": {"refill": "lazy"}})
    assert r.status_code == 400 and "continuous, idle" in r.json()["error"]


def test_a_frozen_clock_gives_no_tokens_back(empty_app):
    empty_app.clock(action="freeze")
    throttle(empty_app, legacy={"bucket_size": 5})
    for _ in range(5):
        echo(empty_app)
    time.sleep(1.1)  # real time passes, app time does not
    s = state(empty_app)
    assert s["tokens"] == 0 and s["next_refill"] is not None


def _start_held(app, n):
    """Start ``n`` calls in threads; return the threads and the list their results go to."""
    results = []

    def run():
        try:
            results.append(echo(app))
        except xmlrpc.client.Fault as f:
            results.append((f.faultCode, f.faultString))

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    return threads, results


def _wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_held_calls_go_through_at_half_second_steps_and_the_fifth_is_refused(empty_app):
    app = empty_app
    app.clock(time="2024-01-01T09:00:00", frozen=True)
    throttle(app, legacy={"bucket_size": 1})
    echo(app)  # the bucket is empty now
    threads = []
    for _ in range(4):  # one at a time, so the order of their holds is known
        threads += _start_held(app, 1)[0]
        assert _wait_for(lambda threads=threads: state(app)["held_calls"] == len(threads))
    with pytest.raises(xmlrpc.client.Fault) as exc:
        echo(app)  # a fifth call while four are held: refused at once
    assert (exc.value.faultCode, exc.value.faultString) == (500, FAULT)

    done = lambda: sum(not t.is_alive() for t in threads)  # noqa: E731
    for step, expected in ((0.49, 0), (0.01, 1), (0.5, 2), (0.5, 3), (0.5, 4)):  # released at 0.5, 1, 1.5, 2 s
        app.clock(by=step)
        if expected:
            assert _wait_for(lambda expected=expected: done() == expected), (step, done())
        time.sleep(0.15)
        assert done() == expected
    for t in threads:
        t.join(5)
    assert state(app)["held_calls"] == 0


def test_calling_while_throttled_keeps_the_app_throttled(empty_app):
    app = empty_app
    app.clock(time="2024-01-01T09:00:00", frozen=True)
    throttle(app, legacy={"bucket_size": 1, "hold_timeout_s": 30})
    echo(app)
    threads, _ = _start_held(app, 4)
    assert _wait_for(lambda: state(app)["held_calls"] == 4)
    app.clock(by=2.0)  # all four go through
    assert _wait_for(lambda: not any(t.is_alive() for t in threads))
    # the bucket is at -4 + 4 = 0 at this instant; four more calls are held and a fifth refused
    threads, _ = _start_held(app, 4)
    assert _wait_for(lambda: state(app)["held_calls"] == 4)
    for _ in range(3):
        app.clock(by=0.3)  # 0.3 s is not enough for a slot, and each refused call forfeits the refill
        with pytest.raises(xmlrpc.client.Fault):
            echo(app)
    app.clock(by=2.0)  # stop calling: the held calls finish and the bucket recovers
    assert _wait_for(lambda: not any(t.is_alive() for t in threads))
    app.clock(by=0.6)
    assert echo(app) == "x"


def test_a_fast_clock_shortens_holds(empty_app):
    app = empty_app
    app.clock(action="real")
    app.clock(rate=60)
    throttle(app, legacy={"bucket_size": 1})
    echo(app)
    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(lambda _: echo(app), range(4))) == ["x"] * 4
    assert time.monotonic() - started < 1.5  # 2 s of holds at ×60 is about 33 ms of wall time


def test_apps_throttle_independently_and_holds_block_no_one(live):
    a, b = make_app(live, seed=False), make_app(live, seed=False)
    a.clock(action="freeze")
    throttle(a, legacy={"bucket_size": 1, "hold_timeout_s": 30})
    echo(a)
    threads, _ = _start_held(a, 4)
    assert _wait_for(lambda: state(a)["held_calls"] == 4)
    with pytest.raises(xmlrpc.client.Fault):
        echo(a)
    started = time.monotonic()
    assert echo(b) == "x"  # another app, on the same server, while four of A's calls are held
    assert b.call("ContactService.add", {"FirstName": "B"}) == 1
    assert time.monotonic() - started < 2
    assert state(b)["tokens"] == 9998
    a.clock(by=3)
    assert _wait_for(lambda: not any(t.is_alive() for t in threads))


def test_a_hold_on_a_frozen_clock_ends_in_the_fault_after_its_timeout(empty_app):
    app = empty_app
    app.clock(action="freeze")
    throttle(app, legacy={"bucket_size": 1, "hold_timeout_s": 0.3})
    echo(app)
    with pytest.raises(xmlrpc.client.Fault) as exc:
        echo(app)
    assert exc.value.faultCode == 500


def test_reset_refills_and_off_means_off(empty_app):
    app = empty_app
    app.clock(action="freeze")
    throttle(app, legacy={"bucket_size": 3})
    for _ in range(3):
        echo(app)
    assert state(app)["tokens"] == 0
    r = app.live.control("POST", f"/apps/{app.name}/throttle/reset")
    assert r.status_code == 200 and r.json()["legacy"]["tokens"] == 3
    throttle(app, legacy={"enabled": False})
    for _ in range(10):
        echo(app)
    throttle(app, legacy={"enabled": True})
    assert state(app)["tokens"] == 3


def test_bad_settings_are_refused(empty_app):
    for body in ({"legacy": {"bucket_size": 0}}, {"legacy": {"nope": 1}}, {"profile": "future"},
                 {"legacy": {"refill_ms": "fast"}}, {"legacy": 5}):
        r = empty_app.live.control("PATCH", f"/apps/{empty_app.name}/throttle", json=body)
        assert r.status_code == 400 and "error" in r.json(), body


def test_the_legacy_bucket_does_not_apply_to_the_gateway_endpoint(empty_app):
    import requests

    empty_app.clock(action="freeze")
    throttle(empty_app, legacy={"bucket_size": 1})
    echo(empty_app)
    body = xmlrpc.client.dumps(("backwards-compatability", "y"), "DataService.echo")
    r = requests.post(empty_app.live.url + "/crm/xmlrpc/v1", data=body, headers={"X-Keap-API-Key": empty_app.key},
                      timeout=10)
    assert r.status_code == 200 and xmlrpc.client.loads(r.content)[0][0] == "y"


def test_settings_can_come_from_sandbox_data(live, tmp_path):
    import json

    from server.sandbox.seeding import bootstrap

    (tmp_path / "app.json").write_text(json.dumps({"name": "x", "options": {"throttle": {
        "legacy": {"bucket_size": 25}, "profile": "classic"}}}))
    bootstrap.create_app_record(live.sandbox.env, "seededthrottle", seed_dir=tmp_path)
    s = live.control("GET", "/apps/seededthrottle/throttle").json()
    assert s["legacy"]["bucket_size"] == 25 and s["profile"] == "classic"
