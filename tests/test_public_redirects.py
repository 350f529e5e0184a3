"""The public pages that redirect to a URL set through an API (an affiliate redirect link, a double opt-in link,
the card-entry page, a web form's thank-you address): a URL no Location header can carry (a newline, a host name
IDNA refuses, a port out of range) is refused where it is set, in the API's own error form, and one stored before
that check redirects safely (a newline percent-encoded, as a tracked link's) or answers without a redirect,
never a 500 (server.domain.redirects)."""
from __future__ import annotations

import re
import xmlrpc.client
from contextlib import contextmanager

import pytest
import requests

from server.domain.affiliates import programs
from server.domain.crm import webforms
from server.store import apps, schema
from server.store.db import transaction
from tests.commerce.util import OLIVIA
from tests.conftest import fault_of
from tests.rest_v2.conftest import service_key

BAD = ["https://example.com/a\nb", "https://a..b/x", "https://example.com:99999/x"]
CARD_PAGE = "/app/creditCardSubmission/addCreditCard"


@contextmanager
def stored(app):
    """A session on ``app`` in the live server's own store: what an export's rows or an older sandbox stored,
    past the checks of the APIs."""
    sandbox = app.live.sandbox
    with transaction(sandbox.engine, write=True) as conn:
        yield sandbox.env.session(conn, apps.by_name(conn, app.name), base_url=app.live.url)


def _events(app, kind: str) -> int:
    events = app.live.control("GET", f"/apps/{app.name}/events?limit=1000").json()["events"]
    return sum(e["type"] == kind for e in events)


def test_an_affiliate_redirect_link_to_a_url_no_location_can_carry(app):
    http = requests.Session()
    http.headers["X-Keap-API-Key"] = service_key(app)
    for n, url in enumerate(BAD):
        r = http.post(f"{app.live.url}/crm/rest/v2/affiliates/redirects", timeout=30, json={
            "name": "Bad", "code": f"bad{n}", "website_address": url, "affiliate_id": "2"})
        assert r.status_code == 400 and "'website_address'" in r.json()["message"], (url, r.text)

    with stored(app) as s:
        for n, url in enumerate(BAD):
            programs.add_redirect(s, "Stored", f"stored{n}", url, affiliate_id=2)
    offered = {x["LocalUrlCode"]: x for x in app.call("AffiliateService.getRedirectLinksForAffiliate", 2)}
    clicks = _events(app, "affiliate.link_clicked")
    for n in (1, 2):
        r = requests.get(offered[f"stored{n}"]["AffiliateUrl"], allow_redirects=False, timeout=30)
        assert r.status_code == 404 and "inf_aff_" not in r.headers.get("Set-Cookie", ""), (n, r.status_code)
    assert _events(app, "affiliate.link_clicked") == clicks  # nobody could follow them: no click
    r = requests.get(offered["stored0"]["AffiliateUrl"], allow_redirects=False, timeout=30)
    assert r.status_code == 302 and r.headers["Location"] == "https://example.com/a%0Ab"
    assert _events(app, "affiliate.link_clicked") == clicks + 1


def test_a_confirmation_link_to_a_url_no_location_can_carry(app):
    for url in BAD:
        r = app.live.control("POST", f"/apps/{app.name}/email/confirmation-links", json={"redirect_url": url})
        assert r.status_code == 400 and r.json()["fields"][0]["field"] == "redirect_url", (url, r.text)

    record = app.live.control("POST", f"/apps/{app.name}/email/confirmation-links",
                              json={"redirect_url": "https://example.com/ok"})
    assert record.status_code == 201, record.text
    link_id = record.json()["id"]
    with stored(app) as s:
        options = dict(s.app.options)
        email = dict(options["email"])
        email["confirmation_links"] = [dict(x, redirect_url=BAD[1]) for x in email["confirmation_links"]]
        apps.update(s.conn, s.app.id, options={**options, "email": email})
    sent = app.live.control("POST", f"/apps/{app.name}/email/confirmations",
                            json={"email": "dora@example.com", "link_id": link_id})
    assert sent.status_code == 201, sent.text
    outbox = app.live.control("GET", f"/apps/{app.name}/outbox?limit=100").text
    path = re.findall(r"/app/confirm/[0-9a-f-]+\?link=\d+", outbox)[-1]
    r = requests.get(app.live.url + path, allow_redirects=False, timeout=30)
    assert r.status_code == 200 and "dora@example.com is confirmed" in r.text


def test_a_card_entry_page_to_urls_no_location_can_carry(app):
    for url in BAD:
        for urls in ((url, "https://shop.example.com/failed"), ("https://shop.example.com/ok", url)):
            with pytest.raises(xmlrpc.client.Fault) as exc:
                app.call("CreditCardSubmissionService.requestSubmissionToken", OLIVIA, *urls)
            code, message = fault_of(exc)
            assert code == 12 and ("successUrl" if urls[0] == url else "failureUrl") in message, message

    token = app.call("CreditCardSubmissionService.requestSubmissionToken", OLIVIA, "https://shop.example.com/ok",
                     "https://shop.example.com/failed")
    with stored(app) as s:
        c = schema.card_submission.c
        s.update(schema.card_submission, c.token == token, success_url=BAD[1], failure_url=BAD[2])
    card = {"token": token, "ExpirationMonth": "12", "ExpirationYear": "2031"}
    refused = requests.post(app.live.url + CARD_PAGE, data={**card, "CardNumber": "4111111111111112"},
                            allow_redirects=False, timeout=30)
    assert refused.status_code == 400 and "Location" not in refused.headers
    saved = requests.post(app.live.url + CARD_PAGE, data={**card, "CardNumber": "4111111111111111"},
                          allow_redirects=False, timeout=30)
    assert saved.status_code == 200 and saved.text == "Card saved\n"
    assert app.call("CreditCardSubmissionService.requestCreditCardId", token)["contactId"] == OLIVIA


def test_a_web_form_thank_you_url_no_location_can_carry(app):
    form_id = next(int(i) for i, name in app.call("WebFormService.getMap").items() if name == "Free Guide Download")
    action = re.search(r'action="([^"]+)"', app.call("WebFormService.getHTML", form_id)).group(1)
    xid = action.rsplit("/", 1)[1]
    for n, (url, to) in enumerate(zip(BAD, ["https://example.com/a%0Ab", f"/app/form/thankyou/{xid}",
                                           f"/app/form/thankyou/{xid}"], strict=True)):
        with stored(app) as s:
            s.update(schema.webform, schema.webform.c.id == form_id, thank_you_url=url)
        r = requests.post(action, data={"inf_field_FirstName": "Ann", "inf_field_Email": f"ann{n}@example.com"},
                          allow_redirects=False, timeout=30)
        assert r.status_code == 302 and r.headers["Location"].endswith(to), (url, r.status_code)
    with stored(app) as s, pytest.raises(ValueError, match="thank_you_url"):  # a seed file's form
        webforms.add_form(s, "Bad", [{"name": "Email", "label": "Email", "type": "email"}], thank_you_url=BAD[0])
