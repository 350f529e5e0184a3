"""Token requests that arrive together, against a live server on every store: an authorization code is
exchanged once and a refresh token rotates once, however many requests present it at the same moment (spec
rest-oauth-throttle.md §9.3; RFC 6749 §4.1.2). The store decides with a compare-and-set (server.store.credentials:
``use_code``, ``rotate``) in the transaction that issues the tokens."""
from __future__ import annotations

import threading

import pytest
import requests

from tests.auth.test_oauth import REDIRECT, basic, consent, exchange

TRIALS = 6  # rounds of simultaneous requests (a round without the compare-and-set let several through now and then)
AT_ONCE = 8  # requests in a round
USED_CODE = {"error": "invalid_grant", "error_description": "Authorization code is invalid"}
USED_REFRESH = {"error": "invalid_grant", "error_description": "Invalid refresh token"}


def together(send) -> list[requests.Response]:
    """``send(session)`` from AT_ONCE threads released at the same moment, each with a session of its own."""
    barrier = threading.Barrier(AT_ONCE)
    answers: list[requests.Response] = []
    failures: list[BaseException] = []

    def one():
        with requests.Session() as session:
            try:
                barrier.wait(timeout=10)
                answers.append(send(session))
            except BaseException as exc:  # noqa: BLE001 (reported below, in the test's thread)
                failures.append(exc)

    threads = [threading.Thread(target=one) for _ in range(AT_ONCE)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not failures, failures
    return answers


def refresh(live, client, refresh_token, session=requests):
    return session.post(live.url + "/token", data={"grant_type": "refresh_token", "refresh_token": refresh_token},
                        headers={"Authorization": basic(client)}, timeout=30)


def test_a_code_exchanged_by_simultaneous_requests_gives_one_pair(live, client, app):
    for _ in range(TRIALS):
        code = consent(live, client, app)["code"]
        answers = together(lambda s, code=code: s.post(live.url + "/token", data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
            "client_id": client["client_id"], "client_secret": client["client_secret"]}, timeout=30))
        assert sorted(r.status_code for r in answers) == [200] + [400] * (AT_ONCE - 1)
        assert all(r.json() == USED_CODE for r in answers if r.status_code == 400)
        assert exchange(live, client, code).json() == USED_CODE


@pytest.mark.parametrize("reuse_detection", [False, True])
def test_a_refresh_token_presented_by_simultaneous_requests_rotates_once(live, client, app, reuse_detection):
    """One grant stays one chain: one request gets the new pair, the others Keap's invalid_grant, and only the
    winner's refresh token works afterwards. With reuse detection on, the losers presented a token already
    rotated: the grant is revoked, the winner's pair with it (RFC 9700 §4.14.2)."""
    r = live.control("PATCH", f"/apps/{app.name}/options", json={"refresh_token_reuse_detection": reuse_detection})
    assert r.status_code == 200
    for _ in range(TRIALS):
        pair = exchange(live, client, consent(live, client, app)["code"]).json()
        answers = together(lambda s, rt=pair["refresh_token"]: refresh(live, client, rt, s))
        assert sorted(r.status_code for r in answers) == [200] + [400] * (AT_ONCE - 1)
        assert all(r.json() == USED_REFRESH for r in answers if r.status_code == 400)
        [won] = [r.json() for r in answers if r.status_code == 200]
        assert refresh(live, client, pair["refresh_token"]).json() == USED_REFRESH
        after = refresh(live, client, won["refresh_token"])
        if reuse_detection:
            assert (after.status_code, after.json()) == (400, USED_REFRESH)
        else:
            assert after.status_code == 200
