"""A captured email read in the inspector (audit-ui §4, §5): reading it is not the recipient's open or click, and
the page shows what the outbox records of it (attachments, tracking, links)."""
from __future__ import annotations

import requests
from playwright.sync_api import expect

from tests.engine.conftest import Campaigns
from tests.inspector.test_browser import ui as page_url
from tests.inspector.test_pages import ui

LINKED = {"type": "email", "name": "Tracked", "subject": "Tracked",
          "html": '<p>Hi ~Contact.FirstName~, <a href="https://example.com/offer?a=1&amp;b=2">the offer</a></p>'}


def _tracked_email(app) -> dict:
    campaigns = Campaigns(app)
    campaigns.load({"name": "Tracking", "goals": [{"key": "go", "type": "api_call", "call_name": "go"}],
                    "sequences": [{"key": "s", "items": [LINKED]}], "links": [["go", "s"]]})
    cid = campaigns.contact(f"reader-{app.name}@example.com", FirstName="Ann")
    app.call("FunnelService.achieveGoal", app.name, "go", cid)
    [message] = campaigns.outbox(contact_id=cid)
    assert "/app/open/" in message["html_body"] and "/app/linkClick/" in message["html_body"]
    return message


def _message(app, message_id: int) -> dict:
    r = app.live.control("GET", f"/apps/{app.name}/outbox", params={"next": message_id - 1, "count": 1})
    return r.json()["messages"][0]


def _last_open(app, email: str):
    return app.call("DataService.query", "EmailAddStatus", 1, 0, {"Email": email}, ["LastOpenDate"])[0].get(
        "LastOpenDate")


def _opens(app) -> int:
    """How many ``email.opened`` events the app's change log has."""
    count, after = 0, None
    while True:
        r = app.live.control("GET", f"/apps/{app.name}/events", params={"count": 1000, "next": after}).json()
        count += sum(e["type"] == "email.opened" for e in r["events"])
        after = r.get("next")
        if not after:
            return count


def test_the_frame_of_an_email_has_no_open_image_and_its_links_lead_straight_to_their_urls(live, app):
    message = _tracked_email(app)
    frame = ui(live, f"/apps/{app.name}/outbox/{message['id']}/html")
    html = frame.text
    # its links send no Referer, and only the inspector's own pages may frame it
    assert frame.headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'self'" in frame.headers["Content-Security-Policy"]
    assert "/app/open/" not in html and "/app/linkClick/" not in html
    assert 'href="https://example.com/offer?a=1&amp;b=2"' in html and "Hi Ann" in html
    assert "Unsubscribe" in html  # the rest of the email as it was sent


def test_reading_an_email_in_the_browser_is_not_an_open_and_a_recipients_fetch_still_is(app, page):
    message = _tracked_email(app)
    page.goto(page_url(app, f"/outbox/{message['id']}"))
    frame = page.frame_locator("iframe.mail")
    expect(frame.locator("a", has_text="the offer")).to_be_visible()
    page.wait_for_load_state("networkidle")
    seen = _message(app, message["id"])
    assert seen["opened_date"] is None and seen["clicked_date"] is None
    assert _last_open(app, message["to_address"]) is None
    assert _opens(app) == 0
    html = message["html_body"]
    image = html[html.index("/app/open/"):].split('"')[0]
    assert requests.get(app.live.url + image, timeout=30).status_code == 200  # the recipient's mail reader
    assert _message(app, message["id"])["opened_date"] is not None
    assert _last_open(app, message["to_address"]) is not None and _opens(app) == 1


def test_a_messages_page_lists_its_attachments_and_downloads_each(live, app):
    from tests.engine.test_sequences import go, one_sequence
    campaigns = Campaigns(app)
    campaigns.load(one_sequence({"type": "fulfillment_list", "name": "Kits", "fields": ["Id", "FirstName"],
                                 "deliver_to": {"email": "warehouse@example.com"}}))
    go(app, campaigns, "kit@example.com", FirstName="Flo")
    [sent] = [m for m in campaigns.outbox() if m["to_address"] == "warehouse@example.com"]
    page = ui(live, f"/apps/{app.name}/outbox/{sent['id']}").text
    listed = page[page.index('id="attachments"'):]
    href = f"/sandbox/ui/apps/{app.name}/outbox/{sent['id']}/attachments/0"
    assert f'href="{href}"' in listed and "Kits.csv" in listed and "text/csv" in listed
    got = requests.get(live.url + href, timeout=30)
    assert got.status_code == 200 and got.text.splitlines()[1].endswith(",Flo")
    assert ui(live, f"/apps/{app.name}/outbox/{sent['id']}/attachments/1").status_code == 404


def test_a_messages_page_shows_when_it_was_opened_and_clicked_and_its_tracked_links(live, app):
    message = _tracked_email(app)
    page = ui(live, f"/apps/{app.name}/outbox/{message['id']}").text
    assert 'id="opened">not yet' in page and 'id="clicked">not yet' in page
    assert "https://example.com/offer?a=1&amp;b=2" in page[page.index('id="links"'):]
    html = message["html_body"]
    click = html[html.index("/app/linkClick/"):].split('"')[0]
    assert requests.get(live.url + click, timeout=30, allow_redirects=False).status_code == 302
    page = ui(live, f"/apps/{app.name}/outbox/{message['id']}").text
    assert 'id="clicked">not yet' not in page and 'id="clicked">20' in page


def test_the_outbox_filters_offer_every_origin_and_kind_and_keep_the_one_chosen(live, app):
    from server.engine.document import COMMUNICATION_TYPES
    live.control("PATCH", f"/apps/{app.name}/options", json={"api_opt_in_confirmation": True})
    app.call("ContactService.add", {"Email": f"cy-{app.name}@example.com"})
    app.call("APIEmailService.optIn", f"cy-{app.name}@example.com", "signed up")  # a confirmation email
    page = ui(live, f"/apps/{app.name}/outbox", params={"origin": "confirmation", "kind": "phone_call"}).text
    assert "<option selected>confirmation</option>" in page and "<option selected>phone_call</option>" in page
    page = ui(live, f"/apps/{app.name}/outbox", params={"origin": "confirmation"}).text
    assert f"cy-{app.name}@example.com" in page[page.index('id="messages"'):]
    kinds = page[page.index('name="kind"'):page.index('name="status"')]
    assert all(f"<option >{k}</option>" in kinds or f"<option>{k}</option>" in kinds for k in COMMUNICATION_TYPES)
