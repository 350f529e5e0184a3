"""The Deliveries page (audit-ui §8): what a campaign HTTP post sent, and its attempts in the app's time."""
from __future__ import annotations

import pytest

from tests.engine.conftest import Campaigns
from tests.engine.receiver import Receiver
from tests.engine.test_http_post import post_campaign
from tests.engine.test_sequences import go
from tests.inspector.test_pages import ui


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def test_the_deliveries_page_shows_the_fields_posted_and_each_attempt_in_the_apps_time(live, app, receiver):
    app.clock(time="2026-03-02T08:00:00", frozen=True)
    app.live.control("PATCH", f"/apps/{app.name}/options", json={"http_post_any_port": True})
    receiver.answers = [500]
    campaigns = Campaigns(app)
    campaigns.load(post_campaign(receiver.url))
    cid = go(app, campaigns, "poster@example.com", FirstName="Ida")
    assert campaigns.run() >= 1
    page = ui(live, f"/apps/{app.name}/http-posts").text
    assert "<title>Deliveries" in page and page.count("<h1") == 1
    posts = page[page.index('id="http-posts"'):page.index("Fulfillment lists")]
    assert "<dt>first_name</dt><dd>Ida</dd>" in posts and "<dt>email</dt><dd>poster@example.com</dd>" in posts
    assert f'/contacts/{cid}"' in posts
    assert "2026-03-02 08:00:00: 500" in posts  # the attempt, at the app's frozen time
    assert "1772" not in posts  # no epoch seconds
