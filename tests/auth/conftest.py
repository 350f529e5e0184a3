"""What the OAuth tests share: a developer app (an OAuth client) with one redirect URI."""
from __future__ import annotations

import pytest

from tests.auth.test_oauth import REDIRECT


@pytest.fixture
def client(live):
    r = live.control("POST", "/oauth/clients", json={"name": "Test Integration", "redirect_uris": [REDIRECT]})
    assert r.status_code == 201
    return r.json()
