"""The API's opt-in asks for confirmation when the app says so (issue 20 §3): XML-RPC ``APIEmailService.optIn``,
REST v1 ``PUT /emailAddresses/{email}`` and REST v2 ``PATCH /emailAddresses/{email}/status`` send the double opt-in
confirmation email under the app's option ``api_opt_in_confirmation``; following its link makes the address
Double Opt-In, as XML-RPC, v1 and v2 then read it."""
from __future__ import annotations

import xmlrpc.client

import pytest

from tests.email.conftest import link


def _confirmations(mail) -> list[dict]:
    return [m for m in mail.outbox(kind="email") if m["origin"] == "confirmation"]


def _options(mail, **changes) -> dict:
    r = mail.control("PATCH", "/options", json=changes)
    assert r.status_code == 200, r.text
    return r.json()


def _v2(rest, method: str, path: str, **kw):
    return rest.http.request(method, f"{rest.app.live.url}/crm/rest/v2{path}", timeout=10, **kw)


def test_off_by_default_the_api_opt_in_sends_nothing(app, mail, rest):
    assert mail.control("GET", "/options").json()["api_opt_in_confirmation"] is False
    mail.contact("plain@example.com")  # ContactService.add, then APIEmailService.optIn
    assert app.call("APIEmailService.getOptStatus", "plain@example.com") == 1
    assert _confirmations(mail) == []


def test_xmlrpc_opt_in_sends_the_confirmation_and_its_link_confirms(app, mail, rest):
    _options(mail, api_opt_in_confirmation=True)
    cid = mail.contact("xml@example.com", opt_in=False)
    assert app.call("APIEmailService.optIn", "xml@example.com", "signed up") is True
    assert app.call("APIEmailService.getOptStatus", "xml@example.com") == 1  # single opt-in until the click
    [m] = _confirmations(mail)
    assert m["to_address"] == "xml@example.com" and m["contact_id"] == cid and m["status"] == "captured"
    assert m["subject"] == "Please confirm your subscription"
    # opting in again changes nothing and sends nothing more (optIn "only works the first time")
    assert app.call("APIEmailService.optIn", "xml@example.com", "again") is False
    assert len(_confirmations(mail)) == 1

    page = mail.get(link(m["html_body"], "/app/confirm/"))
    assert page.status_code == 200 and "confirmed" in page.text
    assert app.call("APIEmailService.getOptStatus", "xml@example.com") == 2
    assert rest.ok("GET", f"/contacts/{cid}")["email_status"] == "DoubleOptin"
    assert rest.ok("PUT", "/emailAddresses/xml@example.com", json={"opted_in": True, "reason": "again"})["status"] == \
        "Confirmed (Legacy)"  # an opt-in of a confirmed address: no second confirmation
    assert _v2(rest, "GET", "/emailAddresses/xml@example.com/status").json()["status"] == "DOUBLE_OPT_IN"
    assert len(_confirmations(mail)) == 1


def test_rest_v1_opt_in_sends_the_chosen_links_email(app, mail, rest):
    made = mail.control("POST", "/email/confirmation-links", json={
        "name": "API sign-ups", "subject": "Confirm, please", "text": "Go: ~Confirmation.Link~",
        "redirect_url": "https://example.com/thanks"}).json()
    assert _options(mail, api_opt_in_confirmation=True,
                    api_opt_in_confirmation_link=made["id"])["api_opt_in_confirmation_link"] == made["id"]
    cid = mail.contact("v1@example.com", opt_in=False)
    out = rest.ok("PUT", "/emailAddresses/v1@example.com", json={"opted_in": True, "reason": "REST"})
    assert out["opted_in"] is True and out["status"] == "Unconfirmed"
    [m] = _confirmations(mail)
    assert m["subject"] == "Confirm, please" and m["contact_id"] == cid
    url = link(m["text_body"], "/app/confirm/").split()[0]
    assert url.endswith(f"?link={made['id']}")
    r = mail.get(url, allow_redirects=False)
    assert r.status_code == 302 and r.headers["Location"] == "https://example.com/thanks"
    assert mail.status("v1@example.com")["reason"] == "Confirmed: API sign-ups"
    assert app.call("APIEmailService.getOptStatus", "v1@example.com") == 2
    assert rest.ok("GET", f"/contacts/{cid}")["email_status"] == "DoubleOptin"


def test_rest_v2_opt_in_sends_the_confirmation(app, mail, rest):
    _options(mail, api_opt_in_confirmation=True)
    cid = mail.contact("v2@example.com", opt_in=False)
    r = _v2(rest, "PATCH", "/emailAddresses/v2@example.com/status", json={"opted_in": True, "reason": "v2"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "SINGLE_OPT_IN"
    [m] = _confirmations(mail)
    assert m["to_address"] == "v2@example.com"
    assert mail.get(link(m["html_body"], "/app/confirm/")).status_code == 200
    assert _v2(rest, "GET", "/emailAddresses/v2@example.com/status").json()["status"] == "DOUBLE_OPT_IN"
    v2 = _v2(rest, "GET", f"/contacts/{cid}", params={"fields": "email_addresses"}).json()
    assert v2["email_addresses"][0]["email_opt_status"] == "DOUBLE_OPT_IN"
    assert app.call("APIEmailService.getOptStatus", "v2@example.com") == 2


def test_an_opted_out_address_gets_no_confirmation(app, mail, rest):
    _options(mail, api_opt_in_confirmation=True)
    mail.contact("out@example.com", opt_in=False)
    app.call("APIEmailService.optOut", "out@example.com", "bye")
    assert app.call("APIEmailService.optIn", "out@example.com", "back?") is False
    assert _confirmations(mail) == []


def test_a_missing_link_is_a_clear_error_and_opts_nothing_in(app, mail, rest):
    _options(mail, api_opt_in_confirmation=True, api_opt_in_confirmation_link=9)
    mail.contact("lost@example.com", opt_in=False)
    with pytest.raises(xmlrpc.client.Fault) as fault:
        app.call("APIEmailService.optIn", "lost@example.com", "x")
    assert "api_opt_in_confirmation_link" in fault.value.faultString
    r = rest("PUT", "/emailAddresses/lost@example.com", json={"opted_in": True, "reason": "x"})
    assert r.status_code == 400 and "api_opt_in_confirmation_link" in r.text
    assert app.call("APIEmailService.getOptStatus", "lost@example.com") == 0
    assert _confirmations(mail) == []


@pytest.mark.parametrize("changes", [{"api_opt_in_confirmation": "yes"}, {"api_opt_in_confirmation_link": -1},
                                     {"api_opt_in_confirmation_link": True}])
def test_bad_option_values_are_refused(mail, changes):
    r = mail.control("PATCH", "/options", json=changes)
    assert r.status_code == 400 and next(iter(changes)) in r.text
