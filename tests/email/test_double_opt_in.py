"""Double opt-in (issue 20 §3): a confirmation email with a link the sandbox serves; following it moves the
address to Double Opt-In, seen through XML-RPC getOptStatus, REST v1 and REST v2. Several links per app, and
web forms that ask for one."""
from __future__ import annotations

import re

import pytest
import requests

from tests.email.conftest import link


def _forms(app) -> dict[str, int]:
    return {name: int(form_id) for form_id, name in app.call("WebFormService.getMap").items()}


def _post_form(app, form_id: int, **fields) -> requests.Response:
    html = app.call("WebFormService.getHTML", form_id)
    action = re.search(r'<form[^>]* action="([^"]+)"', html).group(1)
    data = {"inf_form_xid": action.rsplit("/", 1)[1], **fields}
    return requests.post(action, data=data, allow_redirects=False, timeout=30)


def test_a_web_form_that_asks_for_confirmation(app, mail, rest):
    form_id = _forms(app)["Free Guide Download"]
    r = mail.control("POST", "/email/confirmation-links", json={
        "name": "Guide confirmation", "subject": "Confirm your guide", "redirect_url": "https://example.com/ok",
        "text": "Click ~Confirmation.Link~ to get the guide", "webform_ids": [form_id]})
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["id"] == 1 and created["webform_ids"] == [form_id]
    other = mail.control("POST", "/email/confirmation-links", json={"name": "Newsletter"}).json()
    assert other["id"] == 2
    names = [x["name"] for x in mail.control("GET", "/email/confirmation-links").json()["links"]]
    assert names == ["Email confirmation", "Guide confirmation", "Newsletter"]

    posted = _post_form(app, form_id, inf_field_FirstName="Dora", inf_field_Email="dora@example.com",
                        inf_option_EmailConsent="1")
    assert posted.status_code == 302
    assert app.call("APIEmailService.getOptStatus", "dora@example.com") == 1  # single opt-in until the click
    [m] = [x for x in mail.outbox(kind="email") if x["origin"] == "confirmation"]
    assert m["subject"] == "Confirm your guide" and m["to_address"] == "dora@example.com" and m["contact_id"]
    url = link(m["text_body"], "/app/confirm/").split()[0]
    assert "~Confirmation.Link~" not in m["text_body"] + m["html_body"] and "/app/confirm/" in m["html_body"]
    r = mail.get(url, allow_redirects=False)
    assert r.status_code == 302 and r.headers["Location"] == "https://example.com/ok"
    assert app.call("APIEmailService.getOptStatus", "dora@example.com") == 2
    contact = rest.ok("GET", f"/contacts/{m['contact_id']}")
    assert contact["email_status"] == "DoubleOptin" and contact["email_opted_in"] is True
    v2 = rest.http.get(f"{rest.app.live.url}/crm/rest/v2/contacts/{m['contact_id']}",
                       params={"fields": "email_addresses"}, timeout=10).json()
    assert v2["email_addresses"][0]["email_opt_status"] == "DOUBLE_OPT_IN"


def test_the_control_api_sends_a_confirmation_to_a_non_marketable_address(app, mail):
    mail.contact("quiet@example.com", opt_in=False)
    assert app.call("APIEmailService.getOptStatus", "quiet@example.com") == 0
    r = mail.control("POST", "/email/confirmations", json={"email": "quiet@example.com"})
    assert r.status_code == 201, r.text
    [m] = [x for x in mail.outbox(kind="email") if x["id"] == r.json()["message_id"]]
    assert m["status"] == "captured" and m["origin"] == "confirmation"
    page = mail.get(link(m["html_body"], "/app/confirm/"))
    assert page.status_code == 200 and "confirmed" in page.text
    assert mail.status("quiet@example.com")["status"] == "DoubleOptin"
    assert mail.get(link(m["html_body"], "/app/confirm/")).status_code == 200  # a second click changes nothing


def test_an_opted_out_address_is_not_confirmed(app, mail):
    mail.contact("gone@example.com")
    r = mail.control("POST", "/email/confirmations", json={"email": "gone@example.com"})
    [m] = [x for x in mail.outbox(kind="email") if x["id"] == r.json()["message_id"]]
    app.call("APIEmailService.optOut", "gone@example.com", "bye")
    page = mail.get(link(m["html_body"], "/app/confirm/"))
    assert page.status_code == 409 and "Manual" in page.text
    assert mail.status("gone@example.com")["status"] == "Manual"
    assert mail.get("/app/confirm/1-999999-000000000000").status_code == 404


@pytest.mark.parametrize("path, body, status", [
    ("/email/confirmations", {"email": "nope"}, 400),
    ("/email/confirmations", {"email": "a@example.com", "link_id": "one"}, 400),
    ("/email/confirmations", {"email": "a@example.com", "link_id": 7}, 404),
    ("/email/confirmation-links", {"redirect_url": "javascript:alert(1)"}, 400),
    ("/email/confirmation-links", {"webform_ids": ["x"]}, 400),
    ("/email/confirmation-links", {"webform_ids": ["3"]}, 400),  # values as typed (audit-control finding 8)
    ("/email/confirmation-links", {"id": 5}, 400),
    ("/email/confirmation-links", {"colour": "red"}, 400),
])
def test_bad_confirmation_requests(mail, path, body, status):
    r = mail.control("POST", path, json=body)
    assert r.status_code == status and r.json()["error"]
    assert len(mail.control("GET", "/email/confirmation-links").json()["links"]) == 1
    assert not [x for x in mail.outbox(kind="email") if x["origin"] == "confirmation"]


def test_any_email_may_carry_a_confirmation_link(app, mail):
    from tests.engine.test_sequences import go, one_sequence

    mail.load(one_sequence({"type": "email", "name": "welcome", "subject": "Welcome",
                            "html": '<p><a href="~Confirmation.Link~">Confirm</a> <a href="https://example.com/a">a</a>'
                                    "</p>", "text": "Confirm: ~Confirmation.Link~"}))
    cid = go(app, mail, "campaign@example.com")
    [m] = mail.outbox(contact_id=cid)
    assert "~Confirmation" not in m["html_body"] + m["text_body"]
    confirm = link(m["html_body"], "/app/confirm/")
    assert confirm.endswith("?link=0") and link(m["text_body"], "/app/confirm/").split()[0].endswith("?link=0")
    assert "/app/linkClick/" in m["html_body"]  # the other link is tracked, the confirmation link is not
    assert mail.get(confirm).status_code == 200
    assert app.call("APIEmailService.getOptStatus", "campaign@example.com") == 2

    extra = mail.control("POST", "/email/confirmation-links", json={"name": "Second",
                                                                    "redirect_url": "https://example.com/2"}).json()
    other = mail.contact("oneoff@example.com")
    [sent] = mail.send([other], html=f'<a href="~Confirmation.Link{extra["id"]}~">yes</a>')
    r = mail.get(link(sent["html_body"], "/app/confirm/"), allow_redirects=False)
    assert r.status_code == 302 and r.headers["Location"] == "https://example.com/2"
    assert mail.status("oneoff@example.com")["reason"] == "Confirmed: Second"
    promo = mail.load(one_sequence({"type": "email", "name": "promo", "subject": "promo", "html": "<p>no link</p>"},
                                   name="Promo"))
    assert promo["id"]
    # a marketing email without a confirmation link: its token is no confirmation link
    app.call("FunnelService.achieveGoal", app.name, "go", mail.contact("plain@example.com"))
    plain = [x for x in mail.outbox(kind="email") if x["subject"] == "promo"][0]
    token = link(plain["html_body"], "/app/optOut/").removeprefix("/app/optOut/")
    assert mail.get(f"/app/confirm/{token}").status_code == 404
    assert mail.status("plain@example.com")["status"] == "SingleOptIn"


def test_a_confirmation_link_is_the_one_its_email_carries(mail):
    """The ``?link=`` of a confirmation URL is the email's: another link's number (its name in the reason, its
    redirect) or an unknown one is not found, and confirms nothing; without one, the email's own link."""
    other = mail.control("POST", "/email/confirmation-links", json={
        "name": "Guide confirmation", "subject": "Confirm", "text": "Click ~Confirmation.Link~",
        "redirect_url": "https://example.com/welcome"}).json()
    mail.contact("joe@example.com")
    r = mail.control("POST", "/email/confirmations", json={"email": "joe@example.com", "link_id": 0})
    assert r.status_code == 201, r.text
    [m] = [x for x in mail.outbox(kind="email") if x["id"] == r.json()["message_id"]]
    url = link(m["html_body"], "/app/confirm/")
    assert url.endswith("?link=0")
    for number in (str(other["id"]), "7", "+0", " 0", "0x0"):
        r = mail.get(url.removesuffix("0") + number, allow_redirects=False)
        assert r.status_code == 404 and 'id="error"' in r.text, (number, r.status_code)
    assert mail.status("joe@example.com")["status"] == "SingleOptIn"

    r = mail.get(url.removesuffix("?link=0"), allow_redirects=False)
    assert r.status_code == 200 and "is confirmed" in r.text
    assert mail.status("joe@example.com")["reason"] == "Confirmed: Email confirmation"
